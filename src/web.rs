//! Small browser helpers: localStorage, the location hash, history.

use std::str::FromStr;

use crate::i18n::Lang;

const LANG_KEY: &str = "flowlab.lang";

pub fn window() -> web_sys::Window {
    web_sys::window().expect("running in a browser window")
}

/// The language remembered in localStorage, else the browser's preference.
pub fn stored_lang() -> Lang {
    let w = match web_sys::window() {
        Some(w) => w,
        None => return Lang::En,
    };
    if let Some(l) = w
        .local_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item(LANG_KEY).ok().flatten())
    {
        if let Ok(l) = Lang::from_str(&l) {
            return l;
        }
    }
    match w.navigator().language() {
        Some(l) if l.to_ascii_lowercase().starts_with("zh") => Lang::Zh,
        _ => Lang::En,
    }
}

pub fn store_lang(lang: Lang) {
    if let Some(s) = window().local_storage().ok().flatten() {
        let _ = s.set_item(LANG_KEY, lang.code());
    }
}

/// The query part of the hash route (`#/limiter?seed=1` -> `seed=1`).
pub fn hash_query() -> String {
    let hash = window().location().hash().unwrap_or_default();
    hash.split_once('?')
        .map(|(_, q)| q.to_string())
        .unwrap_or_default()
}

/// Replaces the query of the hash route without navigating (no history entry, no reload).
pub fn replace_hash_query(route_path: &str, query: &str) {
    let w = window();
    let url = format!("#{route_path}?{query}");
    if w.location().hash().unwrap_or_default() == url {
        return;
    }
    if let Ok(h) = w.history() {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

pub fn now_ms() -> f64 {
    window().performance().map(|p| p.now()).unwrap_or(0.0)
}

/// Whether the user asked for less motion (`prefers-reduced-motion: reduce`).
pub fn prefers_reduced_motion() -> bool {
    use wasm_bindgen::{JsCast, JsValue};
    let w = window();
    let Ok(f) = js_sys::Reflect::get(&w, &JsValue::from_str("matchMedia")) else {
        return false;
    };
    let Some(f) = f.dyn_ref::<js_sys::Function>() else {
        return false;
    };
    f.call1(&w, &JsValue::from_str("(prefers-reduced-motion: reduce)"))
        .and_then(|m| js_sys::Reflect::get(&m, &JsValue::from_str("matches")))
        .map(|v| v.is_truthy())
        .unwrap_or(false)
}

pub fn page_hidden() -> bool {
    window().document().map(|d| d.hidden()).unwrap_or(false)
}

/// Sets the tab's title.
pub fn set_title(title: &str) {
    if let Some(d) = window().document() {
        d.set_title(title);
    }
}

/// A value kept in sessionStorage (this tab, until it closes).
pub fn session_get(key: &str) -> Option<String> {
    window()
        .session_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item(key).ok().flatten())
}

pub fn session_set(key: &str, value: &str) {
    if let Some(s) = window().session_storage().ok().flatten() {
        let _ = s.set_item(key, value);
    }
}

/// Moves the keyboard focus to the element with `id` (made focusable by script if it is not), and
/// scrolls it into view; returns whether there was one.
pub fn focus_id(id: &str) -> bool {
    use wasm_bindgen::JsCast;
    let Some(el) = window()
        .document()
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return false;
    };
    if !el.has_attribute("tabindex") {
        let _ = el.set_attribute("tabindex", "-1");
    }
    el.scroll_into_view();
    el.focus().is_ok()
}
