//! The A/B comparison on the page, written once for every lab: the toggle, B's params form (the
//! generic form, its inputs keyed `data-param-b`), and the table of every figure with A, B, Δ and
//! Δ %, the meaningful changes marked (and said in words for screen readers). The charts draw B
//! over A ([`super::view::Shown::chart`]); the engine runs B ([`super::compare`]). The page draws
//! B's picture beside A's with a second instance of the lab's stage ([`super::page::Side`]).

use flowlab_sim::kernel::lab::Lab;
use flowlab_sim::kernel::time::NS_PER_S;
use yew::prelude::*;

use super::compare::delta_rows;
use super::pacing::REFRESH_MS;
use super::page::{use_live, LabUi, ParamsForm, Runtime, Shared};
use super::state::{Action, LabState};
use super::view::LabView;
use crate::i18n::{fill, tr, Lang};
use crate::text;

#[derive(Properties)]
pub struct ComparePanelProps<U: LabUi> {
    pub state: UseReducerHandle<LabState<U::L>>,
    pub rt: Shared<U>,
}

impl<U: LabUi> PartialEq for ComparePanelProps<U> {
    fn eq(&self, o: &Self) -> bool {
        self.state == o.state && self.rt == o.rt
    }
}

/// B's differences from A's params, as the link writes them (`acks=all, partitions=6`).
pub(super) fn differences<L: Lab>(state: &LabState<L>, b: &L::Params) -> String {
    let q = crate::url_state::to_query(b, &state.params, state.seed);
    q.split('&')
        .skip(1)
        .map(crate::url_state::percent_decode)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The comparison's section: the toggle, and while comparing, B's form and the Δ table.
#[function_component(ComparePanel)]
pub fn compare_panel<U: LabUi>(props: &ComparePanelProps<U>) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let state = &props.state;
    let on = state.compare.is_some();
    let toggle = {
        let st = state.clone();
        Callback::from(move |_: MouseEvent| st.dispatch(Action::Compare(!on)))
    };
    let copy = {
        let st = state.clone();
        Callback::from(move |_: MouseEvent| st.dispatch(Action::CopyToB))
    };
    let on_set_b = {
        let st = state.clone();
        Callback::from(move |(k, v): (AttrValue, String)| {
            st.dispatch(Action::SetB(k.to_string(), v))
        })
    };
    let body = match &state.compare {
        Some(b) => {
            let diff = differences::<U::L>(state, b);
            let said = if diff.is_empty() {
                tr(lang, text::COMPARE_SAME).to_string()
            } else {
                fill(tr(lang, text::COMPARE_DIFF), &[diff])
            };
            html! {
                <>
                    <p class="note">{ tr(lang, text::COMPARE_NOTE) }</p>
                    <p id="compare-diff">{ said }{ " " }
                        <button id="btn-copy-b" class="btn small" onclick={copy}>{ tr(lang, text::COMPARE_COPY) }</button>
                    </p>
                    <div class="columns">
                        <ParamsForm<U> state={state.clone()} on_set={on_set_b} b={true} />
                        <CompareTable<U> rt={props.rt.clone()} />
                    </div>
                </>
            }
        }
        None => html! {},
    };
    html! {
        <section class="panel compare" id="compare" aria-labelledby="compare-title">
            <div class="compare-head">
                <h2 id="compare-title">{ tr(lang, text::COMPARE_TITLE) }</h2>
                <button id="btn-compare" class={classes!("btn", "small", on.then_some("active"))}
                    aria-pressed={on.to_string()} onclick={toggle}>
                    { tr(lang, if on { text::COMPARE_STOP } else { text::COMPARE_BUTTON }) }
                </button>
            </div>
            { b_problem(lang, state) }
            { body }
        </section>
    }
}

