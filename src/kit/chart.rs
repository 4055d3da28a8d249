//! Charts: a lab describes what to plot ([`Chart`]: series over virtual time, reference lines, the
//! kind of axis), and the kit draws it with plotters on a canvas a few times a second. The legend
//! sits above the plot area, never over the data; the y axis ends where the data does (a share
//! ends at 100 %); counts get whole-number ticks with thousands separators.

use flowlab_sim::kernel::metrics::TimeSeries;
use flowlab_sim::kernel::time::NS_PER_S;

/// What the y axis measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Axis {
    /// Whole numbers (ticks at whole numbers).
    Count,
    /// Any number.
    Real,
    /// A share, 0..=1, printed as a percentage and never past 100 %.
    Share,
    /// Milliseconds.
    Ms,
}

/// One line.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Series {
    pub name: String,
    pub color: (u8, u8, u8),
    /// (seconds of virtual time, value).
    pub points: Vec<(f64, f64)>,
    /// Drawn dashed (so a series that runs on top of another stays visible).
    pub dashed: bool,
}

/// A horizontal reference line (a limit, a capacity).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Reference {
    pub name: String,
    pub color: (u8, u8, u8),
    pub value: f64,
}

/// A chart to draw.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Chart {
    pub series: Vec<Series>,
    pub refs: Vec<Reference>,
    pub axis: Axis,
    /// Logarithmic y axis (values below 1 drawn at 1).
    pub log: bool,
    /// CSS height in pixels.
    pub height: u32,
}

impl Chart {
    pub fn new(axis: Axis) -> Self {
        Self {
            series: Vec::new(),
            refs: Vec::new(),
            axis,
            log: false,
            height: 220,
        }
    }

    /// Adds a line; a line equal to one already there is drawn dashed, so neither hides.
    pub fn line(
        mut self,
        name: impl Into<String>,
        color: (u8, u8, u8),
        points: Vec<(f64, f64)>,
    ) -> Self {
        let dashed = self
            .series
            .iter()
            .any(|s| s.points == points && !points.is_empty());
        self.series.push(Series {
            name: name.into(),
            color,
            points,
            dashed,
        });
        self
    }

    pub fn reference(mut self, name: impl Into<String>, color: (u8, u8, u8), value: f64) -> Self {
        self.refs.push(Reference {
            name: name.into(),
            color,
            value,
        });
        self
    }

    pub fn log(mut self, on: bool) -> Self {
        self.log = on;
        self
    }

    pub fn height(mut self, px: u32) -> Self {
        self.height = px;
        self
    }

    /// The x range: from the first point to the last, at least one second.
    pub fn x_range(&self) -> (f64, f64) {
        let end = self
            .series
            .iter()
            .filter_map(|s| s.points.last().map(|p| p.0))
            .fold(1.0, f64::max);
        let start = self
            .series
            .iter()
            .filter_map(|s| s.points.first().map(|p| p.0))
            .fold(end, f64::min)
            .min(end - 1.0)
            .max(0.0);
        (start, end)
    }

    /// The bottom of the y range: 0, or a round number below the data when it goes negative.
    pub fn y_min(&self) -> f64 {
        let low = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.1))
            .chain(self.refs.iter().map(|r| r.value))
            .filter(|v| v.is_finite())
            .fold(0.0, f64::min);
        if low < 0.0 && !self.log {
            -nice_ceiling(-low)
        } else {
            0.0
        }
    }

    /// The y range: from 0 to a round number just above the data and the references (a share ends
    /// at 1; counts end at a whole number).
    pub fn y_max(&self) -> f64 {
        let top = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.1))
            .chain(self.refs.iter().map(|r| r.value))
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        match self.axis {
            Axis::Share => 1.0,
            // Whole numbers: 2.5 would put ticks between them.
            Axis::Count => nice_ceiling(top).ceil(),
            _ => nice_ceiling(top),
        }
    }
}

/// The smallest of 1, 2, 2.5, 5 × 10^k at or above `x` (at least 1).
pub fn nice_ceiling(x: f64) -> f64 {
    if x.is_nan() || x <= 1.0 {
        return 1.0;
    }
    let p = 10f64.powf(x.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * p >= x - 1e-9 {
            return m * p;
        }
    }
    10.0 * p
}

