# flowlab — two commands do all the set-up on a fresh machine:
#   make serve   installs what is missing, then serves the app on http://127.0.0.1:8080/
#   make test    installs what is missing, then runs every test (native, wasm in headless Chromium, end to end)
# and one more for the long sweeps:
#   make test-long   every preset's claim on 500 more seeds (and the flash sale's at full scale)

SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

PORT ?= 8080
# Sub-path used by the end-to-end test, like GitHub Pages' /<repo>/.
E2E_BASE ?= /flowlab/
WEBDRIVER_ENV := CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=180

.PHONY: proptest-random serve setup setup-test build build-pages size test test-native test-long check-sim test-wasm test-e2e lint fmt bench bench-browser bench-fps bench-sweep fuzz clean

setup:
	@scripts/setup.sh build

setup-test:
	@scripts/setup.sh test

serve: setup
	trunk serve --offline --address 127.0.0.1 --port $(PORT)

build: setup
	trunk build --release --offline

# The site as GitHub Pages serves it: `make build-pages PUBLIC_URL=/flowlab/`.
PUBLIC_URL ?= /flowlab/
build-pages: setup
	trunk build --release --offline --public-url $(PUBLIC_URL)

# What a browser downloads, gzipped (the figure quoted in the README).
size: build
	@scripts/size.sh dist

test: setup-test lint test-native check-sim test-wasm test-e2e
	@echo "make test: all passed"

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p flowlab --target wasm32-unknown-unknown --all-targets -- -D warnings

# Property tests draw from a fixed seed here, so a run of `make test` is reproducible; `make
# proptest-random` (or a plain `cargo test`) explores new cases; a failure is saved in the
# test's regressions file.
PROPTEST_RNG_SEED ?= 20261129
test-native:
	PROPTEST_RNG_SEED=$(PROPTEST_RNG_SEED) cargo test --workspace

proptest-random:
	cargo test --release -p flowlab-sim

# The long sweeps, not part of `make test` (which checks every preset's claim on 50 seeds): each
# claim on 500 more seeds, the flash sale's presets at full scale on 10. The `#[ignore]`d tests of
# sim/tests/*_presets.rs and sim/tests/flash_sale.rs.
test-long:
	cargo test --release -p flowlab-sim -- --ignored

# The engine has no web dependency, no wall clock, no OS randomness, and builds for wasm32.
check-sim:
	@scripts/check-sim.sh

test-wasm:
	$(WEBDRIVER_ENV) cargo test -p flowlab --target wasm32-unknown-unknown

test-e2e: setup-test
	rm -rf target/e2e-dist
	trunk build --release --offline --public-url $(E2E_BASE) --dist target/e2e-dist
	node tests/e2e/run.mjs target/e2e-dist $(E2E_BASE)

bench:
	cargo bench -p flowlab-sim

# The long fuzz run over every lab's params, links and values (`make test` runs a fast subset).
FUZZ_CASES ?= 15000
FUZZ_RUNS ?= 300
fuzz:
	FUZZ_CASES=$(FUZZ_CASES) FUZZ_RUNS=$(FUZZ_RUNS) cargo test --release -p flowlab-sim --test fuzz -- --nocapture

# The engine's big runs compiled to wasm (release) and timed in headless Chromium.
bench-browser: setup-test
	$(WEBDRIVER_ENV) cargo test --release -p flowlab --target wasm32-unknown-unknown --test bench_browser -- --include-ignored --nocapture 2>&1 | grep -E "BENCH|test result"

# Frames per second of every preset of every lab at 1× and 1000× in headless Chromium (release
# build), with the speed achieved, the main thread's share while paused and a click's latency.
# `make bench-fps LABS="chat cache:avalanche"` measures some only.
bench-fps: setup-test
	rm -rf target/e2e-dist
	trunk build --release --offline --public-url $(E2E_BASE) --dist target/e2e-dist
	node tests/e2e/fps.mjs target/e2e-dist $(E2E_BASE) $(LABS)

# Sweep throughput, the command line against the page (issue 13): the queue lab's defaults, 50 seeds
# at 30 virtual s, in the CLI on 1 and 2 threads and in the browser's pool of workers, with the
# page's frame rate while the sweep runs.
bench-sweep: setup-test
	cargo build --release -p flowlab-cli
	scripts/bench-sweep.sh
	rm -rf target/e2e-dist
	trunk build --release --offline --public-url $(E2E_BASE) --dist target/e2e-dist
	node tests/e2e/bench-sweep.mjs target/e2e-dist $(E2E_BASE)

fmt:
	cargo fmt --all

clean:
	cargo clean
	rm -rf dist node_modules
