/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lvctld's handlers for job submission, queries, waits and completion
 * (proto 04). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/bitmap.h"
#include "common/hostlist.h"
#include "common/log.h"
#include "common/msg.h"
#include "sched/array.h"
#include "sched/backfill.h"
#include "sched/ctld.h"
#include "sched/jobs.h"
#include "sched/jobtext.h"
#include "sched/joblimits.h"
#include "sched/nodes.h"
#include "sched/partitions.h"
#include "sched/persist.h"
#include "sched/policy.h"
#include "sched/rpc_handlers.h"
#include "sched/sched.h"
#include "sched/select.h"

/* Could the job run at all on an empty partition? */
static int check_feasible(struct lvctld *ctld, const struct job *job,
			  struct lv_error *err)
{
	struct partition *p = partitions_find(ctld->parts, job->partition);
	struct grant *g = NULL;
	size_t n = 0;
	int rc;

	if (!p)
		return lv_errorf(err, -ENOENT, "Invalid partition name specified: %s",
				 job->partition);
	rc = select_nodes(job, p, ctld->nodes, true, &g, &n);
	free(g);
	if (rc == -ENOSPC)
		return lv_errorf(err, -ENOSPC,
				 "Requested node configuration is not available");
	return rc < 0 ? lv_errorf(err, rc, "out of memory") : 0;
}

static void reply_test_only(struct lv_rpc_conn *conn, uint32_t id,
			    struct lvctld *ctld, struct job *job)
{
	struct partition *p = partitions_find(ctld->parts, job->partition);
	struct grant *g = NULL;
	struct lv_hostlist *hl;
	char *nodes;
	size_t n = 0, i;
	json_int_t cpus = 0;
	time_t start = time(NULL);

	/* Now, or when running jobs reach their limits (backfill.c); failing
	 * that, where it would fit on the whole partition, starting now. */
	if (backfill_estimate(ctld, job, p, start, &start, &g, &n) < 0 &&
	    select_nodes(job, p, ctld->nodes, true, &g, &n) < 0) {
		lv_rpc_respond_error(conn, id, ENOSPC,
				     "Requested node configuration is not available");
		return;
	}
	hl = lv_hostlist_create("", NULL);
	for (i = 0; i < n; i++) {
		cpus += g[i].cpus;
		if (hl)
			lv_hostlist_push(hl, nodes_get(ctld->nodes, g[i].node)->name);
	}
	free(g);
	nodes = hl ? lv_hostlist_ranged_string(hl) : NULL;
	lv_hostlist_destroy(hl);
	lv_rpc_respond(conn, id,
		       json_pack("{s:i, s:I, s:s?, s:I, s:s}", "job_id", 0,
				 "start_time", (json_int_t)start, "nodes",
				 nodes, "cpus", cpus, "partition", job->partition));
	free(nodes);
}

/* Queues the job desc describes (the submission as the policy left it). */
static void submit_desc(struct lvctld *ctld, struct lv_rpc_conn *conn,
			const struct lv_rpc_req *req, const json_t *desc)
{
	const struct lv_rpc_peer *peer = lv_rpc_conn_peer(conn);
	struct lv_error err = { 0 };
	struct job *job;

	job = job_create(desc, peer->uid, peer->gid, ctld->parts, time(NULL),
			 &err);
	if (!job ||
	    (job->dep && depend_check(job->dep, jobs_dep_status, ctld->jobs, &err) < 0) ||
	    limits_check_submit(ctld, job, req->body, peer->is_admin, &err) < 0 ||
	    check_feasible(ctld, job, &err) < 0) {
		lv_log(LV_LOG_INFO, "job: refused submission from uid=%u: %s",
		       (unsigned)peer->uid, err.text);
		lv_rpc_respond_error(conn, req->id, -err.code, "%s", err.text);
		job_destroy(job);
		return;
	}
	if (json_is_true(json_object_get(desc, "test_only"))) {
		reply_test_only(conn, req->id, ctld, job);
		job_destroy(job);
		return;
	}
	if (job->array_pending) {
		job->array_total = (uint32_t)lv_bitmap_count(job->array_pending);
		array_bounds(job->array_pending, &job->array_min, &job->array_max,
			     &job->array_step);
	}
	limits_job_submitted(ctld, job);
	/* Answered, and in the table, once it is on disk (persist.c). */
	persist_submit(ctld, conn, req->id, job);
}

