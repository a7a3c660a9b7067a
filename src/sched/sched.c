/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The scheduling pass, job start and job end. */
#include "config.h"

#include "sched/sched.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "common/bitmap.h"
#include "common/hostlist.h"
#include "common/log.h"
#include "common/timefmt.h"
#include "sched/acct.h"
#include "sched/depend.h"
#include "sched/gres.h"
#include "sched/jobs.h"
#include "sched/launch.h"
#include "sched/nodes.h"
#include "sched/persist.h"
#include "sched/partitions.h"
#include "sched/select.h"

/* Finished jobs stay visible this long (Slurm's MinJobAge). */
#define MIN_JOB_AGE 300

static void sched_pass_new(struct lvctld *ctld);

static void on_sched_ev(evutil_socket_t fd, short what, void *arg)
{
	struct lvctld *ctld = arg;

	(void)fd;
	(void)what;
	ctld->sched_pending = false;
	if (ctld->sched_full) {
		ctld->sched_full = false;
		sched_pass(ctld);
	} else {
		sched_pass_new(ctld);
	}
}

int sched_init(struct lvctld *ctld, struct lv_error *err)
{
	if (!(ctld->jobs = jobs_create(ctld->conf->first_job_id)))
		return lv_errorf(err, -ENOMEM, "out of memory");
	if (!(ctld->sched_ev = event_new(ctld->base, -1, 0, on_sched_ev, ctld)))
		return lv_errorf(err, -ENOMEM, "cannot create the scheduler event");
	return 0;
}

void sched_fini(struct lvctld *ctld)
{
	if (ctld->sched_ev)
		event_free(ctld->sched_ev);
	ctld->sched_ev = NULL;
	free(ctld->sched_blocked);
	ctld->sched_blocked = NULL;
	jobs_destroy(ctld->jobs);
	ctld->jobs = NULL;
}

void sched_request(struct lvctld *ctld)
{
	ctld->sched_full = true;
	sched_request_new(ctld);
}

void sched_request_new(struct lvctld *ctld)
{
	if (ctld->sched_pending || !ctld->sched_ev)
		return;
	ctld->sched_pending = true;
	event_active(ctld->sched_ev, 0, 0);
}

struct partition *job_partition(struct lvctld *ctld, struct job *job)
{
	/* Cached by generation: partitions are rebuilt on reconfigure. */
	if (job->part_gen != ctld->parts_gen || !job->part) {
		job->part = partitions_find(ctld->parts, job->partition);
		job->part_gen = ctld->parts_gen;
	}
	return job->part;
}

/* Releases a grant's resources back to its nodes. */
static void release(struct lvctld *ctld, struct job *job)
{
	size_t i;

	for (i = 0; i < job->n_grants; i++) {
		struct node *n = nodes_get(ctld->nodes, job->grants[i].node);

		if (n)
			nodes_release(n, &job->grants[i]);
	}
}

static void clear_grant(struct job *job)
{
	free(job->grants);
	job->grants = NULL;
	job->n_grants = 0;
	job->num_cpus = 0;
}

char *sched_grant_nodelist(struct lvctld *ctld, const struct grant *g,
			    size_t n)
{
	struct lv_hostlist *hl = lv_hostlist_create("", NULL);
	char *s;
	size_t i;

	if (!hl)
		return NULL;
	for (i = 0; i < n; i++)
		if (lv_hostlist_push(hl, nodes_get(ctld->nodes, g[i].node)->name) < 0) {
			lv_hostlist_destroy(hl);
			return NULL;
		}
	s = lv_hostlist_ranged_string(hl);
	lv_hostlist_destroy(hl);
	return s;
}

json_t *sched_grant_json(struct lvctld *ctld, const struct job *job)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < job->n_grants; i++) {
		const struct grant *g = &job->grants[i];
		struct node *n = nodes_get(ctld->nodes, g->node);
		char ids[LV_CPUSET_MAX * 5];
		json_t *e;

		/* cpu_ids: logical PU numbers; lvd maps them to its OS's. */
		(void)lv_cpuset_format(&g->pus, ids, sizeof(ids));
		e = json_pack("{s:s, s:s, s:i, s:I, s:I, s:I, s:s}", "name",
			      n->name, "addr", n->addr, "port", n->port, "cpus",
			      (json_int_t)g->cpus, "tasks", (json_int_t)g->tasks,
			      "mem", (json_int_t)g->mem_mb, "cpu_ids", ids);
		if (e && g->gpus)
			grant_gpus_json(g, e);
		json_array_append_new(arr, e);
	}
	return arr;
}

