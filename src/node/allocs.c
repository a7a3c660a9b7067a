/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Allocations on a node: launch through the kind's driver, time limits,
 * signals, and reporting their end to the controller until it has
 * acknowledged it. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "common/log.h"
#include "common/msg.h"
#include "node/children.h"
#include "node/driver.h"
#include "node/lvd.h"

struct lvd_node *lvd_find_node(struct lvd *lvd, const char *name)
{
	size_t i;

	for (i = 0; name && i < lvd->n_nodes; i++)
		if (!strcmp(lvd->nodes[i].name, name))
			return &lvd->nodes[i];
	return NULL;
}

static struct alloc_run *find_run(struct lvd_node *node, uint32_t job_id)
{
	struct alloc_run *r;

	for (r = node->runs; r; r = r->next)
		if (r->job_id == job_id)
			return r;
	return NULL;
}

static void unlink_run(struct lvd_node *node, struct alloc_run *run)
{
	struct alloc_run **pp;

	for (pp = &node->runs; *pp; pp = &(*pp)->next)
		if (*pp == run) {
			*pp = run->next;
			return;
		}
}

static void run_free(struct alloc_run *run)
{
	if (!run)
		return;
	if (run->limit_timer)
		event_free(run->limit_timer);
	if (run->kill_timer)
		event_free(run->kill_timer);
	json_decref(run->desc);
	free(run->dir);
	free(run);
}

static void report_sent(struct lv_rpc_conn *conn, int status, const json_t *body,
			const char *errtext, void *arg)
{
	struct lvd_node *node = arg;
	struct done_report **pp, *r;
	json_int_t id = json_integer_value(json_object_get(body, "job_id"));

	(void)conn;
	(void)errtext;
	(void)id;
	/* Replies come in order of the calls; drop the first in flight. */
	for (pp = &node->reports; (r = *pp); pp = &r->next) {
		if (!r->in_flight)
			continue;
		if (status == 0) {
			*pp = r->next;
			json_decref(r->body);
			free(r);
		} else {
			r->in_flight = false; /* resent after re-registering */
		}
		return;
	}
}

void allocs_flush_reports(struct lvd_node *node)
{
	struct done_report *r;

	for (r = node->reports; r; r = r->next) {
		if (r->in_flight || !node->link || !node->registered)
			continue;
		if (lv_rpc_call(node->link, LV_MSG_ALLOC_DONE, json_incref(r->body),
				report_sent, node) == 0)
			r->in_flight = true;
	}
}

/* Queues the end of run for the controller and forgets the run. */
static void run_ended(struct alloc_run *run)
{
	struct lvd_node *node = run->node;
	struct done_report *r = calloc(1, sizeof(*r)), **tail;

	run->drv->cleanup(run);
	unlink_run(node, run);
	lv_log(LV_LOG_INFO, "job: job=%u on %s ended status=0x%x%s%s", run->job_id,
	       node->name, (unsigned)run->status, run->timed_out ? " (time limit)" : "",
	       run->cancelled ? " (cancelled)" : "");
	if (r && (r->body = json_pack("{s:I, s:s, s:i, s:b, s:b, s:b, s:I, s:I, s:I}",
				      "job_id", (json_int_t)run->job_id, "node",
				      node->name, "status", run->status,
				      "timed_out", run->timed_out, "cancelled",
				      run->cancelled, "oom", run->oom, "restarts",
				      (json_int_t)run->restarts, "maxrss_kb",
				      (json_int_t)run->maxrss_kb, "cpu_usec",
				      (json_int_t)run->cpu_usec))) {
		for (tail = &node->reports; *tail; tail = &(*tail)->next)
			;
		*tail = r;
	} else {
		free(r);
		lv_log(LV_LOG_ERR, "job: job=%u: out of memory queueing its end",
		       run->job_id);
	}
	run_free(run);
	allocs_flush_reports(node);
}

static void run_exited(pid_t pid, int status, const struct rusage *ru,
		       void *arg)
{
	struct alloc_run *run = arg;
	uint64_t rss = (uint64_t)ru->ru_maxrss; /* KiB on Linux */

	(void)pid;
	if (rss > run->maxrss_kb)
		run->maxrss_kb = rss;
	run->cpu_usec += children_cpu_usec(ru);
	if (run->drv->wait(run, status))
		run_ended(run);
}

