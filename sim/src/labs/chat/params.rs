use serde::{Deserialize, Serialize};

use crate::kernel::model::{check_range, ParamError, Validate};
use crate::kernel::traffic::MAX_DURATION_MS;

/// Most members in all groups together (the issue asks for 100,000; this size uses about 135 MB).
pub const MAX_MEMBERS_TOTAL: u64 = 100_000;

/// The group-chat offline-store lab: groups, churn, faults and store costs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChatParams {
    /// Number of groups; each member belongs to one.
    pub groups: u32,
    /// Members in each group.
    pub members_per_group: u32,
    /// Messages sent per second, all groups together.
    pub msg_rate_per_s: u32,
    /// Zipf exponent of group activity (0 = all groups equally busy; group 0 is the busiest).
    pub group_zipf: f64,
    /// Zipf exponent of sender activity inside a group.
    pub sender_zipf: f64,
    /// Mean time a member stays online, milliseconds (exponential).
    pub online_mean_ms: u32,
    /// Mean time a member stays offline, milliseconds (exponential).
    pub offline_mean_ms: u32,
    /// Probability that a push to an online member fails.
    pub push_fail_prob: f64,
    /// Probability that an ack from a client is lost on its way.
    pub ack_loss_prob: f64,
    /// Probability that a client crashes after receiving a push, before it stores it.
    pub crash_prob: f64,
    /// Clients ack at most once per this interval, milliseconds (0 = ack every message at once).
    pub ack_batch_ms: u32,
    /// Whether the client drops messages it already has (by msgid) instead of showing them again.
    pub client_dedup: bool,
    /// Rows per second the offline store can read for reconnect pulls.
    pub store_rows_per_s: u32,
    /// Fixed cost of one query, in rows' worth of reading.
    pub query_cost_rows: u32,
    /// Size of a message's content, bytes.
    pub content_bytes: u32,
    /// Start of an outage that takes every member offline, milliseconds (0 = none).
    pub outage_at_ms: u32,
    /// Length of the outage; when it ends everyone it cut off reconnects at once (a reconnect
    /// storm), milliseconds.
    pub outage_ms: u32,
    /// Share of the members the outage cuts off (a region or a gateway); the others keep chatting.
    pub outage_share: f64,
    /// Stop sending at this time, milliseconds (0 = never).
    pub send_until_ms: u32,
    /// Width of one chart bar, milliseconds of virtual time.
    pub chart_bucket_ms: u32,
}

impl Default for ChatParams {
    fn default() -> Self {
        Self {
            groups: 20,
            members_per_group: 50,
            msg_rate_per_s: 20,
            group_zipf: 1.0,
            sender_zipf: 1.0,
            online_mean_ms: 20_000,
            offline_mean_ms: 10_000,
            push_fail_prob: 0.02,
            ack_loss_prob: 0.02,
            crash_prob: 0.0,
            ack_batch_ms: 0,
            client_dedup: true,
            store_rows_per_s: 50_000,
            query_cost_rows: 20,
            content_bytes: 200,
            outage_at_ms: 0,
            outage_ms: 5_000,
            outage_share: 1.0,
            send_until_ms: 0,
            chart_bucket_ms: 1_000,
        }
    }
}

fn prob(field: &str, p: f64) -> Result<(), ParamError> {
    if !p.is_finite() {
        return Err(ParamError::new(field, p, "0..=1"));
    }
    check_range(field, p, 0.0, 1.0)
}

impl Validate for ChatParams {
    fn validate(&self) -> Result<(), ParamError> {
        check_range("groups", self.groups, 1, 10_000)?;
        check_range("members_per_group", self.members_per_group, 2, 5_000)?;
        let total = self.groups as u64 * self.members_per_group as u64;
        if total > MAX_MEMBERS_TOTAL {
            return Err(ParamError::new(
                "members_per_group",
                self.members_per_group,
                format!("groups × members_per_group <= {MAX_MEMBERS_TOTAL} (now {total})"),
            ));
        }
        check_range("msg_rate_per_s", self.msg_rate_per_s, 0, 10_000)?;
        for (f, v) in [
            ("group_zipf", self.group_zipf),
            ("sender_zipf", self.sender_zipf),
        ] {
            if !v.is_finite() {
                return Err(ParamError::new(f, v, "0..=3"));
            }
            check_range(f, v, 0.0, 3.0)?;
        }
        check_range("online_mean_ms", self.online_mean_ms, 1, MAX_DURATION_MS)?;
        check_range("offline_mean_ms", self.offline_mean_ms, 1, MAX_DURATION_MS)?;
        prob("push_fail_prob", self.push_fail_prob)?;
        prob("ack_loss_prob", self.ack_loss_prob)?;
        prob("crash_prob", self.crash_prob)?;
        prob("outage_share", self.outage_share)?;
        check_range("ack_batch_ms", self.ack_batch_ms, 0, 600_000)?;
        check_range("store_rows_per_s", self.store_rows_per_s, 1, 100_000_000)?;
        check_range("query_cost_rows", self.query_cost_rows, 0, 1_000_000)?;
        check_range("content_bytes", self.content_bytes, 1, 1_000_000)?;
        check_range("outage_at_ms", self.outage_at_ms, 0, MAX_DURATION_MS)?;
        check_range("outage_ms", self.outage_ms, 1, MAX_DURATION_MS)?;
        check_range("send_until_ms", self.send_until_ms, 0, MAX_DURATION_MS)?;
        check_range("chart_bucket_ms", self.chart_bucket_ms, 10, 600_000)
    }
}
