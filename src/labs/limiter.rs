//! The rate-limiter lab page: presets, controls, the lanes canvas, charts, results and explanations.

use std::cell::RefCell;
use std::rc::Rc;

use flowlab_sim::kernel::time::{Nanos, NS_PER_MS, NS_PER_S};
use flowlab_sim::kernel::traffic::Pattern;
use flowlab_sim::limiter::{presets, Algo, LimiterLab, LimiterParams, LimiterSnapshot, View};
use flowlab_sim::Model;
use gloo::render::{request_animation_frame, AnimationFrame};
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use crate::components::fields::{NumField, SelectField};
use crate::components::sim_controls::SimControls;
use crate::draw::{algo_name, draw_lanes};
use crate::i18n::{describe_problem, tr, Lang, T};
use crate::url_state::{self, Problem};

const ROUTE: &str = "/limiter";
const DEFAULT_SEED: u64 = 42;
/// Longest wall time one frame may advance the model by: a hidden or stalled tab does not catch up.
const MAX_FRAME_MS: f64 = 100.0;
/// Most events one frame may process.
const MAX_EVENTS_PER_FRAME: u64 = 200_000;
/// Charts and readouts refresh this often (wall milliseconds).
const CHART_EVERY_MS: f64 = 250.0;
/// The key that changes live, without a reset.
const LIVE_TOKEN_KEY: &str = "token_bucket.rate_per_s";

/// The lab's reproducible state: what the URL holds.
#[derive(Clone, Debug, PartialEq)]
pub struct LabState {
    pub params: LimiterParams,
    pub seed: u64,
    /// The preset last loaded (its "what to watch" sentence stays on screen).
    pub preset: Option<&'static str>,
    /// Problems found in the URL at load.
    pub url_problems: Vec<Problem>,
    /// The last input that could not be applied.
    pub input_problem: Option<Problem>,
    /// Bumped whenever the model must be rebuilt.
    pub generation: u64,
}

pub enum Action {
    /// Sets one dotted param key from text.
    Set(AttrValue, String),
    SetSeed(String),
    LoadPreset(&'static str),
    Reset,
    DismissNotice,
}

impl LabState {
    /// The state a URL query describes, with what was wrong in it.
    pub fn from_query(query: &str) -> Self {
        let mut problems = Vec::new();
        // A preset named in the URL is the base the other keys apply over.
        let preset_name = url_state::pairs(query)
            .into_iter()
            .find(|(k, _)| k == url_state::PRESET_KEY)
            .map(|(_, v)| v);
        let preset = match preset_name {
            Some(name) => match presets::by_id(&name) {
                Some(p) => Some(p),
                None => {
                    problems.push(Problem::UnknownPreset(name));
                    None
                }
            },
            None => None,
        };
        let base = preset
            .as_ref()
            .map(|p| p.params.clone())
            .unwrap_or_default();
        let parsed = url_state::parse(query, base);
        problems.extend(parsed.problems);
        Self {
            params: parsed.params,
            seed: parsed
                .seed
                .or(preset.as_ref().map(|p| p.seed))
                .unwrap_or(DEFAULT_SEED),
            preset: preset.map(|p| p.id),
            url_problems: problems,
            input_problem: None,
            generation: 0,
        }
    }

    pub fn query(&self) -> String {
        url_state::to_query(&self.params, &LimiterParams::default(), self.seed)
    }
}

impl Reducible for LabState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::Set(key, text) => match url_state::apply(&s.params, &key, &text) {
                Ok(p) => {
                    s.params = p;
                    s.input_problem = None;
                    if key.as_str() != LIVE_TOKEN_KEY {
                        s.generation += 1;
                    }
                }
                Err(e) => s.input_problem = Some(e),
            },
            Action::SetSeed(text) => match text.trim().parse::<u64>() {
                Ok(seed) => {
                    s.seed = seed;
                    s.input_problem = None;
                    s.generation += 1;
                }
                Err(_) => s.input_problem = Some(Problem::BadSeed(text)),
            },
            Action::LoadPreset(id) => {
                if let Some(p) = presets::by_id(id) {
                    s.params = p.params;
                    s.seed = p.seed;
                    s.preset = Some(p.id);
                    s.input_problem = None;
                    s.generation += 1;
                }
            }
            Action::Reset => s.generation += 1,
            Action::DismissNotice => s.url_problems.clear(),
        }
        Rc::new(s)
    }
}

/// What the animation loop owns: the model and the wall-clock pacing.
struct Runtime {
    model: LimiterLab,
    snap: LimiterSnapshot,
    playing: bool,
    speed: f64,
    lang: Lang,
    last_ts: Option<f64>,
    last_chart_ts: f64,
    charts_dirty: bool,
}

impl Runtime {
    fn view(&self) -> View {
        // Particles take a fixed wall time to cross, whatever the speed.
        let scale = |wall_ms: f64| ((wall_ms * self.speed) * NS_PER_MS as f64) as Nanos;
        View {
            lead_ns: scale(500.0).max(1),
            trail_ns: scale(1400.0).max(1),
        }
    }
}

