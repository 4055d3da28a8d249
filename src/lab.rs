//! The generic lab page, written once for every lab: the state reducer and its URL, pacing, the
//! params form built from the knob table, the results and checkers built from the report, and
//! (in the browser) the page itself, into which a lab plugs only its picture, its charts and its
//! words ([`page::LabUi`]).

pub mod challenge;
pub mod compare;
#[cfg(target_arch = "wasm32")]
pub mod compare_ui;
pub mod export;
pub mod form;
pub mod history;
pub mod host;
#[cfg(target_arch = "wasm32")]
pub mod keys;
pub mod pacing;
#[cfg(target_arch = "wasm32")]
pub mod page;
#[cfg(target_arch = "wasm32")]
pub mod remote;
pub mod results;
pub mod state;
#[cfg(target_arch = "wasm32")]
pub mod stats;
pub mod sweep;
#[cfg(target_arch = "wasm32")]
pub mod timeline;
pub mod tour;
pub mod view;
pub mod why;
