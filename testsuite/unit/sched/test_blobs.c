/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for blobs: submitted descriptions shared by content. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs stdarg.h, stddef.h and setjmp.h first. */
#include <cmocka.h>

#include "sched/blobs.h"
#include "sched/jobstate.h"

static struct job_blob *mk(const char *s)
{
	struct job_blob *b = jobstate_blob(s, strlen(s));

	assert_non_null(b);
	return b;
}

static void put(struct job_blob *b)
{
	if (--b->refs == 0)
		free(b);
}

static void test_blobs_intern_shares_same_text(void **state)
{
	struct blobs *bl = blobs_create();
	struct job_blob *a = mk("{\"script\":\"#!/bin/sh\"}"),
			*b = mk("{\"script\":\"#!/bin/sh\"}");
	struct job_blob *first = a;
	uint64_t ida, idb;

	(void)state;
	ida = blobs_intern(bl, &a);
	assert_true(ida != 0);
	assert_ptr_equal(a, first);
	assert_int_equal(a->refs, 2); /* the job's and the table's */
	idb = blobs_intern(bl, &b);
	assert_int_equal(idb, ida);
	assert_ptr_equal(b, first); /* b's own copy was dropped */
	assert_int_equal(first->refs, 3);
	assert_ptr_equal(blobs_get(bl, ida), first);
	assert_int_equal(blobs_id_of(bl, first), ida);
	put(a);
	put(b);
	blobs_destroy(bl);
}

static void test_blobs_intern_different_texts(void **state)
{
	struct blobs *bl = blobs_create();
	struct job_blob *a = mk("one"), *b = mk("two");
	uint64_t ida = blobs_intern(bl, &a), idb = blobs_intern(bl, &b);

	(void)state;
	assert_true(ida && idb && ida != idb);
	assert_ptr_not_equal(a, b);
	assert_int_equal(blobs_id_of(bl, b), idb);
	put(a);
	put(b);
	blobs_destroy(bl);
}

static void test_blobs_durable(void **state)
{
	struct blobs *bl = blobs_create();
	struct job_blob *a = mk("text");
	uint64_t id = blobs_intern(bl, &a);

	(void)state;
	assert_false(blobs_is_durable(bl, id));
	blobs_set_durable(bl, id);
	assert_true(blobs_is_durable(bl, id));
	assert_false(blobs_is_durable(bl, id + 1));
	put(a);
	blobs_destroy(bl);
}

static void count_cb(uint64_t id, const struct job_blob *b, void *arg)
{
	(void)id;
	(void)b;
	(*(int *)arg)++;
}

static void test_blobs_prune_drops_unheld(void **state)
{
	struct blobs *bl = blobs_create();
	struct job_blob *a = mk("held"), *b = mk("dropped");
	uint64_t ida = blobs_intern(bl, &a), idb = blobs_intern(bl, &b);
	int n = 0;

	(void)state;
	put(b); /* its job is gone: only the table holds it */
	blobs_prune(bl, count_cb, &n);
	assert_int_equal(n, 1);
	assert_non_null(blobs_get(bl, ida));
	assert_null(blobs_get(bl, idb));
	put(a);
	blobs_destroy(bl);
}

static void test_blobs_many_grow(void **state)
{
	struct blobs *bl = blobs_create();
	struct job_blob *v[2000];
	uint64_t ids[2000];
	char buf[32];
	int i;

	(void)state;
	for (i = 0; i < 2000; i++) {
		snprintf(buf, sizeof(buf), "blob %d", i);
		v[i] = mk(buf);
		ids[i] = blobs_intern(bl, &v[i]);
		assert_true(ids[i] != 0);
	}
	for (i = 0; i < 2000; i++) {
		assert_ptr_equal(blobs_get(bl, ids[i]), v[i]);
		assert_int_equal(blobs_id_of(bl, v[i]), ids[i]);
	}
	for (i = 0; i < 2000; i++)
		put(v[i]);
	blobs_destroy(bl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blobs_intern_shares_same_text),
		cmocka_unit_test(test_blobs_intern_different_texts),
		cmocka_unit_test(test_blobs_durable),
		cmocka_unit_test(test_blobs_prune_drops_unheld),
		cmocka_unit_test(test_blobs_many_grow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
