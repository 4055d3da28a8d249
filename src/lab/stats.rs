//! Counts of the page's work, read by the end-to-end tests through `window.flowlabStats()`:
//! animation frames, pictures drawn, charts drawn and live readouts rendered. A paused lab that
//! nothing changes must add none but frames.

use std::cell::Cell;

use wasm_bindgen::prelude::*;

/// What is counted.
#[derive(Clone, Copy, Debug)]
pub enum Work {
    /// An animation frame the runtime ran.
    Frame,
    /// The lab's picture drawn.
    Picture,
    /// One chart drawn.
    Chart,
    /// A live readout (clock, checkers, results, the lab's panels ...) rendered.
    Readout,
}

thread_local! {
    /// Where the live run is: 0 none yet, 1 in a worker, 2 on the main thread.
    static ENGINE: Cell<u8> = const { Cell::new(0) };
    /// Runs the current lab flat out from its start to its end (the benchmark's engine time).
    static FLAT: std::cell::RefCell<Option<std::rc::Rc<dyn Fn()>>> = const { std::cell::RefCell::new(None) };
    static COUNTS: [Cell<u64>; 4] = const { [Cell::new(0), Cell::new(0), Cell::new(0), Cell::new(0)] };
    static INSTALLED: Cell<bool> = const { Cell::new(false) };
}

/// Counts one piece of work.
pub fn count(w: Work) {
    COUNTS.with(|c| c[w as usize].set(c[w as usize].get() + 1));
}

/// Where the live run is now: in a worker, or on the page's main thread.
pub fn set_engine(in_worker: bool) {
    ENGINE.with(|e| e.set(if in_worker { 1 } else { 2 }));
}

/// What `window.flowlabRunFlat()` runs (the current lab page's flat run), or nothing.
pub fn set_flat(f: Option<std::rc::Rc<dyn Fn()>>) {
    FLAT.with(|x| *x.borrow_mut() = f);
}

/// Defines `window.flowlabStats()` (once): `{ frames, pictures, charts, readouts, engine }` so
/// far (`engine`: "worker", "main" or "none"), and `window.flowlabRunFlat()`: the lab that ends by
/// itself runs from its start to its end in one go where its live run is, as the engine alone
/// would; its progress line then says how long it took (the benchmark's engine time).
pub fn install() {
    if INSTALLED.with(|i| i.replace(true)) {
        return;
    }
    let read = Closure::<dyn Fn() -> JsValue>::new(|| {
        let o = js_sys::Object::new();
        COUNTS.with(|c| {
            for (name, cell) in ["frames", "pictures", "charts", "readouts"].iter().zip(c) {
                let _ = js_sys::Reflect::set(&o, &(*name).into(), &(cell.get() as f64).into());
            }
        });
        let engine = match ENGINE.with(Cell::get) {
            1 => "worker",
            2 => "main",
            _ => "none",
        };
        let _ = js_sys::Reflect::set(&o, &"engine".into(), &engine.into());
        o.into()
    });
    let _ = js_sys::Reflect::set(
        &crate::web::window(),
        &"flowlabStats".into(),
        read.as_ref().unchecked_ref(),
    );
    read.forget();
    let flat = Closure::<dyn Fn()>::new(|| {
        if let Some(f) = FLAT.with(|x| x.borrow().clone()) {
            f();
        }
    });
    let _ = js_sys::Reflect::set(
        &crate::web::window(),
        &"flowlabRunFlat".into(),
        flat.as_ref().unchecked_ref(),
    );
    flat.forget();
}
