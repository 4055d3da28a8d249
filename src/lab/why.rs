//! The "why did that happen" log on every lab's page, written once: the engine's lines travel in
//! frames (only the new ones, and the counts: [`WhyWire`]), the page keeps the latest
//! [`KEEP`] ([`WhyShown`]) and words each line in its language from the kind's text id and the
//! numbers ([`line_text`]). The panel ([`WhyPanel`], in the browser) lists them newest first,
//! filters them by class (chips with counts), and a line clicked (or Enter) marks the entities it
//! names in the picture until cleared: a lab's `draw` asks [`WhyShown::marks`].

use std::cell::Cell;
use std::collections::VecDeque;

use flowlab_sim::kernel::time::{NS_PER_MS, NS_PER_S};
use flowlab_sim::kernel::why::{Class, Ent, EntKind, Entry, Fmt, Kind, KEEP};
use serde::{Deserialize, Serialize};

use crate::i18n::{fill, grouped, tr, tr_id, Lang};
use crate::text;

/// The log's news in a frame: the lines not sent yet (at most those the engine keeps) and the
/// counts of every kind; `reset` when a new run began.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WhyWire {
    pub reset: bool,
    pub counts: Vec<u64>,
    pub entries: Vec<Entry>,
}

/// What the page holds of the log.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WhyShown {
    /// The latest lines, oldest first (at most [`KEEP`]).
    pub entries: VecDeque<Entry>,
    /// Lines of each kind (all of them).
    pub counts: Vec<u64>,
    /// The line chosen: the picture marks what it names (kept even once it scrolls out).
    pub selected: Option<Entry>,
    /// Bumped at every change (the panel re-renders on it).
    pub version: u64,
    /// Lines taken since the panel last listed them (it resets the count): while they pour in
    /// faster than anyone reads, the panel lists them less often ([`WhyShown::flooding`]).
    pub fresh: Cell<u64>,
    /// A line was chosen (or the choice cleared) since the panel last listed: it lists at once.
    pub chosen: Cell<bool>,
}

/// How often the panel lists new lines, at most: as they come, and while they pour in.
pub const LIST_MS: u32 = 250;
pub const FLOOD_MS: f64 = 1_000.0;
/// Lines that arrive between two listings (at the pace of [`LIST_MS`]) beyond which the log is
/// pouring in: at least half the lines listed would be new each time.
pub const FLOOD_LINES: u64 = 60;

impl WhyShown {
    pub fn take(&mut self, w: WhyWire) {
        if w.reset {
            self.entries.clear();
            self.selected = None;
        }
        self.counts = w.counts;
        let n = w.entries.len() as u64;
        let skip = w.entries.len().saturating_sub(KEEP);
        for e in w.entries.into_iter().skip(skip) {
            if self.entries.len() == KEEP {
                self.entries.pop_front();
            }
            self.entries.push_back(e);
        }
        self.fresh.set(self.fresh.get() + n);
        self.version += 1;
    }

    /// Lines pour in: more came since the panel listed them than a reader follows.
    pub fn flooding(&self) -> bool {
        self.fresh.get() > FLOOD_LINES
    }

    /// Chooses a line (or none).
    pub fn select(&mut self, e: Option<Entry>) {
        self.selected = e;
        self.chosen.set(true);
        self.version += 1;
    }

    /// Whether the picture should mark entity `id` of `kind` (the chosen line names it).
    pub fn marks(&self, kind: EntKind, id: u32) -> bool {
        self.selected.is_some_and(|e| e.names(Ent::new(kind, id)))
    }

    /// Whether a line is chosen.
    pub fn highlighting(&self) -> bool {
        self.selected.is_some()
    }

    /// Lines noted in all.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Lines of each class the lab notes, in the classes' order (a class with no kind in this lab
    /// is left out).
    pub fn class_counts(&self, kinds: &[Kind]) -> Vec<(Class, u64)> {
        Class::ALL
            .iter()
            .filter(|c| kinds.iter().any(|k| k.class == **c))
            .map(|&c| {
                let n = kinds
                    .iter()
                    .zip(&self.counts)
                    .filter(|(k, _)| k.class == c)
                    .map(|(_, n)| *n)
                    .sum();
                (c, n)
            })
            .collect()
    }
}

/// Virtual time `at` for people: `3.412 s` / `3.412 秒`.
pub fn time_text(lang: Lang, at: i64) -> String {
    format!(
        "{:.3} {}",
        at as f64 / NS_PER_S as f64,
        tr(lang, text::WHY_S)
    )
}

