// SPDX-License-Identifier: GPL-2.0
/*
 * mptcp_server ADDR PORT: an MPTCP echo server for the tests.  Accepts any
 * number of connections and echoes what they send until each one closes.
 * Prints "listening" once the socket listens.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mptcp_socket.h"

#define MAX_FDS 1024

static int listen_on(const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1;

	fd = mptcp_socket_for("mptcp_server", addr, port, &ss, &len);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 512)) {
		perror("mptcp_server: bind/listen");
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	static struct pollfd pfd[MAX_FDS];
	int nfds = 1, i;
	char buf[4096];

	if (argc != 3) {
		fprintf(stderr, "usage: mptcp_server ADDR PORT\n");
		return 2;
	}
	pfd[0].fd = listen_on(argv[1], atoi(argv[2]));
	if (pfd[0].fd < 0)
		return 1;
	pfd[0].events = POLLIN;
	printf("listening\n");
	fflush(stdout);
	for (;;) {
		if (poll(pfd, (nfds_t)nfds, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("mptcp_server: poll");
			return 1;
		}
		if (pfd[0].revents & POLLIN) {
			int c = accept(pfd[0].fd, NULL, NULL);

			if (c >= 0 && nfds < MAX_FDS) {
				pfd[nfds].fd = c;
				pfd[nfds++].events = POLLIN;
			} else if (c >= 0) {
				close(c);
			}
		}
		for (i = 1; i < nfds; i++) {
			ssize_t n;

			if (!pfd[i].revents)
				continue;
			n = read(pfd[i].fd, buf, sizeof(buf));
			if (n > 0 && write(pfd[i].fd, buf, (size_t)n) == n)
				continue;
			close(pfd[i].fd);
			pfd[i--] = pfd[--nfds];
		}
	}
}
