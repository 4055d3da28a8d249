//! The cache lab's pictures: one row per lane (app servers → L1 → cache nodes → database, requests
//! as particles), and the consistent-hash ring with its virtual nodes and keys. Both are laid out
//! from the canvas's width: on a phone the lane's name goes above its row and the ring's node list
//! under the ring, and the canvases grow taller instead of overlapping.

use flowlab_sim::kernel::time::Nanos;
use flowlab_sim::labs::cache::{CacheSnapshot, FlowKind, LaneView, RingView};
use crate::lab::why::{outline, tag, WhyShown};
use flowlab_sim::kernel::why::EntKind;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use super::text as tx;
use crate::i18n::{count, fill, real, tr, tr_id, Lang};
use crate::kit::canvas::{begin, context, dot, set_css_height, text};
use crate::kit::paint::{fill_style, stroke_style, ColorTable, Marks};
use crate::kit::palette::{BG, DROP, INK, LANE_BG, MUTED, PASS, WAIT};

/// Below this width (CSS pixels) the pictures use their narrow layout.
pub const NARROW_PX: f64 = 560.0;
/// Height of one lane row, CSS pixels (the narrow layout adds a line for the lane's name).
const ROW_PX: f64 = 92.0;
const NARROW_ROW_PX: f64 = 110.0;
/// Room above the rows (column headings) and under them (the sampling note).
const HEAD_PX: f64 = 22.0;
const FOOT_PX: f64 = 20.0;
/// Particles drawn per lane at most; past it the lane is drawn as a flow plus a sample.
const MAX_PARTICLES: usize = 400;

const L1_HIT: &str = "#4dd0e1";
const STALE: &str = "#ffd54a";
const WRITE: &str = "#b388ff";
const FILTERED: &str = "#8a94a6";
const SERVER: &str = "#2a3a58";
const FONT: &str = "11px system-ui, sans-serif";

thread_local! {
    /// Node colours, made once (node ids stay under `MAX_NODES`; past the table they wrap).
    static NODE_COLORS: ColorTable = ColorTable::new(256, |n| {
        let hue = (n as f64 * 137.508) % 360.0;
        format!("hsl({hue:.0}, 70%, 60%)")
    });
}

/// The colour of cache node `n` (stable whatever the node count).
pub fn node_color(n: u32) -> &'static str {
    NODE_COLORS.with(|t| t.get(n as usize))
}

/// The CSS width a canvas is drawn at.
fn width_of(canvas: &HtmlCanvasElement) -> f64 {
    (canvas.client_width() as f64).max(280.0)
}

/// Height of the lanes picture for `lanes` lanes at width `w`.
pub fn lanes_height(w: f64, lanes: usize) -> f64 {
    let (row, foot) = if w < NARROW_PX {
        (NARROW_ROW_PX, FOOT_PX + 13.0)
    } else {
        (ROW_PX, FOOT_PX)
    };
    HEAD_PX + row * lanes.max(1) as f64 + foot
}

/// Horizontal positions of the columns in a row, and the sizes that follow the width.
struct Cols {
    client: f64,
    bloom: f64,
    l1: f64,
    node: f64,
    db: f64,
    db_w: f64,
    node_w: f64,
}

impl Cols {
    fn new(w: f64, left: f64, narrow: bool) -> Self {
        let db_w = if narrow { 52.0 } else { 60.0 };
        let db = w - db_w / 2.0 - 16.0;
        let span = db - left;
        Self {
            client: left + 12.0,
            bloom: left + span * 0.2,
            l1: left + span * 0.32,
            node: left + span * 0.6,
            db,
            db_w,
            node_w: if narrow { 36.0 } else { 44.0 },
        }
    }
}

