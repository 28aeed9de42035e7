// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "utils.h"

int parse_u64(const char *s, uint64_t *val)
{
	uint64_t v = 0;
	const char *p = s;

	if (!*p)
		return -EINVAL;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*val = v;
	return 0;
}

int parse_u32_range(const char *s, uint32_t min, uint32_t max, uint32_t *val)
{
	uint64_t v;
	int err = parse_u64(s, &v);

	if (err)
		return err;
	if (v < min || v > max)
		return -ERANGE;
	*val = (uint32_t)v;
	return 0;
}

int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int parse_u32_range_hex(const char *s, uint32_t min, uint32_t max, uint32_t *val)
{
	uint64_t v = 0;
	const char *p;
	int d;

	if (strncmp(s, "0x", 2) && strncmp(s, "0X", 2))
		return parse_u32_range(s, min, max, val);
	p = s + 2;
	if (!*p)
		return -EINVAL;
	for (; *p; p++) {
		d = hex_digit(*p);
		if (d < 0)
			return -EINVAL;
		v = v << 4 | (uint64_t)d;
		if (v > UINT32_MAX)
			return -ERANGE;
	}
	if (v < min || v > max)
		return -ERANGE;
	*val = (uint32_t)v;
	return 0;
}

static const struct {
	const char *name;
	uint64_t ms;
} time_units[] = {
	{ "ms", 1 }, { "msec", 1 }, { "s", 1000 }, { "sec", 1000 },
	{ "min", 60000 }, { "m", 60000 }, { "h", 3600000 }, { "d", 86400000 },
};

int parse_duration_ms(const char *s, const char *default_unit, uint64_t *ms)
{
	uint64_t whole = 0, frac = 0, frac_div = 1, unit = 0;
	const char *p = s;
	size_t i;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	/* The bound is on the value, below, not on the digits: what parses
	 * in one unit must parse in the unit it is printed in. */
	for (; *p >= '0' && *p <= '9'; p++) {
		if (whole > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		whole = whole * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (frac_div >= 1000000)
				return -EINVAL;
			frac = frac * 10 + (uint64_t)(*p - '0');
			frac_div *= 10;
		}
	}
	if (!*p)
		p = default_unit;
	for (i = 0; i < ARRAY_SIZE(time_units); i++)
		if (!strcmp(p, time_units[i].name))
			unit = time_units[i].ms;
	if (!unit)
		return -EINVAL;
	if (whole > UINT64_MAX / unit / 2)
		return -ERANGE;
	/* Fractions must come out as whole milliseconds. */
	if ((frac * unit) % frac_div)
		return -EINVAL;
	*ms = whole * unit + frac * unit / frac_div;
	return 0;
}

int parse_port(const char *s, uint16_t *port)
{
	uint32_t v;
	int err = parse_u32_range(s, 1, 65535, &v);

	if (err)
		return err;
	*port = (uint16_t)v;
	return 0;
}

int parse_prefix(const char *s, struct prefix *p)
{
	char addr[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	uint32_t plen, max;
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);

	if (alen >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, addr, p->addr) == 1) {
		p->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, p->addr) == 1) {
		p->family = AF_INET6;
		max = 128;
	} else {
		return -EINVAL;
	}
	plen = max;
	if (slash && parse_u32_range(slash + 1, 0, max, &plen))
		return -EINVAL;
	p->len = (uint8_t)plen;
	/* Host bits must be zero, as in "ip route". */
	for (uint32_t bit = plen; bit < max; bit++)
		if (p->addr[bit / 8] & (0x80 >> (bit % 8)))
			return -EINVAL;
	return 0;
}

void format_prefix(const struct prefix *p, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];
	unsigned int max = p->family == AF_INET ? 32 : 128;

	if (!p->family) {
		snprintf(buf, len, "any");
		return;
	}
	inet_ntop(p->family, p->addr, addr, sizeof(addr));
	if (p->len == max)
		snprintf(buf, len, "%s", addr);
	else
		snprintf(buf, len, "%s/%u", addr, p->len);
}

static const char *table_name(const void *table, size_t i, size_t stride)
{
	return *(const char *const *)((const char *)table + i * stride);
}

int word_lookup(const char *word, const void *table, size_t n, size_t stride)
{
	size_t i, wlen = strlen(word);
	int found = -ENOENT;

	if (!wlen)
		return -ENOENT;
	for (i = 0; i < n; i++)
		if (!strcmp(word, table_name(table, i, stride)))
			return (int)i;
	for (i = 0; i < n; i++) {
		if (strncmp(word, table_name(table, i, stride), wlen))
			continue;
		if (found >= 0)
			return -EEXIST;
		found = (int)i;
	}
	return found;
}

void word_choices(const void *table, size_t n, size_t stride, char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
				 table_name(table, i, stride));
}

