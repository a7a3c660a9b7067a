/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for squeue-style job formats and job rows (TZ=UTC). */
#include "config.h"

#include <errno.h>
#include <limits.h>
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

#include "cmd/jobfmt.h"
#include "common/timefmt.h"

/* 2026-03-10T14:30:15Z. */
#define NOW ((time_t)1773153015)

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* One job record of each kind the tests print. */
static const char pending_job[] =
	"{\"job_id\": 42, \"name\": \"wrap\", \"user\": \"alice\", "
	"\"uid\": 1000, \"partition\": \"debug\", \"state\": \"PENDING\", "
	"\"state_short\": \"PD\", \"reason\": \"Priority\", \"num_nodes\": 1, "
	"\"num_cpus\": 2, \"time_limit\": 30, \"submit_time\": 1773153000, "
	"\"start_time\": 0, \"nodes\": \"\"}";
static const char running_job[] =
	"{\"job_id\": 7, \"name\": \"simulation\", \"user\": \"bob\", "
	"\"uid\": 1001, \"partition\": \"batch\", \"state\": \"RUNNING\", "
	"\"state_short\": \"R\", \"reason\": \"None\", \"num_nodes\": 2, "
	"\"nodes\": \"n[1-2]\", \"time_limit\": null, \"time_used\": 3723, "
	"\"start_time\": 1773149292, \"end_time\": 0}";
static const char array_pending_job[] =
	"{\"job_id\": 123, \"array_job_id\": 123, \"array_task_id\": null, "
	"\"array_task_str\": \"4-10\", \"name\": \"arr\", \"user\": \"carol\", "
	"\"partition\": \"debug\", \"state\": \"PENDING\", "
	"\"reason\": \"Resources\", \"num_nodes\": 1}";
static const char array_task_job[] =
	"{\"job_id\": 130, \"array_job_id\": 123, \"array_task_id\": 3, "
	"\"name\": \"arr\", \"user\": \"carol\", \"partition\": \"debug\", "
	"\"state\": \"RUNNING\", \"nodes\": \"n3\", \"num_nodes\": 1}";

/* Prints row 0 of rs with fmt; the caller frees the line. */
static char *print_row(const char *fmt, bool long_names,
		       const struct jobrows *rs)
{
	struct lv_error err = {0};
	struct jobfmt *f = jobfmt_parse(fmt, long_names, &err);
	char *out = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&out, &len);

	assert_non_null(f);
	assert_non_null(mem);
	assert_true(jobrows_count(rs) > 0);
	jobfmt_row(f, jobrows_get(rs, 0), NOW, mem);
	fclose(mem);
	jobfmt_destroy(f);
	return out;
}

/* The job objects of a JSON array text as rows. */
static struct jobrows *json_rows(const char *jobs_json)
{
	struct lv_error err = {0};
	json_t *jobs = json_loads(jobs_json, 0, NULL);
	struct jobrows *rs;

	assert_non_null(jobs);
	rs = jobrows_from_json(jobs, &err);
	json_decref(jobs); /* the rows borrow nothing */
	assert_non_null(rs);
	return rs;
}

/* "tsv" rows for the fields given as a JSON array text. */
static struct jobrows *tsv_rows(const char *fields_json, const char *text)
{
	struct lv_error err = {0};
	json_t *fields = json_loads(fields_json, 0, NULL);
	struct jobrows *rs;

	assert_non_null(fields);
	rs = jobrows_parse_tsv(fields, text, &err);
	json_decref(fields);
	if (!rs)
		fail_msg("%s", err.text);
	return rs;
}

static void assert_tsv_bad(const char *fields_json, const char *text,
			   const char *want)
{
	struct lv_error err = {0};
	json_t *fields = json_loads(fields_json, 0, NULL);

	assert_non_null(fields);
	assert_null(jobrows_parse_tsv(fields, text, &err));
	assert_int_equal(err.code, -EPROTO);
	assert_string_equal(err.text, want);
	json_decref(fields);
}

