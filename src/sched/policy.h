/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The site's Lua policy (PolicyScript=): loading, reloading, and the
 * hooks the controller calls.  Every hook falls back to the built-in
 * behaviour when the script lacks it, fails, runs out of its instruction
 * budget or returns the wrong type; see docs/policy.md. */
#ifndef LV_SCHED_POLICY_H
#define LV_SCHED_POLICY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/conf.h"
#include "common/error.h"

struct job;
struct lvctld;
struct policy;

enum policy_hook {
	POLICY_JOB_SUBMIT,
	POLICY_JOB_MODIFY,
	POLICY_PLACE,
	POLICY_PRIORITY,
	POLICY_ELASTICITY,
	POLICY_N_HOOKS,
};

/* A policy host for ctld (which may be NULL in tests: lv.nodes() and
 * lv.jobs() then see nothing).  Loads conf's PolicyScript when set; a
 * script that fails to load leaves no script active, with the error kept
 * for policy_to_json and logged.  NULL only on ENOMEM. */
struct policy *policy_create(struct lvctld *ctld, const struct lv_conf *conf);
void policy_destroy(struct policy *pol);

/* Loads conf's PolicyScript again (reconfigure, SIGHUP).  On failure the
 * script already active stays, and -errno with err says why; with no
 * PolicyScript the policy is switched off. */
int policy_reload(struct policy *pol, const struct lv_conf *conf,
		  struct lv_error *err);

/* True when a script is loaded and defines the hook. */
bool policy_has_hook(const struct policy *pol, enum policy_hook hook);
const char *policy_hook_name(enum policy_hook hook);

/* job_submit(job_desc, part_list, submit_uid) on a copy of desc.  0 with
 * *out a new reference to the description to use (desc itself when there
 * is no hook or it failed).  When the script rejects the job: -errno,
 * *out NULL, err holds lv.user_msg() text (or a default). */
int policy_job_submit(struct policy *pol, const json_t *desc, uid_t uid,
		      gid_t gid, json_t **out, struct lv_error *err);

/* job_modify(job_desc, job_rec, part_list, modify_uid) on a copy of set,
 * the fields a JOB_UPDATE changes.  As policy_job_submit. */
int policy_job_modify(struct policy *pol, const json_t *set,
		      const struct job *job, uid_t uid, json_t **out,
		      struct lv_error *err);

/* place(alloc, candidates): cand[0..n) are node indices in the default
 * order.  Returns 1 when the script chose: order[0..*n_order) are
 * positions in cand, best first (the others are not to be used); 0 when
 * the default stands; -ENOMEM.  order has room for n entries. */
int policy_place(struct policy *pol, const struct job *job, const size_t *cand,
		 size_t n, size_t *order, size_t *n_order);

/* priority(job): base plus what the script returns, or what it returns
 * when it says lv.REPLACE; base when there is no hook or it failed.
 * Clamped to [0, UINT32_MAX]. */
uint64_t policy_priority(struct policy *pol, const struct job *job,
			 uint64_t base);

/* An elastic pool, for elasticity(pool, metrics). */
struct policy_pool {
	const char *name;
	uint32_t size, min, max;
};

struct policy_metric {
	const char *name;
	double value;
};

/* elasticity(pool, metrics): the size the pool should have, clamped to
 * [min, max]; pool->size when there is no hook or it failed. */
uint32_t policy_elasticity(struct policy *pol, const struct policy_pool *pool,
			   const struct policy_metric *m, size_t n_metrics);

/* Why the last load failed (borrowed), NULL when it succeeded. */
const char *policy_load_error(const struct policy *pol);

/* POLICY_INFO: script, load time, limits, last load error and per hook
 * calls, errors, timeouts and mean microseconds (new reference). */
json_t *policy_to_json(const struct policy *pol);

#endif
