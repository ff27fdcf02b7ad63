# Kiosque — two commands on a fresh Debian machine (as root):
#   make run    install what is missing, build (release), serve channels.yml on http://127.0.0.1:8080
#   make test   everything CI checks
SHELL := /bin/bash
SWIFT ?= swift
HOST ?= 127.0.0.1
PORT ?= 8080
CONFIG ?= channels.yml
FUZZ_SECONDS ?= 600
PYTHON ?= python3
BENCH_DB ?= /tmp/kiosque-bench.sqlite
TEST_WIDTH := SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=40
# bench-postgres: where StoreBench writes the kept PostgreSQL portal's address (and its catalogue next to it).
PG_BENCH_ENV ?= /tmp/kiosque-bench-pg.env
PG_BENCH_OPTIONS ?=
# The press-shaped feed farm shared with other readers' measurements (issue 13): generated once.
FEEDFARM ?= ../shared/feedfarm
FARM_DIR ?= /tmp/farm1000
FARM_PORT ?= 8800

# Build libraries and PDF text extraction; then what the tests drive for real: a headless browser,
# a forward proxy, an HTTP/2 server, openssl for a self-signed TLS server, wrk for load, an SMTP server
# (aiosmtpd, run with Debian's /usr/bin/python3) for the mail tests.
DEB_BUILD := libxml2-dev libcurl4-openssl-dev libsqlite3-dev zlib1g-dev pkg-config poppler-utils libldap-dev libvips-dev libqrencode-dev
DEB_TEST  := chromium chromium-driver tinyproxy-bin nghttp2-server openssl python3 python3-feedparser wrk python3-aiosmtpd oathtool slapd ldap-utils postgresql postgresql-contrib
# The OpenID provider of the sign-in tests: LemonLDAP::NG run headless by plackup, with the Perl modules its
# portal loads at start-up (absent with --no-install-recommends), and curl as the agent's browser there.
DEB_TEST  += curl lemonldap-ng libgd-securityimage-perl libimage-magick-perl libgd-perl libstring-random-perl libemail-sender-perl \
             libcrypt-openssl-bignum-perl libconvert-base32-perl libio-string-perl libipc-run-perl libmime-tools-perl libnet-ldap-perl \
             libio-socket-timeout-perl libunicode-string-perl libauthen-webauthn-perl fonts-urw-base35
PIP_TEST  := selenium axe-selenium-python
# The benchmarks' load balancer in front of two instances (Benchmarks/two-instances.sh runs it from a temporary folder).
DEB_BENCH := nginx

.PHONY: all deps deps-test deps-bench build run test leaks check bench bench-postgres fuzz clean

all: build

# Idempotent: apt-get runs only when a package is missing.
define apt_install
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing:" $$missing; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call apt_install,$(DEB_BUILD))

deps-test: deps
	$(call apt_install,$(DEB_TEST))
	@$(PYTHON) -c "import selenium, axe_selenium_python" 2>/dev/null || $(PYTHON) -m pip install --quiet --disable-pip-version-check $(PIP_TEST)
	@# schemathesis in its own virtual environment (its pinned dependencies stay out of the system's Python).
	@test -x .build-py/bin/schemathesis || { $(PYTHON) -m venv .build-py && .build-py/bin/pip install --quiet --disable-pip-version-check schemathesis; }

deps-bench: deps-test
	$(call apt_install,$(DEB_BENCH))

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
	@# The engine's hang detectors (each fault must end near its 1.5 s limit) run on their own: under
	@# the whole suite's parallel load on 2 cores they measure the machine, not the engine.
	@# At most 40 tests at once: unbounded, hundreds of test stores open together (SQLite files,
	@# PostgreSQL connections) push the process past 1,024 descriptors, where Foundation's
	@# Process.run (CLI and server tests spawn) overflows a buffer and crashes the run.
	$(TEST_WIDTH) $(SWIFT) test --skip-build --skip 'FaultTableTests|EngineTests'
	$(TEST_WIDTH) $(SWIFT) test --skip-build --filter 'FaultTableTests|EngineTests'
	$(PYTHON) Tests/Browser/browser_test.py
	$(PYTHON) Tests/Browser/announcements_browser_test.py
	.build-py/bin/python Tests/API/api_contract_test.py
	$(MAKE) leaks

