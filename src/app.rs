//! The shell: header with the lab navigation (from the registry in `labs.rs`) and the language
//! switch, and the routed lab page.

#[cfg(target_arch = "wasm32")]
pub use shell::App;

/// Hash routes (`#/limiter`), so the site works under any sub-path: the front page and one route
/// per registered lab.
#[derive(Clone, Debug, PartialEq, Eq, yew_router::Routable)]
pub enum Route {
    #[at("/")]
    Home,
    #[at("/challenges")]
    Challenges,
    #[at("/:id")]
    Lab { id: String },
    #[not_found]
    #[at("/404")]
    NotFound,
}

#[cfg(target_arch = "wasm32")]
mod shell {
    use yew::prelude::*;
    use yew_router::prelude::*;

    use super::Route;
    use crate::i18n::{tr, tr_id, Lang, Tx};
    use crate::text;

    #[function_component(App)]
    pub fn app() -> Html {
        let lang = use_state(crate::web::stored_lang);
        let on_lang = {
            let lang = lang.clone();
            Callback::from(move |_| {
                let next = lang.other();
                crate::web::store_lang(next);
                lang.set(next);
            })
        };
        {
            let l = *lang;
            use_effect_with(l, move |l| {
                if let Some(el) = crate::web::window()
                    .document()
                    .and_then(|d| d.document_element())
                {
                    let _ = el.set_attribute("lang", if *l == Lang::Zh { "zh-CN" } else { "en" });
                }
            });
        }
        html! {
            <ContextProvider<Lang> context={*lang}>
                <HashRouter>
                    <SkipLink target="controls" text={text::SKIP_CONTROLS} />
                    <SkipLink target="params" text={text::SKIP_PARAMS} />
                    <SkipLink target="main" text={text::SKIP} />
                    <Header on_lang={on_lang} />
                    <main id="main" tabindex="-1">
                        <Switch<Route> render={switch} />
                    </main>
                    <footer class="footer">{ tr(*lang, text::FOOTER) }</footer>
                </HashRouter>
            </ContextProvider<Lang>>
        }
    }

    #[derive(Properties, PartialEq)]
    struct SkipLinkProps {
        /// The id of the element the link moves the focus to (`main` when the page has none).
        target: &'static str,
        text: Tx,
    }

    /// A link, shown only while it has the focus, that moves the focus past the header. The routes
    /// live in the hash, so the link moves the focus itself rather than following `#id`.
    #[function_component(SkipLink)]
    fn skip_link(p: &SkipLinkProps) -> Html {
        let lang = use_context::<Lang>().unwrap_or_default();
        let target = p.target;
        let route = use_route::<Route>();
        // Only a lab page has controls and parameters to skip to.
        if target != "main" && !matches!(route, Some(Route::Lab { .. })) {
            return html! {};
        }
        let onclick = Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            if !crate::web::focus_id(target) {
                crate::web::focus_id("main");
            }
        });
        html! {
            <a class="skip-link" href={format!("#{target}")} {onclick}>{ tr(lang, p.text) }</a>
        }
    }

    fn switch(route: Route) -> Html {
        match route {
            Route::Home => html! { <crate::challenges::Welcome /> },
            Route::Challenges => html! { <crate::challenges::ChallengesPage /> },
            Route::Lab { id } => match crate::labs::page(&id) {
                // Keyed by lab: another lab's page is a new component, with its own state.
                Some(page) => html! { <div key={id}>{ page }</div> },
                None => html! { <NotFoundPage /> },
            },
            Route::NotFound => html! { <NotFoundPage /> },
        }
    }

    #[function_component(NotFoundPage)]
    fn not_found() -> Html {
        let lang = use_context::<Lang>().unwrap_or_default();
        html! { <p class="not-found">{ tr(lang, text::NOT_FOUND) }</p> }
    }

    #[derive(Properties, PartialEq)]
    pub struct HeaderProps {
        pub on_lang: Callback<()>,
    }

    #[function_component(Header)]
    fn header(props: &HeaderProps) -> Html {
        let lang = use_context::<Lang>().unwrap_or_default();
        let route = use_route::<Route>();
        let on_lang = props.on_lang.reform(|_: MouseEvent| ());
        let links = crate::labs::ids().into_iter().map(|id| {
            let active = route == Some(Route::Lab { id: id.to_string() });
            html! {
                <Link<Route> to={Route::Lab { id: id.to_string() }}
                    classes={classes!("nav-link", active.then_some("active"))}>
                    { tr_id(lang, &format!("{id}.nav")) }
                </Link<Route>>
            }
        });
        let ch_active = route == Some(Route::Challenges);
        let challenges = html! {
            <Link<Route> to={Route::Challenges} classes={classes!("nav-link", ch_active.then_some("active"))}>
                { tr(lang, text::NAV_CHALLENGES) }
            </Link<Route>>
        };
        html! {
            <header class="header">
                <div class="brand">
                    <span class="logo">{ "flowlab" }</span>
                    <span class="tagline">{ tr(lang, text::TAGLINE) }</span>
                </div>
                <nav class="nav" aria-label={tr(lang, text::NAV)}>{ challenges }{ for links }</nav>
                <button id="lang-switch" class="lang-switch" onclick={on_lang} title="English / 简体中文">{ tr(lang, text::LANG_SWITCH) }</button>
            </header>
        }
    }
}
