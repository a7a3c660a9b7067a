/* SPDX-License-Identifier: GPL-2.0-or-later */
/* squeue's -o/-O formats applied to job records (proto 04 JOB_INFO). */
#include "config.h"

#include "cmd/jobfmt.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/msg.h"
#include "common/timefmt.h"

#define VALUE_MAX 256  /* formatted numbers, times, ids */
#define WIDTH_MAX 4096 /* largest column size accepted */
#define LONG_WIDTH 20  /* -O column size when none is given */
#define KEYS_MAX 5

typedef const char *(*render_f)(const json_t *job, time_t now, char *buf,
				size_t len);

struct field_def {
	char letter;           /* -o letter; '\0' for -O only fields */
	const char *long_name; /* -O name */
	const char *header;
	const char *keys[KEYS_MAX]; /* JSON keys read, NULL-terminated */
	render_f render;
};

/* One piece of a format: a field, or literal text when def is NULL. */
struct item {
	const struct field_def *def;
	char *text;
	int width; /* 0: natural width */
	bool right;
};

struct jobfmt {
	struct item *items;
	size_t count, cap;
	const char **keys; /* NULL-terminated */
	size_t nkeys;
};

/* States of proto 04 plus SUSPENDED, in squeue's sort order. */
static const struct {
	const char *name, *code;
} states[] = {
	{"PENDING", "PD"},        {"RUNNING", "R"},    {"SUSPENDED", "S"},
	{"COMPLETING", "CG"},     {"COMPLETED", "CD"}, {"CANCELLED", "CA"},
	{"FAILED", "F"},          {"TIMEOUT", "TO"},   {"NODE_FAIL", "NF"},
	{"OUT_OF_MEMORY", "OOM"},
};
#define NSTATES (sizeof(states) / sizeof(states[0]))

const char *jobfmt_state_name(const char *s)
{
	for (size_t i = 0; s && i < NSTATES; i++) {
		if (!strcasecmp(s, states[i].name) ||
		    !strcasecmp(s, states[i].code))
			return states[i].name;
	}
	return NULL;
}

const char *jobfmt_state_short(const char *state)
{
	for (size_t i = 0; state && i < NSTATES; i++) {
		if (!strcmp(state, states[i].name))
			return states[i].code;
	}
	return NULL;
}

int jobfmt_state_rank(const char *state)
{
	for (size_t i = 0; state && i < NSTATES; i++) {
		if (!strcmp(state, states[i].name))
			return (int)i;
	}
	return (int)NSTATES;
}

/* ---- reading records ---- */

static bool get_int(const json_t *job, const char *key, long long *v)
{
	const json_t *j = json_object_get(job, key);

	if (!json_is_integer(j))
		return false;
	*v = (long long)json_integer_value(j);
	return true;
}

static const char *str_or(const json_t *job, const char *key, const char *dflt)
{
	const char *s = lv_json_str(job, key);

	return s ? s : dflt;
}

static const char *int_text(const json_t *job, const char *key, char *buf,
			    size_t len)
{
	long long v;

	if (!get_int(job, key, &v))
		return "N/A";
	snprintf(buf, len, "%lld", v);
	return buf;
}

/* Unix seconds as squeue prints them; 0 or missing is "N/A". */
static const char *time_text(const json_t *job, const char *key, char *buf,
			     size_t len)
{
	long long v;
	time_t t;
	struct tm tm;

	if (!get_int(job, key, &v) || v <= 0)
		return "N/A";
	t = (time_t)v;
	if (!localtime_r(&t, &tm) ||
	    !strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm))
		return "N/A";
	return buf;
}

static bool is_array(const json_t *job)
{
	long long a;

	return get_int(job, "array_job_id", &a) && a > 0;
}

static bool is_pending(const json_t *job)
{
	const char *st = lv_json_str(job, "state");

	return st && !strcmp(st, "PENDING");
}

/* Seconds the job has run: time_used when the controller sent it, else
 * counted from start_time for a job that has started. */
static long long used_secs(const json_t *job, time_t now)
{
	long long used, start;

	if (is_pending(job))
		return 0;
	if (get_int(job, "time_used", &used))
		return used > 0 ? used : 0;
	if (get_int(job, "start_time", &start) && start > 0 && now > start)
		return (long long)now - start;
	return 0;
}

