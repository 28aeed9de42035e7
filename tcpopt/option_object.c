// SPDX-License-Identifier: GPL-2.0
/*
 * object: a user-written sockops program (a .bpf.o file) attached through
 * the same machinery as the built-in options: a pinned link and the
 * object's maps under /sys/fs/bpf/tcpopt/<cgroup-id>/object-<LABEL>/.
 * The program is not ours: it gets no config and no filter words.  What
 * was attached (file, program, label) is recorded in a small map pinned
 * beside it, "tcpopt_object", for list, show and save.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "option.h"
#include "../lib/attach.h"
#include "../lib/bpffs.h"
#include "../lib/cgroup.h"
#include "../lib/output.h"

#define OBJECT_PIN	"tcpopt_object"
#define LABEL_MAX	32
#define PROG_MAX	40
#define FILE_MAX	128

struct object_config {
	struct tcpopt_common common;	/* abi only: the program takes no words */
	char label[LABEL_MAX];
	char prog[PROG_MAX];		/* "": the object's only sockops program */
	char file[FILE_MAX];		/* absolute */
};

/* Configs are read into a union opt_config. */
_Static_assert(sizeof(struct object_config) <= CONFIG_MAX, "object config too large");

enum { OBJ_KW_PROG = OPT_KW_OWN, OBJ_KW_NAME };

static const struct keyword object_keywords[] = {
	{ "prog", true, OBJ_KW_PROG },
	{ "name", true, OBJ_KW_NAME },
};

static bool label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static int object_parse_instance(void *c, const char *word)
{
	struct object_config *cfg = c;
	const char *p;

	if (!*word || strlen(word) >= LABEL_MAX)
		return err_usage("object: invalid label \"%s\" (1 to %d characters)",
				 word, LABEL_MAX - 1);
	for (p = word; *p; p++)
		if (!label_char(*p))
			return err_usage("object: invalid label \"%s\" (letters, digits, '_' and '-' only)",
					 word);
	snprintf(cfg->label, sizeof(cfg->label), "%s", word);
	return 0;
}

static int object_instance(const void *c, char *buf, size_t len)
{
	const struct object_config *cfg = c;

	return xsnprintf(buf, len, "%s", cfg->label);
}

static int object_parse_positional(void *c, const char *word)
{
	struct object_config *cfg = c;
	char path[PATH_MAX];

	if (!realpath(word, path) || access(path, R_OK))
		return err_run(-errno, "object: cannot read \"%s\": %s", word, err_str(errno));
	if (strlen(path) >= FILE_MAX)
		return err_usage("object: the path of \"%s\" is too long (%d characters at most)",
				 word, FILE_MAX - 1);
	snprintf(cfg->file, sizeof(cfg->file), "%s", path);
	return 0;
}

static int object_parse_keyword(void *c, int id, const char *value)
{
	struct object_config *cfg = c;

	if (id == OBJ_KW_NAME)
		return object_parse_instance(c, value);
	if (!*value || strlen(value) >= PROG_MAX)
		return err_usage("object: invalid program name \"%s\"", value);
	snprintf(cfg->prog, sizeof(cfg->prog), "%s", value);
	return 0;
}

/* The default label: the file's name without ".bpf.o" or ".o". */
static int object_finish(void *c)
{
	struct object_config *cfg = c;
	const char *base;
	size_t n, i;

	if (cfg->label[0])
		return 0;
	base = strrchr(cfg->file, '/');
	base = base ? base + 1 : cfg->file;
	n = strlen(base);
	if (n > 6 && !strcmp(base + n - 6, ".bpf.o"))
		n -= 6;
	else if (n > 2 && !strcmp(base + n - 2, ".o"))
		n -= 2;
	if (n >= LABEL_MAX)
		n = LABEL_MAX - 1;
	if (!n)
		return err_usage("object: name it with \"name LABEL\"");
	for (i = 0; i < n; i++)
		cfg->label[i] = label_char(base[i]) ? base[i] : '_';
	cfg->label[n] = '\0';
	return 0;
}

static void object_print(const void *c, struct onode *params)
{
	const struct object_config *cfg = c;

	out_str(params, "label", cfg->label);
	if (cfg->prog[0])
		out_str(params, "prog", cfg->prog);
	out_str(params, "file", cfg->file);
}

static int object_format(const void *c, char *buf, size_t len)
{
	const struct object_config *cfg = c;

	return xsnprintf(buf, len, "%s%s%s name %s", cfg->file,
			 cfg->prog[0] ? " prog " : "", cfg->prog, cfg->label);
}

/* Record what was attached: a one-element array pinned in dir. */
static int pin_record(const char *dir, const struct object_config *cfg)
{
	char path[PATH_MAX];
	__u32 zero = 0;
	int fd, err = 0;

	if (!pin_map_write(dir, OBJECT_PIN, cfg, sizeof(*cfg)))
		return 0;	/* replaced: the record is updated in place */
	if (xsnprintf(path, sizeof(path), "%s/%s", dir, OBJECT_PIN))
		return -ENAMETOOLONG;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, OBJECT_PIN, sizeof(zero),
			    sizeof(*cfg), 1, NULL);
	if (fd < 0)
		return -errno;
	if (bpf_map_update_elem(fd, &zero, cfg, BPF_ANY) || bpf_obj_pin(fd, path))
		err = -errno;
	close(fd);
	return err;
}

static int object_attach(const struct cgroup_ref *cg, const char *pin_name,
			 const void *c, bool replace)
{
	const struct object_config *cfg = c;
	struct attach_spec spec;
	struct bpf_object *obj;
	char dir[PATH_MAX];
	bool existed;
	int err;

	obj = bpf_object__open_file(cfg->file, NULL);
	if (!obj)
		return err_run(-errno, "cannot open the BPF object %s: %s", cfg->file,
			       err_str(errno));
	pin_dir(dir, sizeof(dir), cg->id, pin_name);
	existed = pin_dir_exists(dir);
	spec = (struct attach_spec){
		.name = pin_name,
		.obj = obj,
		.prog_name = cfg->prog[0] ? cfg->prog : NULL,
		.replace = replace,
	};
	err = attach_pinned(cg, &spec);
	bpf_object__close(obj);
	if (err)
		return err;
	err = pin_record(dir, cfg);
	if (err) {
		/* A new attachment goes whole or not at all. */
		if (!existed)
			pin_dir_remove(dir);
		return err_run(err, "cannot record %s in %s: %s", cfg->file, dir,
			       err_str(err));
	}
	return 0;
}

const struct opt_desc object_desc = {
	.name = "object",
	.usage = "FILE [ prog NAME ] [ name LABEL ]",
	.config_size = sizeof(struct object_config),
	.positional = "FILE",
	.positional_required = true,
	.parse_positional = object_parse_positional,
	.keywords = object_keywords,
	.nkeywords = ARRAY_SIZE(object_keywords),
	.parse_keyword = object_parse_keyword,
	.finish = object_finish,
	.print = object_print,
	.format = object_format,
	.instance_name = "label",
	.parse_instance = object_parse_instance,
	.instance = object_instance,
	.config_pin = OBJECT_PIN,
	.attach = object_attach,
};
