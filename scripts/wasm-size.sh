#!/usr/bin/env bash
# Prints the size of the built console (dist/), raw and gzip -9.
set -euo pipefail
DIST="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/dist}"
total_raw=0; total_gz=0
for f in "$DIST"/*.wasm "$DIST"/*.js; do
  [ -e "$f" ] || continue
  raw=$(wc -c <"$f"); gz=$(gzip -9 -c "$f" | wc -c)
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz))
  printf 'size: %-8s %9d bytes raw %9d bytes gzip -9\n' "${f##*.}" "$raw" "$gz"
done
printf 'size: %-8s %9d bytes raw %9d bytes gzip -9\n' total "$total_raw" "$total_gz"
