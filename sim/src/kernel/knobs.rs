//! Knob tables: every lab's params struct is declared once, with [`knobs!`](crate::knobs), and that
//! declaration yields the struct (serde, `Default`), its validation, and a table of its knobs (key,
//! type, range or choices, unit, default, text id, section). The page's form, the command line's
//! `list --json` and the validation all read the table, so a range is written exactly once.
//!
//! Validation is driven by the table at run time ([`validate_with`]): a test can change a knob's
//! range in the table and see both the form and the validation follow. Rules across fields that a
//! range cannot say (`groups × members_per_group <= 100000`) are a function of the struct
//! ([`Knobs::rules`]) that returns a [`ParamError`] with a text id, so the page can translate it.
//!
//! Choices (enums) are declared with [`choices!`](crate::choices): the enum, its serde names, `ALL`,
//! `as_str`, and the options' text ids.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::model::{Bound, ParamError, Rule, Validate};

/// What a knob's value measures, read from the suffix of its name (units come last in names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    None,
    Ms,
    Us,
    PerS,
    Bytes,
    /// A probability or a share, 0..=1.
    Share,
}

impl Unit {
    /// The unit of a field named `key` (`window_ms` -> ms, `rate_per_s` -> per second).
    pub fn of(key: &str) -> Unit {
        let leaf = key.rsplit('.').next().unwrap_or(key);
        if leaf.ends_with("_ms") {
            Unit::Ms
        } else if leaf.ends_with("_us") {
            Unit::Us
        } else if leaf.ends_with("_per_s") {
            Unit::PerS
        } else if leaf.ends_with("_bytes") {
            Unit::Bytes
        } else if leaf.ends_with("_prob")
            || leaf.ends_with("_share")
            || leaf == "share"
            || leaf == "ttl_jitter"
        {
            Unit::Share
        } else {
            Unit::None
        }
    }
}

/// One option of a choice: its value (as in the URL and params files) and its label's text id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Opt {
    pub value: &'static str,
    pub text: &'static str,
}

/// The type of a knob, with its range or options.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Kind {
    /// A whole number in `lo..=hi`.
    Int { lo: u64, hi: u64 },
    /// A finite number in `lo..=hi`, edited in steps of `step`.
    Real { lo: f64, hi: f64, step: f64 },
    /// On or off.
    Switch,
    /// One of the options.
    Choice { options: &'static [Opt] },
}

/// One knob of a lab: what the form shows and the validation checks.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Knob {
    /// Dotted key, as in the URL and `--set` (`fixed_window.limit`).
    pub key: String,
    /// Text id of its label (`window.limit`); its help is the same id with `.help`.
    pub text: &'static str,
    /// The doc comment of the field: the knob's help in English (the command line prints it).
    pub doc: &'static str,
    pub kind: Kind,
    /// The lower bound is also another knob's value (dotted key), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lo_key: Option<String>,
    /// The upper bound is also another knob's value (dotted key), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hi_key: Option<String>,
    pub unit: Unit,
    /// The default value.
    pub default: Value,
    /// Text id of the form section it belongs to.
    pub section: &'static str,
    /// Folded away with the other advanced knobs until the user asks for all of them.
    pub advanced: bool,
    /// A change applies to the running model instead of rebuilding it.
    pub live: bool,
}

impl Knob {
    /// A knob with no range yet (the `knobs!` macro fills it in).
    #[doc(hidden)]
    pub fn new(key: String, text: &'static str, doc: &'static str, kind: Kind) -> Self {
        let unit = Unit::of(&key);
        Self {
            key,
            text,
            doc: doc.trim(),
            kind,
            lo_key: None,
            hi_key: None,
            unit,
            default: Value::Null,
            section: "",
            advanced: false,
            live: false,
        }
    }

    /// The bounds in force for `root` (the params as JSON): the static range narrowed by the knobs
    /// the bounds refer to. `None` for switches and choices.
    pub fn bounds_in(&self, root: &Value) -> Option<(f64, f64)> {
        let (mut lo, mut hi) = match self.kind {
            Kind::Int { lo, hi } => (lo as f64, hi as f64),
            Kind::Real { lo, hi, .. } => (lo, hi),
            _ => return None,
        };
        if let Some(v) = self.lo_key.as_deref().and_then(|k| leaf(root, k)?.as_f64()) {
            lo = lo.max(v);
        }
        if let Some(v) = self.hi_key.as_deref().and_then(|k| leaf(root, k)?.as_f64()) {
            hi = hi.min(v);
        }
        Some((lo, hi))
    }

