// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "output.h"
#include "utils.h"

static char mount_point[PATH_MAX];

/* mountinfo writes ' ', '\t', '\n' and '\\' in paths as \ooo. */
static void unescape_octal(const char *in, char *out, size_t len)
{
	size_t o = 0;

	while (*in && o + 1 < len) {
		if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' &&
		    in[2] >= '0' && in[2] <= '7' && in[3] >= '0' && in[3] <= '7') {
			out[o++] = (char)((in[1] - '0') << 6 | (in[2] - '0') << 3 | (in[3] - '0'));
			in += 4;
		} else {
			out[o++] = *in++;
		}
	}
	out[o] = '\0';
}

/* mountinfo: id parent major:minor root mount-point options ... - fstype ... */
const char *cgroup2_mount(void)
{
	char line[4096];
	FILE *f;

	if (mount_point[0])
		return mount_point;
	f = fopen("/proc/self/mountinfo", "r");
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - ");
		char mnt[PATH_MAX], fstype[64];

		if (!sep || sscanf(sep, " - %63s", fstype) != 1 ||
		    strcmp(fstype, "cgroup2"))
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
			continue;
		unescape_octal(mnt, mount_point, sizeof(mount_point));
		break;
	}
	fclose(f);
	return mount_point[0] ? mount_point : NULL;
}

static void normalize(const char *in, char *out, size_t len)
{
	size_t used = 0;

	/* "/a//b/" and "a/b" both become "/a/b"; "" and "/" become "/". */
	out[used++] = '/';
	while (*in && used + 1 < len) {
		if (*in == '/' && (out[used - 1] == '/')) {
			in++;
			continue;
		}
		out[used++] = *in++;
	}
	if (used > 1 && out[used - 1] == '/')
		used--;
	out[used] = '\0';
}

/* A cgroup is named below the mount: no component may climb out of it. */
static int has_dotdot(const char *path)
{
	size_t n;

	for (; *path; path += n) {
		path += strspn(path, "/");
		n = strcspn(path, "/");
		if (n == 2 && !strncmp(path, "..", 2))
			return 1;
	}
	return 0;
}

int cgroup_open(const char *path, struct cgroup_ref *cg)
{
	const char *mnt = cgroup2_mount();
	char full[PATH_MAX + 1024];
	struct stat st;

	cg->fd = -1;
	if (!mnt)
		return err_run(-ENOENT, "no cgroup2 file system is mounted");
	normalize(path ? path : "", cg->path, sizeof(cg->path));
	if (has_dotdot(cg->path))
		return err_usage("invalid cgroup \"%s\": \"..\" is not allowed", path);
	snprintf(full, sizeof(full), "%s%s", mnt, cg->path);
	cg->fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg->fd < 0) {
		int err = -errno;

		if (err == -ENOENT || err == -ENOTDIR)
			return err_run(err, "unknown cgroup \"%s\" (no %s)", path, full);
		return err_run(err, "cannot open cgroup \"%s\": %s", path, err_str(err));
	}
	if (fstat(cg->fd, &st)) {
		int err = -errno;

		cgroup_close(cg);
		return err_run(err, "cannot stat cgroup \"%s\": %s", path, err_str(err));
	}
	cg->id = st.st_ino;
	return 0;
}

void cgroup_close(struct cgroup_ref *cg)
{
	if (cg->fd >= 0)
		close(cg->fd);
	cg->fd = -1;
}

/*
 * Cgroup ids to paths.  A cgroup's id is its kernfs node id, which kernfs
 * also takes as a file handle: open_by_handle_at() on the cgroup2 mount
 * opens the cgroup (ESTALE once it is removed, even while a link holds it
 * offline) and /proc/self/fd names it: three syscalls, whatever the size
 * of the tree.  Without CAP_DAC_READ_SEARCH, or on a kernel without
 * kernfs handles, one walk of the tree builds a table of every id instead,
 * kept until cgroup_names_forget().
 */
#ifndef FILEID_KERNFS
#define FILEID_KERNFS	0xfe
#endif

enum { BY_HANDLE, BY_TABLE };
static int resolve_mode = BY_HANDLE;
static int mount_fd = -1;

/* /proc/self/fd, open: readlinkat() of a number is cheaper than a path. */
static int proc_fd_dir(void)
{
	static int fd = -1;

	if (fd < 0)
		fd = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd;
}

static int cgroup_mount_fd(void)
{
	const char *mnt;

	if (mount_fd >= 0)
		return mount_fd;
	mnt = cgroup2_mount();
	if (!mnt)
		return -ENOENT;
	mount_fd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return mount_fd >= 0 ? mount_fd : -errno;
}

/* "/mnt/a/b" to "/a/b", the mount itself to "/"; -ENOENT if not below it. */
static int strip_mount(const char *full, char *buf, size_t len)
{
	const char *mnt = cgroup2_mount();
	size_t n = strlen(mnt);

	if (n == 1)	/* mounted on "/" */
		n = 0;
	if (strncmp(full, mnt, n) || (full[n] && full[n] != '/'))
		return -ENOENT;
	return xsnprintf(buf, len, "%s", full[n] ? full + n : "/");
}

