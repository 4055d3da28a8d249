//! The engine kernel shared by every lab: virtual time, the event queue, seeded randomness,
//! traffic generators, metrics, and the contract every lab model follows.

pub mod cost;
pub mod digest;
pub mod event;
pub mod knobs;
pub mod lab;
pub mod metrics;
pub mod model;
pub mod preset;
pub mod query;
pub mod report;
pub mod rng;
pub mod sim;
pub mod time;
pub mod traffic;
pub mod why;
