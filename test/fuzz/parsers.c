// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the value parsers.  The first byte picks one: durations,
 * prefixes, ports, numbers, the exp option's hex data and ExID, MPTCP
 * tokens and addresses.  Those with a printer must print what parses into
 * a form that parses back to the same value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/mptcp.h"
#include "../../lib/output.h"
#include "../../lib/utils.h"
#include "../../tcpopt/option.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void duration(const char *s, const char *unit)
{
	char buf[64];
	uint64_t ms, again;

	if (parse_duration_ms(s, unit, &ms))
		return;
	format_duration_ms(buf, sizeof(buf), ms);
	if (parse_duration_ms(buf, "s", &again) || again != ms)
		abort();
}

static void prefix(const char *s)
{
	struct prefix p, q;
	char buf[128];

	if (parse_prefix(s, &p))
		return;
	format_prefix(&p, buf, sizeof(buf));
	if (parse_prefix(buf, &q) || memcmp(&p, &q, sizeof(p)))
		abort();
}

static void exp_words(const char *s)
{
	union {
		struct tcpopt_exp_config exp;
		unsigned char bytes[CONFIG_MAX];
	} cfg;

	memset(&cfg, 0, sizeof(cfg));
	if (!exp_desc.parse_positional(cfg.bytes, s) &&
	    cfg.exp.len > TCPOPT_EXP_HDR_LEN + TCPOPT_EXP_MAX_DATA)
		abort();
	exp_desc.parse_instance(cfg.bytes, s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[256];
	struct mptcp_addr a;
	uint64_t u64;
	uint32_t u32;
	uint16_t port;

	if (size < 1 || size > sizeof(s))
		return -1;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 8) {
	case 0: duration(s, "s"); break;
	case 1: duration(s, "ms"); break;
	case 2: prefix(s); break;
	case 3: parse_port(s, &port); break;
	case 4:
		parse_u64(s, &u64);
		parse_u32_range(s, 1, 1024, &u32);
		break;
	case 5: exp_words(s); break;
	case 6: mptcp_parse_token(s, &u32); break;
	case 7: mptcp_parse_ip(s, &a); break;
	}
	return 0;
}
