// SPDX-License-Identifier: GPL-2.0
/*
 * The driver of a cgroup's built-in options: loading and attaching it,
 * and its slots (see driver.h, and bpf/driver.bpf.h for the BPF side).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
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
	int configs;		/* "slot_config": slot -> config map */
	int stats;		/* "slot_stats": slot -> stats map */
};

static void driver_init(struct driver *d)
{
	d->link = d->hdr = d->configs = d->stats = -1;
}

static void driver_close(struct driver *d)
{
	int *fds[] = { &d->link, &d->hdr, &d->configs, &d->stats };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
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
	__u32 len = sizeof(link), ids[16], i;
	int prog_fd, fd, err = 0;

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
		if (!err && !strcmp(map.name, "drv") && d->hdr < 0)
			d->hdr = fd;
		else if (!err && !strcmp(map.name, "slot_config") && d->configs < 0)
			d->configs = fd;
		else if (!err && !strcmp(map.name, "slot_stats") && d->stats < 0)
			d->stats = fd;
		else
			close(fd);
		if (err)
			return err;
	}
	return d->hdr >= 0 && d->configs >= 0 && d->stats >= 0 ? 0 : -EPROTO;
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

static int header_write(const struct driver *d, struct tcpopt_driver *h)
{
	__u32 zero = 0, i;

	h->abi = TCPOPT_ABI;
	h->types = 0;
	for (i = 0; i < h->nslots && i < TCPOPT_DRIVER_SLOTS; i++)
		h->types |= 1U << (h->type[h->order[i] % TCPOPT_DRIVER_SLOTS] & 31);
	return bpf_map_update_elem(d->hdr, &zero, h, BPF_ANY) ? -errno : 0;
}

/* The slot whose config is the map cfg_fd: its index, or -ENOENT. */
static int slot_of_config(const struct driver *d, int cfg_fd)
{
	struct bpf_map_info info;
	__u32 i, id;
	int err = map_info(cfg_fd, &info);

	if (err)
		return err;
	for (i = 0; i < TCPOPT_DRIVER_SLOTS; i++)
		if (!bpf_map_lookup_elem(d->configs, &i, &id) && id == info.id)
			return (int)i;
	return -ENOENT;
}

/* A slot that no option holds. */
static int slot_free(const struct driver *d, const struct tcpopt_driver *h)
{
	__u32 i, j, id;
	bool used;

	for (i = 0; i < TCPOPT_DRIVER_SLOTS; i++) {
		used = !bpf_map_lookup_elem(d->configs, &i, &id);
		for (j = 0; j < h->nslots && j < TCPOPT_DRIVER_SLOTS && !used; j++)
			used = h->order[j] == i;
		if (!used)
			return (int)i;
	}
	return -ENOSPC;
}

/* Take slot out of the header and the driver's arrays. */
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
	bpf_map_delete_elem(d->configs, &slot);
	bpf_map_delete_elem(d->stats, &slot);
}

