//! The chat lab's picture: one ring per scheme (the busiest group's members around the store),
//! the flows of the last moments, and a storage bar per scheme on one scale. Four rings in a row
//! on a wide screen, two by two on a phone.

use flowlab_sim::kernel::time::Nanos;
use flowlab_sim::labs::chat::{ChatSnapshot, FlowKind, Scheme, SchemeView};
use crate::lab::why::{outline, tag, WhyShown};
use flowlab_sim::kernel::why::EntKind;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use super::layout::{bytes, wrap, Layout, OUTSIDE, TEXT_LINE_PX, TITLE_LINE_PX};
use super::text as tx;
use crate::i18n::{count, fill, tr, tr_id, Lang};
use crate::kit::canvas::{begin, context};
use crate::kit::paint::{fill_style, font, stroke_style, Marks};
use crate::kit::palette::{BG, DROP, DUP, INK, LANE_BG, MUTED, WAIT};

const PUSH: &str = "#5b9cf5";
const STORED: &str = "#e8eef7";
const ONLINE: &str = "#8fd3ff";
const OFFLINE: &str = "#4a5568";
const STORE_FILL: &str = "#24324a";
const BAR_BG: &str = "#0b1019";
const TEXT_FONT: &str = "12px system-ui, sans-serif";
const SMALL_FONT: &str = "10px system-ui, sans-serif";
/// A ring's members summarised by their share online, from all offline to all online.
const SHARE_ONLINE: [&str; 5] = [OFFLINE, "#5a7489", "#6c98b7", "#7db6dd", ONLINE];
/// Room one member needs on the ring (pixels of circumference); more members than fit are shown
/// as sectors of the ring (level of detail).
const SLOT_PX: f64 = 3.0;
/// Steps of the way from the store to the ring at which flows are told apart (about two pixels
/// each on a wide screen).
const AGE_STEPS: usize = 48;

fn title_font(l: &Layout) -> &'static str {
    if l.panel_w < 220.0 {
        "600 12px system-ui, sans-serif"
    } else {
        "600 13px system-ui, sans-serif"
    }
}

fn measure(ctx: &CanvasRenderingContext2d, s: &str) -> f64 {
    ctx.measure_text(s).map(|m| m.width()).unwrap_or(0.0)
}

/// What the picture keeps between frames: its marks' buffers, and the titles wrapped for a
/// language and a width.
#[derive(Default)]
pub struct Painter {
    marks: Marks,
    titles: Option<(TitleKey, Vec<Vec<String>>)>,
    /// Where half-steps round the ring point, for the ring's member count: `units[k]` is the
    /// direction of member `k / 2` (so sector midpoints, on half-steps, have one too).
    units: Vec<(f64, f64)>,
    /// Flows already marked this frame: a bit per kind, slot and step (see `paint`).
    seen: Vec<u64>,
    /// The freshest row written per slot: (opacity, member).
    stored: Vec<(f64, u32)>,
}

/// What the wrapped titles were made for: the language and the canvas width.
type TitleKey = (Lang, u32);

/// Members `lo..hi` of the ring, summarised: (share online, most owed to one of them).
fn sector(online: &[bool], owed: &[u64], lo: usize, hi: usize) -> (f64, u64) {
    let n = (hi - lo).max(1) as f64;
    let on = online[lo..hi].iter().filter(|&&o| o).count() as f64;
    let most = owed.get(lo..hi.min(owed.len())).map_or(0, |o| o.iter().copied().max().unwrap_or(0));
    (on / n, most)
}

