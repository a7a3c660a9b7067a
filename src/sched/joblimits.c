/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Account, QOS and partition limits.  Per-user counts live in a small
 * hash keyed by (uid, QOS), rebuilt at every full pass and bumped as jobs
 * start or are submitted, so a check is O(1). */
#include "config.h"

#include "sched/joblimits.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "common/bitmap.h"
#include "common/conf.h"
#include "common/msg.h"
#include "common/timefmt.h"
#include "sched/ctld.h"
#include "sched/fairshare.h"
#include "sched/jobs.h"
#include "sched/partitions.h"

struct usage {
	uid_t uid;
	const struct lv_conf_qos *qos; /* NULL: unused slot */
	uint32_t running, submitted, cpus, nodes;
};

struct limits {
	struct usage *v;
	size_t cap; /* power of two, or 0 */
	size_t n;
};

struct limits *limits_create(void)
{
	return calloc(1, sizeof(struct limits));
}

void limits_destroy(struct limits *l)
{
	if (!l)
		return;
	free(l->v);
	free(l);
}

static size_t slot_of(const struct limits *l, uid_t uid,
		      const struct lv_conf_qos *q)
{
	size_t h = ((size_t)uid * 2654435761u) ^ ((size_t)q >> 4);

	return h & (l->cap - 1);
}

static struct usage *find(struct limits *l, uid_t uid,
			  const struct lv_conf_qos *q, bool create);

static int grow(struct limits *l)
{
	struct usage *old = l->v;
	size_t i, ocap = l->cap;

	if (!(l->v = calloc(ocap ? ocap * 2 : 64, sizeof(*l->v)))) {
		l->v = old;
		return -ENOMEM;
	}
	l->cap = ocap ? ocap * 2 : 64;
	l->n = 0;
	for (i = 0; i < ocap; i++)
		if (old[i].qos)
			*find(l, old[i].uid, old[i].qos, true) = old[i];
	free(old);
	return 0;
}

static struct usage *find(struct limits *l, uid_t uid,
			  const struct lv_conf_qos *q, bool create)
{
	size_t i;

	if (!l->cap || (create && (l->n + 1) * 2 > l->cap)) {
		if (!create || grow(l) < 0)
			return NULL;
	}
	for (i = slot_of(l, uid, q); l->v[i].qos; i = (i + 1) & (l->cap - 1))
		if (l->v[i].uid == uid && l->v[i].qos == q)
			return &l->v[i];
	if (!create)
		return NULL;
	l->v[i].uid = uid;
	l->v[i].qos = q;
	l->n++;
	return &l->v[i];
}

/* Only QOS with per-user limits are counted. */
static bool qos_counts(const struct lv_conf_qos *q)
{
	return q && (q->max_jobs_pu || q->max_submit_pu || q->max_cpus_pu ||
		     q->max_nodes_pu);
}

static uint32_t job_count(const struct job *job)
{
	return job->array_pending
		       ? (uint32_t)lv_bitmap_count(job->array_pending)
		       : 1;
}

void limits_recount(struct lvctld *ctld)
{
	struct limits *l = ctld->limits;
	struct job *job;

	if (!ctld->conf->n_qos)
		return;
	if (l->v)
		memset(l->v, 0, l->cap * sizeof(*l->v));
	l->n = 0;
	for (job = jobs_first(ctld->jobs); job; job = jobs_next(job)) {
		const struct lv_conf_qos *q;
		struct usage *u;

		if (job_is_finished(job) ||
		    !qos_counts(q = lv_conf_find_qos(ctld->conf, job->qos)) ||
		    !(u = find(l, job->uid, q, true)))
			continue;
		if (job->state == JOB_PENDING) {
			u->submitted += job_count(job);
			continue;
		}
		u->submitted++;
		u->running++;
		u->cpus += job->num_cpus;
		u->nodes += (uint32_t)job->n_grants;
	}
}

void limits_job_started(struct lvctld *ctld, const struct job *job)
{
	const struct lv_conf_qos *q = lv_conf_find_qos(ctld->conf, job->qos);
	struct usage *u;

	if (!qos_counts(q) || !(u = find(ctld->limits, job->uid, q, true)))
		return;
	u->running++;
	u->cpus += job->num_cpus;
	u->nodes += (uint32_t)job->n_grants;
}

