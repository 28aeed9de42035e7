/* SPDX-License-Identifier: GPL-2.0+ WITH Linux-syscall-note */
/*
 * Vendored for tcpopt.  Origin: Linux v6.18 include/uapi/linux/mptcp.h
 * (the netlink enums moved to the generated linux/mptcp_pm.h in v6.7).
 * Debian 12's linux-libc-dev (6.1) ships an older copy: no listener
 * events, no implicit/laminar flag names, a shorter struct mptcp_info.
 * Only what tcpopt uses, with upstream's values; the tail of
 * struct mptcp_info grew over time, so readers check the length the kernel
 * sent before using a field past mptcpi_csum_enabled.
 */
#ifndef _UAPI_MPTCP_H
#define _UAPI_MPTCP_H

#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/const.h>
#include <linux/types.h>

#define MPTCP_SUBFLOW_FLAG_MCAP_REM		_BITUL(0)
#define MPTCP_SUBFLOW_FLAG_MCAP_LOC		_BITUL(1)
#define MPTCP_SUBFLOW_FLAG_JOIN_REM		_BITUL(2)
#define MPTCP_SUBFLOW_FLAG_JOIN_LOC		_BITUL(3)
#define MPTCP_SUBFLOW_FLAG_BKUP_REM		_BITUL(4)
#define MPTCP_SUBFLOW_FLAG_BKUP_LOC		_BITUL(5)
#define MPTCP_SUBFLOW_FLAG_FULLY_ESTABLISHED	_BITUL(6)
#define MPTCP_SUBFLOW_FLAG_CONNECTED		_BITUL(7)
#define MPTCP_SUBFLOW_FLAG_MAPVALID		_BITUL(8)

#define MPTCP_PM_CMD_GRP_NAME	"mptcp_pm_cmds"
#define MPTCP_PM_EV_GRP_NAME	"mptcp_pm_events"

#include <linux/mptcp_pm.h>

#define MPTCP_INFO_FLAG_FALLBACK		_BITUL(0)
#define MPTCP_INFO_FLAG_REMOTE_KEY_RECEIVED	_BITUL(1)

#define MPTCP_PM_EV_FLAG_DENY_JOIN_ID0		_BITUL(0)
#define MPTCP_PM_EV_FLAG_SERVER_SIDE		_BITUL(1)

#define MPTCP_PM_ADDR_FLAG_SIGNAL		(1 << 0)
#define MPTCP_PM_ADDR_FLAG_SUBFLOW		(1 << 1)
#define MPTCP_PM_ADDR_FLAG_BACKUP		(1 << 2)
#define MPTCP_PM_ADDR_FLAG_FULLMESH		(1 << 3)
#define MPTCP_PM_ADDR_FLAG_IMPLICIT		(1 << 4)
#define MPTCP_PM_ADDR_FLAG_LAMINAR		(1 << 5)

struct mptcp_info {
	__u8	mptcpi_subflows;
	__u8	mptcpi_add_addr_signal;
	__u8	mptcpi_add_addr_accepted;
	__u8	mptcpi_subflows_max;
	__u8	mptcpi_add_addr_signal_max;
	__u8	mptcpi_add_addr_accepted_max;
	__u32	mptcpi_flags;
	__u32	mptcpi_token;
	__u64	mptcpi_write_seq;
	__u64	mptcpi_snd_una;
	__u64	mptcpi_rcv_nxt;
	__u8	mptcpi_local_addr_used;
	__u8	mptcpi_local_addr_max;
	__u8	mptcpi_csum_enabled;
	/* v6.5 */
	__u32	mptcpi_retransmits;
	__u64	mptcpi_bytes_retrans;
	__u64	mptcpi_bytes_sent;
	__u64	mptcpi_bytes_received;
	__u64	mptcpi_bytes_acked;
	/* v6.6 */
	__u8	mptcpi_subflows_total;
	__u8	reserved[3];
	/* v6.11 */
	__u32	mptcpi_last_data_sent;
	__u32	mptcpi_last_data_recv;
	__u32	mptcpi_last_ack_recv;
};

/* MPTCP socket options (SOL_MPTCP) */
#define MPTCP_INFO		1
#define MPTCP_TCPINFO		2
#define MPTCP_SUBFLOW_ADDRS	3
#define MPTCP_FULL_INFO		4

#endif /* _UAPI_MPTCP_H */
