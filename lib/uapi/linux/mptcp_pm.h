/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/*
 * Vendored for tcpopt.  Origin: Linux v6.18 include/uapi/linux/mptcp_pm.h,
 * generated upstream (YNL) from Documentation/netlink/specs/mptcp_pm.yaml;
 * first present in v6.7.  Debian 12's linux-libc-dev (6.1) has no such file
 * and lacks the listener events.  Values are ABI: never renumber.
 */
#ifndef _UAPI_LINUX_MPTCP_PM_H
#define _UAPI_LINUX_MPTCP_PM_H

#define MPTCP_PM_NAME	"mptcp_pm"
#define MPTCP_PM_VER	1

/*
 * enum mptcp_event_type
 * @MPTCP_EVENT_CREATED: token, family, saddr4 | saddr6, daddr4 | daddr6,
 *   sport, dport [, server_side]: a new MPTCP connection, not yet fully
 *   established.
 * @MPTCP_EVENT_ESTABLISHED: same attributes: the connection is fully
 *   established (both keys exchanged).
 * @MPTCP_EVENT_CLOSED: token.
 * @MPTCP_EVENT_ANNOUNCED: token, rem_id, family, daddr4 | daddr6 [, dport]:
 *   the peer announced an address.
 * @MPTCP_EVENT_REMOVED: token, rem_id: the peer withdrew an address.
 * @MPTCP_EVENT_SUB_ESTABLISHED: token, family, loc_id, rem_id, saddr, daddr,
 *   sport, dport, backup, if_idx [, error].
 * @MPTCP_EVENT_SUB_CLOSED: as SUB_ESTABLISHED.
 * @MPTCP_EVENT_SUB_PRIORITY: as SUB_ESTABLISHED: backup flag changed.
 * @MPTCP_EVENT_LISTENER_CREATED: family, sport, saddr4 | saddr6.
 * @MPTCP_EVENT_LISTENER_CLOSED: family, sport, saddr4 | saddr6.
 */
enum mptcp_event_type {
	MPTCP_EVENT_UNSPEC,
	MPTCP_EVENT_CREATED,
	MPTCP_EVENT_ESTABLISHED,
	MPTCP_EVENT_CLOSED,
	MPTCP_EVENT_ANNOUNCED = 6,
	MPTCP_EVENT_REMOVED,
	MPTCP_EVENT_SUB_ESTABLISHED = 10,
	MPTCP_EVENT_SUB_CLOSED,
	MPTCP_EVENT_SUB_PRIORITY = 13,
	MPTCP_EVENT_LISTENER_CREATED = 15,
	MPTCP_EVENT_LISTENER_CLOSED,
};

enum {
	MPTCP_PM_ADDR_ATTR_UNSPEC,
	MPTCP_PM_ADDR_ATTR_FAMILY,	/* u16 */
	MPTCP_PM_ADDR_ATTR_ID,		/* u8 */
	MPTCP_PM_ADDR_ATTR_ADDR4,	/* struct in_addr */
	MPTCP_PM_ADDR_ATTR_ADDR6,	/* struct in6_addr */
	MPTCP_PM_ADDR_ATTR_PORT,	/* u16, host order */
	MPTCP_PM_ADDR_ATTR_FLAGS,	/* u32 */
	MPTCP_PM_ADDR_ATTR_IF_IDX,	/* s32 */

	__MPTCP_PM_ADDR_ATTR_MAX
};
#define MPTCP_PM_ADDR_ATTR_MAX (__MPTCP_PM_ADDR_ATTR_MAX - 1)

enum {
	MPTCP_SUBFLOW_ATTR_UNSPEC,
	MPTCP_SUBFLOW_ATTR_TOKEN_REM,	/* u32 */
	MPTCP_SUBFLOW_ATTR_TOKEN_LOC,	/* u32 */
	MPTCP_SUBFLOW_ATTR_RELWRITE_SEQ,	/* u32 */
	MPTCP_SUBFLOW_ATTR_MAP_SEQ,	/* u64 */
	MPTCP_SUBFLOW_ATTR_MAP_SFSEQ,	/* u32 */
	MPTCP_SUBFLOW_ATTR_SSN_OFFSET,	/* u32 */
	MPTCP_SUBFLOW_ATTR_MAP_DATALEN,	/* u16 */
	MPTCP_SUBFLOW_ATTR_FLAGS,	/* u32 */
	MPTCP_SUBFLOW_ATTR_ID_REM,	/* u8 */
	MPTCP_SUBFLOW_ATTR_ID_LOC,	/* u8 */
	MPTCP_SUBFLOW_ATTR_PAD,

