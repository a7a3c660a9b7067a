/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for gres: GPU requests and index lists. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* cmocka.h needs stdarg.h, stddef.h and setjmp.h first. */
#include <cmocka.h>

#include "sched/gres.h"
#include "sched/job.h"

static void test_gres_parse_gpus(void **state)
{
	struct lv_error err = {0};
	uint32_t n;

	(void)state;
	assert_int_equal(gres_parse_gpus("gpu:2", &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(gres_parse_gpus("gpu:a100:3", &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(gres_parse_gpus("gpu", &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(gres_parse_gpus("fpga:1", &n, &err), -EINVAL);
	assert_string_equal(err.text,
			    "Invalid generic resource (gres) specification: fpga:1");
	assert_int_equal(gres_parse_gpus("gpu:x", &n, &err), -EINVAL);
	assert_int_equal(gres_parse_gpus("gpus:1", &n, &err), -EINVAL);
	assert_int_equal(gres_parse_per_task("2", &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(gres_parse_per_task("v100:1", &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(gres_parse_per_task("two", &n, &err), -EINVAL);
}

static void test_gres_ids(void **state)
{
	struct grant g = { .gpus = 0xb };
	char buf[64];
	uint64_t m;
	json_t *e = json_object();

	(void)state;
	gres_ids_format(0xb, buf, sizeof(buf));
	assert_string_equal(buf, "0,1,3");
	assert_int_equal(gres_ids_parse(buf, &m), 0);
	assert_int_equal(m, 0xb);
	assert_int_equal(gres_ids_parse("64", &m), -EINVAL);
	grant_gpus_json(&g, e);
	assert_string_equal(json_string_value(json_object_get(e, "gres")),
			    "gpu:3(IDX:0-1,3)");
	json_decref(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gres_parse_gpus),
		cmocka_unit_test(test_gres_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
