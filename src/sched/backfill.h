/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Backfill: after the main pass, lower-priority jobs start out of order
 * when they cannot delay the expected start of a job ahead of them.  A
 * cycle runs in slices from the event loop (never long), tests at most
 * BackfillMaxJobTest jobs, and reserves nodes for the first
 * BackfillReserve waiting jobs of each partition. */
#ifndef LV_SCHED_BACKFILL_H
#define LV_SCHED_BACKFILL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "common/error.h"

struct grant;
struct job;
struct lvctld;
struct partition;

int backfill_init(struct lvctld *ctld, struct lv_error *err);
void backfill_fini(struct lvctld *ctld);

/* After a full pass: starts a cycle over ctld->queue when none runs and
 * BackfillInterval has passed since the last one. */
void backfill_kick(struct lvctld *ctld);
/* True when a cycle is due (the tick asks for a full pass then). */
bool backfill_due(struct lvctld *ctld);

/* When job could start in part (sbatch --test-only): now if it fits,
 * else the first moment it fits as running jobs reach their time limits.
 * 0 with *start and the grant (*g, caller frees), -ENOSPC when no such
 * moment is known, -ENOMEM. */
int backfill_estimate(struct lvctld *ctld, const struct job *job,
		      struct partition *part, time_t now, time_t *start,
		      struct grant **g, size_t *n);

/* sdiag-like figures (new reference). */
json_t *backfill_stats_json(struct lvctld *ctld);

#endif
