//! The partitioned-queue lab: Kafka-like producers, replicated partitions and a consumer group, with
//! every message tracked from `send()` to its processing so loss, duplicates, reordering, lag and
//! dead letters are counted as they happen.
//!
//! What is modelled, and where it simplifies Kafka, is written next to each part: `params` (the
//! knobs), `model` (brokers, producers, consumers and the checkers), `assign` (partition
//! assignment), `presets` (the one-click scenarios).

pub mod assign;
pub mod model;
pub mod params;
pub mod presets;

pub use model::{
    ConsumerView, Fault, FinalCheck, Flow, FlowKind, PartitionView, ProducerView, QueueLab,
    QueueSnapshot, QueueStats, RecordView, ReplicaView,
};
pub use params::{Acks, Assignor, CommitMode, FaultSchedule, Partitioner, QueueParams};
