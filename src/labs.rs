//! The labs the page shows: one line per lab in [`pages!`]. Each names a folder `labs/<lab>/`
//! holding `Engine` (the engine lab), `Ui` (its picture, charts and words for the generic page)
//! and `text` (its words). Navigation, routing and the text index are built from this list.

#[allow(unused_imports)]
use flowlab_sim::kernel::lab::Lab;

macro_rules! pages {
    ($($module:ident),* $(,)?) => {
        $( pub mod $module; )*

        /// Ids (routes) of the labs with a page, in the order the navigation lists them.
        pub fn ids() -> Vec<&'static str> {
            vec![$( <$module::Engine as Lab>::ID ),*]
        }

        /// Every text table: the shared one, then each lab's.
        pub fn text_tables() -> Vec<(&'static [crate::i18n::Entry], &'static [(&'static str, &'static str)])> {
            vec![(crate::text::TABLE, crate::text::HELP) $(, ($module::text::TABLE, $module::text::HELP))*]
        }

        /// The live engine of lab `id` (in a worker, or on the main thread), from its params as
        /// JSON.
        pub fn host(
            id: &str,
            params_json: &str,
            seed: u64,
            look: crate::lab::view::Look,
        ) -> Result<Box<dyn crate::lab::host::AnyHost>, String> {
            $(
                if id == <$module::Engine as Lab>::ID {
                    return crate::lab::host::boxed::<$module::View>(params_json, seed, look);
                }
            )*
            Err(format!("no lab `{id}`"))
        }

        /// The guided tour of lab `id` (empty for an id without a page).
        pub fn tour(id: &str) -> &'static [crate::tour::Step] {
            $(
                if id == <$module::Engine as Lab>::ID {
                    return $module::tour::STEPS;
                }
            )*
            &[]
        }

        /// The page of lab `id`.
        #[cfg(target_arch = "wasm32")]
        pub fn page(id: &str) -> Option<yew::Html> {
            $(
                if id == <$module::Engine as Lab>::ID {
                    return Some(yew::html! { <crate::lab::page::LabPage<$module::Ui> /> });
                }
            )*
            None
        }

        /// Every lab's engine side, checked (see [`crate::lab::host::tests`]).
        #[cfg(test)]
        #[test]
        fn every_view_sends_frames_and_runs_the_same_in_a_worker_and_inline() {
            $(
                crate::lab::host::tests::check::<$module::View>();
                crate::lab::host::tests::check_worker_equals_inline::<$module::View>();
                crate::lab::compare::tests::check::<$module::View>();
            )*
        }

        /// Every lab's timeline: recorded clicks, replayed logs, jumps, forks, undo.
        #[cfg(test)]
        #[test]
        fn every_timed_lab_keeps_a_history_that_replays_as_the_command_line_does() {
            $( crate::lab::host::tests::check_history::<$module::View>(); )*
        }

        /// Every text id the engine declares for the labs with a page: knob labels and their
        /// sections, options, metrics, lanes, presets, rules.
        #[cfg(test)]
        pub fn engine_text_ids() -> Vec<(String, Option<&'static str>)> {
            let mut out = Vec::new();
            $( out.extend(text_ids_of::<$module::Engine>()); )*
            out
        }
    };
}

pages! {
    limiter,
    queue,
    chat,
    flash_sale,
    cache,
    snowflake,
}

