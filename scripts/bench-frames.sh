#!/usr/bin/env bash
# `make bench-frames`: the frame-time benchmark (scripts/bench-frames.mjs) after a build: every
# preset at 1× and 100× in headless Chromium, as JSON on stdout. Arguments go to the script
# (--presets a,b --seconds N).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_chromium
"$ROOT/scripts/build.sh"
say "frames: index.html?measure in headless Chromium"
node "$ROOT/scripts/bench-frames.mjs" "$@"