/* Load the driver (not attached yet): its program in *prog_fd. */
static int driver_load(struct driver *d, struct bpf_object **objp, struct bpf_program **progp)
{
	struct tcpopt_driver h = { .abi = TCPOPT_ABI };
	struct bpf_object *obj;
	struct bpf_map *keep;
	const void *elf;
	size_t size;
	__u32 zero = 0;
	int err;

	driver_init(d);
	elf = tcpopt_bpf__elf_bytes(&size);
	obj = bpf_object__open_mem(elf, size, NULL);
	if (!obj)
		return err_run(-errno, "cannot open the driver: %s", strerror(errno));
	/* Shared by every driver: reused when pinned, else pinned by libbpf. */
	keep = bpf_object__find_map_by_name(obj, "tcpopt_keep");
	if (!keep || bpf_map__set_pin_path(keep, PIN_KEEP)) {
		bpf_object__close(obj);
		return err_run(-EPROTO, "the driver has no map tcpopt_keep");
	}
	err = bpf_object__load(obj);
	if (err) {
		bpf_object__close(obj);
		shared_pins_release();
		return err_run(err, "cannot load the driver: %s%s", strerror(-err),
			       err == -EACCES || err == -EINVAL ?
			       " (the verifier refused it; TCPOPT_DEBUG=1 shows its log)" : "");
	}
	d->hdr = dup(bpf_map__fd(bpf_object__find_map_by_name(obj, "drv")));
	d->configs = dup(bpf_map__fd(bpf_object__find_map_by_name(obj, "slot_config")));
	d->stats = dup(bpf_map__fd(bpf_object__find_map_by_name(obj, "slot_stats")));
	if (d->hdr < 0 || d->configs < 0 || d->stats < 0 ||
	    bpf_map_update_elem(d->hdr, &zero, &h, BPF_ANY)) {
		err = err_run(-errno, "cannot set up the driver: %s", strerror(errno));
		driver_close(d);
		bpf_object__close(obj);
		return err;
	}
	*objp = obj;
	*progp = bpf_object__find_program_by_name(obj, DRIVER_PROG);
	return 0;
}

/* Pin fd as dir/name. */
static int pin_in(const char *dir, const char *name, int fd)
{
	char path[PATH_MAX];

	if (xsnprintf(path, sizeof(path), "%s/%s", dir, name))
		return -ENAMETOOLONG;
	return bpf_obj_pin(fd, path) ? -errno : 0;
}

static int map_create(const char *name, enum bpf_map_type type, __u32 value_size,
		      __u32 entries, const struct bpf_map_create_opts *opts)
{
	int fd = bpf_map_create(type, name, sizeof(__u32), value_size, entries, opts);

	return fd < 0 ? -errno : fd;
}

/*
 * The counters of a slot, with the BTF of their key and value (__u32,
 * __u64) as libbpf gives the maps of an object: "bpftool map dump" then
 * shows them as numbers.  Without BTF (a kernel that refuses it) they are
 * the same map.
 */
static int stats_map_create(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	struct btf *btf = btf__new_empty();
	int key, value, fd;

	if (btf) {
		key = btf__add_int(btf, "__u32", 4, 0);
		value = btf__add_int(btf, "__u64", 8, 0);
		if (key > 0 && value > 0 && !btf__load_into_kernel(btf)) {
			opts.btf_fd = btf__fd(btf);
			opts.btf_key_type_id = key;
			opts.btf_value_type_id = value;
		}
	}
	fd = map_create("stats", BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(__u64), TCPOPT_STAT_MAX,
			&opts);
	if (fd < 0 && opts.btf_fd)
		fd = map_create("stats", BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(__u64),
				TCPOPT_STAT_MAX, NULL);
	btf__free(btf);
	return fd;
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
		return err_run(err, "cannot write the config of %s: %s", dir, strerror(-err));
	*done = true;
	return 0;
}