static const char *secs_text(long long secs, char *buf, size_t len)
{
	if (secs < 0)
		secs = 0;
	if (secs >= LV_TIME_UNLIMITED)
		secs = LV_TIME_UNLIMITED - 1;
	return lv_time_format((uint32_t)secs, buf, len);
}

/* ---- one renderer per field ---- */

static const char *r_account(const json_t *job, time_t now, char *buf,
			     size_t len)
{
	(void)now, (void)buf, (void)len;
	return str_or(job, "account", "(null)");
}

static const char *r_job_id(const json_t *job, time_t now, char *buf,
			    size_t len)
{
	(void)now;
	return int_text(job, "job_id", buf, len);
}

/* %i: "123", "123_4", or "123_[4-10]" for an array's pending tasks. */
static const char *r_job_array_id(const json_t *job, time_t now, char *buf,
				  size_t len)
{
	long long array_id, task;
	const char *tasks = lv_json_str(job, "array_task_str");

	(void)now;
	if (!is_array(job) || !get_int(job, "array_job_id", &array_id))
		return int_text(job, "job_id", buf, len);
	if (get_int(job, "array_task_id", &task))
		snprintf(buf, len, "%lld_%lld", array_id, task);
	else if (tasks)
		snprintf(buf, len, "%lld_[%s]", array_id, tasks);
	else
		snprintf(buf, len, "%lld", array_id);
	return buf;
}

static const char *r_array_job_id(const json_t *job, time_t now, char *buf,
				  size_t len)
{
	(void)now;
	return int_text(job, is_array(job) ? "array_job_id" : "job_id", buf,
			len);
}

static const char *r_array_task_id(const json_t *job, time_t now, char *buf,
				   size_t len)
{
	long long task;

	(void)now;
	if (!is_array(job))
		return "N/A";
	if (get_int(job, "array_task_id", &task)) {
		snprintf(buf, len, "%lld", task);
		return buf;
	}
	return str_or(job, "array_task_str", "N/A");
}

static const char *r_min_cpus(const json_t *job, time_t now, char *buf,
			      size_t len)
{
	(void)now;
	return int_text(job, "cpus_per_task", buf, len);
}

static const char *r_cpus(const json_t *job, time_t now, char *buf, size_t len)
{
	(void)now;
	return int_text(job, "num_cpus", buf, len);
}

static const char *r_nodes_count(const json_t *job, time_t now, char *buf,
				 size_t len)
{
	(void)now;
	return int_text(job, "num_nodes", buf, len);
}

static const char *r_tasks(const json_t *job, time_t now, char *buf, size_t len)
{
	(void)now;
	return int_text(job, "num_tasks", buf, len);
}

static const char *r_gid(const json_t *job, time_t now, char *buf, size_t len)
{
	(void)now;
	return int_text(job, "gid", buf, len);
}

static const char *r_uid(const json_t *job, time_t now, char *buf, size_t len)
{
	(void)now;
	return int_text(job, "uid", buf, len);
}

static const char *r_user(const json_t *job, time_t now, char *buf, size_t len)
{
	const char *user = lv_json_str(job, "user");

	return user ? user : r_uid(job, now, buf, len);
}

static const char *r_end_time(const json_t *job, time_t now, char *buf,
			      size_t len)
{
	(void)now;
	return time_text(job, "end_time", buf, len);
}

static const char *r_start_time(const json_t *job, time_t now, char *buf,
				size_t len)
{
	(void)now;
	return time_text(job, "start_time", buf, len);
}

static const char *r_submit_time(const json_t *job, time_t now, char *buf,
				 size_t len)
{
	(void)now;
	return time_text(job, "submit_time", buf, len);
}

static const char *r_dependency(const json_t *job, time_t now, char *buf,
				size_t len)
{
	(void)now, (void)buf, (void)len;
	return str_or(job, "dependency", "(null)");
}

static const char *r_name(const json_t *job, time_t now, char *buf, size_t len)
{
	(void)now, (void)buf, (void)len;
	return str_or(job, "name", "(null)");
}

static const char *r_comment(const json_t *job, time_t now, char *buf,
			     size_t len)
{
	(void)now, (void)buf, (void)len;
	return str_or(job, "comment", "(null)");
}

