/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the job option parser: command line, directives, input
 * variables, precedence and the JOB_SUBMIT body (TZ=UTC). */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* cmocka.h needs stdarg.h, stddef.h and setjmp.h first. */
#include <cmocka.h>

#include "cmd/jobopt.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_ARGS 32

/* The environment jobopt_to_json sees (set up in main). */
static char **test_env;

/* A NULL-terminated, writable copy of words.  Free with strv_free. */
static char **strv_dup(const char *const *words)
{
	size_t n = 0;
	char **v;

	while (words[n])
		n++;
	v = calloc(n + 1, sizeof(*v));
	assert_non_null(v);
	for (size_t i = 0; i < n; i++)
		assert_non_null(v[i] = strdup(words[i]));
	return v;
}

static void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* argv = {"lvbatch", args...}, writable copies, NULL-terminated. */
struct args {
	int argc;
	char *argv[MAX_ARGS + 2];
};

static void args_init(struct args *a, const char *const *words)
{
	a->argc = 0;
	a->argv[a->argc++] = strdup("lvbatch");
	for (; *words; words++) {
		assert_true(a->argc <= MAX_ARGS);
		a->argv[a->argc++] = strdup(*words);
	}
	a->argv[a->argc] = NULL;
}

static void args_free(struct args *a)
{
	for (int i = 0; i < a->argc; i++)
		free(a->argv[i]);
}

/* Parses words as prog's command line; returns the code, err filled. */
static int parse_prog(struct jobopt *o, const char *const *words, int *first,
		      struct lv_error *err)
{
	struct args a;
	int rc, dummy;

	args_init(&a, words);
	rc = jobopt_parse_argv(o, a.argc, a.argv, first ? first : &dummy, err);
	args_free(&a);
	return rc;
}

/* An lvbatch parser with words parsed successfully. */
static struct jobopt *parse_ok(const char *const *words)
{
	struct lv_error err = {0};
	struct jobopt *o = jobopt_create(JOBOPT_LVBATCH);

	assert_non_null(o);
	assert_int_equal(parse_prog(o, words, NULL, &err), 0);
	assert_string_equal(err.text, "");
	return o;
}

/* Parses words expecting code and a message containing why. */
static void assert_parse_fails(const char *const *words, int code,
			       const char *why)
{
	struct lv_error err = {0};
	struct jobopt *o = jobopt_create(JOBOPT_LVBATCH);

	assert_int_equal(parse_prog(o, words, NULL, &err), code);
	assert_int_equal(err.code, code);
	if (!strstr(err.text, why))
		fail_msg("\"%s\" lacks \"%s\"", err.text, why);
	jobopt_destroy(o);
}

/* One option with one value must fail with why. */
static void assert_value_fails(const char *opt, const char *val,
			       const char *why)
{
	const char *words[] = {opt, val, NULL};

	assert_parse_fails(words, -EINVAL, why);
}

static json_t *to_json_cwd(const struct jobopt *o, const char *cwd)
{
	char **script_argv = strv_dup((const char *[]){"one", "two", NULL});
	struct lv_error err = {0};
	struct jobopt_submit s = {
		.script = "#!/bin/sh\ntrue\n",
		.argv = script_argv,
		.argc = 2,
		.default_name = "job.sh",
		.cwd = cwd,
		.envp = test_env,
	};
	json_t *req = jobopt_to_json(o, &s, &err);

	strv_free(script_argv);
	if (!req)
		fail_msg("jobopt_to_json: %s", err.text);
	return req;
}

static json_t *to_json(const struct jobopt *o)
{
	return to_json_cwd(o, "/home/u/work");
}

/* The JSON of an lvbatch command line. */
static json_t *json_of(const char *const *words)
{
	struct jobopt *o = parse_ok(words);
	json_t *req = to_json(o);

	jobopt_destroy(o);
	return req;
}

static void assert_json_int(const json_t *obj, const char *key, json_int_t want)
{
	const json_t *v = json_object_get(obj, key);

	if (!json_is_integer(v))
		fail_msg("%s: not an integer", key);
	assert_int_equal(json_integer_value(v), want);
}

static void assert_json_str(const json_t *obj, const char *key,
			    const char *want)
{
	const json_t *v = json_object_get(obj, key);

	if (!json_is_string(v))
		fail_msg("%s: not a string", key);
	assert_string_equal(json_string_value(v), want);
}

static void assert_json_bool(const json_t *obj, const char *key, bool want)
{
	const json_t *v = json_object_get(obj, key);

	if (!json_is_boolean(v))
		fail_msg("%s: not a boolean", key);
	assert_int_equal(json_is_true(v), want);
}

static void assert_json_absent(const json_t *obj, const char *key)
{
	if (json_object_get(obj, key))
		fail_msg("%s: present", key);
}

/* ---- command line ---- */

