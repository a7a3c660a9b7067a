/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lvctld's side of job steps: placing a step's tasks on the job's nodes
 * and vouching for it to each node with a munge credential (proto 05). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/auth.h"
#include "common/hostlist.h"
#include "common/log.h"
#include "common/msg.h"
#include "sched/acct.h"
#include "sched/gres.h"
#include "sched/ctld.h"
#include "sched/jobs.h"
#include "sched/nodes.h"
#include "sched/persist.h"
#include "sched/rpc_handlers.h"
#include "sched/sched.h"

struct step_req {
	uint32_t ntasks, nodes, per_node, cpt;
	uint32_t rel; /* --relative: the step starts at the job's node rel */
};

static int read_step_req(const json_t *b, const struct job *job,
			 struct step_req *r, struct lv_error *err)
{
	int64_t v;

	r->ntasks = job->req.ntasks;
	r->nodes = 0;
	r->per_node = 0;
	r->cpt = job->req.cpus_per_task;
	if (lv_json_int(b, "ntasks", 0, 1000000, &v, err) == 0 && v)
		r->ntasks = (uint32_t)v;
	if (lv_json_int(b, "nodes", 0, 1000000, &v, err) == 0)
		r->nodes = (uint32_t)v;
	if (lv_json_int(b, "ntasks_per_node", 0, 100000, &v, err) == 0)
		r->per_node = (uint32_t)v;
	if (lv_json_int(b, "cpus_per_task", 0, 100000, &v, err) == 0 && v)
		r->cpt = (uint32_t)v;
	r->rel = 0;
	if (lv_json_int(b, "relative", 0, 1000000, &v, err) == 0)
		r->rel = (uint32_t)v;
	if (r->rel >= job->n_grants)
		return lv_errorf(err, -ENOSPC,
				 "--relative=%u: the job has only %zu node(s)",
				 r->rel, job->n_grants);
	if (r->nodes > job->n_grants - r->rel)
		return lv_errorf(err, -ENOSPC,
				 "Requested %u nodes but the job has only %zu",
				 r->nodes, job->n_grants - r->rel);
	if (!r->nodes)
		r->nodes = r->ntasks < job->n_grants - r->rel
				   ? r->ntasks : (uint32_t)(job->n_grants - r->rel);
	if (r->per_node && r->ntasks > r->per_node * r->nodes)
		r->ntasks = r->per_node * r->nodes;
	if (r->ntasks < r->nodes)
		r->nodes = r->ntasks;
	return 0;
}

/* Block layout: ranks per node, each node at least one, none over its
 * CPUs.  Fills counts[0..nodes). */
static int place(const struct job *job, const struct step_req *r,
		 uint32_t *counts, struct lv_error *err)
{
	uint32_t left = r->ntasks, i, cap, extra;

	for (i = 0; i < r->nodes; i++)
		counts[i] = 1;
	left -= r->nodes;
	for (i = 0; i < r->nodes && left; i++) {
		cap = job->grants[r->rel + i].cpus / r->cpt;
		if (r->per_node && cap > r->per_node)
			cap = r->per_node;
		extra = cap > 1 ? cap - 1 : 0;
		if (extra > left)
			extra = left;
		counts[i] += extra;
		left -= extra;
	}
	if (left)
		return lv_errorf(err, -ENOSPC,
				 "Requested more tasks (%u) than the job's allocation holds",
				 r->ntasks);
	return 0;
}