int driver_attach(const struct cgroup_ref *cg, const char *pin_name, uint32_t type,
		  const void *cfg, size_t size, bool replace)
{
	char cgdir[PATH_MAX], dir[PATH_MAX], stage[PATH_MAX];
	struct tcpopt_slot_config slot = { .type = type };
	struct bpf_object *obj = NULL;
	struct bpf_program *prog = NULL;
	struct bpf_link *link = NULL;
	struct tcpopt_driver h;
	struct driver d;
	int cfg_fd = -1, stats_fd = -1, slot_idx = -1, err;
	bool done, staged = false, active = false;
	__u32 zero = 0, s;

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

	driver_init(&d);
	if (driver_find(cg->id, &d)) {
		err = driver_load(&d, &obj, &prog);
		if (err)
			return err;
	}
	err = header_read(&d, &h);
	if (err) {
		err = err_run(err, "cannot read the driver of cgroup %s: %s", cg->path,
			      strerror(-err));
		goto fail;
	}
	slot_idx = slot_free(&d, &h);
	if (slot_idx < 0 || h.nslots >= TCPOPT_DRIVER_SLOTS) {
		err = err_run(-ENOSPC, "cgroup %s has %d built-in options already, the most it can have",
			      cg->path, TCPOPT_DRIVER_SLOTS);
		goto fail;
	}
	cfg_fd = map_create("config", BPF_MAP_TYPE_ARRAY, sizeof(slot), 1, NULL);
	stats_fd = stats_map_create();
	if (cfg_fd < 0 || stats_fd < 0 || bpf_map_update_elem(cfg_fd, &zero, &slot, BPF_ANY)) {
		err = err_run(cfg_fd < 0 ? cfg_fd : stats_fd < 0 ? stats_fd : -errno,
			      "cannot create the maps of %s: %s", pin_name,
			      strerror(cfg_fd < 0 ? -cfg_fd : stats_fd < 0 ? -stats_fd : errno));
		goto fail;
	}

	if (mkdir(cgdir, 0700) && errno != EEXIST) {
		err = err_run(-errno, "cannot create %s: %s", cgdir, strerror(errno));
		goto fail;
	}
	if (mkdir(stage, 0700)) {
		err = err_run(-errno, "cannot create %s: %s", stage, strerror(errno));
		goto fail;
	}
	staged = true;
	err = pin_in(stage, "config", cfg_fd);
	if (!err)
		err = pin_in(stage, "stats", stats_fd);
	if (err) {
		err = err_run(err, "cannot pin maps in %s: %s", stage, strerror(-err));
		goto fail;
	}

	/* The slot goes live: the counters first, so that it never runs
	 * without them. */
	s = (__u32)slot_idx;
	if (bpf_map_update_elem(d.stats, &s, &stats_fd, BPF_ANY) ||
	    bpf_map_update_elem(d.configs, &s, &cfg_fd, BPF_ANY)) {
		err = err_run(-errno, "cannot add %s to the driver: %s", pin_name, strerror(errno));
		goto fail;
	}
	active = true;
	h.order[h.nslots % TCPOPT_DRIVER_SLOTS] = (__u8)s;
	h.type[s] = (__u8)type;
	h.nslots++;
	err = header_write(&d, &h);
	if (err) {
		err = err_run(err, "cannot add %s to the driver: %s", pin_name, strerror(-err));
		goto fail;
	}

	if (obj) {
		link = bpf_program__attach_cgroup(prog, cg->fd);
		if (!link) {
			err = err_run(-errno, "cannot attach to cgroup %s: %s", cg->path,
				      strerror(errno));
			goto fail;
		}
		d.link = dup(bpf_link__fd(link));
	}
	err = d.link < 0 ? -EBADF : pin_in(stage, "link", d.link);
	if (err) {
		err = err_run(err, "cannot pin the link: %s", strerror(-err));
		goto fail;
	}
	/* The attachment appears whole, or not at all. */
	if (rename(stage, dir)) {
		err = err_run(-errno, "cannot create %s: %s", dir, strerror(errno));
		goto fail;
	}
	err = 0;
	goto out;

fail:
	if (active)
		slot_release(&d, (__u32)slot_idx);
	if (staged)
		pin_dir_remove(stage);
	rmdir(cgdir);	/* only if this command created it: it is empty then */
	shared_pins_release();
out:
	if (link) {
		bpf_link__disconnect(link);
		if (err)
			bpf_link__detach(link);
		bpf_link__destroy(link);
	}
	if (cfg_fd >= 0)
		close(cfg_fd);
	if (stats_fd >= 0)
		close(stats_fd);
	driver_close(&d);
	bpf_object__close(obj);
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
		driver_close(&d);
	} else if (fd >= 0) {
		close(fd);
	}
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
	} else {
		err = -EPROTO;
	}
	close(fd);
	return err;
}
