//! Every word on screen, in English and 简体中文.
//!
//! Text lives in tables declared with [`texts!`](crate::texts): the shared one (`crate::text`) and
//! one per lab (`crate::labs::<lab>::text`). An entry has both languages or it does not compile;
//! an entry may also name a constant ([`Tx`]) for the page's own words, so a misspelt one does not
//! compile either. Ids declared by the engine (knob labels, metric labels, option labels, preset
//! titles, rules) are looked up by id, and a test checks every one of them is in a table
//! (`tests::every_engine_text_id_has_both_languages` in `crate::labs`).
//!
//! Helps are a second kind of entry: the English help of a knob or metric is its doc comment in
//! the engine; the tables hold the Chinese one under the same id.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::OnceLock;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Default, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Zh,
            Lang::Zh => Lang::En,
        }
    }
}

impl FromStr for Lang {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "en" => Ok(Lang::En),
            "zh" => Ok(Lang::Zh),
            _ => Err(()),
        }
    }
}

/// The id of an entry a page names in code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Tx(pub &'static str);

/// One entry: id, English, Chinese.
pub type Entry = (&'static str, &'static str, &'static str);

/// Declares a text table: `pub const TABLE: &[Entry]` and a [`Tx`] constant for each entry that
/// names one. Help entries (`help "id": "中文";`) go to `pub const HELP: &[(&str, &str)]`.
///
/// ```ignore
/// texts! {
///     TITLE = "limiter.title": "Rate limiters", "限流算法";
///     "window.limit": "Limit", "上限";
///     help "window.limit": "每个窗口允许通过的请求数。";
/// }
/// ```
#[macro_export]
macro_rules! texts {
    ($($body:tt)*) => {
        $crate::__texts!(@parse [] [] $($body)*);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __texts {
    (@parse [$($e:tt)*] [$($h:tt)*]) => {
        /// This table's entries: id, English, Chinese.
        pub const TABLE: &[$crate::i18n::Entry] = &[$($e)*];
        /// This table's Chinese helps (the English help is the engine's doc comment).
        pub const HELP: &[(&str, &str)] = &[$($h)*];
    };
    (@parse [$($e:tt)*] [$($h:tt)*] $name:ident = $id:literal : $en:literal, $zh:literal; $($rest:tt)*) => {
        #[allow(dead_code)]
        pub const $name: $crate::i18n::Tx = $crate::i18n::Tx($id);
        $crate::__texts!(@parse [$($e)* ($id, $en, $zh),] [$($h)*] $($rest)*);
    };
    (@parse [$($e:tt)*] [$($h:tt)*] $id:literal : $en:literal, $zh:literal; $($rest:tt)*) => {
        $crate::__texts!(@parse [$($e)* ($id, $en, $zh),] [$($h)*] $($rest)*);
    };
    (@parse [$($e:tt)*] [$($h:tt)*] help $id:literal : $zh:literal; $($rest:tt)*) => {
        $crate::__texts!(@parse [$($e)*] [$($h)* ($id, $zh),] $($rest)*);
    };
}

struct Index {
    text: HashMap<&'static str, (&'static str, &'static str)>,
    help: HashMap<&'static str, &'static str>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut text = HashMap::new();
        let mut help = HashMap::new();
        for (table, helps) in crate::labs::text_tables() {
            for &(id, en, zh) in table {
                text.insert(id, (en, zh));
            }
            for &(id, zh) in helps {
                help.insert(id, zh);
            }
        }
        Index { text, help }
    })
}

/// Both languages of entry `id`, if a table has it.
pub fn both_id(id: &str) -> Option<(&'static str, &'static str)> {
    index().text.get(id).copied()
}

/// The Chinese help of `id`, if a table has it.
pub fn zh_help(id: &str) -> Option<&'static str> {
    index().help.get(id).copied()
}

/// The text of a page's own entry.
pub fn tr(lang: Lang, key: Tx) -> &'static str {
    tr_id(lang, key.0)
}

/// The text of entry `id`. A missing id shows as itself (a test keeps that from shipping): never
/// another entry's text.
pub fn tr_id(lang: Lang, id: &str) -> &'static str {
    match both_id(id) {
        Some((en, zh)) => match lang {
            Lang::En => en,
            Lang::Zh => zh,
        },
        None => missing(id),
    }
}

