#!/usr/bin/env bash
# `make bench`: the criterion benchmark natively, then the same workload (preset "gaming", one
# simulated hour) in headless Chromium through www/bench.html, with the native CLI run before and
# after it for the browser/native ratio. `bench.sh native|browser` runs one.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

which="${1:-all}"
case "$which" in all | native | browser) ;; *) die "usage: scripts/bench.sh [native|browser]" ;; esac

if [[ "$which" != browser ]]; then
  ensure_rust
  say "criterion: cargo bench --bench gaming"
  cargo bench --bench gaming
fi
if [[ "$which" != native ]]; then
  ensure_chromium
  "$ROOT/scripts/build.sh"
  ensure_rust
  cargo build -q --release --bin streamsim
  say "browser: www/bench.html in headless Chromium, beside the native CLI (before and after)"
  node scripts/bench-browser.mjs --native target/release/streamsim
fi
