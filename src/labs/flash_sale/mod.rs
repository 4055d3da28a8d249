//! The flash sale in the page: 10^8 requests, each simulated, in slices of a few milliseconds per
//! frame (the generic page runs labs that end by themselves that way). The picture draws flows as
//! bands whose width is their share of all users: honest proportions, so the 99 % refused at the
//! limiters dwarf the 0.1 % that reach the stock, and an oversell is marked in red.

pub mod text;
pub mod tour;

/// The engine lab this page shows.
pub type Engine = flowlab_sim::labs::flash_sale::Sale;

pub use view::View;

/// The engine's side: the counts the bands are drawn from.
mod view {
    use flowlab_sim::labs::flash_sale::{FlashSaleParams, FlashSaleReport, Sale};
    use flowlab_sim::Sim;
    use serde::{Deserialize, Serialize};

    use super::text as tx;
    use crate::i18n::{count, fill, tr, Lang};
    use crate::lab::view::{LabView, Look};

    /// What the picture draws: the counts so far, the users done, and the sale's size.
    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
    pub struct Pic {
        pub counts: FlashSaleReport,
        pub done: u64,
        pub users: u64,
        pub stock: u64,
    }

    pub struct View;

    impl LabView for View {
        type L = Sale;
        type Pic = Pic;
        type Info = ();
        const TIMED: bool = false;

        /// Two million users (the default sale has 10^8).
        fn quick_params() -> FlashSaleParams {
            FlashSaleParams {
                users: 2_000_000,
                ..FlashSaleParams::default()
            }
        }

        fn picture(sim: &Sim<Sale>, _look: &Look, out: &mut Pic) {
            sim.snapshot(&(), &mut out.counts);
            out.done = sim.done();
            out.users = sim.params().users;
            out.stock = sim.params().stock;
        }

        fn summary(sim: &Sim<Sale>, lang: Lang) -> String {
            let r = sim.counts();
            fill(
                tr(lang, tx::SUMMARY),
                &[
                    count(lang, sim.done()),
                    count(lang, sim.params().users),
                    count(lang, r.success),
                    count(lang, r.sold_out),
                    count(lang, r.rejected),
                    count(lang, r.success.saturating_sub(sim.params().stock)),
                ],
            )
        }
    }
}

#[cfg(target_arch = "wasm32")]
pub use ui::Ui;

#[cfg(target_arch = "wasm32")]
mod ui {
    use flowlab_sim::labs::flash_sale::Sale;
    use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
    use yew::prelude::*;

    use super::text as tx;
    use crate::i18n::{count, tr, Tx};
    use crate::kit::canvas::{begin, describe};
    use crate::kit::palette::{BG, DROP, INCOMING, INK, LANE_BG, MUTED, PASS, WAIT};
    use crate::lab::pacing::Phase;
    use crate::lab::page::{LabUi, Side};
    use crate::lab::view::{Look, Shown};

    const HEIGHT_PX: f64 = 320.0;

    pub struct Ui {
        canvas: NodeRef,
        dash: f64,
    }