/// A missing id, leaked once (so a page that asks every frame does not grow).
fn missing(id: &str) -> &'static str {
    use std::cell::RefCell;
    use std::collections::HashSet;
    thread_local! {
        static SEEN: RefCell<HashSet<&'static str>> = RefCell::new(HashSet::new());
    }
    SEEN.with(|s| {
        let mut s = s.borrow_mut();
        match s.get(id) {
            Some(&known) => known,
            None => {
                let leaked: &'static str = Box::leak(id.to_string().into_boxed_str());
                s.insert(leaked);
                leaked
            }
        }
    })
}

/// The help of a knob or metric: its doc comment in English, the table's help in Chinese.
pub fn help(lang: Lang, id: &str, doc: &'static str) -> &'static str {
    match lang {
        Lang::En => doc,
        Lang::Zh => zh_help(id).unwrap_or(doc),
    }
}

/// `template` with `{0}`, `{1}` ... replaced by `args`.
pub fn fill(template: &str, args: &[String]) -> String {
    let mut out = template.to_string();
    for (i, a) in args.iter().enumerate() {
        out = out.replace(&format!("{{{i}}}"), a);
    }
    out
}

/// A whole number for people: `1,234,567` in English; in Chinese `1,234` below ten thousand, then
/// `12.3万`, `1.02亿` (three significant digits).
pub fn count(lang: Lang, n: u64) -> String {
    match lang {
        Lang::Zh if n >= 100_000_000 => format!("{}亿", sig3(n as f64 / 1e8)),
        Lang::Zh if n >= 10_000 => format!("{}万", sig3(n as f64 / 1e4)),
        _ => grouped(n),
    }
}

/// `n` with a comma every three digits.
pub fn grouped(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Three significant digits, no trailing zeros (`12.3`, `102`, `1.5`).
fn sig3(x: f64) -> String {
    let s = if x >= 100.0 {
        format!("{x:.0}")
    } else if x >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    };
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A real number with up to `decimals` decimals (trailing zeros dropped) and grouped thousands.
pub fn real(lang: Lang, x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    if x.abs() >= 10_000.0 {
        let n = x.round();
        let sign = if n < 0.0 { "-" } else { "" };
        return format!("{sign}{}", count(lang, n.abs() as u64));
    }
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// What a problem with a link or an input says, naming the field, in `lang`.
pub fn describe_problem(lang: Lang, p: &crate::url_state::Problem) -> String {
    use crate::text;
    use crate::url_state::Problem::*;
    match p {
        UnknownKey(k) => fill(tr(lang, text::PROBLEM_UNKNOWN_KEY), std::slice::from_ref(k)),
        BadValue {
            key,
            value,
            expected,
        } => fill(
            tr(lang, text::PROBLEM_BAD_VALUE),
            &[key.clone(), value.clone(), describe_expect(lang, expected)],
        ),
        Invalid(e) => describe_error(lang, e),
        Repeated(k) => fill(tr(lang, text::PROBLEM_REPEATED), std::slice::from_ref(k)),
        TooLong => fill(
            tr(lang, text::PROBLEM_TOO_LONG),
            &[crate::url_state::MAX_QUERY_CHARS.to_string()],
        ),
        BadSeed(s) => fill(tr(lang, text::PROBLEM_BAD_SEED), std::slice::from_ref(s)),
        UnknownPreset(s) => fill(
            tr(lang, text::PROBLEM_UNKNOWN_PRESET),
            std::slice::from_ref(s),
        ),
    }
}

/// What a value should have been, in `lang`.
pub fn describe_expect(lang: Lang, e: &crate::url_state::Expect) -> String {
    use crate::text;
    use crate::url_state::Expect::*;
    match e {
        Whole(r) => fill(tr(lang, text::EXPECT_WHOLE_IN), std::slice::from_ref(r)),
        Number(r) => fill(tr(lang, text::EXPECT_NUMBER_IN), std::slice::from_ref(r)),
        Bool => tr(lang, text::EXPECT_BOOL).to_string(),
        OneOf(v) => fill(tr(lang, text::EXPECT_ONE_OF), &[v.join(", ")]),
        Short(n) => fill(tr(lang, text::EXPECT_SHORT), &[n.to_string()]),
        Text(t) => t.clone(),
    }
}

/// What a rule allows, in `lang` (`english` when the rule has no words of its own).
fn allowed_of(lang: Lang, rule: &flowlab_sim::kernel::model::Rule, english: &str) -> String {
    use crate::text;
    use flowlab_sim::kernel::model::{Bound, Rule};
    let bound = |b: &Bound| match b {
        Bound::Num(n) => n.clone(),
        Bound::Key { key, now } => fill(tr(lang, text::BOUND_KEY), &[key.clone(), now.clone()]),
    };
    match rule {
        Rule::Range { lo, hi } => format!("{}..={}", bound(lo), bound(hi)),
        Rule::Text { id, args } => match both_id(id) {
            Some((en, zh)) => {
                // An argument that starts with `@` is a text id to say in `lang`.
                let args: Vec<String> = args
                    .iter()
                    .map(|a| match a.strip_prefix('@') {
                        Some(id) => tr_id(lang, id).to_string(),
                        None => a.clone(),
                    })
                    .collect();
                fill(if lang == Lang::En { en } else { zh }, &args)
            }
            None => english.to_string(),
        },
        Rule::Conflict {
            key,
            got,
            rule,
            allowed,
        } => fill(
            tr(lang, text::RULE_CONFLICT),
            &[key.clone(), got.clone(), allowed_of(lang, rule, allowed)],
        ),
        Rule::Plain => english.to_string(),
    }
}

/// A refused value in `lang`: the field, the value, and what is allowed.
pub fn describe_error(lang: Lang, e: &flowlab_sim::ParamError) -> String {
    use crate::text;
    let allowed = allowed_of(lang, &e.rule, &e.allowed);
    // A memory estimate over the budget is not a range the value left.
    let cost = matches!(&*e.rule, flowlab_sim::kernel::model::Rule::Text { id, .. } if id.starts_with("cost."));
    fill(
        tr(
            lang,
            if cost {
                text::PROBLEM_COST
            } else {
                text::PROBLEM_INVALID
            },
        ),
        &[e.field.clone(), e.got.clone(), allowed],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lang_codes_round_trip() {
        for l in [Lang::En, Lang::Zh] {
            assert_eq!(l.code().parse::<Lang>(), Ok(l));
        }
        assert!("fr".parse::<Lang>().is_err());
    }

    #[test]
    fn numbers_for_people() {
        assert_eq!(count(Lang::En, 0), "0");
        assert_eq!(count(Lang::En, 1_234_567), "1,234,567");
        assert_eq!(count(Lang::En, 100), "100");
        assert_eq!(count(Lang::Zh, 9_999), "9,999");
        assert_eq!(count(Lang::Zh, 12_345), "1.23万");
        assert_eq!(count(Lang::Zh, 1_020_000), "102万");
        assert_eq!(count(Lang::Zh, 100_000_000), "1亿");
        assert_eq!(count(Lang::Zh, 99_080_200), "9908万");
        assert_eq!(real(Lang::En, 2.5, 2), "2.5");
        assert_eq!(real(Lang::En, 25_000.0, 1), "25,000");
        assert_eq!(real(Lang::En, 3.0, 1), "3");
    }

    #[test]
    fn fill_places_arguments() {
        assert_eq!(
            fill("{0} of {1}, {0}", &["a".into(), "b".into()]),
            "a of b, a"
        );
    }

    #[test]
    fn a_missing_id_shows_itself_not_another_entry() {
        assert_eq!(tr_id(Lang::En, "no.such.entry"), "no.such.entry");
    }

    #[test]
    fn refusals_are_translated() {
        use flowlab_sim::kernel::knobs::Knobs;
        use flowlab_sim::kernel::model::Validate;
        let mut p = flowlab_sim::limiter::LimiterParams::default();
        p.traffic.burst_width_ms = 5_000;
        let e = p.validate().unwrap_err();
        let en = describe_error(Lang::En, &e);
        let zh = describe_error(Lang::Zh, &e);
        assert!(
            en.contains("traffic.burst_width_ms") && en.contains("5000"),
            "{en}"
        );
        assert!(en.contains("traffic.burst_period_ms"), "{en}");
        assert!(
            zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{zh}"
        );
        let _ = flowlab_sim::limiter::LimiterParams::knobs();
    }
}
