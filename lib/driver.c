// SPDX-License-Identifier: GPL-2.0
/*
 * The driver of a cgroup's built-in options: loading and attaching it,
 * and its slots (see driver.h, and bpf/driver.bpf.h for the BPF side).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../bpf/tcpopt.h"
#include "bpffs.h"
#include "cgroup.h"
#include "driver.h"
#include "utils.h"
#include "tcpopt.skel.h"

#define DRIVER_PROG	"tcpopt"	/* the program's name, as the kernel keeps it */

/* The fds of a cgroup's driver: its link, its maps. */
struct driver {
	int link;
	int hdr;		/* "drv": struct tcpopt_driver */
	int first_ack;		/* reused by a program that replaces this one */
	int config[TCPOPT_DRIVER_SLOTS];	/* "config_N": slot N's config */
	int stats[TCPOPT_DRIVER_SLOTS];		/* "stats_N": slot N's counters */
};

static void driver_init(struct driver *d)
{
	int i;

	d->link = d->hdr = d->first_ack = -1;
	for (i = 0; i < TCPOPT_DRIVER_SLOTS; i++)
		d->config[i] = d->stats[i] = -1;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void driver_close(struct driver *d)
{
	int i;

	close_fd(&d->link);
	close_fd(&d->hdr);
	close_fd(&d->first_ack);
	for (i = 0; i < TCPOPT_DRIVER_SLOTS; i++) {
		close_fd(&d->config[i]);
		close_fd(&d->stats[i]);
	}
}

/* Where the driver's map called name goes in d: NULL if nowhere. */
static int *driver_map_slot(struct driver *d, const char *name)
{
	unsigned int n;
	char end;

	if (!strcmp(name, "drv"))
		return &d->hdr;
	if (!strcmp(name, "first_ack"))
		return &d->first_ack;
	if (sscanf(name, "config_%u%c", &n, &end) == 1 && n < TCPOPT_DRIVER_SLOTS)
		return &d->config[n];
	if (sscanf(name, "stats_%u%c", &n, &end) == 1 && n < TCPOPT_DRIVER_SLOTS)
		return &d->stats[n];
	return NULL;
}

static bool driver_complete(const struct driver *d)
{
	int i;

	for (i = 0; i < TCPOPT_DRIVER_SLOTS; i++)
		if (d->config[i] < 0 || d->stats[i] < 0)
			return false;
	return d->hdr >= 0 && d->first_ack >= 0;
}

static int map_info(int fd, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, len);
	return bpf_obj_get_info_by_fd(fd, info, &len) ? -errno : 0;
}

/* The driver behind link_fd (taken over by d): -ENOENT when the link's
 * program is not a driver (a user object, or an option of old). */
static int driver_of_link(int link_fd, struct driver *d)
{
	struct bpf_link_info link = {};
	struct bpf_prog_info prog = {};
	struct bpf_map_info map;
	__u32 len = sizeof(link), ids[64], i;
	int prog_fd, fd, *slot, err = 0;

	driver_init(d);
	d->link = link_fd;
	if (bpf_obj_get_info_by_fd(link_fd, &link, &len))
		return -errno;
	prog_fd = bpf_prog_get_fd_by_id(link.prog_id);
	if (prog_fd < 0)
		return -errno;
	len = sizeof(prog);
	prog.nr_map_ids = ARRAY_SIZE(ids);
	prog.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &prog, &len))
		err = -errno;
	close(prog_fd);
	if (err)
		return err;
	if (strcmp(prog.name, DRIVER_PROG))
		return -ENOENT;
	for (i = 0; i < prog.nr_map_ids && i < ARRAY_SIZE(ids); i++) {
		fd = bpf_map_get_fd_by_id(ids[i]);
		if (fd < 0)
			return -errno;
		err = map_info(fd, &map);
		slot = err ? NULL : driver_map_slot(d, map.name);
		if (slot && *slot < 0)
			*slot = fd;
		else
			close(fd);
		if (err)
			return err;
	}
	return driver_complete(d) ? 0 : -EPROTO;
}

