/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lvqueue: the jobs in the queue, as squeue shows them. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "cmd/jobfmt.h"
#include "common/msg.h"

/* squeue's sort when -S is not given: partition, state, priority down. */
#define SORT_DEFAULT "P,t,-p"
#define SORT_START "S"
#define SORT_KEYS_MAX 16

struct options {
	bool no_header, long_format, start, json, all, me;
	const char *format; /* -o or -O text, NULL: default */
	bool format_long;   /* format came from -O */
	const char *sort;
	const char *users, *jobs, *states, *partitions, *names;
	unsigned iterate; /* seconds, 0: print once */
};

/* A -j selector: "12" (task < 0) or "12_3". */
struct job_sel {
	long long id, task;
};

enum sort_kind { SORT_INT, SORT_STR, SORT_STATE, SORT_JOBID, SORT_START_TIME };

struct sort_def {
	char letter;
	enum sort_kind kind;
	const char *key; /* the JSON key compared */
};

struct sort_key {
	const struct sort_def *def;
	bool desc;
};

/* What the options select, parsed once. */
struct query {
	json_t *uids;       /* [int] or NULL: any user */
	json_t *states;     /* [name] or NULL: any state */
	json_t *partitions; /* [string] or NULL */
	json_t *names;      /* [string] or NULL */
	struct job_sel *sels;
	size_t nsels;
	struct sort_key keys[SORT_KEYS_MAX];
	size_t nkeys;
	struct jobfmt *fmt;
};

/* A job to print and the sort order it is compared by. */
struct row {
	const json_t *job;
	const struct query *q;
};

static const struct sort_def sort_defs[] = {
	{'i', SORT_JOBID, "job_id"},  {'A', SORT_INT, "job_id"},
	{'a', SORT_STR, "account"},   {'j', SORT_STR, "name"},
	{'u', SORT_STR, "user"},      {'U', SORT_INT, "uid"},
	{'P', SORT_STR, "partition"}, {'t', SORT_STATE, "state"},
	{'T', SORT_STATE, "state"},   {'p', SORT_INT, "priority"},
	{'Q', SORT_INT, "priority"},  {'S', SORT_START_TIME, "start_time"},
	{'e', SORT_INT, "end_time"},  {'V', SORT_INT, "submit_time"},
	{'M', SORT_INT, "time_used"}, {'l', SORT_INT, "time_limit"},
	{'D', SORT_INT, "num_nodes"}, {'C', SORT_INT, "num_cpus"},
	{'N', SORT_STR, "nodes"},
};

/* Keys the client itself reads to filter and break ties. */
static const char *const filter_keys[] = {
	"job_id", "array_job_id", "array_task_id", "array_task_str",
	"uid",    "state",        "partition",     "name",
};

static void usage(FILE *f)
{
	fputs("Usage: lvqueue [OPTIONS]\n"
	      "  -u, --user=USERS       only these users' jobs (names or uids)\n"
	      "      --me               only my jobs\n"
	      "  -j, --jobs=IDS         only these jobs (12, 12_3)\n"
	      "  -t, --states=STATES    only jobs in these states (PD,R,... or all)\n"
	      "  -p, --partition=PARTS  only jobs in these partitions\n"
	      "  -n, --name=NAMES       only jobs with these names\n"
	      "  -o, --format=FORMAT    columns as %[.][size]X fields\n"
	      "  -O, --Format=FIELDS    columns as Name[:[.]size] items\n"
	      "  -S, --sort=KEYS        sort order, e.g. P,t,-p\n"
	      "  -h, --noheader         no header line\n"
	      "  -l, --long             more columns\n"
	      "      --start            expected start times of pending jobs\n"
	      "  -i, --iterate=SECONDS  repeat every SECONDS\n"
	      "  -a, --all              all partitions\n"
	      "      --json             the jobs as JSON\n"
	      "      --config=FILE      configuration file\n"
	      "      --help             this text\n"
	      "      --usage            a short summary\n",
	      f);
}

static void short_usage(FILE *f)
{
	fputs("Usage: lvqueue [-u users] [--me] [-j jobs] [-t states] "
	      "[-p partitions] [-n names] [-o format] [-O fields] [-S keys] "
	      "[-i seconds] [--start] [--json] [-ahl]\n",
	      f);
}

