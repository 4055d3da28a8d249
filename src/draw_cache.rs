//! The cache lab's pictures: one row per lane (app servers → L1 → cache nodes → database, requests
//! as particles), and the consistent-hash ring with its virtual nodes and keys.

use flowlab_sim::cache::{
    CacheSnapshot, FlowKind, Hashing, LaneKind, LaneView, MissGuard, RingView, Strategy,
};
use flowlab_sim::kernel::time::Nanos;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use crate::draw::{fit, BG, DROP, INK, LANE_BG, MUTED, PASS, WAIT};
use crate::i18n::{tr, Lang, T};

/// Height of one lane row, CSS pixels.
pub const LANE_ROW_PX: f64 = 92.0;
pub const RING_HEIGHT_PX: f64 = 320.0;
/// Particles drawn per lane at most; past it the lane is drawn as a flow plus the newest ones.
const MAX_PARTICLES: usize = 700;

const L1_HIT: &str = "#4dd0e1";
const STALE: &str = "#ffd54a";
const WRITE: &str = "#b388ff";
const FILTERED: &str = "#8a94a6";

/// Lane colours for the charts, in lane order.
pub const LANE_COLORS: [(u8, u8, u8); 6] = [
    (239, 83, 80),
    (66, 165, 245),
    (171, 130, 255),
    (53, 196, 111),
    (245, 165, 36),
    (77, 208, 225),
];

/// The colour of cache node `n` (stable whatever the node count).
pub fn node_color(n: u32) -> String {
    let hue = (n as f64 * 137.508) % 360.0;
    format!("hsl({hue:.0}, 70%, 60%)")
}

pub fn strategy_name(lang: Lang, s: Strategy) -> &'static str {
    tr(
        lang,
        match s {
            Strategy::NoCache => T::StratNoCache,
            Strategy::UpdateThenDelete => T::StratUpdateThenDelete,
            Strategy::DeleteThenUpdate => T::StratDeleteThenUpdate,
            Strategy::UpdateThenSet => T::StratUpdateThenSet,
            Strategy::DoubleDelete => T::StratDoubleDelete,
            Strategy::ReadThrough => T::StratReadThrough,
            Strategy::WriteThrough => T::StratWriteThrough,
            Strategy::WriteBehind => T::StratWriteBehind,
            Strategy::AsyncInvalidation => T::StratAsyncInvalidation,
        },
    )
}

pub fn guard_name(lang: Lang, g: MissGuard) -> &'static str {
    tr(
        lang,
        match g {
            MissGuard::None => T::GuardNone,
            MissGuard::SingleFlight => T::GuardSingleFlight,
            MissGuard::Mutex => T::GuardMutex,
            MissGuard::LogicalExpiry => T::GuardLogicalExpiry,
        },
    )
}

pub fn lane_name(lang: Lang, k: LaneKind) -> &'static str {
    match k {
        LaneKind::AsSet => tr(lang, T::LaneAsSet),
        LaneKind::Guard(g) => guard_name(lang, g),
        LaneKind::NoJitter => tr(lang, T::LaneNoJitter),
        LaneKind::TtlJitter => tr(lang, T::LaneTtlJitter),
        LaneKind::L1 => tr(lang, T::LaneL1),
        LaneKind::Unprotected => tr(lang, T::LaneUnprotected),
        LaneKind::NullCache => tr(lang, T::LaneNullCache),
        LaneKind::Bloom => tr(lang, T::LaneBloom),
        LaneKind::Strategy(s) => strategy_name(lang, s),
        LaneKind::NoCache => tr(lang, T::StratNoCache),
        LaneKind::Cache => tr(lang, T::LaneCache),
        LaneKind::Coalescing => tr(lang, T::LaneCoalescing),
        LaneKind::Batching => tr(lang, T::LaneBatching),
        LaneKind::Hashing(Hashing::Ring) => tr(lang, T::HashRing),
        LaneKind::Hashing(Hashing::ModN) => tr(lang, T::HashModN),
    }
}

/// Canvas height for `lanes` lanes, CSS pixels.
pub fn lanes_height(lanes: usize) -> f64 {
    LANE_ROW_PX * lanes.max(1) as f64 + 24.0
}

/// Horizontal positions of the columns in a row.
struct Cols {
    client: f64,
    bloom: f64,
    l1: f64,
    node: f64,
    db: f64,
}

