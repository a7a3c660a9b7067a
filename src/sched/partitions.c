/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Partitions built from the configuration. */
#include "config.h"

#include "sched/partitions.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/hostlist.h"
#include "common/timefmt.h"
#include "sched/nodes.h"

struct partitions {
	struct partition *v;
	size_t n;
	bool *overlap; /* n x n */
};

static enum part_state parse_state(const char *s)
{
	if (!s || strcasecmp(s, "UP") == 0)
		return PART_UP;
	if (strcasecmp(s, "DOWN") == 0)
		return PART_DOWN;
	if (strcasecmp(s, "DRAIN") == 0)
		return PART_DRAIN;
	return PART_INACTIVE;
}

static void part_clear(struct partition *p)
{
	free(p->name);
	free(p->node_idx);
	free(p->nodes_expr);
	free(p->allow_accounts);
	free(p->allow_groups);
}

static int part_nodes(struct partition *p, const char *expr,
		      struct nodes *nodes, struct lv_error *err)
{
	struct lv_hostlist *hl = NULL;
	struct node *n;
	size_t i, count;

	if (!expr || strcasecmp(expr, "ALL") == 0) {
		count = nodes_count(nodes);
		if (!(hl = lv_hostlist_create("", err)))
			return -ENOMEM;
		for (i = 0; i < count; i++)
			if (lv_hostlist_push(hl, nodes_get(nodes, i)->name) < 0)
				goto out_nomem;
	} else if (!(hl = lv_hostlist_create(expr, err))) {
		return -EINVAL;
	}
	count = lv_hostlist_count(hl);
	if (!(p->node_idx = calloc(count ? count : 1, sizeof(size_t))))
		goto out_nomem;
	for (i = 0; i < count; i++) {
		if (!(n = nodes_find(nodes, lv_hostlist_nth(hl, i)))) {
			lv_errorf(err, -EINVAL, "partition %s: unknown node %s",
				  p->name, lv_hostlist_nth(hl, i));
			lv_hostlist_destroy(hl);
			return -EINVAL;
		}
		p->node_idx[p->n_nodes++] = n->index;
	}
	if (!(p->nodes_expr = lv_hostlist_ranged_string(hl)))
		goto out_nomem;
	lv_hostlist_destroy(hl);
	return 0;
out_nomem:
	lv_hostlist_destroy(hl);
	return lv_errorf(err, -ENOMEM, "partitions: out of memory");
}

static int part_init(struct partition *p, const struct lv_conf_partition *cp,
		     struct nodes *nodes, struct lv_error *err)
{
	if (!(p->name = strdup(cp->name)) ||
	    (cp->allow_accounts && !(p->allow_accounts = strdup(cp->allow_accounts))) ||
	    (cp->allow_groups && !(p->allow_groups = strdup(cp->allow_groups))))
		return lv_errorf(err, -ENOMEM, "partitions: out of memory");
	p->is_default = cp->is_default;
	p->max_time = cp->max_time;
	p->default_time = cp->default_time;
	p->max_nodes = cp->max_nodes;
	p->min_nodes = cp->min_nodes;
	p->state = parse_state(cp->state);
	p->priority_tier = cp->priority_tier;
	p->spread = cp->select && strcasecmp(cp->select, "spread") == 0;
	p->requeue = cp->requeue;
	p->priority_job_factor = cp->priority_job_factor;
	return part_nodes(p, cp->nodes, nodes, err);
}

/* Which partitions share nodes, through a node -> last partition mark. */
static int build_overlap(struct partitions *parts, size_t n_nodes)
{
	size_t n = parts->n, i, j, k;
	unsigned char *mark;

	if (!(parts->overlap = calloc(n * n + 1, sizeof(bool))))
		return -ENOMEM;
	if (!(mark = calloc(n_nodes + 1, 1)))
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		memset(mark, 0, n_nodes + 1);
		for (k = 0; k < parts->v[i].n_nodes; k++)
			mark[parts->v[i].node_idx[k]] = 1;
		for (j = 0; j < n; j++)
			for (k = 0; k < parts->v[j].n_nodes &&
				    !parts->overlap[i * n + j]; k++)
				if (mark[parts->v[j].node_idx[k]])
					parts->overlap[i * n + j] = true;
	}
	free(mark);
	return 0;
}

