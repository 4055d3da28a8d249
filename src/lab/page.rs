//! The lab page, written once: presets, notices, the simulation controls (or run / cancel for labs
//! that end by themselves), the picture, the checkers, the params form from the knob table, the
//! charts, the results from the report, and the explanations. A lab supplies a [`LabUi`]: its
//! picture, its charts, its fault buttons and its words.

use std::cell::{Cell, RefCell};
use std::marker::PhantomData;
use std::rc::Rc;

use flowlab_sim::kernel::knobs::Knobs;
use flowlab_sim::kernel::lab::{Extent, Lab};
use flowlab_sim::kernel::sim::Sim;
use flowlab_sim::kernel::time::{Nanos, NS_PER_MS, NS_PER_S};
use flowlab_sim::Model;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use super::form::{self, Input};
use super::pacing::{Pacing, Phase, MAX_FRAME_MS, REFRESH_MS};
use super::results;
use super::state::{Action, LabState};
use crate::i18n::{count, describe_problem, fill, help, tr, tr_id, Lang};
use crate::kit::chart::{self, Chart};
use crate::kit::controls::SimControls;
use crate::kit::fields::{CheckField, NumField, SelectField};
use crate::text;

/// What a lab plugs into the page: its picture, its charts, its operator actions and its words.
/// Text ids the page reads from the lab's table: `<id>.title`, `<id>.intro`, `<id>.legend`,
/// `<id>.preset.<preset>` and `<id>.preset.<preset>.watch`.
pub trait LabUi: Sized + 'static {
    type L: Lab;
    /// Explanation cards: (title id, body id).
    const EXPLAIN: &'static [(&'static str, &'static str)];
    /// Chart titles (text ids): one canvas each, filled by [`LabUi::charts`] in the same order.
    const CHARTS: &'static [&'static str];

    fn new() -> Self;

    /// Before each frame's advance: settings of the run that only the picture needs (how far ahead
    /// arrivals are drawn ...).
    fn prepare(_sim: &mut Sim<Self::L>, _pace: &Pacing) {}

    /// The picture's canvases (their node refs are kept in `self`).
    fn stage(&self, sim: &Sim<Self::L>) -> Html;

    /// Draws the picture from the run, every frame something changed.
    fn draw(&mut self, sim: &Sim<Self::L>, pace: &Pacing);

    /// What the charts show now (as many as [`LabUi::CHARTS`]).
    fn charts(&self, sim: &Sim<Self::L>, lang: Lang) -> Vec<Chart>;

    /// Fault and operator buttons; `apply` applies one to the run.
    fn actions(
        _sim: &Sim<Self::L>,
        _apply: &Callback<<Self::L as Lab>::Fault>,
        _lang: Lang,
    ) -> Html {
        html! {}
    }

    /// Live panels of the lab's own under the picture (tables of state, a ring change ...).
    fn extra(_sim: &Sim<Self::L>, _lang: Lang) -> Html {
        html! {}
    }

    /// Where a step goes: 50 ms of virtual time by default.
    fn step_to(sim: &Sim<Self::L>) -> Nanos {
        sim.now() + 50 * NS_PER_MS
    }

    /// The picture in words, for screen readers (the canvas's text alternative).
    fn summary(sim: &Sim<Self::L>, lang: Lang) -> String;
}

/// What the animation loop owns: the run, the lab's picture, pacing, and the chart canvases.
pub struct Runtime<U: LabUi> {
    pub sim: Sim<U::L>,
    pub ui: U,
    pub pace: Pacing,
    charts: Vec<NodeRef>,
    /// Something changed since the picture was drawn.
    picture_dirty: bool,
    /// Frame rate over the last second.
    frames: u32,
    fps_since: f64,
    pub fps: f64,
    /// The run fell behind the chosen speed in the last frame (its budget ran out).
    pub behind: bool,
    /// Bumped whenever what the live readouts show may have changed: they re-render only then, so
    /// a paused page does no work.
    version: Rc<Cell<u64>>,
}

impl<U: LabUi> Runtime<U> {
    fn timed(&self) -> bool {
        self.sim.extent() == Extent::Timed
    }