    impl LabUi for Ui {
        type L = Sale;
        type V = super::View;
        const EXPLAIN: &'static [(&'static str, &'static str)] = &[
            ("flash-sale.explain.atomic.title", "flash-sale.explain.atomic"),
            ("flash-sale.explain.title", "flash-sale.explain.body"),
            ("flash-sale.explain.seed.title", "flash-sale.explain.seed"),
        ];
        const CHARTS: &'static [&'static str] = &[];

        fn new() -> Self {
            Self {
                canvas: NodeRef::default(),
                dash: 0.0,
            }
        }

        fn stage(&self, side: Side) -> Html {
            html! { <canvas id={side.id("lab-canvas")} ref={self.canvas.clone()} class="sale-canvas" role="img"></canvas> }
        }

        fn draw(&mut self, shown: &Shown<super::View>, look: &Look) {
            if look.phase == Phase::Running {
                self.dash = (self.dash + 2.0) % 24.0;
            }
            if let Some(c) = self.canvas.cast::<HtmlCanvasElement>() {
                self.paint(&c, &shown.pic, look);
                // A line of the "why" log names a stock shard: the stock counters are marked.
                if shown.why.highlighting() {
                    if let Some(ctx) = crate::kit::canvas::context(&c) {
                        let w = c.client_width() as f64;
                        let x = 20.0 + 2.0 * (w - 40.0) / 4.0;
                        crate::lab::why::outline(&ctx, x - 10.0, 32.0, 20.0, HEIGHT_PX - 92.0);
                    }
                }
                crate::lab::why::tag(&c, &shown.why);
                describe(&c, &shown.summary);
            }
        }
    }

    impl Ui {
        fn paint(&self, canvas: &HtmlCanvasElement, pic: &super::view::Pic, look: &Look) {
            let Some((ctx, w, h)) = begin(canvas, HEIGHT_PX, BG) else {
                return;
            };
            let lang = look.lang;
            let c = &pic.counts;
            let users = pic.users.max(1);
            let done = pic.done;
            let oversold = c.success.saturating_sub(pic.stock);
            // Band width is the share of all users, at most `max_band`; a flow that is not zero is
            // at least 2 px so it stays visible (the legend says so).
            let max_band = 90.0;
            let band = |n: u64| {
                if n == 0 {
                    0.0
                } else {
                    (max_band * n as f64 / users as f64).max(2.0)
                }
            };
            let narrow = w < 600.0;
            let stage = |i: f64| 20.0 + i * (w - 40.0) / 4.0;
            let mid = h / 2.0 - 30.0;
            let names: [Tx; 5] = [
                tx::W_USERS,
                tx::W_LIMITERS,
                tx::W_STOCK,
                tx::W_ORDERS,
                tx::W_DATABASE,
            ];
            for (i, name) in names.iter().enumerate() {
                let x = stage(i as f64);
                ctx.set_fill_style_str(LANE_BG);
                ctx.fill_rect(x - 8.0, 34.0, 16.0, h - 96.0);
                ctx.set_fill_style_str(INK);
                ctx.set_font(if narrow { "10px system-ui, sans-serif" } else { "12px system-ui, sans-serif" });
                let label = tr(lang, *name);
                let tw = ctx.measure_text(label).map(|m| m.width()).unwrap_or(80.0);
                // Alternate rows on narrow screens so neighbouring labels do not collide.
                let y = if narrow && i % 2 == 1 { 30.0 } else { 18.0 };
                let _ = ctx.fill_text(label, (x - tw / 2.0).clamp(4.0, w - tw - 4.0), y);
            }
            let running = look.phase == Phase::Running;
            // Each flow's label, placed once every band is drawn so that none collides.
            let labels = std::cell::RefCell::new(Vec::<(String, f64, f64)>::new());
            let flow = |x0: f64, x1: f64, y0: f64, y1: f64, n: u64, color: &str, label: Tx| {
                let b = band(n);
                if b <= 0.0 {
                    return;
                }
                self.band(&ctx, (x0, y0), (x1, y1), b, color, running);
                let text = format!("{} {}", tr(lang, label), count(lang, n));
                labels
                    .borrow_mut()
                    .push((text, (x0 + x1) / 2.0, (y0 + y1) / 2.0 - b / 2.0 - 6.0));
            };
            flow(stage(0.0), stage(1.0), mid, mid, done, INCOMING, tx::W_USERS);
            flow(
                stage(1.0),
                stage(2.0),
                mid,
                mid - 50.0,
                c.admitted - c.sold_out_from_flag,
                PASS,
                tx::W_ADMITTED,
            );
            flow(stage(1.0), stage(1.7), mid, h - 70.0, c.rejected, DROP, tx::W_REJECTED);
            flow(
                stage(1.0),
                stage(1.6),
                mid,
                mid + 60.0,
                c.sold_out_from_flag,
                WAIT,
                tx::W_FLAG,
            );
            flow(stage(2.0), stage(3.0), mid - 50.0, mid - 60.0, c.success, PASS, tx::W_SUCCESS);
            flow(
                stage(2.0),
                stage(2.6),
                mid - 50.0,
                mid + 40.0,
                c.sold_out - c.sold_out_from_flag,
                WAIT,
                tx::W_SOLD_OUT,
            );
            flow(stage(3.0), stage(4.0), mid - 60.0, mid - 60.0, c.success, PASS, tx::W_SUCCESS);
            let line = if narrow { 13.0 } else { 15.0 };
            let mut placed: Vec<(f64, f64, f64, f64)> = Vec::new();
            if oversold > 0 {
                // The oversell, in red over the orders that should not exist; its words go first,
                // under the stage names, and the flows' labels make way for them.
                let x = stage(3.0);
                ctx.set_stroke_style_str(DROP);
                ctx.set_line_width(2.0);
                ctx.stroke_rect(x - 14.0, mid - 90.0, 28.0, 60.0);
                ctx.set_fill_style_str(DROP);
                ctx.set_font("bold 14px system-ui, sans-serif");
                let text = format!("{} {}", tr(lang, tx::W_OVERSOLD), count(lang, oversold));
                let tw = ctx.measure_text(&text).map(|m| m.width()).unwrap_or(80.0);
                let tx_ = (x - tw / 2.0).clamp(4.0, (w - tw - 4.0).max(4.0));
                let y = mid - 14.0;
                ctx.set_fill_style_str(BG);
                ctx.fill_rect(tx_ - 2.0, y - 14.0, tw + 4.0, 18.0);
                ctx.set_fill_style_str(DROP);
                let _ = ctx.fill_text(&text, tx_, y);
                placed.push((tx_ - 2.0, y - 14.0, tx_ + tw + 2.0, y + 4.0));
            }
            ctx.set_font(if narrow { "11px system-ui, sans-serif" } else { "12px system-ui, sans-serif" });
            for (text, cx, y) in labels.into_inner() {
                let tw = ctx.measure_text(&text).map(|m| m.width()).unwrap_or(80.0);
                let x = (cx - tw / 2.0).clamp(4.0, (w - tw - 4.0).max(4.0));
                let (x, y) = place_label(&placed, x, y, tw, line, 44.0, h - 48.0);
                placed.push((x, y - line + 3.0, x + tw, y + 3.0));
                // A dark halo keeps the words readable over the bands.
                ctx.set_fill_style_str(BG);
                ctx.set_global_alpha(0.7);
                ctx.fill_rect(x - 2.0, y - line + 3.0, tw + 4.0, line);
                ctx.set_global_alpha(1.0);
                ctx.set_fill_style_str(INK);
                let _ = ctx.fill_text(&text, x, y);
            }
            // Progress along the bottom.
            let frac = done as f64 / users as f64;
            ctx.set_fill_style_str("#0b1019");
            ctx.fill_rect(20.0, h - 40.0, w - 40.0, 8.0);
            ctx.set_fill_style_str(PASS);
            ctx.fill_rect(20.0, h - 40.0, (w - 40.0) * frac, 8.0);
            ctx.set_fill_style_str(MUTED);
            ctx.set_font("12px system-ui, sans-serif");
            let _ = ctx.fill_text(&format!("{} / {}", count(lang, done), count(lang, users)), 20.0, h - 14.0);
        }

        /// A band from `a` to `b`, `width` wide; moving dashes while the run goes on.
        fn band(
            &self,
            ctx: &CanvasRenderingContext2d,
            (x0, y0): (f64, f64),
            (x1, y1): (f64, f64),
            width: f64,
            color: &str,
            running: bool,
        ) {
            ctx.set_stroke_style_str(color);
            ctx.set_global_alpha(0.55);
            ctx.set_line_width(width);
            ctx.begin_path();
            ctx.move_to(x0, y0);
            ctx.bezier_curve_to((x0 + x1) / 2.0, y0, (x0 + x1) / 2.0, y1, x1, y1);
            ctx.stroke();
            if running {
                ctx.set_global_alpha(0.9);
                ctx.set_line_width(1.5);
                let dash = js_sys::Array::of2(&6.0.into(), &18.0.into());
                let _ = ctx.set_line_dash(&dash);
                ctx.set_line_dash_offset(-self.dash);
                ctx.stroke();
                let _ = ctx.set_line_dash(&js_sys::Array::new());
            }
            ctx.set_global_alpha(1.0);
        }
    }

    /// Where a label `tw` wide goes: at `(x, y)` (its baseline) if it overlaps no label placed
    /// before, else the nearest line above or below that is free, within `top..=bottom`.
    fn place_label(
        placed: &[(f64, f64, f64, f64)],
        x: f64,
        y: f64,
        tw: f64,
        line: f64,
        top: f64,
        bottom: f64,
    ) -> (f64, f64) {
        let free = |y: f64| {
            let (l, t, r, b) = (x, y - line + 3.0, x + tw, y + 3.0);
            placed
                .iter()
                .all(|&(pl, pt, pr, pb)| r <= pl || l >= pr || b <= pt || t >= pb)
        };
        for k in 0..12 {
            for dy in [k as f64 * line, -(k as f64) * line] {
                let cand = y + dy;
                if (top..=bottom).contains(&cand) && free(cand) {
                    return (x, cand);
                }
            }
        }
        (x, y)
    }
}