    /// Checks this knob's value in `root` (the params as JSON).
    pub fn check(&self, root: &Value) -> Result<(), ParamError> {
        let Some(v) = leaf(root, &self.key) else {
            return Ok(()); // a knob the struct does not have (a test's edited table): nothing to check
        };
        match self.kind {
            Kind::Int { lo, hi } => {
                let Some(x) = v.as_u64() else {
                    return Err(self.out_of_range(root, value_text(v)));
                };
                let lo_dep = self.dep(root, self.lo_key.as_deref());
                let hi_dep = self.dep(root, self.hi_key.as_deref());
                let too_low = x < lo || lo_dep.is_some_and(|d| (x as f64) < d);
                let too_high = x > hi || hi_dep.is_some_and(|d| (x as f64) > d);
                if too_low || too_high {
                    return Err(self.out_of_range(root, x.to_string()));
                }
                Ok(())
            }
            Kind::Real { lo, hi, .. } => {
                let x = v.as_f64().filter(|x| x.is_finite());
                let Some(x) = x else {
                    return Err(self.out_of_range(root, value_text(v)));
                };
                let lo_dep = self.dep(root, self.lo_key.as_deref());
                let hi_dep = self.dep(root, self.hi_key.as_deref());
                if x < lo
                    || x > hi
                    || lo_dep.is_some_and(|d| x < d)
                    || hi_dep.is_some_and(|d| x > d)
                {
                    return Err(self.out_of_range(root, fmt_real(x)));
                }
                Ok(())
            }
            // serde already refused anything that is not one of these.
            Kind::Switch | Kind::Choice { .. } => Ok(()),
        }
    }

    fn dep(&self, root: &Value, key: Option<&str>) -> Option<f64> {
        key.and_then(|k| leaf(root, k)?.as_f64())
    }

    /// The allowed range as bounds (a number, or another knob and its value now).
    pub fn range_rule(&self, root: &Value) -> Rule {
        let num = |x: f64| match self.kind {
            Kind::Real { .. } => fmt_real(x),
            _ => format!("{}", x as u64),
        };
        let (lo, hi) = match self.kind {
            Kind::Int { lo, hi } => (lo as f64, hi as f64),
            Kind::Real { lo, hi, .. } => (lo, hi),
            _ => (0.0, 0.0),
        };
        let bound = |fixed: f64, key: Option<&str>, pick_max: bool| -> Bound {
            match key.and_then(|k| Some((k, leaf(root, k)?.as_f64()?))) {
                Some((k, v)) if (pick_max && v >= fixed) || (!pick_max && v <= fixed) => {
                    Bound::Key {
                        key: k.to_string(),
                        now: num(v),
                    }
                }
                _ => Bound::Num(num(fixed)),
            }
        };
        Rule::Range {
            lo: bound(lo, self.lo_key.as_deref(), true),
            hi: bound(hi, self.hi_key.as_deref(), false),
        }
    }

    fn out_of_range(&self, root: &Value, got: String) -> ParamError {
        ParamError::with_rule(self.key.clone(), got, self.range_rule(root))
    }

    /// A value in this knob's own range, as text (what a user could type): an edge a quarter of
    /// the time each, else log-uniform for whole numbers (big values come up as often as small)
    /// and uniform for reals; an option of a choice. Other knobs' rules may still refuse it.
    /// Fuzzing and the search for the heaviest params draw from it.
    pub fn sample(&self, rng: &mut crate::kernel::rng::SimRng) -> String {
        match &self.kind {
            Kind::Int { lo, hi } => {
                let (lo, hi) = (*lo, *hi);
                let v = match rng.below(4) {
                    0 => lo,
                    1 => hi,
                    _ => {
                        let span = (hi - lo) as f64 + 1.0;
                        let x = (span.ln() * rng.unit_f64()).exp() - 1.0;
                        lo + (x as u64).min(hi - lo)
                    }
                };
                v.to_string()
            }
            Kind::Real { lo, hi, .. } => match rng.below(4) {
                0 => format!("{lo}"),
                1 => format!("{hi}"),
                _ => format!("{}", lo + (hi - lo) * rng.unit_f64()),
            },
            Kind::Switch => rng.chance(0.5).to_string(),
            Kind::Choice { options } => options[rng.below(options.len() as u64) as usize]
                .value
                .to_string(),
        }
    }

