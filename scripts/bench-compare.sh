#!/usr/bin/env bash
# `scripts/bench-compare.sh [BASE] [SECONDS] [ROUNDS]`: the speed of this tree against commit BASE
# (default 310e109, the build before issue #11), side by side in one run. Both are built in release
# (BASE from `git archive` into target/bench-base/, so this tree is untouched), then each runs
# `streamsim run --preset gaming --seconds SECONDS --no-metrics` (default one simulated hour)
# ROUNDS times (default 3), alternately, so both see the same machine noise. Prints each run's
# time and the ratio of the medians. No timed assertion: it reports, it never fails on speed.
# INSTRUCTIONS=1 also counts each build's instructions for the same run under valgrind's
# callgrind (once each): a count, not a time, so it is the same however busy the machine is.
# PROFILE=dev builds both unoptimised instead (the smoke run in `make test`: the numbers then mean
# nothing, but the script, the old build and the comparison are exercised).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

base="${1:-310e109}"
seconds="${2:-3600}"
rounds="${3:-3}"
preset="${PRESET:-gaming}"
profile="${PROFILE:-release}"
case "$profile" in release) outdir=release ;; dev) outdir=debug ;; *) die "PROFILE is release or dev" ;; esac
ensure_rust

dir="$ROOT/target/bench-base/$base"
if [[ ! -f "$dir/Cargo.toml" ]]; then
  git -C "$ROOT" cat-file -e "$base^{commit}" 2>/dev/null ||
    die "commit $base is not in this clone (a shallow clone? git fetch --unshallow)"
  rm -rf "$dir"
  mkdir -p "$dir"
  git -C "$ROOT" archive "$base" | tar -x -C "$dir"
fi
say "building $base in $dir ($profile)"
(cd "$dir" && cargo build -q --profile "$profile" --bin streamsim)
say "building this tree"
(cd "$ROOT" && cargo build -q --profile "$profile" --bin streamsim)

old="$dir/target/$outdir/streamsim"
new="$ROOT/target/$outdir/streamsim"
# run BIN: prints the wall time in ms of one run, and checks it balanced.
run() {
  local t0 t1 out
  t0=$(date +%s%N)
  out="$("$1" run --preset "$preset" --seconds "$seconds" --no-metrics)"
  t1=$(date +%s%N)
  grep -q '"ledger_balanced": true' <<<"$out" || die "$1: ledger not balanced"
  echo $(((t1 - t0) / 1000000))
}
olds=()
news=()
for ((i = 1; i <= rounds; i++)); do
  o="$(run "$old")"
  n="$(run "$new")"
  olds+=("$o")
  news+=("$n")
  printf 'round %d: %s %d ms, this tree %d ms\n' "$i" "$base" "$o" "$n"
done
if [[ "${INSTRUCTIONS:-0}" == 1 ]]; then
  command -v valgrind >/dev/null || die "INSTRUCTIONS=1 needs valgrind"
  # count BIN: the instructions one run executes (callgrind's "I refs").
  count() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$1" run --preset "$preset" \
      --seconds "$seconds" --no-metrics 2>&1 >/dev/null | awk '/I *refs:/ { gsub(",", "", $NF); print $NF }'
  }
  io="$(count "$old")"
  in="$(count "$new")"
  awk -v o="$io" -v n="$in" -v b="$base" 'BEGIN {
    printf "instructions: %s %.0f, this tree %.0f: %.2fx fewer\n", b, o, n, o / n
  }'
fi
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
mo="$(median "${olds[@]}")"
mn="$(median "${news[@]}")"
awk -v o="$mo" -v n="$mn" -v b="$base" -v p="$preset" -v s="$seconds" 'BEGIN {
  printf "%s, %d simulated s: median %s %d ms, this tree %d ms: %.2fx faster\n", p, s, b, o, n, o / n
}'
