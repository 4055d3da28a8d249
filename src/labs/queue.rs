//! The partitioned-queue lab page: producers, replicated partitions and a consumer group, with the
//! faults as buttons and the checkers counting loss, duplicates, reordering, lag and dead letters.

use flowlab_sim::kernel::time::{Nanos, NS_PER_MS, NS_PER_S};
use flowlab_sim::queue::params::MAX_PARTITIONS;
use flowlab_sim::queue::{
    presets, Acks, Assignor, CommitMode, Fault, Partitioner, QueueLab, QueueParams, QueueSnapshot,
};
use flowlab_sim::Model;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use crate::charts::{draw_lines, recent, Line};
use crate::components::fields::{CheckField, NumField, SelectField};
use crate::draw::LANE_COLORS;
use crate::draw_chat::human;
use crate::i18n::{tr, Lang, T};
use crate::lab::{
    build_or_default, input_problem, presets_bar, url_notice, use_lab_state, use_player,
    use_ticker, Animated, LabParams, LabState, Pacing, Playable, Shared, REFRESH_MS,
};

const ROUTE: &str = "/queue";
/// Chart buckets shown.
const SHOWN_BUCKETS: usize = 120;

impl LabParams for QueueParams {
    fn preset(id: &str) -> Option<flowlab_sim::kernel::preset::Preset<Self>> {
        presets::by_id(id)
    }
}

type State = LabState<QueueParams>;

fn preset_text(id: &str) -> (T, T) {
    match id {
        "acks0_crash" => (T::QPresetAcks0, T::QPresetAcks0Watch),
        "acks1_leader_dies" => (T::QPresetAcks1, T::QPresetAcks1Watch),
        "safe_producer" => (T::QPresetSafe, T::QPresetSafeWatch),
        "retries_no_idempotence" => (T::QPresetRetries, T::QPresetRetriesWatch),
        "commit_before_crash" => (T::QPresetCommitBefore, T::QPresetCommitBeforeWatch),
        "commit_after_crash" => (T::QPresetCommitAfter, T::QPresetCommitAfterWatch),
        "no_key_order" => (T::QPresetNoKey, T::QPresetNoKeyWatch),
        "idle_consumers" => (T::QPresetIdle, T::QPresetIdleWatch),
        "backlog" => (T::QPresetBacklog, T::QPresetBacklogWatch),
        "poison_message" => (T::QPresetPoison, T::QPresetPoisonWatch),
        _ => (T::QPresetBatches, T::QPresetBatchesWatch),
    }
}

struct Runtime {
    model: QueueLab,
    snap: QueueSnapshot,
    pace: Pacing,
    stage: NodeRef,
    lag: NodeRef,
    throughput: NodeRef,
    latency: NodeRef,
    checkers: NodeRef,
}

impl Runtime {
    /// Virtual time a particle takes to cross, for a fixed wall time whatever the speed.
    fn span(&self) -> Nanos {
        self.pace.virtual_span(700.0)
    }
}

fn build_model(s: &State) -> QueueLab {
    build_or_default(&s.params, s.seed)
}

impl Playable for Runtime {
    type Params = QueueParams;

    fn rebuild(&mut self, state: &State) {
        self.model = build_model(state);
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
        if let Some(c) = self.stage.cast::<HtmlCanvasElement>() {
            crate::draw_queue::draw(&c, &self.snap, span, self.pace.lang);
        }
        if self.pace.charts_due(ts) {
            self.draw_charts();
        }
    }
}

