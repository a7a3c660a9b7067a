/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for jobstate: jobs to the journal's JSON and back, field for
 * field, with grants by node name. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs stdarg.h, stddef.h and setjmp.h first. */
#include <cmocka.h>

#include "common/bitmap.h"
#include "common/timefmt.h"
#include "sched/jobstate.h"

static const char *const node_names[] = {"n1", "n2", "n3"};
static bool n2_gone;

static const char *name_of(size_t i, void *arg)
{
	(void)arg;
	return i < 3 ? node_names[i] : NULL;
}

static long index_of(const char *name, void *arg)
{
	long i;

	(void)arg;
	for (i = 0; i < 3; i++)
		if (!strcmp(name, node_names[i]))
			return n2_gone && i == 1 ? -1 : i;
	return -1;
}

static const struct jobstate_nodes nodes = {name_of, index_of, NULL};

static struct job *sample_job(void)
{
	struct job *j = calloc(1, sizeof(*j));
	const char *desc =
		"{\"script\":\"#!/bin/sh\\ntrue\\n\",\"env\":{\"A\":\"b\\tc\"}}";

	assert_non_null(j);
	j->id = 42;
	j->uid = 1000;
	j->gid = 100;
	j->kind = strdup("batch");
	j->name = strdup("my job");
	j->user = strdup("alice");
	j->account = strdup("proj");
	j->comment = strdup("a \"quoted\" comment");
	j->partition = strdup("debug");
	j->work_dir = strdup("/home/alice");
	j->std_out = strdup("/tmp/out-%j");
	j->command = strdup("/home/alice/run.sh");
	j->dep_text = strdup("afterok:5:6");
	j->req.nodes_min = 2;
	j->req.nodes_max = 3;
	j->req.ntasks = 4;
	j->req.ntasks_per_node = 2;
	j->req.cpus_per_task = 1;
	j->req.mem_per_cpu = 512;
	j->req.time_limit = LV_TIME_UNLIMITED;
	j->req.exclusive = true;
	j->req.nodelist = strdup("n[1-2]");
	j->requeue = true;
	j->held = true;
	j->held_by_admin = true;
	j->begin_time = 1900000000;
	j->state = JOB_PENDING;
	j->reason = REASON_HELD_ADMIN;
	j->submit_time = 1800000000;
	j->priority = 12345;
	j->qos = strdup("high");
	j->nice = -50;
	j->prio_admin = 777;
	j->restarts = 2;
	j->next_step_id = 7;
	j->blob = jobstate_blob(desc, strlen(desc));
	return j;
}

static void give_grants(struct job *j)
{
	j->grants = calloc(2, sizeof(*j->grants));
	j->n_grants = 2;
	j->grants[0] = (struct grant){
		.node = 0, .cpus = 2, .tasks = 2, .mem_mb = 1024};
	j->grants[1] = (struct grant){
		.node = 1, .cpus = 3, .tasks = 2, .mem_mb = 2048, .gpus = 0x5};
	assert_int_equal(lv_cpuset_parse(&j->grants[1].pus, "1,4-5"), 0);
	j->state = JOB_RUNNING;
	j->reason = REASON_NONE;
	j->start_time = 1800000100;
	j->held = j->held_by_admin = false;
}

static struct job *round_trip(const struct job *j, bool blob, bool *missing)
{
	struct lv_error err = {0};
	json_t *o = job_to_state_json(j, blob, &nodes);
	bool bound;
	struct job *back;

	assert_non_null(o);
	back = job_from_state_json(o, &nodes, missing, &bound, &err);
	assert_non_null(back);
	json_decref(o);
	return back;
}

