# kernel/kernel.mk: the patched test kernel, included by the top Makefile.
#
#   make kernel        build (or find in the cache) the bzImage: kernel/build
#   make check-kernel  build it if needed, compile the test programs the
#                      kernel tests load against its BTF (the path managers
#                      are in tcpopt itself), and run test/kernel/*.bats and
#                      the host suites' tests of the patch set (delack segs)
#                      inside it under qemu (kernel/vm-run)

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

.PHONY: kernel check-kernel

kernel:
	@kernel/build

# Debian packages the kernel tests need on the host (the VM runs the host's
# binaries)
KERNEL_TEST_PKGS := bats bats-assert bats-support clang bpftool jq tcpdump \
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
	KERNEL_IMAGE=$$image KTEST_OBJ=$$obj TCPOPT=$(CURDIR)/$(TCPOPT_BIN) \
		HELPERS=$(CURDIR)/build/helpers BATS_TEST_TIMEOUT=$(KERNEL_TEST_TIMEOUT) \
		VM_ENV="KTEST_OBJ TCPOPT HELPERS BATS_TEST_TIMEOUT" \
		kernel/vm-run sh -c 'bats "$$1" && bats -f "$$2" "$$3"' sh \
		$(KERNEL_BATS) "$(KERNEL_HOST_FILTER)" $(KERNEL_HOST_BATS)
