//! The results table and the checker grid, built from a run's report: the figures of the whole
//! run, a table of lanes by metric when the lab runs variants side by side, and the checkers (a
//! count of something that went wrong, marked when not zero). Plain data, tested natively.

use flowlab_sim::kernel::report::{Figure, Measure, Metric, Report, Val};

use crate::i18n::{count, real, tr, Lang};
use crate::text;

/// A shown value.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    pub metric: &'static Metric,
    pub text: String,
    /// A checker that is not zero.
    pub bad: bool,
}

/// One lane's row.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub lane: String,
    /// Text id of the lane's name.
    pub text: &'static str,
    /// One per column (`None` where the lane does not report that metric).
    pub cells: Vec<Option<Cell>>,
}

/// What the results panel shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Results {
    /// Figures of the whole run (checkers included), in report order.
    pub run: Vec<Cell>,
    /// The lanes' metrics, in the order first reported.
    pub columns: Vec<&'static Metric>,
    pub rows: Vec<Row>,
}

/// `f`'s value for people, in `lang`.
pub fn format(f: &Figure, lang: Lang) -> String {
    let ms = |ns: u64| real(lang, ns as f64 / 1e6, 1);
    match (f.metric.measure, f.val) {
        (_, Val::B(b)) => tr(lang, if b { text::YES } else { text::NO }).to_string(),
        (_, Val::Lat(p)) => {
            if p.count == 0 {
                "–".into()
            } else {
                format!(
                    "{} / {} ms",
                    ms(p.p50_ns.min(p.max_ns)),
                    ms(p.p99_ns.min(p.max_ns))
                )
            }
        }
        (Measure::Share, v) => match value(v) {
            Some(x) => format!("{}%", real(lang, x * 100.0, 1)),
            None => "–".into(),
        },
        (Measure::Millis, v) => match value(v) {
            Some(x) => format!("{} ms", real(lang, x, 1)),
            None => "–".into(),
        },
        (Measure::Seconds, v) => match value(v) {
            Some(x) => format!("{} s", real(lang, x, 3)),
            None => "–".into(),
        },
        (Measure::PerSec, v) => match value(v) {
            Some(x) => format!("{}/s", real(lang, x, 1)),
            None => "–".into(),
        },
        (_, Val::U(u)) => count(lang, u),
        (_, Val::F(x)) => real(lang, x, 2),
    }
}

fn value(v: Val) -> Option<f64> {
    match v {
        Val::U(u) => Some(u as f64),
        Val::F(x) if x.is_finite() => Some(x),
        _ => None,
    }
}

/// The results of `report`, in `lang`.
pub fn build(report: &Report, lang: Lang) -> Results {
    let mut out = Results::default();
    for f in &report.figures {
        if f.lane.is_some() && !out.columns.iter().any(|m| std::ptr::eq(*m, f.metric)) {
            out.columns.push(f.metric);
        }
    }
    out.rows = report
        .lanes
        .iter()
        .map(|l| Row {
            lane: l.id.clone(),
            text: l.text,
            cells: vec![None; out.columns.len()],
        })
        .collect();
    for f in &report.figures {
        let cell = Cell {
            metric: f.metric,
            text: format(f, lang),
            bad: f.is_bad(),
        };
        match f.lane {
            None => out.run.push(cell),
            Some(l) => {
                if let Some(c) = out.columns.iter().position(|m| std::ptr::eq(*m, f.metric)) {
                    out.rows[l].cells[c] = Some(cell);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use flowlab_sim::limiter::LimiterLab;
    use flowlab_sim::Model;

    #[test]
    fn lanes_become_rows_and_metrics_columns() {
        let mut lab = LimiterLab::new(Default::default(), 42).unwrap();
        lab.run_to(5_000_000_000);
        let r = build(&lab.figures(), Lang::En);
        assert_eq!(r.rows.len(), 5);
        assert_eq!(r.rows[0].lane, "fixed_window");
        assert!(r.columns.iter().any(|m| m.key == "accepted"));
        assert!(r
            .rows
            .iter()
            .all(|row| row.cells.iter().all(Option::is_some)));
        assert!(r.run.iter().any(|c| c.metric.key == "arrived"));
    }

    #[test]
    fn values_read_as_people_write_them() {
        use flowlab_sim::kernel::report::Report;
        use flowlab_sim::labs::flash_sale::metrics::{ANSWERED_WITHIN_1S, OVERSOLD, SUCCESS};
        let mut r = Report::new();
        r.count(&SUCCESS, 1_234_567);
        r.real(&ANSWERED_WITHIN_1S, 0.987);
        r.count(&OVERSOLD, 3);
        let en = build(&r, Lang::En);
        assert_eq!(en.run[0].text, "1,234,567");
        assert_eq!(en.run[1].text, "98.7%");
        assert!(en.run[2].bad && !en.run[0].bad);
        assert_eq!(build(&r, Lang::Zh).run[0].text, "123万");
    }
}
