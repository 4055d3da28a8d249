//! The group chat's "why did that happen" lines: a message a member will never get, a message
//! delivered again (dropped by msgid, or shown twice), and an unread count that is not what the
//! member misses, each with the member, the message, the scheme and the rule.

use super::Scheme;
use crate::kernel::why::{Class, Ent, EntKind, Fmt, Kind};

use Fmt::{Id, Int};

pub(super) const LOST_OFFLINE_COPY: usize = 0;
pub(super) const DUP_DROPPED: usize = 1;
pub(super) const DUP_SHOWN: usize = 2;
pub(super) const UNREAD_WRONG: usize = 3;

pub(super) const KINDS: &[Kind] = &[
    Kind {
        key: "lost_offline_copy",
        class: Class::Lost,
        args: &[Int, Id],
        english: "message {0} will never reach member {1} under scheme 1 (copies for offline members): the push failed while the member was online, and only members offline when it was sent get a stored copy",
    },
    Kind {
        key: "dup_dropped",
        class: Class::Duplicate,
        args: &[Int, Id, Id],
        english: "member {1} received message {0} again under scheme {2} and dropped it by msgid: its ack was lost or had not arrived, so the row was still owed when the member pulled",
    },
    Kind {
        key: "dup_shown",
        class: Class::Duplicate,
        args: &[Int, Id, Id],
        english: "member {1} was shown message {0} a second time under scheme {2}: its ack was lost or had not arrived, so the row came back, and the client does not drop copies by msgid",
    },
    Kind {
        key: "unread_wrong",
        class: Class::WrongCount,
        args: &[Id, Int, Int, Id],
        english: "member {0} reconnected and was shown {1} unread under scheme {3} but misses {2}: rows of messages it already had stayed owed because their acks were lost",
    },
];

/// The number people read for a scheme (1 to 4).
pub(super) fn number(s: Scheme) -> i64 {
    Scheme::ALL.iter().position(|&x| x == s).map_or(0, |i| i as i64 + 1)
}

pub(super) fn ents(s: usize, member: u32) -> [Ent; 2] {
    [
        Ent::new(EntKind::Member, member),
        Ent::new(EntKind::Lane, s as u32),
    ]
}
