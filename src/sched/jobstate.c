/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Jobs to and from the JSON the journal stores (proto 06). */
#include "config.h"

#include "sched/jobstate.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/bitmap.h"
#include "common/hostlist.h"
#include "sched/depend.h"
#include "sched/gres.h"

struct job_blob *jobstate_blob(const char *text, size_t len)
{
	struct job_blob *b = malloc(sizeof(*b) + len + 1);

	if (!b)
		return NULL;
	b->refs = 1;
	b->len = len;
	memcpy(b->text, text, len);
	b->text[len] = '\0';
	return b;
}

/* ---- Encoding ---- */

static void set_str(json_t *o, const char *key, const char *v)
{
	if (v)
		json_object_set_new(o, key, json_string(v));
}

static void set_int(json_t *o, const char *key, json_int_t v)
{
	if (v)
		json_object_set_new(o, key, json_integer(v));
}

static void set_bool(json_t *o, const char *key, bool v)
{
	if (v)
		json_object_set_new(o, key, json_true());
}

static json_t *req_json(const struct job_req *r)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	set_int(o, "nodes_min", r->nodes_min);
	set_int(o, "nodes_max", r->nodes_max);
	set_int(o, "ntasks", r->ntasks);
	set_int(o, "ntasks_per_node", r->ntasks_per_node);
	set_int(o, "cpus_per_task", r->cpus_per_task);
	set_int(o, "mem_per_node", (json_int_t)r->mem_per_node);
	set_int(o, "mem_per_cpu", (json_int_t)r->mem_per_cpu);
	json_object_set_new(o, "time_limit", json_integer(r->time_limit));
	set_bool(o, "exclusive", r->exclusive);
	set_int(o, "threads_per_core", r->threads_per_core);
	set_int(o, "ntasks_per_socket", r->ntasks_per_socket);
	set_int(o, "gpus_per_node", r->gpus_per_node);
	set_int(o, "gpus_per_task", r->gpus_per_task);
	set_str(o, "nodelist", r->nodelist);
	set_str(o, "exclude", r->exclude);
	return o;
}