static const char *r_command(const json_t *job, time_t now, char *buf,
			     size_t len)
{
	(void)now, (void)buf, (void)len;
	return str_or(job, "command", "(null)");
}

static const char *r_partition(const json_t *job, time_t now, char *buf,
			       size_t len)
{
	(void)now, (void)buf, (void)len;
	return str_or(job, "partition", "(null)");
}

static const char *r_work_dir(const json_t *job, time_t now, char *buf,
			      size_t len)
{
	(void)now, (void)buf, (void)len;
	return str_or(job, "work_dir", "(null)");
}

static const char *r_batch_host(const json_t *job, time_t now, char *buf,
				size_t len)
{
	(void)now, (void)buf, (void)len;
	return str_or(job, "batch_host", "n/a");
}

static const char *r_exit_code(const json_t *job, time_t now, char *buf,
			       size_t len)
{
	(void)now, (void)buf, (void)len;
	return str_or(job, "exit_code", "0:0");
}

static const char *r_stdout(const json_t *job, time_t now, char *buf,
			    size_t len)
{
	(void)now, (void)buf, (void)len;
	return str_or(job, "stdout", "(null)");
}

static const char *r_stderr(const json_t *job, time_t now, char *buf,
			    size_t len)
{
	(void)now, (void)buf, (void)len;
	return str_or(job, "stderr", "(null)");
}

static const char *r_stdin(const json_t *job, time_t now, char *buf, size_t len)
{
	(void)now, (void)buf, (void)len;
	return str_or(job, "stdin", "(null)");
}

static const char *r_restarts(const json_t *job, time_t now, char *buf,
			      size_t len)
{
	(void)now;
	return int_text(job, "restarts", buf, len);
}

static const char *r_time_limit(const json_t *job, time_t now, char *buf,
				size_t len)
{
	long long mins;

	(void)now;
	if (!get_int(job, "time_limit", &mins)) /* null: unlimited */
		return "UNLIMITED";
	return secs_text(mins * 60, buf, len);
}

static const char *r_time_left(const json_t *job, time_t now, char *buf,
			       size_t len)
{
	long long mins;

	if (!get_int(job, "time_limit", &mins))
		return "UNLIMITED";
	return secs_text(mins * 60 - used_secs(job, now), buf, len);
}

static const char *r_time_used(const json_t *job, time_t now, char *buf,
			       size_t len)
{
	return secs_text(used_secs(job, now), buf, len);
}

static const char *r_min_memory(const json_t *job, time_t now, char *buf,
				size_t len)
{
	long long mb;

	(void)now;
	if (!get_int(job, "min_memory", &mb) || mb <= 0)
		return "0";
	return lv_mem_format((uint64_t)mb, buf, len);
}

static const char *r_nodelist(const json_t *job, time_t now, char *buf,
			      size_t len)
{
	(void)now, (void)buf, (void)len;
	return str_or(job, "nodes", "");
}

static const char *r_reason(const json_t *job, time_t now, char *buf,
			    size_t len)
{
	const char *reason = lv_json_str(job, "reason");

	(void)now, (void)buf, (void)len;
	return reason && *reason ? reason : "None";
}

/* %R: "(Reason)" for jobs that are waiting or ended without finishing
 * their work, the node list for the others (squeue's rule). */
static const char *r_reason_list(const json_t *job, time_t now, char *buf,
				 size_t len)
{
	static const char *const why_states[] = {
		"PENDING", "FAILED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY",
	};
	const char *st = lv_json_str(job, "state");

	for (size_t i = 0; st && i < sizeof(why_states) / sizeof(*why_states);
	     i++) {
		if (!strcmp(st, why_states[i])) {
			/* r_reason never returns buf, so no overlap. */
			snprintf(buf, len, "(%s)",
				 r_reason(job, now, buf, len));
			return buf;
		}
	}
	return r_nodelist(job, now, buf, len);
}

static const char *r_state(const json_t *job, time_t now, char *buf, size_t len)
{
	(void)now, (void)buf, (void)len;
	return str_or(job, "state", "UNKNOWN");
}

static const char *r_state_short(const json_t *job, time_t now, char *buf,
				 size_t len)
{
	const char *code = lv_json_str(job, "state_short");

	(void)now, (void)buf, (void)len;
	if (!code)
		code = jobfmt_state_short(lv_json_str(job, "state"));
	return code ? code : "??";
}

