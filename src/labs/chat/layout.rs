//! Where the picture's parts go for a canvas width: four rings in a row on a wide screen, two by
//! two on a narrow one (a phone), each panel with its title (wrapped), its ring, its storage bar
//! and the lines under it. Plain arithmetic, tested natively; `draw` paints it.

use crate::i18n::{count, real, Lang};

/// Narrower than this, the four rings go two by two.
pub const FOUR_IN_A_ROW_PX: f64 = 760.0;
/// Height of one title line.
pub const TITLE_LINE_PX: f64 = 16.0;
/// Height of one line under the bar.
pub const TEXT_LINE_PX: f64 = 15.0;
/// Lines under the bar: rows, bytes, losses.
pub const TEXT_LINES: f64 = 3.0;
/// The note under the panels (flows sampled).
pub const NOTE_PX: f64 = 18.0;
/// Lost marks fly out to this share of the radius beyond the ring.
pub const OUTSIDE: f64 = 0.25;

/// The picture's geometry at one width.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Layout {
    pub cols: usize,
    pub panel_w: f64,
    pub panel_h: f64,
    /// Title lines every panel leaves room for.
    pub title_lines: usize,
    /// Ring radius and centre, from the panel's top left.
    pub r: f64,
    pub cy: f64,
    /// Top of the storage bar, from the panel's top.
    pub bar_y: f64,
    /// The whole canvas.
    pub height: f64,
}

impl Layout {
    /// The layout at canvas width `w` (CSS pixels), titles taking `title_lines` lines.
    pub fn at(w: f64, title_lines: usize) -> Self {
        let cols = if w >= FOUR_IN_A_ROW_PX { 4 } else { 2 };
        let rows = 4 / cols;
        let panel_w = w / cols as f64;
        let title_lines = title_lines.clamp(1, 3);
        let title_h = 12.0 + TITLE_LINE_PX * title_lines as f64;
        let r = (panel_w / 2.0 - 22.0).clamp(30.0, 105.0);
        let reach = r * (1.0 + OUTSIDE) + 4.0;
        let cy = title_h + reach;
        let bar_y = cy + reach + 4.0;
        let panel_h = bar_y + 12.0 + TEXT_LINES * TEXT_LINE_PX + 6.0;
        Self {
            cols,
            panel_w,
            panel_h,
            title_lines,
            r,
            cy,
            bar_y,
            height: rows as f64 * panel_h + NOTE_PX,
        }
    }

    /// Top left of scheme `i`'s panel.
    pub fn origin(&self, i: usize) -> (f64, f64) {
        let (row, col) = (i / self.cols, i % self.cols);
        (col as f64 * self.panel_w, row as f64 * self.panel_h)
    }
}

/// `s` in lines no wider than `width` (by `measure`), broken at spaces; a word wider than a line
/// has a line of its own (drawn squeezed).
pub fn wrap(s: &str, width: f64, measure: impl Fn(&str) -> f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in s.split(' ').filter(|w| !w.is_empty()) {
        let trial = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if measure(&trial) > width && !line.is_empty() {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        } else {
            line = trial;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// A size in bytes for people: `812 B`, `45.6 KB`, `3.4 MB`, `1.2 GB`.
pub fn bytes(lang: Lang, n: u64) -> String {
    let x = n as f64;
    match n {
        0..=999 => format!("{} B", count(lang, n)),
        1_000..=999_999 => format!("{} KB", real(lang, x / 1e3, 1)),
        1_000_000..=999_999_999 => format!("{} MB", real(lang, x / 1e6, 1)),
        _ => format!("{} GB", real(lang, x / 1e9, 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phone_gets_two_rings_a_row_and_nothing_leaves_its_panel() {
        let wide = Layout::at(1350.0, 1);
        assert_eq!(wide.cols, 4);
        assert_eq!(wide.origin(3), (3.0 * wide.panel_w, 0.0));
        // A 390 px phone: the canvas is about 340 px wide.
        for w in [280.0, 340.0, 700.0, 1350.0] {
            let l = Layout::at(w, 2);
            assert!(l.cols * 2 >= 4 && l.panel_w * l.cols as f64 <= w + 1e-9, "{l:?}");
            // The ring and its lost marks stay inside the panel, below the title.
            let reach = l.r * (1.0 + OUTSIDE);
            assert!(l.panel_w / 2.0 >= reach, "{w}: {l:?}");
            assert!(l.cy - reach >= 12.0 + 2.0 * TITLE_LINE_PX, "{w}: {l:?}");
            assert!(l.bar_y > l.cy + reach, "{w}: {l:?}");
            assert!(l.panel_h >= l.bar_y + 12.0 + TEXT_LINES * TEXT_LINE_PX, "{w}: {l:?}");
        }
        let phone = Layout::at(340.0, 2);
        assert_eq!(phone.cols, 2);
        assert_eq!(phone.origin(2), (0.0, phone.panel_h));
        assert!(phone.height > 2.0 * phone.panel_h);
    }

    #[test]
    fn titles_wrap_at_spaces() {
        let m = |s: &str| s.chars().count() as f64 * 7.0;
        let lines = wrap("1 · Copies for offline members", 110.0, m);
        assert_eq!(lines, ["1 · Copies for", "offline members"]);
        assert!(lines.iter().all(|l| m(l) <= 110.0));
        assert_eq!(wrap("方案1 · 只为离线成员存副本", 1000.0, m).len(), 1);
        assert_eq!(wrap("", 100.0, m).len(), 0);
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(bytes(Lang::En, 812), "812 B");
        assert_eq!(bytes(Lang::En, 45_600), "45.6 KB");
        assert_eq!(bytes(Lang::En, 3_424_300), "3.4 MB");
        assert_eq!(bytes(Lang::En, 1_234_567_890), "1.2 GB");
        assert_eq!(bytes(Lang::Zh, 12_000_000_000), "12 GB");
    }
}
