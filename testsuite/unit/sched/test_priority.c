/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the multifactor priority formula and fair share: the
 * factors, the weighted sum, usage decay with the half-life, and the
 * fair-share tree built from AccountName= lines. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* cmocka.h needs stdarg.h, stddef.h and setjmp.h first. */
#include <cmocka.h>

#include "common/conf.h"
#include "sched/fairshare.h"
#include "sched/job.h"
#include "sched/priority.h"

#define EPS 1e-9

static struct lv_conf *conf_of(const char *extra)
{
	struct lv_error err = {0};
	char text[2048];
	struct lv_conf *c;

	snprintf(text, sizeof(text),
		 "ControllerHost=localhost\nNodeName=n[1-4] CPUs=8\n"
		 "PartitionName=p Nodes=ALL Default=YES\n%s",
		 extra);
	c = lv_conf_parse(text, "test.conf", &err);
	if (!c)
		fail_msg("config: %s", err.text);
	return c;
}

static void test_age_factor_grows_then_caps(void **state)
{
	(void)state;
	/* PriorityMaxAge=60 minutes: half after 30 minutes, 1 after. */
	assert_float_equal(priority_age_factor(1000, 1000 + 1800, 60), 0.5,
			   EPS);
	assert_float_equal(priority_age_factor(1000, 1000 + 7200, 60), 1.0,
			   EPS);
	assert_float_equal(priority_age_factor(1000, 900, 60), 0.0, EPS);
	/* Not yet eligible: no age. */
	assert_float_equal(priority_age_factor(0, 5000, 60), 0.0, EPS);
}

static void test_size_factor_favor_small(void **state)
{
	struct prio_totals t = {.nodes = 4, .cpus = 32};

	(void)state;
	/* The larger of the node and CPU fractions. */
	assert_float_equal(priority_size_factor(1, 16, &t, false), 0.5, EPS);
	assert_float_equal(priority_size_factor(2, 2, &t, false), 0.5, EPS);
	assert_float_equal(priority_size_factor(4, 32, &t, false), 1.0, EPS);
	/* PriorityFavorSmall inverts it. */
	assert_float_equal(priority_size_factor(1, 8, &t, true), 0.75, EPS);
	assert_float_equal(priority_size_factor(4, 64, &t, true), 0.0, EPS);
}

static void test_combine_weights_nice_and_admin(void **state)
{
	struct lv_conf *c = conf_of("PriorityWeightAge=1000\n"
				    "PriorityWeightFairshare=10000\n"
				    "PriorityWeightJobSize=100\n"
				    "PriorityWeightPartition=2000\n"
				    "PriorityWeightQOS=5000\n");
	struct prio_factors f = {.age = 0.5,
				 .fairshare = 0.25,
				 .jobsize = 1.0,
				 .partition = 1.0,
				 .qos = 0.2};

	(void)state;
	assert_int_equal(priority_combine(c, &f),
			 500 + 2500 + 100 + 2000 + 1000);
	f.nice = 100;
	assert_int_equal(priority_combine(c, &f), 6100 - 100);
	/* Never below 1: 0 means held. */
	f.nice = 10000;
	assert_int_equal(priority_combine(c, &f), 1);
	/* An administrator's priority replaces the sum. */
	f.admin = 42;
	assert_int_equal(priority_combine(c, &f), 42);
	lv_conf_destroy(c);
}

static void test_decay_half_life(void **state)
{
	(void)state;
	assert_float_equal(fairshare_decay(1000, 3600, 3600), 500, 1e-6);
	assert_float_equal(fairshare_decay(1000, 7200, 3600), 250, 1e-6);
	assert_float_equal(fairshare_decay(1000, 0, 3600), 1000, 1e-6);
	/* Factor: 2^(-usage/shares). */
	assert_float_equal(fairshare_formula(0, 0.5), 1.0, EPS);
	assert_float_equal(fairshare_formula(0.5, 0.5), 0.5, EPS);
	assert_float_equal(fairshare_formula(1.0, 0.25), 1.0 / 16, EPS);
}

static const char *tree =
	"PriorityDecayHalfLife=60\n"
	"AccountName=physics Fairshare=30 Users=alice,bob\n"
	"AccountName=chem Fairshare=10 Users=carol\n"
	"AccountName=theory Parent=physics Fairshare=10 Users=dave\n";

