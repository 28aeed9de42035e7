// SPDX-License-Identifier: GPL-2.0
/*
 * The grammar of "tcpopt option" (tcpopt/option_words.c and the option
 * descriptors): words to a config and back (option_words(), what "save"
 * writes), as round trips; "set" over an existing config; bad input.
 */
#include <errno.h>
#include <stdlib.h>

#include "unit.h"
#include "../../lib/batch.h"
#include "../../lib/output.h"
#include "../../tcpopt/option.h"

/* line split into argv (NULL-terminated), its words in buf; argc or -errno. */
static int split_line(const char *line, char (*buf)[512], char *argv[64])
{
	int argc;

	snprintf(*buf, sizeof(*buf), "%s", line);
	argc = batch_split(*buf, argv, 63);
	if (argc >= 0)
		argv[argc] = NULL;
	return argc;
}

/* line -> config as "option add" makes it; 0 or the parser's error. */
static int add_config(const char *line, struct opt_request *req)
{
	char buf[512], *argv[64];
	int argc, err;

	argc = split_line(line, &buf, argv);
	if (argc < 0)
		return argc;
	err = parse_request(argc, argv, PARSE_ADD, req);
	if (err)
		return err;
	req->cfg.common.abi = TCPOPT_ABI;
	err = apply_words(req);
	/* the words pointed into buf */
	req->positional = req->instance = req->cgroup = NULL;
	req->nwords = 0;
	return err;
}

/* words of "option set" applied over the config in *req. */
static int set_config(const char *line, struct opt_request *req)
{
	struct opt_request set;
	char buf[512], *argv[64];
	int argc, err;

	argc = split_line(line, &buf, argv);
	if (argc < 0)
		return argc;
	err = parse_request(argc, argv, PARSE_SET, &set);
	if (err)
		return err;
	if (set.desc != req->desc)
		return -EINVAL;
	memcpy(set.cfg.bytes, req->cfg.bytes, sizeof(set.cfg.bytes));
	err = apply_words(&set);
	if (!err)
		memcpy(req->cfg.bytes, set.cfg.bytes, sizeof(set.cfg.bytes));
	return err;
}

/* The words that give *req's config back; the check that they do is
 * option_words()'s own (it parses them again), and done here once more. */
static bool words_of(struct opt_request *req, char *buf, size_t len)
{
	struct opt_request again;

	if (!CHECK_INT(option_words(req->desc, req->cfg.bytes, buf, len), 0))
		return false;
	if (!CHECK_INT(add_config(buf, &again), 0))
		return false;
	return CHECK(again.desc == req->desc) &&
	       CHECK(!memcmp(again.cfg.bytes, req->cfg.bytes, req->desc->config_size));
}

/* The descriptor's print callback, as JSON. */
static char *params_json(const struct opt_request *req)
{
	struct onode *root = out_new_object();
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	req->desc->print(req->cfg.bytes, out_add_object(root, "params"));
	out_set_mode(true, false);
	out_render(root, f);
	fclose(f);
	out_set_mode(false, false);
	text[strcspn(text, "\n")] = '\0';
	return text;
}

static void round_trip(const char *line, const char *canonical)
{
	struct opt_request req;
	char words[512];

	if (!CHECK_INT(add_config(line, &req), 0)) {
		printf("#     input \"%s\"\n", line);
		return;
	}
	if (words_of(&req, words, sizeof(words)) && !CHECK_STR(words, canonical))
		printf("#     input \"%s\"\n", line);
}

