/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PMIx_Publish / PMIx_Lookup / PMIx_Unpublish data of a step, kept by the
 * step's root lvd: every rank of the step sees it, on any node.  Values
 * travel packed by the PMIx library (PMIx_Data_pack), in base64. */
#ifndef LV_MPI_PUBSUB_H
#define LV_MPI_PUBSUB_H

#include <jansson.h>
#include <pmix_common.h>
#include <stdbool.h>
#include <stdint.h>

struct mpi_step;

/* [{"key", "val"}] for the published keys among info (directives, whose
 * keys start with "pmix", are left out); NULL on ENOMEM. */
json_t *pubsub_encode(const pmix_info_t *info, size_t n);
/* One "val" back into *out (constructed here; PMIX_INFO_DESTRUCT it).
 * 0, or -EPROTO. */
int pubsub_decode(const char *val, pmix_info_t *out);

/* Stores rank's items; -EEXIST (nothing stored) when a key is taken. */
int pubsub_publish(struct mpi_step *ms, uint32_t rank, const json_t *items);
/* Removes rank's keys (keys not an array: all of rank's).  -ENOENT when
 * none was there. */
int pubsub_unpublish(struct mpi_step *ms, uint32_t rank, const json_t *keys);

/* items: [{"key", "val", "rank"}], borrowed. */
typedef void (*pubsub_done_f)(int rc, const json_t *items, void *arg);
/* Finds keys (an array of strings); cb runs once: now, or, with wait,
 * once all are published (or after timeout_s seconds, when > 0, with
 * what there is; -ENOENT for nothing; -ECANCELED when the step ends). */
void pubsub_lookup(struct mpi_step *ms, const json_t *keys, bool wait,
		   int timeout_s, pubsub_done_f cb, void *arg);
/* The step ends: waiting lookups fail, the data goes. */
void pubsub_free(struct mpi_step *ms);

#endif