static void test_fairshare_tree_and_usage(void **state)
{
	struct lv_conf *c = conf_of(tree);
	struct fairshare *fs = fairshare_create(c, 1000);
	json_t *rows;

	(void)state;
	assert_non_null(fs);
	assert_true(fairshare_has_accounts(fs));
	assert_string_equal(fairshare_default_account(fs, "carol"), "chem");
	assert_true(fairshare_user_may_use(fs, "physics", "alice"));
	assert_false(fairshare_user_may_use(fs, "chem", "alice"));
	assert_false(fairshare_user_may_use(fs, "nosuch", "alice"));
	/* No usage yet: everyone 1.0. */
	assert_float_equal(fairshare_factor(fs, "physics", "alice", 1000), 1.0,
			   EPS);
	/* alice used everything: her share of physics' 3/4 is 1/3 (alice,
	 * bob and theory at 1, 1, 10 shares -> 1/12 each for the users). */
	assert_int_equal(fairshare_charge(fs, "physics", "alice", 3600, 1000),
			 0);
	assert_float_equal(fairshare_factor(fs, "physics", "alice", 1000),
			   exp2(-1.0 / (0.75 * 1.0 / 12.0)), 1e-9);
	assert_float_equal(fairshare_factor(fs, "physics", "bob", 1000), 1.0,
			   EPS);
	/* carol's usage makes alice's smaller in relative terms. */
	assert_int_equal(fairshare_charge(fs, "chem", "carol", 3600, 1000), 0);
	assert_float_equal(fairshare_factor(fs, "physics", "alice", 1000),
			   exp2(-0.5 / (0.75 / 12.0)), 1e-9);
	assert_true(fairshare_factor(fs, "chem", "carol", 1000) >
		    fairshare_factor(fs, "physics", "alice", 1000));
	/* Rows: root, physics, theory (dave), alice, bob, chem, carol. */
	rows = fairshare_to_json(fs, 1000, NULL, NULL, true);
	assert_int_equal(json_array_size(rows), 8);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(rows, 0), "account")),
			    "root");
	json_decref(rows);
	rows = fairshare_to_json(fs, 1000, NULL, "chem", true);
	assert_int_equal(json_array_size(rows), 2);
	json_decref(rows);
	fairshare_destroy(fs);
	lv_conf_destroy(c);
}

static void test_fairshare_usage_decays_over_time(void **state)
{
	struct lv_conf *c = conf_of(tree);
	struct fairshare *fs = fairshare_create(c, 0);
	json_t *rows, *r;
	size_t i;
	double raw = -1;

	(void)state;
	assert_int_equal(fairshare_charge(fs, "chem", "carol", 8000, 0), 0);
	/* Two half-lives (60 minutes each) later: a quarter remains. */
	rows = fairshare_to_json(fs, 7200, "carol", "chem", false);
	json_array_foreach(rows, i, r) {
		if (json_object_get(r, "user"))
			raw = (double)json_integer_value(
				json_object_get(r, "raw_usage"));
	}
	assert_float_equal(raw, 2000, 1);
	json_decref(rows);
	/* Usage charged later is not decayed, older usage is: the charge at
	 * 7200 counts four times as much as the first one by then. */
	assert_int_equal(fairshare_charge(fs, "physics", "alice", 2000, 7200),
			 0);
	assert_float_equal(fairshare_factor(fs, "chem", "carol", 7200),
			   exp2(-0.5 / 0.25), 1e-9);
	fairshare_destroy(fs);
	lv_conf_destroy(c);
}

static void test_fairshare_rebuild_keeps_usage(void **state)
{
	struct lv_conf *c = conf_of(tree), *c2;
	struct fairshare *fs = fairshare_create(c, 0), *fs2;
	double before;

	(void)state;
	assert_int_equal(fairshare_charge(fs, "physics", "bob", 500, 0), 0);
	assert_int_equal(fairshare_charge(fs, NULL, "eve", 500, 0), 0);
	before = fairshare_factor(fs, "physics", "bob", 0);
	c2 = conf_of(tree);
	fs2 = fairshare_rebuild(fs, c2, 0);
	assert_non_null(fs2);
	assert_float_equal(fairshare_factor(fs2, "physics", "bob", 0), before,
			   EPS);
	/* eve was added under root on the fly and comes back. */
	assert_true(fairshare_factor(fs2, NULL, "eve", 0) < 1.0);
	fairshare_destroy(fs);
	fairshare_destroy(fs2);
	lv_conf_destroy(c);
	lv_conf_destroy(c2);
}

