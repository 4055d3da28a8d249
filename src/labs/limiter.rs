//! The rate-limiter lab page: presets, controls, the lanes canvas, charts, results and explanations.

use flowlab_sim::kernel::time::{NS_PER_MS, NS_PER_S};
use flowlab_sim::kernel::traffic::Pattern;
use flowlab_sim::limiter::{presets, Algo, LimiterLab, LimiterParams, LimiterSnapshot, View};
use flowlab_sim::Model;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use crate::components::fields::{NumField, SelectField};
use crate::draw::{algo_name, draw_lanes};
use crate::i18n::{tr, Lang, T};
use crate::lab::{
    build_or_default, input_problem, presets_bar, url_notice, use_lab_state, use_player,
    use_ticker, Animated, LabParams, LabState, Pacing, Playable, Shared, REFRESH_MS,
};

const ROUTE: &str = "/limiter";
/// The key that changes live, without a reset.
const LIVE_TOKEN_KEY: &str = "token_bucket.rate_per_s";

impl LabParams for LimiterParams {
    const LIVE_KEYS: &'static [&'static str] = &[LIVE_TOKEN_KEY];
    fn preset(id: &str) -> Option<flowlab_sim::kernel::preset::Preset<Self>> {
        presets::by_id(id)
    }
}

type State = LabState<LimiterParams>;

/// What the animation loop owns: the model and the wall-clock pacing.
struct Runtime {
    model: LimiterLab,
    snap: LimiterSnapshot,
    pace: Pacing,
    lanes: NodeRef,
    throughput: NodeRef,
    window: NodeRef,
}

impl Runtime {
    fn view(&self) -> View {
        // Particles take a fixed wall time to cross, whatever the speed.
        View {
            lead_ns: self.pace.virtual_span(500.0),
            trail_ns: self.pace.virtual_span(1400.0),
        }
    }
}

fn build_model(s: &State) -> LimiterLab {
    build_or_default(&s.params, s.seed)
}

fn preset_title(id: &str) -> (T, T) {
    match id {
        "boundary_burst" => (T::PresetBoundaryBurst, T::PresetBoundaryBurstWatch),
        "token_burst" => (T::PresetTokenBurst, T::PresetTokenBurstWatch),
        "leaky_smooth" => (T::PresetLeakySmooth, T::PresetLeakySmoothWatch),
        _ => (T::PresetRaiseTokenRate, T::PresetRaiseTokenRateWatch),
    }
}

