//! The cache lab in the page: one row per lane (app servers, L1, the cache nodes with how full they
//! are, the database with its load against capacity; requests as particles, stale reads ringed),
//! the consistent-hash ring under it, the operator's buttons (add, remove, crash a node), the
//! "keys moved" panel with the spread of keys over virtual nodes, charts and words.

#[cfg(target_arch = "wasm32")]
mod draw;
pub mod text;
pub mod tour;

/// The engine lab this page shows.
pub type Engine = flowlab_sim::labs::cache::Cache;

/// Virtual nodes per node compared in the spread table (with the run's own setting).
pub const SPREAD_VNODES: [u32; 4] = [1, 10, 100, 1_000];

/// The busiest node's keys over the mean for `nodes` and `keys` keys, at each number of virtual
/// nodes of [`SPREAD_VNODES`] and at `vnodes` (sorted, without repeats).
pub fn spread(nodes: &[u32], keys: u32, vnodes: u32) -> Vec<(u32, f64)> {
    use flowlab_sim::labs::cache::ring::{load, max_over_mean, Ring};
    let mut vs: Vec<u32> = SPREAD_VNODES.to_vec();
    vs.push(vnodes);
    vs.sort_unstable();
    vs.dedup();
    vs.into_iter()
        .map(|v| (v, max_over_mean(&load(&Ring::new(nodes, v), keys))))
        .collect()
}

pub use view::{Info, Pic, View};

/// The engine's side: the lanes and the ring, the state the buttons and the ring panel follow,
/// the charts and the words.
mod view {
    use std::cell::RefCell;

    use flowlab_sim::kernel::time::{Nanos, NS_PER_S};
    use flowlab_sim::labs::cache::{Cache, CacheSnapshot};
    use flowlab_sim::{Model, Sim};
    use serde::{Deserialize, Serialize};

    use super::text as tx;
    use crate::i18n::{count, fill, real, tr, tr_id, Lang};
    use crate::kit::chart::{recent, Axis, Chart};
    use crate::kit::palette::series;
    use crate::lab::view::{LabView, Look};

    /// Chart buckets shown.
    const SHOWN: usize = 150;
    /// Wall time a request takes to go out and come back in the picture, whatever the speed.
    const FLIGHT_WALL_MS: f64 = 1_000.0;

    /// What the pictures draw: the lanes and the ring, and the ring in words.
    #[derive(Clone, Debug, Default, Serialize, Deserialize)]
    pub struct Pic {
        pub snap: CacheSnapshot,
        pub span: Nanos,
        pub virtual_nodes: u32,
        pub ring_summary: String,
    }

    /// What the buttons and the ring panel follow.
    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
    pub struct Info {
        pub nodes: Vec<u32>,
        /// The last change's shares of keys moved: on the ring, and with mod N.
        pub change: Option<(f64, f64)>,
        pub change_text: String,
        pub spread: Vec<(u32, f64)>,
        pub virtual_nodes: u32,
    }

    fn span(look: &Look) -> Nanos {
        look.virtual_span(FLIGHT_WALL_MS)
    }

    /// What the spread table is for: the nodes, the keys, the virtual nodes per node.
    type SpreadKey = (Vec<u32>, u32, u32);
    /// (virtual nodes per node, busiest node's keys over the mean).
    type Spread = Vec<(u32, f64)>;

    thread_local! {
        /// The spread table, computed again only when what it is for changes.
        static SPREAD: RefCell<Option<(SpreadKey, Spread)>> = const { RefCell::new(None) };
    }

    fn spread_now(sim: &Sim<Cache>) -> Spread {
        let key: SpreadKey = (
            sim.nodes().to_vec(),
            sim.params().key_count,
            sim.params().virtual_nodes,
        );
        SPREAD.with(|s| {
            let mut s = s.borrow_mut();
            match &*s {
                Some((k, v)) if *k == key => v.clone(),
                _ => {
                    let v = super::spread(&key.0, key.1, key.2);
                    *s = Some((key, v.clone()));
                    v
                }
            }
        })
    }