static void on_kill(evutil_socket_t fd, short what, void *arg)
{
	struct alloc_run *run = arg;

	(void)fd;
	(void)what;
	lv_log(LV_LOG_INFO, "job: job=%u did not stop within KillWait, SIGKILL",
	       run->job_id);
	run->drv->signal(run, SIGKILL, false);
}

/* SIGTERM now, SIGKILL after KillWait. */
static void terminate(struct alloc_run *run)
{
	json_int_t kw = json_integer_value(json_object_get(run->desc, "kill_wait"));
	struct timeval tv = { .tv_sec = kw > 0 ? kw : 30 };

	run->drv->signal(run, SIGTERM, false);
	if (run->kill_timer)
		event_add(run->kill_timer, &tv);
}

static void on_limit(evutil_socket_t fd, short what, void *arg)
{
	struct alloc_run *run = arg;

	(void)fd;
	(void)what;
	lv_log(LV_LOG_INFO, "job: job=%u reached its time limit", run->job_id);
	run->timed_out = true;
	terminate(run);
}

/* (Re)arms the time limit, counted from the start; 0 means none. */
static void set_limit(struct alloc_run *run, json_int_t limit)
{
	time_t end = run->start + (time_t)limit, now = time(NULL);
	struct timeval tv = { .tv_sec = end > now ? end - now : 0 };

	event_del(run->limit_timer);
	if (limit > 0 && !run->timed_out)
		event_add(run->limit_timer, &tv);
}

static struct alloc_run *run_new(struct lvd_node *node, const json_t *body,
				 struct lv_error *err)
{
	struct alloc_run *run = calloc(1, sizeof(*run));
	int64_t id = 0, uid = 0, gid = 0, restarts = 0;
	const char *kind = lv_json_str(body, "kind");

	if (!run) {
		lv_errorf(err, -ENOMEM, "out of memory");
		return NULL;
	}
	run->node = node;
	if (lv_json_int(body, "job_id", 1, UINT32_MAX, &id, err) < 0 ||
	    lv_json_int(body, "uid", 0, UINT32_MAX - 1, &uid, err) < 0 ||
	    lv_json_int(body, "gid", 0, UINT32_MAX - 1, &gid, err) < 0)
		goto out_free;
	(void)lv_json_int(body, "restarts", 0, UINT32_MAX, &restarts, NULL);
	run->job_id = (uint32_t)id;
	run->uid = (uid_t)uid;
	run->gid = (gid_t)gid;
	run->restarts = (uint32_t)restarts;
	if (!(run->drv = driver_find(kind ? kind : "batch"))) {
		lv_errorf(err, -ENOTSUP, "no driver for allocation kind '%s'", kind);
		goto out_free;
	}
	if (asprintf(&run->dir, "%s/job.%u", node->state_dir ? node->state_dir : "/tmp",
		     run->job_id) < 0) {
		run->dir = NULL;
		lv_errorf(err, -ENOMEM, "out of memory");
		goto out_free;
	}
	run->desc = json_incref((json_t *)body);
	run->limit_timer = evtimer_new(node->lvd->base, on_limit, run);
	run->kill_timer = evtimer_new(node->lvd->base, on_kill, run);
	if (!run->limit_timer || !run->kill_timer) {
		lv_errorf(err, -ENOMEM, "out of memory");
		goto out_free;
	}
	return run;
out_free:
	run_free(run);
	return NULL;
}

