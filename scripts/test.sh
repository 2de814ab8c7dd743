#!/usr/bin/env bash
# Sets up and runs every test: format, lints, native tests, wasm tests in
# headless Chromium, the release build, the browser end-to-end tests in
# Chromium, and their smoke path in Firefox ESR and WebKitGTK.
# Prints one line a step (the full log of a failing step is shown), and ends
# with the test summary.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/scripts/setup-tests.sh" || { echo "tests: setup failed"; exit 1; }
# Tests that need these fail instead of skipping where setup installed them.
export NUMBERS_REQUIRE_HUAWEI_SDK=1 NUMBERS_REQUIRE_CORPORA=1
cd "$ROOT"
LOGS="$ROOT/target/test-logs"
rm -rf "$LOGS"; mkdir -p "$LOGS"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export CARGO_TERM_COLOR=never
# A one-shot run gains nothing from incremental builds, which would double
# target/ on disk.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
failed_steps=()

# What failed in a step's log: each failing test's own output when the
# log has test results (a PostgreSQL server's log lines would bury them at
# the tail), else the tail.
show_failure() { # log
  if grep -q -- '^---- .* ----$' "$1"; then
    grep -E -- '^test .* FAILED$' "$1"
    awk '/^---- .* ----$/ {n = 25} /^stack backtrace:/ {n = 0} n > 0 && !/^[0-9-]+ [0-9:.]+ UTC \[/ {print; n--}' "$1" | head -n 120
  else
    tail -n 60 "$1"
  fi
}

step() { # name, command...
  local name="$1"; shift
  local start=$SECONDS
  if "$@" >"$LOGS/$name.log" 2>&1; then
    printf 'ok    %-12s %4ds\n' "$name" $((SECONDS - start))
  else
    printf 'FAIL  %-12s %4ds  (log: target/test-logs/%s.log)\n' "$name" $((SECONDS - start)) "$name"
    show_failure "$LOGS/$name.log" | sed 's/^/    /'
    failed_steps+=("$name")
  fi
}

step fmt        cargo fmt --all -- --check
step clippy     cargo clippy --workspace --all-targets --locked -- -D warnings
step clippy-wasm cargo clippy -p numbers-console -p numbers-browser-bench --target wasm32-unknown-unknown --all-targets --locked -- -D warnings
step doc        env RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --workspace --locked
# The history tests run on SQLite and, in a throw-away PostgreSQL cluster
# that pg_virtualenv starts and removes, on PostgreSQL too.
native_tests() {
  cargo test --workspace --exclude numbers-console --exclude numbers-e2e --locked --no-fail-fast
}
if command -v pg_virtualenv >/dev/null; then
  export -f native_tests
  step native pg_virtualenv bash -c 'NUMBERS_REQUIRE_POSTGRES=1 NUMBERS_TEST_POSTGRES="postgres://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT" native_tests'
else
  step native native_tests
fi
step wasm       cargo test -p numbers-console --target wasm32-unknown-unknown --locked
step build      trunk build --release
bash scripts/wasm-size.sh | tee "$LOGS/size.log"
step sandbox-bin cargo build -p numbers-sandbox --locked
step e2e        cargo test -p numbers-e2e --locked --no-fail-fast -- --test-threads=1
# The smoke path in the two other engines (Chromium ran it above).
step smoke-firefox env NUMBERS_BROWSER=firefox cargo test -p numbers-e2e --locked --test smoke
step smoke-webkit  env NUMBERS_BROWSER=webkit cargo test -p numbers-e2e --locked --test smoke

passed=0; failed=0
for log in "$LOGS"/native.log "$LOGS"/wasm.log "$LOGS"/e2e.log "$LOGS"/smoke-*.log; do
  [ -f "$log" ] || continue
  while read -r p f; do
    passed=$((passed + p)); failed=$((failed + f))
  done < <(sed -n 's/^test result: [A-Za-z]*\. \([0-9]*\) passed; \([0-9]*\) failed.*/\1 \2/p' "$log")
done
if [ ${#failed_steps[@]} -gt 0 ]; then
  echo "failed steps: ${failed_steps[*]}"
fi
echo "tests: $passed passed, $failed failed"
[ ${#failed_steps[@]} -eq 0 ] && [ "$failed" -eq 0 ]
