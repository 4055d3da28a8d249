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
    /// The frame (bincode of the lab's `Frame`).
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