static const char *r_priority_long(const json_t *job, time_t now, char *buf,
				   size_t len)
{
	(void)now;
	return int_text(job, "priority", buf, len);
}

/* %p: the priority as a fraction of the largest 32-bit value. */
static const char *r_priority(const json_t *job, time_t now, char *buf,
			      size_t len)
{
	long long prio;

	(void)now;
	if (!get_int(job, "priority", &prio))
		return "N/A";
	snprintf(buf, len, "%.8f", (double)prio / (double)UINT32_MAX);
	return buf;
}

/* Headers as squeue prints them. */
static const struct field_def fields[] = {
	{'a', "Account", "ACCOUNT", {"account"}, r_account},
	{'A', "JobID", "JOBID", {"job_id"}, r_job_id},
	{'B', "BatchHost", "EXEC_HOST", {"batch_host"}, r_batch_host},
	{'c', "MinCpus", "MIN_CPUS", {"cpus_per_task"}, r_min_cpus},
	{'C', "NumCPUs", "CPUS", {"num_cpus"}, r_cpus},
	{'D', "NumNodes", "NODES", {"num_nodes"}, r_nodes_count},
	{'e', "EndTime", "END_TIME", {"end_time"}, r_end_time},
	{'E', "Dependency", "DEPENDENCY", {"dependency"}, r_dependency},
	{'F',
	 "ArrayJobID",
	 "ARRAY_JOB_ID",
	 {"array_job_id", "job_id"},
	 r_array_job_id},
	{'G', "GroupId", "GID", {"gid"}, r_gid},
	{'i',
	 "JobArrayID",
	 "JOBID",
	 {"job_id", "array_job_id", "array_task_id", "array_task_str"},
	 r_job_array_id},
	{'j', "Name", "NAME", {"name"}, r_name},
	{'k', "Comment", "COMMENT", {"comment"}, r_comment},
	{'K',
	 "ArrayTaskID",
	 "ARRAY_TASK_ID",
	 {"array_job_id", "array_task_id", "array_task_str"},
	 r_array_task_id},
	{'l', "TimeLimit", "TIME_LIMIT", {"time_limit"}, r_time_limit},
	{'L',
	 "TimeLeft",
	 "TIME_LEFT",
	 {"time_limit", "time_used", "state", "start_time"},
	 r_time_left},
	{'m', "MinMemory", "MIN_MEMORY", {"min_memory"}, r_min_memory},
	{'M',
	 "TimeUsed",
	 "TIME",
	 {"time_used", "state", "start_time"},
	 r_time_used},
	{'N', "NodeList", "NODELIST", {"nodes"}, r_nodelist},
	{'o', "Command", "COMMAND", {"command"}, r_command},
	{'p', "Priority", "PRIORITY", {"priority"}, r_priority},
	{'P', "Partition", "PARTITION", {"partition"}, r_partition},
	{'Q', "PriorityLong", "PRIORITY", {"priority"}, r_priority_long},
	{'r', "Reason", "REASON", {"reason"}, r_reason},
	{'R',
	 "ReasonList",
	 "NODELIST(REASON)",
	 {"state", "reason", "nodes"},
	 r_reason_list},
	{'S', "StartTime", "START_TIME", {"start_time"}, r_start_time},
	{'t', "StateCompact", "ST", {"state_short", "state"}, r_state_short},
	{'T', "State", "STATE", {"state"}, r_state},
	{'u', "UserName", "USER", {"user", "uid"}, r_user},
	{'U', "UserId", "UID", {"uid"}, r_uid},
	{'V', "SubmitTime", "SUBMIT_TIME", {"submit_time"}, r_submit_time},
	{'Z', "WorkDir", "WORK_DIR", {"work_dir"}, r_work_dir},
	{'\0', "NumTasks", "TASKS", {"num_tasks"}, r_tasks},
	{'\0', "ExitCode", "EXIT_CODE", {"exit_code"}, r_exit_code},
	{'\0', "RestartCnt", "RESTARTCNT", {"restarts"}, r_restarts},
	{'\0', "STDOUT", "STDOUT", {"stdout"}, r_stdout},
	{'\0', "STDERR", "STDERR", {"stderr"}, r_stderr},
	{'\0', "STDIN", "STDIN", {"stdin"}, r_stdin},
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static const struct field_def *field_by_letter(char c)
{
	for (size_t i = 0; c && i < NFIELDS; i++) {
		if (fields[i].letter == c)
			return &fields[i];
	}
	return NULL;
}

static const struct field_def *field_by_name(const char *name, size_t len)
{
	for (size_t i = 0; i < NFIELDS; i++) {
		if (strlen(fields[i].long_name) == len &&
		    !strncasecmp(fields[i].long_name, name, len))
			return &fields[i];
	}
	return NULL;
}

/* ---- building a format ---- */

void jobfmt_destroy(struct jobfmt *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->count; i++)
		free(f->items[i].text);
	free(f->items);
	free(f->keys);
	free(f);
}

