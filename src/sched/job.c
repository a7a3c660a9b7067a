/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Jobs: building one from a submission, states, and JSON for queries. */
#include "config.h"

#include "sched/job.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>

#include "common/bitmap.h"
#include "common/hostlist.h"
#include "common/msg.h"
#include "common/timefmt.h"
#include "sched/array.h"
#include "sched/depend.h"
#include "sched/gres.h"
#include "sched/partitions.h"

#define SCRIPT_MAX (4u << 20)

static const struct {
	const char *name, *code;
} state_names[] = {
	[JOB_PENDING] = { "PENDING", "PD" },
	[JOB_RUNNING] = { "RUNNING", "R" },
	[JOB_COMPLETING] = { "COMPLETING", "CG" },
	[JOB_COMPLETED] = { "COMPLETED", "CD" },
	[JOB_FAILED] = { "FAILED", "F" },
	[JOB_CANCELLED] = { "CANCELLED", "CA" },
	[JOB_TIMEOUT] = { "TIMEOUT", "TO" },
	[JOB_NODE_FAIL] = { "NODE_FAIL", "NF" },
	[JOB_OOM] = { "OUT_OF_MEMORY", "OOM" },
};

static const char *const reason_names[] = {
	[REASON_NONE] = "None",
	[REASON_PRIORITY] = "Priority",
	[REASON_RESOURCES] = "Resources",
	[REASON_DEPENDENCY] = "Dependency",
	[REASON_DEPENDENCY_NEVER] = "DependencyNeverSatisfied",
	[REASON_HELD_USER] = "JobHeldUser",
	[REASON_HELD_ADMIN] = "JobHeldAdmin",
	[REASON_BEGIN_TIME] = "BeginTime",
	[REASON_PARTITION_DOWN] = "PartitionDown",
	[REASON_PARTITION_INACTIVE] = "PartitionInactive",
	[REASON_NODE_NOT_AVAIL] = "ReqNodeNotAvail",
	[REASON_ARRAY_TASK_LIMIT] = "JobArrayTaskLimit",
	[REASON_LAUNCH_FAILED] = "launch failed requeued held",
	[REASON_NODE_FAIL] = "NodeFail",
	[REASON_NONZERO_EXIT] = "NonZeroExitCode",
	[REASON_TIME_LIMIT] = "TimeLimit",
	[REASON_OUT_OF_MEMORY] = "OutOfMemory",
	[REASON_QOS_MAX_JOBS_PER_USER] = "QOSMaxJobsPerUserLimit",
	[REASON_QOS_MAX_CPU_PER_USER] = "QOSMaxCpuPerUserLimit",
	[REASON_QOS_MAX_NODE_PER_USER] = "QOSMaxNodePerUserLimit",
	[REASON_QOS_MAX_WALL] = "QOSMaxWallDurationPerJobLimit",
	[REASON_PART_TIME_LIMIT] = "PartitionTimeLimit",
	[REASON_PART_NODE_LIMIT] = "PartitionNodeLimit",
	[REASON_ACCOUNT_NOT_ALLOWED] = "AccountNotAllowed",
};

const char *job_state_name(enum job_state s)
{
	return state_names[s].name;
}

const char *job_state_short(enum job_state s)
{
	return state_names[s].code;
}

int job_state_parse(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(state_names) / sizeof(state_names[0]); i++)
		if (!strcasecmp(s, state_names[i].name) ||
		    !strcasecmp(s, state_names[i].code))
			return (int)i;
	if (!strcasecmp(s, "OOM"))
		return JOB_OOM;
	return -1;
}

const char *job_reason_name(enum job_reason r)
{
	return reason_names[r];
}

bool job_is_finished(const struct job *job)
{
	return job->state >= JOB_COMPLETED;
}

bool job_is_pending(const struct job *job)
{
	return job->state == JOB_PENDING;
}

