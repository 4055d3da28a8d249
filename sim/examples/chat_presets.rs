//! Prints each chat preset's per-scheme figures after a run (and after quiescence).
use flowlab_sim::chat::{presets, ChatLab, Scheme};
use flowlab_sim::kernel::time::secs;
use flowlab_sim::Model;

fn main() {
    for p in presets::all() {
        let mut m = ChatLab::new(p.params.clone(), p.seed).unwrap();
        m.run_to(secs(60));
        println!(
            "== {} msgs {} online_faults {} dropped_events {}",
            p.id,
            m.messages(),
            m.online_faults(),
            m.dropped_events()
        );
        for s in Scheme::ALL {
            let st = m.stats(s);
            let l = st.pull_latency.percentiles();
            println!(
                "{:?}: w/msg {:.1} ins {} del {} upd {} wbytes {} rows {} peak {} bytes {} pulls {} rows/reconnect {:.1} p50 {}ms p99 {}ms lost {} dup {} unread_wrong {}/{}",
                s, st.writes_per_message(m.messages()), st.inserts, st.deletes, st.updates, st.write_bytes, st.rows_stored, st.peak_rows, st.bytes_stored,
                st.pulls, st.rows_per_reconnect(), l.p50_ns / 1_000_000, l.p99_ns / 1_000_000, st.lost, st.duplicates_delivered, st.unread_wrong, st.unread_checks
            );
        }
        m.quiesce(0);
        m.run_to(secs(200));
        for s in Scheme::ALL {
            println!(
                "  quiesced {:?}: missing {} rows {} lost {}",
                s,
                m.missing(s),
                m.stats(s).rows_stored,
                m.stats(s).lost
            );
        }
    }
}
