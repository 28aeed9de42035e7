// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "addrwatch.h"
#include "utils.h"

/* Read everything queued; true when something (or a lost event) came. */
static int drain(struct mnl_socket *nl, bool *changed)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	for (;;) {
		ssize_t len = recv(mnl_socket_get_fd(nl), buf, sizeof(buf), MSG_DONTWAIT);

		if (len > 0 || (len < 0 && errno == ENOBUFS)) {
			*changed = true;
			continue;
		}
		if (len == 0 || errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

int addr_watch(unsigned int settle_ms, addr_change_fn changed, void *ctx)
{
	struct mnl_socket *nl;
	struct pollfd pfd[2];
	bool pending = false;
	sigset_t old;
	int sfd, err = 0;

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR,
			    MNL_SOCKET_AUTOPID)) {
		err = -errno;
		mnl_socket_close(nl);
		return err;
	}
	sfd = stop_signals_open(&old);
	if (sfd < 0) {
		mnl_socket_close(nl);
		return sfd;
	}
	pfd[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = mnl_socket_get_fd(nl), .events = POLLIN };
	while (!err) {
		/* A change is acted on once the burst it belongs to is over. */
		int n = poll(pfd, 2, pending ? (int)settle_ms : -1);

		if (n < 0) {
			if (errno != EINTR)
				err = -errno;
			continue;
		}
		if (pfd[0].revents) {
			err = stop_signals_consume(sfd);
			break;
		}
		if (pfd[1].revents) {
			err = drain(nl, &pending);
			continue;
		}
		if (pending) {
			pending = false;
			err = changed(ctx);
		}
	}
	stop_signals_close(sfd, &old);
	mnl_socket_close(nl);
	return err;
}
