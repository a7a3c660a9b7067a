/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lvctld's handlers for node daemons and for node/partition queries. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/hostlist.h"
#include "common/log.h"
#include "common/msg.h"
#include "sched/ctld.h"
#include "sched/jobs.h"
#include "sched/launch.h"
#include "sched/nodes.h"
#include "sched/partitions.h"
#include "sched/policy.h"
#include "sched/rpc_handlers.h"
#include "sched/sched.h"

void rpc_ping(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
	      void *arg)
{
	struct lvctld *ctld = arg;

	lv_rpc_respond(conn, req->id,
		       json_pack("{s:I, s:s, s:s, s:I}", "time",
				 (json_int_t)time(NULL), "cluster",
				 ctld->conf->cluster_name, "version",
				 PACKAGE_VERSION, "start_time",
				 (json_int_t)ctld->start_time));
}

/* The jobs a registering node says it runs that must not run on: ended
 * here (while the node was away, e.g. NODE_FAIL after a timeout),
 * unknown, or running elsewhere now.  Only "running" is checked: the
 * other ids in "jobs" are ends the node still has to report. */
static json_t *stale_jobs(struct lvctld *ctld, const char *node,
			  const json_t *running)
{
	json_t *kill = json_array();
	const json_t *v;
	struct job *job;
	size_t i;

	json_array_foreach(running, i, v) {
		json_int_t id = json_integer_value(v);

		if (!json_is_integer(v) || id <= 0 || id > UINT32_MAX)
			continue;
		job = jobs_find(ctld->jobs, (uint32_t)id);
		if (job &&
		    (job->state == JOB_RUNNING ||
		     job->state == JOB_COMPLETING) &&
		    job->batch_host && !strcmp(job->batch_host, node))
			continue;
		lv_log(LV_LOG_WARNING,
		       "job: job=%lld still runs on %s but has %s; telling the node to kill it",
		       (long long)id, node, job ? "ended" : "never existed");
		json_array_append_new(kill, json_integer(id));
	}
	return kill;
}

void rpc_node_register(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		       void *arg)
{
	struct lvctld *ctld = arg;
	const char *name = lv_json_str(req->body, "name");
	struct lv_error err = { 0 };
	json_t *kill;

	if (!name) {
		lv_rpc_respond_error(conn, req->id, EINVAL, "register: no node name");
		return;
	}
	if (nodes_register(ctld->nodes, name, req->body, lv_rpc_conn_id(conn),
			   time(NULL), &err) < 0) {
		lv_log(LV_LOG_WARNING, "node: refused registration from %s: %s",
		       lv_rpc_conn_peer(conn)->addr, err.text);
		lv_rpc_respond_error(conn, req->id, -err.code, "%s", err.text);
		return;
	}
	/* Mark the connection as a node's; the node itself is found by name
	 * each time, since a reconfiguration rebuilds the table. */
	lv_rpc_conn_set_data(conn, ctld);
	launch_reconcile(ctld, name, json_object_get(req->body, "jobs"), false,
			 (time_t)json_integer_value(json_object_get(req->body,
								    "boot_time")));
	kill = stale_jobs(ctld, name, json_object_get(req->body, "running"));
	sched_request(ctld);
	lv_rpc_respond(conn, req->id,
		       json_pack("{s:I, s:s, s:o}", "heartbeat_interval",
				 (json_int_t)ctld->conf->heartbeat_interval,
				 "cluster", ctld->conf->cluster_name, "kill",
				 kill));
}

void rpc_node_heartbeat(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
			void *arg)
{
	struct lvctld *ctld = arg;
	const char *name = lv_json_str(req->body, "name");
	struct node *node = name ? nodes_find(ctld->nodes, name) : NULL;

	/* Only the connection the node registered on speaks for it. */
	if (!node || node->conn_id != lv_rpc_conn_id(conn)) {
		if (!req->is_push)
			lv_rpc_respond_error(conn, req->id, ENOENT,
					     "node is not registered");
		return;
	}
	if (node->state == NODE_DOWN && !node->down_by_admin) {
		/* It was timed out but is alive: make it register again. */
		lv_rpc_conn_close(conn, "node was marked DOWN, re-register");
		return;
	}
	nodes_heard(ctld->nodes, node, time(NULL));
	if (!req->is_push)
		lv_rpc_respond(conn, req->id, NULL);
}

static json_t *nodes_json(struct lvctld *ctld, const char *filter)
{
	json_t *arr = json_array();
	struct lv_hostlist *hl = NULL;
	struct node *n;
	size_t i;

	if (filter && !(hl = lv_hostlist_create(filter, NULL))) {
		json_decref(arr);
		return NULL;
	}
	for (i = 0; i < nodes_count(ctld->nodes); i++) {
		n = nodes_get(ctld->nodes, i);
		if (hl && lv_hostlist_find(hl, n->name) < 0)
			continue;
		json_array_append_new(arr, node_to_json(n));
	}
	lv_hostlist_destroy(hl);
	return arr;
}

