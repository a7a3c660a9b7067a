/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Sending allocations to nodes and handling what nodes report back. */
#include "config.h"

#include "sched/launch.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "common/log.h"
#include "common/msg.h"
#include "common/timefmt.h"
#include "sched/jobs.h"
#include "sched/nodes.h"
#include "sched/persist.h"
#include "sched/sched.h"

struct launch_ctx {
	struct lvctld *ctld;
	uint32_t job_id;
	uint32_t restarts; /* the attempt this launch belongs to */
};

static struct lv_rpc_conn *node_conn(struct lvctld *ctld, const char *name)
{
	struct node *n = name ? nodes_find(ctld->nodes, name) : NULL;

	if (!n || !n->conn_id)
		return NULL;
	return lv_rpc_server_find(ctld->rpc, n->conn_id);
}

/* The node refused the job: held, as Slurm's "launch failed requeued
 * held", so that a broken node does not eat the queue.  A job that could
 * not be sent at all never ran and is simply queued again. */
static void launch_failed(struct lvctld *ctld, struct job *job,
			  const char *why, bool hold)
{
	lv_log(LV_LOG_ERR, "job: job=%u launch on %s failed: %s; requeued%s",
	       job->id, job->batch_host ? job->batch_host : "?", why,
	       hold ? " and held" : "");
	job->launch_unconfirmed = false;
	sched_requeue(ctld, job, hold);
}

static void launched(struct lv_rpc_conn *conn, int status, const json_t *body,
		     const char *errtext, void *arg)
{
	struct launch_ctx *lc = arg;
	struct job *job = jobs_find(lc->ctld->jobs, lc->job_id);

	(void)conn;
	(void)body;
	if (!job || job->restarts != lc->restarts ||
	    (job->state != JOB_RUNNING && job->state != JOB_COMPLETING)) {
		free(lc);
		return;
	}
	if (status == -ECONNRESET) {
		/* Lost with the connection: the node may or may not have
		 * started it.  Its next registration lists what it runs
		 * (launch_reconcile), or NodeTimeout declares it lost. */
		lv_log(LV_LOG_WARNING,
		       "job: job=%u: connection to %s lost during the launch; waiting for the node's report",
		       job->id, job->batch_host ? job->batch_host : "?");
	} else if (status < 0) {
		launch_failed(lc->ctld, job, errtext ? errtext : "error", true);
	} else {
		job->launch_unconfirmed = false;
	}
	free(lc);
}

static json_t *launch_body(struct lvctld *ctld, const struct job *job)
{
	json_t *b = job_desc(job);
	uint32_t secs = job->req.time_limit == LV_TIME_UNLIMITED
				? 0
				: job->req.time_limit * 60;

	if (!b)
		return NULL;
	json_object_set_new(b, "job_id", json_integer(job->id));
	json_object_set_new(b, "node", json_string(job->batch_host));
	json_object_set_new(b, "uid", json_integer(job->uid));
	json_object_set_new(b, "gid", json_integer(job->gid));
	json_object_set_new(b, "user", json_string(job->user));
	json_object_set_new(b, "name", json_string(job->name));
	json_object_set_new(b, "partition", json_string(job->partition));
	json_object_set_new(b, "nodes", json_string(job->nodes));
	json_object_set_new(b, "num_nodes", json_integer((json_int_t)job->n_grants));
	json_object_set_new(b, "ntasks", json_integer(job->req.ntasks));
	json_object_set_new(b, "cpus_per_task", json_integer(job->req.cpus_per_task));
	json_object_set_new(b, "num_cpus", json_integer(job->num_cpus));
	json_object_set_new(b, "time_limit_secs", json_integer(secs));
	json_object_set_new(b, "kill_wait", json_integer(ctld->conf->kill_wait));
	json_object_set_new(b, "cluster", json_string(ctld->conf->cluster_name));
	json_object_set_new(b, "grants", sched_grant_json(ctld, job));
	json_object_set_new(b, "restarts", json_integer(job->restarts));
	if (job->array_job_id) {
		struct job *a = jobs_find(ctld->jobs, job->array_job_id);

		json_object_set_new(b, "array_job_id", json_integer(job->array_job_id));
		json_object_set_new(b, "array_task_id", json_integer(job->array_task_id));
		if (a && a->array_pending) {
			json_object_set_new(b, "array_task_count", json_integer(a->array_total));
			json_object_set_new(b, "array_task_min", json_integer(a->array_min));
			json_object_set_new(b, "array_task_max", json_integer(a->array_max));
			json_object_set_new(b, "array_task_step", json_integer(a->array_step));
		}
	}
	return b;
}

