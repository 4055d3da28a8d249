//! The group-chat offline-store lab page: four schemes side by side on one event stream.

use flowlab_sim::chat::{presets, ChatLab, ChatParams, ChatSnapshot, Scheme};
use flowlab_sim::kernel::time::{Nanos, NS_PER_MS, NS_PER_S};
use flowlab_sim::Model;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use crate::charts::{draw_lines, recent, Line};
use crate::components::fields::{CheckField, NumField};
use crate::draw::LANE_COLORS;
use crate::draw_chat::{human, human_bytes, scheme_name};
use crate::i18n::{tr, Lang, T};
use crate::lab::{
    build_or_default, input_problem, presets_bar, url_notice, use_lab_state, use_player,
    use_ticker, Animated, LabParams, LabState, Pacing, Playable, Shared, REFRESH_MS,
};

const ROUTE: &str = "/chat";
/// Chart buckets shown.
const SHOWN_BUCKETS: usize = 120;

impl LabParams for ChatParams {
    fn preset(id: &str) -> Option<flowlab_sim::kernel::preset::Preset<Self>> {
        presets::by_id(id)
    }
}

type State = LabState<ChatParams>;

fn preset_text(id: &str) -> (T, T) {
    match id {
        "push_failures" => (T::PresetPushFailures, T::PresetPushFailuresWatch),
        "big_group" => (T::PresetBigGroup, T::PresetBigGroupWatch),
        "long_offline" => (T::PresetLongOffline, T::PresetLongOfflineWatch),
        "reconnect_storm" => (T::PresetReconnectStorm, T::PresetReconnectStormWatch),
        _ => (T::PresetLostAcks, T::PresetLostAcksWatch),
    }
}

struct Runtime {
    model: ChatLab,
    snap: ChatSnapshot,
    pace: Pacing,
    rings: NodeRef,
    rows: NodeRef,
    bandwidth: NodeRef,
}

impl Runtime {
    /// Virtual time a particle takes to cross, for a fixed wall time whatever the speed.
    fn span(&self) -> Nanos {
        self.pace.virtual_span(1_200.0)
    }
}

fn build_model(s: &State) -> ChatLab {
    build_or_default(&s.params, s.seed)
}

impl Playable for Runtime {
    type Params = ChatParams;

    fn rebuild(&mut self, state: &State) {
        self.model = build_model(state);
        self.pace.charts_dirty = true;
    }

    fn set_pacing(&mut self, playing: bool, speed: f64, lang: Lang) {
        self.pace.set(playing, speed, lang);
    }

    /// 100 ms of virtual time.
    fn step(&mut self) {
        let next = self.model.now() + 100 * NS_PER_MS;
        self.pace.step_to(&mut self.model, next);
    }
}