pub fn draw_lanes(canvas: &HtmlCanvasElement, snap: &CacheSnapshot, span_ns: Nanos, lang: Lang) {
    let Some(ctx) = crate::draw::context(canvas) else {
        return;
    };
    let (w, h, dpr) = fit(canvas, lanes_height(snap.lanes.len()));
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    ctx.set_fill_style_str(BG);
    ctx.fill_rect(0.0, 0.0, w, h);
    let label_w = 170.0_f64.min(w * 0.22);
    let inner = w - label_w - 20.0;
    let c = Cols {
        client: label_w + inner * 0.04,
        bloom: label_w + inner * 0.16,
        l1: label_w + inner * 0.28,
        node: label_w + inner * 0.56,
        db: label_w + inner * 0.9,
    };
    // Column headings.
    ctx.set_fill_style_str(MUTED);
    ctx.set_font("11px system-ui, sans-serif");
    ctx.set_text_align("center");
    for (x, t) in [
        (c.client, T::ClientsLabel),
        (c.node, T::CacheNodesLabel),
        (c.db, T::SecDatabase),
    ] {
        let _ = ctx.fill_text(tr(lang, t), x, 14.0);
    }
    ctx.set_text_align("left");
    let mut sampled = false;
    for (i, lane) in snap.lanes.iter().enumerate() {
        let y0 = 22.0 + i as f64 * LANE_ROW_PX;
        sampled |= draw_lane(&ctx, lane, snap.now, span_ns, &c, y0, w, label_w, lang);
    }
    if sampled {
        ctx.set_fill_style_str(WAIT);
        ctx.set_font("11px system-ui, sans-serif");
        let _ = ctx.fill_text(tr(lang, T::CacheFlowsSampled), label_w + 8.0, h - 4.0);
    }
}

