/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Allocations on a node: launch through the kind's driver, time limits,
 * signals, and reporting their end to the controller until it has
 * acknowledged it. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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
	if (run->poll_timer)
		event_free(run->poll_timer);
	json_decref(run->desc);
	free(run->dir);
	free(run);
}

/* lvd's record of a job in its directory (see allocs_adopt): desc.json
 * (the launch body), pids and status (the supervisor's). */
static const char *const job_files[] = {"desc.json", "desc.tmp", "pids",
					"status", "status.tmp"};

static char *job_file(const char *dir, const char *name)
{
	char *path;

	return asprintf(&path, "%s/%s", dir, name) < 0 ? NULL : path;
}

/* Removes lvd's files and then the directory (once empty). */
static void remove_job_files(const char *dir, bool and_dir)
{
	char *path;
	size_t i;

	for (i = 0; dir && i < sizeof(job_files) / sizeof(job_files[0]); i++)
		if ((path = job_file(dir, job_files[i]))) {
			(void)unlink(path);
			free(path);
		}
	if (dir && and_dir)
		(void)rmdir(dir);
}

static int write_desc(struct alloc_run *run)
{
	char *path = job_file(run->dir, "desc.json"),
	     *tmp = job_file(run->dir, "desc.tmp");
	char *text = json_dumps(run->desc, JSON_COMPACT);
	size_t len = text ? strlen(text) : 0, off = 0;
	ssize_t n = 0;
	int fd = -1, rc = -ENOMEM;

	if (path && tmp && text &&
	    (fd = open(tmp,
		       O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		       0600)) < 0)
		rc = -errno;
	while (fd >= 0 && off < len &&
	       (n = write(fd, text + off, len - off)) > 0)
		off += (size_t)n;
	if (fd >= 0) {
		rc = off == len ? 0 : -errno;
		if (close(fd) < 0 && !rc)
			rc = -errno;
		if (!rc && rename(tmp, path) < 0)
			rc = -errno;
		if (rc)
			(void)unlink(tmp);
	}
	free(path);
	free(tmp);
	free(text);
	return rc;
}

/* desc.json goes to disk before the job can start: an lvd killed at any
 * point after this finds it, and lists it when it registers.  Without
 * NodeStateDir no lvd could adopt it anyway. */
static int record_job(struct alloc_run *run, struct lv_error *err)
{
	int rc;

	if (!run->node->state_dir || (rc = write_desc(run)) == 0)
		return 0;
	return lv_errorf(err, rc, "cannot record the job in %s: %s", run->dir,
			 strerror(-rc));
}

/* Reads what the supervisor left in dir/status (see batch.c's
 * write_status). */
