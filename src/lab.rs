//! What every lab page shares: the URL-backed state reducer, the animation loop, and the ticker
//! that refreshes live readouts.

use std::cell::RefCell;
use std::rc::Rc;

use flowlab_sim::kernel::model::{Model, Validate};
use flowlab_sim::kernel::preset::Preset;
use flowlab_sim::kernel::time::{Nanos, NS_PER_MS};
use serde::de::DeserializeOwned;
use serde::Serialize;
use yew::prelude::*;

use crate::url_state::{self, Problem};

/// Charts and readouts refresh this often (wall milliseconds).
pub const REFRESH_MS: u32 = 250;
/// Longest wall time one frame may advance a model by: a hidden or stalled tab does not catch up.
pub const MAX_FRAME_MS: f64 = 100.0;
/// Most events one frame may process.
pub const MAX_EVENTS_PER_FRAME: u64 = 200_000;

/// A lab's params type and its presets.
pub trait LabParams:
    Clone + PartialEq + Default + Serialize + DeserializeOwned + Validate + 'static
{
    /// Seed of a run when neither the URL nor a preset gives one.
    const DEFAULT_SEED: u64 = 42;
    /// Keys whose change applies to the running model instead of rebuilding it.
    const LIVE_KEYS: &'static [&'static str] = &[];
    /// A preset's params and seed, by id.
    fn preset(id: &str) -> Option<Preset<Self>>;
}

/// A lab's reproducible state: what its URL holds.
#[derive(Clone, Debug, PartialEq)]
pub struct LabState<P> {
    pub params: P,
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

impl<P: LabParams> LabState<P> {
    /// The state a URL query describes, with what was wrong in it.
    pub fn from_query(query: &str) -> Self {
        let mut problems = Vec::new();
        // A preset named in the URL is the base the other keys apply over.
        let named = url_state::pairs(query)
            .into_iter()
            .find(|(k, _)| k == url_state::PRESET_KEY)
            .map(|(_, v)| v);
        let preset = named.and_then(|name| match P::preset(&name) {
            Some(p) => Some(p),
            None => {
                problems.push(Problem::UnknownPreset(name));
                None
            }
        });
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
                .unwrap_or(P::DEFAULT_SEED),
            preset: preset.map(|p| p.id),
            url_problems: problems,
            input_problem: None,
            generation: 0,
        }
    }

    /// The query that reproduces this state: the seed and what differs from the defaults.
    pub fn query(&self) -> String {
        url_state::to_query(&self.params, &P::default(), self.seed)
    }
}