const char *job_exit_code(const struct job *job, char *buf, size_t len)
{
	int st = job->exit_status;

	if (WIFSIGNALED(st))
		snprintf(buf, len, "0:%d", WTERMSIG(st));
	else
		snprintf(buf, len, "%d:0", WEXITSTATUS(st));
	return buf;
}

uint32_t job_tasks(const struct job *job)
{
	return job->req.ntasks;
}

uint32_t job_cpus_needed(const struct job *job)
{
	return job->req.ntasks * job->req.cpus_per_task;
}

static void blob_put(struct job_blob *b)
{
	if (b && --b->refs == 0)
		free(b);
}

static struct job_blob *blob_from(const json_t *desc)
{
	char *text = json_dumps(desc, JSON_COMPACT);
	struct job_blob *b = NULL;
	size_t len;

	if (!text)
		return NULL;
	len = strlen(text);
	if ((b = malloc(sizeof(*b) + len + 1))) {
		b->refs = 1;
		b->len = len;
		memcpy(b->text, text, len + 1);
	}
	free(text);
	return b;
}

json_t *job_desc(const struct job *job)
{
	return job->blob ? json_loadb(job->blob->text, job->blob->len, 0, NULL)
			 : json_object();
}

/* Copies the description fields that queries show. */
static int keep_desc_fields(struct job *job, const json_t *desc)
{
	struct {
		const char *key;
		char **dst;
	} keep[] = {
		{ "work_dir", &job->work_dir }, { "stdout", &job->std_out },
		{ "stderr", &job->std_err },    { "stdin", &job->std_in },
		{ "submit_dir", &job->submit_dir }, { "command", &job->command },
	};
	size_t i;

	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		const char *v = lv_json_str(desc, keep[i].key);

		if (v && !(*keep[i].dst = strdup(v)))
			return -ENOMEM;
	}
	return 0;
}

void job_destroy(struct job *job)
{
	struct job_waiter *w;
	struct job_step *st;

	if (!job)
		return;
	while ((w = job->waiters)) {
		job->waiters = w->next;
		free(w);
	}
	while ((st = job->steps)) {
		job->steps = st->next;
		free(st->name);
		free(st->nodes);
		free(st);
	}
	lv_bitmap_destroy(job->array_pending);
	depend_destroy(job->dep);
	free(job->dep_text);
	free(job->kind);
	free(job->name);
	free(job->user);
	free(job->account);
	free(job->qos);
	free(job->comment);
	free(job->partition);
	free(job->req.nodelist);
	free(job->req.exclude);
	blob_put(job->blob);
	free(job->work_dir);
	free(job->std_out);
	free(job->std_err);
	free(job->std_in);
	free(job->submit_dir);
	free(job->command);
	free(job->grants);
	free(job->nodes);
	free(job->batch_host);
	free(job);
}

/* Reads an optional non-negative integer; -EINVAL names the field. */
static int opt_uint(const json_t *desc, const char *key, uint64_t max,
		    uint64_t *out, struct lv_error *err)
{
	int64_t v;
	int rc = lv_json_int(desc, key, 0, (int64_t)max, &v, err);

	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		return rc;
	*out = (uint64_t)v;
	return 0;
}

