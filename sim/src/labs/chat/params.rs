use crate::kernel::model::ParamError;
use crate::kernel::traffic::MAX_DURATION_MS;

/// Most members in all groups together (the issue asks for 100,000). Memory at any size comes from
/// the lab's cost model (`Chat::cost`): at most 265 MB at 100,000 members, 83 MB measured
/// for 50 groups of 2,000 over 30 s (BENCHMARKS.md).
pub const MAX_MEMBERS_TOTAL: u64 = 100_000;

/// All groups together may not hold more than [`MAX_MEMBERS_TOTAL`] members.
fn rules(p: &ChatParams) -> Result<(), ParamError> {
    let total = p.groups as u64 * p.members_per_group as u64;
    if total > MAX_MEMBERS_TOTAL {
        return Err(ParamError::rule(
            "members_per_group",
            p.members_per_group,
            "chat.rule.members_total",
            vec![MAX_MEMBERS_TOTAL.to_string(), total.to_string()],
            format!("groups × members_per_group <= {MAX_MEMBERS_TOTAL} (now {total})"),
        ));
    }
    Ok(())
}

crate::knobs! {
    /// The group-chat offline-store lab: groups, churn, faults and store costs.
    pub struct ChatParams in "chat" check rules ["chat.rule.members_total"]; {
        /// Number of groups; each member belongs to one.
        @members
        groups: u32 = 20 => range(1, 10_000);
        /// Members in each group.
        members_per_group: u32 = 50 => range(2, 5_000);
        /// Messages sent per second, all groups together.
        msg_rate_per_s: u32 = 20 => range(0, 10_000);
        /// Zipf exponent of group activity (0 = all groups equally busy; group 0 is the busiest).
        group_zipf: f64 = 1.0 => range(0.0, 3.0).step(0.1);
        /// Zipf exponent of sender activity inside a group.
        sender_zipf: f64 = 1.0 => range(0.0, 3.0).step(0.1);
        /// Mean time a member stays online, milliseconds (exponential).
        online_mean_ms: u32 = 20_000 => range(1, MAX_DURATION_MS);
        /// Mean time a member stays offline, milliseconds (exponential).
        offline_mean_ms: u32 = 10_000 => range(1, MAX_DURATION_MS);
        /// Stop sending at this time, milliseconds (0 = never).
        send_until_ms: u32 = 0 => range(0, MAX_DURATION_MS).adv();
        /// Probability that a push to an online member fails.
        @faults
        push_fail_prob: f64 = 0.02 => range(0.0, 1.0).step(0.01);
        /// Probability that an ack from a client is lost on its way.
        ack_loss_prob: f64 = 0.02 => range(0.0, 1.0).step(0.01);
        /// Probability that a client crashes after receiving a push, before it stores it.
        crash_prob: f64 = 0.0 => range(0.0, 1.0).step(0.01);
        /// Clients ack at most once per this interval, milliseconds (0 = ack every message at once).
        ack_batch_ms: u32 = 0 => range(0, 600_000);
        /// Whether the client drops messages it already has (by msgid) instead of showing them again.
        client_dedup: bool = true => switch;
        /// Start of an outage that takes every member offline, milliseconds (0 = none).
        outage_at_ms: u32 = 0 => range(0, MAX_DURATION_MS);
        /// Length of the outage; when it ends everyone it cut off reconnects at once (a reconnect
        /// storm), milliseconds.
        outage_ms: u32 = 5_000 => range(1, MAX_DURATION_MS);
        /// Share of the members the outage cuts off (a region or a gateway); the others keep chatting.
        outage_share: f64 = 1.0 => range(0.0, 1.0).step(0.01);
        /// Rows per second the offline store can read for reconnect pulls.
        @store
        store_rows_per_s: u32 = 50_000 => range(1, 100_000_000);
        /// Fixed cost of one query, in rows' worth of reading.
        query_cost_rows: u32 = 20 => range(0, 1_000_000);
        /// Size of a message's content, bytes.
        content_bytes: u32 = 200 => range(1, 1_000_000);
        /// Width of one chart bar, milliseconds of virtual time.
        chart_bucket_ms: u32 = 1_000 => range(10, 600_000).adv();
    }
}