static void test_jobopt_parse_argv_short_options(void **state)
{
	const char *words[] = {"-J",     "sim",    "-p",       "debug",  "-A",
			       "proj",   "-n",     "8",        "-c",     "2",
			       "-o",     "out-%j", "-e",       "err-%j", "-i",
			       "in.txt", "-D",     "/scratch", NULL};
	json_t *req = json_of(words);

	(void)state;
	assert_json_str(req, "name", "sim");
	assert_json_str(req, "partition", "debug");
	assert_json_str(req, "account", "proj");
	assert_json_int(req, "ntasks", 8);
	assert_json_int(req, "cpus_per_task", 2);
	assert_json_str(req, "stdout", "out-%j");
	assert_json_str(req, "stderr", "err-%j");
	assert_json_str(req, "stdin", "in.txt");
	assert_json_str(req, "work_dir", "/scratch");
	json_decref(req);
}

static void test_jobopt_parse_argv_long_options(void **state)
{
	const char *words[] = {"--job-name=sim",
			       "--partition",
			       "debug",
			       "--account=proj",
			       "--ntasks=8",
			       "--cpus-per-task",
			       "2",
			       "--ntasks-per-node=4",
			       "--output=o",
			       "--error=e",
			       "--input=i",
			       "--chdir=sub",
			       "--comment=hello world",
			       "--job-n=abbreviated",
			       NULL};
	json_t *req = json_of(words);

	(void)state;
	assert_json_str(req, "name", "abbreviated");
	assert_json_str(req, "partition", "debug");
	assert_json_int(req, "ntasks", 8);
	assert_json_int(req, "cpus_per_task", 2);
	assert_json_int(req, "ntasks_per_node", 4);
	assert_json_str(req, "stdout", "o");
	assert_json_str(req, "comment", "hello world");
	assert_json_str(req, "work_dir", "/home/u/work/sub");
	json_decref(req);
}

static void test_jobopt_parse_argv_stops_at_script(void **state)
{
	const char *words[] = {"-J", "a", "job.sh", "-n", "3", NULL};
	const char *dashes[] = {"-H", "--", "-n", NULL};
	struct lv_error err = {0};
	struct jobopt *o = jobopt_create(JOBOPT_LVBATCH);
	json_t *req;
	int first = -1;

	(void)state;
	assert_int_equal(parse_prog(o, words, &first, &err), 0);
	assert_int_equal(first, 3); /* argv[3] = "job.sh" */
	req = to_json(o);
	assert_json_absent(req, "ntasks");
	json_decref(req);
	jobopt_destroy(o);

	o = jobopt_create(JOBOPT_LVBATCH);
	assert_int_equal(parse_prog(o, dashes, &first, &err), 0);
	assert_int_equal(first, 3); /* after "--" */
	jobopt_destroy(o);

	o = jobopt_create(JOBOPT_LVBATCH);
	assert_int_equal(
		parse_prog(o, (const char *[]){"-H", NULL}, &first, &err), 0);
	assert_int_equal(first, 2); /* none: argc */
	jobopt_destroy(o);
}

static void test_jobopt_parse_argv_bad_options(void **state)
{
	(void)state;
	assert_parse_fails((const char *[]){"--foo", NULL}, -ENOENT,
			   "unrecognized option '--foo'");
	assert_parse_fails((const char *[]){"--foo=1", NULL}, -ENOENT,
			   "unrecognized option '--foo=1'");
	assert_parse_fails((const char *[]){"-z", NULL}, -ENOENT,
			   "invalid option -- 'z'");
	assert_parse_fails((const char *[]){"-J", NULL}, -ENOENT,
			   "option requires an argument -- 'J'");
	assert_parse_fails((const char *[]){"--time", NULL}, -ENOENT,
			   "option '--time' requires an argument");
	assert_parse_fails((const char *[]){"--hold=yes", NULL}, -ENOENT,
			   "option '--hold' doesn't allow an argument");
	assert_parse_fails((const char *[]){"--no", NULL}, -ENOENT,
			   "option '--no' is ambiguous");
	assert_parse_fails((const char *[]){"--uid=0", NULL}, -ENOTSUP,
			   "--uid is not supported");
	assert_parse_fails((const char *[]){"--gid", "0", NULL}, -ENOTSUP,
			   "--gid is not supported");
	assert_parse_fails((const char *[]){"--exclusive=user", NULL}, -ENOTSUP,
			   "--exclusive=user is not supported");
}

static void test_jobopt_parse_argv_bad_numbers(void **state)
{
	(void)state;
	assert_value_fails("-n", "x",
			   "Invalid numeric value \"x\" for --ntasks.");
	assert_value_fails("--ntasks", "0",
			   "Invalid numeric value \"0\" for --ntasks.");
	assert_value_fails("-c", "-1",
			   "Invalid numeric value \"-1\" for --cpus-per-task.");
	assert_value_fails(
		"--ntasks-per-node", "1.5",
		"Invalid numeric value \"1.5\" for --ntasks-per-node.");
	assert_value_fails("-n", " 4", "Invalid numeric value");
	assert_value_fails("-n", "99999999999", "Invalid numeric value");
	assert_value_fails("--priority", "-1", "Invalid numeric value");
	assert_value_fails("--threads-per-core", "", "Invalid numeric value");
}