static int opt_str(const json_t *desc, const char *key, char **out,
		   struct lv_error *err)
{
	json_t *v = json_object_get(desc, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return lv_errorf(err, -EINVAL, "field '%s' must be a string", key);
	if (!(*out = strdup(json_string_value(v))))
		return lv_errorf(err, -ENOMEM, "out of memory");
	return 0;
}

static int check_script(const json_t *desc, struct lv_error *err)
{
	const char *script = lv_json_str(desc, "script");
	size_t len;

	if (!script)
		return lv_errorf(err, -EINVAL, "batch job submitted without a script");
	len = strlen(script);
	if (len == 0)
		return lv_errorf(err, -EINVAL, "batch script is empty");
	if (len > SCRIPT_MAX)
		return lv_errorf(err, -EINVAL, "batch script is larger than %u bytes",
				 SCRIPT_MAX);
	if (strncmp(script, "#!", 2) != 0)
		return lv_errorf(err, -EINVAL,
				 "This does not look like a batch script.  The first line must start with #! followed by the path to an interpreter.");
	return 0;
}

static int check_env(const json_t *desc, struct lv_error *err)
{
	json_t *env = json_object_get(desc, "env"), *v;
	const char *k;

	if (!env)
		return 0;
	if (!json_is_object(env))
		return lv_errorf(err, -EINVAL, "field 'env' must be an object");
	json_object_foreach(env, k, v) {
		if (!json_is_string(v) || !*k || strchr(k, '='))
			return lv_errorf(err, -EINVAL,
					 "environment variable '%s' is invalid", k);
	}
	return 0;
}

static int read_request(struct job *job, const json_t *desc,
			struct lv_error *err)
{
	struct job_req *r = &job->req;
	uint64_t nmin = 0, nmax = 0, ntasks = 0, tpn = 0, cpt = 1;
	uint64_t mem = 0, mpc = 0, tpc = 0, tps = 0;

	if (opt_uint(desc, "threads_per_core", 1024, &tpc, err) < 0 ||
	    opt_uint(desc, "ntasks_per_socket", 100000, &tps, err) < 0)
		return err->code;
	/* --hint=nomultithread: one thread of each core (Slurm's rule). */
	if (!tpc && json_is_string(json_object_get(desc, "hint")) &&
	    strstr(json_string_value(json_object_get(desc, "hint")),
		   "nomultithread"))
		tpc = 1;
	r->threads_per_core = (uint32_t)tpc;
	r->ntasks_per_socket = (uint32_t)tps;
	if ((json_is_string(json_object_get(desc, "gres")) &&
	     gres_parse_gpus(json_string_value(json_object_get(desc, "gres")),
			     &r->gpus_per_node, err) < 0) ||
	    (json_is_string(json_object_get(desc, "gpus_per_task")) &&
	     gres_parse_per_task(json_string_value(json_object_get(desc, "gpus_per_task")),
				 &r->gpus_per_task, err) < 0))
		return err->code;
	if (opt_uint(desc, "nodes_min", 1000000, &nmin, err) < 0 ||
	    opt_uint(desc, "nodes_max", 1000000, &nmax, err) < 0 ||
	    opt_uint(desc, "ntasks", 10000000, &ntasks, err) < 0 ||
	    opt_uint(desc, "ntasks_per_node", 100000, &tpn, err) < 0 ||
	    opt_uint(desc, "cpus_per_task", 100000, &cpt, err) < 0 ||
	    opt_uint(desc, "mem_per_node", UINT32_MAX, &mem, err) < 0 ||
	    opt_uint(desc, "mem_per_cpu", UINT32_MAX, &mpc, err) < 0)
		return err->code;
	if (cpt == 0)
		return lv_errorf(err, -EINVAL, "Invalid --cpus-per-task: 0");
	if (mem && mpc)
		return lv_errorf(err, -EINVAL,
				 "--mem and --mem-per-cpu are mutually exclusive");
	if (nmax && nmin > nmax)
		return lv_errorf(err, -EINVAL,
				 "Invalid node count: minimum %llu exceeds maximum %llu",
				 (unsigned long long)nmin, (unsigned long long)nmax);
	/* Slurm's defaults: enough nodes for ntasks-per-node, one task per
	 * node when the task count is not given, and without -N as many
	 * nodes as the tasks need. */
	bool nodes_given = nmin != 0;

