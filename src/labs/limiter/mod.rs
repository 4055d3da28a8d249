//! The rate-limiter lab in the page: its picture (five lanes), its charts and its words. The page
//! around it is the generic one.

#[cfg(target_arch = "wasm32")]
mod draw;
pub mod text;
pub mod tour;

/// The engine lab this page shows.
pub type Engine = flowlab_sim::limiter::Limiter;

pub use view::{LaneCounts, View};

/// The engine's side: the lanes' particles and counts, the charts and the words.
mod view {
    use flowlab_sim::kernel::time::{Nanos, NS_PER_MS, NS_PER_S};
    use flowlab_sim::limiter::{Algo, Limiter, LimiterSnapshot, View as Span};
    use flowlab_sim::{Model, Sim};
    use serde::{Deserialize, Serialize};

    use super::text as tx;
    use crate::i18n::{count, fill, tr, tr_id, Lang};
    use crate::kit::chart::{recent, Axis, Chart};
    use crate::kit::palette::series;
    use crate::lab::view::{LabView, Look};

    /// Chart buckets shown.
    const SHOWN: usize = 80;

    /// A lane's counts, beside its particles.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
    pub struct LaneCounts {
        pub accepted: u64,
        pub rejected: u64,
        pub p99_ns: u64,
    }

    /// What the picture draws.
    #[derive(Clone, Debug, Default, Serialize, Deserialize)]
    pub struct Pic {
        pub snap: LimiterSnapshot,
        pub lanes: [LaneCounts; 5],
    }

    /// Particles take a fixed wall time to cross, whatever the speed.
    fn span(look: &Look) -> Span {
        Span {
            lead_ns: look.virtual_span(500.0),
            trail_ns: look.virtual_span(1400.0),
        }
    }

    pub struct View;

    impl LabView for View {
        type L = Limiter;
        type Pic = Pic;
        type Info = ();

        fn prepare(sim: &mut Sim<Limiter>, look: &Look) {
            sim.set_lookahead(span(look).lead_ns);
        }

        fn picture(sim: &Sim<Limiter>, look: &Look, out: &mut Pic) {
            sim.fill_snapshot(span(look), &mut out.snap);
            for (o, l) in out.lanes.iter_mut().zip(sim.lanes()) {
                *o = LaneCounts {
                    accepted: l.accepted,
                    rejected: l.rejected,
                    p99_ns: l.delay.percentiles().p99_ns,
                };
            }
        }

        fn charts(sim: &Sim<Limiter>, lang: Lang) -> Vec<Chart> {
            let lanes = sim.lanes();
            let mut window = Chart::new(Axis::Count).height(300);
            let mut limits: Vec<f64> = Vec::new();
            for (i, l) in lanes.iter().enumerate() {
                let name = tr_id(lang, Algo::ALL[i].text());
                window = window.line(name, series(i), recent(&l.window_series, SHOWN, 1.0));
                let limit = l.nominal_limit();
                if !limits.iter().any(|x| (x - limit).abs() < 1e-9) {
                    limits.push(limit);
                    window = window.reference(
                        format!("{} {}", tr(lang, tx::LIMIT), crate::i18n::real(lang, limit, 1)),
                        series(i),
                        limit,
                    );
                }
            }
            let mut out = vec![window];
            for l in lanes {
                out.push(
                    Chart::new(Axis::Count)
                        .height(160)
                        .line(
                            tr_id(lang, "limiter.m.accepted"),
                            (53, 196, 111),
                            recent(&l.accepted_series, SHOWN, 1.0),
                        )
                        .line(
                            tr_id(lang, "limiter.m.rejected"),
                            (239, 83, 80),
                            recent(&l.rejected_series, SHOWN, 1.0),
                        ),
                );
            }
            out
        }

        /// To the next event: one request decided, or one leaving the leaky bucket.
        fn step_to(sim: &Sim<Limiter>) -> Nanos {
            let now = sim.now();
            sim.next_event_at()
                .unwrap_or(now + 100 * NS_PER_MS)
                .max(now)
        }

        fn summary(sim: &Sim<Limiter>, lang: Lang) -> String {
            let lanes: Vec<String> = sim
                .lanes()
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    fill(
                        tr(lang, tx::SUMMARY_LANE),
                        &[
                            tr_id(lang, Algo::ALL[i].text()).to_string(),
                            count(lang, l.accepted),
                            count(lang, l.rejected),
                            count(lang, l.max_in_window),
                            crate::i18n::real(lang, l.nominal_limit(), 1),
                        ],
                    )
                })
                .collect();
            fill(
                tr(lang, tx::SUMMARY),
                &[
                    format!("{:.1}", sim.now() as f64 / NS_PER_S as f64),
                    count(lang, sim.arrived()),
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
    use flowlab_sim::limiter::Limiter;
    use web_sys::HtmlCanvasElement;
    use yew::prelude::*;

    use crate::kit::canvas::describe;
    use crate::lab::page::{LabUi, Side};
    use crate::lab::view::{Look, Shown};

    pub struct Ui {
        lanes: NodeRef,
        /// The requests' marks (buffers kept between frames).
        marks: crate::kit::paint::Marks,
    }

    impl LabUi for Ui {
        type L = Limiter;
        type V = super::View;
        const EXPLAIN: &'static [(&'static str, &'static str)] = &[
            ("algo.fixed_window", "limiter.explain.fixed_window"),
            ("algo.sliding_log", "limiter.explain.sliding_log"),
            ("algo.sliding_counter", "limiter.explain.sliding_counter"),
            ("algo.token_bucket", "limiter.explain.token_bucket"),
            ("algo.leaky_bucket", "limiter.explain.leaky_bucket"),
        ];
        const CHARTS: &'static [&'static str] = &[
            "limiter.chart.window",
            "limiter.chart.throughput.fixed_window",
            "limiter.chart.throughput.sliding_log",
            "limiter.chart.throughput.sliding_counter",
            "limiter.chart.throughput.token_bucket",
            "limiter.chart.throughput.leaky_bucket",
        ];

        fn new() -> Self {
            Self {
                lanes: NodeRef::default(),
                marks: Default::default(),
            }
        }

        fn stage(&self, side: Side) -> Html {
            html! { <canvas id={side.id("lab-canvas")} ref={self.lanes.clone()} class="lanes-canvas" role="img"></canvas> }
        }

        fn draw(&mut self, shown: &Shown<super::View>, look: &Look) {
            if let Some(c) = self.lanes.cast::<HtmlCanvasElement>() {
                super::draw::draw_lanes(
                    &c,
                    &shown.pic.snap,
                    &shown.pic.lanes,
                    look.lang,
                    look.reduced_motion,
                    &mut self.marks,
                    &shown.why,
                );
                describe(&c, &shown.summary);
            }
        }
    }
}
