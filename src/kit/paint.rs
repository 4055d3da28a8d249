//! Drawing many marks without spending the frame on them.
//!
//! - Styles (colours, fonts) are made into JavaScript strings once and reused: setting a style
//!   passes a reference, not text to decode ([`fill_style`], [`stroke_style`], [`font`]).
//! - [`Marks`] takes a picture's particles (dots, squares, rings, crosses, short segments) and
//!   draws them all at once: it rasterises them itself, antialiased, into a pixel buffer, and puts
//!   that on the canvas with one `drawImage` (a canvas path of a thousand small circles costs the
//!   browser about 5 ms to fill; a thousand marks here cost about 0.1 ms, and the buffer about
//!   1 ms for a full-width picture).
//! - Level of detail: at most one mark of a kind (shape, size, colour) per pixel is kept (the most
//!   opaque), so the cost follows the area drawn, not the number of marks offered.
//! - Each kind of dot, square, ring or cross is rasterised once into a coverage sprite and stamped
//!   at whole device pixels: no square root or division per pixel of a mark.

use std::cell::RefCell;
use std::collections::HashMap;

use wasm_bindgen::prelude::*;
use web_sys::CanvasRenderingContext2d;

#[wasm_bindgen(inline_js = r#"
export function flowlab_fill_style(ctx, v) { ctx.fillStyle = v; }
export function flowlab_stroke_style(ctx, v) { ctx.strokeStyle = v; }
export function flowlab_font(ctx, v) { ctx.font = v; }
"#)]
extern "C" {
    fn flowlab_fill_style(ctx: &CanvasRenderingContext2d, v: &JsValue);
    fn flowlab_stroke_style(ctx: &CanvasRenderingContext2d, v: &JsValue);
    fn flowlab_font(ctx: &CanvasRenderingContext2d, v: &JsValue);
}

/// Strings kept as JavaScript strings (a style set many times a frame crosses once).
const MAX_CACHED: usize = 1_024;

thread_local! {
    static STRINGS: RefCell<HashMap<Box<str>, JsValue>> = RefCell::new(HashMap::new());
}

/// `s` as a JavaScript string, made once.
pub fn js_str(s: &str) -> JsValue {
    STRINGS.with(|m| {
        let mut m = m.borrow_mut();
        if let Some(v) = m.get(s) {
            return v.clone();
        }
        if m.len() >= MAX_CACHED {
            m.clear();
        }
        let v = JsValue::from_str(s);
        m.insert(s.into(), v.clone());
        v
    })
}

/// Sets the fill style (a CSS colour) from the cache.
pub fn fill_style(ctx: &CanvasRenderingContext2d, s: &str) {
    flowlab_fill_style(ctx, &js_str(s));
}

/// Sets the stroke style (a CSS colour) from the cache.
pub fn stroke_style(ctx: &CanvasRenderingContext2d, s: &str) {
    flowlab_stroke_style(ctx, &js_str(s));
}

/// Sets the font (CSS font shorthand) from the cache.
pub fn font(ctx: &CanvasRenderingContext2d, s: &str) {
    flowlab_font(ctx, &js_str(s));
}

/// A table of colours made once (`make(i)` for `i` in `0..n`): labs that colour by node or by key
/// pick from it instead of formatting a colour string per mark. Its strings live as long as the
/// page (make it once, in a `thread_local!` or a lab's picture).
pub struct ColorTable {
    colors: Vec<&'static str>,
}

impl ColorTable {
    pub fn new(n: usize, make: impl Fn(usize) -> String) -> Self {
        Self {
            colors: (0..n.max(1))
                .map(|i| &*Box::leak(make(i).into_boxed_str()))
                .collect(),
        }
    }

    /// Colour `i` (wrapping).
    pub fn get(&self, i: usize) -> &'static str {
        self.colors[i % self.colors.len()]
    }
}

/// A CSS colour as red, green, blue: `#rgb`, `#rrggbb`, `rgb(r, g, b)`, `rgba(…)` and
/// `hsl(h, s%, l%)`; anything else is grey.
pub fn parse_color(s: &str) -> (u8, u8, u8) {
    const GREY: (u8, u8, u8) = (128, 128, 128);
    let s = s.trim();
    if let Some(hex) = s.strip_prefix('#') {
        let d = |i: usize, n: usize| u8::from_str_radix(hex.get(i..i + n)?, 16).ok();
        return match hex.len() {
            6 => (|| Some((d(0, 2)?, d(2, 2)?, d(4, 2)?)))().unwrap_or(GREY),
            3 => (|| Some((d(0, 1)? * 17, d(1, 1)? * 17, d(2, 1)? * 17)))().unwrap_or(GREY),
            _ => GREY,
        };
    }
    let args = |body: &str| -> Vec<f64> {
        body.split(',')
            .filter_map(|p| p.trim().trim_end_matches('%').trim().parse::<f64>().ok())
            .collect()
    };
    let inner = |prefix: &str| {
        s.strip_prefix(prefix)
            .and_then(|r| r.strip_prefix('('))
            .and_then(|r| r.strip_suffix(')'))
    };
    if let Some(body) = inner("rgb").or_else(|| inner("rgba")) {
        let a = args(body);
        if a.len() >= 3 {
            let c = |v: f64| v.clamp(0.0, 255.0).round() as u8;
            return (c(a[0]), c(a[1]), c(a[2]));
        }
        return GREY;
    }
    if let Some(body) = inner("hsl").or_else(|| inner("hsla")) {
        let a = args(body);
        if a.len() >= 3 {
            let (h, s, l) = (a[0].rem_euclid(360.0), a[1] / 100.0, a[2] / 100.0);
            let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
            let hp = h / 60.0;
            let x = c * (1.0 - (hp % 2.0 - 1.0).abs());
            let (r, g, b) = match hp as u32 {
                0 => (c, x, 0.0),
                1 => (x, c, 0.0),
                2 => (0.0, c, x),
                3 => (0.0, x, c),
                4 => (x, 0.0, c),
                _ => (c, 0.0, x),
            };
            let m = l - c / 2.0;
            let v = |t: f64| ((t + m) * 255.0).clamp(0.0, 255.0).round() as u8;
            return (v(r), v(g), v(b));
        }
    }
    GREY
}

