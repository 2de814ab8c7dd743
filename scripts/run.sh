#!/usr/bin/env bash
# Sets up, builds the console in release mode, and starts the sandbox that
# serves it and the APIs (with demo data). Extra arguments go to the sandbox,
# e.g. `bash scripts/run.sh --listen 127.0.0.1:9090`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/scripts/setup.sh"
cd "$ROOT"
echo "run: building the console (release)"
trunk build --release --quiet
bash scripts/wasm-size.sh
echo "run: building the sandbox"
cargo build --quiet --profile server -p numbers-sandbox
exec "$ROOT/target/server/numbers-sandbox" --dist "$ROOT/dist" "$@"
