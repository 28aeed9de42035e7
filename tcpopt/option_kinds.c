// SPDX-License-Identifier: GPL-2.0
/*
 * The built-in options, a line each, in the order help and "option list"
 * name them; each descriptor is in its option_<name>.c (see option.h).
 */
#include "option.h"

const struct opt_desc *const opt_descs[] = {
	&uto_desc,
	&exp_desc,
	&object_desc,
	&cc_desc,
	&iw_desc,
	&delack_desc,
};
const size_t opt_ndescs = ARRAY_SIZE(opt_descs);
