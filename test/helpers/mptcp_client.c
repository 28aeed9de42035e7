// SPDX-License-Identifier: GPL-2.0
/*
 * mptcp_client ADDR PORT [COUNT [HOLD_S]]: open COUNT MPTCP connections to
 * an echo server, exchange a few bytes on each (so that both ends are fully
 * established), print each connection's token, then keep them open HOLD_S
 * seconds (default: until killed) and close them.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/mptcp.h>

#include "mptcp_socket.h"

#ifndef SOL_MPTCP
#define SOL_MPTCP 284
#endif

static int connect_to(const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	fd = mptcp_socket_for("mptcp_client", addr, port, &ss, &len);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, len)) {
		perror("mptcp_client: connect");
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	int count = argc > 3 ? atoi(argv[3]) : 1, hold = argc > 4 ? atoi(argv[4]) : -1;
	int *fds, i;

	if (argc < 3 || count < 1) {
		fprintf(stderr, "usage: mptcp_client ADDR PORT [COUNT [HOLD_S]]\n");
		return 2;
	}
	fds = calloc((size_t)count, sizeof(*fds));
	if (!fds)
		return 1;
	for (i = 0; i < count; i++) {
		struct mptcp_info info;
		socklen_t len = sizeof(info);
		char buf[16];

		fds[i] = connect_to(argv[1], atoi(argv[2]));
		if (fds[i] < 0)
			return 1;
		if (write(fds[i], "hello", 5) != 5 || read(fds[i], buf, sizeof(buf)) != 5) {
			perror("mptcp_client: echo");
			return 1;
		}
		memset(&info, 0, sizeof(info));
		if (getsockopt(fds[i], SOL_MPTCP, MPTCP_INFO, &info, &len)) {
			perror("mptcp_client: MPTCP_INFO");
			return 1;
		}
		printf("%u\n", info.mptcpi_token);
		fflush(stdout);
	}
	if (hold < 0)
		pause();
	else
		sleep((unsigned int)hold);
	for (i = 0; i < count; i++)
		close(fds[i]);
	return 0;
}
