//! The five rate-limiting algorithms, each a small state machine offered one request at a time.
//!
//! All arithmetic is integer (nanoseconds, nano-tokens), so the bounds the tests assert hold exactly.

use std::collections::VecDeque;

use crate::kernel::time::{Nanos, NS_PER_S};

/// What a limiter does with one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Let through now.
    Accept,
    /// Refused now.
    Reject,
    /// Queued; it leaves the queue (and is let through) at `depart_at`.
    Queue { depart_at: Nanos },
}

/// Fixed-window counter: at most `limit` requests per aligned window `[kW, (k+1)W)`.
#[derive(Clone, Debug)]
pub struct FixedWindow {
    limit: u32,
    window_ns: Nanos,
    index: u64,
    count: u32,
}

impl FixedWindow {
    pub fn new(limit: u32, window_ns: Nanos) -> Self {
        Self {
            limit,
            window_ns,
            index: 0,
            count: 0,
        }
    }

    pub fn offer(&mut self, t: Nanos) -> Verdict {
        let idx = t / self.window_ns;
        if idx != self.index {
            self.index = idx;
            self.count = 0;
        }
        if self.count < self.limit {
            self.count += 1;
            Verdict::Accept
        } else {
            Verdict::Reject
        }
    }

    /// The count of the current window as seen at `t`, and how far through the window `t` is (0..1).
    pub fn gauge(&self, t: Nanos) -> (u32, f32) {
        let idx = t / self.window_ns;
        let count = if idx == self.index { self.count } else { 0 };
        (count, (t % self.window_ns) as f32 / self.window_ns as f32)
    }
}

/// Sliding-window log: keeps the time of every accepted request of the last window; at most `limit`
/// in any window `(t - W, t]`. Exact, at the cost of memory proportional to the limit.
#[derive(Clone, Debug)]
pub struct SlidingLog {
    limit: u32,
    window_ns: Nanos,
    log: VecDeque<Nanos>,
}

impl SlidingLog {
    pub fn new(limit: u32, window_ns: Nanos) -> Self {
        Self {
            limit,
            window_ns,
            log: VecDeque::with_capacity((limit as usize).min(4096)),
        }
    }

    fn evict(&mut self, t: Nanos) {
        while let Some(&front) = self.log.front() {
            if front + self.window_ns <= t {
                self.log.pop_front();
            } else {
                break;
            }
        }
    }

    pub fn offer(&mut self, t: Nanos) -> Verdict {
        self.evict(t);
        if (self.log.len() as u32) < self.limit {
            self.log.push_back(t);
            Verdict::Accept
        } else {
            Verdict::Reject
        }
    }

    /// Entries still inside the window at `t`.
    pub fn gauge(&self, t: Nanos) -> u32 {
        self.log.iter().filter(|&&x| x + self.window_ns > t).count() as u32
    }

    /// Memory the log holds now, in entries (bounded by the limit).
    pub fn len(&self) -> usize {
        self.log.len()
    }

    pub fn is_empty(&self) -> bool {
        self.log.is_empty()
    }
}

/// Sliding-window counter: the previous window's count weighted by how much of it still overlaps
/// the sliding window, plus the current window's count. Two integers of memory; an approximation
/// that assumes the previous window's requests were spread evenly.
#[derive(Clone, Debug)]
pub struct SlidingCounter {
    limit: u32,
    window_ns: Nanos,
    index: u64,
    current: u32,
    previous: u32,
}

impl SlidingCounter {
    pub fn new(limit: u32, window_ns: Nanos) -> Self {
        Self {
            limit,
            window_ns,
            index: 0,
            current: 0,
            previous: 0,
        }
    }

    fn roll(&mut self, t: Nanos) {
        let idx = t / self.window_ns;
        if idx == self.index + 1 {
            self.previous = self.current;
            self.current = 0;
        } else if idx > self.index + 1 {
            self.previous = 0;
            self.current = 0;
        }
        self.index = idx;
    }

