/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The backfill cycle: a timeline of when running jobs end (start plus
 * time limit), reservations for the first waiting jobs of each partition,
 * and lower jobs started now only where they overlap no reservation. */
#include "config.h"

#include "sched/backfill.h"

#include <errno.h>
#include <event2/event.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/timefmt.h"
#include "sched/ctld.h"
#include "sched/jobs.h"
#include "sched/nodes.h"
#include "sched/partitions.h"
#include "sched/sched.h"
#include "sched/select.h"

/* A slice of a cycle runs at most this long before yielding the loop. */
#define SLICE_US 20000.0
/* Future instants tried when planning one job's reservation. */
#define MAX_PLAN_TRIES 64
/* "Never": the end of a job without a time limit. */
#define FOREVER ((time_t)INT64_MAX / 4)

/* A running job's expected end. */
struct bf_end {
	time_t end;
	uint32_t job_id;
	time_t start; /* to tell a requeued and restarted job apart */
};

/* Nodes held for a waiting job from start to end. */
struct bf_resv {
	time_t start, end;
	struct grant *g;
	size_t n;
};

/* A request that failed to start now in a partition this slice:
 * anything as big and as long fails too (resources only shrink during a
 * slice). */
struct bf_fail {
	bool set;
	uint32_t cpus, nodes;
	uint64_t mem_cpu, mem_node;
	time_t dur;
	bool exclusive;
};

/* Failures remembered per partition: the smallest ones of a mixed queue. */
#define FAIL_MEMO 8

struct backfill {
	struct event *ev;
	bool active;
	time_t last_end; /* when the last cycle ended */
	uint32_t *ids;   /* the cycle's jobs in priority order */
	size_t n, pos, cap;
	size_t resume; /* BackfillMaxJobTest cut: where to go on */
	uint32_t tested;
	struct bf_end *ends;
	size_t n_ends, cap_ends;
	struct bf_resv *resv;
	size_t n_resv, cap_resv;
	struct node_saved *held; /* what resv_hold changed, to undo */
	size_t n_held, cap_held;
	uint32_t *resv_count; /* per partition */
	uint64_t *free_cpus;  /* per partition, at the slice's start */
	struct bf_fail *fail; /* FAIL_MEMO per partition */
	unsigned *fail_next;  /* per partition: the entry to replace next */
	size_t n_parts;
	unsigned parts_gen; /* ctld->parts_gen when the cycle started */
	struct timespec wall0;
	double busy_us;   /* this cycle, in slices (wall clock) */
	double cpu_us;    /* this cycle: the thread's CPU time */
	uint32_t started; /* this cycle */
	/* Figures of the last finished cycle and totals. */
	uint64_t cycles, total_started;
	double last_us, max_us, last_wall_us, last_cpu_us;
	uint64_t last_depth, last_tested, last_started, last_resv;
};

static void on_slice(evutil_socket_t fd, short what, void *arg);

int backfill_init(struct lvctld *ctld, struct lv_error *err)
{
	struct backfill *bf = calloc(1, sizeof(*bf));

	if (!bf)
		return lv_errorf(err, -ENOMEM, "out of memory");
	if (!(bf->ev = event_new(ctld->base, -1, 0, on_slice, ctld))) {
		free(bf);
		return lv_errorf(err, -ENOMEM,
				 "cannot create the backfill event");
	}
	ctld->bf = bf;
	return 0;
}

static void drop_resv(struct backfill *bf)
{
	size_t i;

	for (i = 0; i < bf->n_resv; i++)
		free(bf->resv[i].g);
	bf->n_resv = 0;
}

void backfill_fini(struct lvctld *ctld)
{
	struct backfill *bf = ctld->bf;

	if (!bf)
		return;
	if (bf->ev)
		event_free(bf->ev);
	drop_resv(bf);
	free(bf->resv);
	free(bf->held);
	free(bf->ids);
	free(bf->ends);
	free(bf->resv_count);
	free(bf->free_cpus);
	free(bf->fail);
	free(bf->fail_next);
	free(bf);
	ctld->bf = NULL;
}

static double since_us(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e6 +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e3;
}

/* CPU time of this thread: what a slice cost, whatever else runs. */
static double cpu_since_us(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e6 +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e3;
}

bool backfill_due(struct lvctld *ctld)
{
	struct backfill *bf = ctld->bf;

	return bf && !bf->active &&
	       time(NULL) - bf->last_end >= (time_t)ctld->conf->bf_interval;
}

