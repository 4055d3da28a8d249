//! The queue lab's picture: producers on the left, one strip per partition (its log, leader and
//! followers, high watermark and committed offset) in the middle, consumers on the right, and the
//! messages moving between them.

use flowlab_sim::kernel::time::Nanos;
use flowlab_sim::queue::{Flow, FlowKind, PartitionView, QueueSnapshot};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use crate::draw::{fit, BG, DROP, INK, LANE_BG, MUTED, PASS, WAIT};
use crate::i18n::{tr, Lang, T};

const SEND: &str = "#5b9cf5";
const DUP: &str = "#ffd54a";
const REORDER: &str = "#c77dff";
const POISON: &str = "#ff4fa3";
const HW: &str = "#e8eef7";
const COMMIT: &str = "#35c46f";
const TOP_PX: f64 = 44.0;
/// Width of a partition's label (its number and replicas) left of its log.
const LABEL_W: f64 = 90.0;

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

/// CSS height of the canvas for this many partitions.
pub fn height_px(partitions: usize) -> f64 {
    TOP_PX + row_h(partitions) * partitions.max(1) as f64 + 34.0
}

fn dot(ctx: &CanvasRenderingContext2d, x: f64, y: f64, r: f64) {
    ctx.begin_path();
    let _ = ctx.arc(x, y, r, 0.0, std::f64::consts::TAU);
    ctx.fill();
}

/// A key's colour: a hue per key, so one user's messages can be followed.
fn key_color(key: u32) -> String {
    let hue = (key as u64 * 137) % 360;
    format!("hsl({hue}, 55%, 55%)")
}

struct Layout {
    w: f64,
    rows: usize,
    rh: f64,
    prod_x: f64,
    strip_x0: f64,
    strip_x1: f64,
    cons_x: f64,
    producers: usize,
    consumers: usize,
    bottom: f64,
}

impl Layout {
    fn row_y(&self, p: u32) -> f64 {
        TOP_PX + (p as f64 + 0.5) * self.rh
    }
    fn node_y(&self, i: u32, n: usize) -> f64 {
        let span = self.bottom - TOP_PX;
        TOP_PX + (i as f64 + 0.5) * span / n.max(1) as f64
    }
    fn producer(&self, i: u32) -> (f64, f64) {
        (self.prod_x + 104.0, self.node_y(i, self.producers))
    }
    fn consumer(&self, i: u32) -> (f64, f64) {
        (self.cons_x, self.node_y(i, self.consumers))
    }
}

pub fn draw(canvas: &HtmlCanvasElement, snap: &QueueSnapshot, span_ns: Nanos, lang: Lang) {
    let Some(ctx) = crate::draw::context(canvas) else {
        return;
    };
    let rows = snap.partitions.len();
    let (w, h, dpr) = fit(canvas, height_px(rows));
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    ctx.set_fill_style_str(BG);
    ctx.fill_rect(0.0, 0.0, w, h);
    let l = Layout {
        w,
        rows,
        rh: row_h(rows),
        prod_x: 8.0,
        strip_x0: 230.0,
        strip_x1: (w - 190.0).max(320.0),
        cons_x: w - 150.0,
        producers: snap.producers.len(),
        consumers: snap.consumers.len(),
        bottom: TOP_PX + row_h(rows) * rows.max(1) as f64,
    };
    draw_brokers(&ctx, snap, &l, lang);
    for (i, pt) in snap.partitions.iter().enumerate() {
        draw_partition(&ctx, i as u32, pt, &l, lang);
    }
    draw_producers(&ctx, snap, &l, lang);
    draw_consumers(&ctx, snap, &l, lang);
    if snap.dense {
        draw_flow_view(&ctx, snap, &l);
    } else {
        for f in &snap.flows {
            draw_flow(&ctx, f, snap.now, span_ns, &l);
        }
    }
    // Legend line and notices.
    ctx.set_font("12px system-ui, sans-serif");
    let mut notes: Vec<(&str, &str)> = Vec::new();
    if snap.dense {
        notes.push((WAIT, tr(lang, T::FlowView)));
    }
    if !snap.link_up {
        notes.push((DROP, tr(lang, T::QLinkCut)));
    }
    if snap.paused {
        notes.push((WAIT, tr(lang, T::QPaused)));
    }
    if snap.rebalancing {
        notes.push((WAIT, tr(lang, T::QRebalancing)));
    }
    let mut x = 10.0;
    for (color, text) in notes {
        ctx.set_fill_style_str(color);
        let _ = ctx.fill_text(text, x, h - 10.0);
        x += ctx.measure_text(text).map(|m| m.width()).unwrap_or(120.0) + 18.0;
    }
}