bool partitions_overlap(const struct partitions *parts, size_t i, size_t j)
{
	return i < parts->n && j < parts->n && parts->overlap[i * parts->n + j];
}

size_t partition_index(struct partitions *parts, const struct partition *p)
{
	return (size_t)(p - parts->v);
}

struct partitions *partitions_create(const struct lv_conf *conf,
				     struct nodes *nodes, struct lv_error *err)
{
	struct partitions *parts = calloc(1, sizeof(*parts));
	size_t i;

	if (!parts || !(parts->v = calloc(conf->n_partitions + 1,
					  sizeof(*parts->v)))) {
		free(parts);
		lv_errorf(err, -ENOMEM, "partitions: out of memory");
		return NULL;
	}
	for (i = 0; i < conf->n_partitions; i++) {
		parts->n = i + 1;
		if (part_init(&parts->v[i], &conf->partitions[i], nodes, err) < 0) {
			partitions_destroy(parts);
			return NULL;
		}
	}
	parts->n = conf->n_partitions;
	if (build_overlap(parts, nodes_count(nodes)) < 0) {
		partitions_destroy(parts);
		lv_errorf(err, -ENOMEM, "partitions: out of memory");
		return NULL;
	}
	return parts;
}

void partitions_destroy(struct partitions *parts)
{
	size_t i;

	if (!parts)
		return;
	for (i = 0; i < parts->n; i++)
		part_clear(&parts->v[i]);
	free(parts->v);
	free(parts->overlap);
	free(parts);
}

size_t partitions_count(const struct partitions *parts)
{
	return parts->n;
}

struct partition *partitions_get(struct partitions *parts, size_t i)
{
	return i < parts->n ? &parts->v[i] : NULL;
}

struct partition *partitions_find(struct partitions *parts, const char *name)
{
	size_t i;

	for (i = 0; i < parts->n; i++)
		if (strcmp(parts->v[i].name, name) == 0)
			return &parts->v[i];
	return NULL;
}

struct partition *partitions_default(struct partitions *parts)
{
	size_t i;

	for (i = 0; i < parts->n; i++)
		if (parts->v[i].is_default)
			return &parts->v[i];
	return parts->n ? &parts->v[0] : NULL;
}

const char *part_state_name(enum part_state state)
{
	static const char *const names[] = { "UP", "DOWN", "DRAIN", "INACTIVE" };

	return names[state];
}

static json_t *minutes_json(uint32_t m)
{
	return m == LV_TIME_UNLIMITED ? json_null() : json_integer(m);
}

json_t *partition_to_json(const struct partition *p, struct nodes *nodes)
{
	json_int_t cpus = 0, cpus_alloc = 0;
	json_t *o;
	size_t i;

	for (i = 0; i < p->n_nodes; i++) {
		struct node *n = nodes_get(nodes, p->node_idx[i]);

		cpus += n->cpus ? n->cpus : n->cfg_cpus;
		cpus_alloc += n->cpus_alloc;
	}
	o = json_pack("{s:s, s:s, s:b, s:o, s:o, s:I, s:I, s:s, s:I, s:I, s:I,"
		      " s:I, s:s, s:I, s:s?, s:s?}",
		      "name", p->name, "nodes", p->nodes_expr,
		      "default", p->is_default,
		      "max_time", minutes_json(p->max_time),
		      "default_time", minutes_json(p->default_time),
		      "max_nodes", (json_int_t)p->max_nodes,
		      "min_nodes", (json_int_t)p->min_nodes,
		      "state", part_state_name(p->state),
		      "total_nodes", (json_int_t)p->n_nodes,
		      "total_cpus", cpus, "alloc_cpus", cpus_alloc,
		      "priority_tier", (json_int_t)p->priority_tier,
		      "select", p->spread ? "spread" : "pack",
		      "priority_job_factor", (json_int_t)p->priority_job_factor,
		      "allow_accounts", p->allow_accounts,
		      "allow_groups", p->allow_groups);
	return o;
}
