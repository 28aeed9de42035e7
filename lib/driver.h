/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The driver of a cgroup's built-in options (bpf/tcpopt.bpf.c): one sockops
 * program per cgroup for all of them.  Each option is a slot of the
 * driver; its directory /sys/fs/bpf/tcpopt/<cgroup-id>/<name>/ holds a pin
 * of the driver's one link ("link": the link lives while any option's pin
 * does, so the last "del" detaches the driver), the slot's config
 * ("config", one struct tcpopt_slot_config) and counters ("stats").  The
 * driver's own maps are found from the link (link -> program -> map ids):
 * nothing else is pinned.
 *
 * Attachments made by tcpopt before the driver (one program per option,
 * the config map of the option's own size) are still read, changed in
 * place, listed and removed; "add ... replace" moves one into the driver.
 *
 * Every function here must be called with the state lock held; errors are
 * reported here.
 */
#ifndef TCPOPT_DRIVER_H
#define TCPOPT_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cgroup_ref;

/*
 * Attach the option of type (enum tcpopt_type) with config cfg (size
 * bytes, starting with struct tcpopt_common) as pin_name on cg: a slot of
 * the cgroup's driver, loading and attaching the driver first if the
 * cgroup has none.  With replace, an attached one takes the new config in
 * place (the same link).  All of it is in place afterwards, or none.
 */
int driver_attach(const struct cgroup_ref *cg, const char *pin_name, uint32_t type,
		  const void *cfg, size_t size, bool replace);

/* Remove the attachment in dir (a driver's slot or not): unpinned, and
 * the driver detached with its last option.  Not reported: -errno. */
int driver_detach(const char *dir);

/*
 * An option's config in dir/pin, in either layout (a driver's slot, or
 * the map of a program of its own): size bytes.  0, or -errno (-EPROTO:
 * another layout).
 */
int option_config_read(const char *dir, const char *pin, void *cfg, size_t size);
int option_config_write(const char *dir, const char *pin, const void *cfg, size_t size);

/* The map called name of cgroup cgid's driver: an fd, or -ENOENT (no
 * driver).  Not reported. */
int driver_map_open(uint64_t cgid, const char *name);

/* The attachment (pin directory name) of each of the n first slots of
 * cgroup cgid's driver, "" for a free one.  0, or -errno (not reported). */
#define DRIVER_SLOT_NAME 64
int driver_slot_names(uint64_t cgid, char names[][DRIVER_SLOT_NAME], size_t n);

#endif
