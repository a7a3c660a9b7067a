/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lvd's context.  One lvd process serves one or more nodes (simulated
 * nodes share a process); each node has its own link to the controller. */
#ifndef LV_NODE_LVD_H
#define LV_NODE_LVD_H

#include <event2/event.h>
#include <stdbool.h>
#include <time.h>

#include "common/conf.h"
#include "common/rpc.h"
#include "node/topo.h"

struct lvd;
struct alloc_run;
struct step_run;
struct children;
struct mpi_server;
struct mpi_hooks;

/* An allocation's end, kept until the controller acknowledges it. */
struct done_report {
	json_t *body;
	char *dir; /* the job's directory, removed once acknowledged */
	bool in_flight;
	struct done_report *next;
};

struct lvd_node {
	struct lvd *lvd;
	char *name;
	char *state_dir;
	struct topo topo;
	struct lv_rpc_conn *link; /* to lvctld, NULL while disconnected */
	bool registered;
	struct event *reconnect; /* one-shot: try the controller again */
	struct event *heartbeat; /* persistent while registered */
	unsigned backoff;        /* seconds until the next try */
	struct alloc_run *runs;  /* allocations running here */
	struct done_report *reports;
};

struct lvd {
	char *conf_path;
	struct lv_conf *conf;
	struct event_base *base;
	struct lv_rpc_server *rpc;
	struct lvd_node *nodes;
	size_t n_nodes;
	struct event *sig_term, *sig_int, *sig_hup;
	time_t boot_time;
	int pidfile_fd;
	char *pidfile_path;
	char *log_path; /* reopened on SIGHUP */
	struct children *children;
	struct step_run *steps; /* steps.c */
	struct mpi_server *mpi; /* PMIx server, NULL when it failed to start */
	bool cgroups; /* batch jobs run in memory/cpuacct cgroups (cgroup.c) */
};

/* lvd's routes for job steps (steps.c); arg is the lvd. */
void steps_rpc_launch(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		      void *arg);
void steps_rpc_io(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		  void *arg);
void steps_rpc_signal(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		      void *arg);
/* lvrun's connection closed: its step's tasks are killed. */
void steps_conn_closed(struct lvd *lvd, struct lv_rpc_conn *conn);
/* Signals every step of job here (SIGKILL when the job has ended). */
void steps_signal_job(struct lvd *lvd, uint32_t job_id, int sig);
void steps_shutdown(struct lvd *lvd);
/* Peer lvds' fence contributions and abort notices (LV_ROLE_DAEMON). */
void steps_rpc_mpi_fence(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
			 void *arg);
void steps_rpc_mpi_abort(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
			 void *arg);
/* What the PMIx server asks of lvd; arg is the lvd. */
extern const struct mpi_hooks steps_mpi_hooks;

/* lvd's routes for allocations (allocs.c); arg is the lvd_node whose
 * link the request came on. */
void allocs_rpc_launch(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		       void *arg);
void allocs_rpc_signal(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		       void *arg);
/* Ids of the allocations running here or with unacknowledged ends, for
 * the registration message (new reference). */
json_t *allocs_running_ids(struct lvd_node *node);
/* Ids of the allocations still running here (new reference). */
json_t *allocs_live_ids(struct lvd_node *node);
/* Kills the listed jobs (the controller's "kill" answer to the
 * registration: it has ended them) and drops their end reports. */
void allocs_kill_stale(struct lvd_node *node, const json_t *ids);
/* Takes over the jobs a previous lvd left running under NodeStateDir,
 * and reports those that ended meanwhile (at startup). */
void allocs_adopt(struct lvd_node *node);
/* Sends queued end reports (after registering). */
void allocs_flush_reports(struct lvd_node *node);
/* Frees the node's allocation state (shutdown).  Batch jobs run on
 * under their supervisors for the next lvd to adopt. */
void allocs_shutdown(struct lvd_node *node);
/* The served node with this name, or NULL. */
struct lvd_node *lvd_find_node(struct lvd *lvd, const char *name);

/* ctld_link.c: keeps each node registered with the controller. */
void ctld_link_start(struct lvd_node *node);
void ctld_link_stop(struct lvd_node *node);

#endif
