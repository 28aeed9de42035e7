# kernel/kernel.mk: the patched test kernel, included by the top Makefile.
#
#   make kernel        build (or find in the cache) the bzImage: kernel/build
#   make check-kernel  build it if needed, compile the test programs the
#                      kernel tests load against its BTF (the path managers
#                      are in tcpopt itself), and run test/kernel/*.bats and
#                      the host suites' tests of the patch set (delack segs)
#                      and the series' own selftests (kernel/selftests:
#                      test_progs setget_sockopt and mptcp) inside it under
#                      qemu (kernel/vm-run, kernel/guest-check), then
#                      test/mptcp.bats in a VM run of its own
#   make check-kernel-rtt: rtt.bats (netem RTTs) alone
#   make check-kernel-selftests: the selftests alone

KERNEL_CLANG ?= clang
# <asm/types.h> for the programs built on the system's <linux/bpf.h>
KERNEL_BPF_ASM_INC ?= /usr/include/$(shell gcc -dumpmachine)
KERNEL_BPF_SRCS := $(wildcard test/kernel/progs/*.bpf.c)
# The kernel suites, rtt.bats (netem RTTs, ~3 min of the VM run) included
KERNEL_BATS ?= $(wildcard test/kernel/*.bats)
# The tests of the host suites that need the patch set (they skip on a
# stock kernel), run in the VM too
KERNEL_HOST_BATS ?= test/option-delack.bats
KERNEL_HOST_FILTER ?= with the patch set
# The kernel's BPF selftests the series adds to or changes, run with the
# kernel tree's test_progs (built by kernel/selftests in 24-66 s, cached by
# kernel key) after the kernel suites, in the same VM run (~15 s there)
KERNEL_SELFTESTS ?= setget_sockopt,mptcp
# Run the kernel suites this many times in one boot (to find flaky tests)
KERNEL_REPEAT ?= 1
# A time limit per test (bats' BATS_TEST_TIMEOUT), so that a hung wait
# fails its test, not the whole VM run; generous: the guest runs on TCG
KERNEL_TEST_TIMEOUT ?= 900
# Host suites run whole in the VM: what the host kernel cannot run (it
# refuses BPF tracing programs: tcpopt mptcp enable), about 4 min
KERNEL_HOST_SUITES ?= test/mptcp.bats
# Each VM run (the kernel suites, then each host suite) has its own time
# limit.  The kernel suites (rtt.bats and the selftests included) took 17
# min on a loaded 2-core machine under TCG; their run gets
# KERNEL_SUITES_TIMEOUT times KERNEL_REPEAT.
KERNEL_VM_TIMEOUT ?= 1200
KERNEL_SUITES_TIMEOUT ?= 1800

.PHONY: kernel check-kernel check-kernel-rtt check-kernel-selftests

# rtt.bats and the selftests, each alone
check-kernel-rtt:
	$(MAKE) check-kernel KERNEL_BATS=test/kernel/rtt.bats KERNEL_HOST_BATS= KERNEL_HOST_SUITES= \
		KERNEL_SELFTESTS=
check-kernel-selftests:
	$(MAKE) check-kernel KERNEL_BATS= KERNEL_HOST_BATS= KERNEL_HOST_SUITES= \
		KERNEL_SELFTESTS=setget_sockopt,mptcp

kernel:
	@kernel/build

# Debian packages the kernel tests need on the host (the VM runs the host's
# binaries)
KERNEL_TEST_PKGS := bats bats-assert bats-support clang bpftool jq tcpdump prometheus \
		    ethtool iproute2 python3 gcc tshark libelf-dev zlib1g-dev

check-kernel: all
	@set -e; \
	missing=; \
	for p in $(KERNEL_TEST_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
			grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "  APT    $$missing"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null; \
	fi; \
	image=$$(kernel/build); dir=$${image%/*}; obj=$$dir/ktest; \
	selftests=$(if $(KERNEL_SELFTESTS),$$(kernel/selftests)); \
	mkdir -p "$$obj"; \
	for src in $(KERNEL_BPF_SRCS); do \
		out=$$obj/$${src##*/}; out=$${out%.c}.o; \
		$(if $(V),,echo "  BPF     $$src";) \
		$(KERNEL_CLANG) -g -O2 -Wall -target bpf -D__TARGET_ARCH_x86 \
			-I"$$dir" -idirafter $(KERNEL_BPF_ASM_INC) \
			-c "$$src" -o "$$out"; \
	done; \
	export KERNEL_IMAGE=$$image KTEST_OBJ=$$obj TCPOPT=$(CURDIR)/$(TCPOPT_BIN) \
		HELPERS=$(CURDIR)/build/helpers BATS_TEST_TIMEOUT=$(KERNEL_TEST_TIMEOUT) \
		VM_ENV="KTEST_OBJ TCPOPT HELPERS BATS_TEST_TIMEOUT"; \
	KTEST_BATS="$(KERNEL_BATS)" KTEST_HOST_BATS="$(KERNEL_HOST_BATS)" \
		KTEST_HOST_FILTER="$(KERNEL_HOST_FILTER)" \
		KTEST_SELFTESTS="$$selftests" KTEST_SELFTEST_NAMES="$(KERNEL_SELFTESTS)" \
		KERNEL_REPEAT="$(KERNEL_REPEAT)" \
		VM_ENV="$$VM_ENV KTEST_BATS KTEST_HOST_BATS KTEST_HOST_FILTER KTEST_SELFTESTS KTEST_SELFTEST_NAMES KERNEL_REPEAT KTEST_LATENCY_MS KTEST_POLL_MS" \
		VM_TIMEOUT=$${VM_TIMEOUT:-$$(( $(KERNEL_SUITES_TIMEOUT) * $(KERNEL_REPEAT) ))} \
		VM_HOST_CMDS=tshark kernel/vm-run kernel/guest-check; \
	for suite in $(KERNEL_HOST_SUITES); do \
		VM_TIMEOUT=$${VM_TIMEOUT:-$(KERNEL_VM_TIMEOUT)} kernel/vm-run bats -T "$$suite"; \
	done

# ---- other kernels: Debian 12's 6.1, stock 6.12 (issue 15) -----------------
#
#   make check-kernels        the host suites' kernel-dependent subset
#                             (kernel/check-kernels) in a VM of each of
#                             Debian's prebuilt 6.1, stock 6.12 and 6.12 +
#                             series; records what "tcpopt -j feature" said
#                             on each in kernel/features/ and renders the
#                             feature table of README.md and
#                             tcpopt-feature(8) from them.  KERNELS= picks
#                             some (debian stock patched), CHECK_KERNELS_ALL=1
#                             runs every test.
#   make check-kernels-smoke  CI's few minutes on Debian's 6.1 (no build)

.PHONY: check-kernels check-kernels-smoke

check-kernels: all
	$(Q)test/install-deps test
	$(Q)TCPOPT=$(CURDIR)/$(TCPOPT_BIN) HELPERS=$(CURDIR)/build/helpers \
		kernel/check-kernels $(KERNELS)

check-kernels-smoke: all
	$(Q)test/install-deps test
	$(Q)TCPOPT=$(CURDIR)/$(TCPOPT_BIN) HELPERS=$(CURDIR)/build/helpers \
		kernel/check-kernels --smoke
