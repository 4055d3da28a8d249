//! The cache lab page: variants side by side on the same requests, the ring, charts and results.

use flowlab_sim::cache::ring::{load, max_over_mean, Ring};
use flowlab_sim::cache::{
    presets, CacheLab, CacheParams, CacheSnapshot, Compare, Hashing, MissGuard, RingChange,
    Strategy,
};
use flowlab_sim::kernel::time::{Nanos, NS_PER_MS, NS_PER_S};
use flowlab_sim::Model;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use crate::charts::{draw_lines, recent, Line};
use crate::components::fields::{CheckField, NumField, SelectField};
use crate::draw_cache::{lane_name, lanes_height, LANE_COLORS};
use crate::i18n::{tr, Lang, T};
use crate::lab::{
    build_or_default, input_problem, presets_bar, url_notice, use_lab_state, use_player,
    use_ticker, Animated, LabParams, LabState, Pacing, Playable, Shared, REFRESH_MS,
};

const ROUTE: &str = "/cache";
/// Chart buckets shown.
const SHOWN_BUCKETS: usize = 150;
/// Virtual nodes compared in the load-spread table.
const SPREAD_VNODES: [u32; 4] = [1, 10, 100, 1_000];

impl LabParams for CacheParams {
    fn preset(id: &str) -> Option<flowlab_sim::kernel::preset::Preset<Self>> {
        presets::by_id(id)
    }
}

type State = LabState<CacheParams>;

fn preset_text(id: &str) -> (T, T) {
    match id {
        "hot_key_expiry" => (T::PresetHotKey, T::PresetHotKeyWatch),
        "avalanche" => (T::PresetAvalanche, T::PresetAvalancheWatch),
        "penetration" => (T::PresetPenetration, T::PresetPenetrationWatch),
        "cache_aside_race" => (T::PresetRace, T::PresetRaceWatch),
        "write_behind_crash" => (T::PresetWriteBehind, T::PresetWriteBehindWatch),
        "group_profile" => (T::PresetGroupProfile, T::PresetGroupProfileWatch),
        _ => (T::PresetConsistentHashing, T::PresetConsistentHashingWatch),
    }
}

fn compare_label(c: Compare) -> T {
    match c {
        Compare::Off => T::CmpOff,
        Compare::Breakdown => T::CmpBreakdown,
        Compare::Avalanche => T::CmpAvalanche,
        Compare::Penetration => T::CmpPenetration,
        Compare::Consistency => T::CmpConsistency,
        Compare::Writes => T::CmpWrites,
        Compare::GroupQuery => T::CmpGroupQuery,
        Compare::Hashing => T::CmpHashing,
    }
}

fn strategy_label(s: Strategy) -> T {
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
    }
}

fn guard_label(g: MissGuard) -> T {
    match g {
        MissGuard::None => T::GuardNone,
        MissGuard::SingleFlight => T::GuardSingleFlight,
        MissGuard::Mutex => T::GuardMutex,
        MissGuard::LogicalExpiry => T::GuardLogicalExpiry,
    }
}

struct Runtime {
    model: CacheLab,
    snap: CacheSnapshot,
    pace: Pacing,
    /// (virtual nodes, busiest node's keys over the mean) for the current nodes.
    spread: Vec<(u32, f64)>,
    spread_nodes: Vec<u32>,
    lanes: NodeRef,
    ring: NodeRef,
    qps: NodeRef,
    hits: NodeRef,
}

impl Runtime {
    /// Virtual time a particle takes to go and come back, for a fixed wall time whatever the speed.
    fn span(&self) -> Nanos {
        self.pace.virtual_span(1_000.0)
    }

    fn refresh_spread(&mut self) {
        if self.spread_nodes == self.model.nodes() && !self.spread.is_empty() {
            return;
        }
        let nodes = self.model.nodes().to_vec();
        let keys = self.model.params().key_count;
        self.spread = SPREAD_VNODES
            .iter()
            .map(|&v| (v, max_over_mean(&load(&Ring::new(&nodes, v), keys))))
            .collect();
        self.spread_nodes = nodes;
    }
}

fn build_model(s: &State) -> CacheLab {
    build_or_default(&s.params, s.seed)
}

impl Playable for Runtime {
    type Params = CacheParams;