void limits_job_submitted(struct lvctld *ctld, const struct job *job)
{
	const struct lv_conf_qos *q = lv_conf_find_qos(ctld->conf, job->qos);
	struct usage *u;

	if (qos_counts(q) && (u = find(ctld->limits, job->uid, q, true)))
		u->submitted += job_count(job);
}

static bool in_group(const char *groups, uid_t uid, gid_t gid, const char *user)
{
	struct group gr, *grp = NULL;
	gid_t list[256];
	int n = 256, i;
	char buf[8192];

	if (getgrouplist(user, gid, list, &n) < 0)
		n = 0;
	list[n < 256 ? n : 255] = gid;
	for (i = 0; i <= (n < 256 ? n : 255); i++)
		if (getgrgid_r(list[i], &gr, buf, sizeof(buf), &grp) == 0 &&
		    grp && lv_conf_list_has(groups, grp->gr_name))
			return true;
	(void)uid;
	return false;
}

static int check_account(struct lvctld *ctld, struct job *job,
			 const struct partition *part, struct lv_error *err)
{
	if (!job->account && fairshare_has_accounts(ctld->fs) &&
	    !(job->account =
		      strdup(fairshare_default_account(ctld->fs, job->user))))
		return lv_errorf(err, -ENOMEM, "out of memory");
	if (job->account &&
	    !fairshare_user_may_use(ctld->fs, job->account, job->user))
		return lv_errorf(
			err, -EINVAL,
			"Invalid account or account/partition combination specified");
	if (part->allow_accounts && strcasecmp(part->allow_accounts, "ALL") &&
	    (!job->account ||
	     !lv_conf_list_has(part->allow_accounts, job->account)))
		return lv_errorf(
			err, -EPERM,
			"Job's account not permitted to use this partition (%s uses %s, not %s)",
			part->name, part->allow_accounts,
			job->account ? job->account : "(none)");
	if (part->allow_groups && strcasecmp(part->allow_groups, "ALL") &&
	    !in_group(part->allow_groups, job->uid, job->gid, job->user))
		return lv_errorf(
			err, -EPERM,
			"User's group not permitted to use this partition");
	return 0;
}

static int check_qos(struct lvctld *ctld, struct job *job, struct lv_error *err)
{
	const struct lv_conf_qos *q;
	struct usage *u;

	if (!job->qos && lv_conf_find_qos(ctld->conf, "normal") &&
	    !(job->qos = strdup("normal")))
		return lv_errorf(err, -ENOMEM, "out of memory");
	if (!job->qos)
		return 0;
	if (!(q = lv_conf_find_qos(ctld->conf, job->qos)))
		return lv_errorf(err, -EINVAL, "Invalid qos specification");
	u = qos_counts(q) ? find(ctld->limits, job->uid, q, false) : NULL;
	if (q->max_submit_pu && u &&
	    u->submitted + job_count(job) > q->max_submit_pu)
		return lv_errorf(
			err, -EAGAIN,
			"Job violates accounting/QOS policy (job submit limit, user's size and/or time limits)");
	return 0;
}

static int check_rights(struct job *job, const json_t *desc, bool is_admin,
			struct lv_error *err)
{
	int64_t prio;

	if (job->nice < 0 && !is_admin)
		return lv_errorf(
			err, -EPERM,
			"Access/permission denied: only an administrator may set a negative nice");
	if (lv_json_int(desc, "priority", 1, UINT32_MAX - 1, &prio, err) == 0) {
		if (!is_admin)
			return lv_errorf(
				err, -EPERM,
				"Access/permission denied: only an administrator may set a priority");
		job->prio_admin = (uint64_t)prio;
	} else if (err->code != -ENOENT) {
		return err->code;
	}
	memset(err, 0, sizeof(*err));
	return 0;
}

int limits_check_submit(struct lvctld *ctld, struct job *job,
			const json_t *desc, bool is_admin, struct lv_error *err)
{
	struct partition *part = partitions_find(ctld->parts, job->partition);

	if (!part)
		return lv_errorf(err, -ENOENT,
				 "Invalid partition name specified");
	if (check_rights(job, desc, is_admin, err) < 0 ||
	    check_account(ctld, job, part, err) < 0 ||
	    check_qos(ctld, job, err) < 0)
		return err->code;
	return 0;
}

