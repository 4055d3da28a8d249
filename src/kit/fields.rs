//! Labelled inputs bound to a dotted param key (the same keys the URL uses). Labels and helps come
//! translated; the page builds them from the lab's knob table.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NumFieldProps {
    pub label: AttrValue,
    /// Dotted param key, e.g. `fixed_window.limit`.
    pub param: AttrValue,
    pub value: AttrValue,
    pub min: AttrValue,
    pub max: AttrValue,
    #[prop_or_default]
    pub step: Option<AttrValue>,
    /// Longer help, shown on hover and read by screen readers.
    #[prop_or_default]
    pub help: Option<AttrValue>,
    /// A short note under the field.
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    /// Called with (key, text) when the user commits a value.
    pub on_set: Callback<(AttrValue, String)>,
    /// A field of B's params while comparing: its key is in `data-param-b`, not `data-param`.
    #[prop_or_default]
    pub b: bool,
}

#[function_component(NumField)]
pub fn num_field(props: &NumFieldProps) -> Html {
    let onchange = {
        let on_set = props.on_set.clone();
        let key = props.param.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            on_set.emit((key.clone(), input.value()));
        })
    };
    html! {
        <label class="field" title={props.help.clone()}>
            <span class="field-label">{ props.label.clone() }</span>
            <input type="number" data-param={(!props.b).then(|| props.param.clone())} data-param-b={props.b.then(|| props.param.clone())} value={props.value.clone()}
                min={props.min.clone()} max={props.max.clone()} step={props.step.clone().unwrap_or("1".into())}
                onchange={onchange} />
            if let Some(h) = &props.hint {
                <span class="field-hint">{ h.clone() }</span>
            }
        </label>
    }
}

#[derive(Properties, PartialEq)]
pub struct SelectFieldProps {
    pub label: AttrValue,
    pub param: AttrValue,
    pub value: AttrValue,
    /// (value, label) pairs.
    pub options: Vec<(AttrValue, AttrValue)>,
    #[prop_or_default]
    pub help: Option<AttrValue>,
    pub on_set: Callback<(AttrValue, String)>,
    /// A field of B's params (see [`NumFieldProps::b`]).
    #[prop_or_default]
    pub b: bool,
}

#[function_component(SelectField)]
pub fn select_field(props: &SelectFieldProps) -> Html {
    let onchange = {
        let on_set = props.on_set.clone();
        let key = props.param.clone();
        Callback::from(move |e: Event| {
            let sel: HtmlSelectElement = e.target_unchecked_into();
            on_set.emit((key.clone(), sel.value()));
        })
    };
    html! {
        <label class="field field-choice" title={props.help.clone()}>
            <span class="field-label">{ props.label.clone() }</span>
            <select data-param={(!props.b).then(|| props.param.clone())} data-param-b={props.b.then(|| props.param.clone())} onchange={onchange}>
                { for props.options.iter().map(|(v, l)| html! {
                    <option value={v.clone()} selected={*v == props.value}>{ l.clone() }</option>
                }) }
            </select>
        </label>
    }
}

#[derive(Properties, PartialEq)]
pub struct CheckFieldProps {
    pub label: AttrValue,
    pub param: AttrValue,
    pub checked: bool,
    #[prop_or_default]
    pub help: Option<AttrValue>,
    pub on_set: Callback<(AttrValue, String)>,
    /// A field of B's params (see [`NumFieldProps::b`]).
    #[prop_or_default]
    pub b: bool,
}

#[function_component(CheckField)]
pub fn check_field(props: &CheckFieldProps) -> Html {
    let onchange = {
        let on_set = props.on_set.clone();
        let key = props.param.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            on_set.emit((key.clone(), input.checked().to_string()));
        })
    };
    html! {
        <label class="field" title={props.help.clone()}>
            <span class="field-label">{ props.label.clone() }</span>
            <input type="checkbox" data-param={(!props.b).then(|| props.param.clone())} data-param-b={props.b.then(|| props.param.clone())} checked={props.checked} onchange={onchange} />
        </label>
    }
}