static void test_jobopt_parse_argv_nodes(void **state)
{
	static const char *const bad[] = {"0",  "x",     "4-2", "2-",
					  "-2", "2-4-6", "1-0", ""};
	json_t *req;

	(void)state;
	req = json_of((const char *[]){"-N", "3", NULL});
	assert_json_int(req, "nodes_min", 3);
	assert_json_int(req, "nodes_max", 3);
	json_decref(req);
	req = json_of((const char *[]){"--nodes=2-16", NULL});
	assert_json_int(req, "nodes_min", 2);
	assert_json_int(req, "nodes_max", 16);
	json_decref(req);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		assert_value_fails("-N", bad[i],
				   "Invalid --nodes specification");
}

static void test_jobopt_parse_argv_time(void **state)
{
	static const struct {
		const char *in;
		json_int_t want; /* -1: null */
	} cases[] = {
		{"90", 90},        {"1:30", 2},       {"2:00:00", 120},
		{"1-0", 1440},     {"1-2:3:4", 1564}, {"0", -1},
		{"UNLIMITED", -1}, {"infinite", -1},  {"0:0:30", 1},
	};
	static const char *const bad[] = {"abc", "1:2:3:4", "-5", "1-", ""};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		json_t *req =
			json_of((const char *[]){"-t", cases[i].in, NULL});
		const json_t *v = json_object_get(req, "time_limit");

		if (cases[i].want < 0)
			assert_true(json_is_null(v));
		else
			assert_json_int(req, "time_limit", cases[i].want);
		json_decref(req);
	}
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		assert_value_fails("--time", bad[i],
				   "Invalid --time specification");
}

static void test_jobopt_parse_argv_mem(void **state)
{
	json_t *req;

	(void)state;
	req = json_of((const char *[]){"--mem=4G", NULL});
	assert_json_int(req, "mem_per_node", 4096);
	assert_json_absent(req, "mem_per_cpu");
	json_decref(req);
	req = json_of((const char *[]){"--mem-per-cpu", "512", NULL});
	assert_json_int(req, "mem_per_cpu", 512);
	assert_json_absent(req, "mem_per_node");
	json_decref(req);
	/* The two share one setting: the last one given wins. */
	req = json_of(
		(const char *[]){"--mem=1T", "--mem-per-cpu=2048K", NULL});
	assert_json_int(req, "mem_per_cpu", 2);
	assert_json_absent(req, "mem_per_node");
	json_decref(req);
	assert_value_fails("--mem", "4Q", "Invalid --mem specification");
	assert_value_fails("--mem", "-1", "Invalid --mem specification");
	assert_value_fails("--mem-per-cpu", "G",
			   "Invalid --mem-per-cpu specification");
}

static void test_jobopt_parse_argv_array(void **state)
{
	static const char *const good[] = {
		"1-10", "1-10:2",          "1,3,5",   "0-99%4",
		"7",    "1-3,8,10-20:5%2", "1000000", "5-5"};
	static const char *const bad[] = {
		"",      "x",   "1-",      "10-1", "1-10:0", "1,,2", "%4",
		"1-10%", "1%0", "1000001", "1-3:", ",1",     "1;2",  "-1"};
	json_t *req;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		req = json_of((const char *[]){"-a", good[i], NULL});
		assert_json_str(req, "array", good[i]);
		json_decref(req);
	}
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		assert_value_fails("--array", bad[i],
				   "Invalid job array specification");
}

static void test_jobopt_parse_argv_dependency(void **state)
{
	static const char *const good[] = {"afterok:1",
					   "afterok:1:2,afterany:3",
					   "after:4?afternotok:5",
					   "singleton",
					   "afterok:12_3",
					   "after:7+10:8",
					   "aftercorr:9,singleton"};
	static const char *const bad[] = {"",
					  "afterok",
					  "afterok:",
					  "afterok:x",
					  "before:1",
					  "afterok:1,after:2?afterany:3",
					  "afterok:0",
					  "afterok:1,",
					  "afterany:1+5",
					  "afterok:1::2",
					  "singleton:1"};
	json_t *req;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		req = json_of((const char *[]){"-d", good[i], NULL});
		assert_json_str(req, "dependency", good[i]);
		json_decref(req);
	}
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		assert_value_fails("--dependency", bad[i],
				   "Invalid --dependency specification");
}