/* Prints job (one JSON object's text) with fmt; the caller frees the
 * line. */
static char *row(const char *fmt, bool long_names, const char *job_json)
{
	char *jobs = NULL, *out;
	struct jobrows *rs;

	assert_true(asprintf(&jobs, "[%s]", job_json) > 0);
	rs = json_rows(jobs);
	out = print_row(fmt, long_names, rs);
	jobrows_destroy(rs);
	free(jobs);
	return out;
}

static char *header(const char *fmt, bool long_names)
{
	struct lv_error err = {0};
	struct jobfmt *f = jobfmt_parse(fmt, long_names, &err);
	char *out = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&out, &len);

	assert_non_null(f);
	assert_non_null(mem);
	jobfmt_header(f, mem);
	fclose(mem);
	jobfmt_destroy(f);
	return out;
}

static void assert_row(const char *fmt, const char *job, const char *want)
{
	char *got = row(fmt, false, job);

	assert_string_equal(got, want);
	free(got);
}

static void assert_long_row(const char *fmt, const char *job, const char *want)
{
	char *got = row(fmt, true, job);

	assert_string_equal(got, want);
	free(got);
}

static void assert_header(const char *fmt, bool long_names, const char *want)
{
	char *got = header(fmt, long_names);

	assert_string_equal(got, want);
	free(got);
}

static void assert_parse_bad(const char *fmt, bool long_names)
{
	struct lv_error err = {0};

	assert_null(jobfmt_parse(fmt, long_names, &err));
	assert_int_equal(err.code, -EINVAL);
	assert_non_null(strstr(err.text, "Invalid job format specification"));
}

static void test_jobfmt_header_default(void **state)
{
	(void)state;
	assert_header(
		JOBFMT_DEFAULT, false,
		"             JOBID PARTITION     NAME     USER ST       TIME  NODES NODELIST(REASON)\n");
}

static void test_jobfmt_header_long(void **state)
{
	(void)state;
	/* squeue -l cuts TIME_LIMIT to its 9 columns too. */
	assert_header(
		JOBFMT_LONG, false,
		"             JOBID PARTITION     NAME     USER    STATE       TIME TIME_LIMI  NODES NODELIST(REASON)\n");
}

static void test_jobfmt_header_start(void **state)
{
	(void)state;
	assert_header(
		JOBFMT_START, false,
		"             JOBID PARTITION     NAME     USER ST          START_TIME  NODES NODELIST(REASON)\n");
}

static void test_jobfmt_header_names(void **state)
{
	(void)state;
	assert_header(
		"%a|%A|%C|%D|%e|%E|%F|%i|%j|%k|%K|%l|%L|%m|%M|%N", false,
		"ACCOUNT|JOBID|CPUS|NODES|END_TIME|DEPENDENCY|ARRAY_JOB_ID|JOBID|NAME|COMMENT|ARRAY_TASK_ID|TIME_LIMIT|TIME_LEFT|MIN_MEMORY|TIME|NODELIST\n");
	assert_header(
		"%o|%p|%P|%Q|%r|%R|%S|%t|%T|%u|%U|%V|%Z|%c", false,
		"COMMAND|PRIORITY|PARTITION|PRIORITY|REASON|NODELIST(REASON)|START_TIME|ST|STATE|USER|UID|SUBMIT_TIME|WORK_DIR|MIN_CPUS\n");
}

static void test_jobfmt_row_pending(void **state)
{
	(void)state;
	assert_row(
		JOBFMT_DEFAULT, pending_job,
		"                42     debug     wrap    alice PD       0:00      1 (Priority)\n");
}

static void test_jobfmt_row_running(void **state)
{
	(void)state;
	assert_row(
		JOBFMT_DEFAULT, running_job,
		"                 7     batch simulati      bob  R    1:02:03      2 n[1-2]\n");
	assert_row(
		JOBFMT_LONG, running_job,
		"                 7     batch simulati      bob  RUNNING    1:02:03 UNLIMITED      2 n[1-2]\n");
}

