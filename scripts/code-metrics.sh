#!/usr/bin/env bash
# Figures of the code's shape, for before/after notes on clean-ups: import
# circles among each crate's files, the longest source files and those over
# 400 lines (lines before a file's `#[cfg(test)]`; test files left out),
# routes matched by hand inside handlers, spawn_local calls and hand-written
# error sets in the console, undocumented public items in numbers-core and
# `cargo doc` warnings.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "import circles (files that take names from each other):"
python3 scripts/import-circles.py crates/core/src crates/sandbox/src crates/gateway/src src | sed 's/^/  /'

# Source files, not tests (a crate's tests/, or a module's tests.rs).
sources() { git ls-files 'src/*.rs' 'crates/*/src/*.rs' | grep -vE '(^|/)tests?(/|\.rs$)'; }
lines() { awk '/^#\[cfg\(test\)\]/{exit} {c++} END{print c+0}' "$1"; }
echo "longest files (non-test lines):"
for f in $(sources); do echo "$(lines "$f") $f"; done | sort -rn | head -12 | sed 's/^/  /'
echo "files over 400 lines: $(for f in $(sources); do lines "$f"; done | awk '$1 > 400' | wc -l)"

# A handler that looks at the method or the path's segments itself, where
# the router should have chosen the handler.
echo "routes matched by hand in handlers: $(git grep -cE '\(Method::[A-Z]+, \[|\.method\(\) [!=]= Method::' -- 'crates/*/src/*.rs' | awk -F: '{s+=$2} END{print s+0}')"
echo "spawn_local calls in src/: $(git grep -c 'spawn_local(' -- 'src/*.rs' | awk -F: '{s+=$2} END{print s+0}')"
echo "hand-written error sets in src/: $(git grep -cE '\.set\(Some\([a-z_]+\.to_string\(\)\)\)' -- 'src/*.rs' | awk -F: '{s+=$2} END{print s+0}')"

# The crate's own lint settings apply (its wire models are exempt).
missing=$(RUSTFLAGS="-W missing_docs" cargo check -q -p numbers-core --lib --message-format short 2>&1 | grep -c 'missing documentation' || true)
echo "undocumented public items in numbers-core: $missing"
warnings=$(cargo doc --no-deps --workspace 2>&1 | grep -c '^warning' || true)
echo "cargo doc warnings: $warnings"
