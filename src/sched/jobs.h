/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The job table: every job the controller knows, by id and in
 * submission order. */
#ifndef LV_SCHED_JOBS_H
#define LV_SCHED_JOBS_H

#include <stddef.h>
#include <stdint.h>

#include "sched/depend.h"
#include "sched/job.h"

struct jobs;

/* An empty table handing out ids from first_id on.  NULL on ENOMEM. */
struct jobs *jobs_create(uint32_t first_id);
/* Frees the table and every job in it.  NULL-safe. */
void jobs_destroy(struct jobs *jobs);

/* The id the next job will get; ids never repeat. */
uint32_t jobs_next_id(const struct jobs *jobs);
/* Raises the next id (recovery); never lowers it. */
void jobs_bump_id(struct jobs *jobs, uint32_t next);

/* Gives job an id (unless it has one) and takes ownership of it. */
int jobs_add(struct jobs *jobs, struct job *job);
/* Takes job out of the table; the caller owns it again. */
void jobs_remove(struct jobs *jobs, struct job *job);
struct job *jobs_find(struct jobs *jobs, uint32_t id);

/* Iteration in submission order. */
struct job *jobs_first(struct jobs *jobs);
struct job *jobs_next(struct job *job);
struct job *jobs_last(struct jobs *jobs);
struct job *jobs_prev(struct job *job);

size_t jobs_count(const struct jobs *jobs);
size_t jobs_count_active(const struct jobs *jobs); /* not finished */

/* Dependency view of a job or array: see depend.h. */
void jobs_dep_status(uint32_t id, uint32_t task, struct dep_status *st,
		     void *jobs);
/* True when another job of self's user and name is running. */
bool jobs_singleton_busy(const struct job *self, void *jobs);

/* Drops finished jobs that ended more than min_age seconds ago (and
 * finished arrays whose tasks are all gone).  Returns how many. */
size_t jobs_purge(struct jobs *jobs, time_t now, time_t min_age);

/* The only ways a job's state crosses between active and finished, so
 * that the active count (MaxJobCount) stays right. */
void jobs_set_finished(struct jobs *jobs, struct job *job,
		       enum job_state state, time_t now);
void jobs_set_pending(struct jobs *jobs, struct job *job);

/* Updates array bookkeeping when a task starts or ends. */
void jobs_array_task_started(struct jobs *jobs, const struct job *task);
void jobs_array_task_ended(struct jobs *jobs, const struct job *task);

#endif