static json_t *grants_json(const struct job *job,
			   const struct jobstate_nodes *nodes)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr && i < job->n_grants; i++) {
		const struct grant *g = &job->grants[i];
		const char *name = nodes->name(g->node, nodes->arg);
		char ids[LV_CPUSET_MAX * 5];

		char gpus[256];

		gres_ids_format(g->gpus, gpus, sizeof(gpus));
		if (!name || !lv_cpuset_format(&g->pus, ids, sizeof(ids)) ||
		    json_array_append_new(
			    arr, json_pack("{s:s, s:I, s:I, s:I, s:s, s:s}", "node", name,
					   "cpus", (json_int_t)g->cpus, "tasks",
					   (json_int_t)g->tasks, "mem",
					   (json_int_t)g->mem_mb, "cpu_ids", ids,
					   "gpu_ids", gpus)) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static int add_array(json_t *o, const struct job *job)
{
	char *list;

	set_int(o, "array_job_id", job->array_job_id);
	if (job->array_job_id)
		json_object_set_new(o, "array_task_id",
				    json_integer(job->array_task_id));
	if (!job->array_pending)
		return 0;
	if (!(list = lv_bitmap_format_list(job->array_pending)))
		return -ENOMEM;
	json_object_set_new(o, "array_pending", json_string(list));
	free(list);
	json_object_set_new(
		o, "array_size",
		json_integer((json_int_t)lv_bitmap_size(job->array_pending)));
	set_int(o, "array_throttle", job->array_throttle);
	set_int(o, "array_running", job->array_running);
	set_int(o, "array_total", job->array_total);
	set_int(o, "array_started", job->array_started);
	set_int(o, "array_done", job->array_done);
	set_int(o, "array_ok", job->array_ok);
	return 0;
}

static void add_strings(json_t *o, const struct job *job)
{
	set_str(o, "kind", job->kind);
	set_str(o, "name", job->name);
	set_str(o, "user", job->user);
	set_str(o, "account", job->account);
	set_str(o, "comment", job->comment);
	set_str(o, "partition", job->partition);
	set_str(o, "work_dir", job->work_dir);
	set_str(o, "stdout", job->std_out);
	set_str(o, "stderr", job->std_err);
	set_str(o, "stdin", job->std_in);
	set_str(o, "submit_dir", job->submit_dir);
	set_str(o, "command", job->command);
	set_str(o, "dependency", job->dep_text);
	set_str(o, "qos", job->qos);
}

static void add_life(json_t *o, const struct job *job)
{
	json_object_set_new(o, "state",
			    json_string(job_state_name(job->state)));
	if (job->reason != REASON_NONE)
		json_object_set_new(o, "reason",
				    json_string(job_reason_name(job->reason)));
	set_bool(o, "requeue", job->requeue);
	set_bool(o, "held", job->held);
	set_bool(o, "held_by_admin", job->held_by_admin);
	set_int(o, "begin_time", job->begin_time);
	set_int(o, "submit_time", job->submit_time);
	set_int(o, "eligible_time", job->eligible_time);
	set_int(o, "start_time", job->start_time);
	set_int(o, "end_time", job->end_time);
	set_int(o, "priority", (json_int_t)job->priority);
	set_int(o, "nice", job->nice);
	set_int(o, "prio_admin", (json_int_t)job->prio_admin);
	set_int(o, "exit_status", job->exit_status);
	set_bool(o, "cancel_requested", job->cancel_requested);
	set_bool(o, "requeue_requested", job->requeue_requested);
	set_bool(o, "requeue_hold", job->requeue_hold);
	set_bool(o, "timed_out", job->timed_out);
	set_int(o, "restarts", job->restarts);
	set_int(o, "next_step_id", job->next_step_id);
	set_bool(o, "bound", job->alloc_conn_id != 0);
}

/* The steps still running: after a restart their ends must find them
 * (accounting, lvcontrol show job).  Ended steps are in accounting. */
static int add_steps(json_t *o, const struct job *job)
{
	const struct job_step *st;
	json_t *arr = NULL, *v;

	for (st = job->steps; st && !job_is_finished(job); st = st->next) {
		if (st->ended)
			continue;
		if (!arr && (!(arr = json_array()) ||
			     json_object_set_new(o, "steps", arr) < 0))
			return -ENOMEM;
		v = json_pack("{s:I, s:I, s:s, s:s?, s:I}", "id",
			      (json_int_t)st->id, "ntasks",
			      (json_int_t)st->ntasks, "name", st->name,
			      "nodes", st->nodes, "start_time",
			      (json_int_t)st->start_time);
		if (!v || json_array_append_new(arr, v) < 0)
			return -ENOMEM;
	}
	return 0;
}

json_t *job_to_state_json(const struct job *job, bool with_blob,
			  const struct jobstate_nodes *nodes)
{
	json_t *o = json_object(), *v;

	if (!o)
		return NULL;
	json_object_set_new(o, "id", json_integer(job->id));
	json_object_set_new(o, "uid", json_integer(job->uid));
	json_object_set_new(o, "gid", json_integer(job->gid));
	add_strings(o, job);
	add_life(o, job);
	if (!(v = req_json(&job->req)) ||
	    json_object_set_new(o, "req", v) < 0 || add_array(o, job) < 0 ||
	    add_steps(o, job) < 0)
		goto out_nomem;
	if (job->n_grants && (!(v = grants_json(job, nodes)) ||
			      json_object_set_new(o, "grants", v) < 0))
		goto out_nomem;
	if (with_blob && job->blob &&
	    json_object_set_new(o, "blob",
				json_stringn(job->blob->text, job->blob->len)) <
		    0)
		goto out_nomem;
	return o;
out_nomem:
	json_decref(o);
	return NULL;
}

/* ---- Decoding ---- */

static uint64_t get_u64(const json_t *o, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(o, key));

	return v > 0 ? (uint64_t)v : 0;
}

static uint32_t get_u32(const json_t *o, const char *key)
{
	uint64_t v = get_u64(o, key);

	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static bool get_bool(const json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

/* Copies an optional string; -ENOMEM only. */
static int get_str(const json_t *o, const char *key, char **dst)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		return 0;
	return (*dst = strdup(json_string_value(v))) ? 0 : -ENOMEM;
}

static int read_strings(struct job *job, const json_t *o, struct lv_error *err)
{
	struct {
		const char *key;
		char **dst;
	} s[] = {
		{"kind", &job->kind},
		{"name", &job->name},
		{"user", &job->user},
		{"account", &job->account},
		{"comment", &job->comment},
		{"partition", &job->partition},
		{"work_dir", &job->work_dir},
		{"stdout", &job->std_out},
		{"stderr", &job->std_err},
		{"stdin", &job->std_in},
		{"submit_dir", &job->submit_dir},
		{"command", &job->command},
		{"dependency", &job->dep_text},
		{"qos", &job->qos},
	};
	size_t i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (get_str(o, s[i].key, s[i].dst) < 0)
			return lv_errorf(err, -ENOMEM, "out of memory");
	if (!job->kind || !job->name || !job->user || !job->partition)
		return lv_errorf(
			err, -EINVAL,
			"job %u: state lacks kind, name, user or partition",
			job->id);
	if (job->dep_text && !(job->dep = depend_parse(job->dep_text, err)))
		return err->code;
	return 0;
}

static int read_req(struct job *job, const json_t *o)
{
	const json_t *r = json_object_get(o, "req");
	struct job_req *q = &job->req;

	q->nodes_min = get_u32(r, "nodes_min");
	q->nodes_max = get_u32(r, "nodes_max");
	q->ntasks = get_u32(r, "ntasks");
	q->ntasks_per_node = get_u32(r, "ntasks_per_node");
	q->cpus_per_task = get_u32(r, "cpus_per_task");
	q->mem_per_node = get_u64(r, "mem_per_node");
	q->mem_per_cpu = get_u64(r, "mem_per_cpu");
	q->time_limit = get_u32(r, "time_limit");
	q->exclusive = get_bool(r, "exclusive");
	q->threads_per_core = get_u32(r, "threads_per_core");
	q->ntasks_per_socket = get_u32(r, "ntasks_per_socket");
	q->gpus_per_node = get_u32(r, "gpus_per_node");
	q->gpus_per_task = get_u32(r, "gpus_per_task");
	if (get_str(r, "nodelist", &q->nodelist) < 0 ||
	    get_str(r, "exclude", &q->exclude) < 0)
		return -ENOMEM;
	return 0;
}

static int read_life(struct job *job, const json_t *o, struct lv_error *err)
{
	const char *state = json_string_value(json_object_get(o, "state"));
	const char *reason = json_string_value(json_object_get(o, "reason"));
	int st = state ? job_state_parse(state) : -1;
	int r;

	if (st < 0)
		return lv_errorf(err, -EINVAL, "job %u: bad state '%s'",
				 job->id, state ? state : "");
	job->state = (enum job_state)st;
	for (r = REASON_NONE; reason && r < REASON_COUNT; r++)
		if (!strcmp(reason, job_reason_name((enum job_reason)r)))
			job->reason = (enum job_reason)r;
	job->requeue = get_bool(o, "requeue");
	job->held = get_bool(o, "held");
	job->held_by_admin = get_bool(o, "held_by_admin");
	job->begin_time = (time_t)get_u64(o, "begin_time");
	job->submit_time = (time_t)get_u64(o, "submit_time");
	job->eligible_time = (time_t)get_u64(o, "eligible_time");
	job->start_time = (time_t)get_u64(o, "start_time");
	job->end_time = (time_t)get_u64(o, "end_time");
	job->priority = get_u64(o, "priority");
	job->nice = (int32_t)json_integer_value(json_object_get(o, "nice"));
	job->prio_admin = get_u64(o, "prio_admin");
	job->exit_status =
		(int)json_integer_value(json_object_get(o, "exit_status"));
	job->cancel_requested = get_bool(o, "cancel_requested");
	job->requeue_requested = get_bool(o, "requeue_requested");
	job->requeue_hold = get_bool(o, "requeue_hold");
	job->timed_out = get_bool(o, "timed_out");
	job->restarts = get_u32(o, "restarts");
	job->next_step_id = get_u32(o, "next_step_id");
	return 0;
}

/* The running steps (add_steps), in the order they were listed. */
static int read_steps(struct job *job, const json_t *o, struct lv_error *err)
{
	struct job_step **tail = &job->steps, *st;
	const json_t *v;
	size_t i;

	json_array_foreach(json_object_get(o, "steps"), i, v) {
		if (!(st = calloc(1, sizeof(*st))))
			return lv_errorf(err, -ENOMEM, "out of memory");
		*tail = st;
		tail = &st->next;
		st->id = get_u32(v, "id");
		st->ntasks = get_u32(v, "ntasks");
		st->start_time = (time_t)get_u64(v, "start_time");
		if (get_str(v, "name", &st->name) < 0 ||
		    get_str(v, "nodes", &st->nodes) < 0)
			return lv_errorf(err, -ENOMEM, "out of memory");
		if (!st->name && !(st->name = strdup("step")))
			return lv_errorf(err, -ENOMEM, "out of memory");
	}
	return 0;
}

static int read_array(struct job *job, const json_t *o, struct lv_error *err)
{
	const char *list =
		json_string_value(json_object_get(o, "array_pending"));
	uint64_t size = get_u64(o, "array_size");

	job->array_job_id = get_u32(o, "array_job_id");
	job->array_task_id = get_u32(o, "array_task_id");
	if (!list)
		return 0;
	if (!(job->array_pending = lv_bitmap_create(size ? (size_t)size : 1)))
		return lv_errorf(err, -ENOMEM, "out of memory");
	if (*list && lv_bitmap_parse_list(job->array_pending, list, err) < 0)
		return err->code;
	job->array_throttle = get_u32(o, "array_throttle");
	job->array_running = get_u32(o, "array_running");
	job->array_total = get_u32(o, "array_total");
	job->array_started = get_u32(o, "array_started");
	job->array_done = get_u32(o, "array_done");
	job->array_ok = get_u32(o, "array_ok");
	return 0;
}

/* The grant's derived fields: CPUs, the node list and the batch host. */
static int grant_derived(struct job *job, struct lv_hostlist *hl)
{
	size_t i;

	job->num_cpus = 0;
	for (i = 0; i < job->n_grants; i++)
		job->num_cpus += job->grants[i].cpus;
	if (!job->n_grants)
		return 0;
	if (!(job->nodes = lv_hostlist_ranged_string(hl)) ||
	    !(job->batch_host = strdup(lv_hostlist_nth(hl, 0))))
		return -ENOMEM;
	return 0;
}

static int read_grants(struct job *job, const json_t *o,
		       const struct jobstate_nodes *nodes, bool *node_missing,
		       struct lv_error *err)
{
	const json_t *arr = json_object_get(o, "grants"), *g;
	struct lv_hostlist *hl;
	size_t i;
	long idx;
	int rc;

	if (!json_array_size(arr))
		return 0;
	if (!(job->grants =
		      calloc(json_array_size(arr), sizeof(*job->grants))) ||
	    !(hl = lv_hostlist_create("", NULL)))
		return lv_errorf(err, -ENOMEM, "out of memory");
	json_array_foreach(arr, i, g) {
		const char *name =
			json_string_value(json_object_get(g, "node"));
		struct grant *dst = &job->grants[job->n_grants];

		if (!name || (idx = nodes->index(name, nodes->arg)) < 0) {
			*node_missing = true;
			continue;
		}
		dst->node = (size_t)idx;
		dst->cpus = get_u32(g, "cpus");
		dst->tasks = get_u32(g, "tasks");
		dst->mem_mb = get_u64(g, "mem");
		/* Missing in states from before PUs were tracked: booked
		 * afresh then (nodes_alloc). */
		if (json_is_string(json_object_get(g, "cpu_ids")) &&
		    lv_cpuset_parse(&dst->pus, json_string_value(json_object_get(g, "cpu_ids"))) < 0)
			lv_cpuset_zero(&dst->pus);
		if (json_is_string(json_object_get(g, "gpu_ids")) &&
		    gres_ids_parse(json_string_value(json_object_get(g, "gpu_ids")),
				   &dst->gpus) < 0)
			dst->gpus = 0;
		job->n_grants++;
		if (lv_hostlist_push(hl, name) < 0)
			break;
	}
	rc = i < json_array_size(arr) ? -ENOMEM : grant_derived(job, hl);
	lv_hostlist_destroy(hl);
	return rc < 0 ? lv_errorf(err, rc, "out of memory") : 0;
}

struct job *job_from_state_json(const json_t *o,
				const struct jobstate_nodes *nodes,
				bool *node_missing, bool *bound,
				struct lv_error *err)
{
	const json_t *blob = json_object_get(o, "blob");
	struct job *job;
	int64_t id;

	*node_missing = false;
	*bound = get_bool(o, "bound");
	id = json_integer_value(json_object_get(o, "id"));
	if (id <= 0 || id > UINT32_MAX) {
		lv_errorf(err, -EINVAL, "job state without a valid id");
		return NULL;
	}
	if (!(job = calloc(1, sizeof(*job)))) {
		lv_errorf(err, -ENOMEM, "out of memory");
		return NULL;
	}
	job->id = (uint32_t)id;
	job->uid = (uid_t)get_u32(o, "uid");
	job->gid = (gid_t)get_u32(o, "gid");
	if (read_strings(job, o, err) < 0 || read_life(job, o, err) < 0 ||
	    read_array(job, o, err) < 0 || read_steps(job, o, err) < 0 ||
	    read_grants(job, o, nodes, node_missing, err) < 0)
		goto out_destroy;
	if (read_req(job, o) < 0 ||
	    (json_is_string(blob) &&
	     !(job->blob = jobstate_blob(json_string_value(blob),
					 json_string_length(blob))))) {
		lv_errorf(err, -ENOMEM, "out of memory");
		goto out_destroy;
	}
	return job;
out_destroy:
	job_destroy(job);
	return NULL;
}
