/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lvctld's handlers that change jobs: cancel, signal, hold, release,
 * requeue and update, with Slurm's rules on who may do what. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/bitmap.h"
#include "common/log.h"
#include "common/msg.h"
#include "common/timefmt.h"
#include "sched/array.h"
#include "sched/ctld.h"
#include "sched/depend.h"
#include "sched/jobs.h"
#include "sched/launch.h"
#include "sched/joblimits.h"
#include "sched/partitions.h"
#include "sched/persist.h"
#include "sched/policy.h"
#include "sched/rpc_handlers.h"
#include "sched/sched.h"

static bool may_touch(const struct lv_rpc_peer *peer, const struct job *job)
{
	return peer->is_admin || peer->uid == job->uid;
}

static void add_error(json_t *errors, const char *id, const char *text)
{
	json_array_append_new(errors, json_pack("{s:s, s:s}", "job", id,
						"error", text));
}

/* Acts on one job record for JOB_CANCEL. */
static void cancel_one(struct lvctld *ctld, const struct lv_rpc_peer *peer,
		       struct job *job, const json_t *body, const char *spec,
		       json_t *done, json_t *errors)
{
	json_t *sig = json_object_get(body, "signal");
	bool batch = json_is_true(json_object_get(body, "batch"));
	struct lv_error err = { 0 };
	int rc;

	if (!may_touch(peer, job)) {
		lv_log(LV_LOG_WARNING,
		       "job: uid=%u may not cancel job=%u of uid=%u",
		       (unsigned)peer->uid, job->id, (unsigned)job->uid);
		add_error(errors, spec, "Access/permission denied");
		return;
	}
	if (json_is_integer(sig)) {
		if (job->state != JOB_RUNNING) {
			add_error(errors, spec, "Job is not running");
			return;
		}
		rc = launch_signal(ctld, job, (int)json_integer_value(sig), batch,
				   false, &err);
	} else {
		rc = sched_cancel(ctld, job, &err);
	}
	if (rc < 0 && rc != -EALREADY)
		add_error(errors, spec, err.text);
	else if (rc == 0)
		json_array_append_new(done, json_integer(job->id));
}

/* "12_3" for a task that has not started: take it out of the array. */
static bool cancel_pending_task(struct lvctld *ctld, const struct lv_rpc_peer *peer,
				struct job *array, uint32_t task,
				json_t *done, json_t *errors, const char *spec)
{
	if (!array->array_pending || task >= lv_bitmap_size(array->array_pending) ||
	    !lv_bitmap_test(array->array_pending, task))
		return false;
	if (!may_touch(peer, array)) {
		add_error(errors, spec, "Access/permission denied");
		return true;
	}
	lv_bitmap_clear(array->array_pending, task);
	array->array_total--;
	if (array->array_done == array->array_total &&
	    !lv_bitmap_count(array->array_pending) && !job_is_finished(array)) {
		jobs_set_finished(ctld->jobs, array, JOB_CANCELLED, time(NULL));
		sched_notify_waiters(ctld, array);
	}
	persist_job(ctld, array);
	json_array_append_new(done, json_integer(array->id));
	sched_request(ctld);
	return true;
}

static struct job *find_task(struct lvctld *ctld, uint32_t array_id,
			     uint32_t task)
{
	struct job *j;

	for (j = jobs_first(ctld->jobs); j; j = jobs_next(j))
		if (j->array_job_id == array_id && j->array_task_id == task)
			return j;
	return NULL;
}