static void test_jobfmt_row_running_without_time_used(void **state)
{
	(void)state;
	/* Counted from start_time up to now. */
	assert_row("%M", "{\"state\": \"RUNNING\", \"start_time\": 1773149292}",
		   "1:02:03\n");
	assert_row("%M", "{\"state\": \"PENDING\", \"time_used\": 50}",
		   "0:00\n");
}

static void test_jobfmt_row_array_pending(void **state)
{
	(void)state;
	assert_row(
		JOBFMT_DEFAULT, array_pending_job,
		"        123_[4-10]     debug      arr    carol PD       0:00      1 (Resources)\n");
	assert_row("%A %F %K", array_pending_job, "123 123 4-10\n");
}

static void test_jobfmt_row_array_task(void **state)
{
	(void)state;
	assert_row("%i %A %F %K %R", array_task_job, "123_3 130 123 3 n3\n");
	/* Plain jobs: %F is the job id, %K has no value. */
	assert_row("%i %F %K", running_job, "7 7 N/A\n");
}

static void test_jobfmt_row_widths(void **state)
{
	static const char job[] = "{\"name\": \"abcdefgh\"}";
	static const char short_job[] = "{\"name\": \"ab\"}";

	(void)state;
	assert_row("%5j|%.5j|%j|%3j|%.3j|%8j|", job,
		   "abcde|abcde|abcdefgh|abc|abc|abcdefgh|\n");
	assert_row("%5j|%.5j|%j|%0j|", short_job, "ab   |   ab|ab|ab|\n");
}

static void test_jobfmt_row_literals(void **state)
{
	(void)state;
	assert_row("id=%%%i%%", running_job, "id=%7%\n");
	assert_row("no fields", running_job, "no fields\n");
	assert_header("<%.4i>", false, "<JOBI>\n");
}

static void test_jobfmt_row_time_formats(void **state)
{
	(void)state;
	assert_row("%l|%L", "{\"time_limit\": 30, \"state\": \"PENDING\"}",
		   "30:00|30:00\n");
	assert_row(
		"%l|%L",
		"{\"time_limit\": 3064, \"state\": \"RUNNING\", \"time_used\": 3600}",
		"2-03:04:00|2-02:04:00\n");
	assert_row("%l|%L", "{\"time_limit\": null, \"state\": \"RUNNING\"}",
		   "UNLIMITED|UNLIMITED\n");
	/* Past its limit: no time left, never negative. */
	assert_row(
		"%L",
		"{\"time_limit\": 1, \"state\": \"RUNNING\", \"time_used\": 600}",
		"0:00\n");
	assert_row(
		"%S|%e|%V",
		"{\"start_time\": 1773153015, \"end_time\": 0, \"submit_time\": 1773066615}",
		"2026-03-10T14:30:15|N/A|2026-03-09T14:30:15\n");
	assert_row("%.19S", pending_job, "                N/A\n");
}

static void test_jobfmt_row_time_like_timefmt(void **state)
{
	static const long long secs[] = {
		0,     9,     59,     60,      61,           599,
		600,   3599,  3600,   3661,    36000,        86399,
		86400, 90061, 863999, 8640000, 4294967294LL, 99999999999LL,
	};
	char job[128], want[64];
	char *got;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(secs); i++) {
		long long s = secs[i] < UINT32_MAX ? secs[i] : UINT32_MAX - 1;

		snprintf(job, sizeof(job),
			 "{\"state\": \"RUNNING\", \"time_used\": %lld}",
			 secs[i]);
		lv_time_format((uint32_t)s, want, sizeof(want) - 1);
		strcat(want, "\n");
		got = row("%M", false, job);
		assert_string_equal(got, want);
		free(got);
	}
}

