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
# The real Claude Code CLI for the end-to-end agent test (test/e2e/claude-code.test.ts), pinned: an
# unpinned install on an older Node silently picks an old release. Kept out of the project's
# dependencies; its `claude` is a native binary from the platform package, used directly (npm may
# skip the wrapper's postinstall that would copy it into place).
CLAUDE_CODE_VERSION := 2.1.330
CLAUDE_CODE_DIR := $(TOOLCHAIN)/claude-code
CLAUDE_CODE_LIBC := $(if $(wildcard /lib/ld-musl-*),-musl,)
CLAUDE_CODE := $(CLAUDE_CODE_DIR)/node_modules/@anthropic-ai/claude-code-$(OS)-$(ARCH)$(CLAUDE_CODE_LIBC)/claude
CLAUDE_CODE_STAMP := $(CLAUDE_CODE_DIR)/.installed-$(CLAUDE_CODE_VERSION)
SOURCES := $(shell find src -name '*.ts' -o -name '*.css' -o -name '*.json') scripts/build.mjs scripts/package.mjs package.json package-lock.json

.PHONY: all deps deps-asciinema deps-shells deps-claude-code deps-chromium deps-tmux build dist install typecheck test soak run bench clean

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

## zsh and fish (Debian packages): the tests load the completion scripts in them as well as in bash.
deps-shells:
	@command -v zsh >/dev/null && command -v fish >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
	  $$sudo apt-get update && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y zsh fish; \
	}

## The real Claude Code CLI, pinned, in its own folder (not a project dependency): the agent e2e test runs it.
deps-claude-code: $(CLAUDE_CODE_STAMP)

$(CLAUDE_CODE_STAMP):
	rm -rf $(CLAUDE_CODE_DIR) && mkdir -p $(CLAUDE_CODE_DIR)
	$(NPM) install --no-save --no-package-lock --no-audit --no-fund --ignore-scripts --prefix $(CLAUDE_CODE_DIR) @anthropic-ai/claude-code@$(CLAUDE_CODE_VERSION)
	test "$$($(CLAUDE_CODE) --version)" = "$(CLAUDE_CODE_VERSION) (Claude Code)"
	touch $@

## Debian's Chromium: the web page's tests drive it with playwright-core (which downloads no browser).
deps-chromium:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
	  $$sudo apt-get update && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
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
	$(NODE) node_modules/typescript/bin/tsc --noEmit -p src/web/page

## Every test: unit, integration (real daemon, PTYs, sockets, a headless Chromium) and end-to-end (the built binary).
test: deps typecheck deps-asciinema deps-shells deps-claude-code deps-chromium $(BINARY)
	$(NODE) node_modules/vitest/vitest.mjs run

## The long reliability runs (docs/RELIABILITY.md): 100 sessions under load for CCMUX_SOAK_SECONDS
## (default 180), then 100 000 fuzz cases on the socket. Not part of `make test`.
soak: deps $(BINARY)
	$(NODE) node_modules/vitest/vitest.mjs run --config vitest.soak.config.ts
	CCMUX_FUZZ_CASES=$${CCMUX_FUZZ_CASES:-100000} $(NODE) node_modules/vitest/vitest.mjs run test/integration/fuzz.test.ts

## Build, start a shell session and attach to it (C-b d detaches).
run: build
	$(NODE) $(BUNDLE) new

## ccmux (dist/ccmux) and tmux side by side: table on stdout, JSON in bench/results/ (docs/PERFORMANCE.md).
## BENCH_ARGS=--quick for a short run; BENCH_ARGS='--only throughput,latency' for some sections.
bench: deps deps-tmux $(BINARY)
	$(NODE) bench/run.mjs $(BENCH_ARGS)

clean:
	rm -rf dist .cache/pkg-home