/// The shape of a mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A filled circle; size is the radius.
    Dot,
    /// A filled square; size is the side.
    Square,
    /// A stroked circle; size is the radius.
    Ring,
    /// A stroked ×; size is how far it reaches from its centre.
    Cross,
}

/// Which mark sits at a (kind, pixel) key this frame: open addressing, emptied by moving to the
/// next generation (no clearing).
#[derive(Default)]
struct Places {
    /// (generation, key, mark index).
    slots: Vec<(u32, u64, u32)>,
    generation: u32,
    len: usize,
}

impl Places {
    fn clear(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            // Wrapped: old slots could look current.
            self.slots.fill((0, 0, 0));
            self.generation = 1;
        }
        self.len = 0;
    }

    #[inline(always)]
    fn slot(&self, key: u64) -> usize {
        let h = key.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        (h >> 32) as usize & (self.slots.len() - 1)
    }

    /// The mark at `key`, or `None` after recording `index` there.
    fn get_or_insert(&mut self, key: u64, index: u32) -> Option<u32> {
        if self.generation == 0 {
            self.generation = 1;
        }
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = self.slot(key);
        loop {
            let (g, k, v) = self.slots[i];
            if g != self.generation {
                self.slots[i] = (self.generation, key, index);
                self.len += 1;
                return None;
            }
            if k == key {
                return Some(v);
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let old = std::mem::take(&mut self.slots);
        self.slots = vec![(0, 0, 0); (old.len() * 2).max(1_024)];
        self.len = 0;
        let generation = self.generation;
        for (g, k, v) in old {
            if g == generation {
                self.get_or_insert(k, v);
            }
        }
    }
}

/// Marks of one kind: a shape, its size and line width, a colour.
#[derive(Clone, Debug)]
struct Kind {
    shape: Shape,
    size: f32,
    line: f32,
    style: &'static str,
    rgb: (u8, u8, u8),
}

/// What a mark's coordinates are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    /// A shape centred on (x, y).
    Point,
    /// A segment from (x, y) to (x2, y2).
    Segment,
    /// A rectangle at (x, y), x2 wide and y2 tall.
    Rect,
}

#[derive(Clone, Copy, Debug)]
struct Mark {
    kind: u16,
    alpha: f32,
    x: f32,
    y: f32,
    x2: f32,
    y2: f32,
    form: Form,
}

/// Marks collected over a frame and drawn at once (see the module's notes). Keep one in the lab's
/// picture and reuse it: its buffers stay allocated.
#[derive(Default)]
pub struct Marks {
    kinds: Vec<Kind>,
    marks: Vec<Mark>,
    /// (kind, pixel) -> the mark kept there.
    at: Places,
    offered: usize,
    /// Opaque background: see [`Marks::ground`].
    ground: Option<(u8, u8, u8)>,
    layer: Layer,
    /// Each kind's sprite at `sprites_dpr` (made when first stamped).
    sprites: Vec<Option<Sprite>>,
    sprites_dpr: f32,
}

/// A mark's coverage, rasterised once: `size` × `size` device pixels around the pixel its centre
/// falls in (`reach` pixels each side), 0..=255 each.
struct Sprite {
    reach: usize,
    size: usize,
    cov: Vec<u8>,
}

impl Sprite {
    /// The coverage of a `shape` of `size` and `line` (device pixels) centred on a pixel's centre.
    fn new(shape: Shape, size: f32, line: f32) -> Self {
        let extent = match shape {
            Shape::Dot | Shape::Square => size,
            Shape::Ring | Shape::Cross => size + line,
        };
        let reach = (hi(extent, 0.5).ceil() as usize + 1).min(256);
        let side = 2 * reach + 1;
        let mut layer = Layer::default();
        layer.resize(side, side);
        let c = reach as f32 + 0.5;
        let white = ((255, 255, 255), 1.0);
        match shape {
            Shape::Dot => layer.disc(c, c, size, white),
            Shape::Square => {
                let h = size / 2.0;
                layer.rect(c - h, c - h, c + h, c + h, white)
            }
            Shape::Ring => layer.ring(c, c, size, line, white),
            Shape::Cross => {
                layer.segment(c - size, c - size, c + size, c + size, line, white);
                layer.segment(c + size, c - size, c - size, c + size, line, white);
            }
        }
        Self {
            reach,
            size: side,
            cov: layer.px.iter().map(|p| (p >> 24) as u8).collect(),
        }
    }
}