/* 0, -ENOENT (no such cgroup now), or another -errno: handles cannot work. */
static int path_by_handle(int mfd, uint64_t id, char *buf, size_t len)
{
	union {
		struct file_handle fh;
		char bytes[sizeof(struct file_handle) + sizeof(uint64_t)];
	} h;
	static const char deleted[] = " (deleted)";
	char link[64], full[PATH_MAX];
	struct stat st;
	ssize_t n;
	int fd;

	h.fh.handle_bytes = sizeof(id);
	h.fh.handle_type = FILEID_KERNFS;
	memcpy(h.fh.f_handle, &id, sizeof(id));
	fd = open_by_handle_at(mfd, &h.fh, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return errno == ESTALE || errno == ENOENT ? -ENOENT : -errno;
	snprintf(link, sizeof(link), "%d", fd);
	n = readlinkat(proc_fd_dir(), link, full, sizeof(full) - 1);
	close(fd);
	if (n < 0)
		return -EOPNOTSUPP;	/* no /proc */
	full[n] = '\0';
	/* Removed between the two calls, or really named so? */
	if ((size_t)n > sizeof(deleted) - 1 &&
	    !strcmp(full + n - (sizeof(deleted) - 1), deleted) &&
	    (stat(full, &st) || st.st_ino != id))
		return -ENOENT;
	return strip_mount(full, buf, len);
}

struct cgroup_name {
	uint64_t id;
	char *path;		/* relative to the mount */
};

static struct {
	struct cgroup_name *v;
	size_t n, cap;
	bool built;
} table;

struct table_walk {
	char path[PATH_MAX];
	size_t len;
};

static void table_add(uint64_t id, const char *path)
{
	table.v = xgrow(table.v, table.n, &table.cap, sizeof(*table.v));
	table.v[table.n].id = id;
	table.v[table.n++].path = xstrdup(path);
}

/* kernfs gives each entry's type and inode number (the cgroup id). */
static int table_walk_entry(int fd, const char *name, uint64_t ino,
			    unsigned char type, void *ctx)
{
	struct table_walk *w = ctx;
	size_t len = w->len;
	int sub;

	if (type != DT_DIR)
		return 0;
	if (xsnprintf(w->path + len, sizeof(w->path) - len, "%s%s", len > 1 ? "/" : "", name))
		return 0;
	table_add(ino, w->path);
	sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sub >= 0) {
		w->len = strlen(w->path);
		dir_for_each(sub, table_walk_entry, w);
		close(sub);
	}
	w->len = len;
	w->path[len] = '\0';
	return 0;
}

static int cmp_cgroup_name(const void *a, const void *b)
{
	const struct cgroup_name *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int path_by_table(int mfd, uint64_t id, char *buf, size_t len)
{
	struct cgroup_name key = { .id = id }, *found;
	struct stat st;

	if (!table.built) {
		struct table_walk w = { .path = "/", .len = 1 };

		/* A descriptor of its own: mfd's offset is shared. */
		int fd = openat(mfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd < 0)
			return -ENOENT;
		if (!fstat(fd, &st))
			table_add(st.st_ino, "/");
		dir_for_each(fd, table_walk_entry, &w);
		close(fd);
		if (table.n)
			qsort(table.v, table.n, sizeof(*table.v), cmp_cgroup_name);
		table.built = true;
	}
	found = table.n ? bsearch(&key, table.v, table.n, sizeof(*table.v), cmp_cgroup_name) :
		NULL;
	if (!found)
		return -ENOENT;
	return xsnprintf(buf, len, "%s", found->path);
}

void cgroup_names_forget(void)
{
	while (table.n)
		free(table.v[--table.n].path);
	table.built = false;
}

bool cgroup_is_below(const struct cgroup_ref *top, uint64_t id)
{
	char path[PATH_MAX];
	size_t n = strlen(top->path);

	if (id == top->id)
		return true;
	if (cgroup_path_of(id, path, sizeof(path)))
		return false;
	if (!strcmp(top->path, "/"))
		return true;
	return !strncmp(path, top->path, n) && path[n] == '/';
}

int cgroup_path_of(uint64_t id, char *buf, size_t len)
{
	int mfd = cgroup_mount_fd(), err;

	if (mfd < 0)
		return -ENOENT;
	if (resolve_mode == BY_HANDLE) {
		err = path_by_handle(mfd, id, buf, len);
		if (!err || err == -ENOENT || err == -ENAMETOOLONG)
			return err;
		resolve_mode = BY_TABLE;
	}
	return path_by_table(mfd, id, buf, len);
}

bool cgroup_name_of(uint64_t id, char *buf, size_t len)
{
	if (!cgroup_path_of(id, buf, len))
		return false;
	snprintf(buf, len, "(deleted)");
	return true;
}

bool out_cgroup_heading(struct onode *row, uint64_t id)
{
	char path[PATH_MAX];
	bool gone = cgroup_name_of(id, path, sizeof(path));

	out_str(row, "cgroup", path);
	out_uint_json(row, "cgroup_id", id);
	return gone;
}