	__MPTCP_SUBFLOW_ATTR_MAX
};
#define MPTCP_SUBFLOW_ATTR_MAX (__MPTCP_SUBFLOW_ATTR_MAX - 1)

enum {
	MPTCP_PM_ENDPOINT_ADDR = 1,

	__MPTCP_PM_ENDPOINT_MAX
};
#define MPTCP_PM_ENDPOINT_MAX (__MPTCP_PM_ENDPOINT_MAX - 1)

enum {
	MPTCP_PM_ATTR_UNSPEC,
	MPTCP_PM_ATTR_ADDR,		/* nested address */
	MPTCP_PM_ATTR_RCV_ADD_ADDRS,	/* u32 */
	MPTCP_PM_ATTR_SUBFLOWS,		/* u32 */
	MPTCP_PM_ATTR_TOKEN,		/* u32 */
	MPTCP_PM_ATTR_LOC_ID,		/* u8 */
	MPTCP_PM_ATTR_ADDR_REMOTE,	/* nested address */

	__MPTCP_ATTR_AFTER_LAST
};
#define MPTCP_PM_ATTR_MAX (__MPTCP_ATTR_AFTER_LAST - 1)

enum mptcp_event_attr {
	MPTCP_ATTR_UNSPEC,
	MPTCP_ATTR_TOKEN,		/* u32 */
	MPTCP_ATTR_FAMILY,		/* u16 */
	MPTCP_ATTR_LOC_ID,		/* u8 */
	MPTCP_ATTR_REM_ID,		/* u8 */
	MPTCP_ATTR_SADDR4,		/* be32 */
	MPTCP_ATTR_SADDR6,		/* struct in6_addr */
	MPTCP_ATTR_DADDR4,		/* be32 */
	MPTCP_ATTR_DADDR6,		/* struct in6_addr */
	MPTCP_ATTR_SPORT,		/* be16 */
	MPTCP_ATTR_DPORT,		/* be16 */
	MPTCP_ATTR_BACKUP,		/* u8 */
	MPTCP_ATTR_ERROR,		/* u8 */
	MPTCP_ATTR_FLAGS,		/* u16 */
	MPTCP_ATTR_TIMEOUT,		/* u32 */
	MPTCP_ATTR_IF_IDX,		/* s32 */
	MPTCP_ATTR_RESET_REASON,	/* u32 */
	MPTCP_ATTR_RESET_FLAGS,		/* u32 */
	MPTCP_ATTR_SERVER_SIDE,		/* u8 */

	__MPTCP_ATTR_MAX
};
#define MPTCP_ATTR_MAX (__MPTCP_ATTR_MAX - 1)

enum {
	MPTCP_PM_CMD_UNSPEC,
	MPTCP_PM_CMD_ADD_ADDR,
	MPTCP_PM_CMD_DEL_ADDR,
	MPTCP_PM_CMD_GET_ADDR,
	MPTCP_PM_CMD_FLUSH_ADDRS,
	MPTCP_PM_CMD_SET_LIMITS,
	MPTCP_PM_CMD_GET_LIMITS,
	MPTCP_PM_CMD_SET_FLAGS,
	MPTCP_PM_CMD_ANNOUNCE,
	MPTCP_PM_CMD_REMOVE,
	MPTCP_PM_CMD_SUBFLOW_CREATE,
	MPTCP_PM_CMD_SUBFLOW_DESTROY,

	__MPTCP_PM_CMD_MAX
};
#define MPTCP_PM_CMD_MAX (__MPTCP_PM_CMD_MAX - 1)

#endif /* _UAPI_LINUX_MPTCP_PM_H */
