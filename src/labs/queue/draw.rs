//! The queue lab's picture: the producers, one strip per partition (its log, leader and followers,
//! high watermark and committed offset), the consumer group, and the messages moving between them.
//! A wide canvas puts the three side by side; a narrow one (a phone) stacks them, so no header or
//! box overlaps another.

use flowlab_sim::kernel::time::Nanos;
use flowlab_sim::kernel::why::EntKind;
use flowlab_sim::labs::queue::{Flow, FlowKind, PartitionView, QueueSnapshot};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use super::layout::{Layout, Path, CELLS, LAG_PX, NOTE_LINE_PX};
use super::text as tx;
use crate::i18n::{count, fill, tr, Lang};
use crate::kit::paint::{fill_style, ColorTable, Marks};
use crate::kit::canvas::{begin, context, dot, set_css_height};
use crate::kit::palette::{BG, DROP, DUP, INK, LANE_BG, MUTED, PASS, WAIT};
use crate::lab::why::{outline, tag, WhyShown};
use crate::text;

const SEND: &str = "#5b9cf5";
const REORDER: &str = "#c77dff";
const POISON: &str = "#ff4fa3";
const HW: &str = "#e8eef7";
const COMMIT: &str = PASS;
const FONT: &str = "11px system-ui, sans-serif";
const SMALL_FONT: &str = "9px system-ui, sans-serif";
const HEAD_FONT: &str = "600 12px system-ui, sans-serif";
const NOTE_FONT: &str = "12px system-ui, sans-serif";


thread_local! {
    /// Key colours, made once: the hue repeats every 360 keys.
    static KEY_COLORS: ColorTable =
        ColorTable::new(360, |k| format!("hsl({}, 55%, 55%)", (k as u64 * 137) % 360));
}

/// A key's colour: a hue per key, so one user's messages can be followed.
fn key_color(key: u32) -> &'static str {
    KEY_COLORS.with(|t| t.get(key as usize % 360))
}

/// A note under the picture, placed on its line.
struct Note {
    color: &'static str,
    text: String,
    x: f64,
    line: usize,
}

/// `text` cut into pieces that fit `width` (at spaces, or between Chinese characters).
fn wrap(ctx: &CanvasRenderingContext2d, text: &str, width: f64) -> Vec<String> {
    let measure = |s: &str| ctx.measure_text(s).map(|m| m.width()).unwrap_or(0.0);
    let mut tokens: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        word.push(c);
        if c == ' ' || c >= '\u{2e80}' {
            tokens.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        tokens.push(word);
    }
    let mut lines = vec![String::new()];
    for t in tokens {
        let last = lines.last_mut().expect("one line at least");
        if !last.is_empty() && measure(format!("{last}{t}").trim_end()) > width {
            lines.push(t);
        } else {
            last.push_str(&t);
        }
    }
    lines.into_iter().map(|l| l.trim_end().to_string()).collect()
}

/// The notes for the run's state, wrapped to the width (`ctx` measures them).
fn notes(
    ctx: &CanvasRenderingContext2d,
    snap: &QueueSnapshot,
    w: f64,
    lang: Lang,
    still: bool,
) -> Vec<Note> {
    let mut all: Vec<(&'static str, &'static str)> = Vec::new();
    if still {
        all.push((WAIT, tr(lang, text::STILL_VIEW)));
    } else if snap.dense {
        all.push((WAIT, tr(lang, text::FLOW_VIEW)));
    }
    if !snap.link_up {
        all.push((DROP, tr(lang, tx::W_LINK_CUT)));
    }
    if snap.paused {
        all.push((WAIT, tr(lang, tx::W_PAUSED)));
    }
    if snap.rebalancing {
        all.push((WAIT, tr(lang, tx::W_REBALANCING)));
    }
    ctx.set_font(NOTE_FONT);
    let right = w - 8.0;
    let (mut x, mut line) = (10.0, 0);
    let mut out = Vec::new();
    for (color, text) in all {
        for piece in wrap(ctx, text, right - 10.0) {
            let tw = ctx.measure_text(&piece).map(|m| m.width()).unwrap_or(200.0);
            if x > 10.0 && x + tw > right {
                x = 10.0;
                line += 1;
            }
            out.push(Note {
                color,
                text: piece,
                x,
                line,
            });
            x += tw + 18.0;
        }
    }
    out
}

