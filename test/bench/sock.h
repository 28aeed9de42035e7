/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the bench tools (connrate.c, rr.c) share: the numeric address they
 * are given, the listening socket of their server side, and the signals
 * that stop them.  Each tool is one file built on its own (bench.mk): the
 * functions are static, prog names the tool in messages.
 */
#ifndef BENCH_SOCK_H
#define BENCH_SOCK_H

#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

/* Set by SIGTERM and SIGINT: the tool's loops end. */
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void bench_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	/* No SA_RESTART: a signal must interrupt a blocking accept(). */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int bench_resolve(const char *prog, const char *addr, const char *port,
			 struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints = {
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
		.ai_socktype = SOCK_STREAM,
	};
	struct addrinfo *ai;
	int err;

	err = getaddrinfo(addr, port, &hints, &ai);
	if (err) {
		fprintf(stderr, "%s: %s port %s: %s\n", prog, addr, port, gai_strerror(err));
		return -1;
	}
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

/* A socket of protocol proto listening on ss (SO_REUSEADDR), or -1 once
 * the reason is printed. */
static int bench_listen(const char *prog, const struct sockaddr_storage *ss,
			socklen_t len, int proto, int backlog)
{
	int one = 1, lfd;

	lfd = socket(ss->ss_family, SOCK_STREAM, proto);
	if (lfd < 0) {
		fprintf(stderr, "%s: socket: %s\n", prog, strerror(errno));
		return -1;
	}
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (const struct sockaddr *)ss, len) || listen(lfd, backlog)) {
		fprintf(stderr, "%s: bind/listen: %s\n", prog, strerror(errno));
		close(lfd);
		return -1;
	}
	return lfd;
}

#endif
