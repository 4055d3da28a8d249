//! flowlab's simulation engine.
//!
//! Pure Rust with no web dependency: every algorithm and model of the labs lives here, runs natively
//! in tests and benchmarks, and is compiled into the web page unchanged.
//!
//! Rules this crate keeps (see ARCHITECTURE.md):
//! - virtual time only ([`kernel::time::Nanos`]); no wall clock;
//! - one seeded RNG per model ([`kernel::rng::SimRng`]); no OS randomness;
//! - floating point only through `libm` where a result feeds the model, so native and wasm agree;
//! - every buffer has a bound.
//!
//! Every lab follows one contract ([`kernel::lab::Lab`]) and runs through one loop
//! ([`kernel::sim::Sim`]); [`labs`] declares and registers them.

pub mod challenge;
pub mod check;
pub mod kernel;
pub mod labs;
pub mod migrate;
pub mod replay;
pub mod sweep;

pub use kernel::lab::Lab;
pub use kernel::model::{Advance, Model, ParamError};
pub use kernel::sim::Sim;
pub use kernel::time::Nanos;
pub use labs::{cache, chat, limiter, queue};

/// The flash sale and the limiter-queue reference model, at their older paths.
pub mod scenario {
    pub use crate::labs::{flash_sale, limiter_queue};
}