/* One node's entry, with its credential. */
static json_t *node_entry(struct lvctld *ctld, const struct job *job,
			  const struct job_step *st, uint32_t idx, uint32_t rel,
			  uint32_t first, uint32_t count, uint32_t nnodes,
			  json_t *layout, json_t *peers, struct lv_error *err)
{
	struct node *n = nodes_get(ctld->nodes, job->grants[rel + idx].node);
	json_t *ranks = json_array(), *payload, *e;
	char *text, *cred = NULL;
	uint32_t r;
	int rc;

	for (r = first; r < first + count; r++)
		json_array_append_new(ranks, json_integer(r));
	/* layout and peers: every node's ranks and lvd address, for the
	 * PMIx server and its cross-node fences (docs/mpi.md). */
	payload = json_pack("{s:I, s:I, s:I, s:I, s:s, s:O, s:I, s:I, s:I, s:s?, s:I, s:s, s:O, s:O}",
			    "job_id", (json_int_t)job->id, "step_id",
			    (json_int_t)st->id, "uid", (json_int_t)job->uid,
			    "gid", (json_int_t)job->gid, "node", n->name,
			    "ranks", ranks, "ntasks", (json_int_t)st->ntasks,
			    "nnodes", (json_int_t)nnodes, "node_index",
			    (json_int_t)idx, "nodelist", st->nodes,
			    "cpus", (json_int_t)job->grants[rel + idx].cpus, "user", job->user,
			    "layout", layout, "peers", peers);
	/* The node's share of the grant: lvd's step cgroups and binding. */
	if (payload) {
		char ids[LV_CPUSET_MAX * 5];

		(void)lv_cpuset_format(&job->grants[idx].pus, ids, sizeof(ids));
		json_object_set_new(payload, "cpu_ids", json_string(ids));
		json_object_set_new(payload, "mem",
				    json_integer((json_int_t)job->grants[idx].mem_mb));
		if (job->grants[idx].gpus) {
			gres_ids_format(job->grants[idx].gpus, ids, sizeof(ids));
			json_object_set_new(payload, "gpu_ids", json_string(ids));
		}
	}
	text = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
	json_decref(payload);
	rc = text ? lv_auth_sign(ctld->conf->munge_socket, text, strlen(text),
				 &cred, err)
		  : lv_errorf(err, -ENOMEM, "out of memory");
	free(text);
	if (rc < 0) {
		json_decref(ranks);
		return NULL;
	}
	e = json_pack("{s:s, s:s, s:i, s:o, s:I, s:s}", "name", n->name, "addr",
		      n->addr, "port", n->port, "ranks", ranks, "cpus",
		      (json_int_t)job->grants[rel + idx].cpus, "cred", cred);
	free(cred);
	return e;
}

static struct job *owned_running_job(struct lvctld *ctld,
				     struct lv_rpc_conn *conn,
				     const struct lv_rpc_req *req)
{
	const struct lv_rpc_peer *peer = lv_rpc_conn_peer(conn);
	struct lv_error err = { 0 };
	struct job *job;
	int64_t id;

	if (lv_json_int(req->body, "job_id", 1, UINT32_MAX, &id, &err) < 0) {
		lv_rpc_respond_error(conn, req->id, EINVAL, "%s", err.text);
		return NULL;
	}
	if (!(job = jobs_find(ctld->jobs, (uint32_t)id))) {
		lv_rpc_respond_error(conn, req->id, ENOENT, "Invalid job id %lld",
				     (long long)id);
		return NULL;
	}
	if (job->uid != peer->uid && !peer->is_admin) {
		lv_log(LV_LOG_WARNING, "job: uid=%u may not use job=%u of uid=%u",
		       (unsigned)peer->uid, job->id, (unsigned)job->uid);
		lv_rpc_respond_error(conn, req->id, EPERM, "Access/permission denied");
		return NULL;
	}
	if (job->state != JOB_RUNNING) {
		lv_rpc_respond_error(conn, req->id, EBUSY,
				     "Job %u is not running (%s)", job->id,
				     job_state_name(job->state));
		return NULL;
	}
	return job;
}

static struct job_step *step_new(struct job *job, const struct step_req *r,
				 const json_t *body)
{
	struct job_step *st = calloc(1, sizeof(*st));
	const json_t *argv = json_object_get(body, "argv");
	const char *name = lv_json_str(body, "name");

	if (!st)
		return NULL;
	if (!name && json_is_string(json_array_get(argv, 0)))
		name = json_string_value(json_array_get(argv, 0));
	st->id = job->next_step_id++;
	st->ntasks = r->ntasks;
	st->start_time = time(NULL);
	if (!(st->name = strdup(name ? name : "step"))) {
		free(st);
		return NULL;
	}
	return st;
}