int launch_job(struct lvctld *ctld, struct job *job)
{
	struct lv_rpc_conn *conn;
	struct launch_ctx *lc;
	json_t *body;

	if (strcmp(job->kind, "batch") != 0)
		return 0;
	if (!(conn = node_conn(ctld, job->batch_host))) {
		launch_failed(ctld, job, "node is not connected", false);
		return -ENOTCONN;
	}
	if (!(lc = calloc(1, sizeof(*lc))) || !(body = launch_body(ctld, job))) {
		free(lc);
		launch_failed(ctld, job, "out of memory", false);
		return -ENOMEM;
	}
	lc->ctld = ctld;
	lc->job_id = job->id;
	lc->restarts = job->restarts;
	if (lv_rpc_call(conn, LV_MSG_ALLOC_LAUNCH, body, launched, lc) < 0) {
		free(lc);
		launch_failed(ctld, job, "cannot send to the node", false);
		return -ENOTCONN;
	}
	job->launch_unconfirmed = true;
	return 0;
}

static void signalled(struct lv_rpc_conn *conn, int status, const json_t *body,
		      const char *errtext, void *arg)
{
	struct launch_ctx *lc = arg;

	(void)conn;
	(void)body;
	if (status < 0 && status != -ECONNRESET)
		lv_log(LV_LOG_WARNING, "job: job=%u signal failed: %s", lc->job_id,
		       errtext);
	free(lc);
}

static size_t to_all_nodes(struct lvctld *ctld, const struct job *job,
			   json_t *body);

int launch_signal(struct lvctld *ctld, struct job *job, int sig,
		  bool batch_only, bool cancel, struct lv_error *err)
{
	struct lv_rpc_conn *conn = node_conn(ctld, job->batch_host);
	struct launch_ctx *lc;

	/* scancel -s without --batch: the steps get it, not the shell. */
	if (!cancel && !batch_only) {
		if (!job->steps)
			return lv_errorf(err, -ESRCH, "Job has no steps to signal (use --batch for the batch shell)");
		to_all_nodes(ctld, job,
			     json_pack("{s:I, s:i, s:b}", "job_id",
				       (json_int_t)job->id, "signal", sig,
				       "steps_only", 1));
		return 0;
	}
	if (!conn) {
		if (cancel) {
			/* The node is gone; it will kill the job when it
			 * returns (reconcile), so the job ends now. */
			sched_job_ended(ctld, job, JOB_CANCELLED, 0);
			return 0;
		}
		return lv_errorf(err, -EHOSTUNREACH, "node %s is not responding",
				 job->batch_host ? job->batch_host : "?");
	}
	if (!(lc = calloc(1, sizeof(*lc))))
		return lv_errorf(err, -ENOMEM, "out of memory");
	lc->ctld = ctld;
	lc->job_id = job->id;
	if (lv_rpc_call(conn, LV_MSG_ALLOC_SIGNAL,
			json_pack("{s:I, s:s, s:i, s:b, s:b, s:I}", "job_id",
				  (json_int_t)job->id, "node", job->batch_host,
				  "signal", sig, "batch_only", batch_only,
				  "cancel", cancel, "kill_wait",
				  (json_int_t)ctld->conf->kill_wait),
			signalled, lc) < 0) {
		free(lc);
		return lv_errorf(err, -ENOTCONN, "node %s is not connected",
				 job->batch_host);
	}
	return 0;
}