    fn frame(&mut self, ts: f64, dt_ms: f64) {
        self.frames += 1;
        if ts - self.fps_since >= 1000.0 {
            self.fps = self.frames as f64 * 1000.0 / (ts - self.fps_since);
            self.frames = 0;
            self.fps_since = ts;
        }
        U::prepare(&mut self.sim, &self.pace);
        let moving = if self.timed() {
            self.behind = self.pace.advance(&mut self.sim, dt_ms, crate::web::now_ms);
            self.pace.playing
        } else {
            let running = self.pace.phase == Phase::Running;
            self.pace.run_slice(&mut self.sim, crate::web::now_ms);
            running
        };
        if moving || self.picture_dirty {
            self.version.set(self.version.get().wrapping_add(1));
        }
        // What the picture and the charts take is left out of the engine's next budget.
        let t0 = crate::web::now_ms();
        if moving || self.picture_dirty {
            self.picture_dirty = false;
            self.ui.draw(&self.sim, &self.pace);
        }
        if self.pace.charts_due(ts) {
            let lang = self.pace.lang;
            let charts = self.ui.charts(&self.sim, lang);
            for (node, c) in self.charts.iter().zip(&charts) {
                if let Some(canvas) = node.cast::<HtmlCanvasElement>() {
                    chart::draw(&canvas, c, lang);
                }
            }
        }
        if moving {
            self.pace.frame_rest(crate::web::now_ms() - t0);
        }
    }

    fn rebuild(&mut self, state: &LabState<U::L>) {
        self.sim = Sim::new_or_default(&state.params, state.seed);
        self.pace.phase = Phase::Idle;
        self.touch();
    }

    fn touch(&mut self) {
        self.picture_dirty = true;
        self.pace.charts_dirty = true;
        self.version.set(self.version.get().wrapping_add(1));
    }
}

/// A runtime shared between a page, its animation loop and its live readouts; compared by identity.
pub struct Shared<U: LabUi>(pub Rc<RefCell<Runtime<U>>>);

impl<U: LabUi> Clone for Shared<U> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<U: LabUi> Shared<U> {
    /// What the live readouts watch to know when to re-render.
    fn version(&self) -> Rc<Cell<u64>> {
        self.0.borrow().version.clone()
    }
}

impl<U: LabUi> PartialEq for Shared<U> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

type FrameHandle = Rc<RefCell<Option<gloo::render::AnimationFrame>>>;

/// Runs the runtime's frame on every animation frame while the page is mounted.
fn schedule<U: LabUi>(
    rt: Rc<RefCell<Runtime<U>>>,
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
            rt.borrow_mut().frame(ts, dt);
        }
        // Keep going only while the page holds the handle (it is taken on unmount).
        if next.borrow().is_some() {
            schedule(rt, next, last);
        }
    });
    *handle.borrow_mut() = Some(frame);
}

/// Re-renders the calling component every `ms` wall milliseconds while it is mounted, if the run
/// changed since (`version` moved): a paused page re-renders nothing. Only live readouts use it, so
/// inputs a user is typing into are never re-rendered under them.
#[hook]
fn use_ticker(ms: u32, version: Rc<Cell<u64>>) {
    let update = use_force_update();
    use_effect_with((), move |_| {
        let seen = Cell::new(version.get());
        let interval = gloo::timers::callback::Interval::new(ms, move || {
            if seen.get() != version.get() {
                seen.set(version.get());
                update.force_update();
            }
        });
        move || drop(interval)
    });
}

#[derive(Properties)]
pub struct LabPageProps<U: LabUi> {
    #[prop_or_default]
    pub _ui: PhantomData<U>,
}

