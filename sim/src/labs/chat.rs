//! The group-chat offline-store lab: four storage schemes fed the identical event stream.
//!
//! 1. `OfflineCopies`: a copy only for members offline at send time; online members get a push, and a
//!    failed push (or a client that crashes before storing) loses the message for good.
//! 2. `CopyPerMember`: a copy for every member, written first, deleted when the member acks.
//! 3. `UnreadIds`: one copy of the message, plus per member the set of unread message ids.
//! 4. `Cursor`: one copy of the message, plus per member `last_ack_msgid`; a member pulls everything
//!    after its cursor on reconnect, and pulls a gap as soon as it sees one (ids are ordered).
//!
//! The parts: `members` (sessions, churn, the outage), `scheme` (each scheme's server and client
//! state), `store` (the pull capacity), `snapshot` (the picture) and `model` (the events that tie
//! them, the lab contract). Deliveries are judged by [`check::delivery`](crate::check::delivery).

mod members;
mod model;
mod params;
pub mod presets;
pub mod ranges;
mod scheme;
mod snapshot;
mod store;
mod why;

pub use model::{metrics, Chat, ChatLab, Event};
pub use params::{ChatParams, MAX_MEMBERS_TOTAL};
pub use scheme::{SchemeStats, CLIENT_MAX_RANGES};
pub use snapshot::{ChatSnapshot, Flow, FlowKind, SchemeView, View};

crate::choices! {
    /// The four schemes, in column (lane) order.
    pub enum Scheme in "chat.scheme" {
        #[default]
        OfflineCopies = "offline_copies",
        CopyPerMember = "copy_per_member",
        UnreadIds = "unread_ids",
        Cursor = "cursor",
    }
}

impl Scheme {
    pub fn index(self) -> usize {
        self as usize
    }

    /// Text id of the scheme's name.
    pub fn text(self) -> &'static str {
        <Self as crate::kernel::knobs::Choice>::OPTIONS[self.index()].text
    }
}
