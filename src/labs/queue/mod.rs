//! The partitioned-queue lab in the page: producers, replicated partitions and a consumer group
//! drawn with the messages moving between them, the faults and operator actions as buttons, and
//! charts of lag, throughput, latency and the checkers' counts.

#[cfg(target_arch = "wasm32")]
mod draw;
// The layout is plain numbers: tested natively, used by the picture in the page.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod layout;
pub mod text;
pub mod tour;

/// The engine lab this page shows.
pub type Engine = flowlab_sim::labs::queue::Queue;

pub use view::{consumer_status, Info, Pic, View};

/// The engine's side: the snapshot, the state the buttons follow, the charts and the words.
mod view {
    use flowlab_sim::kernel::time::{Nanos, NS_PER_MS, NS_PER_S};
    use flowlab_sim::labs::queue::{ConsumerView, Queue, QueueSnapshot};
    use flowlab_sim::{Model, Sim};
    use serde::{Deserialize, Serialize};

    use super::text as tx;
    use crate::i18n::{count, fill, real, tr, tr_id, Lang};
    use crate::kit::chart::{recent, Axis, Chart};
    use crate::kit::palette::series;
    use crate::lab::view::{LabView, Look};

    /// Chart buckets shown.
    const SHOWN: usize = 120;

    /// What the picture draws: the snapshot, and the span a particle takes to cross.
    #[derive(Clone, Debug, Default, Serialize, Deserialize)]
    pub struct Pic {
        pub snap: QueueSnapshot,
        pub span: Nanos,
    }

    /// What the buttons and the live figures follow.
    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
    pub struct Info {
        pub brokers_up: Vec<bool>,
        pub consumers_up: Vec<bool>,
        pub link_up: bool,
        pub partitions: u32,
        pub expired_waiting: u64,
        pub replay_pending: u64,
        /// Messages processed per second of virtual time so far (none at time 0).
        pub throughput: Option<f64>,
    }

    /// Virtual time a particle takes to cross: the same wall time whatever the speed.
    fn span(look: &Look) -> Nanos {
        look.virtual_span(700.0)
    }

    pub struct View;

    impl LabView for View {
        type L = Queue;
        type Pic = Pic;
        type Info = Info;

        fn picture(sim: &Sim<Queue>, look: &Look, out: &mut Pic) {
            out.span = span(look);
            sim.fill_snapshot(out.span, &mut out.snap);
        }

        fn info(sim: &Sim<Queue>, _lang: Lang) -> Info {
            let secs = sim.now() as f64 / NS_PER_S as f64;
            Info {
                brokers_up: (0..sim.params().brokers).map(|b| sim.broker_up(b)).collect(),
                consumers_up: (0..sim.consumer_count()).map(|c| sim.consumer_up(c)).collect(),
                link_up: sim.link_up(),
                partitions: sim.partitions(),
                expired_waiting: sim.expired_waiting() as u64,
                replay_pending: sim.replay_pending() as u64,
                throughput: (secs > 0.0).then(|| sim.stats().processed as f64 / secs),
            }
        }

