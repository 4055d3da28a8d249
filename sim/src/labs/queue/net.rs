//! The network between producers, brokers and the group: one-way latency with jitter, random loss
//! of requests and answers, and the producers' link, which a fault can cut.

use super::params::QueueParams;
use crate::kernel::rng::SimRng;
use crate::kernel::time::{Nanos, NS_PER_MS};

#[derive(Clone)]
pub(super) struct Net {
    rng: SimRng,
    latency_ns: Nanos,
    jitter_ms: u32,
    request_loss_prob: f64,
    ack_loss_prob: f64,
    /// The producers' link is up (a fault cuts it).
    pub(super) link_up: bool,
}

impl Net {
    pub(super) fn new(p: &QueueParams, rng: SimRng) -> Self {
        Self {
            rng,
            latency_ns: p.latency_ms as u64 * NS_PER_MS,
            jitter_ms: p.jitter_ms,
            request_loss_prob: p.request_loss_prob,
            ack_loss_prob: p.ack_loss_prob,
            link_up: true,
        }
    }

    /// One trip's latency: the base plus up to `jitter_ms` at random.
    pub(super) fn latency(&mut self) -> Nanos {
        let j = if self.jitter_ms > 0 {
            self.rng.below(self.jitter_ms as u64 * NS_PER_MS + 1)
        } else {
            0
        };
        self.latency_ns + j
    }

    /// A produce request is lost on the way (the link is cut, or bad luck).
    pub(super) fn request_lost(&mut self) -> bool {
        !self.link_up || self.rng.chance(self.request_loss_prob)
    }

    /// An answer is lost on the way back.
    pub(super) fn answer_lost(&mut self) -> bool {
        !self.link_up || self.rng.chance(self.ack_loss_prob)
    }
}
