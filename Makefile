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

# Cockpit page + helper. DESTDIR/PREFIX for packaging; the page finds the helper through config.json.
PREFIX ?= /usr/local
COCKPIT_DIR ?= /usr/share/cockpit/ablestack-v2k
HELPER_DIR ?= $(PREFIX)/lib/ablestack-v2k

install: build
	rm -rf $(DESTDIR)$(COCKPIT_DIR) $(DESTDIR)$(HELPER_DIR)
	install -d $(DESTDIR)$(COCKPIT_DIR) $(DESTDIR)$(HELPER_DIR) $(DESTDIR)$(PREFIX)/bin
	cp -r dist/page/. $(DESTDIR)$(COCKPIT_DIR)/
	rm -f $(DESTDIR)$(COCKPIT_DIR)/*.map
	printf '{ "helper": "%s", "workdirRoot": "/var/lib/ablestack-v2k" }\n' "$(PREFIX)/bin/ablestack_v2k" > $(DESTDIR)$(COCKPIT_DIR)/config.json
	cp -r dist/helper dist/ablestack_v2k $(DESTDIR)$(HELPER_DIR)/
	ln -sfn $(HELPER_DIR)/ablestack_v2k $(DESTDIR)$(PREFIX)/bin/ablestack_v2k
	install -d -m 0700 $(DESTDIR)/var/lib/ablestack-v2k

# Development: Cockpit serves this checkout's dist/page (rebuild and reload), which calls this checkout's helper.
devel-install: build
	mkdir -p $(HOME)/.local/share/cockpit
	ln -sfn $(CURDIR)/dist/page $(HOME)/.local/share/cockpit/ablestack-v2k
	printf '{ "helper": "%s", "workdirRoot": "/var/lib/ablestack-v2k" }\n' "$(CURDIR)/dist/ablestack_v2k" > dist/page/config.json

clean:
	rm -rf dist test-artifacts
