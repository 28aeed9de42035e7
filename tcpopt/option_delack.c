// SPDX-License-Identifier: GPL-2.0
/*
 * delack: the data sender asks the receiver to pace its ACKs: the delayed
 * ACK timeout as a fraction of the receiver's RTT (TCP_BPF_DELACK_MAX) and
 * the segments before an immediate ACK (TCP_BPF_DELACK_SEGS, our kernel
 * patch set).  min and max bound what a peer's request can set here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "option.h"
#include "../lib/btfprobe.h"
#include "../lib/output.h"

#define DELACK_PCT_MAX		1000	/* ten RTTs: the kernel caps at 200 ms anyway */
#define DELACK_SEGS_MAX		255	/* the kernel's u8 */
#define DELACK_DEFAULT_MIN_US	2000	/* two jiffies at HZ=1000 */
#define DELACK_SEGS_FEATURE	"TCP_BPF_DELACK_SEGS"

enum { DELACK_KW_TIMEOUT = OPT_KW_OWN, DELACK_KW_SEGS, DELACK_KW_MIN, DELACK_KW_MAX };

static const struct keyword delack_keywords[] = {
	{ "timeout", true, DELACK_KW_TIMEOUT },
	{ "segs", true, DELACK_KW_SEGS },
	{ "min", true, DELACK_KW_MIN },
	{ "max", true, DELACK_KW_MAX },
};

/* "0.25", ".5", "1", "1.5" or "25%": a fraction of the RTT in whole percent. */
static int parse_fraction_pct(const char *s, uint32_t *pct)
{
	const char *dot = strchr(s, '.');
	size_t len = strlen(s), wlen = dot ? (size_t)(dot - s) : len;
	size_t flen = dot ? strlen(dot + 1) : 0;
	uint32_t whole = 0, frac = 0;
	char buf[8];

	if (len && s[len - 1] == '%') {
		if (len > sizeof(buf))
			return -EINVAL;
		memcpy(buf, s, len - 1);
		buf[len - 1] = '\0';
		return parse_u32_range(buf, 1, DELACK_PCT_MAX, pct) ? -EINVAL : 0;
	}
	if ((!wlen && !flen) || wlen >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, wlen);
	buf[wlen] = '\0';
	if (wlen && parse_u32_range(buf, 0, DELACK_PCT_MAX / 100, &whole))
		return -EINVAL;
	if (dot) {
		/* one or two decimals: the option carries whole percent */
		if (!flen || flen > 2 || strspn(dot + 1, "0123456789") != flen)
			return -EINVAL;
		frac = (uint32_t)strtoul(dot + 1, NULL, 10) * (flen == 1 ? 10 : 1);
	}
	*pct = whole * 100 + frac;
	return *pct >= 1 && *pct <= DELACK_PCT_MAX ? 0 : -EINVAL;
}

static int delack_parse_keyword(void *c, int id, const char *value)
{
	struct tcpopt_delack_config *cfg = c;
	uint32_t v = 0;
	uint64_t ms;

	switch (id) {
	case DELACK_KW_TIMEOUT:
		if (strcmp(value, "none") && parse_fraction_pct(value, &v))
			return err_usage("invalid timeout \"%s\" (a fraction of the RTT: 0.01 to 10, or 1%% to %u%%, or none)",
					 value, DELACK_PCT_MAX);
		cfg->timeout_pct = (uint16_t)v;
		return 0;
	case DELACK_KW_SEGS:
		if (strcmp(value, "none") && parse_u32_range(value, 1, DELACK_SEGS_MAX, &v))
			return err_usage("invalid segs \"%s\" (1 to %u, or none)", value,
					 DELACK_SEGS_MAX);
		cfg->segs = (uint8_t)v;
		return 0;
	default:
		if (parse_duration_ms(value, "ms", &ms) || ms < 1 ||
		    ms > TCPOPT_DELACK_KERNEL_MAX_US / 1000)
			return err_usage("invalid %s \"%s\" (1ms to 200ms)",
					 id == DELACK_KW_MIN ? "min" : "max", value);
		if (id == DELACK_KW_MIN)
			cfg->min_us = (uint32_t)ms * 1000;
		else
			cfg->max_us = (uint32_t)ms * 1000;
		return 0;
	}
}

