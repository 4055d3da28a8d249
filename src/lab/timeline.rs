//! The timeline under every timed lab's picture, written once: a scrubber over virtual time from 0
//! to the furthest point the run's history reached (dragging it shows the run as it was then),
//! ticks for every intervention and every marked anomaly (a click jumps there), a list of them
//! for the keyboard and screen readers, the undo of the last fork, and the action log the link
//! and exported runs carry. The engine's side is [`super::history`].

use flowlab_sim::kernel::lab::Lab;
use flowlab_sim::kernel::time::{Nanos, NS_PER_MS, NS_PER_S};
use flowlab_sim::replay::{Act, ActionLog, MAX_ACTIONS};
use yew::prelude::*;

use super::page::{LabUi, Shared};
use super::view::LabView;
use super::why::class_text;
use crate::i18n::{fill, grouped, tr, tr_id, Lang};
use crate::text;

/// Most ticks drawn on the track (the list holds them all, up to its own bound).
const MAX_TICKS: usize = 240;
/// Most entries in the "jump to" list.
const MAX_LISTED: usize = 400;

#[derive(Properties)]
pub struct TimelineProps<U: LabUi> {
    pub rt: Shared<U>,
    pub on_seek: Callback<Nanos>,
    pub on_undo: Callback<()>,
}

impl<U: LabUi> PartialEq for TimelineProps<U> {
    fn eq(&self, o: &Self) -> bool {
        self.rt == o.rt && self.on_seek == o.on_seek && self.on_undo == o.on_undo
    }
}

/// Virtual time for the timeline: `1.234 s`, `12.34 s`, `1,234 s` / `12.34 秒`.
pub fn time_label(lang: Lang, t: Nanos) -> String {
    let s = t as f64 / NS_PER_S as f64;
    let n = if s >= 100.0 {
        grouped(s.round() as u64)
    } else if s >= 10.0 {
        format!("{s:.2}")
    } else {
        format!("{s:.3}")
    };
    format!("{n} {}", tr(lang, text::WHY_S))
}

/// Something on the timeline: when, what kind, its words.
#[derive(Clone, PartialEq)]
struct Tick {
    at: Nanos,
    action: bool,
    label: String,
}