static void test_jobfmt_row_reason_list(void **state)
{
	(void)state;
	assert_row(
		"%R|%r",
		"{\"state\": \"FAILED\", \"reason\": \"NonZeroExitCode\", \"nodes\": \"n1\"}",
		"(NonZeroExitCode)|NonZeroExitCode\n");
	assert_row("%R", "{\"state\": \"COMPLETED\", \"nodes\": \"n1\"}",
		   "n1\n");
	assert_row("%R|%r", "{\"state\": \"PENDING\"}", "(None)|None\n");
	assert_row("%R", "{\"state\": \"COMPLETING\", \"nodes\": \"n[1-4]\"}",
		   "n[1-4]\n");
}

static void test_jobfmt_row_other_fields(void **state)
{
	(void)state;
	assert_row("%m|%m|%m", "{\"min_memory\": 4096}", "4G|4G|4G\n");
	assert_row("%m", "{\"min_memory\": 1536}", "1536M\n");
	assert_row("%Q|%p", "{\"priority\": 4294967295}",
		   "4294967295|1.00000000\n");
	assert_row("%a|%k|%E|%o|%Z", "{}",
		   "(null)|(null)|(null)|(null)|(null)\n");
	assert_row(
		"%a|%Z|%o|%U|%C|%c",
		"{\"account\": \"phys\", \"work_dir\": \"/home/a\", \"command\": \"/home/a/job.sh\", \"uid\": 1000, \"num_cpus\": 8, \"cpus_per_task\": 4}",
		"phys|/home/a|/home/a/job.sh|1000|8|4\n");
	/* No user name: the uid stands in. */
	assert_row("%u", "{\"uid\": 1002}", "1002\n");
	/* No compact code sent: derived from the state. */
	assert_row("%t|%t", "{\"state\": \"COMPLETING\"}", "CG|CG\n");
	assert_row("%D", "{}", "N/A\n");
}