fn draw_brokers(ctx: &CanvasRenderingContext2d, snap: &QueueSnapshot, l: &Layout, lang: Lang) {
    ctx.set_font("600 12px system-ui, sans-serif");
    ctx.set_fill_style_str(MUTED);
    let _ = ctx.fill_text(tr(lang, T::QProducers), l.prod_x, 16.0);
    let _ = ctx.fill_text(tr(lang, T::QPartitionsLogs), l.strip_x0 - LABEL_W, 16.0);
    let _ = ctx.fill_text(tr(lang, T::QConsumerGroup), l.cons_x, 16.0);
    let mut x = l.strip_x0;
    for (b, &up) in snap.brokers_up.iter().enumerate() {
        let label = format!("B{b}");
        ctx.set_fill_style_str(if up { "#1f3a2a" } else { "#3a1a1d" });
        ctx.fill_rect(x, 22.0, 46.0, 16.0);
        ctx.set_fill_style_str(if up { PASS } else { DROP });
        let _ = ctx.fill_text(&label, x + 4.0, 34.0);
        if !up {
            let _ = ctx.fill_text("✕", x + 30.0, 34.0);
        }
        x += 52.0;
    }
    let _ = l.w;
}

fn draw_partition(
    ctx: &CanvasRenderingContext2d,
    p: u32,
    pt: &PartitionView,
    l: &Layout,
    lang: Lang,
) {
    let y = l.row_y(p);
    let top = y - l.rh / 2.0 + 2.0;
    let hh = l.rh - 4.0;
    ctx.set_fill_style_str(LANE_BG);
    ctx.fill_rect(
        l.strip_x0 - LABEL_W,
        top,
        l.strip_x1 - l.strip_x0 + LABEL_W,
        hh,
    );
    // Label: partition and replicas (leader first, starred; followers faded; down ones red).
    ctx.set_font("11px system-ui, sans-serif");
    ctx.set_fill_style_str(INK);
    if l.rh >= 26.0 {
        let _ = ctx.fill_text(&format!("P{p}"), l.strip_x0 - LABEL_W + 4.0, y);
        // Offsets: the log end, and the high watermark when it trails.
        ctx.set_font("9px system-ui, sans-serif");
        ctx.set_fill_style_str(MUTED);
        let offsets = if pt.hw < pt.end {
            format!("{}/{}", pt.hw, pt.end)
        } else {
            pt.end.to_string()
        };
        let _ = ctx.fill_text(&offsets, l.strip_x0 - LABEL_W + 4.0, y + 11.0);
        ctx.set_font("11px system-ui, sans-serif");
    } else {
        let _ = ctx.fill_text(&format!("P{p}"), l.strip_x0 - LABEL_W + 4.0, y + 4.0);
    }
    let step = (56.0 / pt.replicas.len().max(1) as f64).min(18.0);
    let mut x = l.strip_x0 - LABEL_W + 34.0;
    {
        for r in &pt.replicas {
            let leader = pt.leader == Some(r.broker);
            let color = if !r.up {
                DROP
            } else if leader {
                INK
            } else if r.in_sync {
                MUTED
            } else {
                "#4a5568"
            };
            ctx.set_fill_style_str(color);
            let t = if leader {
                format!("{}★", r.broker)
            } else {
                r.broker.to_string()
            };
            let _ = ctx.fill_text(&t, x, y + 4.0);
            x += step;
        }
    }
    if pt.leader.is_none() {
        ctx.set_fill_style_str(DROP);
        let _ = ctx.fill_text(tr(lang, T::QOffline), l.strip_x0 + 4.0, y + 4.0);
    }
    // The log: the newest records as cells.
    let cells = 48.0;
    let cw = (l.strip_x1 - l.strip_x0 - 60.0) / cells;
    let first = pt.end.saturating_sub(cells as u64);
    let cx = |off: u64| l.strip_x0 + (off.saturating_sub(first)) as f64 * cw;
    for r in &pt.recent {
        let x = cx(r.offset);
        ctx.set_global_alpha(if r.processed { 0.35 } else { 0.95 });
        ctx.set_fill_style_str(&if r.poison {
            POISON.to_string()
        } else {
            key_color(r.key)
        });
        ctx.fill_rect(x + 0.5, top + 3.0, (cw - 1.0).max(1.0), hh - 6.0);
        if r.duplicate {
            ctx.set_global_alpha(1.0);
            ctx.set_stroke_style_str(DUP);
            ctx.set_line_width(1.5);
            ctx.stroke_rect(x + 1.0, top + 3.5, (cw - 2.0).max(1.0), hh - 7.0);
        }
    }
    ctx.set_global_alpha(1.0);
    // Followers' log ends (faded ticks), the high watermark and the committed offset.
    let marker = |off: u64, color: &str, width: f64| {
        if off + 1 >= first {
            let x = cx(off.max(first));
            ctx.set_fill_style_str(color);
            ctx.fill_rect(x - width / 2.0, top, width, hh);
        }
    };
    for r in &pt.replicas {
        if pt.leader != Some(r.broker) {
            ctx.set_global_alpha(0.45);
            marker(r.leo, MUTED, 2.0);
            ctx.set_global_alpha(1.0);
        }
    }
    marker(pt.hw, HW, 2.0);
    marker(pt.committed, COMMIT, 3.0);
    if pt.committed + 1 < first {
        // The committed offset is further back than the records shown.
        ctx.set_fill_style_str(COMMIT);
        let _ = ctx.fill_text(
            &format!("◀ {}", first - pt.committed),
            l.strip_x0 + 3.0,
            top + hh - 3.0,
        );
    }
    // Lag: a bar that grows with the backlog (log scale), and the figure.
    let lag = pt.lag();
    let lx = l.strip_x1 - 54.0;
    if lag > 0 {
        let frac = ((lag as f64).ln_1p() / (100_000f64).ln()).min(1.0);
        ctx.set_fill_style_str(WAIT);
        ctx.set_global_alpha(0.35);
        let bw = frac * (l.strip_x1 - l.strip_x0 - 60.0);
        ctx.fill_rect(lx - bw, top + hh - 3.0, bw, 3.0);
        ctx.set_global_alpha(1.0);
    }
    ctx.set_fill_style_str(if lag > 100 { WAIT } else { MUTED });
    let _ = ctx.fill_text(
        &format!("{} {lag}", tr(lang, T::QLagShort)),
        lx + 4.0,
        y + 4.0,
    );
}

