//! Where the queue lab's picture puts things, from the canvas width and what there is to draw: a
//! wide canvas puts producers, partitions and consumers side by side; a narrow one (a phone) stacks
//! them, so no header or box overlaps another. Plain numbers, tested natively.

/// Narrower than this, the picture stacks producers, partitions and consumers.
const WIDE_PX: f64 = 700.0;
/// Headers and the broker chips above the partitions.
const HEAD_PX: f64 = 44.0;
/// Records of a partition drawn as cells.
pub const CELLS: f64 = 48.0;
/// Room kept right of the cells for the lag.
pub const LAG_PX: f64 = 60.0;
const PROD_W: f64 = 104.0;
const CONS_W: f64 = 142.0;
pub const NOTE_LINE_PX: f64 = 16.0;
/// Width of the gutters the messages run down when the picture is stacked.
const GUTTER_PX: f64 = 18.0;

/// Height of one partition row, by partition count.
fn row_h(partitions: usize) -> f64 {
    if partitions <= 6 {
        40.0
    } else if partitions <= 12 {
        26.0
    } else {
        15.0
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// Where everything goes, from the canvas width and what there is to draw.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub w: f64,
    pub narrow: bool,
    pub rows: usize,
    pub rh: f64,
    pub parts_top: f64,
    pub label_x: f64,
    pub label_w: f64,
    pub strip_x0: f64,
    pub strip_x1: f64,
    pub producers: Vec<Rect>,
    pub consumers: Vec<Rect>,
    /// Baselines of the three headers: producers, partitions, consumer group.
    pub heads: [(f64, f64); 3],
    /// Top left of the broker chips.
    pub chips: (f64, f64),
    /// Where a dead letter goes.
    pub dlq: (f64, f64),
    /// Baseline of the first line of notes.
    pub notes_y: f64,
    pub height: f64,
}

/// `n` boxes in a grid of columns at least `min_w` wide, from (`x`, `y`), `pitch` apart in height.
fn grid(n: usize, x: f64, y: f64, width: f64, min_w: f64, h: f64, pitch: f64) -> Vec<Rect> {
    let gap = 6.0;
    let cols = (((width + gap) / (min_w + gap)).floor() as usize).clamp(1, n.max(1));
    let bw = ((width - (cols - 1) as f64 * gap) / cols as f64).min(180.0);
    (0..n)
        .map(|i| Rect {
            x: x + (i % cols) as f64 * (bw + gap),
            y: y + (i / cols) as f64 * pitch,
            w: bw,
            h,
        })
        .collect()
}

fn grid_rows(n: usize, width: f64, min_w: f64) -> usize {
    let cols = (((width + 6.0) / (min_w + 6.0)).floor() as usize).clamp(1, n.max(1));
    n.div_ceil(cols)
}

impl Layout {
    pub fn new(w: f64, rows: usize, producers: usize, consumers: usize, note_lines: usize) -> Self {
        let rh = row_h(rows);
        let notes = note_lines.max(1) as f64 - 1.0;
        if w >= WIDE_PX {
            // Side by side: producers, partitions, consumers; nodes spread over the partitions'
            // height (or more, when there are many of them).
            let span = (rh * rows.max(1) as f64)
                .max(producers as f64 * 36.0)
                .max(consumers as f64 * 18.0);
            let top = HEAD_PX;
            let gap = (w * 0.08).clamp(40.0, 140.0);
            let prod_x = 8.0;
            let label_w = 90.0;
            let label_x = prod_x + PROD_W + gap;
            let cons_x = w - 8.0 - CONS_W;
            let spread = |i: usize, n: usize| top + (i as f64 + 0.5) * span / n.max(1) as f64;
            let ph = (span / producers.max(1) as f64 - 4.0).min(32.0);
            let ch = (span / consumers.max(1) as f64 - 4.0).clamp(12.0, 32.0);
            let bottom = top + span;
            Self {
                w,
                narrow: false,
                rows,
                rh,
                parts_top: top,
                label_x,
                label_w,
                strip_x0: label_x + label_w,
                strip_x1: cons_x - gap,
                producers: (0..producers)
                    .map(|i| Rect {
                        x: prod_x,
                        y: spread(i, producers) - ph / 2.0,
                        w: PROD_W,
                        h: ph,
                    })
                    .collect(),
                consumers: (0..consumers)
                    .map(|i| Rect {
                        x: cons_x,
                        y: spread(i, consumers) - ch / 2.0,
                        w: CONS_W,
                        h: ch,
                    })
                    .collect(),
                heads: [(prod_x, 16.0), (label_x, 16.0), (cons_x, 16.0)],
                chips: (label_x, 22.0),
                dlq: (cons_x + CONS_W / 2.0, bottom + 14.0),
                notes_y: bottom + 24.0,
                height: bottom + 34.0 + notes * NOTE_LINE_PX,
            }
        } else {
            // Stacked: producers in a grid on top, the partitions full width, the consumers in a
            // grid below. Messages run down a gutter on each side (sends on the left, deliveries
            // on the right) and along the gaps between rows of boxes, never across a box.
            let x = GUTTER_PX;
            let producers_top = 24.0;
            let prod = grid(producers, x, producers_top, w - x - 8.0, 96.0, 30.0, 36.0);
            let mut y = producers_top + grid_rows(producers, w - x - 8.0, 96.0) as f64 * 36.0 + 10.0;
            let parts_head = y + 16.0;
            let chips = (x, y + 22.0);
            let parts_top = y + HEAD_PX;
            y = parts_top + rh * rows.max(1) as f64 + 14.0;
            let group_head = y + 16.0;
            let cons_top = y + 24.0;
            let inner = w - 2.0 * x;
            let cons = grid(consumers, x, cons_top, inner, 110.0, 22.0, 26.0);
            y = cons_top + grid_rows(consumers, inner, 110.0) as f64 * 26.0;
            let label_w = 84.0;
            Self {
                w,
                narrow: true,
                rows,
                rh,
                parts_top,
                label_x: x,
                label_w,
                strip_x0: x + label_w,
                strip_x1: w - x,
                producers: prod,
                consumers: cons,
                heads: [(x, 16.0), (x, parts_head), (x, group_head)],
                chips,
                dlq: (w - 2.0 * x, y + 6.0),
                notes_y: y + 22.0,
                height: y + 32.0 + notes * NOTE_LINE_PX,
            }
        }
    }

    /// The left gutter (sends) and the right one (deliveries), stacked.
    fn gutters(&self) -> (f64, f64) {
        (GUTTER_PX / 2.0, self.w - GUTTER_PX / 2.0)
    }

    /// The way a message goes from producer `i` to partition `p`'s leader.
    pub fn send_path(&self, i: u32, p: u32) -> Option<Path> {
        let r = self.producers.get(i as usize)?;
        let to = self.strip_in(p);
        Some(if self.narrow {
            let (gl, _) = self.gutters();
            let (cx, below) = (r.x + r.w / 2.0, r.y + r.h + 3.0);
            Path::new(&[(cx, r.y + r.h), (cx, below), (gl, below), (gl, to.1), to])
        } else {
            Path::new(&[(r.x + r.w, r.y + r.h / 2.0), to])
        })
    }

    /// The way a record goes from partition `p` to consumer `c`.
    pub fn deliver_path(&self, p: u32, c: u32) -> Option<Path> {
        let r = self.consumers.get(c as usize)?;
        let from = self.strip_out(p);
        Some(if self.narrow {
            let (_, gr) = self.gutters();
            let (cx, above) = (r.x + r.w / 2.0, r.y - 2.0);
            Path::new(&[from, (gr, from.1), (gr, above), (cx, above), (cx, r.y)])
        } else {
            Path::new(&[from, (r.x, r.y + r.h / 2.0)])
        })
    }

    /// Where consumer `c`'s marks (processed twice, out of order) ring.
    pub fn consumer(&self, c: u32) -> Option<(f64, f64)> {
        let r = self.consumers.get(c as usize)?;
        Some((r.x + r.w / 2.0, r.y + r.h / 2.0))
    }

    /// Partition `p`'s band of sends in the flow view: from beside the producers, or (stacked)
    /// from under them down the left gutter.
    pub fn send_band(&self, p: u32) -> Option<Path> {
        let to = self.strip_in(p);
        let (x0, x1, bottom) = span_of(&self.producers)?;
        Some(if self.narrow {
            let (gl, _) = self.gutters();
            let below = bottom + 3.0;
            Path::new(&[((x0 + x1) / 2.0, below), (gl, below), (gl, to.1), to])
        } else {
            Path::new(&[(x1 + 4.0, to.1), to])
        })
    }

    /// Partition `p`'s band of deliveries in the flow view.
    pub fn deliver_band(&self, p: u32) -> Option<Path> {
        let from = self.strip_out(p);
        let (x0, x1, _) = span_of(&self.consumers)?;
        let top = self.consumers.first()?.y;
        Some(if self.narrow {
            let (_, gr) = self.gutters();
            let above = top - 2.0;
            Path::new(&[from, (gr, from.1), (gr, above), ((x0 + x1) / 2.0, above)])
        } else {
            Path::new(&[from, (x0, from.1)])
        })
    }

    pub fn row_y(&self, p: u32) -> f64 {
        let p = (p as usize).min(self.rows.saturating_sub(1));
        self.parts_top + (p as f64 + 0.5) * self.rh
    }

    pub fn strip_in(&self, p: u32) -> (f64, f64) {
        (self.label_x, self.row_y(p))
    }

    pub fn strip_out(&self, p: u32) -> (f64, f64) {
        (self.strip_x1, self.row_y(p))
    }
}

/// Left, right and bottom of a group of boxes (none for no box).
fn span_of(rects: &[Rect]) -> Option<(f64, f64, f64)> {
    let first = rects.first()?;
    Some(rects.iter().fold(
        (first.x, first.x + first.w, first.y + first.h),
        |(l, r, b), x| (l.min(x.x), r.max(x.x + x.w), b.max(x.y + x.h)),
    ))
}

/// A way through the picture: up to five points joined by straight lines.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Path {
    pts: [(f64, f64); 5],
    n: usize,
}

