# ccmux: `make run` and `make test` work on a fresh machine with only Node, npm, make and a compiler.
# Everything else (the pinned Node runtime, npm packages, Debian packages for browser tests) is installed here.

SHELL := /bin/bash
NODE_VERSION := 24.21.0
OS := $(shell uname -s | tr A-Z a-z)
MACHINE := $(shell uname -m)
ARCH := $(if $(filter x86_64 amd64,$(MACHINE)),x64,$(if $(filter aarch64 arm64,$(MACHINE)),arm64,$(MACHINE)))
NODE_PACKAGE := node-$(OS)-$(ARCH)
TOOLCHAIN := $(CURDIR)/.toolchain
# The pinned runtime ccmux is built, tested and packaged with (Node 20 is past end of life).
NODE := $(TOOLCHAIN)/node_modules/$(NODE_PACKAGE)/bin/node
NPM ?= npm
BUNDLE := dist/bundle/ccmux.cjs

.PHONY: all deps deps-asciinema build typecheck test run clean

all: build

$(NODE):
	mkdir -p $(TOOLCHAIN)
	cd $(TOOLCHAIN) && $(NPM) install --no-save --no-package-lock --no-audit --no-fund --prefix . $(NODE_PACKAGE)@$(NODE_VERSION)
	test -x $(NODE) && touch $(NODE)

# `npm install` rather than `npm ci`: the registry lacks some of msgpackr-extract's optional platform
# packages, which npm ci counts as a lock mismatch; npm install honours the lock and skips them.
node_modules/.installed: package.json package-lock.json
	$(NPM) install --no-audit --no-fund
	touch $@

deps: $(NODE) node_modules/.installed

## The real asciinema CLI (Debian package): the tests check exports with it and import its recordings.
deps-asciinema:
	@command -v asciinema >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
	  $$sudo apt-get update && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y asciinema; \
	}

build: deps
	$(NODE) scripts/build.mjs

typecheck: deps
	$(NODE) node_modules/typescript/bin/tsc --noEmit -p .

## Every test: unit, integration (real daemon, PTYs, sockets) and end-to-end.
test: deps typecheck deps-asciinema
	$(NODE) node_modules/vitest/vitest.mjs run

## Build, start a shell session and attach to it (C-b d detaches).
run: build
	$(NODE) $(BUNDLE) new

clean:
	rm -rf dist