impl Animated for Runtime {
    fn frame(&mut self, ts: f64, dt_ms: f64) {
        self.pace.advance(&mut self.model, dt_ms);
        let span = self.span();
        self.model.fill_snapshot(span, &mut self.snap);
        if let Some(c) = self.rings.cast::<HtmlCanvasElement>() {
            crate::draw_chat::draw(&c, &self.snap, span, self.pace.lang);
        }
        if self.pace.charts_due(ts) {
            let lang = self.pace.lang;
            let bucket_s = self.model.params().chart_bucket_ms as f64 / 1000.0;
            let series = |f: &dyn Fn(Scheme) -> Vec<(f64, f64)>| -> Vec<Line<'static>> {
                Scheme::ALL
                    .iter()
                    .map(|&s| (scheme_name(lang, s), LANE_COLORS[s.index()], f(s)))
                    .collect()
            };
            if let Some(c) = self.rows.cast::<HtmlCanvasElement>() {
                let data =
                    series(&|s| recent(&self.model.stats(s).rows_series, SHOWN_BUCKETS, 1.0));
                draw_lines(&c, 240, &data, false);
            }
            if let Some(c) = self.bandwidth.cast::<HtmlCanvasElement>() {
                let data = series(&|s| {
                    recent(
                        &self.model.stats(s).write_series,
                        SHOWN_BUCKETS,
                        1.0 / bucket_s,
                    )
                });
                draw_lines(&c, 240, &data, true);
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
            { format!("{}: {} · {}: {:.3} s", tr(lang, T::MessagesSent), rt.model.messages(), tr(lang, T::VirtualTime), rt.model.now() as f64 / NS_PER_S as f64) }
        </span>
    }
}

#[function_component(LiveResults)]
fn live_results(props: &LiveProps) -> Html {
    use_ticker(REFRESH_MS);
    let lang = use_context::<Lang>().unwrap_or_default();
    let rt = props.rt.0.borrow();
    let msgs = rt.model.messages();
    let ms = |ns: u64| format!("{:.0} ms", ns as f64 / 1e6);
    let rows = Scheme::ALL.iter().map(|&s| {
        let st = rt.model.stats(s);
        let lat = st.pull_latency.percentiles();
        html! {
            <tr data-scheme={format!("{s:?}")}>
                <td>{ scheme_name(lang, s) }</td>
                <td class="num">{ format!("{:.1}", st.writes_per_message(msgs)) }</td>
                <td class="num">{ human_bytes(st.write_bytes) }</td>
                <td class="num">{ human(st.rows_stored) }</td>
                <td class="num">{ human(st.peak_rows) }</td>
                <td class="num">{ human_bytes(st.bytes_stored) }</td>
                <td class="num">{ format!("{:.1}", st.rows_per_reconnect()) }</td>
                <td class="num">{ ms(lat.p50_ns) }</td>
                <td class="num">{ ms(lat.p99_ns) }</td>
                <td class={classes!("num", (st.lost > 0).then_some("over"))}>{ st.lost }</td>
                <td class="num">{ st.duplicates_delivered }</td>
                <td class={classes!("num", (st.shown_twice > 0).then_some("over"))}>{ st.shown_twice }</td>
                <td class="num">{ format!("{}/{}", st.unread_wrong, st.unread_checks) }</td>
            </tr>
        }
    });
    html! { <tbody>{ for rows }</tbody> }
}

#[function_component(LiveTables)]
fn live_tables(props: &LiveProps) -> Html {
    use_ticker(REFRESH_MS);
    let lang = use_context::<Lang>().unwrap_or_default();
    let rt = props.rt.0.borrow();
    let snap = &rt.snap;
    html! {
        <div class="tables">
            <div>
                <h3>{ tr(lang, T::TableGroupMembers) }</h3>
                <table id="group-members" class="sql">
                    <thead><tr><th>{ "gid" }</th><th>{ "uid" }</th><th>{ "last_ack_msgid" }</th><th>{ tr(lang, T::OnlineCol) }</th></tr></thead>
                    <tbody>{ for snap.group_members.iter().map(|(g, u, c)| html! {
                        <tr><td>{ g }</td><td>{ u }</td><td class="num">{ c }</td><td>{ if snap.online.get(*u as usize).copied().unwrap_or(false) { "●" } else { "○" } }</td></tr>
                    }) }</tbody>
                </table>
            </div>
            <div>
                <h3>{ tr(lang, T::TableGroupMsgs) }</h3>
                <table id="group-msgs" class="sql">
                    <thead><tr><th>{ "msgid" }</th><th>{ "gid" }</th><th>{ "sender_uid" }</th><th>{ "time" }</th></tr></thead>
                    <tbody>{ for snap.group_msgs.iter().map(|(id, g, s, t)| html! {
                        <tr><td class="num">{ id }</td><td>{ g }</td><td>{ s }</td><td class="num">{ format!("{:.3} s", *t as f64 / NS_PER_S as f64) }</td></tr>
                    }) }</tbody>
                </table>
            </div>
        </div>
    }
}

#[function_component(ChatLabPage)]
pub fn chat_lab_page() -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let state = use_lab_state::<ChatParams>(ROUTE);
    let rings_ref = use_node_ref();
    let rows_ref = use_node_ref();
    let bw_ref = use_node_ref();
    let runtime = {
        let (rings, rows, bandwidth) = (rings_ref.clone(), rows_ref.clone(), bw_ref.clone());
        use_mut_ref(|| Runtime {
            model: build_model(&state),
            snap: ChatSnapshot::default(),
            pace: Pacing::new(lang),
            rings,
            rows,
            bandwidth,
        })
    };
    let player = use_player(&state, &runtime, lang);
    let on_set = player.on_set.clone();

