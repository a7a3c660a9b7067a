/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lv_cpuset: list and mask text. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* cmocka.h needs stdarg.h, stddef.h and setjmp.h first. */
#include <cmocka.h>

#include "common/cpuset.h"

static void test_cpuset_list_round_trip(void **state)
{
	struct lv_cpuset s;
	char buf[64];

	(void)state;
	assert_int_equal(lv_cpuset_parse(&s, "0-3,8,10-11"), 0);
	assert_int_equal(lv_cpuset_count(&s), 7);
	assert_true(lv_cpuset_format(&s, buf, sizeof(buf)));
	assert_string_equal(buf, "0-3,8,10-11");
	assert_int_equal(lv_cpuset_next(&s, 4), 8);
	assert_int_equal(lv_cpuset_next(&s, 12), -1);
	assert_int_equal(lv_cpuset_parse(&s, ""), 0);
	assert_true(lv_cpuset_empty(&s));
	assert_true(lv_cpuset_format(&s, buf, sizeof(buf)));
	assert_string_equal(buf, "");
	assert_false(lv_cpuset_format(&s, buf, 0));
}

static void test_cpuset_rejects_bad_text(void **state)
{
	struct lv_cpuset s;

	(void)state;
	assert_int_equal(lv_cpuset_parse(&s, "3-1"), -EINVAL);
	assert_int_equal(lv_cpuset_parse(&s, "a"), -EINVAL);
	assert_int_equal(lv_cpuset_parse(&s, "1,"), 0); /* trailing comma ends */
	assert_int_equal(lv_cpuset_parse(&s, "1-"), -EINVAL);
	assert_int_equal(lv_cpuset_parse(&s, "1024"), -EINVAL);
}

static void test_cpuset_mask(void **state)
{
	struct lv_cpuset s;
	char buf[32];

	(void)state;
	assert_int_equal(lv_cpuset_parse(&s, "0,4-5,9"), 0);
	assert_true(lv_cpuset_format_mask(&s, buf, sizeof(buf)));
	assert_string_equal(buf, "0x231");
	lv_cpuset_zero(&s);
	assert_true(lv_cpuset_format_mask(&s, buf, sizeof(buf)));
	assert_string_equal(buf, "0x0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpuset_list_round_trip),
		cmocka_unit_test(test_cpuset_rejects_bad_text),
		cmocka_unit_test(test_cpuset_mask),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