/* getopt's complaint in our "prog: error:" shape, then exit 1. */
static void bad_option(const struct cli *cli, int c, char **argv)
{
	if (c == ':')
		fprintf(stderr, "%s: error: option '%s' requires an argument\n",
			cli->prog, argv[optind - 1]);
	else if (optopt > 0 && optopt < 128 && isprint(optopt))
		fprintf(stderr, "%s: error: invalid option -- '%c'\n",
			cli->prog, optopt);
	else
		fprintf(stderr, "%s: error: unrecognized option '%s'\n",
			cli->prog, argv[optind - 1]);
	fprintf(stderr, "Try \"%s --help\" for more information\n", cli->prog);
	exit(1);
}

static unsigned parse_seconds(const struct cli *cli, const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v <= 0 || v > INT_MAX)
		cli_die(cli, "Invalid --iterate value: %s", s);
	return (unsigned)v;
}

static void parse_args(struct cli *cli, int argc, char **argv,
		       struct options *o)
{
	enum {
		OPT_ME = 256,
		OPT_START,
		OPT_JSON,
		OPT_CONFIG,
		OPT_HELP,
		OPT_USAGE
	};
	static const struct option longopts[] = {
		{"user", required_argument, NULL, 'u'},
		{"me", no_argument, NULL, OPT_ME},
		{"jobs", required_argument, NULL, 'j'},
		{"states", required_argument, NULL, 't'},
		{"partition", required_argument, NULL, 'p'},
		{"name", required_argument, NULL, 'n'},
		{"format", required_argument, NULL, 'o'},
		{"Format", required_argument, NULL, 'O'},
		{"sort", required_argument, NULL, 'S'},
		{"noheader", no_argument, NULL, 'h'},
		{"long", no_argument, NULL, 'l'},
		{"start", no_argument, NULL, OPT_START},
		{"iterate", required_argument, NULL, 'i'},
		{"all", no_argument, NULL, 'a'},
		{"json", no_argument, NULL, OPT_JSON},
		{"config", required_argument, NULL, OPT_CONFIG},
		{"help", no_argument, NULL, OPT_HELP},
		{"usage", no_argument, NULL, OPT_USAGE},
		{NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":u:j:t:p:n:o:O:S:hli:a", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'u':
			o->users = optarg;
			break;
		case OPT_ME:
			o->me = true;
			break;
		case 'j':
			o->jobs = optarg;
			break;
		case 't':
			o->states = optarg;
			break;
		case 'p':
			o->partitions = optarg;
			break;
		case 'n':
			o->names = optarg;
			break;
		case 'o':
		case 'O':
			o->format = optarg;
			o->format_long = (c == 'O');
			break;
		case 'S':
			o->sort = optarg;
			break;
		case 'h':
			o->no_header = true;
			break;
		case 'l':
			o->long_format = true;
			break;
		case OPT_START:
			o->start = true;
			break;
		case 'i':
			o->iterate = parse_seconds(cli, optarg);
			break;
		case 'a':
			o->all = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_CONFIG:
			cli->conf_path = optarg;
			break;
		case OPT_HELP:
			usage(stdout);
			exit(0);
		case OPT_USAGE:
			short_usage(stdout);
			exit(0);
		default:
			bad_option(cli, c, argv);
		}
	}
	if (optind < argc)
		cli_die(cli, "unrecognized argument '%s'", argv[optind]);
}

/* "a,b,,c" as ["a","b","c"]; NULL for a NULL list. */
static json_t *split_list(const char *s)
{
	json_t *arr;
	size_t len;

	if (!s)
		return NULL;
	arr = json_array();
	for (; *s; s += len + (s[len] == ',')) {
		len = strcspn(s, ",");
		if (len)
			json_array_append_new(arr, json_stringn(s, len));
	}
	return arr;
}

static bool parse_ll(const char *s, const char *stop, long long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return !errno && end == stop;
}

static void add_uid(json_t *uids, const struct cli *cli, const char *user)
{
	const struct passwd *pw;
	long long uid;

	if (parse_ll(user, user + strlen(user), &uid)) {
		json_array_append_new(uids, json_integer(uid));
		return;
	}
	if (!(pw = getpwnam(user)))
		cli_die(cli, "Invalid user: %s", user);
	json_array_append_new(uids, json_integer((json_int_t)pw->pw_uid));
}