/* One id spec: "12", "12_3", "12_[1-5]". */
static void cancel_spec(struct lvctld *ctld, const struct lv_rpc_peer *peer,
			const char *spec, const json_t *body, json_t *done,
			json_t *errors)
{
	char *end;
	unsigned long id = strtoul(spec, &end, 10);
	struct lv_bitmap *tasks = NULL;
	struct lv_error err = { 0 };
	uint32_t thr;
	struct job *job, *j, *next;
	char buf[64];
	long t;

	if (!isdigit((unsigned char)spec[0]) || id == 0 || id > UINT32_MAX ||
	    (*end && *end != '_')) {
		add_error(errors, spec, "Invalid job id specified");
		return;
	}
	job = jobs_find(ctld->jobs, (uint32_t)id);
	if (*end == '_') {
		snprintf(buf, sizeof(buf), "%s", end + 1);
		if (buf[0] == '[') {
			memmove(buf, buf + 1, strlen(buf));
			buf[strcspn(buf, "]")] = '\0';
		}
		if (array_parse(buf, &tasks, &thr, &err) < 0) {
			add_error(errors, spec, "Invalid job id specified");
			return;
		}
		for (t = lv_bitmap_next_set(tasks, 0); t >= 0;
		     t = lv_bitmap_next_set(tasks, (size_t)t + 1)) {
			if (job && cancel_pending_task(ctld, peer, job, (uint32_t)t,
						       done, errors, spec))
				continue;
			if ((j = find_task(ctld, (uint32_t)id, (uint32_t)t)))
				cancel_one(ctld, peer, j, body, spec, done, errors);
			else
				add_error(errors, spec, "Invalid job id specified");
		}
		lv_bitmap_destroy(tasks);
		return;
	}
	if (!job) {
		add_error(errors, spec, "Invalid job id specified");
		return;
	}
	/* A whole array: its started tasks and its pending ones. */
	if (job->array_total) {
		for (j = jobs_first(ctld->jobs); j; j = next) {
			next = jobs_next(j);
			if (j->array_job_id == job->id && !job_is_finished(j))
				cancel_one(ctld, peer, j, body, spec, done, errors);
		}
		if (job_is_finished(job) || json_object_get(body, "signal"))
			return;
	}
	cancel_one(ctld, peer, job, body, spec, done, errors);
}

static bool filter_matches(const struct job *job, const json_t *body)
{
	const char *user = lv_json_str(body, "user");
	const char *name = lv_json_str(body, "name");
	const char *part = lv_json_str(body, "partition");
	const json_t *states = json_object_get(body, "states"), *e;
	size_t i;
	bool ok = !json_array_size(states);

	if (job_is_finished(job) || (job->array_pending &&
				     !lv_bitmap_count(job->array_pending)))
		return false;
	if (user && strcmp(user, job->user))
		return false;
	if (name && strcmp(name, job->name))
		return false;
	if (part && strcmp(part, job->partition))
		return false;
	json_array_foreach(states, i, e) {
		if (json_is_string(e) &&
		    job_state_parse(json_string_value(e)) == (int)job->state)
			ok = true;
	}
	return ok;
}

void rpc_job_cancel(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		    void *arg)
{
	struct lvctld *ctld = arg;
	const struct lv_rpc_peer *peer = lv_rpc_conn_peer(conn);
	const json_t *ids = json_object_get(req->body, "job_ids"), *e;
	json_t *done = json_array(), *errors = json_array();
	uint64_t mark = persist_mark(ctld);
	struct job *job, *next;
	char buf[32];
	size_t i;

	if (json_array_size(ids)) {
		json_array_foreach(ids, i, e) {
			if (json_is_integer(e)) {
				snprintf(buf, sizeof(buf), "%lld",
					 (long long)json_integer_value(e));
				cancel_spec(ctld, peer, buf, req->body, done, errors);
			} else if (json_is_string(e)) {
				cancel_spec(ctld, peer, json_string_value(e), req->body,
					    done, errors);
			}
		}
	} else if (lv_json_str(req->body, "user") || lv_json_str(req->body, "name") ||
		   lv_json_str(req->body, "partition") ||
		   json_array_size(json_object_get(req->body, "states"))) {
		for (job = jobs_first(ctld->jobs); job; job = next) {
			next = jobs_next(job);
			if (!filter_matches(job, req->body))
				continue;
			/* Filters select only what the caller may touch. */
			if (!may_touch(peer, job))
				continue;
			snprintf(buf, sizeof(buf), "%u", job->id);
			cancel_one(ctld, peer, job, req->body, buf, done, errors);
		}
	} else {
		json_decref(done);
		json_decref(errors);
		lv_rpc_respond_error(conn, req->id, EINVAL,
				     "No job identification provided");
		return;
	}
	/* Answered once the cancellations are on disk. */
	persist_respond(ctld, conn, req->id, mark,
			json_pack("{s:o, s:o}", "cancelled", done, "errors", errors));
}

