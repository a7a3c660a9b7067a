/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Rows of job fields as escaped, tab-separated text. */
#include "config.h"

#include "sched/jobtext.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "common/bitmap.h"
#include "common/msg.h"
#include "common/timefmt.h"
#include "sched/array.h"

enum field {
	F_UNKNOWN,
	F_JOB_ID, F_ARRAY_JOB_ID, F_ARRAY_TASK_ID, F_ARRAY_TASK_STR, F_NAME,
	F_KIND, F_UID, F_GID, F_USER, F_ACCOUNT, F_PARTITION, F_STATE,
	F_STATE_SHORT, F_REASON, F_NODES, F_BATCH_HOST, F_NUM_NODES,
	F_NUM_CPUS, F_NUM_TASKS, F_CPUS_PER_TASK, F_MIN_MEMORY, F_TIME_LIMIT,
	F_EXCLUSIVE, F_TIME_USED, F_SUBMIT_TIME, F_ELIGIBLE_TIME, F_START_TIME,
	F_END_TIME, F_EXIT_CODE, F_STATUS, F_COMMENT, F_DEPENDENCY, F_PRIORITY,
	F_REQUEUE, F_HELD, F_RESTARTS, F_BEGIN_TIME, F_WORK_DIR, F_STDOUT,
	F_STDERR, F_STDIN, F_SUBMIT_DIR, F_COMMAND,
};

static const char *const names[] = {
	[F_JOB_ID] = "job_id", [F_ARRAY_JOB_ID] = "array_job_id",
	[F_ARRAY_TASK_ID] = "array_task_id", [F_ARRAY_TASK_STR] = "array_task_str",
	[F_NAME] = "name", [F_KIND] = "kind", [F_UID] = "uid", [F_GID] = "gid",
	[F_USER] = "user", [F_ACCOUNT] = "account", [F_PARTITION] = "partition",
	[F_STATE] = "state", [F_STATE_SHORT] = "state_short",
	[F_REASON] = "reason", [F_NODES] = "nodes", [F_BATCH_HOST] = "batch_host",
	[F_NUM_NODES] = "num_nodes", [F_NUM_CPUS] = "num_cpus",
	[F_NUM_TASKS] = "num_tasks", [F_CPUS_PER_TASK] = "cpus_per_task",
	[F_MIN_MEMORY] = "min_memory", [F_TIME_LIMIT] = "time_limit",
	[F_EXCLUSIVE] = "exclusive", [F_TIME_USED] = "time_used",
	[F_SUBMIT_TIME] = "submit_time", [F_ELIGIBLE_TIME] = "eligible_time",
	[F_START_TIME] = "start_time", [F_END_TIME] = "end_time",
	[F_EXIT_CODE] = "exit_code", [F_STATUS] = "status",
	[F_COMMENT] = "comment", [F_DEPENDENCY] = "dependency",
	[F_PRIORITY] = "priority", [F_REQUEUE] = "requeue", [F_HELD] = "held",
	[F_RESTARTS] = "restarts", [F_BEGIN_TIME] = "begin_time",
	[F_WORK_DIR] = "work_dir", [F_STDOUT] = "stdout", [F_STDERR] = "stderr",
	[F_STDIN] = "stdin", [F_SUBMIT_DIR] = "submit_dir",
	[F_COMMAND] = "command",
};

struct jobtext {
	enum field *cols;
	size_t ncols;
	char *buf;
	size_t len, cap;
	int failed;
};

static enum field lookup(const char *key)
{
	size_t i;

	for (i = 1; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i] && !strcmp(names[i], key))
			return (enum field)i;
	return F_UNKNOWN;
}

struct jobtext *jobtext_create(const json_t *fields)
{
	struct jobtext *jt = calloc(1, sizeof(*jt));
	const json_t *f;
	size_t i;

	if (!jt)
		return NULL;
	jt->ncols = json_array_size(fields);
	if (!(jt->cols = calloc(jt->ncols + 1, sizeof(*jt->cols)))) {
		free(jt);
		return NULL;
	}
	json_array_foreach(fields, i, f)
		jt->cols[i] = json_is_string(f) ? lookup(json_string_value(f))
						: F_UNKNOWN;
	return jt;
}

void jobtext_destroy(struct jobtext *jt)
{
	if (!jt)
		return;
	free(jt->cols);
	free(jt->buf);
	free(jt);
}

static char *reserve(struct jobtext *jt, size_t n)
{
	if (jt->len + n + 1 > jt->cap) {
		size_t cap = jt->cap ? jt->cap : 65536;
		char *nb;

		while (cap < jt->len + n + 1)
			cap *= 2;
		if (!(nb = realloc(jt->buf, cap))) {
			jt->failed = 1;
			return NULL;
		}
		jt->buf = nb;
		jt->cap = cap;
	}
	return jt->buf + jt->len;
}

static void put_raw(struct jobtext *jt, const char *s, size_t n)
{
	char *p = reserve(jt, n);

	if (!p)
		return;
	memcpy(p, s, n);
	jt->len += n;
}

static void put_null(struct jobtext *jt)
{
	put_raw(jt, "\\N", 2);
}

/* A string value, with \\, \t and \n escaped. */
static void put_str(struct jobtext *jt, const char *s)
{
	size_t n, i;
	char *p;

	if (!s) {
		put_null(jt);
		return;
	}
	n = strlen(s);
	if (!(p = reserve(jt, 2 * n)))
		return;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '\\' || c == '\t' || c == '\n') {
			*p++ = '\\';
			c = c == '\t' ? 't' : c == '\n' ? 'n' : '\\';
		}
		*p++ = c;
	}
	jt->len = (size_t)(p - jt->buf);
}