#[function_component(TimelineBar)]
pub fn timeline_bar<U: LabUi>(props: &TimelineProps<U>) -> Html {
    super::page::use_live(&props.rt, 100, |r| r.changes);
    let lang = use_context::<Lang>().unwrap_or_default();
    // Labs that end by themselves take no interventions: their timeline only looks back.
    let timed = <U::V as LabView>::TIMED;
    let rt = props.rt.0.borrow();
    if !timed && rt.shown.head.furthest == 0 {
        return html! {};
    }
    let head = &rt.shown.head;
    let now = head.now;
    let end = head.furthest.max(now);
    let h = &rt.shown.history;
    let log = ActionLog::parse(&h.log).unwrap_or_default();
    let kinds = <U::L as Lab>::why_kinds();
    let mut ticks: Vec<Tick> = log
        .actions
        .iter()
        .map(|a| Tick {
            at: a.at,
            action: true,
            label: format!(
                "{} · {}",
                tr(lang, text::TL_ACTION),
                act_words::<U>(&a.act, lang)
            ),
        })
        .collect();
    ticks.extend(h.marks.iter().filter_map(|m| {
        let label = match &m.milestone {
            Some(key) => tr_id(lang, &format!("{}.milestone.{key}", <U::L as Lab>::ID)).to_string(),
            None => class_text(lang, kinds.get(usize::from(m.kind))?.class).to_string(),
        };
        Some(Tick {
            at: m.at,
            action: false,
            label,
        })
    }));
    ticks.sort_by_key(|t| (t.at, !t.action));
    let ms = |t: Nanos| t as f64 / NS_PER_MS as f64;
    let end_ms = ms(end).max(1.0);
    let seek_at = |t: Nanos| {
        let cb = props.on_seek.clone();
        Callback::from(move |_: MouseEvent| cb.emit(t))
    };
    let oninput = {
        let cb = props.on_seek.clone();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            if let Ok(v) = input.value().parse::<f64>() {
                cb.emit((v.max(0.0) * NS_PER_MS as f64) as Nanos);
            }
        })
    };
    // Arrows move by a hundredth of the timeline (at least 100 ms), Page keys by a tenth, Home
    // and End to the ends: the browser's own steps would be a millisecond.
    let onkeydown = {
        let cb = props.on_seek.clone();
        Callback::from(move |e: KeyboardEvent| {
            let small = (end / 100).max(100 * NS_PER_MS);
            let big = (end / 10).max(NS_PER_S);
            let to = match e.key().as_str() {
                "ArrowLeft" | "ArrowDown" => now.saturating_sub(small),
                "ArrowRight" | "ArrowUp" => now.saturating_add(small).min(end),
                "PageDown" => now.saturating_sub(big),
                "PageUp" => now.saturating_add(big).min(end),
                "Home" => 0,
                "End" => end,
                _ => return,
            };
            e.prevent_default();
            cb.emit(to);
        })
    };
    let onjump = {
        let cb = props.on_seek.clone();
        Callback::from(move |e: Event| {
            let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Ok(t) = sel.value().parse::<Nanos>() {
                cb.emit(t);
            }
            sel.set_value("");
        })
    };
    // Keys that stay with a tick as ticks come and go (Yew lines up an unkeyed list from its
    // end: one tick more would rewrite every tick and option after it).
    let mut keys: Vec<String> = Vec::with_capacity(ticks.len());
    for (i, t) in ticks.iter().enumerate() {
        let same = ticks[..i]
            .iter()
            .rev()
            .take_while(|u| u.at == t.at)
            .filter(|u| u.action == t.action)
            .count();
        keys.push(format!(
            "{}{}.{same}",
            if t.action { 'a' } else { 'm' },
            t.at
        ));
    }
    // The jump list's options, every one keyed (in a list of keyed and unkeyed siblings, Yew
    // moved every option at each update).
    let option = |key: String, value: String, words: String| {
        html! { <option {key} {value}>{ words }</option> }
    };
    let mut jump_options = vec![html! {
        <option key="pick" value="" selected=true>{ fill(tr(lang, text::TL_JUMP_PICK), &[grouped(ticks.len() as u64)]) }</option>
    }];
    jump_options.push(option(
        "start".into(),
        "0".into(),
        format!("{} · {}", time_label(lang, 0), tr(lang, text::TL_START)),
    ));
    jump_options.extend(ticks.iter().zip(&keys).take(MAX_LISTED).map(|(t, key)| {
        option(
            key.clone(),
            t.at.to_string(),
            format!("{} · {}", time_label(lang, t.at), t.label),
        )
    }));
    jump_options.push(option(
        "end".into(),
        end.to_string(),
        format!("{} · {}", time_label(lang, end), tr(lang, text::TL_END)),
    ));
    let stride = ticks.len().div_ceil(MAX_TICKS).max(1);
    let track_ticks = ticks
        .iter()
        .enumerate()
        .filter(|(i, t)| t.action || i % stride == 0);
    let at_text = fill(
        tr(lang, text::TL_AT),
        &[time_label(lang, now), time_label(lang, end)],
    );
    let undo = h.undo.map(|n| {
        let cb = props.on_undo.clone();
        html! {
            <button id="btn-undo-fork" class="btn small" onclick={cb.reform(|_: MouseEvent| ())}>
                { fill(tr(lang, text::TL_UNDO), &[grouped(n as u64)]) }
            </button>
        }
    });
    let past = now < end;
    html! {
        <section class="panel timeline" aria-labelledby="timeline-title" data-now={now.to_string()}
            data-furthest={end.to_string()} data-log={h.log.clone()} data-marks={h.marks.len().to_string()}>
            <div class="tl-head">
                <h2 id="timeline-title">{ tr(lang, text::TL_TITLE) }</h2>
                <span id="timeline-at" class="tl-at">{ at_text.clone() }</span>
                { for undo }
            </div>
            <div class="tl-track">
                <input id="timeline" type="range" min="0" max={format!("{end_ms}")} step="any"
                    value={format!("{}", ms(now))} aria-label={tr(lang, text::TL_TITLE)}
                    aria-valuetext={at_text} {oninput} {onkeydown} />
                // A tick's place is its time over the end's (CSS): as the run goes on, one
                // property of the track changes, not every tick's.
                <div class="tl-ticks" style={format!("--end:{end_ms:.3}")}>
                    { for track_ticks.map(|(i, t)| {
                        let title = format!("{} · {}", time_label(lang, t.at), t.label);
                        html! {
                            <button key={keys[i].clone()} class={classes!("tl-tick", if t.action { "act" } else { "why" })}
                                style={format!("--at:{:.3}", ms(t.at).min(end_ms))} tabindex="-1" title={title.clone()}
                                aria-label={title} data-at={t.at.to_string()} onclick={seek_at(t.at)}></button>
                        }
                    }) }
                </div>
            </div>
            <div class="tl-row">
                <select id="timeline-jump" aria-label={tr(lang, text::TL_JUMP)} onchange={onjump}>
                    { for jump_options }
                </select>
                if past {
                    <span id="timeline-past" class="tl-past">{ tr(lang, text::TL_PAST) }</span>
                }
            </div>
            if h.refused > 0 {
                <p class="notice" role="status">{ fill(tr(lang, text::TL_FULL), &[grouped(MAX_ACTIONS as u64), grouped(u64::from(h.refused))]) }</p>
            }
            if !timed {
                <p class="note">{ tr(lang, text::TL_NOTE_ENDS) }</p>
            } else {
            <details id="action-log" class="tl-log">
                <summary>{ fill(tr(lang, text::TL_LOG), &[grouped(log.actions.len() as u64)]) }</summary>
                <p class="note">{ tr(lang, text::TL_LOG_NOTE) }</p>
                <p class="note">{ tr(lang, text::TL_NOTE) }</p>
                if log.actions.is_empty() {
                    <p class="note">{ tr(lang, text::TL_LOG_EMPTY) }</p>
                } else {
                    <ol>
                        { for log.actions.iter().map(|a| html! {
                            <li>
                                <button class="btn small" data-at={a.at.to_string()} onclick={seek_at(a.at)}>
                                    { time_label(lang, a.at) }
                                </button>
                                { " " }{ act_words::<U>(&a.act, lang) }
                                { " " }<code lang="en">{ a.act.to_string() }</code>
                            </li>
                        }) }
                    </ol>
                }
            </details>
            }
        </section>
    }
}

/// An intervention in the lab's words: its action as the lab says it ([`LabUi::verb_text`]), or
/// the knob's name and its new value; what the page cannot read, in the link's notation.
pub fn act_words<U: LabUi>(act: &Act, lang: Lang) -> String {
    use flowlab_sim::kernel::knobs::Knobs;
    match act {
        Act::Verb(v) => match serde_json::from_value::<<U::L as Lab>::Fault>(v.clone()) {
            Ok(f) => U::verb_text(&f, lang),
            Err(_) => act.to_string(),
        },
        Act::Set { key, value } => match <<U::L as Lab>::Params as Knobs>::knob(key) {
            Some(k) => fill(
                tr(lang, text::TL_SET),
                &[tr_id(lang, k.text).to_string(), value.clone()],
            ),
            None => act.to_string(),
        },
    }
}