static void test_round_trips(void)
{
	static const char *const cases[][2] = {
		/* uto: the shortest form, limits only when given */
		{ "uto 120s", "uto 2min" },
		{ "uto 1500s", "uto 25min" },
		{ "uto 45", "uto 45s" },
		{ "uto 10h max 12h", "uto 10h max 12h" },
		{ "uto 32767min", "uto 32767min" },
		{ "uto 90s min 10s max 2h dport 443 sport 8080 dst 2001:db8::/32 src 192.0.2.0/24 every ignore",
		  "uto 90s min 10s max 2h dport 443 sport 8080 dst 2001:db8::/32 src 192.0.2.0/24 every ignore" },
		/* defaults and the last of two words win, keywords by prefix */
		{ "uto 30s dport any sport any dst any src any syn accept", "uto 30s" },
		{ "uto 30s every syn", "uto 30s" },
		{ "uto 30s ignore accept", "uto 30s" },
		{ "uto 30s dport 80 dport 81", "uto 30s dport 81" },
		{ "uto 30s ev ig dp 7", "uto 30s dport 7 every ignore" },
		{ "uto 30s dst ::ffff:192.0.2.1", "uto 30s dst ::ffff:192.0.2.1" },
		{ "uto 30s src 0.0.0.0/0", "uto 30s src 0.0.0.0/0" },
		/* exp: ExID in hex, data as given, kind only when not 254 */
		{ "exp 0x4e2a 0xdeadbeef kind 253 sport 80 every",
		  "exp 0x4e2a 0xdeadbeef kind 253 sport 80 every" },
		{ "exp 20010 cafe", "exp 0x4e2a 0xcafe" },
		{ "exp 1 0x", "exp 0x0001 0x" },
		{ "exp 0XFFFF 0XABCD kind 254", "exp 0xffff 0xabcd" },
		{ "exp 0x4e2a 0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223",
		  "exp 0x4e2a 0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223" },
		/* cc: preference order kept, allow in table order */
		{ "cc bbr,reno allow cubic,bbr every exid 0x0101",
		  "cc bbr,reno allow cubic,bbr every exid 0x0101" },
		{ "cc bbr allow bbr,cubic exid 4660 kind 253", "cc bbr allow cubic,bbr kind 253 exid 0x1234" },
		{ "cc none allow reno", "cc allow reno" },
		{ "cc bbr allow reno exid 0x4343 kind 254", "cc bbr allow reno" },
		/* iw: max only when not the default */
		{ "iw 40 max 100 kind 253 dport 443", "iw 40 max 100 dport 443 kind 253" },
		{ "iw 40 max 64", "iw 40" },
		{ "iw none max 20", "iw max 20" },
		{ "iw", "iw" },
		{ "iw 1024 max 1024", "iw 1024 max 1024" },
		/* delack: fractions in whole percent */
		{ "delack timeout 1.5 min 10ms max 100ms exid 0x4444",
		  "delack timeout 150% min 10ms max 100ms exid 0x4444" },
		{ "delack timeout 0.5", "delack timeout 50%" },
		{ "delack timeout .25", "delack timeout 25%" },
		{ "delack timeout 0.05", "delack timeout 5%" },
		{ "delack timeout 10", "delack timeout 1000%" },
		{ "delack timeout 7%", "delack timeout 7%" },
		{ "delack timeout none segs none", "delack" },
		{ "delack max 200ms min 2ms", "delack" },
		{ "delack max 0.2s", "delack" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		round_trip(cases[i][0], cases[i][1]);
}

/* "option set": words applied over what is there, the rest kept. */
static void test_set(void)
{
	static const char *const cases[][3] = {
		{ "uto 30s ignore", "uto accept", "uto 30s" },
		{ "uto 30s", "uto ignore", "uto 30s ignore" },
		{ "uto 30s every dport 80 dst 192.0.2.0/24", "uto syn dport any dst any", "uto 30s" },
		{ "uto 30s", "uto 40s", "uto 40s" },
		{ "uto 30s min 10s", "uto 5min", "uto 5min min 10s" },
		/* default limits follow the timeout */
		{ "uto 2h", "uto 30s", "uto 30s" },
		{ "exp 0x4e2a 0xdeadbeef kind 253", "exp 0x4e2a 0x00 kind 254", "exp 0x4e2a 0x00" },
		{ "exp 0x4e2a 0xdeadbeef", "exp 0x4e2a every", "exp 0x4e2a 0xdeadbeef every" },
		{ "cc bbr allow reno", "cc none", "cc allow reno" },
		{ "cc bbr allow reno", "cc cubic", "cc cubic allow reno" },
		{ "iw 40 max 100", "iw max 64", "iw 40" },
		{ "delack timeout 0.5 min 10ms", "delack timeout none", "delack min 10ms" },
	};
	struct opt_request req;
	char words[512];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (!CHECK_INT(add_config(cases[i][0], &req), 0) ||
		    !CHECK_INT(set_config(cases[i][1], &req), 0)) {
			printf("#     add \"%s\", set \"%s\"\n", cases[i][0], cases[i][1]);
			continue;
		}
		if (words_of(&req, words, sizeof(words)) && !CHECK_STR(words, cases[i][2]))
			printf("#     add \"%s\", set \"%s\"\n", cases[i][0], cases[i][1]);
	}
}

/* The values the programs get, through each descriptor's printer. */
static void test_values(void)
{
	static const char *const cases[][2] = {
		{ "uto 120s", "{\"params\":{\"timeout_ms\":120000,\"min_ms\":100000,\"max_ms\":3600000}}" },
		/* default L follows a shorter timeout, default U a longer one */
		{ "uto 30s", "{\"params\":{\"timeout_ms\":30000,\"min_ms\":30000,\"max_ms\":3600000}}" },
		{ "uto 10h", "{\"params\":{\"timeout_ms\":36000000,\"min_ms\":100000,\"max_ms\":36000000}}" },
		{ "exp 0x4e2a 0xdeadbeef kind 253",
		  "{\"params\":{\"exid\":20010,\"kind\":253,\"data\":\"0xdeadbeef\",\"length\":8}}" },
		{ "exp 7 0x", "{\"params\":{\"exid\":7,\"kind\":254,\"data\":\"0x\",\"length\":4}}" },
		{ "cc bbr,reno allow cubic,bbr",
		  "{\"params\":{\"request\":[\"bbr\",\"reno\"],\"allow\":[\"cubic\",\"bbr\"]}}" },
		{ "iw 40", "{\"params\":{\"request\":40,\"max\":64}}" },
	};
	struct opt_request req;
	size_t i;
	char *json;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (!CHECK_INT(add_config(cases[i][0], &req), 0))
			continue;
		json = params_json(&req);
		if (!CHECK_STR(json, cases[i][1]))
			printf("#     input \"%s\"\n", cases[i][0]);
		free(json);
	}
}

