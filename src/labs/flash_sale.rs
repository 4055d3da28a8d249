//! The flash-sale page: 100,000,000 individually simulated requests, run in slices of a few
//! milliseconds per animation frame (the page keeps drawing at full frame rate), with a progress bar
//! and a cancel button; the picture draws flows as bands (level of detail), and says so.

use flowlab_sim::scenario::flash_sale::{
    presets, FlashSale, FlashSaleParams, FlashSaleReport, Shape,
};
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use crate::components::fields::{CheckField, NumField, SelectField};
use crate::draw::{fit, BG, DROP, INCOMING, INK, LANE_BG, MUTED, PASS, WAIT};
use crate::draw_chat::human;
use crate::i18n::{tr, Lang, T};
use crate::lab::{
    input_problem, presets_bar, url_notice, use_animation, use_lab_state, use_ticker, Action,
    Animated, LabParams, Shared,
};

const ROUTE: &str = "/flash-sale";
/// Wall time the sale may take from one frame, milliseconds (keeps frames near 60 per second).
const SLICE_MS: f64 = 9.0;
/// Users simulated between two looks at the clock.
const CHUNK: u64 = 65_536;
const HEIGHT_PX: f64 = 300.0;

impl LabParams for FlashSaleParams {
    const DEFAULT_SEED: u64 = 1;
    fn preset(id: &str) -> Option<flowlab_sim::kernel::preset::Preset<Self>> {
        presets::by_id(id)
    }
}