/// Draws every lane. With `still` (reduced motion), requests are bands, never moving dots.
pub fn draw_lanes(
    canvas: &HtmlCanvasElement,
    snap: &CacheSnapshot,
    span_ns: Nanos,
    lang: Lang,
    still: bool,
    marks: &mut Marks,
    why: &WhyShown,
) {
    tag(canvas, why);
    let w0 = width_of(canvas);
    let h0 = lanes_height(w0, snap.lanes.len());
    set_css_height(canvas, h0);
    let Some((ctx, w, h)) = begin(canvas, h0, BG) else {
        return;
    };
    let narrow = w < NARROW_PX;
    let label_w = if narrow { 0.0 } else { 170.0_f64.min(w * 0.22) };
    let c = Cols::new(w, if narrow { 8.0 } else { label_w }, narrow);
    let row = if narrow { NARROW_ROW_PX } else { ROW_PX };
    // Column headings.
    ctx.set_fill_style_str(MUTED);
    ctx.set_font(FONT);
    let _ = ctx.fill_text(tr(lang, tx::W_APP_SERVERS), c.client - 9.0, 14.0);
    ctx.set_text_align("center");
    let _ = ctx.fill_text(tr(lang, tx::W_CACHE_NODES), c.node, 14.0);
    ctx.set_text_align("right");
    let _ = ctx.fill_text(tr(lang, tx::W_DATABASE), w - 6.0, 14.0);
    ctx.set_text_align("left");
    let mut sampled = false;
    // The lanes, their requests collected as marks and drawn at once, then the databases over them.
    let mut bands = Vec::with_capacity(snap.lanes.len());
    for (i, lane) in snap.lanes.iter().enumerate() {
        let y0 = HEAD_PX + i as f64 * row;
        let row_h = row - 6.0;
        ctx.set_fill_style_str(LANE_BG);
        ctx.fill_rect(4.0, y0, w - 8.0, row_h);
        if why.marks(EntKind::Lane, i as u32) {
            outline(&ctx, 4.0, y0, w - 8.0, row_h);
        }
        ctx.set_fill_style_str(INK);
        ctx.set_font("600 12px system-ui, sans-serif");
        let name = tr_id(lang, lane.kind.text());
        // The diagram's band: under the name on a phone, right of it otherwise.
        let (top, height) = if narrow {
            let _ = ctx.fill_text(&clip(&ctx, name, w - 24.0), 12.0, y0 + 15.0);
            (y0 + 20.0, row_h - 20.0)
        } else {
            wrap_text(&ctx, name, 12.0, y0 + 18.0, label_w - 16.0, 15.0);
            (y0, row_h)
        };
        let at = Band { top, height };
        sampled |= draw_lane(&ctx, lane, snap.now, span_ns, &c, at, lang, still, marks);
        bands.push(at);
    }
    marks.paint(&ctx);
    for (lane, at) in snap.lanes.iter().zip(&bands) {
        draw_db(&ctx, lane, &c, *at, lang);
    }
    if sampled || still {
        ctx.set_fill_style_str(WAIT);
        ctx.set_font(FONT);
        let lines = if narrow { 2.0 } else { 1.0 };
        let y = h - 6.0 - (lines - 1.0) * 13.0;
        let note = if still {
            tr(lang, crate::text::STILL_VIEW)
        } else {
            tr(lang, tx::W_SAMPLED)
        };
        wrap_text(&ctx, note, 8.0, y, w - 16.0, 13.0);
    }
}

/// Where a lane's diagram goes: the band from `top`, `height` tall.
#[derive(Clone, Copy)]
struct Band {
    top: f64,
    height: f64,
}