impl<U: LabUi> PartialEq for LabPageProps<U> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// The page of lab `U`, at route `#/<id>`.
#[function_component(LabPage)]
pub fn lab_page<U: LabUi>(_props: &LabPageProps<U>) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let id = U::L::ID;
    let state = use_reducer(|| LabState::<U::L>::from_query(&crate::web::hash_query()));
    {
        let q = state.query();
        use_effect_with(q, move |q| {
            crate::web::replace_hash_query(&format!("/{id}"), q)
        });
    }
    {
        use_effect_with(lang, move |l| {
            crate::web::set_title(&format!("{} · flowlab", tr_id(*l, &format!("{id}.title"))))
        });
    }
    // With `prefers-reduced-motion: reduce`, the lab starts paused and its picture moves nothing.
    let reduced_motion = *use_memo((), |_| crate::web::prefers_reduced_motion());
    let runtime = {
        let st = state.clone();
        use_mut_ref(move || Runtime::<U> {
            sim: Sim::new_or_default(&st.params, st.seed),
            ui: U::new(),
            pace: {
                let mut p = Pacing::new(lang);
                p.reduced_motion = reduced_motion;
                p
            },
            charts: U::CHARTS.iter().map(|_| NodeRef::default()).collect(),
            picture_dirty: true,
            frames: 0,
            fps_since: 0.0,
            fps: 0.0,
            behind: false,
            version: Rc::new(Cell::new(0)),
        })
    };
    let playing = use_state(|| !reduced_motion);
    let speed = use_state(|| 1.0f64);
    {
        let rt = runtime.clone();
        let s = state.clone();
        use_effect_with(state.generation, move |_| rt.borrow_mut().rebuild(&s));
    }
    {
        let rt = runtime.clone();
        let s = state.clone();
        use_effect_with(state.live.clone(), move |live| {
            if let Some((_, key)) = live {
                let mut r = rt.borrow_mut();
                if !r.sim.set_live(&s.params, key) {
                    r.rebuild(&s);
                }
                r.touch();
            }
        });
    }
    {
        let rt = runtime.clone();
        use_effect_with((*playing, *speed, lang), move |(p, s, l)| {
            let mut r = rt.borrow_mut();
            r.pace.set(*p, *s, *l);
            r.touch();
        });
    }
    {
        // A new size redraws the picture, even while paused.
        let rt = runtime.clone();
        use_effect_with((), move |_| {
            let listener =
                gloo::events::EventListener::new(&crate::web::window(), "resize", move |_| {
                    rt.borrow_mut().touch();
                });
            move || drop(listener)
        });
    }
    {
        let rt = runtime.clone();
        use_effect_with((), move |_| {
            let handle: FrameHandle = Rc::new(RefCell::new(None));
            schedule(rt, handle.clone(), Rc::new(RefCell::new(None)));
            move || {
                handle.borrow_mut().take();
            }
        });
    }

    let on_set = {
        let state = state.clone();
        Callback::from(move |(k, v): (AttrValue, String)| {
            state.dispatch(Action::Set(k.to_string(), v))
        })
    };
    let on_play = {
        let playing = playing.clone();
        Callback::from(move |_| playing.set(!*playing))
    };
    let on_step = {
        let playing = playing.clone();
        let rt = runtime.clone();
        Callback::from(move |_| {
            playing.set(false);
            let mut r = rt.borrow_mut();
            let to = U::step_to(&r.sim);
            let Runtime { sim, pace, .. } = &mut *r;
            pace.step_to(sim, to);
            r.touch();
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
    let timed = runtime.borrow().timed();

    let controls = if timed {
        html! {
            <div class="control-bar">
                <SimControls playing={*playing} speed={*speed} seed={state.seed}
                    on_play={on_play} on_step={on_step} on_reset={on_reset}
                    on_speed={on_speed} on_seed={on_seed} />
                <LiveClock<U> rt={shared.clone()} />
            </div>
        }
    } else {
        let on_run = {
            let rt = runtime.clone();
            let state = state.clone();
            Callback::from(move |_: MouseEvent| {
                let mut r = rt.borrow_mut();
                r.rebuild(&state);
                r.pace.start(crate::web::now_ms());
            })
        };
        let on_cancel = {
            let rt = runtime.clone();
            Callback::from(move |_: MouseEvent| {
                let mut r = rt.borrow_mut();
                r.pace.cancel();
                // The progress readout re-renders only when the run changed: say it did.
                r.touch();
            })
        };
        let on_seed = {
            let state = state.clone();
            Callback::from(move |e: Event| {
                let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                state.dispatch(Action::SetSeed(input.value()));
            })
        };
        html! {
            <div class="control-bar">
                <div class="sim-controls">
                    <button id="btn-run" class="btn primary" onclick={on_run}>{ tr(lang, text::RUN) }</button>
                    <button id="btn-cancel" class="btn" onclick={on_cancel}>{ tr(lang, text::CANCEL) }</button>
                    <label class="inline">
                        <span>{ tr(lang, text::SEED) }</span>
                        <input id="input-seed" type="number" min="0" value={state.seed.to_string()} onchange={on_seed} />
                    </label>
                </div>
                <LiveProgress<U> rt={shared.clone()} />
            </div>
        }
    };

    let stage = runtime.borrow().ui.stage(&runtime.borrow().sim);
    let chart_refs = runtime.borrow().charts.clone();
    let start_on_preset = {
        let rt = runtime.clone();
        let playing = playing.clone();
        Callback::from(move |_: ()| {
            if reduced_motion {
                // Nothing starts moving by itself: Play (or Run) starts it.
            } else if timed {
                playing.set(true);
            } else {
                rt.borrow_mut().pace.start(crate::web::now_ms());
            }
        })
    };

    html! {
        <div class={classes!("lab", format!("lab-{id}"))}>
            <section class="lab-head">
                <h1>{ tr_id(lang, &format!("{id}.title")) }</h1>
                <p class="intro">{ tr_id(lang, &format!("{id}.intro")) }</p>
            </section>
            { url_notice(lang, &state) }
            <PresetsBar<U> state={state.clone()} on_loaded={start_on_preset} />
            { controls }
            { input_problem(lang, &state) }
            <LiveActions<U> rt={shared.clone()} />
            <div class="stage">
                { stage }
                <p class="legend">{ tr_id(lang, &format!("{id}.legend")) }</p>
                <LiveSummary<U> rt={shared.clone()} />
            </div>
            <LiveCheckers<U> rt={shared.clone()} />
            <LiveExtra<U> rt={shared.clone()} />
            <div class={classes!("columns", U::CHARTS.is_empty().then_some("single"))}>
                <ParamsForm<U> state={state.clone()} on_set={on_set} />
                if !U::CHARTS.is_empty() {
                    <section class="panel charts" aria-label={tr(lang, text::CHARTS)}>
                        { for U::CHARTS.iter().zip(chart_refs).enumerate().map(|(i, (title, node))| html! {
                            <>
                                <h2>{ tr_id(lang, title) }</h2>
                                <canvas id={format!("chart-{i}")} ref={node} class="chart" role="img"
                                    aria-label={tr_id(lang, title)}></canvas>
                            </>
                        }) }
                    </section>
                }
            </div>
            <section class="panel results">
                <h2>{ tr(lang, text::RESULTS) }</h2>
                <LiveResults<U> rt={shared.clone()} />
            </section>
            <section class="panel explain">
                <h2>{ tr(lang, text::EXPLANATIONS) }</h2>
                <p class="note">{ tr(lang, text::NOTES_SAY) }</p>
                <div class="cards">
                    { for U::EXPLAIN.iter().map(|(t, b)| html! {
                        <article class="card"><h3>{ tr_id(lang, t) }</h3><p>{ tr_id(lang, b) }</p></article>
                    }) }
                </div>
            </section>
        </div>
    }
}

/// The notice listing what was wrong in the URL, with a dismiss button.
fn url_notice<L: Lab>(lang: Lang, state: &UseReducerHandle<LabState<L>>) -> Html {
    if state.url_problems.is_empty() {
        return html! {};
    }
    let st = state.clone();
    let dismiss = Callback::from(move |_: MouseEvent| st.dispatch(Action::DismissNotice));
    html! {
        <div id="url-notice" class="notice" role="alert">
            <strong>{ tr(lang, text::URL_NOTICE) }</strong>
            <ul>{ for state.url_problems.iter().map(|pr| html! { <li>{ describe_problem(lang, pr) }</li> }) }</ul>
            <button class="btn small" onclick={dismiss}>{ tr(lang, text::DISMISS) }</button>
        </div>
    }
}

/// The message for the last input that could not be applied.
fn input_problem<L: Lab>(lang: Lang, state: &LabState<L>) -> Html {
    match &state.input_problem {
        Some(pr) => html! {
            <div id="input-problem" class="notice small" role="alert">
                { fill(tr(lang, text::NOT_APPLIED), &[describe_problem(lang, pr)]) }
            </div>
        },
        None => html! {},
    }
}

#[derive(Properties)]
struct StateProps<U: LabUi> {
    state: UseReducerHandle<LabState<U::L>>,
    #[prop_or_default]
    on_loaded: Callback<()>,
    #[prop_or_default]
    on_set: Callback<(AttrValue, String)>,
}

impl<U: LabUi> PartialEq for StateProps<U> {
    fn eq(&self, o: &Self) -> bool {
        self.state == o.state && self.on_loaded == o.on_loaded && self.on_set == o.on_set
    }
}

/// Preset buttons, and the "what to watch" sentence of the one loaded.
#[function_component(PresetsBar)]
fn presets_bar<U: LabUi>(props: &StateProps<U>) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let id = U::L::ID;
    let state = &props.state;
    let presets = U::L::presets();
    let buttons = presets.iter().map(|p| {
        let pid = p.id;
        let active = state.preset == Some(pid);
        let st = state.clone();
        let loaded = props.on_loaded.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            st.dispatch(Action::LoadPreset(pid));
            loaded.emit(());
        });
        html! {
            <button class={classes!("btn", "preset", active.then_some("active"))} data-preset={pid}
                aria-pressed={active.to_string()} {onclick}>
                { tr_id(lang, &format!("{id}.preset.{pid}")) }
            </button>
        }
    });
    let watch = state.preset.map(|pid| {
        let title = tr_id(lang, &format!("{id}.preset.{pid}"));
        html! {
            <p id="preset-watch" class="watch">
                <strong>{ fill(tr(lang, text::WHAT_TO_WATCH), &[title.to_string()]) }</strong>{ " " }
                { tr_id(lang, &format!("{id}.preset.{pid}.watch")) }
            </p>
        }
    });
    if presets.is_empty() {
        return html! {};
    }
    html! {
        <>
            <section class="presets" aria-label={tr(lang, text::PRESETS)}>
                <span class="section-label">{ tr(lang, text::PRESETS) }</span>
                { for buttons }
            </section>
            { for watch }
        </>
    }
}

