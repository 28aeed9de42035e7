# SPDX-License-Identifier: GPL-2.0
# make bench [QUICK=1]: what tcpopt costs (test/bench/run).  Included by the
# top Makefile.  Never fails on a measurement: it prints what it could not
# measure and why.  Output: a table on stdout, build/bench/results.json,
# build/bench/bench.png.

BENCH_TOOLS := $(patsubst test/bench/%.c,build/bench/%,$(wildcard test/bench/*.c))

.PHONY: bench
bench: all $(BENCH_TOOLS)
	$(Q)QUICK=$(QUICK) TCPOPT=$(CURDIR)/$(TCPOPT_BIN) BENCH_BIN=$(CURDIR)/build/bench \
		BENCH_OUT=$(CURDIR)/build/bench test/bench/run

build/bench/%: test/bench/%.c $(wildcard test/bench/*.h)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(WARN) -o $@ $<