static enum job_reason qos_blocked(struct lvctld *ctld, const struct job *job,
				   const struct lv_conf_qos *q)
{
	struct usage *u;

	if (q->max_wall && job->req.time_limit > q->max_wall)
		return REASON_QOS_MAX_WALL;
	if (!qos_counts(q))
		return REASON_NONE;
	u = find(ctld->limits, job->uid, q, false);
	if (q->max_jobs_pu && u && u->running >= q->max_jobs_pu)
		return REASON_QOS_MAX_JOBS_PER_USER;
	if (q->max_cpus_pu &&
	    (u ? u->cpus : 0) + job_cpus_needed(job) > q->max_cpus_pu)
		return REASON_QOS_MAX_CPU_PER_USER;
	if (q->max_nodes_pu &&
	    (u ? u->nodes : 0) + job->req.nodes_min > q->max_nodes_pu)
		return REASON_QOS_MAX_NODE_PER_USER;
	return REASON_NONE;
}

enum job_reason limits_blocked(struct lvctld *ctld, const struct job *job,
			       const struct partition *part)
{
	const struct lv_conf_qos *q = lv_conf_find_qos(ctld->conf, job->qos);

	if (part->allow_accounts && strcasecmp(part->allow_accounts, "ALL") &&
	    (!job->account ||
	     !lv_conf_list_has(part->allow_accounts, job->account)))
		return REASON_ACCOUNT_NOT_ALLOWED;
	if (part->max_time != LV_TIME_UNLIMITED &&
	    job->req.time_limit > part->max_time)
		return REASON_PART_TIME_LIMIT;
	if ((part->max_nodes && job->req.nodes_min > part->max_nodes) ||
	    job->req.nodes_min < part->min_nodes)
		return REASON_PART_NODE_LIMIT;
	return q ? qos_blocked(ctld, job, q) : REASON_NONE;
}

static int replace_str(char **dst, const char *val, struct lv_error *err)
{
	char *s = strdup(val);

	if (!s)
		return lv_errorf(err, -ENOMEM, "out of memory");
	free(*dst);
	*dst = s;
	return 0;
}

static int update_strings(struct lvctld *ctld, struct job *job,
			  const json_t *set, struct lv_error *err)
{
	const char *qos = lv_json_str(set, "qos");
	const char *acc = lv_json_str(set, "account");

	if ((qos || acc) && job->state != JOB_PENDING)
		return lv_errorf(err, -EBUSY, "Job is no longer pending");
	if (qos && !lv_conf_find_qos(ctld->conf, qos))
		return lv_errorf(err, -EINVAL, "Invalid qos specification");
	if (acc && !fairshare_user_may_use(ctld->fs, acc, job->user))
		return lv_errorf(
			err, -EINVAL,
			"Invalid account or account/partition combination specified");
	if ((qos && replace_str(&job->qos, qos, err) < 0) ||
	    (acc && replace_str(&job->account, acc, err) < 0))
		return err->code;
	return 0;
}

int limits_update_job(struct lvctld *ctld, struct job *job, const json_t *set,
		      bool is_admin, struct lv_error *err)
{
	int64_t v;

	if (lv_json_int(set, "priority", 0, UINT32_MAX - 1, &v, err) == 0) {
		if (!is_admin)
			return lv_errorf(
				err, -EPERM,
				"Access/permission denied: only an administrator may set a priority");
		job->prio_admin = (uint64_t)v;
	} else if (err->code != -ENOENT) {
		return err->code;
	}
	if (lv_json_int(set, "nice", -10000, 10000, &v, err) == 0) {
		if (v < 0 && !is_admin)
			return lv_errorf(
				err, -EPERM,
				"Access/permission denied: only an administrator may set a negative nice");
		job->nice = (int32_t)v;
	} else if (err->code != -ENOENT) {
		return err->code;
	}
	memset(err, 0, sizeof(*err));
	return update_strings(ctld, job, set, err);
}