static void test_jobopt_parse_argv_export(void **state)
{
	const json_t *env;
	json_t *req;

	(void)state;
	/* Default: ALL, the whole environment. */
	req = json_of((const char *[]){NULL});
	env = json_object_get(req, "env");
	assert_json_str(req, "export", "ALL");
	assert_int_equal(json_object_size(env), 3); /* NOEQUALS skipped */
	assert_json_str(env, "PATH", "/bin:/usr/bin");
	json_decref(req);

	req = json_of((const char *[]){"--export=NONE", NULL});
	assert_json_str(req, "export", "NONE");
	assert_int_equal(json_object_size(json_object_get(req, "env")), 0);
	json_decref(req);

	/* Only the listed ones; a bare name takes the client's value. */
	req = json_of((const char *[]){"--export=X=1,A,MISSING,Y=a=b", NULL});
	env = json_object_get(req, "env");
	assert_int_equal(json_object_size(env), 3);
	assert_json_str(env, "X", "1");
	assert_json_str(env, "A", "from-env");
	assert_json_str(env, "Y", "a=b");
	json_decref(req);

	req = json_of((const char *[]){"--export=ALL,A=over,Z=", NULL});
	env = json_object_get(req, "env");
	assert_int_equal(json_object_size(env), 4);
	assert_json_str(env, "A", "over");
	assert_json_str(env, "Z", "");
	assert_json_str(env, "HOME", "/home/u");
	json_decref(req);

	req = json_of((const char *[]){"--export=none,B=2", NULL});
	env = json_object_get(req, "env");
	assert_int_equal(json_object_size(env), 1);
	assert_json_str(env, "B", "2");
	json_decref(req);

	assert_value_fails("--export", "ALL,NONE",
			   "Invalid --export specification");
	assert_value_fails("--export", "1X=2",
			   "Invalid --export specification");
	assert_value_fails("--export", "A,,B",
			   "Invalid --export specification");
	assert_value_fails("--export", "", "Invalid --export specification");
	assert_value_fails("--export", "=x", "Invalid --export specification");
}

static void test_jobopt_parse_argv_flags(void **state)
{
	const char *words[] = {"-H",
			       "--exclusive",
			       "--requeue",
			       "--test-only",
			       "-k",
			       "--kill-on-invalid-dep=yes",
			       "--get-user-env",
			       "--begin=2030-01-01T00:00:00",
			       NULL};
	json_t *req = json_of(words);

	(void)state;
	assert_json_bool(req, "hold", true);
	assert_json_bool(req, "exclusive", true);
	assert_json_absent(req, "oversubscribe");
	assert_json_bool(req, "requeue", true);
	assert_json_bool(req, "test_only", true);
	assert_json_bool(req, "no_kill", true);
	assert_json_bool(req, "kill_on_invalid_dep", true);
	assert_json_bool(req, "get_user_env", true);
	assert_json_int(req, "begin", 1893456000);
	json_decref(req);

	req = json_of((const char *[]){"--requeue", "--no-requeue", "-s",
				       "--no-kill=off",
				       "--kill-on-invalid-dep=NO", NULL});
	assert_json_bool(req, "requeue", false);
	assert_json_bool(req, "oversubscribe", true);
	assert_json_absent(req, "exclusive");
	assert_json_bool(req, "no_kill", false);
	assert_json_bool(req, "kill_on_invalid_dep", false);
	json_decref(req);

	assert_value_fails("--begin", "someday",
			   "Invalid --begin specification");
	assert_value_fails("--kill-on-invalid-dep", "maybe",
			   "Invalid --kill-on-invalid-dep specification");
	assert_parse_fails((const char *[]){"--no-kill=on", NULL}, -EINVAL,
			   "Invalid --no-kill specification");
}

