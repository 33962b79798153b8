#!/usr/bin/env bash
# `make test`: install what is missing (Rust target, wasm-bindgen CLI, npm packages, Debian's
# Chromium), build the wasm bundle, then run every check in order and stop at the first failure.
# Each step prints one line; a failing step prints its full output. VERBOSE=1 shows everything.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

started=$SECONDS
current="setup"
on_exit() {
  local rc=$?
  if ((rc != 0)); then
    printf '\nFAILED: %s (exit %d, after %ds)\n' "$current" "$rc" "$((SECONDS - started))" >&2
    # The plain closing line CI reads: steps that passed, and the one that failed.
    printf 'steps: %d passed, 1 failed\n' "${steps:-0}"
  fi
}
trap on_exit EXIT

ensure_rust
ensure_rust_components
ensure_wasm_bindgen
ensure_node_modules
ensure_chromium

current="build"
"$ROOT/scripts/build.sh"

steps=0
# step NAME CMD...: one line per step, with its time; the output only when it fails.
step() {
  current="$1"
  shift
  local t0=$SECONDS
  printf -- '--> %s\n' "$current"
  quietly "$current" "$@"
  steps=$((steps + 1))
  if ((SECONDS - t0 >= 5)); then printf '    ok (%ds)\n' "$((SECONDS - t0))"; fi
}

step "cargo fmt --check" cargo fmt --check
step "cargo clippy (native, all targets)" cargo clippy --all-targets -- -D warnings
step "cargo clippy (wasm32, lib)" cargo clippy --target wasm32-unknown-unknown --lib -- -D warnings
step "cargo test (native)" cargo test
# Never -q: wasm-bindgen-test-runner rejects --quiet. tests/wasm.rs may not exist yet.
if [[ -f tests/wasm.rs ]]; then
  step "cargo test (wasm32, headless Chromium)" \
    cargo test --target wasm32-unknown-unknown --test wasm
else
  printf -- '--> cargo test (wasm32): skipped, no tests/wasm.rs yet\n'
fi
step "eslint" npx --no-install eslint .
step "prettier --check" npm run --silent format:check
step "end-to-end tests (node --test tests/e2e/)" node --test tests/e2e/

# The benchmark page must keep working, and the facade's promise "same digest natively and in
# the browser" is checked end to end: one simulated minute of the benchmark preset in headless
# Chromium against the native CLI (the debug build `cargo test` just made).
bench_smoke() {
  local browser native
  browser="$(node scripts/bench-browser.mjs --preset gaming --seconds 60 --axe)"
  native="$(cargo run -q --bin streamsim -- run --preset gaming --seconds 60 --no-metrics)"
  # shellcheck disable=SC2016 # JavaScript, not shell: nothing to expand
  node -e '
    const b = JSON.parse(process.argv[1]).digest;
    const n = JSON.parse(process.argv[2]).digest;
    if (!b || b !== n) {
      console.error(`digest differs: browser ${b}, native ${n}`);
      process.exit(1);
    }
  ' "$browser" "$native"
}
step "benchmark page smoke test; browser digest = native digest" bench_smoke

# The speed benchmarks must keep running (issue #11); these are smoke runs, never timed
# assertions: criterion's routines once each (cargo test --benches runs them in test mode), and
# the comparison with 310e109 built unoptimised for a few simulated seconds.
step "criterion benchmark smoke (cargo test --benches, 10 simulated s)" \
  env STREAMSIM_BENCH_SECONDS=10 cargo test --benches
if git -C "$ROOT" cat-file -e '310e109^{commit}' 2>/dev/null; then
  step "bench-compare smoke (310e109 against this tree, unoptimised, 5 simulated s)" \
    env PROFILE=dev "$ROOT/scripts/bench-compare.sh" 310e109 5 1
else
  printf -- '--> bench-compare smoke: skipped, commit 310e109 is not in this clone (shallow?)\n'
fi

# The frame-time benchmark must keep working and the core's per-frame limit hold at 1x and 100x:
# well-formed numbers and at most 64 KiB a frame (never a time: this machine's speed varies).
frames_smoke() {
  node scripts/bench-frames.mjs --presets gaming --seconds 2 --warmup 1 --check >/dev/null
}
step "frame-time benchmark smoke test (bytes per frame within the limit)" frames_smoke

current="done"
printf '\nALL TESTS PASSED: %d steps in %ds\n' "$steps" "$((SECONDS - started))"
printf 'steps: %d passed, 0 failed\n' "$steps"
