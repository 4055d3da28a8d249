//! Charts drawn with plotters on a canvas, a few times a second (not every frame).

use flowlab_sim::kernel::metrics::TimeSeries;
use flowlab_sim::kernel::time::NS_PER_S;
use flowlab_sim::limiter::{Algo, LaneStats};
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

use crate::draw::{algo_name, LANE_COLORS};
use crate::i18n::{tr, Lang, T};

/// Buckets shown on the charts (the model keeps more).
const SHOWN_BUCKETS: usize = 80;

const BG: RGBColor = RGBColor(15, 21, 33);
const GRID: RGBColor = RGBColor(42, 56, 80);
const TEXT: RGBColor = RGBColor(180, 192, 210);
const GREEN: RGBColor = RGBColor(53, 196, 111);
const RED: RGBColor = RGBColor(239, 83, 80);

fn tail(s: &TimeSeries, now_ns: u64) -> Vec<(f64, f64)> {
    let start = now_ns.saturating_sub(s.bucket_ns() * SHOWN_BUCKETS as u64);
    s.points()
        .filter(|(t, _)| *t >= start)
        .map(|(t, v)| (t as f64 / NS_PER_S as f64, v as f64))
        .collect()
}

fn x_range(now_ns: u64, bucket_ns: u64) -> std::ops::Range<f64> {
    let end = now_ns as f64 / NS_PER_S as f64;
    let span = (bucket_ns * SHOWN_BUCKETS as u64) as f64 / NS_PER_S as f64;
    (end - span).max(0.0)..end.max(span)
}

fn sized(canvas: &HtmlCanvasElement, h: u32) -> Option<CanvasBackend> {
    let w = (canvas.client_width().max(320)) as u32;
    if canvas.width() != w || canvas.height() != h {
        canvas.set_width(w);
        canvas.set_height(h);
    }
    CanvasBackend::with_canvas_object(canvas.clone())
}

/// Accepted (green) and rejected (red) per interval, one small panel per algorithm.
pub fn draw_throughput(
    canvas: &HtmlCanvasElement,
    lanes: &[LaneStats; 5],
    now_ns: u64,
    lang: Lang,
) {
    let Some(backend) = sized(canvas, 440) else {
        return;
    };
    let root = backend.into_drawing_area();
    let _ = root.fill(&BG);
    let panels = root.split_evenly((5, 1));
    let y_max = lanes
        .iter()
        .map(|l| {
            tail(&l.accepted_series, now_ns)
                .iter()
                .chain(tail(&l.rejected_series, now_ns).iter())
                .map(|p| p.1)
                .fold(0.0, f64::max)
        })
        .fold(1.0, f64::max)
        * 1.15;
    for (i, area) in panels.iter().enumerate() {
        let lane = &lanes[i];
        let xr = x_range(now_ns, lane.accepted_series.bucket_ns());
        let span = xr.end - xr.start;
        let Ok(mut chart) = ChartBuilder::on(area)
            .margin(4)
            .x_label_area_size(if i == 4 { 18 } else { 0 })
            .y_label_area_size(36)
            .caption(
                algo_name(lang, Algo::ALL[i]),
                ("sans-serif", 12).into_font().color(&TEXT),
            )
            .build_cartesian_2d(xr, 0.0..y_max)
        else {
            continue;
        };
        let _ = chart
            .configure_mesh()
            .light_line_style(GRID.mix(0.3))
            .bold_line_style(GRID)
            .axis_style(GRID)
            .label_style(("sans-serif", 10).into_font().color(&TEXT))
            .y_labels(3)
            .x_labels(8)
            .x_label_formatter(&|x| seconds_label(*x, span))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .draw();
        let _ = chart.draw_series(LineSeries::new(
            tail(&lane.accepted_series, now_ns),
            GREEN.stroke_width(2),
        ));
        let _ = chart.draw_series(LineSeries::new(
            tail(&lane.rejected_series, now_ns),
            RED.stroke_width(2),
        ));
    }
    let _ = root.present();
}