static void test_job_from_state_json_round_trip(void **state)
{
	struct job *j = sample_job(), *b;
	json_t *o1, *o2;
	bool missing;

	(void)state;
	b = round_trip(j, true, &missing);
	assert_false(missing);
	assert_int_equal(b->id, 42);
	assert_int_equal(b->uid, 1000);
	assert_int_equal(b->gid, 100);
	assert_string_equal(b->name, "my job");
	assert_string_equal(b->comment, "a \"quoted\" comment");
	assert_string_equal(b->std_out, "/tmp/out-%j");
	assert_null(b->std_err);
	assert_string_equal(b->dep_text, "afterok:5:6");
	assert_non_null(b->dep);
	assert_int_equal(b->req.nodes_min, 2);
	assert_int_equal(b->req.nodes_max, 3);
	assert_int_equal(b->req.ntasks_per_node, 2);
	assert_int_equal(b->req.mem_per_cpu, 512);
	assert_int_equal(b->req.time_limit, LV_TIME_UNLIMITED);
	assert_true(b->req.exclusive);
	assert_string_equal(b->req.nodelist, "n[1-2]");
	assert_true(b->requeue && b->held && b->held_by_admin);
	assert_int_equal(b->begin_time, 1900000000);
	assert_int_equal(b->state, JOB_PENDING);
	assert_int_equal(b->reason, REASON_HELD_ADMIN);
	assert_int_equal(b->priority, 12345);
	assert_string_equal(b->qos, "high");
	assert_int_equal(b->nice, -50);
	assert_int_equal(b->prio_admin, 777);
	assert_int_equal(b->restarts, 2);
	assert_int_equal(b->next_step_id, 7);
	assert_non_null(b->blob);
	assert_int_equal(b->blob->len, j->blob->len);
	assert_memory_equal(b->blob->text, j->blob->text, j->blob->len);
	/* Encoding again gives the same document. */
	o1 = job_to_state_json(j, true, &nodes);
	o2 = job_to_state_json(b, true, &nodes);
	assert_true(json_equal(o1, o2));
	json_decref(o1);
	json_decref(o2);
	job_destroy(j);
	job_destroy(b);
}

static void test_job_to_state_json_without_blob(void **state)
{
	struct job *j = sample_job(), *b;
	bool missing;

	(void)state;
	b = round_trip(j, false, &missing);
	assert_null(b->blob);
	job_destroy(j);
	job_destroy(b);
}

static void test_job_from_state_json_grants_by_name(void **state)
{
	struct job *j = sample_job(), *b;
	bool missing;

	(void)state;
	give_grants(j);
	b = round_trip(j, false, &missing);
	assert_false(missing);
	assert_int_equal(b->state, JOB_RUNNING);
	assert_int_equal(b->n_grants, 2);
	assert_int_equal(b->grants[1].node, 1);
	assert_int_equal(b->grants[1].cpus, 3);
	assert_int_equal(b->grants[1].mem_mb, 2048);
	/* The exact PUs and GPUs come back. */
	assert_int_equal(b->grants[1].gpus, 0x5);
	assert_int_equal(b->grants[0].gpus, 0);
	assert_true(lv_cpuset_isset(&b->grants[1].pus, 4));
	assert_int_equal(lv_cpuset_count(&b->grants[1].pus), 3);
	assert_true(lv_cpuset_empty(&b->grants[0].pus));
	assert_int_equal(b->num_cpus, 5);
	assert_string_equal(b->nodes, "n[1-2]");
	assert_string_equal(b->batch_host, "n1");
	assert_int_equal(b->start_time, 1800000100);
	job_destroy(j);
	job_destroy(b);
}

static void test_job_from_state_json_node_gone(void **state)
{
	struct job *j = sample_job(), *b;
	bool missing;

	(void)state;
	give_grants(j);
	n2_gone = true;
	b = round_trip(j, false, &missing);
	n2_gone = false;
	assert_true(missing);
	assert_int_equal(b->n_grants, 1);
	assert_string_equal(b->nodes, "n1");
	job_destroy(j);
	job_destroy(b);
}

