//! Graded challenges on the page: the stars kept in the browser, a challenge in a lab's link
//! (`#/<lab>?challenge=<id>`), the verdict as the worker sends it, and the words for its numbers
//! (plain Rust, tested natively); in the browser, the page listing every challenge
//! (`#/challenges`) and the front page's welcome. The panel inside a lab is `lab::challenge`.
//! Grading itself is the engine's (`flowlab_sim::challenge::check`), the same as
//! `flowlab challenge check`.

use std::collections::BTreeMap;

use serde::Deserialize;

use flowlab_sim::challenge::{self, Allowed, Challenge, Op, Price};

use crate::i18n::{count, fill, tr, tr_id, Lang};
use crate::text;

/// The link's key naming the challenge a lab is in.
pub const LINK_KEY: &str = "challenge";
/// Where the stars earned are kept (localStorage): a JSON object, challenge id → best stars.
pub const STORE_KEY: &str = "flowlab.challenges";

/// The link's query without its challenge part, and the challenge id it named (the first).
pub fn split_link(query: &str) -> (String, Option<String>) {
    crate::url_state::split_key(query, LINK_KEY)
}

/// The challenge `id` of lab `lab`, if there is one.
pub fn of_lab(lab: &str, id: &str) -> Option<&'static Challenge> {
    challenge::by_id(id).filter(|c| c.lab == lab)
}

/// The stars earned so far, from the stored text: anything malformed (not JSON, not an object,
/// an unknown challenge, a value that is not 0–3) is left out, never a panic.
pub fn parse_progress(stored: &str) -> BTreeMap<String, u8> {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(stored)
    else {
        return BTreeMap::new();
    };
    map.into_iter()
        .filter(|(id, _)| challenge::by_id(id).is_some())
        .filter_map(|(id, v)| {
            let n = v.as_u64().filter(|n| *n <= 3)?;
            Some((id, n as u8))
        })
        .collect()
}

/// `progress` with `stars` for `id` if better than what it had; whether it changed.
pub fn record(progress: &mut BTreeMap<String, u8>, id: &str, stars: u8) -> bool {
    let best = progress.get(id).copied().unwrap_or(0);
    if stars > best {
        progress.insert(id.to_string(), stars.min(3));
        true
    } else {
        false
    }
}

/// The text stored for `progress`.
pub fn progress_text(progress: &BTreeMap<String, u8>) -> String {
    serde_json::to_string(progress).expect("a map of numbers serialises")
}

/// A figure for people: thousands separated (万/亿 in Chinese from ten thousand), whole from 100
/// up, at most two decimals from 1 and three below; "–" when the run did not report it.
pub fn number(lang: Lang, x: Option<f64>) -> String {
    let Some(x) = x.filter(|x| x.is_finite()) else {
        return "–".to_string();
    };
    let a = x.abs();
    let sign = if x < 0.0 { "-" } else { "" };
    if a >= 100.0 {
        return format!("{sign}{}", count(lang, a.round() as u64));
    }
    let decimals = if a >= 1.0 { 2 } else { 3 };
    let s = format!("{a:.decimals$}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "0" {
        "0".to_string()
    } else {
        format!("{sign}{s}")
    }
}

/// A comparison as people read it.
pub fn op_sign(op: &str) -> &'static str {
    match op {
        "<=" => "≤",
        "<" => "<",
        ">=" => "≥",
        ">" => ">",
        _ => "=",
    }
}

fn op_str(op: Op) -> &'static str {
    op_sign(op.as_str())
}

/// One goal of a challenge, in `lang`, with its threshold (`No window … (≤ 10)`).
pub fn goal_line(lang: Lang, ch: &Challenge, goal: &challenge::Goal) -> String {
    format!(
        "{} ({} {})",
        tr_id(lang, &ch.text_id(&format!("goal.{}", goal.id))),
        op_str(goal.op),
        number(lang, Some(goal.threshold))
    )
}

/// A limit on a knob the user may change, in `lang`.
pub fn limit_line(lang: Lang, lab: &str, l: &challenge::Limit) -> String {
    let allowed = match l.allowed {
        Allowed::Range { lo, hi } => fill(
            tr(lang, text::CH_RANGE),
            &[number(lang, Some(lo)), number(lang, Some(hi))],
        ),
        Allowed::OneOf(values) => {
            let names: Vec<String> = values
                .iter()
                .map(|v| knob_value(lang, lab, l.key, v))
                .collect();
            fill(tr(lang, text::CH_ONE_OF), &[names.join(", ")])
        }
    };
    format!("{}: {allowed}", knob_name(lang, lab, l.key))
}

