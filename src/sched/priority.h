/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Multifactor priority (Slurm's priority/multifactor): age, job size,
 * fair share, partition and QOS factors, each in [0, 1], weighted by
 * PriorityWeight*, less the job's nice. */
#ifndef LV_SCHED_PRIORITY_H
#define LV_SCHED_PRIORITY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "common/conf.h"

struct fairshare;
struct job;
struct nodes;
struct partition;
struct partitions;

/* A job's factors, each in [0, 1]. */
struct prio_factors {
	double age, fairshare, jobsize, partition, qos;
	int32_t nice;
	uint64_t admin; /* an administrator's fixed priority, 0 when none */
};

/* What the factors are relative to, computed once per pass. */
struct prio_totals {
	uint32_t nodes, cpus;     /* in the cluster */
	uint32_t max_part_factor; /* largest PriorityJobFactor */
	uint32_t max_qos_prio;    /* largest QOS Priority */
};

/* Pure pieces of the formula (unit-tested). */
double priority_age_factor(time_t eligible, time_t now, uint32_t max_age_min);
double priority_size_factor(uint32_t nodes, uint32_t cpus,
			    const struct prio_totals *t, bool favor_small);
/* Weights times factors less nice, at least 1 (0 means held in Slurm);
 * an admin priority replaces the sum. */
uint64_t priority_combine(const struct lv_conf *conf,
			  const struct prio_factors *f);

/* Cluster totals for the factors. */
void priority_totals(struct nodes *nodes, struct partitions *parts,
		     const struct lv_conf *conf, struct prio_totals *t);
/* Fills f for job in partition part (NULL: gone); fs may be NULL. */
void priority_factors(const struct lv_conf *conf, struct fairshare *fs,
		      const struct prio_totals *t, const struct job *job,
		      const struct partition *part, time_t now,
		      struct prio_factors *f);
/* Computes and stores job->priority: the one place where a job's final
 * priority is produced (policy hooks go here). */
void priority_update(const struct lv_conf *conf, struct fairshare *fs,
		     const struct prio_totals *t, struct job *job,
		     const struct partition *part, time_t now);

/* The configured weights, for lvprio -w (new reference). */
json_t *priority_weights_json(const struct lv_conf *conf);

#endif
