/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic netlink over libmnl: resolve a family and its multicast groups at
 * run time, send acked requests and dumps, and keep the kernel's
 * extended-ack message for the error line.
 */
#ifndef TCPOPT_GENL_H
#define TCPOPT_GENL_H

#include <stdbool.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#define GENL_BUF_SIZE 32768
#define GENL_MAX_GROUPS 8

struct genl_group {
	char name[32];
	uint32_t id;
};

struct genl {
	struct mnl_socket *nl;
	unsigned int portid;
	uint32_t seq;
	uint16_t family;		/* resolved family id */
	uint8_t version;
	int ngroups;
	struct genl_group groups[GENL_MAX_GROUPS];
	char extack[256];		/* last error's extended-ack text, or "" */
};

/* Open a socket and resolve family `name`: 0, -ENOENT (family absent), -errno. */
int genl_open(struct genl *g, const char *name);
void genl_close(struct genl *g);

/* Join multicast group `name` of the family: 0, -ENOENT, -errno. */
int genl_join(struct genl *g, const char *name);
/* Set the receive buffer (SO_RCVBUFFORCE, else SO_RCVBUF; 0: leave it);
 * returns the size the kernel granted, or -errno. */
int genl_set_rcvbuf(struct genl *g, int bytes);

/* Start a request for cmd in buf (GENL_BUF_SIZE bytes); ACK is always asked. */
struct nlmsghdr *genl_msg(struct genl *g, void *buf, uint8_t cmd, uint16_t flags);

/*
 * Send nlh and read replies until the ack (or NLMSG_DONE for a dump); cb is
 * called for each data message.  Returns 0 or -errno; on error g->extack
 * holds the kernel's message when it sent one.
 */
int genl_talk(struct genl *g, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);

/* Report a failed request: "<what> failed: <extack or strerror>"; returns err. */
int genl_error(struct genl *g, int err, const char *what);

/* The attributes after the genl header, indexed by type (tb has max + 1 slots). */
int genl_parse(const struct nlmsghdr *nlh, const struct nlattr **tb, unsigned int max);
int genl_parse_nested(const struct nlattr *nest, const struct nlattr **tb, unsigned int max);

#endif
