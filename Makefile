# parfetch — see README.md. `make demo` and `make test` work on a fresh Debian/Ubuntu
# machine with Swift installed: they install the C libraries first if they are missing.

SWIFT ?= swift
PREFIX ?= /usr/local
APT_PACKAGES := pkg-config libcurl4-openssl-dev libxml2-dev zlib1g-dev libidn2-dev libpsl-dev libssl-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps warc-tools build demo test test-sanitize test-slurm fuzz bench bench-shard install check-install man clean

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

# warcio and pywb (PyPI) in .build/warc-tools: the WARC tests check and replay with them.
warc-tools:
	scripts/warc-tools.sh

build: deps
	$(SWIFT) build -c release

# Starts the bundled fixture server on loopback and runs parfetch on fixtures/lists/demo.txt.
demo: build
	scripts/demo.sh

# Serially: several suites start servers and child processes and block on them; run side by
# side on a small machine they starve each other's timers.
test: deps warc-tools
	$(SWIFT) test --no-parallel

# The test suite under Thread Sanitizer and Address Sanitizer, each in its own build tree
# (SANITIZERS=thread runs one). The end-to-end tests run the binary built the same way, and
# stretch their few "within N seconds" limits by PARFETCH_TEST_SLOWDOWN; peak-memory limits
# are not checked under ASan (its shadow memory and quarantine are most of the peak).
# scripts/lsan.supp lists leaks in other people's code (argument parser, Foundation, XCTest).
SANITIZERS ?= thread address
test-sanitize: deps warc-tools
	@for sanitizer in $(SANITIZERS); do \
		echo "== swift test --sanitize=$$sanitizer"; \
		PARFETCH_TEST_SLOWDOWN=3 PARFETCH_TEST_SANITIZER=$$sanitizer \
		LSAN_OPTIONS=suppressions=$(CURDIR)/scripts/lsan.supp:print_suppressions=0 \
		$(SWIFT) test --no-parallel --sanitize=$$sanitizer \
			--scratch-path .build/sanitize-$$sanitizer || exit 1; \
	done

# A real Slurm job array (as root): a single-node cluster from Debian's slurm-wlm and munge in a
# temporary directory, 4 shards of a 10,000-line list against the fixture server on 127.0.0.1,
# one task stopped mid-run and requeued, then the merge job. Not part of make test.
test-slurm: deps
	SWIFT="$(SWIFT)" scripts/slurm-test.sh

# libFuzzer targets over the parsers of untrusted input (fuzz/README.md): every target for
# FUZZ_SECONDS each (default 60), or one with make fuzz-TARGET. Not part of make test or CI.
FUZZ_TARGETS := list-line css-selector page robots resume sitemap frontier json-line warc-tail
FUZZ_SECONDS ?= 60
.PHONY: $(addprefix fuzz-,$(FUZZ_TARGETS))
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh $(FUZZ_TARGETS)

$(addprefix fuzz-,$(FUZZ_TARGETS)): fuzz-%: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh $*

# parfetch against wget2, curl --parallel and Python aiohttp (fetch only), against aiohttp +
# selectolax (with parsing), and parse throughput against lxml and selectolax. See bench/README.md.
bench: build
	PARFETCH_ARGS=--no-parse bench/run.sh A B
	RESULT_SUFFIX=-parse TOOLS="parfetch aiohttp+selectolax aiohttp+selectolax-raw" bench/run.sh B C
	bench/parse.sh
	bench/big-page.sh 200

# 4 shards as a Slurm array vs one run over the same list (bench/results/latest-shard.txt).
bench-shard: deps
	SWIFT="$(SWIFT)" bench/shard.sh

# The installed binary carries the Swift runtime (--static-swift-stdlib): it needs only libcurl
# and libxml2, not the toolchain. Built apart from .build/release, which stays dynamic.
STATIC_BUILD := .build/static
install: deps
	$(SWIFT) build -c release --static-swift-stdlib --scratch-path $(STATIC_BUILD) --product parfetch
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 755 $(STATIC_BUILD)/release/parfetch $(DESTDIR)$(PREFIX)/bin/parfetch
	install -m 644 docs/parfetch.1 $(DESTDIR)$(PREFIX)/share/man/man1/parfetch.1
	$(STATIC_BUILD)/release/parfetch --generate-completion-script bash \
		>$(DESTDIR)$(PREFIX)/share/bash-completion/completions/parfetch
	$(STATIC_BUILD)/release/parfetch --generate-completion-script zsh \
		>$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_parfetch
	$(STATIC_BUILD)/release/parfetch --generate-completion-script fish \
		>$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/parfetch.fish

# Installs into a temporary PREFIX and proves the binary runs without the Swift toolchain.
check-install: build
	scripts/check-install.sh

# Regenerates docs/parfetch.1 from the command's own definitions (swift-argument-parser's
# generate-manual plugin); run after changing a flag, and commit the page. The sed drops a
# "subcommand" the generator lists though parfetch has none, and the blank lines mdoc warns about.
man:
	$(SWIFT) package --allow-writing-to-package-directory generate-manual \
		--authors "the parfetch authors" >/dev/null
	install -d docs
	sed -e '/^\.Ar subcommand$$/d' -e 's/^$$/.Pp/' \
		.build/plugins/GenerateManual/outputs/parfetch/parfetch.1 >docs/parfetch.1

clean:
	rm -rf .build
