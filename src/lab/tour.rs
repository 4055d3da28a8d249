//! The guided tour on a lab's page (the steps are data: `crate::tour`): a "Take the tour" button,
//! and while touring a card docked at the bottom of the window — step n of m, what to look at,
//! what to do (a non-modal dialog: the lab stays usable) — with Back, Next (offered once the step's action is done), Skip and Leave. A step's
//! setup goes through the state's reducer (`Action::Tour`), so the link follows (`tour=3`) and
//! the lab stays usable throughout. The parts a step points at are outlined and scrolled to (at
//! once under reduced motion); a press of the button a step waits for is seen by a listener on
//! the document, a knob's value from the state.

#[cfg(target_arch = "wasm32")]
pub use ui::{TourCard, TourStart};

#[cfg(target_arch = "wasm32")]
mod ui {
    use yew::prelude::*;

    use flowlab_sim::kernel::lab::Lab;

    use crate::i18n::{fill, tr, tr_id, Lang};
    use crate::lab::state::{Action, LabState};
    use crate::text;
    use crate::tour::{self, Wait};

    /// The class that outlines what a step points at.
    const MARK: &str = "tour-target";

    #[derive(Properties)]
    pub struct TourProps<L: Lab> {
        pub state: UseReducerHandle<LabState<L>>,
    }

    impl<L: Lab> PartialEq for TourProps<L> {
        fn eq(&self, o: &Self) -> bool {
            self.state == o.state
        }
    }

    /// "Take the tour", while not touring.
    #[function_component(TourStart)]
    pub fn tour_start<L: Lab>(props: &TourProps<L>) -> Html {
        let lang = use_context::<Lang>().unwrap_or_default();
        let steps = tour::of_lab(L::ID);
        if steps.is_empty() || props.state.tour.is_some() {
            return html! {};
        }
        let st = props.state.clone();
        let onclick = Callback::from(move |_: MouseEvent| st.dispatch(Action::Tour(Some(0))));
        html! {
            <button id="btn-tour" class="btn primary small" {onclick}>
                { fill(tr(lang, text::TOUR_START), &[steps.len().to_string()]) }
            </button>
        }
    }

    fn document() -> web_sys::Document {
        crate::web::window().document().expect("a document")
    }