/// One number of a line, as its kind says.
pub fn arg_text(lang: Lang, f: Fmt, v: i64) -> String {
    match f {
        Fmt::Int => {
            let s = grouped(v.unsigned_abs());
            if v < 0 {
                format!("-{s}")
            } else {
                s
            }
        }
        Fmt::Id => v.to_string(),
        Fmt::Time => time_text(lang, v),
        Fmt::Ms => {
            let ms = v as f64 / NS_PER_MS as f64;
            let n = if ms.fract() == 0.0 || ms.abs() >= 100.0 {
                format!("{ms:.0}")
            } else {
                format!("{ms:.1}")
            };
            format!("{n} {}", tr(lang, text::WHY_MS))
        }
    }
}

/// A line's words in `lang`: the kind's text (`<lab>.why.<key>`) with its numbers.
pub fn line_text(lang: Lang, lab: &str, kinds: &[Kind], e: &Entry) -> String {
    let Some(k) = kinds.get(e.kind as usize) else {
        return String::new();
    };
    let args: Vec<String> = k
        .args
        .iter()
        .zip(e.args)
        .map(|(&f, v)| arg_text(lang, f, v))
        .collect();
    fill(tr_id(lang, &k.text(lab)), &args)
}

/// The name of a class on the page.
pub fn class_text(lang: Lang, c: Class) -> &'static str {
    tr_id(lang, &c.text())
}

/// The colour of the marks a chosen line puts on the picture.
pub const MARK: &str = "#7fdbff";

impl WhyShown {
    /// The entities marked, as `broker:2 partition:0` (the canvas's `data-highlight`, read by
    /// tests and tools).
    pub fn marks_text(&self) -> String {
        self.selected
            .map(|e| {
                e.entities()
                    .map(|x| format!("{}:{}", ent_name(x.kind), x.id))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default()
    }
}

fn ent_name(k: EntKind) -> &'static str {
    match k {
        EntKind::None => "none",
        EntKind::Broker => "broker",
        EntKind::Partition => "partition",
        EntKind::Producer => "producer",
        EntKind::Consumer => "consumer",
        EntKind::Key => "key",
        EntKind::Node => "node",
        EntKind::Lane => "lane",
        EntKind::Member => "member",
        EntKind::Worker => "worker",
    }
}

/// Outlines a box of the picture that the chosen line names, and says on the canvas what is
/// marked (`data-highlight`).
#[cfg(target_arch = "wasm32")]
pub fn outline(ctx: &web_sys::CanvasRenderingContext2d, x: f64, y: f64, w: f64, h: f64) {
    ctx.save();
    ctx.set_stroke_style_str(MARK);
    ctx.set_line_width(2.5);
    ctx.stroke_rect(x - 2.0, y - 2.0, w + 4.0, h + 4.0);
    ctx.restore();
}

/// Writes what is marked on the canvas element (`data-highlight`, empty when nothing is).
#[cfg(target_arch = "wasm32")]
pub fn tag(canvas: &web_sys::HtmlCanvasElement, why: &WhyShown) {
    let t = why.marks_text();
    if canvas.get_attribute("data-highlight").as_deref() != Some(t.as_str()) {
        let _ = canvas.set_attribute("data-highlight", &t);
    }
}

#[cfg(target_arch = "wasm32")]
pub use panel::WhyPanel;

#[cfg(target_arch = "wasm32")]
mod panel {
    use std::collections::HashSet;

    use flowlab_sim::kernel::lab::Lab;
    use flowlab_sim::kernel::why::{Class, Entry};
    use yew::prelude::*;

    use super::super::page::{use_live_paced, LabUi, LiveProps};
    use super::{class_text, line_text, time_text, FLOOD_MS, LIST_MS};
    use crate::i18n::{fill, grouped, tr, Lang};
    use crate::text;

    /// Lines listed at most (the newest of those kept that pass the filter).
    const LISTED: usize = 120;

    /// Up, Down, Home and End move the focus among the lines (one Tab stop for the whole list).
    fn move_focus(e: KeyboardEvent) {
        use wasm_bindgen::JsCast;
        let Some(line) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|t| t.closest(".why-line").ok().flatten())
        else {
            return;
        };
        let Some(item) = line.parent_element() else {
            return;
        };
        let next = match e.key().as_str() {
            "ArrowDown" => item.next_element_sibling(),
            "ArrowUp" => item.previous_element_sibling(),
            "Home" => item.parent_element().and_then(|l| l.first_element_child()),
            "End" => item.parent_element().and_then(|l| l.last_element_child()),
            _ => return,
        };
        e.prevent_default();
        let target = next
            .and_then(|li| li.first_element_child())
            .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(b) = target {
            let _ = line.set_attribute("tabindex", "-1");
            let _ = b.set_attribute("tabindex", "0");
            let _ = b.focus();
        }
    }