    /// Lower and upper bound of a numeric knob, ignoring other knobs.
    pub fn static_bounds(&self) -> Option<(f64, f64)> {
        match self.kind {
            Kind::Int { lo, hi } => Some((lo as f64, hi as f64)),
            Kind::Real { lo, hi, .. } => Some((lo, hi)),
            _ => None,
        }
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::Null => "NaN".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A real number as the messages print it: `0.5`, `3` (no trailing `.0`).
pub fn fmt_real(x: f64) -> String {
    format!("{x}")
}

/// The value at dotted `key` in `root`, if it is a leaf.
pub fn leaf<'a>(root: &'a Value, key: &str) -> Option<&'a Value> {
    let mut cur = root;
    for part in key.split('.') {
        cur = cur.as_object()?.get(part)?;
    }
    (!cur.is_object()).then_some(cur)
}

/// Params declared with [`knobs!`](crate::knobs).
pub trait Knobs:
    Clone + Default + PartialEq + std::fmt::Debug + Serialize + DeserializeOwned + Validate + 'static
{
    /// Text scope of the struct: its knobs' label ids are `SCOPE.field`.
    const SCOPE: &'static str;
    /// Text ids of the messages its rules across fields give (`ParamError::rule`).
    const RULES: &'static [&'static str];

    /// Appends this struct's knobs, keys prefixed by `prefix` (`traffic.`); `section` forces their
    /// section (a nested group's).
    fn knobs_into(prefix: &str, section: Option<&'static str>, out: &mut Vec<Knob>);

    /// Rules across fields (and those of nested groups), after every knob is in range.
    fn rules(&self) -> Result<(), ParamError>;

    /// The text ids of every rule of this struct and its nested groups.
    fn rule_ids(out: &mut Vec<&'static str>);

    /// The table: every knob in declaration order, nested groups flattened.
    fn knobs() -> Vec<Knob> {
        let mut out = Vec::new();
        Self::knobs_into("", None, &mut out);
        // A knob with no section of its own is in the one before it.
        let mut section = "";
        for k in &mut out {
            if k.section.is_empty() {
                k.section = section;
            } else {
                section = k.section;
            }
        }
        out
    }

    /// The knob at `key`.
    fn knob(key: &str) -> Option<Knob> {
        Self::knobs().into_iter().find(|k| k.key == key)
    }
}

/// Checks `params` against `table` (every knob in range, in order), then the struct's rules.
pub fn validate_with<P: Knobs>(params: &P, table: &[Knob]) -> Result<(), ParamError> {
    let root = serde_json::to_value(params).expect("params serialise to JSON");
    for k in table {
        k.check(&root)?;
    }
    params.rules()
}

/// Checks `params` against its own table, then its rules.
pub fn validate<P: Knobs>(params: &P) -> Result<(), ParamError> {
    validate_with(params, &P::knobs())
}

/// A numeric field type: how its range appears in the table.
pub trait Numeric: Copy {
    fn kind(lo: Self, hi: Self) -> Kind;
}

impl Numeric for u32 {
    fn kind(lo: u32, hi: u32) -> Kind {
        Kind::Int {
            lo: lo as u64,
            hi: hi as u64,
        }
    }
}

impl Numeric for u64 {
    fn kind(lo: u64, hi: u64) -> Kind {
        Kind::Int { lo, hi }
    }
}

impl Numeric for f64 {
    fn kind(lo: f64, hi: f64) -> Kind {
        // A tenth of the span's order of magnitude, at most 1: 0..=1 -> 0.01, 0..=3 -> 0.1.
        let span = (hi - lo).abs().max(1e-9);
        let step = 10f64.powi(span.log10().floor() as i32 - 1).min(1.0);
        Kind::Real { lo, hi, step }
    }
}

/// An enum declared with [`choices!`](crate::choices).
pub trait Choice: Copy + 'static {
    const OPTIONS: &'static [Opt];
}

/// Counts token trees (for `choices!`'s `ALL`).
#[doc(hidden)]
#[macro_export]
macro_rules! __count {
    () => { 0usize };
    ($head:tt $($tail:tt)*) => { 1usize + $crate::__count!($($tail)*) };
}