void sched_notify_waiters(struct lvctld *ctld, struct job *job)
{
	struct job_waiter **pp = &job->waiters, *w;
	bool ended = job_is_finished(job), started = job->state == JOB_RUNNING;
	char code[32];

	while ((w = *pp)) {
		struct lv_rpc_conn *conn;

		if (!ended && !(w->on_start && started)) {
			pp = &w->next;
			continue;
		}
		*pp = w->next;
		conn = lv_rpc_server_find(ctld->rpc, w->conn_id);
		if (conn)
			lv_rpc_respond(conn, w->req_id,
				       json_pack("{s:I, s:s, s:s, s:i, s:s?, s:o}",
						 "job_id", (json_int_t)job->id,
						 "state", job_state_name(job->state),
						 "exit_code", job_exit_code(job, code, sizeof(code)),
						 "status", job->exit_status,
						 "nodes", job->nodes,
						 "alloc", sched_grant_json(ctld, job)));
		free(w);
	}
}

/* Starts job on its grant.  Takes ownership of g. */
static void start_job(struct lvctld *ctld, struct job *job, struct grant *g,
		      size_t n, time_t now)
{
	size_t i;

	job->grants = g;
	job->n_grants = n;
	job->num_cpus = 0;
	for (i = 0; i < n; i++) {
		nodes_alloc(nodes_get(ctld->nodes, g[i].node), &g[i]);
		job->num_cpus += g[i].cpus;
	}
	free(job->nodes);
	free(job->batch_host);
	job->nodes = sched_grant_nodelist(ctld, g, n);
	job->batch_host = strdup(nodes_get(ctld->nodes, g[0].node)->name);
	job->state = JOB_RUNNING;
	job->reason = REASON_NONE;
	job->start_time = now;
	job->end_time = 0;
	jobs_array_task_started(ctld->jobs, job);
	lv_debug(LV_DBG_SCHED, "sched: job=%u starts on %s", job->id,
		 job->nodes ? job->nodes : "?");
	/* Launched once the start is on disk (persist.c). */
	persist_start(ctld, job);
}

/* Splits the next pending task off an array record. */
static struct job *split_task(struct lvctld *ctld, struct job *array)
{
	struct lv_error err = { 0 };
	long task = lv_bitmap_next_set(array->array_pending, 0);
	struct job *t;

	if (task < 0)
		return NULL;
	t = job_dup_for_task(array, jobs_next_id(ctld->jobs), (uint32_t)task, &err);
	if (!t) {
		lv_log(LV_LOG_ERR, "sched: job=%u: %s", array->id, err.text);
		return NULL;
	}
	lv_bitmap_clear(array->array_pending, (size_t)task);
	jobs_add(ctld->jobs, t);
	return t;
}

/* Why job cannot start now for reasons other than resources, or
 * REASON_NONE. */
static enum job_reason blocked_by(struct lvctld *ctld, struct job *job,
				  struct partition *part, time_t now)
{
	if (job->held && job->reason == REASON_LAUNCH_FAILED)
		return REASON_LAUNCH_FAILED;
	if (job->held)
		return job->held_by_admin ? REASON_HELD_ADMIN : REASON_HELD_USER;
	if (job->begin_time > now)
		return REASON_BEGIN_TIME;
	if (job->dep) {
		switch (depend_eval(job->dep, job, jobs_dep_status,
				    jobs_singleton_busy, ctld->jobs)) {
		case DEP_WAIT:
			return REASON_DEPENDENCY;
		case DEP_NEVER:
			return REASON_DEPENDENCY_NEVER;
		case DEP_OK:
			break;
		}
	}
	if (!part || part->state == PART_DOWN)
		return REASON_PARTITION_DOWN;
	if (part->state == PART_INACTIVE)
		return REASON_PARTITION_INACTIVE;
	if (job->array_pending && job->array_throttle &&
	    job->array_running >= job->array_throttle)
		return REASON_ARRAY_TASK_LIMIT;
	return REASON_NONE;
}

/* Tries to start job (or the next task of an array).  Returns true when
 * something started. */
static bool try_start(struct lvctld *ctld, struct job *job,
		      struct partition *part, time_t now)
{
	struct grant *g = NULL;
	size_t n = 0;
	struct job *run;