    fn rebuild(&mut self, state: &State) {
        self.model = build_model(state);
        self.spread.clear();
        self.pace.charts_dirty = true;
    }

    fn set_pacing(&mut self, playing: bool, speed: f64, lang: Lang) {
        self.pace.set(playing, speed, lang);
    }

    /// 50 ms of virtual time.
    fn step(&mut self) {
        let next = self.model.now() + 50 * NS_PER_MS;
        self.pace.step_to(&mut self.model, next);
    }
}

impl Animated for Runtime {
    fn frame(&mut self, ts: f64, dt_ms: f64) {
        self.pace.advance(&mut self.model, dt_ms);
        let span = self.span();
        self.model.fill_snapshot(span, &mut self.snap);
        if let Some(c) = self.lanes.cast::<HtmlCanvasElement>() {
            crate::draw_cache::draw_lanes(&c, &self.snap, span, self.pace.lang);
        }
        if let Some(c) = self.ring.cast::<HtmlCanvasElement>() {
            crate::draw_cache::draw_ring(&c, &self.snap.ring, self.snap.now, span, self.pace.lang);
        }
        if self.pace.charts_due(ts) {
            self.refresh_spread();
            let lang = self.pace.lang;
            let bucket_s = self.model.params().chart_bucket_ms as f64 / 1000.0;
            let n = self.model.lane_count();
            let color = |i: usize| LANE_COLORS[i % LANE_COLORS.len()];
            if let Some(c) = self.qps.cast::<HtmlCanvasElement>() {
                let mut data: Vec<Line<'static>> = (0..n)
                    .map(|i| {
                        let s = self.model.stats(i);
                        (
                            lane_name(lang, s.kind),
                            color(i),
                            recent(&s.db_series, SHOWN_BUCKETS, 1.0 / bucket_s),
                        )
                    })
                    .collect();
                let cap = self.model.params().db_capacity_qps as f64;
                let xs: Vec<f64> = data
                    .iter()
                    .flat_map(|l| [l.2.first().map(|p| p.0), l.2.last().map(|p| p.0)])
                    .flatten()
                    .collect();
                if let (Some(a), Some(b)) = (
                    xs.iter().copied().reduce(f64::min),
                    xs.iter().copied().reduce(f64::max),
                ) {
                    data.push((
                        tr(lang, T::CapacityLine),
                        (200, 200, 200),
                        vec![(a, cap), (b, cap)],
                    ));
                }
                draw_lines(&c, 240, &data, false);
            }
            if let Some(c) = self.hits.cast::<HtmlCanvasElement>() {
                let data: Vec<Line<'static>> = (0..n)
                    .map(|i| {
                        let s = self.model.stats(i);
                        let reads = recent(&s.reads_series, SHOWN_BUCKETS, 1.0);
                        let hits = recent(&s.hits_series, SHOWN_BUCKETS, 1.0);
                        let pts = reads
                            .iter()
                            .filter(|r| r.1 > 0.0)
                            .map(|&(t, r)| {
                                let h = hits.iter().find(|p| p.0 == t).map(|p| p.1).unwrap_or(0.0);
                                (t, 100.0 * h / r)
                            })
                            .collect();
                        (lane_name(lang, s.kind), color(i), pts)
                    })
                    .collect();
                draw_lines(&c, 200, &data, false);
            }
        }
    }
}

#[derive(Properties, PartialEq)]
struct LiveProps {
    rt: Shared<Runtime>,
}

#[function_component(LiveClock)]
fn live_clock(props: &LiveProps) -> Html {
    use_ticker(REFRESH_MS);
    let lang = use_context::<Lang>().unwrap_or_default();
    let rt = props.rt.0.borrow();
    html! {
        <span class="clock" id="virtual-clock">
            { format!("{}: {} · {}: {:.3} s", tr(lang, T::Requests), rt.model.arrivals(), tr(lang, T::VirtualTime), rt.model.now() as f64 / NS_PER_S as f64) }
        </span>
    }
}

