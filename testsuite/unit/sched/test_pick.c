/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for pick: socket-aware choice of PUs on a
 * "pack:2 core:4 pu:2" node (PUs 0-7 on socket 0, 8-15 on socket 1). */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* cmocka.h needs stdarg.h, stddef.h and setjmp.h first. */
#include <cmocka.h>

#include "sched/pick.h"

static struct pick_shape shape(void)
{
	struct pick_shape s;

	pick_shape_init(&s, 16, 2, 4, 2);
	return s;
}

/* Picks tasks with r from the PUs not in used_text; the result as text. */
static const char *pick(const char *used_text, const struct pick_req *r,
			uint32_t tasks, char *buf, size_t len)
{
	struct pick_shape s = shape();
	struct lv_cpuset used, out;

	assert_int_equal(lv_cpuset_parse(&used, used_text), 0);
	if (pick_cpus(&s, &used, r, tasks, &out) < 0)
		return "ENOSPC";
	assert_false(lv_cpuset_overlaps(&used, &out));
	assert_true(lv_cpuset_format(&out, buf, len));
	return buf;
}

static void test_pick_shape(void **state)
{
	struct pick_shape s = shape();

	(void)state;
	assert_int_equal(s.pus, 16);
	assert_int_equal(s.threads, 2);
	assert_int_equal(s.pus_per_socket, 8);
	/* A CPUs= cap below the hardware keeps the layout. */
	pick_shape_init(&s, 6, 2, 4, 2);
	assert_int_equal(s.pus, 6);
	assert_int_equal(s.pus_per_socket, 8);
	/* Unknown layout: one socket, one thread per core. */
	pick_shape_init(&s, 3, 0, 0, 0);
	assert_int_equal(s.threads, 1);
	assert_int_equal(s.pus_per_socket, 3);
}

static void test_pick_packs_cores_and_sockets(void **state)
{
	struct pick_req r = { .cpus_per_task = 1 };
	char b[64];

	(void)state;
	assert_string_equal(pick("", &r, 1, b, sizeof(b)), "0");
	/* The other thread of a core already in use comes first. */
	assert_string_equal(pick("0", &r, 1, b, sizeof(b)), "1");
	assert_string_equal(pick("0", &r, 3, b, sizeof(b)), "1-3");
	/* Best fit: the fuller socket when it holds all tasks... */
	assert_string_equal(pick("0-3", &r, 4, b, sizeof(b)), "4-7");
	/* ...else the emptier one. */
	r.cpus_per_task = 2;
	assert_string_equal(pick("0", &r, 4, b, sizeof(b)), "8-15");
	/* Spread: the emptiest socket first. */
	r.cpus_per_task = 1;
	r.spread = true;
	assert_string_equal(pick("0", &r, 1, b, sizeof(b)), "8");
}

static void test_pick_straddles_when_it_must(void **state)
{
	struct pick_req r = { .cpus_per_task = 1 };
	char b[64];

	(void)state;
	assert_string_equal(pick("0-5,8-13", &r, 4, b, sizeof(b)), "6-7,14-15");
	assert_string_equal(pick("", &r, 16, b, sizeof(b)), "0-15");
	assert_string_equal(pick("", &r, 17, b, sizeof(b)), "ENOSPC");
	assert_string_equal(pick("3", &r, 16, b, sizeof(b)), "ENOSPC");
}

static void test_pick_whole_cores(void **state)
{
	struct pick_req r = { .cpus_per_task = 1, .whole_cores = true };
	struct pick_shape s = shape();
	struct lv_cpuset used;
	char b[64];

	(void)state;
	assert_string_equal(pick("", &r, 2, b, sizeof(b)), "0-3");
	/* A core with one thread taken is not whole. */
	assert_string_equal(pick("1", &r, 1, b, sizeof(b)), "2-3");
	assert_int_equal(lv_cpuset_parse(&used, "1,3,5,7"), 0);
	assert_int_equal(pick_capacity(&s, &used, &r), 4);
}

static void test_pick_tasks_per_socket(void **state)
{
	struct pick_req r = { .cpus_per_task = 1, .tasks_per_socket = 2 };
	struct pick_shape s = shape();
	struct lv_cpuset used;
	char b[64];

	(void)state;
	assert_string_equal(pick("", &r, 4, b, sizeof(b)), "0-1,8-9");
	assert_string_equal(pick("", &r, 5, b, sizeof(b)), "ENOSPC");
	lv_cpuset_zero(&used);
	assert_int_equal(pick_capacity(&s, &used, &r), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pick_shape),
		cmocka_unit_test(test_pick_packs_cores_and_sockets),
		cmocka_unit_test(test_pick_straddles_when_it_must),
		cmocka_unit_test(test_pick_whole_cores),
		cmocka_unit_test(test_pick_tasks_per_socket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
