/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The scheduling pass, job start and job end. */
#include "config.h"

#include "sched/sched.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#include "common/bitmap.h"
#include "common/hostlist.h"
#include "common/log.h"
#include "common/timefmt.h"
#include "sched/acct.h"
#include "sched/backfill.h"
#include "sched/depend.h"
#include "sched/fairshare.h"
#include "sched/gres.h"
#include "sched/jobs.h"
#include "sched/launch.h"
#include "sched/joblimits.h"
#include "sched/nodes.h"
#include "sched/persist.h"
#include "sched/policy.h"
#include "sched/partitions.h"
#include "sched/preempt.h"
#include "sched/priority.h"
#include "sched/select.h"

/* Finished jobs stay visible this long (Slurm's MinJobAge). */
#define MIN_JOB_AGE 300

static void sched_pass_new(struct lvctld *ctld);

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Seconds to wait before the next full pass: a full pass over a long
 * queue costs milliseconds, and jobs ending one by one would otherwise
 * run one each, so the scheduler keeps at most a third of the loop
 * (never more than one second's wait). */
static double full_pass_wait(struct lvctld *ctld)
{
	double gap = 2 * ctld->sched_stats.last_us / 1e6;

	if (gap > 1.0)
		gap = 1.0;
	return ctld->sched_stats.last_end_s + gap - mono_s();
}

static void on_sched_ev(evutil_socket_t fd, short what, void *arg)
{
	struct lvctld *ctld = arg;
	double wait;

	(void)fd;
	(void)what;
	ctld->sched_pending = false;
	if (!ctld->sched_full) {
		sched_pass_new(ctld);
		return;
	}
	if ((wait = full_pass_wait(ctld)) > 0) {
		struct timeval tv = {(time_t)wait,
				     (suseconds_t)((wait - (double)(time_t)wait) * 1e6)};

		/* New jobs now; the rest when the wait is over. */
		sched_pass_new(ctld);
		ctld->sched_pending = true;
		event_add(ctld->sched_ev, &tv);
		return;
	}
	ctld->sched_full = false;
	sched_pass(ctld);
}

static bool usage_path(struct lvctld *ctld, char *buf, size_t len);

int sched_init(struct lvctld *ctld, struct lv_error *err)
{
	char path[4096];

	if (!(ctld->jobs = jobs_create(ctld->conf->first_job_id)))
		return lv_errorf(err, -ENOMEM, "out of memory");
	if (!(ctld->sched_ev = event_new(ctld->base, -1, 0, on_sched_ev, ctld)))
		return lv_errorf(err, -ENOMEM, "cannot create the scheduler event");
	if (!(ctld->fs = fairshare_create(ctld->conf, time(NULL))) ||
	    !(ctld->limits = limits_create()))
		return lv_errorf(err, -ENOMEM, "out of memory");
	if (usage_path(ctld, path, sizeof(path)) &&
	    fairshare_load(ctld->fs, path, time(NULL), err) < 0)
		return err->code;
	return backfill_init(ctld, err);
}

/* Fair-share usage is saved beside the journal. */
static bool usage_path(struct lvctld *ctld, char *buf, size_t len)
{
	if (!ctld->conf || !ctld->conf->state_dir)
		return false;
	snprintf(buf, len, "%s/fairshare.json", ctld->conf->state_dir);
	return true;
}

static void save_usage(struct lvctld *ctld, time_t now, bool at_exit)
{
	struct lv_error err = {0};
	char path[4096];

	if (ctld->fs && fairshare_save_due(ctld->fs, now, at_exit) &&
	    usage_path(ctld, path, sizeof(path)) &&
	    fairshare_save(ctld->fs, path, now, &err) < 0)
		lv_log(LV_LOG_ERR, "sched: %s", err.text);
}

void sched_fini(struct lvctld *ctld)
{
	if (ctld->sched_ev)
		event_free(ctld->sched_ev);
	ctld->sched_ev = NULL;
	free(ctld->sched_blocked);
	ctld->sched_blocked = NULL;
	backfill_fini(ctld);
	save_usage(ctld, time(NULL), true);
	fairshare_destroy(ctld->fs);
	ctld->fs = NULL;
	limits_destroy(ctld->limits);
	ctld->limits = NULL;
	free(ctld->queue);
	ctld->queue = NULL;
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
	job->est_start = 0;
	jobs_array_task_started(ctld->jobs, job);
	limits_job_started(ctld, job);
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
	return limits_blocked(ctld, job, part);
}

enum job_reason sched_blocked_by(struct lvctld *ctld, struct job *job,
				 time_t now)
{
	return blocked_by(ctld, job, job_partition(ctld, job), now);
}

bool sched_start_on(struct lvctld *ctld, struct job *job, struct grant *g,
		    size_t n, time_t now)
{
	struct job *run = job->array_pending ? split_task(ctld, job) : job;

	if (!run) {
		free(g);
		return false;
	}
	if (!run->eligible_time)
		run->eligible_time = now;
	start_job(ctld, run, g, n, now);
	return true;
}

/* The job's priority: the multifactor formula (priority.c), then the
 * policy's priority() hook, which may add to it or replace it.  An
 * administrator's Priority= stays as set. */
static void update_priority(struct lvctld *ctld, const struct prio_totals *t,
			    struct job *job, time_t now)
{
	priority_update(ctld->conf, ctld->fs, t, job, job_partition(ctld, job),
			now);
	if (job->prio_admin || !ctld->policy)
		return;
	job->priority = policy_priority(ctld->policy, job, job->priority);
	if (job->priority < 1) /* 0 would read as held */
		job->priority = 1;
}

/* Tries to start job (or the next task of an array).  Returns true when
 * something started. */
static bool try_start(struct lvctld *ctld, struct job *job,
		      struct partition *part, time_t now)
{
	struct grant *g = NULL;
	size_t n = 0;

	/* The policy's place() hook ranks or narrows the nodes. */
	if (select_nodes_placed(job, part, ctld->nodes, ctld->policy, &g, &n) <
	    0) {
		job->reason = REASON_RESOURCES;
		return false;
	}
	if (!sched_start_on(ctld, job, g, n, now))
		return false;
	ctld->sched_stats.started++;
	return true;
}

/* A job waits for resources in partition pi: lower-priority jobs of
 * every partition sharing its nodes wait behind it (backfill may still
 * start them when they delay nobody). */
static void block(struct lvctld *ctld, bool *blocked, size_t pi)
{
	size_t j, np = partitions_count(ctld->parts);

	for (j = 0; j < np; j++)
		if (partitions_overlap(ctld->parts, pi, j))
			blocked[j] = true;
	blocked[pi] = true;
}

/* Considers one pending job; blocked[] carries the partitions where an
 * earlier job waits for resources. */
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
		pi = partition_index(ctld->parts, part);
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
	if (job->state == JOB_PENDING && job->reason == REASON_RESOURCES) {
		/* Whatever it preempts, it starts once they are gone. */
		(void)preempt_for(ctld, job, part, now);
		block(ctld, blocked, pi);
	}
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

/* Scheduling order: PriorityTier, then priority, then submission. */
static int by_priority(const void *a, const void *b)
{
	const struct job *x = *(struct job *const *)a;
	const struct job *y = *(struct job *const *)b;
	uint32_t tx = x->part ? x->part->priority_tier : 0;
	uint32_t ty = y->part ? y->part->priority_tier : 0;

	if (tx != ty)
		return tx > ty ? -1 : 1;
	if (x->priority != y->priority)
		return x->priority > y->priority ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

bool sched_outranks(const struct job *a, const struct job *b)
{
	return by_priority(&a, &b) < 0;
}

static bool wants_pass(const struct job *job)
{
	return job->state == JOB_PENDING &&
	       !(job->array_pending && !lv_bitmap_count(job->array_pending));
}

/* Pending jobs with fresh priorities, sorted into ctld->queue; returns
 * the count (0 on ENOMEM, logged). */
static size_t build_queue(struct lvctld *ctld, time_t now)
{
	struct prio_totals t;
	struct job *job;
	size_t n = 0;

	priority_totals(ctld->nodes, ctld->parts, ctld->conf, &t);
	for (job = jobs_first(ctld->jobs); job; job = jobs_next(job)) {
		if (!wants_pass(job))
			continue;
		if (n == ctld->queue_cap) {
			size_t cap = ctld->queue_cap ? ctld->queue_cap * 2 : 1024;
			struct job **q = realloc(ctld->queue, cap * sizeof(*q));

			if (!q) {
				lv_log(LV_LOG_ERR, "sched: out of memory ordering %zu jobs",
				       n);
				return 0;
			}
			ctld->queue = q;
			ctld->queue_cap = cap;
		}
		update_priority(ctld, &t, job, now);
		ctld->queue[n++] = job;
	}
	if (n > 1) /* the queue is still NULL when no job waits */
		qsort(ctld->queue, n, sizeof(*ctld->queue), by_priority);
	return n;
}

static double elapsed_us(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e6 +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e3;
}

void sched_pass(struct lvctld *ctld)
{
	bool *blocked = blocked_flags(ctld, true);
	time_t now = time(NULL);
	struct timespec t0, c0, c1;
	size_t i, n;
	double us;

	/* StateDir failing: starts could not be recorded (the tick
	 * retries). */
	if (!blocked || !persist_writable(ctld))
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
	ctld->sched_passes++;
	limits_recount(ctld);
	n = build_queue(ctld, now);
	/* Jobs started below do not leave the queue: consider() skips what
	 * is no longer pending. */
	for (i = 0; i < n; i++)
		consider(ctld, ctld->queue[i], blocked, now);
	ctld->sched_seen_id = jobs_next_id(ctld->jobs);
	us = elapsed_us(&t0);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
	ctld->sched_stats.last_cpu_us = (double)(c1.tv_sec - c0.tv_sec) * 1e6 +
					(double)(c1.tv_nsec - c0.tv_nsec) / 1e3;
	ctld->sched_stats.full_passes++;
	ctld->sched_stats.last_us = us;
	ctld->sched_stats.total_us += us;
	ctld->sched_stats.last_depth = n;
	if (us > ctld->sched_stats.max_us)
		ctld->sched_stats.max_us = us;
	ctld->sched_stats.last_end_s = mono_s();
	backfill_kick(ctld);
}

/* Only jobs submitted since the last pass: nothing else changed for the
 * others (whatever frees resources or changes eligibility asks for a full
 * pass), so a submission costs O(new jobs), not O(queue). */
static void sched_pass_new(struct lvctld *ctld)
{
	bool *blocked = blocked_flags(ctld, false);
	time_t now = time(NULL);
	struct job *job = jobs_last(ctld->jobs), *next;

	struct prio_totals t;

	if (!blocked || !persist_writable(ctld))
		return;
	ctld->sched_stats.new_passes++;
	priority_totals(ctld->nodes, ctld->parts, ctld->conf, &t);
	while (job && jobs_prev(job) && jobs_prev(job)->id >= ctld->sched_seen_id)
		job = jobs_prev(job);
	/* New jobs go in submission order; a new job that outranks a
	 * waiting one is ordered properly at the next full pass. */
	for (; job; job = next) {
		next = jobs_next(job);
		if (job->id < ctld->sched_seen_id)
			continue;
		update_priority(ctld, &t, job, now);
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

/* Fair share: the CPU-seconds job held since it started or since the
 * last PriorityCalcPeriod step, whichever is later. */
static void charge(struct lvctld *ctld, const struct job *job, time_t now)
{
	time_t from = job->start_time, cu = fairshare_charged_until(ctld->fs);

	if (!from || job_is_finished(job) || !job->num_cpus)
		return;
	if (cu > from)
		from = cu;
	if (now > from &&
	    fairshare_charge(ctld->fs, job->account, job->user,
			     (double)job->num_cpus * (double)(now - from),
			     now) < 0)
		lv_log(LV_LOG_ERR, "sched: job=%u: out of memory charging usage",
		       job->id);
}

/* Every PriorityCalcPeriod: running jobs' usage so far. */
static void charge_running(struct lvctld *ctld, time_t now)
{
	uint32_t period = ctld->conf->prio_calc_period;
	struct job *job;

	if (!period || now - fairshare_charged_until(ctld->fs) <
			       (time_t)period * 60)
		return;
	for (job = jobs_first(ctld->jobs); job; job = jobs_next(job))
		if (job->state == JOB_RUNNING || job->state == JOB_COMPLETING)
			charge(ctld, job, now);
	fairshare_set_charged_until(ctld->fs, now);
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
	charge_running(ctld, now);
	save_usage(ctld, now, false);
	/* Backfill cycles start from a full pass, every BackfillInterval. */
	if (backfill_due(ctld))
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
	charge(ctld, job, now);
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
	if (!job_is_finished(job)) {
		charge(ctld, job, time(NULL));
		release(ctld, job);
	}
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