impl Marks {
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets the marks (keeps the buffers).
    pub fn clear(&mut self) {
        self.marks.clear();
        self.at.clear();
        self.offered = 0;
        self.ground = None;
    }

    /// Marks offered since the last clear.
    pub fn offered(&self) -> usize {
        self.offered
    }

    /// Marks kept to draw (at most one of a kind per pixel).
    pub fn kept(&self) -> usize {
        self.marks.len()
    }

    fn kind(&mut self, shape: Shape, size: f64, line: f64, style: &'static str) -> u16 {
        let (size, line) = (size as f32, line as f32);
        let found = self.kinds.iter().position(|k| {
            k.shape == shape && k.size == size && k.line == line && std::ptr::eq(k.style, style)
        });
        match found {
            Some(i) => i as u16,
            None if self.kinds.len() < u16::MAX as usize => {
                self.kinds.push(Kind {
                    shape,
                    size,
                    line,
                    style,
                    rgb: parse_color(style),
                });
                (self.kinds.len() - 1) as u16
            }
            // Past 65,535 kinds in a page's life (colours made on the fly): start again.
            None => {
                self.kinds.clear();
                self.sprites.clear();
                self.marks.clear();
                self.at.clear();
                self.kind(shape, size as f64, line as f64, style)
            }
        }
    }

    /// A mark at (x, y) (CSS pixels): `size` as [`Shape`] says, `line` the stroke width (strokes
    /// only), `style` a CSS colour, `alpha` its opacity. Of marks of one kind on one pixel, the
    /// most opaque is kept.
    #[allow(clippy::too_many_arguments)]
    pub fn add(
        &mut self,
        shape: Shape,
        size: f64,
        line: f64,
        style: &'static str,
        alpha: f64,
        x: f64,
        y: f64,
    ) {
        self.offered += 1;
        let alpha = alpha.clamp(0.0, 1.0) as f32;
        if alpha < 1.0 / 64.0 || !x.is_finite() || !y.is_finite() || !size.is_finite() {
            return;
        }
        let kind = self.kind(shape, size, line, style);
        let key = ((kind as u64) << 48)
            ^ (((x.round() as i64 as u64) & 0xff_ffff) << 24)
            ^ ((y.round() as i64 as u64) & 0xff_ffff);
        match self.at.get_or_insert(key, self.marks.len() as u32) {
            Some(i) => {
                let m = &mut self.marks[i as usize];
                m.alpha = hi(m.alpha, alpha);
            }
            None => {
                self.marks.push(Mark {
                    kind,
                    alpha,
                    x: x as f32,
                    y: y as f32,
                    x2: 0.0,
                    y2: 0.0,
                    form: Form::Point,
                });
            }
        }
    }

    /// A filled circle of radius `r`.
    pub fn dot(&mut self, style: &'static str, alpha: f64, x: f64, y: f64, r: f64) {
        self.add(Shape::Dot, r, 0.0, style, alpha, x, y);
    }

    /// A filled square of side `side`, centred on (x, y).
    pub fn square(&mut self, style: &'static str, alpha: f64, x: f64, y: f64, side: f64) {
        self.add(Shape::Square, side, 0.0, style, alpha, x, y);
    }

    /// A stroked circle of radius `r`, `line` wide.
    pub fn ring(&mut self, style: &'static str, alpha: f64, x: f64, y: f64, r: f64, line: f64) {
        self.add(Shape::Ring, r, line, style, alpha, x, y);
    }

    /// A stroked × reaching `r` from (x, y), `line` wide.
    pub fn cross(&mut self, style: &'static str, alpha: f64, x: f64, y: f64, r: f64, line: f64) {
        self.add(Shape::Cross, r, line, style, alpha, x, y);
    }

    /// A short stroked segment, `line` wide (all are kept).
    #[allow(clippy::too_many_arguments)]
    pub fn segment(
        &mut self,
        style: &'static str,
        alpha: f64,
        line: f64,
        x1: f64,
        y1: f64,
        x2: f64,
        y2: f64,
    ) {
        self.offered += 1;
        let alpha = alpha.clamp(0.0, 1.0) as f32;
        if alpha < 1.0 / 64.0 || ![x1, y1, x2, y2].iter().all(|v| v.is_finite()) {
            return;
        }
        let kind = self.kind(Shape::Cross, 0.0, line, style);
        self.marks.push(Mark {
            kind,
            alpha,
            x: x1 as f32,
            y: y1 as f32,
            x2: x2 as f32,
            y2: y2 as f32,
            form: Form::Segment,
        });
    }

