#!/usr/bin/env bash
# Sets up, builds the console in release mode, and starts numbers-gateway
# with the sandbox in the same process (demo data on first start): the
# console and, through the gateway's relay, the sandbox's APIs on
# http://127.0.0.1:8080. Extra arguments go to the gateway, e.g.
# `bash scripts/run.sh --listen 127.0.0.1:9090`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/scripts/setup.sh"
cd "$ROOT"
echo "run: building the console (release)"
trunk build --release --quiet
bash scripts/wasm-size.sh
echo "run: building the gateway"
cargo build --quiet --profile server -p numbers-gateway --features sandbox
exec "$ROOT/target/server/numbers-gateway" --sandbox --dist "$ROOT/dist" "$@"
