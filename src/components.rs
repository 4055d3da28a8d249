//! Reusable controls.

pub mod fields;
pub mod sim_controls;