impl Painter {
    /// Draws the four rings. `lost` is each scheme's count of messages lost for good. With
    /// `still` (reduced motion) flows are not drawn moving: each ring shows arrows out of the store
    /// with the counts of the last moments instead.
    #[allow(clippy::too_many_arguments)]
    pub fn paint(
        &mut self,
        canvas: &HtmlCanvasElement,
        snap: &ChatSnapshot,
        span_ns: Nanos,
        lost: &[u64; 4],
        lang: Lang,
        still: bool,
        why: &WhyShown,
    ) {
        tag(canvas, why);
        let Some(probe) = context(canvas) else {
            return;
        };
        let w = (canvas.client_width() as f64).max(280.0);
        // Titles wrapped to the panel (every panel leaves room for the longest), once per language
        // and width.
        let key = (lang, w as u32);
        if self.titles.as_ref().map(|t| t.0) != Some(key) {
            let first = Layout::at(w, 1);
            probe.set_font(title_font(&first));
            let titles: Vec<Vec<String>> = Scheme::ALL
                .iter()
                .map(|s| {
                    wrap(tr_id(lang, s.text()), first.panel_w - 20.0, |t| {
                        measure(&probe, t)
                    })
                })
                .collect();
            self.titles = Some((key, titles));
        }
        let titles = &self.titles.as_ref().expect("just set").1;
        let lines = titles.iter().map(Vec::len).max().unwrap_or(1);
        let l = Layout::at(w, lines);
        let Some((ctx, w, h)) = begin(canvas, l.height, BG) else {
            return;
        };
        let m = snap.online.len().max(1);
        let peak = snap
            .schemes
            .iter()
            .map(|v| v.peak_rows)
            .max()
            .unwrap_or(1)
            .max(1) as f64;
        // Level of detail: as many marks around the ring as fit; past that, sectors.
        let slots = ((std::f64::consts::TAU * l.r / SLOT_PX).floor() as usize).max(8);
        let sectors = m.min(slots);
        let dot_r = if m > sectors {
            (std::f64::consts::TAU * l.r / sectors as f64 / 2.0).clamp(1.2, 2.0)
        } else if m > 400 {
            1.2
        } else if m > 100 {
            2.0
        } else {
            3.5
        };
        let centre = |i: usize| {
            let (x0, y0) = l.origin(i);
            (x0 + l.panel_w / 2.0, y0 + l.cy)
        };
        // Where member (or sector) `j` of `n` sits, `frac` of the way out from the store.
        if self.units.len() != 2 * m {
            self.units = (0..2 * m)
                .map(|k| {
                    let a = k as f64 / (2 * m) as f64 * std::f64::consts::TAU
                        - std::f64::consts::FRAC_PI_2;
                    (a.cos(), a.sin())
                })
                .collect();
        }
        let units = &self.units;
        let at = |i: usize, j: f64, _n: usize, frac: f64| {
            let (cx, cy) = centre(i);
            let (c, s) = units[((j * 2.0).round() as usize) % units.len()];
            (cx + c * l.r * frac, cy + s * l.r * frac)
        };
        // The marks, in one buffer put on the canvas at once: the panels, then the members (online
        // bright, offline grey) with a halo for what is owed to them (halos first, so the members
        // are drawn over them), then the flows.
        let marks = &mut self.marks;
        marks.ground(BG);
        for i in 0..4 {
            let (x0, y0) = l.origin(i);
            marks.rect(LANE_BG, 1.0, x0 + 3.0, y0 + 3.0, l.panel_w - 6.0, l.panel_h - 6.0);
        }
        let grouped = m > sectors;
        for pass in 0..2 {
            for (i, view) in snap.schemes.iter().enumerate() {
                for k in 0..sectors {
                    let (lo, hi) = (k * m / sectors, ((k + 1) * m / sectors).max(k * m / sectors + 1));
                    let hi = hi.min(snap.online.len());
                    if lo >= hi {
                        continue;
                    }
                    let (share, owed) = sector(&snap.online, &view.owed, lo, hi);
                    let (x, y) = at(i, (lo + hi - 1) as f64 / 2.0, m, 1.0);
                    if pass == 0 {
                        if owed == 0 {
                            continue;
                        }
                        let size = (owed as f64).ln_1p().min(4.0);
                        if grouped {
                            // Halos this close would merge: a tick out from the ring instead, as
                            // long as the most owed to one member of the group.
                            let j = (lo + hi - 1) as f64 / 2.0;
                            let (x1, y1) = at(i, j, m, 1.0 + (dot_r + 0.5) / l.r);
                            let (x2, y2) = at(i, j, m, 1.0 + (dot_r + 1.5 + size) / l.r);
                            marks.segment(WAIT, 0.8, 1.5, x1, y1, x2, y2);
                        } else {
                            let halo = dot_r + 1.0 + size;
                            marks.ring(WAIT, 0.7, x, y, (halo * 2.0).round() / 2.0, 1.0);
                        }
                    } else {
                        let level = (share * 4.0).round() as usize;
                        marks.dot(SHARE_ONLINE[level.min(4)], 1.0, x, y, dot_r);
                    }
                }
            }
        }

        if !still {
            // Flows: their age over the span places them between the store and the member. Level
            // of detail: one mark per kind, slot of the ring (member or sector) and step of the
            // way (the newest), so a ring costs at most its slots × steps whatever it holds.
            let slots = sectors;
            for (i, view) in snap.schemes.iter().enumerate() {
                self.seen.clear();
                self.seen.resize((3 * slots * AGE_STEPS).div_ceil(64), 0);
                self.stored.clear();
                self.stored.resize(slots, (0.0, 0));
                for f in &view.flows {
                    let age = snap.now.saturating_sub(f.at) as f64 / span_ns.max(1) as f64;
                    if age > 1.0 {
                        continue;
                    }
                    let slot = (f.member as usize * slots / m).min(slots - 1);
                    let j = f.member as f64;
                    match f.kind {
                        FlowKind::Push | FlowKind::Pulled | FlowKind::Duplicate => {
                            let (kind, color) = match f.kind {
                                FlowKind::Push => (0, PUSH),
                                FlowKind::Pulled => (1, WAIT),
                                _ => (2, DUP),
                            };
                            let step = ((age * AGE_STEPS as f64) as usize).min(AGE_STEPS - 1);
                            let bit = (kind * slots + slot) * AGE_STEPS + step;
                            if self.seen[bit / 64] & (1 << (bit % 64)) != 0 {
                                continue;
                            }
                            self.seen[bit / 64] |= 1 << (bit % 64);
                            let (x, y) = at(i, j, m, 0.12 + 0.88 * age);
                            marks.dot(color, 1.0, x, y, 2.2);
                        }
                        FlowKind::Stored => {
                            // The freshest row written for the slot.
                            let alpha = (1.0 - age).max(0.1);
                            let s = &mut self.stored[slot];
                            if alpha > s.0 {
                                *s = (alpha, f.member);
                            }
                        }
                        FlowKind::Lost => {
                            let (x, y) = at(i, j, m, 1.0 + OUTSIDE * age);
                            marks.cross(DROP, (1.0 - age).max(0.2), x, y, 4.0, 2.0);
                        }
                    }
                }
                for &(alpha, member) in &self.stored {
                    if alpha > 0.0 {
                        let (x, y) = at(i, member as f64, m, 0.3);
                        marks.square(STORED, alpha, x, y, 3.0);
                    }
                }
            }
        }
        marks.paint(&ctx);
        // What the chosen line of the "why" log names: a scheme's panel, a member on each ring.
        if why.highlighting() {
            for i in 0..4 {
                let (x0, y0) = l.origin(i);
                if why.marks(EntKind::Lane, i as u32) {
                    outline(&ctx, x0 + 3.0, y0 + 3.0, l.panel_w - 6.0, l.panel_h - 6.0);
                }
                for u in 0..m {
                    if why.marks(EntKind::Member, u as u32) {
                        let k = u * sectors / m;
                        let (lo, hi) = (k * m / sectors, ((k + 1) * m / sectors).max(k * m / sectors + 1));
                        let (x, y) = at(i, (lo + hi - 1) as f64 / 2.0, m, 1.0);
                        outline(&ctx, x - 5.0, y - 5.0, 10.0, 10.0);
                    }
                }
            }
        }

        // Over the marks: titles, stores, storage bars and their lines.
        let mut sampled = false;
        for (i, view) in snap.schemes.iter().enumerate() {
            let (x0, y0) = l.origin(i);
            let pw = l.panel_w;
            let cx = x0 + pw / 2.0;
            let cy = y0 + l.cy;
            fill_style(&ctx, INK);
            font(&ctx, title_font(&l));
            for (k, line) in titles[i].iter().take(l.title_lines).enumerate() {
                let _ = ctx.fill_text_with_max_width(
                    line,
                    x0 + 10.0,
                    y0 + 20.0 + k as f64 * TITLE_LINE_PX,
                    pw - 20.0,
                );
            }
            // The store.
            let sw = (l.r * 0.3).clamp(20.0, 32.0);
            fill_style(&ctx, STORE_FILL);
            ctx.fill_rect(cx - sw / 2.0, cy - sw * 0.375, sw, sw * 0.75);
            stroke_style(&ctx, MUTED);
            ctx.set_line_width(1.0);
            ctx.stroke_rect(cx - sw / 2.0, cy - sw * 0.375, sw, sw * 0.75);
            sampled |= view.dense;

            // Storage bar: rows now against the largest peak of any scheme, with this scheme's peak.
            let bx = x0 + 12.0;
            let bw = pw - 24.0;
            let by = y0 + l.bar_y;
            fill_style(&ctx, BAR_BG);
            ctx.fill_rect(bx, by, bw, 10.0);
            fill_style(&ctx, WAIT);
            ctx.fill_rect(bx, by, bw * (view.rows_stored as f64 / peak).min(1.0), 10.0);
            fill_style(&ctx, INK);
            ctx.fill_rect(
                bx + bw * (view.peak_rows as f64 / peak).min(1.0) - 1.0,
                by - 3.0,
                2.0,
                16.0,
            );
            font(&ctx, TEXT_FONT);
            let mut y = by + 12.0 + TEXT_LINE_PX;
            let rows = fill(
                tr(lang, tx::W_ROWS),
                &[count(lang, view.rows_stored), count(lang, view.peak_rows)],
            );
            let _ = ctx.fill_text_with_max_width(&rows, bx, y, bw);
            y += TEXT_LINE_PX;
            fill_style(&ctx, MUTED);
            let stored = fill(tr(lang, tx::W_BYTES), &[bytes(lang, view.bytes_stored)]);
            let _ = ctx.fill_text_with_max_width(&stored, bx, y, bw);
            if lost[i] > 0 {
                y += TEXT_LINE_PX;
                fill_style(&ctx, DROP);
                let text = fill(tr(lang, tx::W_LOST), &[count(lang, lost[i])]);
                let _ = ctx.fill_text_with_max_width(&text, bx, y, bw);
            }
        }
        if still {
            // Reduced motion: no particles; arrows from the store with the counts of the moment.
            for (i, view) in snap.schemes.iter().enumerate() {
                still_flows(&ctx, view, &l, centre(i), lang);
            }
        }
        let mut notes: Vec<String> = Vec::new();
        if grouped {
            notes.push(fill(
                tr(lang, tx::W_GROUPED),
                &[count(lang, m.div_ceil(sectors) as u64)],
            ));
        }
        if sampled && !still {
            notes.push(tr(lang, tx::W_SAMPLED).to_string());
        }
        if !notes.is_empty() {
            fill_style(&ctx, WAIT);
            font(&ctx, TEXT_FONT);
            let _ = ctx.fill_text_with_max_width(&notes.join(" · "), 10.0, h - 5.0, w - 20.0);
        }
    }

}