        fn charts(sim: &Sim<Queue>, lang: Lang) -> Vec<Chart> {
            let s = sim.stats();
            let per_s = 1_000.0 / sim.params().chart_bucket_ms as f64;
            let mut lag = Chart::new(Axis::Count);
            for (i, ts) in s.lag_series.iter().enumerate() {
                lag = lag.line(format!("P{i}"), series(i), recent(ts, SHOWN, 1.0));
            }
            let throughput = Chart::new(Axis::Count)
                .line(tr(lang, tx::CH_SENT), series(1), recent(&s.sent_series, SHOWN, per_s))
                .line(
                    tr(lang, tx::CH_PROCESSED),
                    series(3),
                    recent(&s.processed_series, SHOWN, per_s),
                )
                .line(
                    tr(lang, tx::CH_REQUESTS),
                    series(4),
                    recent(&s.requests_series, SHOWN, per_s),
                );
            let ms = 1.0 / NS_PER_MS as f64;
            let latency = Chart::new(Axis::Ms)
                .log(true)
                .line("p50", series(1), recent(&s.p50_series, SHOWN, ms))
                .line("p99", series(0), recent(&s.p99_series, SHOWN, ms));
            let checkers = Chart::new(Axis::Count)
                .line(tr_id(lang, "queue.m.lost"), series(0), recent(&s.lost_series, SHOWN, 1.0))
                .line(
                    tr_id(lang, "queue.m.failed_visibly"),
                    series(4),
                    recent(&s.failed_series, SHOWN, 1.0),
                )
                .line(
                    tr(lang, tx::CH_DUPLICATES),
                    (255, 213, 74),
                    recent(&s.dup_series, SHOWN, 1.0),
                )
                .line(
                    tr_id(lang, "queue.m.order_violations"),
                    series(2),
                    recent(&s.reorder_series, SHOWN, 1.0),
                );
            vec![lag, throughput, latency, checkers]
        }

        fn summary(sim: &Sim<Queue>, lang: Lang) -> String {
            let mut snap = QueueSnapshot::default();
            sim.fill_snapshot(0, &mut snap);
            summary_of(sim, &snap, lang)
        }
    }

    /// The picture in words: the traffic, the brokers, each partition and each consumer.
    fn summary_of(sim: &Sim<Queue>, snap: &QueueSnapshot, lang: Lang) -> String {
        let s = sim.stats();
        let parts: Vec<String> = snap
            .partitions
            .iter()
            .enumerate()
            .map(|(p, pt)| match pt.leader {
                Some(b) => fill(
                    tr(lang, tx::SUMMARY_PART),
                    &[
                        p.to_string(),
                        b.to_string(),
                        count(lang, pt.hw),
                        count(lang, pt.committed),
                        count(lang, pt.lag()),
                    ],
                ),
                None => fill(
                    tr(lang, tx::SUMMARY_PART_OFFLINE),
                    &[p.to_string(), count(lang, pt.lag())],
                ),
            })
            .collect();
        let consumers: Vec<String> = snap
            .consumers
            .iter()
            .enumerate()
            .map(|(i, c)| {
                fill(
                    tr(lang, tx::SUMMARY_CONSUMER),
                    &[i.to_string(), consumer_status(c, lang)],
                )
            })
            .collect();
        let up = snap.brokers_up.iter().filter(|u| **u).count();
        fill(
            tr(lang, tx::SUMMARY),
            &[
                real(lang, sim.now() as f64 / NS_PER_S as f64, 1),
                count(lang, s.sent),
                count(lang, s.processed),
                count(lang, sim.total_lag()),
                up.to_string(),
                snap.brokers_up.len().to_string(),
                parts.join(" "),
                consumers.join(" "),
            ],
        )
    }

    /// What a consumer is doing, in words: down, left, idle, or the partitions it reads.
    pub fn consumer_status(c: &ConsumerView, lang: Lang) -> String {
        if !c.up {
            tr(lang, tx::W_DOWN).to_string()
        } else if !c.member {
            tr(lang, tx::W_LEFT).to_string()
        } else if c.partitions.is_empty() {
            tr(lang, tx::W_IDLE).to_string()
        } else {
            let ps: Vec<String> = c.partitions.iter().map(|p| format!("P{p}")).collect();
            ps.join(" ")
        }
    }
}

#[cfg(target_arch = "wasm32")]
pub use ui::Ui;

#[cfg(target_arch = "wasm32")]
mod ui {
    use flowlab_sim::labs::queue::params::MAX_PARTITIONS;
    use flowlab_sim::labs::queue::{Fault, Queue};
    use web_sys::HtmlCanvasElement;
    use yew::prelude::*;

    use super::text as tx;
    use super::View;
    use crate::i18n::{count, fill, real, tr, Lang, Tx};
    use crate::kit::canvas::describe;
    use crate::lab::page::{LabUi, Side};
    use crate::lab::view::{Look, Shown};

