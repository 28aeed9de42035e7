# SPDX-License-Identifier: GPL-2.0
# tcpopt: ./configure writes config.mk (make runs it when config.mk is missing).
#   make              build tcpopt/tcpopt (BPF objects embedded as skeletons)
#   make check        unit tests, then the suites (as root: real namespaces and cgroups)
#   make check SANITIZE=1   the same with an ASan/UBSan build
#   make check-unit   the C unit tests alone; make fuzz FUZZ_TIME=N  the fuzz targets
#   make demo         show the User Timeout option on the wire, in throwaway namespaces
#   make install      PREFIX=/usr/local DESTDIR=
#   make deb          the Debian package, in build/deb/ (dpkg-buildpackage)
#   make check-deb    make deb, then lintian and an install/remove test
#   V=1               show the commands

# Without config.mk, make runs ./configure itself (installing missing Debian
# packages first when run as root), then starts again with its result.
ifeq ($(filter clean distclean help deb check-deb,$(MAKECMDGOALS)),)
-include config.mk
endif

VERSION := 0.1.0
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
# Keep the BPF objects and skeletons between builds.
.SECONDARY:
.SUFFIXES:

ifeq ($(SANITIZE),1)
BUILD := build/san
TCPOPT_BIN := tcpopt/tcpopt-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD := build/std
TCPOPT_BIN := tcpopt/tcpopt
SANFLAGS :=
endif

# BPF programs embedded in the binary (bpf/<name>.bpf.c).
BPF_PROGS := tcpopt pm_ndiffports pm_fullmesh mptcp
BPF_OBJS := $(patsubst %,$(BUILD)/bpf/%.bpf.o,$(BPF_PROGS))
SKELS := $(patsubst %,$(BUILD)/%.skel.h,$(BPF_PROGS))

