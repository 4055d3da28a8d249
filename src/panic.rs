//! A panic shows an error view with a reset link instead of a blank page.
//!
//! Plain DOM and inline HTML only: after a panic the wasm instance cannot be trusted to run again.

use crate::i18n::tr;
use crate::text;

pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_error_view(&info.to_string());
    }));
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn show_error_view(detail: &str) {
    let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    else {
        return;
    };
    render_error_view(&body, detail);
}

/// Replaces what `root` holds with the error view: the message in the remembered language, the
/// panic's text (escaped) and a reset button that reloads the lab with default settings.
pub fn render_error_view(root: &web_sys::Element, detail: &str) {
    let lang = crate::web::stored_lang();
    let html = format!(
        r#"<div id="panic-view" class="panic-view" role="alert"><h1>{}</h1><p>{}</p><pre>{}</pre><button id="panic-reset" onclick="location.hash='#/limiter';location.reload()">{}</button></div>"#,
        tr(lang, text::PANIC_TITLE),
        tr(lang, text::PANIC_BODY),
        escape(detail),
        tr(lang, text::PANIC_RESET)
    );
    root.set_inner_html(&html);
}