    /// The estimate times W (integer): previous * (W - elapsed) + current * W.
    fn scaled_estimate(&self, t: Nanos) -> u128 {
        let elapsed = (t % self.window_ns) as u128;
        let w = self.window_ns as u128;
        self.previous as u128 * (w - elapsed) + self.current as u128 * w
    }

    pub fn offer(&mut self, t: Nanos) -> Verdict {
        self.roll(t);
        if self.scaled_estimate(t) < self.limit as u128 * self.window_ns as u128 {
            self.current += 1;
            Verdict::Accept
        } else {
            Verdict::Reject
        }
    }

    /// The weighted estimate at `t`.
    pub fn gauge(&self, t: Nanos) -> f64 {
        let mut c = self.clone();
        c.roll(t);
        c.scaled_estimate(t) as f64 / self.window_ns as f64
    }
}

/// Token bucket: holds at most `burst` tokens, refilled at `rate_per_s`; a request takes one token
/// or is refused. Tokens are counted in nano-tokens so refill is exact.
#[derive(Clone, Debug)]
pub struct TokenBucket {
    rate_per_s: u32,
    burst: u32,
    nano_tokens: u128,
    last: Nanos,
}

const ONE_TOKEN: u128 = NS_PER_S as u128;

impl TokenBucket {
    /// A full bucket.
    pub fn new(rate_per_s: u32, burst: u32) -> Self {
        Self {
            rate_per_s,
            burst,
            nano_tokens: burst as u128 * ONE_TOKEN,
            last: 0,
        }
    }

    fn level_at(&self, t: Nanos) -> u128 {
        let elapsed = t.saturating_sub(self.last) as u128;
        (self.nano_tokens + elapsed * self.rate_per_s as u128).min(self.burst as u128 * ONE_TOKEN)
    }

    fn refill(&mut self, t: Nanos) {
        if t > self.last {
            self.nano_tokens = self.level_at(t);
            self.last = t;
        }
    }

    pub fn offer(&mut self, t: Nanos) -> Verdict {
        self.refill(t);
        if self.nano_tokens >= ONE_TOKEN {
            self.nano_tokens -= ONE_TOKEN;
            Verdict::Accept
        } else {
            Verdict::Reject
        }
    }

    /// Changes the refill rate from `t` on (tokens earned before `t` at the old rate are kept).
    pub fn set_rate(&mut self, t: Nanos, rate_per_s: u32) {
        self.refill(t);
        self.rate_per_s = rate_per_s;
    }

    pub fn rate_per_s(&self) -> u32 {
        self.rate_per_s
    }

    pub fn burst(&self) -> u32 {
        self.burst
    }

    /// Tokens in the bucket at `t`.
    pub fn tokens(&self, t: Nanos) -> f64 {
        self.level_at(t) as f64 / ONE_TOKEN as f64
    }
}

/// Leaky bucket as a queue: a bounded FIFO drained at a fixed rate. A request joins the queue if
/// there is room (else it is dropped) and leaves it one drain interval after the one before it.
#[derive(Clone, Debug)]
pub struct LeakyBucket {
    capacity: u32,
    interval_ns: Nanos,
    /// Departure times of the queued requests, in order.
    pending: VecDeque<Nanos>,
    last_departure: Option<Nanos>,
}

impl LeakyBucket {
    pub fn new(drain_per_s: u32, capacity: u32) -> Self {
        Self {
            capacity,
            // Rounded up so the output never exceeds the drain rate.
            interval_ns: NS_PER_S.div_ceil(drain_per_s as u64),
            pending: VecDeque::with_capacity((capacity as usize).min(4096)),
            last_departure: None,
        }
    }

    fn drain(&mut self, t: Nanos) {
        while let Some(&d) = self.pending.front() {
            if d <= t {
                self.pending.pop_front();
            } else {
                break;
            }
        }
    }

