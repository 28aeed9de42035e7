// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpffs.h"
#include "utils.h"
#include "../bpf/tcpopt.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524	/* the kernel's, seen by user space */
#endif
/* Counters read in one batch, at most. */
#define TCPOPT_STATS_MAX_KEYS	32

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

static bool is_bpffs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == BPF_FS_MAGIC;
}

int bpffs_prepare(void)
{
	if (!is_bpffs(BPFFS_MOUNT)) {
		if (mkdir(BPFFS_MOUNT, 0700) && errno != EEXIST)
			return err_run(-errno, "cannot create %s: %s", BPFFS_MOUNT,
				       err_str(errno));
		if (mount("bpf", BPFFS_MOUNT, "bpf", 0, "mode=0700"))
			return err_run(-errno, "cannot mount bpffs on %s: %s",
				       BPFFS_MOUNT, err_str(errno));
	}
	if (mkdir(PIN_ROOT, 0700) && errno != EEXIST)
		return err_run(-errno, "cannot create %s: %s", PIN_ROOT, err_str(errno));
	return 0;
}

void pin_dir(char *buf, size_t len, uint64_t cgid, const char *name)
{
	snprintf(buf, len, "%s/%llu/%s", PIN_ROOT, (unsigned long long)cgid, name);
}

bool pin_dir_exists(const char *dir)
{
	struct stat st;

	return !stat(dir, &st) && S_ISDIR(st.st_mode);
}

int pin_dir_remove(const char *dir)
{
	char path[PATH_MAX], parent[PATH_MAX], *slash;
	struct dirent *de;
	DIR *d = opendir(dir);
	int err = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (xsnprintf(path, sizeof(path), "%s/%s", dir, de->d_name))
			err = -ENAMETOOLONG;
		else if (unlink(path) && !err)
			err = -errno;
	}
	closedir(d);
	if (rmdir(dir) && !err)
		err = -errno;
	/* The per-cgroup directory goes with its last attachment. */
	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		if (strcmp(parent, PIN_ROOT))
			rmdir(parent);	/* fails harmlessly while not empty */
	}
	shared_pins_release();
	return err;
}

void shared_pins_release(void)
{
	struct dirent *de;
	DIR *d = opendir(PIN_ROOT);
	bool used = false;

	if (!d)
		return;
	while ((de = readdir(d)) && !used)
		used = de->d_name[0] >= '0' && de->d_name[0] <= '9';
	closedir(d);
	if (!used) {
		unlink(PIN_KEEP);
		unlink(PIN_WRITERS);
		unlink(PIN_PATHS);
		unlink(PIN_PATH_EVENTS);
		unlink(PIN_ECHO_NOTE);
	}
}

int pin_walk(pin_walk_cb cb, void *ctx)
{
	return pin_walk_name(NULL, cb, ctx);
}

/*
 * During a walk, the pins of an attachment are opened relative to its
 * cgroup's directory, which the walk holds open (BPF_F_PATH_FD, Linux
 * 6.5): "uto/config" looked up in bpffs alone instead of a path from "/"
 * through sysfs, whose kernfs dentries take the lookup off its fast path.
 * Older kernels refuse the flag (EINVAL) and get full paths.
 */
#define TCPOPT_BPF_F_PATH_FD	(1U << 14)

static struct walk_dir {
	const char *dir;	/* the callback's dir */
	const char *name;	/* its last component */
	int cgfd;		/* its parent, open */
} walk_dir = { .cgfd = -1 };
static bool path_fd_refused;

struct obj_get_at_attr {	/* union bpf_attr for BPF_OBJ_GET, 6.5 */
	__aligned_u64 pathname;
	__u32 bpf_fd;
	__u32 file_flags;
	__s32 path_fd;
};

static int obj_get_at(int dirfd, const char *name)
{
	struct obj_get_at_attr attr = {
		.pathname = (uintptr_t)name,
		.file_flags = TCPOPT_BPF_F_PATH_FD,
		.path_fd = dirfd,
	};
	int fd = (int)syscall(__NR_bpf, BPF_OBJ_GET, &attr, sizeof(attr));

	return fd < 0 ? -errno : fd;
}

struct pin_walk {
	const char *name;	/* NULL: every option */
	pin_walk_cb cb;
	void *ctx;
	uint64_t cgid;
	char cgdir[PATH_MAX];
};

