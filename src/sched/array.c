/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Parsing and printing job array index expressions. */
#include "config.h"

#include "sched/array.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bitmap.h"

static int read_num(const char **p, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)**p))
		return -EINVAL;
	errno = 0;
	v = strtoul(*p, &end, 10);
	if (errno || v > ARRAY_MAX_INDEX)
		return -ERANGE;
	*p = end;
	*out = (uint32_t)v;
	return 0;
}

/* One element: N, N-M or N-M:S. */
static int read_elem(const char **p, struct lv_bitmap *b)
{
	uint32_t lo, hi, step = 1, i;
	int rc;

	if ((rc = read_num(p, &lo)) < 0)
		return rc;
	hi = lo;
	if (**p == '-') {
		(*p)++;
		if ((rc = read_num(p, &hi)) < 0)
			return rc;
		if (**p == ':') {
			(*p)++;
			if ((rc = read_num(p, &step)) < 0 || step == 0)
				return rc < 0 ? rc : -EINVAL;
		}
	}
	if (hi < lo)
		return -EINVAL;
	for (i = lo; i <= hi; i += step) {
		lv_bitmap_set(b, i);
		if (hi - i < step)
			break;
	}
	return 0;
}

/* A bitmap just big enough for the highest task; frees b. */
static struct lv_bitmap *shrink(struct lv_bitmap *b)
{
	struct lv_bitmap *small;
	long i, last = -1;

	for (i = lv_bitmap_next_set(b, 0); i >= 0;
	     i = lv_bitmap_next_set(b, (size_t)i + 1))
		last = i;
	if (!(small = lv_bitmap_create((size_t)last + 1))) {
		lv_bitmap_destroy(b);
		return NULL;
	}
	for (i = lv_bitmap_next_set(b, 0); i >= 0;
	     i = lv_bitmap_next_set(b, (size_t)i + 1))
		lv_bitmap_set(small, (size_t)i);
	lv_bitmap_destroy(b);
	return small;
}

int array_parse(const char *s, struct lv_bitmap **tasks, uint32_t *throttle,
		struct lv_error *err)
{
	struct lv_bitmap *b = lv_bitmap_create(ARRAY_MAX_INDEX + 1);
	const char *p = s;
	uint32_t thr = 0;
	int rc = 0;

	if (!b)
		return lv_errorf(err, -ENOMEM, "out of memory");
	for (;;) {
		if ((rc = read_elem(&p, b)) < 0)
			break;
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p == '%') {
			p++;
			if ((rc = read_num(&p, &thr)) < 0)
				break;
		}
		if (*p)
			rc = -EINVAL;
		break;
	}
	if (rc == 0 && lv_bitmap_count(b) == 0)
		rc = -EINVAL;
	if (rc < 0) {
		lv_bitmap_destroy(b);
		if (rc == -ERANGE)
			return lv_errorf(err, -EINVAL,
					 "Invalid job array specification '%s': index above %u",
					 s, ARRAY_MAX_INDEX);
		return lv_errorf(err, -EINVAL,
				 "Invalid job array specification '%s'", s);
	}
	*tasks = shrink(b);
	*throttle = thr;
	return *tasks ? 0 : lv_errorf(err, -ENOMEM, "out of memory");
}

char *array_format(const struct lv_bitmap *tasks, uint32_t throttle)
{
	char *list = lv_bitmap_format_list(tasks), *out;

	if (!list || !throttle)
		return list;
	if (asprintf(&out, "%s%%%u", list, throttle) < 0)
		out = NULL;
	free(list);
	return out;
}

void array_bounds(const struct lv_bitmap *tasks, uint32_t *min, uint32_t *max,
		  uint32_t *step)
{
	long i, prev = -1, first = lv_bitmap_next_set(tasks, 0), d = 0;
	bool even = true;

	*min = *max = first > 0 ? (uint32_t)first : 0;
	for (i = first; i >= 0; i = lv_bitmap_next_set(tasks, (size_t)i + 1)) {
		if (prev >= 0) {
			if (d && i - prev != d)
				even = false;
			d = i - prev;
		}
		prev = i;
	}
	if (prev >= 0)
		*max = (uint32_t)prev;
	*step = even && d > 0 ? (uint32_t)d : 1;
}