/* The driver of cgroup cgid, from the link pinned with any of its options. */
static int driver_find(uint64_t cgid, struct driver *d)
{
	char cgdir[PATH_MAX], dir[PATH_MAX * 2];
	struct dirent *de;
	DIR *cgd;
	int fd, err = -ENOENT;

	driver_init(d);
	snprintf(cgdir, sizeof(cgdir), "%s/%llu", PIN_ROOT, (unsigned long long)cgid);
	cgd = opendir(cgdir);
	if (!cgd)
		return -ENOENT;
	while (err && (de = readdir(cgd))) {
		if (de->d_name[0] == '.' || de->d_name[0] == '_' || !strcmp(de->d_name, PIN_PM))
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", cgdir, de->d_name);
		fd = pin_open(dir, "link");
		if (fd < 0)
			continue;
		err = driver_of_link(fd, d);
		if (err)
			driver_close(d);
	}
	closedir(cgd);
	return err;
}

static int header_read(const struct driver *d, struct tcpopt_driver *h)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(d->hdr, &zero, h))
		return -errno;
	return h->abi == TCPOPT_ABI ? 0 : -EPROTO;
}

/* The header, with what it sums up of the slots' configs (types, every). */
static int header_write(const struct driver *d, struct tcpopt_driver *h)
{
	struct tcpopt_slot_config cfg;
	__u32 zero = 0, i, slot;

	h->abi = TCPOPT_ABI;
	h->types = h->every = 0;
	for (i = 0; i < h->nslots && i < TCPOPT_DRIVER_SLOTS; i++) {
		slot = h->order[i] % TCPOPT_DRIVER_SLOTS;
		h->types |= 1U << (h->type[slot] & 31);
		if (!bpf_map_lookup_elem(d->config[slot], &zero, &cfg) &&
		    cfg.common.flags & TCPOPT_F_EVERY)
			h->every |= 1U << slot;
	}
	return bpf_map_update_elem(d->hdr, &zero, h, BPF_ANY) ? -errno : 0;
}

/* The header of the driver whose option is in dir, after its config changed. */
static int header_refresh(const char *dir)
{
	struct tcpopt_driver h;
	struct driver d;
	int fd = pin_open(dir, "link"), err;

	if (fd < 0)
		return fd;
	err = driver_of_link(fd, &d);
	if (!err)
		err = header_read(&d, &h);
	if (!err)
		err = header_write(&d, &h);
	driver_close(&d);
	return err;
}

/* The slot whose config is the map cfg_fd: its index, or -ENOENT. */
static int slot_of_config(const struct driver *d, int cfg_fd)
{
	struct bpf_map_info info, mine;
	int i, err = map_info(cfg_fd, &info);

	if (err)
		return err;
	for (i = 0; i < TCPOPT_DRIVER_SLOTS; i++)
		if (!map_info(d->config[i], &mine) && mine.id == info.id)
			return i;
	return -ENOENT;
}

/* A slot that no option holds. */
static int slot_free(const struct tcpopt_driver *h)
{
	__u32 i, j;
	bool used;

	for (i = 0; i < TCPOPT_DRIVER_SLOTS; i++) {
		used = false;
		for (j = 0; j < h->nslots && j < TCPOPT_DRIVER_SLOTS && !used; j++)
			used = h->order[j] == i;
		if (!used)
			return (int)i;
	}
	return -ENOSPC;
}

/* Slot N's config, or none (the driver skips a slot without one). */
static int slot_config_write(const struct driver *d, __u32 slot,
			     const struct tcpopt_slot_config *cfg)
{
	struct tcpopt_slot_config none = { .type = TCPOPT_TYPE_NONE };
	__u32 zero = 0;

	return bpf_map_update_elem(d->config[slot], &zero, cfg ? cfg : &none, BPF_ANY) ?
	       -errno : 0;
}

/* Slot N's counters back to zero, for the option that takes it. */
static int slot_stats_reset(const struct driver *d, __u32 slot)
{
	int ncpu = libbpf_num_possible_cpus(), err = 0;
	__u64 *zeros;
	__u32 key;

	if (ncpu < 0)
		return ncpu;
	zeros = xzalloc(sizeof(*zeros) * (size_t)ncpu);
	for (key = 0; key < TCPOPT_STAT_MAX && !err; key++)
		if (bpf_map_update_elem(d->stats[slot], &key, zeros, BPF_ANY))
			err = -errno;
	free(zeros);
	return err;
}