static void test_jobopt_parse_argv_resource_options(void **state)
{
	const char *words[] = {"--gres=gpu:2",
			       "--gpus-per-task=a100:1",
			       "--hint=nomultithread",
			       "--threads-per-core=1",
			       "--ntasks-per-socket=4",
			       "--cpu-bind=cores",
			       "-m",
			       "cyclic:block",
			       "--mem-bind=local",
			       "-C",
			       "avx512&ib",
			       "-q",
			       "high",
			       "--priority=10",
			       "--nice",
			       "--open-mode=a",
			       "--signal=B:USR1@90",
			       "-w",
			       "n[1-4]",
			       "-x",
			       "n3",
			       NULL};
	const json_t *sig;
	json_t *req = json_of(words);

	(void)state;
	assert_json_str(req, "gres", "gpu:2");
	assert_json_str(req, "gpus_per_task", "a100:1");
	assert_json_str(req, "hint", "nomultithread");
	assert_json_int(req, "threads_per_core", 1);
	assert_json_int(req, "ntasks_per_socket", 4);
	assert_json_str(req, "cpu_bind", "cores");
	assert_json_str(req, "distribution", "cyclic:block");
	assert_json_str(req, "mem_bind", "local");
	assert_json_str(req, "constraint", "avx512&ib");
	assert_json_str(req, "qos", "high");
	assert_json_int(req, "priority", 10);
	assert_json_int(req, "nice", 100);
	assert_json_str(req, "open_mode", "append");
	assert_json_str(req, "nodelist", "n[1-4]");
	assert_json_str(req, "exclude", "n3");
	sig = json_object_get(req, "signal");
	assert_json_int(sig, "num", 10);
	assert_json_int(sig, "time", 90);
	assert_json_bool(sig, "batch", true);
	assert_json_bool(sig, "reservation", false);
	json_decref(req);

	req = json_of((const char *[]){"--nice=-5", "--signal=SIGTERM",
				       "--open-mode=truncate", NULL});
	assert_json_int(req, "nice", -5);
	assert_json_str(req, "open_mode", "truncate");
	assert_json_int(json_object_get(req, "signal"), "num", 15);
	assert_json_int(json_object_get(req, "signal"), "time", 60);
	json_decref(req);

	assert_value_fails("--hint", "fast", "Invalid --hint specification");
	assert_value_fails("--open-mode", "x",
			   "Invalid --open-mode specification");
	assert_value_fails("--signal", "FOO", "Invalid --signal specification");
	assert_value_fails("--signal", "X:USR1",
			   "Invalid --signal specification");
	assert_value_fails("--signal", "USR1@",
			   "Invalid --signal specification");
	assert_value_fails("--signal", "USR1@70000",
			   "Invalid --signal specification");
	assert_value_fails("-w", "n[1-", "Invalid --nodelist specification");
	assert_value_fails("-x", "n[3-1]", "Invalid --exclude specification");
	assert_parse_fails((const char *[]){"--nice=x", NULL}, -EINVAL,
			   "Invalid --nice specification");
}

static void test_jobopt_parse_argv_per_program(void **state)
{
	struct lv_error err = {0};
	struct jobopt *o = jobopt_create(JOBOPT_LVRUN);

	(void)state;
	assert_int_equal(
		parse_prog(o, (const char *[]){"--wrap=x", NULL}, NULL, &err),
		-ENOENT);
	assert_string_equal(err.text, "unrecognized option '--wrap=x'");
	assert_int_equal(
		parse_prog(o, (const char *[]){"-a", "1-3", NULL}, NULL, &err),
		-ENOENT);
	assert_int_equal(
		parse_prog(o, (const char *[]){"-N", "2", NULL}, NULL, &err),
		0);
	jobopt_destroy(o);
}

/* ---- the command's own options ---- */

static void test_jobopt_cmd_get_command_options(void **state)
{
	const char *words[] = {"-Q",          "-v",
			       "-vv",         "--parsable",
			       "-W",          "--wrap=hostname",
			       "--config=/c", "--mail-type=END",
			       "-J",          "n",
			       NULL};
	struct jobopt *o = parse_ok(words);
	struct jobopt_cmd cmd = jobopt_cmd_get(o);

	(void)state;
	assert_int_equal(cmd.action, JOBOPT_SUBMIT);
	assert_true(cmd.quiet);
	assert_int_equal(cmd.verbose, 3);
	assert_true(cmd.parsable);
	assert_true(cmd.wait);
	assert_false(cmd.test_only);
	assert_true(cmd.mail_ignored);
	assert_string_equal(cmd.wrap, "hostname");
	assert_string_equal(cmd.config, "/c");
	assert_string_equal(cmd.name, "n");
	jobopt_destroy(o);

	o = parse_ok((const char *[]){NULL});
	cmd = jobopt_cmd_get(o);
	assert_false(cmd.quiet || cmd.wait || cmd.parsable || cmd.mail_ignored);
	assert_null(cmd.wrap);
	assert_null(cmd.name);
	jobopt_destroy(o);

	o = parse_ok((const char *[]){"--help", NULL});
	assert_int_equal(jobopt_cmd_get(o).action, JOBOPT_HELP);
	jobopt_destroy(o);
	o = parse_ok((const char *[]){"-V", NULL});
	assert_int_equal(jobopt_cmd_get(o).action, JOBOPT_VERSION);
	jobopt_destroy(o);
	o = parse_ok((const char *[]){"--usage", NULL});
	assert_int_equal(jobopt_cmd_get(o).action, JOBOPT_USAGE);
	jobopt_destroy(o);
}

/* ---- directives ---- */

static struct jobopt *directives_ok(const char *script)
{
	struct lv_error err = {0};
	struct jobopt *o = jobopt_create(JOBOPT_LVBATCH);

	if (jobopt_parse_directives(o, script, &err) < 0)
		fail_msg("directives: %s", err.text);
	return o;
}

static void assert_directives_fail(const char *script, int code,
				   const char *why)
{
	struct lv_error err = {0};
	struct jobopt *o = jobopt_create(JOBOPT_LVBATCH);

	assert_int_equal(jobopt_parse_directives(o, script, &err), code);
	if (strcmp(err.text, why))
		fail_msg("got \"%s\", want \"%s\"", err.text, why);
	jobopt_destroy(o);
}

