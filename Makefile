# streamsim: the two everyday commands are `make serve` and `make test`.
# The real work is in scripts/ (plain bash), so each target also runs without make.

SHELL := /bin/bash
.DEFAULT_GOAL := help
.PHONY: help serve test build bench bench-native bench-browser bench-compare bench-frames clean distclean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{ printf "  make %-14s %s\n", $$1, $$2 }'

serve: ## install what is missing, build, serve on http://127.0.0.1:8000/ (PORT=... to change)
	@scripts/serve.sh

test: ## install what is missing, build, run every check (Rust, wasm, lint, e2e)
	@scripts/test.sh

build: ## build the wasm bundle into www/pkg/
	@scripts/build.sh

bench: ## criterion benchmark (native), the browser benchmark and the frame times (headless Chromium)
	@scripts/bench.sh
	@scripts/bench-frames.sh

bench-native: ## only the criterion benchmark
	@scripts/bench.sh native

bench-browser: ## only the browser benchmark
	@scripts/bench.sh browser

bench-compare: ## this tree against 310e109 (before issue 11), alternately (BASE=, SIM_SECONDS=, ROUNDS=)
	@scripts/bench-compare.sh $(or $(BASE),310e109) $(or $(SIM_SECONDS),3600) $(or $(ROUNDS),3)

bench-frames: ## frame times, fps, speed and bytes per frame of every preset at 1x and 100x
	@scripts/bench-frames.sh

clean: ## remove build output (target/, www/pkg/)
	cargo clean
	rm -rf www/pkg www/pkg.new

distclean: clean ## also remove node_modules/
	rm -rf node_modules
