//! The chat lab's picture: one ring per scheme, members around it, the store in the middle.

use flowlab_sim::chat::{ChatSnapshot, FlowKind, Scheme};
use flowlab_sim::kernel::time::Nanos;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use crate::draw::{fit, BG, DROP, INK, LANE_BG, MUTED, WAIT};
use crate::i18n::{tr, Lang, T};

pub const HEIGHT_PX: f64 = 350.0;
const PUSH: &str = "#5b9cf5";
const STORED: &str = "#e8eef7";
const DUP: &str = "#ffd54a";

pub fn scheme_name(lang: Lang, s: Scheme) -> &'static str {
    tr(
        lang,
        match s {
            Scheme::OfflineCopies => T::SchemeOfflineCopies,
            Scheme::CopyPerMember => T::SchemeCopyPerMember,
            Scheme::UnreadIds => T::SchemeUnreadIds,
            Scheme::Cursor => T::SchemeCursor,
        },
    )
}

pub fn human(n: u64) -> String {
    match n {
        0..=9_999 => n.to_string(),
        10_000..=9_999_999 => format!("{:.1}k", n as f64 / 1e3),
        _ => format!("{:.1}M", n as f64 / 1e6),
    }
}

pub fn human_bytes(n: u64) -> String {
    match n {
        0..=9_999 => format!("{n} B"),
        10_000..=9_999_999 => format!("{:.1} KB", n as f64 / 1e3),
        10_000_000..=9_999_999_999 => format!("{:.1} MB", n as f64 / 1e6),
        _ => format!("{:.1} GB", n as f64 / 1e9),
    }
}

pub fn draw(canvas: &HtmlCanvasElement, snap: &ChatSnapshot, span_ns: Nanos, lang: Lang) {
    let Some(ctx) = crate::draw::context(canvas) else {
        return;
    };
    let (w, h, dpr) = fit(canvas, HEIGHT_PX);
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    ctx.set_fill_style_str(BG);
    ctx.fill_rect(0.0, 0.0, w, h);
    let m = snap.online.len().max(1);
    let panel_w = w / 4.0;
    let peak = snap
        .schemes
        .iter()
        .map(|v| v.peak_rows)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let mut sampled = false;
    for (i, view) in snap.schemes.iter().enumerate() {
        let x0 = i as f64 * panel_w;
        let cx = x0 + panel_w / 2.0;
        let cy = 150.0;
        let r = (panel_w / 2.0 - 24.0).clamp(40.0, 120.0);
        ctx.set_fill_style_str(LANE_BG);
        ctx.fill_rect(x0 + 3.0, 3.0, panel_w - 6.0, h - 6.0);
        ctx.set_fill_style_str(INK);
        ctx.set_font("600 13px system-ui, sans-serif");
        let _ = ctx.fill_text(scheme_name(lang, Scheme::ALL[i]), x0 + 10.0, 20.0);

        let pos = |j: u32, frac: f64| {
            let a = j as f64 / m as f64 * std::f64::consts::TAU - std::f64::consts::FRAC_PI_2;
            (cx + a.cos() * r * frac, cy + a.sin() * r * frac)
        };
        // The store.
        ctx.set_fill_style_str("#24324a");
        ctx.fill_rect(cx - 16.0, cy - 12.0, 32.0, 24.0);
        ctx.set_stroke_style_str(MUTED);
        ctx.stroke_rect(cx - 16.0, cy - 12.0, 32.0, 24.0);

        // Members: online bright, offline grey; a halo for what is owed to them.
        let dot = if m > 400 {
            1.2
        } else if m > 100 {
            2.0
        } else {
            3.5
        };
        for (j, &on) in snap.online.iter().enumerate() {
            let (x, y) = pos(j as u32, 1.0);
            let owed = view.owed.get(j).copied().unwrap_or(0);
            if owed > 0 {
                ctx.set_stroke_style_str(WAIT);
                ctx.set_global_alpha(0.7);
                ctx.begin_path();
                let _ = ctx.arc(
                    x,
                    y,
                    dot + 1.0 + (owed as f64).ln_1p().min(4.0),
                    0.0,
                    std::f64::consts::TAU,
                );
                ctx.stroke();
                ctx.set_global_alpha(1.0);
            }
            ctx.set_fill_style_str(if on { "#8fd3ff" } else { "#4a5568" });
            circle(&ctx, x, y, dot);
        }

        // Flows, newest first; progress is their age over the span.
        if view.dense {
            sampled = true;
        }
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
                    circle(&ctx, x, y, 2.2);
                }
                FlowKind::Stored => {
                    let (x, y) = pos(f.member, 0.3);
                    ctx.set_global_alpha((1.0 - age).max(0.1));
                    ctx.set_fill_style_str(STORED);
                    ctx.fill_rect(x - 1.5, y - 1.5, 3.0, 3.0);
                    ctx.set_global_alpha(1.0);
                }
                FlowKind::Lost => {
                    let (x, y) = pos(f.member, 1.0 + 0.25 * age);
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
        let bx = x0 + 14.0;
        let bw = panel_w - 28.0;
        let by = h - 62.0;
        ctx.set_fill_style_str("#0b1019");
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
        let _ = ctx.fill_text(
            &format!(
                "{} {} · {} {}",
                tr(lang, T::RowsStored),
                human(view.rows_stored),
                tr(lang, T::BytesStored),
                human_bytes(view.bytes_stored)
            ),
            bx,
            by + 26.0,
        );
    }
    if sampled {
        ctx.set_fill_style_str(WAIT);
        ctx.set_font("12px system-ui, sans-serif");
        let _ = ctx.fill_text(tr(lang, T::FlowsSampled), 10.0, h - 8.0);
    }
}

fn circle(ctx: &CanvasRenderingContext2d, x: f64, y: f64, r: f64) {
    ctx.begin_path();
    let _ = ctx.arc(x, y, r, 0.0, std::f64::consts::TAU);
    ctx.fill();
}