    /// Outlines every element of `selectors` (and no other: the lab's lists re-render, and an
    /// element outlined may come to be another button). For the first second, scrolls the first
    /// one found to just under the top of the window when it is not in the part the card leaves
    /// free, with the others when they fit (`scrolls` left; the page's layout settles as the
    /// engine's first frames come).
    fn mark(selectors: &[String], scrolls: &mut u8, reduced: bool) {
        use wasm_bindgen::JsCast;
        let doc = document();
        let all = selectors.join(", ");
        if let Ok(old) = doc.query_selector_all(&format!(".{MARK}")) {
            for k in 0..old.length() {
                if let Some(el) = old
                    .item(k)
                    .and_then(|e| e.dyn_into::<web_sys::Element>().ok())
                {
                    if !el.matches(&all).unwrap_or(false) {
                        let _ = el.class_list().remove_1(MARK);
                    }
                }
            }
        }
        let mut found: Vec<web_sys::Element> = Vec::new();
        for sel in selectors {
            let Ok(list) = doc.query_selector_all(sel) else {
                continue;
            };
            for k in 0..list.length() {
                let Some(el) = list
                    .item(k)
                    .and_then(|e| e.dyn_into::<web_sys::Element>().ok())
                else {
                    continue;
                };
                if !el.class_list().contains(MARK) {
                    let _ = el.class_list().add_1(MARK);
                }
                found.push(el);
            }
        }
        let w = crate::web::window();
        // On a wide screen the card docks on the side the targets leave free: bottom left when
        // they lie only on the right (a chart beside the form), else bottom right.
        let width = w
            .inner_width()
            .ok()
            .and_then(|x| x.as_f64())
            .unwrap_or(1000.0);
        if let Some(card) = doc.get_element_by_id("tour-card") {
            let centres = found.iter().map(|e| {
                let r = e.get_bounding_client_rect();
                (r.left() + r.right()) / 2.0 / width
            });
            let (mut right, mut left) = (false, false);
            for c in centres {
                right |= c > 0.55;
                left |= c < 0.45;
            }
            let _ = card
                .class_list()
                .toggle_with_force("dock-left", right && !left);
        }
        if found.is_empty() || *scrolls == 0 {
            return;
        }
        *scrolls -= 1;
        let height = w
            .inner_height()
            .ok()
            .and_then(|h| h.as_f64())
            .unwrap_or(800.0);
        let card = doc
            .get_element_by_id("tour-card")
            .map_or(0.0, |c| c.get_bounding_client_rect().height());
        // Under the header (sticky on wide screens), above the card.
        let top_gap = if w
            .inner_width()
            .ok()
            .and_then(|x| x.as_f64())
            .unwrap_or(1000.0)
            > 640.0
        {
            72.0
        } else {
            12.0
        };
        let free_bottom = (height - card - 16.0).max(height * 0.3);
        let rects: Vec<web_sys::DomRect> =
            found.iter().map(|e| e.get_bounding_client_rect()).collect();
        let top = rects.iter().map(|r| r.top()).fold(f64::INFINITY, f64::min);
        let bottom = rects
            .iter()
            .map(|r| r.bottom())
            .fold(f64::NEG_INFINITY, f64::max);
        if top >= top_gap - 1.0 && bottom <= free_bottom {
            return;
        }
        // All of them when they fit between the header and the card, else the first.
        let first = &rects[0];
        let to = if bottom - top <= free_bottom - top_gap {
            top
        } else {
            first.top()
        };
        let opts = web_sys::ScrollToOptions::new();
        opts.set_top(w.scroll_y().unwrap_or(0.0) + to - top_gap);
        opts.set_behavior(if reduced {
            web_sys::ScrollBehavior::Instant
        } else {
            web_sys::ScrollBehavior::Smooth
        });
        w.scroll_to_with_scroll_to_options(&opts);
    }