impl<P: LabParams> Reducible for LabState<P> {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::Set(key, text) => match url_state::apply(&s.params, &key, &text) {
                Ok(p) => {
                    s.params = p;
                    s.input_problem = None;
                    if !P::LIVE_KEYS.contains(&key.as_str()) {
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
                if let Some(Preset { id, params, seed }) = P::preset(id) {
                    s.params = params;
                    s.seed = seed;
                    s.preset = Some(id);
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

/// A lab's runtime, driven once per animation frame.
pub trait Animated: 'static {
    /// Called with the frame's timestamp (ms) and the wall time since the last frame, already
    /// capped at [`MAX_FRAME_MS`].
    fn frame(&mut self, ts: f64, dt_ms: f64);
}

/// A runtime shared between a page, its animation loop and its live readouts; compared by identity.
pub struct Shared<R>(pub Rc<RefCell<R>>);

impl<R> Clone for Shared<R> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<R> PartialEq for Shared<R> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

type FrameHandle = Rc<RefCell<Option<gloo::render::AnimationFrame>>>;

/// Runs `runtime.frame` on every animation frame while the calling component is mounted; the loop
/// stops when it unmounts. A hidden tab gets no frames, and the gap is not caught up afterwards.
#[hook]
pub fn use_animation<R: Animated>(runtime: Rc<RefCell<R>>) {
    use_effect_with((), move |_| {
        let handle: FrameHandle = Rc::new(RefCell::new(None));
        let last = Rc::new(RefCell::new(None::<f64>));
        schedule(runtime, handle.clone(), last);
        move || {
            handle.borrow_mut().take();
        }
    });
}

fn schedule<R: Animated>(
    runtime: Rc<RefCell<R>>,
    handle: FrameHandle,
    last: Rc<RefCell<Option<f64>>>,
) {
    let next = handle.clone();
    let frame = gloo::render::request_animation_frame(move |ts| {
        let dt = match last.replace(Some(ts)) {
            Some(prev) => (ts - prev).clamp(0.0, MAX_FRAME_MS),
            None => 0.0,
        };
        if !crate::web::page_hidden() {
            runtime.borrow_mut().frame(ts, dt);
        }
        // Keep going only while the page holds the handle (it is taken on unmount).
        if next.borrow().is_some() {
            schedule(runtime, next, last);
        }
    });
    *handle.borrow_mut() = Some(frame);
}

/// Re-renders the calling component every `ms` wall milliseconds while it is mounted. Only live
/// readouts use it, so inputs a user is typing into are never re-rendered under them.
#[hook]
pub fn use_ticker(ms: u32) {
    let update = use_force_update();
    use_effect_with((), move |_| {
        let interval = gloo::timers::callback::Interval::new(ms, move || update.force_update());
        move || drop(interval)
    });
}

/// The lab's state, read from the URL once and written back to it whenever it changes, so reload
/// and shared links reproduce the run.
#[hook]
pub fn use_lab_state<P: LabParams>(route: &'static str) -> UseReducerHandle<LabState<P>> {
    let state = use_reducer(|| LabState::<P>::from_query(&crate::web::hash_query()));
    let q = state.query();
    use_effect_with(q, move |q| crate::web::replace_hash_query(route, q));
    state
}

/// The notice listing what was wrong in the URL, with a dismiss button.
pub fn url_notice<P: LabParams>(
    lang: crate::i18n::Lang,
    state: &UseReducerHandle<LabState<P>>,
) -> Html {
    use crate::i18n::{describe_problem, tr, T};
    if state.url_problems.is_empty() {
        return html! {};
    }
    let st = state.clone();
    let dismiss = Callback::from(move |_: MouseEvent| st.dispatch(Action::DismissNotice));
    html! {
        <div id="url-notice" class="notice" role="alert">
            <strong>{ tr(lang, T::UrlNotice) }</strong>
            <ul>{ for state.url_problems.iter().map(|pr| html! { <li>{ describe_problem(lang, pr) }</li> }) }</ul>
            <button class="btn small" onclick={dismiss}>{ tr(lang, T::Dismiss) }</button>
        </div>
    }
}

/// The message for the last input that could not be applied.
pub fn input_problem<P: LabParams>(lang: crate::i18n::Lang, state: &LabState<P>) -> Html {
    use crate::i18n::{describe_problem, tr, T};
    match &state.input_problem {
        Some(pr) => html! {
            <div id="input-problem" class="notice small" role="alert">{ format!("{}: {}", tr(lang, T::InvalidInput), describe_problem(lang, pr)) }</div>
        },
        None => html! {},
    }
}

/// Preset buttons, and the "what to watch" sentence of the one loaded. `text` gives a preset's
/// (title, what to watch) keys.
pub fn presets_bar<P: LabParams>(
    lang: crate::i18n::Lang,
    ids: &[&'static str],
    state: &UseReducerHandle<LabState<P>>,
    playing: &UseStateHandle<bool>,
    text: fn(&str) -> (crate::i18n::T, crate::i18n::T),
) -> Html {
    use crate::i18n::{tr, T};
    let buttons = ids.iter().map(|&id| {
        let (title, _) = text(id);
        let active = state.preset == Some(id);
        let st = state.clone();
        let playing = playing.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            st.dispatch(Action::LoadPreset(id));
            playing.set(true);
        });
        html! { <button class={classes!("btn", "preset", active.then_some("active"))} data-preset={id} {onclick}>{ tr(lang, title) }</button> }
    });
    let watch = state.preset.map(|id| {
        let (title, watch) = text(id);
        html! { <p id="preset-watch" class="watch"><strong>{ format!("{} — {}: ", tr(lang, title), tr(lang, T::WhatToWatch)) }</strong>{ tr(lang, watch) }</p> }
    });
    html! {
        <>
            <section class="presets">
                <span class="section-label">{ tr(lang, T::Presets) }</span>
                { for buttons }
            </section>
            { for watch }
        </>
    }
}

/// What every lab runtime keeps about pacing: play state, speed, language, and when its charts last
/// redrew. One copy of the per-frame arithmetic, for every lab.
pub struct Pacing {
    pub playing: bool,
    pub speed: f64,
    pub lang: crate::i18n::Lang,
    /// Something changed since the charts last redrew.
    pub charts_dirty: bool,
    last_chart_ts: f64,
}

impl Pacing {
    pub fn new(lang: crate::i18n::Lang) -> Self {
        Self {
            playing: true,
            speed: 1.0,
            lang,
            charts_dirty: true,
            last_chart_ts: f64::NEG_INFINITY,
        }
    }

    /// [`Playable::set_pacing`].
    pub fn set(&mut self, playing: bool, speed: f64, lang: crate::i18n::Lang) {
        self.playing = playing;
        self.speed = speed;
        self.lang = lang;
        self.charts_dirty = true;
    }

    /// Advances `model` by `dt_ms` of wall time at the speed, within the per-frame event cap.
    pub fn advance<M: Model>(&mut self, model: &mut M, dt_ms: f64) {
        if self.playing && dt_ms > 0.0 {
            let target = model
                .now()
                .saturating_add((dt_ms * self.speed * NS_PER_MS as f64) as Nanos);
            model.advance_to(target, MAX_EVENTS_PER_FRAME);
            self.charts_dirty = true;
        }
    }

    /// Pauses and runs `model` to virtual time `to` (a step).
    pub fn step_to<M: Model>(&mut self, model: &mut M, to: Nanos) {
        self.playing = false;
        model.run_to(to);
        self.charts_dirty = true;
    }

    /// Virtual time that `wall_ms` of wall time shows at this speed (at least 1 ns): particles take
    /// the same wall time to cross whatever the speed.
    pub fn virtual_span(&self, wall_ms: f64) -> Nanos {
        ((wall_ms * self.speed) * NS_PER_MS as f64).max(1.0) as Nanos
    }

    /// Whether the charts should redraw at frame time `ts` (something changed, and at most every
    /// [`REFRESH_MS`]); if so, the change is taken as drawn.
    pub fn charts_due(&mut self, ts: f64) -> bool {
        if self.charts_dirty && ts - self.last_chart_ts >= REFRESH_MS as f64 {
            self.last_chart_ts = ts;
            self.charts_dirty = false;
            true
        } else {
            false
        }
    }
}

/// A model for the state's params and seed, or for the defaults if the params are refused (the
/// state keeps only valid params, so that is a last resort that never panics).
pub fn build_or_default<M: Model>(params: &M::Params, seed: u64) -> M {
    M::new(params.clone(), seed)
        .or_else(|_| M::new(M::Params::default(), seed))
        .expect("default params are valid")
}

/// A lab runtime that plays a model: rebuilt from the lab's state, paced by play and speed, stepped.
pub trait Playable: Animated {
    type Params: LabParams;
    /// A fresh model for the state's params and seed.
    fn rebuild(&mut self, state: &LabState<Self::Params>);
    fn set_pacing(&mut self, playing: bool, speed: f64, lang: crate::i18n::Lang);
    /// Pauses and advances by one step (the lab decides what a step is).
    fn step(&mut self);
}

/// Play state and the callbacks of the simulation controls, for one lab page.
pub struct Player {
    pub playing: UseStateHandle<bool>,
    pub speed: UseStateHandle<f64>,
    pub on_set: Callback<(AttrValue, String)>,
    on_play: Callback<()>,
    on_step: Callback<()>,
    on_reset: Callback<()>,
    on_speed: Callback<f64>,
    on_seed: Callback<String>,
}

impl Player {
    /// The play/pause, step, reset, speed and seed bar.
    pub fn controls(&self, seed: u64) -> Html {
        use crate::components::sim_controls::SimControls;
        html! {
            <SimControls playing={*self.playing} speed={*self.speed} seed={seed}
                on_play={self.on_play.clone()} on_step={self.on_step.clone()} on_reset={self.on_reset.clone()}
                on_speed={self.on_speed.clone()} on_seed={self.on_seed.clone()} />
        }
    }
}

/// Wires a playable runtime to its page: rebuilds the model when the state's generation changes,
/// passes play, speed and language on, runs the animation loop, and makes the controls' callbacks.
#[hook]
pub fn use_player<R: Playable>(
    state: &UseReducerHandle<LabState<R::Params>>,
    runtime: &Rc<RefCell<R>>,
    lang: crate::i18n::Lang,
) -> Player {
    let playing = use_state(|| true);
    let speed = use_state(|| 1.0f64);
    {
        let runtime = runtime.clone();
        let s = state.clone();
        use_effect_with(state.generation, move |_| runtime.borrow_mut().rebuild(&s));
    }
    {
        let runtime = runtime.clone();
        use_effect_with((*playing, *speed, lang), move |(p, s, l)| {
            runtime.borrow_mut().set_pacing(*p, *s, *l)
        });
    }
    use_animation(runtime.clone());
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
            runtime.borrow_mut().step();
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
    Player {
        playing,
        speed,
        on_set,
        on_play,
        on_step,
        on_reset,
        on_speed,
        on_seed,
    }
}
