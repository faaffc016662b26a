# ablestack-v2k — see README.md. `make demo` and `make check` work on a fresh Debian 12 host as root.
SHELL := /bin/bash
NODE_TESTS_UNIT := $(sort $(wildcard test/unit/*.test.ts test/unit/*/*.test.ts))
NODE_TESTS_INTEGRATION := $(sort $(wildcard test/integration/*.test.ts))
NODE_TESTS_BROWSER := $(sort $(wildcard test/browser/*.test.ts))
TEST_RUN := node --import tsx --test --test-concurrency=1 --test-reporter=spec

.PHONY: all deps npm-deps build typecheck check test-unit test-integration test-browser demo install devel-install clean

all: build

deps:
	@bash pkg/install-deps.sh
	@$(MAKE) --no-print-directory npm-deps

npm-deps: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

build: npm-deps
	node build.mjs

typecheck: npm-deps
	npx tsc -p tsconfig.json --noEmit

test-unit: build
	$(TEST_RUN) $(NODE_TESTS_UNIT)

test-integration: build
	$(if $(NODE_TESTS_INTEGRATION),$(TEST_RUN) $(NODE_TESTS_INTEGRATION),@echo "no integration tests")

test-browser: build
	$(if $(NODE_TESTS_BROWSER),$(TEST_RUN) $(NODE_TESTS_BROWSER),@echo "no browser tests")

check: deps
	@$(MAKE) --no-print-directory typecheck build
	$(TEST_RUN) $(NODE_TESTS_UNIT) $(NODE_TESTS_INTEGRATION) $(NODE_TESTS_BROWSER)

demo: deps build
	bash pkg/demo.sh

clean:
	rm -rf dist test-artifacts
