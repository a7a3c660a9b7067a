/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The scheduler: decides which pending jobs start where, starts them, and
 * ends them.  Passes run when something changed (a submission, a job's
 * end, a node coming up), not on a clock. */
#ifndef LV_SCHED_SCHED_H
#define LV_SCHED_SCHED_H

#include <stdbool.h>

#include "sched/ctld.h"
#include "sched/job.h"

int sched_init(struct lvctld *ctld, struct lv_error *err);
void sched_fini(struct lvctld *ctld);

/* Asks for a full scheduling pass soon (coalesced; runs from the loop):
 * after anything that frees resources or changes eligibility. */
void sched_request(struct lvctld *ctld);
/* Asks for a pass over the jobs submitted since the last pass only. */
void sched_request_new(struct lvctld *ctld);
/* The job's partition (cached; NULL if it no longer exists). */
struct partition *job_partition(struct lvctld *ctld, struct job *job);
/* One pass now: starts what can start, sets pending reasons. */
void sched_pass(struct lvctld *ctld);
/* Why job cannot start now for reasons other than resources (held,
 * dependencies, partition state, limits), or REASON_NONE. */
enum job_reason sched_blocked_by(struct lvctld *ctld, struct job *job,
				 time_t now);
/* Starts job (or its next array task) on grant g of n entries; takes
 * ownership of g.  False when nothing started (g freed). */
bool sched_start_on(struct lvctld *ctld, struct job *job, struct grant *g,
		    size_t n, time_t now);

/* True when a comes before b in scheduling order (PriorityTier, then
 * priority, then submission). */
bool sched_outranks(const struct job *a, const struct job *b);

/* Once a second: begin times, time-limit backstops, purging. */
void sched_tick(struct lvctld *ctld);

/* A running job ended (its node reported, or it was cancelled before it
 * ran): releases its resources, answers waiters, updates arrays, and
 * asks for a pass. */
void sched_job_ended(struct lvctld *ctld, struct job *job,
		     enum job_state state, int status);

/* Cancels a job: a pending one ends at once; a running batch job is
 * signalled on its node and ends when the node reports.  A pending array
 * record cancels its pending tasks only. */
int sched_cancel(struct lvctld *ctld, struct job *job, struct lv_error *err);

/* Puts a job back in the queue (requeue of a running job, or a launch
 * that failed). */
void sched_requeue(struct lvctld *ctld, struct job *job, bool hold);

/* Answers JOB_WAIT callers of job (at start or end, as each asked). */
void sched_notify_waiters(struct lvctld *ctld, struct job *job);

/* The compressed node list ("n[1-3]") of the first n entries of a grant.
 * Caller frees; NULL on ENOMEM. */
char *sched_grant_nodelist(struct lvctld *ctld, const struct grant *g,
			   size_t n);

/* JSON description of a job's grant for the launch and for lvrun:
 * {"nodes": [{"name", "addr", "port", "cpus", "tasks", "mem"}...]}. */
json_t *sched_grant_json(struct lvctld *ctld, const struct job *job);

#endif