/// A fixed setting of a challenge, in `lang`: the knob's name and its value as the form shows them.
pub fn fixed_line(lang: Lang, lab: &str, (key, value): challenge::Set) -> String {
    format!(
        "{} = {}",
        knob_name(lang, lab, key),
        knob_value(lang, lab, key, value)
    )
}

/// The knob of `lab` at dotted `key`.
fn knob_of(lab: &str, key: &str) -> Option<flowlab_sim::kernel::knobs::Knob> {
    flowlab_sim::labs::by_id(lab)?
        .knobs()
        .into_iter()
        .find(|k| k.key == key)
}

/// A knob's name as the form shows it, in `lang` (its section's name first when the key has one:
/// "Fixed window · Limit"); the key itself if `lab` has no such knob.
pub fn knob_name(lang: Lang, lab: &str, key: &str) -> String {
    match knob_of(lab, key) {
        Some(k) if key.contains('.') => {
            format!("{} · {}", tr_id(lang, k.section), tr_id(lang, k.text))
        }
        Some(k) => tr_id(lang, k.text).to_string(),
        None => key.to_string(),
    }
}

/// A knob's value as the form shows it: a choice by its option's name, a switch as on or off, a
/// whole number with thousands separators (万 in Chinese), anything else as written.
pub fn knob_value(lang: Lang, lab: &str, key: &str, value: &str) -> String {
    use flowlab_sim::kernel::knobs::Kind;
    match knob_of(lab, key).map(|k| k.kind) {
        Some(Kind::Choice { options }) => options
            .iter()
            .find(|o| o.value == value)
            .map_or_else(|| value.to_string(), |o| tr_id(lang, o.text).to_string()),
        Some(Kind::Int { .. }) => value
            .parse::<u64>()
            .map_or_else(|_| value.to_string(), |n| count(lang, n)),
        Some(Kind::Switch) => match value {
            "true" => tr(lang, text::CH_ON).to_string(),
            "false" => tr(lang, text::CH_OFF).to_string(),
            v => v.to_string(),
        },
        _ => value.to_string(),
    }
}

/// What earns the stars, in `lang`: one line per star count.
pub fn star_lines(lang: Lang, ch: &Challenge) -> [String; 3] {
    let Price {
        figure: _,
        three,
        two,
        ..
    } = ch.price;
    let what = tr_id(lang, &ch.text_id("price"));
    let sign = if ch.price.higher_is_better() {
        "≥"
    } else {
        "≤"
    };
    [
        fill(
            tr(lang, text::CH_STARS_3),
            &[
                what.to_string(),
                sign.to_string(),
                number(lang, Some(three)),
            ],
        ),
        fill(
            tr(lang, text::CH_STARS_2),
            &[what.to_string(), sign.to_string(), number(lang, Some(two))],
        ),
        tr(lang, text::CH_STARS_1).to_string(),
    ]
}

/// Stars as a picture (`★★☆`).
pub fn star_marks(stars: u8) -> String {
    (0..3).map(|i| if i < stars { '★' } else { '☆' }).collect()
}

