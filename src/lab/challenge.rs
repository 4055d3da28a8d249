//! The challenge panel every lab has, shown while the page is in a challenge (`challenge=<id>` in
//! the link): the story, the fixed setup, the limits, the goals and what earns the stars; "Check"
//! grades the current params with the engine (`flowlab_sim::challenge::check`) in the pool of
//! workers (`crate::worker::pool`), and the verdict says each goal's figure, the stars, and for a
//! failure the debrief. A pass keeps the best stars in the browser (`crate::challenges`).

#[cfg(target_arch = "wasm32")]
pub use ui::ChallengePanel;

#[cfg(target_arch = "wasm32")]
mod ui {
    use std::cell::RefCell;
    use std::rc::Rc;

    use yew::prelude::*;

    use flowlab_sim::kernel::lab::Lab;

    use crate::challenges::{
        self, fixed_line, goal_line, limit_line, number, op_sign, star_lines, star_marks,
        VerdictView,
    };
    use crate::i18n::{describe_error, fill, tr, tr_id, Lang};
    use crate::lab::state::{Action, LabState};
    use crate::text;
    use crate::worker::pool::Pool;
    use crate::worker::{CheckDone, CheckJob};

    #[derive(Properties)]
    pub struct ChallengeProps<L: Lab> {
        pub state: UseReducerHandle<LabState<L>>,
    }

    impl<L: Lab> PartialEq for ChallengeProps<L> {
        fn eq(&self, o: &Self) -> bool {
            self.state == o.state
        }
    }

    #[derive(Clone, Debug, PartialEq)]
    enum Outcome {
        Idle,
        Checking(u64),
        Graded(Box<VerdictView>),
        /// Why it could not be graded, in English and Chinese.
        Failed(String, String),
    }

    /// The challenge panel of lab `L` (nothing when the page is not in a challenge).
    #[function_component(ChallengePanel)]
    pub fn challenge_panel<L: Lab>(props: &ChallengeProps<L>) -> Html {
        let lang = use_context::<Lang>().unwrap_or_default();
        let state = props.state.clone();
        let outcome = use_state(|| Outcome::Idle);
        let asked: Rc<RefCell<u64>> = use_mut_ref(|| 0);
        let params = serde_json::to_value(&state.params).expect("params serialise to JSON");
        let ch = state.challenge.and_then(flowlab_sim::challenge::by_id);
        // A verdict belongs to the params it graded: a change clears it.
        {
            let outcome = outcome.clone();
            let asked = asked.clone();
            use_effect_with((params.to_string(), state.challenge), move |_| {
                *asked.borrow_mut() += 1;
                outcome.set(Outcome::Idle);
            });
        }
        let admitted = use_memo((params.clone(), state.challenge), move |(p, _)| {
            ch.map(|c| c.admit(p).map(|_| ()))
        });
        let Some(ch) = ch else {
            return html! {};
        };
        let refusal = match &*admitted {
            Some(Err(e)) => Some(describe_error(lang, e)),
            _ => None,
        };
        let on_check = {
            let outcome = outcome.clone();
            let asked = asked.clone();
            let params = params.to_string();
            Callback::from(move |_: MouseEvent| {
                let id = {
                    let mut a = asked.borrow_mut();
                    *a += 1;
                    *a
                };
                outcome.set(Outcome::Checking(ch.seed));
                let job = CheckJob {
                    id,
                    challenge: ch.id.to_string(),
                    params: params.clone(),
                    seed: ch.seed,
                };
                let outcome = outcome.clone();
                let asked = asked.clone();
                Pool::get().submit_check(
                    job,
                    Rc::new(move |done: CheckDone| {
                        if done.id != *asked.borrow() {
                            return;
                        }
                        let next = match (done.verdict, done.error) {
                            (Some(json), _) => match VerdictView::parse(&json) {
                                Ok(v) => {
                                    if v.passed {
                                        challenges::save_stars(&v.challenge, v.stars);
                                    }
                                    Outcome::Graded(Box::new(v))
                                }
                                Err(e) => Outcome::Failed(e.clone(), e),
                            },
                            (None, Some((en, zh))) => Outcome::Failed(en, zh),
                            (None, None) => Outcome::Failed(String::new(), String::new()),
                        };
                        outcome.set(next);
                    }),
                );
            })
        };
        let on_restart = {
            let st = state.clone();
            Callback::from(move |_: MouseEvent| st.dispatch(Action::SetChallenge(Some(ch.id))))
        };
        let on_leave = {
            let st = state.clone();
            Callback::from(move |_: MouseEvent| st.dispatch(Action::SetChallenge(None)))
        };
        let checking = matches!(*outcome, Outcome::Checking(_));
        let verdict = match &*outcome {
            Outcome::Idle => html! {},
            Outcome::Checking(seed) => {
                html! { <p>{ fill(tr(lang, text::CH_CHECKING), &[seed.to_string()]) }</p> }
            }
            Outcome::Failed(en, zh) => html! {
                <p class="notice small">{ fill(tr(lang, text::CH_REFUSED), &[if lang == Lang::Zh { zh.clone() } else { en.clone() }]) }</p>
            },
            Outcome::Graded(v) => verdict_html(lang, ch, v),
        };
        html! {
            <section class="panel challenge-panel" aria-labelledby="challenge-title">
                <h2 id="challenge-title">{ fill(tr(lang, text::CH_PANEL), &[tr_id(lang, &ch.text_id("title")).to_string()]) }</h2>
                <p>{ tr_id(lang, &ch.text_id("story")) }</p>
                <div class="challenge-parts">
                    <div>
                        <h3>{ tr(lang, text::CH_GOALS) }</h3>
                        <ul>{ for ch.goals.iter().map(|g| html! { <li>{ goal_line(lang, ch, g) }</li> }) }</ul>
                        <h3>{ tr(lang, text::CH_STARS) }</h3>
                        <ul class="star-lines">{ for star_lines(lang, ch).into_iter().map(|l| html! { <li>{ l }</li> }) }</ul>
                    </div>
                    <div>
                        <h3>{ tr(lang, text::CH_FIXED) }</h3>
                        <ul class="mono-list">{ for ch.fixed.iter().map(|s| html! { <li>{ fixed_line(lang, ch.lab, *s) }</li> }) }</ul>
                        if !ch.limits.is_empty() {
                            <h3>{ tr(lang, text::CH_LIMITS) }</h3>
                            <ul class="mono-list">{ for ch.limits.iter().map(|l| html! { <li>{ limit_line(lang, ch.lab, l) }</li> }) }</ul>
                        }
                    </div>
                </div>
                if let Some(r) = &refusal {
                    <p class="notice small" id="challenge-refusal" role="alert">{ fill(tr(lang, text::CH_REFUSED), std::slice::from_ref(r)) }</p>
                }
                <div class="challenge-actions">
                    <button id="btn-challenge-check" class="btn primary" onclick={on_check}
                        disabled={checking || refusal.is_some()}>{ tr(lang, text::CH_CHECK) }</button>
                    <button id="btn-challenge-restart" class="btn" onclick={on_restart}>{ tr(lang, text::CH_RESTART) }</button>
                    <button id="btn-challenge-leave" class="btn" onclick={on_leave}>{ tr(lang, text::CH_LEAVE) }</button>
                    <a class="btn" href="#/challenges">{ tr(lang, text::CH_ALL) }</a>
                </div>
                <div id="challenge-verdict" role="status" aria-live="polite">{ verdict }</div>
            </section>
        }
    }