/* Take slot out of the header, and its config out of the driver. */
static void slot_release(const struct driver *d, __u32 slot)
{
	struct tcpopt_driver h;
	__u32 i, n = 0;

	if (!header_read(d, &h)) {
		for (i = 0; i < h.nslots && i < TCPOPT_DRIVER_SLOTS; i++)
			if (h.order[i] != slot)
				h.order[n++] = h.order[i];
		h.nslots = n;
		header_write(d, &h);
	}
	slot_config_write(d, slot, NULL);
}

/*
 * Load the driver for the option types in types (bit per enum
 * tcpopt_type): the verifier checks their code only.  With d's maps open
 * (a cgroup's driver that lacks a type), the new program takes them over;
 * else new maps, an empty header, in d.  Not attached yet.
 */
static int driver_load(struct driver *d, __u32 types, struct tcpopt_bpf **skelp)
{
	struct tcpopt_driver h = { .abi = TCPOPT_ABI, .prog_types = types };
	bool reuse = d->hdr >= 0;
	struct tcpopt_bpf *skel;
	struct bpf_map *map;
	__u32 zero = 0;
	int err = 0, *fd;

	skel = tcpopt_bpf__open();
	if (!skel)
		return err_run(-errno, "cannot open the driver: %s", err_str(errno));
	skel->rodata->drv_types = types;
	/* Shared by every driver: reused when pinned, else pinned by libbpf. */
	if (bpf_map__set_pin_path(skel->maps.tcpopt_keep, PIN_KEEP))
		err = -ENOMEM;
	bpf_object__for_each_map(map, skel->obj) {
		fd = reuse && !err ? driver_map_slot(d, bpf_map__name(map)) : NULL;
		if (fd && bpf_map__reuse_fd(map, *fd))
			err = -errno;
	}
	if (!err)
		err = tcpopt_bpf__load(skel);
	if (err) {
		tcpopt_bpf__destroy(skel);
		shared_pins_release();
		return err_run(err, "cannot load the driver: %s%s", err_str(err),
			       err == -EACCES || err == -EINVAL ?
			       " (the verifier refused it; TCPOPT_DEBUG=1 shows its log)" : "");
	}
	if (!reuse) {
		bpf_object__for_each_map(map, skel->obj) {
			fd = driver_map_slot(d, bpf_map__name(map));
			if (fd)
				*fd = dup(bpf_map__fd(map));
		}
		if (!driver_complete(d) || bpf_map_update_elem(d->hdr, &zero, &h, BPF_ANY)) {
			err = err_run(-errno, "cannot set up the driver: %s", err_str(errno));
			tcpopt_bpf__destroy(skel);
			return err;
		}
	}
	*skelp = skel;
	return 0;
}

/*
 * The driver of d runs no option of type: the program is replaced by one
 * that runs it too, in the same link and with the same maps.
 */
static int driver_add_type(struct driver *d, struct tcpopt_driver *h, __u32 type)
{
	struct tcpopt_bpf *skel;
	__u32 types = h->prog_types | 1U << type;
	int err = driver_load(d, types, &skel);

	if (err)
		return err;
	if (bpf_link_update(d->link, bpf_program__fd(skel->progs.tcpopt), NULL))
		err = err_run(-errno, "cannot replace the driver's program: %s", err_str(errno));
	else
		h->prog_types = types;
	tcpopt_bpf__destroy(skel);	/* the link holds the program */
	return err;
}

/* Pin fd as dir/name. */
static int pin_in(const char *dir, const char *name, int fd)
{
	char path[PATH_MAX];

	if (xsnprintf(path, sizeof(path), "%s/%s", dir, name))
		return -ENAMETOOLONG;
	return bpf_obj_pin(fd, path) ? -errno : 0;
}

