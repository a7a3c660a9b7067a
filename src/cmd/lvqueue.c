/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lvqueue: the jobs in the queue, as squeue shows them. */
#include "config.h"

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
#define STDOUT_BUF (256 * 1024)

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

/* The columns that selecting and sorting read, found once per reply. */
struct cols {
	int job_id, array_job_id, array_task_id, array_task_str;
	int uid, state, partition, name;
	int sort[SORT_KEYS_MAX];
};

/* A sort key's value, read from the row once. */
union sort_val {
	long long i;
	const char *s; /* never NULL */
};

/* A job to print, with the values it is sorted by. */
struct pick {
	const struct jobrow *row;
	size_t index;               /* in the reply, for --json */
	long long id, task;         /* squeue's job id order (cmp_job_id) */
	const union sort_val *vals; /* one per sort key */
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

/* Keys every sort ends with: job id order. */
static const char *const tie_keys[] = {
	"job_id",
	"array_job_id",
	"array_task_id",
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
			cli_bad_option(cli, c, argv);
		}
	}
	cli_no_arguments(cli, argc, argv);
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

/* What the format prints, the sort compares, and the filters that are
 * on read (we filter again on our side: see build_request). */
static json_t *wanted_fields(const struct query *q)
{
	json_t *fields = json_array();
	const char *const *k;

	for (k = jobfmt_fields(q->fmt); *k; k++)
		add_field(fields, *k);
	for (size_t i = 0; i < q->nkeys; i++)
		add_field(fields, q->keys[i].def->key);
	for (size_t i = 0; i < sizeof(tie_keys) / sizeof(*tie_keys); i++)
		add_field(fields, tie_keys[i]);
	if (q->nsels)
		add_field(fields, "array_task_str");
	if (q->uids)
		add_field(fields, "uid");
	if (q->states)
		add_field(fields, "state");
	if (q->partitions)
		add_field(fields, "partition");
	if (q->names)
		add_field(fields, "name");
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
	if (!o->json) {
		json_object_set_new(body, "fields", wanted_fields(q));
		json_object_set_new(body, "format", json_string("tsv"));
	}
	return body;
}

/* ---- filtering and sorting ---- */

static void find_cols(const struct jobrows *rs, const struct query *q,
		      struct cols *c)
{
	c->job_id = jobrows_column(rs, "job_id");
	c->array_job_id = jobrows_column(rs, "array_job_id");
	c->array_task_id = jobrows_column(rs, "array_task_id");
	c->array_task_str = jobrows_column(rs, "array_task_str");
	c->uid = jobrows_column(rs, "uid");
	c->state = jobrows_column(rs, "state");
	c->partition = jobrows_column(rs, "partition");
	c->name = jobrows_column(rs, "name");
	for (size_t i = 0; i < q->nkeys; i++)
		c->sort[i] = jobrows_column(rs, q->keys[i].def->key);
}

static long long get_ll(const struct jobrow *row, int col, long long dflt)
{
	long long v;

	return jobrow_col_int(row, col, &v) ? v : dflt;
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

static bool sel_matches(const struct job_sel *sel, const struct cols *c,
			const struct jobrow *row)
{
	long long array_id = get_ll(row, c->array_job_id, 0);
	long long task = get_ll(row, c->array_task_id, -1);

	if (sel->task < 0)
		return get_ll(row, c->job_id, -1) == sel->id ||
		       (array_id > 0 && array_id == sel->id);
	if (array_id != sel->id)
		return false;
	if (task >= 0)
		return task == sel->task;
	return task_in_str(jobrow_col_str(row, c->array_task_str), sel->task);
}

static bool job_selected(const struct query *q, const struct cols *c,
			 const struct jobrow *row)
{
	bool any = !q->nsels;

	for (size_t i = 0; !any && i < q->nsels; i++)
		any = sel_matches(&q->sels[i], c, row);
	return any && uid_in(q->uids, get_ll(row, c->uid, -1)) &&
	       str_in(q->states, jobrow_col_str(row, c->state)) &&
	       str_in(q->partitions, jobrow_col_str(row, c->partition)) &&
	       str_in(q->names, jobrow_col_str(row, c->name));
}

/* The values row is sorted by.  last holds each string key's previous
 * value: equal strings share one pointer, so that most comparisons of
 * them need no strcmp. */
static void read_sort_vals(const struct query *q, const struct cols *c,
			   const struct jobrow *row, union sort_val *v,
			   const char **last)
{
	const char *s;
	long long t;

	for (size_t i = 0; i < q->nkeys; i++) {
		switch (q->keys[i].def->kind) {
		case SORT_STR:
			s = jobrow_col_str(row, c->sort[i]);
			s = s ? s : "";
			if (last[i] && !strcmp(last[i], s))
				s = last[i];
			v[i].s = last[i] = s;
			break;
		case SORT_STATE:
			v[i].i = jobfmt_state_rank(
				jobrow_col_str(row, c->sort[i]));
			break;
		case SORT_START_TIME: /* unknown (0) start times last */
			t = get_ll(row, c->sort[i], 0);
			v[i].i = t > 0 ? t : LLONG_MAX;
			break;
		case SORT_JOBID: /* the pick's id and task */
			v[i].i = 0;
			break;
		case SORT_INT:
		default:
			/* missing time_limit is unlimited: largest */
			v[i].i = get_ll(row, c->sort[i], LLONG_MAX);
			break;
		}
	}
}

static void read_pick(const struct query *q, const struct cols *c,
		      const struct jobrow *row, struct pick *p)
{
	long long array_id = get_ll(row, c->array_job_id, 0);

	p->row = row;
	p->q = q;
	p->id = array_id > 0 ? array_id : get_ll(row, c->job_id, 0);
	p->task = get_ll(row, c->array_task_id, LLONG_MAX);
}

static int cmp_ll(long long a, long long b)
{
	return (a > b) - (a < b);
}

/* Job id order, array tasks by task with the pending rest last. */
static int cmp_job_id(const struct pick *a, const struct pick *b)
{
	int c = cmp_ll(a->id, b->id);

	return c ? c : cmp_ll(a->task, b->task);
}

static int cmp_picks(const void *pa, const void *pb)
{
	const struct pick *a = pa, *b = pb;
	const struct query *q = a->q;
	const union sort_val *va = a->vals, *vb = b->vals;
	int c;

	for (size_t i = 0; i < q->nkeys; i++) {
		switch (q->keys[i].def->kind) {
		case SORT_STR:
			c = va[i].s == vb[i].s ? 0 : strcmp(va[i].s, vb[i].s);
			break;
		case SORT_JOBID:
			c = cmp_job_id(a, b);
			break;
		default:
			c = cmp_ll(va[i].i, vb[i].i);
			break;
		}
		if (c)
			return q->keys[i].desc ? -c : c;
	}
	return cmp_job_id(a, b);
}

static bool in_order(const struct pick *p, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		if (cmp_picks(&p[i - 1], &p[i]) > 0)
			return false;
	}
	return true;
}

