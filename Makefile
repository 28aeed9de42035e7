# SPDX-License-Identifier: GPL-2.0
# tcpopt: ./configure writes config.mk (make runs it when config.mk is missing).
#   make              build tcpopt/tcpopt (BPF objects embedded as skeletons)
#   make check        run the test suites (as root: real namespaces and cgroups)
#   make check SANITIZE=1   the same with an ASan/UBSan build
#   make demo         show the User Timeout option on the wire, in throwaway namespaces
#   make install      PREFIX=/usr/local DESTDIR=
#   V=1               show the commands

# Without config.mk, make runs ./configure itself (installing missing Debian
# packages first when run as root), then starts again with its result.
ifeq ($(filter clean help,$(MAKECMDGOALS)),)
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
BPF_PROGS := uto exp cc iw delack pm_ndiffports pm_fullmesh
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

.PHONY: all clean check check-unit demo install uninstall help helpers
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

$(BUILD)/%.o: %.c $(SKELS) $(wildcard lib/*.h tcpopt/*.h bpf/tcpopt.h)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(TCPOPT_BIN): $(OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $(OBJS) $(LIBS)

build/helpers/%: test/helpers/%.c
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(WARN) $(SANFLAGS) -o $@ $<

# C unit tests of the pure functions (test/unit/*.c, one program each,
# harness in test/unit/unit.c), linked with tcpopt's objects but main().
UNIT_SRCS := $(filter-out test/unit/unit.c,$(wildcard test/unit/*.c))
UNIT_BINS := $(patsubst test/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRCS))
LIB_OBJS := $(filter-out $(BUILD)/tcpopt/tcpopt.o,$(OBJS))

$(BUILD)/libtcpopt.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/unit/unit.o: test/unit/unit.c test/unit/unit.h
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/unit/%: test/unit/%.c test/unit/unit.h $(BUILD)/unit/unit.o $(BUILD)/libtcpopt.a
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/unit/unit.o $(BUILD)/libtcpopt.a $(LIBS)

check-unit: $(UNIT_BINS)
	$(Q)fail=0; for t in $(UNIT_BINS); do $$t || fail=1; done; \
	if [ $$fail -ne 0 ]; then echo "check-unit: FAILED"; exit 1; fi

# The suites need root for namespaces, cgroups and bpffs; without it only
# the unprivileged ones run (the others skip and say so).
check: all check-unit
	$(Q)test/install-deps test
	$(Q)TCPOPT=$(CURDIR)/$(TCPOPT_BIN) HELPERS=$(CURDIR)/build/helpers \
		test/run $(TESTS)

demo: all
	$(Q)test/install-deps test
	$(Q)TCPOPT=$(CURDIR)/$(TCPOPT_BIN) HELPERS=$(CURDIR)/build/helpers test/demo

# systemd reads units from $(PREFIX)/lib/systemd/system for PREFIX /usr and
# /usr/local alike (a package may want UNITDIR=/lib/systemd/system); the
# unit is installed, not enabled.
UNITDIR ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DOCDIR ?= $(PREFIX)/share/doc/tcpopt

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(DOCDIR)
	install -m 0755 $(TCPOPT_BIN) $(DESTDIR)$(SBINDIR)/tcpopt
	install -m 0644 man8/*.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 completion/tcpopt.bash $(DESTDIR)$(BASHCOMPDIR)/tcpopt
	sed 's|@SBINDIR@|$(SBINDIR)|g' systemd/tcpopt.service > $(DESTDIR)$(UNITDIR)/tcpopt.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/tcpopt.service
	install -m 0644 systemd/tcpopt.conf.example $(DESTDIR)$(DOCDIR)/

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/tcpopt
	for m in man8/*.8; do rm -f $(DESTDIR)$(MANDIR)/man8/$${m#man8/}; done
	rm -f $(DESTDIR)$(BASHCOMPDIR)/tcpopt $(DESTDIR)$(UNITDIR)/tcpopt.service \
		$(DESTDIR)$(DOCDIR)/tcpopt.conf.example
	rmdir --ignore-fail-on-non-empty $(DESTDIR)$(DOCDIR) 2>/dev/null || true

config.mk: configure
	@if [ "$$(id -u)" -eq 0 ]; then test/install-deps build; fi
	./configure

clean:
	rm -rf build tcpopt/tcpopt tcpopt/tcpopt-san

help:
	@sed -n '2,8s/^# \{0,1\}//p' Makefile

-include kernel/kernel.mk
-include test/bench/bench.mk