LIB_SRCS := $(wildcard lib/*.c)
CLI_SRCS := $(wildcard tcpopt/*.c)
OBJS := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRCS) $(CLI_SRCS))

CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ALL_CFLAGS := $(CFLAGS) $(WARN) $(SANFLAGS) -std=gnu11 -D_GNU_SOURCE \
	-DTCPOPT_VERSION='"$(VERSION)"' -I$(BUILD) -Ilib/uapi \
	$(LIBBPF_CFLAGS) $(LIBMNL_CFLAGS) $(LIBELF_CFLAGS)
LIBS := $(LIBBPF_LIBS) $(LIBMNL_LIBS) $(LIBELF_LIBS) $(ZLIB_LIBS)

BPF_CFLAGS := -g -O2 -target bpf -Wall -Werror -D__TARGET_ARCH_x86 \
	-I/usr/include/$(MULTIARCH) -Ibpf

HELPERS := $(patsubst test/helpers/%.c,build/helpers/%,$(wildcard test/helpers/*.c))

.PHONY: all clean distclean check check-unit demo install uninstall help helpers
all: $(TCPOPT_BIN) helpers

helpers: $(HELPERS)

# Example user programs for "option add object": built, not embedded.
EXAMPLES := $(patsubst bpf/examples/%.bpf.c,build/examples/%.bpf.o,$(wildcard bpf/examples/*.bpf.c))
.PHONY: examples
all: examples
examples: $(EXAMPLES)

build/examples/%.bpf.o: bpf/examples/%.bpf.c
	@mkdir -p $(@D)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h)
	@mkdir -p $(@D)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@

# CPPFLAGS and LDFLAGS as the environment gives them (dpkg-buildflags).
$(BUILD)/%.o: %.c $(SKELS) $(wildcard lib/*.h tcpopt/*.h bpf/tcpopt.h)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(TCPOPT_BIN): $(OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(LIBS)

build/helpers/%: test/helpers/%.c $(wildcard test/helpers/*.h)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(WARN) $(SANFLAGS) -o $@ $<

# C unit tests of the pure functions (test/unit/*.c, one program each,
# harness in test/unit/unit.c), linked with tcpopt's objects but main().
UNIT_HARNESS := test/unit/unit.c test/unit/globals.c
UNIT_SRCS := $(filter-out $(UNIT_HARNESS),$(wildcard test/unit/*.c))
UNIT_BINS := $(patsubst test/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRCS))
UNIT_OBJS := $(patsubst test/unit/%.c,$(BUILD)/unit/%.o,$(UNIT_HARNESS))
LIB_OBJS := $(filter-out $(BUILD)/tcpopt/tcpopt.o,$(OBJS))

$(BUILD)/libtcpopt.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/unit/%.o: test/unit/%.c test/unit/unit.h
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/unit/%: test/unit/%.c test/unit/unit.h $(UNIT_OBJS) $(BUILD)/libtcpopt.a
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(UNIT_OBJS) $(BUILD)/libtcpopt.a $(LIBS)

check-unit: $(UNIT_BINS)
	$(Q)fail=0; for t in $(UNIT_BINS); do $$t || fail=1; done; \
	if [ $$fail -ne 0 ]; then echo "check-unit: FAILED"; exit 1; fi

# libFuzzer targets (test/fuzz/*.c, seeds in test/fuzz/corpus/TARGET/):
# "make fuzz FUZZ_TIME=N" runs each for N seconds (FUZZ_TARGETS to pick),
# new inputs kept in build/fuzz/corpus/, a crash saved in build/fuzz/ and
# the run failed.  Built with clang-16 (Debian: clang-16 libfuzzer-16-dev).
FUZZ_CC ?= clang-16
FUZZ_TIME ?= 60
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS := $(filter-out $(SANFLAGS),$(ALL_CFLAGS)) $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_SRCS := $(wildcard test/fuzz/*.c)
FUZZ_TARGETS ?= $(patsubst test/fuzz/%.c,%,$(FUZZ_SRCS))
FUZZ_LIB_OBJS := $(patsubst $(BUILD)/%,build/fuzz/%,$(LIB_OBJS)) build/fuzz/unit/globals.o
FUZZ_BINS := $(patsubst %,build/fuzz/bin/%,$(FUZZ_TARGETS))

build/fuzz/lib/%.o: lib/%.c $(SKELS) $(wildcard lib/*.h tcpopt/*.h bpf/tcpopt.h)
	@mkdir -p $(@D)
	$(call msg,FUZZCC,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@
build/fuzz/tcpopt/%.o: tcpopt/%.c $(SKELS) $(wildcard lib/*.h tcpopt/*.h bpf/tcpopt.h)
	@mkdir -p $(@D)
	$(call msg,FUZZCC,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@
build/fuzz/unit/%.o: test/unit/%.c
	@mkdir -p $(@D)
	$(call msg,FUZZCC,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@
build/fuzz/bin/%: test/fuzz/%.c $(FUZZ_LIB_OBJS)
	@mkdir -p $(@D)
	$(call msg,FUZZLD,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB_OBJS) $(LIBS)

.PHONY: fuzz fuzz-build
fuzz-build:
	$(Q)test/install-deps fuzz
	$(Q)$(MAKE) --no-print-directory $(FUZZ_BINS)

# -close_fd_mask=2: the parsers report bad input on stderr, as they
# should; libFuzzer keeps its own reports (and the sanitizers') on a copy.
# FUZZ_JOBS targets run at once (default: one a CPU), each FUZZ_TIME
# seconds of its own CPU; their summaries follow in order.
FUZZ_JOBS ?= $(shell nproc)
fuzz: fuzz-build
	$(Q)for t in $(FUZZ_TARGETS); do \
		mkdir -p build/fuzz/corpus/$$t; rm -f build/fuzz/$$t.failed; \
		echo "  FUZZ     $$t ($(FUZZ_TIME) s)"; \
	done; \
	printf '%s\n' $(FUZZ_TARGETS) | xargs -P $(FUZZ_JOBS) -I@ sh -c ' \
		ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		build/fuzz/bin/@ -max_total_time=$(FUZZ_TIME) -close_fd_mask=2 \
			-print_final_stats=1 -artifact_prefix=build/fuzz/crash-@- \
			build/fuzz/corpus/@ test/fuzz/corpus/@ \
			>build/fuzz/@.log 2>&1 || touch build/fuzz/@.failed'; \
	fail=; for t in $(FUZZ_TARGETS); do \
		echo "  FUZZED   $$t"; \
		grep -E '^(stat::number_of_executed_units|stat::new_units_added)|ERROR|SUMMARY|Test unit written' \
			build/fuzz/$$t.log | sed 's/^/           /'; \
		[ ! -e build/fuzz/$$t.failed ] || fail="$$fail $$t"; \
	done; \
	if [ -n "$$fail" ]; then echo "fuzz: crashed:$$fail (see build/fuzz/*.log)"; exit 1; fi

# The suites need root for namespaces, cgroups and bpffs; without it only
# the unprivileged ones run (the others skip and say so).
check: all check-unit
	$(Q)test/install-deps test
	$(Q)test/lint
	$(Q)TCPOPT=$(CURDIR)/$(TCPOPT_BIN) HELPERS=$(CURDIR)/build/helpers \
		test/run $(TESTS)

demo: all
	$(Q)test/install-deps test
	$(Q)TCPOPT=$(CURDIR)/$(TCPOPT_BIN) HELPERS=$(CURDIR)/build/helpers test/demo

# systemd reads units from $(PREFIX)/lib/systemd/system for PREFIX /usr and
# /usr/local alike (a package may want UNITDIR=/lib/systemd/system); the
# units are installed, not enabled.
UNITDIR ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DOCDIR ?= $(PREFIX)/share/doc/tcpopt
EXAMPLEDIR ?= $(DOCDIR)/examples
UNITS := tcpopt.service tcpopt-metrics.service tcpopt-metrics.timer tcpopt-agent@.service

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(EXAMPLEDIR)
	install -m 0755 $(TCPOPT_BIN) $(DESTDIR)$(SBINDIR)/tcpopt
	install -m 0644 man8/*.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 completion/tcpopt.bash $(DESTDIR)$(BASHCOMPDIR)/tcpopt
	for u in $(UNITS); do \
		sed 's|@SBINDIR@|$(SBINDIR)|g' systemd/$$u > $(DESTDIR)$(UNITDIR)/$$u && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done
	install -m 0644 systemd/tcpopt.conf.example systemd/tcpopt-agent.conf.example \
		$(DESTDIR)$(EXAMPLEDIR)/

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/tcpopt
	for m in man8/*.8; do rm -f $(DESTDIR)$(MANDIR)/man8/$${m#man8/}; done
	rm -f $(DESTDIR)$(BASHCOMPDIR)/tcpopt $(DESTDIR)$(EXAMPLEDIR)/tcpopt.conf.example \
		$(DESTDIR)$(EXAMPLEDIR)/tcpopt-agent.conf.example
	for u in $(UNITS); do rm -f $(DESTDIR)$(UNITDIR)/$$u; done
	rmdir $(DESTDIR)$(EXAMPLEDIR) $(DESTDIR)$(DOCDIR) 2>/dev/null || true

# The Debian package: dpkg-buildpackage on a copy of the sources (those git
# knows, or all but what the build makes) in build/deb/tcpopt-VERSION, so
# that the tree itself stays as it is; the .deb, .buildinfo and .changes
# land in build/deb/, with the source package (.dsc, .tar.xz) for lintian.
DEB_DIR := build/deb
DEB_SRC := $(DEB_DIR)/tcpopt-$(VERSION)

.PHONY: deb check-deb
deb:
	$(Q)v=$$(dpkg-parsechangelog -S Version) && [ "$$v" = "$(VERSION)" ] || \
		{ echo "make deb: debian/changelog is at $$v, the Makefile at $(VERSION)" >&2; exit 1; }
	$(Q)rm -rf $(DEB_DIR) && mkdir -p $(DEB_SRC)
	$(Q)if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git ls-files -z --cached --others --exclude-standard; \
	else \
		find . \( -path ./build -o -path ./.git -o -path ./config.mk -o \
			-path ./tcpopt/tcpopt -o -path ./tcpopt/tcpopt-san \) -prune -o \
			-type f -print0; \
	fi | tar --null --ignore-failed-read -T - -cf - | tar -xf - -C $(DEB_SRC)
	$(call msg,DEB,$(DEB_DIR))
	$(Q)cd $(DEB_DIR) && dpkg-source -b tcpopt-$(VERSION) >source.log 2>&1 || \
		{ cat source.log >&2; exit 1; }
	$(Q)cd $(DEB_SRC) && if [ "$(V)" = 1 ]; then dpkg-buildpackage -us -uc -b; \
	else dpkg-buildpackage -us -uc -b >../build.log 2>&1 || \
		{ tail -n 30 ../build.log >&2; echo "make deb: see $(DEB_DIR)/build.log" >&2; exit 1; }; fi
	$(Q)rm -rf $(DEB_SRC)
	$(Q)ls $(DEB_DIR)/*.deb

check-deb: deb
	$(Q)test/install-deps test
	$(Q)DEB_DIR=$(CURDIR)/$(DEB_DIR) test/run test/package/deb.bats

config.mk: configure
	@if [ "$$(id -u)" -eq 0 ]; then test/install-deps build; fi
	./configure

clean:
	rm -rf build tcpopt/tcpopt tcpopt/tcpopt-san

distclean: clean
	rm -f config.mk

help:
	@sed -n '2,/^$$/s/^# \{0,1\}//p' Makefile

-include kernel/kernel.mk
-include test/bench/bench.mk
