fn main() {
    #[cfg(target_arch = "wasm32")]
    flowlab::start();
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("flowlab is a web app: run `make serve` and open it in a browser.");
}