/// How many y ticks to ask for at most: counts up to 5 get one per whole number (more would put
/// ticks between whole numbers, labelled twice once rounded).
pub fn y_tick_count(chart: &Chart) -> usize {
    let top = chart.y_max();
    if chart.axis == Axis::Count && !chart.log && top <= 5.0 {
        top as usize + 1
    } else {
        5
    }
}

/// A tick label for `y` on `axis`.
pub fn y_label(axis: Axis, y: f64, lang: crate::i18n::Lang) -> String {
    match axis {
        Axis::Share => format!("{:.0}%", y * 100.0),
        Axis::Count => crate::i18n::count(lang, y.round().max(0.0) as u64),
        Axis::Ms => format!("{} ms", crate::i18n::real(lang, y, 1)),
        Axis::Real => crate::i18n::real(lang, y, 2),
    }
}

/// A time tick: whole seconds on long spans, tenths on short ones (so ticks never repeat).
pub fn seconds_label(x: f64, span: f64) -> String {
    if span < 20.0 {
        format!("{x:.1}s")
    } else {
        format!("{x:.0}s")
    }
}

/// A chart as a table, for people who cannot see it or want its numbers: the time, then one
/// column per series, a row per point in time, cells in the page's language; and the reference
/// lines, named with their values.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DataTable {
    pub head: Vec<String>,
    /// Each row: its time, then one cell per series (`–` where a series has no point there).
    pub rows: Vec<(String, Vec<String>)>,
    pub refs: Vec<String>,
}

/// A value of `axis` in a table cell: more precise than a tick label.
pub fn cell_text(axis: Axis, y: f64, lang: crate::i18n::Lang) -> String {
    use crate::i18n::{count, real};
    if !y.is_finite() {
        return "–".into();
    }
    match axis {
        Axis::Share => format!("{}%", real(lang, y * 100.0, 1)),
        Axis::Count if y >= 0.0 && (y - y.round()).abs() < 1e-9 => count(lang, y.round() as u64),
        Axis::Count | Axis::Real => real(lang, y, 3),
        Axis::Ms => format!("{} ms", real(lang, y, 2)),
    }
}

/// The table of `chart`: the same series and reference lines the canvas draws.
pub fn data_table(chart: &Chart, lang: crate::i18n::Lang) -> DataTable {
    let mut head = vec![crate::i18n::tr(lang, crate::text::TABLE_TIME).to_string()];
    head.extend(chart.series.iter().map(|s| s.name.clone()));
    let mut times: Vec<f64> = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .filter(|t| t.is_finite())
        .collect();
    times.sort_by(f64::total_cmp);
    times.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
    let rows = times
        .iter()
        .map(|&t| {
            let cells = chart
                .series
                .iter()
                .map(|s| {
                    s.points
                        .iter()
                        .find(|p| (p.0 - t).abs() < 1e-9)
                        .map_or_else(|| "–".to_string(), |p| cell_text(chart.axis, p.1, lang))
                })
                .collect();
            (crate::i18n::real(lang, t, 3), cells)
        })
        .collect();
    let refs = chart
        .refs
        .iter()
        .map(|r| format!("{}: {}", r.name, cell_text(chart.axis, r.value, lang)))
        .collect();
    DataTable { head, rows, refs }
}

/// The last `n` buckets of a series as (seconds, value), values scaled by `scale`.
pub fn recent(s: &TimeSeries, n: usize, scale: f64) -> Vec<(f64, f64)> {
    let skip = s.len().saturating_sub(n);
    s.points()
        .skip(skip)
        .map(|(t, v)| (t as f64 / NS_PER_S as f64, v as f64 * scale))
        .collect()
}

#[cfg(target_arch = "wasm32")]
pub use draw::draw;

#[cfg(target_arch = "wasm32")]
mod draw {
    use plotters::prelude::*;
    use plotters_canvas::CanvasBackend;
    use web_sys::HtmlCanvasElement;

    use super::{seconds_label, y_label, y_tick_count, Chart};
    use crate::i18n::Lang;

    const BG: RGBColor = RGBColor(15, 21, 33);
    const GRID: RGBColor = RGBColor(42, 56, 80);
    const TEXT: RGBColor = RGBColor(180, 192, 210);
    /// Height of the legend strip above the plot.
    const LEGEND_PX: u32 = 22;

    /// Height of each further row of the legend, when it does not fit on one.
    const LEGEND_ROW_PX: u32 = 16;