/// A verdict as the worker sends it (the engine's `Verdict` in JSON), read back.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct VerdictView {
    pub challenge: String,
    pub passed: bool,
    pub goals: Vec<GoalView>,
    pub price: Option<f64>,
    pub stars: u8,
    pub debrief: Option<DebriefView>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct GoalView {
    pub id: String,
    pub text_id: String,
    pub figure: Option<f64>,
    pub op: String,
    pub threshold: f64,
    pub ok: bool,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct DebriefView {
    pub goal: String,
    pub cause: String,
    /// A number the run did not report comes as null.
    pub args: Vec<Option<f64>>,
}

impl VerdictView {
    /// Reads the worker's JSON.
    pub fn parse(json: &str) -> Result<Self, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    /// The debrief's sentence in `lang`, numbers filled in.
    pub fn debrief_text(&self, lang: Lang) -> Option<String> {
        let d = self.debrief.as_ref()?;
        if d.cause.is_empty() {
            return None;
        }
        let args: Vec<String> = d.args.iter().map(|a| number(lang, *a)).collect();
        Some(fill(tr_id(lang, &d.cause), &args))
    }
}

/// The challenges of each lab with a page, in the navigation's order.
pub fn by_lab() -> Vec<(&'static str, Vec<&'static Challenge>)> {
    crate::labs::ids()
        .into_iter()
        .map(|lab| (lab, challenge::of_lab(lab)))
        .filter(|(_, list)| !list.is_empty())
        .collect()
}

#[cfg(target_arch = "wasm32")]
pub use ui::{load_progress, save_stars, ChallengesPage, Welcome};

#[cfg(target_arch = "wasm32")]
mod ui {
    use std::collections::BTreeMap;

    use yew::prelude::*;

    use super::*;

    fn storage() -> Option<web_sys::Storage> {
        crate::web::window().local_storage().ok().flatten()
    }

    /// The stars earned so far in this browser (nothing when storage is unavailable).
    pub fn load_progress() -> BTreeMap<String, u8> {
        storage()
            .and_then(|s| s.get_item(STORE_KEY).ok().flatten())
            .map(|t| parse_progress(&t))
            .unwrap_or_default()
    }

    /// Keeps `stars` for challenge `id` if better than before.
    pub fn save_stars(id: &str, stars: u8) {
        let mut p = load_progress();
        if record(&mut p, id, stars) {
            if let Some(s) = storage() {
                let _ = s.set_item(STORE_KEY, &progress_text(&p));
            }
        }
    }

    /// The front page: what flowlab is, and a way into the challenges and the labs.
    #[function_component(Welcome)]
    pub fn welcome() -> Html {
        let lang = use_context::<Lang>().unwrap_or_default();
        use_effect_with(lang, move |l| {
            crate::web::set_title(&format!("{} · flowlab", tr(*l, text::WELCOME_TITLE)))
        });
        let first = crate::labs::ids()[0];
        // The queue's tour asks the notes' best-known questions: the front page starts there.
        let tour_lab = crate::labs::ids()
            .into_iter()
            .find(|id| *id == "queue")
            .unwrap_or(first);
        let tours: Vec<(&str, usize)> = crate::labs::ids()
            .into_iter()
            .map(|id| (id, crate::tour::of_lab(id).len()))
            .filter(|(_, n)| *n > 0)
            .collect();
        let total = challenge::all().len();
        let earned = load_progress().values().filter(|s| **s > 0).count();
        html! {
            <div class="welcome">
                <section class="panel" aria-labelledby="welcome-title">
                    <h1 id="welcome-title">{ tr(lang, text::WELCOME_TITLE) }</h1>
                    <p>{ tr(lang, text::WELCOME_BODY) }</p>
                    <p>{ fill(tr(lang, text::WELCOME_PROGRESS), &[earned.to_string(), total.to_string()]) }</p>
                    <p class="welcome-links">
                        <a id="welcome-tour" class="btn primary" href={format!("#/{tour_lab}?{}=1", crate::tour::LINK_KEY)}>
                            { fill(tr(lang, text::WELCOME_TOUR_START), &[tr_id(lang, &format!("{tour_lab}.nav")).to_string()]) }
                        </a>
                        <a id="welcome-challenges" class="btn" href="#/challenges">{ tr(lang, text::WELCOME_CHALLENGES) }</a>
                        <a id="welcome-lab" class="btn" href={format!("#/{first}")}>
                            { fill(tr(lang, text::WELCOME_LAB), &[tr_id(lang, &format!("{first}.nav")).to_string()]) }
                        </a>
                    </p>
                </section>
                <section class="panel welcome-tours" aria-labelledby="welcome-tour-title">
                    <h2 id="welcome-tour-title">{ tr(lang, text::WELCOME_TOUR_TITLE) }</h2>
                    <p>{ tr(lang, text::WELCOME_TOUR_BODY) }</p>
                    <p>{ tr(lang, text::WELCOME_TOUR_OTHERS) }</p>
                    <ul class="welcome-tour-list">
                        { for tours.iter().map(|(id, n)| html! {
                            <li>
                                <a href={format!("#/{id}?{}=1", crate::tour::LINK_KEY)} data-tour={*id}>
                                    { tr_id(lang, &format!("{id}.nav")) }
                                </a>
                                { format!(" · {}", fill(tr(lang, text::WELCOME_TOUR_STEPS), &[n.to_string()])) }
                            </li>
                        }) }
                    </ul>
                </section>
            </div>
        }
    }

    /// `#/challenges`: every challenge by lab, with the stars earned and a link into its lab.
    #[function_component(ChallengesPage)]
    pub fn challenges_page() -> Html {
        let lang = use_context::<Lang>().unwrap_or_default();
        use_effect_with(lang, move |l| {
            crate::web::set_title(&format!("{} · flowlab", tr(*l, text::CH_PAGE_TITLE)))
        });
        let progress = load_progress();
        let labs = by_lab().into_iter().map(|(lab, list)| {
            let items = list.into_iter().map(|ch| {
                let stars = progress.get(ch.id).copied().unwrap_or(0);
                let stars_label = fill(tr(lang, text::CH_STARS_EARNED), &[stars.to_string()]);
                let title_id = format!("ch-{}", ch.id.replace('.', "-"));
                html! {
                    <li class="card challenge-card" data-challenge={ch.id}>
                        <h3 id={title_id.clone()}>{ tr_id(lang, &ch.text_id("title")) }</h3>
                        <p class="stars" data-stars={stars.to_string()}>
                            <span aria-hidden="true">{ star_marks(stars) }</span>
                            <span class="sr-only">{ stars_label.clone() }</span>
                            <span class="stars-note" aria-hidden="true">{ if stars == 0 { tr(lang, text::CH_NOT_YET).to_string() } else { String::new() } }</span>
                        </p>
                        <p>{ tr_id(lang, &ch.text_id("story")) }</p>
                        <h4>{ tr(lang, text::CH_GOALS) }</h4>
                        <ul>{ for ch.goals.iter().map(|g| html! { <li>{ goal_line(lang, ch, g) }</li> }) }</ul>
                        if !ch.limits.is_empty() {
                            <h4>{ tr(lang, text::CH_LIMITS) }</h4>
                            <ul class="mono-list">{ for ch.limits.iter().map(|l| html! { <li>{ limit_line(lang, ch.lab, l) }</li> }) }</ul>
                        }
                        <a class="btn small" href={format!("#/{}?{LINK_KEY}={}", ch.lab, ch.id)}
                            aria-describedby={title_id}>{ tr(lang, text::CH_OPEN) }</a>
                    </li>
                }
            });
            html! {
                <section class="panel challenge-lab" aria-labelledby={format!("lab-{lab}")}>
                    <h2 id={format!("lab-{lab}")}>{ tr_id(lang, &format!("{lab}.title")) }</h2>
                    <ul class="cards challenge-list">{ for items }</ul>
                </section>
            }
        });
        html! {
            <div class="challenges-page">
                <h1>{ tr(lang, text::CH_PAGE_TITLE) }</h1>
                <p>{ tr(lang, text::CH_PAGE_INTRO) }</p>
                { for labs }
            </div>
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_part_of_a_link_splits_off() {
        let (rest, id) = split_link("seed=3&challenge=limiter.window_edge&fixed_window.limit=5");
        assert_eq!(rest, "seed=3&fixed_window.limit=5");
        assert_eq!(id.as_deref(), Some("limiter.window_edge"));
        assert_eq!(split_link("seed=3"), ("seed=3".to_string(), None));
        assert!(of_lab("queue", "limiter.window_edge").is_none());
        assert!(of_lab("limiter", "limiter.window_edge").is_some());
    }

    /// Every fixed setting and limit of every challenge names a knob of its lab, and shows by the
    /// knob's name (not its key) and a choice by its option's name, in both languages.
    #[test]
    fn fixed_settings_and_limits_show_by_the_knobs_names() {
        for ch in challenge::all() {
            let keys = ch
                .fixed
                .iter()
                .map(|(k, _)| *k)
                .chain(ch.limits.iter().map(|l| l.key));
            for key in keys {
                let k = knob_of(ch.lab, key).unwrap_or_else(|| panic!("{}: {key}", ch.id));
                assert!(crate::i18n::both_id(k.text).is_some(), "{}: {key}", ch.id);
                assert!(
                    crate::i18n::both_id(k.section).is_some(),
                    "{}: {key}",
                    ch.id
                );
                for lang in [Lang::En, Lang::Zh] {
                    // A dotted key shows as its section and label, not as the key (a short one
                    // such as `acks` may be its own label).
                    let name = knob_name(lang, ch.lab, key);
                    assert!(
                        !key.contains('.') || !name.contains(key),
                        "{}: {key} shows as {name}",
                        ch.id
                    );
                    assert!(!name.is_empty());
                }
            }
        }
        let acks = knob_value(Lang::En, "queue", "acks", "all");
        assert_ne!(acks, "all", "a choice shows by its option's name");
        assert_eq!(knob_value(Lang::En, "queue", "nope", "x"), "x");
        assert_eq!(
            knob_value(Lang::En, "queue", "rate_per_s", "12000"),
            "12,000"
        );
    }

    #[test]
    fn malformed_progress_is_ignored() {
        for bad in [
            "",
            "nope",
            "[1,2]",
            "3",
            "{\"limiter.window_edge\": \"x\"}",
            "{\"bogus\": 2}",
        ] {
            assert!(parse_progress(bad).is_empty(), "{bad}");
        }
        let p = parse_progress(
            "{\"limiter.window_edge\": 2, \"queue.nope\": 3, \"limiter.smooth_bursts\": 9}",
        );
        assert_eq!(p.len(), 1);
        assert_eq!(p["limiter.window_edge"], 2);
    }

    #[test]
    fn the_best_stars_are_kept() {
        let mut p = BTreeMap::new();
        assert!(record(&mut p, "limiter.window_edge", 2));
        assert!(!record(&mut p, "limiter.window_edge", 1));
        assert!(record(&mut p, "limiter.window_edge", 3));
        assert_eq!(parse_progress(&progress_text(&p))["limiter.window_edge"], 3);
    }

    #[test]
    fn numbers_read_well_in_both_languages() {
        assert_eq!(number(Lang::En, Some(12_400.0)), "12,400");
        assert_eq!(number(Lang::Zh, Some(12_400.0)), "1.24万");
        assert_eq!(number(Lang::Zh, Some(1e8)), "1亿");
        assert_eq!(number(Lang::En, Some(2.5)), "2.5");
        assert_eq!(number(Lang::En, Some(0.967)), "0.967");
        assert_eq!(number(Lang::En, Some(0.0)), "0");
        assert_eq!(number(Lang::En, None), "–");
        assert_eq!(number(Lang::En, Some(f64::NAN)), "–");
    }

    /// The engine's verdict reads back on the page, and its debrief is said in both languages.
    #[test]
    fn a_verdict_reads_back_with_its_debrief() {
        let ch = challenge::by_id("limiter.window_edge").unwrap();
        let v = challenge::check(ch, &serde_json::json!({}), ch.seed).unwrap();
        let view = VerdictView::parse(&serde_json::to_string(&v).unwrap()).unwrap();
        assert!(!view.passed);
        assert_eq!(view.goals.len(), ch.goals.len());
        let en = view
            .debrief_text(Lang::En)
            .expect("a failure has a debrief");
        let zh = view.debrief_text(Lang::Zh).unwrap();
        assert!(!en.contains('{') && !zh.contains('{'), "{en} / {zh}");
        assert_ne!(en, zh);
        let r = ch.reference_params().unwrap();
        let v = challenge::check(ch, &r, ch.seed).unwrap();
        let view = VerdictView::parse(&serde_json::to_string(&v).unwrap()).unwrap();
        assert!(view.passed && view.stars >= 1);
        assert!(view.debrief_text(Lang::En).is_none());
    }

    #[test]
    fn every_challenge_is_listed_with_its_words() {
        let n: usize = by_lab().iter().map(|(_, l)| l.len()).sum();
        assert_eq!(n, challenge::all().len());
        for ch in challenge::all() {
            for lang in [Lang::En, Lang::Zh] {
                for g in ch.goals {
                    assert!(!goal_line(lang, ch, g).contains("challenge."));
                }
                for l in star_lines(lang, ch) {
                    assert!(!l.contains('{') && !l.contains("challenge."), "{l}");
                }
            }
        }
    }
}
