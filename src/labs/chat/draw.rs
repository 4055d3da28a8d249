//! The chat lab's picture: one ring per scheme (the busiest group's members around the store),
//! the flows of the last moments, and a storage bar per scheme on one scale. Four rings in a row
//! on a wide screen, two by two on a phone.

use flowlab_sim::kernel::time::Nanos;
use flowlab_sim::labs::chat::{ChatSnapshot, FlowKind, Scheme};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use super::layout::{bytes, wrap, Layout, OUTSIDE, TEXT_LINE_PX, TITLE_LINE_PX};
use super::text as tx;
use crate::i18n::{count, fill, tr, tr_id, Lang};
use crate::kit::canvas::{begin, context, dot};
use crate::kit::palette::{BG, DROP, DUP, INK, LANE_BG, MUTED, WAIT};

const PUSH: &str = "#5b9cf5";
const STORED: &str = "#e8eef7";
const ONLINE: &str = "#8fd3ff";
const OFFLINE: &str = "#4a5568";
const STORE_FILL: &str = "#24324a";
const BAR_BG: &str = "#0b1019";

fn title_font(l: &Layout) -> &'static str {
    if l.panel_w < 220.0 {
        "600 12px system-ui, sans-serif"
    } else {
        "600 13px system-ui, sans-serif"
    }
}

fn measure(ctx: &CanvasRenderingContext2d, s: &str) -> f64 {
    ctx.measure_text(s).map(|m| m.width()).unwrap_or(0.0)
}