    /// Draws `chart` on `canvas`. A legend too wide for one row wraps onto more, and the canvas
    /// grows by them (the plot keeps its height).
    pub fn draw(canvas: &HtmlCanvasElement, chart: &Chart, lang: Lang) {
        let w = (canvas.client_width().max(280)) as u32;
        let places = legend_places(canvas, chart, w as f64);
        let rows = places.iter().map(|p| p.1).max().map_or(1, |r| r + 1);
        let legend_h = LEGEND_PX + (rows - 1) * LEGEND_ROW_PX;
        let h = chart.height + legend_h - LEGEND_PX;
        if canvas.width() != w || canvas.height() != h {
            canvas.set_width(w);
            canvas.set_height(h);
        }
        let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else {
            return;
        };
        let root = backend.into_drawing_area();
        let _ = root.fill(&BG);
        let (legend, plot) = root.split_vertically(legend_h);
        legend_strip(&legend, chart, &places);
        let (x0, x1) = chart.x_range();
        let span = x1 - x0;
        let axis = chart.axis;
        let y_ticks = y_tick_count(chart);
        macro_rules! body {
            ($y:expr, $floor:expr) => {{
                let Ok(mut c) = ChartBuilder::on(&plot)
                    .margin(6)
                    .x_label_area_size(20)
                    .y_label_area_size(62)
                    .build_cartesian_2d(x0..x1, $y)
                else {
                    return;
                };
                let _ = c
                    .configure_mesh()
                    .light_line_style(GRID.mix(0.3))
                    .bold_line_style(GRID)
                    .axis_style(GRID)
                    .label_style(("sans-serif", 11).into_font().color(&TEXT))
                    .y_labels(y_ticks)
                    .x_label_formatter(&|x: &f64| seconds_label(*x, span))
                    .y_label_formatter(&|y: &f64| y_label(axis, *y, lang))
                    .draw();
                for r in &chart.refs {
                    let (cr, cg, cb) = r.color;
                    let color = RGBColor(cr, cg, cb);
                    let _ = c.draw_series(DashedLineSeries::new(
                        vec![(x0, r.value.max($floor)), (x1, r.value.max($floor))],
                        6,
                        4,
                        color.mix(0.8).stroke_width(1),
                    ));
                }
                for s in &chart.series {
                    let (cr, cg, cb) = s.color;
                    let color = RGBColor(cr, cg, cb);
                    let pts: Vec<(f64, f64)> =
                        s.points.iter().map(|&(x, y)| (x, y.max($floor))).collect();
                    if s.dashed {
                        let _ =
                            c.draw_series(DashedLineSeries::new(pts, 5, 4, color.stroke_width(2)));
                    } else {
                        let _ = c.draw_series(LineSeries::new(pts, color.stroke_width(2)));
                    }
                }
            }};
        }
        if chart.log {
            body!((1.0..chart.y_max().max(10.0)).log_scale(), 1.0);
        } else {
            body!(chart.y_min()..chart.y_max(), f64::NEG_INFINITY);
        }
        let _ = root.present();
    }

    /// The legend's items (every series, then every reference line) as they are written:
    /// (x, row) of each, rows as many as the width needs.
    fn legend_places(canvas: &HtmlCanvasElement, chart: &Chart, w: f64) -> Vec<(i32, u32)> {
        let ctx = crate::kit::canvas::context(canvas);
        if let Some(ctx) = &ctx {
            ctx.set_font("11px sans-serif");
        }
        let names = chart
            .series
            .iter()
            .map(|s| s.name.as_str())
            .chain(chart.refs.iter().map(|r| r.name.as_str()));
        let mut x = 8.0;
        let mut row = 0;
        names
            .map(|name| {
                let tw = ctx
                    .as_ref()
                    .and_then(|c| c.measure_text(name).ok())
                    .map_or(name.chars().count() as f64 * 7.0, |m| m.width());
                if x > 8.0 && x + 20.0 + tw > w - 4.0 {
                    x = 8.0;
                    row += 1;
                }
                let at = (x as i32, row);
                x += 32.0 + tw;
                at
            })
            .collect()
    }

