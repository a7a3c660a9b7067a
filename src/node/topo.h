/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A node's hardware as hwloc sees it: the real machine, a synthetic
 * description ("pack:2 numa:2 core:8 pu:2") or an XML export. */
#ifndef LV_NODE_TOPO_H
#define LV_NODE_TOPO_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/cpuset.h"
#include "common/error.h"

struct topo {
	uint32_t packages, numa_nodes, cores, pus, gpus;
	uint64_t mem_mb;
	bool simulated; /* synthetic or XML: binding is bookkeeping only */
	char summary[128];
	/* OS number of each PU by logical number (hwloc's order), the
	 * numbering the controller's grants use. */
	uint16_t pu_os[LV_CPUSET_MAX];
	/* Each PU's core and package (logical numbers) and NUMA node (OS
	 * number): what binding groups PUs by. */
	uint16_t pu_core[LV_CPUSET_MAX], pu_pkg[LV_CPUSET_MAX];
	uint16_t pu_numa[LV_CPUSET_MAX];
};

/* Loads the topology.  spec NULL: this machine; a string ending in ".xml"
 * or starting with '/': an XML file; anything else: a synthetic
 * description.  -EINVAL with err set when hwloc rejects it. */
int topo_load(const char *spec, struct topo *t, struct lv_error *err);

/* Adds the registration fields (cpus, sockets, cores_per_socket,
 * threads_per_core, real_memory, gpus, topology) to obj. */
void topo_to_json(const struct topo *t, json_t *obj);

/* The OS CPU numbers of logical PUs; -ERANGE when one is past the
 * node's PUs. */
int topo_os_cpus(const struct topo *t, const struct lv_cpuset *logical,
		 struct lv_cpuset *os);

/* True when every CPU of os is one this process may run on: a simulated
 * node's PUs may not exist on the host. */
bool topo_host_has(const struct lv_cpuset *os);

#endif