/// One lane's diagram (its requests added to `marks`). Returns whether it was too dense to draw
/// request by request.
#[allow(clippy::too_many_arguments)]
fn draw_lane(
    ctx: &CanvasRenderingContext2d,
    lane: &LaneView,
    now: Nanos,
    span_ns: Nanos,
    c: &Cols,
    Band { top, height }: Band,
    lang: Lang,
    still: bool,
    marks: &mut Marks,
) -> bool {
    let shown_servers = (lane.app_servers.max(1) as usize).min(8);
    let server_y = |s: u16| {
        let k = (s as usize % shown_servers) as f64;
        top + 8.0 + (k + 0.5) * (height - 16.0) / shown_servers as f64
    };
    let nodes = lane.nodes.len().max(1);
    let node_y = |n: u16| {
        let k = lane.nodes.iter().position(|&x| x == n as u32).unwrap_or(0) as f64;
        top + 6.0 + (k + 0.5) * (height - 12.0) / nodes as f64
    };
    let db_y = top + height / 2.0;

    // App servers.
    ctx.set_fill_style_str(SERVER);
    for s in 0..shown_servers {
        ctx.fill_rect(c.client - 9.0, server_y(s as u16) - 3.0, 18.0, 6.0);
    }
    if lane.bloom {
        ctx.set_fill_style_str(FILTERED);
        ctx.fill_rect(c.bloom - 2.0, top + 8.0, 4.0, height - 18.0);
        small_label(ctx, tr(lang, tx::W_BLOOM), c.bloom, top + height - 2.0);
    }
    if lane.l1 {
        ctx.set_stroke_style_str(L1_HIT);
        ctx.set_line_width(1.0);
        for s in 0..shown_servers {
            ctx.stroke_rect(c.l1 - 7.0, server_y(s as u16) - 3.0, 14.0, 6.0);
        }
        small_label(ctx, tr(lang, tx::W_L1), c.l1, top + height - 2.0);
    }
    // Cache nodes, each with how full it is.
    if !lane.no_cache {
        let bh = ((height - 12.0) / nodes as f64 - 2.0).clamp(2.0, 12.0);
        let half = c.node_w / 2.0;
        for (k, &n) in lane.nodes.iter().enumerate() {
            let y = node_y(n as u16);
            let full = lane.node_keys.get(k).copied().unwrap_or(0) as f64
                / lane.node_capacity.max(1) as f64;
            ctx.set_fill_style_str("#0b1019");
            ctx.fill_rect(c.node - half, y - bh / 2.0, c.node_w, bh);
            let color = node_color(n);
            fill_style(ctx, color);
            ctx.fill_rect(c.node - half, y - bh / 2.0, c.node_w * full.min(1.0), bh);
            stroke_style(ctx, color);
            ctx.set_line_width(1.0);
            ctx.stroke_rect(c.node - half, y - bh / 2.0, c.node_w, bh);
        }
    }
    // Requests: out to the farthest place they reached and back, over `span_ns` after they end.
    let span = span_ns.max(1) as f64;
    let dense = lane.dense || lane.flows.len() > MAX_PARTICLES;
    if (dense || still) && !lane.flows.is_empty() {
        // A flow: bands as wide as the share of requests taking each path.
        let total = lane.flows.len().max(1) as f64;
        let to_db = lane.flows.iter().filter(|f| f.db).count() as f64 / total;
        let thick = (height / 6.0).min(14.0);
        ctx.set_global_alpha(0.25);
        ctx.set_stroke_style_str(PASS);
        ctx.set_line_width(1.0 + thick * (1.0 - to_db));
        line(ctx, c.client, db_y, c.node, db_y);
        ctx.set_stroke_style_str(WAIT);
        ctx.set_line_width(1.0 + thick * to_db);
        line(ctx, c.node, db_y, c.db - c.db_w / 2.0, db_y);
        ctx.set_global_alpha(1.0);
        ctx.set_line_width(1.0);
    }
    // Evenly over the span, so that a dense lane still shows requests at every stage.
    let stride = lane.flows.len().div_ceil(MAX_PARTICLES).max(1);
    let moving = if still { &[][..] } else { &lane.flows[..] };
    for f in moving.iter().step_by(stride) {
        let age = now.saturating_sub(f.end) as f64 / span;
        if age > 1.0 {
            continue;
        }
        let (sx, sy) = (c.client, server_y(f.server));
        let (fx, fy, color) = match f.kind {
            FlowKind::HitL1 => (c.l1, sy, L1_HIT),
            FlowKind::Filtered => (c.bloom, sy, FILTERED),
            FlowKind::HitCache => (c.node, node_y(f.node), PASS),
            FlowKind::Miss => (c.db, db_y, WAIT),
            FlowKind::Error => (c.db, db_y, DROP),
            FlowKind::Write => {
                if f.db || lane.no_cache {
                    (c.db, db_y, WRITE)
                } else {
                    (c.node, node_y(f.node), WRITE)
                }
            }
        };
        // Out for the first half, back for the second.
        let (x, y) = if age < 0.5 {
            let t = age * 2.0;
            (sx + (fx - sx) * t, sy + (fy - sy) * t)
        } else {
            let t = (age - 0.5) * 2.0;
            (fx + (sx - fx) * t, fy + (sy - fy) * t)
        };
        if f.kind == FlowKind::Error {
            if age < 0.5 {
                marks.cross(DROP, 1.0, x, y, 3.0, 2.0); // failures do not come back
            }
            continue;
        }
        marks.dot(color, 1.0, x, y, 2.0);
        if f.stale {
            marks.ring(STALE, 1.0, x, y, 5.0, 1.0);
        }
    }
    dense
}