/// The params form, generated from the lab's knob table.
#[function_component(ParamsForm)]
fn params_form<U: LabUi>(props: &StateProps<U>) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let show_all = use_state(|| false);
    let params = serde_json::to_value(&props.state.params).expect("params serialise to JSON");
    let sections = form::build(&<U::L as Lab>::Params::knobs(), &params);
    let hidden = form::advanced_count(&sections);
    let on_set = props.on_set.clone();
    let field = |f: &form::Field| -> Html {
        let label: AttrValue = tr_id(lang, f.text).into();
        let help_text: AttrValue = help(lang, f.text, f.doc).into();
        let key: AttrValue = f.key.clone().into();
        let hint = f.live.then(|| AttrValue::from(tr(lang, text::LIVE_HINT)));
        match &f.input {
            Input::Number {
                value,
                min,
                max,
                step,
            } => html! {
                <NumField label={label} param={key} value={value.clone()} min={min.clone()} max={max.clone()}
                    step={Some(AttrValue::from(step.clone()))} help={Some(help_text)} hint={hint} on_set={on_set.clone()} />
            },
            Input::Switch { on } => html! {
                <CheckField label={label} param={key} checked={*on} help={Some(help_text)} on_set={on_set.clone()} />
            },
            Input::Choice { value, options } => {
                let options: Vec<(AttrValue, AttrValue)> = options
                    .iter()
                    .map(|(v, t)| (AttrValue::from(*v), AttrValue::from(tr_id(lang, t))))
                    .collect();
                html! {
                    <SelectField label={label} param={key} value={AttrValue::from(value.clone())} options={options}
                        help={Some(help_text)} on_set={on_set.clone()} />
                }
            }
        }
    };
    let toggle = {
        let show_all = show_all.clone();
        Callback::from(move |_: MouseEvent| show_all.set(!*show_all))
    };
    html! {
        <section class="panel controls" id="params">
            <h2>{ tr(lang, text::PARAMETERS) }</h2>
            { for sections.iter().map(|s| {
                let shown: Vec<&form::Field> = s.fields.iter().filter(|f| *show_all || !f.advanced).collect();
                if shown.is_empty() {
                    return html! {};
                }
                let heading = if s.text.is_empty() { tr(lang, text::GENERAL) } else { tr_id(lang, s.text) };
                html! {
                    <fieldset>
                        <legend>{ heading }</legend>
                        { for shown.into_iter().map(field) }
                    </fieldset>
                }
            }) }
            if hidden > 0 {
                <button id="btn-all-params" class="btn small" aria-expanded={show_all.to_string()} onclick={toggle}>
                    { if *show_all { tr(lang, text::FEWER_PARAMETERS).to_string() } else { fill(tr(lang, text::ALL_PARAMETERS), &[hidden.to_string()]) } }
                </button>
            }
        </section>
    }
}

