#!/usr/bin/env bash
# The engine crate stays pure: no web dependency, no wall clock, no OS randomness; it builds for wasm32.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

web=$(cargo tree -p flowlab-sim -e normal,build --target all --prefix none | grep -E '^(web-sys|js-sys|wasm-bindgen|gloo|yew|getrandom)( |-)' || true)
if [ -n "$web" ]; then
  echo "check-sim: flowlab-sim depends on web or OS-randomness crates:" >&2
  echo "$web" >&2
  exit 1
fi
banned=$(grep -rnE 'Instant::now|SystemTime|thread_rng|from_entropy|OsRng|getrandom|std::thread::spawn' sim/src || true)
if [ -n "$banned" ]; then
  echo "check-sim: wall-clock time, OS randomness or threads in sim/src:" >&2
  echo "$banned" >&2
  exit 1
fi
cargo build -q -p flowlab-sim --target wasm32-unknown-unknown
echo "check-sim: flowlab-sim has no web dependency, no wall clock, no OS randomness, and builds for wasm32"
