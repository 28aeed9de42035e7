/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Attach a sockops program to a cgroup through a bpf_link (or a tracing
 * program to its kernel function), and pin the link with the object's maps
 * so that it outlives the command.  Either all of it is in place
 * afterwards, or none of it.
 */
#ifndef TCPOPT_ATTACH_H
#define TCPOPT_ATTACH_H

#include <stdbool.h>
#include <stddef.h>

struct bpf_object;
struct cgroup_ref;

struct attach_spec {
	const char *name;		/* attachment name: pin directory */
	struct bpf_object *obj;		/* opened, not yet loaded */
	const char *prog_name;		/* NULL: the object's only sockops program */
	/* A tracing program (fentry, fmod_ret...; prog_name given): attached
	 * to the function its section names, not to the cgroup, which it
	 * must then match itself.  replace is not possible for it. */
	bool tracing;
	const void *config;		/* written to map "config" when not NULL */
	size_t config_size;
	bool replace;			/* swap the program of an existing attachment */
	/* Called once the object is loaded, before it is attached: fill
	 * other maps so that the program never runs without them.  Errors
	 * are reported by it. */
	int (*loaded)(struct bpf_object *obj, void *ctx);
	void *loaded_ctx;
};

/* Must be called with the state lock held.  Errors are reported here. */
int attach_pinned(const struct cgroup_ref *cg, const struct attach_spec *spec);

/*
 * attach_pinned() of an object built into tcpopt: elf_bytes is its
 * skeleton's NAME_bpf__elf_bytes(); the object is opened for spec->obj
 * and closed afterwards.  what names it in messages ("the %s program").
 */
int attach_embedded(const struct cgroup_ref *cg, const struct attach_spec *spec,
		    const void *(*elf_bytes)(size_t *size), const char *what);

/* Route libbpf's messages to stderr only with TCPOPT_DEBUG set. */
void libbpf_quiet(void);

#endif