void rpc_step_create(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		     void *arg)
{
	struct lvctld *ctld = arg;
	struct job *job = owned_running_job(ctld, conn, req);
	struct lv_error err = { 0 };
	struct step_req r;
	struct job_step *st;
	uint32_t *counts = NULL, i, k, first = 0;
	json_t *nodes, *e, *layout, *peers;

	if (!job)
		return;
	if (read_step_req(req->body, job, &r, &err) < 0 ||
	    !(counts = calloc(r.nodes ? r.nodes : 1, sizeof(*counts))) ||
	    place(job, &r, counts, &err) < 0 || !(st = step_new(job, &r, req->body))) {
		free(counts);
		lv_rpc_respond_error(conn, req->id, err.code ? -err.code : ENOMEM,
				     "%s", err.code ? err.text : "out of memory");
		return;
	}
	st->nodes = sched_grant_nodelist(ctld, job->grants + r.rel, r.nodes);
	nodes = json_array();
	layout = json_array();
	peers = json_array();
	for (i = 0; i < r.nodes; i++) {
		struct node *n = nodes_get(ctld->nodes, job->grants[r.rel + i].node);
		json_t *ranks = json_array();

		for (k = first; k < first + counts[i]; k++)
			json_array_append_new(ranks, json_integer(k));
		first += counts[i];
		json_array_append_new(layout, ranks);
		json_array_append_new(peers, json_pack("{s:s, s:s, s:i}", "name",
						       n->name, "addr", n->addr,
						       "port", n->port));
	}
	first = 0;
	for (i = 0; i < r.nodes; i++) {
		if (!(e = node_entry(ctld, job, st, i, r.rel, first, counts[i], r.nodes,
				     layout, peers, &err))) {
			json_decref(layout);
			json_decref(peers);
			json_decref(nodes);
			free(counts);
			free(st->name);
			free(st->nodes);
			free(st);
			lv_rpc_respond_error(conn, req->id, EIO, "%s", err.text);
			return;
		}
		json_array_append_new(nodes, e);
		first += counts[i];
	}
	json_decref(layout);
	json_decref(peers);
	free(counts);
	st->next = job->steps;
	job->steps = st;
	persist_job(ctld, job); /* next_step_id: step ids never repeat */
	lv_debug(LV_DBG_JOB, "job: job=%u step=%u ntasks=%u on %s", job->id,
		 st->id, st->ntasks, st->nodes ? st->nodes : "?");
	lv_rpc_respond(conn, req->id,
		       json_pack("{s:I, s:I, s:I, s:s?, s:o}", "job_id",
				 (json_int_t)job->id, "step_id", (json_int_t)st->id,
				 "ntasks", (json_int_t)st->ntasks, "nodelist",
				 st->nodes, "nodes", nodes));
}

void rpc_step_complete(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		       void *arg)
{
	struct lvctld *ctld = arg;
	const struct lv_rpc_peer *peer = lv_rpc_conn_peer(conn);
	int64_t id = 0, sid = 0, status = 0, rss = 0, cpu = 0;
	struct job_step *st;
	struct job *job;

	if (lv_json_int(req->body, "job_id", 1, UINT32_MAX, &id, NULL) < 0 ||
	    lv_json_int(req->body, "step_id", 0, UINT32_MAX, &sid, NULL) < 0 ||
	    !(job = jobs_find(ctld->jobs, (uint32_t)id))) {
		lv_rpc_respond_error(conn, req->id, ENOENT, "no such job step");
		return;
	}
	if (job->uid != peer->uid && !peer->is_admin) {
		lv_rpc_respond_error(conn, req->id, EPERM, "Access/permission denied");
		return;
	}
	(void)lv_json_int(req->body, "status", INT32_MIN, INT32_MAX, &status, NULL);
	(void)lv_json_int(req->body, "maxrss_kb", 0, INT64_MAX, &rss, NULL);
	(void)lv_json_int(req->body, "cpu_usec", 0, INT64_MAX, &cpu, NULL);
	for (st = job->steps; st; st = st->next)
		if (st->id == (uint32_t)sid && !st->ended) {
			st->ended = true;
			st->end_time = time(NULL);
			st->status = (int)status;
			st->maxrss_kb = (uint64_t)rss;
			st->cpu_usec = (uint64_t)cpu;
			st->oom = json_is_true(json_object_get(req->body, "oom"));
			acct_step_ended(ctld, job, st);
			persist_job(ctld, job); /* no longer a running step */
		}
	lv_rpc_respond(conn, req->id, NULL);
}
