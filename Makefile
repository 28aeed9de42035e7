# SPDX-License-Identifier: GPL-2.0
# tcpopt: ./configure writes config.mk (make runs it when config.mk is missing).
#   make              build tcpopt/tcpopt (BPF objects embedded as skeletons)
#   make check        run the test suites (as root: real namespaces and cgroups)
#   make check SANITIZE=1   the same with an ASan/UBSan build
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

build/helpers/%: test/helpers/%.c
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(WARN) $(SANFLAGS) -o $@ $<

# The suites need root for namespaces, cgroups and bpffs; without it only
# the unprivileged ones run (the others skip and say so).
check: all
	$(Q)test/install-deps test
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
