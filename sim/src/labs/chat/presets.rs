//! One-click scenarios of the chat lab, each showing one effect (asserted in
//! `sim/tests/chat_presets.rs`).

use super::params::ChatParams;

/// This lab's presets.
pub type Preset = crate::kernel::preset::Preset<ChatParams>;

pub fn all() -> Vec<Preset> {
    vec![
        push_failures(),
        big_group(),
        long_offline(),
        reconnect_storm(),
        lost_acks(),
    ]
}

pub fn by_id(id: &str) -> Option<Preset> {
    crate::kernel::preset::find(all(), id)
}

/// Pushes to online members fail 5% of the time: scheme 1 loses those messages for good; schemes 2-4
/// deliver every one (2 and 3 on the next reconnect, 4 as soon as the client sees the gap).
pub fn push_failures() -> Preset {
    Preset {
        id: "push_failures",
        seed: 11,
        headline: "offline_copies.lost",
        params: ChatParams {
            push_fail_prob: 0.05,
            ack_loss_prob: 0.0,
            ..ChatParams::default()
        },
    }
}

/// One group of 2,000 members: scheme 2 writes (and later deletes) a full copy per member per
/// message; scheme 4 writes the message once plus a small cursor update per acking member.
pub fn big_group() -> Preset {
    Preset {
        id: "big_group",
        seed: 12,
        headline: "copy_per_member.writes_per_message",
        params: ChatParams {
            groups: 1,
            members_per_group: 2_000,
            msg_rate_per_s: 5,
            ack_batch_ms: 1_000,
            push_fail_prob: 0.0,
            ack_loss_prob: 0.0,
            ..ChatParams::default()
        },
    }
}

/// Members stay offline for minutes: scheme 3's unread-id sets grow with every message; scheme 4
/// keeps one integer per member however long they are away.
pub fn long_offline() -> Preset {
    Preset {
        id: "long_offline",
        seed: 13,
        headline: "unread_ids.rows_stored",
        params: ChatParams {
            groups: 5,
            members_per_group: 200,
            msg_rate_per_s: 20,
            online_mean_ms: 10_000,
            offline_mean_ms: 120_000,
            push_fail_prob: 0.0,
            ack_loss_prob: 0.0,
            ..ChatParams::default()
        },
    }
}

/// An outage cuts 80% of 10,000 members off for 20 s while the rest keep chatting; then they all
/// reconnect at once. Every scheme pulls from the same store: compare rows read and pull latency.
pub fn reconnect_storm() -> Preset {
    Preset {
        id: "reconnect_storm",
        seed: 14,
        headline: "unread_ids.pull_latency",
        params: ChatParams {
            groups: 50,
            members_per_group: 200,
            msg_rate_per_s: 50,
            online_mean_ms: 600_000,
            offline_mean_ms: 60_000,
            outage_at_ms: 10_000,
            outage_ms: 20_000,
            outage_share: 0.8,
            store_rows_per_s: 200_000,
            push_fail_prob: 0.0,
            ack_loss_prob: 0.0,
            ..ChatParams::default()
        },
    }
}

/// A fifth of acks are lost: the server delivers those messages again, and the client drops them by
/// msgid, so nothing is shown twice. Turn off client dedup to see what the dedup saves.
pub fn lost_acks() -> Preset {
    Preset {
        id: "lost_acks",
        seed: 15,
        headline: "cursor.duplicates_delivered",
        params: ChatParams {
            ack_loss_prob: 0.2,
            push_fail_prob: 0.0,
            online_mean_ms: 8_000,
            offline_mean_ms: 4_000,
            ..ChatParams::default()
        },
    }
}
