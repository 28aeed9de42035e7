// SPDX-License-Identifier: GPL-2.0
/*
 * exp: a raw RFC 6994 experimental option, kind 254 (or 253), a 16-bit
 * ExID and any data that fits.  Several can be attached to one cgroup, one
 * per ExID: the ExID is the instance word ("option del exp 0x4e2a").
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "option.h"
#include "../lib/output.h"

enum { EXP_KW_KIND = OPT_KW_OWN };

static const struct keyword exp_keywords[] = {
	{ "kind", true, EXP_KW_KIND },
};

/* "0x4e2a" or "20010": 1 to 65535. */
static int exp_parse_instance(void *c, const char *word)
{
	struct tcpopt_exp_config *cfg = c;
	uint32_t v;

	if (parse_u32_range_hex(word, 0, 0xffff, &v))
		return err_usage("exp: invalid ExID \"%s\" (1 to 0xffff, decimal or 0x-prefixed hex)",
				 word);
	if (!v)
		return err_usage("exp: ExID 0 is not an ExID (1 to 0xffff)");
	cfg->common.exid = (uint16_t)v;
	return 0;
}

static int exp_instance(const void *c, char *buf, size_t len)
{
	const struct tcpopt_exp_config *cfg = c;

	return xsnprintf(buf, len, "0x%04x", cfg->common.exid);
}

/* The data: hex digits, "0x" prefix optional ("0x" alone: none). */
static int exp_parse_positional(void *c, const char *word)
{
	struct tcpopt_exp_config *cfg = c;
	const char *p = word;
	size_t n, i;

	if (!strncmp(p, "0x", 2) || !strncmp(p, "0X", 2))
		p += 2;
	n = strlen(p);
	if (n % 2)
		return err_usage("exp: invalid data \"%s\": an odd number of hex digits", word);
	if (n / 2 > TCPOPT_EXP_MAX_DATA)
		return err_usage("exp: data of %zu bytes is too long (%d at most: the option space is %d bytes)",
				 n / 2, TCPOPT_EXP_MAX_DATA, TCPOPT_EXP_MAX_LEN);
	for (i = 0; i < n; i += 2) {
		int hi = hex_digit(p[i]), lo = hex_digit(p[i + 1]);

		if (hi < 0 || lo < 0)
			return err_usage("exp: invalid data \"%s\": not hex digits", word);
		cfg->opt[TCPOPT_EXP_HDR_LEN + i / 2] = (uint8_t)(hi << 4 | lo);
	}
	memset(cfg->opt + TCPOPT_EXP_HDR_LEN + n / 2, 0,
	       TCPOPT_EXP_MAX_DATA - n / 2);
	cfg->len = (uint8_t)(TCPOPT_EXP_HDR_LEN + n / 2);
	return 0;
}

static int exp_parse_keyword(void *c, int id, const char *value)
{
	struct tcpopt_exp_config *cfg = c;
	uint32_t kind;

	(void)id;	/* "kind" is the only one */
	if (parse_u32_range(value, TCPOPT_KIND_EXP1, TCPOPT_KIND_EXP2, &kind))
		return err_usage("exp: invalid kind \"%s\" (253 or 254, the RFC 6994 experimental kinds)",
				 value);
	cfg->common.exp_kind = (uint8_t)kind;
	return 0;
}

/* Lay the option out as it goes on the wire. */
static int exp_finish(void *c)
{
	struct tcpopt_exp_config *cfg = c;

	if (!cfg->common.exp_kind)
		cfg->common.exp_kind = TCPOPT_KIND_EXP2;
	if (cfg->len < TCPOPT_EXP_HDR_LEN)
		cfg->len = TCPOPT_EXP_HDR_LEN;
	cfg->opt[0] = cfg->common.exp_kind;
	cfg->opt[1] = cfg->len;
	cfg->opt[2] = cfg->common.exid >> 8;
	cfg->opt[3] = cfg->common.exid & 0xff;
	return 0;
}

static void exp_data_hex(const struct tcpopt_exp_config *cfg, char *buf)
{
	unsigned int i, n = cfg->len > TCPOPT_EXP_HDR_LEN ? cfg->len - TCPOPT_EXP_HDR_LEN : 0;

	if (n > TCPOPT_EXP_MAX_DATA)
		n = TCPOPT_EXP_MAX_DATA;
	strcpy(buf, "0x");
	for (i = 0; i < n; i++)
		sprintf(buf + 2 + 2 * i, "%02x", cfg->opt[TCPOPT_EXP_HDR_LEN + i]);
}

static void exp_print(const void *c, struct onode *params)
{
	const struct tcpopt_exp_config *cfg = c;
	char hex[2 * TCPOPT_EXP_MAX_DATA + 3], exid[8];

	snprintf(exid, sizeof(exid), "0x%04x", cfg->common.exid);
	out_uint_text(params, "exid", NULL, cfg->common.exid, exid);
	out_uint(params, "kind", cfg->common.exp_kind);
	exp_data_hex(cfg, hex);
	out_str(params, "data", hex);
	out_uint(params, "length", cfg->len);
}

static int exp_format(const void *c, char *buf, size_t len)
{
	const struct tcpopt_exp_config *cfg = c;
	char hex[2 * TCPOPT_EXP_MAX_DATA + 3];

	exp_data_hex(cfg, hex);
	if (cfg->common.exp_kind == TCPOPT_KIND_EXP2)
		return xsnprintf(buf, len, "0x%04x %s", cfg->common.exid, hex);
	return xsnprintf(buf, len, "0x%04x %s kind %u", cfg->common.exid, hex,
			 cfg->common.exp_kind);
}

const struct opt_desc exp_desc = {
	.name = "exp",
	.usage = "EXID HEX [ kind { 253 | 254 } ]",
	.type = TCPOPT_TYPE_EXP,
	.config_size = sizeof(struct tcpopt_exp_config),
	.positional = "data (hex; \"0x\" for none)",
	.positional_required = true,
	.parse_positional = exp_parse_positional,
	.keywords = exp_keywords,
	.nkeywords = ARRAY_SIZE(exp_keywords),
	.parse_keyword = exp_parse_keyword,
	.finish = exp_finish,
	.print = exp_print,
	.format = exp_format,
	.instance_name = "ExID",
	.instance_leads = true,
	.parse_instance = exp_parse_instance,
	.instance = exp_instance,
};
