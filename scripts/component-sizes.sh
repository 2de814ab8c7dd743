#!/usr/bin/env bash
# Prints every Leptos component of the console with its length in lines
# (from `#[component]` to the closing brace of its function), longest
# first, and a summary. `bash scripts/component-sizes.sh [DIR]` (default src/).
set -euo pipefail
DIR="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/src}"
find "$DIR" -name '*.rs' -print0 | xargs -0 awk '
  FNR == 1 { pending = 0; inside = 0 }
  /^[[:space:]]*#\[component\]/ { pending = 1; start = FNR; next }
  pending && /fn [A-Za-z0-9_]+/ {
    match($0, /fn [A-Za-z0-9_]+/); name = substr($0, RSTART + 3, RLENGTH - 3)
    match($0, /^[[:space:]]*/); indent = RLENGTH
    pending = 0; inside = 1; next
  }
  inside {
    match($0, /^[[:space:]]*/)
    if (RLENGTH == indent && $0 ~ /^[[:space:]]*}[[:space:]]*$/) {
      file = FILENAME; sub(/.*\/src\//, "src/", file)
      printf "%5d  %s  (%s)\n", FNR - start + 1, name, file
      inside = 0
    }
  }
' | sort -rn | awk '
  { print; n++; total += $1; if ($1 > 120) over120++; if ($1 > 60) over60++; if ($1 <= 60) under60++ }
  END { printf "%d components: %d longer than 120 lines, %d longer than 60, %d of 60 or fewer; %d lines in all\n", n, over120, over60, under60, total }
'