/// Draws the four rings. `lost` is each scheme's count of messages lost for good.
pub fn paint(
    canvas: &HtmlCanvasElement,
    snap: &ChatSnapshot,
    span_ns: Nanos,
    lost: &[u64; 4],
    lang: Lang,
) {
    let Some(probe) = context(canvas) else {
        return;
    };
    let w = (canvas.client_width() as f64).max(280.0);
    // Titles wrapped to the panel: every panel leaves room for the longest.
    let first = Layout::at(w, 1);
    probe.set_font(title_font(&first));
    let titles: Vec<Vec<String>> = Scheme::ALL
        .iter()
        .map(|s| {
            wrap(tr_id(lang, s.text()), first.panel_w - 20.0, |t| {
                measure(&probe, t)
            })
        })
        .collect();
    let lines = titles.iter().map(Vec::len).max().unwrap_or(1);
    let l = Layout::at(w, lines);
    let Some((ctx, w, h)) = begin(canvas, l.height, BG) else {
        return;
    };
    let m = snap.online.len().max(1);
    let peak = snap
        .schemes
        .iter()
        .map(|v| v.peak_rows)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let dot_r = if m > 400 {
        1.2
    } else if m > 100 {
        2.0
    } else {
        3.5
    };
    let mut sampled = false;
    for (i, view) in snap.schemes.iter().enumerate() {
        let (x0, y0) = l.origin(i);
        let pw = l.panel_w;
        let cx = x0 + pw / 2.0;
        let cy = y0 + l.cy;
        let r = l.r;
        ctx.set_fill_style_str(LANE_BG);
        ctx.fill_rect(x0 + 3.0, y0 + 3.0, pw - 6.0, l.panel_h - 6.0);
        ctx.set_fill_style_str(INK);
        ctx.set_font(title_font(&l));
        for (k, line) in titles[i].iter().take(l.title_lines).enumerate() {
            let _ = ctx.fill_text_with_max_width(
                line,
                x0 + 10.0,
                y0 + 20.0 + k as f64 * TITLE_LINE_PX,
                pw - 20.0,
            );
        }

        let pos = |j: u32, frac: f64| {
            let a = j as f64 / m as f64 * std::f64::consts::TAU - std::f64::consts::FRAC_PI_2;
            (cx + a.cos() * r * frac, cy + a.sin() * r * frac)
        };
        // The store.
        let sw = (r * 0.3).clamp(20.0, 32.0);
        ctx.set_fill_style_str(STORE_FILL);
        ctx.fill_rect(cx - sw / 2.0, cy - sw * 0.375, sw, sw * 0.75);
        ctx.set_stroke_style_str(MUTED);
        ctx.set_line_width(1.0);
        ctx.stroke_rect(cx - sw / 2.0, cy - sw * 0.375, sw, sw * 0.75);

        // Members: online bright, offline grey; a halo for what is owed to them.
        for (j, &on) in snap.online.iter().enumerate() {
            let (x, y) = pos(j as u32, 1.0);
            let owed = view.owed.get(j).copied().unwrap_or(0);
            if owed > 0 {
                ctx.set_stroke_style_str(WAIT);
                ctx.set_global_alpha(0.7);
                ctx.begin_path();
                let halo = dot_r + 1.0 + (owed as f64).ln_1p().min(4.0);
                let _ = ctx.arc(x, y, halo, 0.0, std::f64::consts::TAU);
                ctx.stroke();
                ctx.set_global_alpha(1.0);
            }
            ctx.set_fill_style_str(if on { ONLINE } else { OFFLINE });
            dot(&ctx, x, y, dot_r);
        }

        // Flows: their age over the span places them between the store and the member.
        sampled |= view.dense;
        for f in &view.flows {
            let age = snap.now.saturating_sub(f.at) as f64 / span_ns.max(1) as f64;
            if age > 1.0 {
                continue;
            }
            match f.kind {
                FlowKind::Push | FlowKind::Pulled | FlowKind::Duplicate => {
                    let (x, y) = pos(f.member, 0.12 + 0.88 * age);
                    ctx.set_fill_style_str(match f.kind {
                        FlowKind::Push => PUSH,
                        FlowKind::Pulled => WAIT,
                        _ => DUP,
                    });
                    dot(&ctx, x, y, 2.2);
                }
                FlowKind::Stored => {
                    let (x, y) = pos(f.member, 0.3);
                    ctx.set_global_alpha((1.0 - age).max(0.1));
                    ctx.set_fill_style_str(STORED);
                    ctx.fill_rect(x - 1.5, y - 1.5, 3.0, 3.0);
                    ctx.set_global_alpha(1.0);
                }
                FlowKind::Lost => {
                    let (x, y) = pos(f.member, 1.0 + OUTSIDE * age);
                    ctx.set_global_alpha((1.0 - age).max(0.2));
                    ctx.set_stroke_style_str(DROP);
                    ctx.set_line_width(2.0);
                    ctx.begin_path();
                    ctx.move_to(x - 4.0, y - 4.0);
                    ctx.line_to(x + 4.0, y + 4.0);
                    ctx.move_to(x + 4.0, y - 4.0);
                    ctx.line_to(x - 4.0, y + 4.0);
                    ctx.stroke();
                    ctx.set_global_alpha(1.0);
                    ctx.set_line_width(1.0);
                }
            }
        }

        // Storage bar: rows now against the largest peak of any scheme, with this scheme's peak.
        let bx = x0 + 12.0;
        let bw = pw - 24.0;
        let by = y0 + l.bar_y;
        ctx.set_fill_style_str(BAR_BG);
        ctx.fill_rect(bx, by, bw, 10.0);
        ctx.set_fill_style_str(WAIT);
        ctx.fill_rect(bx, by, bw * (view.rows_stored as f64 / peak).min(1.0), 10.0);
        ctx.set_fill_style_str(INK);
        ctx.fill_rect(
            bx + bw * (view.peak_rows as f64 / peak).min(1.0) - 1.0,
            by - 3.0,
            2.0,
            16.0,
        );
        ctx.set_font("12px system-ui, sans-serif");
        let mut y = by + 12.0 + TEXT_LINE_PX;
        let rows = fill(
            tr(lang, tx::W_ROWS),
            &[count(lang, view.rows_stored), count(lang, view.peak_rows)],
        );
        let _ = ctx.fill_text_with_max_width(&rows, bx, y, bw);
        y += TEXT_LINE_PX;
        ctx.set_fill_style_str(MUTED);
        let stored = fill(tr(lang, tx::W_BYTES), &[bytes(lang, view.bytes_stored)]);
        let _ = ctx.fill_text_with_max_width(&stored, bx, y, bw);
        if lost[i] > 0 {
            y += TEXT_LINE_PX;
            ctx.set_fill_style_str(DROP);
            let text = fill(tr(lang, tx::W_LOST), &[count(lang, lost[i])]);
            let _ = ctx.fill_text_with_max_width(&text, bx, y, bw);
        }
    }
    if sampled {
        ctx.set_fill_style_str(WAIT);
        ctx.set_font("12px system-ui, sans-serif");
        let _ = ctx.fill_text_with_max_width(tr(lang, tx::W_SAMPLED), 10.0, h - 5.0, w - 20.0);
    }
}