static void test_jobfmt_parse_bad(void **state)
{
	static const char *const bad[] = {
		"%Y", "%", "%.5", "x %q", "%99999i", "", "%.18i %y",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		assert_parse_bad(bad[i], false);
}

static void test_jobfmt_parse_bad_long(void **state)
{
	static const char *const bad[] = {
		"Nope",  "JobID,,Name", "",    "JobID,",
		",Name", "JobID:99999", "Job",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		assert_parse_bad(bad[i], true);
}

static void test_jobfmt_parse_error_names_field(void **state)
{
	struct lv_error err = {0};

	(void)state;
	assert_null(jobfmt_parse("%.18i %Y", false, &err));
	assert_string_equal(err.text, "Invalid job format specification: Y");
	assert_null(jobfmt_parse("JobID,Bogus:5", true, &err));
	assert_string_equal(err.text,
			    "Invalid job format specification: Bogus");
}

static void test_jobfmt_parse_long_names(void **state)
{
	(void)state;
	/* 20 columns unless a size is given; no separator of its own. */
	assert_header("JobID,Name:.10,State:5", true,
		      "JOBID                     NAMESTATE\n");
	assert_long_row("jobid,name:.10,state:5", running_job,
			"7                   simulationRUNNI\n");
	assert_long_row("ArrayJobID:4,ArrayTaskID:4,JobArrayID:12",
			array_task_job, "123 3   123_3       \n");
	/* Text after the size is printed after the field. */
	assert_long_row("JobID:3 |,UserName:.6", running_job, "7   |   bob\n");
}

static void test_jobfmt_parse_long_names_all(void **state)
{
	(void)state;
	assert_header(
		"Account:0 ,ArrayJobID:0 ,ArrayTaskID:0 ,Name:0 ,"
		"UserName:0 ,UserId:0 ,Partition:0 ,StateCompact:0 ,"
		"State:0 ,TimeUsed:0 ,TimeLimit:0 ,TimeLeft:0 ,"
		"NumNodes:0 ,NumCPUs:0 ,NumTasks:0 ,NodeList:0 ,"
		"ReasonList:0 ,Reason:0 ,StartTime:0 ,EndTime:0 ,"
		"SubmitTime:0 ,WorkDir:0 ,Dependency:0 ,Priority:0 ,"
		"MinMemory:0 ,Command:0 ,Comment:0 ,ExitCode:0 ,"
		"STDOUT:0 ,STDERR:0 ,JobID:0",
		true,
		"ACCOUNT ARRAY_JOB_ID ARRAY_TASK_ID NAME USER UID PARTITION ST STATE TIME TIME_LIMIT TIME_LEFT NODES CPUS TASKS NODELIST NODELIST(REASON) REASON START_TIME END_TIME SUBMIT_TIME WORK_DIR DEPENDENCY PRIORITY MIN_MEMORY COMMAND COMMENT EXIT_CODE STDOUT STDERR JOBID\n");
	assert_long_row(
		"ExitCode:0 ,STDOUT:0 ,STDERR:0 ,NumTasks:0",
		"{\"exit_code\": \"1:0\", \"stdout\": \"/o\", \"stderr\": \"/e\", \"num_tasks\": 4}",
		"1:0 /o /e 4\n");
}

static void test_jobfmt_fields_union(void **state)
{
	struct lv_error err = {0};
	struct jobfmt *f = jobfmt_parse("%i %u %R %.2t %T %N", false, &err);
	static const char *const want[] = {
		"job_id", "array_job_id", "array_task_id", "array_task_str",
		"user",   "uid",          "state",         "reason",
		"nodes",  "state_short",
	};
	const char *const *keys;
	size_t n;

	(void)state;
	assert_non_null(f);
	keys = jobfmt_fields(f);
	for (n = 0; keys[n]; n++)
		;
	assert_int_equal(n, ARRAY_LEN(want));
	for (size_t i = 0; i < n; i++)
		assert_string_equal(keys[i], want[i]);
	jobfmt_destroy(f);
}

static void test_jobfmt_fields_none(void **state)
{
	struct lv_error err = {0};
	struct jobfmt *f = jobfmt_parse("just text %%", false, &err);

	(void)state;
	assert_non_null(f);
	assert_null(jobfmt_fields(f)[0]);
	jobfmt_destroy(f);
	jobfmt_destroy(NULL);
}

static void test_jobfmt_state_name_codes(void **state)
{
	(void)state;
	assert_string_equal(jobfmt_state_name("pd"), "PENDING");
	assert_string_equal(jobfmt_state_name("Running"), "RUNNING");
	assert_string_equal(jobfmt_state_name("CG"), "COMPLETING");
	assert_string_equal(jobfmt_state_name("oom"), "OUT_OF_MEMORY");
	assert_string_equal(jobfmt_state_name("s"), "SUSPENDED");
	assert_null(jobfmt_state_name("bogus"));
	assert_null(jobfmt_state_name(""));
	assert_null(jobfmt_state_name(NULL));
	assert_string_equal(jobfmt_state_short("NODE_FAIL"), "NF");
	assert_null(jobfmt_state_short("pd"));
}

static void test_jobfmt_state_rank_order(void **state)
{
	(void)state;
	assert_true(jobfmt_state_rank("PENDING") <
		    jobfmt_state_rank("RUNNING"));
	assert_true(jobfmt_state_rank("RUNNING") <
		    jobfmt_state_rank("COMPLETING"));
	assert_true(jobfmt_state_rank("COMPLETING") <
		    jobfmt_state_rank("COMPLETED"));
	assert_true(jobfmt_state_rank("OUT_OF_MEMORY") <
		    jobfmt_state_rank("WEIRD"));
	assert_int_equal(jobfmt_state_rank(NULL), jobfmt_state_rank("WEIRD"));
}

static void test_jobrows_parse_tsv_values(void **state)
{
	struct jobrows *rs = tsv_rows("[\"job_id\", \"state\", \"name\"]",
				      "42\tPENDING\twrap\n"
				      "7\tRUNNING\tsim\n");
	const struct jobrow *r;
	long long v;

	(void)state;
	assert_int_equal(jobrows_count(rs), 2);
	assert_int_equal(jobrows_column(rs, "state"), 1);
	assert_int_equal(jobrows_column(rs, "nodes"), -1);
	r = jobrows_get(rs, 1);
	assert_true(jobrow_int(r, "job_id", &v));
	assert_int_equal(v, 7);
	assert_string_equal(jobrow_str(r, "state"), "RUNNING");
	assert_string_equal(jobrow_col_str(r, 2), "sim");
	assert_null(jobrow_col_str(r, -1));
	assert_null(jobrow_str(r, "nodes"));
	assert_false(jobrow_int(r, "state", &v));
	assert_false(jobrow_int(r, "nodes", &v));
	jobrows_destroy(rs);
}

static void test_jobrows_parse_tsv_escapes(void **state)
{
	/* Escapes of the server's three, any other backslash kept. */
	struct jobrows *rs = tsv_rows("[\"name\", \"comment\", \"command\"]",
				      "a\\tb\\\\c\\nd\tx\\y\\\ttrail\\");
	const struct jobrow *r = jobrows_get(rs, 0);

	(void)state;
	assert_int_equal(jobrows_count(rs), 1);
	assert_string_equal(jobrow_str(r, "name"), "a\tb\\c\nd");
	assert_string_equal(jobrow_str(r, "comment"), "x\\y\\");
	assert_string_equal(jobrow_str(r, "command"), "trail\\");
	jobrows_destroy(rs);
}

static void test_jobrows_parse_tsv_null(void **state)
{
	/* Only a whole "\N" is null; an escaped backslash before N is
	 * the text "\N". */
	struct jobrows *rs = tsv_rows("[\"a\", \"b\", \"c\", \"d\"]",
				      "\\N\t\\\\N\t\\Nx\t\\N\n");
	const struct jobrow *r = jobrows_get(rs, 0);

	(void)state;
	assert_null(jobrow_str(r, "a"));
	assert_string_equal(jobrow_str(r, "b"), "\\N");
	assert_string_equal(jobrow_str(r, "c"), "\\Nx");
	assert_null(jobrow_str(r, "d"));
	jobrows_destroy(rs);
}

static void test_jobrows_parse_tsv_empty_values(void **state)
{
	struct jobrows *rs =
		tsv_rows("[\"name\", \"nodes\", \"uid\"]", "\t\t\n\tn1\t5\n");
	long long v;

	(void)state;
	assert_int_equal(jobrows_count(rs), 2);
	assert_string_equal(jobrow_str(jobrows_get(rs, 0), "name"), "");
	assert_string_equal(jobrow_str(jobrows_get(rs, 0), "uid"), "");
	assert_false(jobrow_int(jobrows_get(rs, 0), "uid", &v));
	assert_string_equal(jobrow_str(jobrows_get(rs, 1), "nodes"), "n1");
	jobrows_destroy(rs);
	/* No rows at all. */
	rs = tsv_rows("[\"job_id\"]", "");
	assert_int_equal(jobrows_count(rs), 0);
	jobrows_destroy(rs);
	/* One column: an empty line is an empty value. */
	rs = tsv_rows("[\"name\"]", "\n\n");
	assert_int_equal(jobrows_count(rs), 2);
	assert_string_equal(jobrow_str(jobrows_get(rs, 1), "name"), "");
	jobrows_destroy(rs);
}

static void test_jobrows_parse_tsv_no_trailing_newline(void **state)
{
	struct jobrows *rs =
		tsv_rows("[\"job_id\", \"state\"]", "1\tPENDING\n2\tRUNNING");

	(void)state;
	assert_int_equal(jobrows_count(rs), 2);
	assert_string_equal(jobrow_str(jobrows_get(rs, 1), "state"), "RUNNING");
	jobrows_destroy(rs);
}

static void test_jobrows_parse_tsv_wrong_count(void **state)
{
	(void)state;
	assert_tsv_bad("[\"job_id\", \"state\"]", "1\tPENDING\n2\n",
		       "jobrows: row 2: 1 values, expected 2");
	assert_tsv_bad("[\"job_id\", \"state\"]", "1\tPENDING\t\n",
		       "jobrows: row 1: 3 values, expected 2");
	/* An escaped tab is no separator. */
	assert_tsv_bad("[\"job_id\", \"state\"]", "1\\tPENDING",
		       "jobrows: row 1: 1 values, expected 2");
	assert_tsv_bad("[]", "x\n", "jobrows: row 1: 1 values, expected 0");
}

static void test_jobrows_parse_tsv_bad_fields(void **state)
{
	struct lv_error err = {0};

	(void)state;
	assert_tsv_bad("[\"job_id\", 3]", "1\t2\n",
		       "jobrows: field 2 is not a string");
	assert_null(jobrows_parse_tsv(NULL, "1\n", &err));
	assert_int_equal(err.code, -EPROTO);
}

static void test_jobrows_parse_tsv_unknown_field(void **state)
{
	/* The server sends \N for a key it does not know. */
	struct jobrows *rs = tsv_rows("[\"job_id\", \"future\"]", "3\t\\N\n");

	(void)state;
	assert_int_equal(jobrows_column(rs, "future"), 1);
	assert_null(jobrow_str(jobrows_get(rs, 0), "future"));
	jobrows_destroy(rs);
}

static void test_jobrows_parse_tsv_ints(void **state)
{
	struct jobrows *rs =
		tsv_rows("[\"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\"]",
			 "-5\t9223372036854775807\t-9223372036854775808\t"
			 "9223372036854775808\t12a\t-\t+1\n");
	const struct jobrow *r = jobrows_get(rs, 0);
	long long v;

	(void)state;
	assert_true(jobrow_int(r, "a", &v));
	assert_true(v == -5);
	assert_true(jobrow_int(r, "b", &v));
	assert_true(v == LLONG_MAX);
	assert_true(jobrow_int(r, "c", &v));
	assert_true(v == LLONG_MIN);
	assert_false(jobrow_int(r, "d", &v));
	assert_false(jobrow_int(r, "e", &v));
	assert_false(jobrow_int(r, "f", &v));
	assert_false(jobrow_int(r, "g", &v));
	jobrows_destroy(rs);
}

/* The same jobs print the same from either form. */
static void test_jobrows_parse_tsv_prints_like_json(void **state)
{
	struct jobrows *rs = tsv_rows(
		"[\"job_id\", \"array_job_id\", \"array_task_id\", "
		"\"array_task_str\", \"partition\", \"name\", \"user\", "
		"\"uid\", \"state_short\", \"state\", \"time_used\", "
		"\"start_time\", \"num_nodes\", \"reason\", \"nodes\"]",
		"42\t\\N\t\\N\t\\N\tdebug\twrap\talice\t1000\tPD\tPENDING\t0"
		"\t0\t1\tPriority\t\n"
		"123\t123\t\\N\t4-10\tdebug\tarr\tcarol\t1002\tPD\tPENDING\t0"
		"\t0\t1\tResources\t\n");
	char *got;

	(void)state;
	got = print_row(JOBFMT_DEFAULT, false, rs);
	assert_string_equal(
		got,
		"                42     debug     wrap    alice PD       0:00      1 (Priority)\n");
	free(got);
	jobrows_destroy(rs);
}

static void test_jobrows_from_json_values(void **state)
{
	struct jobrows *rs = json_rows(
		"[{\"job_id\": 1, \"held\": true, \"requeue\": false, "
		"\"time_limit\": null, \"steps\": [{\"a\": 1}], \"x\": 1.5},"
		" {\"name\": \"b\", \"job_id\": 2}]");
	const struct jobrow *r = jobrows_get(rs, 0);
	long long v;

	(void)state;
	assert_int_equal(jobrows_count(rs), 2);
	assert_string_equal(jobrow_str(r, "job_id"), "1");
	assert_string_equal(jobrow_str(r, "held"), "1");
	assert_string_equal(jobrow_str(r, "requeue"), "0");
	assert_null(jobrow_str(r, "time_limit"));
	assert_string_equal(jobrow_str(r, "steps"), "[{\"a\":1}]");
	assert_string_equal(jobrow_str(r, "x"), "1.5");
	assert_false(jobrow_int(r, "x", &v));
	/* Columns are the union of the keys; a missing key is null. */
	assert_null(jobrow_str(r, "name"));
	r = jobrows_get(rs, 1);
	assert_string_equal(jobrow_str(r, "name"), "b");
	assert_true(jobrow_int(r, "job_id", &v));
	assert_int_equal(v, 2);
	assert_null(jobrow_str(r, "held"));
	jobrows_destroy(rs);
}

static void test_jobrows_from_json_bad(void **state)
{
	struct lv_error err = {0};
	json_t *bad = json_loads("[{\"job_id\": 1}, 5]", 0, NULL);

	(void)state;
	assert_null(jobrows_from_json(bad, &err));
	assert_int_equal(err.code, -EPROTO);
	assert_string_equal(err.text, "jobrows: job 2 is not an object");
	json_decref(bad);
	bad = json_object();
	assert_null(jobrows_from_json(bad, &err));
	assert_int_equal(err.code, -EPROTO);
	json_decref(bad);
	bad = json_array();
	jobrows_destroy(jobrows_from_json(bad, &err) /* empty is fine */);
	json_decref(bad);
	jobrows_destroy(NULL);
}

static int setup_utc(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jobfmt_header_default),
		cmocka_unit_test(test_jobfmt_header_long),
		cmocka_unit_test(test_jobfmt_header_start),
		cmocka_unit_test(test_jobfmt_header_names),
		cmocka_unit_test(test_jobfmt_row_pending),
		cmocka_unit_test(test_jobfmt_row_running),
		cmocka_unit_test(test_jobfmt_row_running_without_time_used),
		cmocka_unit_test(test_jobfmt_row_array_pending),
		cmocka_unit_test(test_jobfmt_row_array_task),
		cmocka_unit_test(test_jobfmt_row_widths),
		cmocka_unit_test(test_jobfmt_row_literals),
		cmocka_unit_test(test_jobfmt_row_time_formats),
		cmocka_unit_test(test_jobfmt_row_time_like_timefmt),
		cmocka_unit_test(test_jobfmt_row_reason_list),
		cmocka_unit_test(test_jobfmt_row_other_fields),
		cmocka_unit_test(test_jobfmt_parse_bad),
		cmocka_unit_test(test_jobfmt_parse_bad_long),
		cmocka_unit_test(test_jobfmt_parse_error_names_field),
		cmocka_unit_test(test_jobfmt_parse_long_names),
		cmocka_unit_test(test_jobfmt_parse_long_names_all),
		cmocka_unit_test(test_jobfmt_fields_union),
		cmocka_unit_test(test_jobfmt_fields_none),
		cmocka_unit_test(test_jobfmt_state_name_codes),
		cmocka_unit_test(test_jobfmt_state_rank_order),
		cmocka_unit_test(test_jobrows_parse_tsv_values),
		cmocka_unit_test(test_jobrows_parse_tsv_escapes),
		cmocka_unit_test(test_jobrows_parse_tsv_null),
		cmocka_unit_test(test_jobrows_parse_tsv_empty_values),
		cmocka_unit_test(test_jobrows_parse_tsv_no_trailing_newline),
		cmocka_unit_test(test_jobrows_parse_tsv_wrong_count),
		cmocka_unit_test(test_jobrows_parse_tsv_bad_fields),
		cmocka_unit_test(test_jobrows_parse_tsv_unknown_field),
		cmocka_unit_test(test_jobrows_parse_tsv_ints),
		cmocka_unit_test(test_jobrows_parse_tsv_prints_like_json),
		cmocka_unit_test(test_jobrows_from_json_values),
		cmocka_unit_test(test_jobrows_from_json_bad),
	};

	return cmocka_run_group_tests(tests, setup_utc, NULL);
}
