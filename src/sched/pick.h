/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which PUs of one node a job's tasks get: socket-aware packing of
 * logical PU numbers (hwloc's logical order: socket, core, thread). */
#ifndef LV_SCHED_PICK_H
#define LV_SCHED_PICK_H

#include <stdbool.h>
#include <stdint.h>

#include "common/cpuset.h"

/* A node's layout.  PU p sits on core p / threads and socket
 * p / pus_per_socket; only PUs below pus are handed out. */
struct pick_shape {
	unsigned pus;
	unsigned threads;        /* PUs per core, >= 1 */
	unsigned pus_per_socket; /* >= threads */
};

struct pick_req {
	uint32_t cpus_per_task;    /* >= 1 */
	bool whole_cores;          /* one CPU = one whole core (--hint=nomultithread) */
	uint32_t tasks_per_socket; /* 0: no limit */
	bool spread;               /* emptiest socket first instead of best fit */
};

/* Fills s from a node's counts; cpus may cap the PUs. */
void pick_shape_init(struct pick_shape *s, unsigned cpus, unsigned sockets,
		     unsigned cores_per_socket, unsigned threads);

/* Tasks that fit in the PUs not in used. */
uint32_t pick_capacity(const struct pick_shape *s, const struct lv_cpuset *used,
		       const struct pick_req *r);

/* Picks PUs for tasks tasks from those not in used into out: one socket
 * that holds them all (the fullest such one), else sockets with the
 * most room first; inside a socket, cores already partly taken first so
 * that whole cores stay free.  -ENOSPC when they do not fit. */
int pick_cpus(const struct pick_shape *s, const struct lv_cpuset *used,
	      const struct pick_req *r, uint32_t tasks, struct lv_cpuset *out);

#endif