/// A lane's database, with its load against capacity (drawn over the requests).
fn draw_db(ctx: &CanvasRenderingContext2d, lane: &LaneView, c: &Cols, at: Band, lang: Lang) {
    let Band { top, height } = at;
    let db_y = top + height / 2.0;
    let load = lane.db_qps as f64 / lane.db_capacity_qps.max(1) as f64;
    let (bw, bh) = (c.db_w, (height - 10.0).min(44.0));
    ctx.set_fill_style_str("#24324a");
    ctx.fill_rect(c.db - bw / 2.0, db_y - bh / 2.0, bw, bh);
    let bar_x = c.db + bw / 2.0 + 4.0;
    ctx.set_fill_style_str(if load > 1.0 { DROP } else { PASS });
    let bar = bh * load.min(1.0);
    ctx.fill_rect(bar_x, db_y + bh / 2.0 - bar, 6.0, bar);
    ctx.set_stroke_style_str(MUTED);
    ctx.set_line_width(1.0);
    ctx.stroke_rect(bar_x, db_y - bh / 2.0, 6.0, bh);
    ctx.set_fill_style_str(if load > 1.0 { DROP } else { INK });
    ctx.set_font(FONT);
    ctx.set_text_align("center");
    let qps = fill(tr(lang, tx::W_PER_S), &[count(lang, lane.db_qps)]);
    let _ = ctx.fill_text(&clip(ctx, &qps, bw - 4.0), c.db, db_y + 4.0);
    ctx.set_text_align("left");
}

/// Where the ring and its node list go at width `w` for `nodes` nodes.
struct RingLayout {
    cx: f64,
    cy: f64,
    r: f64,
    /// Top-left of the node list, the width of one column and how many rows a column holds.
    list_x: f64,
    list_y: f64,
    col_w: f64,
    rows: usize,
    height: f64,
}

const LIST_ROW_PX: f64 = 19.0;
const LIST_COL_PX: f64 = 200.0;
const LIST_FONT: &str = "12px system-ui, sans-serif";

impl RingLayout {
    /// `label_w`: the widest node label.
    fn new(w: f64, nodes: usize, label_w: f64) -> Self {
        let nodes = nodes.max(1);
        if w < NARROW_PX {
            // The ring centred on top, the node list under it in as many columns as fit.
            let r = (w / 2.0 - 28.0).min(120.0);
            let cols = (((w - 16.0) / (label_w + 28.0)).floor() as usize).clamp(1, nodes);
            let rows = nodes.div_ceil(cols);
            let list_y = 2.0 * r + 68.0;
            Self {
                cx: w / 2.0,
                cy: r + 40.0,
                r,
                list_x: 10.0,
                list_y,
                col_w: (w - 16.0) / cols as f64,
                rows,
                height: list_y + rows as f64 * LIST_ROW_PX + 24.0,
            }
        } else {
            // The ring on the left, the node list on its right.
            let height: f64 = 340.0;
            let r = (height / 2.0 - 40.0).min(w * 0.22);
            let cx = r + 36.0;
            let list_y = 46.0;
            let rows = (((height - list_y - 30.0) / LIST_ROW_PX).floor() as usize).max(1);
            let list_x = cx + r + 50.0;
            let cols = nodes.div_ceil(rows);
            Self {
                cx,
                cy: height / 2.0 + 6.0,
                r,
                list_x,
                list_y,
                col_w: ((w - list_x - 8.0) / cols as f64).min(LIST_COL_PX),
                rows,
                height,
            }
        }
    }