#[function_component(LiveResults)]
fn live_results(props: &LiveProps) -> Html {
    use_ticker(REFRESH_MS);
    let lang = use_context::<Lang>().unwrap_or_default();
    let rt = props.rt.0.borrow();
    let ms = |ns: u64| {
        let v = ns as f64 / 1e6;
        if v < 10.0 {
            format!("{v:.2} ms")
        } else {
            format!("{v:.0} ms")
        }
    };
    let keys = rt.model.params().key_count as f64;
    let rows = (0..rt.model.lane_count()).map(|i| {
        let s = rt.model.stats(i);
        let r = s.read_latency.percentiles();
        let w = s.write_latency.percentiles();
        let nodes = rt.model.nodes();
        let ops: Vec<String> = nodes
            .iter()
            .map(|&n| s.node_ops.get(n as usize).copied().unwrap_or(0).to_string())
            .collect();
        html! {
            <tr data-lane={s.kind.id()}>
                <td>{ lane_name(lang, s.kind) }</td>
                <td class="num">{ format!("{:.1}%", 100.0 * s.hit_ratio()) }</td>
                <td class="num">{ s.hits_l1 }</td>
                <td class="num" data-col="db">{ s.db_queries }</td>
                <td class="num">{ s.peak_db_qps }</td>
                <td class={classes!("num", (s.overload_ns > 0).then_some("over"))}>{ format!("{:.1} s", s.overload_ns as f64 / 1e9) }</td>
                <td class={classes!("num", (s.read_errors + s.write_errors > 0).then_some("over"))}>{ s.read_errors + s.write_errors }</td>
                <td class={classes!("num", (s.stale_reads > 0).then_some("over"))} data-col="stale">{ s.stale_reads }</td>
                <td class="num">{ ms(s.max_staleness_ns) }</td>
                <td class={classes!("num", (s.lost_writes > 0).then_some("over"))} data-col="lost">{ s.lost_writes }</td>
                <td class="num">{ ms(r.p50_ns.min(r.max_ns)) }</td>
                <td class="num">{ ms(r.p99_ns.min(r.max_ns)) }</td>
                <td class="num" data-col="write-p50">{ ms(w.p50_ns.min(w.max_ns)) }</td>
                <td class="num" data-col="loads">{ s.max_loads_per_fill }</td>
                <td class="num" data-col="moved">{ format!("{} ({:.0}%)", s.keys_moved, 100.0 * s.keys_moved as f64 / keys) }</td>
                <td class="num small">{ ops.join(" · ") }</td>
            </tr>
        }
    });
    html! { <tbody>{ for rows }</tbody> }
}

#[function_component(LiveRing)]
fn live_ring(props: &LiveProps) -> Html {
    use_ticker(REFRESH_MS);
    let lang = use_context::<Lang>().unwrap_or_default();
    let rt = props.rt.0.borrow();
    let change = match rt.model.last_change() {
        Some(c) => tr(
            lang,
            if c.added {
                T::RingChangeJoined
            } else {
                T::RingChangeLeft
            },
        )
        .replace("{node}", &c.node.to_string())
        .replace("{ring}", &format!("{:.1}", 100.0 * c.ring_share))
        .replace("{modn}", &format!("{:.1}", 100.0 * c.mod_n_share)),
        None => tr(lang, T::RingNoChange).to_string(),
    };
    html! {
        <div class="ring-side">
            <p id="ring-change" class="watch">{ change }</p>
            <h3>{ tr(lang, T::RingSpreadTitle) }</h3>
            <table id="ring-spread">
                <thead><tr><th>{ tr(lang, T::RingVnodesCol) }</th><th>{ tr(lang, T::RingMaxOverMean) }</th></tr></thead>
                <tbody>{ for rt.spread.iter().map(|(v, r)| html! {
                    <tr><td class="num">{ v }</td><td class="num">{ format!("{r:.2}") }</td></tr>
                }) }</tbody>
            </table>
        </div>
    }
}

