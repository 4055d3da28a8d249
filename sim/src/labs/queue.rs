//! The partitioned-queue lab: Kafka-like producers, replicated partitions and a consumer group, with
//! every message tracked from `send()` to its processing so loss, duplicates, reordering, lag and
//! dead letters are counted as they happen.
//!
//! What is modelled, and where it simplifies Kafka, is written next to each part: `params` (the
//! knobs), `model` (the lab, its events and the contract), `producer`, `cluster`, `group`, `net`,
//! `faults`, `snapshot` (the picture), `stats`, `assign` (partition assignment), `presets` (the
//! one-click scenarios). The checkers are `check::fate` and `check::order`.

pub mod assign;
mod cluster;
mod event;
mod faults;
mod group;
mod model;
mod net;
pub mod params;
pub mod presets;
mod producer;
mod snapshot;
mod stats;
mod why;

pub use crate::check::fate::FinalCheck;
pub use event::{Event, Fault, Msg, Produce, Resp};
pub use model::{Queue, QueueLab};
pub use params::{Acks, Assignor, CommitMode, FaultSchedule, Partitioner, QueueParams};
pub use snapshot::{
    ConsumerView, Flow, FlowKind, PartitionView, ProducerView, QueueSnapshot, RecordView,
    ReplicaView, View,
};
pub use stats::{metrics, QueueStats};
