/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcpopt's state in bpffs: /sys/fs/bpf/tcpopt/<cgroup-id>/<name>/ holds the
 * pinned link ("link") and the maps of one attachment ("config", "stats",
 * ...).  bpffs allows no '.' in names: an attachment is built in a staging
 * directory "_new_<name>_<pid>" and renamed into place.  All changes happen
 * under an exclusive lock (lib/state.h).
 */
#ifndef TCPOPT_BPFFS_H
#define TCPOPT_BPFFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BPFFS_MOUNT	"/sys/fs/bpf"
#define PIN_ROOT	BPFFS_MOUNT "/tcpopt"
/* The per-CPU note by which the drivers of nested cgroups share the write
 * callbacks (tcpopt_keep in bpf/tcpopt.bpf.c); unpinned with the last
 * attachment.  PIN_WRITERS: what the programs of tcpopt before the driver
 * shared instead, removed the same way. */
#define PIN_KEEP	PIN_ROOT "/tcpopt_keep"
#define PIN_WRITERS	PIN_ROOT "/tcpopt_writers"
/* The destinations of every driver (tcpopt path), their state changes,
 * and the note by which nested drivers write one echo (lib/path.h). */
#define PIN_PATHS	PIN_ROOT "/tcpopt_paths"
#define PIN_PATH_EVENTS	PIN_ROOT "/tcpopt_path_events"
#define PIN_ECHO_NOTE	PIN_ROOT "/tcpopt_echo_note"

/* Mount bpffs if needed and create PIN_ROOT. */
int bpffs_prepare(void);

/* "/sys/fs/bpf/tcpopt/<cgid>/<name>" */
void pin_dir(char *buf, size_t len, uint64_t cgid, const char *name);
bool pin_dir_exists(const char *dir);

/* Unpin everything in dir and remove it (detaches a pinned link). */
int pin_dir_remove(const char *dir);

/* Unpin the shared maps once no attachment is left. */
void shared_pins_release(void);

/* The attachment of a cgroup's BPF MPTCP path manager (tcpopt pm). */
#define PIN_PM		"pm"
/* The attachment that makes a cgroup's TCP sockets MPTCP (tcpopt mptcp). */
#define PIN_MPTCP	"mptcp"

/* Calls cb for each option attachment directory (PIN_PM and PIN_MPTCP
 * excepted); stops at the first non-zero. */
typedef int (*pin_walk_cb)(uint64_t cgid, const char *name, const char *dir,
			   void *ctx);
int pin_walk(pin_walk_cb cb, void *ctx);
/* The same for the attachments named name only. */
int pin_walk_name(const char *name, pin_walk_cb cb, void *ctx);

/* The pin dir/name (a map, a link): an fd, or -errno. */
int pin_open(const char *dir, const char *name);

/*
 * Element 0 of the array map fd, read or written; fd is closed, and an fd
 * below 0 is the error of its opening, returned as it is.
 */
int map_read_close(int fd, void *val);
int map_write_close(int fd, const void *val);

int pin_map_read(const char *dir, const char *map, void *val, size_t size);
int pin_map_write(const char *dir, const char *map, const void *val, size_t size);

/*
 * A config map (pm, mptcp): pin_map_read() of dir/name, and -EPROTO when
 * its abi (the first __u32 of every config) is not TCPOPT_ABI.  -EPROTO,
 * from here or from a map of another value size, is "pinned by another
 * tcpopt version": pin_config_err_str() says it, err_str() the others.
 */
int pin_config_read(const char *dir, const char *name, void *buf, size_t size);
/* A config read from a pin (size bytes at buf): 0 if its abi is ours, else -EPROTO. */
int config_abi_check(const void *buf, size_t size);
const char *pin_config_err_str(int err);

/* Sum a PERCPU_ARRAY of __u64 counters (n entries) / zero it. */
int pin_stats_read(const char *dir, uint64_t *sums, unsigned int n);
int pin_stats_reset(const char *dir, unsigned int n);

struct pin_link_info {
	uint32_t link_id;
	uint32_t prog_id;
	uint64_t cgroup_id;	/* 0 once the cgroup is gone */
	char prog_name[16];
};
/* The link pinned in dir and its program's name. */
int pin_link_info(const char *dir, struct pin_link_info *info);
/* The same without prog_name: no lookup of the program. */
int pin_link_ids(const char *dir, struct pin_link_info *info);

#endif