static void prefix_matches(const char *word, const void *table, size_t n,
			   size_t stride, char *buf, size_t len)
{
	size_t i, used = 0, wlen = strlen(word);

	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++)
		if (!strncmp(word, table_name(table, i, stride), wlen))
			used += snprintf(buf + used, len - used, "%s%s",
					 used ? ", " : "", table_name(table, i, stride));
}

static int word_error(const char *what, const char *word, int rc,
		      const void *table, size_t n, size_t stride)
{
	char choices[512];

	if (rc == -EEXIST) {
		prefix_matches(word, table, n, stride, choices, sizeof(choices));
		return err_usage("ambiguous %s \"%s\" (could be: %s)", what, word, choices);
	}
	word_choices(table, n, stride, choices, sizeof(choices));
	return err_usage("unknown %s \"%s\" (choose from: %s)", what, word, choices);
}

int cmd_dispatch(const char *what, const struct cmd *cmds, size_t n,
		 void (*usage)(FILE *f), int argc, char **argv)
{
	int i;

	if (argc < 1)
		return cmds[0].func(0, argv);
	i = word_lookup(argv[0], cmds, n, sizeof(cmds[0]));
	if (i < 0)
		return word_error(what, argv[0], i, cmds, n, sizeof(cmds[0]));
	if (!cmds[i].func) {
		usage(stdout);
		return 0;
	}
	return cmds[i].func(argc - 1, argv + 1);
}

int keyword_next(int *argc, char ***argv, const struct keyword *kw, size_t n,
		 int *id, const char **value)
{
	const char *word = (*argv)[0];
	int i = word_lookup(word, kw, n, sizeof(kw[0]));

	if (i < 0)
		return word_error("keyword", word, i, kw, n, sizeof(kw[0]));
	*value = NULL;
	if (kw[i].has_value) {
		if (*argc < 2)
			return err_usage("missing value after \"%s\"", kw[i].name);
		*value = (*argv)[1];
		(*argc)--;
		(*argv)++;
	}
	(*argc)--;
	(*argv)++;
	*id = kw[i].id;
	return 0;
}

int file_replace(const char *file, void (*fill)(FILE *f, void *ctx), void *ctx)
{
	char tmp[PATH_MAX];
	FILE *f;
	int fd, err = 0;

	if (xsnprintf(tmp, sizeof(tmp), "%s.XXXXXX", file))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		unlink(tmp);
		return err;
	}
	/* mkstemp makes it 0600: readers such as node_exporter run as
	 * another user. */
	if (fchmod(fd, 0644))
		err = -errno;
	fill(f, ctx);
	if ((fflush(f) || ferror(f) || fsync(fd)) && !err)
		err = errno ? -errno : -EIO;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, file))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

int xsnprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

void word_buf_init(struct word_buf *w, char *buf, size_t len)
{
	w->buf = buf;
	w->len = len;
	w->used = 0;
	buf[0] = '\0';
}

void word_add(struct word_buf *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (w->used && w->used < w->len)
		w->used += (size_t)snprintf(w->buf + w->used, w->len - w->used, " ");
	if (w->used >= w->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(w->buf + w->used, w->len - w->used, fmt, ap);
	va_end(ap);
	w->used = n < 0 ? w->len : w->used + (size_t)n;
}

int word_buf_end(const struct word_buf *w)
{
	return w->used >= w->len ? -ENAMETOOLONG : 0;
}

int stop_signals_open(sigset_t *old)
{
	sigset_t mask;
	int sfd;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &mask, old))
		return -errno;
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		sfd = -errno;
		sigprocmask(SIG_SETMASK, old, NULL);
	}
	return sfd;
}

int stop_signals_consume(int sfd)
{
	struct signalfd_siginfo si;

	/* Consumed: unblocking must not deliver it again. */
	return read(sfd, &si, sizeof(si)) < 0 ? -errno : 0;
}

void stop_signals_close(int sfd, const sigset_t *old)
{
	close(sfd);
	sigprocmask(SIG_SETMASK, old, NULL);
}

int dir_for_each(int fd, dir_entry_cb cb, void *ctx)
{
	/* On the stack: a heap buffer this size is given back to the
	 * system at each free() and faulted in again at the next call. */
	char buf[8192] __attribute__((aligned(8)));
	ssize_t n = 0, off;
	int rc = 0;

	while (!rc && (n = getdents64(fd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < n && !rc; ) {
			struct dirent64 *de = (struct dirent64 *)(buf + off);

			off += de->d_reclen;
			if (de->d_name[0] == '.' && (!de->d_name[1] ||
			    (de->d_name[1] == '.' && !de->d_name[2])))
				continue;
			rc = cb(fd, de->d_name, de->d_ino, de->d_type, ctx);
		}
	}
	/* A directory removed while read (a flush's last entry) has ended. */
	if (!rc && n < 0 && errno != ENOENT)
		rc = -errno;
	return rc;
}