/// A ring's flows of the last moments without motion: an arrow out of the store per kind of flow,
/// with its count.
fn still_flows(
        ctx: &CanvasRenderingContext2d,
        view: &SchemeView,
        l: &Layout,
        (cx, cy): (f64, f64),
        lang: Lang,
    ) {
        let mut n = [0u64; 5];
        for f in &view.flows {
            let k = match f.kind {
                FlowKind::Push => 0,
                FlowKind::Stored => 1,
                FlowKind::Pulled => 2,
                FlowKind::Duplicate => 3,
                FlowKind::Lost => 4,
            };
            n[k] += 1;
        }
        let kinds: [(&'static str, crate::i18n::Tx); 5] = [
            (PUSH, tx::W_PUSHED),
            (STORED, tx::W_STORED),
            (WAIT, tx::W_PULLED),
            (DUP, tx::W_DUPLICATES),
            (DROP, tx::W_LOST_NOW),
        ];
        let small = l.r < 70.0;
        font(ctx, if small { SMALL_FONT } else { TEXT_FONT });
        let line_h = if small { 11.0 } else { 14.0 };
        let room = l.r * 1.1;
        let x0 = cx - room / 2.0;
        let mut y = cy + (l.r * 0.3).clamp(20.0, 32.0) * 0.375 + line_h;
        for (k, (color, word)) in kinds.iter().enumerate() {
            if n[k] == 0 {
                continue;
            }
            // An arrow out of the store, and how many went that way in the last moments.
            stroke_style(ctx, color);
            fill_style(ctx, color);
            ctx.set_line_width(2.0);
            ctx.begin_path();
            ctx.move_to(x0, y - 4.0);
            ctx.line_to(x0 + 9.0, y - 4.0);
            ctx.stroke();
            ctx.begin_path();
            ctx.move_to(x0 + 14.0, y - 4.0);
            ctx.line_to(x0 + 8.0, y - 8.0);
            ctx.line_to(x0 + 8.0, y);
            ctx.close_path();
            ctx.fill();
            let text = fill(tr(lang, *word), &[count(lang, n[k])]);
            let _ = ctx.fill_text_with_max_width(&text, x0 + 18.0, y, room - 18.0);
            y += line_h;
        }
        ctx.set_line_width(1.0);
}