static int read_status(struct alloc_run *run)
{
	char *path = job_file(run->dir, "status");
	unsigned long long rss = 0, cpu = 0;
	FILE *f = path ? fopen(path, "re") : NULL;
	int status = 0, oom = 0, rc = -ENOENT;

	free(path);
	if (!f)
		return -errno;
	/* "<status> <maxrss_kb> <cpu_usec> [<oom 0|1>]": older supervisors
	 * wrote no oom field. */
	if (fscanf(f, "%d %llu %llu %d", &status, &rss, &cpu, &oom) >= 3) {
		run->status = status;
		run->maxrss_kb = rss;
		run->cpu_usec = cpu;
		run->oom = oom == 1;
		rc = 0;
	}
	fclose(f);
	return rc;
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
			/* Unless a relaunch (requeue) already uses it. */
			id = json_integer_value(
				json_object_get(r->body, "job_id"));
			if (!find_run(node, (uint32_t)id))
				remove_job_files(r->dir, true);
			json_decref(r->body);
			free(r->dir);
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

static json_t *report_body(const struct alloc_run *run)
{
	json_t *b =
		json_pack("{s:I, s:s, s:i, s:b, s:b, s:b, s:I, s:I, s:I}",
			  "job_id", (json_int_t)run->job_id, "node",
			  run->node->name, "status", run->status, "timed_out",
			  run->timed_out, "cancelled", run->cancelled, "oom",
			  run->oom, "restarts", (json_int_t)run->restarts,
			  "maxrss_kb", (json_int_t)run->maxrss_kb, "cpu_usec",
			  (json_int_t)run->cpu_usec);

	if (b && run->node_fail)
		json_object_set_new(b, "node_fail", json_true());
	return b;
}

/* Queues the end of run for the controller and forgets the run.  Its
 * directory stays until the controller has acknowledged the end, so that
 * a restarted lvd can send it again. */
static void run_ended(struct alloc_run *run)
{
	struct lvd_node *node = run->node;
	struct done_report *r = NULL, **tail;

	run->drv->cleanup(run);
	unlink_run(node, run);
	lv_log(LV_LOG_INFO, "job: job=%u on %s ended status=0x%x%s%s%s",
	       run->job_id, node->name, (unsigned)run->status,
	       run->timed_out ? " (time limit)" : "",
	       run->cancelled ? " (cancelled)" : "",
	       run->node_fail ? " (supervisor lost)" : "");
	if (run->drop_report) {
		remove_job_files(run->dir, true);
		run_free(run);
		return;
	}
	if ((r = calloc(1, sizeof(*r))) && (r->body = report_body(run))) {
		r->dir = run->dir;
		run->dir = NULL;
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
	/* A supervisor records the job's own status and usage. */
	if (run->sup_pid > 0 && read_status(run) == 0) {
		status = run->status;
	} else {
		if (rss > run->maxrss_kb)
			run->maxrss_kb = rss;
		run->cpu_usec += children_cpu_usec(ru);
	}
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
	remove_job_files(run->dir, false); /* an earlier attempt's */
	if (run->drv->prepare(run, &err) < 0 || record_job(run, &err) < 0 ||
	    run->drv->launch(run, &err) < 0) {
		run->drv->cleanup(run);
		if (run->sup_pid > 0 || run->pid > 0)
			children_watch(lvd->children,
				       run->sup_pid > 0 ? run->sup_pid
							: run->pid,
				       NULL, NULL);
		remove_job_files(run->dir, true);
		run_free(run);
		goto out_err;
	}
	if (children_watch_usage(lvd->children,
				 run->sup_pid > 0 ? run->sup_pid : run->pid,
				 run_exited, run) < 0) {
		run->drv->signal(run, SIGKILL, false);
		run->drv->cleanup(run);
		remove_job_files(run->dir, true);
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
		json_t *limit = json_object_get(req->body, "time_limit_secs");

		set_limit(run, json_integer_value(limit));
		/* An adopting lvd re-arms the limit from desc.json. */
		if (!json_is_object(run->desc) ||
		    json_object_set(run->desc, "time_limit_secs", limit) < 0 ||
		    write_desc(run) < 0)
			lv_log(LV_LOG_WARNING,
			       "job: job=%u: cannot record its new time limit",
			       run->job_id);
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

json_t *allocs_live_ids(struct lvd_node *node)
{
	json_t *arr = json_array();
	struct alloc_run *r;

	for (r = node->runs; r; r = r->next)
		json_array_append_new(arr, json_integer(r->job_id));
	return arr;
}

json_t *allocs_running_ids(struct lvd_node *node)
{
	json_t *arr = allocs_live_ids(node);
	struct done_report *d;

	for (d = node->reports; d; d = d->next)
		json_array_append(arr, json_object_get(d->body, "job_id"));
	return arr;
}

void allocs_kill_stale(struct lvd_node *node, const json_t *ids)
{
	struct alloc_run *run;
	const json_t *v;
	size_t i;

	json_array_foreach(ids, i, v) {
		if (!json_is_integer(v) ||
		    !(run = find_run(node, (uint32_t)json_integer_value(v))) ||
		    run->drop_report)
			continue;
		lv_log(LV_LOG_WARNING,
		       "job: job=%u is not running according to the controller, killing it",
		       run->job_id);
		run->drop_report = true;
		run->drv->signal(run, SIGKILL, false);
		steps_signal_job(node->lvd, run->job_id, SIGKILL);
	}
}

/* Adoption: jobs a previous lvd left to their supervisors. */

/* pid is a live supervisor, not a process that reused its pid. */
static bool supervisor_alive(pid_t pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	if (pid <= 0 || kill(pid, 0) < 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%ld/comm", (long)pid);
	if (!(f = fopen(path, "re")))
		return false;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	return !strcmp(comm, LV_SUPERVISOR_COMM);
}

static void on_poll(evutil_socket_t fd, short what, void *arg)
{
	struct alloc_run *run = arg;
	struct timeval tv = {.tv_sec = 1};

	(void)fd;
	(void)what;
	/* The supervisor writes the status before it exits. */
	if (read_status(run) == 0) {
		if (run->drv->wait(run, run->status))
			run_ended(run);
		return;
	}
	if (supervisor_alive(run->sup_pid)) {
		event_add(run->poll_timer, &tv);
		return;
	}
	lv_log(LV_LOG_ERR,
	       "job: job=%u: its supervisor pid=%ld is gone without a status",
	       run->job_id, (long)run->sup_pid);
	run->node_fail = true;
	run->status = 0;
	run_ended(run);
}

static int read_pids(struct alloc_run *run)
{
	char *path = job_file(run->dir, "pids");
	FILE *f = path ? fopen(path, "re") : NULL;
	long sup = 0, pgid = 0;
	long long start = 0;
	int rc = -EINVAL;

	free(path);
	if (!f)
		return -ENOENT;
	if (fscanf(f, "%ld %ld %lld", &sup, &pgid, &start) == 3 && sup > 0 &&
	    pgid > 0) {
		run->sup_pid = (pid_t)sup;
		run->pid = (pid_t)pgid;
		run->start = (time_t)start;
		rc = 0;
	}
	fclose(f);
	return rc;
}

/* The job in dir: still running (adopted), ended while no lvd watched
 * (its end reported now), or lost with its supervisor (NODE_FAIL). */
static void adopt_one(struct lvd_node *node, const char *dir)
{
	char *path = job_file(dir, "desc.json");
	json_t *desc = path ? json_load_file(path, 0, NULL) : NULL;
	struct lv_error err = {0};
	struct alloc_run *run;
	struct timeval now = {0};

	free(path);
	if (!desc)
		return; /* not ours, or a launch that never finished */
	run = run_new(node, desc, &err);
	json_decref(desc);
	if (!run) {
		lv_log(LV_LOG_ERR, "job: cannot adopt %s: %s", dir, err.text);
		return;
	}
	if (!find_run(node, run->job_id) && read_pids(run) == -ENOENT) {
		/* desc.json is written before the supervisor starts, pids by
		 * the supervisor before it lets the script run (batch.c): the
		 * launch died in between, and the controller queues the job
		 * again when it sees the node does not list it. */
		lv_log(LV_LOG_WARNING,
		       "job: job=%u on %s: its launch never finished; forgotten",
		       run->job_id, node->name);
		run->drv->cleanup(run);
		remove_job_files(run->dir, true);
		run_free(run);
		return;
	}
	if (find_run(node, run->job_id) || read_pids(run) < 0 ||
	    !(run->poll_timer = evtimer_new(node->lvd->base, on_poll, run))) {
		lv_log(LV_LOG_ERR, "job: cannot adopt %s: no usable pids file",
		       dir);
		run_free(run);
		return;
	}
	run->adopted = true;
	run->next = node->runs;
	node->runs = run;
	if (read_status(run) == 0) {
		/* Ended while no lvd watched; its process group may be
		 * someone else's by now, so nothing is signalled. */
		lv_log(LV_LOG_INFO,
		       "job: job=%u on %s ended while lvd was away",
		       run->job_id, node->name);
		run->pid = 0;
		run_ended(run);
		return;
	}
	if (supervisor_alive(run->sup_pid)) {
		set_limit(run, json_integer_value(json_object_get(
				       run->desc, "time_limit_secs")));
		lv_log(LV_LOG_INFO,
		       "job: job=%u on %s adopted (supervisor pid=%ld)",
		       run->job_id, node->name, (long)run->sup_pid);
	}
	/* The first poll decides, from the loop, like every later one. */
	event_add(run->poll_timer, &now);
}

void allocs_adopt(struct lvd_node *node)
{
	struct dirent *de;
	char *dir, *end;
	DIR *d;

	if (!node->state_dir || !(d = opendir(node->state_dir)))
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "job.", 4) ||
		    strtoul(de->d_name + 4, &end, 10) == 0 || *end)
			continue;
		if (asprintf(&dir, "%s/%s", node->state_dir, de->d_name) < 0)
			continue;
		adopt_one(node, dir);
		free(dir);
	}
	closedir(d);
}

void allocs_shutdown(struct lvd_node *node)
{
	struct alloc_run *run;
	struct done_report *d;

	/* Batch jobs outlive lvd: their supervisors keep them, and the next
	 * lvd adopts them (NodeStateDir) and resends the unacknowledged ends
	 * from their directories. */
	while ((run = node->runs)) {
		node->runs = run->next;
		children_forget(node->lvd->children,
				run->sup_pid > 0 ? run->sup_pid : run->pid);
		/* Without NodeStateDir no lvd could adopt it. */
		if (run->sup_pid <= 0 || !node->state_dir) {
			run->drv->signal(run, SIGKILL, false);
			run->drv->cleanup(run);
			remove_job_files(run->dir, true);
		}
		run_free(run);
	}
	while ((d = node->reports)) {
		node->reports = d->next;
		json_decref(d->body);
		free(d->dir);
		free(d);
	}
}
