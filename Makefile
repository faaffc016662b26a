# ablestack-v2k — see README.md. `make demo` and `make check` work on a fresh Debian 12 host as root.
SHELL := /bin/bash
NODE_TESTS_UNIT := $(sort $(wildcard test/unit/*.test.ts test/unit/*/*.test.ts))
NODE_TESTS_INTEGRATION := $(sort $(wildcard test/integration/*.test.ts))
NODE_TESTS_CEPH := $(sort $(wildcard test/integration/ceph-*.test.ts))
NODE_TESTS_BROWSER := $(sort $(wildcard test/browser/*.test.ts))
NODE_TESTS_PACKAGE := $(sort $(wildcard test/package/*.test.ts))
NODE_TESTS_CONVERT := $(sort $(wildcard test/convert/*.test.ts))
TEST_RUN := node --import tsx --test --test-concurrency=1 --test-reporter=spec

.PHONY: bench all deps npm-deps build dist-docs docs lint format typecheck check test-unit test-integration test-ceph test-browser test-package test-convert \
	soak test-soak-short test-load \
	lab-images demo install devel-install stage rpm deb clean

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
	@$(MAKE) --no-print-directory dist-docs

# Generated from the code (command registry, option specs, error codes), so they cannot drift: the
# reference and bash completion are rendered by the built helper itself. `make docs` also refreshes the
# committed pkg/doc/reference.md (a unit test fails when it is stale).
dist-docs:
	mkdir -p dist/doc dist/completion
	dist/ablestack_v2k help --reference > dist/doc/reference.md
	dist/ablestack_v2k completion bash > dist/completion/ablestack_v2k

docs: build
	cp dist/doc/reference.md pkg/doc/reference.md

# ESLint's rules, and Prettier's formatting with its line budget (.prettierrc.json: 140 columns).
lint: npm-deps
	npx eslint --max-warnings=-1 .
	npx prettier --check --log-level=warn "src/**/*.{ts,tsx,mjs,css}" "test/**/*.ts" build.mjs eslint.config.js

format: npm-deps
	npx prettier --write --log-level=warn "src/**/*.{ts,tsx,mjs,css}" "test/**/*.ts" build.mjs eslint.config.js

typecheck: npm-deps
	npx tsc -p tsconfig.json --noEmit

test-unit: build
	$(TEST_RUN) $(NODE_TESTS_UNIT)

test-integration: build
	$(if $(NODE_TESTS_INTEGRATION),$(TEST_RUN) $(NODE_TESTS_INTEGRATION),@echo "no integration tests")

# a real single-node Ceph per test file (ceph-mon, ceph-mgr, memstore ceph-osd); make check runs these too
test-ceph: build
	$(TEST_RUN) $(NODE_TESTS_CEPH)

test-browser: build
	$(if $(NODE_TESTS_BROWSER),$(TEST_RUN) $(NODE_TESTS_BROWSER),@echo "no browser tests")

# linux01's Debian image: built once per machine (cached under /var/lib/ablestack-v2k/lab-images).
lab-images: build
	dist/ablestack_v2k lab build-images

# Guest conversion on linux01 under TCG: minutes per boot and conversion.
test-convert: lab-images
	$(TEST_RUN) $(NODE_TESTS_CONVERT)

check: deps
	@$(MAKE) --no-print-directory lint typecheck build lab-images
	$(TEST_RUN) $(NODE_TESTS_UNIT) $(NODE_TESTS_INTEGRATION) $(NODE_TESTS_BROWSER) $(NODE_TESTS_CONVERT)
	@$(MAKE) --no-print-directory test-soak-short
	@$(MAKE) --no-print-directory test-load
	@$(MAKE) --no-print-directory test-package

# Crash-and-resume soak: runbook steps SIGKILLed at seeded random moments and re-run; checks targets,
# manifest, snapshots and processes after each. Bounded by SOAK_SECONDS (default 600); SOAK_CYCLES caps
# the cycles, SOAK_SEED repeats a run (the seed is printed first).
SOAK_SECONDS ?= 600
soak: build
	SOAK_SECONDS=$(SOAK_SECONDS) node --import tsx test/soak/soak.ts

# Performance goals, measured and printed with PASS/FAIL (minutes; load-sensitive; not in make check).
# ROUNDS (default 3), SIZE, SCATTERED_SIZE, RBD_SIZE: see test/bench/goals.ts.
bench: build
	node --import tsx test/bench/goals.ts

# Load: 4 VMs migrated at once under a host cap of 2 disk copies and a bandwidth cap; prints throughput
# and peak memory (a few minutes: its own target, run by make check).
test-load: build
	$(TEST_RUN) test/load/fleet-load.test.ts

# The 2-minute soak make check runs.
test-soak-short: build
	SOAK_SECONDS=120 node --import tsx test/soak/soak.ts

# Builds the .deb and the RPM, installs the .deb with dpkg here and rehearses a migration with it.
test-package: build
	$(TEST_RUN) $(NODE_TESTS_PACKAGE)

demo: deps build
	bash pkg/demo.sh

# Cockpit page + helper + docs. DESTDIR/PREFIX for packaging; the page finds the helper through config.json.
PREFIX ?= /usr/local
COCKPIT_DIR ?= /usr/share/cockpit/ablestack-v2k
HELPER_DIR ?= $(PREFIX)/lib/ablestack-v2k
DOC_DIR ?= $(PREFIX)/share/doc/ablestack-v2k
COMPLETION_DIR ?= $(PREFIX)/share/bash-completion/completions
DOCS := pkg/doc/runbook.md pkg/doc/runbook.ko.md pkg/doc/troubleshooting.md pkg/doc/troubleshooting.ko.md pkg/examples/govc.env.example

install: build
	rm -rf $(DESTDIR)$(COCKPIT_DIR) $(DESTDIR)$(HELPER_DIR) $(DESTDIR)$(DOC_DIR)
	install -d $(DESTDIR)$(COCKPIT_DIR) $(DESTDIR)$(HELPER_DIR) $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DOC_DIR) $(DESTDIR)$(COMPLETION_DIR)
	cp -r dist/page/. $(DESTDIR)$(COCKPIT_DIR)/
	rm -f $(DESTDIR)$(COCKPIT_DIR)/*.map
	printf '{ "helper": "%s", "workdirRoot": "/var/lib/ablestack-v2k" }\n' "$(PREFIX)/bin/ablestack_v2k" > $(DESTDIR)$(COCKPIT_DIR)/config.json
	cp -r dist/helper dist/ablestack_v2k $(DESTDIR)$(HELPER_DIR)/
	ln -sfn $$(realpath -m --relative-to=$(PREFIX)/bin $(HELPER_DIR))/ablestack_v2k $(DESTDIR)$(PREFIX)/bin/ablestack_v2k
	install -m 0644 $(DOCS) dist/doc/reference.md $(DESTDIR)$(DOC_DIR)/
	install -m 0644 dist/completion/ablestack_v2k $(DESTDIR)$(COMPLETION_DIR)/ablestack_v2k
	install -d -m 0700 $(DESTDIR)/var/lib/ablestack-v2k

# Packages: one staged tree (the same `make install` lays out, with PREFIX=/usr) for both formats.
VERSION := $(shell node -p 'require("./package.json").version')
STAGE := $(CURDIR)/build/stage

stage: build
	rm -rf $(STAGE)
	$(MAKE) --no-print-directory install DESTDIR=$(STAGE) PREFIX=/usr

deb: stage
	bash pkg/deb/build-deb.sh $(STAGE) $(VERSION) build/ablestack-v2k_$(VERSION)_all.deb

rpm: stage
	rm -rf build/rpm
	rpmbuild -bb --quiet --define "_topdir $(CURDIR)/build/rpm" --define "stage $(STAGE)" --define "pkgversion $(VERSION)" \
		--define "dist %{nil}" pkg/rpm/ablestack-v2k.spec
	cp build/rpm/RPMS/noarch/ablestack-v2k-$(VERSION)-1.noarch.rpm build/

# Development: Cockpit serves this checkout's dist/page (rebuild and reload), which calls this checkout's helper.
devel-install: build
	mkdir -p $(HOME)/.local/share/cockpit
	ln -sfn $(CURDIR)/dist/page $(HOME)/.local/share/cockpit/ablestack-v2k
	printf '{ "helper": "%s", "workdirRoot": "/var/lib/ablestack-v2k" }\n' "$(CURDIR)/dist/ablestack_v2k" > dist/page/config.json

clean:
	rm -rf dist build test-artifacts