static struct item *push_item(struct jobfmt *f, struct lv_error *err)
{
	struct item *items;
	size_t cap = f->cap ? f->cap * 2 : 16;

	if (f->count == f->cap) {
		if (!(items = realloc(f->items, cap * sizeof(*items)))) {
			lv_errorf(err, -ENOMEM, "jobfmt: out of memory");
			return NULL;
		}
		f->items = items;
		f->cap = cap;
	}
	memset(&f->items[f->count], 0, sizeof(f->items[0]));
	return &f->items[f->count++];
}

/* Appends len bytes of literal text, merged into a literal just before. */
static int push_text(struct jobfmt *f, const char *s, size_t len,
		     struct lv_error *err)
{
	struct item *it = f->count ? &f->items[f->count - 1] : NULL;
	size_t old = 0;
	char *text;

	if (!len)
		return 0;
	if (!it || it->def) {
		if (!(it = push_item(f, err)))
			return -ENOMEM;
	}
	old = it->text ? strlen(it->text) : 0;
	if (!(text = realloc(it->text, old + len + 1)))
		return lv_errorf(err, -ENOMEM, "jobfmt: out of memory");
	memcpy(text + old, s, len);
	text[old + len] = '\0';
	it->text = text;
	return 0;
}

static int push_field(struct jobfmt *f, const struct field_def *def, int width,
		      bool right, struct lv_error *err)
{
	struct item *it = push_item(f, err);

	if (!it)
		return -ENOMEM;
	it->def = def;
	it->width = width;
	it->right = right;
	return 0;
}

/* Reads "[.][size]" at *p.  -EINVAL past WIDTH_MAX. */
static int read_size(const char **p, bool *right, int *width, bool *sized)
{
	const char *s = *p;
	long w = 0;

	*right = (*s == '.');
	s += *right;
	*sized = (*s >= '0' && *s <= '9');
	for (; *s >= '0' && *s <= '9'; s++) {
		w = w * 10 + (*s - '0');
		if (w > WIDTH_MAX)
			return -EINVAL;
	}
	*width = (int)w;
	*p = s;
	return 0;
}

/* squeue -o: literal text and %[.][size]X. */
static int parse_short(struct jobfmt *f, const char *fmt, struct lv_error *err)
{
	const char *p = fmt, *pct;
	const struct field_def *def;
	bool right, sized;
	int width, rc;

	while ((pct = strchr(p, '%'))) {
		if ((rc = push_text(f, p, (size_t)(pct - p), err)) < 0)
			return rc;
		p = pct + 1;
		if (*p == '%') {
			if ((rc = push_text(f, "%", 1, err)) < 0)
				return rc;
			p++;
			continue;
		}
		if (read_size(&p, &right, &width, &sized) < 0)
			return lv_errorf(
				err, -EINVAL,
				"Invalid job format specification: field size over %d",
				WIDTH_MAX);
		if (!*p)
			return lv_errorf(
				err, -EINVAL,
				"Invalid job format specification: no field letter after %%");
		if (!(def = field_by_letter(*p)))
			return lv_errorf(err, -EINVAL,
					 "Invalid job format specification: %c",
					 *p);
		if ((rc = push_field(f, def, width, right, err)) < 0)
			return rc;
		p++;
	}
	return push_text(f, p, strlen(p), err);
}

