// SPDX-License-Identifier: GPL-2.0
/*
 * The strict parsers of lib/utils.c and lib/mptcp.c: numbers, durations,
 * ports, prefixes, tokens and word tables; each with its printer where it
 * has one, as a round trip.
 */
#include <arpa/inet.h>
#include <errno.h>

#include "unit.h"
#include "../../lib/mptcp.h"
#include "../../lib/output.h"
#include "../../lib/utils.h"

static void test_u64(void)
{
	uint64_t v = 7;

	CHECK_INT(parse_u64("0", &v), 0);
	CHECK_INT(v, 0);
	CHECK_INT(parse_u64("18446744073709551615", &v), 0);
	CHECK(v == UINT64_MAX);
	v = 7;
	CHECK_INT(parse_u64("18446744073709551616", &v), -ERANGE);
	CHECK_INT(parse_u64("99999999999999999999999", &v), -ERANGE);
	/* junk anywhere, signs, spaces, other bases: refused, v untouched */
	CHECK_INT(parse_u64("", &v), -EINVAL);
	CHECK_INT(parse_u64("-1", &v), -EINVAL);
	CHECK_INT(parse_u64("+1", &v), -EINVAL);
	CHECK_INT(parse_u64(" 1", &v), -EINVAL);
	CHECK_INT(parse_u64("1 ", &v), -EINVAL);
	CHECK_INT(parse_u64("0x10", &v), -EINVAL);
	CHECK_INT(parse_u64("12a", &v), -EINVAL);
	CHECK_INT(v, 7);
}

static void test_u32_range(void)
{
	uint32_t v = 9;

	CHECK_INT(parse_u32_range("1", 1, 8, &v), 0);
	CHECK_INT(v, 1);
	CHECK_INT(parse_u32_range("8", 1, 8, &v), 0);
	CHECK_INT(v, 8);
	CHECK_INT(parse_u32_range("0", 1, 8, &v), -ERANGE);
	CHECK_INT(parse_u32_range("9", 1, 8, &v), -ERANGE);
	CHECK_INT(parse_u32_range("4294967295", 0, UINT32_MAX, &v), 0);
	CHECK(v == UINT32_MAX);
	CHECK_INT(parse_u32_range("4294967296", 0, UINT32_MAX, &v), -ERANGE);
	CHECK_INT(parse_u32_range("x", 0, 8, &v), -EINVAL);
}

static void test_port(void)
{
	uint16_t p = 3;

	CHECK_INT(parse_port("1", &p), 0);
	CHECK_INT(p, 1);
	CHECK_INT(parse_port("65535", &p), 0);
	CHECK_INT(p, 65535);
	CHECK(parse_port("0", &p) < 0);
	CHECK(parse_port("65536", &p) < 0);
	CHECK(parse_port("", &p) < 0);
	CHECK(parse_port("80a", &p) < 0);
	CHECK(parse_port("-80", &p) < 0);
	CHECK_INT(p, 65535);
}

static uint64_t duration(const char *s, const char *unit, int *err)
{
	uint64_t ms = 12345;

	*err = parse_duration_ms(s, unit, &ms);
	return *err ? 12345 : ms;
}

static void test_duration(void)
{
	static const struct {
		const char *in, *unit;
		uint64_t ms;
	} good[] = {
		{ "250ms", "s", 250 }, { "250msec", "s", 250 }, { "30s", "s", 30000 },
		{ "30sec", "s", 30000 }, { "5min", "s", 300000 }, { "5m", "s", 300000 },
		{ "2h", "s", 7200000 }, { "1d", "s", 86400000 }, { "1.5s", "s", 1500 },
		{ "0.25s", "s", 250 }, { "1.5min", "s", 90000 }, { "0.001s", "s", 1 },
		{ "30", "s", 30000 }, { "30", "ms", 30 }, { "0", "s", 0 },
		{ "007s", "s", 7000 },
	};
	static const char *const bad[] = {
		"", "abc", "30x", "1.5.5s", "-5s", "+5s", "30sec5", "1.", ".5", "1.s",
		"0.5ms",	/* not a whole millisecond */
		"1.0001s",	/* nor is this */
		"1.0000001s",	/* more decimals than it takes */
		" 1s", "1s ", "1 s", "1S", "s", "0x10s",
	};
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		uint64_t ms = duration(good[i].in, good[i].unit, &err);

		if (!CHECK_INT(err, 0) || !CHECK_INT(ms, good[i].ms))
			printf("#     input \"%s\" (default unit %s)\n", good[i].in,
			       good[i].unit);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (!CHECK_INT(duration(bad[i], "s", &err) == 12345 && err == -EINVAL, 1))
			printf("#     input \"%s\" gave %d\n", bad[i], err);
	/* overflow is its own error, whatever the unit */
	duration("99999999999999999999", "ms", &err);
	CHECK_INT(err, -ERANGE);
	duration("9999999999999d", "s", &err);
	CHECK_INT(err, -ERANGE);
	duration("4294967296000000d", "s", &err);
	CHECK_INT(err, -ERANGE);
}

