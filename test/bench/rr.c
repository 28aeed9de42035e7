// SPDX-License-Identifier: GPL-2.0
/*
 * rr: TCP request/response latency, for the benchmarks.
 *
 *   rr server ADDR PORT
 *	echo what each client sends until it closes; clients one at a time;
 *	until SIGTERM/SIGINT.
 *   rr client ADDR PORT SECONDS
 *	one connection, TCP_NODELAY; send one byte, wait for it to come back,
 *	again for SECONDS after a warm-up of WARMUP exchanges; print the
 *	round-trip percentiles in microseconds as one JSON object.
 *
 * (sockperf ping-pong does the same, but sleeps 2 s before every run: too
 * much for a quick mode of many short runs.)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "sock.h"

#define WARMUP 1000

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int run_server(const struct sockaddr_storage *ss, socklen_t len)
{
	int one = 1, lfd = bench_listen("rr", ss, len, 0, 16);

	if (lfd < 0)
		return 1;
	while (!stop) {
		char buf[256];
		ssize_t n;
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			continue;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		while (!stop && (n = read(fd, buf, sizeof(buf))) > 0)
			if (write(fd, buf, n) != n)
				break;
		close(fd);
	}
	close(lfd);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted samples. */
static double pct(const double *v, size_t n, double p)
{
	size_t rank = (size_t)(p / 100 * n + 0.999999);

	return v[rank ? rank - 1 : 0];
}

static int run_client(const struct sockaddr_storage *ss, socklen_t len, double seconds)
{
	size_t n = 0, cap = 1 << 16, i;
	double *rtt, start, end, sum = 0;
	int one = 1, fd;
	char byte = 'x';

	fd = socket(ss->ss_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (const struct sockaddr *)ss, len)) {
		printf("{\"error\":\"connect: %s\"}\n", strerror(errno));
		return 1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	rtt = malloc(cap * sizeof(*rtt));
	if (!rtt)
		return 1;
	for (i = 0; i < WARMUP; i++)
		if (write(fd, &byte, 1) != 1 || read(fd, &byte, 1) != 1)
			goto broken;
	start = now_us();
	end = start + seconds * 1e6;
	while (!stop) {
		double t0 = now_us(), t1;

		if (t0 >= end)
			break;
		if (write(fd, &byte, 1) != 1 || read(fd, &byte, 1) != 1)
			goto broken;
		t1 = now_us();
		if (n == cap) {
			double *more = realloc(rtt, 2 * cap * sizeof(*rtt));

			if (!more)
				break;
			rtt = more;
			cap *= 2;
		}
		rtt[n++] = t1 - t0;
		sum += t1 - t0;
	}
	close(fd);
	if (!n) {
		printf("{\"error\":\"no sample\"}\n");
		free(rtt);
		return 1;
	}
	qsort(rtt, n, sizeof(*rtt), cmp_double);
	printf("{\"samples\":%zu,\"mean_us\":%.2f,\"min_us\":%.2f,\"p50_us\":%.2f,"
	       "\"p90_us\":%.2f,\"p99_us\":%.2f,\"p999_us\":%.2f,\"max_us\":%.2f}\n",
	       n, sum / n, rtt[0], pct(rtt, n, 50), pct(rtt, n, 90), pct(rtt, n, 99),
	       pct(rtt, n, 99.9), rtt[n - 1]);
	free(rtt);
	return 0;
broken:
	printf("{\"error\":\"exchange: %s\"}\n", strerror(errno));
	close(fd);
	free(rtt);
	return 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	double seconds = 0;
	socklen_t len;
	char *end;

	if (!(argc == 4 && !strcmp(argv[1], "server")) &&
	    !(argc == 5 && !strcmp(argv[1], "client"))) {
		fprintf(stderr, "Usage: rr server ADDR PORT\n"
				"       rr client ADDR PORT SECONDS\n");
		return 2;
	}
	if (argc == 5) {
		errno = 0;
		seconds = strtod(argv[4], &end);
		if (errno || *end || seconds <= 0 || seconds > 3600) {
			fprintf(stderr, "rr: invalid SECONDS \"%s\"\n", argv[4]);
			return 2;
		}
	}
	if (bench_resolve("rr", argv[2], argv[3], &ss, &len))
		return 2;
	bench_signals();
	if (argc == 4)
		return run_server(&ss, len);
	return run_client(&ss, len, seconds);
}