static void test_jobopt_parse_directives_stop_at_first_command(void **state)
{
	const char *script = "#!/bin/bash\n"
			     "#SBATCH -J first\n"
			     "\n"
			     "   \t\n"
			     "# a comment\n"
			     "#SBATCH --ntasks=4 -c 2\n"
			     "  # indented comment\n"
			     "#LV --partition=debug\n"
			     "#SBATCH\n"
			     "echo hello\n"
			     "#SBATCH --time=10\n"
			     "#SBATCH --bogus\n";
	struct jobopt *o = directives_ok(script);
	json_t *req = to_json(o);

	(void)state;
	assert_json_str(req, "name", "first");
	assert_json_int(req, "ntasks", 4);
	assert_json_int(req, "cpus_per_task", 2);
	assert_json_str(req, "partition", "debug");
	assert_json_absent(req, "time_limit");
	json_decref(req);
	jobopt_destroy(o);
}

static void test_jobopt_parse_directives_not_directives(void **state)
{
	const char *script = "#!/bin/sh\n"
			     "#SBATCHX --bogus\n"
			     "##SBATCH --bogus\n"
			     " #SBATCH --bogus\n"
			     "#sbatch --bogus\n"
			     "#LVX --bogus\n"
			     "#SBATCH -t 5\r\n"
			     "#SBATCH\t-n 2";
	struct jobopt *o = directives_ok(script);
	json_t *req = to_json(o);

	(void)state;
	assert_json_int(req, "time_limit", 5);
	assert_json_int(req, "ntasks", 2);
	json_decref(req);
	jobopt_destroy(o);
}

static void test_jobopt_parse_directives_quotes(void **state)
{
	const char *script =
		"#!/bin/sh\n"
		"#SBATCH -J \"my job\" --comment='it''s \"x\"'\n"
		"#SBATCH --output=a\\ b.out --error \"e\\\"q\\n\"\n"
		"#SBATCH --export=A=\"x y\",B=z   # a trailing comment\n"
		"#SBATCH -A '' -p p#1\n";
	struct jobopt *o = directives_ok(script);
	json_t *req = to_json(o);

	(void)state;
	assert_json_str(req, "name", "my job");
	assert_json_str(req, "comment", "its \"x\"");
	assert_json_str(req, "stdout", "a b.out");
	assert_json_str(req, "stderr", "e\"q\\n");
	assert_json_str(json_object_get(req, "env"), "A", "x y");
	assert_json_str(json_object_get(req, "env"), "B", "z");
	assert_json_str(req, "account", "");
	assert_json_str(req, "partition", "p#1");
	json_decref(req);
	jobopt_destroy(o);
}

static void test_jobopt_parse_directives_errors(void **state)
{
	(void)state;
	assert_directives_fail("#!/bin/sh\n#SBATCH -J x\n#SBATCH -t soon\n",
			       -EINVAL, "line 3: Invalid --time specification");
	assert_directives_fail("#!/bin/sh\n#SBATCH --foo\n", -ENOENT,
			       "line 2: unrecognized option '--foo'");
	assert_directives_fail("#!/bin/sh\n\n#LV -J \"open\n", -EINVAL,
			       "line 3: unterminated double quote");
	assert_directives_fail("#!/bin/sh\n#SBATCH -J 'open\n", -EINVAL,
			       "line 2: unterminated single quote");
	assert_directives_fail("#!/bin/sh\n#SBATCH -J x extra\n", -EINVAL,
			       "line 2: unexpected argument 'extra'");
	assert_directives_fail(
		"#!/bin/sh\n#SBATCH --wrap=x\n", -EINVAL,
		"line 2: option '--wrap' is only allowed on the command line");
	assert_directives_fail("#!/bin/sh\n#SBATCH -n\n", -ENOENT,
			       "line 2: option requires an argument -- 'n'");
	assert_directives_fail("#!/bin/sh\n#SBATCH --uid=0\n", -ENOTSUP,
			       "line 2: --uid is not supported");
}

static void test_jobopt_parse_directives_precedence(void **state)
{
	const char *script = "#!/bin/sh\n"
			     "#SBATCH -J from-script -p script-part -t 5\n"
			     "#SBATCH --mem-per-cpu=1G -v\n";
	const char *words[] = {"-J", "from-cli", "--mem=2G", "-v", NULL};
	struct lv_error err = {0};
	json_t *req;

	(void)state;
	/* Either order: the command line wins, the rest of the script stays. */
	for (int order = 0; order < 2; order++) {
		struct jobopt *o = jobopt_create(JOBOPT_LVBATCH);

		if (order == 0) {
			assert_int_equal(parse_prog(o, words, NULL, &err), 0);
			assert_int_equal(
				jobopt_parse_directives(o, script, &err), 0);
		} else {
			assert_int_equal(
				jobopt_parse_directives(o, script, &err), 0);
			assert_int_equal(parse_prog(o, words, NULL, &err), 0);
		}
		req = to_json(o);
		assert_json_str(req, "name", "from-cli");
		assert_json_str(req, "partition", "script-part");
		assert_json_int(req, "time_limit", 5);
		assert_json_int(req, "mem_per_node", 2048);
		assert_json_absent(req, "mem_per_cpu");
		assert_int_equal(jobopt_cmd_get(o).verbose, 2); /* -v adds up */
		json_decref(req);
		jobopt_destroy(o);
	}
}

