//! Invariant checkers: each owns its counts, is fed events by the lab that uses it, and is tested
//! on its own. A lab declares the ones it feeds ([`crate::kernel::lab::Lab::checkers`]).
//!
//! - [`accounting`]: every request ends exactly once;
//! - [`oversell`]: never more sold than stocked;
//! - [`order`]: per-key order, and how far out of order a sequence runs;
//! - [`dupes`]: ids issued more than once;
//! - [`delivery`]: every message reaches every member once, is shown once, and unread counts are
//!   right;
//! - [`fate`]: what became of every message (lost silently, written, delivered or processed twice);
//! - [`staleness`]: reads older than a write acknowledged before they started.

pub mod accounting;
pub mod delivery;
pub mod dupes;
pub mod fate;
pub mod order;
pub mod oversell;
pub mod staleness;