fn build_model(s: &LabState) -> LimiterLab {
    LimiterLab::new(s.params.clone(), s.seed)
        .or_else(|_| LimiterLab::new(LimiterParams::default(), s.seed))
        .expect("default params are valid")
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
    let state = use_reducer(|| LabState::from_query(&crate::web::hash_query()));
    let playing = use_state(|| true);
    let speed = use_state(|| 1.0f64);
    let runtime = use_mut_ref(|| Runtime {
        model: build_model(&state),
        snap: LimiterSnapshot::default(),
        playing: true,
        speed: 1.0,
        lang,
        last_ts: None,
        last_chart_ts: f64::NEG_INFINITY,
        charts_dirty: true,
    });
    let lanes_ref = use_node_ref();
    let thr_ref = use_node_ref();
    let win_ref = use_node_ref();

    // Rebuild the model when the generation changes (params, seed, preset, reset).
    {
        let runtime = runtime.clone();
        let s = state.clone();
        use_effect_with(state.generation, move |_| {
            let mut rt = runtime.borrow_mut();
            rt.model = build_model(&s);
            rt.charts_dirty = true;
        });
    }
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
    // Keep the URL in step with the state, so reload and shared links reproduce the run.
    {
        let q = state.query();
        use_effect_with(q, |q| crate::web::replace_hash_query(ROUTE, q));
    }
    {
        let runtime = runtime.clone();
        use_effect_with((*playing, *speed, lang), move |(p, s, l)| {
            let mut rt = runtime.borrow_mut();
            rt.playing = *p;
            rt.speed = *s;
            rt.lang = *l;
            rt.charts_dirty = true;
        });
    }
    // The animation loop: started once, stopped when the page unmounts.
    {
        let runtime = runtime.clone();
        let (lanes_ref, thr_ref, win_ref) = (lanes_ref.clone(), thr_ref.clone(), win_ref.clone());
        use_effect_with((), move |_| {
            let handle: Rc<RefCell<Option<AnimationFrame>>> = Rc::new(RefCell::new(None));
            let refs = Rc::new((lanes_ref, thr_ref, win_ref));
            schedule(runtime, refs, handle.clone());
            move || {
                handle.borrow_mut().take();
            }
        });
    }

    let on_set = {
        let state = state.clone();
        Callback::from(move |(k, v): (AttrValue, String)| state.dispatch(Action::Set(k, v)))
    };
    let on_play = {
        let playing = playing.clone();
        Callback::from(move |_| playing.set(!*playing))
    };
    let on_step = {
        let playing = playing.clone();
        let runtime = runtime.clone();
        Callback::from(move |_| {
            playing.set(false);
            let mut rt = runtime.borrow_mut();
            rt.playing = false;
            let now = rt.model.now();
            let next = rt
                .model
                .next_event_at()
                .unwrap_or(now + 100 * NS_PER_MS)
                .max(now);
            rt.model.run_to(next);
            rt.charts_dirty = true;
        })
    };
    let on_reset = {
        let state = state.clone();
        Callback::from(move |_| state.dispatch(Action::Reset))
    };
    let on_speed = {
        let speed = speed.clone();
        Callback::from(move |s: f64| speed.set(s.clamp(0.1, 1000.0)))
    };
    let on_seed = {
        let state = state.clone();
        Callback::from(move |t: String| state.dispatch(Action::SetSeed(t)))
    };

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

    let preset_buttons = presets::all().into_iter().map(|pr| {
        let (title, _) = preset_title(pr.id);
        let id = pr.id;
        let active = state.preset == Some(id);
        let state = state.clone();
        let playing = playing.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            state.dispatch(Action::LoadPreset(id));
            playing.set(true);
        });
        html! { <button class={classes!("btn", "preset", active.then_some("active"))} data-preset={id} onclick={onclick}>{ tr(lang, title) }</button> }
    });

    let notice = (!state.url_problems.is_empty()).then(|| {
        let st = state.clone();
        let dismiss = Callback::from(move |_: MouseEvent| st.dispatch(Action::DismissNotice));
        html! {
            <div id="url-notice" class="notice" role="alert">
                <strong>{ tr(lang, T::UrlNotice) }</strong>
                <ul>{ for state.url_problems.iter().map(|pr| html! { <li>{ describe_problem(lang, pr) }</li> }) }</ul>
                <button class="btn small" onclick={dismiss}>{ tr(lang, T::Dismiss) }</button>
            </div>
        }
    });
    let input_problem = state.input_problem.as_ref().map(|pr| {
        html! { <div id="input-problem" class="notice small" role="alert">{ format!("{}: {}", tr(lang, T::InvalidInput), describe_problem(lang, pr)) }</div> }
    });

    let explain = [
        (Algo::FixedWindow, T::ExplainFixedWindow),
        (Algo::SlidingLog, T::ExplainSlidingLog),
        (Algo::SlidingCounter, T::ExplainSlidingCounter),
        (Algo::TokenBucket, T::ExplainTokenBucket),
        (Algo::LeakyBucket, T::ExplainLeakyBucket),
    ];

    let watch = state.preset.map(|id| {
        let (title, watch) = preset_title(id);
        html! { <p id="preset-watch" class="watch"><strong>{ format!("{} — {}: ", tr(lang, title), tr(lang, T::WhatToWatch)) }</strong>{ tr(lang, watch) }</p> }
    });

    html! {
        <div class="lab limiter-lab">
            <section class="lab-head">
                <h1>{ tr(lang, T::LimiterTitle) }</h1>
                <p class="intro">{ tr(lang, T::LimiterIntro) }</p>
            </section>
            { for notice }
            <section class="presets">
                <span class="section-label">{ tr(lang, T::Presets) }</span>
                { for preset_buttons }
            </section>
            { for watch }
            <div class="control-bar">
                <SimControls playing={*playing} speed={*speed} seed={state.seed}
                    on_play={on_play} on_step={on_step} on_reset={on_reset} on_speed={on_speed} on_seed={on_seed} />
                <LiveClock rt={shared.clone()} />
            </div>
            { for input_problem }
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

/// The runtime, shared with the live readouts (compared by identity).
#[derive(Clone)]
struct Shared(Rc<RefCell<Runtime>>);

impl PartialEq for Shared {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Properties, PartialEq)]
struct LiveProps {
    rt: Shared,
}

