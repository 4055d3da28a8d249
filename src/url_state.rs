//! The URL query of a lab: the engine's dotted-key params text (shared with the command line).

pub use flowlab_sim::kernel::query::*;