    /// The last change of the cluster in words (or that there was none).
    fn change_text(sim: &Sim<Cache>, lang: Lang) -> String {
        match sim.last_change() {
            Some(c) => fill(
                tr(lang, if c.added { tx::RING_JOINED } else { tx::RING_LEFT }),
                &[
                    c.node.to_string(),
                    real(lang, c.at as f64 / NS_PER_S as f64, 2),
                    real(lang, 100.0 * c.ring_share, 1),
                    real(lang, 100.0 * c.mod_n_share, 1),
                ],
            ),
            None => tr(lang, tx::RING_NONE).to_string(),
        }
    }

    /// The ring in words (the ring canvas's text alternative).
    fn ring_summary(sim: &Sim<Cache>, snap: &CacheSnapshot, lang: Lang) -> String {
        let ring = &snap.ring;
        let total: u64 = ring.load.iter().sum::<u64>().max(1);
        let per_node: Vec<String> = ring
            .nodes
            .iter()
            .zip(&ring.load)
            .map(|(n, k)| {
                fill(
                    tr(lang, tx::W_NODE_KEYS),
                    &[
                        n.to_string(),
                        count(lang, *k),
                        real(lang, 100.0 * *k as f64 / total as f64, 1),
                    ],
                )
            })
            .collect();
        fill(
            tr(lang, tx::RING_SUMMARY),
            &[
                ring.nodes.len().to_string(),
                count(lang, sim.params().virtual_nodes as u64),
                per_node.join("; "),
                change_text(sim, lang),
            ],
        )
    }

    pub struct View;

    impl LabView for View {
        type L = Cache;
        type Pic = Pic;
        type Info = Info;

        fn picture(sim: &Sim<Cache>, look: &Look, out: &mut Pic) {
            out.span = span(look);
            sim.fill_snapshot(out.span, &mut out.snap);
            out.virtual_nodes = sim.params().virtual_nodes;
            out.ring_summary = ring_summary(sim, &out.snap, look.lang);
        }

        fn info(sim: &Sim<Cache>, lang: Lang) -> Info {
            let change = sim.last_change();
            Info {
                nodes: sim.nodes().to_vec(),
                change: change.map(|c| (c.ring_share, c.mod_n_share)),
                change_text: change_text(sim, lang),
                spread: spread_now(sim),
                virtual_nodes: sim.params().virtual_nodes,
            }
        }

        fn charts(sim: &Sim<Cache>, lang: Lang) -> Vec<Chart> {
            let per_s = 1_000.0 / sim.params().chart_bucket_ms as f64;
            let mut db = Chart::new(Axis::Count).height(240);
            let mut hits = Chart::new(Axis::Share).height(200);
            let mut stale = Chart::new(Axis::Count).height(180);
            for i in 0..sim.lane_count() {
                let s = sim.stats(i);
                let name = tr_id(lang, s.kind.text());
                db = db.line(name, series(i), recent(&s.db_series, SHOWN, per_s));
                let reads = recent(&s.reads_series, SHOWN, 1.0);
                let hit = recent(&s.hits_series, SHOWN, 1.0);
                let ratio: Vec<(f64, f64)> = reads
                    .iter()
                    .filter(|r| r.1 > 0.0)
                    .map(|&(t, r)| {
                        let h = hit.iter().find(|p| p.0 == t).map_or(0.0, |p| p.1);
                        (t, (h / r).min(1.0))
                    })
                    .collect();
                hits = hits.line(name, series(i), ratio);
                stale = stale.line(name, series(i), recent(&s.stale_series, SHOWN, 1.0));
            }
            db = db.reference(
                tr(lang, tx::W_CAPACITY),
                (200, 200, 200),
                sim.params().db_capacity_qps as f64,
            );
            vec![db, hits, stale]
        }

