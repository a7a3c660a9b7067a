/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The job table: a hash by id plus a list in submission order. */
#include "config.h"

#include "sched/jobs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "common/bitmap.h"

struct jobs {
	struct job **buckets;
	size_t nbuckets;
	size_t count, active;
	struct job *head, *tail;
	uint32_t next_id;
};

struct jobs *jobs_create(uint32_t first_id)
{
	struct jobs *jobs = calloc(1, sizeof(*jobs));

	if (!jobs)
		return NULL;
	jobs->nbuckets = 1024;
	if (!(jobs->buckets = calloc(jobs->nbuckets, sizeof(*jobs->buckets)))) {
		free(jobs);
		return NULL;
	}
	jobs->next_id = first_id ? first_id : 1;
	return jobs;
}

void jobs_destroy(struct jobs *jobs)
{
	struct job *j, *next;

	if (!jobs)
		return;
	for (j = jobs->head; j; j = next) {
		next = j->next;
		job_destroy(j);
	}
	free(jobs->buckets);
	free(jobs);
}

uint32_t jobs_next_id(const struct jobs *jobs)
{
	return jobs->next_id;
}

void jobs_bump_id(struct jobs *jobs, uint32_t next)
{
	if (next > jobs->next_id)
		jobs->next_id = next;
}

static size_t bucket(const struct jobs *jobs, uint32_t id)
{
	return (id * 2654435761u) & (jobs->nbuckets - 1);
}

/* Doubles the hash when it gets crowded, so lookups stay O(1). */
static void maybe_grow(struct jobs *jobs)
{
	struct job **nb, *j;
	size_t n = jobs->nbuckets * 2, b;

	if (jobs->count < jobs->nbuckets * 2)
		return;
	if (!(nb = calloc(n, sizeof(*nb))))
		return; /* still correct, only slower */
	free(jobs->buckets);
	jobs->buckets = nb;
	jobs->nbuckets = n;
	for (j = jobs->head; j; j = j->next) {
		b = bucket(jobs, j->id);
		j->hash_next = nb[b];
		nb[b] = j;
	}
}

int jobs_add(struct jobs *jobs, struct job *job)
{
	size_t b;

	if (!job->id)
		job->id = jobs->next_id++;
	else if (job->id >= jobs->next_id)
		jobs->next_id = job->id + 1;
	b = bucket(jobs, job->id);
	job->hash_next = jobs->buckets[b];
	jobs->buckets[b] = job;
	job->prev = jobs->tail;
	job->next = NULL;
	if (jobs->tail)
		jobs->tail->next = job;
	else
		jobs->head = job;
	jobs->tail = job;
	jobs->count++;
	if (!job_is_finished(job))
		jobs->active++;
	maybe_grow(jobs);
	return 0;
}

void jobs_remove(struct jobs *jobs, struct job *job)
{
	struct job **pp = &jobs->buckets[bucket(jobs, job->id)];

	while (*pp && *pp != job)
		pp = &(*pp)->hash_next;
	if (*pp)
		*pp = job->hash_next;
	if (job->prev)
		job->prev->next = job->next;
	else
		jobs->head = job->next;
	if (job->next)
		job->next->prev = job->prev;
	else
		jobs->tail = job->prev;
	job->prev = job->next = job->hash_next = NULL;
	jobs->count--;
	if (!job_is_finished(job))
		jobs->active--;
}

struct job *jobs_find(struct jobs *jobs, uint32_t id)
{
	struct job *j;

	for (j = jobs->buckets[bucket(jobs, id)]; j; j = j->hash_next)
		if (j->id == id)
			return j;
	return NULL;
}

struct job *jobs_first(struct jobs *jobs)
{
	return jobs->head;
}

struct job *jobs_next(struct job *job)
{
	return job->next;
}

struct job *jobs_last(struct jobs *jobs)
{
	return jobs->tail;
}

struct job *jobs_prev(struct job *job)
{
	return job->prev;
}

size_t jobs_count(const struct jobs *jobs)
{
	return jobs->count;
}

size_t jobs_count_active(const struct jobs *jobs)
{
	return jobs->active;
}

