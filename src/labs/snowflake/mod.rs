//! The snowflake id lab in the page: the workers' clocks against true time, the ids issued placed
//! by their timestamp bits (duplicates ringed in red), and the bit layout of the latest id.

pub mod text;
pub mod tour;

/// The engine lab this page shows.
pub type Engine = flowlab_sim::labs::snowflake::Snowflake;

pub use view::{Pic, View, CLOCK_ROWS};

/// The engine's side: the clocks and ids in view, the charts and the words.
mod view {
    use flowlab_sim::kernel::knobs::Choice;
    use flowlab_sim::kernel::time::{Nanos, NS_PER_MS, NS_PER_S};
    use flowlab_sim::labs::snowflake::{Backwards, Snowflake, SnowflakeSnapshot};
    use flowlab_sim::{Model, Sim};
    use serde::{Deserialize, Serialize};

    use super::text as tx;
    use crate::i18n::{count, fill, real, tr, tr_id, Lang};
    use crate::kit::chart::{recent, Axis, Chart};
    use crate::kit::palette::series;
    use crate::lab::view::{LabView, Look};

    /// Clock rows drawn one by one; more workers are summarised.
    pub const CLOCK_ROWS: usize = 8;
    /// Chart buckets shown.
    const SHOWN: usize = 120;

    /// What the picture draws: the snapshot and the timestamps shown across the strip (ms).
    #[derive(Clone, Debug, Default, Serialize, Deserialize)]
    pub struct Pic {
        pub snap: SnowflakeSnapshot,
        pub window_ms: u64,
    }

    pub fn policy_name(lang: Lang, p: Backwards) -> &'static str {
        tr_id(lang, Backwards::OPTIONS[p as usize].text)
    }

    /// Timestamps shown across the strip, ms (at 1×, the last 40 ms).
    fn window_ms(look: &Look) -> u64 {
        (look.virtual_span(40.0) / NS_PER_MS).clamp(4, 2_000)
    }

    pub struct View;

    impl LabView for View {
        type L = Snowflake;
        type Pic = Pic;
        type Info = ();

        fn picture(sim: &Sim<Snowflake>, look: &Look, out: &mut Pic) {
            out.window_ms = window_ms(look);
            sim.fill_snapshot(out.window_ms * NS_PER_MS, &mut out.snap);
        }

        fn charts(sim: &Sim<Snowflake>, lang: Lang) -> Vec<Chart> {
            let workers = sim.params().workers as usize;
            let mut clocks = Chart::new(Axis::Real).height(200);
            for w in 0..workers.min(CLOCK_ROWS) {
                let pts: Vec<(f64, f64)> = sim
                    .samples()
                    .rev()
                    .take(SHOWN)
                    .map(|(t, offs)| (*t as f64 / NS_PER_S as f64, offs[w]))
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                clocks = clocks.line(format!("W{w}"), series(w), pts);
            }
            let per_s = 1_000.0 / sim.params().chart_bucket_ms as f64;
            let mut issued = Chart::new(Axis::Count).height(200);
            let mut problems = Chart::new(Axis::Count).height(200);
            for (l, p) in sim.policies().into_iter().enumerate() {
                let (ids, dups, refused) = sim.series(l);
                let name = policy_name(lang, p);
                issued = issued.line(name, series(l), recent(ids, SHOWN, per_s));
                problems = problems
                    .line(
                        format!("{name}: {}", tr_id(lang, "snowflake.m.duplicates")),
                        series(l),
                        recent(dups, SHOWN, 1.0),
                    )
                    .line(
                        format!("{name}: {}", tr_id(lang, "snowflake.m.refused")),
                        series(l + 4),
                        recent(refused, SHOWN, 1.0),
                    );
            }
            vec![clocks, issued, problems]
        }

        /// 5 ms of virtual time.
        fn step_to(sim: &Sim<Snowflake>) -> Nanos {
            sim.now() + 5 * NS_PER_MS
        }

        fn summary(sim: &Sim<Snowflake>, lang: Lang) -> String {
            let now = sim.now();
            let offs: Vec<f64> = (0..sim.params().workers as usize)
                .map(|w| sim.clock(w).offset(now) as f64 / NS_PER_MS as f64)
                .collect();
            let lo = offs.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = offs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let lanes: Vec<String> = sim
                .policies()
                .into_iter()
                .enumerate()
                .map(|(l, p)| {
                    fill(
                        tr(lang, tx::SUMMARY_LANE),
                        &[
                            policy_name(lang, p).to_string(),
                            count(lang, sim.issued(l)),
                            count(lang, sim.duplicates(l)),
                            count(lang, sim.refused(l)),
                        ],
                    )
                })
                .collect();
            fill(
                tr(lang, tx::SUMMARY),
                &[
                    sim.params().workers.to_string(),
                    real(lang, lo, 2),
                    real(lang, hi, 2),
                    lanes.join(" "),
                ],
            )
        }
    }
}

