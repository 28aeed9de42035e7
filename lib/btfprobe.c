// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "btfprobe.h"

static struct btf *vmlinux_btf(void)
{
	static struct btf *btf;
	static bool tried;

	if (!tried) {
		tried = true;
		btf = btf__load_vmlinux_btf();
		if (libbpf_get_error(btf))
			btf = NULL;
	}
	return btf;
}

bool btf_available(void)
{
	return vmlinux_btf() != NULL;
}

int btf_enum_value(const char *name, long long *value)
{
	struct btf *btf = vmlinux_btf();
	__u32 id, n;

	if (!btf)
		return -ENOENT;
	n = btf__type_cnt(btf);
	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		__u16 i, vlen;

		if (!btf_is_enum(t) && !btf_is_enum64(t))
			continue;
		vlen = btf_vlen(t);
		for (i = 0; i < vlen; i++) {
			__u32 off = btf_is_enum(t) ? btf_enum(t)[i].name_off :
						     btf_enum64(t)[i].name_off;

			if (strcmp(btf__name_by_offset(btf, off), name))
				continue;
			if (value)
				*value = btf_is_enum(t) ? btf_enum(t)[i].val :
					 (long long)btf_enum64_value(&btf_enum64(t)[i]);
			return 0;
		}
	}
	return -ENOENT;
}

bool btf_has_enum_value(const char *name)
{
	return !btf_enum_value(name, NULL);
}

bool btf_has_type(const char *name)
{
	struct btf *btf = vmlinux_btf();

	return btf && btf__find_by_name(btf, name) > 0;
}

int btf_func_id(const char *name)
{
	struct btf *btf = vmlinux_btf();
	int id;

	if (!btf)
		return -ENOENT;
	id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
	return id > 0 ? id : -ENOENT;
}

const char *btf_func_param_struct(const char *func, unsigned int idx)
{
	struct btf *btf = vmlinux_btf();
	const struct btf_type *t;
	int id = btf_func_id(func);

	if (id < 0)
		return NULL;
	t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
	if (!t || !btf_is_func_proto(t) || idx >= btf_vlen(t))
		return NULL;
	t = btf__type_by_id(btf, btf_params(t)[idx].type);
	while (t && (btf_is_ptr(t) || btf_is_mod(t) || btf_is_typedef(t)))
		t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_struct(t))
		return NULL;
	return btf__name_by_offset(btf, t->name_off);
}

bool btf_has_func(const char *name)
{
	return btf_func_id(name) > 0;
}
