// SPDX-License-Identifier: GPL-2.0
/*
 * connrate: TCP connection rate, for the benchmarks.
 *
 *   connrate server ADDR PORT [mptcp] [hold]
 *	accept, read one byte, echo it, close; until SIGTERM/SIGINT.  With
 *	"hold", serve every connection until the client closes it instead.
 *   connrate client ADDR PORT SECONDS [mptcp]
 *	connect, send one byte, read it back, wait for the server's FIN,
 *	close; in a loop for SECONDS; print one JSON object on stdout.
 *   connrate burst ADDR PORT CONNECTIONS SUBFLOWS TIMEOUT [mptcp]
 *	open CONNECTIONS at once (one byte each way), keep them, and wait
 *	until each has SUBFLOWS established subflows (MPTCP_TCPINFO; a path
 *	manager adds them) or TIMEOUT seconds passed; print one JSON object;
 *	close all.
 *
 * The server closes first so that TIME_WAIT stays on its side and the
 * client never runs out of ephemeral ports during a run.
 */
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/mptcp.h>

#include "sock.h"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#ifndef SOL_MPTCP
#define SOL_MPTCP 284
#endif
#ifndef MPTCP_TCPINFO
#define MPTCP_TCPINFO 2
#endif
#define HOLD_MAX 16384
#define SUBFLOWS_MAX 16		/* counted per connection */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void set_timeout(int fd, int opt, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = ms % 1000 * 1000 };

	setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv));
}

