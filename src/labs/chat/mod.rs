//! The group-chat offline-store lab in the page: four storage schemes fed the same messages,
//! churn and faults. The picture is one ring per scheme (the busiest group), the charts are rows
//! stored and disk write bandwidth, and the live `group_members` / `group_msgs` tables of scheme 4
//! sit under the picture. The page around it is the generic one.

#[cfg(target_arch = "wasm32")]
mod draw;
#[cfg(any(test, target_arch = "wasm32"))]
#[cfg(any(test, target_arch = "wasm32"))]
mod layout;
pub mod text;
pub mod tour;

/// The engine lab this page shows.
pub type Engine = flowlab_sim::labs::chat::Chat;

pub use view::{Pic, View};

/// The engine's side: the rings' snapshot, the charts and the words.
mod view {
    use flowlab_sim::kernel::time::{Nanos, NS_PER_MS, NS_PER_S};
    use flowlab_sim::labs::chat::{Chat, ChatSnapshot, Scheme};
    use flowlab_sim::{Model, Sim};
    use serde::{Deserialize, Serialize};

    use super::text as tx;
    use crate::i18n::{count, fill, tr, tr_id, Lang};
    use crate::kit::chart::{recent, Axis, Chart};
    use crate::kit::palette::series;
    use crate::lab::view::{LabView, Look};

    /// Chart buckets shown.
    const SHOWN: usize = 120;

    /// What the picture (and the tables under it) draw.
    #[derive(Clone, Debug, Default, Serialize, Deserialize)]
    pub struct Pic {
        pub snap: ChatSnapshot,
        pub span: Nanos,
        /// Messages each scheme lost.
        pub lost: [u64; 4],
    }

    /// Flows take the same wall time to cross a ring, whatever the speed.
    fn span(look: &Look) -> Nanos {
        look.virtual_span(1_200.0)
    }

    pub struct View;

    impl LabView for View {
        type L = Chat;
        type Pic = Pic;
        type Info = ();

        fn picture(sim: &Sim<Chat>, look: &Look, out: &mut Pic) {
            out.span = span(look);
            sim.fill_snapshot(out.span, &mut out.snap);
            out.lost = Scheme::ALL.map(|s| sim.stats(s).lost);
        }

        fn charts(sim: &Sim<Chat>, lang: Lang) -> Vec<Chart> {
            let bucket_s = sim.params().chart_bucket_ms as f64 / 1000.0;
            let mut rows = Chart::new(Axis::Count).height(240);
            let mut bandwidth = Chart::new(Axis::Count).height(240).log(true);
            for s in Scheme::ALL {
                let st = sim.stats(s);
                let name = tr_id(lang, s.text());
                let color = series(s.index());
                rows = rows.line(name, color, recent(&st.rows_series, SHOWN, 1.0));
                bandwidth = bandwidth.line(
                    name,
                    color,
                    recent(&st.write_series, SHOWN, 1.0 / bucket_s),
                );
            }
            vec![rows, bandwidth]
        }

        /// 100 ms of virtual time.
        fn step_to(sim: &Sim<Chat>) -> Nanos {
            sim.now() + 100 * NS_PER_MS
        }

