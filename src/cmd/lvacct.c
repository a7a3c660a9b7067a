/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lvacct: sacct's counterpart, ended jobs and steps from the accounting
 * database (proto 07), in sacct's columns and field names. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "cmd/jobfmt.h"
#include "common/msg.h"
#include "common/timefmt.h"

#define DEFAULT_FORMAT \
	"JobID,JobName,Partition,Account,AllocCPUS,State,ExitCode"
#define STEP_BATCH 0xfffffffbLL
#define MAX_FIELDS 64

/* One output line's context: the job, and the step or NULL. */
struct line {
	const json_t *job, *step;
};

typedef void (*field_f)(const struct line *l, char *buf, size_t len);

struct field_def {
	const char *name;
	int width; /* negative: left-justified, as sacct's JobID */
	field_f get;
};

struct column {
	const struct field_def *def;
	int width;
};

struct options {
	const char *jobs, *users, *states, *start, *end, *format;
	bool all_users, no_steps, json, noheader;
	int parsable; /* 1: -p (trailing '|'), 2: -P */
};

/* ---- field values ---- */

static json_int_t num(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = lv_json_str(o, key);

	return s ? s : "";
}

/* The step's value of key when this is a step line, else the job's. */
static const json_t *row(const struct line *l)
{
	return l->step ? l->step : l->job;
}

static void f_jobid_raw(const struct line *l, char *buf, size_t len)
{
	json_int_t sid;

	if (!l->step) {
		snprintf(buf, len, "%lld", (long long)num(l->job, "job_id"));
		return;
	}
	sid = num(l->step, "step_id");
	if (sid == STEP_BATCH)
		snprintf(buf, len, "%lld.batch",
			 (long long)num(l->job, "job_id"));
	else
		snprintf(buf, len, "%lld.%lld",
			 (long long)num(l->job, "job_id"), (long long)sid);
}

static void f_jobid(const struct line *l, char *buf, size_t len)
{
	char base[64];
	json_int_t sid;

	if (num(l->job, "array_job_id"))
		snprintf(base, sizeof(base), "%lld_%lld",
			 (long long)num(l->job, "array_job_id"),
			 (long long)num(l->job, "array_task_id"));
	else
		snprintf(base, sizeof(base), "%lld",
			 (long long)num(l->job, "job_id"));
	if (!l->step) {
		snprintf(buf, len, "%s", base);
		return;
	}
	sid = num(l->step, "step_id");
	if (sid == STEP_BATCH)
		snprintf(buf, len, "%s.batch", base);
	else
		snprintf(buf, len, "%s.%lld", base, (long long)sid);
}

static void f_name(const struct line *l, char *buf, size_t len)
{
	snprintf(buf, len, "%s", str(row(l), "name"));
}

static void f_job_str(const struct line *l, const char *key, char *buf,
		      size_t len)
{
	snprintf(buf, len, "%s", l->step ? "" : str(l->job, key));
}

static void f_partition(const struct line *l, char *buf, size_t len)
{
	f_job_str(l, "partition", buf, len);
}

static void f_account(const struct line *l, char *buf, size_t len)
{
	snprintf(buf, len, "%s", str(l->job, "account"));
}

static void f_user(const struct line *l, char *buf, size_t len)
{
	f_job_str(l, "user", buf, len);
}

static void f_workdir(const struct line *l, char *buf, size_t len)
{
	f_job_str(l, "work_dir", buf, len);
}

static void f_state(const struct line *l, char *buf, size_t len)
{
	snprintf(buf, len, "%s", str(row(l), "state"));
}

static void f_exitcode(const struct line *l, char *buf, size_t len)
{
	snprintf(buf, len, "%lld:%lld", (long long)num(row(l), "exit_code"),
		 (long long)num(row(l), "signal"));
}

static void f_int(const json_t *o, const char *key, char *buf, size_t len)
{
	snprintf(buf, len, "%lld", (long long)num(o, key));
}

static void f_alloccpus(const struct line *l, char *buf, size_t len)
{
	f_int(l->job, "alloc_cpus", buf, len);
}

static void f_nnodes(const struct line *l, char *buf, size_t len)
{
	f_int(l->job, "nnodes", buf, len);
}

static void f_ntasks(const struct line *l, char *buf, size_t len)
{
	if (l->step)
		f_int(l->step, "ntasks", buf, len);
	else
		buf[0] = '\0';
}

static void f_uid(const struct line *l, char *buf, size_t len)
{
	f_int(l->job, "uid", buf, len);
}

static void f_gid(const struct line *l, char *buf, size_t len)
{
	f_int(l->job, "gid", buf, len);
}

