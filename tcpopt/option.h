/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Descriptors of the built-in options.  option.c holds the one copy of the
 * add/set/del/list/show logic, option_words.c the grammar they share
 * (filters, where, peer, path, cgroup, instances) and "tcpopt save"'s
 * words; a descriptor says what differs: the driver's hooks it uses
 * (type), the config layout, the option's own words and how its values
 * print.
 *
 * Adding an option X (iw is the smallest model to copy from):
 *
 *  1. bpf/tcpopt.h: struct tcpopt_X_config, struct tcpopt_common first
 *     (filters, flags, abi), at most TCPOPT_SLOT_DATA bytes; a member
 *     "X" of the union in struct tcpopt_slot_config; TCPOPT_TYPE_X
 *     appended to enum tcpopt_type (never renumber); its kind or ExID.
 *  2. bpf/X.bpf.h: the hooks X_len(), X_build() and X_read(), as
 *     driver.bpf.h describes them.  In bpf/tcpopt.bpf.c, a line each:
 *     its #include, DRV_OPTION(X) and its case in drv_option_of().
 *  3. tcpopt/option_X.c: the parsers and printers of its own words and
 *     "const struct opt_desc X_desc" (below) naming them, with .type =
 *     TCPOPT_TYPE_X and .config_size = sizeof(struct tcpopt_X_config).
 *     The Makefile builds every .c file of tcpopt/: no edit there.
 *  4. One line in the table of option_kinds.c (&X_desc) and its
 *     declaration at the end of this file.  "option help", the usage,
 *     completion, list, show, stats and save follow from the descriptor.
 *  5. man8/tcpopt-option.8: its grammar in the SYNOPSIS (test/ops.bats
 *     compares it with the usage) and a section under OPTIONS.
 *  6. test/option-X.bats: the option on the wire and at the peer's socket
 *     ("make check" runs every .bats file of test/).
 *
 * An option that is not a slot of the driver (object: a user's program)
 * sets .attach and .config_pin instead of .type, and needs no step 1-2.
 */
#ifndef TCPOPT_OPTION_H
#define TCPOPT_OPTION_H

#include <stdbool.h>
#include <stddef.h>

#include "../bpf/tcpopt.h"
#include "../lib/utils.h"

struct onode;
struct cgroup_ref;

struct opt_desc {
	const char *name;
	const char *usage;		/* its own arguments, for help */
	unsigned int kind;		/* TCP option kind (253/254: experimental) */
	unsigned int exid;		/* RFC 6994 ExID, 0 if none */
	unsigned int type;		/* enum tcpopt_type: its hooks in the driver */
	size_t config_size;
	/* A value given without a keyword ("uto 120s"); NULL if none. */
	const char *positional;		/* its name, for messages */
	bool positional_required;
	int (*parse_positional)(void *cfg, const char *word);
	const struct keyword *keywords;	/* ids >= OPT_KW_OWN */
	size_t nkeywords;
	int (*parse_keyword)(void *cfg, int id, const char *value);
	/* Fill in defaults and check the whole config after parsing. */
	int (*finish)(void *cfg);
	void (*print)(const void *cfg, struct onode *params);
	/*
	 * The option's own words for cfg ("2min max 1h"), the inverse of
	 * parse_positional/parse_keyword: what "tcpopt save" writes back.
	 * Words already implied by a bare "add NAME" may be left out.
	 */
	int (*format)(const void *cfg, char *buf, size_t len);
	/*
	 * Options attached several times to one cgroup (exp by ExID, object
	 * by label) are told apart by an instance word; their pin directory
	 * is "NAME-INSTANCE".  parse_instance() sets the identifying field
	 * of cfg from the word after NAME in set, del and show (and in add
	 * when instance_leads: "exp EXID HEX"); instance() gives the word
	 * back from cfg.  NULL: one attachment per cgroup, named NAME.
	 */
	const char *instance_name;	/* for messages: "ExID", "label" */
	bool instance_leads;
	int (*parse_instance)(void *cfg, const char *word);
	int (*instance)(const void *cfg, char *buf, size_t len);
	/*
	 * A program that is not tcpopt's own (object): it takes no filter,
	 * where or peer words and cannot be "set"; attach() loads and pins
	 * it and stores cfg (tcpopt's record of it) in config_pin.  NULL:
	 * a slot of the cgroup's driver (lib/driver.h), its config in the
	 * slot's map "config".
	 */
	const char *config_pin;		/* NULL: "config" */
	int (*attach)(const struct cgroup_ref *cg, const char *pin_name,
		      const void *cfg, bool replace);
};

/* The descriptor of an attachment directory's name ("uto", "exp-0x4e2a"). */
const struct opt_desc *opt_desc_by_pin(const char *pin_name);
/* The pin holding an attachment's config. */
const char *opt_config_pin(const struct opt_desc *d);

/* Keyword ids below this are the common ones (filters, where, peer). */
#define OPT_KW_OWN 100

/*
 * The words of "option add" that give cfg back, common ones (filters,
 * where, peer) included, without "cgroup": "uto 2min dport 443 every".
 * Checked by parsing them again.  0, -EOPNOTSUPP (no format callback),
 * -ENAMETOOLONG or -EPROTO (they do not give cfg back: a format bug).
 */
int option_words(const struct opt_desc *d, const void *cfg, char *buf, size_t len);

/* A config of any option: every config starts with struct tcpopt_common. */
#define CONFIG_MAX 256
union opt_config {
	struct tcpopt_common common;
	unsigned char bytes[CONFIG_MAX];
};

/*
 * The config of d's attachment in dir: 0, -E2BIG (d->config_size is over
 * CONFIG_MAX: a bug), -EPROTO (pinned by another tcpopt version: another
 * size or abi; pin_config_err_str() says so) or the error of the read.
 */
int opt_config_read(const struct opt_desc *d, const char *dir, union opt_config *cfg);

struct opt_request {
	const struct opt_desc *desc;
	const char *cgroup;
	const char *instance;	/* the word naming one of several (see option.h) */
	char pin[64];		/* the attachment's directory name */
	char what[80];		/* and its name in messages: "exp 0x4e2a" */
	bool replace;
	const char *positional;
	int nwords;
	struct { int id; const char *value; } words[64];
	union opt_config cfg;
};

enum parse_mode { PARSE_ADD, PARSE_SET, PARSE_NAME_ONLY };

/* option_words.c: syntax only, recording the words (values are checked
 * by apply_words() over the defaults or the current config). */
int parse_request(int argc, char **argv, enum parse_mode mode, struct opt_request *req);
int apply_words(struct opt_request *req);
/* req->pin and req->what from the descriptor and the config. */
int request_pin(struct opt_request *req);
/* "[ cgroup PATH ]" alone. */
int parse_cgroup_only(int argc, char **argv, const char **cgroup);
/* The path policy of a config: "probe", "always" or "off". */
const char *option_path_policy(const struct tcpopt_common *c);

extern const struct opt_desc uto_desc;
extern const struct opt_desc exp_desc;
extern const struct opt_desc object_desc;
extern const struct opt_desc cc_desc;
extern const struct opt_desc iw_desc;
extern const struct opt_desc delack_desc;
extern const struct opt_desc *const opt_descs[];
extern const size_t opt_ndescs;

#endif
