//! Runs the chat lab at its largest sizes and prints throughput; run under `/usr/bin/time -v` to
//! see peak memory: `cargo run --release -p flowlab-sim --example chat_scale`.
use flowlab_sim::chat::{ChatLab, ChatParams, Scheme};
use flowlab_sim::kernel::time::secs;
use flowlab_sim::Model;

fn main() {
    let p = ChatParams {
        groups: 50,
        members_per_group: 2_000,
        msg_rate_per_s: 20,
        push_fail_prob: 0.02,
        ack_loss_prob: 0.02,
        crash_prob: 0.001,
        ack_batch_ms: 500,
        outage_at_ms: 60_000,
        outage_ms: 10_000,
        ..ChatParams::default()
    };
    let mut lab = ChatLab::new(p, 1).unwrap();
    let mut last = 0;
    for minute in 1..=5u64 {
        lab.run_to(secs(minute * 60));
        let s4 = lab.stats(Scheme::Cursor);
        println!(
            "t={}min msgs {} (+{}) online {} S2 rows {} S4 rows {} dropped_events {}",
            minute,
            lab.messages(),
            lab.messages() - last,
            lab.online_count(),
            lab.stats(Scheme::CopyPerMember).rows_stored,
            s4.rows_stored,
            lab.dropped_events()
        );
        last = lab.messages();
    }
}