/* JOB_UPDATE "update": Slurm's rules.  Users change their own pending
 * jobs and may lower a time limit; administrators change anything. */
static int update_fields(struct lvctld *ctld, const struct lv_rpc_peer *peer,
			 struct job *job, const json_t *set, struct lv_error *err)
{
	json_t *v;
	bool pending = job->state == JOB_PENDING;

	if ((v = json_object_get(set, "time_limit"))) {
		uint32_t t = json_is_null(v) ? LV_TIME_UNLIMITED
					     : (uint32_t)json_integer_value(v);
		struct partition *p = partitions_find(ctld->parts, job->partition);

		if (!json_is_null(v) && (!json_is_integer(v) || json_integer_value(v) < 0))
			return lv_errorf(err, -EINVAL, "Invalid TimeLimit");
		if (!peer->is_admin && t > job->req.time_limit)
			return lv_errorf(err, -EPERM,
					 "Access/permission denied: only an administrator may raise a time limit");
		if (!peer->is_admin && p && p->max_time != LV_TIME_UNLIMITED &&
		    t > p->max_time)
			return lv_errorf(err, -EINVAL, "Requested time limit exceeds the partition's MaxTime");
		job->req.time_limit = t;
		if (job->state == JOB_RUNNING)
			launch_update_limit(ctld, job);
	}
	if ((v = json_object_get(set, "partition"))) {
		struct partition *p = json_is_string(v)
					      ? partitions_find(ctld->parts, json_string_value(v))
					      : NULL;
		char *name;

		if (!pending)
			return lv_errorf(err, -EBUSY, "Job is no longer pending: its partition cannot change");
		if (!p)
			return lv_errorf(err, -ENOENT, "Invalid partition name specified");
		if (!(name = strdup(p->name)))
			return lv_errorf(err, -ENOMEM, "out of memory");
		free(job->partition);
		job->partition = name;
		job->part = NULL; /* job_partition's cache */
	}
	if ((v = json_object_get(set, "name")) && json_is_string(v)) {
		char *name = strdup(json_string_value(v));

		if (!name)
			return lv_errorf(err, -ENOMEM, "out of memory");
		free(job->name);
		job->name = name;
	}
	if ((v = json_object_get(set, "comment")) && json_is_string(v)) {
		char *c = strdup(json_string_value(v));

		if (!c)
			return lv_errorf(err, -ENOMEM, "out of memory");
		free(job->comment);
		job->comment = c;
	}
	if ((v = json_object_get(set, "dependency"))) {
		struct dependency *d = NULL;
		char *text = NULL;

		if (!pending)
			return lv_errorf(err, -EBUSY, "Job is no longer pending");
		if (json_is_string(v) && *json_string_value(v) &&
		    (!(d = depend_parse(json_string_value(v), err)) ||
		     !(text = strdup(json_string_value(v))))) {
			depend_destroy(d);
			return err->code ? err->code : -ENOMEM;
		}
		depend_destroy(job->dep);
		free(job->dep_text);
		job->dep = d;
		job->dep_text = text;
	}
	if ((v = json_object_get(set, "begin")) && json_is_integer(v)) {
		if (!pending)
			return lv_errorf(err, -EBUSY, "Job is no longer pending");
		job->begin_time = (time_t)json_integer_value(v);
	}
	if ((v = json_object_get(set, "nodes_min")) && json_is_integer(v)) {
		if (!pending)
			return lv_errorf(err, -EBUSY, "Job is no longer pending");
		job->req.nodes_min = job->req.nodes_max = (uint32_t)json_integer_value(v);
	}
	/* Priority, Nice, QOS, Account (joblimits.c). */
	return limits_update_job(ctld, job, set, peer->is_admin, err);
}

