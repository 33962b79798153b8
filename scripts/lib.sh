# shellcheck shell=bash
# Shared helpers for scripts/*.sh. Source it; do not run it.
#
# Every ensure_* function checks first and installs only what is missing, so the scripts are
# cheap to re-run and work both on a fresh machine and on one that is already set up.

# Repository root, wherever the caller was started from.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1

# Non-interactive everywhere: a run with no stdin (CI) must never wait at a prompt.
export DEBIAN_FRONTEND=noninteractive
# playwright-core never downloads browsers, but make sure nothing else tries either: the
# machine only reaches package registries, and the tests use Debian's /usr/bin/chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export PUPPETEER_SKIP_DOWNLOAD=1
export npm_config_update_notifier=false
export npm_config_fund=false
export npm_config_audit=false

# rustup installs into ~/.cargo/bin, which a non-login shell (make, CI) may not have on PATH.
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
if [[ -d "$CARGO_BIN" && ":$PATH:" != *":$CARGO_BIN:"* ]]; then
  export PATH="$CARGO_BIN:$PATH"
fi

# set -e stops at the first failing command; say which one, rather than stopping silently.
# (Failures inside `quietly` have already been reported with their output: REPORTED is set.)
REPORTED=''
report_failure() {
  if [[ -z $REPORTED ]]; then printf 'error: "%s" failed (exit %d) at %s\n' "$2" "$1" "$3" >&2; fi
  REPORTED=1 # once: the trap fires again in each calling function on the way out
}
set -o errtrace
trap 'report_failure "$?" "$BASH_COMMAND" "${BASH_SOURCE[0]:-$0}:$LINENO"' ERR

say() { printf '==> %s\n' "$*"; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# quietly DESCRIPTION CMD...: run CMD with its output kept in a log; show the log only if it
# fails (or always when VERBOSE is set), so a good run prints one line per step.
quietly() {
  local what="$1"
  shift
  if [[ -n "${VERBOSE:-}" ]]; then
    "$@"
    return
  fi
  local log rc=0
  log="$(mktemp)"
  "$@" >"$log" 2>&1 || rc=$?
  if ((rc != 0)); then
    printf 'error: %s failed (exit %d). Output:\n' "$what" "$rc" >&2
    cat "$log" >&2
    REPORTED=1
  fi
  rm -f "$log"
  return "$rc"
}

need_cmd() {
  command -v "$1" >/dev/null 2>&1 || die "$1 not found. $2"
}

# apt-get needs root; use sudo when we are not root and it is there.
as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo -n "$@"
  else
    die "need root to run: $*"
  fi
}

ensure_rust() {
  need_cmd cargo "Install Rust with rustup (https://rustup.rs) and open a new shell."
  need_cmd rustup "This project needs rustup to add the wasm32 target."
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    say "adding Rust target wasm32-unknown-unknown"
    quietly "rustup target add" rustup target add wasm32-unknown-unknown
  fi
}