static json_t *parse_users(const struct cli *cli, const struct options *o)
{
	json_t *names = split_list(o->users), *uids, *v;
	size_t i;

	if (!o->users && !o->me)
		return NULL;
	uids = json_array();
	json_array_foreach(names, i, v)
		add_uid(uids, cli, json_string_value(v));
	if (o->me)
		json_array_append_new(uids, json_integer((json_int_t)getuid()));
	json_decref(names);
	return uids;
}

/* -t, or squeue's default of the jobs still in the system; -j alone shows
 * jobs in every state and --start only pending ones.  NULL: any state. */
static json_t *parse_states(const struct cli *cli, const struct options *o)
{
	static const char *const active[] = {"PENDING", "RUNNING", "SUSPENDED",
					     "COMPLETING"};
	json_t *in = split_list(o->states), *out = json_array(), *v;
	const char *name;
	bool all = false;
	size_t i;

	json_array_foreach(in, i, v) {
		if (!strcasecmp(json_string_value(v), "all"))
			all = true;
		else if ((name = jobfmt_state_name(json_string_value(v))))
			json_array_append_new(out, json_string(name));
		else
			cli_die(cli, "Invalid job state specified: %s",
				json_string_value(v));
	}
	json_decref(in);
	if (o->start) {
		json_array_clear(out);
		json_array_append_new(out, json_string("PENDING"));
	} else if (all) {
		json_array_clear(out);
	} else if (!o->states && !o->jobs) {
		for (i = 0; i < sizeof(active) / sizeof(*active); i++)
			json_array_append_new(out, json_string(active[i]));
	}
	if (!json_array_size(out)) {
		json_decref(out);
		return NULL;
	}
	return out;
}

static void parse_jobs(const struct cli *cli, const char *list, struct query *q)
{
	json_t *ids = split_list(list), *v;
	const char *s, *us;
	size_t i;

	if (!ids)
		return;
	if (!(q->sels = calloc(json_array_size(ids) + 1, sizeof(*q->sels))))
		cli_die(cli, "out of memory");
	json_array_foreach(ids, i, v) {
		struct job_sel *sel = &q->sels[q->nsels++];

		s = json_string_value(v);
		us = strchr(s, '_');
		sel->task = -1;
		if (!parse_ll(s, us ? us : s + strlen(s), &sel->id) ||
		    (us && !parse_ll(us + 1, us + strlen(us), &sel->task)))
			cli_die(cli, "Invalid job id: %s", s);
	}
	json_decref(ids);
}

static void parse_sort(const struct cli *cli, const char *spec, struct query *q)
{
	const char *p = spec;
	struct sort_key *k;
	size_t j;

	for (; *p; p += (*p == ',')) {
		if (q->nkeys == SORT_KEYS_MAX)
			cli_die(cli, "Invalid sort specification: %s", spec);
		k = &q->keys[q->nkeys++];
		k->desc = (*p == '-');
		p += (*p == '-' || *p == '+');
		for (j = 0; j < sizeof(sort_defs) / sizeof(*sort_defs); j++) {
			if (*p && sort_defs[j].letter == *p)
				k->def = &sort_defs[j];
		}
		if (!k->def || (p[1] && p[1] != ','))
			cli_die(cli, "Invalid sort specification: %s", spec);
		p++;
	}
}

static const char *default_format(const struct options *o)
{
	if (o->format)
		return o->format;
	if (o->start)
		return JOBFMT_START;
	return o->long_format ? JOBFMT_LONG : JOBFMT_DEFAULT;
}

static void parse_query(const struct cli *cli, const struct options *o,
			struct query *q)
{
	struct lv_error err = {0};

	if (!(q->fmt = jobfmt_parse(default_format(o), o->format_long, &err)))
		cli_die(cli, "%s", err.text);
	q->uids = parse_users(cli, o);
	q->states = parse_states(cli, o);
	q->partitions = split_list(o->partitions);
	q->names = split_list(o->names);
	parse_jobs(cli, o->jobs, q);
	parse_sort(cli,
		   o->sort    ? o->sort
		   : o->start ? SORT_START
			      : SORT_DEFAULT,
		   q);
}

static void query_free(struct query *q)
{
	json_decref(q->uids);
	json_decref(q->states);
	json_decref(q->partitions);
	json_decref(q->names);
	free(q->sels);
	jobfmt_destroy(q->fmt);
}

/* ---- the request ---- */