static void test_bad_input(void)
{
	static const char *const bad[] = {
		"", "nosuch 1", "uto", "uto abc", "uto 0", "uto 250ms", "uto 1500ms",
		"uto 40000s", "uto 32768min", "uto 30s max 30d", "uto 30s min 0",
		"uto 30s min 10min max 1min", "uto 30s dport 70000", "uto 30s sport 0",
		"uto 30s dport", "uto 30s dst 192.0.2.1/33", "uto 30s src 192.0.2.1/24",
		"uto 30s bogus 1", "uto 30s exid 1", "uto 30s 40s", "uto 30s s",
		"exp", "exp 0x4e2a", "exp 0 0x01", "exp 0x0000 0x01", "exp 0x10000 0x01",
		"exp 0x 0x01", "exp 0x4e2a 0xabc", "exp 0x4e2a xyz0", "exp 0x4e2a ac",
		"exp 0x4e2a 0x01 kind 252", "exp 0x4e2a 0x01 kind 255", "exp 65536 00",
		"exp 0x4e2a 0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425",
		"cc vegas2", "cc bbr,bbr", "cc reno,cubic,bbr,htcp,vegas", "cc bbr,", "cc ,bbr",
		"cc bbr allow", "cc bbr allow bbr,,reno", "cc bbr allow nosuch", "cc bbr exid 0",
		"cc bbr exid 0x10000", "cc bbr exid 12ab", "cc bbr exid 0x", "cc bbr kind 255",
		"cc bbr kind 28", "cc bbr frobnicate",
		"iw 0", "iw 1025", "iw 40x", "iw -5", "iw 40 max 0", "iw 40 max 1025", "iw 40 max",
		"iw 40 exid 0x", "iw 40 kind 254x",
		"delack timeout 0", "delack timeout 0.001", "delack timeout 11", "delack timeout 1.",
		"delack timeout .", "delack timeout 0%", "delack timeout 1001%", "delack timeout abc",
		"delack timeout", "delack timeout %", "delack timeout 0.5%", "delack timeout 1.234",
		"delack segs 0", "delack segs 256", "delack min 0", "delack max 201ms",
		"delack min 50ms max 10ms", "delack 5",
		"object", "object x.o dport 80",
	};
	struct opt_request req;
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		err = add_config(bad[i], &req);
		if (!CHECK_INT(err, -EUSAGE))
			printf("#     input \"%s\" gave %d\n", bad[i], err);
	}
}

/* A config that no words give back is refused by option_words() rather
 * than written as a line that would restore something else. */
static void test_unwritable(void)
{
	struct opt_request req;
	char words[512];

	CHECK_INT(add_config("uto 2min", &req), 0);
	/* a timeout the grammar cannot say: not whole seconds */
	((struct tcpopt_uto_config *)req.cfg.bytes)->adv_ms = 1500;
	CHECK_INT(option_words(req.desc, req.cfg.bytes, words, sizeof(words)), -EPROTO);
	CHECK_INT(add_config("uto 2min", &req), 0);
	CHECK_INT(option_words(req.desc, req.cfg.bytes, words, 8), -ENAMETOOLONG);
}

static const struct unit_test tests[] = {
	{ "option words -> config -> option_words -> the same config", test_round_trips },
	{ "option set: words over a config, the rest kept", test_set },
	{ "the values each descriptor prints", test_values },
	{ "bad input is a usage error", test_bad_input },
	{ "option_words refuses what it cannot write back", test_unwritable },
};

UNIT_MAIN(tests)
