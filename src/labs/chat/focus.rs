//! Keeps the picture to the focus group (group 0, the busiest).
//!
//! The engine records the rows a send writes, and the losses it causes, by the member's index
//! within its own group, so a message to any group puts "stored" and "lost" flows on the focus
//! group's ring. Every other flow (pushes, pulls, duplicates) is recorded for focus-group members
//! only. A send is one event, so the rows and losses of a focus-group message carry the same
//! instant as the pushes it made, and as its row in `group_msgs`: a "stored" or "lost" flow at an
//! instant when nothing else happened in the focus group came from another group, and is dropped.
//! The engine's figures are not touched: only what is drawn.

use std::collections::VecDeque;

use flowlab_sim::kernel::time::Nanos;
use flowlab_sim::labs::chat::{ChatSnapshot, FlowKind};

/// Focus-group send instants kept across frames (`group_msgs` shows only the newest few).
const KEPT: usize = 8_192;

/// The focus group's send instants seen so far, from one frame to the next.
#[derive(Default)]
pub struct Focus {
    /// (msgid, instant), oldest first.
    sends: VecDeque<(u32, Nanos)>,
    /// The run's clock at the last frame (a smaller one means a new run).
    last_now: Nanos,
}

impl Focus {
    /// Drops from `snap` the stored and lost flows of other groups.
    pub fn apply(&mut self, snap: &mut ChatSnapshot) {
        if snap.now < self.last_now
            || self
                .sends
                .back()
                .is_some_and(|&(id, _)| id > snap.latest_msgid)
        {
            self.sends.clear();
        }
        self.last_now = snap.now;
        let newest = self.sends.back().map_or(0, |s| s.0);
        // `group_msgs` is newest first.
        for &(id, _, _, at) in snap.group_msgs.iter().rev() {
            if id > newest {
                if self.sends.len() == KEPT {
                    self.sends.pop_front();
                }
                self.sends.push_back((id, at));
            }
        }
        let known: Vec<Nanos> = self.sends.iter().map(|s| s.1).collect();
        keep_focus(snap, &known);
    }
}

/// Keeps the stored and lost flows of `snap` that happened at an instant of the focus group: a
/// send in `known` (sorted), or the instant of a push or duplicate drawn for one of its members.
pub fn keep_focus(snap: &mut ChatSnapshot, known: &[Nanos]) {
    let mut instants: Vec<Nanos> = known.to_vec();
    for view in &snap.schemes {
        instants.extend(
            view.flows
                .iter()
                .filter(|f| matches!(f.kind, FlowKind::Push | FlowKind::Duplicate))
                .map(|f| f.at),
        );
    }
    instants.sort_unstable();
    instants.dedup();
    for view in &mut snap.schemes {
        view.flows.retain(|f| {
            !matches!(f.kind, FlowKind::Stored | FlowKind::Lost)
                || instants.binary_search(&f.at).is_ok()
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flowlab_sim::kernel::time::NS_PER_S;
    use flowlab_sim::labs::chat::{ChatLab, ChatParams, Scheme};
    use flowlab_sim::Model;

    fn stored_and_lost(snap: &ChatSnapshot) -> Vec<(usize, Nanos, u32)> {
        let mut out = Vec::new();
        for (s, v) in snap.schemes.iter().enumerate() {
            for f in &v.flows {
                if matches!(f.kind, FlowKind::Stored | FlowKind::Lost) {
                    out.push((s, f.at, f.member));
                }
            }
        }
        out.sort_unstable();
        out
    }

    /// Few messages, so `group_msgs` (the newest eight of the focus group) holds every focus-group
    /// send of the span: the truth. Filtering by the pushes alone gives the same flows, and drops
    /// the other groups' ones.
    #[test]
    fn other_groups_rows_and_losses_leave_the_focus_ring() {
        let p = ChatParams {
            groups: 10,
            members_per_group: 30,
            msg_rate_per_s: 4,
            push_fail_prob: 0.2,
            ..ChatParams::default()
        };
        let mut lab = ChatLab::new(p, 3).unwrap();
        let span = NS_PER_S;
        let (mut checked, mut dropped, mut losses) = (0, 0, 0);
        for step in 1..=60u64 {
            lab.run_to(step * NS_PER_S);
            let mut snap = ChatSnapshot::default();
            lab.fill_snapshot(span, &mut snap);
            let since = snap.now.saturating_sub(span);
            let truth: Vec<Nanos> = {
                let mut t: Vec<Nanos> = snap.group_msgs.iter().map(|m| m.3).collect();
                t.sort_unstable();
                t
            };
            if truth.len() == 8 && truth[0] >= since {
                continue; // group_msgs may not hold every send of the span
            }
            let all = stored_and_lost(&snap);
            let mut by_truth = snap.clone();
            for v in &mut by_truth.schemes {
                v.flows.retain(|f| {
                    !matches!(f.kind, FlowKind::Stored | FlowKind::Lost)
                        || truth.binary_search(&f.at).is_ok()
                });
            }
            let mut by_pushes = snap.clone();
            keep_focus(&mut by_pushes, &[]);
            let mut by_both = snap.clone();
            Focus::default().apply(&mut by_both);
            let want = stored_and_lost(&by_truth);
            assert_eq!(stored_and_lost(&by_both), want, "at {step} s");
            assert_eq!(stored_and_lost(&by_pushes), want, "at {step} s");
            checked += want.len();
            dropped += all.len() - want.len();
            losses += want.iter().filter(|f| f.0 == 0).count();
        }
        assert!(checked > 100, "focus-group rows drawn: {checked}");
        assert!(dropped > checked, "other groups' rows dropped: {dropped}");
        assert!(losses > 0, "scheme 1 draws its losses");
        let _ = Scheme::ALL;
    }

    #[test]
    fn a_new_run_forgets_the_old_sends() {
        let mut f = Focus::default();
        let mut snap = ChatSnapshot {
            now: 5 * NS_PER_S,
            latest_msgid: 3,
            group_msgs: vec![(3, 0, 1, 30), (2, 0, 1, 20), (1, 0, 1, 10)],
            ..ChatSnapshot::default()
        };
        f.apply(&mut snap);
        assert_eq!(f.sends.len(), 3);
        snap.now = NS_PER_S;
        snap.latest_msgid = 1;
        snap.group_msgs = vec![(1, 0, 2, 7)];
        f.apply(&mut snap);
        assert_eq!(f.sends, [(1, 7)]);
    }
}