impl Path {
    fn new(pts: &[(f64, f64)]) -> Self {
        let mut out = Self {
            pts: [(0.0, 0.0); 5],
            n: pts.len().min(5),
        };
        out.pts[..out.n].copy_from_slice(&pts[..out.n]);
        out
    }

    pub fn points(&self) -> &[(f64, f64)] {
        &self.pts[..self.n]
    }

    pub fn end(&self) -> (f64, f64) {
        self.pts[self.n.max(1) - 1]
    }

    fn length(&self) -> f64 {
        self.points()
            .windows(2)
            .map(|s| (s[1].0 - s[0].0).hypot(s[1].1 - s[0].1))
            .sum()
    }

    /// The point a share `t` (0 to 1) of the way along.
    pub fn at(&self, t: f64) -> (f64, f64) {
        if t >= 1.0 {
            return self.end();
        }
        let mut left = t.clamp(0.0, 1.0) * self.length();
        for s in self.points().windows(2) {
            let d = (s[1].0 - s[0].0).hypot(s[1].1 - s[0].1);
            if left <= d && d > 0.0 {
                let f = left / d;
                return (s[0].0 + (s[1].0 - s[0].0) * f, s[0].1 + (s[1].1 - s[0].1) * f);
            }
            left -= d;
        }
        self.end()
    }

