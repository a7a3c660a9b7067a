/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Preemption: which running jobs a waiting job may displace, and doing it
 * (requeue or cancel, Slurm's PreemptMode). */
#include "config.h"

#include "sched/preempt.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/conf.h"
#include "common/log.h"
#include "sched/ctld.h"
#include "sched/jobs.h"
#include "sched/launch.h"
#include "sched/nodes.h"
#include "sched/partitions.h"
#include "sched/persist.h"
#include "sched/sched.h"
#include "sched/select.h"

/* At most this many victims are weighed for one job. */
#define MAX_CANDIDATES 4096

enum mode { MODE_OFF, MODE_REQUEUE, MODE_CANCEL };

static enum mode mode_of(const char *s)
{
	if (!s || !strcasecmp(s, "OFF"))
		return MODE_OFF;
	return strcasecmp(s, "REQUEUE") ? MODE_CANCEL : MODE_REQUEUE;
}

/* How victim would be preempted: its QOS's PreemptMode, else the global
 * one. */
static enum mode victim_mode(const struct lv_conf *c, const struct job *v)
{
	const struct lv_conf_qos *q = lv_conf_find_qos(c, v->qos);

	return mode_of(q && q->preempt_mode ? q->preempt_mode
					    : c->preempt_mode);
}

static bool may_preempt(struct lvctld *ctld, const struct job *job,
			const struct partition *part, struct job *v)
{
	const struct lv_conf *c = ctld->conf;
	struct partition *vp;

	/* Only a job it outranks: a victim that came first would take the
	 * resources back at the next pass, and again after each requeue. */
	if (v->state != JOB_RUNNING || !v->n_grants ||
	    !(vp = job_partition(ctld, v)) || /* refreshes v->part first */
	    !sched_outranks(job, v) || victim_mode(c, v) == MODE_OFF ||
	    !partitions_overlap(ctld->parts, partition_index(ctld->parts, part),
				partition_index(ctld->parts, vp)))
		return false;
	if (!strcmp(c->preempt_type, "preempt/partition_prio"))
		return vp->priority_tier < part->priority_tier;
	if (!strcmp(c->preempt_type, "preempt/qos")) {
		const struct lv_conf_qos *q = lv_conf_find_qos(c, job->qos);

		return q && v->qos && lv_conf_list_has(q->preempt, v->qos);
	}
	return false;
}

/* The cheapest victims first: lowest tier, lowest priority, youngest. */
static int by_victim(const void *a, const void *b)
{
	const struct job *x = *(struct job *const *)a;
	const struct job *y = *(struct job *const *)b;
	uint32_t tx = x->part ? x->part->priority_tier : 0;
	uint32_t ty = y->part ? y->part->priority_tier : 0;

	if (tx != ty)
		return tx < ty ? -1 : 1;
	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return x->start_time > y->start_time ? -1
					     : x->start_time < y->start_time;
}

static bool fits(struct lvctld *ctld, const struct job *job,
		 const struct partition *part)
{
	struct grant *g = NULL;
	size_t n = 0;
	int rc = select_nodes(job, part, ctld->nodes, false, &g, &n);

	free(g);
	return rc == 0;
}

static void give(struct lvctld *ctld, const struct job *v, bool back)
{
	size_t i;

	for (i = 0; i < v->n_grants; i++) {
		struct node *n = nodes_get(ctld->nodes, v->grants[i].node);
		struct grant g = v->grants[i]; /* exact PUs: back as they were */

		if (back)
			nodes_alloc(n, &g);
		else
			nodes_release(n, &g);
	}
}

/* Jobs already being killed free their resources soon: would job fit
 * then? */
static bool fits_after_completing(struct lvctld *ctld, const struct job *job,
				  const struct partition *part)
{
	struct job *j;
	bool ok;

	for (j = jobs_first(ctld->jobs); j; j = jobs_next(j))
		if (j->state == JOB_COMPLETING && j->n_grants)
			give(ctld, j, false);
	ok = fits(ctld, job, part);
	for (j = jobs_first(ctld->jobs); j; j = jobs_next(j))
		if (j->state == JOB_COMPLETING && j->n_grants)
			give(ctld, j, true);
	return ok;
}

static void preempt(struct lvctld *ctld, struct job *v, const struct job *by)
{
	struct lv_error err = {0};
	enum mode m = victim_mode(ctld->conf, v);

	if (m == MODE_REQUEUE && !strcmp(v->kind, "batch")) {
		lv_log(LV_LOG_INFO, "preempt: job=%u requeued for job=%u",
		       v->id, by->id);
		v->requeue_requested = true;
		v->requeue_hold = false;
		v->state = JOB_COMPLETING;
		persist_job(ctld, v);
		if (launch_signal(ctld, v, SIGTERM, false, true, &err) < 0)
			lv_log(LV_LOG_WARNING, "preempt: job=%u: %s", v->id,
			       err.text);
		return;
	}
	lv_log(LV_LOG_INFO, "preempt: job=%u cancelled for job=%u", v->id,
	       by->id);
	if (sched_cancel(ctld, v, &err) < 0)
		lv_log(LV_LOG_WARNING, "preempt: job=%u: %s", v->id, err.text);
}

bool preempt_for(struct lvctld *ctld, struct job *job, struct partition *part,
		 time_t now)
{
	const struct lv_conf *c = ctld->conf;
	struct job **cand, *j;
	size_t n = 0, k = 0, i;
	bool ok = false;

	(void)now;
	if (!c->preempt_type || !strcmp(c->preempt_type, "preempt/none") ||
	    !part)
		return false;
	if (fits_after_completing(ctld, job, part))
		return true;
	if (!(cand = calloc(MAX_CANDIDATES, sizeof(*cand))))
		return false;
	for (j = jobs_first(ctld->jobs); j && n < MAX_CANDIDATES;
	     j = jobs_next(j))
		if (may_preempt(ctld, job, part, j))
			cand[n++] = j;
	qsort(cand, n, sizeof(*cand), by_victim);
	/* Take victims, cheapest first, until the job fits. */
	while (k < n && !ok) {
		give(ctld, cand[k++], false);
		ok = fits(ctld, job, part);
	}
	for (i = 0; i < k; i++)
		give(ctld, cand[i], true);
	for (i = 0; ok && i < k; i++)
		preempt(ctld, cand[i], job);
	free(cand);
	return ok;
}
