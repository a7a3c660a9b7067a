/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A step as the PMIx library sees it: a PMIx node is an lvd process. */
#ifndef LV_MPI_NSPACE_H
#define LV_MPI_NSPACE_H

#include <jansson.h>
#include <pmix_common.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "mpi/fence.h"

/* The lvd processes of a step's nodes, in node order: nodes that share an
 * address and port (simulated nodes) are served by one process. */
struct nspace_map {
	struct fence_group group; /* the processes; group.me is this one */
	size_t *member;           /* node index -> process */
	size_t *first;            /* process -> its first node */
	size_t nnodes;
	uint32_t ntasks;
	uint32_t *rank_proc;      /* rank -> process */
};

/* The namespace's keys, made by nspace_info. */
struct nspace_info {
	pmix_info_t *v;
	size_t n, cap;
	uint32_t nlocal; /* ranks this process serves */
};

/* Fills m from the credential's "peers", "layout" and "ntasks"; my_node is
 * its "node_index".  On failure m holds what it got: nspace_map_free it
 * (also when zeroed). */
int nspace_map_create(struct nspace_map *m, const json_t *cred,
		      size_t my_node, struct lv_error *err);
void nspace_map_free(struct nspace_map *m);

/* Job-level keys, then one PMIX_PROC_INFO_ARRAY per rank, from the
 * credential's "ntasks", "layout" and "peers".  On failure out may hold
 * an array: nspace_info_free it in both cases.  -EPROTO on a bad layout,
 * -ENOMEM. */
int nspace_info(const struct nspace_map *m, const json_t *cred,
		const char *ns, const char *dir, uid_t uid, gid_t gid,
		struct nspace_info *out, struct lv_error *err);
void nspace_info_free(struct nspace_info *info);

#endif
