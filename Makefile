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
BINARY := dist/ccmux
PREFIX ?= /usr/local
SOURCES := $(shell find src -name '*.ts') scripts/build.mjs scripts/package.mjs package.json package-lock.json

.PHONY: all deps deps-asciinema deps-tmux build dist install typecheck test run bench clean

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

## tmux (Debian package): `make bench` measures ccmux next to it.
deps-tmux:
	@command -v tmux >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
	  $$sudo apt-get update && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y tmux; \
	}

build: deps
	$(NODE) scripts/build.mjs

## The single executable dist/ccmux: Node $(NODE_VERSION), node-pty and lmdb inside; built offline (docs/BUILD.md).
dist: $(BINARY)

$(BINARY): $(SOURCES) $(NODE) node_modules/.installed
	$(NODE) scripts/build.mjs
	$(NODE) scripts/package.mjs --output $@

## Installs dist/ccmux as $(PREFIX)/bin/ccmux (e.g. make install PREFIX=~/.local).
install: $(BINARY)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BINARY) $(DESTDIR)$(PREFIX)/bin/ccmux

typecheck: deps
	$(NODE) node_modules/typescript/bin/tsc --noEmit -p .

## Every test: unit, integration (real daemon, PTYs, sockets) and end-to-end (the built binary).
test: deps typecheck deps-asciinema $(BINARY)
	$(NODE) node_modules/vitest/vitest.mjs run

## Build, start a shell session and attach to it (C-b d detaches).
run: build
	$(NODE) $(BUNDLE) new

## ccmux (dist/ccmux) and tmux side by side: table on stdout, JSON in bench/results/ (docs/PERFORMANCE.md).
## BENCH_ARGS=--quick for a short run; BENCH_ARGS='--only throughput,latency' for some sections.
bench: deps deps-tmux $(BINARY)
	$(NODE) bench/run.mjs $(BENCH_ARGS)

clean:
	rm -rf dist .cache/pkg-home