    /// Where node number `k` of the list is written.
    fn label(&self, k: usize) -> (f64, f64) {
        let (col, row) = (k / self.rows, k % self.rows);
        (
            self.list_x + col as f64 * self.col_w,
            self.list_y + row as f64 * LIST_ROW_PX,
        )
    }
}

/// The ring: virtual nodes as ticks, sample keys as dots; keys that changed owner fly from their
/// old node's label to the new one for `2 × span_ns` after a change.
pub fn draw_ring(
    canvas: &HtmlCanvasElement,
    ring: &RingView,
    vnodes: u32,
    now: Nanos,
    span_ns: Nanos,
    lang: Lang,
    still: bool,
) {
    let w0 = width_of(canvas);
    let total: u64 = ring.load.iter().sum::<u64>().max(1);
    let labels: Vec<String> = ring
        .nodes
        .iter()
        .enumerate()
        .map(|(k, &n)| {
            let keys = ring.load.get(k).copied().unwrap_or(0);
            fill(
                tr(lang, tx::W_NODE_KEYS),
                &[
                    n.to_string(),
                    count(lang, keys),
                    real(lang, 100.0 * keys as f64 / total as f64, 1),
                ],
            )
        })
        .collect();
    let widest = context(canvas).map_or(180.0, |ctx| {
        ctx.set_font(LIST_FONT);
        labels
            .iter()
            .filter_map(|l| ctx.measure_text(l).ok())
            .map(|m| m.width())
            .fold(0.0, f64::max)
    });
    let lay = RingLayout::new(w0, ring.nodes.len(), widest);
    set_css_height(canvas, lay.height);
    let Some((ctx, w, h)) = begin(canvas, lay.height, BG) else {
        return;
    };
    text(
        &ctx,
        tr(lang, tx::W_RING_TITLE),
        10.0,
        18.0,
        INK,
        "600 13px system-ui, sans-serif",
    );
    let (cx, cy, r) = (lay.cx, lay.cy, lay.r);
    let at = |pos: f64, rad: f64| {
        let a = pos * std::f64::consts::TAU - std::f64::consts::FRAC_PI_2;
        (cx + a.cos() * rad, cy + a.sin() * rad)
    };
    ctx.set_stroke_style_str(SERVER);
    ctx.set_line_width(2.0);
    ring_path(&ctx, cx, cy, r);
    ctx.set_line_width(1.5);
    // Few points: long ticks; many: short.
    let tick = if ring.points.len() > 2_000 { 4.0 } else { 9.0 };
    for &(pos, n) in &ring.points {
        let (x1, y1) = at(pos, r - tick / 2.0);
        let (x2, y2) = at(pos, r + tick / 2.0);
        stroke_style(&ctx, node_color(n));
        line(&ctx, x1, y1, x2, y2);
    }
    ctx.set_line_width(1.0);
    // The node list, with each node's share of the keys.
    ctx.set_font(LIST_FONT);
    for (k, (&n, label)) in ring.nodes.iter().zip(&labels).enumerate() {
        let (x, y) = lay.label(k);
        fill_style(&ctx, node_color(n));
        ctx.fill_rect(x, y - 9.0, 10.0, 10.0);
        ctx.set_fill_style_str(INK);
        let _ = ctx.fill_text(&clip(&ctx, label, lay.col_w - 20.0), x + 15.0, y);
    }
    let label_pos = |n: u32| {
        ring.nodes
            .iter()
            .position(|&x| x == n)
            .map(|k| lay.label(k))
            .map(|(x, y)| (x + 5.0, y - 4.0))
    };
    // Keys, and the moves of the last change.
    // With reduced motion, moved keys keep their mark but nothing flies.
    let age = ring
        .last_change
        .filter(|_| !still)
        .map(|c| now.saturating_sub(c.at) as f64 / (2 * span_ns).max(1) as f64);
    for &(pos, owner, prev) in &ring.keys {
        let (x, y) = at(pos, r - 16.0);
        fill_style(&ctx, node_color(owner));
        dot(&ctx, x, y, 3.0);
        if owner == prev {
            continue;
        }
        ctx.set_stroke_style_str(INK);
        ring_path(&ctx, x, y, 5.0);
        if let (Some(t), Some(from), Some(to)) = (age, label_pos(prev), label_pos(owner)) {
            if t < 1.0 {
                // From the key to its old node's label, then on to the new one.
                let (px, py) = if t < 0.5 {
                    let s = t * 2.0;
                    (x + (from.0 - x) * s, y + (from.1 - y) * s)
                } else {
                    let s = (t - 0.5) * 2.0;
                    (from.0 + (to.0 - from.0) * s, from.1 + (to.1 - from.1) * s)
                };
                fill_style(&ctx, node_color(owner));
                dot(&ctx, px, py, 3.5);
            }
        }
    }
    let note = fill(
        tr(lang, tx::W_RING_NODES),
        &[ring.nodes.len().to_string(), count(lang, vnodes as u64)],
    );
    text(&ctx, &clip(&ctx, &note, w - 16.0), 8.0, h - 8.0, MUTED, FONT);
}

