/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Partitions: named sets of nodes with limits. */
#ifndef LV_SCHED_PARTITIONS_H
#define LV_SCHED_PARTITIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/conf.h"
#include "common/error.h"

struct nodes;

enum part_state {
	PART_UP,
	PART_DOWN,     /* queues, does not start jobs */
	PART_DRAIN,    /* starts queued jobs, refuses new ones */
	PART_INACTIVE, /* neither */
};

struct partition {
	char *name;
	size_t *node_idx; /* indices into the node table */
	size_t n_nodes;
	char *nodes_expr; /* compressed node list */
	bool is_default;
	uint32_t max_time, default_time; /* minutes, LV_TIME_UNLIMITED */
	uint32_t max_nodes, min_nodes;
	enum part_state state;
	uint32_t priority_tier;
	char *allow_accounts, *allow_groups;
	bool spread; /* SelectType=spread */
	bool requeue;
	uint32_t priority_job_factor; /* PriorityJobFactor= */
};

struct partitions;

/* Builds partitions from conf against the node table.  NULL with err. */
struct partitions *partitions_create(const struct lv_conf *conf,
				     struct nodes *nodes, struct lv_error *err);
void partitions_destroy(struct partitions *parts);

size_t partitions_count(const struct partitions *parts);
struct partition *partitions_get(struct partitions *parts, size_t i);
struct partition *partitions_find(struct partitions *parts, const char *name);
/* Default=YES partition (or the first); NULL when there are none. */
struct partition *partitions_default(struct partitions *parts);

/* True when partitions i and j share a node (a job waiting in one holds
 * back the other). */
bool partitions_overlap(const struct partitions *parts, size_t i, size_t j);
/* The index of p in the table. */
size_t partition_index(struct partitions *parts, const struct partition *p);

const char *part_state_name(enum part_state state);
/* JSON for PART_INFO, with node and cpu totals (new reference). */
json_t *partition_to_json(const struct partition *p, struct nodes *nodes);

#endif