/* Adds the partitions each node belongs to, as sinfo -N shows them:
 * through a node index -> JSON object table, linear in the nodes (a
 * name search per pair was quadratic: seconds with 10,000 nodes). */
static void add_partitions(struct lvctld *ctld, json_t *arr)
{
	size_t i, j, n = nodes_count(ctld->nodes);
	json_t *o, **by_idx = calloc(n ? n : 1, sizeof(*by_idx));
	struct node *node;

	if (!by_idx)
		return;
	json_array_foreach(arr, i, o) {
		if ((node = nodes_find(ctld->nodes, lv_json_str(o, "name"))))
			by_idx[node->index] = o;
	}
	for (i = 0; i < partitions_count(ctld->parts); i++) {
		struct partition *p = partitions_get(ctld->parts, i);

		for (j = 0; j < p->n_nodes; j++) {
			if (!(o = by_idx[p->node_idx[j]]))
				continue;
			if (!json_object_get(o, "partitions"))
				json_object_set_new(o, "partitions", json_array());
			json_array_append_new(json_object_get(o, "partitions"),
					      json_string(p->name));
		}
	}
	free(by_idx);
}

void rpc_node_info(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		   void *arg)
{
	struct lvctld *ctld = arg;
	const char *filter = lv_json_str(req->body, "nodes");
	json_t *arr = nodes_json(ctld, filter);

	if (!arr) {
		lv_rpc_respond_error(conn, req->id, EINVAL,
				     "invalid node list '%s'", filter);
		return;
	}
	add_partitions(ctld, arr);
	lv_rpc_respond(conn, req->id,
		       json_pack("{s:o, s:I}", "nodes", arr, "time",
				 (json_int_t)time(NULL)));
}

void rpc_part_info(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		   void *arg)
{
	struct lvctld *ctld = arg;
	const char *name = lv_json_str(req->body, "name");
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < partitions_count(ctld->parts); i++) {
		struct partition *p = partitions_get(ctld->parts, i);

		if (name && strcmp(name, p->name))
			continue;
		json_array_append_new(arr, partition_to_json(p, ctld->nodes));
	}
	if (name && json_array_size(arr) == 0) {
		json_decref(arr);
		lv_rpc_respond_error(conn, req->id, ENOENT,
				     "partition %s not found", name);
		return;
	}
	lv_rpc_respond(conn, req->id, json_pack("{s:o}", "partitions", arr));
}

void rpc_node_update(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		     void *arg)
{
	struct lvctld *ctld = arg;
	const char *expr = lv_json_str(req->body, "nodes");
	const char *state = lv_json_str(req->body, "state");
	const char *reason = lv_json_str(req->body, "reason");
	struct lv_error err = { 0 };
	struct lv_hostlist *hl;
	struct node *n;
	size_t i;

	if (!expr || !state) {
		lv_rpc_respond_error(conn, req->id, EINVAL,
				     "update needs NodeName= and State=");
		return;
	}
	if (!(hl = lv_hostlist_create(expr, &err))) {
		lv_rpc_respond_error(conn, req->id, EINVAL, "%s", err.text);
		return;
	}
	/* Check every name first so that a typo changes nothing. */
	for (i = 0; i < lv_hostlist_count(hl); i++)
		if (!nodes_find(ctld->nodes, lv_hostlist_nth(hl, i))) {
			lv_rpc_respond_error(conn, req->id, ENOENT,
					     "node %s not found",
					     lv_hostlist_nth(hl, i));
			lv_hostlist_destroy(hl);
			return;
		}
	for (i = 0; i < lv_hostlist_count(hl); i++) {
		n = nodes_find(ctld->nodes, lv_hostlist_nth(hl, i));
		if (nodes_update(ctld->nodes, n, state, reason,
				 lv_rpc_conn_peer(conn)->uid, time(NULL),
				 &err) < 0) {
			lv_rpc_respond_error(conn, req->id, -err.code, "%s",
					     err.text);
			lv_hostlist_destroy(hl);
			return;
		}
		/* Work on a node an admin set DOWN ends or is requeued. */
		if (n->state == NODE_DOWN)
			launch_node_failed(ctld, n->name);
	}
	lv_hostlist_destroy(hl);
	sched_request(ctld);
	lv_rpc_respond(conn, req->id, NULL);
}

void rpc_reconfigure(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		     void *arg)
{
	struct lvctld *ctld = arg;
	struct lv_error err = { 0 };

	if (ctld_reconfigure(ctld, &err) < 0) {
		lv_rpc_respond_error(conn, req->id, -err.code, "%s", err.text);
		return;
	}
	sched_request(ctld);
	/* The configuration took; a policy script that did not is a warning
	 * (the old script stays active). */
	lv_rpc_respond(conn, req->id,
		       policy_load_error(ctld->policy)
			       ? json_pack("{s:s}", "policy_error",
					   policy_load_error(ctld->policy))
			       : NULL);
}
