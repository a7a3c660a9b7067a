/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Preemption (PreemptType=preempt/partition_prio or preempt/qos): a job
 * that cannot start requeues or cancels running jobs of a lower
 * PriorityTier, or of a QOS its own QOS may preempt. */
#ifndef LV_SCHED_PREEMPT_H
#define LV_SCHED_PREEMPT_H

#include <stdbool.h>
#include <time.h>

struct job;
struct lvctld;
struct partition;

/* Preempts the fewest lower-ranked running jobs that make job fit, unless
 * jobs already on their way out suffice.  Returns true when job will fit
 * once they are gone. */
bool preempt_for(struct lvctld *ctld, struct job *job, struct partition *part,
		 time_t now);

#endif
