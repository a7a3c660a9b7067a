/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fixed-size bitmaps (node sets, cpu sets) with Slurm-style list format. */
#ifndef LV_COMMON_BITMAP_H
#define LV_COMMON_BITMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

struct lv_bitmap;

/* A bitmap of nbits bits, all clear.  NULL on ENOMEM. */
struct lv_bitmap *lv_bitmap_create(size_t nbits);
void lv_bitmap_destroy(struct lv_bitmap *b);
struct lv_bitmap *lv_bitmap_dup(const struct lv_bitmap *b);

size_t lv_bitmap_size(const struct lv_bitmap *b);
void lv_bitmap_set(struct lv_bitmap *b, size_t bit);
void lv_bitmap_clear(struct lv_bitmap *b, size_t bit);
bool lv_bitmap_test(const struct lv_bitmap *b, size_t bit);
void lv_bitmap_set_all(struct lv_bitmap *b);
void lv_bitmap_clear_all(struct lv_bitmap *b);
size_t lv_bitmap_count(const struct lv_bitmap *b);
/* First set bit at or after from, or -1. */
long lv_bitmap_next_set(const struct lv_bitmap *b, size_t from);
/* First clear bit at or after from, or -1. */
long lv_bitmap_next_clear(const struct lv_bitmap *b, size_t from);

/* dst = dst OP src; both must be the same size (asserted). */
void lv_bitmap_and(struct lv_bitmap *dst, const struct lv_bitmap *src);
void lv_bitmap_or(struct lv_bitmap *dst, const struct lv_bitmap *src);
void lv_bitmap_andnot(struct lv_bitmap *dst, const struct lv_bitmap *src);
bool lv_bitmap_equal(const struct lv_bitmap *a, const struct lv_bitmap *b);
/* True when every bit of a is also set in b. */
bool lv_bitmap_is_subset(const struct lv_bitmap *a, const struct lv_bitmap *b);
bool lv_bitmap_overlaps(const struct lv_bitmap *a, const struct lv_bitmap *b);

/* "0-3,8,10-11" (empty string for no bits).  Caller frees; NULL on ENOMEM. */
char *lv_bitmap_format_list(const struct lv_bitmap *b);
/* Sets the bits listed in "0-3,8"; -EINVAL on bad syntax or a bit past
 * the size. */
int lv_bitmap_parse_list(struct lv_bitmap *b, const char *s,
			 struct lv_error *err);

#endif
