/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Task binding (Slurm's task/affinity): masks from the node's topology. */
#include "config.h"

#include "node/bind.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MPOL_BIND_MODE 2 /* linux/mempolicy.h's MPOL_BIND */

int bind_from_body(const json_t *body, struct lv_bind_spec *b,
		   struct lv_error *err)
{
	const char *cpu = json_string_value(json_object_get(body, "cpu_bind"));
	const char *dist = json_string_value(json_object_get(body, "distribution"));
	const char *mem = json_string_value(json_object_get(body, "mem_bind"));
	const char *hint = json_string_value(json_object_get(body, "hint"));
	json_int_t cpt = json_integer_value(json_object_get(body, "cpus_per_task"));
	json_int_t tpc = json_integer_value(json_object_get(body, "threads_per_core"));

	memset(b, 0, sizeof(*b));
	b->cyclic = true;
	b->cpus_per_task = cpt > 0 && cpt <= LV_CPUSET_MAX ? (uint32_t)cpt : 1;
	b->one_thread = tpc == 1 || (hint && strstr(hint, "nomultithread"));
	if ((cpu && lv_bind_parse_cpu(cpu, b, err) < 0) ||
	    (dist && lv_bind_parse_dist(dist, b, err) < 0) ||
	    (mem && lv_bind_parse_mem(mem, b, err) < 0))
		return err->code;
	return 0;
}

/* A unit CPUs are handed out in: one PU, or one core's allowed PUs
 * (consecutive in hwloc's logical order). */
struct unit {
	uint16_t lo, hi; /* PUs lo..hi, those in allowed */
	uint16_t pkg;
	uint16_t cpus;
};

static size_t make_units(const struct lv_bind_spec *b, const struct topo *t,
			 const struct lv_cpuset *allowed, struct unit *u)
{
	bool per_pu = b->type == LV_BIND_THREADS && !b->one_thread;
	size_t n = 0;
	int p;

	for (p = lv_cpuset_next(allowed, 0); p >= 0 && (unsigned)p < t->pus;
	     p = lv_cpuset_next(allowed, (unsigned)p + 1)) {
		if (n && !per_pu && t->pu_core[u[n - 1].lo] == t->pu_core[p]) {
			u[n - 1].hi = (uint16_t)p;
			if (!b->one_thread)
				u[n - 1].cpus++;
			continue;
		}
		u[n].lo = u[n].hi = (uint16_t)p;
		u[n].pkg = t->pu_pkg[p];
		u[n].cpus = 1;
		n++;
	}
	return n;
}

/* Marks the units task lid gets in take[] (block: in order; cyclic: one
 * socket after the other, a task's units from one socket while it has
 * some).  Tasks past the units wrap around. */
static void assign(const struct lv_bind_spec *b, const struct unit *u, size_t n,
		   uint32_t lid, bool *take)
{
	size_t *next = calloc(n, sizeof(*next)), i, idx = 0, left = n;
	uint32_t k, got;
	unsigned pkg = u[0].pkg, maxpkg = 0;

	for (i = 0; i < n; i++)
		if (u[i].pkg > maxpkg)
			maxpkg = u[i].pkg;
	for (k = 0; k <= lid; k++) {
		for (got = 0; got < b->cpus_per_task;) {
			if (!b->cyclic || !next) {
				i = idx++ % n;
			} else {
				/* The next unused unit of package pkg, or of the
				 * next package that has one. */
				unsigned tries = 0;

				if (!left) {
					memset(next, 0, n * sizeof(*next));
					left = n;
				}
				for (i = n; i == n && tries <= maxpkg + 1; tries++) {
					for (i = 0; i < n && (u[i].pkg != pkg || next[i]); i++)
						;
					if (i == n)
						pkg = pkg >= maxpkg ? 0 : pkg + 1;
				}
				if (i == n)
					break;
				next[i] = 1;
				left--;
			}
			if (k == lid)
				take[i] = true;
			got += u[i].cpus;
		}
		if (b->cyclic)
			pkg = pkg >= maxpkg ? 0 : pkg + 1;
	}
	free(next);
}

/* Entry lid (wrapping) of a map_cpu/mask_cpu list, as OS CPUs. */
static bool list_entry(const struct lv_bind_spec *b, uint32_t lid,
		       struct lv_cpuset *os)
{
	const char *p = b->list;
	uint32_t n = 1, k;
	unsigned long long v;
	unsigned bit;
	char *end;

	for (k = 0; p[k]; k++)
		n += p[k] == ',';
	for (k = 0; k < lid % n; k++)
		p = strchr(p, ',') + 1;
	lv_cpuset_zero(os);
	if (b->type == LV_BIND_MAP_CPU) {
		v = strtoull(p, &end, 0);
		lv_cpuset_set(os, (unsigned)v);
		return v < LV_CPUSET_MAX;
	}
	v = strtoull(p, &end, 16);
	for (bit = 0; bit < 64; bit++)
		if (v >> bit & 1)
			lv_cpuset_set(os, bit);
	return v != 0;
}

bool bind_task_cpus(const struct lv_bind_spec *b, const struct topo *t,
		    const struct lv_cpuset *allowed_in, uint32_t lid,
		    struct lv_cpuset *os)
{
	struct lv_cpuset allowed = *allowed_in, logical;
	struct unit *u;
	bool *take, pkgs[LV_CPUSET_MAX] = { false }, numas[LV_CPUSET_MAX] = { false };
	size_t n, i;
	unsigned p;

	lv_cpuset_zero(os);
	if (b->type == LV_BIND_UNSET || b->type == LV_BIND_NONE || !t->pus)
		return false;
	if (b->type == LV_BIND_MAP_CPU || b->type == LV_BIND_MASK_CPU)
		return list_entry(b, lid, os);
	if (lv_cpuset_empty(&allowed))
		for (p = 0; p < t->pus; p++)
			lv_cpuset_set(&allowed, p);
	if (b->type == LV_BIND_RANK) {
		int q = lv_cpuset_next(&allowed, 0);
		uint32_t k, cnt = lv_cpuset_count(&allowed);

		lv_cpuset_zero(&logical);
		for (k = 0; cnt && k < lid % cnt; k++)
			q = lv_cpuset_next(&allowed, (unsigned)q + 1);
		lv_cpuset_set(&logical, (unsigned)q);
		return q >= 0 && topo_os_cpus(t, &logical, os) == 0;
	}
	u = calloc(LV_CPUSET_MAX, sizeof(*u));
	take = calloc(LV_CPUSET_MAX, sizeof(*take));
	if (!u || !take || !(n = make_units(b, t, &allowed, u))) {
		free(u);
		free(take);
		return false;
	}
	assign(b, u, n, lid, take);
	lv_cpuset_zero(&logical);
	for (i = 0; i < n; i++) {
		if (!take[i])
			continue;
		pkgs[u[i].pkg] = true;
		numas[t->pu_numa[u[i].lo]] = true;
		for (p = u[i].lo; p <= u[i].hi; p++)
			if (lv_cpuset_isset(&allowed, p) &&
			    (!b->one_thread || p == u[i].lo))
				lv_cpuset_set(&logical, p);
	}
	/* Sockets and NUMA domains: every allowed PU of those touched. */
	if (b->type == LV_BIND_SOCKETS || b->type == LV_BIND_LDOMS)
		for (p = 0; p < t->pus; p++)
			if (lv_cpuset_isset(&allowed, p) &&
			    (b->type == LV_BIND_SOCKETS ? pkgs[t->pu_pkg[p]]
						     : numas[t->pu_numa[p]]))
				lv_cpuset_set(&logical, p);
	free(u);
	free(take);
	return topo_os_cpus(t, &logical, os) == 0 && !lv_cpuset_empty(os);
}

/* The NUMA nodes (OS numbers) of os's CPUs. */
static unsigned long numa_mask(const struct topo *t, const struct lv_cpuset *os)
{
	unsigned long m = 0;
	unsigned p;

	for (p = 0; p < t->pus; p++)
		if (lv_cpuset_isset(os, t->pu_os[p]) && t->pu_numa[p] < 64)
			m |= 1ul << t->pu_numa[p];
	return m;
}

void bind_apply(const struct lv_bind_spec *b, const struct topo *t,
		const struct lv_cpuset *os, bool bound, const char *node,
		uint32_t rank, uint32_t lid, int err_fd)
{
	char mask[LV_CPUSET_MAX / 4 + 8];
	bool real = bound && topo_host_has(os);
	cpu_set_t set;
	int p;

	if (real) {
		CPU_ZERO(&set);
		for (p = lv_cpuset_next(os, 0); p >= 0;
		     p = lv_cpuset_next(os, (unsigned)p + 1))
			if (p < CPU_SETSIZE)
				CPU_SET(p, &set);
		if (sched_setaffinity(0, sizeof(set), &set) < 0)
			dprintf(err_fd, "lvd: task %u: cannot bind: %s\n", rank,
				strerror(errno));
	}
	if (b->verbose && b->type != LV_BIND_UNSET) {
		struct lv_cpuset cur;

		if (!bound) {
			/* none: what the task may run on anyway. */
			lv_cpuset_zero(&cur);
			if (sched_getaffinity(0, sizeof(set), &set) == 0)
				for (p = 0; p < CPU_SETSIZE && p < LV_CPUSET_MAX; p++)
					if (CPU_ISSET(p, &set))
						lv_cpuset_set(&cur, (unsigned)p);
			os = &cur;
		}
		(void)lv_cpuset_format_mask(os, mask, sizeof(mask));
		dprintf(err_fd, "cpu-bind=%s - %s, task %2u %2u [%d]: mask %s%s\n",
			!bound ? "NONE" : b->type == LV_BIND_MAP_CPU ? "MAP " : "MASK",
			node, rank, lid, (int)getpid(), mask, bound ? " set" : "");
	}
	if (b->mem_local && bound) {
		unsigned long nodes = numa_mask(t, os);
		char path[64];

		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d",
			 nodes ? __builtin_ctzl(nodes) : 0);
		/* Simulated NUMA nodes need not exist here. */
		if (real && nodes && access(path, F_OK) == 0 &&
		    syscall(SYS_set_mempolicy, MPOL_BIND_MODE, &nodes,
			    sizeof(nodes) * 8) < 0)
			dprintf(err_fd, "lvd: task %u: cannot bind memory: %s\n",
				rank, strerror(errno));
		if (b->mem_verbose)
			dprintf(err_fd, "mem-bind=LOCAL - %s, task %2u %2u [%d]: mask 0x%lx set\n",
				node, rank, lid, (int)getpid(), nodes);
	}
}