    /// A filled rectangle (all are kept, in order with the other marks).
    #[allow(clippy::too_many_arguments)]
    pub fn rect(&mut self, style: &'static str, alpha: f64, x: f64, y: f64, w: f64, h: f64) {
        self.offered += 1;
        let alpha = alpha.clamp(0.0, 1.0) as f32;
        if alpha < 1.0 / 64.0 || ![x, y, w, h].iter().all(|v| v.is_finite()) || w <= 0.0 || h <= 0.0
        {
            return;
        }
        let kind = self.kind(Shape::Square, 0.0, 0.0, style);
        self.marks.push(Mark {
            kind,
            alpha,
            x: x as f32,
            y: y as f32,
            x2: w as f32,
            y2: h as f32,
            form: Form::Rect,
        });
    }

    /// A stroked rectangle's outline, `line` wide, inside (x, y, w, h).
    #[allow(clippy::too_many_arguments)]
    pub fn outline(
        &mut self,
        style: &'static str,
        alpha: f64,
        line: f64,
        x: f64,
        y: f64,
        w: f64,
        h: f64,
    ) {
        let l = line.min(w / 2.0).min(h / 2.0);
        self.rect(style, alpha, x, y, w, l);
        self.rect(style, alpha, x, y + h - l, w, l);
        self.rect(style, alpha, x, y + l, l, h - 2.0 * l);
        self.rect(style, alpha, x + w - l, y + l, l, h - 2.0 * l);
    }

    /// Makes the marks the bottom of the picture: the whole canvas is painted, `style` where no
    /// mark is, and put on the canvas as it is (what was drawn before is replaced). Draw the
    /// picture's background as marks ([`Marks::rect`]), then its particles, paint, then the words
    /// and boxes on top. The cheapest way to draw a busy picture.
    pub fn ground(&mut self, style: &'static str) {
        self.ground = Some(parse_color(style));
    }

    /// Rasterises the marks (in the order they were first added) into a `w` × `h` device-pixel
    /// buffer at `dpr` device pixels per CSS pixel. Returns the rectangle touched (x, y, w, h).
    fn rasterise(&mut self, w: usize, h: usize, dpr: f32) -> Option<(usize, usize, usize, usize)> {
        self.layer.resize(w, h);
        if let Some(rgb) = self.ground {
            self.layer.fill(rgb);
        }
        if self.sprites_dpr != dpr {
            self.sprites.clear();
            self.sprites_dpr = dpr;
        }
        self.sprites.resize_with(self.kinds.len(), || None);
        for m in &self.marks {
            let k = &self.kinds[m.kind as usize];
            let (x, y) = (m.x * dpr, m.y * dpr);
            let (size, line) = (k.size * dpr, (k.line * dpr).max(0.5));
            let c = (k.rgb, m.alpha);
            match m.form {
                Form::Segment => {
                    self.layer.segment(x, y, m.x2 * dpr, m.y2 * dpr, line, c);
                    continue;
                }
                Form::Rect => {
                    self.layer.rect(x, y, x + m.x2 * dpr, y + m.y2 * dpr, c);
                    continue;
                }
                Form::Point => {}
            }
            // Stamped from the kind's sprite, at the device pixel the centre falls in.
            let sprite = self.sprites[m.kind as usize]
                .get_or_insert_with(|| Sprite::new(k.shape, size, line));
            let a = (m.alpha * 255.0 + 0.5) as u32;
            self.layer.stamp(x, y, sprite, k.rgb, a);
        }
        if self.ground.is_some() {
            Some((0, 0, w, h))
        } else {
            self.layer.dirty()
        }
    }

    /// Draws the marks on `ctx`'s canvas (over what is there, or as its ground: see
    /// [`Marks::ground`]) and clears them.
    pub fn paint(&mut self, ctx: &CanvasRenderingContext2d) {
        if self.marks.is_empty() && self.ground.is_none() {
            return;
        }
        let Some(canvas) = ctx.canvas() else {
            self.clear();
            return;
        };
        let (w, h) = (canvas.width() as usize, canvas.height() as usize);
        // The ratio `canvas::fit` sized the backing store with.
        let dpr = web_sys::window()
            .map(|w| w.device_pixel_ratio())
            .unwrap_or(1.0)
            .clamp(1.0, 3.0) as f32;
        let r = self.rasterise(w, h, dpr);
        match (r, self.ground) {
            (Some(_), Some(_)) => self.layer.put_all(ctx),
            (Some(rect), None) => self.layer.blit(ctx, rect),
            (None, _) => {}
        }
        self.clear();
    }
}

/// Side of the tiles the layer tracks as touched (device pixels): only touched tiles are put on
/// the canvas.
const TILE: usize = 32;

// Plain comparisons: `f32::min` and friends become calls in the size-optimised build.
#[inline(always)]
fn lo(a: f32, b: f32) -> f32 {
    if a < b {
        a
    } else {
        b
    }
}

#[inline(always)]
fn hi(a: f32, b: f32) -> f32 {
    if a > b {
        a
    } else {
        b
    }
}

#[inline(always)]
fn unit(a: f32) -> f32 {
    lo(hi(a, 0.0), 1.0)
}

/// A pixel as stored: red in the low byte, then green, blue, alpha (the bytes `ImageData` wants on
/// a little-endian machine, which wasm is).
#[inline(always)]
fn pack((r, g, b): (u8, u8, u8), a: u32) -> u32 {
    r as u32 | (g as u32) << 8 | (b as u32) << 16 | a << 24
}

