/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The controller's node table: configuration, registration, liveness and
 * administrative state. */
#ifndef LV_SCHED_NODES_H
#define LV_SCHED_NODES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "common/conf.h"
#include "common/cpuset.h"
#include "common/error.h"

enum node_state {
	NODE_UNKNOWN,   /* never registered since the controller started */
	NODE_IDLE,
	NODE_MIXED,     /* some resources allocated */
	NODE_ALLOCATED, /* all resources allocated */
	NODE_DOWN,
};

struct node {
	size_t index;
	char *name;
	char *addr;
	uint16_t port;
	/* Configured (0 = take what the node reports). */
	uint32_t cfg_cpus, cfg_sockets, cfg_cores, cfg_threads, cfg_gpus;
	uint64_t cfg_mem_mb;
	char *features;
	unsigned weight;
	/* Reported by lvd at registration. */
	uint32_t cpus, sockets, cores, threads, gpus;
	uint64_t mem_mb;
	char *version;
	char *topology; /* hwloc summary, e.g. "pack:1 core:2 pu:2" */
	time_t boot_time;
	/* State. */
	enum node_state state;
	bool drain;         /* DRAIN flag: no new work */
	bool down_by_admin; /* DOWN set by an admin, not by a timeout */
	bool responding;
	char *reason;
	time_t reason_time;
	uid_t reason_uid;
	time_t last_heard;
	uint64_t conn_id; /* the lvd's connection, 0 when none */
	/* Allocated resources (maintained by the scheduler). */
	uint32_t cpus_alloc;
	uint64_t mem_alloc_mb;
	struct lv_cpuset pu_alloc; /* logical PUs granted to jobs */
	uint64_t gpu_alloc;        /* GPU indices granted (bit i) */
};

struct nodes;

/* Builds the table from the configuration.  NULL with err set. */
struct nodes *nodes_create(const struct lv_conf *conf, struct lv_error *err);
void nodes_destroy(struct nodes *nodes);

/* Applies a new configuration: keeps the state of nodes that stay, adds
 * new ones, drops removed ones.  0 or -errno with err set (table kept). */
int nodes_reconfigure(struct nodes *nodes, const struct lv_conf *conf,
		      struct lv_error *err);

size_t nodes_count(const struct nodes *nodes);
struct node *nodes_get(struct nodes *nodes, size_t i);
struct node *nodes_find(struct nodes *nodes, const char *name);

/* A node daemon registered with what it has.  A node with less than its
 * configuration says is drained with a reason, as Slurm does.  -ENOENT
 * for a name not in the configuration. */
int nodes_register(struct nodes *nodes, const char *name,
		   const json_t *report, uint64_t conn_id, time_t now,
		   struct lv_error *err);
/* A heartbeat from the node: it is alive now. */
void nodes_heard(struct nodes *nodes, struct node *node, time_t now);
/* The node's connection closed. */
void nodes_disconnected(struct nodes *nodes, uint64_t conn_id);
/* Marks nodes silent for longer than timeout seconds DOWN, calling
 * on_down for each; returns how many changed. */
size_t nodes_check_timeouts(struct nodes *nodes, time_t now, uint32_t timeout,
			    void (*on_down)(struct node *node, void *arg),
			    void *arg);

/* Admin update: state is DRAIN, RESUME, DOWN (case-insensitive); DRAIN
 * and DOWN need a reason.  -EINVAL with err set on bad input. */
int nodes_update(struct nodes *nodes, struct node *node, const char *state,
		 const char *reason, uid_t uid, time_t now,
		 struct lv_error *err);

struct grant;
/* Books or returns a grant's resources on its node (PUs, memory, GPUs)
 * and updates its IDLE/MIXED/ALLOCATED state.  A grant without PUs (a
 * job recovered from a state written before PUs were tracked) gets the
 * first free ones, written back to the grant. */
void nodes_alloc(struct node *node, struct grant *g);
void nodes_release(struct node *node, const struct grant *g);

/* A node's bookings as they were before nodes_hold. */
struct node_saved {
	size_t node; /* index in the node table */
	uint32_t cpus_alloc;
	uint64_t mem_alloc_mb;
	uint64_t gpu_alloc;
	struct lv_cpuset pu_alloc;
	enum node_state state;
};

/* Marks g's resources as taken for a what-if question (backfill holding
 * a reservation): a union, so a grant that overlaps what is booked
 * already is harmless, and no "granted twice" complaint.  saved gets the
 * node's bookings before; nodes_unhold puts them back exactly (undo in
 * reverse order of holding). */
void nodes_hold(struct node *node, const struct grant *g,
		struct node_saved *saved);
void nodes_unhold(struct node *node, const struct node_saved *saved);
/* GPUs the scheduler may hand out on the node (at most 64). */
uint32_t node_gpus(const struct node *node);
struct pick_shape;
/* The node's layout for choosing PUs (pick.h). */
void node_shape(const struct node *node, struct pick_shape *s);
/* CPUs the scheduler may hand out on the node. */
uint32_t node_cpus(const struct node *node);
uint64_t node_mem(const struct node *node);

/* sinfo-style state name: "idle", "down*", "drain", "drng", "mix"... */
const char *node_state_string(const struct node *node, char *buf,
			      size_t len);
/* Upper-case base state ("IDLE", "DOWN"...). */
const char *node_state_name(enum node_state state);
/* True when new work may be placed on the node. */
bool node_is_available(const struct node *node);

/* JSON description of a node for NODE_INFO (new reference). */
json_t *node_to_json(const struct node *node);

#endif
