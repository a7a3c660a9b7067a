/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A table of submitted descriptions by content and by address. */
#include "config.h"

#include "sched/blobs.h"

#include <stdlib.h>
#include <string.h>

struct entry {
	uint64_t id; /* FNV-1a of the text, never 0 */
	struct job_blob *blob;
	bool durable;
	struct entry *by_id, *by_ptr; /* hash chains */
};

struct blobs {
	struct entry **ids, **ptrs;
	size_t nb, n;
};

static uint64_t fnv1a(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (len--) {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ull;
	}
	return h ? h : 1;
}

static size_t slot_id(const struct blobs *bl, uint64_t id)
{
	return (size_t)(id ^ (id >> 29)) & (bl->nb - 1);
}

static size_t slot_ptr(const struct blobs *bl, const struct job_blob *b)
{
	uintptr_t v = (uintptr_t)b;

	return (size_t)((v >> 4) * 2654435761u) & (bl->nb - 1);
}

static void put(struct job_blob *b)
{
	if (b && --b->refs == 0)
		free(b);
}

struct blobs *blobs_create(void)
{
	struct blobs *bl = calloc(1, sizeof(*bl));

	if (!bl)
		return NULL;
	bl->nb = 256;
	bl->ids = calloc(bl->nb, sizeof(*bl->ids));
	bl->ptrs = calloc(bl->nb, sizeof(*bl->ptrs));
	if (!bl->ids || !bl->ptrs) {
		blobs_destroy(bl);
		return NULL;
	}
	return bl;
}

static void unlink_entry(struct blobs *bl, struct entry *e)
{
	struct entry **pp;

	for (pp = &bl->ids[slot_id(bl, e->id)]; *pp != e; pp = &(*pp)->by_id)
		;
	*pp = e->by_id;
	for (pp = &bl->ptrs[slot_ptr(bl, e->blob)]; *pp != e;
	     pp = &(*pp)->by_ptr)
		;
	*pp = e->by_ptr;
	bl->n--;
}

void blobs_destroy(struct blobs *bl)
{
	struct entry *e;
	size_t i;

	if (!bl)
		return;
	for (i = 0; bl->ids && i < bl->nb; i++)
		while ((e = bl->ids[i])) {
			bl->ids[i] = e->by_id;
			put(e->blob);
			free(e);
		}
	free(bl->ids);
	free(bl->ptrs);
	free(bl);
}

static struct entry *find_id(struct blobs *bl, uint64_t id)
{
	struct entry *e;

	for (e = bl->ids[slot_id(bl, id)]; e; e = e->by_id)
		if (e->id == id)
			return e;
	return NULL;
}

/* Doubles both tables when they get crowded (still correct if not). */
static void maybe_grow(struct blobs *bl)
{
	struct entry **ids, **ptrs, *e, *next;
	size_t i, nb = bl->nb * 2, old = bl->nb;
	struct entry **oids = bl->ids;

	if (bl->n < bl->nb)
		return;
	ids = calloc(nb, sizeof(*ids));
	ptrs = calloc(nb, sizeof(*ptrs));
	if (!ids || !ptrs) {
		free(ids);
		free(ptrs);
		return;
	}
	free(bl->ptrs);
	bl->ids = ids;
	bl->ptrs = ptrs;
	bl->nb = nb;
	for (i = 0; i < old; i++)
		for (e = oids[i]; e; e = next) {
			next = e->by_id;
			e->by_id = ids[slot_id(bl, e->id)];
			ids[slot_id(bl, e->id)] = e;
			e->by_ptr = ptrs[slot_ptr(bl, e->blob)];
			ptrs[slot_ptr(bl, e->blob)] = e;
		}
	free(oids);
}

uint64_t blobs_intern(struct blobs *bl, struct job_blob **bp)
{
	struct job_blob *b = *bp;
	uint64_t id = fnv1a(b->text, b->len);
	struct entry *e = find_id(bl, id);

	if (e && e->blob == b)
		return id;
	if (e) {
		if (e->blob->len != b->len ||
		    memcmp(e->blob->text, b->text, b->len))
			return 0; /* a collision: not shared */
		e->blob->refs++;
		put(b);
		*bp = e->blob;
		return id;
	}
	if (!(e = calloc(1, sizeof(*e))))
		return 0;
	e->id = id;
	e->blob = b;
	b->refs++;
	e->by_id = bl->ids[slot_id(bl, id)];
	bl->ids[slot_id(bl, id)] = e;
	e->by_ptr = bl->ptrs[slot_ptr(bl, b)];
	bl->ptrs[slot_ptr(bl, b)] = e;
	bl->n++;
	maybe_grow(bl);
	return id;
}

struct job_blob *blobs_get(struct blobs *bl, uint64_t id)
{
	struct entry *e = find_id(bl, id);

	return e ? e->blob : NULL;
}

uint64_t blobs_id_of(struct blobs *bl, const struct job_blob *blob)
{
	struct entry *e;

	for (e = bl->ptrs[slot_ptr(bl, blob)]; e; e = e->by_ptr)
		if (e->blob == blob)
			return e->id;
	return 0;
}

bool blobs_is_durable(struct blobs *bl, uint64_t id)
{
	struct entry *e = find_id(bl, id);

	return e && e->durable;
}

void blobs_set_durable(struct blobs *bl, uint64_t id)
{
	struct entry *e = find_id(bl, id);

	if (e)
		e->durable = true;
}

void blobs_prune(struct blobs *bl,
		 void (*fn)(uint64_t id, const struct job_blob *b, void *arg),
		 void *arg)
{
	struct entry *e, *next;
	size_t i;

	for (i = 0; i < bl->nb; i++)
		for (e = bl->ids[i]; e; e = next) {
			next = e->by_id;
			if (e->blob->refs > 1) {
				if (fn)
					fn(e->id, e->blob, arg);
				continue;
			}
			unlink_entry(bl, e);
			put(e->blob);
			free(e);
		}
}