void rpc_job_submit(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		    void *arg)
{
	struct lvctld *ctld = arg;
	const struct lv_rpc_peer *peer = lv_rpc_conn_peer(conn);
	struct lv_error err = { 0 };
	json_t *desc = NULL;

	if (jobs_count_active(ctld->jobs) + persist_submits_pending(ctld) >=
	    ctld->conf->max_job_count) {
		lv_rpc_respond_error(conn, req->id, EAGAIN,
				     "MaxJobCount limit (%u jobs) reached, try again later",
				     ctld->conf->max_job_count);
		return;
	}
	/* The job_submit() hook may change the description or refuse it. */
	if (policy_job_submit(ctld->policy, req->body, peer->uid, peer->gid,
			      &desc, &err) < 0) {
		lv_log(LV_LOG_INFO, "job: refused submission from uid=%u: %s",
		       (unsigned)peer->uid, err.text);
		lv_rpc_respond_error(conn, req->id, -err.code, "%s", err.text);
		return;
	}
	submit_desc(ctld, conn, req, desc);
	json_decref(desc);
}

static bool in_int_array(const json_t *arr, json_int_t v)
{
	const json_t *e;
	size_t i;

	json_array_foreach(arr, i, e) {
		if (json_integer_value(e) == v)
			return true;
	}
	return false;
}

static bool in_str_array(const json_t *arr, const char *s)
{
	const json_t *e;
	size_t i;

	json_array_foreach(arr, i, e) {
		if (json_is_string(e) && s && !strcmp(json_string_value(e), s))
			return true;
	}
	return false;
}

/* A JOB_INFO query's filters, read once rather than per job. */
struct job_filter {
	const json_t *ids, *parts, *names;
	bool has_user;
	json_int_t user;
	unsigned states; /* bit per enum job_state; 0 = any */
};

static void filter_init(struct job_filter *f, const json_t *q)
{
	const json_t *states = json_object_get(q, "states"), *e;
	const json_t *user = json_object_get(q, "user");
	size_t i;
	int st;

	f->ids = json_array_size(json_object_get(q, "job_ids"))
			 ? json_object_get(q, "job_ids") : NULL;
	f->parts = json_array_size(json_object_get(q, "partitions"))
			   ? json_object_get(q, "partitions") : NULL;
	f->names = json_array_size(json_object_get(q, "names"))
			   ? json_object_get(q, "names") : NULL;
	f->has_user = json_is_integer(user);
	f->user = json_integer_value(user);
	f->states = 0;
	json_array_foreach(states, i, e) {
		if (json_is_string(e) && (st = job_state_parse(json_string_value(e))) >= 0)
			f->states |= 1u << st;
	}
	/* Only unknown names: nothing can match. */
	if (json_array_size(states) && !f->states)
		f->states = 1u << 31;
}

static bool job_selected(const struct job *job, const struct job_filter *f)
{
	/* An array whose tasks have all started is shown by its tasks. */
	if (job->array_pending && !lv_bitmap_count(job->array_pending))
		return false;
	if (f->ids && !in_int_array(f->ids, job->id) &&
	    !(job->array_job_id && in_int_array(f->ids, job->array_job_id)))
		return false;
	if (f->has_user && f->user != (json_int_t)job->uid)
		return false;
	if (f->states && !(f->states & (1u << job->state)))
		return false;
	if (f->parts && !in_str_array(f->parts, job->partition))
		return false;
	if (f->names && !in_str_array(f->names, job->name))
		return false;
	return true;
}

/* The compact form: one text row per job (see jobtext.h). */
static void job_info_tsv(struct lvctld *ctld, struct lv_rpc_conn *conn,
			 const struct lv_rpc_req *req, const json_t *fields,
			 time_t now)
{
	struct jobtext *jt = jobtext_create(fields);
	struct job_filter f;
	const char *rows;
	struct job *job;
	size_t len;

	filter_init(&f, req->body);
	if (!jt) {
		lv_rpc_respond_error(conn, req->id, ENOMEM, "out of memory");
		return;
	}
	for (job = jobs_first(ctld->jobs); job; job = jobs_next(job)) {
		if (job_selected(job, &f) && jobtext_add(jt, job, now) < 0) {
			jobtext_destroy(jt);
			lv_rpc_respond_error(conn, req->id, ENOMEM, "out of memory");
			return;
		}
	}
	rows = jobtext_rows(jt, &len);
	/* The rows go raw, after the JSON: escaping them both ways cost
	 * more than building them. */
	lv_rpc_respond_attach(conn, req->id,
			      json_pack("{s:O, s:I}", "fields", fields, "time",
					(json_int_t)now),
			      "rows", rows, len);
	jobtext_destroy(jt);
}