/* An attachment of old (a program of its own) is moved into the driver. */
static int replace_in_place(const char *dir, const struct tcpopt_slot_config *slot,
			    size_t size, bool *done)
{
	struct driver d;
	int fd, cfg, err;

	*done = false;
	fd = pin_open(dir, "link");
	if (fd < 0)
		return 0;
	err = driver_of_link(fd, &d);
	if (!err) {
		cfg = pin_open(dir, "config");
		err = cfg < 0 ? cfg : slot_of_config(&d, cfg);
		if (cfg >= 0)
			close(cfg);
	}
	driver_close(&d);
	if (err)
		return pin_dir_remove(dir);	/* not a slot: attached anew below */
	err = option_config_write(dir, "config", slot->bytes, size);
	if (err)
		return err_run(err, "cannot write the config of %s: %s", dir, err_str(err));
	*done = true;
	return 0;
}


int driver_attach(const struct cgroup_ref *cg, const char *pin_name, uint32_t type,
		  const void *cfg, size_t size, bool replace)
{
	char cgdir[PATH_MAX], dir[PATH_MAX], stage[PATH_MAX];
	struct tcpopt_slot_config slot = { .type = type };
	struct tcpopt_bpf *skel = NULL;
	struct bpf_link *link = NULL;
	struct tcpopt_driver h;
	struct driver d;
	int slot_idx = -1, err;
	bool done, staged = false, active = false;

	if (size > sizeof(slot.bytes))
		return err_run(-EPROTO, "a config of %zu bytes does not fit a slot", size);
	memcpy(slot.bytes, cfg, size);
	snprintf(cgdir, sizeof(cgdir), "%s/%llu", PIN_ROOT, (unsigned long long)cg->id);
	pin_dir(dir, sizeof(dir), cg->id, pin_name);
	if (xsnprintf(stage, sizeof(stage), "%s/_new_%s_%d", cgdir, pin_name, getpid()))
		return err_usage("name \"%s\" is too long", pin_name);
	if (pin_dir_exists(dir)) {
		if (!replace)
			return err_run(-EEXIST, "%s is already attached to cgroup %s (use \"replace\")",
				       pin_name, cg->path);
		err = replace_in_place(dir, &slot, size, &done);
		if (err || done)
			return err;
	}

	if (driver_find(cg->id, &d)) {
		driver_init(&d);
		err = driver_load(&d, 1U << type, &skel);
		if (err)
			return err;
	}
	err = header_read(&d, &h);
	if (err) {
		err = err_run(err, "cannot read the driver of cgroup %s: %s", cg->path,
			      err_str(err));
		goto fail;
	}
	if (!skel && !(h.prog_types & 1U << type)) {
		err = driver_add_type(&d, &h, type);
		if (err)
			goto fail;
	}
	slot_idx = slot_free(&h);
	if (slot_idx < 0 || h.nslots >= TCPOPT_DRIVER_SLOTS) {
		err = err_run(-ENOSPC, "cgroup %s has %d built-in options already, the most it can have",
			      cg->path, TCPOPT_DRIVER_SLOTS);
		goto fail;
	}
	err = slot_stats_reset(&d, (__u32)slot_idx);
	if (!err)
		err = slot_config_write(&d, (__u32)slot_idx, &slot);
	if (err) {
		err = err_run(err, "cannot set up the maps of %s: %s", pin_name, err_str(err));
		goto fail;
	}

	if (mkdir(cgdir, 0700) && errno != EEXIST) {
		err = err_run(-errno, "cannot create %s: %s", cgdir, err_str(errno));
		goto fail;
	}
	if (mkdir(stage, 0700)) {
		err = err_run(-errno, "cannot create %s: %s", stage, err_str(errno));
		goto fail;
	}
	staged = true;
	err = pin_in(stage, "config", d.config[slot_idx]);
	if (!err)
		err = pin_in(stage, "stats", d.stats[slot_idx]);
	if (err) {
		err = err_run(err, "cannot pin maps in %s: %s", stage, err_str(err));
		goto fail;
	}

	/* The slot goes live. */
	active = true;
	h.order[h.nslots % TCPOPT_DRIVER_SLOTS] = (__u8)slot_idx;
	h.type[slot_idx] = (__u8)type;
	h.nslots++;
	err = header_write(&d, &h);
	if (err) {
		err = err_run(err, "cannot add %s to the driver: %s", pin_name, err_str(err));
		goto fail;
	}

	if (skel) {
		link = bpf_program__attach_cgroup(skel->progs.tcpopt, cg->fd);
		if (!link) {
			err = err_run(-errno, "cannot attach to cgroup %s: %s", cg->path,
				      err_str(errno));
			goto fail;
		}
		d.link = dup(bpf_link__fd(link));
	}
	err = d.link < 0 ? -EBADF : pin_in(stage, "link", d.link);
	if (err) {
		err = err_run(err, "cannot pin the link: %s", err_str(err));
		goto fail;
	}
	/* The attachment appears whole, or not at all. */
	if (rename(stage, dir)) {
		err = err_run(-errno, "cannot create %s: %s", dir, err_str(errno));
		goto fail;
	}
	err = 0;
	goto out;

fail:
	if (active || slot_idx >= 0)
		slot_release(&d, (__u32)slot_idx);
	if (staged)
		pin_dir_remove(stage);
	rmdir(cgdir);	/* only if this command created it: it is empty then */
	shared_pins_release();
out:
	if (link) {
		bpf_link__disconnect(link);
		bpf_link__destroy(link);	/* unpinned unless done: detaches */
	}
	driver_close(&d);
	tcpopt_bpf__destroy(skel);
	return err;
}