static void test_fairshare_save_and_load(void **state)
{
	struct lv_conf *c = conf_of(tree);
	struct fairshare *fs = fairshare_create(c, 0), *fs2, *fs3;
	struct lv_error err = {0};
	char path[] = "/tmp/test_priority.XXXXXX";
	int fd = mkstemp(path);
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(fairshare_charge(fs, "chem", "carol", 7200, 0), 0);
	assert_int_equal(fairshare_charge(fs, NULL, "eve", 2400, 0), 0);
	fairshare_set_charged_until(fs, 100);
	assert_true(fairshare_save_due(fs, 0, true));
	assert_int_equal(fairshare_save(fs, path, 0, &err), 0);
	assert_false(fairshare_save_due(fs, 0, true));
	/* Read back an hour later: one half-life of decay, same ratios. */
	fs2 = fairshare_create(c, 3600);
	assert_int_equal(fairshare_load(fs2, path, 3600, &err), 0);
	assert_int_equal(fairshare_charged_until(fs2), 100);
	assert_float_equal(fairshare_factor(fs2, "chem", "carol", 3600),
			   fairshare_factor(fs, "chem", "carol", 3600), 1e-9);
	assert_true(fairshare_factor(fs2, NULL, "eve", 3600) < 1.0);
	/* A missing file is no error; a broken one is. */
	unlink(path);
	fs3 = fairshare_create(c, 0);
	assert_int_equal(fairshare_load(fs3, path, 0, &err), 0);
	assert_non_null(f = fopen(path, "w"));
	fputs("{not json", f);
	fclose(f);
	assert_int_equal(fairshare_load(fs3, path, 0, &err), -EINVAL);
	assert_non_null(strstr(err.text, path));
	unlink(path);
	fairshare_destroy(fs);
	fairshare_destroy(fs2);
	fairshare_destroy(fs3);
	lv_conf_destroy(c);
}

static void test_conf_rejects_bad_lines(void **state)
{
	static const char *const bad[] = {
		"AccountName=a Parent=nosuch\n",
		"AccountName=a Parent=b\nAccountName=b Parent=a\n",
		"AccountName=root\n",
		"AccountName=a Fairshare=x\n",
		"QOS=high Preempt=nosuch\n",
		"QOS=high MaxTRESPerUser=gpu=1\n",
		"QOS=high PreemptMode=SUSPEND\n",
		"QOS=a\nQOS=a\n",
		"PreemptType=preempt/magic\n",
	};
	struct lv_error err = {0};
	char text[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		snprintf(text, sizeof(text),
			 "ControllerHost=h\nNodeName=n1\n%s", bad[i]);
		assert_null(lv_conf_parse(text, "t.conf", &err));
		assert_true(err.text[0] != 0);
	}
}

static void test_conf_qos_fields(void **state)
{
	struct lv_conf *c = conf_of(
		"PreemptType=preempt/qos\nPreemptMode=REQUEUE\n"
		"QOS=normal\n"
		"QOS=high Priority=100 MaxJobsPerUser=2 MaxSubmitJobsPerUser=5 "
		"MaxTRESPerUser=cpu=16,node=2 MaxWall=1:00:00 Preempt=normal "
		"PreemptMode=CANCEL\n");
	const struct lv_conf_qos *q = lv_conf_find_qos(c, "high");

	(void)state;
	assert_non_null(q);
	assert_int_equal(q->priority, 100);
	assert_int_equal(q->max_jobs_pu, 2);
	assert_int_equal(q->max_submit_pu, 5);
	assert_int_equal(q->max_cpus_pu, 16);
	assert_int_equal(q->max_nodes_pu, 2);
	assert_int_equal(q->max_wall, 60);
	assert_string_equal(q->preempt, "normal");
	assert_string_equal(q->preempt_mode, "CANCEL");
	assert_string_equal(c->preempt_type, "preempt/qos");
	assert_null(lv_conf_find_qos(c, "low"));
	lv_conf_destroy(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_age_factor_grows_then_caps),
		cmocka_unit_test(test_size_factor_favor_small),
		cmocka_unit_test(test_combine_weights_nice_and_admin),
		cmocka_unit_test(test_decay_half_life),
		cmocka_unit_test(test_fairshare_tree_and_usage),
		cmocka_unit_test(test_fairshare_usage_decays_over_time),
		cmocka_unit_test(test_fairshare_rebuild_keeps_usage),
		cmocka_unit_test(test_fairshare_save_and_load),
		cmocka_unit_test(test_conf_rejects_bad_lines),
		cmocka_unit_test(test_conf_qos_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
