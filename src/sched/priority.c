/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Multifactor priority: the factors of a job and their weighted sum
 * (docs/scheduling.md). */
#include "config.h"

#include "sched/priority.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "sched/fairshare.h"
#include "sched/job.h"
#include "sched/nodes.h"
#include "sched/partitions.h"

double priority_age_factor(time_t eligible, time_t now, uint32_t max_age_min)
{
	double age;

	if (!eligible || now <= eligible)
		return 0;
	if (!max_age_min)
		return 1.0;
	age = (double)(now - eligible) / ((double)max_age_min * 60.0);
	return age > 1.0 ? 1.0 : age;
}

double priority_size_factor(uint32_t nodes, uint32_t cpus,
			    const struct prio_totals *t, bool favor_small)
{
	double fn = t->nodes ? (double)nodes / t->nodes : 0;
	double fc = t->cpus ? (double)cpus / t->cpus : 0;
	double f = fn > fc ? fn : fc;

	if (f > 1.0)
		f = 1.0;
	return favor_small ? 1.0 - f : f;
}

uint64_t priority_combine(const struct lv_conf *conf,
			  const struct prio_factors *f)
{
	double sum;

	if (f->admin)
		return f->admin;
	sum = conf->prio_weight_age * f->age +
	      conf->prio_weight_fairshare * f->fairshare +
	      conf->prio_weight_jobsize * f->jobsize +
	      conf->prio_weight_partition * f->partition +
	      conf->prio_weight_qos * f->qos - (double)f->nice;
	/* Slurm keeps computed priorities at 1 or more: 0 means held. */
	return sum < 1.0 ? 1 : (uint64_t)llround(sum);
}

void priority_totals(struct nodes *nodes, struct partitions *parts,
		     const struct lv_conf *conf, struct prio_totals *t)
{
	size_t i, n = nodes_count(nodes);

	memset(t, 0, sizeof(*t));
	t->nodes = (uint32_t)n;
	for (i = 0; i < n; i++)
		t->cpus += node_cpus(nodes_get(nodes, i));
	for (i = 0; i < partitions_count(parts); i++) {
		uint32_t f = partitions_get(parts, i)->priority_job_factor;

		if (f > t->max_part_factor)
			t->max_part_factor = f;
	}
	for (i = 0; i < conf->n_qos; i++)
		if (conf->qos[i].priority > t->max_qos_prio)
			t->max_qos_prio = conf->qos[i].priority;
}

void priority_factors(const struct lv_conf *conf, struct fairshare *fs,
		      const struct prio_totals *t, const struct job *job,
		      const struct partition *part, time_t now,
		      struct prio_factors *f)
{
	const struct lv_conf_qos *q = lv_conf_find_qos(conf, job->qos);

	memset(f, 0, sizeof(*f));
	/* Factors with no weight are not computed (fair share costs a
	 * lookup). */
	if (conf->prio_weight_age)
		f->age = priority_age_factor(job->eligible_time, now,
					     conf->prio_max_age);
	if (conf->prio_weight_fairshare && fs)
		f->fairshare =
			fairshare_factor(fs, job->account, job->user, now);
	f->jobsize =
		priority_size_factor(job->req.nodes_min, job_cpus_needed(job),
				     t, conf->prio_favor_small);
	if (part && t->max_part_factor)
		f->partition =
			(double)part->priority_job_factor / t->max_part_factor;
	if (q && t->max_qos_prio)
		f->qos = (double)q->priority / t->max_qos_prio;
	f->nice = job->nice;
	f->admin = job->prio_admin;
}

void priority_update(const struct lv_conf *conf, struct fairshare *fs,
		     const struct prio_totals *t, struct job *job,
		     const struct partition *part, time_t now)
{
	struct prio_factors f;

	priority_factors(conf, fs, t, job, part, now, &f);
	/* The final priority of a job is produced here and nowhere else. */
	job->priority = priority_combine(conf, &f);
}

json_t *priority_weights_json(const struct lv_conf *c)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I}", "age",
			 (json_int_t)c->prio_weight_age, "fairshare",
			 (json_int_t)c->prio_weight_fairshare, "jobsize",
			 (json_int_t)c->prio_weight_jobsize, "partition",
			 (json_int_t)c->prio_weight_partition, "qos",
			 (json_int_t)c->prio_weight_qos);
}