static json_int_t elapsed(const struct line *l)
{
	json_int_t s = num(row(l), "start"), e = num(row(l), "end");

	return s && e > s ? e - s : 0;
}

/* sacct's Elapsed: [D-]HH:MM:SS. */
static void dhms(json_int_t secs, char *buf, size_t len)
{
	long long d = secs / 86400, h = secs / 3600 % 24, m = secs / 60 % 60,
		  s = secs % 60;

	if (d)
		snprintf(buf, len, "%lld-%02lld:%02lld:%02lld", d, h, m, s);
	else
		snprintf(buf, len, "%02lld:%02lld:%02lld", h, m, s);
}

static void f_elapsed(const struct line *l, char *buf, size_t len)
{
	dhms(elapsed(l), buf, len);
}

static void f_elapsed_raw(const struct line *l, char *buf, size_t len)
{
	snprintf(buf, len, "%lld", (long long)elapsed(l));
}

static void f_cputime(const struct line *l, char *buf, size_t len)
{
	dhms(elapsed(l) * num(l->job, "alloc_cpus"), buf, len);
}

static void f_cputime_raw(const struct line *l, char *buf, size_t len)
{
	snprintf(buf, len, "%lld",
		 (long long)(elapsed(l) * num(l->job, "alloc_cpus")));
}

static void timestamp(json_int_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t || !localtime_r(&tt, &tm))
		snprintf(buf, len, "Unknown");
	else
		strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
}

static void f_start(const struct line *l, char *buf, size_t len)
{
	timestamp(num(row(l), "start"), buf, len);
}

static void f_end(const struct line *l, char *buf, size_t len)
{
	timestamp(num(row(l), "end"), buf, len);
}

static void f_submit(const struct line *l, char *buf, size_t len)
{
	timestamp(num(l->job, "submit"), buf, len);
}

static void f_eligible(const struct line *l, char *buf, size_t len)
{
	timestamp(num(l->job, "eligible"), buf, len);
}

/* Slurm's unit conversion: the largest unit that keeps the value at
 * least 1, two decimals unless exact ("50M", "48.83M"). */
static void f_maxrss(const struct line *l, char *buf, size_t len)
{
	static const char units[] = "KMGTP";
	double v = (double)num(row(l), "maxrss_kb");
	int u = 0;

	if (v <= 0) {
		buf[0] = '\0';
		return;
	}
	while (v >= 1024 && units[u + 1]) {
		v /= 1024;
		u++;
	}
	if (v == (double)(long long)v)
		snprintf(buf, len, "%lld%c", (long long)v, units[u]);
	else
		snprintf(buf, len, "%.2f%c", v, units[u]);
}

/* sacct's TotalCPU: [D-][HH:]MM:SS, with milliseconds under an hour. */
static void f_totalcpu(const struct line *l, char *buf, size_t len)
{
	long long us = (long long)num(row(l), "cpu_usec"), s = us / 1000000;

	if (s >= 3600)
		dhms(s, buf, len);
	else
		snprintf(buf, len, "%02lld:%02lld.%03lld", s / 60, s % 60,
			 us / 1000 % 1000);
}

static void f_nodelist(const struct line *l, char *buf, size_t len)
{
	const char *n = lv_json_str(row(l), "nodes");

	snprintf(buf, len, "%s", n && *n ? n : "None assigned");
}

static const struct field_def fields[] = {
	{"JobID", -12, f_jobid},
	{"JobIDRaw", -12, f_jobid_raw},
	{"JobName", 10, f_name},
	{"Partition", 10, f_partition},
	{"Account", 10, f_account},
	{"AllocCPUS", 10, f_alloccpus},
	{"State", 10, f_state},
	{"ExitCode", 8, f_exitcode},
	{"Elapsed", 10, f_elapsed},
	{"ElapsedRaw", 10, f_elapsed_raw},
	{"CPUTime", 10, f_cputime},
	{"CPUTimeRAW", 10, f_cputime_raw},
	{"Start", 19, f_start},
	{"End", 19, f_end},
	{"Submit", 19, f_submit},
	{"Eligible", 19, f_eligible},
	{"MaxRSS", 10, f_maxrss},
	{"TotalCPU", 10, f_totalcpu},
	{"NodeList", 15, f_nodelist},
	{"NNodes", 8, f_nnodes},
	{"NTasks", 8, f_ntasks},
	{"User", 9, f_user},
	{"UID", 6, f_uid},
	{"GID", 6, f_gid},
	{"WorkDir", 20, f_workdir},
};
#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

/* ---- the format ---- */

static const struct field_def *find_field(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < N_FIELDS; i++)
		if (strlen(fields[i].name) == n &&
		    !strncasecmp(fields[i].name, name, n))
			return &fields[i];
	return NULL;
}