static void *grow_to(void *pp, size_t *cap, size_t need, size_t size)
{
	void **p = pp, *q;
	size_t c = *cap ? *cap : 64;

	if (need <= *cap)
		return *p;
	while (c < need)
		c *= 2;
	if (!(q = realloc(*p, c * size)))
		return NULL;
	*p = q;
	*cap = c;
	return q;
}

static time_t job_end(const struct job *job, time_t now)
{
	time_t end;

	if (job->state == JOB_COMPLETING)
		return now + 1; /* being killed */
	if (job->req.time_limit == LV_TIME_UNLIMITED)
		return FOREVER;
	end = job->start_time + (time_t)job->req.time_limit * 60;
	return end > now ? end : now + 1;
}

static int by_end(const void *a, const void *b)
{
	const struct bf_end *x = a, *y = b;

	return x->end < y->end ? -1 : x->end > y->end;
}

/* The timeline: every running job's expected end, soonest first, into
 * *v (grown as needed). */
static int build_ends(struct lvctld *ctld, struct bf_end **v, size_t *n,
		      size_t *cap, time_t now)
{
	struct job *job;

	*n = 0;
	for (job = jobs_first(ctld->jobs); job; job = jobs_next(job)) {
		time_t end;

		if ((job->state != JOB_RUNNING &&
		     job->state != JOB_COMPLETING) ||
		    !job->n_grants || (end = job_end(job, now)) == FOREVER)
			continue;
		if (!grow_to(v, cap, *n + 1, sizeof(**v)))
			return -ENOMEM;
		(*v)[(*n)++] = (struct bf_end){end, job->id, job->start_time};
	}
	if (*n > 1) /* *v is NULL while nothing runs */
		qsort(*v, *n, sizeof(**v), by_end);
	return 0;
}

static int start_cycle(struct lvctld *ctld, struct backfill *bf, time_t now)
{
	size_t n = 0, i, np = partitions_count(ctld->parts);

	/* ctld->queue was just ordered by the full pass; ids, because jobs
	 * may end and go while the cycle runs. */
	if (!grow_to(&bf->ids, &bf->cap, ctld->sched_stats.last_depth + 1,
		     sizeof(*bf->ids)))
		return -ENOMEM;
	for (i = 0; i < ctld->sched_stats.last_depth; i++)
		if (ctld->queue[i]->state == JOB_PENDING)
			bf->ids[n++] = ctld->queue[i]->id;
	bf->n = n;
	bf->pos = bf->resume < n ? bf->resume : 0;
	bf->resume = 0;
	if (build_ends(ctld, &bf->ends, &bf->n_ends, &bf->cap_ends, now) < 0)
		return -ENOMEM;
	drop_resv(bf);
	if (np != bf->n_parts) {
		free(bf->resv_count);
		free(bf->free_cpus);
		free(bf->fail);
		free(bf->fail_next);
		bf->n_parts = 0;
		bf->resv_count = calloc(np + 1, sizeof(*bf->resv_count));
		bf->free_cpus = calloc(np + 1, sizeof(*bf->free_cpus));
		bf->fail = calloc((np + 1) * FAIL_MEMO, sizeof(*bf->fail));
		bf->fail_next = calloc(np + 1, sizeof(*bf->fail_next));
		if (!bf->resv_count || !bf->free_cpus || !bf->fail ||
		    !bf->fail_next)
			return -ENOMEM;
		bf->n_parts = np;
	}
	memset(bf->resv_count, 0, np * sizeof(*bf->resv_count));
	bf->tested = bf->started = 0;
	bf->parts_gen = ctld->parts_gen;
	bf->busy_us = bf->cpu_us = 0;
	clock_gettime(CLOCK_MONOTONIC, &bf->wall0);
	bf->active = true;
	return 0;
}

void backfill_kick(struct lvctld *ctld)
{
	struct backfill *bf = ctld->bf;
	struct timeval zero = {0, 0};

	if (!bf || !backfill_due(ctld))
		return;
	if (start_cycle(ctld, bf, time(NULL)) < 0) {
		lv_log(LV_LOG_ERR, "backfill: out of memory starting a cycle");
		bf->active = false;
		bf->last_end = time(NULL);
		return;
	}
	/* A timer, not event_active: the loop polls its sockets between
	 * slices. */
	event_add(bf->ev, &zero);
}

