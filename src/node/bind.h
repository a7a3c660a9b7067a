/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Task binding: which CPUs (and memory) each task of a step may use,
 * from --cpu-bind, --distribution, --mem-bind and --hint, applied in the
 * task's child before exec. */
#ifndef LV_NODE_BIND_H
#define LV_NODE_BIND_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/cpubind.h"
#include "common/cpuset.h"
#include "common/error.h"
#include "node/topo.h"

/* The binding a STEP_LAUNCH body asks for (cpu_bind, distribution,
 * mem_bind, hint, threads_per_core, cpus_per_task). */
int bind_from_body(const json_t *body, struct lv_bind_spec *b,
		   struct lv_error *err);

/* The CPUs (OS numbers) of the task with local id lid among the node's
 * tasks, from the step's PUs allowed (logical; empty: the whole node).
 * False when the task is not bound (no --cpu-bind, or none). */
bool bind_task_cpus(const struct lv_bind_spec *b, const struct topo *t,
		    const struct lv_cpuset *allowed, uint32_t lid,
		    struct lv_cpuset *os);

/* In the task's child: binds to os (when the host has those CPUs: a
 * simulated node's may not exist) and, verbose, says so on fd err_fd in
 * Slurm's words.  mems: NUMA nodes for --mem-bind=local. */
void bind_apply(const struct lv_bind_spec *b, const struct topo *t,
		const struct lv_cpuset *os, bool bound, const char *node,
		uint32_t rank, uint32_t lid, int err_fd);

#endif
