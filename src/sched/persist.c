/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lvctld's durable state: job records in the journal, answers sent once
 * they are on disk, snapshots, and recovery (proto 06, "What lvctld
 * records"). */
#include "config.h"

#include "sched/persist.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "sched/blobs.h"
#include "sched/jobs.h"
#include "sched/jobstate.h"
#include "sched/journal.h"
#include "sched/launch.h"
#include "sched/nodes.h"
#include "sched/sched.h"

#define SNAPSHOT_VERSION 1

/* glibc's: hands freed heap back to the system.  Building or reading a
 * snapshot makes a large, short-lived JSON tree whose pages glibc would
 * otherwise keep (RSS 200 instead of 70 MiB with 90,000 jobs).  Weak:
 * a C library without it just keeps the pages. */
extern int malloc_trim(size_t pad) __attribute__((weak));

static void give_back_memory(void)
{
	if (malloc_trim)
		(void)malloc_trim(0);
}

/* What a record's done callback has to do, in append order. */
enum rec_kind {
	REC_STATE,  /* a job's state: nothing, unless it failed */
	REC_SUBMIT, /* a submission: add the job and answer */
	REC_START,  /* a start: launch the job */
};

struct submit {
	struct job *job;
	uint64_t conn_id;
	uint32_t req_id;
	uint64_t blob_id; /* its blob's, written in full: durable once done */
};

struct owed {
	enum rec_kind kind;
	uint32_t job_id;
	uint32_t restarts;
	struct submit *sub;
};

/* An answer waiting for the records before it. */
struct waiter {
	uint64_t first, target; /* its records: (first, target] */
	uint64_t conn_id;
	uint32_t req_id;
	json_t *body;
	struct waiter *next;
};

struct ids {
	uint32_t *v;
	size_t n, cap;
};

struct persist {
	struct lvctld *ctld;
	struct owed *ring; /* one entry per record whose done is owed */
	size_t cap, head, n;
	uint64_t appended, settled, last_failed;
	struct waiter *wait_head, **wait_tail;
	struct ids retry;    /* jobs whose last record failed */
	struct ids lost;     /* replay: jobs granted a node that is gone */
	struct blobs *blobs; /* descriptions by content, written once */
	size_t submits;
	bool writable;
	size_t snap_bytes; /* estimated size of the last snapshot */
	time_t recovered_at;
	bool check_unknown; /* recovered running jobs: watch their nodes */
	size_t replayed;
};

/* ---- Node names for grants ---- */

static const char *node_name(size_t index, void *arg)
{
	struct node *n = nodes_get(arg, index);

	return n ? n->name : NULL;
}

static long node_index(const char *name, void *arg)
{
	struct node *n = nodes_find(arg, name);

	return n ? (long)n->index : -1;
}

static struct jobstate_nodes names(struct lvctld *ctld)
{
	struct jobstate_nodes jn = {node_name, node_index, ctld->nodes};

	return jn;
}

static int ids_push(struct ids *ids, uint32_t id)
{
	uint32_t *v;

	if (ids->n == ids->cap) {
		size_t cap = ids->cap ? ids->cap * 2 : 64;

		if (!(v = realloc(ids->v, cap * sizeof(*v))))
			return -ENOMEM;
		ids->v = v;
		ids->cap = cap;
	}
	ids->v[ids->n++] = id;
	return 0;
}

static bool ids_has(const struct ids *ids, uint32_t id)
{
	size_t i;

	for (i = 0; i < ids->n; i++)
		if (ids->v[i] == id)
			return true;
	return false;
}

/* ---- Appending ---- */

static int ring_push(struct persist *p, const struct owed *o)
{
	struct owed *ring;
	size_t i, cap;

	if (p->n == p->cap) {
		cap = p->cap ? p->cap * 2 : 256;
		if (!(ring = malloc(cap * sizeof(*ring))))
			return -ENOMEM;
		for (i = 0; i < p->n; i++)
			ring[i] = p->ring[(p->head + i) % p->cap];
		free(p->ring);
		p->ring = ring;
		p->cap = cap;
		p->head = 0;
	}
	p->ring[(p->head + p->n) % p->cap] = *o;
	p->n++;
	return 0;
}

static struct owed ring_pop(struct persist *p)
{
	struct owed o = p->ring[p->head];

	p->head = (p->head + 1) % p->cap;
	p->n--;
	return o;
}

static void send_answer(struct persist *p, struct waiter *w, bool failed)
{
	struct lv_rpc_conn *conn =
		p->ctld->rpc ? lv_rpc_server_find(p->ctld->rpc, w->conn_id)
			     : NULL;

	if (conn && failed)
		lv_rpc_respond_error(
			conn, w->req_id, EIO,
			"the change was made but StateDir could not record it (full or failing): it may not survive a restart of lvctld");
	else if (conn)
		lv_rpc_respond(conn, w->req_id, w->body);
	if (!conn || failed)
		json_decref(w->body);
	free(w);
}

static void release_waiters(struct persist *p)
{
	struct waiter *w;

	while ((w = p->wait_head) && w->target <= p->settled) {
		if (!(p->wait_head = w->next))
			p->wait_tail = &p->wait_head;
		send_answer(p, w, p->last_failed > w->first);
	}
}

static void submit_done(struct lvctld *ctld, struct submit *s, int status)
{
	struct lv_rpc_conn *conn =
		ctld->rpc ? lv_rpc_server_find(ctld->rpc, s->conn_id) : NULL;
	struct job *job = s->job;
	json_t *reply;

	if (status < 0) {
		lv_log(LV_LOG_ERR, "job: job=%u not accepted: StateDir: %s",
		       job->id, lv_strerror(status));
		if (conn && status == -ENOSPC)
			lv_rpc_respond_error(
				conn, s->req_id, ENOSPC,
				"StateDir is full: job not accepted");
		else if (conn)
			lv_rpc_respond_error(
				conn, s->req_id, -status,
				"StateDir cannot record the job (%s): job not accepted",
				lv_strerror(status));
		job_destroy(job);
		free(s);
		return;
	}
	if (s->blob_id && ctld->persist)
		blobs_set_durable(ctld->persist->blobs, s->blob_id);
	jobs_add(ctld->jobs, job);
	lv_debug(LV_DBG_JOB, "job: job=%u submitted by uid=%u", job->id,
		 (unsigned)job->uid);
	if (conn) {
		reply = json_pack("{s:I}", "job_id", (json_int_t)job->id);
		if (reply && job->array_total)
			json_object_set_new(reply, "array_task_count",
					    json_integer(job->array_total));
		lv_rpc_respond(conn, s->req_id, reply);
	}
	free(s);
	/* A pass over new jobs only (sched.c) looks at ids from
	 * sched_seen_id on; this id was taken at submission, perhaps before
	 * the last pass, so the pass must look from it. */
	if (job->id < ctld->sched_seen_id)
		ctld->sched_seen_id = job->id;
	sched_request_new(ctld);
}

static void start_done(struct persist *p, const struct owed *o, int status)
{
	struct job *job = jobs_find(p->ctld->jobs, o->job_id);

	/* Requeued, ended or restarted meanwhile: not this launch. */
	if (!job || job->restarts != o->restarts ||
	    (job->state != JOB_RUNNING && job->state != JOB_COMPLETING))
		return;
	if (job->state == JOB_COMPLETING) {
		/* Cancelled, requeued or out of time before it was
		 * launched: it never ran. */
		if (job->requeue_requested)
			sched_requeue(p->ctld, job, job->requeue_hold);
		else
			sched_job_ended(p->ctld, job,
					job->timed_out ? JOB_TIMEOUT
						       : JOB_CANCELLED,
					0);
		return;
	}
	if (status < 0) {
		lv_log(LV_LOG_ERR,
		       "job: job=%u cannot start: StateDir: %s; requeued",
		       job->id, lv_strerror(status));
		sched_requeue(p->ctld, job, false);
		return;
	}
	if (launch_job(p->ctld, job) == 0)
		sched_notify_waiters(p->ctld, job);
}

static void on_done(int status, void *arg)
{
	struct persist *p = arg;
	struct owed o = ring_pop(p);

	p->settled++;
	if (status < 0) {
		p->last_failed = p->settled;
		p->writable = false;
		if (o.kind != REC_SUBMIT)
			(void)ids_push(&p->retry, o.job_id);
	} else if (!p->writable) {
		p->writable = true;
		sched_request(p->ctld);
	}
	if (o.kind == REC_SUBMIT) {
		p->submits--;
		submit_done(p->ctld, o.sub, status);
	} else if (o.kind == REC_START)
		start_done(p, &o, status);
	release_waiters(p);
}

/* Appends rec; o says what its done callback does.  On a synchronous
 * failure nothing is owed and -errno comes back. */
static int append(struct persist *p, json_t *rec, const struct owed *o)
{
	int rc;

	if (ring_push(p, o) < 0)
		return -ENOMEM;
	if ((rc = journal_append(p->ctld->journal, rec, on_done, p)) < 0) {
		p->n--; /* take back the entry just pushed */
		return rc;
	}
	p->appended++;
	return 0;
}

static int append_state(struct persist *p, struct job *job, enum rec_kind kind)
{
	struct jobstate_nodes jn = names(p->ctld);
	struct owed o = {kind, job->id, job->restarts, NULL};
	json_t *st = job_to_state_json(job, false, &jn);
	json_t *rec =
		st ? json_pack("{s:s, s:o}", "op", "job", "job", st) : NULL;
	int rc = rec ? append(p, rec, &o) : -ENOMEM;

	json_decref(rec);
	if (rc < 0) {
		lv_log(LV_LOG_ERR, "journal: cannot record job=%u: %s", job->id,
		       lv_strerror(rc));
		p->writable = false;
		(void)ids_push(&p->retry, job->id);
	}
	return rc;
}

void persist_job(struct lvctld *ctld, struct job *job)
{
	struct persist *p = ctld->persist;
	struct job *a;

	if (!p)
		return;
	(void)append_state(p, job, REC_STATE);
	if (job->array_job_id && (a = jobs_find(ctld->jobs, job->array_job_id)))
		(void)append_state(p, a, REC_STATE);
}

void persist_start(struct lvctld *ctld, struct job *job)
{
	struct persist *p = ctld->persist;
	struct job *a;

	if (!p) {
		if (launch_job(ctld, job) == 0)
			sched_notify_waiters(ctld, job);
		return;
	}
	/* The array record first: replay finds the task's blob there. */
	if (job->array_job_id && (a = jobs_find(ctld->jobs, job->array_job_id)))
		(void)append_state(p, a, REC_STATE);
	if (append_state(p, job, REC_START) < 0)
		sched_requeue(ctld, job, false);
}

static void hex_id(char *buf, uint64_t id)
{
	snprintf(buf, 17, "%016llx", (unsigned long long)id);
}

static uint64_t parse_id(const json_t *v)
{
	const char *s = json_string_value(v);

	return s ? strtoull(s, NULL, 16) : 0;
}

/* The submission's blob: by id when an identical one is on disk, else in
 * full (with its id, if shared, which becomes durable with the record). */
static int add_blob(struct persist *p, struct job *job, json_t *st,
		    uint64_t *inline_id)
{
	uint64_t id = job->blob ? blobs_intern(p->blobs, &job->blob) : 0;
	char hex[17];

	*inline_id = 0;
	if (!job->blob)
		return 0;
	hex_id(hex, id);
	if (id && blobs_is_durable(p->blobs, id))
		return json_object_set_new(st, "blob_ref", json_string(hex));
	if (json_object_set_new(st, "blob",
				json_stringn(job->blob->text, job->blob->len)) <
	    0)
		return -ENOMEM;
	if (!id)
		return 0;
	*inline_id = id;
	return json_object_set_new(st, "blob_id", json_string(hex));
}

void persist_submit(struct lvctld *ctld, struct lv_rpc_conn *conn,
		    uint32_t req_id, struct job *job)
{
	struct persist *p = ctld->persist;
	struct jobstate_nodes jn = names(ctld);
	struct owed o = {REC_SUBMIT, 0, 0, NULL};
	json_t *st, *rec = NULL;
	int rc = -ENOMEM;

	/* The id is taken now, for good: a refused job burns it. */
	job->id = jobs_next_id(ctld->jobs);
	jobs_bump_id(ctld->jobs, job->id + 1);
	if (!(o.sub = calloc(1, sizeof(*o.sub))))
		goto out_refuse;
	o.sub->job = job;
	o.sub->conn_id = lv_rpc_conn_id(conn);
	o.sub->req_id = req_id;
	o.job_id = job->id;
	if (!p) { /* no StateDir: nothing to wait for */
		submit_done(ctld, o.sub, 0);
		return;
	}
	if ((st = job_to_state_json(job, false, &jn)) &&
	    add_blob(p, job, st, &o.sub->blob_id) == 0)
		rec = json_pack("{s:s, s:O}", "op", "submit", "job", st);
	json_decref(st);
	if (rec && (rc = append(p, rec, &o)) == 0) {
		p->submits++;
		json_decref(rec);
		return;
	}
	json_decref(rec);
	free(o.sub);
out_refuse:
	lv_log(LV_LOG_ERR, "job: job=%u not accepted: journal: %s", job->id,
	       lv_strerror(rc));
	lv_rpc_respond_error(
		conn, req_id, -rc,
		"StateDir cannot record the job (%s): job not accepted",
		lv_strerror(rc));
	job_destroy(job);
}

uint64_t persist_mark(struct lvctld *ctld)
{
	return ctld->persist ? ctld->persist->appended : 0;
}

void persist_respond(struct lvctld *ctld, struct lv_rpc_conn *conn,
		     uint32_t req_id, uint64_t mark, json_t *body)
{
	struct persist *p = ctld->persist;
	struct waiter *w;

	if (!p || (p->settled == p->appended && !p->wait_head)) {
		if (p && p->last_failed > mark) {
			json_decref(body);
			lv_rpc_respond_error(
				conn, req_id, EIO,
				"the change was made but StateDir could not record it (full or failing): it may not survive a restart of lvctld");
			return;
		}
		lv_rpc_respond(conn, req_id, body);
		return;
	}
	if (!(w = calloc(1, sizeof(*w)))) {
		lv_rpc_respond(conn, req_id, body);
		return;
	}
	w->first = mark;
	w->target = p->appended;
	w->conn_id = lv_rpc_conn_id(conn);
	w->req_id = req_id;
	w->body = body;
	*p->wait_tail = w;
	p->wait_tail = &w->next;
}

size_t persist_submits_pending(const struct lvctld *ctld)
{
	return ctld->persist ? ctld->persist->submits : 0;
}

bool persist_writable(const struct lvctld *ctld)
{
	return !ctld->persist || ctld->persist->writable;
}

static void maybe_snapshot(struct persist *p, bool now);

/* ---- Recovery ---- */

/* Moves n's fields into old, which keeps its place in the table, its
 * links and waiters; frees what old had.  The steps are n's: every record
 * lists the job's running steps. */
static void transplant(struct jobs *jobs, struct job *old, struct job *n)
{
	struct job tmp;

	if (job_is_finished(old) && !job_is_finished(n))
		jobs_set_pending(jobs, old);
	else if (!job_is_finished(old) && job_is_finished(n))
		jobs_set_finished(jobs, old, n->state, n->end_time);
	if (!n->blob) {
		n->blob = old->blob;
		old->blob = NULL;
	}
	tmp = *old;
	*old = *n;
	old->hash_next = tmp.hash_next;
	old->prev = tmp.prev;
	old->next = tmp.next;
	old->waiters = tmp.waiters;
	old->alloc_conn_id = tmp.alloc_conn_id;
	tmp.waiters = NULL;
	tmp.hash_next = tmp.prev = tmp.next = NULL;
	*n = tmp;
	job_destroy(n);
}

/* A blob by reference, or one in full to share from now on. */
static int resolve_blob(struct persist *p, struct job *job, const json_t *state)
{
	uint64_t id;

	if ((id = parse_id(json_object_get(state, "blob_ref")))) {
		if (!(job->blob = blobs_get(p->blobs, id)))
			return -EUCLEAN;
		job->blob->refs++;
		return 0;
	}
	if (job->blob && (id = parse_id(json_object_get(state, "blob_id"))) &&
	    blobs_intern(p->blobs, &job->blob) == id)
		blobs_set_durable(p->blobs, id);
	return 0;
}

static int upsert(struct persist *p, const json_t *state)
{
	struct lvctld *ctld = p->ctld;
	struct jobstate_nodes jn = names(ctld);
	struct lv_error err = {0};
	bool missing, bound;
	struct job *job, *old, *a;

	if (!(job = job_from_state_json(state, &jn, &missing, &bound, &err))) {
		lv_log(LV_LOG_ERR, "journal: bad job record: %s", err.text);
		return err.code;
	}
	if (missing && !ids_has(&p->lost, job->id) &&
	    ids_push(&p->lost, job->id) < 0) {
		job_destroy(job);
		return -ENOMEM;
	}
	p->replayed++;
	if (resolve_blob(p, job, state) < 0) {
		lv_log(LV_LOG_ERR,
		       "journal: job=%u refers to a description the journal does not hold",
		       job->id);
		job_destroy(job);
		return -EUCLEAN;
	}
	if ((old = jobs_find(ctld->jobs, job->id))) {
		transplant(ctld->jobs, old, job);
		return 0;
	}
	if (!job->blob && job->array_job_id &&
	    (a = jobs_find(ctld->jobs, job->array_job_id)) && a->blob) {
		job->blob = a->blob;
		job->blob->refs++;
	}
	return jobs_add(ctld->jobs, job);
}

static int replay_snapshot(struct persist *p, const json_t *doc)
{
	const json_t *jobs = json_object_get(doc, "jobs");
	const char *key;
	json_t *j;
	json_int_t next =
		json_integer_value(json_object_get(doc, "next_job_id"));
	size_t i;
	int rc;

	if (json_integer_value(json_object_get(doc, "version")) !=
	    SNAPSHOT_VERSION) {
		lv_log(LV_LOG_ERR, "journal: snapshot version %lld is not %d",
		       (long long)json_integer_value(
			       json_object_get(doc, "version")),
		       SNAPSHOT_VERSION);
		return -EPROTO;
	}
	json_object_foreach((json_t *)json_object_get(doc, "blobs"), key, j) {
		struct job_blob *b = jobstate_blob(json_string_value(j),
						   json_string_length(j));
		uint64_t id;

		if (!b)
			return -ENOMEM;
		if (!(id = blobs_intern(p->blobs, &b))) {
			free(b); /* not shareable: its jobs hold it in full */
			continue;
		}
		b->refs--; /* the table's reference stays */
		blobs_set_durable(p->blobs, id);
	}
	json_array_foreach(jobs, i, j) {
		if ((rc = upsert(p, j)) < 0)
			return rc;
	}
	if (next > 0 && next <= UINT32_MAX)
		jobs_bump_id(p->ctld->jobs, (uint32_t)next);
	return 0;
}

static int on_replay(const json_t *rec, void *arg)
{
	struct persist *p = arg;
	const json_t *snap = json_object_get(rec, "snapshot");
	const char *op = json_string_value(json_object_get(rec, "op"));

	if (snap)
		return replay_snapshot(p, snap);
	if (op && (!strcmp(op, "submit") || !strcmp(op, "job")))
		return upsert(p, json_object_get(rec, "job"));
	lv_log(LV_LOG_WARNING,
	       "journal: skipping a record of unknown kind '%s'",
	       op ? op : "?");
	return 0;
}

static void book(struct lvctld *ctld, struct job *job)
{
	size_t i;

	for (i = 0; i < job->n_grants; i++)
		nodes_alloc(nodes_get(ctld->nodes, job->grants[i].node),
			    &job->grants[i]);
}

static bool is_active(const struct job *job)
{
	return job->state == JOB_RUNNING || job->state == JOB_COMPLETING;
}

/* Books running jobs on their nodes, then ends what cannot go on. */
static void settle_recovered(struct persist *p)
{
	struct lvctld *ctld = p->ctld;
	struct job *job, *next;

	for (job = jobs_first(ctld->jobs); job; job = jobs_next(job))
		if (is_active(job))
			book(ctld, job);
	for (job = jobs_first(ctld->jobs); job; job = next) {
		next = jobs_next(job);
		if (job_is_finished(job) || job->array_pending)
			continue;
		if (strcmp(job->kind, "batch")) {
			lv_log(LV_LOG_INFO,
			       "job: job=%u: an interactive allocation's client is gone with the restart, cancelled",
			       job->id);
			sched_job_ended(ctld, job, JOB_CANCELLED, 0);
		} else if (is_active(job) && ids_has(&p->lost, job->id)) {
			lv_log(LV_LOG_WARNING,
			       "job: job=%u ran on a node no longer configured%s",
			       job->id, job->requeue ? ", requeued" : "");
			if (job->requeue && !job->cancel_requested)
				sched_requeue(ctld, job, false);
			else
				sched_job_ended(ctld, job, JOB_NODE_FAIL, 0);
		} else if (is_active(job)) {
			p->check_unknown = true;
		}
	}
	free(p->lost.v);
	p->lost.v = NULL;
	p->lost.n = p->lost.cap = 0;
}

int persist_open(struct lvctld *ctld, struct lv_error *err)
{
	struct persist *p;
	char *dir;
	struct timespec t0, t1;

	if (!ctld->conf->state_dir) {
		lv_log(LV_LOG_WARNING,
		       "journal: no StateDir: nothing is durable, a restart starts with no jobs");
		return 0;
	}
	if (asprintf(&dir, "%s/journal", ctld->conf->state_dir) < 0 ||
	    !(p = calloc(1, sizeof(*p)))) {
		return lv_errorf(err, -ENOMEM, "out of memory");
	}
	p->ctld = ctld;
	p->wait_tail = &p->wait_head;
	p->writable = true;
	if (!(p->blobs = blobs_create())) {
		free(p);
		return lv_errorf(err, -ENOMEM, "out of memory");
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ctld->journal = journal_open(ctld->base, dir, on_replay, p, err);
	free(dir);
	if (!ctld->journal) {
		free(p->ring);
		free(p->lost.v);
		blobs_destroy(p->blobs);
		free(p);
		return err->code;
	}
	journal_set_sync(ctld->journal, ctld->conf->journal_sync);
	ctld->persist = p;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	lv_log(LV_LOG_INFO,
	       "journal: recovered %zu jobs from %zu records in %.3f s, next job id %u%s",
	       jobs_count(ctld->jobs), p->replayed,
	       (double)(t1.tv_sec - t0.tv_sec) +
		       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
	       jobs_next_id(ctld->jobs),
	       ctld->conf->journal_sync
		       ? ""
		       : " (JournalSync=no: nothing is durable)");
	settle_recovered(p);
	p->recovered_at = time(NULL);
	give_back_memory();
	return 0;
}

void persist_close(struct lvctld *ctld)
{
	struct persist *p = ctld->persist;
	struct journal_stats st;
	struct waiter *w;

	if (!p)
		return;
	/* A clean stop leaves one snapshot: the next start reads it
	 * instead of replaying records. */
	if (journal_records(ctld->journal))
		maybe_snapshot(p, true);
	journal_get_stats(ctld->journal, &st);
	lv_log(LV_LOG_INFO,
	       "journal: %llu records in %llu commits (at most %llu in one), %llu refused",
	       (unsigned long long)st.records, (unsigned long long)st.commits,
	       (unsigned long long)st.max_batch, (unsigned long long)st.failed);
	journal_close(ctld->journal);
	ctld->journal = NULL;
	while ((w = p->wait_head)) {
		p->wait_head = w->next;
		json_decref(w->body);
		free(w);
	}
	free(p->ring);
	free(p->retry.v);
	free(p->lost.v);
	blobs_destroy(p->blobs);
	free(p);
	ctld->persist = NULL;
}

/* ---- Once a second ---- */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void retry_failed(struct persist *p)
{
	struct ids ids = p->retry;
	struct job *job;
	size_t i;

	if (!ids.n) {
		if (!p->writable) { /* let the next write tell */
			p->writable = true;
			sched_request(p->ctld);
		}
		return;
	}
	memset(&p->retry, 0, sizeof(p->retry));
	qsort(ids.v, ids.n, sizeof(*ids.v), cmp_u32);
	for (i = 0; i < ids.n; i++) {
		if (i && ids.v[i] == ids.v[i - 1])
			continue;
		if ((job = jobs_find(p->ctld->jobs, ids.v[i])))
			(void)append_state(p, job, REC_STATE);
	}
	free(ids.v);
}

struct blob_acc {
	json_t *obj;
	size_t bytes;
};

static void add_snapshot_blob(uint64_t id, const struct job_blob *b, void *arg)
{
	struct blob_acc *acc = arg;
	char hex[17];

	hex_id(hex, id);
	json_object_set_new(acc->obj, hex, json_stringn(b->text, b->len));
	acc->bytes += b->len;
}

/* The whole state: shared blobs once, then every job referring to its
 * blob by id (or holding it in full when it is not shared). */
static json_t *snapshot_doc(struct persist *p, size_t *bytes)
{
	struct lvctld *ctld = p->ctld;
	struct jobstate_nodes jn = names(ctld);
	struct blob_acc acc = {json_object(), 0};
	json_t *arr = json_array(), *o;
	struct job *job;
	uint64_t id;
	char hex[17];

	if (acc.obj)
		blobs_prune(p->blobs, add_snapshot_blob, &acc);
	for (job = jobs_first(ctld->jobs); arr && acc.obj && job;
	     job = jobs_next(job)) {
		id = job->blob ? blobs_id_of(p->blobs, job->blob) : 0;
		if (!(o = job_to_state_json(job, job->blob && !id, &jn)) ||
		    json_array_append_new(arr, o) < 0)
			goto out_nomem;
		if (id) {
			hex_id(hex, id);
			json_object_set_new(o, "blob_ref", json_string(hex));
		}
		acc.bytes += 400 + (job->blob && !id ? job->blob->len : 0);
	}
	*bytes = acc.bytes;
	if (!arr || !acc.obj)
		goto out_nomem;
	return json_pack("{s:i, s:I, s:o, s:o}", "version", SNAPSHOT_VERSION,
			 "next_job_id", (json_int_t)jobs_next_id(ctld->jobs),
			 "blobs", acc.obj, "jobs", arr);
out_nomem:
	json_decref(arr);
	json_decref(acc.obj);
	return NULL;
}

static void maybe_snapshot(struct persist *p, bool now)
{
	struct lvctld *ctld = p->ctld;
	size_t size = journal_size(ctld->journal);
	size_t recs = journal_records(ctld->journal), bytes;
	struct lv_error err = {0};
	struct timespec t0, t1;
	json_t *doc;

	if (!now && ((recs <= PERSIST_SNAPSHOT_RECORDS &&
		      size <= PERSIST_SNAPSHOT_BYTES) ||
		     size < p->snap_bytes / 2 || !p->writable))
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!(doc = snapshot_doc(p, &bytes))) {
		lv_log(LV_LOG_ERR, "journal: snapshot: out of memory");
		return;
	}
	if (journal_snapshot(ctld->journal, doc, &err) < 0) {
		lv_log(LV_LOG_ERR, "%s", err.text);
	} else {
		const char *key;
		json_t *v;

		/* Every blob in it is on disk now. */
		json_object_foreach(json_object_get(doc, "blobs"), key, v)
			blobs_set_durable(p->blobs, strtoull(key, NULL, 16));
		clock_gettime(CLOCK_MONOTONIC, &t1);
		p->snap_bytes = bytes;
		lv_log(LV_LOG_INFO,
		       "journal: snapshot of %zu jobs replaces %zu records (%zu bytes) in %.3f s",
		       jobs_count(ctld->jobs), recs, size,
		       (double)(t1.tv_sec - t0.tv_sec) +
			       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	}
	json_decref(doc);
	give_back_memory();
}

/* Running jobs recovered on a node that has not registered since: after
 * NodeTimeout, the node is as good as DOWN for them. */
static void check_unknown_nodes(struct persist *p, time_t now)
{
	struct lvctld *ctld = p->ctld;
	size_t i;

	if (!p->check_unknown ||
	    now - p->recovered_at <= (time_t)ctld->conf->node_timeout)
		return;
	p->check_unknown = false;
	for (i = 0; i < nodes_count(ctld->nodes); i++) {
		struct node *n = nodes_get(ctld->nodes, i);

		if (n->state != NODE_UNKNOWN || !n->cpus_alloc)
			continue;
		lv_log(LV_LOG_WARNING,
		       "node: %s has not registered since the restart (%u s): failing its jobs",
		       n->name, ctld->conf->node_timeout);
		launch_node_failed(ctld, n->name);
	}
}

void persist_tick(struct lvctld *ctld, time_t now)
{
	struct persist *p = ctld->persist;

	if (!p)
		return;
	retry_failed(p);
	maybe_snapshot(p, false);
	check_unknown_nodes(p, now);
}