/// The text ids lab `L` needs: (id, and for knobs and metrics the English help that a Chinese help
/// must match).
#[cfg(test)]
fn text_ids_of<L: Lab>() -> Vec<(String, Option<&'static str>)> {
    use flowlab_sim::kernel::knobs::{Kind, Knobs};
    use flowlab_sim::{Model, Sim};
    let id = L::ID;
    let mut out: Vec<(String, Option<&'static str>)> = Vec::new();
    for t in ["nav", "title", "intro", "legend"] {
        out.push((format!("{id}.{t}"), None));
    }
    for p in L::presets() {
        out.push((format!("{id}.preset.{}", p.id), None));
        out.push((format!("{id}.preset.{}.watch", p.id), None));
    }
    for k in L::Params::knobs() {
        out.push((k.text.to_string(), Some(k.doc)));
        if !k.section.is_empty() {
            out.push((k.section.to_string(), None));
        }
        if let Kind::Choice { options } = k.kind {
            out.extend(options.iter().map(|o| (o.text.to_string(), None)));
        }
    }
    let mut rules = Vec::new();
    L::Params::rule_ids(&mut rules);
    for r in rules {
        out.push((r.to_string(), None));
    }
    for m in L::metrics() {
        out.push((m.text.to_string(), Some(m.doc)));
    }
    // The parts a refusal for cost names.
    for part in L::cost(&L::Params::default()).parts {
        out.push((part.text_id(), None));
    }
    // Lanes, from a short run's report.
    let mut sim = Sim::<L>::new(L::Params::default(), 1).expect("defaults are valid");
    if sim.extent() == flowlab_sim::kernel::lab::Extent::Timed {
        sim.run_to(1_000_000);
    }
    for lane in sim.figures().lanes {
        out.push((lane.text.to_string(), None));
    }
    // Its "why did that happen" lines.
    for k in L::why_kinds() {
        out.push((k.text(id), None));
    }
    // Its graded challenges: title, story, price, goals, debrief causes; and the refusals.
    for c in flowlab_sim::challenge::of_lab(id) {
        out.extend(c.text_ids().into_iter().map(|(t, _)| (t, None)));
    }
    for r in [
        flowlab_sim::challenge::RULE_FIXED,
        flowlab_sim::challenge::RULE_ONE_OF,
        flowlab_sim::challenge::RULE_TOO_LONG,
    ] {
        out.push((r.to_string(), None));
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{both_id, zh_help};

    fn cjk(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    /// Every word the engine declares for a page is in a table, in both languages, and every knob
    /// and metric has its Chinese help (its English help is its doc comment).
    #[test]
    fn every_engine_text_id_has_both_languages() {
        let mut missing = Vec::new();
        for (id, doc) in engine_text_ids() {
            match both_id(&id) {
                Some((en, zh)) if !en.is_empty() && !zh.is_empty() => {}
                _ => missing.push(id.clone()),
            }
            if let Some(doc) = doc {
                if doc.is_empty() {
                    missing.push(format!("{id} (no doc comment: no English help)"));
                }
                match zh_help(&id) {
                    Some(h) if cjk(h) => {}
                    _ => missing.push(format!("help {id}")),
                }
            }
        }
        assert!(missing.is_empty(), "missing texts: {missing:#?}");
    }

    /// Every lab with a page has its "why did that happen" log, and each kind's words in the
    /// tables are the engine's English (the command line prints it) with a Chinese translation
    /// quoting the same numbers; every class has a name in both languages.
    #[test]
    fn why_texts_match_the_engine() {
        use flowlab_sim::kernel::why::Class;
        let mut wrong = Vec::new();
        for c in Class::ALL {
            match both_id(&c.text()) {
                Some((_, zh)) if cjk(zh) => {}
                _ => wrong.push(c.text()),
            }
        }
        for lab in ids() {
            let kinds = flowlab_sim::labs::by_id(lab).unwrap().why_kinds();
            if kinds.is_empty() {
                wrong.push(format!("{lab}: no why log"));
            }
            for k in kinds {
                let id = k.text(lab);
                match both_id(&id) {
                    Some((en, zh)) => {
                        if en != k.english {
                            wrong.push(format!("{id}: the table's English differs"));
                        }
                        if !cjk(zh) {
                            wrong.push(format!("{id}: no Chinese"));
                        }
                        for i in 0..8 {
                            let arg = format!("{{{i}}}");
                            if en.contains(&arg) != zh.contains(&arg) {
                                wrong.push(format!("{id}: {arg} in one language only"));
                            }
                            if en.contains(&arg) != (i < k.args.len()) {
                                wrong.push(format!("{id}: {arg} and the kind's numbers differ"));
                            }
                        }
                    }
                    None => wrong.push(format!("{id}: missing")),
                }
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    /// Every lab with a page has graded challenges, and each challenge's words in the tables are
    /// the engine's English (the command line prints the engine's) with a Chinese translation
    /// quoting the same numbers.
    #[test]
    fn challenge_texts_match_the_engine() {
        let mut wrong = Vec::new();
        for lab in ids() {
            let list = flowlab_sim::challenge::of_lab(lab);
            if list.len() < 4 {
                wrong.push(format!("{lab}: {} challenges", list.len()));
            }
            for c in list {
                for (id, en) in c.text_ids() {
                    match both_id(&id) {
                        Some((table_en, zh)) => {
                            if table_en != en {
                                wrong.push(format!("{id}: the table's English differs"));
                            }
                            if !cjk(zh) {
                                wrong.push(format!("{id}: no Chinese"));
                            }
                            for i in 0..8 {
                                let arg = format!("{{{i}}}");
                                if en.contains(&arg) != zh.contains(&arg) {
                                    wrong.push(format!("{id}: {arg} in one language only"));
                                }
                            }
                        }
                        None => wrong.push(format!("{id}: missing")),
                    }
                }
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    /// No id is in two tables (one would silently win).
    #[test]
    fn ids_are_unique_across_tables() {
        let mut seen = std::collections::HashSet::new();
        let mut dup = Vec::new();
        for (table, helps) in text_tables() {
            for (id, en, zh) in table {
                if !seen.insert(*id) {
                    dup.push(id.to_string());
                }
                assert!(!en.is_empty() && !zh.is_empty(), "{id}");
                // The language switch names the other language.
                if *id != "ui.lang_switch" {
                    assert!(cjk(zh) || !cjk(en), "{id}: the Chinese text is not Chinese");
                }
            }
            let mut hs = std::collections::HashSet::new();
            for (id, zh) in helps {
                assert!(hs.insert(*id), "help {id} twice");
                assert!(cjk(zh), "help {id}");
            }
        }
        assert!(dup.is_empty(), "ids in two tables: {dup:?}");
    }
}