#[function_component(LimiterLabPage)]
pub fn limiter_lab_page() -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let state = use_lab_state::<LimiterParams>(ROUTE);
    let lanes_ref = use_node_ref();
    let thr_ref = use_node_ref();
    let win_ref = use_node_ref();
    let runtime = {
        let (lanes, throughput, window) = (lanes_ref.clone(), thr_ref.clone(), win_ref.clone());
        use_mut_ref(|| Runtime {
            model: build_model(&state),
            snap: LimiterSnapshot::default(),
            pace: Pacing::new(lang),
            lanes,
            throughput,
            window,
        })
    };

    // The token bucket's refill rate changes live.
    {
        let runtime = runtime.clone();
        use_effect_with(state.params.token_bucket.rate_per_s, move |r| {
            let mut rt = runtime.borrow_mut();
            if rt.model.token_rate_per_s() != *r {
                let _ = rt.model.set_token_rate(*r);
            }
        });
    }
    let player = use_player(&state, &runtime, lang);
    let on_set = player.on_set.clone();

    let shared = Shared(runtime.clone());
    let p = &state.params;
    let num = |label: T, key: &'static str, value: u64, min: u64, max: u64| {
        html! { <NumField label={label} param={key} value={value.to_string()} min={min.to_string()} max={max.to_string()} on_set={on_set.clone()} /> }
    };
    let pattern_options: Vec<(AttrValue, T)> = Pattern::ALL
        .iter()
        .map(|pat| {
            let t = match pat {
                Pattern::Constant => T::PatConstant,
                Pattern::Poisson => T::PatPoisson,
                Pattern::OnOff => T::PatOnOff,
                Pattern::BoundaryBurst => T::PatBoundaryBurst,
                Pattern::Ramp => T::PatRamp,
                Pattern::FlashCrowd => T::PatFlashCrowd,
            };
            (AttrValue::from(pat.as_str()), t)
        })
        .collect();
    let tr_ = &p.traffic;
    let pattern_fields = match tr_.pattern {
        Pattern::Constant | Pattern::Poisson => html! {},
        Pattern::OnOff => {
            html! { <>{ num(T::OnMs, "traffic.on_ms", tr_.on_ms as u64, 1, 3_600_000) }{ num(T::OffMs, "traffic.off_ms", tr_.off_ms as u64, 0, 3_600_000) }</> }
        }
        Pattern::BoundaryBurst => html! { <>
            { num(T::BurstSize, "traffic.burst_size", tr_.burst_size as u64, 0, 100_000) }
            { num(T::BurstPeriodMs, "traffic.burst_period_ms", tr_.burst_period_ms as u64, 1, 3_600_000) }
            { num(T::BurstWidthMs, "traffic.burst_width_ms", tr_.burst_width_ms as u64, 0, tr_.burst_period_ms as u64) }
        </> },
        Pattern::Ramp => html! { <>
            { num(T::PeakRatePerS, "traffic.peak_rate_per_s", tr_.peak_rate_per_s as u64, 0, 1_000_000) }
            { num(T::RampMs, "traffic.ramp_ms", tr_.ramp_ms as u64, 0, 3_600_000) }
        </> },
        Pattern::FlashCrowd => html! { <>
            { num(T::PeakRatePerS, "traffic.peak_rate_per_s", tr_.peak_rate_per_s as u64, 0, 1_000_000) }
            { num(T::StartMs, "traffic.start_ms", tr_.start_ms as u64, 0, 3_600_000) }
            { num(T::RampMs, "traffic.ramp_ms", tr_.ramp_ms as u64, 0, 3_600_000) }
            { num(T::HoldMs, "traffic.hold_ms", tr_.hold_ms as u64, 0, 3_600_000) }
        </> },
    };

    let explain = [
        (Algo::FixedWindow, T::ExplainFixedWindow),
        (Algo::SlidingLog, T::ExplainSlidingLog),
        (Algo::SlidingCounter, T::ExplainSlidingCounter),
        (Algo::TokenBucket, T::ExplainTokenBucket),
        (Algo::LeakyBucket, T::ExplainLeakyBucket),
    ];

    let preset_ids: Vec<&'static str> = presets::all().iter().map(|p| p.id).collect();

    html! {
        <div class="lab limiter-lab">
            <section class="lab-head">
                <h1>{ tr(lang, T::LimiterTitle) }</h1>
                <p class="intro">{ tr(lang, T::LimiterIntro) }</p>
            </section>
            { url_notice(lang, &state) }
            { presets_bar(lang, &preset_ids, &state, &player.playing, preset_title) }
            <div class="control-bar">
                { player.controls(state.seed) }
                <LiveClock rt={shared.clone()} />
            </div>
            { input_problem(lang, &state) }
            <div class="stage">
                <canvas id="lab-canvas" ref={lanes_ref} class="lanes-canvas"></canvas>
                <p class="legend">{ tr(lang, T::Legend) }</p>
            </div>
            <div class="columns">
                <section class="panel controls">
                    <h2>{ tr(lang, T::Controls) }</h2>
                    <fieldset>
                        <legend>{ tr(lang, T::Traffic) }</legend>
                        <SelectField label={T::Pattern} param="traffic.pattern" value={tr_.pattern.as_str()} options={pattern_options} on_set={on_set.clone()} />
                        { num(T::RatePerS, "traffic.rate_per_s", tr_.rate_per_s as u64, 0, 1_000_000) }
                        { pattern_fields }
                    </fieldset>
                    <fieldset>
                        <legend>{ algo_name(lang, Algo::FixedWindow) }</legend>
                        { num(T::Limit, "fixed_window.limit", p.fixed_window.limit as u64, 1, 100_000) }
                        { num(T::WindowMs, "fixed_window.window_ms", p.fixed_window.window_ms as u64, 1, 3_600_000) }
                    </fieldset>
                    <fieldset>
                        <legend>{ algo_name(lang, Algo::SlidingLog) }</legend>
                        { num(T::Limit, "sliding_log.limit", p.sliding_log.limit as u64, 1, 100_000) }
                        { num(T::WindowMs, "sliding_log.window_ms", p.sliding_log.window_ms as u64, 1, 3_600_000) }
                    </fieldset>
                    <fieldset>
                        <legend>{ algo_name(lang, Algo::SlidingCounter) }</legend>
                        { num(T::Limit, "sliding_counter.limit", p.sliding_counter.limit as u64, 1, 100_000) }
                        { num(T::WindowMs, "sliding_counter.window_ms", p.sliding_counter.window_ms as u64, 1, 3_600_000) }
                    </fieldset>
                    <fieldset>
                        <legend>{ algo_name(lang, Algo::TokenBucket) }</legend>
                        <NumField label={T::TokenRatePerS} param={LIVE_TOKEN_KEY} value={p.token_bucket.rate_per_s.to_string()} min="1" max="1000000" hint={T::LiveHint} on_set={on_set.clone()} />
                        { num(T::TokenBurst, "token_bucket.burst", p.token_bucket.burst as u64, 1, 100_000) }
                        { num(T::ChangeAtMs, "token_bucket.change_at_ms", p.token_bucket.change_at_ms as u64, 0, 3_600_000) }
                        { num(T::ChangedRatePerS, "token_bucket.changed_rate_per_s", p.token_bucket.changed_rate_per_s as u64, 1, 1_000_000) }
                    </fieldset>
                    <fieldset>
                        <legend>{ algo_name(lang, Algo::LeakyBucket) }</legend>
                        { num(T::DrainPerS, "leaky_bucket.drain_per_s", p.leaky_bucket.drain_per_s as u64, 1, 1_000_000) }
                        { num(T::QueueCapacity, "leaky_bucket.capacity", p.leaky_bucket.capacity as u64, 1, 100_000) }
                    </fieldset>
                    <fieldset>
                        { num(T::CompareWindowMs, "compare_window_ms", p.compare_window_ms as u64, 1, 600_000) }
                        { num(T::ChartBucketMs, "chart_bucket_ms", p.chart_bucket_ms as u64, 10, 600_000) }
                    </fieldset>
                </section>
                <section class="panel charts">
                    <h2>{ tr(lang, T::ChartWindow) }</h2>
                    <p class="note">{ tr(lang, T::ChartWindowNote) }</p>
                    <canvas id="chart-window" ref={win_ref} class="chart"></canvas>
                    <h2>{ tr(lang, T::ChartThroughput) }</h2>
                    <canvas id="chart-throughput" ref={thr_ref} class="chart"></canvas>
                </section>
            </div>
            <section class="panel results">
                <h2>{ tr(lang, T::Results) }</h2>
                <table id="results">
                    <thead><tr>
                        <th>{ tr(lang, T::Algorithm) }</th><th>{ tr(lang, T::Arrived) }</th><th>{ tr(lang, T::Accepted) }</th>
                        <th>{ tr(lang, T::Rejected) }</th><th>{ tr(lang, T::Queued) }</th><th>{ tr(lang, T::MaxInWindow) }</th>
                        <th>{ tr(lang, T::NominalLimit) }</th><th>{ tr(lang, T::OverLimit) }</th><th>{ tr(lang, T::DelayP50) }</th><th>{ tr(lang, T::DelayP99) }</th>
                    </tr></thead>
                    <LiveResults rt={shared.clone()} />
                </table>
            </section>
            <section class="panel explain">
                <h2>{ tr(lang, T::Explanations) }</h2>
                <p class="note">{ tr(lang, T::NotesSay) }</p>
                <div class="cards">
                    { for explain.iter().map(|(a, t)| html! {
                        <article class="card"><h3>{ algo_name(lang, *a) }</h3><p>{ tr(lang, *t) }</p></article>
                    }) }
                </div>
            </section>
        </div>
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
    let now = props.rt.0.borrow().model.now();
    html! { <span class="clock" id="virtual-clock">{ format!("{}: {:.3} s", tr(lang, T::VirtualTime), now as f64 / NS_PER_S as f64) }</span> }
}

