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

pub mod kernel;
pub mod limiter;

pub use kernel::model::{Advance, Model, ParamError};
pub use kernel::time::Nanos;
pub mod cache;
pub mod chat;
pub mod queue;
pub mod scenario;
