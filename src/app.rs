//! The shell: header with lab navigation and language switch, and the routed lab page.

#[cfg(target_arch = "wasm32")]
pub use shell::App;

/// The labs, as hash routes (`#/limiter`), so the site works under any sub-path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, yew_router::Routable)]
pub enum Route {
    #[at("/")]
    Home,
    #[at("/limiter")]
    Limiter,
    #[at("/queue")]
    Queue,
    #[at("/chat")]
    Chat,
    #[at("/flash-sale")]
    FlashSale,
    #[at("/cache")]
    Cache,
    #[not_found]
    #[at("/404")]
    NotFound,
}

#[cfg(target_arch = "wasm32")]
mod shell {
    use yew::prelude::*;
    use yew_router::prelude::*;

    use super::Route;
    use crate::i18n::{tr, Lang, T};
    use crate::labs::cache::CacheLabPage;
    use crate::labs::chat::ChatLabPage;
    use crate::labs::flash_sale::FlashSalePage;
    use crate::labs::limiter::LimiterLabPage;
    use crate::labs::queue::QueueLabPage;

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
                    <Header on_lang={on_lang} />
                    <main>
                        <Switch<Route> render={switch} />
                    </main>
                    <footer class="footer">{ tr(*lang, T::Footer) }</footer>
                </HashRouter>
            </ContextProvider<Lang>>
        }
    }

    fn switch(route: Route) -> Html {
        match route {
            Route::Home => html! { <Redirect<Route> to={Route::Limiter} /> },
            Route::Limiter => html! { <LimiterLabPage /> },
            Route::Queue => html! { <QueueLabPage /> },
            Route::Chat => html! { <ChatLabPage /> },
            Route::FlashSale => html! { <FlashSalePage /> },
            Route::Cache => html! { <CacheLabPage /> },
            Route::NotFound => html! { <NotFoundPage /> },
        }
    }

    #[function_component(NotFoundPage)]
    fn not_found() -> Html {
        let lang = use_context::<Lang>().unwrap_or_default();
        html! { <p class="not-found">{ tr(lang, T::NotFound) }</p> }
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
        let active = |r: Route| {
            if route == Some(r) {
                "nav-link active"
            } else {
                "nav-link"
            }
        };
        html! {
            <header class="header">
                <div class="brand">
                    <span class="logo">{ "flowlab" }</span>
                    <span class="tagline">{ tr(lang, T::Tagline) }</span>
                </div>
                <nav class="nav">
                    <Link<Route> to={Route::Limiter} classes={classes!(active(Route::Limiter))}>{ tr(lang, T::NavLimiter) }</Link<Route>>
                    <Link<Route> to={Route::Queue} classes={classes!(active(Route::Queue))}>{ tr(lang, T::NavQueue) }</Link<Route>>
                    <Link<Route> to={Route::Chat} classes={classes!(active(Route::Chat))}>{ tr(lang, T::NavChat) }</Link<Route>>
                    <Link<Route> to={Route::FlashSale} classes={classes!(active(Route::FlashSale))}>{ tr(lang, T::NavFlashSale) }</Link<Route>>
                    <Link<Route> to={Route::Cache} classes={classes!(active(Route::Cache))}>{ tr(lang, T::NavCache) }</Link<Route>>
                </nav>
                <button id="lang-switch" class="lang-switch" onclick={on_lang} title="English / 简体中文">{ tr(lang, T::LangSwitch) }</button>
            </header>
        }
    }
}
