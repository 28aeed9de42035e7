# kernel/kernel.mk: the patched test kernel, included by the top Makefile.
#
#   make kernel        build (or find in the cache) the bzImage: kernel/build
#   make check-kernel  build it if needed, compile the test programs the
#                      kernel tests load against its BTF (the path managers
#                      are in tcpopt itself), and run test/kernel/*.bats and
#                      the host suites' tests of the patch set (delack segs)
#                      and test/mptcp.bats inside it under qemu (kernel/vm-run)

KERNEL_CLANG ?= clang
# <asm/types.h> for the programs built on the system's <linux/bpf.h>
KERNEL_BPF_ASM_INC ?= /usr/include/$(shell gcc -dumpmachine)
KERNEL_BPF_SRCS := $(wildcard test/kernel/progs/*.bpf.c)
KERNEL_BATS ?= test/kernel
# The tests of the host suites that need the patch set (they skip on a
# stock kernel), run in the VM too
KERNEL_HOST_BATS ?= test/option-delack.bats
KERNEL_HOST_FILTER ?= with the patch set
# A time limit per test (bats' BATS_TEST_TIMEOUT), so that a hung wait
# fails its test, not the whole VM run; generous: the guest runs on TCG
KERNEL_TEST_TIMEOUT ?= 900
# Host suites run whole in the VM: what the host kernel cannot run (it
# refuses BPF tracing programs: tcpopt mptcp enable), about 4 min
KERNEL_HOST_SUITES ?= test/mptcp.bats
# Each VM run (the kernel suites, then each host suite) has its own time
# limit: under TCG the kernel suites take 6-9 min on a loaded 2-core machine
KERNEL_VM_TIMEOUT ?= 1200

.PHONY: kernel check-kernel

kernel:
	@kernel/build

# Debian packages the kernel tests need on the host (the VM runs the host's
# binaries)
KERNEL_TEST_PKGS := bats bats-assert bats-support clang bpftool jq tcpdump prometheus \
		    ethtool iproute2 python3 gcc

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
	VM_TIMEOUT=$${VM_TIMEOUT:-$(KERNEL_VM_TIMEOUT)} kernel/vm-run sh -c \
		'bats "$$1" && bats -f "$$2" "$$3"' sh \
		$(KERNEL_BATS) "$(KERNEL_HOST_FILTER)" $(KERNEL_HOST_BATS); \
	for suite in $(KERNEL_HOST_SUITES); do \
		VM_TIMEOUT=$${VM_TIMEOUT:-$(KERNEL_VM_TIMEOUT)} kernel/vm-run bats "$$suite"; \
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
