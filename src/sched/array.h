/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Job array index expressions: "1-10", "1-10:2", "1,3,5", "0-99%4". */
#ifndef LV_SCHED_ARRAY_H
#define LV_SCHED_ARRAY_H

#include <stdint.h>

#include "common/error.h"

struct lv_bitmap;

#define ARRAY_MAX_INDEX 1000000

/* Parses s into a new bitmap of task ids and a throttle (0 = none).
 * -EINVAL with err set on bad syntax, an empty set or an index past
 * ARRAY_MAX_INDEX. */
int array_parse(const char *s, struct lv_bitmap **tasks, uint32_t *throttle,
		struct lv_error *err);

/* Lowest and highest task, and the step between them when the tasks are
 * evenly spaced (else 1), as sbatch reports them to array tasks. */
void array_bounds(const struct lv_bitmap *tasks, uint32_t *min, uint32_t *max,
		  uint32_t *step);

/* "1-3,5%2": the tasks and throttle in squeue's form.  Caller frees; NULL
 * on ENOMEM. */
char *array_format(const struct lv_bitmap *tasks, uint32_t throttle);

#endif