/// Most accepted in the trailing window W per interval, for each algorithm, with each limit dashed.
pub fn draw_window(canvas: &HtmlCanvasElement, lanes: &[LaneStats; 5], now_ns: u64, lang: Lang) {
    let Some(backend) = sized(canvas, 300) else {
        return;
    };
    let root = backend.into_drawing_area();
    let _ = root.fill(&BG);
    let bucket = lanes[0].window_series.bucket_ns();
    let xr = x_range(now_ns, bucket);
    let span = xr.end - xr.start;
    let series: Vec<Vec<(f64, f64)>> = lanes
        .iter()
        .map(|l| tail(&l.window_series, now_ns))
        .collect();
    let y_max = series
        .iter()
        .flatten()
        .map(|p| p.1)
        .chain(lanes.iter().map(|l| l.nominal_limit()))
        .fold(1.0, f64::max)
        * 1.2;
    let Ok(mut chart) = ChartBuilder::on(&root)
        .margin(8)
        .x_label_area_size(22)
        .y_label_area_size(40)
        .build_cartesian_2d(xr.clone(), 0.0..y_max)
    else {
        return;
    };
    let _ = chart
        .configure_mesh()
        .light_line_style(GRID.mix(0.3))
        .bold_line_style(GRID)
        .axis_style(GRID)
        .label_style(("sans-serif", 11).into_font().color(&TEXT))
        .x_label_formatter(&|x| seconds_label(*x, span))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .draw();
    let mut limits: Vec<f64> = Vec::new();
    for (i, lane) in lanes.iter().enumerate() {
        let (r, g, b) = LANE_COLORS[i];
        let color = RGBColor(r, g, b);
        let limit = lane.nominal_limit();
        if !limits.iter().any(|l| (l - limit).abs() < 1e-9) {
            limits.push(limit);
            let _ = chart.draw_series(DashedLineSeries::new(
                vec![(xr.start, limit), (xr.end, limit)],
                6,
                4,
                color.mix(0.8).stroke_width(1),
            ));
            let _ = chart.draw_series(std::iter::once(Text::new(
                format!("{} {:.0}", tr(lang, T::LimitLine), limit),
                (xr.start, limit),
                ("sans-serif", 11).into_font().color(&TEXT),
            )));
        }
        let name = algo_name(lang, Algo::ALL[i]);
        if let Ok(ann) =
            chart.draw_series(LineSeries::new(series[i].clone(), color.stroke_width(2)))
        {
            ann.label(name).legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 14, y)], color.stroke_width(2))
            });
        }
    }
    let _ = chart
        .configure_series_labels()
        .background_style(BG.mix(0.85))
        .border_style(GRID)
        .label_font(("sans-serif", 11).into_font().color(&TEXT))
        .position(SeriesLabelPosition::UpperRight)
        .draw();
    let _ = root.present();
}

/// One line of a chart: name, colour, points (seconds, value).
pub type Line<'a> = (&'a str, (u8, u8, u8), Vec<(f64, f64)>);

/// Lines over virtual time, one per series (name, colour, points in (seconds, value)); `log` uses a
/// logarithmic y axis (values below 1 are drawn at 1).
pub fn draw_lines(canvas: &HtmlCanvasElement, height: u32, series: &[Line<'_>], log: bool) {
    let Some(backend) = sized(canvas, height) else {
        return;
    };
    let root = backend.into_drawing_area();
    let _ = root.fill(&BG);
    let x_end = series
        .iter()
        .flat_map(|s| s.2.last().map(|p| p.0))
        .fold(1.0, f64::max);
    let x_start = series
        .iter()
        .flat_map(|s| s.2.first().map(|p| p.0))
        .fold(x_end, f64::min)
        .min(x_end - 1.0);
    let y_max = series
        .iter()
        .flat_map(|s| s.2.iter().map(|p| p.1))
        .fold(1.0, f64::max)
        * 1.2;
    // One body for both y axes (their coordinate types differ).
    macro_rules! body {
        ($y:expr, $floor:expr) => {{
            let Ok(mut chart) = ChartBuilder::on(&root)
                .margin(8)
                .x_label_area_size(22)
                .y_label_area_size(56)
                .build_cartesian_2d(x_start..x_end, $y)
            else {
                return;
            };
            let _ = chart
                .configure_mesh()
                .light_line_style(GRID.mix(0.3))
                .bold_line_style(GRID)
                .axis_style(GRID)
                .label_style(("sans-serif", 11).into_font().color(&TEXT))
                .x_label_formatter(&|x: &f64| seconds_label(*x, x_end - x_start))
                .draw();
            for (name, (r, g, b), pts) in series {
                let color = RGBColor(*r, *g, *b);
                let pts: Vec<(f64, f64)> = pts.iter().map(|&(x, y)| (x, y.max($floor))).collect();
                if let Ok(a) = chart.draw_series(LineSeries::new(pts, color.stroke_width(2))) {
                    a.label(*name).legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 14, y)], color.stroke_width(2))
                    });
                }
            }
            let _ = chart
                .configure_series_labels()
                .background_style(BG.mix(0.85))
                .border_style(GRID)
                .label_font(("sans-serif", 11).into_font().color(&TEXT))
                .position(SeriesLabelPosition::UpperLeft)
                .draw();
        }};
    }
    if log {
        body!((1.0..y_max.max(10.0)).log_scale(), 1.0);
    } else {
        body!(0.0..y_max, 0.0);
    }
    let _ = root.present();
}

/// A time tick: whole seconds on long spans, tenths on short ones (so ticks never repeat).
fn seconds_label(x: f64, span: f64) -> String {
    if span < 20.0 {
        format!("{x:.1}s")
    } else {
        format!("{x:.0}s")
    }
}

/// The last `n` buckets of a series as (seconds, value), values scaled by `scale`.
pub fn recent(s: &TimeSeries, n: usize, scale: f64) -> Vec<(f64, f64)> {
    let skip = s.len().saturating_sub(n);
    s.points()
        .skip(skip)
        .map(|(t, v)| (t as f64 / NS_PER_S as f64, v as f64 * scale))
        .collect()
}