fn draw_producers(ctx: &CanvasRenderingContext2d, snap: &QueueSnapshot, l: &Layout, lang: Lang) {
    ctx.set_font("11px system-ui, sans-serif");
    for (i, p) in snap.producers.iter().enumerate() {
        let (x, y) = l.producer(i as u32);
        ctx.set_fill_style_str("#24324a");
        ctx.fill_rect(l.prod_x, y - 16.0, 104.0, 32.0);
        ctx.set_fill_style_str(INK);
        let _ = ctx.fill_text(
            &format!("{} {i}", tr(lang, T::QProducer)),
            l.prod_x + 4.0,
            y - 3.0,
        );
        ctx.set_fill_style_str(if p.blocked > 0 { DROP } else { MUTED });
        let _ = ctx.fill_text(
            &format!(
                "{} {} · {} ✈",
                tr(lang, T::QBufShort),
                p.buffered,
                p.in_flight
            ),
            l.prod_x + 4.0,
            y + 11.0,
        );
        let _ = x;
    }
}

fn draw_consumers(ctx: &CanvasRenderingContext2d, snap: &QueueSnapshot, l: &Layout, lang: Lang) {
    ctx.set_font("11px system-ui, sans-serif");
    let bh = ((l.bottom - TOP_PX) / snap.consumers.len().max(1) as f64 - 4.0).clamp(12.0, 32.0);
    for (i, c) in snap.consumers.iter().enumerate() {
        let (x, y) = l.consumer(i as u32);
        let idle = c.member && c.up && c.partitions.is_empty();
        ctx.set_fill_style_str(if !c.up {
            "#3a1a1d"
        } else if idle {
            "#1c2230"
        } else {
            "#24324a"
        });
        ctx.fill_rect(x, y - bh / 2.0, 142.0, bh);
        ctx.set_fill_style_str(if !c.up { DROP } else { INK });
        let status = if !c.up {
            tr(lang, T::QDown).to_string()
        } else if !c.member {
            tr(lang, T::QLeft).to_string()
        } else if idle {
            tr(lang, T::QIdle).to_string()
        } else {
            let ps: Vec<String> = c.partitions.iter().map(|p| format!("P{p}")).collect();
            ps.join(" ")
        };
        let _ = ctx.fill_text(&format!("C{i} {status}"), x + 4.0, y + 4.0);
        if c.busy.is_some() {
            ctx.set_fill_style_str(PASS);
            dot(ctx, x + 136.0, y, 3.0);
        }
    }
}

