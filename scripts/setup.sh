#!/usr/bin/env bash
# Installs what flowlab needs to build, serve and test, skipping whatever is already present.
# Idempotent: safe to run on every `make serve` / `make test`.
#   scripts/setup.sh build   -> wasm32 target, trunk, wasm-bindgen CLI, npm packages (wasm-opt, playwright-core, axe-core)
#   scripts/setup.sh test    -> the above plus Debian chromium and chromium-driver
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
what="${1:-build}"

TRUNK_VERSION="0.21.14"
# The wasm-bindgen CLI must match the wasm-bindgen crate pinned in Cargo.toml / Cargo.lock.
WASM_BINDGEN_VERSION="$(sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p; s/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml | head -n1)"
if [ -z "$WASM_BINDGEN_VERSION" ]; then
  echo "setup: could not read the pinned wasm-bindgen version from Cargo.toml" >&2
  exit 1
fi

log() { printf '[setup] %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if ! command -v trunk >/dev/null 2>&1 || ! trunk --version | grep -q "$TRUNK_VERSION"; then
  log "installing trunk $TRUNK_VERSION (takes several minutes)"
  cargo install trunk --version "=$TRUNK_VERSION" --locked
fi

if ! command -v wasm-bindgen >/dev/null 2>&1 || ! wasm-bindgen --version | grep -q "$WASM_BINDGEN_VERSION"; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # Note: --locked fails for this crate (see shared TOOLCHAIN.md), so it is left off.
  cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION" --force
fi

if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/axe-core ]; then
  log "installing npm packages (binaryen's wasm-opt, playwright-core, axe-core)"
  npm ci --no-audit --no-fund
fi

if [ "$what" = "test" ]; then
  # A CJK font lets screenshots of the Chinese page show glyphs (browsers on users' machines have one).
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || ! fc-list 2>/dev/null | grep -qi "WenQuanYi"; then
    log "installing Debian chromium, chromium-driver and a CJK font"
    SUDO=""
    if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium chromium-driver fonts-wqy-microhei
  fi
fi
log "ok"
