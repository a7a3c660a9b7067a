/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PRIO_INFO (lvprio), SHARE_INFO (lvshare) and SCHED_STATS (lvcontrol
 * show stats): read-only views of the scheduler (docs/scheduling.md). */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "common/msg.h"
#include "sched/backfill.h"
#include "sched/ctld.h"
#include "sched/fairshare.h"
#include "sched/jobs.h"
#include "sched/priority.h"
#include "sched/rpc_handlers.h"
#include "sched/sched.h"

static bool wanted(const struct job *job, const json_t *ids, const char *user)
{
	const json_t *e;
	size_t i;
	bool any = !json_array_size(ids);

	if (job->state != JOB_PENDING)
		return false;
	if (user && strcmp(user, job->user))
		return false;
	json_array_foreach(ids, i, e) {
		if (json_integer_value(e) == (json_int_t)job->id)
			any = true;
	}
	return any;
}

/* sprio's row: weighted values as it prints them, raw ones for -n. */
static json_t *row(const struct lv_conf *c, const struct job *job,
		   const struct prio_factors *f)
{
	return json_pack(
		"{s:I, s:s, s:s, s:s?, s:s?, s:I, s:f, s:f, s:f, s:f, s:f, s:f,"
		" s:f, s:f, s:f, s:f, s:i, s:b}",
		"job_id", (json_int_t)job->id, "user", job->user, "partition",
		job->partition, "account", job->account, "qos", job->qos,
		"priority", (json_int_t)priority_combine(c, f), "age",
		c->prio_weight_age * f->age, "fairshare",
		c->prio_weight_fairshare * f->fairshare, "jobsize",
		c->prio_weight_jobsize * f->jobsize, "part_prio",
		c->prio_weight_partition * f->partition, "qos_prio",
		c->prio_weight_qos * f->qos, "age_n", f->age, "fairshare_n",
		f->fairshare, "jobsize_n", f->jobsize, "part_n", f->partition,
		"qos_n", f->qos, "nice", f->nice, "fixed", f->admin != 0);
}

static json_t *rows_json(struct lvctld *ctld, const json_t *ids,
			 const char *user, time_t now)
{
	json_t *rows = json_array();
	struct prio_totals t;
	struct prio_factors f;
	struct job *job;

	if (!rows)
		return NULL;
	const json_t *e;
	size_t i;

	priority_totals(ctld->nodes, ctld->parts, ctld->conf, &t);
	/* -j: by id, without walking a long queue. */
	json_array_foreach(ids, i, e) {
		job = json_is_integer(e) && json_integer_value(e) > 0 &&
				      json_integer_value(e) <= UINT32_MAX
			      ? jobs_find(ctld->jobs,
					  (uint32_t)json_integer_value(e))
			      : NULL;
		if (!job || !wanted(job, NULL, user))
			continue;
		priority_factors(ctld->conf, ctld->fs, &t, job,
				 job_partition(ctld, job), now, &f);
		json_array_append_new(rows, row(ctld->conf, job, &f));
	}
	for (job = json_array_size(ids) ? NULL : jobs_first(ctld->jobs); job;
	     job = jobs_next(job)) {
		if (!wanted(job, ids, user))
			continue;
		priority_factors(ctld->conf, ctld->fs, &t, job,
				 job_partition(ctld, job), now, &f);
		json_array_append_new(rows, row(ctld->conf, job, &f));
	}
	return rows;
}

void rpc_prio_info(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		   void *arg)
{
	struct lvctld *ctld = arg;
	const json_t *ids = json_object_get(req->body, "job_ids");
	json_t *rows;

	if (ids && !json_is_array(ids)) {
		lv_rpc_respond_error(conn, req->id, EINVAL,
				     "job_ids: expected an array of ids");
		return;
	}
	rows = rows_json(ctld, ids, lv_json_str(req->body, "user"), time(NULL));
	if (!rows) {
		lv_rpc_respond_error(conn, req->id, ENOMEM, "out of memory");
		return;
	}
	lv_rpc_respond(conn, req->id,
		       json_pack("{s:o, s:o}", "jobs", rows, "weights",
				 priority_weights_json(ctld->conf)));
}

void rpc_share_info(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		    void *arg)
{
	struct lvctld *ctld = arg;
	json_t *rows = fairshare_to_json(
		ctld->fs, time(NULL), lv_json_str(req->body, "user"),
		lv_json_str(req->body, "account"),
		json_is_true(json_object_get(req->body, "all_users")));

	if (!rows) {
		lv_rpc_respond_error(conn, req->id, ENOMEM, "out of memory");
		return;
	}
	lv_rpc_respond(conn, req->id, json_pack("{s:o}", "rows", rows));
}

void rpc_sched_stats(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		     void *arg)
{
	struct lvctld *ctld = arg;
	double mean = ctld->sched_stats.full_passes
			      ? ctld->sched_stats.total_us /
					(double)ctld->sched_stats.full_passes
			      : 0;

	lv_rpc_respond(
		conn, req->id,
		json_pack(
			"{s:I, s:I, s:I, s:{s:I, s:I, s:f, s:f, s:f, s:f, s:I, s:I},"
			" s:o}",
			"time", (json_int_t)time(NULL), "jobs",
			(json_int_t)jobs_count(ctld->jobs), "jobs_active",
			(json_int_t)jobs_count_active(ctld->jobs), "main",
			"full_passes",
			(json_int_t)ctld->sched_stats.full_passes, "new_passes",
			(json_int_t)ctld->sched_stats.new_passes, "last_us",
			ctld->sched_stats.last_us, "last_cpu_us",
			ctld->sched_stats.last_cpu_us, "max_us",
			ctld->sched_stats.max_us, "mean_us", mean, "last_depth",
			(json_int_t)ctld->sched_stats.last_depth, "started",
			(json_int_t)ctld->sched_stats.started, "backfill",
			backfill_stats_json(ctld)));
}