impl Runtime {
    fn draw_charts(&self) {
        let lang = self.pace.lang;
        let s = self.model.stats();
        let per_s = 1000.0 / self.model.params().chart_bucket_ms as f64;
        let color = |i: usize| LANE_COLORS[i % LANE_COLORS.len()];
        if let Some(c) = self.lag.cast::<HtmlCanvasElement>() {
            let names: Vec<String> = (0..s.lag_series.len()).map(|i| format!("P{i}")).collect();
            let data: Vec<Line<'_>> = s
                .lag_series
                .iter()
                .enumerate()
                .map(|(i, ts)| (names[i].as_str(), color(i), recent(ts, SHOWN_BUCKETS, 1.0)))
                .collect();
            draw_lines(&c, 220, &data, false);
        }
        if let Some(c) = self.throughput.cast::<HtmlCanvasElement>() {
            let data: Vec<Line<'_>> = vec![
                (
                    tr(lang, T::QSentPerS),
                    color(1),
                    recent(&s.sent_series, SHOWN_BUCKETS, per_s),
                ),
                (
                    tr(lang, T::QProcessedPerS),
                    color(3),
                    recent(&s.processed_series, SHOWN_BUCKETS, per_s),
                ),
                (
                    tr(lang, T::QRequestsPerS),
                    color(4),
                    recent(&s.requests_series, SHOWN_BUCKETS, per_s),
                ),
            ];
            draw_lines(&c, 220, &data, false);
        }
        if let Some(c) = self.latency.cast::<HtmlCanvasElement>() {
            let ms = 1.0 / NS_PER_MS as f64;
            let data: Vec<Line<'_>> = vec![
                ("p50 ms", color(1), recent(&s.p50_series, SHOWN_BUCKETS, ms)),
                ("p99 ms", color(0), recent(&s.p99_series, SHOWN_BUCKETS, ms)),
            ];
            draw_lines(&c, 220, &data, true);
        }
        if let Some(c) = self.checkers.cast::<HtmlCanvasElement>() {
            let data: Vec<Line<'_>> = vec![
                (
                    tr(lang, T::QLost),
                    color(0),
                    recent(&s.lost_series, SHOWN_BUCKETS, 1.0),
                ),
                (
                    tr(lang, T::QFailedVisibly),
                    color(4),
                    recent(&s.failed_series, SHOWN_BUCKETS, 1.0),
                ),
                (
                    tr(lang, T::QDuplicates),
                    (255, 213, 74),
                    recent(&s.dup_series, SHOWN_BUCKETS, 1.0),
                ),
                (
                    tr(lang, T::QReordered),
                    color(2),
                    recent(&s.reorder_series, SHOWN_BUCKETS, 1.0),
                ),
            ];
            draw_lines(&c, 220, &data, false);
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
            { format!("{}: {} · {}: {:.3} s", tr(lang, T::MessagesSent), rt.model.stats().sent, tr(lang, T::VirtualTime), rt.model.now() as f64 / NS_PER_S as f64) }
        </span>
    }
}

/// The checkers: live counts, each with the cell id the end-to-end test reads.
#[function_component(LiveCheckers)]
fn live_checkers(props: &LiveProps) -> Html {
    use_ticker(REFRESH_MS);
    let lang = use_context::<Lang>().unwrap_or_default();
    let rt = props.rt.0.borrow();
    let m = &rt.model;
    let s = m.stats();
    let e2e = s.e2e_latency.percentiles();
    let ms = |ns: u64| format!("{:.0} ms", ns as f64 / 1e6);
    let secs = m.now() as f64 / NS_PER_S as f64;
    let rate = |n: u64| {
        if secs > 0.0 {
            format!("{:.0}/s", n as f64 / secs)
        } else {
            "–".into()
        }
    };
    let cell = |id: &'static str, label: T, value: String, bad: bool, hint: T| {
        html! {
            <div class={classes!("checker", bad.then_some("bad"))} title={tr(lang, hint)}>
                <span class="checker-label">{ tr(lang, label) }</span>
                <span class="checker-value" id={id}>{ value }</span>
            </div>
        }
    };
    html! {
        <div class="checkers" id="checkers">
            { cell("q-lost", T::QLost, human(s.lost), s.lost > 0, T::QLostHint) }
            { cell("q-failed", T::QFailedVisibly, human(s.failed_visibly), false, T::QFailedHint) }
            { cell("q-dup-written", T::QDupWritten, human(s.dup_written), s.dup_written > 0, T::QDupWrittenHint) }
            { cell("q-dup-delivered", T::QDupDelivered, human(s.dup_delivered), false, T::QDupDeliveredHint) }
            { cell("q-dup-processed", T::QDupProcessed, human(s.dup_processed), s.dup_processed > 0, T::QDupProcessedHint) }
            { cell("q-deduped", T::QDeduped, human(s.deduped), false, T::QDedupedHint) }
            { cell("q-reordered", T::QReordered, human(s.order_violations), s.order_violations > 0, T::QReorderedHint) }
            { cell("q-lag", T::QLag, human(m.total_lag()), m.total_lag() > 1_000, T::QLagHint) }
            { cell("q-idle", T::QIdleConsumers, m.idle_members().to_string(), m.idle_members() > 0, T::QIdleHint) }
            { cell("q-dlq", T::QDeadLettered, human(s.dead_lettered), false, T::QDeadLetteredHint) }
            { cell("q-expired", T::QExpired, human(s.expired), s.expired > 0, T::QExpiredHint) }
            { cell("q-p50", T::QLatencyP50, ms(e2e.p50_ns), false, T::QLatencyHint) }
            { cell("q-p99", T::QLatencyP99, ms(e2e.p99_ns), false, T::QLatencyHint) }
            { cell("q-throughput", T::QThroughput, rate(s.processed), false, T::QThroughputHint) }
            { cell("q-requests", T::QRequests, human(s.requests), false, T::QRequestsHint) }
            { cell("q-retries", T::QRetries, human(s.retries), false, T::QRetriesHint) }
            { cell("q-elections", T::QElections, format!("{} / {}", s.elections, s.unclean_elections), s.unclean_elections > 0, T::QElectionsHint) }
            { cell("q-truncated", T::QTruncated, human(s.truncated), false, T::QTruncatedHint) }
        </div>
    }
}