/* "JobID,jobname%20,State" into cols; returns how many. */
static size_t parse_format(const struct cli *cli, const char *fmt,
			   struct column *cols)
{
	const char *p = fmt, *end, *pct;
	size_t n = 0, k;
	char *stop;
	long w;

	while (*p) {
		end = p + strcspn(p, ", ");
		pct = memchr(p, '%', (size_t)(end - p));
		k = (size_t)((pct ? pct : end) - p);
		if (k && n == MAX_FIELDS)
			cli_die(cli, "too many fields in --format");
		if (k && !(cols[n].def = find_field(p, k)))
			cli_die(cli, "Invalid field requested: \"%.*s\"",
				(int)k, p);
		if (k) {
			cols[n].width = cols[n].def->width;
			if (pct) {
				w = strtol(pct + 1, &stop, 10);
				if (stop != end || w == 0 || w > 1000 ||
				    w < -1000)
					cli_die(cli,
						"Invalid field width: \"%.*s\"",
						(int)(end - p), p);
				/* sacct keeps the justification; a width
				 * sets the size only. */
				cols[n].width = cols[n].def->width < 0
							? -labs(w)
							: labs(w);
			}
			n++;
		}
		p = *end ? end + 1 : end;
	}
	if (!n)
		cli_die(cli, "no fields in --format");
	return n;
}

static void print_help_format(void)
{
	size_t i;

	for (i = 0; i < N_FIELDS; i++)
		printf("%-20s%s", fields[i].name, i % 4 == 3 ? "\n" : "");
	printf("\n");
}

/* ---- printing ---- */

/* One cell: truncated with '+' as sacct does, then justified. */
static void cell(const char *text, int width)
{
	int w = width < 0 ? -width : width, n = (int)strlen(text);

	if (n > w)
		printf("%.*s+ ", w - 1, text);
	else if (width < 0)
		printf("%-*s ", w, text);
	else
		printf("%*s ", w, text);
}

static void print_header(const struct column *cols, size_t n,
			 const struct options *o)
{
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		if (o->parsable)
			printf("%s%s", cols[i].def->name,
			       i + 1 < n || o->parsable == 1 ? "|" : "");
		else
			cell(cols[i].def->name, cols[i].width);
	}
	printf("\n");
	if (o->parsable)
		return;
	for (i = 0; i < n; i++) {
		for (k = 0; k < abs(cols[i].width); k++)
			putchar('-');
		putchar(' ');
	}
	printf("\n");
}

static void print_line(const struct column *cols, size_t n,
		       const struct options *o, const struct line *l)
{
	char buf[4096];
	size_t i;

	for (i = 0; i < n; i++) {
		cols[i].def->get(l, buf, sizeof(buf));
		if (o->parsable)
			printf("%s%s", buf,
			       i + 1 < n || o->parsable == 1 ? "|" : "");
		else
			cell(buf, cols[i].width);
	}
	printf("\n");
}

static void print_rows(const struct cli *cli, const json_t *jobs,
		       const struct options *o)
{
	struct column cols[MAX_FIELDS];
	size_t n =
		parse_format(cli, o->format ? o->format : DEFAULT_FORMAT, cols);
	const json_t *job, *step;
	size_t i, k;

	if (!o->noheader)
		print_header(cols, n, o);
	json_array_foreach(jobs, i, job) {
		struct line l = {.job = job};

		print_line(cols, n, o, &l);
		json_array_foreach(json_object_get(job, "steps"), k, step) {
			l.step = step;
			print_line(cols, n, o, &l);
		}
	}
}

/* ---- the request ---- */

static json_int_t parse_user(const struct cli *cli, const char *user)
{
	const struct passwd *pw;
	char *end;
	unsigned long uid;

	if (strchr(user, ','))
		cli_die(cli, "only one user may be given with --user");
	uid = strtoul(user, &end, 10);
	if (*user && !*end)
		return (json_int_t)uid;
	if (!(pw = getpwnam(user)))
		cli_die(cli, "Invalid user: %s", user);
	return (json_int_t)pw->pw_uid;
}

static json_t *parse_states(const struct cli *cli, const char *list)
{
	json_t *out = json_array();
	char *copy = strdup(list), *tok, *save = NULL;
	const char *name;

	if (!copy)
		cli_die(cli, "out of memory");
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!(name = jobfmt_state_name(tok)))
			cli_die(cli, "Invalid state: %s", tok);
		json_array_append_new(out, json_string(name));
	}
	free(copy);
	return out;
}

static json_int_t parse_time(const struct cli *cli, const char *s)
{
	struct lv_error err = {0};
	int64_t when;

	if (lv_begin_parse(s, (int64_t)time(NULL), &when, &err) < 0)
		cli_die(cli, "Invalid time specification: %s", s);
	return (json_int_t)when;
}

