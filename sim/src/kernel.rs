//! The engine kernel shared by every lab: virtual time, the event queue, seeded randomness,
//! traffic generators, metrics, and the contract every lab model follows.

pub mod digest;
pub mod event;
pub mod metrics;
pub mod model;
pub mod preset;
pub mod query;
pub mod rng;
pub mod time;
pub mod traffic;