int driver_detach(const char *dir)
{
	struct driver d;
	int fd, cfg, slot;

	fd = pin_open(dir, "link");
	if (fd >= 0 && !driver_of_link(fd, &d)) {
		cfg = pin_open(dir, "config");
		slot = cfg < 0 ? cfg : slot_of_config(&d, cfg);
		if (cfg >= 0)
			close(cfg);
		if (slot >= 0)
			slot_release(&d, (__u32)slot);
	}
	if (fd >= 0)
		driver_close(&d);	/* the link's fd with the rest */
	return pin_dir_remove(dir);
}

/* The value size of dir/pin, and the map open in *fd. */
static int config_map(const char *dir, const char *pin, int *fd, __u32 *value_size)
{
	struct bpf_map_info info;
	int err;

	*fd = pin_open(dir, pin);
	if (*fd < 0)
		return *fd;
	err = map_info(*fd, &info);
	if (err) {
		close(*fd);
		return err;
	}
	*value_size = info.value_size;
	return 0;
}

int option_config_read(const char *dir, const char *pin, void *cfg, size_t size)
{
	struct tcpopt_slot_config slot;
	__u32 zero = 0, vs;
	int fd, err = config_map(dir, pin, &fd, &vs);

	if (err)
		return err;
	if (vs == size)
		err = bpf_map_lookup_elem(fd, &zero, cfg) ? -errno : 0;
	else if (vs == sizeof(slot) && size <= sizeof(slot.bytes))
		err = bpf_map_lookup_elem(fd, &zero, &slot) ? -errno : 0;
	else
		err = -EPROTO;	/* pinned by an incompatible tcpopt */
	if (!err && vs != size)
		memcpy(cfg, slot.bytes, size);
	close(fd);
	return err;
}

int option_config_write(const char *dir, const char *pin, const void *cfg, size_t size)
{
	struct tcpopt_slot_config slot;
	__u32 zero = 0, vs;
	int fd, err = config_map(dir, pin, &fd, &vs);

	if (err)
		return err;
	if (vs == size) {
		err = bpf_map_update_elem(fd, &zero, cfg, BPF_ANY) ? -errno : 0;
	} else if (vs == sizeof(slot) && size <= sizeof(slot.bytes)) {
		err = bpf_map_lookup_elem(fd, &zero, &slot) ? -errno : 0;
		if (!err) {
			memcpy(slot.bytes, cfg, size);
			err = bpf_map_update_elem(fd, &zero, &slot, BPF_ANY) ? -errno : 0;
		}
		if (!err)
			err = header_refresh(dir);	/* "every" may have changed */
	} else {
		err = -EPROTO;
	}
	close(fd);
	return err;
}