static int walk_attachment(int fd, const char *ent, uint64_t ino, unsigned char type,
			   void *arg)
{
	struct pin_walk *w = arg;
	char dir[PATH_MAX * 2];
	struct walk_dir outer;
	int rc;

	(void)ino;
	/* "_new_*" are staging directories of a command still at work (or
	 * of one that was killed).  bpffs gives every entry's type. */
	if (type != DT_DIR || ent[0] == '.' || ent[0] == '_')
		return 0;
	if (w->name ? strcmp(ent, w->name) : !strcmp(ent, PIN_PM) || !strcmp(ent, PIN_MPTCP))
		return 0;
	if (xsnprintf(dir, sizeof(dir), "%s/%s", w->cgdir, ent))
		return 0;
	outer = walk_dir;	/* a walk inside a callback */
	walk_dir = (struct walk_dir){ .dir = dir, .name = ent, .cgfd = fd };
	rc = w->cb(w->cgid, ent, dir, w->ctx);
	walk_dir = outer;
	return rc;
}

static int walk_cgroup(int fd, const char *ent, uint64_t ino, unsigned char type, void *arg)
{
	struct pin_walk *w = arg;
	int cgfd, rc;

	(void)ino;
	if (type != DT_DIR || parse_u64(ent, &w->cgid) ||
	    xsnprintf(w->cgdir, sizeof(w->cgdir), "%s/%s", PIN_ROOT, ent))
		return 0;
	cgfd = openat(fd, ent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0)
		return 0;	/* removed meanwhile */
	rc = dir_for_each(cgfd, walk_attachment, w);
	close(cgfd);
	return rc;
}

