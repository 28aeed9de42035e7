// SPDX-License-Identifier: GPL-2.0
/*
 * iw: ask the peer for an initial congestion window, and give a peer's
 * request at most "max" segments (TCP_BPF_IW, before any data is sent).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "option.h"
#include "../lib/output.h"

enum { IW_KW_MAX = OPT_KW_OWN };

static const struct keyword iw_keywords[] = {
	{ "max", true, IW_KW_MAX },
};

static int iw_parse_positional(void *c, const char *word)
{
	struct tcpopt_iw_config *cfg = c;
	uint32_t segs = 0;

	if (strcmp(word, "none") &&
	    parse_u32_range(word, 1, TCPOPT_IW_HARD_MAX, &segs))
		return err_usage("invalid initial window \"%s\" (1 to %u segments, or none)",
				 word, TCPOPT_IW_HARD_MAX);
	cfg->request = segs;
	return 0;
}

static int iw_parse_keyword(void *c, int id, const char *value)
{
	struct tcpopt_iw_config *cfg = c;

	(void)id;	/* "max" is the only one */
	if (parse_u32_range(value, 1, TCPOPT_IW_HARD_MAX, &cfg->max))
		return err_usage("invalid max \"%s\" (1 to %u segments)", value,
				 TCPOPT_IW_HARD_MAX);
	return 0;
}

static int iw_finish(void *c)
{
	struct tcpopt_iw_config *cfg = c;

	if (!cfg->max)
		cfg->max = TCPOPT_IW_DEFAULT_MAX;
	return 0;
}

static void iw_print(const void *c, struct onode *params)
{
	const struct tcpopt_iw_config *cfg = c;

	out_uint_text(params, "request", NULL, cfg->request, cfg->request ? NULL : "none");
	out_uint(params, "max", cfg->max);
}

static int iw_format(const void *c, char *buf, size_t len)
{
	const struct tcpopt_iw_config *cfg = c;
	char req[16] = "";

	if (cfg->request)
		snprintf(req, sizeof(req), "%u", cfg->request);
	if (cfg->max == TCPOPT_IW_DEFAULT_MAX)
		return xsnprintf(buf, len, "%s", req);
	return xsnprintf(buf, len, "%s%smax %u", req, req[0] ? " " : "", cfg->max);
}

const struct opt_desc iw_desc = {
	.name = "iw",
	.usage = "[ { SEGMENTS | none } ] [ max SEGMENTS ] [ exid EXID ] [ kind { 253 | 254 } ]",
	.kind = TCPOPT_KIND_EXP2,
	.exid = TCPOPT_EXID_IW,
	.type = TCPOPT_TYPE_IW,
	.config_size = sizeof(struct tcpopt_iw_config),
	.positional = "initial window",
	.parse_positional = iw_parse_positional,
	.keywords = iw_keywords,
	.nkeywords = ARRAY_SIZE(iw_keywords),
	.parse_keyword = iw_parse_keyword,
	.finish = iw_finish,
	.print = iw_print,
	.format = iw_format,
};