/// Draws the picture of `snap` on `canvas` (flows of the last `span_ns`), sizing the canvas to it.
/// With `still` (reduced motion), flows are bands, never moving messages.
pub fn draw(
    canvas: &HtmlCanvasElement,
    snap: &QueueSnapshot,
    span_ns: Nanos,
    lang: Lang,
    still: bool,
    marks: &mut Marks,
    why: &WhyShown,
) {
    let Some(ctx) = context(canvas) else {
        return;
    };
    let w = (canvas.client_width() as f64).max(280.0);
    let notes = notes(&ctx, snap, w, lang, still);
    let lines = notes.last().map_or(1, |n| n.line + 1);
    let l = Layout::new(
        w,
        snap.partitions.len(),
        snap.producers.len(),
        snap.consumers.len(),
        lines,
    );
    set_css_height(canvas, l.height);
    let arrangement = if l.narrow { "stacked" } else { "side-by-side" };
    if canvas.get_attribute("data-layout").as_deref() != Some(arrangement) {
        let _ = canvas.set_attribute("data-layout", arrangement);
    }
    let Some((ctx, _w, _h)) = begin(canvas, l.height, BG) else {
        return;
    };
    draw_heads(&ctx, snap, &l, lang);
    for (i, pt) in snap.partitions.iter().enumerate() {
        draw_partition(&ctx, i as u32, pt, &l, lang);
    }
    draw_producers(&ctx, snap, &l, lang);
    draw_consumers(&ctx, snap, &l, lang);
    if snap.dense || still {
        draw_flow_view(&ctx, snap, &l);
    } else {
        for f in &snap.flows {
            draw_flow(marks, f, snap.now, span_ns, &l);
        }
        marks.paint(&ctx);
    }
    draw_marks(&ctx, snap, &l, why);
    tag(canvas, why);
    ctx.set_font(NOTE_FONT);
    for n in &notes {
        ctx.set_fill_style_str(n.color);
        let _ = ctx.fill_text(&n.text, n.x, l.notes_y + n.line as f64 * NOTE_LINE_PX);
    }
}

/// Outlines what the chosen line of the "why" log names: brokers, partitions, producers,
/// consumers, and the records of a key.
fn draw_marks(ctx: &CanvasRenderingContext2d, snap: &QueueSnapshot, l: &Layout, why: &WhyShown) {
    if !why.highlighting() {
        return;
    }
    let (x0, step) = broker_chips(snap, l);
    for b in 0..snap.brokers_up.len() as u32 {
        if why.marks(EntKind::Broker, b) {
            outline(ctx, x0 + b as f64 * step, l.chips.1, step - 6.0, 16.0);
        }
    }
    let cw = (l.strip_x1 - l.strip_x0 - LAG_PX) / CELLS;
    for (p, pt) in snap.partitions.iter().enumerate() {
        let top = l.row_y(p as u32) - l.rh / 2.0 + 2.0;
        let hh = l.rh - 4.0;
        if why.marks(EntKind::Partition, p as u32) {
            outline(ctx, l.label_x, top, l.strip_x1 - l.label_x, hh);
        }
        let first = pt.end.saturating_sub(CELLS as u64);
        for r in pt.recent.iter().filter(|r| why.marks(EntKind::Key, r.key)) {
            let x = l.strip_x0 + r.offset.saturating_sub(first) as f64 * cw;
            outline(ctx, x + 2.0, top + 5.0, (cw - 4.0).max(1.0), hh - 10.0);
        }
    }
    for (i, r) in l.producers.iter().enumerate() {
        if why.marks(EntKind::Producer, i as u32) {
            outline(ctx, r.x, r.y, r.w, r.h);
        }
    }
    for (i, r) in l.consumers.iter().enumerate() {
        if why.marks(EntKind::Consumer, i as u32) {
            outline(ctx, r.x, r.y, r.w, r.h);
        }
    }
}

