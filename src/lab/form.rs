//! The params form, built from the lab's knob table and its current params: sections in table
//! order, one field per knob with the range the table gives (narrowed by the knobs a bound refers
//! to), folded advanced knobs. Plain data, tested natively; the page renders it.

use flowlab_sim::kernel::knobs::{leaf, Kind, Knob};
use serde_json::Value;

/// One field of the form.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub key: String,
    /// Text id of the label (its help is `doc` in English and the help table in Chinese).
    pub text: &'static str,
    pub doc: &'static str,
    pub input: Input,
    pub advanced: bool,
    pub live: bool,
}

/// The input a field shows.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    Number {
        value: String,
        min: String,
        max: String,
        step: String,
    },
    Switch {
        on: bool,
    },
    Choice {
        value: String,
        /// (value, label text id).
        options: Vec<(&'static str, &'static str)>,
    },
}

/// A group of fields under one heading.
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    /// Text id of the heading ("" for the lab's general knobs).
    pub text: &'static str,
    pub fields: Vec<Field>,
}

fn num_text(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn bound_text(x: f64, int: bool) -> String {
    if int {
        format!("{}", x as u64)
    } else {
        format!("{x}")
    }
}

/// The form for `params` (as JSON) from `knobs`.
pub fn build(knobs: &[Knob], params: &Value) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    for k in knobs {
        let value = leaf(params, &k.key).cloned().unwrap_or(Value::Null);
        let input = match &k.kind {
            Kind::Int { .. } | Kind::Real { .. } => {
                let (lo, hi) = k.bounds_in(params).unwrap_or((0.0, 0.0));
                let int = matches!(k.kind, Kind::Int { .. });
                let step = match k.kind {
                    Kind::Real { step, .. } => format!("{step}"),
                    _ => "1".into(),
                };
                Input::Number {
                    value: num_text(&value),
                    min: bound_text(lo, int),
                    max: bound_text(hi, int),
                    step,
                }
            }
            Kind::Switch => Input::Switch {
                on: value.as_bool().unwrap_or(false),
            },
            Kind::Choice { options } => Input::Choice {
                value: value.as_str().unwrap_or_default().to_string(),
                options: options.iter().map(|o| (o.value, o.text)).collect(),
            },
        };
        let field = Field {
            key: k.key.clone(),
            text: k.text,
            doc: k.doc,
            input,
            advanced: k.advanced,
            live: k.live,
        };
        match sections.last_mut() {
            Some(s) if s.text == k.section => s.fields.push(field),
            _ => sections.push(Section {
                text: k.section,
                fields: vec![field],
            }),
        }
    }
    sections
}

/// How many fields are advanced (folded away until asked for).
pub fn advanced_count(sections: &[Section]) -> usize {
    sections
        .iter()
        .flat_map(|s| &s.fields)
        .filter(|f| f.advanced)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use flowlab_sim::kernel::knobs::{validate_with, Knobs};
    use flowlab_sim::limiter::LimiterParams;

    fn field<'a>(form: &'a [Section], key: &str) -> &'a Field {
        form.iter()
            .flat_map(|s| &s.fields)
            .find(|f| f.key == key)
            .unwrap_or_else(|| panic!("{key} not in the form"))
    }

    fn max_of(f: &Field) -> &str {
        match &f.input {
            Input::Number { max, .. } => max,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_knob_is_a_field_with_the_table_range() {
        let knobs = LimiterParams::knobs();
        let p = serde_json::to_value(LimiterParams::default()).unwrap();
        let form = build(&knobs, &p);
        let n: usize = form.iter().map(|s| s.fields.len()).sum();
        assert_eq!(n, knobs.len());
        let limit = field(&form, "fixed_window.limit");
        assert_eq!(max_of(limit), "100000");
        assert_eq!(limit.text, "window.limit");
        // A bound that is another knob follows that knob's value.
        assert_eq!(max_of(field(&form, "traffic.burst_width_ms")), "2000");
        assert!(field(&form, "token_bucket.rate_per_s").live);
        assert!(advanced_count(&form) > 0);
        let sections: Vec<&str> = form.iter().map(|s| s.text).collect();
        assert!(sections.contains(&"limiter.fixed_window"), "{sections:?}");
    }

    /// The form and the validation are built from the same table: change a range in the table and
    /// both follow.
    #[test]
    fn a_changed_range_moves_the_form_and_the_validation() {
        let mut knobs = LimiterParams::knobs();
        let k = knobs
            .iter_mut()
            .find(|k| k.key == "fixed_window.limit")
            .unwrap();
        k.kind = Kind::Int { lo: 1, hi: 8 };
        let p = LimiterParams::default(); // limit 10
        let form = build(&knobs, &serde_json::to_value(&p).unwrap());
        assert_eq!(max_of(field(&form, "fixed_window.limit")), "8");
        let e = validate_with(&p, &knobs).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.allowed.as_str()),
            ("fixed_window.limit", "1..=8")
        );
    }
}