/// Re-renders the calling component every `ms` wall milliseconds while it is mounted. Only the
/// live readouts use it, so inputs the user is typing into are never re-rendered under them.
#[hook]
fn use_ticker(ms: u32) {
    let update = use_force_update();
    use_effect_with((), move |_| {
        let interval = gloo::timers::callback::Interval::new(ms, move || update.force_update());
        move || drop(interval)
    });
}

#[function_component(LiveClock)]
fn live_clock(props: &LiveProps) -> Html {
    use_ticker(CHART_EVERY_MS as u32);
    let lang = use_context::<Lang>().unwrap_or_default();
    let now = props.rt.0.borrow().model.now();
    html! { <span class="clock" id="virtual-clock">{ format!("{}: {:.3} s", tr(lang, T::VirtualTime), now as f64 / NS_PER_S as f64) }</span> }
}

#[function_component(LiveResults)]
fn live_results(props: &LiveProps) -> Html {
    use_ticker(CHART_EVERY_MS as u32);
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

type Refs = Rc<(NodeRef, NodeRef, NodeRef)>;

fn schedule(
    runtime: Rc<RefCell<Runtime>>,
    refs: Refs,
    handle: Rc<RefCell<Option<AnimationFrame>>>,
) {
    let next = handle.clone();
    let frame_handle = request_animation_frame(move |ts| {
        frame(&runtime, &refs, ts);
        // Keep going only while the page holds the handle (it is taken on unmount).
        if next.borrow().is_some() {
            schedule(runtime, refs, next);
        }
    });
    *handle.borrow_mut() = Some(frame_handle);
}

fn frame(runtime: &Rc<RefCell<Runtime>>, refs: &Refs, ts: f64) {
    let mut rt = runtime.borrow_mut();
    let dt_ms = match rt.last_ts {
        Some(last) => (ts - last).clamp(0.0, MAX_FRAME_MS),
        None => 0.0,
    };
    rt.last_ts = Some(ts);
    if crate::web::page_hidden() {
        return;
    }
    let view = rt.view();
    if rt.playing && dt_ms > 0.0 {
        let target = rt
            .model
            .now()
            .saturating_add((dt_ms * rt.speed * NS_PER_MS as f64) as Nanos);
        rt.model.set_lookahead(view.lead_ns);
        rt.model.advance_to(target, MAX_EVENTS_PER_FRAME);
        rt.charts_dirty = true;
    } else {
        rt.model.set_lookahead(view.lead_ns);
    }
    let Runtime {
        model, snap, lang, ..
    } = &mut *rt;
    model.fill_snapshot(view, snap);
    let lang = *lang;
    if let Some(c) = refs.0.cast::<HtmlCanvasElement>() {
        draw_lanes(&c, snap, model.lanes(), lang);
    }
    if rt.charts_dirty && ts - rt.last_chart_ts >= CHART_EVERY_MS {
        rt.last_chart_ts = ts;
        rt.charts_dirty = false;
        let now = rt.model.now();
        if let Some(c) = refs.2.cast::<HtmlCanvasElement>() {
            crate::charts::draw_window(&c, rt.model.lanes(), now, lang);
        }
        if let Some(c) = refs.1.cast::<HtmlCanvasElement>() {
            crate::charts::draw_throughput(&c, rt.model.lanes(), now, lang);
        }
    }
}