/// A transparent pixel buffer marks are rasterised into (RGBA, not premultiplied, as `ImageData`
/// wants), and the hidden canvas it goes through on its way to the picture.
#[derive(Default)]
struct Layer {
    w: usize,
    h: usize,
    px: Vec<u32>,
    /// Tiles touched since the last blit, row by row.
    tiles: Vec<bool>,
    tiles_w: usize,
    /// The rectangle touched since the last blit: x0, y0, x1, y1 (exclusive).
    dirty: Option<(usize, usize, usize, usize)>,
    scratch: Vec<u32>,
    canvas: Option<web_sys::HtmlCanvasElement>,
}

/// `px` as the bytes `ImageData` takes.
fn bytes(px: &[u32]) -> &[u8] {
    // SAFETY: u32 has no padding and any byte pattern is a valid u8; the length is in bytes.
    unsafe { std::slice::from_raw_parts(px.as_ptr() as *const u8, std::mem::size_of_val(px)) }
}

impl Layer {
    fn resize(&mut self, w: usize, h: usize) {
        if (w, h) != (self.w, self.h) {
            self.w = w;
            self.h = h;
            self.px.clear();
            self.px.resize(w * h, 0);
            self.tiles_w = w.div_ceil(TILE);
            self.tiles.clear();
            self.tiles.resize(self.tiles_w * h.div_ceil(TILE), false);
            self.dirty = None;
        }
    }

    fn dirty(&self) -> Option<(usize, usize, usize, usize)> {
        self.dirty
            .filter(|d| d.2 > d.0 && d.3 > d.1)
            .map(|(x0, y0, x1, y1)| (x0, y0, x1 - x0, y1 - y0))
    }

    /// Touched runs of tiles, row by row: (x, y, w, h) in pixels.
    fn runs(&self) -> Vec<(usize, usize, usize, usize)> {
        let mut out = Vec::new();
        if self.tiles_w == 0 {
            return out;
        }
        for (ty, row) in self.tiles.chunks(self.tiles_w).enumerate() {
            let mut tx = 0;
            while tx < row.len() {
                if !row[tx] {
                    tx += 1;
                    continue;
                }
                let start = tx;
                while tx < row.len() && row[tx] {
                    tx += 1;
                }
                let (x, y) = (start * TILE, ty * TILE);
                out.push((
                    x,
                    y,
                    (tx * TILE).min(self.w) - x,
                    (y + TILE).min(self.h) - y,
                ));
            }
        }
        out
    }

    /// Pixels (x0..x1, y0..y1) clipped to the buffer, marked touched.
    fn span(&mut self, x0: f32, y0: f32, x1: f32, y1: f32) -> Option<(usize, usize, usize, usize)> {
        let cx = |v: f32| (hi(v, 0.0) as usize).min(self.w);
        let cy = |v: f32| (hi(v, 0.0) as usize).min(self.h);
        let (a, b, c, d) = (
            cx(x0.floor()),
            cy(y0.floor()),
            cx(x1.ceil() + 1.0),
            cy(y1.ceil() + 1.0),
        );
        if a >= c || b >= d {
            return None;
        }
        self.dirty = Some(match self.dirty {
            None => (a, b, c, d),
            Some((p, q, r, s)) => (p.min(a), q.min(b), r.max(c), s.max(d)),
        });
        for ty in b / TILE..=(d - 1) / TILE {
            let row = ty * self.tiles_w;
            self.tiles[row + a / TILE..=row + (c - 1) / TILE].fill(true);
        }
        Some((a, b, c, d))
    }

    /// Stamps `sprite` in colour `rgb` at opacity `a` (0..=255) on the device pixel (x, y) falls in.
    fn stamp(&mut self, x: f32, y: f32, sprite: &Sprite, rgb: (u8, u8, u8), a: u32) {
        if a == 0 || !x.is_finite() || !y.is_finite() {
            return;
        }
        let (x0, y0) = (
            x.floor() - sprite.reach as f32,
            y.floor() - sprite.reach as f32,
        );
        let last = sprite.size as f32 - 1.0;
        let Some((a0, b0, a1, b1)) = self.span(x0, y0, x0 + last, y0 + last) else {
            return;
        };
        let (sx, sy) = (x0 as i64, y0 as i64);
        for py in b0..b1 {
            let Some(row) = sprite.cov.get((py as i64 - sy) as usize * sprite.size..) else {
                return;
            };
            for px in a0..a1 {
                let c = row.get((px as i64 - sx) as usize).copied().unwrap_or(0) as u32;
                if c != 0 {
                    let ca = if a >= 255 { c } else { (c * a + 127) / 255 };
                    self.blend_a(px, py, rgb, ca);
                }
            }
        }
    }

    /// Blends colour `rgb` at coverage `cov` (0..=1) over pixel (x, y).
    #[inline(always)]
    fn blend(&mut self, x: usize, y: usize, rgb: (u8, u8, u8), cov: f32) {
        self.blend_a(x, y, rgb, (lo(cov, 1.0) * 255.0 + 0.5) as u32);
    }