#[derive(Properties)]
struct LiveProps<U: LabUi> {
    rt: Shared<U>,
}

impl<U: LabUi> PartialEq for LiveProps<U> {
    fn eq(&self, o: &Self) -> bool {
        self.rt == o.rt
    }
}

/// The virtual clock, and the speed the run achieves when it falls behind the chosen one.
#[function_component(LiveClock)]
fn live_clock<U: LabUi>(props: &LiveProps<U>) -> Html {
    use_ticker(REFRESH_MS, props.rt.version());
    let lang = use_context::<Lang>().unwrap_or_default();
    let rt = props.rt.0.borrow();
    let now = rt.sim.now();
    let achieved = rt.pace.achieved.filter(|_| rt.pace.playing);
    html! {
        <>
            // The engine's budget per frame rides along for the frame-rate benchmark.
            <span class="clock" id="virtual-clock" data-engine-ms={format!("{:.1}", rt.pace.engine_budget_ms())}>
                { format!("{}: {:.3} s", tr(lang, text::VIRTUAL_TIME), now as f64 / NS_PER_S as f64) }
            </span>
            if let Some(a) = achieved {
                <span class="achieved" id="achieved-speed" data-achieved={format!("{a:.1}")} role="status"
                    title={tr(lang, text::ACHIEVED_HELP)}>
                    { fill(tr(lang, text::ACHIEVED), &[crate::lab::pacing::speed_text(a)]) }
                </span>
            }
        </>
    }
}