#[cfg(target_arch = "wasm32")]
pub use ui::Ui;

#[cfg(target_arch = "wasm32")]
mod ui {
    use flowlab_sim::labs::snowflake::{Fault, Snowflake, SnowflakeSnapshot};
    use crate::lab::why::{outline, tag, WhyShown};
    use flowlab_sim::kernel::why::EntKind;
    use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
    use yew::prelude::*;

    use super::text as tx;
    use super::view::policy_name;
    use super::{View, CLOCK_ROWS};
    use crate::i18n::{count, fill, real, tr, Lang};
    use crate::kit::canvas::{begin, describe, dot, set_css_height, text};
    use crate::kit::paint::{fill_style, Marks};
    use crate::kit::palette::{series_css, BG, DROP, INK, LANE_BG, MUTED, WAIT};
    use crate::lab::page::{LabUi, Side};
    use crate::lab::view::{Look, Shown};

    const CLOCK_ROW_PX: f64 = 22.0;
    const LANE_PX: f64 = 92.0;
    const BITS_PX: f64 = 86.0;

    pub struct Ui {
        canvas: NodeRef,
        /// The ids' marks (buffers kept between frames).
        marks: Marks,
    }

    fn height(workers: usize, lanes: usize) -> f64 {
        let rows = workers.min(CLOCK_ROWS) + 1 + usize::from(workers > CLOCK_ROWS);
        24.0 + rows as f64 * CLOCK_ROW_PX + lanes as f64 * LANE_PX + BITS_PX
    }