/// Where the broker chips start, and their pitch.
fn broker_chips(snap: &QueueSnapshot, l: &Layout) -> (f64, f64) {
    let n = snap.brokers_up.len().max(1) as f64;
    (l.chips.0, ((l.w - l.chips.0 - 8.0) / n).min(52.0))
}

/// The three headers and the brokers (green up, red down).
fn draw_heads(ctx: &CanvasRenderingContext2d, snap: &QueueSnapshot, l: &Layout, lang: Lang) {
    ctx.set_font(HEAD_FONT);
    ctx.set_fill_style_str(MUTED);
    let heads = [tx::W_PRODUCERS, tx::W_PARTITIONS, tx::W_GROUP];
    for (t, (x, y)) in heads.iter().zip(l.heads) {
        let _ = ctx.fill_text(tr(lang, *t), x, y);
    }
    let (mut x, step) = broker_chips(snap, l);
    for (b, &up) in snap.brokers_up.iter().enumerate() {
        ctx.set_fill_style_str(if up { "#1f3a2a" } else { "#3a1a1d" });
        ctx.fill_rect(x, l.chips.1, step - 6.0, 16.0);
        ctx.set_fill_style_str(if up { PASS } else { DROP });
        let _ = ctx.fill_text(&format!("B{b}"), x + 4.0, l.chips.1 + 12.0);
        if !up {
            let _ = ctx.fill_text("✕", x + step - 22.0, l.chips.1 + 12.0);
        }
        x += step;
    }
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
    ctx.fill_rect(l.label_x, top, l.strip_x1 - l.label_x, hh);
    // Label: the partition and its replicas (leader starred, followers faded, down ones red).
    ctx.set_font(FONT);
    ctx.set_fill_style_str(INK);
    if l.rh >= 26.0 {
        let _ = ctx.fill_text(&format!("P{p}"), l.label_x + 4.0, y);
        // Offsets: the log end, and the high watermark while followers catch up.
        ctx.set_font(SMALL_FONT);
        ctx.set_fill_style_str(MUTED);
        let offsets = if pt.hw < pt.end {
            format!("{}/{}", pt.hw, pt.end)
        } else {
            pt.end.to_string()
        };
        let _ = ctx.fill_text(&offsets, l.label_x + 4.0, y + 11.0);
        ctx.set_font(FONT);
    } else {
        let _ = ctx.fill_text(&format!("P{p}"), l.label_x + 4.0, y + 4.0);
    }
    let step = ((l.label_w - 38.0) / pt.replicas.len().max(1) as f64).min(18.0);
    let mut x = l.label_x + 34.0;
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
    let lx = l.strip_x1 - LAG_PX + 6.0;
    if pt.leader.is_none() {
        ctx.set_fill_style_str(DROP);
        let _ = ctx.fill_text_with_max_width(
            tr(lang, tx::W_OFFLINE),
            l.strip_x0 + 4.0,
            y + 4.0,
            (lx - l.strip_x0 - 10.0).max(20.0),
        );
    }
    // The log: the newest records as cells.
    let cw = (l.strip_x1 - l.strip_x0 - LAG_PX) / CELLS;
    let first = pt.end.saturating_sub(CELLS as u64);
    let cell_x = |off: u64| l.strip_x0 + off.saturating_sub(first) as f64 * cw;
    for r in &pt.recent {
        let x = cell_x(r.offset);
        ctx.set_global_alpha(if r.processed { 0.35 } else { 0.95 });
        if r.poison {
            ctx.set_fill_style_str(POISON);
        } else {
            fill_style(ctx, key_color(r.key));
        }
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
            let x = cell_x(off.max(first));
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
            &format!("◀ {}", count(lang, first - pt.committed)),
            l.strip_x0 + 3.0,
            top + hh - 3.0,
        );
    }
    // Lag: a bar that grows with the backlog (log scale), and the figure.
    let lag = pt.lag();
    if lag > 0 {
        let frac = ((lag as f64).ln_1p() / 100_000f64.ln()).min(1.0);
        ctx.set_fill_style_str(WAIT);
        ctx.set_global_alpha(0.35);
        let bw = frac * (l.strip_x1 - l.strip_x0 - LAG_PX);
        ctx.fill_rect(lx - 6.0 - bw, top + hh - 3.0, bw, 3.0);
        ctx.set_global_alpha(1.0);
    }
    ctx.set_fill_style_str(if lag > 100 { WAIT } else { MUTED });
    let _ = ctx.fill_text_with_max_width(
        &fill(tr(lang, tx::W_LAG), &[count(lang, lag)]),
        lx,
        y + 4.0,
        LAG_PX - 8.0,
    );
}