	if (!nmin)
		nmin = tpn && ntasks ? (ntasks + tpn - 1) / tpn : 1;
	if (!ntasks)
		ntasks = tpn ? nmin * tpn : nmin;
	if (!nmax)
		nmax = nodes_given ? nmin : ntasks;
	if (ntasks < nmin)
		nmin = nmax = ntasks ? ntasks : 1;
	r->nodes_min = (uint32_t)nmin;
	r->nodes_max = (uint32_t)nmax;
	r->ntasks = (uint32_t)ntasks;
	r->ntasks_per_node = (uint32_t)tpn;
	r->cpus_per_task = (uint32_t)cpt;
	r->mem_per_node = mem;
	r->mem_per_cpu = mpc;
	r->exclusive = json_is_true(json_object_get(desc, "exclusive"));
	if (opt_str(desc, "nodelist", &r->nodelist, err) < 0 ||
	    opt_str(desc, "exclude", &r->exclude, err) < 0)
		return err->code;
	return 0;
}

static int check_hostlists(const struct job *job, struct lv_error *err)
{
	struct lv_hostlist *hl;

	if (job->req.nodelist) {
		if (!(hl = lv_hostlist_create(job->req.nodelist, err)))
			return err->code;
		if (lv_hostlist_count(hl) > job->req.nodes_max)
			((struct job *)job)->req.nodes_min =
				((struct job *)job)->req.nodes_max =
					(uint32_t)lv_hostlist_count(hl);
		lv_hostlist_destroy(hl);
	}
	if (job->req.exclude) {
		if (!(hl = lv_hostlist_create(job->req.exclude, err)))
			return err->code;
		lv_hostlist_destroy(hl);
	}
	return 0;
}

static int read_time_limit(struct job *job, const json_t *desc,
			   const struct partition *part, struct lv_error *err)
{
	json_t *v = json_object_get(desc, "time_limit");
	uint64_t t = 0;

	if (!v) {
		job->req.time_limit = part->default_time != LV_TIME_UNLIMITED
					      ? part->default_time
					      : part->max_time;
		return 0;
	}
	if (json_is_null(v)) {
		t = LV_TIME_UNLIMITED;
	} else if (opt_uint(desc, "time_limit", UINT32_MAX - 1, &t, err) < 0) {
		return err->code;
	}
	if (part->max_time != LV_TIME_UNLIMITED && t > part->max_time)
		return lv_errorf(err, -EINVAL,
				 "Requested time limit is invalid (exceeds the %u minute MaxTime of partition %s)",
				 part->max_time, part->name);
	job->req.time_limit = (uint32_t)t;
	return 0;
}

static int read_partition(struct job *job, const json_t *desc,
			  struct partitions *parts, struct partition **out,
			  struct lv_error *err)
{
	const char *name = lv_json_str(desc, "partition");
	struct partition *p;

	p = name ? partitions_find(parts, name) : partitions_default(parts);
	if (!p)
		return name ? lv_errorf(err, -ENOENT,
					"Invalid partition name specified: %s", name)
			    : lv_errorf(err, -ENOENT,
					"No partition specified and no default partition exists");
	if (p->state == PART_DRAIN || p->state == PART_INACTIVE)
		return lv_errorf(err, -EPERM,
				 "Partition %s is %s and accepts no jobs", p->name,
				 part_state_name(p->state));
	if (!(job->partition = strdup(p->name)))
		return lv_errorf(err, -ENOMEM, "out of memory");
	*out = p;
	return 0;
}

static int read_identity(struct job *job, uid_t uid, gid_t gid,
			 struct lv_error *err)
{
	struct passwd pw, *pwp = NULL;
	char buf[4096], num[32];

	job->uid = uid;
	job->gid = gid;
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &pwp) != 0 || !pwp) {
		snprintf(num, sizeof(num), "%u", (unsigned)uid);
		job->user = strdup(num);
	} else {
		job->user = strdup(pwp->pw_name);
	}
	return job->user ? 0 : lv_errorf(err, -ENOMEM, "out of memory");
}

static int read_strings(struct job *job, const json_t *desc,
			struct lv_error *err)
{
	const char *kind = lv_json_str(desc, "kind");
	const char *wd = lv_json_str(desc, "work_dir");