/* One -O item: Name[:[.][size][suffix]]. */
static int parse_long_item(struct jobfmt *f, const char *s, size_t len,
			   struct lv_error *err)
{
	const char *colon = memchr(s, ':', len), *p;
	size_t name_len = colon ? (size_t)(colon - s) : len;
	const struct field_def *def = field_by_name(s, name_len);
	bool right = false, sized = false;
	int width = 0, rc;

	if (!def)
		return lv_errorf(err, -EINVAL,
				 "Invalid job format specification: %.*s",
				 (int)name_len, s);
	p = colon ? colon + 1 : s + len;
	if (colon && read_size(&p, &right, &width, &sized) < 0)
		return lv_errorf(err, -EINVAL,
				 "Invalid job format specification: %.*s",
				 (int)len, s);
	if ((rc = push_field(f, def, sized ? width : LONG_WIDTH, right, err)) <
	    0)
		return rc;
	return push_text(f, p, (size_t)(s + len - p), err);
}

static int parse_long(struct jobfmt *f, const char *fmt, struct lv_error *err)
{
	const char *p = fmt;
	size_t len;
	int rc;

	for (;;) {
		len = strcspn(p, ",");
		if (!len)
			return lv_errorf(
				err, -EINVAL,
				"Invalid job format specification: empty field in \"%s\"",
				fmt);
		if ((rc = parse_long_item(f, p, len, err)) < 0)
			return rc;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

static bool has_key(const struct jobfmt *f, const char *key)
{
	for (size_t i = 0; i < f->nkeys; i++) {
		if (!strcmp(f->keys[i], key))
			return true;
	}
	return false;
}

/* The union of the fields' keys, in first-use order. */
static int collect_keys(struct jobfmt *f, struct lv_error *err)
{
	size_t max = f->count * KEYS_MAX + 1;
	const char *const *k;

	if (!(f->keys = calloc(max, sizeof(*f->keys))))
		return lv_errorf(err, -ENOMEM, "jobfmt: out of memory");
	for (size_t i = 0; i < f->count; i++) {
		if (!f->items[i].def)
			continue;
		for (k = f->items[i].def->keys; *k; k++) {
			if (!has_key(f, *k))
				f->keys[f->nkeys++] = *k;
		}
	}
	return 0;
}

struct jobfmt *jobfmt_parse(const char *fmt, bool long_names,
			    struct lv_error *err)
{
	struct jobfmt *f;
	int rc;

	if (!(f = calloc(1, sizeof(*f)))) {
		lv_errorf(err, -ENOMEM, "jobfmt: out of memory");
		return NULL;
	}
	if (!*fmt) {
		lv_errorf(err, -EINVAL,
			  "Invalid job format specification: empty format");
		goto out_destroy;
	}
	rc = long_names ? parse_long(f, fmt, err) : parse_short(f, fmt, err);
	if (rc < 0 || collect_keys(f, err) < 0)
		goto out_destroy;
	return f;
out_destroy:
	jobfmt_destroy(f);
	return NULL;
}

const char *const *jobfmt_fields(const struct jobfmt *f)
{
	return f->keys;
}

/* ---- printing ---- */

/* squeue's _print_str: pad to width, cut longer text to its left part. */
static void print_cell(FILE *out, const char *s, int width, bool right)
{
	size_t len = strlen(s);

	if (!width) {
		fputs(s, out);
	} else if (len >= (size_t)width) {
		fwrite(s, 1, (size_t)width, out);
	} else if (right) {
		fprintf(out, "%*s", width, s);
	} else {
		fprintf(out, "%-*s", width, s);
	}
}

void jobfmt_header(const struct jobfmt *f, FILE *out)
{
	for (size_t i = 0; i < f->count; i++) {
		const struct item *it = &f->items[i];

		if (it->def)
			print_cell(out, it->def->header, it->width, it->right);
		else
			fputs(it->text, out);
	}
	fputc('\n', out);
}

void jobfmt_row(const struct jobfmt *f, const json_t *job, time_t now,
		FILE *out)
{
	char buf[VALUE_MAX];

	for (size_t i = 0; i < f->count; i++) {
		const struct item *it = &f->items[i];

		if (it->def)
			print_cell(out,
				   it->def->render(job, now, buf, sizeof(buf)),
				   it->width, it->right);
		else
			fputs(it->text, out);
	}
	fputc('\n', out);
}
