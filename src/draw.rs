//! The lanes picture, drawn with the canvas 2D API every animation frame from a snapshot.

use flowlab_sim::limiter::{Algo, LaneStats, LimiterSnapshot};
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use crate::i18n::{tr, Lang, T};

pub const BG: &str = "#0f1521";
pub const LANE_BG: &str = "#161f2e";
pub const INK: &str = "#dbe4f0";
pub const MUTED: &str = "#7d8ba1";
pub const PASS: &str = "#35c46f";
pub const DROP: &str = "#ef5350";
pub const WAIT: &str = "#f5a524";
pub const INCOMING: &str = "#8fb3e8";

/// Lane colours for the charts, in lane order.
pub const LANE_COLORS: [(u8, u8, u8); 5] = [
    (239, 83, 80),
    (66, 165, 245),
    (171, 130, 255),
    (53, 196, 111),
    (245, 165, 36),
];

pub const LANE_HEIGHT_PX: f64 = 86.0;

pub fn algo_name(lang: Lang, a: Algo) -> &'static str {
    tr(
        lang,
        match a {
            Algo::FixedWindow => T::AlgoFixedWindow,
            Algo::SlidingLog => T::AlgoSlidingLog,
            Algo::SlidingCounter => T::AlgoSlidingCounter,
            Algo::TokenBucket => T::AlgoTokenBucket,
            Algo::LeakyBucket => T::AlgoLeakyBucket,
        },
    )
}

/// The canvas's 2D context, if it has one.
pub fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas
        .get_context("2d")
        .ok()
        .flatten()?
        .dyn_into::<CanvasRenderingContext2d>()
        .ok()
}

/// Matches the canvas backing store to its CSS size and the device pixel ratio; returns CSS size.
pub fn fit(canvas: &HtmlCanvasElement, css_height: f64) -> (f64, f64, f64) {
    let dpr = web_sys::window()
        .map(|w| w.device_pixel_ratio())
        .unwrap_or(1.0)
        .clamp(1.0, 3.0);
    let w = (canvas.client_width() as f64).max(320.0);
    let (bw, bh) = ((w * dpr) as u32, (css_height * dpr) as u32);
    if canvas.width() != bw || canvas.height() != bh {
        canvas.set_width(bw);
        canvas.set_height(bh);
    }
    (w, css_height, dpr)
}

fn dot(ctx: &CanvasRenderingContext2d, x: f64, y: f64, r: f64) {
    ctx.begin_path();
    let _ = ctx.arc(x, y, r, 0.0, std::f64::consts::TAU);
    ctx.fill();
}

/// Draws the five lanes.
pub fn draw_lanes(
    canvas: &HtmlCanvasElement,
    snap: &LimiterSnapshot,
    lanes: &[LaneStats; 5],
    lang: Lang,
) {
    let Some(ctx) = context(canvas) else { return };
    let (w, h, dpr) = fit(canvas, LANE_HEIGHT_PX * 5.0);
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    ctx.set_fill_style_str(BG);
    ctx.fill_rect(0.0, 0.0, w, h);

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
        let _ = ctx.fill_text(algo_name(lang, algo), 10.0, top + 24.0);
        ctx.set_font("12px system-ui, sans-serif");
        ctx.set_fill_style_str(PASS);
        let _ = ctx.fill_text(
            &format!("{} {}", tr(lang, T::Accepted), stats.accepted),
            10.0,
            top + 44.0,
        );
        ctx.set_fill_style_str(DROP);
        let _ = ctx.fill_text(
            &format!("{} {}", tr(lang, T::Rejected), stats.rejected),
            10.0,
            top + 60.0,
        );
        if algo == Algo::LeakyBucket {
            // Exact queue length (the gauge), and the delay the queue has added so far.
            let p99_ms = stats.delay.percentiles().p99_ns as f64 / 1e6;
            ctx.set_fill_style_str(WAIT);
            let _ = ctx.fill_text(
                &format!(
                    "{} {:.0} · {} {:.0} ms",
                    tr(lang, T::Queued),
                    lane.gauge.value,
                    tr(lang, T::DelayP99),
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

        if lane.dense {
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
            ctx.set_fill_style_str(INCOMING);
            for p in &snap.incoming {
                let x = src_x + p.progress as f64 * (gate_x - src_x);
                dot(
                    &ctx,
                    x,
                    mid + (p.jitter as f64 - 0.5) * spread * (p.progress as f64),
                    3.0,
                );
            }
            ctx.set_fill_style_str(PASS);
            for p in &lane.passed {
                let x = gate_x + p.progress as f64 * (exit_x - gate_x);
                dot(&ctx, x, mid + (p.jitter as f64 - 0.5) * spread, 3.0);
            }
            ctx.set_fill_style_str(DROP);
            for p in &lane.dropped {
                let f = p.progress as f64;
                ctx.set_global_alpha((1.0 - f).max(0.15));
                let x = gate_x + 6.0 + f * 36.0 + (p.jitter as f64 - 0.5) * 10.0;
                let y = mid + f * f * (LANE_HEIGHT_PX / 2.0 - 6.0) + 4.0;
                dot(&ctx, x, y, 3.2);
            }
            ctx.set_global_alpha(1.0);
        }

        draw_gate(&ctx, algo, lane, gate_x, top, lang);
    }

    if any_dense {
        ctx.set_fill_style_str(WAIT);
        ctx.set_font("12px system-ui, sans-serif");
        let _ = ctx.fill_text(tr(lang, T::FlowView), label_w + 18.0, h - 6.0);
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
        Algo::FixedWindow => (T::Count, format!("{:.0}/{:.0}", g.value, g.max)),
        Algo::SlidingLog => (T::LogSize, format!("{:.0}/{:.0}", g.value, g.max)),
        Algo::SlidingCounter => (T::Estimate, format!("{:.1}/{:.0}", g.value, g.max)),
        Algo::TokenBucket => (T::Tokens, format!("{:.1}/{:.0}", g.value, g.max)),
        Algo::LeakyBucket => (T::QueueLen, format!("{:.0}/{:.0}", g.value, g.max)),
    };
    ctx.set_fill_style_str(INK);
    ctx.set_font("12px system-ui, sans-serif");
    let _ = ctx.fill_text(
        &format!("{} {}", tr(lang, word), text),
        x + 14.0,
        top + 22.0,
    );
}
