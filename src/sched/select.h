/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Choosing nodes and per-node shares for a job. */
#ifndef LV_SCHED_SELECT_H
#define LV_SCHED_SELECT_H

#include <stdbool.h>
#include <stddef.h>

#include "sched/job.h"

struct nodes;
struct partition;

/* Finds nodes in part for job.  With empty, pretends every node of the
 * partition is up and idle (can this job ever run?).  0 with *out (caller
 * frees) and *nout, -ENOSPC when it does not fit, -ENOMEM. */
int select_nodes(const struct job *job, const struct partition *part,
		 struct nodes *nodes, bool empty, struct grant **out,
		 size_t *nout);

/* select_nodes for a real start, with the Lua place() hook (policy.h)
 * ranking or narrowing the candidates when pol has one. */
struct policy;
int select_nodes_placed(const struct job *job, const struct partition *part,
			struct nodes *nodes, struct policy *pol,
			struct grant **out, size_t *nout);

#endif
