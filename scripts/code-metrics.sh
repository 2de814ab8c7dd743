#!/usr/bin/env bash
# Figures of the code's shape, for before/after notes on clean-ups:
# the longest source files (lines before a file's `#[cfg(test)]`), spawn_local
# calls and hand-written error sets in the console, undocumented public items in
# numbers-core and `cargo doc` warnings.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "longest files (non-test lines):"
for f in $(git ls-files 'src/*.rs' 'crates/*/src/*.rs'); do
  n=$(awk '/^#\[cfg\(test\)\]/{exit} {c++} END{print c+0}' "$f")
  echo "$n $f"
done | sort -rn | head -12 | sed 's/^/  /'

echo "spawn_local calls in src/: $(git grep -c 'spawn_local(' -- 'src/*.rs' | awk -F: '{s+=$2} END{print s+0}')"
echo "hand-written error sets in src/: $(git grep -cE '\.set\(Some\([a-z_]+\.to_string\(\)\)\)' -- 'src/*.rs' | awk -F: '{s+=$2} END{print s+0}')"

# The crate's own lint settings apply (its wire models are exempt).
missing=$(RUSTFLAGS="-W missing_docs" cargo check -q -p numbers-core --lib --message-format short 2>&1 | grep -c 'missing documentation' || true)
echo "undocumented public items in numbers-core: $missing"
warnings=$(cargo doc --no-deps --workspace 2>&1 | grep -c '^warning' || true)
echo "cargo doc warnings: $warnings"