static int do_requeue(struct lvctld *ctld, struct job *job, bool hold,
		      struct lv_error *err)
{
	if (strcmp(job->kind, "batch"))
		return lv_errorf(err, -EINVAL, "Only batch jobs can be requeued");
	if (job->state == JOB_PENDING)
		return lv_errorf(err, -EBUSY, "Job is pending: nothing to requeue");
	if (job->state == JOB_RUNNING) {
		/* Kill it; when the node reports, it goes back to the queue. */
		job->requeue_requested = true;
		job->requeue_hold = hold;
		job->state = JOB_COMPLETING;
		return launch_signal(ctld, job, 15, false, true, err);
	}
	if (job->state == JOB_COMPLETING)
		return lv_errorf(err, -EBUSY, "Job is completing");
	sched_requeue(ctld, job, hold);
	if (!hold)
		job->reason = REASON_NONE;
	return 0;
}

void rpc_job_update(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		    void *arg)
{
	struct lvctld *ctld = arg;
	const struct lv_rpc_peer *peer = lv_rpc_conn_peer(conn);
	const char *action = lv_json_str(req->body, "action");
	struct lv_error err = { 0 };
	uint64_t mark = persist_mark(ctld);
	struct job *job;
	int64_t id;
	int rc = 0;

	if (lv_json_int(req->body, "job_id", 1, UINT32_MAX, &id, &err) < 0 || !action) {
		lv_rpc_respond_error(conn, req->id, EINVAL, "%s",
				     action ? err.text : "update: no action");
		return;
	}
	if (!(job = jobs_find(ctld->jobs, (uint32_t)id))) {
		lv_rpc_respond_error(conn, req->id, ENOENT, "Invalid job id specified");
		return;
	}
	if (!may_touch(peer, job)) {
		lv_log(LV_LOG_WARNING, "job: uid=%u may not %s job=%u of uid=%u",
		       (unsigned)peer->uid, action, job->id, (unsigned)job->uid);
		lv_rpc_respond_error(conn, req->id, EPERM, "Access/permission denied");
		return;
	}
	if (!strcmp(action, "hold") || !strcmp(action, "uhold")) {
		if (job->state != JOB_PENDING)
			rc = lv_errorf(&err, -EBUSY, "Job is no longer pending execution");
		job->held = rc == 0 ? true : job->held;
		if (rc == 0)
			job->held_by_admin = peer->is_admin && strcmp(action, "uhold");
	} else if (!strcmp(action, "release")) {
		if (job->held_by_admin && !peer->is_admin)
			rc = lv_errorf(&err, -EPERM,
				       "Access/permission denied: held by an administrator");
		else if (job->state != JOB_PENDING)
			rc = lv_errorf(&err, -EBUSY, "Job is no longer pending execution");
		else {
			job->held = job->held_by_admin = false;
			job->reason = REASON_NONE;
		}
	} else if (!strcmp(action, "requeue") || !strcmp(action, "requeuehold")) {
		rc = do_requeue(ctld, job, !strcmp(action, "requeuehold"), &err);
	} else if (!strcmp(action, "update")) {
		json_t *set = NULL;

		/* The job_modify() hook may change the update or refuse it. */
		rc = policy_job_modify(ctld->policy,
				       json_object_get(req->body, "set"), job,
				       peer->uid, &set, &err);
		if (rc == 0)
			rc = update_fields(ctld, peer, job, set, &err);
		json_decref(set);
	} else {
		rc = lv_errorf(&err, -EINVAL, "unknown action '%s'", action);
	}
	if (rc < 0) {
		lv_rpc_respond_error(conn, req->id, -rc, "%s", err.text);
		return;
	}
	persist_job(ctld, job);
	sched_request(ctld);
	persist_respond(ctld, conn, req->id, mark, NULL);
}
