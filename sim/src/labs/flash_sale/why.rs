//! The flash sale's "why did that happen" lines: every sale beyond the stock, with the shard, the
//! stock it read, the value its write puts back and how late, the rule being the non-atomic check
//! (GET, then SET read - 1 later).

use crate::kernel::why::{Class, Fmt, Kind};

use Fmt::{Id, Int, Ms};

pub(super) const OVERSELL_UNSAFE: usize = 0;

pub(super) const KINDS: &[Kind] = &[Kind {
    key: "oversell_unsafe",
    class: Class::Oversell,
    args: &[Int, Int, Id, Int, Int, Ms],
    english: "sale {0} is beyond the stock of {1}: shard {2} read {3} left and writes {4} back {5} later (a non-atomic check: GET, then SET), so every buyer in between read the same stock and bought too",
}];
