/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the SQLite accounting backend: rows stored and queried
 * back on a temporary database. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* cmocka.h needs stdarg.h, stddef.h and setjmp.h first. */
#include <cmocka.h>

#include "sched/acct.h"

static const struct acct_ops *ops = &acct_sqlite_ops;

struct fixture {
	char dir[64];
	char path[96];
	void *db;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct lv_error err = {0};

	assert_non_null(f);
	strcpy(f->dir, "/tmp/test_acct.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/acct.db", f->dir);
	f->db = ops->open(f->path, &err);
	assert_non_null(f->db);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	ops->close(f->db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void add_job(struct fixture *f, uint32_t id, uint32_t uid,
		    const char *state, int status, time_t start, time_t end)
{
	struct acct_job j = {
		.id = id,
		.name = "wrap",
		.user = uid ? "alice" : "root",
		.partition = "debug",
		.state = state,
		.uid = uid,
		.gid = uid,
		.exit_status = status,
		.submit = start - 1,
		.eligible = start - 1,
		.start = start,
		.end = end,
		.alloc_cpus = 2,
		.nnodes = 1,
		.nodes = "n1",
		.maxrss_kb = 51200,
		.cpu_usec = 1500000,
	};
	struct lv_error err = {0};

	assert_int_equal(ops->record_job(f->db, &j, &err), 0);
}

static void add_step(struct fixture *f, uint32_t job, uint32_t step,
		     const char *state, int status)
{
	struct acct_step s = {
		.job_id = job,
		.step_id = step,
		.name = "true",
		.nodes = "n1",
		.state = state,
		.start = 1000,
		.end = 1001,
		.exit_status = status,
		.ntasks = 2,
		.maxrss_kb = 1024,
		.cpu_usec = 10,
	};
	struct lv_error err = {0};

	assert_int_equal(ops->record_step(f->db, &s, &err), 0);
}

static json_t *query(struct fixture *f, const struct acct_query *q)
{
	struct lv_error err = {0};
	json_t *rows = ops->query(f->db, q, &err);

	assert_non_null(rows);
	return rows;
}

static void test_acct_round_trip(void **state)
{
	struct fixture *f = *state;
	struct acct_query q = {.all_users = true};
	json_t *rows, *job, *steps;

	add_job(f, 7, 0, "FAILED", 3 << 8, 1000, 1010);
	add_step(f, 7, 0, "COMPLETED", 0);
	add_step(f, 7, ACCT_STEP_BATCH, "FAILED", 3 << 8);
	rows = query(f, &q);
	assert_int_equal(json_array_size(rows), 1);
	job = json_array_get(rows, 0);
	assert_int_equal(json_integer_value(json_object_get(job, "job_id")), 7);
	assert_string_equal(json_string_value(json_object_get(job, "state")),
			    "FAILED");
	assert_int_equal(json_integer_value(json_object_get(job, "exit_code")),
			 3);
	assert_int_equal(json_integer_value(json_object_get(job, "signal")), 0);
	assert_int_equal(json_integer_value(json_object_get(job, "start")),
			 1000);
	assert_int_equal(json_integer_value(json_object_get(job, "end")), 1010);
	assert_int_equal(json_integer_value(json_object_get(job, "maxrss_kb")),
			 51200);
	assert_int_equal(json_integer_value(json_object_get(job, "cpu_usec")),
			 1500000);
	assert_string_equal(json_string_value(json_object_get(job, "nodes")),
			    "n1");
	assert_null(json_object_get(job, "account")); /* NULL stays absent */
	steps = json_object_get(job, "steps");
	assert_int_equal(json_array_size(steps), 2);
	/* The batch step comes first, as in sacct. */
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(steps, 0), "step_id")),
			 ACCT_STEP_BATCH);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(steps, 1), "ntasks")),
			 2);
	json_decref(rows);
}

static void test_acct_signal_and_replace(void **state)
{
	struct fixture *f = *state;
	struct acct_query q = {.all_users = true};
	json_t *rows, *step;

	add_job(f, 8, 0, "CANCELLED", SIGTERM, 1000, 1010);
	add_step(f, 8, 0, "CANCELLED", SIGKILL);
	add_step(f, 8, 0, "FAILED", 4 << 8); /* a late report replaces it */
	rows = query(f, &q);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(rows, 0), "signal")),
			 SIGTERM);
	assert_int_equal(json_array_size(json_object_get(
				 json_array_get(rows, 0), "steps")),
			 1);
	step = json_array_get(json_object_get(json_array_get(rows, 0), "steps"),
			      0);
	assert_string_equal(json_string_value(json_object_get(step, "state")),
			    "FAILED");
	assert_int_equal(json_integer_value(json_object_get(step, "exit_code")),
			 4);
	json_decref(rows);
}

static void test_acct_query_filters(void **state)
{
	struct fixture *f = *state;
	const uint32_t ids[] = {2, 3};
	const char *const states[] = {"COMPLETED"};
	struct acct_query q = {.uid = 1000};
	json_t *rows;

	add_job(f, 1, 0, "COMPLETED", 0, 1000, 2000);
	add_job(f, 2, 1000, "COMPLETED", 0, 3000, 4000);
	add_job(f, 3, 1000, "FAILED", 1 << 8, 5000, 6000);
	/* Only the caller's jobs. */
	rows = query(f, &q);
	assert_int_equal(json_array_size(rows), 2);
	json_decref(rows);
	/* Ended after 4500. */
	q.start = 4500;
	rows = query(f, &q);
	assert_int_equal(json_array_size(rows), 1);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(rows, 0), "job_id")),
			 3);
	json_decref(rows);
	/* Started before 2500, any user. */
	q = (struct acct_query){.all_users = true, .end = 2500};
	rows = query(f, &q);
	assert_int_equal(json_array_size(rows), 1);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(rows, 0), "job_id")),
			 1);
	json_decref(rows);
	/* Ids and states, no steps. */
	q = (struct acct_query){.all_users = true,
				.job_ids = ids,
				.n_job_ids = 2,
				.states = states,
				.n_states = 1,
				.no_steps = true};
	rows = query(f, &q);
	assert_int_equal(json_array_size(rows), 1);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(rows, 0), "job_id")),
			 2);
	assert_null(json_object_get(json_array_get(rows, 0), "steps"));
	json_decref(rows);
}

static void test_acct_survives_reopen(void **state)
{
	struct fixture *f = *state;
	struct acct_query q = {.all_users = true};
	struct lv_error err = {0};
	json_t *rows;

	add_job(f, 9, 0, "COMPLETED", 0, 1000, 1001);
	/* close commits what the last tick did not. */
	ops->close(f->db);
	f->db = ops->open(f->path, &err);
	assert_non_null(f->db);
	rows = query(f, &q);
	assert_int_equal(json_array_size(rows), 1);
	json_decref(rows);
}

static void test_acct_open_bad_path(void **state)
{
	struct lv_error err = {0};

	(void)state;
	assert_null(ops->open("/nonexistent-dir/for/acct.db", &err));
	assert_int_equal(err.code, -EIO);
	assert_non_null(
		strstr(err.text, "accounting: /nonexistent-dir/for/acct.db"));
	ops->close(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_acct_round_trip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_acct_signal_and_replace,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_acct_query_filters, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_acct_survives_reopen,
						setup, teardown),
		cmocka_unit_test(test_acct_open_bad_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
