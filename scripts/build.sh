#!/usr/bin/env bash
# Build the wasm bundle into www/pkg/ (streamsim.js + streamsim_bg.wasm), installing any missing
# tool first. Re-running is cheap: the wasm-bindgen / wasm-opt stage is skipped when cargo's
# output has not changed.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_rust
ensure_wasm_bindgen
ensure_node_modules

CRATE=streamsim
RAW="target/wasm32-unknown-unknown/release/$CRATE.wasm"
OUT=www/pkg
WASM_OPT=node_modules/.bin/wasm-opt # the npm binaryen build; Debian's binaryen 108 miscompiles
# Features rustc (1.82+) emits by default for wasm32-unknown-unknown; wasm-opt must be told,
# or it rejects the module (or, for some, lowers them away less efficiently).
WASM_OPT_FEATURES=(
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-mutable-globals --enable-reference-types --enable-multivalue
)

# One build at a time (say `make serve` in one shell while `make test` runs in another): the
# www/pkg swap below is not safe against a concurrent build.
mkdir -p target
exec 9>target/.streamsim-build.lock
if command -v flock >/dev/null 2>&1; then flock 9; fi

say "building wasm (cargo build --release --target wasm32-unknown-unknown)"
quietly "cargo build (wasm32)" cargo build --release --target wasm32-unknown-unknown --lib
[[ -f "$RAW" ]] || die "cargo did not produce $RAW"

# Everything that determines the contents of www/pkg.
stamp="$(
  {
    sha256sum "$RAW" scripts/build.sh scripts/check-wasm.mjs
    wasm-bindgen --version
    "$WASM_OPT" --version 2>/dev/null || true
  } | sha256sum | cut -d' ' -f1
)"
if [[ -f "$OUT/.stamp" && "$(cat "$OUT/.stamp")" == "$stamp" && -f "$OUT/${CRATE}_bg.wasm" ]]; then
  say "www/pkg is up to date ($(wc -c <"$OUT/${CRATE}_bg.wasm") bytes of wasm)"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# --remove-name-section instead of `strip = true` in the profile: strip also drops the
# target_features section, which makes wasm-bindgen warn.
quietly "wasm-bindgen" wasm-bindgen --target web --out-dir "$work/pkg" \
  --remove-name-section --remove-producers-section "$RAW"
cp "$work/pkg/${CRATE}_bg.wasm" "$work/none.wasm"

kb() { awk -v b="$1" 'BEGIN { printf "%.1f KB", b / 1024 }'; }
gz_size() { gzip -9c "$1" | wc -c; }

# The reference behaviour: the unoptimised module must itself load and run.
check() { node scripts/check-wasm.mjs "$work/pkg/$CRATE.js" "$1"; }
if ! base_json="$(check "$work/none.wasm")"; then
  die "the wasm-bindgen output does not load in Node (see above)"
fi
base_digest="$(node -e 'console.log(JSON.parse(process.argv[1]).digest)' "$base_json")"

# Try -O3 and -Oz; keep whichever is smallest among those that still load and give the same
# digests as the unoptimised build. If wasm-opt is missing or breaks the module, ship it as is.
best=none
best_size="$(wc -c <"$work/none.wasm")"
declare -A raw_size gzip_size
raw_size[none]="$best_size"
gzip_size[none]="$(gz_size "$work/none.wasm")"
if [[ -x "$WASM_OPT" ]]; then
  for level in O3 Oz; do
    if ! quietly "wasm-opt -$level" "$WASM_OPT" "-$level" "${WASM_OPT_FEATURES[@]}" \
      --strip-debug --strip-producers --strip-target-features \
      -o "$work/$level.wasm" "$work/none.wasm"; then
      say "wasm-opt -$level failed; not using it"
      continue
    fi
    if ! json="$(check "$work/$level.wasm")"; then
      say "wasm-opt -$level output does not load; not using it"
      continue
    fi
    digest="$(node -e 'console.log(JSON.parse(process.argv[1]).digest)' "$json")"
    if [[ "$digest" != "$base_digest" ]]; then
      say "wasm-opt -$level changed the simulation's digests; not using it"
      continue
    fi
    size="$(wc -c <"$work/$level.wasm")"
    raw_size[$level]="$size"
    gzip_size[$level]="$(gz_size "$work/$level.wasm")"
    if ((size < best_size)); then
      best="$level"
      best_size="$size"
    fi
  done
else
  say "no $WASM_OPT (npm ci not run?); shipping the unoptimised module"
fi
cp "$work/$best.wasm" "$work/pkg/${CRATE}_bg.wasm"

# Record what was built, for the README's size figures and the benchmark.
{
  printf '{\n  "wasmBindgen": "%s",\n  "wasmOpt": "%s",\n  "chosen": "%s",\n  "sizes": {' \
    "$(tool_version wasm-bindgen)" "$("$WASM_OPT" --version 2>/dev/null | awk '{print $3}' || true)" "$best"
  sep=''
  for level in none O3 Oz; do
    [[ -n "${raw_size[$level]:-}" ]] || continue
    printf '%s\n    "%s": { "raw": %d, "gzip": %d }' "$sep" "$level" "${raw_size[$level]}" "${gzip_size[$level]}"
    sep=','
  done
  printf '\n  }\n}\n'
} >"$work/pkg/build-info.json"

# Swap the new bundle in whole, so a server running meanwhile never sees half of it.
rm -rf "$OUT.new"
mv -T "$work/pkg" "$OUT.new"
rm -rf "$OUT"
mv -T "$OUT.new" "$OUT"
echo "$stamp" >"$OUT/.stamp"

summary=""
for level in none O3 Oz; do
  [[ -n "${raw_size[$level]:-}" ]] || continue
  summary+="$level $(kb "${raw_size[$level]}")/$(kb "${gzip_size[$level]}") gz; "
done
say "www/pkg/${CRATE}_bg.wasm: $(kb "$best_size") (kept: $best; ${summary%; })"
