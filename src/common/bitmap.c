/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fixed-size bitmaps stored as 64-bit words, with "0-3,8" list text. */
#include "config.h"

#include "common/bitmap.h"

#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORD_BITS 64

/* Bits past nbits in the last word are always zero, so count, equal and
 * next_set never need to mask them. */
struct lv_bitmap {
	size_t nbits;
	size_t nwords;
	uint64_t words[];
};

static size_t word_of(size_t bit)
{
	return bit / WORD_BITS;
}

static uint64_t mask_of(size_t bit)
{
	return UINT64_C(1) << (bit % WORD_BITS);
}

/* Mask of the valid bits in the last word. */
static uint64_t tail_mask(const struct lv_bitmap *b)
{
	size_t rem = b->nbits % WORD_BITS;

	return rem ? (UINT64_C(1) << rem) - 1 : UINT64_MAX;
}

struct lv_bitmap *lv_bitmap_create(size_t nbits)
{
	struct lv_bitmap *b;
	size_t nwords, size;

	if (nbits > SIZE_MAX - (WORD_BITS - 1))
		return NULL;
	nwords = (nbits + WORD_BITS - 1) / WORD_BITS;
	if (__builtin_mul_overflow(nwords, sizeof(uint64_t), &size) ||
	    __builtin_add_overflow(size, sizeof(*b), &size))
		return NULL;
	if (!(b = calloc(1, size)))
		return NULL;
	b->nbits = nbits;
	b->nwords = nwords;
	return b;
}

void lv_bitmap_destroy(struct lv_bitmap *b)
{
	free(b);
}

struct lv_bitmap *lv_bitmap_dup(const struct lv_bitmap *b)
{
	struct lv_bitmap *copy;

	if (!(copy = lv_bitmap_create(b->nbits)))
		return NULL;
	memcpy(copy->words, b->words, b->nwords * sizeof(uint64_t));
	return copy;
}

size_t lv_bitmap_size(const struct lv_bitmap *b)
{
	return b->nbits;
}

void lv_bitmap_set(struct lv_bitmap *b, size_t bit)
{
	assert(bit < b->nbits);
	b->words[word_of(bit)] |= mask_of(bit);
}

void lv_bitmap_clear(struct lv_bitmap *b, size_t bit)
{
	assert(bit < b->nbits);
	b->words[word_of(bit)] &= ~mask_of(bit);
}

bool lv_bitmap_test(const struct lv_bitmap *b, size_t bit)
{
	assert(bit < b->nbits);
	return b->words[word_of(bit)] & mask_of(bit);
}

void lv_bitmap_set_all(struct lv_bitmap *b)
{
	if (!b->nwords)
		return;
	memset(b->words, 0xff, b->nwords * sizeof(uint64_t));
	b->words[b->nwords - 1] &= tail_mask(b);
}

void lv_bitmap_clear_all(struct lv_bitmap *b)
{
	memset(b->words, 0, b->nwords * sizeof(uint64_t));
}

size_t lv_bitmap_count(const struct lv_bitmap *b)
{
	size_t n = 0;

	for (size_t i = 0; i < b->nwords; i++)
		n += (size_t)__builtin_popcountll(b->words[i]);
	return n;
}

/* First bit at or after from whose value is set, in words XORed with
 * flip (0 finds set bits, all-ones finds clear bits). */
static long next_bit(const struct lv_bitmap *b, size_t from, uint64_t flip)
{
	size_t w, bit;
	uint64_t word;

	if (from >= b->nbits)
		return -1;
	w = word_of(from);
	word = (b->words[w] ^ flip) & (UINT64_MAX << (from % WORD_BITS));
	while (!word) {
		if (++w >= b->nwords)
			return -1;
		word = b->words[w] ^ flip;
	}
	bit = w * WORD_BITS + (size_t)__builtin_ctzll(word);
	/* A clear-bit search can land on the zero padding past nbits. */
	return bit < b->nbits ? (long)bit : -1;
}

long lv_bitmap_next_set(const struct lv_bitmap *b, size_t from)
{
	return next_bit(b, from, 0);
}

long lv_bitmap_next_clear(const struct lv_bitmap *b, size_t from)
{
	return next_bit(b, from, UINT64_MAX);
}

void lv_bitmap_and(struct lv_bitmap *dst, const struct lv_bitmap *src)
{
	assert(dst->nbits == src->nbits);
	for (size_t i = 0; i < dst->nwords; i++)
		dst->words[i] &= src->words[i];
}

void lv_bitmap_or(struct lv_bitmap *dst, const struct lv_bitmap *src)
{
	assert(dst->nbits == src->nbits);
	for (size_t i = 0; i < dst->nwords; i++)
		dst->words[i] |= src->words[i];
}

void lv_bitmap_andnot(struct lv_bitmap *dst, const struct lv_bitmap *src)
{
	assert(dst->nbits == src->nbits);
	for (size_t i = 0; i < dst->nwords; i++)
		dst->words[i] &= ~src->words[i];
}