        fn summary(sim: &Sim<Chat>, lang: Lang) -> String {
            let lanes: Vec<String> = Scheme::ALL
                .iter()
                .map(|&s| {
                    let st = sim.stats(s);
                    fill(
                        tr(lang, tx::SUMMARY_LANE),
                        &[
                            tr_id(lang, s.text()).to_string(),
                            count(lang, st.rows_stored),
                            count(lang, st.lost),
                            count(lang, st.duplicates_delivered),
                        ],
                    )
                })
                .collect();
            fill(
                tr(lang, tx::SUMMARY),
                &[
                    format!("{:.1}", sim.now() as f64 / NS_PER_S as f64),
                    count(lang, sim.messages()),
                    count(lang, sim.online_count()),
                    count(lang, sim.users() as u64),
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
    use flowlab_sim::kernel::time::NS_PER_S;
    use flowlab_sim::labs::chat::Chat;
    use web_sys::HtmlCanvasElement;
    use yew::prelude::*;

    use super::text as tx;
    use super::View;
    use crate::i18n::{real, tr, Lang};
    use crate::kit::canvas::describe;
    use crate::lab::page::{LabUi, Side};
    use crate::lab::view::{Look, Shown};

    pub struct Ui {
        canvas: NodeRef,
        painter: super::draw::Painter,
    }

    impl LabUi for Ui {
        type L = Chat;
        type V = View;
        const EXPLAIN: &'static [(&'static str, &'static str)] = &[
            ("chat.scheme.offline_copies", "chat.explain.offline_copies"),
            ("chat.scheme.copy_per_member", "chat.explain.copy_per_member"),
            ("chat.scheme.unread_ids", "chat.explain.unread_ids"),
            ("chat.scheme.cursor", "chat.explain.cursor"),
            ("chat.explain.cursor_writes.title", "chat.explain.cursor_writes"),
            ("chat.explain.batching.title", "chat.explain.batching"),
            ("chat.explain.contiguous.title", "chat.explain.contiguous"),
        ];
        const CHARTS: &'static [&'static str] = &["chat.chart.rows", "chat.chart.bandwidth"];

        fn new() -> Self {
            Self {
                canvas: NodeRef::default(),
                painter: Default::default(),
            }
        }

        fn stage(&self, side: Side) -> Html {
            // Its height follows the width (the rings go two by two on a phone): set by `draw`.
            html! {
                <canvas id={side.id("lab-canvas")} ref={self.canvas.clone()} class="chat-canvas" role="img"
                    style="width: 100%; display: block"></canvas>
            }
        }

        fn draw(&mut self, shown: &Shown<View>, look: &Look) {
            if let Some(c) = self.canvas.cast::<HtmlCanvasElement>() {
                let p = &shown.pic;
                self.painter
                    .paint(&c, &p.snap, p.span, &p.lost, look.lang, look.reduced_motion, &shown.why);
                describe(&c, &shown.summary);
            }
        }

        fn extra(shown: &Shown<View>, lang: Lang) -> Html {
            let snap = &shown.pic.snap;
            let online = |u: u32| snap.online.get(u as usize).copied().unwrap_or(false);
            html! {
                <section class="panel tables" id="chat-tables"
                    style="grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); margin-top: 14px">
                    <div class="scroll-x" tabindex="0" role="region" aria-labelledby="group-members-title">
                        <h2 id="group-members-title">{ tr(lang, tx::T_MEMBERS) }</h2>
                        <table id="group-members" class="sql">
                            <thead><tr>
                                <th scope="col">{ "gid" }</th><th scope="col">{ "uid" }</th>
                                <th scope="col">{ "last_ack_msgid" }</th><th scope="col">{ tr(lang, tx::T_ONLINE) }</th>
                            </tr></thead>
                            <tbody>{ for snap.group_members.iter().map(|&(g, u, c)| html! {
                                <tr>
                                    <td>{ g }</td><td>{ u }</td><td class="num">{ c }</td>
                                    <td>{ if online(u) { "●" } else { "○" } }</td>
                                </tr>
                            }) }</tbody>
                        </table>
                    </div>
                    <div class="scroll-x" tabindex="0" role="region" aria-labelledby="group-msgs-title">
                        <h2 id="group-msgs-title">{ tr(lang, tx::T_MSGS) }</h2>
                        <table id="group-msgs" class="sql">
                            <thead><tr>
                                <th scope="col">{ "msgid" }</th><th scope="col">{ "gid" }</th>
                                <th scope="col">{ "sender_uid" }</th><th scope="col">{ "time" }</th>
                            </tr></thead>
                            <tbody>{ for snap.group_msgs.iter().map(|&(id, g, s, t)| html! {
                                <tr>
                                    <td class="num">{ id }</td><td>{ g }</td><td>{ s }</td>
                                    <td class="num">{ format!("{} s", real(lang, t as f64 / NS_PER_S as f64, 3)) }</td>
                                </tr>
                            }) }</tbody>
                        </table>
                    </div>
                </section>
            }
        }

    }
}