    fn verdict_html(lang: Lang, ch: &flowlab_sim::challenge::Challenge, v: &VerdictView) -> Html {
        let head = if v.passed {
            fill(tr(lang, text::CH_PASSED), &[v.stars.to_string()])
        } else {
            tr(lang, text::CH_FAILED).to_string()
        };
        let goals = v.goals.iter().map(|g| {
            let line = fill(
                tr(lang, text::CH_GOAL_FIGURE),
                &[
                    tr_id(lang, &g.text_id).to_string(),
                    number(lang, g.figure),
                    op_sign(&g.op).to_string(),
                    number(lang, Some(g.threshold)),
                    tr(lang, if g.ok { text::CH_GOAL_OK } else { text::CH_GOAL_FAIL }).to_string(),
                ],
            );
            html! {
                <li class={classes!("goal", if g.ok { "ok" } else { "fail" })} data-goal={g.id.clone()}>
                    <span aria-hidden="true">{ if g.ok { "✓ " } else { "✗ " } }</span>{ line }
                </li>
            }
        });
        let price = fill(
            tr(lang, text::CH_PRICE),
            &[
                tr_id(lang, &ch.text_id("price")).to_string(),
                number(lang, v.price),
            ],
        );
        html! {
            <div class={classes!("verdict", if v.passed { "passed" } else { "failed" })}
                data-passed={v.passed.to_string()} data-stars={v.stars.to_string()}>
                <p class="verdict-head">
                    if v.passed {
                        <span class="stars" aria-hidden="true">{ star_marks(v.stars) }{ " " }</span>
                    }
                    <strong>{ head }</strong>
                </p>
                <ul>{ for goals }</ul>
                <p>{ price }</p>
                if let Some(t) = v.debrief_text(lang) {
                    <p class="debrief"><strong>{ tr(lang, text::CH_WHY) }</strong>{ " " }{ t }</p>
                }
            </div>
        }
    }
}