/* format_duration_ms() gives the shortest exact form, which parses back. */
static void test_duration_round_trip(void)
{
	static const struct {
		uint64_t ms;
		const char *text;
	} cases[] = {
		{ 0, "0ms" }, { 1, "1ms" }, { 999, "999ms" }, { 1000, "1s" },
		{ 1500, "1.5s" }, { 1250, "1250ms" }, { 60000, "1min" }, { 90000, "90s" },
		{ 3600000, "1h" }, { 5400000, "90min" }, { 86400000, "1d" },
		{ 172800000, "2d" }, { 2147483647, "2147483647ms" },
		{ 1966020000ULL, "32767min" },
	};
	char buf[32];
	uint64_t ms, v;
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		format_duration_ms(buf, sizeof(buf), cases[i].ms);
		CHECK_STR(buf, cases[i].text);
		CHECK_INT(duration(buf, "s", &err), cases[i].ms);
	}
	/* what parses in one unit parses in the one it is printed in
	 * (found by the fuzzer: a cap on the digits, not on the value) */
	{
		static const char *const big[] = {
			"99999999999.99", "4294967296s", "9223372036854775s", "106751991d",
		};

		for (i = 0; i < ARRAY_SIZE(big); i++) {
			ms = duration(big[i], "s", &err);
			if (!CHECK_INT(err, 0))
				continue;
			format_duration_ms(buf, sizeof(buf), ms);
			if (!CHECK_INT(duration(buf, "s", &err), ms))
				printf("#     \"%s\" printed as \"%s\"\n", big[i], buf);
		}
	}
	/* and over a sweep, every value comes back */
	for (ms = 0; ms < 200000; ms += 7) {
		format_duration_ms(buf, sizeof(buf), ms);
		v = duration(buf, "s", &err);
		if (!CHECK_INT(v, ms)) {
			printf("#     %" PRIu64 " ms printed as \"%s\"\n", ms, buf);
			break;
		}
	}
}

static struct prefix prefix_of(const char *s, int *err)
{
	struct prefix p;

	memset(&p, 0xaa, sizeof(p));
	*err = parse_prefix(s, &p);
	return p;
}

