//! The shared lab kit: canvas helpers, batched marks and cached styles (`paint`), the palette,
//! charts, fields and the simulation controls.
//! It imports no lab: every lab's page and picture build on it.

#[cfg(target_arch = "wasm32")]
pub mod canvas;
pub mod chart;
#[cfg(target_arch = "wasm32")]
pub mod controls;
#[cfg(target_arch = "wasm32")]
pub mod fields;
pub mod paint;
pub mod palette;
pub mod sweep_chart;