/// Fault and operator buttons; their labels follow the model's state.
#[derive(Properties, PartialEq)]
struct ActionsProps {
    rt: Shared<Runtime>,
}

#[function_component(Actions)]
fn actions(props: &ActionsProps) -> Html {
    use_ticker(REFRESH_MS);
    let lang = use_context::<Lang>().unwrap_or_default();
    let apply = |f: Fault| {
        let rt = props.rt.clone();
        Callback::from(move |_: MouseEvent| {
            let mut r = rt.0.borrow_mut();
            r.model.apply_fault(f);
            r.pace.charts_dirty = true;
        })
    };
    let rt = props.rt.0.borrow();
    let m = &rt.model;
    let brokers = (0..m.params().brokers).map(|b| {
        let up = m.broker_up(b);
        let (f, label) = if up {
            (Fault::CrashBroker(b), T::QCrashBroker)
        } else {
            (Fault::RestartBroker(b), T::QRestartBroker)
        };
        html! {
            <button class={classes!("btn", "small", (!up).then_some("down"))} data-action={format!("broker-{b}")} onclick={apply(f)}>
                { format!("{} B{b}", tr(lang, label)) }
            </button>
        }
    });
    let first_down = (0..m.consumer_count()).find(|&c| !m.consumer_up(c));
    let first_up = (0..m.consumer_count()).find(|&c| m.consumer_up(c));
    let link = if m.link_up() {
        html! { <button class="btn small" data-action="cut-link" onclick={apply(Fault::CutLink)}>{ tr(lang, T::QCutLink) }</button> }
    } else {
        html! { <button class="btn small down" data-action="restore-link" onclick={apply(Fault::RestoreLink)}>{ tr(lang, T::QRestoreLink) }</button> }
    };
    let grow = (m.partitions() * 2).min(MAX_PARTITIONS);
    html! {
        <section class="panel actions" id="actions">
            <span class="section-label">{ tr(lang, T::QActions) }</span>
            <button class="btn small" data-action="crash-leader" onclick={apply(Fault::CrashLeaderOf(0))}>{ tr(lang, T::QCrashLeader) }</button>
            { for brokers }
            if let Some(c) = first_up {
                <button class="btn small" data-action="crash-consumer" onclick={apply(Fault::CrashConsumer(c))}>{ format!("{} C{c}", tr(lang, T::QCrashConsumer)) }</button>
            }
            if let Some(c) = first_down {
                <button class="btn small down" data-action="restart-consumer" onclick={apply(Fault::RestartConsumer(c))}>{ format!("{} C{c}", tr(lang, T::QRestartConsumer)) }</button>
            }
            <button class="btn small" data-action="add-consumer" onclick={apply(Fault::AddConsumer)}>{ tr(lang, T::QAddConsumer) }</button>
            <button class="btn small" data-action="remove-consumer" onclick={apply(Fault::RemoveConsumer)}>{ tr(lang, T::QRemoveConsumer) }</button>
            <button class="btn small" data-action="pause" onclick={apply(Fault::PauseConsumers(5_000))}>{ tr(lang, T::QPause5s) }</button>
            { link }
            <button class="btn small" data-action="poison" onclick={apply(Fault::InjectPoison)}>{ tr(lang, T::QInjectPoison) }</button>
            if grow > m.partitions() {
                <button class="btn small" data-action="move-backlog" onclick={apply(Fault::MoveBacklog(grow))}>{ format!("{} ({grow})", tr(lang, T::QMoveBacklog)) }</button>
            }
            <button class="btn small" data-action="replay" onclick={apply(Fault::ReplayExpired)} disabled={m.expired_waiting() == 0}>
                { format!("{} ({})", tr(lang, T::QReplayExpired), m.expired_waiting()) }
            </button>
        </section>
    }
}