/* Takes (sign < 0: gives back) a running job's resources on the live node
 * table, to ask select_nodes about a moment after it ends.  Its grants
 * name exact PUs, released and booked again in reverse order. */
static void shadow(struct lvctld *ctld, const struct grant *g, size_t n,
		   int sign)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct node *node = nodes_get(ctld->nodes, g[i].node);
		struct grant tmp = g[i];

		if (!node)
			continue;
		if (sign > 0)
			nodes_alloc(node, &tmp);
		else
			nodes_release(node, &tmp);
	}
}

/* Holds every reservation overlapping [from, to) on the live node table
 * (none when bf is NULL).  A reservation's PUs were chosen for its own
 * start and may still be held by running jobs at from: holding is a
 * union, and resv_release restores exactly what was there.  false on
 * ENOMEM (whatever was held is released). */
static bool resv_hold(struct lvctld *ctld, struct backfill *bf, time_t from,
		      time_t to)
{
	size_t i, k;

	for (i = 0; bf && i < bf->n_resv; i++) {
		const struct bf_resv *r = &bf->resv[i];

		if (r->start >= to || r->end <= from)
			continue;
		if (!grow_to(&bf->held, &bf->cap_held, bf->n_held + r->n,
			     sizeof(*bf->held)))
			return false;
		for (k = 0; k < r->n; k++) {
			struct node *node = nodes_get(ctld->nodes, r->g[k].node);

			if (node)
				nodes_hold(node, &r->g[k],
					   &bf->held[bf->n_held++]);
		}
	}
	return true;
}

static void resv_release(struct lvctld *ctld, struct backfill *bf)
{
	while (bf && bf->n_held) {
		const struct node_saved *s = &bf->held[--bf->n_held];

		nodes_unhold(nodes_get(ctld->nodes, s->node), s);
	}
}

/* select_nodes for job at instant t, holding what is reserved; with pol
 * (a start now) the policy's place() hook has its say. */
static int fit_at(struct lvctld *ctld, struct backfill *bf,
		  const struct job *job, struct partition *part, time_t t,
		  time_t dur, struct policy *pol, struct grant **g, size_t *n)
{
	time_t end = dur == FOREVER ? FOREVER : t + dur;
	int rc;

	if (!resv_hold(ctld, bf, t, end))
		rc = -ENOMEM;
	else
		rc = select_nodes_placed(job, part, ctld->nodes, pol, g, n);
	resv_release(ctld, bf);
	return rc;
}

static bool running_since(const struct job *r, time_t start)
{
	return r && (r->state == JOB_RUNNING || r->state == JOB_COMPLETING) &&
	       r->start_time == start && r->n_grants;
}

/* Holds g's nodes for job from t for dur; takes g (freed on ENOMEM: the
 * job then has no reservation, as past BackfillReserve). */
static void add_resv(struct lvctld *ctld, struct backfill *bf, struct job *job,
		     struct partition *part, time_t t, time_t dur,
		     struct grant *g, size_t n)
{
	if (!grow_to(&bf->resv, &bf->cap_resv, bf->n_resv + 1,
		     sizeof(*bf->resv))) {
		free(g);
		return;
	}
	bf->resv[bf->n_resv++] =
		(struct bf_resv){t, dur == FOREVER ? FOREVER : t + dur, g, n};
	bf->resv_count[partition_index(ctld->parts, part)]++;
	job->est_start = t;
}

/* The earliest of the instants in ends[] at which job fits, around bf's
 * reservations (bf may be NULL): true with *t and the grant (*g, *n, the
 * caller's). */
static bool earliest(struct lvctld *ctld, struct backfill *bf,
		     const struct bf_end *ends, size_t n_ends,
		     const struct job *job, struct partition *part, time_t dur,
		     time_t *t, struct grant **g, size_t *n)
{
	size_t i, k, tries = 0, done = 0;
	bool found = false;
	struct job *r;

	for (i = 0; i < n_ends && tries < MAX_PLAN_TRIES && !found; i = k) {
		*t = ends[i].end;
		/* Everything ending at t goes at once. */
		for (k = i; k < n_ends && ends[k].end == *t; k++) {
			r = jobs_find(ctld->jobs, ends[k].job_id);
			if (running_since(r, ends[k].start))
				shadow(ctld, r->grants, r->n_grants, -1);
		}
		done = k;
		tries++;
		found = fit_at(ctld, bf, job, part, *t, dur, NULL, g, n) == 0;
	}
	/* Undo the releases. */
	for (i = 0; i < done; i++) {
		r = jobs_find(ctld->jobs, ends[i].job_id);
		if (running_since(r, ends[i].start))
			shadow(ctld, r->grants, r->n_grants, 1);
	}
	return found;
}