	if (kind && strcmp(kind, "batch") && strcmp(kind, "interactive"))
		return lv_errorf(err, -EINVAL, "unknown job kind '%s'", kind);
	if (!(job->kind = strdup(kind ? kind : "batch")))
		return lv_errorf(err, -ENOMEM, "out of memory");
	if (!wd || wd[0] != '/')
		return lv_errorf(err, -EINVAL,
				 "the job needs an absolute working directory");
	if (opt_str(desc, "name", &job->name, err) < 0 ||
	    opt_str(desc, "account", &job->account, err) < 0 ||
	    opt_str(desc, "qos", &job->qos, err) < 0 ||
	    opt_str(desc, "comment", &job->comment, err) < 0)
		return err->code;
	if (!job->name && !(job->name = strdup(
				    strcmp(job->kind, "batch") ? "interactive" : "lvbatch")))
		return lv_errorf(err, -ENOMEM, "out of memory");
	if (strcmp(job->kind, "batch") == 0 && check_script(desc, err) < 0)
		return err->code;
	return check_env(desc, err);
}

static int read_flags(struct job *job, const json_t *desc,
		      const struct partition *part, time_t now,
		      struct lv_error *err)
{
	json_t *rq = json_object_get(desc, "requeue");
	uint64_t begin = 0;
	int64_t nice = 0;
	const char *dep = lv_json_str(desc, "dependency");

	job->requeue = rq ? json_is_true(rq) : part->requeue;
	job->held = json_is_true(json_object_get(desc, "hold"));
	if (opt_uint(desc, "begin", INT64_MAX, &begin, err) < 0)
		return err->code;
	/* Slurm's range; a negative nice is checked against the caller in
	 * joblimits.c. */
	if (lv_json_int(desc, "nice", -10000, 10000, &nice, err) == 0)
		job->nice = (int32_t)nice;
	else if (err->code != -ENOENT)
		return err->code;
	memset(err, 0, sizeof(*err));
	job->begin_time = (time_t)begin > now ? (time_t)begin : 0;
	if (dep && *dep) {
		if (!(job->dep = depend_parse(dep, err)))
			return err->code;
		if (!(job->dep_text = strdup(dep)))
			return lv_errorf(err, -ENOMEM, "out of memory");
	}
	return 0;
}

struct job *job_create(const json_t *desc, uid_t uid, gid_t gid,
		       struct partitions *parts, time_t now,
		       struct lv_error *err)
{
	struct partition *part = NULL;
	const char *array = lv_json_str(desc, "array");
	struct job *job;

	if (!(job = calloc(1, sizeof(*job)))) {
		lv_errorf(err, -ENOMEM, "out of memory");
		return NULL;
	}
	job->state = JOB_PENDING;
	job->submit_time = now;
	if (read_identity(job, uid, gid, err) < 0 ||
	    read_strings(job, desc, err) < 0 ||
	    read_partition(job, desc, parts, &part, err) < 0 ||
	    read_request(job, desc, err) < 0 ||
	    check_hostlists(job, err) < 0 ||
	    read_time_limit(job, desc, part, err) < 0 ||
	    read_flags(job, desc, part, now, err) < 0)
		goto out_destroy;
	if (array && array_parse(array, &job->array_pending,
				 &job->array_throttle, err) < 0)
		goto out_destroy;
	if (part->max_nodes && job->req.nodes_min > part->max_nodes) {
		lv_errorf(err, -EINVAL,
			  "Node count specification invalid: %u nodes exceed MaxNodes=%u of partition %s",
			  job->req.nodes_min, part->max_nodes, part->name);
		goto out_destroy;
	}
	if (!(job->blob = blob_from(desc)) || keep_desc_fields(job, desc) < 0) {
		lv_errorf(err, -ENOMEM, "out of memory");
		goto out_destroy;
	}
	return job;
out_destroy:
	job_destroy(job);
	return NULL;
}