/* The batch script's usage in ALLOC_DONE, for accounting; wait4()
 * figures until lvd has cgroups (absent from older lvd: 0). */
static void read_usage(struct job *job, const json_t *b)
{
	int64_t v;

	if (lv_json_int(b, "maxrss_kb", 0, INT64_MAX, &v, NULL) == 0)
		job->maxrss_kb = (uint64_t)v;
	if (lv_json_int(b, "cpu_usec", 0, INT64_MAX, &v, NULL) == 0)
		job->cpu_usec = (uint64_t)v;
}

static enum job_state final_state(const struct job *job, const json_t *b,
				  int status)
{
	if (json_is_true(json_object_get(b, "timed_out")) || job->timed_out)
		return JOB_TIMEOUT;
	if (json_is_true(json_object_get(b, "oom")))
		return JOB_OOM;
	if (job->cancel_requested)
		return JOB_CANCELLED;
	if (json_is_true(json_object_get(b, "node_fail")))
		return JOB_NODE_FAIL;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return JOB_COMPLETED;
	return JOB_FAILED;
}

void rpc_alloc_done(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		    void *arg)
{
	struct lvctld *ctld = arg;
	struct lv_error err = { 0 };
	int64_t id = 0, status = 0, restarts = 0;
	uint64_t mark = persist_mark(ctld);
	struct job *job;

	if (lv_json_int(req->body, "job_id", 1, UINT32_MAX, &id, &err) < 0 ||
	    lv_json_int(req->body, "status", INT32_MIN, INT32_MAX, &status, &err) < 0) {
		lv_rpc_respond_error(conn, req->id, EINVAL, "%s", err.text);
		return;
	}
	(void)lv_json_int(req->body, "restarts", 0, UINT32_MAX, &restarts, NULL);
	job = jobs_find(ctld->jobs, (uint32_t)id);
	if (job && job->restarts == (uint32_t)restarts)
		read_usage(job, req->body);
	/* Late or repeated reports (after a requeue or a restart of either
	 * side) are acknowledged and otherwise ignored. */
	if (job && (job->state == JOB_RUNNING || job->state == JOB_COMPLETING) &&
	    job->restarts == (uint32_t)restarts && job->requeue_requested) {
		job->requeue_requested = false;
		sched_requeue(ctld, job, job->requeue_hold);
		if (!job->requeue_hold)
			job->reason = REASON_NONE;
	} else if (job && (job->state == JOB_RUNNING || job->state == JOB_COMPLETING) &&
	    job->restarts == (uint32_t)restarts)
		sched_job_ended(ctld, job, final_state(job, req->body, (int)status),
				(int)status);
	/* The node keeps its report until the end is on disk; answers
	 * leave in order (lvd matches them by order). */
	persist_respond(ctld, conn, req->id, mark, NULL);
}

static bool listed(const json_t *arr, uint32_t id)
{
	const json_t *v;
	size_t i;

	json_array_foreach(arr, i, v) {
		if (json_integer_value(v) == (json_int_t)id)
			return true;
	}
	return false;
}