fn small_label(ctx: &CanvasRenderingContext2d, s: &str, x: f64, y: f64) {
    ctx.set_fill_style_str(MUTED);
    ctx.set_font("10px system-ui, sans-serif");
    ctx.set_text_align("center");
    let _ = ctx.fill_text(s, x, y);
    ctx.set_text_align("left");
}

/// `s` cut to `max_w` in the current font, with an ellipsis if it was cut.
fn clip(ctx: &CanvasRenderingContext2d, s: &str, max_w: f64) -> String {
    let width = |t: &str| ctx.measure_text(t).map(|m| m.width()).unwrap_or(0.0);
    if width(s) <= max_w {
        return s.to_string();
    }
    let mut out: String = s.to_string();
    while !out.is_empty() && width(&format!("{out}…")) > max_w {
        out.pop();
    }
    format!("{}…", out.trim_end())
}

/// Draws `s` in lines no wider than `max_w`, four lines at most. Lines break at spaces and
/// between Chinese characters, never inside a Latin word ("binlog").
fn wrap_text(ctx: &CanvasRenderingContext2d, s: &str, x: f64, y: f64, max_w: f64, lh: f64) {
    let width = |t: &str| ctx.measure_text(t).map(|m| m.width()).unwrap_or(0.0);
    // Pieces: a Latin word (with what follows it up to a space), a space, or one other character.
    let mut pieces: Vec<String> = Vec::new();
    for c in s.chars() {
        let latin = c.is_ascii() && c != ' ';
        match pieces.last_mut() {
            Some(p) if latin && p.chars().last().is_some_and(|l| l.is_ascii() && l != ' ') => {
                p.push(c)
            }
            _ => pieces.push(c.to_string()),
        }
    }
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for p in pieces {
        let cand = format!("{cur}{p}");
        if width(cand.trim_end()) > max_w && !cur.trim().is_empty() {
            lines.push(cur.trim_end().to_string());
            cur = p.trim_start().to_string();
        } else {
            cur = cand;
        }
    }
    if !cur.trim().is_empty() {
        lines.push(cur.trim_end().to_string());
    }
    for (i, l) in lines.iter().take(4).enumerate() {
        let _ = ctx.fill_text(l, x, y + i as f64 * lh);
    }
}

fn line(ctx: &CanvasRenderingContext2d, x1: f64, y1: f64, x2: f64, y2: f64) {
    ctx.begin_path();
    ctx.move_to(x1, y1);
    ctx.line_to(x2, y2);
    ctx.stroke();
}

/// A stroked circle.
fn ring_path(ctx: &CanvasRenderingContext2d, x: f64, y: f64, r: f64) {
    ctx.begin_path();
    let _ = ctx.arc(x, y, r, 0.0, std::f64::consts::TAU);
    ctx.stroke();
}