    /// What "pause" stops the consumers for, milliseconds.
    const PAUSE_MS: u32 = 5_000;

    pub struct Ui {
        canvas: NodeRef,
        /// The messages' marks (buffers kept between frames).
        marks: crate::kit::paint::Marks,
    }

    impl LabUi for Ui {
        type L = Queue;
        type V = View;
        const EXPLAIN: &'static [(&'static str, &'static str)] = &[
            ("queue.explain.acks.title", "queue.explain.acks"),
            ("queue.explain.idempotence.title", "queue.explain.idempotence"),
            ("queue.explain.order.title", "queue.explain.order"),
            ("queue.explain.commit.title", "queue.explain.commit"),
            ("queue.explain.backlog.title", "queue.explain.backlog"),
            ("queue.explain.dlq.title", "queue.explain.dlq"),
        ];
        const CHARTS: &'static [&'static str] = &[
            "queue.chart.lag",
            "queue.chart.throughput",
            "queue.chart.latency",
            "queue.chart.checkers",
        ];

        fn new() -> Self {
            Self {
                canvas: NodeRef::default(),
                marks: Default::default(),
            }
        }

        /// The canvas; its height follows its width and the run (the picture sets it).
        fn stage(&self, side: Side) -> Html {
            html! { <canvas id={side.id("lab-canvas")} ref={self.canvas.clone()} class="queue-canvas" role="img"></canvas> }
        }

        fn draw(&mut self, shown: &Shown<View>, look: &Look) {
            if let Some(c) = self.canvas.cast::<HtmlCanvasElement>() {
                super::draw::draw(
                    &c,
                    &shown.pic.snap,
                    shown.pic.span,
                    look.lang,
                    look.reduced_motion,
                    &mut self.marks,
                    &shown.why,
                );
                describe(&c, &shown.summary);
            }
        }

        /// The faults and operator actions, with the data-action names the old page had; their
        /// labels follow the run (a crashed broker offers a restart).
        fn verb_text(f: &Fault, lang: Lang) -> String {
            let n = |t, x: u32| fill(tr(lang, t), &[x.to_string()]);
            match *f {
                Fault::CrashBroker(b) => n(tx::A_CRASH_BROKER, b),
                Fault::RestartBroker(b) => n(tx::A_RESTART_BROKER, b),
                Fault::CrashLeaderOf(p) => n(tx::V_CRASH_LEADER, p),
                Fault::CrashConsumer(c) => n(tx::A_CRASH_CONSUMER, c),
                Fault::RestartConsumer(c) => n(tx::A_RESTART_CONSUMER, c),
                Fault::AddConsumer => tr(lang, tx::A_ADD_CONSUMER).into(),
                Fault::RemoveConsumer => tr(lang, tx::A_REMOVE_CONSUMER).into(),
                Fault::PauseConsumers(ms) => fill(tr(lang, tx::V_PAUSE), &[count(lang, u64::from(ms))]),
                Fault::CutLink => tr(lang, tx::A_CUT_LINK).into(),
                Fault::RestoreLink => tr(lang, tx::A_RESTORE_LINK).into(),
                Fault::InjectPoison => tr(lang, tx::A_POISON).into(),
                Fault::MoveBacklog(p) => n(tx::A_MOVE_BACKLOG, p),
                Fault::ReplayExpired => tr(lang, tx::V_REPLAY).into(),
            }
        }

        fn actions(shown: &Shown<View>, apply: &Callback<Fault>, lang: Lang) -> Html {
            let info = &shown.info;
            let button = |action: String, label: String, f: Fault, down: bool, disabled: bool| {
                let apply = apply.clone();
                html! {
                    <button class={classes!("btn", "small", down.then_some("down"))} data-action={action}
                        disabled={disabled} onclick={Callback::from(move |_: MouseEvent| apply.emit(f))}>
                        { label }
                    </button>
                }
            };
            let plain = |action: &str, label: Tx, f: Fault| {
                button(action.into(), tr(lang, label).into(), f, false, false)
            };
            let brokers = info.brokers_up.iter().enumerate().map(|(b, &up)| {
                let b = b as u32;
                let (f, label) = if up {
                    (Fault::CrashBroker(b), tx::A_CRASH_BROKER)
                } else {
                    (Fault::RestartBroker(b), tx::A_RESTART_BROKER)
                };
                button(format!("broker-{b}"), fill(tr(lang, label), &[b.to_string()]), f, !up, false)
            });
            let first_up = info.consumers_up.iter().position(|&u| u).map(|c| c as u32);
            let first_down = info.consumers_up.iter().position(|&u| !u).map(|c| c as u32);
            let link = if info.link_up {
                plain("cut-link", tx::A_CUT_LINK, Fault::CutLink)
            } else {
                button(
                    "restore-link".into(),
                    tr(lang, tx::A_RESTORE_LINK).into(),
                    Fault::RestoreLink,
                    true,
                    false,
                )
            };
            let grow = (info.partitions * 2).min(MAX_PARTITIONS);
            let expired = info.expired_waiting;
            html! {
                <section class="panel actions" id="actions" aria-label={tr(lang, tx::A_LABEL)}>
                    <span class="section-label">{ tr(lang, tx::A_LABEL) }</span>
                    { plain("crash-leader", tx::A_CRASH_LEADER, Fault::CrashLeaderOf(0)) }
                    { for brokers }
                    if let Some(c) = first_up {
                        { button("crash-consumer".into(), fill(tr(lang, tx::A_CRASH_CONSUMER), &[c.to_string()]),
                            Fault::CrashConsumer(c), false, false) }
                    }
                    if let Some(c) = first_down {
                        { button("restart-consumer".into(), fill(tr(lang, tx::A_RESTART_CONSUMER), &[c.to_string()]),
                            Fault::RestartConsumer(c), true, false) }
                    }
                    { plain("add-consumer", tx::A_ADD_CONSUMER, Fault::AddConsumer) }
                    { plain("remove-consumer", tx::A_REMOVE_CONSUMER, Fault::RemoveConsumer) }
                    { plain("pause", tx::A_PAUSE, Fault::PauseConsumers(PAUSE_MS)) }
                    { link }
                    { plain("poison", tx::A_POISON, Fault::InjectPoison) }
                    if grow > info.partitions {
                        { button("move-backlog".into(), fill(tr(lang, tx::A_MOVE_BACKLOG), &[grow.to_string()]),
                            Fault::MoveBacklog(grow), false, false) }
                    }
                    { button("replay".into(), fill(tr(lang, tx::A_REPLAY), &[count(lang, expired)]),
                        Fault::ReplayExpired, false, expired == 0) }
                </section>
            }
        }

        /// What the old page showed and the engine's report does not: the throughput, and the
        /// expired messages kept for a replay.
        fn extra(shown: &Shown<View>, lang: Lang) -> Html {
            let info = &shown.info;
            let throughput = match info.throughput {
                Some(t) => format!("{}/s", real(lang, t, 1)),
                None => "–".into(),
            };
            let figure = |id: &'static str, label: Tx, help: Tx, value: String| {
                html! {
                    <span class="figure" title={tr(lang, help)}>
                        <span class="figure-label">{ tr(lang, label) }</span>
                        <span class="figure-value" id={id}>{ value }</span>
                    </span>
                }
            };
            html! {
                <>
                <section class="panel figures-strip" id="queue-live" aria-label={tr(lang, tx::X_LABEL)}>
                    <span class="section-label">{ tr(lang, tx::X_LABEL) }</span>
                    { figure("q-throughput", tx::X_THROUGHPUT, tx::X_THROUGHPUT_HELP, throughput) }
                    { figure("q-expired-waiting", tx::X_EXPIRED_WAITING, tx::X_EXPIRED_WAITING_HELP,
                        count(lang, info.expired_waiting)) }
                    { figure("q-replaying", tx::X_REPLAYING, tx::X_REPLAYING_HELP,
                        count(lang, info.replay_pending)) }
                </section>
                { picture_table(&shown.pic.snap, lang) }
                </>
            }
        }

    }

    /// What the picture shows, as tables (for a screen reader, or to read exact figures): each
    /// partition's leader, in-sync replicas, offsets and lag, and each consumer's state.
    fn picture_table(snap: &flowlab_sim::labs::queue::QueueSnapshot, lang: Lang) -> Html {
        let none = || tr(lang, tx::T_NONE).to_string();
        let parts = snap.partitions.iter().enumerate().map(|(p, pt)| {
            let isr: Vec<String> = pt
                .replicas
                .iter()
                .filter(|r| r.in_sync && r.up)
                .map(|r| format!("B{}", r.broker))
                .collect();
            html! {
                <tr>
                    <th scope="row">{ format!("P{p}") }</th>
                    <td>{ pt.leader.map_or_else(none, |b| format!("B{b}")) }</td>
                    <td>{ if isr.is_empty() { none() } else { isr.join(", ") } }</td>
                    <td class="num">{ count(lang, pt.end) }</td>
                    <td class="num">{ count(lang, pt.hw) }</td>
                    <td class="num">{ count(lang, pt.committed) }</td>
                    <td class="num">{ count(lang, pt.lag()) }</td>
                    <td>{ pt.owner.map_or_else(none, |c| format!("C{c}")) }</td>
                </tr>
            }
        });
        let consumers = snap.consumers.iter().enumerate().map(|(i, c)| {
            let ps: Vec<String> = c.partitions.iter().map(|p| format!("P{p}")).collect();
            html! {
                <tr>
                    <th scope="row">{ format!("C{i}") }</th>
                    <td>{ super::draw::consumer_status(c, lang) }</td>
                    <td>{ if ps.is_empty() { none() } else { ps.join(", ") } }</td>
                </tr>
            }
        });
        html! {
            <details class="picture-table panel" id="queue-table">
                <summary>{ tr(lang, tx::T_TABLE) }</summary>
                <div class="scroll-x" tabindex="0" role="region" aria-label={tr(lang, tx::T_PARTITIONS)}>
                    <table class="data-table" id="queue-partitions">
                        <caption>{ tr(lang, tx::T_PARTITIONS) }</caption>
                        <thead><tr>
                            <th scope="col">{ tr(lang, tx::T_PARTITION) }</th>
                            <th scope="col">{ tr(lang, tx::T_LEADER) }</th>
                            <th scope="col">{ tr(lang, tx::T_IN_SYNC) }</th>
                            <th scope="col">{ tr(lang, tx::T_END) }</th>
                            <th scope="col">{ tr(lang, tx::T_HW) }</th>
                            <th scope="col">{ tr(lang, tx::T_COMMITTED) }</th>
                            <th scope="col">{ tr(lang, tx::T_LAG) }</th>
                            <th scope="col">{ tr(lang, tx::T_OWNER) }</th>
                        </tr></thead>
                        <tbody>{ for parts }</tbody>
                    </table>
                </div>
                <div class="scroll-x" tabindex="0" role="region" aria-label={tr(lang, tx::T_CONSUMERS)}>
                    <table class="data-table" id="queue-consumers">
                        <caption>{ tr(lang, tx::T_CONSUMERS) }</caption>
                        <thead><tr>
                            <th scope="col">{ tr(lang, tx::T_CONSUMER) }</th>
                            <th scope="col">{ tr(lang, tx::T_STATUS) }</th>
                            <th scope="col">{ tr(lang, tx::T_PARTITIONS) }</th>
                        </tr></thead>
                        <tbody>{ for consumers }</tbody>
                    </table>
                </div>
            </details>
        }
    }

}