/// Progress of a run that ends by itself.
#[function_component(LiveProgress)]
fn live_progress<U: LabUi>(props: &LiveProps<U>) -> Html {
    use_ticker(100, props.rt.version());
    let lang = use_context::<Lang>().unwrap_or_default();
    let rt = props.rt.0.borrow();
    let (total, unit) = match rt.sim.extent() {
        Extent::Items { count, unit } => (count, unit),
        Extent::Timed => (0, ""),
    };
    let unit_text = tr_id(lang, &format!("ui.unit.{unit}"));
    let done = rt.sim.work().min(total);
    let phase = rt.pace.phase;
    let secs = rt.pace.wall_ms / 1000.0;
    let line = match phase {
        Phase::Idle => tr(lang, text::PROGRESS_IDLE).to_string(),
        Phase::Running => fill(
            tr(lang, text::PROGRESS_RUNNING),
            &[count(lang, done), count(lang, total), unit_text.into()],
        ),
        Phase::Finished => fill(
            tr(lang, text::PROGRESS_FINISHED),
            &[count(lang, total), unit_text.into(), format!("{secs:.2}")],
        ),
        Phase::Cancelled => fill(
            tr(lang, text::PROGRESS_CANCELLED),
            &[count(lang, done), count(lang, total), unit_text.into()],
        ),
    };
    html! {
        <div class="sale-status" id="run-status">
            <progress max={total.to_string()} value={done.to_string()}></progress>
            <span id="run-progress-text" data-phase={phase.as_str()} data-done={done.to_string()}
                data-wall-ms={format!("{:.0}", rt.pace.wall_ms)} role="status">{ line }</span>
            <span class="fps"><span id="run-fps">{ format!("{:.0}", rt.fps) }</span>{ " " }{ tr(lang, text::FPS) }</span>
        </div>
    }
}