void rpc_job_info(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		  void *arg)
{
	struct lvctld *ctld = arg;
	const json_t *fl = json_object_get(req->body, "fields");
	bool want_alloc = json_is_true(json_object_get(req->body, "alloc"));
	json_t *fields = NULL, *arr, *o, *e;
	time_t now = time(NULL);
	struct job_filter f;
	struct job *job;
	size_t i;

	if (json_is_array(fl) && lv_json_str(req->body, "format") &&
	    !strcmp(lv_json_str(req->body, "format"), "tsv")) {
		job_info_tsv(ctld, conn, req, fl, now);
		return;
	}
	arr = json_array();
	if (json_is_array(fl)) {
		fields = json_object();
		json_array_foreach(fl, i, e) {
			if (json_is_string(e))
				json_object_set(fields, json_string_value(e), json_true());
		}
	}
	filter_init(&f, req->body);
	for (job = jobs_first(ctld->jobs); job; job = jobs_next(job)) {
		if (!job_selected(job, &f))
			continue;
		if (!(o = job_to_json(job, fields, now)))
			continue;
		if (want_alloc && job->n_grants)
			json_object_set_new(o, "alloc", sched_grant_json(ctld, job));
		json_array_append_new(arr, o);
	}
	json_decref(fields);
	lv_rpc_respond(conn, req->id,
		       json_pack("{s:o, s:I}", "jobs", arr, "time", (json_int_t)now));
}

void rpc_job_wait(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		  void *arg)
{
	struct lvctld *ctld = arg;
	const char *event = lv_json_str(req->body, "event");
	struct lv_error err = { 0 };
	struct job_waiter *w;
	struct job *job;
	int64_t id;

	if (lv_json_int(req->body, "job_id", 1, UINT32_MAX, &id, &err) < 0) {
		lv_rpc_respond_error(conn, req->id, EINVAL, "%s", err.text);
		return;
	}
	if (!(job = jobs_find(ctld->jobs, (uint32_t)id))) {
		lv_rpc_respond_error(conn, req->id, ENOENT, "Invalid job id specified");
		return;
	}
	if (!(w = calloc(1, sizeof(*w)))) {
		lv_rpc_respond_error(conn, req->id, ENOMEM, "out of memory");
		return;
	}
	w->conn_id = lv_rpc_conn_id(conn);
	w->req_id = req->id;
	w->on_start = event && !strcmp(event, "start");
	/* Only the owner's own client holds its allocation. */
	if (w->on_start && strcmp(job->kind, "batch") && !job->alloc_conn_id &&
	    !job_is_finished(job) && lv_rpc_conn_peer(conn)->uid == job->uid) {
		job->alloc_conn_id = w->conn_id;
		ctld->bound_allocs++;
	}
	w->next = job->waiters;
	job->waiters = w;
	/* Already there: answer now. */
	sched_notify_waiters(ctld, job);
}

void rpc_job_complete(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		      void *arg)
{
	struct lvctld *ctld = arg;
	const struct lv_rpc_peer *peer = lv_rpc_conn_peer(conn);
	struct lv_error err = { 0 };
	int64_t id, status = 0;
	uint64_t mark = persist_mark(ctld);
	struct job *job;

	if (lv_json_int(req->body, "job_id", 1, UINT32_MAX, &id, &err) < 0 ||
	    (lv_json_int(req->body, "status", INT32_MIN, INT32_MAX, &status, &err) < 0 &&
	     err.code != -ENOENT)) {
		lv_rpc_respond_error(conn, req->id, EINVAL, "%s", err.text);
		return;
	}
	job = jobs_find(ctld->jobs, (uint32_t)id);
	if (!job) {
		lv_rpc_respond_error(conn, req->id, ENOENT, "Invalid job id specified");
		return;
	}
	if (job->uid != peer->uid && !peer->is_admin) {
		lv_rpc_respond_error(conn, req->id, EPERM, "Access/permission denied");
		return;
	}
	if (!strcmp(job->kind, "batch")) {
		lv_rpc_respond_error(conn, req->id, EINVAL,
				     "job %u is a batch job; use lvcancel", job->id);
		return;
	}
	if (job->state == JOB_PENDING)
		sched_job_ended(ctld, job, JOB_CANCELLED, 0);
	else if (!job_is_finished(job))
		sched_job_ended(ctld, job,
				status == 0 ? JOB_COMPLETED : JOB_FAILED, (int)status);
	persist_respond(ctld, conn, req->id, mark, NULL);
}
