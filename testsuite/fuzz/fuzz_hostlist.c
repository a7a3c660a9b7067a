/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: hostlist expressions expand, compress and expand
 * again to the same hosts. */
#include "config.h"

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hostlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of hl, sorted bytewise, in an array the caller frees. */
static const char **sorted_names(const struct lv_hostlist *hl)
{
	size_t n = lv_hostlist_count(hl);
	const char **v = malloc((n ? n : 1) * sizeof(*v));

	if (!v)
		abort();
	for (size_t i = 0; i < n; i++)
		v[i] = lv_hostlist_nth(hl, i);
	qsort(v, n, sizeof(*v), cmp_str);
	return v;
}

/* ranged_string keeps every host (duplicates too) and only regroups
 * them, so both lists must hold the same multiset of names. */
static void check_same_hosts(const struct lv_hostlist *a,
			     const struct lv_hostlist *b)
{
	size_t n = lv_hostlist_count(a);
	const char **va, **vb;

	assert(n == lv_hostlist_count(b));
	va = sorted_names(a);
	vb = sorted_names(b);
	for (size_t i = 0; i < n; i++)
		assert(strcmp(va[i], vb[i]) == 0);
	free(va);
	free(vb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lv_error err = {0};
	struct lv_hostlist *hl, *again;
	char *expr, *ranged;

	if (!(expr = malloc(size + 1)))
		abort();
	memcpy(expr, data, size);
	expr[size] = '\0';
	hl = lv_hostlist_create(expr, &err);
	free(expr);
	if (!hl) {
		assert(err.code < 0 && err.text[0]);
		return 0;
	}
	assert(lv_hostlist_count(hl) <= LV_HOSTLIST_MAX);
	if (!(ranged = lv_hostlist_ranged_string(hl)))
		abort();
	if (!(again = lv_hostlist_create(ranged, &err))) {
		/* What ranged_string writes must parse: report it. */
		fprintf(stderr, "ranged string \"%s\" does not parse: %s\n",
			ranged, err.text);
		abort();
	}
	check_same_hosts(hl, again);
	lv_hostlist_uniq(again);
	assert(lv_hostlist_count(again) <= lv_hostlist_count(hl));
	free(ranged);
	lv_hostlist_destroy(again);
	lv_hostlist_destroy(hl);
	return 0;
}
