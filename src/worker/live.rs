//! The live run in a worker: the page opens a [`Host`](crate::lab::host::Host) of its lab there
//! (params as JSON, seed, how it looks), then sends one [`LiveRequest`] at a time — the commands
//! queued since the last (JSON), and the frame it wants (its time, and the wall time since the
//! last) — and draws from the [`LiveAnswer`] (the frame, bincode). Plain Rust: tested natively.

use serde::{Deserialize, Serialize};

use crate::lab::host::{any_host, AnyHost};
use crate::lab::view::Look;

/// A host to open: lab, params (JSON), seed, how the page looks, and the budgets of a frame.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LiveOpen {
    pub lab: String,
    pub params: String,
    pub seed: u64,
    pub look: Look,
    pub budget_ms: f64,
    pub slice_ms: f64,
}

/// One request of the page's live run.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct LiveRequest {
    /// Opens a host (the first request, or when the page changed labs).
    pub open: Option<LiveOpen>,
    /// Commands (JSON of the lab's `Command`), applied in order.
    pub commands: Vec<String>,
    /// Then a frame at page time `.0`, `.1` wall ms after the one before.
    pub frame: Option<(f64, f64)>,
    /// Runs the lab from its start to its end flat out, and says how long it took (the engine's
    /// own time, for the benchmark).
    pub flat: bool,
}

/// The answer.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct LiveAnswer {
    /// The frame (bincode of the lab's `Frame`). As bytes, not a sequence of `u8`: the page
    /// decodes a frame of half a megabyte (a 2,000-member chat at 1000×) with one copy instead
    /// of a call per byte.
    #[serde(with = "serde_bytes")]
    pub frame: Option<Vec<u8>>,
    /// Wall ms of a flat run.
    pub flat_ms: Option<f64>,
    /// What went wrong (a bad command, no host).
    pub error: Option<String>,
}

/// A worker's live run.
#[derive(Default)]
pub struct Live {
    host: Option<Box<dyn AnyHost>>,
}

impl Live {
    /// Handles `req`; `clock` reads wall ms.
    pub fn handle(&mut self, req: LiveRequest, clock: &dyn Fn() -> f64) -> LiveAnswer {
        let mut out = LiveAnswer::default();
        if let Some(o) = req.open {
            match any_host(&o.lab, &o.params, o.seed, o.look) {
                Ok(mut h) => {
                    h.set_budget(o.budget_ms, o.slice_ms);
                    self.host = Some(h);
                }
                Err(e) => {
                    self.host = None;
                    out.error = Some(e);
                }
            }
        }
        let Some(host) = self.host.as_mut() else {
            out.error.get_or_insert_with(|| "no live run open".into());
            return out;
        };
        for c in &req.commands {
            if let Err(e) = host.command_json(c, clock) {
                out.error = Some(e);
            }
        }
        if req.flat {
            out.flat_ms = host.run_flat(clock);
        }
        if let Some((ts, dt)) = req.frame {
            out.frame = Some(host.frame_bytes(ts, dt, clock));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::host::{decode_frame, Command};
    use crate::lab::pacing::Phase;
    use crate::lab::view::LabView;
    use crate::labs::flash_sale::View;
    use flowlab_sim::labs::flash_sale::Sale;

    fn open(lab: &str, params: String) -> LiveRequest {
        LiveRequest {
            open: Some(LiveOpen {
                lab: lab.into(),
                params,
                seed: 3,
                look: Look::default(),
                budget_ms: 14.0,
                slice_ms: 15.0,
            }),
            ..LiveRequest::default()
        }
    }

    #[test]
    fn a_worker_opens_a_run_takes_commands_and_answers_with_frames() {
        // A clock that moves 1 ms each time it is read: a slice ends after 15 looks.
        let t = std::cell::Cell::new(0.0);
        let clock = || {
            t.set(t.get() + 1.0);
            t.get()
        };
        let mut live = Live::default();
        let params = View::quick_params();
        let json = serde_json::to_string(&params).unwrap();
        let a = live.handle(open("flash-sale", json), &clock);
        assert!(a.error.is_none() && a.frame.is_none());
        let start = Command::<Sale>::Rebuild {
            params,
            seed: 3,
            start: true,
            actions: Default::default(),
            generation: 0,
        };
        let a = live.handle(
            LiveRequest {
                commands: vec![serde_json::to_string(&start).unwrap()],
                frame: Some((0.0, 16.0)),
                ..LiveRequest::default()
            },
            &clock,
        );
        assert!(a.error.is_none(), "{:?}", a.error);
        let f = decode_frame::<View>(&a.frame.expect("a frame")).unwrap();
        assert_eq!(f.head.phase, Phase::Running);
        assert!(f.pic.is_some());
        // A flat run: to the end, with its time.
        let a = live.handle(
            LiveRequest {
                flat: true,
                frame: Some((20.0, 0.0)),
                ..LiveRequest::default()
            },
            &clock,
        );
        assert!(a.flat_ms.is_some_and(|ms| ms >= 1.0));
        let f = decode_frame::<View>(&a.frame.unwrap()).unwrap();
        assert_eq!(f.head.phase, Phase::Finished);
        assert_eq!(
            f.pic.expect("the picture after a flat run").0.done,
            2_000_000
        );
        // A bad command is answered with what was wrong, and the run stays.
        let a = live.handle(
            LiveRequest {
                commands: vec!["{\"Nope\":1}".into()],
                frame: Some((40.0, 0.0)),
                ..LiveRequest::default()
            },
            &clock,
        );
        assert!(a.error.is_some() && a.frame.is_some());
    }

    #[test]
    fn a_worker_says_when_it_cannot_open_a_run() {
        let clock = || 0.0;
        let mut live = Live::default();
        let a = live.handle(open("no-such-lab", "{}".into()), &clock);
        assert!(a.error.unwrap().contains("no-such-lab"));
        let a = live.handle(open("queue", "not json".into()), &clock);
        assert!(a.error.is_some() && a.frame.is_none());
        let a = live.handle(
            LiveRequest {
                frame: Some((0.0, 0.0)),
                ..LiveRequest::default()
            },
            &clock,
        );
        assert!(a.error.is_some() && a.frame.is_none(), "no run open");
    }
}
