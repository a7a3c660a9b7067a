/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The controller's node table. */
#include "config.h"

#include "sched/nodes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"
#include "common/msg.h"
#include "sched/job.h"
#include "sched/pick.h"

struct nodes {
	struct node **v;
	size_t n;
	size_t *slots; /* open-addressing hash of name -> index + 1 */
	size_t nslots;
};

static uint64_t hash_name(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static int index_build(struct nodes *nodes)
{
	size_t i, nslots = 16, j;

	while (nslots < nodes->n * 2)
		nslots *= 2;
	free(nodes->slots);
	if (!(nodes->slots = calloc(nslots, sizeof(size_t))))
		return -ENOMEM;
	nodes->nslots = nslots;
	for (i = 0; i < nodes->n; i++) {
		j = hash_name(nodes->v[i]->name) & (nslots - 1);
		while (nodes->slots[j])
			j = (j + 1) & (nslots - 1);
		nodes->slots[j] = i + 1;
		nodes->v[i]->index = i;
	}
	return 0;
}

struct node *nodes_find(struct nodes *nodes, const char *name)
{
	size_t j, k;

	if (!nodes->nslots)
		return NULL;
	j = hash_name(name) & (nodes->nslots - 1);
	while ((k = nodes->slots[j])) {
		if (strcmp(nodes->v[k - 1]->name, name) == 0)
			return nodes->v[k - 1];
		j = (j + 1) & (nodes->nslots - 1);
	}
	return NULL;
}

static void node_free(struct node *n)
{
	if (!n)
		return;
	free(n->name);
	free(n->addr);
	free(n->features);
	free(n->version);
	free(n->topology);
	free(n->reason);
	free(n);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Copies the configured attributes; state is left alone. */
static int node_apply_conf(struct node *n, const struct lv_conf_node *cn)
{
	char *addr = strdup(cn->addr ? cn->addr : cn->name);
	char *features = dup_or_null(cn->features);

	if (!addr || (cn->features && !features)) {
		free(addr);
		free(features);
		return -ENOMEM;
	}
	free(n->addr);
	free(n->features);
	n->addr = addr;
	n->features = features;
	n->port = cn->port;
	n->cfg_cpus = cn->cpus;
	n->cfg_sockets = cn->sockets;
	n->cfg_cores = cn->cores_per_socket;
	n->cfg_threads = cn->threads_per_core;
	n->cfg_mem_mb = cn->real_memory_mb;
	n->cfg_gpus = cn->gpus;
	n->weight = cn->weight;
	return 0;
}

static struct node *node_new(const struct lv_conf_node *cn)
{
	struct node *n = calloc(1, sizeof(*n));

	if (!n || !(n->name = strdup(cn->name)) || node_apply_conf(n, cn) < 0) {
		node_free(n);
		return NULL;
	}
	n->state = NODE_UNKNOWN;
	if (cn->state && strcasecmp(cn->state, "DRAIN") == 0) {
		n->drain = true;
		n->reason = strdup("drained by configuration");
	}
	return n;
}

static void nodes_free_vec(struct node **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		node_free(v[i]);
	free(v);
}

/* Moves what the controller learned at run time from src to dst (a fresh
 * node built from the new configuration).  Cannot fail. */
static void node_take_state(struct node *dst, struct node *src)
{
	char *drain_reason = dst->reason;

	dst->cpus = src->cpus;
	dst->sockets = src->sockets;
	dst->cores = src->cores;
	dst->threads = src->threads;
	dst->gpus = src->gpus;
	dst->mem_mb = src->mem_mb;
	dst->version = src->version;
	dst->topology = src->topology;
	dst->boot_time = src->boot_time;
	dst->state = src->state;
	dst->drain = src->drain || dst->drain;
	dst->down_by_admin = src->down_by_admin;
	dst->responding = src->responding;
	dst->reason = src->reason ? src->reason : drain_reason;
	if (src->reason)
		free(drain_reason);
	dst->reason_time = src->reason_time;
	dst->reason_uid = src->reason_uid;
	dst->last_heard = src->last_heard;
	dst->conn_id = src->conn_id;
	dst->cpus_alloc = src->cpus_alloc;
	dst->mem_alloc_mb = src->mem_alloc_mb;
	dst->pu_alloc = src->pu_alloc;
	dst->gpu_alloc = src->gpu_alloc;
	src->version = src->topology = src->reason = NULL;
}

/* A node vector for conf.  Nodes already in old keep their position (jobs
 * and partitions refer to nodes by index) and their state; new ones come
 * after them.  Removing a node needs a restart. */
static struct node **build_vec(struct nodes *old, const struct lv_conf *conf,
			       struct lv_error *err)
{
	struct node **v = calloc(conf->n_nodes ? conf->n_nodes : 1, sizeof(*v));
	const struct lv_conf_node *cn;
	size_t i, k = 0;

	if (!v) {
		lv_errorf(err, -ENOMEM, "nodes: out of memory");
		return NULL;
	}
	for (i = 0; old && i < old->n; i++) {
		if (!(cn = lv_conf_find_node(conf, old->v[i]->name))) {
			lv_errorf(err, -EBUSY,
				  "nodes: removing node %s needs a restart of lvctld",
				  old->v[i]->name);
			goto out_free;
		}
		if (!(v[k] = node_new(cn)))
			goto out_nomem;
		k++;
	}
	for (i = 0; i < conf->n_nodes; i++) {
		if (old && nodes_find(old, conf->nodes[i].name))
			continue;
		if (!(v[k] = node_new(&conf->nodes[i])))
			goto out_nomem;
		k++;
	}
	/* Nothing can fail from here: move the state over. */
	for (i = 0; old && i < old->n; i++)
		node_take_state(v[i], old->v[i]);
	return v;
out_nomem:
	lv_errorf(err, -ENOMEM, "nodes: out of memory");
out_free:
	nodes_free_vec(v, k);
	return NULL;
}

struct nodes *nodes_create(const struct lv_conf *conf, struct lv_error *err)
{
	struct nodes *nodes = calloc(1, sizeof(*nodes));

	if (!nodes) {
		lv_errorf(err, -ENOMEM, "nodes: out of memory");
		return NULL;
	}
	if (!(nodes->v = build_vec(NULL, conf, err)))
		goto out_free;
	nodes->n = conf->n_nodes;
	if (index_build(nodes) < 0) {
		lv_errorf(err, -ENOMEM, "nodes: out of memory");
		goto out_free;
	}
	return nodes;
out_free:
	nodes_destroy(nodes);
	return NULL;
}

void nodes_destroy(struct nodes *nodes)
{
	if (!nodes)
		return;
	nodes_free_vec(nodes->v, nodes->n);
	free(nodes->slots);
	free(nodes);
}

int nodes_reconfigure(struct nodes *nodes, const struct lv_conf *conf,
		      struct lv_error *err)
{
	struct node **v;

	if (!(v = build_vec(nodes, conf, err)))
		return err ? err->code : -ENOMEM;
	nodes_free_vec(nodes->v, nodes->n); /* their state moved to v */
	nodes->v = v;
	nodes->n = conf->n_nodes;
	if (index_build(nodes) < 0)
		return lv_errorf(err, -ENOMEM, "nodes: out of memory");
	return 0;
}

size_t nodes_count(const struct nodes *nodes)
{
	return nodes->n;
}

struct node *nodes_get(struct nodes *nodes, size_t i)
{
	return i < nodes->n ? nodes->v[i] : NULL;
}

static void set_reason(struct node *n, const char *reason, uid_t uid,
		       time_t now)
{
	char *r = reason ? strdup(reason) : NULL;

	if (reason && !r)
		return; /* keep the old reason rather than lose the state */
	free(n->reason);
	n->reason = r;
	n->reason_time = reason ? now : 0;
	n->reason_uid = uid;
}

/* Recomputes IDLE/MIXED/ALLOCATED for a node that is up. */
static void node_settle(struct node *n)
{
	if (n->state == NODE_DOWN || n->state == NODE_UNKNOWN)
		return;
	if (n->cpus_alloc == 0)
		n->state = NODE_IDLE;
	else if (n->cpus_alloc >= n->cpus)
		n->state = NODE_ALLOCATED;
	else
		n->state = NODE_MIXED;
}

static uint32_t report_u32(const json_t *report, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(report, key));

	return v > 0 && v <= UINT32_MAX ? (uint32_t)v : 0;
}

/* Slurm drains a node that has less than its configuration promises. */
static const char *check_low(const struct node *n, char *buf, size_t len)
{
	if (n->cfg_cpus && n->cpus < n->cfg_cpus)
		snprintf(buf, len, "Low CPUs: has %u, configured %u", n->cpus,
			 n->cfg_cpus);
	else if (n->cfg_mem_mb && n->mem_mb < n->cfg_mem_mb)
		snprintf(buf, len,
			 "Low RealMemory: has %llu MB, configured %llu MB",
			 (unsigned long long)n->mem_mb,
			 (unsigned long long)n->cfg_mem_mb);
	else if (n->cfg_sockets && n->sockets < n->cfg_sockets)
		snprintf(buf, len, "Low socket count: has %u, configured %u",
			 n->sockets, n->cfg_sockets);
	else if (n->cfg_gpus && n->gpus < n->cfg_gpus)
		snprintf(buf, len, "Low GPU count: has %u, configured %u",
			 n->gpus, n->cfg_gpus);
	else
		return NULL;
	return buf;
}

int nodes_register(struct nodes *nodes, const char *name,
		   const json_t *report, uint64_t conn_id, time_t now,
		   struct lv_error *err)
{
	struct node *n = nodes_find(nodes, name);
	const char *version = lv_json_str(report, "version");
	const char *topo = lv_json_str(report, "topology");
	json_int_t mem = json_integer_value(json_object_get(report, "real_memory"));
	char buf[160];
	const char *low;

	if (!n)
		return lv_errorf(err, -ENOENT,
				 "node '%s' is not in the configuration", name);
	n->cpus = report_u32(report, "cpus");
	n->sockets = report_u32(report, "sockets");
	n->cores = report_u32(report, "cores_per_socket");
	n->threads = report_u32(report, "threads_per_core");
	n->gpus = report_u32(report, "gpus");
	n->mem_mb = mem > 0 ? (uint64_t)mem : 0;
	n->boot_time = (time_t)json_integer_value(json_object_get(report, "boot_time"));
	free(n->version);
	n->version = dup_or_null(version);
	free(n->topology);
	n->topology = dup_or_null(topo);
	/* The configuration caps what the scheduler may hand out. */
	if (n->cfg_cpus && n->cpus > n->cfg_cpus)
		n->cpus = n->cfg_cpus;
	if (n->cfg_mem_mb && n->mem_mb > n->cfg_mem_mb)
		n->mem_mb = n->cfg_mem_mb;
	n->conn_id = conn_id;
	n->last_heard = now;
	n->responding = true;
	if (n->state == NODE_DOWN && n->down_by_admin) {
		lv_log(LV_LOG_INFO, "node: %s registered but stays DOWN: %s",
		       n->name, n->reason ? n->reason : "set by an administrator");
	} else {
		if (n->state == NODE_DOWN || n->state == NODE_UNKNOWN)
			lv_log(LV_LOG_INFO, "node: %s is up (cpus=%u mem=%lluM)",
			       n->name, n->cpus, (unsigned long long)n->mem_mb);
		n->state = NODE_IDLE;
		if (!n->drain)
			set_reason(n, NULL, 0, now);
		node_settle(n);
	}
	if ((low = check_low(n, buf, sizeof(buf)))) {
		lv_log(LV_LOG_WARNING, "node: draining %s: %s", n->name, low);
		n->drain = true;
		set_reason(n, low, 0, now);
	}
	return 0;
}

void nodes_heard(struct nodes *nodes, struct node *node, time_t now)
{
	(void)nodes;
	node->last_heard = now;
	node->responding = true;
}

void nodes_disconnected(struct nodes *nodes, uint64_t conn_id)
{
	size_t i;

	for (i = 0; i < nodes->n; i++)
		if (nodes->v[i]->conn_id == conn_id) {
			nodes->v[i]->conn_id = 0;
			lv_log(LV_LOG_INFO, "node: %s disconnected",
			       nodes->v[i]->name);
		}
}

size_t nodes_check_timeouts(struct nodes *nodes, time_t now, uint32_t timeout,
			    void (*on_down)(struct node *node, void *arg),
			    void *arg)
{
	size_t i, changed = 0;
	struct node *n;

	for (i = 0; i < nodes->n; i++) {
		n = nodes->v[i];
		if (n->state == NODE_DOWN || n->state == NODE_UNKNOWN ||
		    now - n->last_heard <= (time_t)timeout)
			continue;
		lv_log(LV_LOG_WARNING,
		       "node: %s not responding for %lds, setting DOWN",
		       n->name, (long)(now - n->last_heard));
		n->state = NODE_DOWN;
		n->responding = false;
		n->down_by_admin = false;
		set_reason(n, "Not responding", 0, now);
		changed++;
		if (on_down)
			on_down(n, arg);
	}
	return changed;
}

int nodes_update(struct nodes *nodes, struct node *n, const char *state,
		 const char *reason, uid_t uid, time_t now,
		 struct lv_error *err)
{
	(void)nodes;
	if (strcasecmp(state, "DRAIN") == 0) {
		if (!reason || !*reason)
			return lv_errorf(err, -EINVAL,
					 "you must specify a reason when draining a node (Reason=...)");
		n->drain = true;
		set_reason(n, reason, uid, now);
	} else if (strcasecmp(state, "DOWN") == 0) {
		if (!reason || !*reason)
			return lv_errorf(err, -EINVAL,
					 "you must specify a reason when setting a node DOWN (Reason=...)");
		n->state = NODE_DOWN;
		n->down_by_admin = true;
		set_reason(n, reason, uid, now);
	} else if (strcasecmp(state, "RESUME") == 0 ||
		   strcasecmp(state, "IDLE") == 0) {
		if (!n->drain && n->state != NODE_DOWN)
			return lv_errorf(err, -EINVAL,
					 "node %s is not drained or down", n->name);
		n->drain = false;
		n->down_by_admin = false;
		if (n->state == NODE_DOWN)
			n->state = n->conn_id ? NODE_IDLE : NODE_UNKNOWN;
		set_reason(n, NULL, 0, now);
		node_settle(n);
	} else {
		return lv_errorf(err, -EINVAL,
				 "invalid node state '%s' (use DRAIN, RESUME or DOWN)",
				 state);
	}
	lv_log(LV_LOG_INFO, "node: %s set %s by uid=%u%s%s", n->name, state,
	       (unsigned)uid, reason ? " reason=" : "", reason ? reason : "");
	return 0;
}

const char *node_state_name(enum node_state state)
{
	switch (state) {
	case NODE_UNKNOWN:
		return "UNKNOWN";
	case NODE_IDLE:
		return "IDLE";
	case NODE_MIXED:
		return "MIXED";
	case NODE_ALLOCATED:
		return "ALLOCATED";
	case NODE_DOWN:
		return "DOWN";
	}
	return "UNKNOWN";
}

const char *node_state_string(const struct node *n, char *buf, size_t len)
{
	const char *base;

	if (n->state == NODE_DOWN)
		base = n->drain ? "drain" : "down";
	else if (n->drain)
		base = n->cpus_alloc ? "drng" : "drain";
	else if (n->state == NODE_IDLE)
		base = "idle";
	else if (n->state == NODE_MIXED)
		base = "mix";
	else if (n->state == NODE_ALLOCATED)
		base = "alloc";
	else
		base = "unk";
	/* sinfo's '*': the node does not answer. */
	snprintf(buf, len, "%s%s", base,
		 !n->responding && n->state != NODE_UNKNOWN ? "*" :
		 n->state == NODE_UNKNOWN ? "*" : "");
	return buf;
}

bool node_is_available(const struct node *n)
{
	/* A node whose lvd is not connected gets nothing until it registers
	 * again (Slurm's NOT_RESPONDING nodes are not scheduled either). */
	return !n->drain && n->conn_id &&
	       (n->state == NODE_IDLE || n->state == NODE_MIXED);
}

json_t *node_to_json(const struct node *n)
{
	char st[16];
	json_t *o, *flags = json_array();

	if (n->drain)
		json_array_append_new(flags, json_string(n->cpus_alloc ? "DRAINING" : "DRAIN"));
	if (!n->responding)
		json_array_append_new(flags, json_string("NOT_RESPONDING"));
	o = json_pack("{s:s, s:s, s:i, s:s, s:s, s:o, s:I, s:I, s:i, s:i, s:i,"
		      " s:I, s:I, s:I, s:i, s:I, s:I, s:I}",
		      "name", n->name, "addr", n->addr, "port", n->port,
		      "state", node_state_name(n->state),
		      "state_str", node_state_string(n, st, sizeof(st)),
		      "flags", flags,
		      "cpus", (json_int_t)(n->cpus ? n->cpus : n->cfg_cpus),
		      "cpus_alloc", (json_int_t)n->cpus_alloc,
		      "sockets", n->sockets ? n->sockets : n->cfg_sockets,
		      "cores_per_socket", n->cores ? n->cores : n->cfg_cores,
		      "threads_per_core", n->threads ? n->threads : n->cfg_threads,
		      "real_memory", (json_int_t)(n->mem_mb ? n->mem_mb : n->cfg_mem_mb),
		      "alloc_memory", (json_int_t)n->mem_alloc_mb,
		      "gpus", (json_int_t)node_gpus(n),
		      "weight", n->weight,
		      "last_heard", (json_int_t)n->last_heard,
		      "boot_time", (json_int_t)n->boot_time,
		      "reason_time", (json_int_t)n->reason_time);
	if (!o)
		return NULL;
	if (n->reason) {
		json_object_set_new(o, "reason", json_string(n->reason));
		json_object_set_new(o, "reason_uid", json_integer(n->reason_uid));
	}
	if (n->features)
		json_object_set_new(o, "features", json_string(n->features));
	if (n->version)
		json_object_set_new(o, "version", json_string(n->version));
	if (n->topology)
		json_object_set_new(o, "topology", json_string(n->topology));
	json_object_set_new(o, "gpus_alloc",
			    json_integer(__builtin_popcountll(n->gpu_alloc)));
	return o;
}

uint32_t node_cpus(const struct node *n)
{
	return n->cpus ? n->cpus : n->cfg_cpus;
}

uint64_t node_mem(const struct node *n)
{
	return n->mem_mb ? n->mem_mb : n->cfg_mem_mb;
}

void node_shape(const struct node *n, struct pick_shape *s)
{
	pick_shape_init(s, node_cpus(n), n->sockets ? n->sockets : n->cfg_sockets,
			n->cores ? n->cores : n->cfg_cores,
			n->threads ? n->threads : n->cfg_threads);
}

uint32_t node_gpus(const struct node *n)
{
	uint32_t g = n->gpus ? n->gpus : n->cfg_gpus;

	/* Gres=gpu:N caps what the hardware reports. */
	if (n->cfg_gpus && g > n->cfg_gpus)
		g = n->cfg_gpus;
	return g > 64 ? 64 : g;
}

void nodes_alloc(struct node *n, struct grant *g)
{
	bool fill = lv_cpuset_empty(&g->pus);
	uint32_t cpus = g->cpus;
	unsigned p;

	for (p = 0; fill && cpus && p < LV_CPUSET_MAX; p++)
		if (!lv_cpuset_isset(&n->pu_alloc, p)) {
			lv_cpuset_set(&g->pus, p);
			cpus--;
		}
	if (lv_cpuset_overlaps(&n->pu_alloc, &g->pus) || (n->gpu_alloc & g->gpus))
		lv_log(LV_LOG_ERR, "node: %s: resources granted twice", n->name);
	lv_cpuset_or(&n->pu_alloc, &g->pus);
	n->gpu_alloc |= g->gpus;
	n->cpus_alloc = lv_cpuset_count(&n->pu_alloc);
	n->mem_alloc_mb += g->mem_mb;
	node_settle(n);
}

void nodes_hold(struct node *n, const struct grant *g,
		struct node_saved *saved)
{
	saved->node = n->index;
	saved->cpus_alloc = n->cpus_alloc;
	saved->mem_alloc_mb = n->mem_alloc_mb;
	saved->gpu_alloc = n->gpu_alloc;
	saved->pu_alloc = n->pu_alloc;
	saved->state = n->state;
	lv_cpuset_or(&n->pu_alloc, &g->pus);
	n->gpu_alloc |= g->gpus;
	n->cpus_alloc = lv_cpuset_count(&n->pu_alloc);
	n->mem_alloc_mb += g->mem_mb;
	node_settle(n);
}

void nodes_unhold(struct node *n, const struct node_saved *saved)
{
	n->cpus_alloc = saved->cpus_alloc;
	n->mem_alloc_mb = saved->mem_alloc_mb;
	n->gpu_alloc = saved->gpu_alloc;
	n->pu_alloc = saved->pu_alloc;
	n->state = saved->state;
}

void nodes_release(struct node *n, const struct grant *g)
{
	lv_cpuset_andnot(&n->pu_alloc, &g->pus);
	n->gpu_alloc &= ~g->gpus;
	n->cpus_alloc = lv_cpuset_count(&n->pu_alloc);
	n->mem_alloc_mb = n->mem_alloc_mb > g->mem_mb ? n->mem_alloc_mb - g->mem_mb : 0;
	node_settle(n);
}