#[function_component(LiveResults)]
fn live_results(props: &LiveProps) -> Html {
    use_ticker(REFRESH_MS);
    let lang = use_context::<Lang>().unwrap_or_default();
    let rt = props.rt.0.borrow();
    let lanes = rt.model.lanes();
    let rows = Algo::ALL.iter().map(|&a| {
        let l = &lanes[a.index()];
        let over = l.max_in_window as f64 > l.nominal_limit() + 1e-9;
        let d = l.delay.percentiles();
        let leaky = a == Algo::LeakyBucket;
        let queued = if leaky { rt.model.leaky_queued().to_string() } else { "–".into() };
        let ms = |ns: u64| format!("{:.0} ms", ns as f64 / 1e6);
        html! {
            <tr data-algo={format!("{a:?}")}>
                <td>{ algo_name(lang, a) }</td>
                <td class="num">{ l.arrived }</td>
                <td class="num pass">{ l.accepted }</td>
                <td class="num drop">{ l.rejected }</td>
                <td class="num">{ queued }</td>
                <td class={classes!("num", over.then_some("over"))}>{ l.max_in_window }</td>
                <td class="num">{ format!("{:.1}", l.nominal_limit()) }</td>
                <td class={classes!("num", (l.over_limit > 0).then_some("over"))}>{ l.over_limit }</td>
                <td class="num">{ if leaky { ms(d.p50_ns) } else { "0 ms".into() } }</td>
                <td class="num">{ if leaky { ms(d.p99_ns) } else { "0 ms".into() } }</td>
            </tr>
        }
    });
    html! { <tbody>{ for rows }</tbody> }
}

