//! What flows between the parts of the queue lab: messages and records, the events the run
//! schedules, and the faults (named verbs).

use serde::{Deserialize, Serialize};

use crate::kernel::lab::Verb;
use crate::kernel::time::Nanos;

/// A message as a producer sends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Msg {
    pub(super) id: u64,
    pub(super) key: u32,
    /// Its place among its key's messages (0, 1, 2 ... in the order they were sent).
    pub(super) key_seq: u32,
    pub(super) poison: bool,
    pub(super) created: Nanos,
}

/// A message in a partition's log, with the producer state that wrote it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Record {
    pub(super) msg: Msg,
    pub(super) producer: u8,
    pub(super) epoch: u16,
    pub(super) seq: u32,
}

/// A produce request: a batch's attempt, as the leader receives it.
#[derive(Clone, Debug)]
pub struct Produce {
    pub(super) broker: u32,
    pub(super) partition: u32,
    pub(super) producer: u8,
    /// Producer epoch and sequence number (idempotence; 0 otherwise).
    pub(super) epoch: u16,
    pub(super) seq: u32,
    pub(super) batch: u64,
    pub(super) req: u64,
    pub(super) msgs: Vec<Msg>,
}

/// A broker's answer to a produce request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resp {
    Ok,
    NotLeader,
    NotEnoughReplicas,
    OutOfOrder,
}

/// A named fault or operator action: a button on the page, or scheduled in params.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    CrashBroker(u32),
    RestartBroker(u32),
    /// Crash whichever broker leads this partition now.
    CrashLeaderOf(u32),
    CrashConsumer(u32),
    RestartConsumer(u32),
    AddConsumer,
    /// The newest member leaves the group cleanly.
    RemoveConsumer,
    /// Every consumer stops for this many milliseconds.
    PauseConsumers(u32),
    CutLink,
    RestoreLink,
    InjectPoison,
    /// Grow the topic to this many partitions and forward every unprocessed record into it (the
    /// notes' "a bigger queue for the backlog").
    MoveBacklog(u32),
    /// Produce again the messages dropped as expired (the notes' "re-query the dropped ones").
    ReplayExpired,
}

impl Verb for Fault {
    fn name(&self) -> &'static str {
        match self {
            Fault::CrashBroker(_) => "crash_broker",
            Fault::RestartBroker(_) => "restart_broker",
            Fault::CrashLeaderOf(_) => "crash_leader_of",
            Fault::CrashConsumer(_) => "crash_consumer",
            Fault::RestartConsumer(_) => "restart_consumer",
            Fault::AddConsumer => "add_consumer",
            Fault::RemoveConsumer => "remove_consumer",
            Fault::PauseConsumers(_) => "pause_consumers",
            Fault::CutLink => "cut_link",
            Fault::RestoreLink => "restore_link",
            Fault::InjectPoison => "inject_poison",
            Fault::MoveBacklog(_) => "move_backlog",
            Fault::ReplayExpired => "replay_expired",
        }
    }
}

/// The queue lab's events.
#[derive(Clone, Debug)]
pub enum Event {
    /// The next message of the traffic.
    Arrival,
    /// A batch waited `linger_ms`: it is ready to send.
    Linger {
        producer: u8,
        partition: u32,
        batch: u64,
    },
    /// A produce request reaches a broker (boxed: the other events are small, and the event
    /// queue moves them often).
    Produce(Box<Produce>),
    /// A broker's answer reaches the producer.
    Response { batch: u64, req: u64, resp: Resp },
    RequestTimeout { batch: u64, req: u64 },
    Retry { batch: u64 },
    /// A follower copies what its leader has.
    Fetch { partition: u32, replica: u8 },
    /// The controller elects a new leader.
    Elect { partition: u32 },
    ProcessDone { consumer: u32, gen: u32 },
    AutoCommit { consumer: u32, gen: u32 },
    CommitLanded {
        partition: u32,
        offset: u64,
        group_gen: u32,
    },
    SessionExpired { consumer: u32, gen: u32 },
    RebalanceDone { group_gen: u32 },
    /// The consumers' pause ends (if no later pause replaced it).
    Resume { token: u32 },
    Fault(Fault),
    /// The rolling fault: crash a random partition's leader, and schedule the next.
    RollingCrash,
    /// Send the next message of a replay.
    ReplayNext,
    /// A chart bucket ends.
    Tick,
    /// Logs still to trim after a tick's share (a trim does at most `TRIM_CHUNK` records an event).
    TrimMore,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_is_named_as_serde_names_it() {
        let all = [
            Fault::CrashBroker(1),
            Fault::RestartBroker(1),
            Fault::CrashLeaderOf(0),
            Fault::CrashConsumer(2),
            Fault::RestartConsumer(2),
            Fault::AddConsumer,
            Fault::RemoveConsumer,
            Fault::PauseConsumers(500),
            Fault::CutLink,
            Fault::RestoreLink,
            Fault::InjectPoison,
            Fault::MoveBacklog(16),
            Fault::ReplayExpired,
        ];
        for f in all {
            let v = serde_json::to_value(f).unwrap();
            let name = match &v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Object(m) => m.keys().next().unwrap().clone(),
                other => panic!("{other}"),
            };
            assert_eq!(name, f.name());
            assert_eq!(serde_json::from_value::<Fault>(v).unwrap(), f);
        }
    }
}
