//! The engine's web worker: the page spawns it (one for the live run, a pool for sweeps) and talks
//! to it through `flowlab::worker`.

fn main() {
    #[cfg(target_arch = "wasm32")]
    flowlab::worker::register();
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("flowlab's worker runs in a browser: run `make serve` and open the app.");
}