static int delack_finish(void *c)
{
	struct tcpopt_delack_config *cfg = c;
	long long optname;
	char lo[32], hi[32];

	if (!cfg->min_us)
		cfg->min_us = DELACK_DEFAULT_MIN_US;
	if (!cfg->max_us)
		cfg->max_us = TCPOPT_DELACK_KERNEL_MAX_US;
	if (cfg->min_us > cfg->max_us) {
		format_duration_ms(lo, sizeof(lo), cfg->min_us / 1000);
		format_duration_ms(hi, sizeof(hi), cfg->max_us / 1000);
		return err_usage("min %s is above max %s", lo, hi);
	}
	/* The program applies a peer's segs with this kernel's number. */
	cfg->segs_optname = btf_enum_value(DELACK_SEGS_FEATURE, &optname) ? 0 :
			    (uint32_t)optname;
	if (cfg->segs && !cfg->segs_optname)
		return err_run(-EOPNOTSUPP,
			       "delack segs needs the kernel feature delack_segs (%s, tcpopt's kernel patch set), which this kernel lacks (see \"tcpopt feature\")",
			       DELACK_SEGS_FEATURE);
	return 0;
}

static void delack_print(const void *c, struct onode *params)
{
	const struct tcpopt_delack_config *cfg = c;
	char pct[16];

	snprintf(pct, sizeof(pct), "%u%%", cfg->timeout_pct);
	out_uint_text(params, "timeout_pct", "timeout", cfg->timeout_pct,
		      cfg->timeout_pct ? pct : "none");
	out_uint_text(params, "segs", NULL, cfg->segs, cfg->segs ? NULL : "none");
	out_duration_ms(params, "min", cfg->min_us / 1000);
	out_duration_ms(params, "max", cfg->max_us / 1000);
	out_bool(params, "segs_supported", cfg->segs_optname != 0);
}

static int delack_format(const void *c, char *buf, size_t len)
{
	const struct tcpopt_delack_config *cfg = c;
	char lo[16], hi[16];
	struct word_buf w;

	format_duration_ms(lo, sizeof(lo), cfg->min_us / 1000);
	format_duration_ms(hi, sizeof(hi), cfg->max_us / 1000);
	word_buf_init(&w, buf, len);
	/* Bounds only when not the defaults. */
	if (cfg->timeout_pct)
		word_add(&w, "timeout %u%%", cfg->timeout_pct);
	if (cfg->segs)
		word_add(&w, "segs %u", cfg->segs);
	if (cfg->min_us != DELACK_DEFAULT_MIN_US)
		word_add(&w, "min %s", lo);
	if (cfg->max_us != TCPOPT_DELACK_KERNEL_MAX_US)
		word_add(&w, "max %s", hi);
	return word_buf_end(&w);
}

const struct opt_desc delack_desc = {
	.name = "delack",
	.usage = "[ timeout { FRACTION | none } ] [ segs { N | none } ] [ min TIME ] [ max TIME ] [ exid EXID ] [ kind { 253 | 254 } ]",
	.kind = TCPOPT_KIND_EXP2,
	.exid = TCPOPT_EXID_DELACK,
	.type = TCPOPT_TYPE_DELACK,
	.config_size = sizeof(struct tcpopt_delack_config),
	.keywords = delack_keywords,
	.nkeywords = ARRAY_SIZE(delack_keywords),
	.parse_keyword = delack_parse_keyword,
	.finish = delack_finish,
	.print = delack_print,
	.format = delack_format,
};