struct job *job_dup_for_task(const struct job *array, uint32_t id,
			     uint32_t task, struct lv_error *err)
{
	struct job *j = calloc(1, sizeof(*j));

	if (!j)
		goto out_nomem;
	*j = *array;
	/* Reset everything that must not be shared. */
	j->hash_next = j->prev = j->next = NULL;
	j->waiters = NULL;
	j->steps = NULL;
	j->next_step_id = 0;
	j->array_pending = NULL;
	j->array_throttle = j->array_running = 0;
	j->array_total = j->array_started = j->array_done = j->array_ok = 0;
	j->grants = NULL;
	j->n_grants = 0;
	j->nodes = j->batch_host = NULL;
	j->dep = NULL;
	j->kind = j->name = j->user = j->account = j->comment = NULL;
	j->qos = NULL;
	j->partition = j->dep_text = NULL;
	j->req.nodelist = j->req.exclude = NULL;
	j->blob = NULL;
	j->work_dir = j->std_out = j->std_err = j->std_in = NULL;
	j->submit_dir = j->command = NULL;
	j->id = id;
	j->array_job_id = array->id;
	j->array_task_id = task;
	if (!(j->kind = strdup(array->kind)) || !(j->name = strdup(array->name)) ||
	    !(j->user = strdup(array->user)) ||
	    !(j->partition = strdup(array->partition)) ||
	    (array->account && !(j->account = strdup(array->account))) ||
	    (array->qos && !(j->qos = strdup(array->qos))) ||
	    (array->comment && !(j->comment = strdup(array->comment))) ||
	    (array->req.nodelist && !(j->req.nodelist = strdup(array->req.nodelist))) ||
	    (array->req.exclude && !(j->req.exclude = strdup(array->req.exclude))) ||
	    (array->work_dir && !(j->work_dir = strdup(array->work_dir))) ||
	    (array->std_out && !(j->std_out = strdup(array->std_out))) ||
	    (array->std_err && !(j->std_err = strdup(array->std_err))) ||
	    (array->std_in && !(j->std_in = strdup(array->std_in))) ||
	    (array->submit_dir && !(j->submit_dir = strdup(array->submit_dir))) ||
	    (array->command && !(j->command = strdup(array->command))))
		goto out_nomem;
	j->blob = array->blob;
	if (j->blob)
		j->blob->refs++;
	return j;
out_nomem:
	job_destroy(j);
	lv_errorf(err, -ENOMEM, "out of memory");
	return NULL;
}

/* fields is an object used as a set; NULL means every key. */
static bool want(const json_t *fields, const char *key)
{
	return !fields || json_object_get(fields, key);
}

static void set_time(json_t *o, const json_t *fields, const char *key,
		     time_t t)
{
	if (want(fields, key))
		json_object_set_new(o, key, json_integer((json_int_t)t));
}

static void set_str(json_t *o, const json_t *fields, const char *key,
		    const char *v)
{
	if (want(fields, key))
		json_object_set_new(o, key, v ? json_string(v) : json_null());
}

static void set_int(json_t *o, const json_t *fields, const char *key,
		    json_int_t v)
{
	if (want(fields, key))
		json_object_set_new(o, key, json_integer(v));
}

static void add_array_fields(json_t *o, const struct job *job,
			     const json_t *fields)
{
	char *str;

	if (job->array_pending) {
		set_int(o, fields, "array_job_id", job->id);
		if (want(fields, "array_task_id"))
			json_object_set_new(o, "array_task_id", json_null());
		if (want(fields, "array_task_str") &&
		    (str = array_format(job->array_pending, job->array_throttle))) {
			json_object_set_new(o, "array_task_str", json_string(str));
			free(str);
		}
	} else if (job->array_job_id) {
		set_int(o, fields, "array_job_id", job->array_job_id);
		set_int(o, fields, "array_task_id", job->array_task_id);
	}
}

static void add_request_fields(json_t *o, const struct job *job,
			       const json_t *fields)
{
	set_int(o, fields, "num_nodes",
		job->nodes ? (json_int_t)job->n_grants : job->req.nodes_min);
	set_int(o, fields, "num_cpus",
		job->num_cpus ? job->num_cpus : job_cpus_needed(job));
	set_int(o, fields, "num_tasks", job->req.ntasks);
	set_int(o, fields, "cpus_per_task", job->req.cpus_per_task);
	set_int(o, fields, "min_memory",
		(json_int_t)(job->req.mem_per_node ? job->req.mem_per_node
						   : job->req.mem_per_cpu));
	if (want(fields, "time_limit"))
		json_object_set_new(o, "time_limit",
				    job->req.time_limit == LV_TIME_UNLIMITED
					    ? json_null()
					    : json_integer(job->req.time_limit));
	if (want(fields, "exclusive"))
		json_object_set_new(o, "exclusive", json_boolean(job->req.exclusive));
}

