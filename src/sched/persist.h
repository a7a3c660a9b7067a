/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What lvctld writes to its journal, when it answers, and how a restart
 * rebuilds the job table from it (proto 06, "What lvctld records"). */
#ifndef LV_SCHED_PERSIST_H
#define LV_SCHED_PERSIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/rpc.h"
#include "sched/ctld.h"
#include "sched/job.h"

/* A snapshot replaces the journal once it holds more than this many
 * records or bytes, and is at least half as big as the last snapshot
 * (so the work of writing snapshots stays proportional to the work of
 * writing records). */
#define PERSIST_SNAPSHOT_RECORDS 50000
#define PERSIST_SNAPSHOT_BYTES (64u << 20)

/*
 * Opens StateDir/journal and rebuilds ctld->jobs from it; afterwards books
 * the grants of running jobs on their nodes, ends jobs whose nodes left
 * the configuration (NODE_FAIL, or requeued), and cancels interactive
 * allocations, whose clients a restart disconnects.  Call after
 * sched_init and before the RPC server listens.  Without StateDir, lvctld
 * runs without a journal: nothing is durable, replies are immediate.
 * 0, or -errno with err set (the journal's errors: -EUCLEAN, -EBUSY...).
 */
int persist_open(struct lvctld *ctld, struct lv_error *err);
/* Writes what is queued, runs the callbacks owed (replies go out), and
 * closes the journal.  Call before the RPC server and the job table go. */
void persist_close(struct lvctld *ctld);

/*
 * Accepts a submission: gives job its id, writes it and only then adds it
 * to the table and answers req_id on conn (with the job id), or, when the
 * write fails, destroys it and answers with an error ("StateDir is full:
 * job not accepted").  Takes ownership of job.
 */
void persist_submit(struct lvctld *ctld, struct lv_rpc_conn *conn,
		    uint32_t req_id, struct job *job);

/* Records job's current state (and its array record's, for an array
 * task), without waiting.  Call after every change that must survive a
 * restart. */
void persist_job(struct lvctld *ctld, struct job *job);

/* Records a job the scheduler just started and launches it (launch_job,
 * then JOB_WAIT callers) once the record is on disk, so that no node runs
 * a job a restart would not know is running.  If the write fails the job
 * goes back to the queue. */
void persist_start(struct lvctld *ctld, struct job *job);

/* A request's position in the journal: take it before changing anything,
 * and pass it to persist_respond. */
uint64_t persist_mark(struct lvctld *ctld);
/* Sends body (taken, may be NULL) as the answer to req_id once every
 * record appended since mark is on disk; if one of them failed, answers
 * with an error saying the change may not survive a restart.  Answers
 * leave in the order of the calls. */
void persist_respond(struct lvctld *ctld, struct lv_rpc_conn *conn,
		     uint32_t req_id, uint64_t mark, json_t *body);

/* Submissions written but not yet on disk (they count for MaxJobCount). */
size_t persist_submits_pending(const struct lvctld *ctld);
/* False after a failed write until one succeeds: the scheduler starts no
 * job then (each start would fail and be requeued). */
bool persist_writable(const struct lvctld *ctld);

/* Once a second: rewrites the records that failed, writes a snapshot when
 * the journal has grown, and NodeTimeout seconds after a recovery fails
 * the jobs on nodes that never registered again. */
void persist_tick(struct lvctld *ctld, time_t now);

#endif
