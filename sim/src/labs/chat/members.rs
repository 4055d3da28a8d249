//! The members and their sessions: who is online, churn (exponential online and offline spells),
//! the outage that cuts a share of them off, and the freeze that quiescing puts on churn.
//!
//! Every change of session bumps the member's generation; a churn timer carries the generation it
//! was set in, so a timer of a session that has since ended (by a crash, an outage or a quiesce)
//! is stale and does nothing.

use crate::kernel::rng::SimRng;
use crate::kernel::time::{Nanos, NS_PER_MS};

/// A churn timer to set: member `user` changes state at `at`, if still in generation `gen`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Timer {
    pub at: Nanos,
    pub user: u32,
    pub gen: u32,
}

/// What bringing a member online did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Online {
    /// It was online already: nothing changed.
    Already,
    /// It came online (a new session), with the timer that ends the session, unless frozen.
    Came(Option<Timer>),
}

/// Every member's session state.
#[derive(Clone)]
pub(super) struct Members {
    /// Members in each group.
    per_group: u32,
    online_mean_ms: u32,
    offline_mean_ms: u32,
    online: Vec<bool>,
    gen: Vec<u32>,
    /// Cut off by the outage now.
    cut_off: Vec<bool>,
    /// An ack flush is set for the member's client (one for every scheme).
    ack_pending: Vec<bool>,
    /// Quiesced: no more churn or outages.
    frozen: bool,
}

impl Members {
    pub fn new(groups: u32, per_group: u32, online_mean_ms: u32, offline_mean_ms: u32) -> Self {
        let n = (groups * per_group) as usize;
        Self {
            per_group,
            online_mean_ms,
            offline_mean_ms,
            online: vec![false; n],
            gen: vec![0; n],
            cut_off: vec![false; n],
            ack_pending: vec![false; n],
            frozen: false,
        }
    }

    /// Starts in the steady state: each member online with probability on / (on + off), with
    /// the timer that ends its first spell.
    pub fn start(&mut self, rng: &mut SimRng) -> Vec<Timer> {
        let on = self.online_mean_ms as f64
            / (self.online_mean_ms as f64 + self.offline_mean_ms as f64);
        let mut timers = Vec::with_capacity(self.online.len());
        for u in 0..self.users() {
            let mean = if rng.chance(on) {
                self.online[u as usize] = true;
                self.online_mean_ms
            } else {
                self.offline_mean_ms
            };
            let at = exp_ms(rng, mean);
            timers.push(Timer { at, user: u, gen: 0 });
        }
        timers
    }

    /// Members in all groups.
    pub fn users(&self) -> u32 {
        self.online.len() as u32
    }

    pub fn per_group(&self) -> u32 {
        self.per_group
    }

    /// The group of member `u`.
    pub fn group_of(&self, u: u32) -> usize {
        (u / self.per_group) as usize
    }

    pub fn is_online(&self, u: u32) -> bool {
        self.online[u as usize]
    }

    /// Online state of every member, in order.
    pub fn online(&self) -> &[bool] {
        &self.online
    }

    pub fn online_count(&self) -> u64 {
        self.online.iter().filter(|&&o| o).count() as u64
    }

    /// The member's session generation now.
    pub fn gen(&self, u: u32) -> u32 {
        self.gen[u as usize]
    }

    /// Whether churn timer `(user, gen)` is stale: its session has ended.
    pub fn stale(&self, user: u32, gen: u32) -> bool {
        gen != self.gen[user as usize]
    }

    pub fn frozen(&self) -> bool {
        self.frozen
    }

    /// A churn timer fell due: whether it still changes the member's state (its session is the
    /// current one, the member is not cut off, and churn is not frozen).
    pub fn churn_due(&self, user: u32, gen: u32) -> bool {
        !self.stale(user, gen) && !self.cut_off[user as usize] && !self.frozen
    }