/* The earliest instant job fits as running jobs end; books it. */
static void plan(struct lvctld *ctld, struct backfill *bf, struct job *job,
		 struct partition *part, time_t dur)
{
	struct grant *g = NULL;
	size_t n = 0;
	time_t t;

	job->est_start = 0;
	if (earliest(ctld, bf, bf->ends, bf->n_ends, job, part, dur, &t, &g,
		     &n))
		add_resv(ctld, bf, job, part, t, dur, g, n);
}

static time_t duration(const struct job *job)
{
	return job->req.time_limit == LV_TIME_UNLIMITED
		       ? FOREVER
		       : (time_t)job->req.time_limit * 60;
}

static bool plain(const struct job *job)
{
	return !job->req.nodelist && !job->req.exclude;
}

/* True when failure f says job cannot start either. */
static bool covers(const struct bf_fail *f, const struct job *job, time_t dur)
{
	const struct job_req *r = &job->req;

	return f->set && job_cpus_needed(job) >= f->cpus &&
	       r->nodes_min >= f->nodes && r->mem_per_cpu >= f->mem_cpu &&
	       r->mem_per_node >= f->mem_node && dur >= f->dur &&
	       (r->exclusive || !f->exclusive);
}

/* True when an earlier failure in the slice says job cannot start. */
static bool known_to_fail(const struct bf_fail *memo, const struct job *job,
			  time_t dur)
{
	size_t i;

	if (!plain(job))
		return false;
	for (i = 0; i < FAIL_MEMO; i++)
		if (covers(&memo[i], job, dur))
			return true;
	return false;
}

/* Remembers a failure, in place of one it makes useless if any. */
static void note_fail(struct bf_fail *memo, unsigned *next,
		      const struct job *job, time_t dur)
{
	struct bf_fail f = {true,
			    job_cpus_needed(job),
			    job->req.nodes_min,
			    job->req.mem_per_cpu,
			    job->req.mem_per_node,
			    dur,
			    job->req.exclusive};
	size_t i;

	if (!plain(job))
		return;
	for (i = 0; i < FAIL_MEMO; i++)
		if (!memo[i].set ||
		    (f.cpus <= memo[i].cpus && f.nodes <= memo[i].nodes &&
		     f.mem_cpu <= memo[i].mem_cpu &&
		     f.mem_node <= memo[i].mem_node && f.dur <= memo[i].dur &&
		     (!f.exclusive || memo[i].exclusive))) {
			memo[i] = f;
			return;
		}
	memo[*next % FAIL_MEMO] = f;
	*next = (*next + 1) % FAIL_MEMO;
}

/* Free CPUs per partition now, the cheap first test of "fits now". */
static void count_free(struct lvctld *ctld, struct backfill *bf)
{
	size_t p, i;

	for (p = 0; p < bf->n_parts; p++) {
		struct partition *part = partitions_get(ctld->parts, p);
		uint64_t sum = 0;

		for (i = 0; i < part->n_nodes; i++) {
			struct node *node =
				nodes_get(ctld->nodes, part->node_idx[i]);
			uint32_t c = node_cpus(node);

			if (node_is_available(node) && c > node->cpus_alloc)
				sum += c - node->cpus_alloc;
		}
		bf->free_cpus[p] = sum;
		memset(&bf->fail[p * FAIL_MEMO], 0,
		       FAIL_MEMO * sizeof(*bf->fail));
	}
}

/* Tests one job: start it now if that delays no reservation, or reserve
 * its earliest start. */
