#!/usr/bin/env bash
# Trunk's post_build hook (Trunk.toml): splits the console's wasm so a first
# visit downloads and compiles only the shell and the page it opens. Each
# page behind a `#[wasm_split]` function (src/pages/lazy.rs) becomes a chunk
# fetched when the page is first opened; code several pages share becomes a
# chunk of its own. Trunk 0.21 cannot split, so this redoes its last steps on
# cargo's output: wasm-split-cli (from the wasm_split_cli_support crate, the
# splitter cargo-leptos uses), wasm-bindgen, wasm-opt (release only). Every
# file is then named by a hash of its contents, so the gateway serves them
# all as immutable, and index.html is pointed at the new names.
set -euo pipefail
: "${TRUNK_STAGING_DIR:?run by trunk build as its post_build hook}"
ROOT="$TRUNK_SOURCE_DIR"
# The tools scripts/setup.sh installs, as Trunk itself finds them.
export PATH="$ROOT/.tools/binaryen/node_modules/.bin:$HOME/.cargo/bin:$PATH"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
RAW="$TARGET_DIR/wasm32-unknown-unknown/$TRUNK_PROFILE/numbers-console.wasm"
STAGE="$TRUNK_STAGING_DIR"

shopt -s nullglob
trunk_js=("$STAGE"/numbers-console-*.js)
[ ${#trunk_js[@]} -eq 1 ] || { echo "split-wasm: expected one numbers-console-*.js in $STAGE"; exit 1; }
old="$(basename "${trunk_js[0]}" .js)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
hash16() { cat "$@" | sha256sum | cut -c1-16; }

wasm-split-cli "$RAW" "$work/split" --out-name numbers-console
bindgen_flags=(--target web --no-typescript --keep-lld-exports --no-demangle)
[ "$TRUNK_PROFILE" = release ] || bindgen_flags+=(--keep-debug)
wasm-bindgen "${bindgen_flags[@]}" --out-dir "$work/bindgen" --out-name numbers-console \
  "$work/split/numbers-console.wasm"
rm "$work/split/numbers-console.wasm"
mv "$work/bindgen/numbers-console_bg.wasm" "$work/bindgen/numbers-console.js" "$work/split/"

if [ "$TRUNK_PROFILE" = release ]; then
  # Both cores: the main module and the chunks take turns.
  printf '%s\n' "$work"/split/*.wasm |
    xargs -P 2 -I{} wasm-opt -Oz --strip-debug --strip-producers {} -o {}
fi

# A chunk is named by what it holds and by the main module it links
# against (it calls into it by index): an old tab never gets a chunk of
# another build under a name it knows. The loader names the chunks. The
# loader and the main module import each other, so both are named by one
# hash of everything.
loader="$work/split/__wasm_split.js"
main_wasm="$work/split/numbers-console_bg.wasm"
for chunk in "$work"/split/*.wasm; do
  name="$(basename "$chunk" .wasm)"
  [ "$name" = numbers-console_bg ] && continue
  hashed="$name-$(hash16 "$chunk" "$main_wasm").wasm"
  mv "$chunk" "$work/split/$hashed"
  sed -i "s|\"\./$name\.wasm\"|\"./$hashed\"|" "$loader"
done
new="numbers-console-$(hash16 "$loader" "$work/split/numbers-console.js" "$work/split/numbers-console_bg.wasm")"
sed -i "s|from \"\./numbers-console\.js\"|from \"./$new.js\"|" "$loader"
# Only the import statement: the wasm itself asks for "./__wasm_split.js".
sed -i "s|from \"\./__wasm_split\.js\"|from \"./__wasm_split-${new#numbers-console-}.js\"|" "$work/split/numbers-console.js"
mv "$loader" "$work/split/__wasm_split-${new#numbers-console-}.js"
mv "$work/split/numbers-console.js" "$work/split/$new.js"
mv "$work/split/numbers-console_bg.wasm" "$work/split/${new}_bg.wasm"

rm -f "$STAGE/$old.js" "$STAGE/${old}_bg.wasm"
cp "$work"/split/* "$STAGE/"
if [ -d "$work/bindgen/snippets" ]; then
  rm -rf "$STAGE/snippets"
  cp -r "$work/bindgen/snippets" "$STAGE/snippets"
fi
sed -i "s|$old|$new|g" "$STAGE/index.html"
chunks=("$STAGE"/*-????????????????.wasm)
echo "split-wasm: $new and ${#chunks[@]} chunks"