/// The lab's fault and operator buttons.
#[function_component(LiveActions)]
fn live_actions<U: LabUi>(props: &LiveProps<U>) -> Html {
    use_ticker(REFRESH_MS, props.rt.version());
    let lang = use_context::<Lang>().unwrap_or_default();
    let apply = {
        let rt = props.rt.clone();
        Callback::from(move |f: <U::L as Lab>::Fault| {
            let mut r = rt.0.borrow_mut();
            r.sim.apply(f);
            r.touch();
        })
    };
    U::actions(&props.rt.0.borrow().sim, &apply, lang)
}

/// The picture in words (what a screen reader reads for the canvas), refreshed live.
#[function_component(LiveSummary)]
fn live_summary<U: LabUi>(props: &LiveProps<U>) -> Html {
    use_ticker(1000, props.rt.version());
    let lang = use_context::<Lang>().unwrap_or_default();
    let text = U::summary(&props.rt.0.borrow().sim, lang);
    html! { <p id="picture-summary" class="sr-only" aria-live="polite">{ text }</p> }
}

/// The lab's own live panels.
#[function_component(LiveExtra)]
fn live_extra<U: LabUi>(props: &LiveProps<U>) -> Html {
    use_ticker(REFRESH_MS, props.rt.version());
    let lang = use_context::<Lang>().unwrap_or_default();
    U::extra(&props.rt.0.borrow().sim, lang)
}

/// The checkers of the whole run: counts of what went wrong, marked when not zero.
#[function_component(LiveCheckers)]
fn live_checkers<U: LabUi>(props: &LiveProps<U>) -> Html {
    use_ticker(REFRESH_MS, props.rt.version());
    let lang = use_context::<Lang>().unwrap_or_default();
    let r = results::build(&props.rt.0.borrow().sim.figures(), lang);
    let cells: Vec<&results::Cell> = r.run.iter().filter(|c| c.metric.checker).collect();
    if cells.is_empty() {
        return html! {};
    }
    html! {
        <section class="checkers" id="checkers" aria-label={tr(lang, text::CHECKERS)}>
            { for cells.into_iter().map(|c| html! {
                <div class={classes!("checker", c.bad.then_some("bad"))} title={help(lang, c.metric.text, c.metric.doc)}
                    data-metric={c.metric.key}>
                    <span class="checker-label">{ tr_id(lang, c.metric.text) }</span>
                    <span class="checker-value" id={format!("c-{}", c.metric.key)}>{ c.text.clone() }</span>
                </div>
            }) }
        </section>
    }
}

/// Every figure of the run: the whole run's, then a table of lanes by metric.
#[function_component(LiveResults)]
fn live_results<U: LabUi>(props: &LiveProps<U>) -> Html {
    use_ticker(REFRESH_MS, props.rt.version());
    let lang = use_context::<Lang>().unwrap_or_default();
    let r = results::build(&props.rt.0.borrow().sim.figures(), lang);
    let run: Vec<&results::Cell> = r.run.iter().filter(|c| !c.metric.checker).collect();
    html! {
        <>
            if !run.is_empty() {
                <table id="run-figures" class="kv">
                    <tbody>
                        { for run.into_iter().map(|c| html! {
                            <tr data-metric={c.metric.key}>
                                <td title={help(lang, c.metric.text, c.metric.doc)}>{ tr_id(lang, c.metric.text) }</td>
                                <td class="num" id={format!("r-{}", c.metric.key)}>{ c.text.clone() }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
            if !r.rows.is_empty() {
                <div class="scroll-x">
                    <table id="results">
                        <thead><tr>
                            <th scope="col">{ tr(lang, text::LANE) }</th>
                            { for r.columns.iter().map(|m| html! {
                                <th scope="col" title={help(lang, m.text, m.doc)}>{ tr_id(lang, m.text) }</th>
                            }) }
                        </tr></thead>
                        <tbody>
                            { for r.rows.iter().map(|row| html! {
                                <tr data-lane={row.lane.clone()}>
                                    <th scope="row">{ tr_id(lang, row.text) }</th>
                                    { for row.cells.iter().zip(&r.columns).map(|(c, m)| match c {
                                        Some(c) => html! { <td class={classes!("num", c.bad.then_some("over"))} data-col={m.key}>{ c.text.clone() }</td> },
                                        None => html! { <td class="num" data-col={m.key}>{ "–" }</td> },
                                    }) }
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
            }
        </>
    }
}