static void test_prefix(void)
{
	static const struct {
		const char *in;
		int family, len;
		const char *printed;
	} good[] = {
		{ "192.0.2.0/24", AF_INET, 24, "192.0.2.0/24" },
		{ "192.0.2.1", AF_INET, 32, "192.0.2.1" },
		{ "192.0.2.1/32", AF_INET, 32, "192.0.2.1" },
		{ "0.0.0.0/0", AF_INET, 0, "0.0.0.0/0" },
		{ "2001:db8::/32", AF_INET6, 32, "2001:db8::/32" },
		{ "2001:db8::1", AF_INET6, 128, "2001:db8::1" },
		{ "2001:0db8:0000::/48", AF_INET6, 48, "2001:db8::/48" },
		{ "::/0", AF_INET6, 0, "::/0" },
		{ "::ffff:192.0.2.1", AF_INET6, 128, "::ffff:192.0.2.1" },
		{ "::ffff:192.0.2.0/120", AF_INET6, 120, "::ffff:192.0.2.0/120" },
	};
	static const char *const bad[] = {
		"", "/24", "192.0.2.0/", "192.0.2.0/33", "192.0.2.0/-1", "192.0.2.0/+8",
		"192.0.2.0/24x", "192.0.2.1/24",	/* host bits */
		"2001:db8::1/64", "2001:db8::/129", "192.0.2", "192.0.2.256",
		"2001:db8:::1", "any", "192.0.2.0/24/8", " 192.0.2.1", "192.0.2.1 ",
		"2001:db8::/32 ",
		"1234:1234:1234:1234:1234:1234:255.255.255.255:1", /* too long */
	};
	struct prefix p, q;
	char buf[64];
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		p = prefix_of(good[i].in, &err);
		if (!CHECK_INT(err, 0)) {
			printf("#     input \"%s\"\n", good[i].in);
			continue;
		}
		CHECK_INT(p.family, good[i].family);
		CHECK_INT(p.len, good[i].len);
		format_prefix(&p, buf, sizeof(buf));
		CHECK_STR(buf, good[i].printed);
		q = prefix_of(buf, &err);
		CHECK_INT(err, 0);
		CHECK(!memcmp(&p, &q, sizeof(p)));
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		prefix_of(bad[i], &err);
		if (!CHECK_INT(err, -EINVAL))
			printf("#     input \"%s\"\n", bad[i]);
	}
	/* the address bytes, in network order */
	p = prefix_of("198.51.100.0/24", &err);
	CHECK_INT(p.addr[0], 198);
	CHECK_INT(p.addr[2], 100);
	CHECK_INT(p.addr[3], 0);
	CHECK_INT(p.addr[4], 0);	/* the rest is zeroed */
	p = (struct prefix){ 0 };
	format_prefix(&p, buf, sizeof(buf));
	CHECK_STR(buf, "any");
}

static void test_token(void)
{
	uint32_t t = 5;

	CHECK_INT(mptcp_parse_token("0", &t), 0);
	CHECK_INT(t, 0);
	CHECK_INT(mptcp_parse_token("4294967295", &t), 0);
	CHECK(t == UINT32_MAX);
	CHECK_INT(mptcp_parse_token("0x7b", &t), 0);
	CHECK_INT(t, 123);
	CHECK_INT(mptcp_parse_token("0XfFfFfFfF", &t), 0);
	CHECK(t == UINT32_MAX);
	t = 5;
	CHECK_INT(mptcp_parse_token("4294967296", &t), -EINVAL);
	CHECK_INT(mptcp_parse_token("0x100000000", &t), -EINVAL);
	CHECK_INT(mptcp_parse_token("0x", &t), -EINVAL);
	CHECK_INT(mptcp_parse_token("0xg", &t), -EINVAL);
	CHECK_INT(mptcp_parse_token("abc", &t), -EINVAL);
	CHECK_INT(mptcp_parse_token("", &t), -EINVAL);
	CHECK_INT(t, 5);
}

static void test_mptcp_ip(void)
{
	struct mptcp_addr a;
	char buf[64];

	CHECK_INT(mptcp_parse_ip("192.0.2.1", &a), 0);
	CHECK_INT(a.family, AF_INET);
	mptcp_format_ip(&a, buf, sizeof(buf));
	CHECK_STR(buf, "192.0.2.1");
	CHECK_INT(mptcp_parse_ip("2001:db8:1::2", &a), 0);
	CHECK_INT(a.family, AF_INET6);
	mptcp_format_ip(&a, buf, sizeof(buf));
	CHECK_STR(buf, "2001:db8:1::2");
	CHECK(mptcp_parse_ip("192.0.2.0/24", &a) < 0);
	CHECK(mptcp_parse_ip("192.0.2.300", &a) < 0);
	CHECK(mptcp_parse_ip("", &a) < 0);
	CHECK_INT(mptcp_parse_ip("169.254.1.1", &a), 0);
	CHECK(mptcp_addr_is_linklocal(&a));
	CHECK_INT(mptcp_parse_ip("fe80::1", &a), 0);
	CHECK(mptcp_addr_is_linklocal(&a));
	CHECK_INT(mptcp_parse_ip("192.0.2.1", &a), 0);
	CHECK(!mptcp_addr_is_linklocal(&a));
}