fn preset_text(id: &str) -> (T, T) {
    match id {
        "full_scale" => (T::PresetSaleFull, T::PresetSaleFullWatch),
        "unsafe_oversell" => (T::PresetSaleUnsafe, T::PresetSaleUnsafeWatch),
        _ => (T::PresetSaleNoFlag, T::PresetSaleNoFlagWatch),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Idle,
    Running,
    Cancelled,
    Finished,
}

struct Runtime {
    sale: Option<FlashSale>,
    phase: Phase,
    started_ms: f64,
    wall_ms: f64,
    report: Option<FlashSaleReport>,
    lang: Lang,
    canvas: NodeRef,
    /// Frames counted over the last second, for the frame-rate readout.
    frames: u32,
    fps_since: f64,
    fps: f64,
    dash: f64,
}

impl Animated for Runtime {
    fn frame(&mut self, ts: f64, _dt_ms: f64) {
        self.frames += 1;
        if ts - self.fps_since >= 1000.0 {
            self.fps = self.frames as f64 * 1000.0 / (ts - self.fps_since);
            self.frames = 0;
            self.fps_since = ts;
        }
        if self.phase == Phase::Running {
            if let Some(sale) = self.sale.as_mut() {
                let t0 = crate::web::now_ms();
                while !sale.is_finished() && crate::web::now_ms() - t0 < SLICE_MS {
                    sale.advance(CHUNK);
                }
                self.wall_ms = crate::web::now_ms() - self.started_ms;
                if sale.is_finished() {
                    self.phase = Phase::Finished;
                    self.report = Some(sale.report());
                }
            }
            self.dash = (self.dash + 2.0) % 24.0;
        }
        if let Some(c) = self.canvas.cast::<HtmlCanvasElement>() {
            self.draw(&c);
        }
    }
}

impl Runtime {
    fn draw(&self, canvas: &HtmlCanvasElement) {
        let Some(ctx) = crate::draw::context(canvas) else {
            return;
        };
        let (w, h, dpr) = fit(canvas, HEIGHT_PX);
        let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
        ctx.set_fill_style_str(BG);
        ctx.fill_rect(0.0, 0.0, w, h);
        let lang = self.lang;
        let (done, c) = match &self.sale {
            Some(s) => (s.done(), s.counts().clone()),
            None => (0, FlashSaleReport::default()),
        };
        let users = self.sale.as_ref().map_or(1, |s| s.params().users).max(1);
        // Band width follows log10(count): 1 .. 10^9 over the band space.
        let band = |n: u64| {
            if n == 0 {
                0.0
            } else {
                4.0 + 60.0 * ((n as f64).log10() / 9.0)
            }
        };
        let stage = |i: f64| 20.0 + i * (w - 40.0) / 4.0;
        let mid = h / 2.0 - 20.0;
        // Stages: users, limiters, counter, queue, database.
        let names = [
            T::Users,
            T::SectionLimiter,
            T::SectionStock,
            T::SectionOrders,
            T::Database,
        ];
        for (i, name) in names.iter().enumerate() {
            let x = stage(i as f64);
            ctx.set_fill_style_str(LANE_BG);
            ctx.fill_rect(x - 8.0, 30.0, 16.0, h - 90.0);
            ctx.set_fill_style_str(INK);
            ctx.set_font("12px system-ui, sans-serif");
            let label = tr(lang, *name);
            let tw = ctx.measure_text(label).map(|m| m.width()).unwrap_or(80.0);
            let _ = ctx.fill_text(label, (x - tw / 2.0).clamp(4.0, w - tw - 4.0), 20.0);
        }
        let flow = |x0: f64, x1: f64, y0: f64, y1: f64, n: u64, color: &str, label: &str| {
            let b = band(n);
            if b <= 0.0 {
                return;
            }
            ctx.set_stroke_style_str(color);
            ctx.set_global_alpha(0.55);
            ctx.set_line_width(b);
            ctx.begin_path();
            ctx.move_to(x0, y0);
            ctx.bezier_curve_to((x0 + x1) / 2.0, y0, (x0 + x1) / 2.0, y1, x1, y1);
            ctx.stroke();
            // Moving dashes while running: the flow is live.
            if self.phase == Phase::Running {
                ctx.set_global_alpha(0.9);
                ctx.set_line_width(1.5);
                let dash = js_sys::Array::of2(&6.0.into(), &18.0.into());
                let _ = ctx.set_line_dash(&dash);
                ctx.set_line_dash_offset(-self.dash);
                ctx.stroke();
                let _ = ctx.set_line_dash(&js_sys::Array::new());
            }
            ctx.set_global_alpha(1.0);
            ctx.set_fill_style_str(INK);
            ctx.set_font("12px system-ui, sans-serif");
            let _ = ctx.fill_text(
                &format!("{label} {}", human(n)),
                (x0 + x1) / 2.0 - 40.0,
                (y0 + y1) / 2.0 - b / 2.0 - 6.0,
            );
        };
        flow(
            stage(0.0),
            stage(1.0),
            mid,
            mid,
            done,
            INCOMING,
            tr(lang, T::Users),
        );
        flow(
            stage(1.0),
            stage(2.0),
            mid,
            mid - 50.0,
            c.admitted - c.sold_out_from_flag,
            PASS,
            tr(lang, T::Admitted),
        );
        // Answers that leave the pipeline fall away below it.
        flow(
            stage(1.0),
            stage(1.7),
            mid,
            h - 62.0,
            c.rejected,
            DROP,
            tr(lang, T::RejectedByLimiter),
        );
        flow(
            stage(1.0),
            stage(1.6),
            mid,
            mid + 50.0,
            c.sold_out_from_flag,
            WAIT,
            tr(lang, T::SoldOutFromFlag),
        );
        flow(
            stage(2.0),
            stage(3.0),
            mid - 50.0,
            mid - 60.0,
            c.success,
            PASS,
            tr(lang, T::Success),
        );
        flow(
            stage(2.0),
            stage(2.6),
            mid - 50.0,
            mid + 40.0,
            c.sold_out - c.sold_out_from_flag,
            WAIT,
            tr(lang, T::SoldOut),
        );
        flow(
            stage(3.0),
            stage(4.0),
            mid - 60.0,
            mid - 60.0,
            c.success,
            PASS,
            tr(lang, T::Success),
        );
        // Progress along the bottom, and the level-of-detail note.
        let frac = done as f64 / users as f64;
        ctx.set_fill_style_str("#0b1019");
        ctx.fill_rect(20.0, h - 40.0, w - 40.0, 8.0);
        ctx.set_fill_style_str(PASS);
        ctx.fill_rect(20.0, h - 40.0, (w - 40.0) * frac, 8.0);
        ctx.set_fill_style_str(MUTED);
        ctx.set_font("12px system-ui, sans-serif");
        let _ = ctx.fill_text(tr(lang, T::SaleLod), 20.0, h - 12.0);
    }
}

#[derive(Properties, PartialEq)]
struct LiveProps {
    rt: Shared<Runtime>,
}

#[function_component(LiveStatus)]
fn live_status(props: &LiveProps) -> Html {
    use_ticker(100);
    let lang = use_context::<Lang>().unwrap_or_default();
    let rt = props.rt.0.borrow();
    let (done, users) = rt
        .sale
        .as_ref()
        .map_or((0, 0), |s| (s.done(), s.params().users));
    let pct = if users == 0 {
        0.0
    } else {
        done as f64 * 100.0 / users as f64
    };
    let phase = match rt.phase {
        Phase::Idle => "",
        Phase::Running => "…",
        Phase::Cancelled => tr(lang, T::SaleCancelled),
        Phase::Finished => tr(lang, T::SaleFinished),
    };
    html! {
        <div class="sale-status">
            <progress id="sale-progress" max={users.to_string()} value={done.to_string()}></progress>
            <span id="sale-progress-text" data-done={done.to_string()} data-phase={match rt.phase { Phase::Idle => "idle", Phase::Running => "running", Phase::Cancelled => "cancelled", Phase::Finished => "finished" }}>
                { format!("{} / {} {} ({pct:.1}%) {phase} · {}: {:.2} s · {}: ", human(done), human(users), tr(lang, T::SaleProgress), tr(lang, T::SaleWall), rt.wall_ms / 1000.0, tr(lang, T::SaleFps)) }
                <span id="sale-fps">{ format!("{:.0}", rt.fps) }</span>
            </span>
        </div>
    }
}

#[function_component(LiveReport)]
fn live_report(props: &LiveProps) -> Html {
    use_ticker(250);
    let lang = use_context::<Lang>().unwrap_or_default();
    let rt = props.rt.0.borrow();
    let r = match (&rt.report, &rt.sale) {
        (Some(r), _) => r.clone(),
        (None, Some(s)) => s.report(),
        (None, None) => FlashSaleReport::default(),
    };
    let row = |k: T, id: &'static str, v: String| html! { <tr><td>{ tr(lang, k) }</td><td class="num" id={id}>{ v }</td></tr> };
    html! {
        <table id="results" class="kv">
            <tbody>
                { row(T::Success, "r-success", r.success.to_string()) }
                { row(T::SoldOut, "r-sold-out", r.sold_out.to_string()) }
                { row(T::RejectedByLimiter, "r-rejected", r.rejected.to_string()) }
                { row(T::Admitted, "r-admitted", r.admitted.to_string()) }
                { row(T::SoldOutFromFlag, "r-flag", r.sold_out_from_flag.to_string()) }
                { row(T::Oversold, "r-oversold", r.oversold.to_string()) }
                { row(T::AnsweredWithin1s, "r-within", format!("{:.4}%", r.answered_within_1s * 100.0)) }
                { row(T::RespP50, "r-p50", format!("{:.1} ms", r.response_p50_ms)) }
                { row(T::RespP99, "r-p99", format!("{:.1} ms", r.response_p99_ms)) }
                { row(T::RespMax, "r-max", format!("{:.1} ms", r.response_max_ms)) }
                { row(T::RedisOps, "r-redis", r.redis_ops.to_string()) }
                { row(T::BacklogPeak, "r-backlog", r.queue_backlog_peak.to_string()) }
                { row(T::DrainS, "r-drain", format!("{:.2} s", r.queue_drain_s)) }
                { row(T::DbPeak, "r-db", r.db_writes_peak_per_s.to_string()) }
            </tbody>
        </table>
    }
}

#[function_component(FlashSalePage)]
pub fn flash_sale_page() -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let state = use_lab_state::<FlashSaleParams>(ROUTE);
    let playing = use_state(|| false); // presets_bar sets it; the sale starts on "Run"
    let canvas = use_node_ref();
    let runtime = {
        let canvas = canvas.clone();
        use_mut_ref(|| Runtime {
            sale: None,
            phase: Phase::Idle,
            started_ms: 0.0,
            wall_ms: 0.0,
            report: None,
            lang,
            canvas,
            frames: 0,
            fps_since: 0.0,
            fps: 0.0,
            dash: 0.0,
        })
    };
    {
        let runtime = runtime.clone();
        use_effect_with(lang, move |l| runtime.borrow_mut().lang = *l);
    }
    // A new generation (params, seed, preset) clears the last run.
    {
        let runtime = runtime.clone();
        use_effect_with(state.generation, move |_| {
            let mut rt = runtime.borrow_mut();
            rt.sale = None;
            rt.phase = Phase::Idle;
            rt.report = None;
            rt.wall_ms = 0.0;
        });
    }
    use_animation(runtime.clone());

    let on_set = {
        let state = state.clone();
        Callback::from(move |(k, v): (AttrValue, String)| state.dispatch(Action::Set(k, v)))
    };
    let on_run = {
        let runtime = runtime.clone();
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            let mut rt = runtime.borrow_mut();
            // Params in the state are validated; a failure here falls back to nothing running.
            if let Ok(sale) = FlashSale::new(&state.params, state.seed) {
                rt.sale = Some(sale);
                rt.phase = Phase::Running;
                rt.report = None;
                rt.started_ms = crate::web::now_ms();
                rt.wall_ms = 0.0;
            }
        })
    };
    let on_cancel = {
        let runtime = runtime.clone();
        Callback::from(move |_: MouseEvent| {
            let mut rt = runtime.borrow_mut();
            if rt.phase == Phase::Running {
                rt.phase = Phase::Cancelled;
            }
        })
    };
    let on_seed = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            state.dispatch(Action::SetSeed(input.value()));
        })
    };

    let shared = Shared(runtime.clone());
    let p = &state.params;
    let num = |label: T, key: &'static str, value: String, min: &'static str, max: &'static str| {
        html! { <NumField label={label} param={key} value={value} min={min} max={max} on_set={on_set.clone()} /> }
    };
    let shapes: Vec<(AttrValue, T)> = vec![
        ("uniform".into(), T::ShapeUniform),
        ("spike".into(), T::ShapeSpike),
        ("ramp".into(), T::ShapeRamp),
    ];
    let shape = match p.shape {
        Shape::Uniform => "uniform",
        Shape::Spike => "spike",
        Shape::Ramp => "ramp",
    };
    let preset_ids: Vec<&'static str> = presets::all().iter().map(|p| p.id).collect();

    html! {
        <div class="lab sale-lab">
            <section class="lab-head">
                <h1>{ tr(lang, T::SaleTitle) }</h1>
                <p class="intro">{ tr(lang, T::SaleIntro) }</p>
            </section>
            { url_notice(lang, &state) }
            { presets_bar(lang, &preset_ids, &state, &playing, preset_text) }
            <div class="control-bar">
                <div class="sim-controls">
                    <button id="btn-run" class="btn primary" onclick={on_run}>{ tr(lang, T::SaleRun) }</button>
                    <button id="btn-cancel" class="btn" onclick={on_cancel}>{ tr(lang, T::SaleCancel) }</button>
                    <label class="inline">
                        <span>{ tr(lang, T::Seed) }</span>
                        <input id="input-seed" type="number" min="0" value={state.seed.to_string()} onchange={on_seed} />
                    </label>
                </div>
                <LiveStatus rt={shared.clone()} />
            </div>
            { input_problem(lang, &state) }
            <div class="stage">
                <canvas id="lab-canvas" ref={canvas} class="sale-canvas"></canvas>
            </div>
            <div class="columns">
                <section class="panel controls">
                    <h2>{ tr(lang, T::Controls) }</h2>
                    <fieldset>
                        <legend>{ tr(lang, T::Users) }</legend>
                        { num(T::Users, "users", p.users.to_string(), "1", "1000000000") }
                        { num(T::SaleWindowMs, "window_ms", p.window_ms.to_string(), "1", "3600000") }
                        <SelectField label={T::ShapeLabel} param="shape" value={shape} options={shapes} on_set={on_set.clone()} />
                    </fieldset>
                    <fieldset>
                        <legend>{ tr(lang, T::SectionLimiter) }</legend>
                        { num(T::Servers, "servers", p.servers.to_string(), "1", "100000") }
                        { num(T::TokenRatePerServer, "token_rate_per_s", p.token_rate_per_s.to_string(), "1", "100000000") }
                        { num(T::BurstPerServer, "burst", p.burst.to_string(), "1", "100000000") }
                        { num(T::RttUs, "rtt_us", p.rtt_us.to_string(), "0", "10000000") }
                    </fieldset>
                    <fieldset>
                        <legend>{ tr(lang, T::SectionStock) }</legend>
                        { num(T::Stock, "stock", p.stock.to_string(), "0", "100000000") }
                        { num(T::Shards, "shards", p.shards.to_string(), "1", "1024") }
                        { num(T::RedisOpUs, "redis_op_us", p.redis_op_us.to_string(), "1", "1000000") }
                        <CheckField label={T::SoldoutFlag} param="soldout_flag" checked={p.soldout_flag} on_set={on_set.clone()} />
                        { num(T::FlagDelayUs, "flag_delay_us", p.flag_delay_us.to_string(), "0", "10000000") }
                        <CheckField label={T::UnsafeCheck} param="unsafe_check" checked={p.unsafe_check} on_set={on_set.clone()} />
                        { num(T::UnsafeGapUs, "unsafe_gap_us", p.unsafe_gap_us.to_string(), "0", "10000000") }
                    </fieldset>
                    <fieldset>
                        <legend>{ tr(lang, T::SectionOrders) }</legend>
                        { num(T::Partitions, "partitions", p.partitions.to_string(), "1", "10000") }
                        { num(T::Consumers, "consumers", p.consumers.to_string(), "1", "10000") }
                        { num(T::DbWritesPerS, "db_writes_per_s", p.db_writes_per_s.to_string(), "1", "100000000") }
                    </fieldset>
                </section>
                <section class="panel">
                    <h2>{ tr(lang, T::Results) }</h2>
                    <LiveReport rt={shared.clone()} />
                    <p class="note explain-sale">{ tr(lang, T::SaleExplain) }</p>
                </section>
            </div>
        </div>
    }
}