/* sacct's default window starts at midnight today (none with -j). */
static json_int_t midnight(void)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (json_int_t)mktime(&tm);
}

static json_t *build_request(const struct cli *cli, const struct options *o)
{
	json_t *b = json_object();

	/* "12.batch" and "12_3" name job 12's records. */
	if (o->jobs)
		json_object_set_new(b, "job_ids", cli_job_ids(cli, o->jobs, "._"));
	if (o->users)
		json_object_set_new(b, "user",
				    json_integer(parse_user(cli, o->users)));
	if (o->all_users)
		json_object_set_new(b, "all_users", json_true());
	if (o->start)
		json_object_set_new(b, "start",
				    json_integer(parse_time(cli, o->start)));
	else if (!o->jobs)
		json_object_set_new(b, "start", json_integer(midnight()));
	if (o->end)
		json_object_set_new(b, "end",
				    json_integer(parse_time(cli, o->end)));
	if (o->states)
		json_object_set_new(b, "states", parse_states(cli, o->states));
	if (o->no_steps)
		json_object_set_new(b, "no_steps", json_true());
	return b;
}

/* ---- options ---- */

static void usage(void)
{
	printf("Usage: lvacct [OPTIONS]\n"
	       "  -a, --allusers          every user's jobs (admin)\n"
	       "  -e, --helpformat        list the fields --format knows\n"
	       "  -E, --endtime=TIME      jobs that started before TIME\n"
	       "  -j, --jobs=LIST         these jobs only\n"
	       "  -n, --noheader          no header lines\n"
	       "  -o, --format=LIST       fields to show, e.g. JobID,State,Elapsed%%12\n"
	       "  -p, --parsable          '|' after every field\n"
	       "  -P, --parsable2         '|' between fields\n"
	       "  -s, --state=LIST        jobs that ended in these states\n"
	       "  -S, --starttime=TIME    jobs that ended after TIME (default: midnight)\n"
	       "  -u, --user=USER         that user's jobs\n"
	       "  -X, --allocations       no step lines\n"
	       "      --json              the records as JSON\n"
	       "  -h, --help              this help\n");
}

static void parse_args(struct cli *cli, int argc, char **argv,
		       struct options *o)
{
	static const struct option longopts[] = {
		{"allusers", no_argument, NULL, 'a'},
		{"helpformat", no_argument, NULL, 'e'},
		{"endtime", required_argument, NULL, 'E'},
		{"jobs", required_argument, NULL, 'j'},
		{"noheader", no_argument, NULL, 'n'},
		{"format", required_argument, NULL, 'o'},
		{"parsable", no_argument, NULL, 'p'},
		{"parsable2", no_argument, NULL, 'P'},
		{"state", required_argument, NULL, 's'},
		{"starttime", required_argument, NULL, 'S'},
		{"user", required_argument, NULL, 'u'},
		{"uid", required_argument, NULL, 'u'},
		{"allocations", no_argument, NULL, 'X'},
		{"json", no_argument, NULL, 'J'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":aeE:j:no:pPs:S:u:Xh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'a':
			o->all_users = true;
			break;
		case 'e':
			print_help_format();
			exit(0);
		case 'E':
			o->end = optarg;
			break;
		case 'j':
			o->jobs = optarg;
			break;
		case 'n':
			o->noheader = true;
			break;
		case 'o':
			o->format = optarg;
			break;
		case 'p':
			o->parsable = 1;
			break;
		case 'P':
			o->parsable = 2;
			break;
		case 's':
			o->states = optarg;
			break;
		case 'S':
			o->start = optarg;
			break;
		case 'u':
			o->users = optarg;
			break;
		case 'X':
			o->no_steps = true;
			break;
		case 'J':
			o->json = true;
			break;
		case 'h':
			usage();
			exit(0);
		default:
			cli_bad_option(cli, c, argv);
		}
	}
	cli_no_arguments(cli, argc, argv);
}

int main(int argc, char **argv)
{
	struct cli cli = {.prog = "lvacct"};
	struct options o = {0};
	json_t *body, *reply;

	parse_args(&cli, argc, argv, &o);
	if (o.format) { /* fail on a bad field before asking the server */
		struct column cols[MAX_FIELDS];

		parse_format(&cli, o.format, cols);
	}
	body = build_request(&cli, &o);
	cli_load_conf(&cli);
	cli_connect(&cli);
	reply = cli_call(&cli, LV_MSG_ACCT_QUERY, body);
	if (o.json)
		cli_print_json(reply);
	else
		print_rows(&cli, json_object_get(reply, "jobs"), &o);
	json_decref(reply);
	cli_finish(&cli);
	return 0;
}