	if (select_nodes(job, part, ctld->nodes, false, &g, &n) < 0) {
		job->reason = REASON_RESOURCES;
		return false;
	}
	run = job->array_pending ? split_task(ctld, job) : job;
	if (!run) {
		free(g);
		return false;
	}
	if (!run->eligible_time)
		run->eligible_time = now;
	start_job(ctld, run, g, n, now);
	return true;
}

/* Considers one pending job; blocked[] carries the partitions where an
 * earlier job waits for resources (strict priority order, no backfill). */
static void consider(struct lvctld *ctld, struct job *job, bool *blocked,
		     time_t now)
{
	struct partition *part;
	enum job_reason why;
	size_t pi = 0;

	if (job->state != JOB_PENDING ||
	    (job->array_pending && !lv_bitmap_count(job->array_pending)))
		return;
	part = job_partition(ctld, job);
	if (part)
		pi = (size_t)(part - partitions_get(ctld->parts, 0));
	if ((why = blocked_by(ctld, job, part, now)) != REASON_NONE) {
		job->reason = why;
		return;
	}
	if (!job->eligible_time)
		job->eligible_time = now;
	if (blocked[pi]) {
		job->reason = REASON_PRIORITY;
		return;
	}
	/* An array may start several tasks in one pass. */
	while (try_start(ctld, job, part, now) && job->array_pending &&
	       lv_bitmap_count(job->array_pending) &&
	       (why = blocked_by(ctld, job, part, now)) == REASON_NONE)
		;
	if (why != REASON_NONE)
		job->reason = why;
	if (job->state == JOB_PENDING && job->reason == REASON_RESOURCES)
		blocked[pi] = true;
}

/* The partition blocked flags, sized for the current partitions. */
static bool *blocked_flags(struct lvctld *ctld, bool reset)
{
	size_t np = partitions_count(ctld->parts);

	if (ctld->sched_blocked_n != np || !ctld->sched_blocked) {
		free(ctld->sched_blocked);
		ctld->sched_blocked = calloc(np ? np : 1, sizeof(bool));
		ctld->sched_blocked_n = ctld->sched_blocked ? np : 0;
		reset = false;
	}
	if (reset && ctld->sched_blocked)
		memset(ctld->sched_blocked, 0, np * sizeof(bool));
	return ctld->sched_blocked;
}

void sched_pass(struct lvctld *ctld)
{
	bool *blocked = blocked_flags(ctld, true);
	time_t now = time(NULL);
	struct job *job, *next;

	/* StateDir failing: starts could not be recorded (the tick
	 * retries). */
	if (!blocked || !persist_writable(ctld))
		return;
	ctld->sched_passes++;
	for (job = jobs_first(ctld->jobs); job; job = next) {
		next = jobs_next(job);
		consider(ctld, job, blocked, now);
	}
	ctld->sched_seen_id = jobs_next_id(ctld->jobs);
}

/* Only jobs submitted since the last pass: nothing else changed for the
 * others (whatever frees resources or changes eligibility asks for a full
 * pass), so a submission costs O(new jobs), not O(queue). */
static void sched_pass_new(struct lvctld *ctld)
{
	bool *blocked = blocked_flags(ctld, false);
	time_t now = time(NULL);
	struct job *job = jobs_last(ctld->jobs), *next;

	if (!blocked || !persist_writable(ctld))
		return;
	while (job && jobs_prev(job) && jobs_prev(job)->id >= ctld->sched_seen_id)
		job = jobs_prev(job);
	for (; job; job = next) {
		next = jobs_next(job);
		if (job->id >= ctld->sched_seen_id)
			consider(ctld, job, blocked, now);
	}
	ctld->sched_seen_id = jobs_next_id(ctld->jobs);
}


/* The node enforces the limit it was launched with; this catches a limit
 * lowered later (lvcontrol update) and nodes that failed to. */
static bool over_limit(const struct job *job, time_t now)
{
	return job->req.time_limit != LV_TIME_UNLIMITED && !job->timed_out &&
	       now >= job->start_time + (time_t)job->req.time_limit * 60 + 2;
}

static void end_over_limit(struct lvctld *ctld, struct job *job)
{
	struct lv_error err = { 0 };

	lv_log(LV_LOG_INFO, "job: job=%u reached its time limit", job->id);
	job->timed_out = true;
	if (strcmp(job->kind, "batch")) {
		sched_job_ended(ctld, job, JOB_TIMEOUT, 0);
		return;
	}
	job->state = JOB_COMPLETING;
	persist_job(ctld, job);
	if (launch_signal(ctld, job, SIGTERM, false, true, &err) < 0)
		lv_log(LV_LOG_WARNING, "job: job=%u: %s", job->id, err.text);
}

