#!/usr/bin/env bash
# Prints the size of the built console (dist/), raw and gzip -9: the main
# module and its JS (what every first visit needs), and the pages' chunks
# (each fetched when its page is first opened).
set -euo pipefail
DIST="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/dist}"
sum() { # label, files...
  local label="$1"; shift
  local raw=0 gz=0 n=0
  for f in "$@"; do
    [ -e "$f" ] || continue
    raw=$((raw + $(wc -c <"$f"))); gz=$((gz + $(gzip -9 -c "$f" | wc -c))); n=$((n + 1))
  done
  printf 'size: %-12s %3d files %9d bytes raw %9d bytes gzip -9\n' "$label" "$n" "$raw" "$gz"
}
shopt -s nullglob
sum main "$DIST"/numbers-console-*.js "$DIST"/numbers-console-*.wasm "$DIST"/__wasm_split-*.js
pages=("$DIST"/split_*.wasm)
sum pages "${pages[@]}"
shared=("$DIST"/chunk_*.wasm)
sum shared "${shared[@]}"