    let shared = Shared(runtime.clone());
    let p = &state.params;
    let num = |label: T, key: &'static str, value: String, min: &'static str, max: &'static str| {
        html! { <NumField label={label} param={key} value={value} min={min} max={max} on_set={on_set.clone()} /> }
    };
    let prob = |label: T, key: &'static str, value: f64| {
        html! { <NumField label={label} param={key} value={value.to_string()} min="0" max="1" step={AttrValue::from("0.01")} on_set={on_set.clone()} /> }
    };
    let preset_ids: Vec<&'static str> = presets::all().iter().map(|p| p.id).collect();
    let explain = [
        (Scheme::OfflineCopies, T::ExplainOfflineCopies),
        (Scheme::CopyPerMember, T::ExplainCopyPerMember),
        (Scheme::UnreadIds, T::ExplainUnreadIds),
        (Scheme::Cursor, T::ExplainCursor),
    ];

    html! {
        <div class="lab chat-lab">
            <section class="lab-head">
                <h1>{ tr(lang, T::ChatTitle) }</h1>
                <p class="intro">{ tr(lang, T::ChatIntro) }</p>
            </section>
            { url_notice(lang, &state) }
            { presets_bar(lang, &preset_ids, &state, &player.playing, preset_text) }
            <div class="control-bar">
                { player.controls(state.seed) }
                <LiveClock rt={shared.clone()} />
            </div>
            { input_problem(lang, &state) }
            <div class="stage">
                <canvas id="lab-canvas" ref={rings_ref} class="rings-canvas"></canvas>
                <p class="legend">{ tr(lang, T::ChatLegend) }</p>
            </div>
            <section class="panel results">
                <h2>{ tr(lang, T::Results) }</h2>
                <div class="scroll-x">
                <table id="results">
                    <thead><tr>
                        <th>{ tr(lang, T::Scheme) }</th><th>{ tr(lang, T::WritesPerMsg) }</th><th>{ tr(lang, T::WriteBytes) }</th>
                        <th>{ tr(lang, T::RowsStored) }</th><th>{ tr(lang, T::PeakRows) }</th><th>{ tr(lang, T::BytesStored) }</th>
                        <th>{ tr(lang, T::RowsPerReconnect) }</th><th>{ tr(lang, T::PullP50) }</th><th>{ tr(lang, T::PullP99) }</th>
                        <th>{ tr(lang, T::Lost) }</th><th>{ tr(lang, T::DupDelivered) }</th><th>{ tr(lang, T::ShownTwice) }</th><th>{ tr(lang, T::UnreadWrong) }</th>
                    </tr></thead>
                    <LiveResults rt={shared.clone()} />
                </table>
                </div>
            </section>
            <div class="columns">
                <section class="panel controls">
                    <h2>{ tr(lang, T::Controls) }</h2>
                    <fieldset>
                        <legend>{ tr(lang, T::SectionMembers) }</legend>
                        { num(T::GroupsLabel, "groups", p.groups.to_string(), "1", "10000") }
                        { num(T::MembersPerGroup, "members_per_group", p.members_per_group.to_string(), "2", "5000") }
                        { num(T::MsgRatePerS, "msg_rate_per_s", p.msg_rate_per_s.to_string(), "0", "10000") }
                        <NumField label={T::GroupZipf} param="group_zipf" value={p.group_zipf.to_string()} min="0" max="3" step={AttrValue::from("0.1")} on_set={on_set.clone()} />
                        <NumField label={T::SenderZipf} param="sender_zipf" value={p.sender_zipf.to_string()} min="0" max="3" step={AttrValue::from("0.1")} on_set={on_set.clone()} />
                        { num(T::OnlineMeanMs, "online_mean_ms", p.online_mean_ms.to_string(), "1", "3600000") }
                        { num(T::OfflineMeanMs, "offline_mean_ms", p.offline_mean_ms.to_string(), "1", "3600000") }
                    </fieldset>
                    <fieldset>
                        <legend>{ tr(lang, T::SectionFaults) }</legend>
                        { prob(T::PushFailProb, "push_fail_prob", p.push_fail_prob) }
                        { prob(T::AckLossProb, "ack_loss_prob", p.ack_loss_prob) }
                        { prob(T::CrashProb, "crash_prob", p.crash_prob) }
                        { num(T::AckBatchMs, "ack_batch_ms", p.ack_batch_ms.to_string(), "0", "600000") }
                        <CheckField label={T::ClientDedup} param="client_dedup" checked={p.client_dedup} on_set={on_set.clone()} />
                        { num(T::OutageAtMs, "outage_at_ms", p.outage_at_ms.to_string(), "0", "3600000") }
                        { num(T::OutageMs, "outage_ms", p.outage_ms.to_string(), "1", "3600000") }
                        { prob(T::OutageShare, "outage_share", p.outage_share) }
                    </fieldset>
                    <fieldset>
                        <legend>{ tr(lang, T::SectionStore) }</legend>
                        { num(T::StoreRowsPerS, "store_rows_per_s", p.store_rows_per_s.to_string(), "1", "100000000") }
                        { num(T::QueryCostRows, "query_cost_rows", p.query_cost_rows.to_string(), "0", "1000000") }
                        { num(T::ContentBytes, "content_bytes", p.content_bytes.to_string(), "1", "1000000") }
                        { num(T::ChartBucketMs, "chart_bucket_ms", p.chart_bucket_ms.to_string(), "10", "600000") }
                    </fieldset>
                </section>
                <section class="panel charts">
                    <h2>{ tr(lang, T::ChartRowsStored) }</h2>
                    <canvas id="chart-rows" ref={rows_ref} class="chart"></canvas>
                    <h2>{ tr(lang, T::ChartWriteBandwidth) }</h2>
                    <canvas id="chart-bandwidth" ref={bw_ref} class="chart"></canvas>
                    <LiveTables rt={shared.clone()} />
                </section>
            </div>
            <section class="panel explain">
                <h2>{ tr(lang, T::ExplainSchemes) }</h2>
                <p class="note">{ tr(lang, T::ChatNotesSay) }</p>
                <div class="cards">
                    { for explain.iter().map(|(s, t)| html! {
                        <article class="card"><h3>{ scheme_name(lang, *s) }</h3><p>{ tr(lang, *t) }</p></article>
                    }) }
                </div>
            </section>
        </div>
    }
}
