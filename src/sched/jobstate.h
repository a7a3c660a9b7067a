/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A job as the journal stores it: every field the scheduler needs to carry
 * a job across a restart, as JSON (see proto 06, "What lvctld records"). */
#ifndef LV_SCHED_JOBSTATE_H
#define LV_SCHED_JOBSTATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "sched/job.h"

/* Grants name their nodes, since node indices may change across restarts:
 * name() maps an index to a name, index() a name back (-1: no such node). */
struct jobstate_nodes {
	const char *(*name)(size_t index, void *arg);
	long (*index)(const char *name, void *arg);
	void *arg;
};

/*
 * The job's state as a new JSON object, or NULL on ENOMEM.  With
 * with_blob, the submitted description (job->blob, script and
 * environment: the bulk of a job) is included as "blob" text; records
 * written after the submission leave it out.  Waiters, steps and the
 * connection an interactive allocation is bound to are not included (they
 * belong to connections, which a restart closes); "bound" says whether
 * there was one.
 */
json_t *job_to_state_json(const struct job *job, bool with_blob,
			  const struct jobstate_nodes *nodes);

/*
 * A new job (not in any table) built from o.  Without "blob" in o,
 * job->blob is NULL and the caller shares the array's (array tasks) or
 * keeps the one it had.  A grant on a node index() does not know is left
 * out and *node_missing set (the caller ends the job).  *bound tells
 * whether an interactive allocation was bound to a client.  NULL with err
 * set: -EINVAL for a missing or bad field, -ENOMEM.
 */
struct job *job_from_state_json(const json_t *o,
				const struct jobstate_nodes *nodes,
				bool *node_missing, bool *bound,
				struct lv_error *err);

/* A blob holding len bytes of text (one reference), or NULL on ENOMEM. */
struct job_blob *jobstate_blob(const char *text, size_t len);

#endif