bool lv_bitmap_equal(const struct lv_bitmap *a, const struct lv_bitmap *b)
{
	assert(a->nbits == b->nbits);
	return !memcmp(a->words, b->words, a->nwords * sizeof(uint64_t));
}

bool lv_bitmap_is_subset(const struct lv_bitmap *a, const struct lv_bitmap *b)
{
	assert(a->nbits == b->nbits);
	for (size_t i = 0; i < a->nwords; i++) {
		if (a->words[i] & ~b->words[i])
			return false;
	}
	return true;
}

bool lv_bitmap_overlaps(const struct lv_bitmap *a, const struct lv_bitmap *b)
{
	assert(a->nbits == b->nbits);
	for (size_t i = 0; i < a->nwords; i++) {
		if (a->words[i] & b->words[i])
			return true;
	}
	return false;
}

/* Appends "lo" or "lo-hi" (with a leading comma after the first). */
static int append_run(char **buf, size_t *len, size_t *cap, size_t lo,
		      size_t hi)
{
	char tmp[2 * 24 + 2];
	int n;

	if (lo == hi)
		n = snprintf(tmp, sizeof(tmp), "%s%zu", *len ? "," : "", lo);
	else
		n = snprintf(tmp, sizeof(tmp), "%s%zu-%zu", *len ? "," : "", lo,
			     hi);
	if (*len + (size_t)n + 1 > *cap) {
		size_t ncap = *cap * 2 + (size_t)n + 1;
		char *nbuf = realloc(*buf, ncap);

		if (!nbuf)
			return -ENOMEM;
		*buf = nbuf;
		*cap = ncap;
	}
	memcpy(*buf + *len, tmp, (size_t)n + 1);
	*len += (size_t)n;
	return 0;
}

char *lv_bitmap_format_list(const struct lv_bitmap *b)
{
	size_t len = 0, cap = 64;
	char *buf;
	long lo, end;

	if (!(buf = malloc(cap)))
		return NULL;
	buf[0] = '\0';
	for (lo = lv_bitmap_next_set(b, 0); lo >= 0;
	     lo = lv_bitmap_next_set(b, (size_t)end)) {
		end = lv_bitmap_next_clear(b, (size_t)lo);
		if (end < 0)
			end = (long)b->nbits;
		if (append_run(&buf, &len, &cap, (size_t)lo, (size_t)end - 1) <
		    0) {
			free(buf);
			return NULL;
		}
	}
	return buf;
}

/* Reads a decimal bit number, saturating at SIZE_MAX.  False when *p does
 * not start with a digit. */
static bool read_bit(const char **p, size_t *bit)
{
	const char *s = *p;
	size_t v = 0;

	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (size_t)(*s - '0'), &v))
			v = SIZE_MAX;
	}
	*p = s;
	*bit = v;
	return true;
}

/* Reads one "lo" or "lo-hi" element ending at ',' or the end. */
static int read_run(const struct lv_bitmap *b, const char *list, const char **p,
		    size_t *lo, size_t *hi, struct lv_error *err)
{
	const char *s = *p;

	if (!read_bit(&s, lo))
		goto out_syntax;
	*hi = *lo;
	if (*s == '-') {
		s++;
		if (!read_bit(&s, hi))
			goto out_syntax;
	}
	if (*s != ',' && *s != '\0')
		goto out_syntax;
	if (*lo > *hi)
		return lv_errorf(
			err, -EINVAL,
			"bitmap: bad list \"%s\": range %zu-%zu is descending",
			list, *lo, *hi);
	if (*hi >= b->nbits && *hi == SIZE_MAX)
		return lv_errorf(
			err, -EINVAL,
			"bitmap: bad list \"%s\": bit number too large", list);
	if (*hi >= b->nbits)
		return lv_errorf(
			err, -EINVAL,
			"bitmap: bad list \"%s\": bit %zu is past the size %zu",
			list, *hi, b->nbits);
	*p = s;
	return 0;
out_syntax:
	return lv_errorf(
		err, -EINVAL,
		"bitmap: bad list \"%s\": expected N or N-M at offset %zu",
		list, (size_t)(s - list));
}

/* Walks the list, checking it; sets the bits only when apply is true, so
 * a bad list can be refused before anything changes. */
static int walk_list(struct lv_bitmap *b, const char *list, bool apply,
		     struct lv_error *err)
{
	const char *p = list;
	size_t lo = 0, hi = 0;

	if (!*p)
		return 0;
	for (;;) {
		if (read_run(b, list, &p, &lo, &hi, err) < 0)
			return -EINVAL;
		for (size_t bit = lo; apply && bit <= hi; bit++)
			lv_bitmap_set(b, bit);
		if (!*p)
			return 0;
		p++;
	}
}

int lv_bitmap_parse_list(struct lv_bitmap *b, const char *s,
			 struct lv_error *err)
{
	if (walk_list(b, s, false, err) < 0)
		return -EINVAL;
	return walk_list(b, s, true, err);
}