    /// Moves the focus to the card's title without scrolling anything.
    fn focus_title() {
        use wasm_bindgen::JsCast;
        if let Some(el) = document()
            .get_element_by_id("tour-title")
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let opts = web_sys::FocusOptions::new();
            opts.set_prevent_scroll(true);
            let _ = el.focus_with_options(&opts);
        }
    }

    fn unmark() {
        if let Ok(list) = document().query_selector_all(&format!(".{MARK}")) {
            for k in 0..list.length() {
                use wasm_bindgen::JsCast;
                if let Some(el) = list
                    .item(k)
                    .and_then(|e| e.dyn_into::<web_sys::Element>().ok())
                {
                    let _ = el.class_list().remove_1(MARK);
                }
            }
        }
    }

    /// The tour's card, while touring.
    #[function_component(TourCard)]
    pub fn tour_card<L: Lab>(props: &TourProps<L>) -> Html {
        let lang = use_context::<Lang>().unwrap_or_default();
        let state = props.state.clone();
        let steps = tour::of_lab(L::ID);
        let at = state.tour.filter(|i| *i < steps.len());
        // The step whose button was pressed (a press counts for the step it happened in).
        let pressed = use_state(|| None::<usize>);
        let reduced = *use_memo((), |_| crate::web::prefers_reduced_motion());
        {
            // Waits for a press of the step's button: a listener on the whole document, so the
            // lab's own buttons need no change.
            let pressed = pressed.clone();
            use_effect_with(at, move |at| {
                pressed.set(None);
                let listener = at.and_then(|i| {
                    let sel = steps[i].wait.click_selector()?;
                    Some(gloo::events::EventListener::new_with_options(
                        &document(),
                        "click",
                        gloo::events::EventListenerOptions::run_in_capture_phase(),
                        move |e| {
                            use wasm_bindgen::JsCast;
                            let hit = e
                                .target()
                                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                                .and_then(|el| el.closest(&sel).ok().flatten());
                            if hit.is_some() {
                                pressed.set(Some(i));
                            }
                        },
                    ))
                });
                move || drop(listener)
            });
        }
        {
            // Outlines the step's targets (again every 300 ms: some are drawn only once the
            // engine's first frames came, or are drawn anew), and moves the focus to the card.
            use_effect_with(at, move |at| {
                unmark();
                let timer = at.map(|i| {
                    focus_title();
                    let sels: Vec<String> = steps[i].targets.iter().map(|t| t.selector()).collect();
                    let mut scrolls = 4;
                    mark(&sels, &mut scrolls, reduced);
                    gloo::timers::callback::Interval::new(300, move || {
                        mark(&sels, &mut scrolls, reduced)
                    })
                });
                move || {
                    drop(timer);
                    unmark();
                }
            });
        }
        let Some(i) = at else {
            return html! {};
        };
        let step = &steps[i];
        let n = steps.len();
        let met = match step.wait {
            Wait::Read => true,
            Wait::Knob(k, v) => tour::knob_is(&state.params, k, v),
            Wait::Action(_) | Wait::Run => *pressed == Some(i),
        };
        let go = |to: Option<usize>| {
            let st = state.clone();
            Callback::from(move |_: MouseEvent| st.dispatch(Action::Tour(to)))
        };
        let on_back = go(i.checked_sub(1));
        let on_next = go((i + 1 < n).then_some(i + 1));
        let on_leave = go(None);
        let on_key = {
            let st = state.clone();
            Callback::from(move |e: KeyboardEvent| {
                if e.key() == "Escape" {
                    e.prevent_default();
                    st.dispatch(Action::Tour(None));
                }
            })
        };
        let last = i + 1 == n;
        let id = L::ID;
        let status = if step.wait == Wait::Read {
            String::new()
        } else if met {
            tr(
                lang,
                if last {
                    text::TOUR_DONE_LAST
                } else {
                    text::TOUR_DONE
                },
            )
            .to_string()
        } else {
            tr(lang, text::TOUR_WAITING).to_string()
        };
        html! {
            <section id="tour-card" class="tour-card" role="dialog" aria-modal="false" aria-labelledby="tour-title"
                data-step={(i + 1).to_string()} data-met={met.to_string()} onkeydown={on_key}>
                // Scrolls when the text is longer than the card (a phone): reachable by keyboard.
                <div class="tour-text" tabindex="0" role="region"
                    aria-label={tr(lang, text::TOUR_TEXT)}>
                <p class="tour-count">{ fill(tr(lang, text::TOUR_COUNT), &[(i + 1).to_string(), n.to_string()]) }</p>
                <h2 id="tour-title" tabindex="-1">{ tr_id(lang, &step.text_id(id, "title")) }</h2>
                <p class="tour-body">{ tr_id(lang, &step.text_id(id, "body")) }</p>
                if step.wait != Wait::Read {
                    <p class={classes!("tour-do", met.then_some("met"))}>
                        <span aria-hidden="true">{ if met { "✓ " } else { "→ " } }</span>
                        { tr_id(lang, &step.text_id(id, "do")) }
                    </p>
                }
                <p id="tour-status" class="tour-status" role="status" aria-live="polite">{ status }</p>
                </div>
                <div class="tour-buttons">
                    <button id="btn-tour-back" class="btn small" disabled={i == 0} onclick={on_back}>{ tr(lang, text::TOUR_BACK) }</button>
                    <button id="btn-tour-next" class="btn small primary" disabled={!met} onclick={on_next.clone()}>
                        { tr(lang, if last { text::TOUR_FINISH } else { text::TOUR_NEXT }) }
                    </button>
                    if !met {
                        <button id="btn-tour-skip" class="btn small" onclick={on_next}>{ tr(lang, text::TOUR_SKIP) }</button>
                    }
                    <button id="btn-tour-leave" class="btn small" onclick={on_leave}
                        title={tr(lang, text::TOUR_LEAVE_HELP)}>{ tr(lang, text::TOUR_LEAVE) }</button>
                </div>
            </section>
        }
    }
}
