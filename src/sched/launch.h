/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The controller's side of running allocations on nodes: launch, signal,
 * and the nodes' reports of ended allocations (proto 04, ALLOC_*). */
#ifndef LV_SCHED_LAUNCH_H
#define LV_SCHED_LAUNCH_H

#include <stdbool.h>

#include "common/rpc.h"
#include "sched/ctld.h"
#include "sched/job.h"

/* Sends the job to its first node.  Kinds that run nothing on a node
 * (interactive) just return 0.  On failure the job is requeued and held
 * (Slurm's "launch failed requeued held") and -errno is returned. */
int launch_job(struct lvctld *ctld, struct job *job);

/* Signals a running job on its node.  With cancel, the node escalates to
 * SIGKILL after KillWait and reports the end.  batch_only: the batch
 * shell, not its children. */
int launch_signal(struct lvctld *ctld, struct job *job, int sig,
		  bool batch_only, bool cancel, struct lv_error *err);

/* The job ended: tells its nodes to kill what its steps left running. */
void launch_end_steps(struct lvctld *ctld, const struct job *job);

/* Tells the batch host of a running job its new time limit. */
void launch_update_limit(struct lvctld *ctld, const struct job *job);

/* ALLOC_DONE from a node. */
void rpc_alloc_done(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		    void *arg);

/* A node (re)registered listing the jobs it runs: jobs we think run there
 * but it does not know ended with NODE_FAIL (or are requeued), unless its
 * lvd has run since before they started (node_started, lvd's start time,
 * 0 if unknown): then the launch never reached it and they are queued
 * again. */
void launch_reconcile(struct lvctld *ctld, const char *node,
		      const json_t *running, bool rebooted,
		      time_t node_started);

/* A node went DOWN: its jobs end with NODE_FAIL or are requeued. */
void launch_node_failed(struct lvctld *ctld, const char *node);

#endif
