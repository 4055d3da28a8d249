//! The group-chat offline-store lab: four storage schemes fed the identical event stream.
//!
//! 1. `OfflineCopies`: a copy only for members offline at send time; online members get a push, and a
//!    failed push (or a client that crashes before storing) loses the message for good.
//! 2. `CopyPerMember`: a copy for every member, written first, deleted when the member acks.
//! 3. `UnreadIds`: one copy of the message, plus per member the set of unread message ids.
//! 4. `Cursor`: one copy of the message, plus per member `last_ack_msgid`; a member pulls everything
//!    after its cursor on reconnect, and pulls a gap as soon as it sees one (ids are ordered).

mod model;
mod params;
pub mod presets;
pub mod ranges;

pub use model::{
    ChatLab, ChatSnapshot, Flow, FlowKind, SchemeStats, SchemeView, CLIENT_MAX_RANGES,
};
pub use params::{ChatParams, MAX_MEMBERS_TOTAL};

use serde::{Deserialize, Serialize};

/// The four schemes, in column order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scheme {
    OfflineCopies,
    CopyPerMember,
    UnreadIds,
    Cursor,
}

impl Scheme {
    pub const ALL: [Scheme; 4] = [
        Scheme::OfflineCopies,
        Scheme::CopyPerMember,
        Scheme::UnreadIds,
        Scheme::Cursor,
    ];

    pub fn index(self) -> usize {
        self as usize
    }
}