/// Declares a choice enum: the enum (serde names as given), `ALL` in order, `as_str`, and the
/// options' text ids (`SCOPE.value`).
///
/// ```
/// flowlab_sim::choices! {
///     /// How many replicas must have a record.
///     pub enum Acks in "acks" {
///         Zero = "zero",
///         One = "one",
///         #[default]
///         All = "all",
///     }
/// }
/// assert_eq!(Acks::ALL.len(), 3);
/// assert_eq!(Acks::default().as_str(), "all");
/// ```
#[macro_export]
macro_rules! choices {
    (
        $(#[$emeta:meta])*
        $vis:vis enum $name:ident in $scope:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal ),* $(,)?
        }
    ) => {
        $(#[$emeta])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        $vis enum $name {
            $( $(#[$vmeta])* #[serde(rename = $value)] $variant ),*
        }

        #[allow(dead_code)]
        impl $name {
            /// Every choice, in the order the form lists them.
            pub const ALL: [$name; $crate::__count!($($variant)*)] = [$($name::$variant),*];

            /// The name in URLs and params files.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $value ),*
                }
            }
        }

        impl $crate::kernel::knobs::Choice for $name {
            const OPTIONS: &'static [$crate::kernel::knobs::Opt] = &[
                $( $crate::kernel::knobs::Opt { value: $value, text: concat!($scope, ".", $value) } ),*
            ];
        }
    };
}