#[allow(clippy::too_many_arguments)]
fn draw_lane(
    ctx: &CanvasRenderingContext2d,
    lane: &LaneView,
    now: Nanos,
    span_ns: Nanos,
    c: &Cols,
    y0: f64,
    w: f64,
    label_w: f64,
    lang: Lang,
) -> bool {
    let row_h = LANE_ROW_PX - 6.0;
    ctx.set_fill_style_str(LANE_BG);
    ctx.fill_rect(4.0, y0, w - 8.0, row_h);
    ctx.set_fill_style_str(INK);
    ctx.set_font("600 12px system-ui, sans-serif");
    wrap_text(
        ctx,
        lane_name(lang, lane.kind),
        12.0,
        y0 + 18.0,
        label_w - 16.0,
        15.0,
    );

    let servers = lane.app_servers.max(1) as usize;
    let shown_servers = servers.min(8);
    let server_y = |s: u16| {
        let k = (s as usize % shown_servers) as f64;
        y0 + 8.0 + (k + 0.5) * (row_h - 16.0) / shown_servers as f64
    };
    let nodes = lane.nodes.len().max(1);
    let node_y = |n: u16| {
        let k = lane.nodes.iter().position(|&x| x == n as u32).unwrap_or(0) as f64;
        y0 + 6.0 + (k + 0.5) * (row_h - 12.0) / nodes as f64
    };
    let db_y = y0 + row_h / 2.0;

    // App servers.
    ctx.set_fill_style_str("#2a3a58");
    for s in 0..shown_servers {
        let y = server_y(s as u16);
        ctx.fill_rect(c.client - 9.0, y - 3.0, 18.0, 6.0);
    }
    if lane.bloom {
        ctx.set_fill_style_str(FILTERED);
        ctx.fill_rect(c.bloom - 2.0, y0 + 8.0, 4.0, row_h - 16.0);
        small_label(ctx, tr(lang, T::BloomLabel), c.bloom, y0 + row_h - 1.0);
    }
    if lane.l1 {
        ctx.set_stroke_style_str(L1_HIT);
        for s in 0..shown_servers {
            let y = server_y(s as u16);
            ctx.stroke_rect(c.l1 - 7.0, y - 3.0, 14.0, 6.0);
        }
        small_label(ctx, tr(lang, T::L1Label), c.l1, y0 + row_h - 1.0);
    }
    // Cache nodes, each with how full it is.
    if !lane.no_cache {
        for (k, &n) in lane.nodes.iter().enumerate() {
            let y = node_y(n as u16);
            let bh = ((row_h - 12.0) / nodes as f64 - 2.0).clamp(2.0, 12.0);
            let fill = lane.node_keys.get(k).copied().unwrap_or(0) as f64
                / lane.node_capacity.max(1) as f64;
            ctx.set_fill_style_str("#0b1019");
            ctx.fill_rect(c.node - 22.0, y - bh / 2.0, 44.0, bh);
            ctx.set_fill_style_str(&node_color(n));
            ctx.fill_rect(c.node - 22.0, y - bh / 2.0, 44.0 * fill.min(1.0), bh);
            ctx.set_stroke_style_str(&node_color(n));
            ctx.stroke_rect(c.node - 22.0, y - bh / 2.0, 44.0, bh);
        }
    }
    // Requests: out to the farthest place they reached and back, over `span_ns` after they end.
    let span = span_ns.max(1) as f64;
    let dense = lane.dense || lane.flows.len() > MAX_PARTICLES;
    if dense {
        // Drawn as a flow: bands as wide as the share of requests taking each path.
        let total = lane.flows.len().max(1) as f64;
        let to_db = lane.flows.iter().filter(|f| f.db).count() as f64 / total;
        ctx.set_global_alpha(0.25);
        ctx.set_stroke_style_str(PASS);
        ctx.set_line_width(1.0 + 14.0 * (1.0 - to_db));
        line(ctx, c.client, db_y, c.node, db_y);
        ctx.set_stroke_style_str(WAIT);
        ctx.set_line_width(1.0 + 14.0 * to_db);
        line(ctx, c.node, db_y, c.db - 30.0, db_y);
        ctx.set_global_alpha(1.0);
        ctx.set_line_width(1.0);
    }
    // Evenly over the span, so that a dense lane still shows requests at every stage.
    let stride = lane.flows.len().div_ceil(MAX_PARTICLES).max(1);
    for f in lane.flows.iter().step_by(stride) {
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
        ctx.set_fill_style_str(color);
        if f.kind == FlowKind::Error {
            if age < 0.5 {
                cross(ctx, x, y, 3.0); // failures do not come back
            }
            continue;
        }
        circle(ctx, x, y, 2.0);
        if f.stale {
            ctx.set_stroke_style_str(STALE);
            ctx.begin_path();
            let _ = ctx.arc(x, y, 5.0, 0.0, std::f64::consts::TAU);
            ctx.stroke();
        }
    }
    // The database, with its load against capacity (over the particles).
    let load = lane.db_qps as f64 / lane.db_capacity_qps.max(1) as f64;
    ctx.set_fill_style_str("#24324a");
    ctx.fill_rect(c.db - 30.0, db_y - 22.0, 60.0, 44.0);
    ctx.set_fill_style_str(if load > 1.0 { DROP } else { PASS });
    let bar = 44.0 * load.min(1.0);
    ctx.fill_rect(c.db + 34.0, db_y + 22.0 - bar, 6.0, bar);
    ctx.set_stroke_style_str(MUTED);
    ctx.stroke_rect(c.db + 34.0, db_y - 22.0, 6.0, 44.0);
    ctx.set_fill_style_str(if load > 1.0 { DROP } else { INK });
    ctx.set_font("11px system-ui, sans-serif");
    ctx.set_text_align("center");
    let _ = ctx.fill_text(&format!("{} q/s", lane.db_qps), c.db, db_y + 4.0);
    ctx.set_text_align("left");

    dense
}

