//! Every preset of every registered lab names its headline figure (what a sweep over seeds of the
//! preset plots) by a report path; a short run of the preset reports a number there, so a typo, a
//! renamed metric or lane, or a `final` figure of a lab that does not check at rest fails here.

use flowlab_sim::kernel::lab::Extent;
use flowlab_sim::kernel::report::Report;
use flowlab_sim::kernel::time::{Nanos, NS_PER_S};
use flowlab_sim::labs::{self, AnyLab};
use flowlab_sim::Advance;

/// Virtual time a timed preset runs for.
const SHORT: Nanos = 2 * NS_PER_S;
/// Work a preset that ends by itself (the flash sale's users) gets: a slice of its run.
const SLICE: u64 = 1 << 16;
/// How long a lab that checks at rest may take to quiesce.
const QUIESCE_LIMIT: Nanos = 120 * NS_PER_S;

/// The live figures of a short run of `preset`, and (for a lab that checks at rest) the figures once
/// it is quiesced, `final` group included.
fn short_run(lab: &dyn AnyLab, preset: &str) -> (Report, Option<Report>) {
    let (params, seed) = lab.preset(preset).expect("listed presets exist");
    let mut run = lab
        .start(&params, seed)
        .unwrap_or_else(|e| panic!("{} {preset}: {e}", lab.id()));
    match run.extent() {
        Extent::Timed => while run.advance_to(SHORT, 1 << 20) == Advance::BudgetExhausted {},
        Extent::Items { .. } => {
            run.advance(SLICE);
            assert!(run.work() > 0, "{} {preset}: no work done", lab.id());
        }
    }
    let live = run.figures();
    let at_rest = lab.checks_at_rest().then(|| {
        assert!(
            run.quiesce(QUIESCE_LIMIT),
            "{} {preset}: not quiet after {} s",
            lab.id(),
            QUIESCE_LIMIT / NS_PER_S
        );
        run.final_figures()
    });
    (live, at_rest)
}

#[test]
fn every_preset_headline_names_a_number_of_its_report() {
    let mut checked = 0;
    for lab in labs::all() {
        for p in lab.presets() {
            let who = format!("{} {}: headline {:?}", lab.id(), p.id, p.headline);
            let (live, at_rest) = short_run(lab, p.id);
            if p.headline.starts_with("final.") {
                let at_rest = at_rest.unwrap_or_else(|| {
                    panic!("{who} is a figure at rest, and this lab does not check at rest")
                });
                assert!(at_rest.number(p.headline).is_some(), "{who}: not reported");
            } else {
                assert!(
                    live.number(p.headline).is_some(),
                    "{who}: not in the live figures ({})",
                    paths(&live)
                );
            }
            checked += 1;
        }
    }
    // Every lab's presets (limiter-queue has none).
    assert_eq!(checked, 4 + 11 + 5 + 3 + 7 + 4, "presets checked");
}

/// A path that is not in the report is refused (what the first test relies on).
#[test]
fn a_misspelt_path_is_not_found() {
    let lab = labs::by_id("queue").unwrap();
    let (live, at_rest) = short_run(lab, "acks0_crash");
    assert!(live.number("lost").is_some());
    assert!(live.number("lots").is_none());
    assert!(
        live.number("final.lost").is_none(),
        "final figures only at rest"
    );
    assert!(at_rest.unwrap().number("final.lost").is_some());
}

fn paths(r: &Report) -> String {
    r.figures
        .iter()
        .map(|f| f.path(&r.lanes))
        .collect::<Vec<_>>()
        .join(" ")
}