int pin_walk_name(const char *name, pin_walk_cb cb, void *ctx)
{
	struct pin_walk w = { .name = name, .cb = cb, .ctx = ctx };
	int fd = open(PIN_ROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	rc = dir_for_each(fd, walk_cgroup, &w);
	close(fd);
	return rc;
}

int pin_open(const char *dir, const char *name)
{
	char path[PATH_MAX];
	int fd;

	if (walk_dir.dir && !path_fd_refused && !strcmp(dir, walk_dir.dir) &&
	    !xsnprintf(path, sizeof(path), "%s/%s", walk_dir.name, name)) {
		fd = obj_get_at(walk_dir.cgfd, path);
		if (fd != -EINVAL)
			return fd;
		path_fd_refused = true;
	}
	if (xsnprintf(path, sizeof(path), "%s/%s", dir, name))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

/* The map dir/map if its values are size bytes: an fd, or -errno. */
static int pin_map_open_sized(const char *dir, const char *map, size_t size)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd = pin_open(dir, map), err = 0;

	if (fd < 0)
		return fd;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		err = -errno;
	else if (info.value_size != size)
		err = -EPROTO;	/* pinned by an incompatible tcpopt */
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

int map_read_close(int fd, void *val)
{
	__u32 key = 0;
	int err = 0;

	if (fd < 0)
		return fd;
	if (bpf_map_lookup_elem(fd, &key, val))
		err = -errno;
	close(fd);
	return err;
}

int map_write_close(int fd, const void *val)
{
	__u32 key = 0;
	int err = 0;

	if (fd < 0)
		return fd;
	if (bpf_map_update_elem(fd, &key, val, BPF_ANY))
		err = -errno;
	close(fd);
	return err;
}

int pin_map_read(const char *dir, const char *map, void *val, size_t size)
{
	return map_read_close(pin_map_open_sized(dir, map, size), val);
}

int config_abi_check(const void *buf, size_t size)
{
	__u32 abi;

	if (size < sizeof(abi))
		return -EPROTO;
	memcpy(&abi, buf, sizeof(abi));
	return abi == TCPOPT_ABI ? 0 : -EPROTO;
}

int pin_config_read(const char *dir, const char *name, void *buf, size_t size)
{
	int err = pin_map_read(dir, name, buf, size);

	return err ? err : config_abi_check(buf, size);
}

const char *pin_config_err_str(int err)
{
	return err == -EPROTO ? "pinned by another tcpopt version" : err_str(err);
}

int pin_map_write(const char *dir, const char *map, const void *val, size_t size)
{
	return map_write_close(pin_map_open_sized(dir, map, size), val);
}

/*
 * A user's program (option "object") may pin a "stats" of its own: read
 * it only if it has our layout.  The counters of an older tcpopt are
 * fewer: the first ones keep their meaning, the others read as zero.
 * Returns how many of the n the map holds.
 */
#define STATS_MIN 8	/* the counters of the first tcpopt, sent to error */

static int stats_map_check(int fd, unsigned int n)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	/* a set shorter than the options' (path managers, mptcp) is whole */
	if (info.type != BPF_MAP_TYPE_PERCPU_ARRAY || info.key_size != 4 ||
	    info.value_size != sizeof(uint64_t) ||
	    info.max_entries < (n < STATS_MIN ? n : STATS_MIN))
		return -EPROTO;
	return info.max_entries < n ? (int)info.max_entries : (int)n;
}

/* The stats map of dir, checked: an fd, *n cut to the counters it holds. */
static int stats_open(const char *dir, unsigned int *n)
{
	int fd, err;

	fd = pin_open(dir, "stats");
	if (fd < 0)
		return fd;
	err = stats_map_check(fd, *n);
	if (err < 0) {
		close(fd);
		return err;
	}
	*n = (unsigned int)err;
	return fd;
}

/*
 * Counters 0..n-1, ncpu values each, into vals: one batch lookup (Linux
 * 5.6), else one lookup per counter.
 */
static int stats_lookup_all(int fd, unsigned int n, uint64_t *vals, int ncpu)
{
	static bool batch_refused;
	__u32 keys[TCPOPT_STATS_MAX_KEYS], out_batch, count = n, key;
	int err;

	if (!batch_refused && n <= ARRAY_SIZE(keys)) {
		err = bpf_map_lookup_batch(fd, NULL, &out_batch, keys, vals, &count, NULL);
		/* -ENOENT: the map ended with the batch (max_entries == n). */
		if ((!err || err == -ENOENT) && count == n)
			return 0;
		if (err != -EINVAL && err != -EOPNOTSUPP && err != -ENOTSUPP)
			return err ? err : -EIO;
		batch_refused = true;
	}
	for (key = 0; key < n; key++)
		if (bpf_map_lookup_elem(fd, &key, vals + (size_t)key * ncpu))
			return -errno;
	return 0;
}

int pin_stats_read(const char *dir, uint64_t *sums, unsigned int n)
{
	int ncpu = libbpf_num_possible_cpus(), fd, err = 0;
	uint64_t *vals;
	__u32 key;

	memset(sums, 0, n * sizeof(*sums));
	if (ncpu < 0)
		return ncpu;
	fd = stats_open(dir, &n);
	if (fd < 0)
		return fd;
	vals = xzalloc(sizeof(*vals) * (size_t)ncpu * n);
	err = stats_lookup_all(fd, n, vals, ncpu);
	for (key = 0; key < n && !err; key++)
		for (int cpu = 0; cpu < ncpu; cpu++)
			sums[key] += vals[key * ncpu + cpu];
	free(vals);
	close(fd);
	return err;
}

int pin_stats_reset(const char *dir, unsigned int n)
{
	int ncpu = libbpf_num_possible_cpus(), fd, err = 0;
	uint64_t *zeros;
	__u32 key;

	if (ncpu < 0)
		return ncpu;
	fd = stats_open(dir, &n);
	if (fd < 0)
		return fd;
	zeros = xzalloc(sizeof(*zeros) * (size_t)ncpu);
	for (key = 0; key < n && !err; key++)
		if (bpf_map_update_elem(fd, &key, zeros, BPF_ANY))
			err = -errno;
	free(zeros);
	close(fd);
	return err;
}

int pin_link_ids(const char *dir, struct pin_link_info *out)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	int fd = pin_open(dir, "link"), err = 0;

	memset(out, 0, sizeof(*out));
	if (fd < 0)
		return fd;
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
	} else {
		out->link_id = info.id;
		out->prog_id = info.prog_id;
		if (info.type == BPF_LINK_TYPE_CGROUP)
			out->cgroup_id = info.cgroup.cgroup_id;
	}
	close(fd);
	return err;
}

int pin_link_info(const char *dir, struct pin_link_info *out)
{
	struct bpf_prog_info pinfo = {};
	__u32 plen = sizeof(pinfo);
	int err = pin_link_ids(dir, out), pfd;

	if (err)
		return err;
	pfd = bpf_prog_get_fd_by_id(out->prog_id);
	if (pfd >= 0) {
		if (!bpf_obj_get_info_by_fd(pfd, &pinfo, &plen))
			memcpy(out->prog_name, pinfo.name, sizeof(out->prog_name));
		close(pfd);
	}
	return 0;
}
