#!/usr/bin/env bash
# Browser benchmarks in headless Chromium, printed as a table and saved to
# target/bench/browser.json: numbers-core in wasm (read + validate + plan)
# against PapaParse and uDSV (parse only) on the same generated files in the same
# page; simulate 10^6 calls; a 10^4-row page of numbers to the table's first
# paint in the built console; the console's first visit, reload and page
# openings on a throttled network; long tasks as a large CSV run starts.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/scripts/setup-tests.sh"
cd "$ROOT"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"

echo "bench: building the benchmark page and the console (release)"
PAGE="$ROOT/target/bench-page"
rm -rf "$PAGE"; mkdir -p "$PAGE"
cargo build -q -p numbers-browser-bench --release --target wasm32-unknown-unknown --locked
wasm-bindgen --target web --out-dir "$PAGE/pkg" target/wasm32-unknown-unknown/release/numbers_browser_bench.wasm
# The same optimisation trunk gives the console's wasm (wasm-opt reads the
# features, SIMD included, from the module's target_features section).
wasm-opt -Oz "$PAGE/pkg/numbers_browser_bench_bg.wasm" -o "$PAGE/pkg/numbers_browser_bench_bg.wasm"
cp benches/browser/page/index.html "$PAGE/"
cp target/npm/node_modules/papaparse/papaparse.min.js "$PAGE/"
cp target/npm/node_modules/udsv/dist/uDSV.iife.min.js "$PAGE/"
quiet trunk build --release

echo "bench: running in headless Chromium (a few minutes)"
NUMBERS_BENCH_PAGE="$PAGE" cargo test -q -p numbers-e2e --locked --test bench -- --ignored --nocapture --test-threads=1 2>&1 \
  | grep -v '^running\|^test result\|^$\|^test .* ok$'

echo "bench: the console through the gateway, network throttled (first visit, reload, each page's first opening), and the longest tasks as a 10^5-row CSV run starts (a few minutes)"
cargo test -q -p numbers-e2e --locked --test first_visit_bench -- --ignored --nocapture --test-threads=1 2>&1 \
  | grep -v '^running\|^test result\|^$\|^test .* ok$'

echo "bench: the gateway's change history (reads of 10^5 entries, relay latency on/off; about 8 minutes)"
if command -v pg_virtualenv >/dev/null; then
  pg_virtualenv bash -c 'NUMBERS_TEST_POSTGRES="postgres://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT" cargo bench -q -p numbers-gateway --locked --bench history' 2>&1 | grep -v '^Creating new\|^Dropping cluster'
else
  cargo bench -q -p numbers-gateway --locked --bench history
fi

echo "bench: runs on the gateway (10^5 and 10^6 rows: rows/s and the gateway's memory; about 10 minutes)"
cargo bench -q -p numbers-gateway --locked --bench runs