#[function_component(QueueLabPage)]
pub fn queue_lab_page() -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let state = use_lab_state::<QueueParams>(ROUTE);
    let stage_ref = use_node_ref();
    let lag_ref = use_node_ref();
    let tp_ref = use_node_ref();
    let lat_ref = use_node_ref();
    let chk_ref = use_node_ref();
    let runtime = {
        let refs = (
            stage_ref.clone(),
            lag_ref.clone(),
            tp_ref.clone(),
            lat_ref.clone(),
            chk_ref.clone(),
        );
        use_mut_ref(|| Runtime {
            model: build_model(&state),
            snap: QueueSnapshot::default(),
            pace: Pacing::new(lang),
            stage: refs.0,
            lag: refs.1,
            throughput: refs.2,
            latency: refs.3,
            checkers: refs.4,
        })
    };
    let player = use_player(&state, &runtime, lang);
    let on_set = player.on_set.clone();
    let shared = Shared(runtime.clone());
    let p = &state.params;
    let num = |label: T, key: &'static str, value: u64, min: &'static str, max: &'static str| {
        html! { <NumField label={label} param={key} value={value.to_string()} min={min} max={max} on_set={on_set.clone()} /> }
    };
    let real = |label: T, key: &'static str, value: f64, max: &'static str, step: &'static str| {
        html! { <NumField label={label} param={key} value={value.to_string()} min="0" max={max} step={AttrValue::from(step)} on_set={on_set.clone()} /> }
    };
    let check = |label: T, key: &'static str, value: bool| {
        html! { <CheckField label={label} param={key} checked={value} on_set={on_set.clone()} /> }
    };
    let acks_options: Vec<(AttrValue, T)> = Acks::ALL
        .iter()
        .map(|a| {
            (
                AttrValue::from(a.as_str()),
                match a {
                    Acks::Zero => T::QAcks0,
                    Acks::One => T::QAcks1,
                    Acks::All => T::QAcksAll,
                },
            )
        })
        .collect();
    let partitioner_options: Vec<(AttrValue, T)> = Partitioner::ALL
        .iter()
        .map(|x| {
            (
                AttrValue::from(x.as_str()),
                match x {
                    Partitioner::ByKey => T::QByKey,
                    Partitioner::RoundRobin => T::QRoundRobin,
                    Partitioner::Sticky => T::QSticky,
                },
            )
        })
        .collect();
    let assignor_options: Vec<(AttrValue, T)> = Assignor::ALL
        .iter()
        .map(|x| {
            (
                AttrValue::from(x.as_str()),
                match x {
                    Assignor::Range => T::QRange,
                    Assignor::RoundRobin => T::QRoundRobin,
                    Assignor::Sticky => T::QSticky,
                },
            )
        })
        .collect();
    let commit_options: Vec<(AttrValue, T)> = CommitMode::ALL
        .iter()
        .map(|x| {
            (
                AttrValue::from(x.as_str()),
                match x {
                    CommitMode::Auto => T::QCommitAuto,
                    CommitMode::BeforeProcessing => T::QCommitBefore,
                    CommitMode::AfterProcessing => T::QCommitAfter,
                },
            )
        })
        .collect();
    let preset_ids: Vec<&'static str> = presets::all().iter().map(|p| p.id).collect();
    let f = &p.faults;
    let explain = [
        (T::QExplainAcksTitle, T::QExplainAcks),
        (T::QExplainIdemTitle, T::QExplainIdem),
        (T::QExplainOrderTitle, T::QExplainOrder),
        (T::QExplainCommitTitle, T::QExplainCommit),
        (T::QExplainBacklogTitle, T::QExplainBacklog),
        (T::QExplainDlqTitle, T::QExplainDlq),
    ];
    let stage_h = crate::draw_queue::height_px(p.partitions as usize);

    html! {
        <div class="lab queue-lab">
            <section class="lab-head">
                <h1>{ tr(lang, T::QTitle) }</h1>
                <p class="intro">{ tr(lang, T::QIntro) }</p>
            </section>
            { url_notice(lang, &state) }
            { presets_bar(lang, &preset_ids, &state, &player.playing, preset_text) }
            <div class="control-bar">
                { player.controls(state.seed) }
                <LiveClock rt={shared.clone()} />
            </div>
            { input_problem(lang, &state) }
            <Actions rt={shared.clone()} />
            <div class="stage">
                <canvas id="lab-canvas" ref={stage_ref} class="queue-canvas" style={format!("height: {stage_h}px")}></canvas>
                <p class="legend">{ tr(lang, T::QLegend) }</p>
            </div>
            <LiveCheckers rt={shared.clone()} />
            <div class="columns">
                <section class="panel controls">
                    <h2>{ tr(lang, T::Controls) }</h2>
                    <fieldset>
                        <legend>{ tr(lang, T::QSectionProducer) }</legend>
                        { num(T::QProducersLabel, "producers", p.producers as u64, "1", "8") }
                        { num(T::QRatePerS, "rate_per_s", p.rate_per_s as u64, "0", "20000") }
                        { num(T::QKeys, "keys", p.keys as u64, "1", "10000") }
                        { real(T::QKeyZipf, "key_zipf", p.key_zipf, "3", "0.1") }
                        <SelectField label={T::QPartitioner} param="partitioner" value={p.partitioner.as_str()} options={partitioner_options} on_set={on_set.clone()} />
                        <SelectField label={T::QAcks} param="acks" value={p.acks.as_str()} options={acks_options} on_set={on_set.clone()} />
                        { num(T::QRetriesLabel, "retries", p.retries as u64, "0", "1000") }
                        { num(T::QRetryBackoffMs, "retry_backoff_ms", p.retry_backoff_ms as u64, "0", "60000") }
                        { num(T::QRequestTimeoutMs, "request_timeout_ms", p.request_timeout_ms as u64, "1", "600000") }
                        { num(T::QDeliveryTimeoutMs, "delivery_timeout_ms", p.delivery_timeout_ms as u64, "1", "3600000") }
                        { num(T::QMaxInFlight, "max_in_flight", p.max_in_flight as u64, "1", "100") }
                        { check(T::QIdempotence, "idempotence", p.idempotence) }
                        { num(T::QBatchSizeBytes, "batch_size_bytes", p.batch_size_bytes as u64, "1", "10000000") }
                        { num(T::QLingerMs, "linger_ms", p.linger_ms as u64, "0", "60000") }
                        { num(T::QMessageBytes, "message_bytes", p.message_bytes as u64, "1", "1000000") }
                        { num(T::QBufferMemoryBytes, "buffer_memory_bytes", p.buffer_memory_bytes as u64, "1", "1000000000") }
                        { check(T::QBlockOnFull, "block_on_full_buffer", p.block_on_full_buffer) }
                        { num(T::QMaxBlockMs, "max_block_ms", p.max_block_ms as u64, "0", "600000") }
                    </fieldset>
                    <fieldset>
                        <legend>{ tr(lang, T::QSectionCluster) }</legend>
                        { num(T::QBrokers, "brokers", p.brokers as u64, "1", "6") }
                        { num(T::QPartitionsLabel, "partitions", p.partitions as u64, "1", "32") }
                        { num(T::QReplicationFactor, "replication_factor", p.replication_factor as u64, "1", "6") }
                        { num(T::QMinInsync, "min_insync_replicas", p.min_insync_replicas as u64, "1", "6") }
                        { check(T::QUnclean, "unclean_leader_election", p.unclean_leader_election) }
                        { num(T::QReplicaFetchMs, "replica_fetch_ms", p.replica_fetch_ms as u64, "1", "60000") }
                        { num(T::QReplicaLagMaxMs, "replica_lag_max_ms", p.replica_lag_max_ms as u64, "1", "600000") }
                        { num(T::QLeaderDetectMs, "leader_detect_ms", p.leader_detect_ms as u64, "1", "600000") }
                        { num(T::QRetention, "log_retention_records", p.log_retention_records as u64, "100", "200000") }
                    </fieldset>
                    <fieldset>
                        <legend>{ tr(lang, T::QSectionNetwork) }</legend>
                        { num(T::QLatencyMs, "latency_ms", p.latency_ms as u64, "0", "10000") }
                        { num(T::QJitterMs, "jitter_ms", p.jitter_ms as u64, "0", "10000") }
                        { real(T::QRequestLoss, "request_loss_prob", p.request_loss_prob, "1", "0.01") }
                        { real(T::QAckLoss, "ack_loss_prob", p.ack_loss_prob, "1", "0.01") }
                    </fieldset>
                    <fieldset>
                        <legend>{ tr(lang, T::QSectionConsumers) }</legend>
                        { num(T::QConsumersLabel, "consumers", p.consumers as u64, "0", "32") }
                        <SelectField label={T::QAssignor} param="assignor" value={p.assignor.as_str()} options={assignor_options} on_set={on_set.clone()} />
                        { num(T::QProcessMs, "process_ms", p.process_ms as u64, "0", "60000") }
                        { num(T::QMaxPollRecords, "max_poll_records", p.max_poll_records as u64, "1", "10000") }
                        <SelectField label={T::QCommit} param="commit" value={p.commit.as_str()} options={commit_options} on_set={on_set.clone()} />
                        { num(T::QAutoCommitMs, "auto_commit_ms", p.auto_commit_ms as u64, "1", "600000") }
                        { num(T::QSessionTimeoutMs, "session_timeout_ms", p.session_timeout_ms as u64, "1", "600000") }
                        { num(T::QRebalanceMs, "rebalance_ms", p.rebalance_ms as u64, "0", "600000") }
                        { check(T::QDedupStore, "dedup_store", p.dedup_store) }
                        { num(T::QPoisonRetries, "poison_retries", p.poison_retries as u64, "0", "1000") }
                        { check(T::QDlq, "dead_letter_queue", p.dead_letter_queue) }
                        { num(T::QTtlMs, "ttl_ms", p.ttl_ms as u64, "0", "3600000") }
                        { num(T::QReplayRate, "replay_rate_per_s", p.replay_rate_per_s as u64, "1", "100000") }
                    </fieldset>
                    <fieldset>
                        <legend>{ tr(lang, T::QSectionSchedule) }</legend>
                        { num(T::QCrashLeaderAt, "faults.crash_leader_at_ms", f.crash_leader_at_ms as u64, "0", "3600000") }
                        { num(T::QRestartBrokerAfter, "faults.restart_broker_after_ms", f.restart_broker_after_ms as u64, "0", "3600000") }
                        { num(T::QCrashLeaderEvery, "faults.crash_leader_every_ms", f.crash_leader_every_ms as u64, "0", "3600000") }
                        { num(T::QCrashConsumerAt, "faults.crash_consumer_at_ms", f.crash_consumer_at_ms as u64, "0", "3600000") }
                        { num(T::QRestartConsumerAfter, "faults.restart_consumer_after_ms", f.restart_consumer_after_ms as u64, "0", "3600000") }
                        { num(T::QPauseAt, "faults.pause_consumers_at_ms", f.pause_consumers_at_ms as u64, "0", "3600000") }
                        { num(T::QPauseFor, "faults.pause_consumers_ms", f.pause_consumers_ms as u64, "0", "3600000") }
                        { num(T::QCutLinkAt, "faults.cut_link_at_ms", f.cut_link_at_ms as u64, "0", "3600000") }
                        { num(T::QCutLinkFor, "faults.cut_link_ms", f.cut_link_ms as u64, "0", "3600000") }
                        { num(T::QPoisonAt, "faults.poison_at_ms", f.poison_at_ms as u64, "0", "3600000") }
                        { num(T::ChartBucketMs, "chart_bucket_ms", p.chart_bucket_ms as u64, "10", "600000") }
                    </fieldset>
                </section>
                <section class="panel charts">
                    <h2>{ tr(lang, T::QChartLag) }</h2>
                    <canvas id="chart-lag" ref={lag_ref} class="chart"></canvas>
                    <h2>{ tr(lang, T::QChartThroughput) }</h2>
                    <canvas id="chart-throughput" ref={tp_ref} class="chart"></canvas>
                    <h2>{ tr(lang, T::QChartLatency) }</h2>
                    <canvas id="chart-latency" ref={lat_ref} class="chart"></canvas>
                    <h2>{ tr(lang, T::QChartCheckers) }</h2>
                    <canvas id="chart-checkers" ref={chk_ref} class="chart"></canvas>
                </section>
            </div>
            <section class="panel explain">
                <h2>{ tr(lang, T::QExplainTitle) }</h2>
                <div class="cards">
                    { for explain.iter().map(|(t, x)| html! {
                        <article class="card"><h3>{ tr(lang, *t) }</h3><p>{ tr(lang, *x) }</p></article>
                    }) }
                </div>
            </section>
        </div>
    }
}
