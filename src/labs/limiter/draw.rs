//! The limiter's picture: five lanes, one per algorithm, drawn every frame from a snapshot.

use flowlab_sim::limiter::{Algo, LimiterSnapshot};
use flowlab_sim::kernel::why::EntKind;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use super::text as tx;
use crate::i18n::{count, tr, tr_id, Lang};
use crate::kit::canvas::{begin, dot};
use crate::kit::paint::Marks;
use crate::kit::palette::{BG, DROP, INCOMING, INK, LANE_BG, PASS, WAIT};
use crate::lab::why::{outline, tag, WhyShown};
use crate::text;

pub const LANE_HEIGHT_PX: f64 = 86.0;

/// Draws the five lanes. With `still` (reduced motion), flows are bands, never moving dots.
pub fn draw_lanes(
    canvas: &HtmlCanvasElement,
    snap: &LimiterSnapshot,
    lanes: &[super::LaneCounts; 5],
    lang: Lang,
    still: bool,
    marks: &mut Marks,
    why: &WhyShown,
) {
    let Some((ctx, w, h)) = begin(canvas, LANE_HEIGHT_PX * 5.0, BG) else {
        return;
    };

    let label_w = (w * 0.2).clamp(120.0, 190.0);
    let src_x = label_w + 18.0;
    let gate_x = src_x + (w - src_x) * 0.38;
    let exit_x = w - 14.0;
    let any_dense = snap.lanes.iter().any(|l| l.dense);

    for (i, lane) in snap.lanes.iter().enumerate() {
        let algo = Algo::ALL[i];
        let stats = &lanes[i];
        let top = i as f64 * LANE_HEIGHT_PX;
        let mid = top + LANE_HEIGHT_PX / 2.0;
        let spread = LANE_HEIGHT_PX * 0.5;

        ctx.set_fill_style_str(LANE_BG);
        ctx.fill_rect(0.0, top + 3.0, w, LANE_HEIGHT_PX - 6.0);

        // Label and counts.
        ctx.set_fill_style_str(INK);
        ctx.set_font("600 14px system-ui, sans-serif");
        let _ = ctx.fill_text(tr_id(lang, algo.text()), 10.0, top + 24.0);
        ctx.set_font("12px system-ui, sans-serif");
        ctx.set_fill_style_str(PASS);
        let _ = ctx.fill_text(
            &format!("{} {}", tr(lang, tx::ACCEPTED), count(lang, stats.accepted)),
            10.0,
            top + 44.0,
        );
        ctx.set_fill_style_str(DROP);
        let _ = ctx.fill_text(
            &format!("{} {}", tr(lang, tx::REJECTED), count(lang, stats.rejected)),
            10.0,
            top + 60.0,
        );
        if algo == Algo::LeakyBucket {
            // Exact queue length (the gauge), and the delay the queue has added so far.
            let p99_ms = stats.p99_ns as f64 / 1e6;
            ctx.set_fill_style_str(WAIT);
            let _ = ctx.fill_text(
                &format!(
                    "{} {:.0} · {} {:.0} ms",
                    tr(lang, tx::QUEUED),
                    lane.gauge.value,
                    tr(lang, tx::DELAY_P99),
                    p99_ms
                ),
                10.0,
                top + 76.0,
            );
        }

        // Clients.
        ctx.set_fill_style_str(INCOMING);
        dot(&ctx, src_x - 8.0, mid, 6.0);

        // Path lines.
        ctx.set_stroke_style_str("#2a3850");
        ctx.set_line_width(1.0);
        ctx.begin_path();
        ctx.move_to(src_x, mid);
        ctx.line_to(exit_x, mid);
        ctx.stroke();

        if lane.dense || still {
            // Flow: band widths proportional to the counts in view.
            let total = (lane.passed_count + lane.dropped_count).max(1) as f64;
            let inc = snap.incoming_count.max(1) as f64;
            let max_band = spread * 0.9;
            let band = |n: f64| (n / total.max(inc)).sqrt() * max_band;
            ctx.set_fill_style_str(INCOMING);
            ctx.set_global_alpha(0.55);
            let b = band(inc);
            ctx.fill_rect(src_x, mid - b / 2.0, gate_x - src_x, b);
            ctx.set_fill_style_str(PASS);
            let b = band(lane.passed_count as f64);
            ctx.fill_rect(gate_x, mid - b / 2.0, exit_x - gate_x, b);
            ctx.set_fill_style_str(DROP);
            let b = band(lane.dropped_count as f64);
            ctx.fill_rect(gate_x - b / 2.0, mid, b, LANE_HEIGHT_PX / 2.0 - 4.0);
            ctx.set_global_alpha(1.0);
        } else {
            // The requests, as marks drawn at once after the lanes.
            for p in &snap.incoming {
                let x = src_x + p.progress as f64 * (gate_x - src_x);
                let y = mid + (p.jitter as f64 - 0.5) * spread * (p.progress as f64);
                marks.dot(INCOMING, 1.0, x, y, 3.0);
            }
            for p in &lane.passed {
                let x = gate_x + p.progress as f64 * (exit_x - gate_x);
                marks.dot(PASS, 1.0, x, mid + (p.jitter as f64 - 0.5) * spread, 3.0);
            }
            for p in &lane.dropped {
                let f = p.progress as f64;
                let x = gate_x + 6.0 + f * 36.0 + (p.jitter as f64 - 0.5) * 10.0;
                let y = mid + f * f * (LANE_HEIGHT_PX / 2.0 - 6.0) + 4.0;
                marks.dot(DROP, (1.0 - f).max(0.15), x, y, 3.2);
            }
        }
    }
    marks.paint(&ctx);
    // The gates, over the requests.
    for (i, lane) in snap.lanes.iter().enumerate() {
        draw_gate(&ctx, Algo::ALL[i], lane, gate_x, i as f64 * LANE_HEIGHT_PX, lang);
    }

    // The lane the chosen line of the "why" log names.
    for i in 0..snap.lanes.len() {
        if why.marks(EntKind::Lane, i as u32) {
            let top = i as f64 * LANE_HEIGHT_PX;
            outline(&ctx, 2.0, top + 5.0, w - 4.0, LANE_HEIGHT_PX - 10.0);
        }
    }
    tag(canvas, why);

    if any_dense || still {
        ctx.set_fill_style_str(WAIT);
        ctx.set_font("12px system-ui, sans-serif");
        let note = if still { text::STILL_VIEW } else { text::FLOW_VIEW };
        let _ = ctx.fill_text(tr(lang, note), label_w + 18.0, h - 6.0);
    }
}