struct named {
	const char *name;
	int value;
};

static void test_word_lookup(void)
{
	static const struct named t[] = {
		{ "set", 1 }, { "show", 2 }, { "stats", 3 }, { "s", 4 }, { "list", 5 },
	};
	char buf[64];

	/* an exact match wins over being a prefix of others */
	CHECK_INT(word_lookup("s", t, ARRAY_SIZE(t), sizeof(t[0])), 3);
	CHECK_INT(word_lookup("show", t, ARRAY_SIZE(t), sizeof(t[0])), 1);
	CHECK_INT(word_lookup("sh", t, ARRAY_SIZE(t), sizeof(t[0])), 1);
	CHECK_INT(word_lookup("l", t, ARRAY_SIZE(t), sizeof(t[0])), 4);
	CHECK_INT(word_lookup("st", t, ARRAY_SIZE(t), sizeof(t[0])), 2);
	CHECK_INT(word_lookup("se", t, ARRAY_SIZE(t), sizeof(t[0])), 0);
	CHECK_INT(word_lookup("x", t, ARRAY_SIZE(t), sizeof(t[0])), -ENOENT);
	CHECK_INT(word_lookup("", t, ARRAY_SIZE(t), sizeof(t[0])), -ENOENT);
	CHECK_INT(word_lookup("lists", t, ARRAY_SIZE(t), sizeof(t[0])), -ENOENT);
	CHECK_INT(word_lookup("sx", t, 3, sizeof(t[0])), -ENOENT);
	/* without the exact "s", it is ambiguous */
	CHECK_INT(word_lookup("s", t, 3, sizeof(t[0])), -EEXIST);
	word_choices(t, ARRAY_SIZE(t), sizeof(t[0]), buf, sizeof(buf));
	CHECK_STR(buf, "set, show, stats, s, list");
	/* a short buffer is cut, never overrun */
	word_choices(t, ARRAY_SIZE(t), sizeof(t[0]), buf, 8);
	CHECK_INT(strlen(buf), 7);
}

static void test_word_buf(void)
{
	struct word_buf w;
	char buf[16];

	word_buf_init(&w, buf, sizeof(buf));
	CHECK_INT(word_buf_end(&w), 0);
	CHECK_STR(buf, "");
	word_add(&w, "min %s", "10ms");
	word_add(&w, "segs %u", 4u);
	CHECK_INT(word_buf_end(&w), 0);
	CHECK_STR(buf, "min 10ms segs 4");
	/* one more does not fit: refused, and buf stays a string */
	word_add(&w, "max %s", "2s");
	CHECK_INT(word_buf_end(&w), -ENAMETOOLONG);
	CHECK(strlen(buf) < sizeof(buf));
	/* a single word that fills buf with its NUL */
	word_buf_init(&w, buf, 6);
	word_add(&w, "max %d", 2);
	CHECK_INT(word_buf_end(&w), 0);
	CHECK_STR(buf, "max 2");
	word_buf_init(&w, buf, 5);
	word_add(&w, "max %d", 2);
	CHECK_INT(word_buf_end(&w), -ENAMETOOLONG);
}

static const struct unit_test tests[] = {
	{ "parse_u64: whole decimal strings, overflow refused", test_u64 },
	{ "parse_u32_range: inclusive bounds", test_u32_range },
	{ "parse_port: 1 to 65535", test_port },
	{ "parse_duration_ms: units, fractions of whole ms, junk and overflow", test_duration },
	{ "format_duration_ms -> parse_duration_ms gives the value back", test_duration_round_trip },
	{ "parse_prefix/format_prefix: families, lengths, host bits, round trip", test_prefix },
	{ "mptcp_parse_token: decimal and 0x hex, 32 bits", test_token },
	{ "mptcp_parse_ip/format_ip and link-local", test_mptcp_ip },
	{ "word_lookup: exact match, unique prefix, ambiguous, unknown", test_word_lookup },
	{ "word_buf: words a blank apart, -ENAMETOOLONG when they do not fit", test_word_buf },
};

UNIT_MAIN(tests)
