//! The rate-limiter lab: five algorithms fed the same arrival stream, side by side.

pub mod algo;
mod model;
mod params;
pub mod presets;

pub use algo::Verdict;
pub use model::{Gauge, LaneStats, LaneView, LimiterLab, LimiterSnapshot, Particle, View};
pub use params::{
    LeakyBucketParams, LimiterParams, TokenBucketParams, WindowParams, MAX_TRACKED_PER_WINDOW,
};

use serde::{Deserialize, Serialize};

/// The algorithms, in lane order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Algo {
    FixedWindow,
    SlidingLog,
    SlidingCounter,
    TokenBucket,
    LeakyBucket,
}

impl Algo {
    pub const ALL: [Algo; 5] = [
        Algo::FixedWindow,
        Algo::SlidingLog,
        Algo::SlidingCounter,
        Algo::TokenBucket,
        Algo::LeakyBucket,
    ];

    pub fn index(self) -> usize {
        self as usize
    }
}
