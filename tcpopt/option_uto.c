// SPDX-License-Identifier: GPL-2.0
/*
 * uto: the TCP User Timeout option (RFC 5482, kind 28).  Advertise a
 * timeout, and take the peer's as TCP_USER_TIMEOUT within [min, max].
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "option.h"
#include "../lib/output.h"

/* RFC 5482 3.1 asks for a lower limit; 100 s is RFC 1122's R2 floor. */
#define UTO_DEFAULT_MIN_MS	100000U
#define UTO_DEFAULT_MAX_MS	3600000U
#define UTO_MAX_MS		(TCPOPT_UTO_MAX_VALUE * 60000U)
/* TCP_USER_TIMEOUT is an int of milliseconds. */
#define USER_TIMEOUT_MAX_MS	0x7fffffffU

#define UTO_F_MIN_SET	1
#define UTO_F_MAX_SET	2

enum { UTO_KW_MIN = OPT_KW_OWN, UTO_KW_MAX };

static const struct keyword uto_keywords[] = {
	{ "min", true, UTO_KW_MIN },
	{ "max", true, UTO_KW_MAX },
};

static int uto_parse_positional(void *c, const char *word)
{
	struct tcpopt_uto_config *cfg = c;
	uint64_t ms;

	if (parse_duration_ms(word, "s", &ms) || ms < 1000 || ms > UTO_MAX_MS)
		return err_usage("invalid timeout \"%s\" (1s to 32767min)", word);
	if (ms % 1000)
		return err_usage("invalid timeout \"%s\": the option carries whole seconds", word);
	if (ms > TCPOPT_UTO_MAX_VALUE * 1000ULL && ms % 60000)
		return err_usage("invalid timeout \"%s\": above 32767s the option carries whole minutes",
				 word);
	cfg->adv_ms = (uint32_t)ms;
	if (ms <= TCPOPT_UTO_MAX_VALUE * 1000ULL)
		cfg->wire = (uint16_t)(ms / 1000);
	else
		cfg->wire = (uint16_t)(TCPOPT_UTO_G | ms / 60000);
	return 0;
}

static int uto_parse_keyword(void *c, int id, const char *value)
{
	struct tcpopt_uto_config *cfg = c;
	uint64_t ms;

	if (parse_duration_ms(value, "s", &ms) || ms < 1 || ms > USER_TIMEOUT_MAX_MS)
		return err_usage("invalid %s \"%s\" (1ms to 24d)",
				 id == UTO_KW_MIN ? "min" : "max", value);
	if (id == UTO_KW_MIN) {
		cfg->min_ms = (uint32_t)ms;
		cfg->uflags |= UTO_F_MIN_SET;
	} else {
		cfg->max_ms = (uint32_t)ms;
		cfg->uflags |= UTO_F_MAX_SET;
	}
	return 0;
}

static int uto_finish(void *c)
{
	struct tcpopt_uto_config *cfg = c;
	char lo[32], hi[32];

	/* Defaults follow the advertised timeout: never override the
	 * operator's own choice with a default limit. */
	if (!(cfg->uflags & UTO_F_MIN_SET))
		cfg->min_ms = cfg->adv_ms < UTO_DEFAULT_MIN_MS ? cfg->adv_ms : UTO_DEFAULT_MIN_MS;
	if (!(cfg->uflags & UTO_F_MAX_SET))
		cfg->max_ms = cfg->adv_ms > UTO_DEFAULT_MAX_MS ? cfg->adv_ms : UTO_DEFAULT_MAX_MS;
	if (cfg->min_ms > cfg->max_ms) {
		format_duration_ms(lo, sizeof(lo), cfg->min_ms);
		format_duration_ms(hi, sizeof(hi), cfg->max_ms);
		return err_usage("min %s is above max %s", lo, hi);
	}
	return 0;
}

static void uto_print(const void *c, struct onode *params)
{
	const struct tcpopt_uto_config *cfg = c;

	out_duration_ms(params, "timeout", cfg->adv_ms);
	out_duration_ms(params, "min", cfg->min_ms);
	out_duration_ms(params, "max", cfg->max_ms);
}

static int uto_format(const void *c, char *buf, size_t len)
{
	const struct tcpopt_uto_config *cfg = c;
	char adv[32], lo[32], hi[32];

	format_duration_ms(adv, sizeof(adv), cfg->adv_ms);
	format_duration_ms(lo, sizeof(lo), cfg->min_ms);
	format_duration_ms(hi, sizeof(hi), cfg->max_ms);
	/* Limits only when given: defaults follow the timeout on "set". */
	return xsnprintf(buf, len, "%s%s%s%s%s", adv,
			 cfg->uflags & UTO_F_MIN_SET ? " min " : "",
			 cfg->uflags & UTO_F_MIN_SET ? lo : "",
			 cfg->uflags & UTO_F_MAX_SET ? " max " : "",
			 cfg->uflags & UTO_F_MAX_SET ? hi : "");
}

const struct opt_desc uto_desc = {
	.name = "uto",
	.usage = "TIMEOUT [ min L ] [ max U ]",
	.kind = TCPOPT_KIND_UTO,
	.type = TCPOPT_TYPE_UTO,
	.config_size = sizeof(struct tcpopt_uto_config),
	.positional = "timeout",
	.positional_required = true,
	.parse_positional = uto_parse_positional,
	.keywords = uto_keywords,
	.nkeywords = ARRAY_SIZE(uto_keywords),
	.parse_keyword = uto_parse_keyword,
	.finish = uto_finish,
	.print = uto_print,
	.format = uto_format,
};