static void test_jobopt_parse_directives_bad_value_overridden(void **state)
{
	struct lv_error err = {0};
	struct jobopt *o = jobopt_create(JOBOPT_LVBATCH);

	(void)state;
	/* A bad directive is an error even when the command line sets it. */
	assert_int_equal(
		parse_prog(o, (const char *[]){"-t", "5", NULL}, NULL, &err),
		0);
	assert_int_equal(
		jobopt_parse_directives(o, "#!/bin/sh\n#SBATCH -t x\n", &err),
		-EINVAL);
	assert_string_equal(err.text, "line 2: Invalid --time specification");
	jobopt_destroy(o);
}

/* ---- input variables ---- */

static void test_jobopt_parse_env_precedence(void **state)
{
	char **envp = strv_dup((const char *[]){
		"SBATCH_PARTITION=env-part", "SBATCH_TIMELIMIT=30",
		"SBATCH_JOB_NAME=env-name", "SBATCH_REQUEUE=",
		"SBATCH_EXCLUSIVE=", "PARTITION=not-this", NULL});
	const char *script = "#!/bin/sh\n#SBATCH -p script-part -t 5 -A acct\n";
	struct lv_error err = {0};
	struct jobopt *o = jobopt_create(JOBOPT_LVBATCH);
	json_t *req;

	(void)state;
	assert_int_equal(
		parse_prog(o, (const char *[]){"-t", "7", NULL}, NULL, &err),
		0);
	assert_int_equal(jobopt_parse_env(o, envp, &err), 0);
	assert_int_equal(jobopt_parse_directives(o, script, &err), 0);
	req = to_json(o);
	assert_json_str(req, "partition", "env-part"); /* env over script */
	assert_json_int(req, "time_limit", 7);         /* argv over env */
	assert_json_str(req, "name", "env-name");
	assert_json_str(req, "account", "acct");
	assert_json_bool(req, "requeue", true);
	assert_json_bool(req, "exclusive", true);
	json_decref(req);
	jobopt_destroy(o);
	strv_free(envp);
}

static void test_jobopt_parse_env_errors(void **state)
{
	char **bad =
		strv_dup((const char *[]){"SBATCH_TIMELIMIT=forever", NULL});
	char **salloc = strv_dup((const char *[]){"SALLOC_PARTITION=p",
						  "SBATCH_PARTITION=q", NULL});
	struct lv_error err = {0};
	struct jobopt *o = jobopt_create(JOBOPT_LVBATCH);
	json_t *req;

	(void)state;
	assert_int_equal(jobopt_parse_env(o, bad, &err), -EINVAL);
	assert_string_equal(err.text,
			    "SBATCH_TIMELIMIT: Invalid --time specification");
	jobopt_destroy(o);

	o = jobopt_create(JOBOPT_LVALLOC);
	assert_int_equal(jobopt_parse_env(o, salloc, &err), 0);
	req = to_json(o);
	assert_json_str(req, "partition", "p");
	json_decref(req);
	jobopt_destroy(o);

	o = jobopt_create(JOBOPT_LVRUN);
	assert_int_equal(jobopt_parse_env(o, bad, &err), 0); /* none read */
	jobopt_destroy(o);
	strv_free(bad);
	strv_free(salloc);
}

/* ---- the JOB_SUBMIT body ---- */

static void test_jobopt_to_json_defaults(void **state)
{
	static const char *const keys[] = {"kind",   "script",   "argv",
					   "name",   "work_dir", "submit_dir",
					   "export", "env"};
	struct jobopt *o = parse_ok((const char *[]){NULL});
	json_t *req = to_json(o);
	const json_t *argv = json_object_get(req, "argv");

	(void)state;
	/* Nothing else: the controller's defaults apply. */
	assert_int_equal(json_object_size(req), ARRAY_LEN(keys));
	for (size_t i = 0; i < ARRAY_LEN(keys); i++)
		assert_non_null(json_object_get(req, keys[i]));
	assert_json_str(req, "kind", "batch");
	assert_json_str(req, "script", "#!/bin/sh\ntrue\n");
	assert_json_str(req, "name", "job.sh");
	assert_json_str(req, "work_dir", "/home/u/work");
	assert_json_str(req, "submit_dir", "/home/u/work");
	assert_int_equal(json_array_size(argv), 2);
	assert_string_equal(json_string_value(json_array_get(argv, 1)), "two");
	json_decref(req);
	jobopt_destroy(o);
}

