//! Labelled inputs bound to a dotted param key (the same keys the URL uses).

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::i18n::{tr, Lang, T};

#[derive(Properties, PartialEq)]
pub struct NumFieldProps {
    pub label: T,
    /// Dotted param key, e.g. `fixed_window.limit`.
    pub param: AttrValue,
    pub value: AttrValue,
    pub min: AttrValue,
    pub max: AttrValue,
    #[prop_or_default]
    pub step: Option<AttrValue>,
    #[prop_or_default]
    pub hint: Option<T>,
    /// Called with (key, text) when the user commits a value.
    pub on_set: Callback<(AttrValue, String)>,
}

#[function_component(NumField)]
pub fn num_field(props: &NumFieldProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let onchange = {
        let on_set = props.on_set.clone();
        let key = props.param.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            on_set.emit((key.clone(), input.value()));
        })
    };
    html! {
        <label class="field">
            <span class="field-label">{ tr(lang, props.label) }</span>
            <input type="number" data-param={props.param.clone()} value={props.value.clone()}
                min={props.min.clone()} max={props.max.clone()} step={props.step.clone().unwrap_or("1".into())}
                onchange={onchange} />
            if let Some(h) = props.hint {
                <span class="field-hint">{ tr(lang, h) }</span>
            }
        </label>
    }
}

#[derive(Properties, PartialEq)]
pub struct SelectFieldProps {
    pub label: T,
    pub param: AttrValue,
    pub value: AttrValue,
    /// (value, label) pairs.
    pub options: Vec<(AttrValue, T)>,
    pub on_set: Callback<(AttrValue, String)>,
}

#[function_component(SelectField)]
pub fn select_field(props: &SelectFieldProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let onchange = {
        let on_set = props.on_set.clone();
        let key = props.param.clone();
        Callback::from(move |e: Event| {
            let sel: HtmlSelectElement = e.target_unchecked_into();
            on_set.emit((key.clone(), sel.value()));
        })
    };
    html! {
        <label class="field">
            <span class="field-label">{ tr(lang, props.label) }</span>
            <select data-param={props.param.clone()} onchange={onchange}>
                { for props.options.iter().map(|(v, l)| html! {
                    <option value={v.clone()} selected={*v == props.value}>{ tr(lang, *l) }</option>
                }) }
            </select>
        </label>
    }
}

#[derive(Properties, PartialEq)]
pub struct CheckFieldProps {
    pub label: T,
    pub param: AttrValue,
    pub checked: bool,
    pub on_set: Callback<(AttrValue, String)>,
}

#[function_component(CheckField)]
pub fn check_field(props: &CheckFieldProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let onchange = {
        let on_set = props.on_set.clone();
        let key = props.param.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            on_set.emit((key.clone(), input.checked().to_string()));
        })
    };
    html! {
        <label class="field">
            <span class="field-label">{ tr(lang, props.label) }</span>
            <input type="checkbox" data-param={props.param.clone()} checked={props.checked} onchange={onchange} />
        </label>
    }
}