#[function_component(CacheLabPage)]
pub fn cache_lab_page() -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let state = use_lab_state::<CacheParams>(ROUTE);
    let lanes_ref = use_node_ref();
    let ring_ref = use_node_ref();
    let qps_ref = use_node_ref();
    let hits_ref = use_node_ref();
    let runtime = {
        let (lanes, ring, qps, hits) = (
            lanes_ref.clone(),
            ring_ref.clone(),
            qps_ref.clone(),
            hits_ref.clone(),
        );
        use_mut_ref(|| Runtime {
            model: build_model(&state),
            snap: CacheSnapshot::default(),
            pace: Pacing::new(lang),
            spread: Vec::new(),
            spread_nodes: Vec::new(),
            lanes,
            ring,
            qps,
            hits,
        })
    };
    let player = use_player(&state, &runtime, lang);
    let on_set = player.on_set.clone();
    let shared = Shared(runtime.clone());
    let p = &state.params;
    let lane_count = flowlab_sim::cache::lanes(p).len();

    let verb = |f: fn(&mut CacheLab)| {
        let runtime = runtime.clone();
        Callback::from(move |_: MouseEvent| {
            let mut rt = runtime.borrow_mut();
            f(&mut rt.model);
            rt.pace.charts_dirty = true;
        })
    };
    let on_add = verb(|m| {
        m.add_node();
    });
    let on_remove = verb(|m| {
        m.remove_node();
    });
    let on_crash = verb(|m| {
        if let Some(&n) = m.nodes().first() {
            m.crash_node(n);
        }
    });

    let num = |label: T, key: &'static str, value: String, min: &'static str, max: &'static str| {
        html! { <NumField label={label} param={key} value={value} min={min} max={max} on_set={on_set.clone()} /> }
    };
    let share = |label: T, key: &'static str, value: f64| {
        html! { <NumField label={label} param={key} value={value.to_string()} min="0" max="1" step={AttrValue::from("0.01")} on_set={on_set.clone()} /> }
    };
    let check = |label: T, key: &'static str, value: bool| {
        html! { <CheckField label={label} param={key} checked={value} on_set={on_set.clone()} /> }
    };
    let compare_options: Vec<(AttrValue, T)> = Compare::ALL
        .iter()
        .map(|&c| (AttrValue::from(c.as_str()), compare_label(c)))
        .collect();
    let strategy_options: Vec<(AttrValue, T)> = Strategy::ALL
        .iter()
        .map(|&s| (AttrValue::from(s.as_str()), strategy_label(s)))
        .collect();
    let guard_options: Vec<(AttrValue, T)> = MissGuard::ALL
        .iter()
        .map(|&g| (AttrValue::from(g.as_str()), guard_label(g)))
        .collect();
    let hashing_options: Vec<(AttrValue, T)> = vec![
        (AttrValue::from("ring"), T::HashRing),
        (AttrValue::from("mod_n"), T::HashModN),
    ];
    let change_options: Vec<(AttrValue, T)> = vec![
        (AttrValue::from("none"), T::RcNone),
        (AttrValue::from("add_node"), T::RcAdd),
        (AttrValue::from("remove_node"), T::RcRemove),
    ];
    let hashing = match p.hashing {
        Hashing::Ring => "ring",
        Hashing::ModN => "mod_n",
    };
    let change = match p.ring_change {
        RingChange::None => "none",
        RingChange::AddNode => "add_node",
        RingChange::RemoveNode => "remove_node",
    };
    let preset_ids: Vec<&'static str> = presets::all().iter().map(|p| p.id).collect();
    let explain = [
        (T::ExplCacheAsideT, T::ExplCacheAside),
        (T::ExplWriteT, T::ExplWrite),
        (T::ExplAsyncT, T::ExplAsync),
        (T::ExplPenetrationT, T::ExplPenetration),
        (T::ExplBreakdownT, T::ExplBreakdown),
        (T::ExplAvalancheT, T::ExplAvalanche),
        (T::ExplHashingT, T::ExplHashing),
        (T::ExplGroupT, T::ExplGroup),
        (T::ExplModelT, T::ExplModel),
    ];

    html! {
        <div class="lab cache-lab">
            <section class="lab-head">
                <h1>{ tr(lang, T::CacheTitle) }</h1>
                <p class="intro">{ tr(lang, T::CacheIntro) }</p>
            </section>
            { url_notice(lang, &state) }
            { presets_bar(lang, &preset_ids, &state, &player.playing, preset_text) }
            <div class="control-bar">
                { player.controls(state.seed) }
                <span class="verbs">
                    <span class="section-label">{ tr(lang, T::VerbsLabel) }</span>
                    <button id="btn-add-node" class="btn small" onclick={on_add}>{ tr(lang, T::VerbAddNode) }</button>
                    <button id="btn-remove-node" class="btn small" onclick={on_remove}>{ tr(lang, T::VerbRemoveNode) }</button>
                    <button id="btn-crash-node" class="btn small" onclick={on_crash}>{ tr(lang, T::VerbCrashNode) }</button>
                </span>
                <LiveClock rt={shared.clone()} />
            </div>
            { input_problem(lang, &state) }
            <div class="stage">
                <canvas id="lab-canvas" ref={lanes_ref} class="cache-canvas" style={format!("height: {}px", lanes_height(lane_count))}></canvas>
                <p class="legend">{ tr(lang, T::CacheLegend) }</p>
            </div>
            <section class="panel results">
                <h2>{ tr(lang, T::Results) }</h2>
                <div class="scroll-x">
                <table id="results">
                    <thead><tr>
                        <th>{ tr(lang, T::ColLane) }</th><th>{ tr(lang, T::ColHitRatio) }</th><th>{ tr(lang, T::ColHitL1) }</th>
                        <th>{ tr(lang, T::ColDbQueries) }</th><th>{ tr(lang, T::ColPeakQps) }</th><th>{ tr(lang, T::ColOverload) }</th>
                        <th>{ tr(lang, T::ColTimeouts) }</th><th>{ tr(lang, T::ColStale) }</th><th>{ tr(lang, T::ColMaxStale) }</th>
                        <th>{ tr(lang, T::ColLost) }</th><th>{ tr(lang, T::ColReadP50) }</th><th>{ tr(lang, T::ColReadP99) }</th>
                        <th>{ tr(lang, T::ColWriteP50) }</th><th>{ tr(lang, T::ColLoadsPerFill) }</th><th>{ tr(lang, T::ColKeysMoved) }</th>
                        <th>{ tr(lang, T::ColNodeLoad) }</th>
                    </tr></thead>
                    <LiveResults rt={shared.clone()} />
                </table>
                </div>
            </section>
            <div class="columns">
                <section class="panel controls">
                    <h2>{ tr(lang, T::Controls) }</h2>
                    <fieldset>
                        <legend>{ tr(lang, T::CCompare) }</legend>
                        <SelectField label={T::CCompare} param="compare" value={p.compare.as_str()} options={compare_options} on_set={on_set.clone()} />
                    </fieldset>
                    <fieldset>
                        <legend>{ tr(lang, T::SecClients) }</legend>
                        { num(T::CRatePerS, "rate_per_s", p.rate_per_s.to_string(), "0", "200000") }
                        { share(T::CReadShare, "read_share", p.read_share) }
                        { num(T::CKeyCount, "key_count", p.key_count.to_string(), "1", "50000") }
                        <NumField label={T::CZipf} param="zipf_exponent" value={p.zipf_exponent.to_string()} min="0" max="3" step={AttrValue::from("0.1")} on_set={on_set.clone()} />
                        { share(T::CHotKeyShare, "hot_key_share", p.hot_key_share) }
                        { share(T::CMissingShare, "missing_share", p.missing_share) }
                        { num(T::CMissingKeySpace, "missing_key_space", p.missing_key_space.to_string(), "1", "1000000000") }
                        { num(T::CBurstSize, "burst_size", p.burst_size.to_string(), "0", "20000") }
                        { num(T::CBurstEveryMs, "burst_every_ms", p.burst_every_ms.to_string(), "10", "3600000") }
                        { num(T::CBurstWidthMs, "burst_width_ms", p.burst_width_ms.to_string(), "0", "3600000") }
                        { num(T::CAppServers, "app_servers", p.app_servers.to_string(), "1", "64") }
                    </fieldset>
                    <fieldset>
                        <legend>{ tr(lang, T::SecDatabase) }</legend>
                        { num(T::CDbReadUs, "db_read_us", p.db_read_us.to_string(), "1", "10000000") }
                        { num(T::CDbWriteUs, "db_write_us", p.db_write_us.to_string(), "1", "10000000") }
                        { num(T::CDbCapacity, "db_capacity_qps", p.db_capacity_qps.to_string(), "1", "10000000") }
                        { num(T::CDbTimeoutMs, "db_timeout_ms", p.db_timeout_ms.to_string(), "1", "60000") }
                    </fieldset>
                    <fieldset>
                        <legend>{ tr(lang, T::SecCache) }</legend>
                        <SelectField label={T::CStrategy} param="strategy" value={p.strategy.as_str()} options={strategy_options} on_set={on_set.clone()} />
                        { num(T::CNodes, "nodes", p.nodes.to_string(), "1", "31") }
                        { num(T::CNodeMemory, "node_memory_keys", p.node_memory_keys.to_string(), "1", "1000000") }
                        { num(T::CCacheOpUs, "cache_op_us", p.cache_op_us.to_string(), "1", "1000000") }
                        { num(T::CTtlMs, "ttl_ms", p.ttl_ms.to_string(), "1", "3600000") }
                        { share(T::CTtlJitter, "ttl_jitter", p.ttl_jitter) }
                        { check(T::CWarmStart, "warm_start", p.warm_start) }
                        { num(T::CL1Keys, "l1_keys", p.l1_keys.to_string(), "0", "100000") }
                        { num(T::CL1TtlMs, "l1_ttl_ms", p.l1_ttl_ms.to_string(), "1", "3600000") }
                        { num(T::CDoubleDeleteMs, "double_delete_delay_ms", p.double_delete_delay_ms.to_string(), "0", "60000") }
                        { num(T::CInvalidationLagMs, "invalidation_lag_ms", p.invalidation_lag_ms.to_string(), "0", "60000") }
                        { num(T::CFlushIntervalMs, "flush_interval_ms", p.flush_interval_ms.to_string(), "1", "3600000") }
                    </fieldset>
                    <fieldset>
                        <legend>{ tr(lang, T::SecProtections) }</legend>
                        <SelectField label={T::CMissGuard} param="miss_guard" value={p.miss_guard.as_str()} options={guard_options} on_set={on_set.clone()} />
                        { num(T::CLockWaitMs, "lock_wait_ms", p.lock_wait_ms.to_string(), "1", "10000") }
                        { check(T::CCacheNull, "cache_null", p.cache_null) }
                        { num(T::CNullTtlMs, "null_ttl_ms", p.null_ttl_ms.to_string(), "1", "3600000") }
                        { check(T::CBloom, "bloom_filter", p.bloom_filter) }
                        { num(T::CBloomBits, "bloom_bits_per_key", p.bloom_bits_per_key.to_string(), "1", "64") }
                        { check(T::CCoalesce, "coalesce", p.coalesce) }
                        { num(T::CBatchWindowMs, "batch_window_ms", p.batch_window_ms.to_string(), "0", "10000") }
                    </fieldset>
                    <fieldset>
                        <legend>{ tr(lang, T::SecRing) }</legend>
                        <SelectField label={T::CHashing} param="hashing" value={hashing} options={hashing_options} on_set={on_set.clone()} />
                        { num(T::CVirtualNodes, "virtual_nodes", p.virtual_nodes.to_string(), "1", "1000") }
                        <SelectField label={T::CRingChange} param="ring_change" value={change} options={change_options} on_set={on_set.clone()} />
                        { num(T::CRingChangeAtMs, "ring_change_at_ms", p.ring_change_at_ms.to_string(), "0", "3600000") }
                        { num(T::CCrashAtMs, "crash_at_ms", p.crash_at_ms.to_string(), "0", "3600000") }
                        { num(T::ChartBucketMs, "chart_bucket_ms", p.chart_bucket_ms.to_string(), "10", "600000") }
                    </fieldset>
                </section>
                <section class="panel charts">
                    <h2>{ tr(lang, T::ChartDbQps) }</h2>
                    <canvas id="chart-db" ref={qps_ref} class="chart"></canvas>
                    <h2>{ tr(lang, T::ChartHitRatio) }</h2>
                    <canvas id="chart-hits" ref={hits_ref} class="chart"></canvas>
                    <h2>{ tr(lang, T::RingTitle) }</h2>
                    <div class="ring-box">
                        <canvas id="ring-canvas" ref={ring_ref} class="ring-canvas"></canvas>
                        <LiveRing rt={shared.clone()} />
                    </div>
                    <p class="legend">{ tr(lang, T::RingLegend) }</p>
                </section>
            </div>
            <section class="panel explain">
                <h2>{ tr(lang, T::ExplainCache) }</h2>
                <p class="note">{ tr(lang, T::CacheNotesSay) }</p>
                <div class="cards">
                    { for explain.iter().map(|(t, body)| html! {
                        <article class="card"><h3>{ tr(lang, *t) }</h3><p>{ tr(lang, *body) }</p></article>
                    }) }
                </div>
            </section>
        </div>
    }
}
