//! flowlab's web app: the shell (header, routing, language), the lab pages, the canvas and charts.
//! Every model lives in `flowlab-sim`; this crate only drives and draws it.

pub mod app;
pub mod i18n;
#[cfg(target_arch = "wasm32")]
pub mod lab;
pub mod url_state;

#[cfg(target_arch = "wasm32")]
pub mod charts;
#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod draw;
#[cfg(target_arch = "wasm32")]
pub mod draw_cache;
#[cfg(target_arch = "wasm32")]
pub mod draw_chat;
#[cfg(target_arch = "wasm32")]
pub mod draw_queue;
#[cfg(target_arch = "wasm32")]
pub mod labs;
#[cfg(target_arch = "wasm32")]
pub mod panic;
#[cfg(target_arch = "wasm32")]
pub mod web;

/// Mounts the app on the page's `<body>`.
#[cfg(target_arch = "wasm32")]
pub fn start() {
    panic::install();
    yew::Renderer::<app::App>::new().render();
}
