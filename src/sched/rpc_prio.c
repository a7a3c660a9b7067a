/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PRIO_INFO (lvprio), SHARE_INFO (lvshare) and SCHED_STATS (lvcontrol
 * show stats): read-only views of the scheduler (docs/scheduling.md). */
#include "config.h"

#include <errno.h>
#include <time.h>

#include "common/msg.h"
#include "sched/backfill.h"
#include "sched/ctld.h"
#include "sched/fairshare.h"
#include "sched/jobs.h"
#include "sched/priority.h"
#include "sched/rpc_handlers.h"

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
	rows = priority_rows_json(ctld, ids, lv_json_str(req->body, "user"),
				  time(NULL));
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
		json_pack("{s:I, s:I, s:I, s:{s:I, s:I, s:f, s:f, s:f, s:I, s:I},"
			  " s:o}",
			  "time", (json_int_t)time(NULL), "jobs",
			  (json_int_t)jobs_count(ctld->jobs), "jobs_active",
			  (json_int_t)jobs_count_active(ctld->jobs), "main",
			  "full_passes", (json_int_t)ctld->sched_stats.full_passes,
			  "new_passes", (json_int_t)ctld->sched_stats.new_passes,
			  "last_us", ctld->sched_stats.last_us, "max_us",
			  ctld->sched_stats.max_us, "mean_us", mean,
			  "last_depth", (json_int_t)ctld->sched_stats.last_depth,
			  "started", (json_int_t)ctld->sched_stats.started,
			  "backfill", backfill_stats_json(ctld)));
}