fn draw_producers(ctx: &CanvasRenderingContext2d, snap: &QueueSnapshot, l: &Layout, lang: Lang) {
    ctx.set_font(FONT);
    for (i, (p, r)) in snap.producers.iter().zip(&l.producers).enumerate() {
        ctx.set_fill_style_str("#24324a");
        ctx.fill_rect(r.x, r.y, r.w, r.h);
        let mid = r.y + r.h / 2.0;
        ctx.set_fill_style_str(INK);
        let _ = ctx.fill_text_with_max_width(
            &fill(tr(lang, tx::W_PRODUCER), &[i.to_string()]),
            r.x + 4.0,
            mid - 3.0,
            r.w - 8.0,
        );
        ctx.set_fill_style_str(if p.blocked > 0 { DROP } else { MUTED });
        let _ = ctx.fill_text_with_max_width(
            &fill(
                tr(lang, tx::W_BUFFER),
                &[count(lang, p.buffered as u64), count(lang, p.in_flight as u64)],
            ),
            r.x + 4.0,
            mid + 11.0,
            r.w - 8.0,
        );
    }
}

fn draw_consumers(ctx: &CanvasRenderingContext2d, snap: &QueueSnapshot, l: &Layout, lang: Lang) {
    ctx.set_font(FONT);
    for (i, (c, r)) in snap.consumers.iter().zip(&l.consumers).enumerate() {
        let idle = c.member && c.up && c.partitions.is_empty();
        ctx.set_fill_style_str(if !c.up {
            "#3a1a1d"
        } else if idle {
            "#1c2230"
        } else {
            "#24324a"
        });
        ctx.fill_rect(r.x, r.y, r.w, r.h);
        ctx.set_fill_style_str(if !c.up { DROP } else { INK });
        let room = r.w - 16.0;
        let status = consumer_status(c, lang);
        let mut label = format!("C{i} {status}");
        if ctx.measure_text(&label).map(|m| m.width()).unwrap_or(0.0) > room {
            // Too many partitions to list: say how many.
            let n = fill(tr(lang, tx::W_PARTS), &[c.partitions.len().to_string()]);
            label = format!("C{i} {n}");
        }
        let _ = ctx.fill_text_with_max_width(&label, r.x + 4.0, r.y + r.h / 2.0 + 4.0, room);
        if c.busy.is_some() {
            ctx.set_fill_style_str(PASS);
            dot(ctx, r.x + r.w - 6.0, r.y + r.h / 2.0, 3.0);
        }
    }
}

pub use super::consumer_status;

