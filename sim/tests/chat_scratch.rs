use flowlab_sim::chat::{ChatLab, ChatParams, Scheme};
use flowlab_sim::kernel::time::{ms, secs};
use flowlab_sim::{Advance, Model};

fn base() -> ChatParams {
    ChatParams {
        groups: 3,
        members_per_group: 20,
        msg_rate_per_s: 30,
        online_mean_ms: 2_000,
        offline_mean_ms: 1_000,
        push_fail_prob: 0.1,
        ack_loss_prob: 0.1,
        crash_prob: 0.05,
        ack_batch_ms: 100,
        ..ChatParams::default()
    }
}

#[test]
fn stepping_digest() {
    for seed in 0..20 {
        let p = base();
        let mut a = ChatLab::new(p.clone(), seed).unwrap();
        a.run_to(secs(20));
        let mut b = ChatLab::new(p.clone(), seed).unwrap();
        let mut t = 0;
        while t < secs(20) {
            t += ms(37);
            while b.advance_to(t.min(secs(20)), 5) == Advance::BudgetExhausted {}
        }
        let sa: Vec<_> = Scheme::ALL.iter().map(|&s| a.stats(s).peak_rows).collect();
        let sb: Vec<_> = Scheme::ALL.iter().map(|&s| b.stats(s).peak_rows).collect();
        println!("seed {seed} {} {} {:?} {:?}", a.digest(), b.digest(), sa, sb);
    }
}

#[test]
fn long_online_with_push_failures() {
    let p = ChatParams {
        groups: 2,
        members_per_group: 20,
        msg_rate_per_s: 200,
        push_fail_prob: 0.5,
        ..ChatParams::default()
    };
    let mut lab = ChatLab::new(p, 1).unwrap();
    for step in 1..=12 {
        lab.run_to(secs(step * 10));
        let maxr: Vec<_> = Scheme::ALL
            .iter()
            .map(|&s| {
                (0..lab.users())
                    .map(|u| lab.client_has(s, u).ranges().len())
                    .max()
                    .unwrap()
            })
            .collect();
        println!(
            "t {} maxranges {:?} missing {:?} faults {} delivered {:?} rows {:?}",
            step * 10,
            maxr,
            Scheme::ALL.map(|s| lab.missing(s)),
            lab.online_faults(),
            Scheme::ALL.map(|s| lab.stats(s).delivered),
            Scheme::ALL.map(|s| lab.stats(s).rows_stored)
        );
    }
    lab.quiesce();
    lab.run_to(secs(240));
    println!(
        "quiesced missing {:?} faults {} delivered {:?} rows {:?} total {}",
        Scheme::ALL.map(|s| lab.missing(s)),
        lab.online_faults(),
        Scheme::ALL.map(|s| lab.stats(s).delivered),
        Scheme::ALL.map(|s| lab.stats(s).rows_stored),
        lab.messages() * 19
    );
}