fn draw_flow(ctx: &CanvasRenderingContext2d, f: &Flow, now: Nanos, span: Nanos, l: &Layout) {
    let vis = f.dur.max(span).max(1);
    let age = now.saturating_sub(f.at);
    if age > vis {
        return;
    }
    let t = age as f64 / vis as f64;
    let row_y = l.row_y(f.partition.min(l.rows.saturating_sub(1) as u32));
    let lerp =
        |a: (f64, f64), b: (f64, f64), t: f64| (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
    let strip_in = (l.strip_x0 - LABEL_W, row_y);
    let strip_out = (l.strip_x1, row_y);
    match f.kind {
        FlowKind::Send => {
            let (x, y) = lerp(l.producer(f.node), strip_in, t);
            ctx.set_fill_style_str(SEND);
            dot(ctx, x, y, 2.5 + (f.count as f64).sqrt().min(4.0));
        }
        FlowKind::SendLost => {
            let (x, y) = lerp(l.producer(f.node), strip_in, (t * 2.0).min(0.5));
            let fall = ((t - 0.25).max(0.0) * 60.0).min(40.0);
            ctx.set_global_alpha((1.0 - t).max(0.1));
            ctx.set_fill_style_str(DROP);
            dot(ctx, x, y + fall, 3.5);
            ctx.set_global_alpha(1.0);
        }
        FlowKind::Ack => {
            let (x, y) = lerp(strip_in, l.producer(f.node), t);
            ctx.set_fill_style_str(PASS);
            dot(ctx, x, y, 2.0);
        }
        FlowKind::Deliver => {
            let (x, y) = lerp(strip_out, l.consumer(f.node), t);
            ctx.set_fill_style_str(SEND);
            dot(ctx, x, y, 2.5);
        }
        FlowKind::DeadLetter => {
            let (x, y) = lerp(l.consumer(f.node), (l.cons_x + 70.0, l.bottom + 14.0), t);
            ctx.set_fill_style_str(POISON);
            dot(ctx, x, y, 4.0);
        }
        kind => {
            // Marks in place: a ring that grows and fades.
            let (color, at) = match kind {
                FlowKind::DupWritten => (DUP, strip_in),
                FlowKind::Truncated => (DROP, strip_out),
                FlowKind::DupProcessed => (DUP, l.consumer(f.node)),
                FlowKind::Reorder => (REORDER, l.consumer(f.node)),
                _ => (MUTED, strip_out),
            };
            ctx.set_global_alpha((1.0 - t).max(0.0));
            ctx.set_stroke_style_str(color);
            ctx.set_line_width(2.0);
            ctx.begin_path();
            let _ = ctx.arc(at.0, at.1, 4.0 + 14.0 * t, 0.0, std::f64::consts::TAU);
            ctx.stroke();
            ctx.set_global_alpha(1.0);
        }
    }
}

/// Too many messages to draw one by one: bands whose width follows the traffic in view.
fn draw_flow_view(ctx: &CanvasRenderingContext2d, snap: &QueueSnapshot, l: &Layout) {
    let n = snap.partitions.len().max(1);
    let mut sends = vec![0u32; n];
    let mut delivers = vec![0u32; n];
    let mut lost = vec![0u32; n];
    for f in &snap.flows {
        let p = (f.partition as usize).min(n - 1);
        match f.kind {
            FlowKind::Send => sends[p] += f.count,
            FlowKind::Deliver => delivers[p] += f.count,
            FlowKind::SendLost => lost[p] += f.count,
            _ => {}
        }
    }
    let peak = sends
        .iter()
        .chain(delivers.iter())
        .copied()
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let band =
        |c: u32| ((c as f64 / peak).sqrt() * (l.rh * 0.6)).max(if c > 0 { 1.0 } else { 0.0 });
    ctx.set_global_alpha(0.5);
    for p in 0..n {
        let y = l.row_y(p as u32);
        ctx.set_fill_style_str(SEND);
        let b = band(sends[p]);
        ctx.fill_rect(
            l.prod_x + 108.0,
            y - b / 2.0,
            l.strip_x0 - LABEL_W - l.prod_x - 108.0,
            b,
        );
        let b = band(delivers[p]);
        ctx.fill_rect(l.strip_x1, y - b / 2.0, l.cons_x - l.strip_x1, b);
        if lost[p] > 0 {
            ctx.set_fill_style_str(DROP);
            let b = band(lost[p]);
            ctx.fill_rect(l.prod_x + 115.0, y, b, l.rh / 2.0);
        }
    }
    ctx.set_global_alpha(1.0);
}