/// The gate: a gauge bar with the algorithm's state (count, log, estimate, tokens, queue).
fn draw_gate(
    ctx: &CanvasRenderingContext2d,
    algo: Algo,
    lane: &flowlab_sim::limiter::LaneView,
    x: f64,
    top: f64,
    lang: Lang,
) {
    let g = lane.gauge;
    let bar_h = LANE_HEIGHT_PX - 26.0;
    let bar_w = 16.0;
    let bx = x - bar_w / 2.0;
    let by = top + 10.0;
    ctx.set_fill_style_str("#0b1019");
    ctx.fill_rect(bx, by, bar_w, bar_h);
    let frac = if g.max > 0.0 {
        (g.value / g.max).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let fill = match algo {
        Algo::TokenBucket => PASS,
        Algo::LeakyBucket => WAIT,
        _ => {
            if frac >= 1.0 {
                DROP
            } else {
                INCOMING
            }
        }
    };
    ctx.set_fill_style_str(fill);
    ctx.fill_rect(bx, by + bar_h * (1.0 - frac), bar_w, bar_h * frac);
    ctx.set_stroke_style_str(INK);
    ctx.set_line_width(1.5);
    ctx.stroke_rect(bx, by, bar_w, bar_h);

    // Leaky bucket: the waiting requests stacked as blocks.
    if algo == Algo::LeakyBucket && g.max <= 40.0 {
        ctx.set_fill_style_str(WAIT);
        let cell = bar_h / g.max.max(1.0);
        for k in 0..lane.waiting.min(g.max as u32) {
            ctx.fill_rect(
                bx - 14.0,
                by + bar_h - (k as f64 + 1.0) * cell + 1.0,
                10.0,
                (cell - 2.0).max(1.0),
            );
        }
    }

    // Window progress under the bar.
    if let Some(p) = g.window_progress {
        ctx.set_fill_style_str("#2a3850");
        ctx.fill_rect(bx - 12.0, by + bar_h + 4.0, bar_w + 24.0, 3.0);
        ctx.set_fill_style_str(INK);
        ctx.fill_rect(bx - 12.0, by + bar_h + 4.0, (bar_w + 24.0) * p as f64, 3.0);
    }

    let (word, text) = match algo {
        Algo::FixedWindow => (tx::COUNT, format!("{:.0}/{:.0}", g.value, g.max)),
        Algo::SlidingLog => (tx::LOG_SIZE, format!("{:.0}/{:.0}", g.value, g.max)),
        Algo::SlidingCounter => (tx::ESTIMATE, format!("{:.1}/{:.0}", g.value, g.max)),
        Algo::TokenBucket => (tx::TOKENS, format!("{:.1}/{:.0}", g.value, g.max)),
        Algo::LeakyBucket => (tx::WAITING, format!("{:.0}/{:.0}", g.value, g.max)),
    };
    ctx.set_fill_style_str(INK);
    ctx.set_font("12px system-ui, sans-serif");
    let _ = ctx.fill_text(
        &format!("{} {}", tr(lang, word), text),
        x + 14.0,
        top + 22.0,
    );
}