static bool ended_ok(const struct job *j)
{
	return j->state == JOB_COMPLETED && WIFEXITED(j->exit_status) &&
	       WEXITSTATUS(j->exit_status) == 0;
}

/* One task of an array: still pending in the array's record, or a job
 * of its own once started. */
static void task_status(struct jobs *jobs, struct job *a, uint32_t task,
			struct dep_status *st)
{
	struct job *j;

	if (a->array_pending && task < lv_bitmap_size(a->array_pending) &&
	    lv_bitmap_test(a->array_pending, task)) {
		st->exists = true;
		return;
	}
	for (j = jobs->head; j; j = j->next)
		if (j->array_job_id == a->id && j->array_task_id == task)
			break;
	if (!j)
		return;
	st->exists = true;
	st->started = j->state != JOB_PENDING || j->state == JOB_CANCELLED;
	st->finished = job_is_finished(j);
	st->all_ok = st->any_ok = ended_ok(j);
}

void jobs_dep_status(uint32_t id, uint32_t task, struct dep_status *st,
		     void *arg)
{
	struct job *j = jobs_find(arg, id);

	memset(st, 0, sizeof(*st));
	if (!j)
		return;
	if (task != DEP_NO_TASK) {
		if (j->array_total)
			task_status(arg, j, task, st);
		return;
	}
	st->exists = true;
	if (j->array_total) {
		/* An array: the record of its still-pending tasks. */
		st->started = j->array_started == j->array_total;
		st->finished = j->array_done == j->array_total;
		st->all_ok = j->array_ok == j->array_total;
		st->any_ok = j->array_ok > 0;
		return;
	}
	st->started = j->state != JOB_PENDING;
	st->finished = job_is_finished(j);
	st->all_ok = st->any_ok = ended_ok(j);
	/* A cancelled job "started" for after: dependencies (sbatch). */
	if (j->state == JOB_CANCELLED)
		st->started = true;
}

bool jobs_singleton_busy(const struct job *self, void *arg)
{
	struct jobs *jobs = arg;
	struct job *j;

	for (j = jobs->head; j; j = j->next)
		if (j != self && j->uid == self->uid &&
		    (j->state == JOB_RUNNING || j->state == JOB_COMPLETING) &&
		    strcmp(j->name, self->name) == 0)
			return true;
	return false;
}

void jobs_set_finished(struct jobs *jobs, struct job *job,
		       enum job_state state, time_t now)
{
	if (!job_is_finished(job) && jobs->active)
		jobs->active--;
	job->state = state;
	job->end_time = now;
}

void jobs_set_pending(struct jobs *jobs, struct job *job)
{
	if (job_is_finished(job))
		jobs->active++;
	job->state = JOB_PENDING;
}

void jobs_array_task_started(struct jobs *jobs, const struct job *task)
{
	struct job *a = task->array_job_id ? jobs_find(jobs, task->array_job_id)
					   : NULL;

	if (!a)
		return;
	a->array_started++;
	a->array_running++;
}

void jobs_array_task_ended(struct jobs *jobs, const struct job *task)
{
	struct job *a = task->array_job_id ? jobs_find(jobs, task->array_job_id)
					   : NULL;

	if (!a)
		return;
	if (a->array_running)
		a->array_running--;
	a->array_done++;
	if (ended_ok(task))
		a->array_ok++;
	/* Once every task has ended, the array's record ends too. */
	if (a->array_done == a->array_total && !job_is_finished(a))
		jobs_set_finished(jobs, a,
				  a->array_ok == a->array_total ? JOB_COMPLETED
								: JOB_FAILED,
				  task->end_time);
}

size_t jobs_purge(struct jobs *jobs, time_t now, time_t min_age)
{
	struct job *j, *next, *a;
	size_t n = 0;

	for (j = jobs->head; j; j = next) {
		next = j->next;
		if (!job_is_finished(j) || now - j->end_time < min_age)
			continue;
		/* An array's record stays while any of its tasks does. */
		if (j->array_total && j->array_pending &&
		    lv_bitmap_count(j->array_pending))
			continue;
		if (j->array_job_id && (a = jobs_find(jobs, j->array_job_id)) &&
		    !job_is_finished(a))
			continue;
		jobs_remove(jobs, j);
		job_destroy(j);
		n++;
	}
	return n;
}
