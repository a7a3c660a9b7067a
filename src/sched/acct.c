/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What lvctld records in the accounting database, and when (proto 07). */
#include "config.h"

#include "sched/acct.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "common/log.h"
#include "sched/ctld.h"
#include "sched/job.h"

struct acct {
	const struct acct_ops *ops;
	void *db;
};

int acct_open(struct lvctld *ctld, struct lv_error *err)
{
	const struct lv_conf *conf = ctld->conf;
	struct acct *a;
	char *path = NULL;

	if (conf->acct_storage_loc)
		path = strdup(conf->acct_storage_loc);
	else if (conf->state_dir &&
		 asprintf(&path, "%s/acct.db", conf->state_dir) < 0)
		path = NULL;
	else if (!conf->state_dir)
		return 0; /* nowhere to keep it: no accounting */
	if (!path || !(a = calloc(1, sizeof(*a)))) {
		free(path);
		return lv_errorf(err, -ENOMEM, "accounting: out of memory");
	}
	a->ops = &acct_sqlite_ops;
	if (!(a->db = a->ops->open(path, err))) {
		free(path);
		free(a);
		return err->code;
	}
	lv_log(LV_LOG_INFO, "accounting: %s database %s", a->ops->name, path);
	free(path);
	ctld->acct = a;
	return 0;
}

void acct_close(struct lvctld *ctld)
{
	struct acct *a = ctld->acct;

	if (!a)
		return;
	a->ops->close(a->db);
	free(a);
	ctld->acct = NULL;
}

void acct_tick(struct lvctld *ctld)
{
	struct lv_error err = {0};

	if (ctld->acct && ctld->acct->ops->flush(ctld->acct->db, &err) < 0)
		lv_log(LV_LOG_ERR, "%s", err.text);
}

json_t *acct_query(struct lvctld *ctld, const struct acct_query *q,
		   struct lv_error *err)
{
	if (!ctld->acct) {
		lv_errorf(
			err, -ENOTSUP,
			"Accounting is not enabled (no StateDir or AccountingStorageLoc)");
		return NULL;
	}
	return ctld->acct->ops->query(ctld->acct->db, q, err);
}

/* sacct's state of a step from its tasks' worst wait status. */
static const char *step_state(const struct job *job, int status)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return "COMPLETED";
	if (WIFSIGNALED(status) && job->cancel_requested)
		return "CANCELLED";
	return "FAILED";
}

static void record_step(struct lvctld *ctld, const struct acct_step *s)
{
	struct lv_error err = {0};

	if (ctld->acct->ops->record_step(ctld->acct->db, s, &err) < 0)
		lv_log(LV_LOG_ERR, "%s (job=%u step=%u)", err.text, s->job_id,
		       s->step_id);
}

void acct_step_ended(struct lvctld *ctld, const struct job *job,
		     const struct job_step *st)
{
	struct acct_step s = {
		.job_id = job->id,
		.step_id = st->id,
		.name = st->name,
		.nodes = st->nodes,
		.state = !st->ended ? "CANCELLED"
			 : st->oom  ? "OUT_OF_MEMORY"
				    : step_state(job, st->status),
		.start = st->start_time,
		.end = st->ended ? st->end_time : time(NULL),
		.exit_status = st->ended ? st->status : SIGKILL,
		.ntasks = st->ntasks,
		.maxrss_kb = st->maxrss_kb,
		.cpu_usec = st->cpu_usec,
	};

	if (ctld->acct)
		record_step(ctld, &s);
}

/* The batch script's own step, "12.batch". */
static void record_batch(struct lvctld *ctld, const struct job *job)
{
	enum job_state state =
		job->state == JOB_TIMEOUT ? JOB_CANCELLED : job->state;
	struct acct_step s = {
		.job_id = job->id,
		.step_id = ACCT_STEP_BATCH,
		.name = "batch",
		.nodes = job->batch_host,
		.state = job_state_name(state),
		.start = job->start_time,
		.end = job->end_time,
		.exit_status = job->exit_status,
		.ntasks = 1,
		.maxrss_kb = job->maxrss_kb,
		.cpu_usec = job->cpu_usec,
	};

	record_step(ctld, &s);
}

void acct_job_ended(struct lvctld *ctld, const struct job *job)
{
	struct acct_job j = {
		.id = job->id,
		.array_job_id = job->array_job_id,
		.array_task_id = job->array_job_id ? job->array_task_id : 0,
		.name = job->name,
		.user = job->user,
		.account = job->account,
		.partition = job->partition,
		.nodes = job->nodes,
		.work_dir = job->work_dir,
		.state = job_state_name(job->state),
		.uid = job->uid,
		.gid = job->gid,
		.exit_status = job->exit_status,
		.submit = job->submit_time,
		.eligible = job->eligible_time,
		.start = job->start_time,
		.end = job->end_time,
		.alloc_cpus = job->num_cpus,
		.nnodes = (uint32_t)job->n_grants,
		.maxrss_kb = job->maxrss_kb,
		.cpu_usec = job->cpu_usec,
	};
	struct lv_error err = {0};
	const struct job_step *st;

	if (!ctld->acct)
		return;
	/* The job's totals: the batch script's plus its steps'. */
	for (st = job->steps; st; st = st->next) {
		if (st->maxrss_kb > j.maxrss_kb)
			j.maxrss_kb = st->maxrss_kb;
		j.cpu_usec += st->cpu_usec;
		/* Steps killed with the job never report; lvrun's late
		 * STEP_COMPLETE replaces this row. */
		if (!st->ended)
			acct_step_ended(ctld, job, st);
	}
	if (job->start_time && !strcmp(job->kind, "batch"))
		record_batch(ctld, job);
	if (ctld->acct->ops->record_job(ctld->acct->db, &j, &err) < 0)
		lv_log(LV_LOG_ERR, "%s (job=%u)", err.text, job->id);
}
