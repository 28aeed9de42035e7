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
#include "utils.h"

static char mount_point[PATH_MAX];

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
		snprintf(mount_point, sizeof(mount_point), "%s", mnt);
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
		return err_run(err, "cannot open cgroup \"%s\": %s", path, strerror(-err));
	}
	if (fstat(cg->fd, &st)) {
		int err = -errno;

		cgroup_close(cg);
		return err_run(err, "cannot stat cgroup \"%s\": %s", path, strerror(-err));
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

static int walk(char *full, size_t base_len, size_t len, size_t cap, uint64_t id)
{
	struct dirent *de;
	DIR *d = opendir(full);
	int rc = -ENOENT;

	if (!d)
		return -ENOENT;
	while (rc && (de = readdir(d))) {
		struct stat st;
		size_t n;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		n = (size_t)snprintf(full + len, cap - len, "/%s", de->d_name);
		if (len + n >= cap)
			continue;
		if (!stat(full, &st) && st.st_ino == id)
			rc = 0;
		else
			rc = walk(full, base_len, len + n, cap, id);
		if (rc)
			full[len] = '\0';
	}
	closedir(d);
	return rc;
}

bool cgroup_is_below(const struct cgroup_ref *top, uint64_t id)
{
	const char *mnt = cgroup2_mount();
	char full[PATH_MAX];
	size_t len;

	if (id == top->id)
		return true;
	if (!mnt || xsnprintf(full, sizeof(full), "%s%s", mnt,
			      strcmp(top->path, "/") ? top->path : ""))
		return false;
	len = strlen(full);
	return walk(full, len, len, sizeof(full), id) == 0;
}

int cgroup_path_of(uint64_t id, char *buf, size_t len)
{
	const char *mnt = cgroup2_mount();
	char full[PATH_MAX];
	size_t base;
	struct stat st;

	if (!mnt)
		return -ENOENT;
	base = (size_t)snprintf(full, sizeof(full), "%s", mnt);
	if (!stat(full, &st) && st.st_ino == id) {
		snprintf(buf, len, "/");
		return 0;
	}
	if (walk(full, base, base, sizeof(full), id))
		return -ENOENT;
	snprintf(buf, len, "%s", full + base);
	return 0;
}