/* The selected jobs in print order: *count picks, whose values are in
 * *vals; the caller frees both. */
static struct pick *select_jobs(const struct cli *cli, const struct query *q,
				const struct jobrows *rs, size_t *count,
				union sort_val **vals)
{
	size_t total = jobrows_count(rs), n = 0;
	const char *last[SORT_KEYS_MAX] = {0};
	const struct jobrow *row;
	struct pick *picks;
	union sort_val *v;
	struct cols c;

	picks = calloc(total + 1, sizeof(*picks));
	v = calloc(total * q->nkeys + 1, sizeof(*v));
	if (!picks || !v)
		cli_die(cli, "out of memory");
	find_cols(rs, q, &c);
	for (size_t i = 0; i < total; i++) {
		row = jobrows_get(rs, i);
		if (!job_selected(q, &c, row))
			continue;
		read_pick(q, &c, row, &picks[n]);
		picks[n].index = i;
		picks[n].vals = v + n * q->nkeys;
		read_sort_vals(q, &c, row, v + n * q->nkeys, last);
		n++;
	}
	/* The controller lists jobs by id, which often is the order asked
	 * for already. */
	if (!in_order(picks, n))
		qsort(picks, n, sizeof(*picks), cmp_picks);
	*count = n;
	*vals = v;
	return picks;
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
		       const json_t *jobs, const struct pick *picks, size_t n,
		       time_t now)
{
	json_t *arr;

	if (o->json) {
		arr = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append(arr,
					  json_array_get(jobs, picks[i].index));
		/* An object with "jobs", as squeue --json and lvinfo --json. */
		arr = json_pack("{s:o, s:I}", "jobs", arr, "time", (json_int_t)now);
		cli_print_json(arr);
		json_decref(arr);
		return;
	}
	if (o->long_format || o->iterate)
		print_stamp(now);
	if (!o->no_header)
		jobfmt_header(q->fmt, stdout);
	for (size_t i = 0; i < n; i++)
		jobfmt_row(q->fmt, picks[i].row, now, stdout);
}

/* The reply's jobs as rows: the "tsv" text we asked for, or the job
 * objects of a controller that answers only those (and of --json). */
static struct jobrows *reply_rows(const struct cli *cli, const json_t *reply)
{
	const json_t *text = json_object_get(reply, "rows");
	const json_t *jobs = json_object_get(reply, "jobs");
	struct lv_error err = {0};
	struct jobrows *rs;

	if (json_is_string(text))
		rs = jobrows_parse_tsv(json_object_get(reply, "fields"),
				       json_string_value(text), &err);
	else if (json_is_array(jobs))
		rs = jobrows_from_json(jobs, &err);
	else
		cli_die(cli, "malformed reply from the controller: no jobs");
	if (!rs)
		cli_die(cli, "malformed reply from the controller: %s",
			err.text);
	return rs;
}

static void show_once(struct cli *cli, const struct options *o,
		      const struct query *q)
{
	json_t *reply = cli_call(cli, LV_MSG_JOB_INFO, build_request(o, q));
	const json_t *t = json_object_get(reply, "time");
	time_t now =
		json_is_integer(t) ? (time_t)json_integer_value(t) : time(NULL);
	struct jobrows *rs = reply_rows(cli, reply);
	union sort_val *vals;
	struct pick *picks;
	size_t n;

	picks = select_jobs(cli, q, rs, &n, &vals);
	/* squeue -j of ids that do not exist is an error scripts rely on. */
	if (o->jobs && !jobrows_count(rs) && !o->iterate)
		cli_die(cli, "Invalid job id specified");
	print_jobs(o, q, json_object_get(reply, "jobs"), picks, n, now);
	fflush(stdout);
	free(picks);
	free(vals);
	jobrows_destroy(rs);
	json_decref(reply);
}

int main(int argc, char **argv)
{
	/* Rows go out in big writes (jobfmt_row makes one call per row).
	 * glibc ignores the size unless it is given the buffer; static: it
	 * must outlive exit's flush. */
	static char out_buf[STDOUT_BUF];
	struct cli cli = {.prog = "lvqueue"};
	struct options o = {0};
	struct query q = {0};

	setvbuf(stdout, out_buf, _IOFBF, sizeof(out_buf));
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