void allocs_rpc_launch(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		       void *arg)
{
	struct lvd_node *link_node = arg;
	struct lvd *lvd = link_node->lvd;
	struct lvd_node *node = lvd_find_node(lvd, lv_json_str(req->body, "node"));
	json_int_t limit = json_integer_value(json_object_get(req->body, "time_limit_secs"));
	struct lv_error err = { 0 };
	struct alloc_run *run;

	if (!node) {
		lv_rpc_respond_error(conn, req->id, ENOENT, "this lvd does not serve node %s",
				     lv_json_str(req->body, "node"));
		return;
	}
	if (!(run = run_new(node, req->body, &err)))
		goto out_err;
	if (find_run(node, run->job_id)) {
		lv_errorf(&err, -EEXIST, "job %u already runs here", run->job_id);
		run_free(run);
		goto out_err;
	}
	if (run->drv->prepare(run, &err) < 0 || run->drv->launch(run, &err) < 0) {
		run->drv->cleanup(run);
		if (run->pid > 0)
			children_watch(lvd->children, run->pid, NULL, NULL);
		run_free(run);
		goto out_err;
	}
	if (children_watch_usage(lvd->children, run->pid, run_exited,
				 run) < 0) {
		run->drv->signal(run, SIGKILL, false);
		run->drv->cleanup(run);
		run_free(run);
		lv_errorf(&err, -ENOMEM, "out of memory");
		goto out_err;
	}
	run->next = node->runs;
	node->runs = run;
	run->start = time(NULL);
	set_limit(run, limit);
	lv_debug(LV_DBG_LAUNCH, "job: job=%u started on %s pid=%ld", run->job_id,
		 node->name, (long)run->pid);
	lv_rpc_respond(conn, req->id, json_pack("{s:I}", "pid", (json_int_t)run->pid));
	return;
out_err:
	lv_log(LV_LOG_ERR, "job: launch on %s failed: %s", node->name, err.text);
	lv_rpc_respond_error(conn, req->id, -err.code, "%s", err.text);
}

void allocs_rpc_signal(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		       void *arg)
{
	struct lvd_node *link_node = arg;
	struct lvd_node *node = lvd_find_node(link_node->lvd,
					      lv_json_str(req->body, "node"));
	json_int_t id = json_integer_value(json_object_get(req->body, "job_id"));
	json_int_t sig = json_integer_value(json_object_get(req->body, "signal"));
	struct alloc_run *run = node ? find_run(node, (uint32_t)id) : NULL;

	if (json_is_true(json_object_get(req->body, "steps_only"))) {
		/* scancel -s without --batch signals the steps, not the batch
		 * shell; at the job's end this is SIGKILL for what is left. */
		steps_signal_job(link_node->lvd, (uint32_t)id,
				 sig > 0 && sig < NSIG ? (int)sig : SIGKILL);
		lv_rpc_respond(conn, req->id, NULL);
		return;
	}
	if (run && json_is_integer(json_object_get(req->body, "time_limit_secs"))) {
		set_limit(run, json_integer_value(json_object_get(req->body,
								    "time_limit_secs")));
		lv_rpc_respond(conn, req->id, NULL);
		return;
	}
	if (!run) {
		lv_rpc_respond_error(conn, req->id, ESRCH, "job %lld is not running here",
				     (long long)id);
		return;
	}
	if (sig <= 0 || sig >= NSIG) {
		lv_rpc_respond_error(conn, req->id, EINVAL, "invalid signal %lld",
				     (long long)sig);
		return;
	}
	if (json_is_true(json_object_get(req->body, "cancel"))) {
		run->cancelled = true;
		terminate(run);
	} else {
		run->drv->signal(run, (int)sig,
				 json_is_true(json_object_get(req->body, "batch_only")));
	}
	lv_rpc_respond(conn, req->id, NULL);
}

json_t *allocs_running_ids(struct lvd_node *node)
{
	json_t *arr = json_array();
	struct alloc_run *r;
	struct done_report *d;

	for (r = node->runs; r; r = r->next)
		json_array_append_new(arr, json_integer(r->job_id));
	for (d = node->reports; d; d = d->next)
		json_array_append(arr, json_object_get(d->body, "job_id"));
	return arr;
}

void allocs_shutdown(struct lvd_node *node)
{
	struct alloc_run *run;
	struct done_report *d;

	while ((run = node->runs)) {
		node->runs = run->next;
		children_forget(node->lvd->children, run->pid);
		run->drv->signal(run, SIGKILL, false);
		run->drv->cleanup(run);
		run_free(run);
	}
	while ((d = node->reports)) {
		node->reports = d->next;
		json_decref(d->body);
		free(d);
	}
}