    impl LabUi for Ui {
        type L = Snowflake;
        type V = View;
        const EXPLAIN: &'static [(&'static str, &'static str)] = &[
            ("snowflake.explain.layout.title", "snowflake.explain.layout"),
            ("snowflake.explain.backwards.title", "snowflake.explain.backwards"),
            ("snowflake.explain.order.title", "snowflake.explain.order"),
        ];
        const CHARTS: &'static [&'static str] = &[
            "snowflake.chart.clocks",
            "snowflake.chart.issued",
            "snowflake.chart.problems",
        ];

        fn new() -> Self {
            Self {
                canvas: NodeRef::default(),
                marks: Marks::new(),
            }
        }

        fn stage(&self, side: Side) -> Html {
            // Its height follows the run (workers and lanes): set when drawing.
            html! { <canvas id={side.id("lab-canvas")} ref={self.canvas.clone()} class="lanes-canvas" role="img"></canvas> }
        }

        fn draw(&mut self, shown: &Shown<View>, look: &Look) {
            let snap = &shown.pic.snap;
            if let Some(c) = self.canvas.cast::<HtmlCanvasElement>() {
                set_css_height(&c, height(snap.offsets_ms.len(), snap.lanes.len()));
                paint(&c, snap, shown.pic.window_ms, look.lang, &mut self.marks, &shown.why);
                describe(&c, &shown.summary);
            }
        }

        fn verb_text(f: &Fault, lang: Lang) -> String {
            let (t, all, ms) = match *f {
                Fault::StepBack { all, ms } => (tx::V_STEP, all, ms),
                Fault::Leap { all, ms } => (tx::V_LEAP, all, ms),
                Fault::Freeze { all, ms } => (tx::V_FREEZE, all, ms),
            };
            let whom = tr(lang, if all { tx::V_ALL } else { tx::V_ONE });
            fill(tr(lang, t), &[whom.to_string(), ms.to_string()])
        }

        fn actions(_shown: &Shown<View>, apply: &Callback<Fault>, lang: Lang) -> Html {
            let b = |id: &'static str, label: crate::i18n::Tx, f: Fault| {
                let apply = apply.clone();
                html! {
                    <button class="btn small" data-action={id} onclick={Callback::from(move |_: MouseEvent| apply.emit(f))}>
                        { tr(lang, label) }
                    </button>
                }
            };
            html! {
                <section class="panel actions" id="actions" aria-label={tr(lang, tx::A_LABEL)}>
                    <span class="section-label">{ tr(lang, tx::A_LABEL) }</span>
                    { b("step-all", tx::A_STEP_ALL, Fault::StepBack { all: true, ms: 5 }) }
                    { b("step-one", tx::A_STEP_ONE, Fault::StepBack { all: false, ms: 5 }) }
                    { b("leap", tx::A_LEAP, Fault::Leap { all: true, ms: 100 }) }
                    { b("freeze", tx::A_FREEZE, Fault::Freeze { all: false, ms: 50 }) }
                </section>
            }
        }
    }


    fn paint(
        canvas: &HtmlCanvasElement,
        s: &SnowflakeSnapshot,
        window: u64,
        lang: Lang,
        marks: &mut Marks,
        why: &WhyShown,
    ) {
        tag(canvas, why);
        let workers = s.offsets_ms.len();
        let Some((ctx, w, _h)) = begin(canvas, height(workers, s.lanes.len()), BG) else {
            return;
        };
        let font = "12px system-ui, sans-serif";
        let left = (w * 0.22).clamp(110.0, 190.0);
        let right = w - 12.0;
        // Clocks: each worker's offset from true time on one axis.
        text(&ctx, tr(lang, tx::W_CLOCKS), 10.0, 16.0, INK, "600 13px system-ui, sans-serif");
        let span = s
            .offsets_ms
            .iter()
            .fold(5.0f64, |m, o| m.max(o.abs()))
            .ceil();
        let x_of = |ms: f64| left + (ms + span) / (2.0 * span) * (right - left);
        let mut y = 24.0;
        ctx.set_stroke_style_str(MUTED);
        ctx.set_line_width(1.0);
        let axis_bottom = y + (workers.min(CLOCK_ROWS) as f64 + 1.0) * CLOCK_ROW_PX;
        ctx.begin_path();
        ctx.move_to(x_of(0.0), y);
        ctx.line_to(x_of(0.0), axis_bottom);
        ctx.stroke();
        for wk in 0..workers.min(CLOCK_ROWS) {
            let mid = y + CLOCK_ROW_PX / 2.0;
            let label = fill(
                tr(lang, tx::W_WORKER),
                &[wk.to_string(), s.nodes.get(wk).copied().unwrap_or(0).to_string()],
            );
            text(&ctx, &label, 10.0, mid + 4.0, series_css(wk), font);
            if why.marks(EntKind::Worker, wk as u32) {
                outline(&ctx, 4.0, y + 1.0, w - 8.0, CLOCK_ROW_PX - 2.0);
            }
            ctx.set_fill_style_str(LANE_BG);
            ctx.fill_rect(left, mid - 1.0, right - left, 2.0);
            let off = s.offsets_ms[wk];
            fill_style(&ctx, series_css(wk));
            dot(&ctx, x_of(off), mid, 5.0);
            let mut note = format!("{} ms", real(lang, off, 2));
            if s.frozen[wk] {
                note = format!("{note} · {}", tr(lang, tx::W_FROZEN));
            }
            text(&ctx, &note, (x_of(off) + 8.0).min(right - 90.0), mid + 4.0, INK, font);
            y += CLOCK_ROW_PX;
        }
        if workers > CLOCK_ROWS {
            let lo = s.offsets_ms.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = s.offsets_ms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let mid = y + CLOCK_ROW_PX / 2.0;
            text(
                &ctx,
                &fill(
                    tr(lang, tx::W_MORE),
                    &[workers.to_string(), real(lang, lo, 2), real(lang, hi, 2)],
                ),
                10.0,
                mid + 4.0,
                MUTED,
                font,
            );
            for (wk, off) in s.offsets_ms.iter().enumerate().skip(CLOCK_ROWS) {
                marks.dot(series_css(wk), 1.0, x_of(*off), mid, 3.0);
            }
            y += CLOCK_ROW_PX;
        }
        text(&ctx, &format!("-{} ms", real(lang, span, 0)), x_of(-span), y + 12.0, MUTED, font);
        text(&ctx, "0", x_of(0.0) - 3.0, y + 12.0, MUTED, font);
        text(&ctx, &format!("+{} ms", real(lang, span, 0)), x_of(span) - 44.0, y + 12.0, MUTED, font);
        y += CLOCK_ROW_PX;

        // Lanes: ids placed by their timestamp bits, one row per worker.
        let ts_end = s.now_ts + 1;
        let ts_start = ts_end - window as i64;
        let x_ts = |ts: i64| left + (ts - ts_start) as f64 / window as f64 * (right - left);
        for (li, lane) in s.lanes.iter().enumerate() {
            let top = y;
            ctx.set_fill_style_str(LANE_BG);
            ctx.fill_rect(0.0, top + 2.0, w, LANE_PX - 4.0);
            if why.marks(EntKind::Lane, li as u32) {
                outline(&ctx, 2.0, top + 4.0, w - 4.0, LANE_PX - 8.0);
            }
            if let Some(p) = lane.policy {
                let title = fill(
                    tr(lang, tx::W_LANE),
                    &[
                        policy_name(lang, p).to_string(),
                        count(lang, lane.duplicates),
                        count(lang, lane.refused),
                    ],
                );
                let color = if lane.duplicates > 0 { DROP } else { INK };
                text(&ctx, policy_name(lang, p), 10.0, top + 20.0, INK, "600 13px system-ui, sans-serif");
                wrap_text(&ctx, &title, 10.0, top + 38.0, left - 16.0, color);
            }
            let rows = workers.clamp(1, 16) as f64;
            let row_h = (LANE_PX - 16.0) / rows;
            for r in &lane.runs {
                if r.ts < ts_start - 1 {
                    continue;
                }
                let x = x_ts(r.ts) + ((r.seq as f64) / 4096.0).min(1.0) * ((right - left) / window as f64);
                let row = (r.worker as usize % 16) as f64;
                let yy = top + 8.0 + (row + 0.5) * row_h;
                // In half pixels: a handful of sizes, so the marks batch.
                let radius = ((1.5 + (r.n as f64).log10()).clamp(1.5, 5.0) * 2.0).round() / 2.0;
                marks.dot(series_css(r.worker as usize), 1.0, x.min(right), yy, radius);
                if r.dup > 0 {
                    marks.ring(DROP, 1.0, x.min(right), yy, radius + 3.0, 2.0);
                }
            }
            y += LANE_PX;
        }
        // The ids, all at once.
        marks.paint(&ctx);
        text(
            &ctx,
            &fill(tr(lang, tx::W_TS_AXIS), &[window.to_string()]),
            left,
            y + 2.0,
            MUTED,
            "11px system-ui, sans-serif",
        );

        // The bits of the latest id of the first lane.
        if let Some(id) = s.lanes.first().and_then(|l| l.latest) {
            let top = y + 12.0;
            let cell = (right - 10.0) / 64.0;
            let tb = s.timestamp_bits as usize;
            let wb = s.worker_bits as usize;
            for bit in 0..64usize {
                let color = if bit == 0 {
                    "#3a4660"
                } else if bit <= tb {
                    "#42a5f5"
                } else if bit <= tb + wb {
                    "#ab82ff"
                } else {
                    "#35c46f"
                };
                let on = (id.id >> (63 - bit)) & 1 == 1;
                ctx.set_fill_style_str(color);
                ctx.set_global_alpha(if on { 1.0 } else { 0.3 });
                ctx.fill_rect(10.0 + bit as f64 * cell, top, (cell - 1.0).max(1.0), 16.0);
            }
            ctx.set_global_alpha(1.0);
            let parts = [
                fill(tr(lang, tx::W_TIMESTAMP), &[tb.to_string(), id.ts.to_string()]),
                fill(tr(lang, tx::W_NODE), &[wb.to_string(), id.node.to_string()]),
                fill(
                    tr(lang, tx::W_SEQUENCE),
                    &[s.sequence_bits.to_string(), id.seq.to_string()],
                ),
            ];
            let colors = ["#42a5f5", "#ab82ff", "#35c46f"];
            let mut x = 10.0;
            for (p, c) in parts.iter().zip(colors) {
                text(&ctx, p, x, top + 34.0, c, font);
                x += ctx.measure_text(p).map(|m| m.width()).unwrap_or(160.0) + 18.0;
            }
            text(
                &ctx,
                &fill(tr(lang, tx::W_LATEST), &[format!("{} (0x{:016x})", id.id, id.id)]),
                10.0,
                top + 54.0,
                WAIT,
                font,
            );
        }
    }

    /// Text wrapped to `width`, two lines at most.
    fn wrap_text(ctx: &CanvasRenderingContext2d, s: &str, x: f64, y: f64, width: f64, color: &str) {
        ctx.set_fill_style_str(color);
        ctx.set_font("11px system-ui, sans-serif");
        let mut line = String::new();
        let mut yy = y;
        let mut lines = 0;
        for word in s.split_inclusive([' ', '，', ',']) {
            let trial = format!("{line}{word}");
            let tw = ctx.measure_text(&trial).map(|m| m.width()).unwrap_or(0.0);
            if tw > width && !line.is_empty() {
                let _ = ctx.fill_text(line.trim_end(), x, yy);
                yy += 14.0;
                lines += 1;
                line = word.to_string();
                if lines == 2 {
                    return;
                }
            } else {
                line = trial;
            }
        }
        let _ = ctx.fill_text(line.trim_end(), x, yy);
    }
}
