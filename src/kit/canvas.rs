//! Canvas 2D helpers: the context, sizing to the CSS box and the pixel ratio, dots and text.

use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// The canvas's 2D context, if it has one.
pub fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas
        .get_context("2d")
        .ok()
        .flatten()?
        .dyn_into::<CanvasRenderingContext2d>()
        .ok()
}

/// Matches the canvas backing store to its CSS width and the device pixel ratio at `css_height`;
/// returns the CSS width, height and the ratio.
pub fn fit(canvas: &HtmlCanvasElement, css_height: f64) -> (f64, f64, f64) {
    let dpr = web_sys::window()
        .map(|w| w.device_pixel_ratio())
        .unwrap_or(1.0)
        .clamp(1.0, 3.0);
    let w = (canvas.client_width() as f64).max(280.0);
    let (bw, bh) = ((w * dpr) as u32, (css_height * dpr) as u32);
    if canvas.width() != bw || canvas.height() != bh {
        canvas.set_width(bw);
        canvas.set_height(bh);
    }
    (w, css_height, dpr)
}

/// A context sized and scaled for drawing in CSS pixels, cleared to `bg`.
pub fn begin(
    canvas: &HtmlCanvasElement,
    css_height: f64,
    bg: &str,
) -> Option<(CanvasRenderingContext2d, f64, f64)> {
    let ctx = context(canvas)?;
    let (w, h, dpr) = fit(canvas, css_height);
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    ctx.set_fill_style_str(bg);
    ctx.fill_rect(0.0, 0.0, w, h);
    Some((ctx, w, h))
}

/// A filled circle.
pub fn dot(ctx: &CanvasRenderingContext2d, x: f64, y: f64, r: f64) {
    ctx.begin_path();
    let _ = ctx.arc(x, y, r, 0.0, std::f64::consts::TAU);
    ctx.fill();
}

/// Text at (x, y) in `color` and `font`.
pub fn text(ctx: &CanvasRenderingContext2d, s: &str, x: f64, y: f64, color: &str, font: &str) {
    ctx.set_fill_style_str(color);
    ctx.set_font(font);
    let _ = ctx.fill_text(s, x, y);
}

/// Sets the canvas's accessible name and its text alternative (what it shows, in words).
pub fn describe(canvas: &HtmlCanvasElement, label: &str) {
    if canvas.get_attribute("aria-label").as_deref() != Some(label) {
        let _ = canvas.set_attribute("aria-label", label);
    }
}

/// Sets the canvas's CSS height (for a picture whose height follows its width or its run), if it
/// differs.
pub fn set_css_height(canvas: &HtmlCanvasElement, css_height: f64) {
    let style = format!("height: {css_height:.0}px");
    if canvas.get_attribute("style").as_deref() != Some(style.as_str()) {
        let _ = canvas.set_attribute("style", &style);
    }
}