# AddressSanitizer + LeakSanitizer over the parser and the sanitizer: replay every fixture and the
# fuzz corpus (the fuzz executables replay files when built without -DFUZZING).
ASAN_ENV := ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=Fuzz/lsan.supp SWIFT_BACKTRACE=enable=no
leaks: deps
	$(SWIFT) build --build-path .build-asan -Xswiftc -sanitize=address --product ParseFuzz
	$(SWIFT) build --build-path .build-asan -Xswiftc -sanitize=address --product SanitizeFuzz
	$(ASAN_ENV) .build-asan/debug/ParseFuzz Tests/KiosqueParseTests/Fixtures
	$(ASAN_ENV) .build-asan/debug/SanitizeFuzz Fuzz/SanitizeFuzz/corpus Tests/KiosqueSanitizeTests/Fixtures

# Benchmarks print their figures; BENCHMARKS.md records them with machine and date.
bench: deps-bench
	$(SWIFT) build -c release --product ParseBench
	$(SWIFT) build -c release --product SanitizeBench
	$(SWIFT) build -c release --product FarmBench
	$(SWIFT) build -c release --product StoreBench
	$(SWIFT) build -c release --product WebBench
	$(SWIFT) build -c release --product DocumentsBench
	$(SWIFT) build -c release --product MediaBench
	.build/release/ParseBench
	.build/release/SanitizeBench
	.build/release/FarmBench
	@if [ ! -d "$(FEEDFARM)" ]; then echo "FarmBench shared farm skipped: no $(FEEDFARM)"; else \
	  test -f $(FARM_DIR)/urls.txt || $(PYTHON) $(FEEDFARM)/gen_feeds.py generate --n 1000 --out $(FARM_DIR) \
	    --base-url http://127.0.0.1:$(FARM_PORT) --seed 42 || exit 1; \
	  $(PYTHON) $(FEEDFARM)/serve_farm.py --dir $(FARM_DIR) --port $(FARM_PORT) --latency-ms 50 & \
	  farm=$$!; trap 'kill $$farm' EXIT; \
	  .build/release/FarmBench --farm-urls $(FARM_DIR)/urls.txt --latency 0.05 --connections 16; \
	fi
	rm -f $(BENCH_DB) $(BENCH_DB)-wal $(BENCH_DB)-shm
	.build/release/StoreBench --db $(BENCH_DB) --keep
	.build/release/WebBench --db $(BENCH_DB)
	.build/release/DocumentsBench --db $(BENCH_DB)
	.build/release/MediaBench
	rm -f $(BENCH_DB) $(BENCH_DB)-wal $(BENCH_DB)-shm

# Issue 18: StoreBench and WebBench on PostgreSQL (a PostgreSQL 15 of StoreBench's own, durable as deployed;
# PG_BENCH_OPTIONS="--pg-setting shared_buffers=1GB" to tune it), then Ma page through two instances behind
# nginx and through one. Compare with `make bench` (SQLite) run on the same machine.
bench-postgres: deps-bench
	$(SWIFT) build -c release --product kiosque
	$(SWIFT) build -c release --product StoreBench
	$(SWIFT) build -c release --product WebBench
	rm -f $(PG_BENCH_ENV)
	.build/release/StoreBench --postgres --keep --env-file $(PG_BENCH_ENV) $(PG_BENCH_OPTIONS)
	set -a; . $(PG_BENCH_ENV); set +a; \
	  trap 'runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$$KIOSQUE_BENCH_PGDIR/data" -m fast stop; \
	        rm -rf "$$KIOSQUE_BENCH_PGDIR" "$$KIOSQUE_BENCH_CATALOG" $(PG_BENCH_ENV)' EXIT; \
	  .build/release/WebBench --postgres-url "$$KIOSQUE_BENCH_URL" && \
	  Benchmarks/two-instances.sh --env-file $(PG_BENCH_ENV)

# libFuzzer targets for the parser and the sanitizer, FUZZ_SECONDS each, seeded from the fixtures.
fuzz: deps
	$(SWIFT) build --build-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING --product ParseFuzz
	$(SWIFT) build --build-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING --product SanitizeFuzz
	rm -rf .build-fuzz/corpus && mkdir -p .build-fuzz/corpus/parse .build-fuzz/corpus/sanitize
	cp Tests/KiosqueParseTests/Fixtures/* .build-fuzz/corpus/parse/ 2>/dev/null || true
	cp Fuzz/SanitizeFuzz/corpus/* .build-fuzz/corpus/sanitize/
	SWIFT_BACKTRACE=enable=no .build-fuzz/debug/ParseFuzz .build-fuzz/corpus/parse -max_total_time=$(FUZZ_SECONDS) -max_len=65536
	SWIFT_BACKTRACE=enable=no .build-fuzz/debug/SanitizeFuzz .build-fuzz/corpus/sanitize -dict=Fuzz/SanitizeFuzz/html.dict -max_total_time=$(FUZZ_SECONDS) -max_len=65536

clean:
	rm -rf .build .build-*