    /// The log beside the picture: chips to filter by class (with counts), the latest lines newest
    /// first, each a toggle button that marks what it names in the picture.
    #[function_component(WhyPanel)]
    pub fn why_panel<U: LabUi>(props: &LiveProps<U>) -> Html {
        // A second between listings while lines pour in: each listing lays out the whole list
        // again, and at hundreds of lines a second (a 2,000-member chat at 1000×) that took
        // tens of milliseconds of the page's main thread four times a second.
        use_live_paced(
            &props.rt,
            LIST_MS,
            |r| r.shown.why.version,
            // A line the user chose shows as chosen at the next frame, flood or not.
            |r| {
                let why = &r.shown.why;
                if why.chosen.get() {
                    Some(0.0)
                } else {
                    why.flooding().then_some(FLOOD_MS)
                }
            },
        );
        let lang = use_context::<Lang>().unwrap_or_default();
        let hidden = use_state(HashSet::<Class>::new);
        let kinds = <U::L as Lab>::why_kinds();
        if kinds.is_empty() {
            return html! {};
        }
        let lab = <U::L as Lab>::ID;
        let rt = props.rt.0.borrow();
        let why = &rt.shown.why;
        why.fresh.set(0);
        why.chosen.set(false);
        let classes = why.class_counts(kinds);
        let total = why.total();
        let selected = why.selected.map(|e| e.seq);
        let class_of = |e: &Entry| kinds.get(e.kind as usize).map(|k| k.class);
        let lines: Vec<&Entry> = why
            .entries
            .iter()
            .rev()
            .filter(|e| class_of(e).is_some_and(|c| !hidden.contains(&c)))
            .take(LISTED)
            .collect();
        let chosen_listed = lines.iter().any(|e| Some(e.seq) == selected);
        let chips = classes.iter().map(|&(c, n)| {
            let on = !hidden.contains(&c);
            let toggle = {
                let hidden = hidden.clone();
                Callback::from(move |_: MouseEvent| {
                    let mut h = (*hidden).clone();
                    if !h.remove(&c) {
                        h.insert(c);
                    }
                    hidden.set(h);
                })
            };
            html! {
                <button class={classes!("btn", "small", "why-chip", (n > 0).then_some("some"))}
                    data-class={c.as_str()} aria-pressed={on.to_string()} onclick={toggle}>
                    { class_text(lang, c) }{ " " }<span class="why-n">{ grouped(n) }</span>
                </button>
            }
        });
        let select = |e: Option<Entry>| {
            let rt = props.rt.clone();
            Callback::from(move |_: MouseEvent| rt.0.borrow_mut().select_why(e))
        };
        // What a screen reader hears: the classes seen so far (it changes only when a new class
        // appears, not at every line).
        let seen: Vec<&str> = classes
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|&(c, _)| class_text(lang, c))
            .collect();
        let heard = if seen.is_empty() {
            String::new()
        } else {
            fill(tr(lang, text::WHY_SEEN), &[seen.join(", ")])
        };
        html! {
            <section class="panel why" id="why-log" aria-labelledby="why-title" data-total={total.to_string()}>
                <h2 id="why-title">{ tr(lang, text::WHY_TITLE) }</h2>
                <p class="note">{ tr(lang, text::WHY_NOTE) }</p>
                <div class="why-chips" role="group" aria-label={tr(lang, text::WHY_FILTER)}>
                    { for chips }
                </div>
                <p class="sr-only" aria-live="polite">{ heard }</p>
                if lines.is_empty() {
                    <p class="note" id="why-empty">{ tr(lang, if total == 0 { text::WHY_NONE } else { text::WHY_FILTERED }) }</p>
                } else {
                    <ol class="why-lines" id="why-lines" aria-label={tr(lang, text::WHY_TITLE)}
                        aria-describedby="why-keys" onkeydown={Callback::from(move_focus)}>
                        { for lines.iter().enumerate().map(|(i, e)| {
                            let k = kinds[e.kind as usize];
                            let on = selected == Some(e.seq);
                            let click = if on { select(None) } else { select(Some(**e)) };
                            // One Tab stop for the list (the line chosen, else the newest); the
                            // arrow keys move among its lines.
                            let stop = if chosen_listed { on } else { i == 0 };
                            html! {
                                <li key={e.seq.to_string()}>
                                    <button class={classes!("why-line", on.then_some("on"))} data-kind={k.key}
                                        data-class={k.class.as_str()} data-seq={e.seq.to_string()}
                                        tabindex={if stop { "0" } else { "-1" }}
                                        aria-pressed={on.to_string()} onclick={click}>
                                        <span class="why-time">{ time_text(lang, e.at as i64) }</span>
                                        <span class="why-class">{ class_text(lang, k.class) }</span>
                                        <span class="why-text">{ line_text(lang, lab, kinds, e) }</span>
                                    </button>
                                </li>
                            }
                        }) }
                    </ol>
                    <p class="sr-only" id="why-keys">{ tr(lang, text::WHY_KEYS) }</p>
                }
                <div class="why-foot">
                    <span class="note" id="why-kept">
                        { fill(tr(lang, text::WHY_KEPT), &[grouped(why.entries.len() as u64), grouped(total)]) }
                    </span>
                    if selected.is_some() {
                        <button id="why-clear" class="btn small" onclick={select(None)}>{ tr(lang, text::WHY_CLEAR) }</button>
                    }
                    if let (Some(e), Some(seek)) = (why.selected, rt.on_seek.clone()) {
                        <button id="why-goto" class="btn small" data-at={e.at.to_string()}
                            onclick={Callback::from(move |_: MouseEvent| seek.emit(e.at))}>
                            { fill(tr(lang, text::WHY_GOTO), &[time_text(lang, e.at as i64)]) }
                        </button>
                    }
                </div>
            </section>
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flowlab_sim::kernel::why::WhyLog;

    const KINDS: &[Kind] = &[Kind {
        key: "k",
        class: Class::Lost,
        args: &[Fmt::Int, Fmt::Time],
        english: "offset {0} at {1}",
    }];

    #[test]
    fn the_page_keeps_the_latest_lines_and_a_reset_drops_them() {
        let mut log = WhyLog::new(KINDS);
        let mut shown = WhyShown::default();
        let mut sent = 0;
        for round in 0..5 {
            for i in 0..(KEEP as i64) {
                log.note(i as u64, 0, &[i, 0], &[Ent::new(EntKind::Broker, 2)]);
            }
            let entries: Vec<Entry> = log.since(sent).copied().collect();
            sent = log.total();
            shown.take(WhyWire {
                reset: round == 0,
                counts: log.counts().to_vec(),
                entries,
            });
            assert!(shown.entries.len() <= KEEP);
        }
        assert_eq!(shown.total(), 5 * KEEP as u64);
        assert_eq!(shown.entries.back().unwrap().seq, log.total() - 1);
        shown.select(shown.entries.front().copied());
        assert!(shown.marks(EntKind::Broker, 2));
        assert!(!shown.marks(EntKind::Broker, 1));
        assert!(!shown.marks(EntKind::Partition, 2));
        shown.take(WhyWire {
            reset: true,
            ..WhyWire::default()
        });
        assert!(shown.entries.is_empty() && !shown.highlighting());
    }

    #[test]
    fn lines_pour_in_when_more_came_since_the_last_listing_than_half_a_list() {
        let mut log = WhyLog::new(KINDS);
        let mut shown = WhyShown::default();
        let mut sent = 0;
        let mut send = |n: u64, shown: &mut WhyShown| {
            for i in 0..n as i64 {
                log.note(i as u64, 0, &[i, 0], &[]);
            }
            let entries: Vec<Entry> = log.since(sent).copied().collect();
            sent = log.total();
            shown.take(WhyWire {
                reset: false,
                counts: log.counts().to_vec(),
                entries,
            });
        };
        // A few lines at a time, listed as they come.
        for _ in 0..20 {
            send(FLOOD_LINES / 4, &mut shown);
            assert!(!shown.flooding());
            shown.fresh.set(0);
        }
        // Lines that come while the list waits add up.
        send(FLOOD_LINES / 2, &mut shown);
        send(FLOOD_LINES / 2, &mut shown);
        assert!(!shown.flooding(), "exactly the threshold is not a flood");
        send(1, &mut shown);
        assert!(shown.flooding());
        // Listing them ends it.
        shown.fresh.set(0);
        assert!(!shown.flooding());
        // A choice waits for the next listing, which clears it.
        assert!(!shown.chosen.get());
        shown.select(shown.entries.back().copied());
        assert!(shown.chosen.get());
    }
}