static void add_desc_fields(json_t *o, const struct job *job,
			    const json_t *fields)
{
	set_str(o, fields, "work_dir", job->work_dir);
	set_str(o, fields, "stdout", job->std_out);
	set_str(o, fields, "stderr", job->std_err);
	set_str(o, fields, "stdin", job->std_in);
	set_str(o, fields, "submit_dir", job->submit_dir);
	set_str(o, fields, "command",
		job->command ? job->command
			     : strcmp(job->kind, "batch") ? job->kind : "(script)");
}

static json_t *steps_json(const struct job *job)
{
	json_t *arr = json_array();
	const struct job_step *st;

	for (st = job->steps; st; st = st->next)
		json_array_insert_new(arr, 0,
				      json_pack("{s:I, s:s, s:I, s:s?, s:I, s:I, s:i, s:b}",
						"step_id", (json_int_t)st->id,
						"name", st->name, "ntasks",
						(json_int_t)st->ntasks, "nodes",
						st->nodes, "start_time",
						(json_int_t)st->start_time,
						"end_time", (json_int_t)st->end_time,
						"status", st->status, "ended",
						st->ended));
	return arr;
}

json_t *job_to_json(const struct job *job, const json_t *fields, time_t now)
{
	json_t *o = json_object();
	char buf[32];
	time_t used = 0;

	if (!o)
		return NULL;
	set_int(o, fields, "job_id", job->id);
	add_array_fields(o, job, fields);
	set_str(o, fields, "name", job->name);
	set_str(o, fields, "kind", job->kind);
	set_int(o, fields, "uid", job->uid);
	set_int(o, fields, "gid", job->gid);
	set_str(o, fields, "user", job->user);
	set_str(o, fields, "account", job->account);
	set_str(o, fields, "qos", job->qos);
	set_int(o, fields, "nice", job->nice);
	set_str(o, fields, "partition", job->partition);
	set_str(o, fields, "state", job_state_name(job->state));
	set_str(o, fields, "state_short", job_state_short(job->state));
	set_str(o, fields, "reason", job_reason_name(job->reason));
	set_str(o, fields, "nodes", job->nodes);
	set_str(o, fields, "batch_host", job->batch_host);
	add_request_fields(o, job, fields);
	if (job->start_time)
		used = (job->end_time ? job->end_time : now) - job->start_time;
	set_int(o, fields, "time_used", used > 0 ? used : 0);
	set_time(o, fields, "submit_time", job->submit_time);
	set_time(o, fields, "eligible_time", job->eligible_time);
	set_time(o, fields, "start_time",
		 job->state == JOB_PENDING ? job->est_start : job->start_time);
	set_time(o, fields, "end_time", job->end_time);
	set_str(o, fields, "exit_code", job_exit_code(job, buf, sizeof(buf)));
	set_int(o, fields, "status", job->exit_status);
	set_str(o, fields, "comment", job->comment);
	set_str(o, fields, "dependency", job->dep_text);
	set_int(o, fields, "priority", (json_int_t)job->priority);
	if (want(fields, "requeue"))
		json_object_set_new(o, "requeue", json_boolean(job->requeue));
	if (want(fields, "held"))
		json_object_set_new(o, "held", json_boolean(job->held));
	set_int(o, fields, "restarts", job->restarts);
	set_time(o, fields, "begin_time", job->begin_time);
	add_desc_fields(o, job, fields);
	if (want(fields, "steps") && job->steps)
		json_object_set_new(o, "steps", steps_json(job));
	return o;
}
