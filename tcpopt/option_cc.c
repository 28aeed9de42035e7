// SPDX-License-Identifier: GPL-2.0
/*
 * cc: ask the peer to send with a congestion control algorithm, and let a
 * peer ask this side, within an allow list.  Names and wire ids come from
 * tcpopt_cc_names[] in bpf/tcpopt.h, the one table both sides share.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "option.h"
#include "../lib/output.h"

#define CC_ALLOWED_PATH "/proc/sys/net/ipv4/tcp_allowed_congestion_control"

enum { CC_KW_ALLOW = OPT_KW_OWN };

static const struct keyword cc_keywords[] = {
	{ "allow", true, CC_KW_ALLOW },
};

static int cc_id(const char *name)
{
	int id;

	for (id = TCPOPT_CC_NONE + 1; id < TCPOPT_CC_ID_COUNT; id++)
		if (!strcmp(tcpopt_cc_names[id], name))
			return id;
	return -ENOENT;
}

static void cc_choices(char *buf, size_t len)
{
	size_t used = 0;
	int id;

	buf[0] = '\0';
	for (id = TCPOPT_CC_NONE + 1; id < TCPOPT_CC_ID_COUNT && used < len; id++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
					 tcpopt_cc_names[id]);
}

/* "bbr,cubic" to ids; returns how many, or -EUSAGE. */
static int cc_parse_list(const char *what, const char *list, uint8_t *ids, int max)
{
	char buf[256], choices[256], *name, *save = NULL;
	size_t len = strlen(list);
	int n = 0, id, i;

	if (!len || list[0] == ',' || list[len - 1] == ',' || strstr(list, ",,") ||
	    xsnprintf(buf, sizeof(buf), "%s", list))
		return err_usage("invalid %s \"%s\" (names separated by commas)", what, list);
	for (name = strtok_r(buf, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		id = cc_id(name);
		if (id < 0) {
			cc_choices(choices, sizeof(choices));
			return err_usage("%s: unknown congestion control \"%s\" (choose from: %s)",
					 what, name, choices);
		}
		for (i = 0; i < n; i++)
			if (ids[i] == id)
				return err_usage("%s: \"%s\" given twice", what, name);
		if (n == max)
			return err_usage("%s: %d names at most", what, max);
		ids[n++] = (uint8_t)id;
	}
	return n;
}

/* What the peer is asked for: "bbr,cubic" by preference, or "none". */
static int cc_parse_positional(void *c, const char *word)
{
	struct tcpopt_cc_config *cfg = c;
	uint8_t ids[TCPOPT_CC_REQ_MAX] = { 0 };
	int n;

	if (strcmp(word, "none")) {
		n = cc_parse_list("cc", word, ids, TCPOPT_CC_REQ_MAX);
		if (n < 0)
			return n;
	}
	memcpy(cfg->request, ids, sizeof(cfg->request));
	return 0;
}

static int cc_parse_keyword(void *c, int id, const char *value)
{
	struct tcpopt_cc_config *cfg = c;
	uint8_t ids[TCPOPT_CC_ID_COUNT];
	int n, i;

	(void)id;	/* "allow" is the only one */
	cfg->allow = 0;		/* "default": cc_finish() reads the kernel's */
	if (!strcmp(value, "default"))
		return 0;
	n = cc_parse_list("allow", value, ids, TCPOPT_CC_ID_COUNT);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++)
		cfg->allow |= 1U << ids[i];
	return 0;
}

/* The kernel's allowed list, as a mask of the ids we know. */
static int cc_default_allow(uint32_t *mask)
{
	char line[1024], *name, *save = NULL;
	FILE *f = fopen(CC_ALLOWED_PATH, "r");
	int id;

	if (!f)
		return err_run(-errno, "cannot read %s: %s", CC_ALLOWED_PATH, err_str(errno));
	*mask = 0;
	if (fgets(line, sizeof(line), f)) {
		for (name = strtok_r(line, " \t\n", &save); name;
		     name = strtok_r(NULL, " \t\n", &save)) {
			id = cc_id(name);
			if (id > 0)
				*mask |= 1U << id;
		}
	}
	fclose(f);
	return 0;
}

/* No allow list yet (add without one, or "allow default"): the kernel's,
 * now.  A list given is never empty, and set keeps the one in place. */
static int cc_finish(void *c)
{
	struct tcpopt_cc_config *cfg = c;

	return cfg->allow ? 0 : cc_default_allow(&cfg->allow);
}

/* "bbr,cubic" */
static void cc_join(const uint8_t *ids, int n, uint32_t mask, char *buf, size_t len)
{
	size_t used = 0;
	int i, id;

	buf[0] = '\0';
	for (i = 0; i < n && ids[i] && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "," : "",
					 ids[i] < TCPOPT_CC_ID_COUNT ? tcpopt_cc_names[ids[i]] : "?");
	for (id = TCPOPT_CC_NONE + 1; id < TCPOPT_CC_ID_COUNT && used < len; id++)
		if (mask & (1U << id))
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
						 used ? "," : "", tcpopt_cc_names[id]);
}

static void cc_print(const void *c, struct onode *params)
{
	const struct tcpopt_cc_config *cfg = c;
	struct onode *arr;
	int i, id;

	arr = out_add_array(params, "request");
	for (i = 0; i < TCPOPT_CC_REQ_MAX && cfg->request[i]; i++) {
		id = cfg->request[i];
		out_push_str(arr, id < TCPOPT_CC_ID_COUNT ? tcpopt_cc_names[id] : "?");
	}
	arr = out_add_array(params, "allow");
	for (id = TCPOPT_CC_NONE + 1; id < TCPOPT_CC_ID_COUNT; id++)
		if (cfg->allow & (1U << id))
			out_push_str(arr, tcpopt_cc_names[id]);
}

static int cc_format(const void *c, char *buf, size_t len)
{
	const struct tcpopt_cc_config *cfg = c;
	char req[128], allow[256];
	uint32_t dflt;
	int err;

	cc_join(cfg->request, TCPOPT_CC_REQ_MAX, 0, req, sizeof(req));
	cc_join(NULL, 0, cfg->allow, allow, sizeof(allow));
	/* The allow list only when it is not what a bare add gives now:
	 * the kernel's may have changed since. */
	err = cc_default_allow(&dflt);
	if (err)
		return err;
	if (cfg->allow == dflt)
		return xsnprintf(buf, len, "%s", req);
	if (!allow[0])
		return -EPROTO;		/* an empty list cannot be written */
	return xsnprintf(buf, len, "%s%sallow %s", req, req[0] ? " " : "", allow);
}

const struct opt_desc cc_desc = {
	.name = "cc",
	.usage = "[ { NAME[,NAME...] | none } ] [ allow { NAME[,NAME...] | default } ] [ exid EXID ] [ kind { 253 | 254 } ]",
	.kind = TCPOPT_KIND_EXP2,
	.exid = TCPOPT_EXID_CC,
	.type = TCPOPT_TYPE_CC,
	.config_size = sizeof(struct tcpopt_cc_config),
	.positional = "congestion control",
	.parse_positional = cc_parse_positional,
	.keywords = cc_keywords,
	.nkeywords = ARRAY_SIZE(cc_keywords),
	.parse_keyword = cc_parse_keyword,
	.finish = cc_finish,
	.print = cc_print,
	.format = cc_format,
};
