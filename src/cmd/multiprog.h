/* SPDX-License-Identifier: GPL-2.0-or-later */
/* srun's --multi-prog file, read into proto 05's "multi_prog" array. */
#ifndef LV_CMD_MULTIPROG_H
#define LV_CMD_MULTIPROG_H

#include <jansson.h>

#include "common/error.h"

/* Parses an srun --multi-prog file for ntasks tasks.  Each line is
 * "RANKS PROGRAM [ARGS...]": RANKS is a list like "0-3,5" or "*" (every
 * rank no other line names); words may be quoted with ' or "; in the
 * words %t becomes the rank and %o its offset among the line's ranks;
 * blank lines and lines starting with # are skipped.  Returns proto 05's
 * "multi_prog" array [[lo, hi, [argv...]], ...] sorted by rank, owned by
 * the caller; NULL with err set (-EINVAL, "line N: ...") when a line is
 * malformed or names a rank outside [0, ntasks) or a rank twice, or when
 * some rank is left without a program; -ENOMEM. */
json_t *stepio_multi_prog_parse(const char *text, int ntasks,
				struct lv_error *err);

#endif