/// A refusal of B's params (or of A and B together) repeated where the user asked for it: the
/// page's own notice (the alert) is above the picture, out of sight from here.
fn b_problem<L: Lab>(lang: Lang, state: &LabState<L>) -> Html {
    use crate::url_state::Problem;
    use flowlab_sim::kernel::model::Rule;
    let Some(pr @ Problem::Invalid(e)) = &state.input_problem else {
        return html! {};
    };
    let pair = matches!(&*e.rule, Rule::Text { id, .. } if *id == "cost.memory_pair");
    let b_key = e
        .field
        .starts_with(&format!("{}.", super::compare::LINK_KEY));
    if !pair && !b_key {
        return html! {};
    }
    html! {
        <p id="compare-problem" class="notice small">
            { fill(tr(lang, text::NOT_APPLIED), &[crate::i18n::describe_problem(lang, pr)]) }
        </p>
    }
}

#[derive(Properties)]
struct TableProps<U: LabUi> {
    rt: Shared<U>,
}

impl<U: LabUi> PartialEq for TableProps<U> {
    fn eq(&self, o: &Self) -> bool {
        self.rt == o.rt
    }
}

/// What the Δ table follows: any change of the run (B moves with A).
fn changes<U: LabUi>(r: &Runtime<U>) -> u64 {
    r.changes
}

/// Every figure of A and B, with Δ and Δ %, the meaningful changes marked.
#[function_component(CompareTable)]
fn compare_table<U: LabUi>(props: &TableProps<U>) -> Html {
    use_live(&props.rt, REFRESH_MS, changes::<U>);
    let lang = use_context::<Lang>().unwrap_or_default();
    let rt = props.rt.0.borrow();
    let Some(b) = &rt.shown.b else {
        return html! {};
    };
    let rows = delta_rows(&rt.shown.report, &b.report, lang);
    let changed = rows.iter().filter(|r| r.changed).count();
    let clock = if U::V::TIMED {
        let s = b.now as f64 / NS_PER_S as f64;
        fill(tr(lang, text::COMPARE_CLOCK), &[format!("{s:.3}")])
    } else {
        // A lab that ends by itself: B's progress is A's (the same work, the same end).
        String::new()
    };
    let catching = (!b.with_a).then(|| {
        if U::V::TIMED {
            let s = |t: u64| format!("{:.3}", t as f64 / NS_PER_S as f64);
            fill(
                tr(lang, text::COMPARE_CATCHING),
                &[s(b.now), s(rt.shown.head.now)],
            )
        } else {
            tr(lang, text::COMPARE_CATCHING_WORK).to_string()
        }
    });
    let title = tr(lang, text::COMPARE_TABLE);
    html! {
        <div class="panel compare-figures">
            <p id="compare-clock" class="note" data-now={b.now.to_string()} data-a-now={rt.shown.head.now.to_string()}
                data-with-a={b.with_a.to_string()}
                data-digest={b.digest.to_string()}>{ clock }</p>
            if let Some(c) = catching {
                <p id="compare-catching" class="watch" role="status">{ c }</p>
            }
            <p id="compare-summary" role="status">
                { fill(tr(lang, text::COMPARE_SUMMARY), &[changed.to_string(), rows.len().to_string()]) }
            </p>
            <div class="scroll-x" tabindex="0" role="region" aria-label={title}>
                <table id="compare-table" class="compare-table">
                    <caption class="sr-only">{ title }</caption>
                    <thead><tr>
                        <th scope="col">{ tr(lang, text::COMPARE_FIGURE) }</th>
                        <th scope="col">{ "A" }</th>
                        <th scope="col">{ "B" }</th>
                        <th scope="col">{ tr(lang, text::COMPARE_DELTA) }</th>
                        <th scope="col">{ tr(lang, text::COMPARE_DELTA_PCT) }</th>
                    </tr></thead>
                    <tbody>
                        { for rows.iter().map(|r| html! {
                            <tr data-metric={r.path.clone()} class={classes!(r.changed.then_some("changed"))}>
                                <th scope="row">
                                    { r.name.clone() }
                                    if r.changed {
                                        <span class="sr-only">{ format!(" — {}", tr(lang, text::COMPARE_CHANGED)) }</span>
                                    }
                                </th>
                                <td class="num" data-col="a">{ r.a.clone() }</td>
                                <td class="num" data-col="b">{ r.b.clone() }</td>
                                <td class="num" data-col="delta">{ r.delta.clone() }</td>
                                <td class="num" data-col="pct">{ r.pct.clone() }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
        </div>
    }
}
