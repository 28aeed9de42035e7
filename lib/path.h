/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The drivers' memory of destinations (bpf/path.bpf.h): the LRU hash
 * shared by every driver (PIN_PATHS), each driver's "path_config", and
 * the ring buffer of state changes (PIN_PATH_EVENTS).  Errors are
 * reported here unless said otherwise.
 */
#ifndef TCPOPT_PATH_H
#define TCPOPT_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../bpf/tcpopt.h"

struct bpf_object;
struct onode;

/* The maps of each driver that the middlebox hooks keep (reused by a
 * program that replaces the driver's, as its other maps are). */
#define DRIVER_PATH_MAPS 3
extern const char *const driver_path_maps[DRIVER_PATH_MAPS];

/* Before a driver is loaded: its maps shared by all drivers reuse the
 * pinned ones, or are pinned by libbpf.  -EPROTO (not reported): the
 * object lacks one. */
int path_maps_share(struct bpf_object *obj);
/* A new driver's path_config: its cgroup, and the defaults. */
int path_config_init(struct bpf_object *obj, uint64_t cgid);

/* Cgroup cgid's driver's path_config; -ENOENT (not reported): no driver. */
int path_config_read(uint64_t cgid, struct tcpopt_path_config *pc);
int path_config_write(uint64_t cgid, const struct tcpopt_path_config *pc);

/* Effective values of a config (0 in the map means the default). */
uint32_t path_expire_s(const struct tcpopt_path_config *pc);
unsigned int path_prefix_len(const struct tcpopt_path_config *pc, int family);

/* "ok", "stripped", ...; path_state_name(): "expired" for a blackhole
 * past its expiry that no SYN has tried again yet. */
const char *path_state_str(unsigned int state);
const char *path_state_name(const struct tcpopt_path *e, uint32_t expire_s, uint64_t now_ns);
/* CLOCK_BOOTTIME, as bpf_ktime_get_boot_ns(). */
uint64_t path_now_ns(void);

/* Every destination (cgid 0: of every cgroup), in no order; cb returns
 * non-zero to stop.  0 when nothing is pinned. */
typedef int (*path_walk_cb)(const struct tcpopt_path_key *k, const struct tcpopt_path *e,
			    void *ctx);
int path_walk(uint64_t cgid, path_walk_cb cb, void *ctx);
/* Forget one destination: 0, or -errno (not reported). */
int path_forget(const struct tcpopt_path_key *k);

/* Does the destination lie in prefix (family 0: any)? */
struct prefix;
bool path_key_in(const struct tcpopt_path_key *k, const struct prefix *p);

/* The destination as an address or prefix ("192.0.2.0/24"). */
void path_key_dst(const struct tcpopt_path_key *k, char *buf, size_t len);

/* Slot bits as a list of attachment names of cgroup cgid. */
void path_slots_out(struct onode *obj, const char *key, uint64_t cgid, uint16_t slots);

/* State changes as they happen (tcpopt monitor path): handle() returns 0
 * to go on, > 0 to stop, < 0 (reported) to stop with it.  max_events 0:
 * no limit; timeout_ms 0: none; SIGINT and SIGTERM end it (0). */
typedef int (*path_event_fn)(const struct tcpopt_path_event *ev, void *data);
int path_events_run(uint64_t max_events, uint64_t timeout_ms, path_event_fn handle, void *data);

#endif