static void test_jobopt_to_json_interactive(void **state)
{
	struct lv_error err = {0};
	struct jobopt *o = parse_ok((const char *[]){"-D", "/abs", NULL});
	struct jobopt_submit s = {.cwd = "/home/u", .envp = test_env};
	json_t *req = jobopt_to_json(o, &s, &err);

	(void)state;
	assert_non_null(req);
	assert_json_str(req, "kind", "interactive");
	assert_json_absent(req, "script");
	assert_json_absent(req, "argv");
	assert_json_absent(req, "name");
	assert_json_str(req, "work_dir", "/abs");
	json_decref(req);
	jobopt_destroy(o);
}

static void test_jobopt_to_json_errors(void **state)
{
	struct lv_error err = {0};
	struct jobopt *o = parse_ok((const char *[]){"-D", "rel", NULL});
	struct jobopt_submit s = {.script = "#!/bin/sh\n", .envp = test_env};
	char **latin1_env = strv_dup((const char *[]){"BAD=caf\xe9", NULL});

	(void)state;
	assert_null(jobopt_to_json(o, &s, &err));
	assert_int_equal(err.code, -EINVAL);
	assert_string_equal(err.text, "no absolute working directory");

	s.cwd = "/home/u";
	s.script = "#!/bin/sh\necho caf\xe9\n";
	assert_null(jobopt_to_json(o, &s, &err));
	assert_string_equal(err.text, "script: not valid UTF-8 text");

	s.script = "#!/bin/sh\n";
	s.envp = latin1_env;
	assert_null(jobopt_to_json(o, &s, &err));
	assert_string_equal(err.text,
			    "environment variable BAD: not valid UTF-8 text");
	jobopt_destroy(o);
	strv_free(latin1_env);
}

/* ---- help ---- */

static void test_jobopt_print_help_lists_options(void **state)
{
	char buf[16384] = "";
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");

	(void)state;
	assert_non_null(f);
	jobopt_print_help(f, JOBOPT_LVBATCH);
	jobopt_print_usage(f, JOBOPT_LVBATCH);
	fclose(f);
	assert_non_null(strstr(buf, "Usage: lvbatch"));
	assert_non_null(strstr(buf, "-J, --job-name=NAME"));
	assert_non_null(strstr(buf, "--wrap=CMD"));
	assert_non_null(strstr(buf, "[-N N[-M]]"));

	f = fmemopen(buf, sizeof(buf) - 1, "w");
	jobopt_print_help(f, JOBOPT_LVRUN);
	fclose(f);
	assert_null(strstr(buf, "--wrap"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jobopt_parse_argv_short_options),
		cmocka_unit_test(test_jobopt_parse_argv_long_options),
		cmocka_unit_test(test_jobopt_parse_argv_stops_at_script),
		cmocka_unit_test(test_jobopt_parse_argv_bad_options),
		cmocka_unit_test(test_jobopt_parse_argv_bad_numbers),
		cmocka_unit_test(test_jobopt_parse_argv_nodes),
		cmocka_unit_test(test_jobopt_parse_argv_time),
		cmocka_unit_test(test_jobopt_parse_argv_mem),
		cmocka_unit_test(test_jobopt_parse_argv_array),
		cmocka_unit_test(test_jobopt_parse_argv_dependency),
		cmocka_unit_test(test_jobopt_parse_argv_export),
		cmocka_unit_test(test_jobopt_parse_argv_flags),
		cmocka_unit_test(test_jobopt_parse_argv_resource_options),
		cmocka_unit_test(test_jobopt_parse_argv_per_program),
		cmocka_unit_test(test_jobopt_cmd_get_command_options),
		cmocka_unit_test(
			test_jobopt_parse_directives_stop_at_first_command),
		cmocka_unit_test(test_jobopt_parse_directives_not_directives),
		cmocka_unit_test(test_jobopt_parse_directives_quotes),
		cmocka_unit_test(test_jobopt_parse_directives_errors),
		cmocka_unit_test(test_jobopt_parse_directives_precedence),
		cmocka_unit_test(
			test_jobopt_parse_directives_bad_value_overridden),
		cmocka_unit_test(test_jobopt_parse_env_precedence),
		cmocka_unit_test(test_jobopt_parse_env_errors),
		cmocka_unit_test(test_jobopt_to_json_defaults),
		cmocka_unit_test(test_jobopt_to_json_interactive),
		cmocka_unit_test(test_jobopt_to_json_errors),
		cmocka_unit_test(test_jobopt_print_help_lists_options),
	};

	int rc;

	setenv("TZ", "UTC", 1);
	tzset();
	test_env =
		strv_dup((const char *[]){"HOME=/home/u", "PATH=/bin:/usr/bin",
					  "A=from-env", "NOEQUALS", NULL});
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	strv_free(test_env);
	return rc;
}
