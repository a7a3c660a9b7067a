/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Socket-aware choice of a node's PUs for a job. */
#include "config.h"

#include "sched/pick.h"

#include <errno.h>
#include <string.h>

void pick_shape_init(struct pick_shape *s, unsigned cpus, unsigned sockets,
		     unsigned cores_per_socket, unsigned threads)
{
	if (!sockets)
		sockets = 1;
	if (!threads)
		threads = 1;
	if (cpus > LV_CPUSET_MAX)
		cpus = LV_CPUSET_MAX;
	s->pus = cpus;
	if (cores_per_socket && sockets * cores_per_socket * threads >= cpus) {
		s->threads = threads;
		s->pus_per_socket = cores_per_socket * threads;
	} else {
		/* Irregular or unknown: sockets share the PUs evenly. */
		s->threads = cpus % threads ? 1 : threads;
		s->pus_per_socket = (cpus + sockets - 1) / sockets;
		if (s->pus_per_socket < s->threads)
			s->pus_per_socket = s->threads;
	}
	if (!s->pus_per_socket)
		s->pus_per_socket = 1;
}

static unsigned n_sockets(const struct pick_shape *s)
{
	return (s->pus + s->pus_per_socket - 1) / s->pus_per_socket;
}

/* The units a task counts in (a PU, or a whole free core) free in socket
 * k. */
static uint32_t free_units(const struct pick_shape *s,
			   const struct lv_cpuset *used, bool whole_cores,
			   unsigned k)
{
	unsigned p = k * s->pus_per_socket, end = p + s->pus_per_socket, t;
	uint32_t n = 0;

	if (end > s->pus)
		end = s->pus;
	if (!whole_cores) {
		for (; p < end; p++)
			n += !lv_cpuset_isset(used, p);
		return n;
	}
	for (; p + s->threads <= end; p += s->threads) {
		for (t = 0; t < s->threads && !lv_cpuset_isset(used, p + t); t++)
			;
		n += t == s->threads;
	}
	return n;
}

/* Tasks socket k may take. */
static uint32_t socket_tasks(const struct pick_shape *s,
			     const struct lv_cpuset *used,
			     const struct pick_req *r, unsigned k)
{
	uint32_t t = free_units(s, used, r->whole_cores, k) / r->cpus_per_task;

	if (r->tasks_per_socket && t > r->tasks_per_socket)
		t = r->tasks_per_socket;
	return t;
}

uint32_t pick_capacity(const struct pick_shape *s, const struct lv_cpuset *used,
		       const struct pick_req *r)
{
	unsigned k, ns = n_sockets(s);
	uint32_t units = 0, tasks = 0;

	if (!r->tasks_per_socket) {
		/* Tasks may straddle sockets. */
		for (k = 0; k < ns; k++)
			units += free_units(s, used, r->whole_cores, k);
		return units / r->cpus_per_task;
	}
	for (k = 0; k < ns; k++)
		tasks += socket_tasks(s, used, r, k);
	return tasks;
}

/* Takes up to want units from socket k into out (and used). */
static uint32_t take(const struct pick_shape *s, struct lv_cpuset *used,
		     bool whole_cores, unsigned k, uint32_t want,
		     struct lv_cpuset *out)
{
	unsigned first = k * s->pus_per_socket, end = first + s->pus_per_socket;
	unsigned p, t, busy, pass;
	uint32_t got = 0;

	if (end > s->pus)
		end = s->pus;
	/* Pass 0: cores with some PU taken; pass 1: free cores. */
	for (pass = 0; pass < 2 && got < want; pass++) {
		for (p = first; p + 1 <= end && got < want; p += s->threads) {
			for (busy = 0, t = 0; t < s->threads && p + t < end; t++)
				busy += lv_cpuset_isset(used, p + t);
			if ((pass == 0) != (busy > 0) || busy == s->threads)
				continue;
			if (whole_cores) {
				if (busy || p + s->threads > end)
					continue;
				for (t = 0; t < s->threads; t++) {
					lv_cpuset_set(out, p + t);
					lv_cpuset_set(used, p + t);
				}
				got++;
				continue;
			}
			for (t = 0; t < s->threads && p + t < end && got < want; t++)
				if (!lv_cpuset_isset(used, p + t)) {
					lv_cpuset_set(out, p + t);
					lv_cpuset_set(used, p + t);
					got++;
				}
		}
	}
	return got;
}

int pick_cpus(const struct pick_shape *s, const struct lv_cpuset *used,
	      const struct pick_req *r, uint32_t tasks, struct lv_cpuset *out)
{
	struct lv_cpuset u = *used;
	unsigned k, ns = n_sockets(s), best;
	uint32_t need = tasks * r->cpus_per_task, room, best_room;

	lv_cpuset_zero(out);
	if (pick_capacity(s, used, r) < tasks)
		return -ENOSPC;
	/* Best fit: the fullest socket that holds every task. */
	best = ns;
	best_room = 0;
	for (k = 0; !r->spread && k < ns; k++) {
		room = socket_tasks(s, used, r, k);
		if (room >= tasks && (best == ns || room < best_room)) {
			best = k;
			best_room = room;
		}
	}
	if (best < ns) {
		take(s, &u, r->whole_cores, best, need, out);
		return 0;
	}
	/* Otherwise the roomiest sockets first, whole tasks from each. */
	while (need) {
		best = ns;
		best_room = 0;
		for (k = 0; k < ns; k++) {
			room = socket_tasks(s, &u, r, k);
			if (room > best_room) {
				best = k;
				best_room = room;
			}
		}
		if (best == ns)
			break; /* only straddling tasks are left */
		if (r->tasks_per_socket) {
			/* Counts against the limit: what this socket took. */
			room = best_room * r->cpus_per_task;
			room = take(s, &u, r->whole_cores, best,
				    room < need ? room : need, out);
			need -= room;
			if (!room)
				break;
			/* Mark it full for the limit. */
			{
				unsigned p = best * s->pus_per_socket;
				for (; p < (best + 1) * s->pus_per_socket && p < s->pus; p++)
					lv_cpuset_set(&u, p);
			}
			continue;
		}
		room = best_room * r->cpus_per_task;
		need -= take(s, &u, r->whole_cores, best,
			     room < need ? room : need, out);
	}
	/* Tasks that straddle sockets: whatever is free, in order. */
	for (k = 0; need && k < ns; k++)
		need -= take(s, &u, r->whole_cores, k, need, out);
	return need ? -ENOSPC : 0;
}
