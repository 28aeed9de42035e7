// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attach.h"
#include "bpffs.h"
#include "cgroup.h"
#include "utils.h"

static struct bpf_program *find_prog(struct bpf_object *obj, const char *name)
{
	struct bpf_program *prog, *found = NULL;

	if (name)
		return bpf_object__find_program_by_name(obj, name);
	bpf_object__for_each_program(prog, obj) {
		if (bpf_program__type(prog) != BPF_PROG_TYPE_SOCK_OPS)
			continue;
		if (found)
			return NULL;	/* ambiguous: the caller must name one */
		found = prog;
	}
	return found;
}

/* Pin every named map of obj into dir. */
static int pin_maps(struct bpf_object *obj, const char *dir)
{
	char path[PATH_MAX];
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);

		/* .rodata, .bss, .data: internal, not state to keep; the
		 * shared maps have their own pins. */
		if (!name || name[0] == '.' || strchr(name, '.') || bpf_map__is_pinned(map))
			continue;
		if (xsnprintf(path, sizeof(path), "%s/%s", dir, name))
			return -ENAMETOOLONG;
		if (bpf_map__pin(map, path))
			return -errno;
	}
	return 0;
}

/* Move every pin of "from" over the same name in "to" (link excepted). */
static int move_pins(const char *from, const char *to)
{
	char src[PATH_MAX], dst[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(from);
	int err = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d)) && !err) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "link"))
			continue;
		if (xsnprintf(src, sizeof(src), "%s/%s", from, de->d_name) ||
		    xsnprintf(dst, sizeof(dst), "%s/%s", to, de->d_name))
			err = -ENAMETOOLONG;
		else if (rename(src, dst))
			err = -errno;
	}
	closedir(d);
	return err;
}

int attach_pinned(const struct cgroup_ref *cg, const struct attach_spec *spec)
{
	char cgdir[PATH_MAX], dir[PATH_MAX], stage[PATH_MAX], path[PATH_MAX];
	struct bpf_link *link = NULL;
	struct bpf_program *prog;
	struct bpf_map *cfg_map;
	bool exists;
	int err, old_link = -1;

	snprintf(cgdir, sizeof(cgdir), "%s/%llu", PIN_ROOT, (unsigned long long)cg->id);
	pin_dir(dir, sizeof(dir), cg->id, spec->name);
	if (xsnprintf(stage, sizeof(stage), "%s/_new_%s_%d", cgdir, spec->name, getpid()) ||
	    xsnprintf(path, sizeof(path), "%s/link", dir))
		return err_usage("name \"%s\" is too long", spec->name);
	exists = pin_dir_exists(dir);
	if (exists && !spec->replace)
		return err_run(-EEXIST, "%s is already attached to cgroup %s (use \"replace\")",
			       spec->name, cg->path);

	prog = find_prog(spec->obj, spec->prog_name);
	if (!prog)
		return err_usage(spec->prog_name ? "no program \"%s\" in the object" :
				 "%s: the object must hold exactly one sockops program (name it with \"prog\")",
				 spec->prog_name ? spec->prog_name : spec->name);
	if (!spec->tracing) {
		bpf_program__set_type(prog, BPF_PROG_TYPE_SOCK_OPS);
		bpf_program__set_expected_attach_type(prog, BPF_CGROUP_SOCK_OPS);
	}
	/* Only the chosen program is loaded. */
	{
		struct bpf_program *p;

		bpf_object__for_each_program(p, spec->obj)
			bpf_program__set_autoload(p, p == prog);
	}
	err = bpf_object__load(spec->obj);
	if (err)
		return err_run(err, "cannot load the BPF program: %s%s", err_str(err),
			       err == -EACCES || err == -EINVAL ?
			       " (the verifier refused it; TCPOPT_DEBUG=1 shows its log)" : "");
	if (spec->config) {
		__u32 zero = 0;

		cfg_map = bpf_object__find_map_by_name(spec->obj, "config");
		if (!cfg_map || bpf_map__value_size(cfg_map) != spec->config_size) {
			err = err_run(-EPROTO, "the program has no config map of the expected size");
			goto fail;
		}
		if (bpf_map_update_elem(bpf_map__fd(cfg_map), &zero, spec->config, BPF_ANY)) {
			err = err_run(-errno, "cannot write the config map: %s", err_str(errno));
			goto fail;
		}
	}

	if (spec->loaded) {
		err = spec->loaded(spec->obj, spec->loaded_ctx);
		if (err)
			goto fail;
	}

	if (mkdir(cgdir, 0700) && errno != EEXIST)
		return err_run(-errno, "cannot create %s: %s", cgdir, err_str(errno));
	if (mkdir(stage, 0700)) {
		err = err_run(-errno, "cannot create %s: %s", stage, err_str(errno));
		goto fail;
	}
	err = pin_maps(spec->obj, stage);
	if (err) {
		err = err_run(err, "cannot pin maps in %s: %s", stage, err_str(err));
		goto fail;
	}

	if (exists) {
		/* Swap the program in the existing link: no moment without
		 * one, and never two at once. */
		old_link = bpf_obj_get(path);
		if (old_link < 0 || bpf_link_update(old_link, bpf_program__fd(prog), NULL)) {
			err = err_run(-errno, "cannot replace the program of %s: %s",
				      dir, err_str(errno));
			goto fail;
		}
		err = move_pins(stage, dir);
		if (err) {
			err = err_run(err, "cannot move pins into %s: %s", dir, err_str(err));
			goto fail;
		}
		pin_dir_remove(stage);
		close(old_link);
		return 0;
	}

	link = spec->tracing ? bpf_program__attach_trace(prog) :
			       bpf_program__attach_cgroup(prog, cg->fd);
	if (!link) {
		err = err_run(-errno, "cannot attach %s for cgroup %s: %s", spec->name,
			      cg->path, err_str(errno));
		goto fail;
	}
	if (xsnprintf(path, sizeof(path), "%s/link", stage) ||
	    bpf_link__pin(link, path)) {
		err = err_run(-errno, "cannot pin the link: %s", err_str(errno));
		goto fail;
	}
	/* The attachment appears whole, or not at all. */
	if (rename(stage, dir)) {
		err = err_run(-errno, "cannot create %s: %s", dir, err_str(errno));
		goto fail;
	}
	bpf_link__disconnect(link);
	bpf_link__destroy(link);
	return 0;

fail:
	if (old_link >= 0)
		close(old_link);
	pin_dir_remove(stage);
	rmdir(cgdir);	/* only if this command created it: it is empty then */
	shared_pins_release();
	if (link)
		bpf_link__destroy(link);	/* unpinned above: this detaches */
	return err;
}

int attach_embedded(const struct cgroup_ref *cg, const struct attach_spec *spec,
		    const void *(*elf_bytes)(size_t *size), const char *what)
{
	struct attach_spec s = *spec;
	const void *elf;
	size_t size;
	int err;

	elf = elf_bytes(&size);
	s.obj = bpf_object__open_mem(elf, size, NULL);
	if (!s.obj)
		return err_run(-errno, "cannot open the %s program: %s", what, err_str(errno));
	err = attach_pinned(cg, &s);
	bpf_object__close(s.obj);
	return err;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return vfprintf(stderr, fmt, ap);
}

static int libbpf_silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

void libbpf_quiet(void)
{
	libbpf_set_print(getenv("TCPOPT_DEBUG") ? libbpf_print : libbpf_silent);
}