    /// Blends colour `rgb` at opacity `a` (0..=255) over pixel (x, y).
    #[inline(always)]
    fn blend_a(&mut self, x: usize, y: usize, rgb: (u8, u8, u8), a: u32) {
        if a == 0 {
            return;
        }
        let Some(p) = self.px.get_mut(y * self.w + x) else {
            return;
        };
        let d = *p;
        let da = d >> 24;
        if da == 0 || a == 255 {
            // Over nothing, or fully over: the colour itself.
            *p = pack(rgb, a);
            return;
        }
        // Source over destination, not premultiplied: out = a + da (1 - a).
        let keep = da * (255 - a) / 255;
        let out = a + keep;
        let half = out / 2;
        let (r, g, b) = (rgb.0 as u32, rgb.1 as u32, rgb.2 as u32);
        let mr = (r * a + (d & 0xff) * keep + half) / out;
        let mg = (g * a + (d >> 8 & 0xff) * keep + half) / out;
        let mb = (b * a + (d >> 16 & 0xff) * keep + half) / out;
        *p = mr | mg << 8 | mb << 16 | (if out > 255 { 255 } else { out }) << 24;
    }

    #[inline(always)]
    fn disc(&mut self, cx: f32, cy: f32, r: f32, (rgb, alpha): ((u8, u8, u8), f32)) {
        let r = hi(r, 0.3);
        let Some((x0, y0, x1, y1)) = self.span(cx - r - 1.0, cy - r - 1.0, cx + r, cy + r) else {
            return;
        };
        // Small dots cover less than a pixel: scale by their size so they do not grow.
        let scale = lo(r * 2.0, 1.0) * alpha;
        let (inner, outer) = (hi(r - 0.5, 0.0), r + 0.5);
        let (inner2, outer2) = (inner * inner, outer * outer);
        for y in y0..y1 {
            let dy = y as f32 + 0.5 - cy;
            for x in x0..x1 {
                let dx = x as f32 + 0.5 - cx;
                let d2 = dx * dx + dy * dy;
                if d2 >= outer2 {
                    continue;
                }
                let cov = if d2 <= inner2 { 1.0 } else { outer - d2.sqrt() };
                self.blend(x, y, rgb, lo(cov, 1.0) * scale);
            }
        }
    }

    /// A filled rectangle from (l, t) to (r, b), its edges antialiased.
    #[inline(always)]
    fn rect(&mut self, l: f32, t: f32, r: f32, b: f32, (rgb, alpha): ((u8, u8, u8), f32)) {
        let Some((x0, y0, x1, y1)) = self.span(l - 1.0, t - 1.0, r, b) else {
            return;
        };
        // Whole pixels inside, filled in one go when opaque.
        let (ix0, ix1) = (
            (hi(l.ceil(), 0.0) as usize).clamp(x0, x1),
            (hi(r.floor(), 0.0) as usize).clamp(x0, x1),
        );
        let solid = alpha >= 1.0;
        let color = pack(rgb, 255);
        for y in y0..y1 {
            let oy = unit(lo(y as f32 + 1.0, b) - hi(y as f32, t));
            if oy <= 0.0 {
                continue;
            }
            if solid && oy >= 1.0 && ix0 < ix1 {
                let row = y * self.w;
                self.px[row + ix0..row + ix1].fill(color);
                for x in (x0..ix0).chain(ix1..x1) {
                    let ox = unit(lo(x as f32 + 1.0, r) - hi(x as f32, l));
                    self.blend(x, y, rgb, ox);
                }
                continue;
            }
            for x in x0..x1 {
                let ox = unit(lo(x as f32 + 1.0, r) - hi(x as f32, l));
                self.blend(x, y, rgb, ox * oy * alpha);
            }
        }
    }

    /// Every pixel `rgb`, opaque.
    fn fill(&mut self, rgb: (u8, u8, u8)) {
        self.px.fill(pack(rgb, 255));
    }

    /// Puts the whole buffer on `ctx`'s canvas as it is (opaque: see [`Marks::ground`]).
    fn put_all(&mut self, ctx: &CanvasRenderingContext2d) {
        if let Ok(data) = web_sys::ImageData::new_with_u8_clamped_array_and_sh(
            wasm_bindgen::Clamped(bytes(&self.px)),
            self.w as u32,
            self.h as u32,
        ) {
            let _ = ctx.put_image_data(&data, 0.0, 0.0);
        }
        self.tiles.fill(false);
        self.dirty = None;
    }

