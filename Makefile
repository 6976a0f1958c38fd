# parfetch — see README.md. `make demo` and `make test` work on a fresh Debian/Ubuntu
# machine with Swift installed: they install the C libraries first if they are missing.

SWIFT ?= swift
PREFIX ?= /usr/local
APT_PACKAGES := pkg-config libcurl4-openssl-dev libxml2-dev zlib1g-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build demo test bench install clean

all: build

# Installs the system libraries the package links, if any is missing.
deps:
	@missing=""; \
	for package in $(APT_PACKAGES); do \
		dpkg -s $$package >/dev/null 2>&1 || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build -c release

# Starts the bundled fixture server on loopback and runs parfetch on fixtures/lists/demo.txt.
demo: build
	scripts/demo.sh

# Serially: several suites start servers and child processes and block on them; run side by
# side on a small machine they starve each other's timers.
test: deps
	$(SWIFT) test --no-parallel

# parfetch against wget2, curl --parallel and Python aiohttp (fetch only), against aiohttp +
# selectolax (with parsing), and parse throughput against lxml and selectolax. See bench/README.md.
bench: build
	PARFETCH_ARGS=--no-parse bench/run.sh A B
	RESULT_SUFFIX=-parse TOOLS="parfetch aiohttp+selectolax aiohttp+selectolax-raw" bench/run.sh B C
	bench/parse.sh
	bench/big-page.sh 200

install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 .build/release/parfetch $(DESTDIR)$(PREFIX)/bin/parfetch

clean:
	rm -rf .build
