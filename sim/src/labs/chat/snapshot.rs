//! What the picture draws: the focus group (group 0, the busiest), its members' flows under each
//! scheme (pushes, rows stored, pulls, duplicates, losses), what the server holds for them, and
//! the newest rows of its tables. [`Picture`] keeps the recent flows; it changes nothing in a run.

use std::collections::VecDeque;

use super::members::Members;
use super::scheme::SchemeState;
use super::Scheme;
use crate::kernel::time::{Nanos, NS_PER_S};

/// Recent flows of the focus group kept for drawing, per scheme.
const FLOW_CAPACITY: usize = 4_096;
/// Rows of `group_msgs` shown.
const SHOWN_MSGS: usize = 8;

/// What happened to one message for one member of the focus group (for drawing).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FlowKind {
    /// Pushed to an online member and stored.
    Push,
    /// Written to the store for this member (a copy, or an unread id).
    Stored,
    /// Delivered by a pull on reconnect or on a gap.
    Pulled,
    /// Delivered again: the client already had it.
    Duplicate,
    /// Lost: the push failed or the client crashed, and nothing will bring it back.
    Lost,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Flow {
    pub at: Nanos,
    /// Index of the member in the focus group.
    pub member: u32,
    pub kind: FlowKind,
}

/// One scheme's state as drawn.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct SchemeView {
    pub flows: Vec<Flow>,
    /// Flows in view beyond what is kept: drawn as a flow instead.
    pub dense: bool,
    pub rows_stored: u64,
    pub peak_rows: u64,
    pub bytes_stored: u64,
    /// Per focus-group member: rows owed to it (1-3) or how far its cursor lags (4).
    pub owed: Vec<u64>,
}

/// What the canvas draws.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct ChatSnapshot {
    pub now: Nanos,
    /// Online state of each member of the focus group (group 0, the busiest).
    pub online: Vec<bool>,
    pub latest_msgid: u32,
    pub schemes: [SchemeView; 4],
    /// `group_members(gid, uid, last_ack_msgid)`: the first rows of the focus group (scheme 4).
    pub group_members: Vec<(u32, u32, u32)>,
    /// `group_msgs(msgid, gid, sender_uid, time)`: the newest rows of the focus group.
    pub group_msgs: Vec<(u32, u32, u32, Nanos)>,
}

/// How the picture maps time: flows of the last `span_ns` of virtual time are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct View {
    pub span_ns: Nanos,
}

impl Default for View {
    fn default() -> Self {
        Self {
            span_ns: 2 * NS_PER_S,
        }
    }
}

/// The recent flows of the focus group, per scheme, and its newest messages.
#[derive(Clone)]
pub(super) struct Picture {
    /// Members of the focus group.
    members: u32,
    /// Deliveries and losses, per scheme.
    flows: [VecDeque<Flow>; 4],
    /// Rows written, per scheme (kept apart so that schemes that write a row per member keep as
    /// much delivery history on screen as the others).
    stored: [VecDeque<Flow>; 4],
    recent_msgs: VecDeque<(u32, u32, u32, Nanos)>,
}

impl Picture {
    pub fn new(members: u32) -> Self {
        Self {
            members,
            flows: std::array::from_fn(|_| VecDeque::with_capacity(256)),
            stored: std::array::from_fn(|_| VecDeque::with_capacity(256)),
            recent_msgs: VecDeque::with_capacity(SHOWN_MSGS),
        }
    }

    /// Records a flow under scheme `s` for member index `u`, if it is in the focus group.
    pub fn flow(&mut self, s: usize, u: u32, kind: FlowKind, now: Nanos) {
        if u >= self.members {
            return;
        }
        let q = if kind == FlowKind::Stored {
            &mut self.stored[s]
        } else {
            &mut self.flows[s]
        };
        if q.len() == FLOW_CAPACITY {
            q.pop_front();
        }
        q.push_back(Flow {
            at: now,
            member: u,
            kind,
        });
    }

    /// Message `id` was sent to group `g` by its member `sender`.
    pub fn message(&mut self, g: u32, id: u32, sender: u32, now: Nanos) {
        if g != 0 {
            return;
        }
        if self.recent_msgs.len() == SHOWN_MSGS {
            self.recent_msgs.pop_front();
        }
        self.recent_msgs.push_back((id, 0, sender, now));
    }

    /// Fills `out` with what to draw at `now`; flows from the last `span_ns` of virtual time.
    pub fn fill(
        &self,
        now: Nanos,
        span_ns: Nanos,
        members: &Members,
        latest0: u32,
        schemes: &[SchemeState; 4],
        out: &mut ChatSnapshot,
    ) {
        let m = self.members as usize;
        out.now = now;
        out.online.clear();
        out.online.extend_from_slice(&members.online()[..m]);
        out.latest_msgid = latest0;
        let since = now.saturating_sub(span_ns);
        for (s, view) in out.schemes.iter_mut().enumerate() {
            let st = &schemes[s];
            view.flows.clear();
            view.flows.extend(
                self.flows[s]
                    .iter()
                    .rev()
                    .take_while(|f| f.at >= since)
                    .copied(),
            );
            let delivered = view.flows.len();
            view.flows.extend(
                self.stored[s]
                    .iter()
                    .rev()
                    .take_while(|f| f.at >= since)
                    .copied(),
            );
            view.dense =
                delivered == FLOW_CAPACITY || view.flows.len() - delivered == FLOW_CAPACITY;
            let stats = st.stats();
            view.rows_stored = stats.rows_stored;
            view.peak_rows = stats.peak_rows;
            view.bytes_stored = stats.bytes_stored;
            view.owed.clear();
            view.owed.extend((0..m as u32).map(|j| st.owed(j, latest0)));
        }
        let cur = &schemes[Scheme::Cursor.index()];
        out.group_members.clear();
        out.group_members
            .extend((0..m.min(10) as u32).map(|j| (0, j, cur.cursor(j))));
        out.group_msgs.clear();
        out.group_msgs
            .extend(self.recent_msgs.iter().rev().copied());
    }
}