    /// The legend, in a strip above the plot: a swatch (dashed for dashed lines and references)
    /// and the name of every series and reference line, at `places`.
    fn legend_strip(
        area: &DrawingArea<CanvasBackend, plotters::coord::Shift>,
        chart: &Chart,
        places: &[(i32, u32)],
    ) {
        let font = ("sans-serif", 11).into_font().color(&TEXT);
        let items = chart
            .series
            .iter()
            .map(|s| (s.name.as_str(), s.color, s.dashed))
            .chain(chart.refs.iter().map(|r| (r.name.as_str(), r.color, true)));
        for ((name, (r, g, b), dashed), &(x, row)) in items.zip(places) {
            let y = 11 + (row * LEGEND_ROW_PX) as i32;
            let color = RGBColor(r, g, b);
            if dashed {
                for k in 0..3 {
                    let _ = area.draw(&PathElement::new(
                        vec![(x + k * 6, y), (x + k * 6 + 3, y)],
                        color.stroke_width(2),
                    ));
                }
            } else {
                let _ = area.draw(&PathElement::new(
                    vec![(x, y), (x + 16, y)],
                    color.stroke_width(2),
                ));
            }
            let _ = area.draw(&Text::new(name.to_string(), (x + 20, y - 6), font.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_end_where_the_data_does() {
        let c = Chart::new(Axis::Share).line("hit", (0, 0, 0), vec![(0.0, 0.4), (1.0, 0.97)]);
        assert_eq!(c.y_max(), 1.0, "a share ends at 100 %");
        let c = Chart::new(Axis::Count).line("n", (0, 0, 0), vec![(0.0, 0.0), (2.0, 23_000.0)]);
        assert_eq!(c.y_max(), 25_000.0);
        let c = Chart::new(Axis::Count).reference("cap", (0, 0, 0), 1_000.0);
        assert_eq!(c.y_max(), 1_000.0);
        let c = Chart::new(Axis::Real).line("off", (0, 0, 0), vec![(0.0, -4.2), (1.0, 0.5)]);
        assert_eq!(
            (c.y_min(), c.y_max()),
            (-5.0, 1.0),
            "negative values stay on the chart"
        );
        let c = Chart::new(Axis::Count).line("n", (0, 0, 0), vec![(0.0, 0.0), (1.0, 2.2)]);
        assert_eq!(
            (c.y_max(), y_tick_count(&c)),
            (3.0, 4),
            "small counts: whole ticks"
        );
        assert_eq!(
            y_tick_count(&Chart::new(Axis::Count)),
            2,
            "an empty count chart: 0 and 1"
        );
        assert_eq!(nice_ceiling(0.3), 1.0);
        assert_eq!(nice_ceiling(7.0), 10.0);
        assert_eq!(nice_ceiling(120.0), 200.0);
    }

    #[test]
    fn equal_series_are_drawn_dashed_so_both_show() {
        let pts = vec![(0.0, 1.0), (1.0, 2.0)];
        let c = Chart::new(Axis::Count)
            .line("a", (1, 1, 1), pts.clone())
            .line("b", (2, 2, 2), pts);
        assert!(!c.series[0].dashed && c.series[1].dashed);
    }

    #[test]
    fn tick_labels() {
        use crate::i18n::Lang;
        assert_eq!(y_label(Axis::Share, 0.5, Lang::En), "50%");
        assert_eq!(y_label(Axis::Count, 25_000.0, Lang::En), "25,000");
        assert_eq!(y_label(Axis::Count, 1_000_000.0, Lang::Zh), "100万");
    }

    #[test]
    fn a_chart_as_a_table() {
        use crate::i18n::Lang;
        let c = Chart::new(Axis::Count)
            .line("a", (0, 0, 0), vec![(0.5, 1.0), (1.0, 12_345.0)])
            .line("b", (0, 0, 0), vec![(1.0, 2.0), (1.5, 3.0)])
            .reference("cap", (0, 0, 0), 10_000.0);
        let t = data_table(&c, Lang::En);
        assert_eq!(t.head, ["Time (s)", "a", "b"]);
        assert_eq!(
            t.rows,
            vec![
                ("0.5".to_string(), vec!["1".to_string(), "–".to_string()]),
                ("1".to_string(), vec!["12,345".to_string(), "2".to_string()]),
                ("1.5".to_string(), vec!["–".to_string(), "3".to_string()]),
            ]
        );
        assert_eq!(t.refs, ["cap: 10,000"]);
        let zh = data_table(&c, Lang::Zh);
        assert_eq!(zh.head[0], "时间（秒）");
        assert_eq!(zh.rows[1].1[0], "1.23万");
        assert_eq!(cell_text(Axis::Share, 0.973, Lang::En), "97.3%");
        assert_eq!(cell_text(Axis::Ms, 12.345, Lang::En), "12.35 ms");
        assert_eq!(cell_text(Axis::Count, 2.5, Lang::En), "2.5");
    }
}