    /// Takes member `u` offline at `now`; the timer that brings it back, unless it is cut off or
    /// frozen (or was offline already: then nothing changes).
    pub fn go_offline(&mut self, u: u32, now: Nanos, rng: &mut SimRng) -> Option<Timer> {
        let ui = u as usize;
        if !self.online[ui] {
            return None;
        }
        self.online[ui] = false;
        self.gen[ui] = self.gen[ui].wrapping_add(1);
        if self.cut_off[ui] || self.frozen {
            return None;
        }
        let at = now + exp_ms(rng, self.offline_mean_ms);
        Some(Timer {
            at,
            user: u,
            gen: self.gen[ui],
        })
    }

    /// Brings member `u` online at `now`.
    pub fn go_online(&mut self, u: u32, now: Nanos, rng: &mut SimRng) -> Online {
        let ui = u as usize;
        if self.online[ui] {
            return Online::Already;
        }
        self.online[ui] = true;
        self.gen[ui] = self.gen[ui].wrapping_add(1);
        if self.frozen {
            return Online::Came(None);
        }
        let at = now + exp_ms(rng, self.online_mean_ms);
        Online::Came(Some(Timer {
            at,
            user: u,
            gen: self.gen[ui],
        }))
    }

    /// The outage starts: each member is cut off with probability `share` (a region, a gateway)
    /// and goes offline with no timer to bring it back; the others go on.
    pub fn cut_off_share(&mut self, share: f64, now: Nanos, rng: &mut SimRng) {
        for u in 0..self.users() {
            if rng.chance(share) {
                self.cut_off[u as usize] = true;
                let timer = self.go_offline(u, now, rng);
                debug_assert!(timer.is_none(), "a member cut off sets no timer");
            }
        }
    }

    /// Whether member `u` was cut off, ending it.
    pub fn take_cut_off(&mut self, u: u32) -> bool {
        std::mem::take(&mut self.cut_off[u as usize])
    }

    /// Freezes churn and ends every cut-off (quiescing).
    pub fn freeze(&mut self) {
        self.frozen = true;
        self.cut_off.iter_mut().for_each(|c| *c = false);
    }

    /// Sets member `u`'s ack flush pending; false if one was pending already.
    pub fn set_ack_pending(&mut self, u: u32) -> bool {
        !std::mem::replace(&mut self.ack_pending[u as usize], true)
    }

    /// The member's ack flush is done.
    pub fn clear_ack_pending(&mut self, u: u32) {
        self.ack_pending[u as usize] = false;
    }

    /// Whether any ack flush is pending.
    pub fn any_ack_pending(&self) -> bool {
        self.ack_pending.iter().any(|&p| p)
    }
}

/// An exponential spell of mean `mean_ms`.
fn exp_ms(rng: &mut SimRng, mean_ms: u32) -> Nanos {
    rng.exp_nanos(mean_ms as f64 * NS_PER_MS as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_bump_generations_and_stale_timers_do_nothing() {
        let mut rng = SimRng::new(7);
        let mut m = Members::new(2, 3, 1_000, 1_000);
        m.start(&mut rng);
        let u = (0..6).find(|&u| m.is_online(u)).expect("someone online");
        let g0 = m.gen(u);
        let t = m.go_offline(u, 0, &mut rng).expect("a timer back");
        assert_eq!(t.gen, g0 + 1);
        assert!(m.go_offline(u, 0, &mut rng).is_none(), "offline already");
        assert!(m.churn_due(u, t.gen));
        assert!(!m.churn_due(u, g0), "the old session's timer is stale");
        assert!(matches!(m.go_online(u, 0, &mut rng), Online::Came(Some(_))));
        assert_eq!(m.go_online(u, 0, &mut rng), Online::Already);
        assert!(!m.churn_due(u, t.gen));
    }

    #[test]
    fn cut_off_and_frozen_members_set_no_timers() {
        let mut rng = SimRng::new(1);
        let mut m = Members::new(1, 4, 1_000, 1_000);
        m.start(&mut rng);
        m.cut_off_share(1.0, 0, &mut rng);
        assert_eq!(m.online_count(), 0);
        assert!(!m.churn_due(0, m.gen(0)), "cut off");
        assert!(m.take_cut_off(0));
        assert!(!m.take_cut_off(0));
        m.freeze();
        assert_eq!(m.go_online(1, 0, &mut rng), Online::Came(None));
        assert!(m.go_offline(1, 0, &mut rng).is_none());
        assert_eq!(m.group_of(3), 0);
    }
}
