//! The keyboard shortcuts of every lab page: what a key press means, and the list of them that
//! `?` shows. The page acts on them (see `page.rs`).

use flowlab_sim::kernel::lab::Lab;
use yew::prelude::*;

use crate::i18n::{fill, tr, tr_id, Lang};
use crate::text;

/// The page's keyboard shortcuts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shortcut {
    PlayPause,
    Step,
    Reset,
    /// The n-th preset, from 0.
    Preset(usize),
    Help,
    Close,
}

/// The shortcut a key press means, if any: none while typing in a field, with Ctrl, Alt or Meta
/// held, or while an input method composes; Space on a focused button or link presses it instead.
pub fn shortcut(e: &web_sys::KeyboardEvent) -> Option<Shortcut> {
    use wasm_bindgen::JsCast;
    if e.ctrl_key() || e.alt_key() || e.meta_key() || e.is_composing() || e.default_prevented() {
        return None;
    }
    let target = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok());
    let tag = target
        .as_ref()
        .map(|t| t.tag_name().to_ascii_uppercase())
        .unwrap_or_default();
    if matches!(tag.as_str(), "INPUT" | "SELECT" | "TEXTAREA")
        || target.as_ref().is_some_and(|t| t.is_content_editable())
    {
        return None;
    }
    let key = e.key();
    let repeat = e.repeat();
    match key.as_str() {
        " " if matches!(tag.as_str(), "BUTTON" | "A" | "SUMMARY") || repeat => None,
        " " => Some(Shortcut::PlayPause),
        "." => Some(Shortcut::Step),
        "r" | "R" if !repeat => Some(Shortcut::Reset),
        "?" if !repeat => Some(Shortcut::Help),
        "Escape" => Some(Shortcut::Close),
        k if !repeat && k.len() == 1 && ("1"..="9").contains(&k) => {
            Some(Shortcut::Preset(k.as_bytes()[0] as usize - b'1' as usize))
        }
        _ => None,
    }
}

/// The list of shortcuts (`?` shows and hides it): the keys of this lab's page, with the names of
/// its presets.
pub fn shortcuts_panel<L: Lab>(lang: Lang, timed: bool, close: Callback<MouseEvent>) -> Html {
    let id = L::ID;
    let mut rows: Vec<(String, String)> = Vec::new();
    rows.push((
        tr(lang, text::KEY_SPACE).to_string(),
        tr(lang, if timed { text::KEY_PLAY } else { text::KEY_RUN }).to_string(),
    ));
    if timed {
        rows.push((".".into(), tr(lang, text::KEY_STEP).into()));
    }
    rows.push(("R".into(), tr(lang, text::KEY_RESET).into()));
    for (i, p) in L::presets().iter().take(9).enumerate() {
        let name = tr_id(lang, &format!("{id}.preset.{}", p.id));
        rows.push((
            (i + 1).to_string(),
            fill(tr(lang, text::KEY_PRESET), &[name.to_string()]),
        ));
    }
    rows.push(("?".into(), tr(lang, text::KEY_HELP).into()));
    rows.push(("Esc".into(), tr(lang, text::KEY_ESC).into()));
    html! {
        <section id="shortcuts" class="panel shortcuts" aria-labelledby="shortcuts-title">
            <h2 id="shortcuts-title">{ tr(lang, text::KEYS) }</h2>
            <table class="kv">
                <thead><tr>
                    <th scope="col">{ tr(lang, text::KEY) }</th>
                    <th scope="col">{ tr(lang, text::KEY_ACTION) }</th>
                </tr></thead>
                <tbody>
                    { for rows.into_iter().map(|(k, what)| html! {
                        <tr><th scope="row"><kbd>{ k }</kbd></th><td>{ what }</td></tr>
                    }) }
                </tbody>
            </table>
            <p class="note">{ tr(lang, text::KEYS_NOTE) }</p>
            <button class="btn small" onclick={close}>{ tr(lang, text::DISMISS) }</button>
        </section>
    }
}
