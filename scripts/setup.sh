#!/usr/bin/env bash
# Installs what building and running Numbers Console needs, from the
# registries only, and nothing that is already there at the right version
# (what only the tests need: scripts/setup-tests.sh). Safe to run again: a
# warm run takes seconds. Source it (`. scripts/setup.sh`) to get the PATH
# it sets.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132.0.0
# The splitter cargo-leptos uses, for scripts/split-wasm.sh (Trunk cannot split).
WASM_SPLIT_VERSION=0.2.4
TOOLS="$ROOT/.tools"
export PATH="$TOOLS/binaryen/node_modules/.bin:$HOME/.cargo/bin:$PATH"

say() { printf 'setup: %s\n' "$*"; }
quiet() { # run a command, show its output only if it fails
  local log; log="$(mktemp)"
  if ! "$@" >"$log" 2>&1; then cat "$log"; rm -f "$log"; return 1; fi
  rm -f "$log"
}

# The wasm-bindgen CLI must equal the crate in Cargo.lock, and Trunk.toml must say so too.
WB_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
if ! grep -q "wasm_bindgen = \"$WB_VERSION\"" Trunk.toml; then
  say "Trunk.toml [tools] wasm_bindgen differs from Cargo.lock's wasm-bindgen $WB_VERSION: make them equal"; exit 1
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"; quiet rustup target add wasm32-unknown-unknown
fi

if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (about 7 minutes on 2 cores)"
  quiet cargo install trunk --version "$TRUNK_VERSION" --locked
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WB_VERSION" ]; then
  say "installing wasm-bindgen-cli $WB_VERSION (about 2 minutes)"
  # No --locked: its lockfile pins a webpki-roots the registry no longer has.
  quiet cargo install wasm-bindgen-cli --version "$WB_VERSION" --force
fi

if [ "$(wasm-opt --version 2>/dev/null | awk '{print $3}')" != "${BINARYEN_VERSION%%.*}" ]; then
  # npm's binaryen, not Debian's 108, which emits a wasm that fails at start-up.
  say "installing wasm-opt (binaryen $BINARYEN_VERSION from npm)"
  command -v npm >/dev/null || { say "npm is missing: apt-get install -y npm"; exit 1; }
  quiet npm install --prefix "$TOOLS/binaryen" --no-audit --no-fund --no-save "binaryen@$BINARYEN_VERSION"
fi

if ! grep -qs "\"wasm_split_cli_support $WASM_SPLIT_VERSION " "$HOME/.cargo/.crates.toml" || ! command -v wasm-split-cli >/dev/null; then
  say "installing wasm-split-cli $WASM_SPLIT_VERSION (about a minute)"
  quiet cargo install wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --features build-binary --locked
fi

# Trunk builds cargo offline, so every crate must be here first.
quiet cargo fetch
say "ready (trunk $TRUNK_VERSION, wasm-bindgen $WB_VERSION, wasm-opt ${BINARYEN_VERSION%%.*}, wasm-split-cli $WASM_SPLIT_VERSION)"
