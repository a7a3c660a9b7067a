/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A set of a node's CPUs (PUs) held by value, so that a grant can be
 * copied and freed as plain memory.  Text form: "0-3,8". */
#ifndef LV_COMMON_CPUSET_H
#define LV_COMMON_CPUSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most PUs a node may have; more are not handed out. */
#define LV_CPUSET_MAX 1024

struct lv_cpuset {
	uint64_t w[LV_CPUSET_MAX / 64];
};

void lv_cpuset_zero(struct lv_cpuset *s);
void lv_cpuset_set(struct lv_cpuset *s, unsigned cpu);
void lv_cpuset_clr(struct lv_cpuset *s, unsigned cpu);
bool lv_cpuset_isset(const struct lv_cpuset *s, unsigned cpu);
unsigned lv_cpuset_count(const struct lv_cpuset *s);
bool lv_cpuset_empty(const struct lv_cpuset *s);
/* The first CPU at or after from, or -1. */
int lv_cpuset_next(const struct lv_cpuset *s, unsigned from);
void lv_cpuset_or(struct lv_cpuset *dst, const struct lv_cpuset *src);
void lv_cpuset_andnot(struct lv_cpuset *dst, const struct lv_cpuset *src);
bool lv_cpuset_overlaps(const struct lv_cpuset *a, const struct lv_cpuset *b);
/* "0-3,8" into buf ("" for the empty set); false when it did not fit. */
bool lv_cpuset_format(const struct lv_cpuset *s, char *buf, size_t len);
/* Parses "0-3,8" (also "" for empty); -EINVAL on bad text or a CPU
 * past LV_CPUSET_MAX. */
int lv_cpuset_parse(struct lv_cpuset *s, const char *text);
/* "0x..." hex mask, lowest CPU in the lowest bit (Slurm's mask text). */
bool lv_cpuset_format_mask(const struct lv_cpuset *s, char *buf, size_t len);

#endif