static void test_job_from_state_json_array(void **state)
{
	struct job *j = sample_job(), *b, *t;
	struct lv_error err = {0};
	char *list;
	bool missing;

	(void)state;
	j->array_pending = lv_bitmap_create(11);
	assert_int_equal(
		lv_bitmap_parse_list(j->array_pending, "1-3,7,10", &err), 0);
	j->array_throttle = 2;
	j->array_total = 8;
	j->array_started = 3;
	j->array_running = 1;
	j->array_done = 2;
	j->array_ok = 1;
	b = round_trip(j, true, &missing);
	assert_non_null(b->array_pending);
	assert_int_equal(lv_bitmap_size(b->array_pending), 11);
	list = lv_bitmap_format_list(b->array_pending);
	assert_string_equal(list, "1-3,7,10");
	free(list);
	assert_int_equal(b->array_throttle, 2);
	assert_int_equal(b->array_total, 8);
	assert_int_equal(b->array_started, 3);
	assert_int_equal(b->array_running, 1);
	assert_int_equal(b->array_done, 2);
	assert_int_equal(b->array_ok, 1);
	/* A task: its array and index, no bitmap. */
	j->array_job_id = 40;
	j->array_task_id = 0;
	lv_bitmap_destroy(j->array_pending);
	j->array_pending = NULL;
	t = round_trip(j, false, &missing);
	assert_int_equal(t->array_job_id, 40);
	assert_int_equal(t->array_task_id, 0);
	assert_null(t->array_pending);
	job_destroy(j);
	job_destroy(b);
	job_destroy(t);
}

static void test_job_from_state_json_finished(void **state)
{
	struct job *j = sample_job(), *b;
	bool missing;

	(void)state;
	j->state = JOB_NODE_FAIL;
	j->reason = REASON_NONE;
	j->exit_status = 9;
	j->end_time = 1800000200;
	j->timed_out = j->cancel_requested = true;
	b = round_trip(j, false, &missing);
	assert_int_equal(b->state, JOB_NODE_FAIL);
	assert_int_equal(b->exit_status, 9);
	assert_int_equal(b->end_time, 1800000200);
	assert_true(b->timed_out && b->cancel_requested);
	assert_false(b->requeue_requested);
	job_destroy(j);
	job_destroy(b);
}

/* Every pending reason comes back, the limits' ones included. */
static void test_job_from_state_json_every_reason(void **state)
{
	struct job *j = sample_job(), *b;
	bool missing;
	int r;

	(void)state;
	for (r = REASON_NONE + 1; r < REASON_COUNT; r++) {
		j->reason = (enum job_reason)r;
		b = round_trip(j, false, &missing);
		assert_int_equal(b->reason, r);
		job_destroy(b);
	}
	job_destroy(j);
}

static void test_job_from_state_json_bad(void **state)
{
	struct lv_error err = {0};
	bool missing, bound;
	json_t *o;

	(void)state;
	o = json_pack("{s:s}", "state", "PENDING");
	assert_null(job_from_state_json(o, &nodes, &missing, &bound, &err));
	assert_int_equal(err.code, -EINVAL);
	json_decref(o);
	o = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s}", "id", 3, "kind",
		      "batch", "name", "x", "user", "u", "partition", "p",
		      "state", "BOGUS");
	assert_null(job_from_state_json(o, &nodes, &missing, &bound, &err));
	assert_int_equal(err.code, -EINVAL);
	assert_non_null(strstr(err.text, "BOGUS"));
	json_decref(o);
	o = json_pack("{s:i, s:s, s:s}", "id", 3, "kind", "batch", "state",
		      "PENDING");
	assert_null(job_from_state_json(o, &nodes, &missing, &bound, &err));
	assert_int_equal(err.code, -EINVAL);
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_job_from_state_json_round_trip),
		cmocka_unit_test(test_job_to_state_json_without_blob),
		cmocka_unit_test(test_job_from_state_json_grants_by_name),
		cmocka_unit_test(test_job_from_state_json_node_gone),
		cmocka_unit_test(test_job_from_state_json_array),
		cmocka_unit_test(test_job_from_state_json_finished),
		cmocka_unit_test(test_job_from_state_json_every_reason),
		cmocka_unit_test(test_job_from_state_json_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
