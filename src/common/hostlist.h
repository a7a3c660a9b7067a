/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Slurm-style hostlist expressions: "n[1-16,20]", "rack[1-2]-n[01-04]". */
#ifndef LV_COMMON_HOSTLIST_H
#define LV_COMMON_HOSTLIST_H

#include <stddef.h>

#include "common/error.h"

struct lv_hostlist;

/* Parses a comma-separated list of host expressions into an ordered list
 * of names (duplicates kept, order as written).  Returns NULL with err set
 * on malformed input (unbalanced brackets, bad ranges, empty names, more
 * than LV_HOSTLIST_MAX hosts).  "" gives an empty list. */
#define LV_HOSTLIST_MAX 1000000
struct lv_hostlist *lv_hostlist_create(const char *expr, struct lv_error *err);
void lv_hostlist_destroy(struct lv_hostlist *hl);

/* Number of hosts. */
size_t lv_hostlist_count(const struct lv_hostlist *hl);
/* Borrowed name of host i (0-based), NULL past the end. */
const char *lv_hostlist_nth(const struct lv_hostlist *hl, size_t i);
/* Index of name, or -1. */
long lv_hostlist_find(const struct lv_hostlist *hl, const char *name);
/* Appends one plain host name.  0 or -ENOMEM. */
int lv_hostlist_push(struct lv_hostlist *hl, const char *name);
/* Sorts the names (numeric-aware) and drops duplicates. */
void lv_hostlist_uniq(struct lv_hostlist *hl);

/* Compressed expression ("n[1-3,5],gpu01"), keeping zero padding; hosts
 * are grouped by prefix/suffix in first-seen order.  Caller frees.  NULL
 * only on ENOMEM. */
char *lv_hostlist_ranged_string(const struct lv_hostlist *hl);

#endif