static void put_num(struct jobtext *jt, long long v)
{
	char tmp[24], *e = tmp + sizeof(tmp), *q = e;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v
				     : (unsigned long long)v;

	do {
		*--q = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--q = '-';
	put_raw(jt, q, (size_t)(e - q));
}

static void put_array_task_str(struct jobtext *jt, const struct job *job)
{
	char *s;

	if (!job->array_pending || !(s = array_format(job->array_pending,
						       job->array_throttle))) {
		put_null(jt);
		return;
	}
	put_str(jt, s);
	free(s);
}

static void put_field(struct jobtext *jt, const struct job *job, enum field f,
		      time_t now)
{
	char buf[32];

	switch (f) {
	case F_JOB_ID:
		put_num(jt, job->id);
		break;
	case F_ARRAY_JOB_ID:
		if (job->array_pending)
			put_num(jt, job->id);
		else if (job->array_job_id)
			put_num(jt, job->array_job_id);
		else
			put_null(jt);
		break;
	case F_ARRAY_TASK_ID:
		if (job->array_job_id && !job->array_pending)
			put_num(jt, job->array_task_id);
		else
			put_null(jt);
		break;
	case F_ARRAY_TASK_STR:
		put_array_task_str(jt, job);
		break;
	case F_NAME:
		put_str(jt, job->name);
		break;
	case F_KIND:
		put_str(jt, job->kind);
		break;
	case F_UID:
		put_num(jt, job->uid);
		break;
	case F_GID:
		put_num(jt, job->gid);
		break;
	case F_USER:
		put_str(jt, job->user);
		break;
	case F_ACCOUNT:
		put_str(jt, job->account);
		break;
	case F_PARTITION:
		put_str(jt, job->partition);
		break;
	case F_STATE:
		put_str(jt, job_state_name(job->state));
		break;
	case F_STATE_SHORT:
		put_str(jt, job_state_short(job->state));
		break;
	case F_REASON:
		put_str(jt, job_reason_name(job->reason));
		break;
	case F_NODES:
		put_str(jt, job->nodes);
		break;
	case F_BATCH_HOST:
		put_str(jt, job->batch_host);
		break;
	case F_NUM_NODES:
		put_num(jt, job->nodes ? (long long)job->n_grants : job->req.nodes_min);
		break;
	case F_NUM_CPUS:
		put_num(jt, job->num_cpus ? job->num_cpus : job_cpus_needed(job));
		break;
	case F_NUM_TASKS:
		put_num(jt, job->req.ntasks);
		break;
	case F_CPUS_PER_TASK:
		put_num(jt, job->req.cpus_per_task);
		break;
	case F_MIN_MEMORY:
		put_num(jt, (long long)(job->req.mem_per_node ? job->req.mem_per_node
							      : job->req.mem_per_cpu));
		break;
	case F_TIME_LIMIT:
		if (job->req.time_limit == LV_TIME_UNLIMITED)
			put_null(jt);
		else
			put_num(jt, job->req.time_limit);
		break;
	case F_EXCLUSIVE:
		put_num(jt, job->req.exclusive);
		break;
	case F_TIME_USED: {
		time_t used = 0;

		if (job->start_time)
			used = (job->end_time ? job->end_time : now) - job->start_time;
		put_num(jt, used > 0 ? used : 0);
		break;
	}
	case F_SUBMIT_TIME:
		put_num(jt, job->submit_time);
		break;
	case F_ELIGIBLE_TIME:
		put_num(jt, job->eligible_time);
		break;
	case F_START_TIME: /* pending: the backfill's expected start */
		put_num(jt, job->state == JOB_PENDING ? job->est_start
						      : job->start_time);
		break;
	case F_END_TIME:
		put_num(jt, job->end_time);
		break;
	case F_EXIT_CODE:
		put_str(jt, job_exit_code(job, buf, sizeof(buf)));
		break;
	case F_STATUS:
		put_num(jt, job->exit_status);
		break;
	case F_COMMENT:
		put_str(jt, job->comment);
		break;
	case F_DEPENDENCY:
		put_str(jt, job->dep_text);
		break;
	case F_PRIORITY:
		put_num(jt, (long long)job->priority);
		break;
	case F_REQUEUE:
		put_num(jt, job->requeue);
		break;
	case F_HELD:
		put_num(jt, job->held);
		break;
	case F_RESTARTS:
		put_num(jt, job->restarts);
		break;
	case F_BEGIN_TIME:
		put_num(jt, job->begin_time);
		break;
	case F_WORK_DIR:
		put_str(jt, job->work_dir);
		break;
	case F_STDOUT:
		put_str(jt, job->std_out);
		break;
	case F_STDERR:
		put_str(jt, job->std_err);
		break;
	case F_STDIN:
		put_str(jt, job->std_in);
		break;
	case F_SUBMIT_DIR:
		put_str(jt, job->submit_dir);
		break;
	case F_COMMAND:
		put_str(jt, job->command ? job->command
			    : strcmp(job->kind, "batch") ? job->kind : "(script)");
		break;
	case F_UNKNOWN:
		put_null(jt);
		break;
	}
}

int jobtext_add(struct jobtext *jt, const struct job *job, time_t now)
{
	size_t i;

	for (i = 0; i < jt->ncols; i++) {
		if (i)
			put_raw(jt, "\t", 1);
		put_field(jt, job, jt->cols[i], now);
	}
	put_raw(jt, "\n", 1);
	return jt->failed ? -ENOMEM : 0;
}

const char *jobtext_rows(const struct jobtext *jt, size_t *len)
{
	*len = jt->len;
	if (!jt->buf)
		return "";
	jt->buf[jt->len] = '\0';
	return jt->buf;
}