/* Serve many connections at once, each until its client closes it. */
static int run_hold_server(int lfd)
{
	static struct pollfd pfd[HOLD_MAX + 1];
	nfds_t n = 1, i;

	pfd[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
	while (!stop) {
		if (poll(pfd, n, 1000) <= 0)
			continue;
		for (i = n; i-- > 1;) {
			char buf[512];
			ssize_t len;

			if (!pfd[i].revents)
				continue;
			len = read(pfd[i].fd, buf, sizeof(buf));
			if (len > 0 && write(pfd[i].fd, buf, len) == len)
				continue;
			close(pfd[i].fd);
			pfd[i] = pfd[--n];
		}
		if (pfd[0].revents && n <= HOLD_MAX) {
			int fd = accept(lfd, NULL, NULL);

			if (fd >= 0)
				pfd[n++] = (struct pollfd){ .fd = fd, .events = POLLIN };
		}
	}
	for (i = 1; i < n; i++)
		close(pfd[i].fd);
	return 0;
}

static int run_server(const struct sockaddr_storage *ss, socklen_t len, int proto,
		      bool hold)
{
	int lfd = bench_listen("connrate", ss, len, proto, 4096);

	if (lfd < 0)
		return 1;
	if (hold) {
		struct rlimit rl = { HOLD_MAX + 64, HOLD_MAX + 64 };

		setrlimit(RLIMIT_NOFILE, &rl);
		run_hold_server(lfd);
		close(lfd);
		return 0;
	}
	while (!stop) {
		char byte;
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			continue;
		/* A client that never sends must not stall the others. */
		set_timeout(fd, SO_RCVTIMEO, 1000);
		if (read(fd, &byte, 1) == 1 && write(fd, &byte, 1) != 1)
			byte = 0;
		close(fd);
	}
	close(lfd);
	return 0;
}

/* One connection; 0 on success. */
static int one_exchange(const struct sockaddr_storage *ss, socklen_t len, int proto)
{
	char byte = 'x', buf[16];
	int fd, ok = -1;
	ssize_t n;

	fd = socket(ss->ss_family, SOCK_STREAM, proto);
	if (fd < 0)
		return -1;
	set_timeout(fd, SO_RCVTIMEO, 1000);
	set_timeout(fd, SO_SNDTIMEO, 1000);
	if (connect(fd, (const struct sockaddr *)ss, len) == 0 &&
	    write(fd, &byte, 1) == 1 && read(fd, buf, 1) == 1 && buf[0] == byte) {
		/* Wait for the server's FIN: it closes first. */
		do
			n = read(fd, buf, sizeof(buf));
		while (n > 0);
		ok = n == 0 ? 0 : -1;
	}
	close(fd);
	return ok;
}

static int run_client(const struct sockaddr_storage *ss, socklen_t len, int proto,
		      double seconds)
{
	unsigned long done = 0, errors = 0;
	double start = now_s(), end = start + seconds, t = start;
	const char *first_error = NULL;

	while (!stop && (t = now_s()) < end) {
		if (one_exchange(ss, len, proto) == 0) {
			done++;
			continue;
		}
		if (!first_error)
			first_error = strerror(errno);
		errors++;
		/* Back off a little: a refused or exhausted connect returns at once. */
		usleep(1000);
	}
	t = now_s() - start;
	printf("{\"connections\":%lu,\"errors\":%lu,\"seconds\":%.3f,\"rate\":%.1f",
	       done, errors, t, t > 0 ? done / t : 0.0);
	if (first_error)
		printf(",\"first_error\":\"%s\"", first_error);
	printf("}\n");
	return done ? 0 : 1;
}

/*
 * Established subflows, read from the connection's subflow list
 * (MPTCP_TCPINFO): whichever path manager opened them.  The PM's own count
 * (MPTCP_INFO mptcpi_subflows) includes subflows still in their handshake,
 * and a BPF path manager's are not in it.
 */
static unsigned int subflows_of(int fd)
{
	struct {
		struct mptcp_subflow_data d;
		struct tcp_info ti[SUBFLOWS_MAX];
	} buf;
	socklen_t len = sizeof(buf);
	unsigned int i, n, established = 0;

	memset(&buf, 0, sizeof(buf));
	buf.d.size_subflow_data = sizeof(buf.d);
	buf.d.size_user = sizeof(buf.ti[0]);
	/* Plain TCP (or MPTCP fallen back): one path. */
	if (getsockopt(fd, SOL_MPTCP, MPTCP_TCPINFO, &buf, &len))
		return 1;
	n = buf.d.num_subflows < SUBFLOWS_MAX ? buf.d.num_subflows : SUBFLOWS_MAX;
	for (i = 0; i < n; i++)
		if (buf.ti[i].tcpi_state == TCP_ESTABLISHED)
			established++;
	return established;
}

static int run_burst(const struct sockaddr_storage *ss, socklen_t len, int proto,
		     unsigned int nconn, unsigned int want, double timeout)
{
	struct rlimit rl = { nconn + 64, nconn + 64 };
	unsigned int i, ok = 0, errors = 0, total = 0;
	struct rusage ru;
	double start, opened, done, last;
	int *fds;

	fds = calloc(nconn, sizeof(*fds));
	if (!fds)
		return 1;
	setrlimit(RLIMIT_NOFILE, &rl);
	start = now_s();
	for (i = 0; i < nconn && !stop; i++) {
		char byte = 'x';
		int fd = socket(ss->ss_family, SOCK_STREAM, proto);

		if (fd < 0) {
			errors++;
			continue;
		}
		set_timeout(fd, SO_RCVTIMEO, 2000);
		if (connect(fd, (const struct sockaddr *)ss, len) == 0 &&
		    write(fd, &byte, 1) == 1 && read(fd, &byte, 1) == 1) {
			fds[ok++] = fd;
		} else {
			close(fd);
			errors++;
		}
	}
	opened = now_s();
	/* Until every connection has its subflows, no new one for a second
	 * (events lost: they will not come), or the timeout. */
	last = opened;
	for (;;) {
		unsigned int sum = 0;

		for (i = 0; i < ok; i++)
			sum += subflows_of(fds[i]);
		done = now_s();
		if (sum != total) {
			total = sum;
			last = done;
		}
		if (stop || total >= ok * want || done - last >= 1.0 || done - start >= timeout)
			break;
		usleep(1000);
	}
	/* Its own CPU (the polling above), to tell apart from the PM's. */
	getrusage(RUSAGE_SELF, &ru);
	printf("{\"connections\":%u,\"errors\":%u,\"open_seconds\":%.3f,"
	       "\"subflows\":%u,\"subflows_expected\":%u,\"seconds\":%.3f,"
	       "\"complete\":%s,\"added_subflows_per_s\":%.1f,\"cpu_s\":%.3f}\n",
	       ok, errors, opened - start, total, ok * want, last - start,
	       total >= ok * want ? "true" : "false",
	       last > start && total > ok ? (total - ok) / (last - start) : 0.0,
	       ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	for (i = 0; i < ok; i++)
		close(fds[i]);
	free(fds);
	return ok ? 0 : 1;
}

static int usage(void)
{
	fprintf(stderr, "Usage: connrate server ADDR PORT [mptcp] [hold]\n"
			"       connrate client ADDR PORT SECONDS [mptcp]\n"
			"       connrate burst ADDR PORT CONNECTIONS SUBFLOWS TIMEOUT [mptcp]\n");
	return 2;
}

static int parse_number(const char *s, double lo, double hi, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno || end == s || *end || *out < lo || *out > hi ? -1 : 0;
}

int main(int argc, char **argv)
{
	double num[3] = { 0 };
	struct sockaddr_storage ss;
	int proto = IPPROTO_TCP, nnum, i;
	bool hold = false;
	socklen_t len;

	if (argc < 4)
		return usage();
	if (!strcmp(argv[1], "server"))
		nnum = 0;
	else if (!strcmp(argv[1], "client"))
		nnum = 1;
	else if (!strcmp(argv[1], "burst"))
		nnum = 3;
	else
		return usage();
	if (argc < 4 + nnum)
		return usage();
	for (i = 0; i < nnum; i++)
		if (parse_number(argv[4 + i], i == 0 && nnum == 3 ? 1 : 0.001,
				 i == 0 && nnum == 3 ? HOLD_MAX : 3600, &num[i]))
			return usage();
	for (i = 4 + nnum; i < argc; i++) {
		if (!strcmp(argv[i], "mptcp"))
			proto = IPPROTO_MPTCP;
		else if (!strcmp(argv[i], "hold") && nnum == 0)
			hold = true;
		else
			return usage();
	}
	if (bench_resolve("connrate", argv[2], argv[3], &ss, &len))
		return 2;
	bench_signals();
	if (nnum == 0)
		return run_server(&ss, len, proto, hold);
	if (nnum == 1)
		return run_client(&ss, len, proto, num[0]);
	return run_burst(&ss, len, proto, (unsigned int)num[0], (unsigned int)num[1], num[2]);
}