    /// The same way, walked backwards.
    pub fn reversed(&self) -> Self {
        let mut out = *self;
        out.pts[..self.n].reverse();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overlaps(a: &Rect, b: &Rect) -> bool {
        a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
    }

    #[test]
    fn a_phone_stacks_the_picture_and_nothing_overlaps() {
        for w in [300.0, 342.0, 390.0, 699.0] {
            let l = Layout::new(w, 4, 8, 32, 1);
            assert!(l.narrow);
            let parts_bottom = l.parts_top + l.rh * 4.0;
            for r in l.producers.iter().chain(&l.consumers) {
                assert!(r.x >= 0.0 && r.x + r.w <= w, "{r:?} inside {w}");
            }
            for r in &l.producers {
                assert!(r.y + r.h < l.heads[1].1 - 12.0, "producers above the partitions header");
            }
            for r in &l.consumers {
                assert!(r.y > parts_bottom && r.y > l.heads[2].1, "consumers below their header");
            }
            let boxes: Vec<&Rect> = l.producers.iter().chain(&l.consumers).collect();
            for (i, a) in boxes.iter().enumerate() {
                for b in &boxes[i + 1..] {
                    assert!(!overlaps(a, b), "{a:?} and {b:?} at {w}");
                }
            }
            assert!(l.heads[2].1 > parts_bottom, "the group header sits below the partitions");
            assert!(l.height > l.notes_y);
        }
    }

    /// Messages on a phone run in the gutters and the gaps: never across another box, a header or
    /// the broker chips.
    #[test]
    fn a_phone_routes_messages_around_the_boxes_and_headers() {
        let l = Layout::new(342.0, 6, 8, 12, 1);
        let inside = |r: &Rect, (x, y): (f64, f64)| {
            x > r.x + 0.5 && x < r.x + r.w - 0.5 && y > r.y + 0.5 && y < r.y + r.h - 0.5
        };
        // Header text (about 230 px wide, 12 px high) and the chips.
        let mut blocked: Vec<Rect> = l
            .heads
            .iter()
            .map(|&(x, y)| Rect { x, y: y - 12.0, w: 230.0, h: 14.0 })
            .collect();
        blocked.push(Rect { x: l.chips.0, y: l.chips.1, w: 6.0 * 52.0, h: 16.0 });
        let boxes: Vec<Rect> = l.producers.iter().chain(&l.consumers).copied().collect();
        let check = |path: Path, own: &[Rect]| {
            for k in 0..=400 {
                let pt = path.at(k as f64 / 400.0);
                for r in boxes.iter().chain(&blocked) {
                    if !own.contains(r) {
                        assert!(!inside(r, pt), "{pt:?} inside {r:?} on {path:?}");
                    }
                }
            }
        };
        for p in 0..6 {
            for i in 0..8 {
                check(l.send_path(i, p).unwrap(), &[l.producers[i as usize]]);
            }
            for c in 0..12 {
                check(l.deliver_path(p, c).unwrap(), &[l.consumers[c as usize]]);
            }
            check(l.send_band(p).unwrap(), &[]);
            check(l.deliver_band(p).unwrap(), &[]);
        }
        let path = l.send_path(3, 2).unwrap();
        assert_eq!(path.at(1.0), l.strip_in(2));
        assert_eq!(path.reversed().at(1.0), path.points()[0]);
    }

    #[test]
    fn a_wide_canvas_keeps_three_columns_apart() {
        for w in [700.0, 1000.0, 1360.0] {
            let l = Layout::new(w, 4, 2, 3, 1);
            assert!(!l.narrow);
            let prod_right = l.producers[0].x + l.producers[0].w;
            assert!(prod_right < l.label_x && l.strip_x1 < l.consumers[0].x, "{l:?}");
            // The partitions header (about 210 px) ends before the consumer group's.
            assert!(l.heads[1].0 + 220.0 < l.heads[2].0, "{l:?}");
            assert!(l.strip_x1 - l.strip_x0 - LAG_PX >= CELLS * 2.0);
        }
        // Many producers and consumers: their boxes do not overlap each other.
        let l = Layout::new(1000.0, 1, 8, 32, 1);
        for pair in l.producers.windows(2).chain(l.consumers.windows(2)) {
            assert!(pair[0].y + pair[0].h <= pair[1].y, "{pair:?}");
        }
    }
}
