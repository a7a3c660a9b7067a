/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Job dependencies: "afterok:12:13,afterany:14", "after:5?afternotok:6",
 * "singleton". */
#ifndef LV_SCHED_DEPEND_H
#define LV_SCHED_DEPEND_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

struct dependency;
struct job;

enum dep_result {
	DEP_WAIT,  /* not yet */
	DEP_OK,    /* satisfied: the job may start */
	DEP_NEVER, /* can no longer be satisfied */
};

/* What the scheduler knows of another job (an array: all its tasks). */
struct dep_status {
	bool exists;
	bool started;  /* running or finished (all tasks, for arrays) */
	bool finished; /* every task has ended */
	bool all_ok;   /* every task ended COMPLETED with exit code 0 */
	bool any_ok;   /* at least one did */
};

/* task is DEP_NO_TASK for a whole job (or array), else one array task
 * ("afterok:12_3"). */
#define DEP_NO_TASK UINT32_MAX
typedef void (*depend_lookup_f)(uint32_t job_id, uint32_t task,
				struct dep_status *st, void *arg);
/* True when another job with this user and name is running. */
typedef bool (*depend_singleton_f)(const struct job *self, void *arg);

/* -EINVAL with err set on bad syntax or a mix of ',' and '?'. */
struct dependency *depend_parse(const char *s, struct lv_error *err);
void depend_destroy(struct dependency *d);

/* Submission check: every job named must exist (-ENOENT otherwise). */
int depend_check(const struct dependency *d, depend_lookup_f lookup,
		 void *arg, struct lv_error *err);

enum dep_result depend_eval(const struct dependency *d, const struct job *self,
			    depend_lookup_f lookup, depend_singleton_f single,
			    void *arg);

#endif
