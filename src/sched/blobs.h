/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Submitted descriptions shared by content: jobs submitted with the same
 * script and environment (a submission loop) hold one blob, and the
 * journal writes it once (proto 06, "What lvctld records"). */
#ifndef LV_SCHED_BLOBS_H
#define LV_SCHED_BLOBS_H

#include <stdbool.h>
#include <stdint.h>

#include "sched/job.h"

struct blobs;

/* An empty table, or NULL on ENOMEM. */
struct blobs *blobs_create(void);
/* Drops the table's references (jobs keep theirs).  NULL-safe. */
void blobs_destroy(struct blobs *bl);

/*
 * Looks *bp up by content: when the table has the same text, *bp is
 * replaced by the table's blob (a reference moves from the old one to
 * it); otherwise *bp is added (the table takes a reference of its own).
 * Returns the blob's id, never 0; 0 when it cannot be shared (another
 * text with the same hash, or ENOMEM): the caller then writes it in full.
 */
uint64_t blobs_intern(struct blobs *bl, struct job_blob **bp);

/* The blob with this id (borrowed), or NULL. */
struct job_blob *blobs_get(struct blobs *bl, uint64_t id);
/* The id of this very blob, or 0 if the table does not hold it. */
uint64_t blobs_id_of(struct blobs *bl, const struct job_blob *blob);

/* Durable: a record or snapshot holding the text is on disk, so records
 * may refer to it by id. */
bool blobs_is_durable(struct blobs *bl, uint64_t id);
void blobs_set_durable(struct blobs *bl, uint64_t id);

/* Forgets the blobs that only the table still holds, then calls fn for
 * each one left (a snapshot writes them all). */
void blobs_prune(struct blobs *bl,
		 void (*fn)(uint64_t id, const struct job_blob *b, void *arg),
		 void *arg);

#endif