# rustfmt and clippy come with rustup's default profile but not with the minimal one.
ensure_rust_components() {
  local missing=()
  cargo fmt --version >/dev/null 2>&1 || missing+=(rustfmt)
  cargo clippy --version >/dev/null 2>&1 || missing+=(clippy)
  if ((${#missing[@]})); then
    say "adding Rust components: ${missing[*]}"
    quietly "rustup component add" rustup component add "${missing[@]}"
  fi
}

# The version of the wasm-bindgen crate pinned in Cargo.lock. The CLI must match it exactly:
# the generated JS glue and the wasm module share an unversioned ABI.
wasm_bindgen_lock_version() {
  [[ -f Cargo.lock ]] || quietly "cargo generate-lockfile" cargo generate-lockfile
  awk '
    /^\[\[package\]\]/ { in_wb = 0 }
    /^name = "wasm-bindgen"$/ { in_wb = 1; next }
    in_wb && /^version = / { gsub(/"/, "", $3); print $3; exit }
  ' Cargo.lock
}

# "wasm-bindgen 0.2.130" -> "0.2.130"; empty when the tool is absent or broken.
tool_version() {
  "$1" --version 2>/dev/null | awk 'NR == 1 { print $2 }' || true
}

ensure_wasm_bindgen() {
  local want have_cli have_runner
  want="$(wasm_bindgen_lock_version)"
  [[ -n "$want" ]] || die "no wasm-bindgen package in Cargo.lock"
  have_cli="$(tool_version wasm-bindgen)"
  # The test runner comes in the same crate and must match too (it runs tests/wasm.rs).
  have_runner="$(tool_version wasm-bindgen-test-runner)"
  if [[ "$have_cli" == "$want" && "$have_runner" == "$want" ]]; then
    return
  fi
  say "installing wasm-bindgen-cli $want (found: wasm-bindgen ${have_cli:-none}," \
    "wasm-bindgen-test-runner ${have_runner:-none}; takes a few minutes)"
  # --locked first (reproducible); the registry mirror on some machines lacks a version the
  # CLI's lock file pins, so fall back to a normal resolve rather than fail. The first
  # attempt's output is only summarised: the fallback is the expected path there.
  local log
  log="$(mktemp)"
  if ! cargo install --locked wasm-bindgen-cli --version "$want" >"$log" 2>&1; then
    say "cargo install --locked failed ($(grep -m1 '^error' "$log" || tail -n1 "$log")); retrying without --locked"
    quietly "cargo install wasm-bindgen-cli $want" \
      cargo install wasm-bindgen-cli --version "$want" ||
      die "could not install wasm-bindgen-cli $want (see above)"
  fi
  rm -f "$log"
  # cargo installs into $CARGO_BIN; put it first in case another copy shadows it on PATH.
  export PATH="$CARGO_BIN:$PATH"
  have_cli="$(tool_version wasm-bindgen)"
  have_runner="$(tool_version wasm-bindgen-test-runner)"
  [[ "$have_cli" == "$want" && "$have_runner" == "$want" ]] ||
    die "after installing $want, $(command -v wasm-bindgen) is '$have_cli' and" \
      "wasm-bindgen-test-runner is '$have_runner'"
}

# A fingerprint of the npm manifest and lock, stored in node_modules after a good install, so
# a changed lock (git pull) triggers a reinstall and an unchanged one costs nothing.
npm_fingerprint() {
  {
    cat package.json
    if [[ -f package-lock.json ]]; then cat package-lock.json; fi
  } | sha256sum | cut -d' ' -f1
}

ensure_node_modules() {
  need_cmd node "Install Node.js 20 or newer."
  need_cmd npm "Install npm."
  local stamp=node_modules/.streamsim-installed want
  want="$(npm_fingerprint)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    return
  fi
  say "installing npm devDependencies"
  # --ignore-scripts: none of our packages needs an install script, and skipping them
  # guarantees nothing downloads a browser or binary from outside the registry.
  if [[ -f package-lock.json ]]; then
    quietly "npm ci" npm ci --ignore-scripts --no-audit --no-fund
  else
    quietly "npm install" npm install --ignore-scripts --no-audit --no-fund
  fi
  npm_fingerprint >"$stamp"
}

# Debian's Chromium and its matching chromedriver: the e2e tests drive /usr/bin/chromium through
# playwright-core, and wasm-bindgen-test-runner drives it through chromedriver. CHROMIUM_PATH and
# CHROMEDRIVER (also read by the harness and by the runner) may point elsewhere.
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
ensure_chromium() {
  if [[ -x "$CHROMIUM_PATH" && -x "$CHROMEDRIVER" ]]; then
    return
  fi
  need_cmd apt-get "Install Chromium and chromedriver ($CHROMIUM_PATH, $CHROMEDRIVER)."
  say "installing chromium and chromium-driver from Debian (about 500 MB)"
  quietly "apt-get update" as_root apt-get update
  quietly "apt-get install chromium chromium-driver" \
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver
  [[ -x "$CHROMIUM_PATH" && -x "$CHROMEDRIVER" ]] ||
    die "apt-get finished but $CHROMIUM_PATH or $CHROMEDRIVER is still missing"
}