void sched_tick(struct lvctld *ctld)
{
	time_t now = time(NULL);
	struct job *job;
	bool wake = false;

	for (job = jobs_first(ctld->jobs); job; job = jobs_next(job)) {
		if (job->state == JOB_PENDING && job->begin_time &&
		    job->begin_time <= now) {
			job->begin_time = 0;
			wake = true;
		}
		if (job->state == JOB_RUNNING && over_limit(job, now))
			end_over_limit(ctld, job);
	}
	if (jobs_purge(ctld->jobs, now, MIN_JOB_AGE))
		wake = true;
	if (wake)
		sched_request(ctld);
}

void sched_job_ended(struct lvctld *ctld, struct job *job,
		     enum job_state state, int status)
{
	time_t now = time(NULL);

	if (job_is_finished(job))
		return;
	launch_end_steps(ctld, job);
	release(ctld, job);
	if (job->alloc_conn_id) {
		job->alloc_conn_id = 0;
		if (ctld->bound_allocs)
			ctld->bound_allocs--;
	}
	job->exit_status = status;
	jobs_set_finished(ctld->jobs, job, state, now);
	/* squeue shows why a job ended badly, as Slurm does. */
	job->reason = state == JOB_FAILED	? REASON_NONZERO_EXIT
		      : state == JOB_TIMEOUT	? REASON_TIME_LIMIT
		      : state == JOB_OOM	? REASON_OUT_OF_MEMORY
		      : state == JOB_NODE_FAIL ? REASON_NODE_FAIL
					       : REASON_NONE;
	if (!job->start_time)
		job->start_time = 0;
	lv_log(LV_LOG_INFO, "job: job=%u ended %s exit=%d:%d", job->id,
	       job_state_name(state),
	       WIFEXITED(status) ? WEXITSTATUS(status) : 0,
	       WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	jobs_array_task_ended(ctld->jobs, job);
	persist_job(ctld, job);
	acct_job_ended(ctld, job);
	sched_notify_waiters(ctld, job);
	sched_request(ctld);
}

int sched_cancel(struct lvctld *ctld, struct job *job, struct lv_error *err)
{
	if (job_is_finished(job))
		return lv_errorf(err, -EALREADY, "Job has already finished");
	if (job->array_pending) {
		lv_bitmap_clear_all(job->array_pending);
		/* The record ends once its started tasks have ended. */
		job->array_total = job->array_started;
		if (job->array_done == job->array_total) {
			jobs_set_finished(ctld->jobs, job, JOB_CANCELLED, time(NULL));
			sched_notify_waiters(ctld, job);
		}
		persist_job(ctld, job);
		sched_request(ctld);
		return 0;
	}
	if (job->state == JOB_PENDING) {
		sched_job_ended(ctld, job, JOB_CANCELLED, 0);
		return 0;
	}
	job->cancel_requested = true;
	if (strcmp(job->kind, "batch") != 0) {
		/* Nothing runs under an interactive allocation by itself. */
		sched_job_ended(ctld, job, JOB_CANCELLED, 0);
		return 0;
	}
	if (job->state == JOB_RUNNING)
		job->state = JOB_COMPLETING;
	persist_job(ctld, job);
	return launch_signal(ctld, job, SIGTERM, false, true, err);
}

void sched_requeue(struct lvctld *ctld, struct job *job, bool hold)
{
	if (!job_is_finished(job))
		release(ctld, job);
	if (job->array_job_id) {
		/* A requeued task counts as not started again. */
		struct job *a = jobs_find(ctld->jobs, job->array_job_id);

		if (a && a->array_running)
			a->array_running--;
		if (a && a->array_started)
			a->array_started--;
	}
	clear_grant(job);
	free(job->nodes);
	free(job->batch_host);
	job->nodes = job->batch_host = NULL;
	jobs_set_pending(ctld->jobs, job);
	job->start_time = job->end_time = 0;
	job->cancel_requested = false;
	job->requeue_requested = false;
	job->timed_out = false;
	job->restarts++;
	job->held = job->held || hold;
	job->reason = hold ? REASON_LAUNCH_FAILED : REASON_NONE;
	persist_job(ctld, job);
	sched_request(ctld);
}
