#!/usr/bin/env bash
# `make serve`: install what is missing, build the wasm bundle, then serve the repository root
# on http://127.0.0.1:${PORT:-8000}/ (loopback only: this is a development server).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$ROOT/scripts/build.sh"
# exec: Ctrl-C and SIGTERM go straight to the server, which shuts down cleanly.
exec node "$ROOT/scripts/serve.mjs" "$ROOT"