    pub fn offer(&mut self, t: Nanos) -> Verdict {
        self.drain(t);
        if self.pending.len() as u32 >= self.capacity {
            return Verdict::Reject;
        }
        let depart_at = match self.last_departure {
            Some(last) => t.max(last + self.interval_ns),
            None => t,
        };
        self.last_departure = Some(depart_at);
        self.pending.push_back(depart_at);
        Verdict::Queue { depart_at }
    }

    /// Requests still in the queue at `t` (those whose departure is later than `t`).
    pub fn queued(&self, t: Nanos) -> u32 {
        self.pending.iter().filter(|&&d| d > t).count() as u32
    }

    pub fn capacity(&self) -> u32 {
        self.capacity
    }

    pub fn interval_ns(&self) -> Nanos {
        self.interval_ns
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::time::NS_PER_MS;

    #[test]
    fn fixed_window_resets_at_the_edge() {
        let mut f = FixedWindow::new(2, NS_PER_S);
        assert_eq!(f.offer(10), Verdict::Accept);
        assert_eq!(f.offer(20), Verdict::Accept);
        assert_eq!(f.offer(30), Verdict::Reject);
        assert_eq!(f.offer(NS_PER_S), Verdict::Accept);
    }

    #[test]
    fn sliding_log_slides() {
        let mut s = SlidingLog::new(2, NS_PER_S);
        assert_eq!(s.offer(900 * NS_PER_MS), Verdict::Accept);
        assert_eq!(s.offer(950 * NS_PER_MS), Verdict::Accept);
        assert_eq!(
            s.offer(1_100 * NS_PER_MS),
            Verdict::Reject,
            "both still in (0.1s, 1.1s]"
        );
        assert_eq!(
            s.offer(1_900 * NS_PER_MS),
            Verdict::Accept,
            "the 0.9s entry left"
        );
    }

    #[test]
    fn sliding_counter_weights_the_previous_window() {
        let mut s = SlidingCounter::new(10, NS_PER_S);
        for i in 0..10 {
            assert_eq!(s.offer(i * NS_PER_MS), Verdict::Accept);
        }
        // 25% into the next window: estimate = 10 * 0.75 = 7.5 -> two more fit (7.5, 8.5 < 10), not three.
        let t = 1_250 * NS_PER_MS;
        assert_eq!(s.offer(t), Verdict::Accept);
        assert_eq!(s.offer(t), Verdict::Accept);
        assert_eq!(s.offer(t), Verdict::Accept);
        assert_eq!(s.offer(t), Verdict::Reject);
    }

    #[test]
    fn token_bucket_bursts_then_refills() {
        let mut b = TokenBucket::new(10, 3);
        for _ in 0..3 {
            assert_eq!(b.offer(0), Verdict::Accept);
        }
        assert_eq!(b.offer(0), Verdict::Reject);
        assert_eq!(b.offer(99 * NS_PER_MS), Verdict::Reject);
        assert_eq!(
            b.offer(100 * NS_PER_MS),
            Verdict::Accept,
            "one token per 100 ms"
        );
        b.set_rate(100 * NS_PER_MS, 100);
        assert_eq!(
            b.offer(110 * NS_PER_MS),
            Verdict::Accept,
            "10 ms at 100/s is one token"
        );
    }

    #[test]
    fn leaky_bucket_spaces_departures_and_drops_when_full() {
        let mut l = LeakyBucket::new(10, 2);
        assert_eq!(l.offer(0), Verdict::Queue { depart_at: 0 });
        assert_eq!(
            l.offer(1),
            Verdict::Queue {
                depart_at: 100 * NS_PER_MS
            }
        );
        assert_eq!(
            l.offer(2),
            Verdict::Queue {
                depart_at: 200 * NS_PER_MS
            }
        );
        assert_eq!(l.offer(3), Verdict::Reject, "two still waiting");
        assert_eq!(l.queued(3), 2);
        assert_eq!(l.queued(150 * NS_PER_MS), 1);
    }
}