static void add_field(json_t *fields, const char *key)
{
	const json_t *v;
	size_t i;

	json_array_foreach(fields, i, v) {
		if (!strcmp(json_string_value(v), key))
			return;
	}
	json_array_append_new(fields, json_string(key));
}

static json_t *wanted_fields(const struct query *q)
{
	json_t *fields = json_array();
	const char *const *k;

	for (k = jobfmt_fields(q->fmt); *k; k++)
		add_field(fields, *k);
	for (size_t i = 0; i < sizeof(filter_keys) / sizeof(*filter_keys); i++)
		add_field(fields, filter_keys[i]);
	for (size_t i = 0; i < q->nkeys; i++)
		add_field(fields, q->keys[i].def->key);
	return fields;
}

/* The filters the controller can apply (see proto 04 JOB_INFO); we
 * filter again on our side in case it does not. */
static json_t *build_request(const struct options *o, const struct query *q)
{
	json_t *body = json_object(), *ids;

	if (q->uids && json_array_size(q->uids) == 1)
		json_object_set(body, "user", json_array_get(q->uids, 0));
	if (q->states)
		json_object_set(body, "states", q->states);
	if (q->partitions)
		json_object_set(body, "partitions", q->partitions);
	if (q->names)
		json_object_set(body, "names", q->names);
	if (q->nsels) {
		ids = json_array();
		for (size_t i = 0; i < q->nsels; i++)
			json_array_append_new(ids, json_integer(q->sels[i].id));
		json_object_set_new(body, "job_ids", ids);
	}
	if (o->all)
		json_object_set_new(body, "all", json_true());
	if (!o->json)
		json_object_set_new(body, "fields", wanted_fields(q));
	return body;
}

/* ---- filtering and sorting ---- */

static long long get_ll(const json_t *job, const char *key, long long dflt)
{
	const json_t *v = json_object_get(job, key);

	return json_is_integer(v) ? (long long)json_integer_value(v) : dflt;
}

static bool str_in(const json_t *list, const char *s)
{
	const json_t *v;
	size_t i;

	if (!list)
		return true;
	json_array_foreach(list, i, v) {
		if (s && !strcmp(json_string_value(v), s))
			return true;
	}
	return false;
}

static bool uid_in(const json_t *uids, long long uid)
{
	const json_t *v;
	size_t i;

	if (!uids)
		return true;
	json_array_foreach(uids, i, v) {
		if (json_integer_value(v) == uid)
			return true;
	}
	return false;
}

/* Is task in an array_task_str such as "1-9:2,12%4"? */
static bool task_in_str(const char *s, long long task)
{
	long long lo, hi, step;
	char *end;

	while (s && *s && *s != '%') {
		lo = hi = strtoll(s, &end, 10);
		step = 1;
		if (*end == '-')
			hi = strtoll(end + 1, &end, 10);
		if (*end == ':')
			step = strtoll(end + 1, &end, 10);
		if (task >= lo && task <= hi && step > 0 &&
		    (task - lo) % step == 0)
			return true;
		if (*end != ',')
			return false;
		s = end + 1;
	}
	return false;
}

static bool sel_matches(const struct job_sel *sel, const json_t *job)
{
	long long array_id = get_ll(job, "array_job_id", 0);
	long long task = get_ll(job, "array_task_id", -1);

	if (sel->task < 0)
		return get_ll(job, "job_id", -1) == sel->id ||
		       (array_id > 0 && array_id == sel->id);
	if (array_id != sel->id)
		return false;
	if (task >= 0)
		return task == sel->task;
	return task_in_str(lv_json_str(job, "array_task_str"), sel->task);
}

static bool job_selected(const struct query *q, const json_t *job)
{
	bool any = !q->nsels;

	for (size_t i = 0; !any && i < q->nsels; i++)
		any = sel_matches(&q->sels[i], job);
	return any && uid_in(q->uids, get_ll(job, "uid", -1)) &&
	       str_in(q->states, lv_json_str(job, "state")) &&
	       str_in(q->partitions, lv_json_str(job, "partition")) &&
	       str_in(q->names, lv_json_str(job, "name"));
}

static int cmp_ll(long long a, long long b)
{
	return (a > b) - (a < b);
}

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