/// The ring: virtual nodes as ticks, sample keys as dots; keys that changed owner fly from their
/// old node's label to the new one for `span_ns` after a change.
pub fn draw_ring(
    canvas: &HtmlCanvasElement,
    ring: &RingView,
    now: Nanos,
    span_ns: Nanos,
    lang: Lang,
) {
    let Some(ctx) = crate::draw::context(canvas) else {
        return;
    };
    let (w, h, dpr) = fit(canvas, RING_HEIGHT_PX);
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    ctx.set_fill_style_str(BG);
    ctx.fill_rect(0.0, 0.0, w, h);
    let r = (h / 2.0 - 24.0).min(w * 0.25);
    let (cx, cy) = (r + 30.0, h / 2.0);
    let at = |pos: f64, rad: f64| {
        let a = pos * std::f64::consts::TAU - std::f64::consts::FRAC_PI_2;
        (cx + a.cos() * rad, cy + a.sin() * rad)
    };
    ctx.set_stroke_style_str("#2a3a58");
    ctx.set_line_width(2.0);
    ctx.begin_path();
    let _ = ctx.arc(cx, cy, r, 0.0, std::f64::consts::TAU);
    ctx.stroke();
    ctx.set_line_width(1.5);
    // Few points: long ticks; many: short.
    let tick = if ring.points.len() > 2_000 { 4.0 } else { 9.0 };
    for &(pos, n) in &ring.points {
        let (x1, y1) = at(pos, r - tick / 2.0);
        let (x2, y2) = at(pos, r + tick / 2.0);
        ctx.set_stroke_style_str(&node_color(n));
        line(&ctx, x1, y1, x2, y2);
    }
    ctx.set_line_width(1.0);
    // Node labels on the right, with their share of the keys.
    let total: u64 = ring.load.iter().sum::<u64>().max(1);
    let lx = cx + r + 60.0;
    let row = ((h - 40.0) / ring.nodes.len().max(1) as f64).min(22.0);
    let label_pos = |n: u32| {
        let k = ring.nodes.iter().position(|&x| x == n);
        k.map(|k| (lx, 28.0 + k as f64 * row))
    };
    ctx.set_font("12px system-ui, sans-serif");
    for (k, &n) in ring.nodes.iter().enumerate() {
        let (x, y) = (lx, 28.0 + k as f64 * row);
        ctx.set_fill_style_str(&node_color(n));
        ctx.fill_rect(x, y - 8.0, 10.0, 10.0);
        ctx.set_fill_style_str(INK);
        let keys = ring.load.get(k).copied().unwrap_or(0);
        let _ = ctx.fill_text(
            &format!(
                "{} {n}: {keys} {} ({:.1}%)",
                tr(lang, T::NodeWord),
                tr(lang, T::KeysWord),
                100.0 * keys as f64 / total as f64
            ),
            x + 16.0,
            y + 1.0,
        );
    }
    // Keys, and the moves of the last change.
    let age = ring
        .last_change
        .map(|c| now.saturating_sub(c.at) as f64 / (2 * span_ns).max(1) as f64);
    for &(pos, owner, prev) in &ring.keys {
        let (x, y) = at(pos, r - 16.0);
        let moved = owner != prev;
        ctx.set_fill_style_str(&node_color(owner));
        circle(&ctx, x, y, 3.0);
        if moved {
            ctx.set_stroke_style_str(INK);
            ctx.begin_path();
            let _ = ctx.arc(x, y, 5.0, 0.0, std::f64::consts::TAU);
            ctx.stroke();
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
                    ctx.set_fill_style_str(&node_color(owner));
                    circle(&ctx, px, py, 3.5);
                }
            }
        }
    }
    ctx.set_fill_style_str(MUTED);
    ctx.set_font("11px system-ui, sans-serif");
    let _ = ctx.fill_text(
        &format!("{} × {}", ring.nodes.len(), tr(lang, T::CacheNodesLabel)),
        8.0,
        h - 8.0,
    );
}

fn small_label(ctx: &CanvasRenderingContext2d, text: &str, x: f64, y: f64) {
    ctx.set_fill_style_str(MUTED);
    ctx.set_font("10px system-ui, sans-serif");
    ctx.set_text_align("center");
    let _ = ctx.fill_text(text, x, y);
    ctx.set_text_align("left");
}

/// Draws `text` in lines no wider than `max_w` (words, or characters for text without spaces).
fn wrap_text(ctx: &CanvasRenderingContext2d, text: &str, x: f64, y: f64, max_w: f64, lh: f64) {
    let width = |s: &str| ctx.measure_text(s).map(|m| m.width()).unwrap_or(0.0);
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    let spaced = text.contains(' ');
    let pieces: Vec<String> = if spaced {
        text.split(' ').map(|s| s.to_string()).collect()
    } else {
        text.chars().map(|c| c.to_string()).collect()
    };
    for p in pieces {
        let cand = if cur.is_empty() {
            p.clone()
        } else if spaced {
            format!("{cur} {p}")
        } else {
            format!("{cur}{p}")
        };
        if width(&cand) > max_w && !cur.is_empty() {
            lines.push(std::mem::take(&mut cur));
            cur = p;
        } else {
            cur = cand;
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
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

fn circle(ctx: &CanvasRenderingContext2d, x: f64, y: f64, r: f64) {
    ctx.begin_path();
    let _ = ctx.arc(x, y, r, 0.0, std::f64::consts::TAU);
    ctx.fill();
}

fn cross(ctx: &CanvasRenderingContext2d, x: f64, y: f64, r: f64) {
    ctx.set_stroke_style_str(DROP);
    ctx.set_line_width(2.0);
    ctx.begin_path();
    ctx.move_to(x - r, y - r);
    ctx.line_to(x + r, y + r);
    ctx.move_to(x + r, y - r);
    ctx.line_to(x - r, y + r);
    ctx.stroke();
    ctx.set_line_width(1.0);
}