static void test_job(struct lvctld *ctld, struct backfill *bf, struct job *job,
		     time_t now)
{
	struct partition *part = job_partition(ctld, job);
	time_t dur = duration(job);
	struct grant *g = NULL;
	size_t n = 0, pi, i;
	uint32_t cpus = 0;

	if (!part || sched_blocked_by(ctld, job, now) != REASON_NONE) {
		job->est_start = 0;
		return;
	}
	pi = partition_index(ctld->parts, part);
	bf->tested++;
	if (bf->free_cpus[pi] >= job_cpus_needed(job) &&
	    !known_to_fail(&bf->fail[pi * FAIL_MEMO], job, dur)) {
		if (fit_at(ctld, bf, job, part, now, dur, ctld->policy, &g,
			   &n) == 0) {
			for (i = 0; i < n; i++)
				cpus += g[i].cpus;
			if (sched_start_on(ctld, job, g, n, now)) {
				bf->started++;
				lv_debug(LV_DBG_SCHED,
					 "backfill: job=%u started", job->id);
				/* Every partition sharing the nodes has less.
				 */
				for (i = 0; i < bf->n_parts; i++)
					if (partitions_overlap(ctld->parts, pi,
							       i))
						bf->free_cpus[i] -=
							bf->free_cpus[i] > cpus
								? cpus
								: bf->free_cpus
									  [i];
			}
			return;
		}
		note_fail(&bf->fail[pi * FAIL_MEMO], &bf->fail_next[pi], job,
			  dur);
	}
	if (bf->resv_count[pi] < ctld->conf->bf_reserve)
		plan(ctld, bf, job, part, dur);
	else
		job->est_start = 0;
}

static void end_cycle(struct backfill *bf)
{
	bf->active = false;
	bf->last_end = time(NULL);
	bf->cycles++;
	bf->total_started += bf->started;
	bf->last_us = bf->busy_us;
	bf->last_wall_us = since_us(&bf->wall0);
	bf->last_cpu_us = bf->cpu_us;
	if (bf->busy_us > bf->max_us)
		bf->max_us = bf->busy_us;
	bf->last_depth = bf->n;
	bf->last_tested = bf->tested;
	bf->last_started = bf->started;
	bf->last_resv = bf->n_resv;
	drop_resv(bf);
}

static void on_slice(evutil_socket_t fd, short what, void *arg)
{
	struct lvctld *ctld = arg;
	struct backfill *bf = ctld->bf;
	struct timeval zero = {0, 0};
	struct timespec t0, c0;
	time_t now = time(NULL);
	unsigned k = 0;

	(void)fd;
	(void)what;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
	/* A reconfigure rebuilt nodes and partitions: the cycle's tables and
	 * reservations no longer fit them; the next cycle starts afresh. */
	if (ctld->parts_gen != bf->parts_gen)
		bf->pos = bf->n;
	else
		count_free(ctld, bf);
	while (bf->pos < bf->n) {
		struct job *job = jobs_find(ctld->jobs, bf->ids[bf->pos++]);

		if (job && job->state == JOB_PENDING)
			test_job(ctld, bf, job, now);
		if (bf->tested >= ctld->conf->bf_max_job_test) {
			bf->resume = bf->pos;
			break;
		}
		if ((++k & 63) == 0 && since_us(&t0) > SLICE_US)
			break;
	}
	bf->busy_us += since_us(&t0);
	bf->cpu_us += cpu_since_us(&c0);
	if (bf->pos < bf->n && !bf->resume) {
		event_add(bf->ev, &zero);
		return;
	}
	end_cycle(bf);
	if (bf->last_started)
		sched_request(ctld); /* pending reasons of the rest */
}

int backfill_estimate(struct lvctld *ctld, const struct job *job,
		      struct partition *part, time_t now, time_t *start,
		      struct grant **g, size_t *n)
{
	struct bf_end *ends = NULL;
	size_t n_ends = 0, cap = 0;
	int rc;

	*start = now;
	if ((rc = select_nodes(job, part, ctld->nodes, false, g, n)) != -ENOSPC)
		return rc;
	if (build_ends(ctld, &ends, &n_ends, &cap, now) < 0)
		rc = -ENOMEM;
	else if (earliest(ctld, NULL, ends, n_ends, job, part, duration(job),
			  start, g, n))
		rc = 0;
	free(ends);
	return rc;
}

json_t *backfill_stats_json(struct lvctld *ctld)
{
	struct backfill *bf = ctld->bf;

	return json_pack(
		"{s:I, s:I, s:f, s:f, s:f, s:f, s:I, s:I, s:I, s:I, s:b}",
		"cycles", (json_int_t)bf->cycles, "total_started",
		(json_int_t)bf->total_started, "last_cycle_us", bf->last_us,
		"last_cpu_us", bf->last_cpu_us, "max_cycle_us", bf->max_us,
		"last_wall_us", bf->last_wall_us, "last_depth",
		(json_int_t)bf->last_depth, "last_tested",
		(json_int_t)bf->last_tested, "last_started",
		(json_int_t)bf->last_started, "last_reservations",
		(json_int_t)bf->last_resv, "active", bf->active);
}