/// A message on its way, as a mark (drawn with the others at once).
fn draw_flow(marks: &mut Marks, f: &Flow, now: Nanos, span: Nanos, l: &Layout) {
    let vis = f.dur.max(span).max(1);
    let age = now.saturating_sub(f.at);
    if age > vis {
        return;
    }
    let t = age as f64 / vis as f64;
    let strip_in = l.strip_in(f.partition);
    let strip_out = l.strip_out(f.partition);
    match f.kind {
        FlowKind::Send => {
            let Some(path) = l.send_path(f.node, f.partition) else {
                return;
            };
            let (x, y) = path.at(t);
            // Batches are larger, in half pixels (a handful of sizes batch better).
            let r = ((2.5 + (f.count as f64).sqrt().min(4.0)) * 2.0).round() / 2.0;
            marks.dot(SEND, 1.0, x, y, r);
        }
        FlowKind::SendLost => {
            let Some(path) = l.send_path(f.node, f.partition) else {
                return;
            };
            let (x, y) = path.at((t * 2.0).min(0.5));
            // Stacked, the boxes are close: a shorter fall keeps off them.
            let most = if l.narrow { 10.0 } else { 40.0 };
            let fall = ((t - 0.25).max(0.0) * 60.0).min(most);
            marks.dot(DROP, (1.0 - t).max(0.1), x, y + fall, 3.5);
        }
        FlowKind::Ack => {
            let Some(path) = l.send_path(f.node, f.partition) else {
                return;
            };
            let (x, y) = path.reversed().at(t);
            marks.dot(PASS, 1.0, x, y, 2.0);
        }
        FlowKind::Deliver => {
            let Some(path) = l.deliver_path(f.partition, f.node) else {
                return;
            };
            let (x, y) = path.at(t);
            marks.dot(SEND, 1.0, x, y, 2.5);
        }
        FlowKind::DeadLetter => {
            let from = l.consumer(f.node).unwrap_or(strip_out);
            let (x, y) = (
                from.0 + (l.dlq.0 - from.0) * t,
                from.1 + (l.dlq.1 - from.1) * t,
            );
            marks.dot(POISON, 1.0, x, y, 4.0);
        }
        kind => {
            // Marks in place: a ring that grows and fades.
            let (color, at) = match kind {
                FlowKind::DupWritten => (DUP, strip_in),
                FlowKind::Truncated => (DROP, strip_out),
                FlowKind::DupProcessed => (DUP, l.consumer(f.node).unwrap_or(strip_out)),
                FlowKind::Reorder => (REORDER, l.consumer(f.node).unwrap_or(strip_out)),
                _ => (MUTED, strip_out),
            };
            // Whole pixels of radius: a handful of sizes.
            let r = (4.0 + 14.0 * t).round();
            marks.ring(color, (1.0 - t).max(0.0), at.0, at.1, r, 2.0);
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
    let stroke = |path: &Path, width: f64| {
        if width > 0.0 {
            ctx.set_line_width(width);
            ctx.begin_path();
            for (k, &(x, y)) in path.points().iter().enumerate() {
                if k == 0 {
                    ctx.move_to(x, y);
                } else {
                    ctx.line_to(x, y);
                }
            }
            ctx.stroke();
        }
    };
    ctx.set_global_alpha(0.5);
    ctx.set_line_join("round");
    ctx.set_stroke_style_str(SEND);
    for p in 0..n as u32 {
        let i = p as usize;
        if let Some(path) = l.send_band(p) {
            stroke(&path, band(sends[i]));
            if lost[i] > 0 {
                // Lost on the way: a red drop under the middle of the band.
                let (mx, my) = path.at(0.5);
                let b = band(lost[i]);
                ctx.set_fill_style_str(DROP);
                ctx.fill_rect(mx - b / 2.0, my, b, l.rh / 2.0);
            }
        }
        if let Some(path) = l.deliver_band(p) {
            stroke(&path, band(delivers[i]));
        }
    }
    ctx.set_global_alpha(1.0);
}
