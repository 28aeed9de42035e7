// SPDX-License-Identifier: GPL-2.0
/*
 * tcpprobe: one TCP connection for the tests, and what its socket says.
 *
 *   tcpprobe server ADDR PORT [OPTIONS]   accept one connection
 *   tcpprobe client ADDR PORT [OPTIONS]   make one connection
 *
 * Once established it prints one JSON line on stdout:
 *   {"role":..,"user_timeout_ms":N,"congestion":"..","snd_cwnd":N,
 *    "rcv_mss":N,"rtt_us":N}
 * then, by option:
 *   --send BYTES       send BYTES (then report again), for cwnd/ACK tests
 *   --start-file PATH  wait for PATH to exist before --send
 *   --go-file PATH     wait for PATH to exist, then write until the
 *                      connection fails, and print
 *                      {"error":"ETIMEDOUT","elapsed_ms":N}
 *   --hold SECONDS     keep the connection open that long (default 0)
 *   --drain            read until the peer closes
 *   --timeout SECONDS  give up (exit 3) after that long (default 30)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int make_addr(const char *host, const char *port, struct sockaddr_storage *ss,
		     socklen_t *len)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
				  .ai_socktype = SOCK_STREAM }, *res;

	if (getaddrinfo(host, port, &hints, &res)) {
		fprintf(stderr, "tcpprobe: bad address %s port %s\n", host, port);
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static void report(int fd, const char *role)
{
	unsigned int uto = 0;
	socklen_t len = sizeof(uto);
	char cc[32] = "";
	struct tcp_info ti = { 0 };

	getsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &uto, &len);
	len = sizeof(cc);
	getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc, &len);
	len = sizeof(ti);
	getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len);
	printf("{\"role\":\"%s\",\"user_timeout_ms\":%u,\"congestion\":\"%s\","
	       "\"snd_cwnd\":%u,\"rcv_mss\":%u,\"rtt_us\":%u}\n",
	       role, uto, cc, ti.tcpi_snd_cwnd, ti.tcpi_rcv_mss, ti.tcpi_rtt);
	fflush(stdout);
}

static int write_until_error(int fd, const char *go_file)
{
	static char buf[1024];
	struct stat st;
	double start;
	int err = 0;
	socklen_t len = sizeof(err);

	while (stat(go_file, &st))
		usleep(10000);
	start = now_ms();
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };

		if (poll(&p, 1, 50) < 0 && errno != EINTR)
			break;
		if (p.revents & (POLLERR | POLLHUP))
			break;
		if ((p.revents & POLLOUT) && send(fd, buf, sizeof(buf), MSG_DONTWAIT) < 0 &&
		    errno != EAGAIN)
			break;
		usleep(50000);
	}
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	printf("{\"error\":\"%s\",\"elapsed_ms\":%.0f}\n",
	       err == ETIMEDOUT ? "ETIMEDOUT" : strerror(err), now_ms() - start);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t slen;
	const char *go_file = NULL, *start_file = NULL;
	long send_bytes = 0;
	int hold = 0, drain = 0, timeout = 30, fd, one = 1, i;
	int server;

	if (argc < 4 || (strcmp(argv[1], "server") && strcmp(argv[1], "client"))) {
		fprintf(stderr, "usage: tcpprobe {server|client} ADDR PORT [--send N] "
			"[--start-file F] [--go-file F] [--hold S] [--drain] [--timeout S]\n");
		return 2;
	}
	server = !strcmp(argv[1], "server");
	for (i = 4; i < argc; i++) {
		if (!strcmp(argv[i], "--go-file") && i + 1 < argc)
			go_file = argv[++i];
		else if (!strcmp(argv[i], "--start-file") && i + 1 < argc)
			start_file = argv[++i];
		else if (!strcmp(argv[i], "--send") && i + 1 < argc)
			send_bytes = atol(argv[++i]);
		else if (!strcmp(argv[i], "--hold") && i + 1 < argc)
			hold = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
			timeout = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--drain"))
			drain = 1;
		else {
			fprintf(stderr, "tcpprobe: unknown argument %s\n", argv[i]);
			return 2;
		}
	}
	alarm((unsigned int)timeout);
	signal(SIGPIPE, SIG_IGN);
	if (make_addr(argv[2], argv[3], &ss, &slen))
		return 2;
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0) {
		perror("tcpprobe: socket");
		return 1;
	}
	if (server) {
		int lfd = fd;

		setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(lfd, (struct sockaddr *)&ss, slen) || listen(lfd, 16)) {
			perror("tcpprobe: bind/listen");
			return 1;
		}
		/* Tell the test we listen (stderr keeps stdout pure JSON). */
		fprintf(stderr, "listening\n");
		fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			perror("tcpprobe: accept");
			return 1;
		}
		close(lfd);
	} else if (connect(fd, (struct sockaddr *)&ss, slen)) {
		perror("tcpprobe: connect");
		return 1;
	}
	report(fd, argv[1]);
	if (send_bytes > 0) {
		static char buf[65536];
		struct stat st;

		while (start_file && stat(start_file, &st))
			usleep(10000);

		while (send_bytes > 0) {
			ssize_t n = send(fd, buf, send_bytes < (long)sizeof(buf) ?
					 (size_t)send_bytes : sizeof(buf), 0);

			if (n <= 0) {
				perror("tcpprobe: send");
				return 1;
			}
			send_bytes -= n;
		}
		report(fd, argv[1]);
	}
	if (go_file)
		return write_until_error(fd, go_file);
	if (drain) {
		char buf[65536];

		while (recv(fd, buf, sizeof(buf), 0) > 0)
			;
	}
	if (hold)
		sleep((unsigned int)hold);
	close(fd);
	return 0;
}
