//! flowlab's web app: the shell (header, routing, language), the generic lab page, the lab kit,
//! and each lab's picture and words. Every model lives in `flowlab-sim`; this crate only drives and
//! draws it.

// A lab's text table is one `texts!` call, expanded entry by entry: the cache lab's has ~260.
#![recursion_limit = "512"]

pub mod app;
pub mod challenges;
pub mod i18n;
pub mod kit;
pub mod lab;
pub mod labs;
#[cfg(target_arch = "wasm32")]
pub mod panic;
pub mod text;
pub mod tour;
pub mod url_state;
#[cfg(target_arch = "wasm32")]
pub mod web;
pub mod worker;

/// Mounts the app on the page's `<body>`.
#[cfg(target_arch = "wasm32")]
pub fn start() {
    panic::install();
    lab::stats::install();
    yew::Renderer::<app::App>::new().render();
}