impl Playable for Runtime {
    type Params = LimiterParams;

    fn rebuild(&mut self, state: &State) {
        self.model = build_model(state);
        self.pace.charts_dirty = true;
    }

    fn set_pacing(&mut self, playing: bool, speed: f64, lang: Lang) {
        self.pace.set(playing, speed, lang);
    }

    /// To the next event: one request decided, or one leaving the leaky bucket.
    fn step(&mut self) {
        let now = self.model.now();
        let next = self
            .model
            .next_event_at()
            .unwrap_or(now + 100 * NS_PER_MS)
            .max(now);
        self.pace.step_to(&mut self.model, next);
    }
}

impl Animated for Runtime {
    fn frame(&mut self, ts: f64, dt_ms: f64) {
        let view = self.view();
        self.model.set_lookahead(view.lead_ns);
        self.pace.advance(&mut self.model, dt_ms);
        self.model.fill_snapshot(view, &mut self.snap);
        if let Some(c) = self.lanes.cast::<HtmlCanvasElement>() {
            draw_lanes(&c, &self.snap, self.model.lanes(), self.pace.lang);
        }
        if self.pace.charts_due(ts) {
            let now = self.model.now();
            if let Some(c) = self.window.cast::<HtmlCanvasElement>() {
                crate::charts::draw_window(&c, self.model.lanes(), now, self.pace.lang);
            }
            if let Some(c) = self.throughput.cast::<HtmlCanvasElement>() {
                crate::charts::draw_throughput(&c, self.model.lanes(), now, self.pace.lang);
            }
        }
    }
}