void launch_reconcile(struct lvctld *ctld, const char *node,
		      const json_t *running, bool rebooted,
		      time_t node_started)
{
	struct lv_error err = { 0 };
	struct job *job, *next;

	for (job = jobs_first(ctld->jobs); job; job = next) {
		next = jobs_next(job);
		if ((job->state != JOB_RUNNING && job->state != JOB_COMPLETING) ||
		    strcmp(job->kind, "batch") || !job->batch_host ||
		    strcmp(job->batch_host, node))
			continue;
		if (listed(running, job->id)) {
			/* Being killed: the signal may have been lost with
			 * the connection or with lvctld (after a restart). */
			if (job->state == JOB_COMPLETING &&
			    launch_signal(ctld, job, SIGTERM, false, true, &err) < 0)
				lv_log(LV_LOG_WARNING, "job: job=%u: %s", job->id,
				       err.text);
			continue;
		}
		/* lvd lists a job from before its supervisor starts it
		 * (desc.json) until its end is acknowledged, which lvctld does
		 * only once the end is on disk.  So a job whose launch was
		 * never confirmed, or one started after this lvd was, never
		 * reached it (lost with a connection, or with lvctld stopped
		 * after recording the start): queue it again. */
		if (job->launch_unconfirmed ||
		    (node_started && node_started <= job->start_time)) {
			lv_log(LV_LOG_WARNING, "job: job=%u never reached %s; %s",
			       job->id, node,
			       job->cancel_requested ? "cancelled" : "requeued");
			if (job->cancel_requested)
				sched_job_ended(ctld, job, JOB_CANCELLED, 0);
			else
				sched_requeue(ctld, job, false);
			continue;
		}
		lv_log(LV_LOG_WARNING, "job: job=%u is not running on %s%s",
		       job->id, node, rebooted ? " (node daemon restarted)" : "");
		if (job->requeue && !job->cancel_requested)
			sched_requeue(ctld, job, false);
		else
			sched_job_ended(ctld, job, JOB_NODE_FAIL, 0);
	}
}

void launch_node_failed(struct lvctld *ctld, const char *node)
{
	struct job *job, *next;
	size_t i;

	for (job = jobs_first(ctld->jobs); job; job = next) {
		next = jobs_next(job);
		if (job->state != JOB_RUNNING && job->state != JOB_COMPLETING)
			continue;
		for (i = 0; i < job->n_grants; i++)
			if (!strcmp(nodes_get(ctld->nodes, job->grants[i].node)->name,
				    node))
				break;
		if (i == job->n_grants)
			continue;
		lv_log(LV_LOG_WARNING, "job: job=%u lost node %s%s", job->id, node,
		       job->requeue ? ", requeued" : "");
		if (job->requeue && !job->cancel_requested)
			sched_requeue(ctld, job, false);
		else
			sched_job_ended(ctld, job, JOB_NODE_FAIL, 0);
	}
}

/* Sends body (a new reference) as ALLOC_SIGNAL to every node of the job
 * with "node" set to it; returns how many were sent. */
static size_t to_all_nodes(struct lvctld *ctld, const struct job *job,
			   json_t *body)
{
	struct launch_ctx *lc;
	struct lv_rpc_conn *conn;
	size_t i, sent = 0;

	for (i = 0; i < job->n_grants; i++) {
		struct node *n = nodes_get(ctld->nodes, job->grants[i].node);
		json_t *b;

		if (!(conn = node_conn(ctld, n->name)) || !(lc = calloc(1, sizeof(*lc))))
			continue;
		lc->ctld = ctld;
		lc->job_id = job->id;
		b = json_copy(body);
		json_object_set_new(b, "node", json_string(n->name));
		if (lv_rpc_call(conn, LV_MSG_ALLOC_SIGNAL, b, signalled, lc) < 0)
			free(lc);
		else
			sent++;
	}
	json_decref(body);
	return sent;
}

void launch_end_steps(struct lvctld *ctld, const struct job *job)
{
	if (!job->steps)
		return;
	to_all_nodes(ctld, job,
		     json_pack("{s:I, s:i, s:b}", "job_id", (json_int_t)job->id,
			       "signal", 9, "steps_only", 1));
}

void launch_update_limit(struct lvctld *ctld, const struct job *job)
{
	struct lv_rpc_conn *conn = node_conn(ctld, job->batch_host);
	struct launch_ctx *lc;
	json_int_t secs = job->req.time_limit == LV_TIME_UNLIMITED
				  ? 0
				  : (json_int_t)job->req.time_limit * 60;

	if (!conn || strcmp(job->kind, "batch") || !(lc = calloc(1, sizeof(*lc))))
		return;
	lc->ctld = ctld;
	lc->job_id = job->id;
	if (lv_rpc_call(conn, LV_MSG_ALLOC_SIGNAL,
			json_pack("{s:I, s:s, s:I}", "job_id", (json_int_t)job->id,
				  "node", job->batch_host, "time_limit_secs", secs),
			signalled, lc) < 0)
		free(lc);
}
