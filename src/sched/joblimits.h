/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Accounts, QOS and partition limits: what is refused at submission and
 * which limit holds a pending job (Slurm's reason names).  Not named
 * limits.h: this folder is on the include path, and <limits.h> must stay
 * the system's (Lua's headers include it). */
#ifndef LV_SCHED_JOBLIMITS_H
#define LV_SCHED_JOBLIMITS_H

#include <jansson.h>
#include <stdbool.h>

#include "common/error.h"
#include "sched/job.h"

struct lvctld;
struct limits;

struct limits *limits_create(void);
void limits_destroy(struct limits *l);

/* Submission checks, with Slurm's messages: the account (the user's
 * default filled in), the partition's AllowAccounts/AllowGroups, the QOS
 * ("normal" filled in when defined), MaxSubmitJobsPerUser, MaxWall, and
 * who may set a negative nice or a priority.  -EINVAL/-EPERM with err. */
int limits_check_submit(struct lvctld *ctld, struct job *job,
			const json_t *desc, bool is_admin,
			struct lv_error *err);
/* A submission was accepted: counts it against MaxSubmitJobsPerUser. */
void limits_job_submitted(struct lvctld *ctld, const struct job *job);

/* lvcontrol update of Priority= (administrators; 0 returns to the
 * computed priority), Nice= (negative: administrators), QOS= and
 * Account= (pending jobs).  -EPERM/-EINVAL/-EBUSY with err. */
int limits_update_job(struct lvctld *ctld, struct job *job, const json_t *set,
		      bool is_admin, struct lv_error *err);

/* Rebuilds the per-user counts from the job table (each full pass). */
void limits_recount(struct lvctld *ctld);
/* A job started: counts its CPUs and nodes. */
void limits_job_started(struct lvctld *ctld, const struct job *job);
/* The limit that holds job now, or REASON_NONE. */
enum job_reason limits_blocked(struct lvctld *ctld, const struct job *job,
			       const struct partition *part);

#endif
