// SPDX-License-Identifier: GPL-2.0
/* Errors and warnings, one line each, reaching -j output too: see errors.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "errors.h"
#include "json.h"

static const char *cur_object;
static bool reported;

void err_set_object(const char *object)
{
	cur_object = object;
}

const char *err_object(void)
{
	return cur_object;
}

bool err_reported(void)
{
	return reported;
}

void err_reset(void)
{
	reported = false;
}

const char *err_str(int err)
{
	/* Only for libbpf's codes: strerror() has its own buffer. */
	static char libbpf_text[128];

	if (err < 0)
		err = -err;
	if (err >= __LIBBPF_ERRNO__START && err < __LIBBPF_ERRNO__END &&
	    !libbpf_strerror(err, libbpf_text, sizeof(libbpf_text)))
		return libbpf_text;
	return strerror(err);
}

/* One line on stderr; with -j also {"error": message} on stdout, or the
 * warning kept for the command's document. */
static void report_vprint(bool warning, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (cur_object)
		fprintf(stderr, "tcpopt: %s: %s\n", cur_object, msg);
	else
		fprintf(stderr, "tcpopt: %s\n", msg);
	if (out_is_json() && warning) {
		out_warning(msg);
	} else if (out_is_json()) {
		out_flush_warnings(stdout);	/* in the order they came */
		fputs("{\"error\":", stdout);
		out_json_string(stdout, msg);
		fputs("}\n", stdout);
		fflush(stdout);
	}
}

int err_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_vprint(false, fmt, ap);
	va_end(ap);
	reported = true;
	return -EUSAGE;
}

int err_run(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_vprint(false, fmt, ap);
	va_end(ap);
	reported = true;
	return err < 0 ? err : -EIO;
}

void err_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_vprint(true, fmt, ap);
	va_end(ap);
}
