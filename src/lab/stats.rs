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
    static COUNTS: [Cell<u64>; 4] = const { [Cell::new(0), Cell::new(0), Cell::new(0), Cell::new(0)] };
    static INSTALLED: Cell<bool> = const { Cell::new(false) };
}

/// Counts one piece of work.
pub fn count(w: Work) {
    COUNTS.with(|c| c[w as usize].set(c[w as usize].get() + 1));
}

/// Defines `window.flowlabStats()` (once): `{ frames, pictures, charts, readouts }` so far.
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
        o.into()
    });
    let _ = js_sys::Reflect::set(
        &crate::web::window(),
        &"flowlabStats".into(),
        read.as_ref().unchecked_ref(),
    );
    read.forget();
}
