/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading a node's topology with hwloc. */
#include "config.h"

#include "node/topo.h"

#include <errno.h>
#include <hwloc.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static uint32_t count(hwloc_topology_t h, hwloc_obj_type_t type)
{
	int n = hwloc_get_nbobjs_by_type(h, type);

	return n > 0 ? (uint32_t)n : 0;
}

static uint32_t count_gpus(hwloc_topology_t h)
{
	hwloc_obj_t o = NULL;
	uint32_t n = 0;

	while ((o = hwloc_get_next_osdev(h, o)))
		if (o->attr->osdev.type == HWLOC_OBJ_OSDEV_GPU ||
		    o->attr->osdev.type == HWLOC_OBJ_OSDEV_COPROC)
			n++;
	return n;
}

static bool is_xml(const char *spec)
{
	size_t len = strlen(spec);

	return spec[0] == '/' || (len > 4 && strcmp(spec + len - 4, ".xml") == 0);
}

int topo_load(const char *spec, struct topo *t, struct lv_error *err)
{
	hwloc_topology_t h;
	uint64_t mem;
	unsigned i;
	int rc = 0;

	memset(t, 0, sizeof(*t));
	if (hwloc_topology_init(&h) < 0)
		return lv_errorf(err, -ENOMEM, "hwloc: cannot initialise");
	if (spec && *spec) {
		t->simulated = true;
		rc = is_xml(spec) ? hwloc_topology_set_xml(h, spec)
				  : hwloc_topology_set_synthetic(h, spec);
		if (rc < 0) {
			hwloc_topology_destroy(h);
			return lv_errorf(err, -EINVAL,
					 "hwloc: invalid topology '%s'", spec);
		}
	} else {
		/* GPUs are OS devices, which hwloc drops unless asked. */
		hwloc_topology_set_io_types_filter(h, HWLOC_TYPE_FILTER_KEEP_IMPORTANT);
	}
	if (hwloc_topology_load(h) < 0) {
		hwloc_topology_destroy(h);
		return lv_errorf(err, -EIO, "hwloc: cannot load topology%s%s",
				 spec ? " " : "", spec ? spec : "");
	}
	t->packages = count(h, HWLOC_OBJ_PACKAGE);
	t->numa_nodes = count(h, HWLOC_OBJ_NUMANODE);
	t->cores = count(h, HWLOC_OBJ_CORE);
	t->pus = count(h, HWLOC_OBJ_PU);
	t->gpus = count_gpus(h);
	for (i = 0; i < t->pus && i < LV_CPUSET_MAX; i++) {
		hwloc_obj_t pu = hwloc_get_obj_by_type(h, HWLOC_OBJ_PU, i);

		hwloc_obj_t core = pu ? hwloc_get_ancestor_obj_by_type(h, HWLOC_OBJ_CORE, pu) : NULL;
		hwloc_obj_t pkg = pu ? hwloc_get_ancestor_obj_by_type(h, HWLOC_OBJ_PACKAGE, pu) : NULL;
		int numa = pu && pu->nodeset ? hwloc_bitmap_first(pu->nodeset) : -1;

		t->pu_os[i] = pu && pu->os_index < LV_CPUSET_MAX
				      ? (uint16_t)pu->os_index : (uint16_t)i;
		t->pu_core[i] = core ? (uint16_t)core->logical_index : (uint16_t)i;
		t->pu_pkg[i] = pkg ? (uint16_t)pkg->logical_index : 0;
		t->pu_numa[i] = numa > 0 ? (uint16_t)numa : 0;
	}
	if (!t->packages)
		t->packages = 1;
	if (!t->cores)
		t->cores = t->pus;
	mem = hwloc_get_root_obj(h)->total_memory;
	if (!t->simulated) {
		/* hwloc misses hot-plugged memory on some VMs; the kernel's
		 * count is the truth for the real machine. */
		long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);

		if (pages > 0 && psz > 0)
			mem = (uint64_t)pages * (uint64_t)psz;
	}
	t->mem_mb = mem >> 20;
	snprintf(t->summary, sizeof(t->summary),
		 "pack:%u numa:%u core:%u pu:%u%s", t->packages, t->numa_nodes,
		 t->cores, t->pus, t->simulated ? " (simulated)" : "");
	hwloc_topology_destroy(h);
	return 0;
}

void topo_to_json(const struct topo *t, json_t *obj)
{
	uint32_t threads = t->cores ? t->pus / t->cores : 1;
	uint32_t cps = t->packages ? t->cores / t->packages : t->cores;

	json_object_set_new(obj, "cpus", json_integer(t->pus));
	json_object_set_new(obj, "sockets", json_integer(t->packages));
	json_object_set_new(obj, "cores_per_socket", json_integer(cps));
	json_object_set_new(obj, "threads_per_core", json_integer(threads ? threads : 1));
	json_object_set_new(obj, "real_memory", json_integer((json_int_t)t->mem_mb));
	json_object_set_new(obj, "gpus", json_integer(t->gpus));
	json_object_set_new(obj, "topology", json_string(t->summary));
}

int topo_os_cpus(const struct topo *t, const struct lv_cpuset *logical,
		 struct lv_cpuset *os)
{
	int p = lv_cpuset_next(logical, 0);

	lv_cpuset_zero(os);
	for (; p >= 0; p = lv_cpuset_next(logical, (unsigned)p + 1)) {
		if ((unsigned)p >= t->pus)
			return -ERANGE;
		lv_cpuset_set(os, t->pu_os[p]);
	}
	return 0;
}

bool topo_host_has(const struct lv_cpuset *os)
{
	cpu_set_t mine;
	int p = lv_cpuset_next(os, 0);

	if (sched_getaffinity(0, sizeof(mine), &mine) < 0)
		return false;
	for (; p >= 0; p = lv_cpuset_next(os, (unsigned)p + 1))
		if (p >= CPU_SETSIZE || !CPU_ISSET(p, &mine))
			return false;
	return true;
}