/// Declares a params struct once: the struct (serde, every field defaulted, unknown fields
/// refused), `Default`, `Validate` (table-driven, then the optional `check` function), and its
/// knob table. `check f [ids];` names the rules-across-fields function and the text ids of the
/// messages it gives.
///
/// Each field: doc comment (the knob's English help), an optional `@section` starting a form
/// section, `name: Type = default => kind`, then options. Kinds: `range(lo, hi)` for numbers,
/// `choice` for enums declared with `choices!`, `switch` for `bool`, `group` for a nested struct
/// declared with `knobs!`. Options: `.le(field)` / `.ge(field)` (the bound is also that field's
/// value), `.step(x)` (form step of a real), `.adv()` (advanced: folded away by default),
/// `.live()` (applies to the running model).
#[macro_export]
macro_rules! knobs {
    (
        $(#[doc = $sdoc:literal])*
        $svis:vis struct $name:ident in $scope:literal $(check $rules:path $([$($rule_id:literal),* $(,)?])?;)? {
            $(
                $(#[doc = $doc:literal])*
                $(@ $sec:ident)?
                $field:ident : $ty:ty = $default:expr => $kind:ident $( ( $($karg:expr),* ) )? $( . $opt:ident ( $($oarg:tt)* ) )* ;
            )*
        }
    ) => {
        $(#[doc = $sdoc])*
        #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(default, deny_unknown_fields)]
        $svis struct $name {
            $( $(#[doc = $doc])* pub $field: $ty, )*
        }

        impl Default for $name {
            fn default() -> Self {
                Self { $( $field: $default, )* }
            }
        }

        impl $crate::kernel::knobs::Knobs for $name {
            const SCOPE: &'static str = $scope;
            const RULES: &'static [&'static str] = &[$($($($rule_id),*)?)?];

            #[allow(unused_variables)]
            fn knobs_into(
                prefix: &str,
                section: Option<&'static str>,
                out: &mut Vec<$crate::kernel::knobs::Knob>,
            ) {
                let defaults = <Self as Default>::default();
                $(
                    $crate::__knob!(@push out, prefix, section, defaults, $scope, $field, $ty,
                        [$($doc)*], [$($sec)?], $kind ($($($karg),*)?) [$( $opt ( $($oarg)* ) )*]);
                )*
            }

            fn rule_ids(out: &mut Vec<&'static str>) {
                out.extend_from_slice(Self::RULES);
                $( $crate::__knob!(@rule_ids out, $ty, $kind); )*
            }

            fn rules(&self) -> Result<(), $crate::kernel::model::ParamError> {
                $( $crate::__knob!(@rules self, $field, $ty, $kind); )*
                $( return $rules(self); )?
                #[allow(unreachable_code)]
                Ok(())
            }
        }

        impl $crate::kernel::model::Validate for $name {
            fn validate(&self) -> Result<(), $crate::kernel::model::ParamError> {
                $crate::kernel::knobs::validate(self)
            }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __knob {
    (@push $out:ident, $prefix:ident, $section:ident, $d:ident, $scope:literal, $field:ident, $ty:ty,
        [$($doc:literal)*], [$($sec:ident)?], group () [$($opts:tt)*]) => {{
        let start = $out.len();
        let prefix = format!("{}{}.", $prefix, stringify!($field));
        <$ty as $crate::kernel::knobs::Knobs>::knobs_into(
            &prefix,
            Some($section.unwrap_or(concat!($scope, ".", stringify!($field)))),
            $out,
        );
        // This struct's default for the group may differ from the group's own default.
        let group = serde_json::to_value(&$d.$field).unwrap_or(serde_json::Value::Null);
        for k in &mut $out[start..] {
            if let Some(v) = $crate::kernel::knobs::leaf(&group, &k.key[prefix.len()..]) {
                k.default = v.clone();
            }
        }
    }};
    (@push $out:ident, $prefix:ident, $section:ident, $d:ident, $scope:literal, $field:ident, $ty:ty,
        [$($doc:literal)*], [$($sec:ident)?], $kind:ident ($($karg:expr),*) [$($opts:tt)*]) => {{
        let mut k = $crate::kernel::knobs::Knob::new(
            format!("{}{}", $prefix, stringify!($field)),
            concat!($scope, ".", stringify!($field)),
            concat!($($doc),*),
            $crate::__knob!(@kind $ty, $kind ($($karg),*)),
        );
        k.default = serde_json::to_value(&$d.$field).unwrap_or(serde_json::Value::Null);
        k.section = match $section {
            Some(s) => s,
            None => {
                let own: &'static str = "";
                $( let own: &'static str = concat!($scope, ":", stringify!($sec)); )?
                own
            }
        };
        $crate::__knob!(@opts k, $prefix, $($opts)*);
        $out.push(k);
    }};

    (@kind $ty:ty, range ($lo:expr, $hi:expr)) => {
        <$ty as $crate::kernel::knobs::Numeric>::kind($lo, $hi)
    };
    (@kind $ty:ty, choice ()) => {
        $crate::kernel::knobs::Kind::Choice {
            options: <$ty as $crate::kernel::knobs::Choice>::OPTIONS,
        }
    };
    (@kind $ty:ty, switch ()) => {
        $crate::kernel::knobs::Kind::Switch
    };

    (@opts $k:ident, $p:ident, ) => {};
    (@opts $k:ident, $p:ident, le ($other:ident) $($rest:tt)*) => {
        $k.hi_key = Some(format!("{}{}", $p, stringify!($other)));
        $crate::__knob!(@opts $k, $p, $($rest)*);
    };
    (@opts $k:ident, $p:ident, ge ($other:ident) $($rest:tt)*) => {
        $k.lo_key = Some(format!("{}{}", $p, stringify!($other)));
        $crate::__knob!(@opts $k, $p, $($rest)*);
    };
    (@opts $k:ident, $p:ident, step ($s:expr) $($rest:tt)*) => {
        if let $crate::kernel::knobs::Kind::Real { step, .. } = &mut $k.kind {
            *step = $s;
        }
        $crate::__knob!(@opts $k, $p, $($rest)*);
    };
    (@opts $k:ident, $p:ident, adv () $($rest:tt)*) => {
        $k.advanced = true;
        $crate::__knob!(@opts $k, $p, $($rest)*);
    };
    (@opts $k:ident, $p:ident, live () $($rest:tt)*) => {
        $k.live = true;
        $crate::__knob!(@opts $k, $p, $($rest)*);
    };

    (@rules $s:ident, $field:ident, $ty:ty, group) => {
        <$ty as $crate::kernel::knobs::Knobs>::rules(&$s.$field)
            .map_err(|e| e.within(stringify!($field)))?;
    };
    (@rules $s:ident, $field:ident, $ty:ty, $other:ident) => {};

    (@rule_ids $out:ident, $ty:ty, group) => {
        <$ty as $crate::kernel::knobs::Knobs>::rule_ids($out);
    };
    (@rule_ids $out:ident, $ty:ty, $other:ident) => {};
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::choices! {
        /// A test choice.
        pub enum Colour in "colour" {
            Red = "red",
            #[default]
            Green = "green",
        }
    }

    crate::knobs! {
        /// Inner.
        pub struct Inner in "inner" {
            /// A limit.
            limit: u32 = 10 => range(1, 100);
            /// Its window.
            window_ms: u32 = 1_000 => range(1, 60_000).adv();
        }
    }

    fn outer_rules(o: &Outer) -> Result<(), ParamError> {
        if o.a as u64 * o.b as u64 > 1_000 {
            return Err(ParamError::rule(
                "b",
                o.b,
                "outer.rule.product",
                vec![o.a.to_string()],
                format!("a × b <= 1000 (a = {})", o.a),
            ));
        }
        Ok(())
    }

    crate::knobs! {
        /// Outer.
        pub struct Outer in "outer" check outer_rules ["outer.rule.product"]; {
            /// First.
            @first
            a: u32 = 3 => range(0, 50);
            /// Second, at most `a` ... and a product rule.
            b: u32 = 2 => range(0, 1_000).le(a);
            /// A share.
            @second
            share: f64 = 0.5 => range(0.0, 1.0).live();
            colour: Colour = Colour::Green => choice;
            on: bool = true => switch;
            inner: Inner = Inner::default() => group;
        }
    }

    #[test]
    fn the_table_lists_every_knob_with_keys_ranges_and_sections() {
        let t = Outer::knobs();
        let keys: Vec<&str> = t.iter().map(|k| k.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "a",
                "b",
                "share",
                "colour",
                "on",
                "inner.limit",
                "inner.window_ms"
            ]
        );
        assert_eq!(t[0].section, "outer:first");
        assert_eq!(
            t[1].section, "outer:first",
            "inherits the section before it"
        );
        assert_eq!(t[2].section, "outer:second");
        assert_eq!(t[5].section, "outer.inner", "a group is its own section");
        assert_eq!(t[5].text, "inner.limit");
        assert_eq!(t[1].hi_key.as_deref(), Some("a"));
        assert_eq!(t[2].unit, Unit::Share);
        assert_eq!(t[6].unit, Unit::Ms);
        assert!(t[6].advanced && t[2].live);
        assert_eq!(t[0].doc, "First.");
        assert_eq!(t[0].default, serde_json::json!(3));
        assert_eq!(
            t[3].kind,
            Kind::Choice {
                options: Colour::OPTIONS
            }
        );
        assert_eq!(Colour::OPTIONS[0].text, "colour.red");
        assert!(matches!(t[2].kind, Kind::Real { step, .. } if (step - 0.1).abs() < 1e-12));
    }

    #[test]
    fn validation_follows_the_table() {
        Outer::default().validate().unwrap();
        let bad = Outer {
            inner: Inner {
                limit: 0,
                ..Inner::default()
            },
            ..Outer::default()
        };
        let e = bad.validate().unwrap_err();
        assert_eq!(e.field, "inner.limit");
        assert_eq!(e.allowed, "1..=100");
        // A dependent bound names the other knob and its value.
        let e = Outer {
            b: 4,
            ..Outer::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.field, "b");
        assert_eq!(e.allowed, "0..=a (3)");
        // A rule across fields, after the ranges.
        let e = Outer {
            a: 50,
            b: 30,
            ..Outer::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.field, "b");
        assert!(matches!(&*e.rule, Rule::Text { id, .. } if *id == "outer.rule.product"));
        assert_eq!(Outer::RULES, ["outer.rule.product"]);
        // A non-finite real.
        let e = Outer {
            share: f64::NAN,
            ..Outer::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!((e.field.as_str(), e.allowed.as_str()), ("share", "0..=1"));
    }

    #[test]
    fn an_edited_table_changes_the_validation() {
        let mut t = Outer::knobs();
        let k = t.iter_mut().find(|k| k.key == "inner.limit").unwrap();
        k.kind = Kind::Int { lo: 1, hi: 5 };
        let p = Outer::default(); // inner.limit = 10
        assert!(validate(&p).is_ok());
        let e = validate_with(&p, &t).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.allowed.as_str()),
            ("inner.limit", "1..=5")
        );
    }

    #[test]
    fn bounds_in_narrow_by_the_other_knob() {
        let k = Outer::knob("b").unwrap();
        let root = serde_json::to_value(Outer::default()).unwrap();
        assert_eq!(k.bounds_in(&root), Some((0.0, 3.0)));
        assert_eq!(k.static_bounds(), Some((0.0, 1_000.0)));
    }

    #[test]
    fn units_come_from_names() {
        assert_eq!(Unit::of("traffic.rate_per_s"), Unit::PerS);
        assert_eq!(Unit::of("redis_op_us"), Unit::Us);
        assert_eq!(Unit::of("buffer_memory_bytes"), Unit::Bytes);
        assert_eq!(Unit::of("brokers"), Unit::None);
    }
}