    #[inline(always)]
    fn ring(&mut self, cx: f32, cy: f32, r: f32, line: f32, (rgb, alpha): ((u8, u8, u8), f32)) {
        let half = hi(line / 2.0, 0.5);
        let reach = r + half + 1.0;
        let Some((x0, y0, x1, y1)) = self.span(cx - reach, cy - reach, cx + reach, cy + reach)
        else {
            return;
        };
        let scale = lo(line, 1.0) * alpha;
        let (inner, outer) = (hi(r - half - 0.5, 0.0), r + half + 0.5);
        let (inner2, outer2) = (inner * inner, outer * outer);
        for y in y0..y1 {
            let dy = y as f32 + 0.5 - cy;
            for x in x0..x1 {
                let dx = x as f32 + 0.5 - cx;
                let d2 = dx * dx + dy * dy;
                if d2 >= outer2 || d2 <= inner2 {
                    continue;
                }
                let cov = unit(half + 0.5 - (d2.sqrt() - r).abs());
                self.blend(x, y, rgb, cov * scale);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn segment(
        &mut self,
        ax: f32,
        ay: f32,
        bx: f32,
        by: f32,
        line: f32,
        (rgb, alpha): ((u8, u8, u8), f32),
    ) {
        let half = hi(line / 2.0, 0.5);
        let pad = half + 1.0;
        let Some((x0, y0, x1, y1)) = self.span(
            lo(ax, bx) - pad,
            lo(ay, by) - pad,
            hi(ax, bx) + pad,
            hi(ay, by) + pad,
        ) else {
            return;
        };
        let (vx, vy) = (bx - ax, by - ay);
        let len2 = hi(vx * vx + vy * vy, 1e-6);
        let scale = lo(line, 1.0) * alpha;
        let reach2 = (half + 0.5) * (half + 0.5);
        for y in y0..y1 {
            let py = y as f32 + 0.5;
            for x in x0..x1 {
                let px = x as f32 + 0.5;
                let t = unit(((px - ax) * vx + (py - ay) * vy) / len2);
                let (qx, qy) = (ax + t * vx - px, ay + t * vy - py);
                let d2 = qx * qx + qy * qy;
                if d2 >= reach2 {
                    continue;
                }
                let cov = unit(half + 0.5 - d2.sqrt());
                self.blend(x, y, rgb, cov * scale);
            }
        }
    }

    /// Puts the touched tiles on `ctx`'s canvas, over what is there, pixel for pixel; then clears
    /// them for the next frame.
    fn blit(&mut self, ctx: &CanvasRenderingContext2d, (x, y, w, h): (usize, usize, usize, usize)) {
        let mut runs = self.runs();
        // Touched tiles covering most of the touched rectangle: one put of the rectangle (rows of
        // the whole width go without a copy) costs less than a put per run.
        let touched: usize = runs.iter().map(|r| r.2 * r.3).sum();
        if touched * 3 > w * h * 2 {
            runs = vec![(x, y, w, h)];
        }
        self.put(ctx, &runs, (x, y, w, h));
        for &(rx, ry, rw, rh) in &runs {
            for row in ry..ry + rh {
                let i = row * self.w + rx;
                self.px[i..i + rw].fill(0);
            }
        }
        self.tiles.fill(false);
        self.dirty = None;
    }

    fn put(
        &mut self,
        ctx: &CanvasRenderingContext2d,
        runs: &[(usize, usize, usize, usize)],
        (x, y, w, h): (usize, usize, usize, usize),
    ) {
        if self.canvas.is_none() {
            self.canvas = web_sys::window()
                .and_then(|win| win.document())
                .and_then(|d| d.create_element("canvas").ok())
                .and_then(|e| e.dyn_into::<web_sys::HtmlCanvasElement>().ok());
        }
        let Some(layer) = self.canvas.clone() else {
            return;
        };
        if layer.width() != self.w as u32 || layer.height() != self.h as u32 {
            layer.set_width(self.w as u32);
            layer.set_height(self.h as u32);
        }
        let Some(lctx) = layer
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
        else {
            return;
        };
        let f = |v: usize| v as f64;
        lctx.clear_rect(f(x), f(y), f(w), f(h));
        for &(rx, ry, rw, rh) in runs {
            let pixels = if rx == 0 && rw == self.w {
                &self.px[ry * self.w..(ry + rh) * self.w]
            } else {
                self.scratch.clear();
                for row in ry..ry + rh {
                    let i = row * self.w + rx;
                    self.scratch.extend_from_slice(&self.px[i..i + rw]);
                }
                &self.scratch[..]
            };
            if let Ok(data) = web_sys::ImageData::new_with_u8_clamped_array_and_sh(
                wasm_bindgen::Clamped(bytes(pixels)),
                rw as u32,
                rh as u32,
            ) {
                let _ = lctx.put_image_data(&data, f(rx), f(ry));
            }
        }
        ctx.save();
        let _ = ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
        let _ = ctx.draw_image_with_html_canvas_element_and_sw_and_sh_and_dx_and_dy_and_dw_and_dh(
            &layer,
            f(x),
            f(y),
            f(w),
            f(h),
            f(x),
            f(y),
            f(w),
            f(h),
        );
        ctx.restore();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_keep_one_of_a_kind_per_pixel_the_most_opaque() {
        let mut m = Marks::new();
        for k in 0..10_000 {
            // 10,000 dots over a 100 × 10 pixel strip, in two colours.
            let x = (k % 1_000) as f64 / 10.0;
            let y = (k / 1_000) as f64;
            m.dot(if k % 2 == 0 { "red" } else { "blue" }, 1.0, x, y, 2.0);
        }
        assert_eq!(m.offered(), 10_000);
        assert!(m.kept() <= 2 * 101 * 10, "{}", m.kept());
        assert!(m.kept() >= 100 * 10, "{}", m.kept());
        assert_eq!(m.kinds.len(), 2);
        m.clear();
        m.square("red", 0.2, 5.0, 5.0, 3.0);
        m.square("red", 0.9, 5.2, 4.9, 3.0);
        m.square("red", 0.5, 5.1, 5.0, 3.0);
        m.square("red", 0.0, 9.0, 9.0, 3.0);
        m.dot("red", 1.0, f64::NAN, 1.0, 3.0);
        assert_eq!(m.kept(), 1);
        assert_eq!(m.marks[0].alpha, 0.9);
    }

    #[test]
    fn marks_are_rasterised_antialiased_where_they_are() {
        let mut m = Marks::new();
        m.dot("#ff0000", 1.0, 10.0, 10.0, 3.0);
        m.square("#00ff00", 0.5, 30.0, 10.0, 4.0);
        m.rect("#00ff00", 1.0, 80.0, 0.0, 2.0, 2.0);
        m.ring("#0000ff", 1.0, 50.0, 10.0, 5.0, 1.0);
        m.cross("#ffffff", 1.0, 70.0, 10.0, 4.0, 2.0);
        m.segment("#ffffff", 1.0, 1.0, 0.0, 30.0, 90.0, 30.0);
        let (x, y, w, h) = m.rasterise(100, 40, 1.0).expect("something drawn");
        assert!(
            x <= 6 && y <= 5 && x + w >= 91 && y + h >= 31,
            "{x} {y} {w} {h}"
        );
        fn at(m: &Marks, x: usize, y: usize) -> (u8, u8, u8, u8) {
            let p = m.layer.px[y * 100 + x].to_le_bytes();
            (p[0], p[1], p[2], p[3])
        }
        let px = |x, y| at(&m, x, y);
        assert_eq!(px(10, 10), (255, 0, 0, 255), "inside the dot");
        assert_eq!(px(10, 2).3, 0, "outside it");
        let edge = px(12, 10).3;
        assert!(edge > 0, "its edge is partly covered: {edge}");
        assert_eq!(px(30, 10), (0, 255, 0, 128), "the square at half opacity");
        assert_eq!(px(50, 10).3, 0, "a ring is hollow");
        assert!(px(55, 10).3 > 100, "and drawn on its circle");
        assert!(px(70, 10).3 > 200, "the cross's centre");
        assert!(px(45, 30).3 > 100, "the segment");
        assert_eq!(px(45, 35).3, 0);
        assert_eq!(px(81, 1), (0, 255, 0, 255), "the rectangle");
        assert_eq!(px(82, 1).3, 0);
        // Device pixels: at 2 per CSS pixel, the dot's centre moves to (20, 20).
        m.clear();
        m.layer.px.fill(0);
        m.dot("#ff0000", 1.0, 10.0, 10.0, 3.0);
        m.rasterise(100, 40, 2.0);
        assert_eq!(at(&m, 20, 20), (255, 0, 0, 255));
    }

    #[test]
    fn a_ground_paints_every_pixel_and_marks_blend_over_it() {
        let mut m = Marks::new();
        m.ground("#000000");
        m.rect("#ffffff", 0.5, 0.0, 0.0, 10.0, 10.0);
        assert_eq!(m.rasterise(20, 20, 1.0), Some((0, 0, 20, 20)));
        assert_eq!(m.layer.px[0].to_le_bytes(), [128, 128, 128, 255]);
        assert_eq!(m.layer.px[15 * 20 + 15].to_le_bytes(), [0, 0, 0, 255]);
        assert_eq!(bytes(&m.layer.px)[..4], [128, 128, 128, 255]);
    }

    #[test]
    fn colours_parse() {
        assert_eq!(parse_color("#5b9cf5"), (0x5b, 0x9c, 0xf5));
        assert_eq!(parse_color("#fff"), (255, 255, 255));
        assert_eq!(parse_color("rgb(239,83,80)"), (239, 83, 80));
        assert_eq!(parse_color("rgba(1, 2, 3, 0.5)"), (1, 2, 3));
        assert_eq!(parse_color("hsl(0, 100%, 50%)"), (255, 0, 0));
        assert_eq!(parse_color("hsl(120, 100%, 50%)"), (0, 255, 0));
        assert_eq!(parse_color("hsl(240, 55%, 55%)"), (77, 77, 203));
        assert_eq!(parse_color("nonsense"), (128, 128, 128));
        assert_eq!(parse_color("#12"), (128, 128, 128));
    }

    #[test]
    fn places_remember_keys_for_a_frame() {
        let mut p = Places::default();
        for k in 0..5_000u64 {
            assert_eq!(p.get_or_insert(k * 7_919, k as u32), None);
        }
        for k in 0..5_000u64 {
            assert_eq!(p.get_or_insert(k * 7_919, 0), Some(k as u32));
        }
        p.clear();
        assert_eq!(p.get_or_insert(7_919, 9), None, "a new frame forgets");
        assert_eq!(p.get_or_insert(7_919, 0), Some(9));
    }

    #[test]
    fn a_colour_table_wraps() {
        let t = ColorTable::new(3, |i| format!("c{i}"));
        assert_eq!(t.get(4), "c1");
        assert_eq!(ColorTable::new(0, |_| "x".into()).get(7), "x");
    }
}
