/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What mptcp_client.c and mptcp_server.c share: an MPTCP socket for a
 * numeric IPv4 or IPv6 address and a port.  Each helper is one file built
 * on its own (the top Makefile's build/helpers/ rule): the function is
 * static, prog names the helper in messages.
 */
#ifndef HELPERS_MPTCP_SOCKET_H
#define HELPERS_MPTCP_SOCKET_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

/* The address in *ss, *len, and an MPTCP socket of its family; -1 once
 * the reason is printed. */
static int mptcp_socket_for(const char *prog, const char *addr, int port,
			    struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	int fd;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		*len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*sin6);
	} else {
		fprintf(stderr, "%s: bad address %s\n", prog, addr);
		return -1;
	}
	fd = socket(ss->ss_family, SOCK_STREAM, IPPROTO_MPTCP);
	if (fd < 0)
		fprintf(stderr, "%s: socket: %s\n", prog, strerror(errno));
	return fd;
}

#endif
