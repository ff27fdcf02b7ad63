# Kiosque — two commands on a fresh Debian machine (as root):
#   make run    install what is missing, build (release), serve channels.yml on http://127.0.0.1:8080
#   make test   everything CI checks
SHELL := /bin/bash
SWIFT ?= swift
HOST ?= 127.0.0.1
PORT ?= 8080
CONFIG ?= channels.yml

# System packages: build libraries, PDF text extraction, the headless browser and load tools used by tests.
DEB_BUILD := libxml2-dev libcurl4-openssl-dev libsqlite3-dev zlib1g-dev pkg-config poppler-utils
DEB_TEST  := chromium python3 wrk

.PHONY: all deps deps-test build run test check bench fuzz clean

all: build

# Idempotent: apt-get runs only when a package is missing.
deps:
	@missing=$$(for p in $(DEB_BUILD); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

deps-test: deps
	@missing=$$(for p in $(DEB_TEST); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	$(SWIFT) build -c release --product kiosque

run: build
	.build/release/kiosque serve --config $(CONFIG) --host $(HOST) --port $(PORT)

check: build
	.build/release/kiosque check --config $(CONFIG)

# Build once with the tests, then run without rebuilding (the first test build is the slow part).
test: deps-test
	$(SWIFT) build --build-tests
	.build/debug/kiosque check $(CONFIG)
	$(SWIFT) test --skip-build --parallel

bench: deps-test
	$(SWIFT) build -c release --product kiosque
	@echo "Benchmarks: see BENCHMARKS.md for the latest recorded figures."

fuzz: deps
	@echo "Fuzz targets land with the parser and sanitizer (see Fuzz/)."

clean:
	rm -rf .build .build-*