/* Job id order, array tasks by task with the pending rest last. */
static int cmp_job_id(const json_t *a, const json_t *b)
{
	long long aa = get_ll(a, "array_job_id", 0),
		  ba = get_ll(b, "array_job_id", 0);
	long long ida = aa > 0 ? aa : get_ll(a, "job_id", 0);
	long long idb = ba > 0 ? ba : get_ll(b, "job_id", 0);
	int c = cmp_ll(ida, idb);

	if (c)
		return c;
	return cmp_ll(get_ll(a, "array_task_id", LLONG_MAX),
		      get_ll(b, "array_task_id", LLONG_MAX));
}

static int cmp_key(const struct sort_def *d, const json_t *a, const json_t *b)
{
	long long ta, tb;

	switch (d->kind) {
	case SORT_STR:
		return cmp_str(lv_json_str(a, d->key), lv_json_str(b, d->key));
	case SORT_STATE:
		return cmp_ll(jobfmt_state_rank(lv_json_str(a, d->key)),
			      jobfmt_state_rank(lv_json_str(b, d->key)));
	case SORT_JOBID:
		return cmp_job_id(a, b);
	case SORT_START_TIME: /* unknown (0) start times last */
		ta = get_ll(a, d->key, 0);
		tb = get_ll(b, d->key, 0);
		return cmp_ll(ta > 0 ? ta : LLONG_MAX, tb > 0 ? tb : LLONG_MAX);
	case SORT_INT:
	default:
		/* missing time_limit is unlimited: largest */
		return cmp_ll(get_ll(a, d->key, LLONG_MAX),
			      get_ll(b, d->key, LLONG_MAX));
	}
}

static int cmp_rows(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	const struct query *q = a->q;
	int c;

	for (size_t i = 0; i < q->nkeys; i++) {
		c = cmp_key(q->keys[i].def, a->job, b->job);
		if (c)
			return q->keys[i].desc ? -c : c;
	}
	return cmp_job_id(a->job, b->job);
}

/* The selected jobs in print order; *count rows, caller frees. */
static struct row *select_jobs(const struct cli *cli, const struct query *q,
			       const json_t *jobs, size_t *count)
{
	struct row *rows = calloc(json_array_size(jobs) + 1, sizeof(*rows));
	const json_t *job;
	size_t i, n = 0;

	if (!rows)
		cli_die(cli, "out of memory");
	json_array_foreach(jobs, i, job) {
		if (job_selected(q, job))
			rows[n++] = (struct row){.job = job, .q = q};
	}
	qsort(rows, n, sizeof(*rows), cmp_rows);
	*count = n;
	return rows;
}

/* ---- output ---- */

static void print_stamp(time_t now)
{
	char stamp[64];
	struct tm tm;

	if (localtime_r(&now, &tm) &&
	    strftime(stamp, sizeof(stamp), "%a %b %d %H:%M:%S %Y", &tm))
		printf("%s\n", stamp);
}

static void print_jobs(const struct options *o, const struct query *q,
		       const struct row *rows, size_t n, time_t now)
{
	json_t *arr;

	if (o->json) {
		arr = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append(arr, (json_t *)rows[i].job);
		cli_print_json(arr);
		json_decref(arr);
		return;
	}
	if (o->long_format || o->iterate)
		print_stamp(now);
	if (!o->no_header)
		jobfmt_header(q->fmt, stdout);
	for (size_t i = 0; i < n; i++)
		jobfmt_row(q->fmt, rows[i].job, now, stdout);
}

static void show_once(struct cli *cli, const struct options *o,
		      const struct query *q)
{
	json_t *reply = cli_call(cli, LV_MSG_JOB_INFO, build_request(o, q));
	const json_t *jobs = json_object_get(reply, "jobs");
	time_t now = (time_t)get_ll(reply, "time", (long long)time(NULL));
	struct row *rows;
	size_t n;

	if (!json_is_array(jobs))
		cli_die(cli, "malformed reply from the controller: no jobs");
	rows = select_jobs(cli, q, jobs, &n);
	print_jobs(o, q, rows, n, now);
	fflush(stdout);
	free(rows);
	json_decref(reply);
}

int main(int argc, char **argv)
{
	struct cli cli = {.prog = "lvqueue"};
	struct options o = {0};
	struct query q = {0};

	parse_args(&cli, argc, argv, &o);
	parse_query(&cli, &o, &q);
	cli_connect(&cli);
	for (;;) {
		show_once(&cli, &o, &q);
		if (!o.iterate)
			break;
		if (!o.json)
			putchar('\n');
		sleep(o.iterate);
	}
	query_free(&q);
	cli_finish(&cli);
	return 0;
}
