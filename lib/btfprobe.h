/* SPDX-License-Identifier: GPL-2.0 */
/* Ask the running kernel's BTF what it has: the truth, not the version. */
#ifndef TCPOPT_BTFPROBE_H
#define TCPOPT_BTFPROBE_H

#include <stdbool.h>

/* Is the kernel's BTF (/sys/kernel/btf/vmlinux) loadable? */
bool btf_available(void);
/* Does an enum value of this name exist? */
bool btf_has_enum_value(const char *name);
/* Its value: 0, or -ENOENT when the kernel has no such enum value. */
int btf_enum_value(const char *name, long long *value);
/* Does a type (struct, func...) of this name exist? */
bool btf_has_type(const char *name);
/* Is a kfunc (or kernel function) of this name in BTF? */
bool btf_has_func(const char *name);
/* Its BTF type id (> 0), or -ENOENT. */
int btf_func_id(const char *name);
/*
 * The name of the struct that parameter IDX (from 0) of kernel function
 * FUNC points to (through const, volatile, typedefs), or NULL.
 */
const char *btf_func_param_struct(const char *func, unsigned int idx);

#endif
