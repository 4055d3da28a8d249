//! The rate-limiter lab: five algorithms fed the same arrival stream, side by side.

pub mod algo;
mod model;
mod params;
pub mod presets;
mod why;

pub use algo::Verdict;
pub use model::{
    metrics, Event, Gauge, LaneStats, LaneView, Limiter, LimiterLab, LimiterSnapshot, Particle,
    View,
};
pub use params::{
    LeakyBucketParams, LimiterParams, TokenBucketParams, WindowParams, MAX_TRACKED_PER_WINDOW,
};

crate::choices! {
    /// The algorithms, in lane order.
    pub enum Algo in "algo" {
        #[default]
        FixedWindow = "fixed_window",
        SlidingLog = "sliding_log",
        SlidingCounter = "sliding_counter",
        TokenBucket = "token_bucket",
        LeakyBucket = "leaky_bucket",
    }
}

impl Algo {
    pub fn index(self) -> usize {
        self as usize
    }

    /// Text id of the algorithm's name.
    pub fn text(self) -> &'static str {
        <Self as crate::kernel::knobs::Choice>::OPTIONS[self.index()].text
    }
}
