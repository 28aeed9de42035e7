// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/file.h>
#include <unistd.h>

#include "bpffs.h"
#include "cgroup.h"
#include "state.h"
#include "utils.h"

int state_lock(void)
{
	int fd, err;

	err = bpffs_prepare();
	if (err)
		return err;
	fd = open(PIN_ROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_run(-errno, "cannot open %s: %s", PIN_ROOT, err_str(errno));
	if (flock(fd, LOCK_EX)) {
		err = -errno;
		close(fd);
		return err_run(err, "cannot lock %s: %s", PIN_ROOT, err_str(err));
	}
	return fd;
}

int state_lock_cgroup(const char *path, struct cgroup_ref *cg, int *lock)
{
	int err = cgroup_open(path, cg);

	if (err)
		return err;
	*lock = state_lock();
	if (*lock < 0) {
		cgroup_close(cg);
		return *lock;
	}
	return 0;
}

void state_unlock(int fd)
{
	if (fd >= 0)
		close(fd);	/* drops the flock */
}

int pin_remove_attachment(const char *path, const char *name, const char *absent)
{
	struct cgroup_ref cg;
	char dir[PATH_MAX];
	int err, lock;

	err = state_lock_cgroup(path, &cg, &lock);
	if (err)
		return err;
	pin_dir(dir, sizeof(dir), cg.id, name);
	if (!pin_dir_exists(dir)) {
		err = err_run(-ENOENT, absent, cg.path);
	} else {
		err = pin_dir_remove(dir);
		if (err)
			err = err_run(err, "cannot remove %s: %s", dir, err_str(err));
	}
	state_unlock(lock);
	cgroup_close(&cg);
	return err;
}