        fn summary(sim: &Sim<Cache>, lang: Lang) -> String {
            let cap = sim.params().db_capacity_qps as u64;
            let lanes: Vec<String> = (0..sim.lane_count())
                .map(|i| {
                    let s = sim.stats(i);
                    fill(
                        tr(lang, tx::SUMMARY_LANE),
                        &[
                            tr_id(lang, s.kind.text()).to_string(),
                            format!("{}%", real(lang, 100.0 * s.hit_ratio(), 1)),
                            count(lang, s.db_queries),
                            count(lang, s.peak_db_qps),
                            count(lang, cap),
                            count(lang, s.stale_reads),
                            count(lang, s.lost_writes),
                        ],
                    )
                })
                .collect();
            fill(
                tr(lang, tx::SUMMARY),
                &[
                    real(lang, sim.now() as f64 / NS_PER_S as f64, 1),
                    count(lang, sim.arrivals()),
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
    use flowlab_sim::labs::cache::{Cache, Fault, MAX_NODES};
    use web_sys::HtmlCanvasElement;
    use yew::prelude::*;

    use super::text as tx;
    use super::View;
    use crate::i18n::{count, fill, real, tr, Lang};
    use crate::kit::canvas::describe;
    use crate::lab::page::{LabUi, Side};
    use crate::lab::view::{Look, Shown};

    pub struct Ui {
        lanes: NodeRef,
        ring: NodeRef,
        /// What the ring was last drawn for (its generation, the language, the width), and
        /// whether keys were still flying then: the ring is redrawn only when one changes.
        /// The ring's words, too: the engine sends them in the language it was last told, which
        /// may come a frame after the page switched.
        ring_drawn: Option<(u64, Lang, i32, bool)>,
        ring_words: String,
        /// The requests' marks (buffers kept between frames).
        marks: crate::kit::paint::Marks,
    }

    impl LabUi for Ui {
        type L = Cache;
        type V = View;
        const EXPLAIN: &'static [(&'static str, &'static str)] = &[
            ("cache.explain.cache_aside.title", "cache.explain.cache_aside"),
            ("cache.explain.writes.title", "cache.explain.writes"),
            ("cache.explain.async.title", "cache.explain.async"),
            ("cache.explain.group.title", "cache.explain.group"),
            ("cache.explain.penetration.title", "cache.explain.penetration"),
            ("cache.explain.breakdown.title", "cache.explain.breakdown"),
            ("cache.explain.avalanche.title", "cache.explain.avalanche"),
            ("cache.explain.hashing.title", "cache.explain.hashing"),
            ("cache.explain.model.title", "cache.explain.model"),
        ];
        const CHARTS: &'static [&'static str] =
            &["cache.chart.db", "cache.chart.hits", "cache.chart.stale"];

        fn new() -> Self {
            Self {
                lanes: NodeRef::default(),
                ring: NodeRef::default(),
                ring_drawn: None,
                ring_words: String::new(),
                marks: Default::default(),
            }
        }

        fn stage(&self, side: Side) -> Html {
            // No height in the markup: the pictures set theirs from their width and content.
            html! {
                <>
                    <canvas id={side.id("lab-canvas")} ref={self.lanes.clone()} class="cache-canvas" role="img"></canvas>
                    <canvas id={side.id("ring-canvas")} ref={self.ring.clone()} class="ring-canvas" role="img"></canvas>
                </>
            }
        }

        fn draw(&mut self, shown: &Shown<View>, look: &Look) {
            let (snap, span) = (&shown.pic.snap, shown.pic.span);
            let lang = look.lang;
            if let Some(c) = self.lanes.cast::<HtmlCanvasElement>() {
                super::draw::draw_lanes(
                    &c,
                    snap,
                    span,
                    lang,
                    look.reduced_motion,
                    &mut self.marks,
                    &shown.why,
                );
                describe(&c, &shown.summary);
            }
            if let Some(c) = self.ring.cast::<HtmlCanvasElement>() {
                let flying = !look.reduced_motion
                    && snap
                        .ring
                        .last_change
                        .is_some_and(|ch| snap.now.saturating_sub(ch.at) < 2 * span);
                let key = (snap.ring.generation, lang, c.client_width(), flying);
                let was_flying = self.ring_drawn.is_some_and(|d| d.3);
                if flying
                    || was_flying
                    || self.ring_drawn != Some(key)
                    || self.ring_words != shown.pic.ring_summary
                {
                    super::draw::draw_ring(
                        &c,
                        &snap.ring,
                        shown.pic.virtual_nodes,
                        snap.now,
                        span,
                        lang,
                        look.reduced_motion,
                    );
                    describe(&c, &shown.pic.ring_summary);
                    self.ring_drawn = Some(key);
                    self.ring_words.clone_from(&shown.pic.ring_summary);
                }
            }
        }

        fn verb_text(f: &Fault, lang: Lang) -> String {
            match *f {
                Fault::AddNode => tr(lang, tx::A_ADD).into(),
                Fault::RemoveNode => tr(lang, tx::A_REMOVE).into(),
                Fault::CrashNode { node } => fill(tr(lang, tx::A_CRASH), &[node.to_string()]),
            }
        }

        fn actions(shown: &Shown<View>, apply: &Callback<Fault>, lang: Lang) -> Html {
            let nodes = &shown.info.nodes;
            let b = |id: &'static str, action: &'static str, label: String, f: Fault, off: bool| {
                let apply = apply.clone();
                html! {
                    <button id={id} class="btn small" data-action={action} disabled={off}
                        onclick={Callback::from(move |_: MouseEvent| apply.emit(f))}>
                        { label }
                    </button>
                }
            };
            let first = nodes.first().copied().unwrap_or(0);
            html! {
                <section class="panel actions" id="actions" aria-label={tr(lang, tx::A_LABEL)}>
                    <span class="section-label">{ tr(lang, tx::A_LABEL) }</span>
                    { b("btn-add-node", "add-node", tr(lang, tx::A_ADD).into(), Fault::AddNode,
                        nodes.len() as u32 >= MAX_NODES - 1) }
                    { b("btn-remove-node", "remove-node", tr(lang, tx::A_REMOVE).into(), Fault::RemoveNode,
                        nodes.len() <= 1) }
                    { b("btn-crash-node", "crash-node", fill(tr(lang, tx::A_CRASH), &[first.to_string()]),
                        Fault::CrashNode { node: first }, nodes.is_empty()) }
                </section>
            }
        }

        /// What the last ring change moved, on the ring and with mod N, and how evenly virtual
        /// nodes spread the keys.
        fn extra(shown: &Shown<View>, lang: Lang) -> Html {
            let info = &shown.info;
            let change = info.change;
            let vnodes = info.virtual_nodes;
            html! {
                <section class="panel ring-panel" id="ring" aria-label={tr(lang, tx::W_RING_TITLE)}>
                    <h2>{ tr(lang, tx::W_RING_TITLE) }</h2>
                    <p id="ring-change" class="watch"
                        data-ring-share={change.map(|c| format!("{:.4}", c.0))}
                        data-mod-n-share={change.map(|c| format!("{:.4}", c.1))}>
                        { info.change_text.clone() }
                    </p>
                    <h3>{ tr(lang, tx::SPREAD_TITLE) }</h3>
                    <table id="ring-spread" class="kv">
                        <thead><tr>
                            <th scope="col">{ tr(lang, tx::SPREAD_VNODES) }</th>
                            <th scope="col">{ tr(lang, tx::SPREAD_RATIO) }</th>
                        </tr></thead>
                        <tbody>
                            { for info.spread.iter().map(|&(v, r)| {
                                let now = v == vnodes;
                                let label = if now {
                                    fill(tr(lang, tx::SPREAD_NOW), &[count(lang, v as u64)])
                                } else {
                                    count(lang, v as u64)
                                };
                                html! {
                                    <tr data-vnodes={v.to_string()} class={classes!(now.then_some("current"))}>
                                        <td class="num">{ label }</td>
                                        <td class="num">{ real(lang, r, 2) }</td>
                                    </tr>
                                }
                            }) }
                        </tbody>
                    </table>
                </section>
            }
        }

    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_virtual_nodes_spread_keys_more_evenly() {
        let s = spread(&[0, 1, 2, 3], 20_000, 200);
        let vs: Vec<u32> = s.iter().map(|p| p.0).collect();
        assert_eq!(vs, [1, 10, 100, 200, 1_000]);
        assert!(s[0].1 > s[4].1, "{s:?}");
        assert!(s[4].1 < 1.1, "{s:?}");
        assert_eq!(spread(&[0, 1], 100, 100).len(), 4, "a setting in the list is not repeated");
    }

    /// The engine's text test runs the default params (one lane): every comparison's lanes need
    /// their names too.
    #[test]
    fn every_lane_of_every_comparison_has_a_name() {
        use flowlab_sim::kernel::knobs::Choice;
        use flowlab_sim::labs::cache::{lanes, CacheParams, Compare};
        for o in <Compare as Choice>::OPTIONS {
            let p = CacheParams {
                compare: serde_json::from_value(serde_json::json!(o.value)).unwrap(),
                ..CacheParams::default()
            };
            for (kind, _) in lanes(&p) {
                let id = kind.text();
                assert!(crate::i18n::both_id(id).is_some(), "{}: lane {id}", o.value);
            }
        }
    }
}
