//! Play/pause, step, speed, reset and seed: the same bar for every lab.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::i18n::{tr, Lang};
use crate::text;

/// Speeds offered, as multiples of real time (0.1x to 1000x).
pub const SPEEDS: [f64; 10] = [0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 50.0, 200.0, 1000.0];

#[derive(Properties, PartialEq)]
pub struct SimControlsProps {
    pub playing: bool,
    pub speed: f64,
    pub seed: u64,
    pub on_play: Callback<()>,
    pub on_step: Callback<()>,
    pub on_reset: Callback<()>,
    pub on_speed: Callback<f64>,
    /// Called with the seed text; the page validates it.
    pub on_seed: Callback<String>,
}

#[function_component(SimControls)]
pub fn sim_controls(p: &SimControlsProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let on_play = p.on_play.reform(|_: MouseEvent| ());
    let on_step = p.on_step.reform(|_: MouseEvent| ());
    let on_reset = p.on_reset.reform(|_: MouseEvent| ());
    let on_speed = p.on_speed.reform(|e: Event| {
        let sel: HtmlSelectElement = e.target_unchecked_into();
        sel.value().parse::<f64>().unwrap_or(1.0)
    });
    let on_seed = p.on_seed.reform(|e: Event| {
        let input: HtmlInputElement = e.target_unchecked_into();
        input.value()
    });
    html! {
        <div class="sim-controls">
            <button id="btn-play" class={classes!("btn", "primary", p.playing.then_some("playing"))}
                data-playing={p.playing.to_string()} onclick={on_play}>
                { if p.playing { tr(lang, text::PAUSE) } else { tr(lang, text::PLAY) } }
            </button>
            <button id="btn-step" class="btn" onclick={on_step}>{ tr(lang, text::STEP) }</button>
            <button id="btn-reset" class="btn" onclick={on_reset}>{ tr(lang, text::RESET) }</button>
            <label class="inline">
                <span>{ tr(lang, text::SPEED) }</span>
                <select id="select-speed" onchange={on_speed}>
                    { for SPEEDS.iter().map(|s| html! {
                        <option value={s.to_string()} selected={(*s - p.speed).abs() < 1e-9}>{ format!("{s}×") }</option>
                    }) }
                </select>
            </label>
            <label class="inline">
                <span>{ tr(lang, text::SEED) }</span>
                <input id="input-seed" type="number" min="0" value={p.seed.to_string()} onchange={on_seed} />
            </label>
        </div>
    }
}
