/* SPDX-License-Identifier: GPL-2.0-or-later */
/* squeue's -o/-O formats applied to job records (proto 04 JOB_INFO), read
 * from the rows of cmd/jobrows.h. */
#include "config.h"

#include "cmd/jobfmt.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/jobrows_private.h"
#include "common/timefmt.h"

#define VALUE_MAX 256     /* formatted numbers, times, ids */
#define WIDTH_MAX 4096    /* largest column size accepted */
#define LONG_FMT_WIDTH 20 /* -O column size when none is given */
#define KEYS_MAX 5
#define LINE_MAX_BUF 4096 /* a row is written in pieces of this size */

typedef const char *(*render_f)(const struct jobrow *row, time_t now, char *buf,
				size_t len);

/* How a field without a renderer shows its key's value. */
enum plain { PLAIN_TEXT, PLAIN_INT, PLAIN_TIME };

struct field_def {
	char letter;           /* -o letter; '\0' for -O only fields */
	const char *long_name; /* -O name */
	const char *header;
	enum key keys[KEYS_MAX]; /* keys read, K_NONE-terminated */
	render_f render;         /* NULL: keys[0] shown as plain says */
	enum plain plain;
	const char *dflt; /* plain's text for a missing value */
};

/* One piece of a format: a field, or literal text when def is NULL. */
struct item {
	const struct field_def *def;
	char *text;
	size_t text_len;
	int width; /* 0: natural width */
	bool right;
};

struct jobfmt {
	struct item *items;
	size_t count, cap;
	const char **keys; /* NULL-terminated */
	size_t nkeys;
};

/* States of proto 04 plus SUSPENDED, in squeue's sort order. */
static const struct {
	const char *name, *code;
} states[] = {
	{"PENDING", "PD"},        {"RUNNING", "R"},    {"SUSPENDED", "S"},
	{"COMPLETING", "CG"},     {"COMPLETED", "CD"}, {"CANCELLED", "CA"},
	{"FAILED", "F"},          {"TIMEOUT", "TO"},   {"NODE_FAIL", "NF"},
	{"OUT_OF_MEMORY", "OOM"},
};
#define NSTATES (sizeof(states) / sizeof(states[0]))

const char *jobfmt_state_name(const char *s)
{
	for (size_t i = 0; s && i < NSTATES; i++) {
		if (!strcasecmp(s, states[i].name) ||
		    !strcasecmp(s, states[i].code))
			return states[i].name;
	}
	return NULL;
}

const char *jobfmt_state_short(const char *state)
{
	for (size_t i = 0; state && i < NSTATES; i++) {
		if (!strcmp(state, states[i].name))
			return states[i].code;
	}
	return NULL;
}

int jobfmt_state_rank(const char *state)
{
	for (size_t i = 0; state && i < NSTATES; i++) {
		if (!strcmp(state, states[i].name))
			return (int)i;
	}
	return (int)NSTATES;
}

/* ---- reading records ---- */

static const char *get_str(const struct jobrow *row, enum key k)
{
	int col = row->cols->col[k];

	return col < 0 ? NULL : row->val[col];
}

static bool get_int(const struct jobrow *row, enum key k, long long *v)
{
	const char *s = get_str(row, k);

	return s && text_int(s, v);
}

static const char *str_or(const struct jobrow *row, enum key k,
			  const char *dflt)
{
	const char *s = get_str(row, k);

	return s ? s : dflt;
}

/* The integer's own text: the rows hold it in decimal already. */
static const char *int_text(const struct jobrow *row, enum key k, char *buf,
			    size_t len)
{
	const char *s = get_str(row, k);
	long long v;

	(void)buf, (void)len;
	return s && text_int(s, &v) ? s : "N/A";
}

/* Unix seconds as squeue prints them; 0 or missing is "N/A". */
static const char *time_text(const struct jobrow *row, enum key k, char *buf,
			     size_t len)
{
	long long v;
	time_t t;
	struct tm tm;

	if (!get_int(row, k, &v) || v <= 0)
		return "N/A";
	t = (time_t)v;
	if (!localtime_r(&t, &tm) ||
	    !strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm))
		return "N/A";
	return buf;
}

static bool is_array(const struct jobrow *row)
{
	long long a;

	return get_int(row, K_ARRAY_JOB_ID, &a) && a > 0;
}

static bool is_pending(const struct jobrow *row)
{
	const char *st = get_str(row, K_STATE);

	return st && !strcmp(st, "PENDING");
}

/* Seconds the job has run: time_used when the controller sent it, else
 * counted from start_time for a job that has started. */
static long long used_secs(const struct jobrow *row, time_t now)
{
	long long used, start;

	if (is_pending(row))
		return 0;
	if (get_int(row, K_TIME_USED, &used))
		return used > 0 ? used : 0;
	if (get_int(row, K_START_TIME, &start) && start > 0 && now > start)
		return (long long)now - start;
	return 0;
}

static char *put_digits(char *p, uint32_t v)
{
	char tmp[10], *q = tmp + sizeof(tmp);

	do {
		*--q = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	memcpy(p, q, (size_t)(tmp + sizeof(tmp) - q));
	return p + (tmp + sizeof(tmp) - q);
}

static char *put_two(char *p, char sep, uint32_t v)
{
	p[0] = sep;
	p[1] = (char)('0' + v / 10);
	p[2] = (char)('0' + v % 10);
	return p + 3;
}

/* lv_time_format's "M:SS", "H:MM:SS", "D-HH:MM:SS", without its
 * snprintf: TIME is on every row of the default format. */
static const char *secs_text(long long secs, char *buf, size_t len)
{
	uint32_t s, d, h, m;
	char *p = buf;

	if (secs < 0)
		secs = 0;
	if (secs >= LV_TIME_UNLIMITED)
		secs = LV_TIME_UNLIMITED - 1;
	s = (uint32_t)secs;
	if (len < 16) /* room for 49710-03:14:14 */
		return lv_time_format(s, buf, len);
	d = s / 86400;
	h = s / 3600 % 24;
	m = s / 60 % 60;
	if (d) {
		p = put_digits(p, d);
		p = put_two(p, '-', h);
		p = put_two(p, ':', m);
	} else if (h) {
		p = put_digits(p, h);
		p = put_two(p, ':', m);
	} else {
		p = put_digits(p, m);
	}
	p = put_two(p, ':', s % 60);
	*p = '\0';
	return buf;
}

/* ---- one renderer per field ---- */

/* %i: "123", "123_4", or "123_[4-10]" for an array's pending tasks. */
static const char *r_job_array_id(const struct jobrow *row, time_t now,
				  char *buf, size_t len)
{
	long long array_id, task;
	const char *tasks = get_str(row, K_ARRAY_TASK_STR);

	(void)now;
	if (!is_array(row) || !get_int(row, K_ARRAY_JOB_ID, &array_id))
		return int_text(row, K_JOB_ID, buf, len);
	if (get_int(row, K_ARRAY_TASK_ID, &task))
		snprintf(buf, len, "%lld_%lld", array_id, task);
	else if (tasks)
		snprintf(buf, len, "%lld_[%s]", array_id, tasks);
	else
		snprintf(buf, len, "%lld", array_id);
	return buf;
}

static const char *r_array_job_id(const struct jobrow *row, time_t now,
				  char *buf, size_t len)
{
	(void)now;
	return int_text(row, is_array(row) ? K_ARRAY_JOB_ID : K_JOB_ID, buf,
			len);
}

static const char *r_array_task_id(const struct jobrow *row, time_t now,
				   char *buf, size_t len)
{
	long long task;

	(void)now;
	if (!is_array(row))
		return "N/A";
	if (get_int(row, K_ARRAY_TASK_ID, &task)) {
		snprintf(buf, len, "%lld", task);
		return buf;
	}
	return str_or(row, K_ARRAY_TASK_STR, "N/A");
}

static const char *r_user(const struct jobrow *row, time_t now, char *buf,
			  size_t len)
{
	const char *user = get_str(row, K_USER);

	(void)now;
	return user ? user : int_text(row, K_UID, buf, len);
}

static const char *r_time_limit(const struct jobrow *row, time_t now, char *buf,
				size_t len)
{
	long long mins;

	(void)now;
	if (!get_int(row, K_TIME_LIMIT, &mins)) /* null: unlimited */
		return "UNLIMITED";
	return secs_text(mins * 60, buf, len);
}

static const char *r_time_left(const struct jobrow *row, time_t now, char *buf,
			       size_t len)
{
	long long mins;

	if (!get_int(row, K_TIME_LIMIT, &mins))
		return "UNLIMITED";
	return secs_text(mins * 60 - used_secs(row, now), buf, len);
}

static const char *r_time_used(const struct jobrow *row, time_t now, char *buf,
			       size_t len)
{
	return secs_text(used_secs(row, now), buf, len);
}

static const char *r_min_memory(const struct jobrow *row, time_t now, char *buf,
				size_t len)
{
	long long mb;

	(void)now;
	if (!get_int(row, K_MIN_MEMORY, &mb) || mb <= 0)
		return "0";
	return lv_mem_format((uint64_t)mb, buf, len);
}

static const char *r_reason(const struct jobrow *row, time_t now, char *buf,
			    size_t len)
{
	const char *reason = get_str(row, K_REASON);

	(void)now, (void)buf, (void)len;
	return reason && *reason ? reason : "None";
}

/* "(s)" in buf; s must not be buf. */
static const char *parenthesized(const char *s, char *buf, size_t len)
{
	size_t n = strlen(s);

	if (n + 3 > len) {
		snprintf(buf, len, "(%s)", s);
		return buf;
	}
	buf[0] = '(';
	memcpy(buf + 1, s, n);
	buf[n + 1] = ')';
	buf[n + 2] = '\0';
	return buf;
}

/* %R: "(Reason)" for jobs that are waiting or ended without finishing
 * their work, the node list for the others (squeue's rule). */
static const char *r_reason_list(const struct jobrow *row, time_t now,
				 char *buf, size_t len)
{
	static const char *const why_states[] = {
		"PENDING", "FAILED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY",
	};
	const char *st = get_str(row, K_STATE);

	for (size_t i = 0; st && i < sizeof(why_states) / sizeof(*why_states);
	     i++) {
		if (!strcmp(st, why_states[i]))
			return parenthesized(r_reason(row, now, buf, len), buf,
					     len);
	}
	return str_or(row, K_NODES, "");
}

static const char *r_state_short(const struct jobrow *row, time_t now,
				 char *buf, size_t len)
{
	const char *code = get_str(row, K_STATE_SHORT);

	(void)now, (void)buf, (void)len;
	if (!code)
		code = jobfmt_state_short(get_str(row, K_STATE));
	return code ? code : "??";
}

/* %p: the priority as a fraction of the largest 32-bit value. */
static const char *r_priority(const struct jobrow *row, time_t now, char *buf,
			      size_t len)
{
	long long prio;

	(void)now;
	if (!get_int(row, K_PRIORITY, &prio))
		return "N/A";
	snprintf(buf, len, "%.8f", (double)prio / (double)UINT32_MAX);
	return buf;
}

/* Fields with a renderer of their own, and fields that show keys[0]. */
#define RENDERED(c, name, header, render, ...)                           \
	{                                                                \
		c, name, header, {__VA_ARGS__}, render, PLAIN_TEXT, NULL \
	}
#define TEXT_FIELD(c, name, header, key, dflt)                 \
	{                                                      \
		c, name, header, {key}, NULL, PLAIN_TEXT, dflt \
	}
#define INT_FIELD(c, name, header, key)                        \
	{                                                      \
		c, name, header, {key}, NULL, PLAIN_INT, "N/A" \
	}
#define TIME_FIELD(c, name, header, key)                        \
	{                                                       \
		c, name, header, {key}, NULL, PLAIN_TIME, "N/A" \
	}

/* Headers as squeue prints them. */
static const struct field_def fields[] = {
	TEXT_FIELD('a', "Account", "ACCOUNT", K_ACCOUNT, "(null)"),
	INT_FIELD('A', "JobID", "JOBID", K_JOB_ID),
	TEXT_FIELD('B', "BatchHost", "EXEC_HOST", K_BATCH_HOST, "n/a"),
	INT_FIELD('c', "MinCpus", "MIN_CPUS", K_CPUS_PER_TASK),
	INT_FIELD('C', "NumCPUs", "CPUS", K_NUM_CPUS),
	INT_FIELD('D', "NumNodes", "NODES", K_NUM_NODES),
	TIME_FIELD('e', "EndTime", "END_TIME", K_END_TIME),
	TEXT_FIELD('E', "Dependency", "DEPENDENCY", K_DEPENDENCY, "(null)"),
	RENDERED('F', "ArrayJobID", "ARRAY_JOB_ID", r_array_job_id,
		 K_ARRAY_JOB_ID, K_JOB_ID),
	INT_FIELD('G', "GroupId", "GID", K_GID),
	RENDERED('i', "JobArrayID", "JOBID", r_job_array_id, K_JOB_ID,
		 K_ARRAY_JOB_ID, K_ARRAY_TASK_ID, K_ARRAY_TASK_STR),
	TEXT_FIELD('j', "Name", "NAME", K_NAME, "(null)"),
	TEXT_FIELD('k', "Comment", "COMMENT", K_COMMENT, "(null)"),
	RENDERED('K', "ArrayTaskID", "ARRAY_TASK_ID", r_array_task_id,
		 K_ARRAY_JOB_ID, K_ARRAY_TASK_ID, K_ARRAY_TASK_STR),
	RENDERED('l', "TimeLimit", "TIME_LIMIT", r_time_limit, K_TIME_LIMIT),
	RENDERED('L', "TimeLeft", "TIME_LEFT", r_time_left, K_TIME_LIMIT,
		 K_TIME_USED, K_STATE, K_START_TIME),
	RENDERED('m', "MinMemory", "MIN_MEMORY", r_min_memory, K_MIN_MEMORY),
	RENDERED('M', "TimeUsed", "TIME", r_time_used, K_TIME_USED, K_STATE,
		 K_START_TIME),
	TEXT_FIELD('N', "NodeList", "NODELIST", K_NODES, ""),
	TEXT_FIELD('o', "Command", "COMMAND", K_COMMAND, "(null)"),
	RENDERED('p', "Priority", "PRIORITY", r_priority, K_PRIORITY),
	TEXT_FIELD('P', "Partition", "PARTITION", K_PARTITION, "(null)"),
	INT_FIELD('Q', "PriorityLong", "PRIORITY", K_PRIORITY),
	RENDERED('r', "Reason", "REASON", r_reason, K_REASON),
	RENDERED('R', "ReasonList", "NODELIST(REASON)", r_reason_list, K_STATE,
		 K_REASON, K_NODES),
	TIME_FIELD('S', "StartTime", "START_TIME", K_START_TIME),
	RENDERED('t', "StateCompact", "ST", r_state_short, K_STATE_SHORT,
		 K_STATE),
	TEXT_FIELD('T', "State", "STATE", K_STATE, "UNKNOWN"),
	RENDERED('u', "UserName", "USER", r_user, K_USER, K_UID),
	INT_FIELD('U', "UserId", "UID", K_UID),
	TIME_FIELD('V', "SubmitTime", "SUBMIT_TIME", K_SUBMIT_TIME),
	TEXT_FIELD('Z', "WorkDir", "WORK_DIR", K_WORK_DIR, "(null)"),
	INT_FIELD('\0', "NumTasks", "TASKS", K_NUM_TASKS),
	TEXT_FIELD('\0', "ExitCode", "EXIT_CODE", K_EXIT_CODE, "0:0"),
	INT_FIELD('\0', "RestartCnt", "RESTARTCNT", K_RESTARTS),
	TEXT_FIELD('\0', "STDOUT", "STDOUT", K_STDOUT, "(null)"),
	TEXT_FIELD('\0', "STDERR", "STDERR", K_STDERR, "(null)"),
	TEXT_FIELD('\0', "STDIN", "STDIN", K_STDIN, "(null)"),
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static const struct field_def *field_by_letter(char c)
{
	for (size_t i = 0; c && i < NFIELDS; i++) {
		if (fields[i].letter == c)
			return &fields[i];
	}
	return NULL;
}

static const struct field_def *field_by_name(const char *name, size_t len)
{
	for (size_t i = 0; i < NFIELDS; i++) {
		if (strlen(fields[i].long_name) == len &&
		    !strncasecmp(fields[i].long_name, name, len))
			return &fields[i];
	}
	return NULL;
}

/* ---- building a format ---- */

void jobfmt_destroy(struct jobfmt *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->count; i++)
		free(f->items[i].text);
	free(f->items);
	free(f->keys);
	free(f);
}

static struct item *push_item(struct jobfmt *f, struct lv_error *err)
{
	struct item *items;
	size_t cap = f->cap ? f->cap * 2 : 16;

	if (f->count == f->cap) {
		if (!(items = realloc(f->items, cap * sizeof(*items)))) {
			lv_errorf(err, -ENOMEM, "jobfmt: out of memory");
			return NULL;
		}
		f->items = items;
		f->cap = cap;
	}
	memset(&f->items[f->count], 0, sizeof(f->items[0]));
	return &f->items[f->count++];
}

/* Appends len bytes of literal text, merged into a literal just before. */
static int push_text(struct jobfmt *f, const char *s, size_t len,
		     struct lv_error *err)
{
	struct item *it = f->count ? &f->items[f->count - 1] : NULL;
	size_t old = 0;
	char *text;

	if (!len)
		return 0;
	if (!it || it->def) {
		if (!(it = push_item(f, err)))
			return -ENOMEM;
	}
	old = it->text_len;
	if (!(text = realloc(it->text, old + len + 1)))
		return lv_errorf(err, -ENOMEM, "jobfmt: out of memory");
	memcpy(text + old, s, len);
	text[old + len] = '\0';
	it->text = text;
	it->text_len = old + len;
	return 0;
}

static int push_field(struct jobfmt *f, const struct field_def *def, int width,
		      bool right, struct lv_error *err)
{
	struct item *it = push_item(f, err);

	if (!it)
		return -ENOMEM;
	it->def = def;
	it->width = width;
	it->right = right;
	return 0;
}

/* Reads "[.][size]" at *p.  -EINVAL past WIDTH_MAX. */
static int read_size(const char **p, bool *right, int *width, bool *sized)
{
	const char *s = *p;
	long w = 0;

	*right = (*s == '.');
	s += *right;
	*sized = (*s >= '0' && *s <= '9');
	for (; *s >= '0' && *s <= '9'; s++) {
		w = w * 10 + (*s - '0');
		if (w > WIDTH_MAX)
			return -EINVAL;
	}
	*width = (int)w;
	*p = s;
	return 0;
}

/* squeue -o: literal text and %[.][size]X. */
static int parse_short(struct jobfmt *f, const char *fmt, struct lv_error *err)
{
	const char *p = fmt, *pct;
	const struct field_def *def;
	bool right, sized;
	int width, rc;

	while ((pct = strchr(p, '%'))) {
		if ((rc = push_text(f, p, (size_t)(pct - p), err)) < 0)
			return rc;
		p = pct + 1;
		if (*p == '%') {
			if ((rc = push_text(f, "%", 1, err)) < 0)
				return rc;
			p++;
			continue;
		}
		if (read_size(&p, &right, &width, &sized) < 0)
			return lv_errorf(
				err, -EINVAL,
				"Invalid job format specification: field size over %d",
				WIDTH_MAX);
		if (!*p)
			return lv_errorf(
				err, -EINVAL,
				"Invalid job format specification: no field letter after %%");
		if (!(def = field_by_letter(*p)))
			return lv_errorf(err, -EINVAL,
					 "Invalid job format specification: %c",
					 *p);
		if ((rc = push_field(f, def, width, right, err)) < 0)
			return rc;
		p++;
	}
	return push_text(f, p, strlen(p), err);
}

/* One -O item: Name[:[.][size][suffix]]. */
static int parse_long_item(struct jobfmt *f, const char *s, size_t len,
			   struct lv_error *err)
{
	const char *colon = memchr(s, ':', len), *p;
	size_t name_len = colon ? (size_t)(colon - s) : len;
	const struct field_def *def = field_by_name(s, name_len);
	bool right = false, sized = false;
	int width = 0, rc;

	if (!def)
		return lv_errorf(err, -EINVAL,
				 "Invalid job format specification: %.*s",
				 (int)name_len, s);
	p = colon ? colon + 1 : s + len;
	if (colon && read_size(&p, &right, &width, &sized) < 0)
		return lv_errorf(err, -EINVAL,
				 "Invalid job format specification: %.*s",
				 (int)len, s);
	if ((rc = push_field(f, def, sized ? width : LONG_FMT_WIDTH, right,
			     err)) < 0)
		return rc;
	return push_text(f, p, (size_t)(s + len - p), err);
}

static int parse_long(struct jobfmt *f, const char *fmt, struct lv_error *err)
{
	const char *p = fmt;
	size_t len;
	int rc;

	for (;;) {
		len = strcspn(p, ",");
		if (!len)
			return lv_errorf(
				err, -EINVAL,
				"Invalid job format specification: empty field in \"%s\"",
				fmt);
		if ((rc = parse_long_item(f, p, len, err)) < 0)
			return rc;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

static bool has_key(const struct jobfmt *f, const char *key)
{
	for (size_t i = 0; i < f->nkeys; i++) {
		if (!strcmp(f->keys[i], key))
			return true;
	}
	return false;
}

/* The union of the fields' keys, in first-use order. */
static int collect_keys(struct jobfmt *f, struct lv_error *err)
{
	size_t max = f->count * KEYS_MAX + 1;
	const enum key *k;

	if (!(f->keys = calloc(max, sizeof(*f->keys))))
		return lv_errorf(err, -ENOMEM, "jobfmt: out of memory");
	for (size_t i = 0; i < f->count; i++) {
		if (!f->items[i].def)
			continue;
		for (k = f->items[i].def->keys; *k; k++) {
			if (!has_key(f, key_names[*k]))
				f->keys[f->nkeys++] = key_names[*k];
		}
	}
	return 0;
}

struct jobfmt *jobfmt_parse(const char *fmt, bool long_names,
			    struct lv_error *err)
{
	struct jobfmt *f;
	int rc;

	if (!(f = calloc(1, sizeof(*f)))) {
		lv_errorf(err, -ENOMEM, "jobfmt: out of memory");
		return NULL;
	}
	if (!*fmt) {
		lv_errorf(err, -EINVAL,
			  "Invalid job format specification: empty format");
		goto out_destroy;
	}
	rc = long_names ? parse_long(f, fmt, err) : parse_short(f, fmt, err);
	if (rc < 0 || collect_keys(f, err) < 0)
		goto out_destroy;
	return f;
out_destroy:
	jobfmt_destroy(f);
	return NULL;
}

const char *const *jobfmt_fields(const struct jobfmt *f)
{
	return f->keys;
}

/* ---- printing ---- */

/* A line being put together, written out in LINE_MAX_BUF pieces at
 * most: one fwrite per row instead of a stdio call per cell. */
struct line {
	FILE *out;
	size_t len;
	char buf[LINE_MAX_BUF];
};

static void line_flush(struct line *l)
{
	fwrite(l->buf, 1, l->len, l->out);
	l->len = 0;
}

static void line_put(struct line *l, const char *s, size_t n)
{
	if (n > sizeof(l->buf) - l->len) {
		line_flush(l);
		if (n > sizeof(l->buf)) {
			fwrite(s, 1, n, l->out);
			return;
		}
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static void line_pad(struct line *l, size_t n)
{
	size_t room;

	while (n) {
		if (l->len == sizeof(l->buf))
			line_flush(l);
		room = sizeof(l->buf) - l->len;
		room = n < room ? n : room;
		memset(l->buf + l->len, ' ', room);
		l->len += room;
		n -= room;
	}
}

/* squeue's _print_str: pad to width, cut longer text to its left part. */
static void put_cell(struct line *l, const char *s, int width, bool right)
{
	size_t len = strlen(s), w = (size_t)width;

	if (!width || len >= w) {
		line_put(l, s, width ? w : len);
		return;
	}
	if (right)
		line_pad(l, w - len);
	line_put(l, s, len);
	if (!right)
		line_pad(l, w - len);
}

void jobfmt_header(const struct jobfmt *f, FILE *out)
{
	struct line l;

	l.out = out;
	l.len = 0;
	for (size_t i = 0; i < f->count; i++) {
		const struct item *it = &f->items[i];

		if (it->def)
			put_cell(&l, it->def->header, it->width, it->right);
		else
			line_put(&l, it->text, it->text_len);
	}
	line_put(&l, "\n", 1);
	line_flush(&l);
}

static const char *render(const struct field_def *def, const struct jobrow *row,
			  time_t now, char *buf, size_t len)
{
	const char *s;
	long long v;

	if (def->render)
		return def->render(row, now, buf, len);
	if (def->plain == PLAIN_TIME)
		return time_text(row, def->keys[0], buf, len);
	s = get_str(row, def->keys[0]);
	if (!s || (def->plain == PLAIN_INT && !text_int(s, &v)))
		return def->dflt;
	return s;
}

void jobfmt_row(const struct jobfmt *f, const struct jobrow *row, time_t now,
		FILE *out)
{
	char buf[VALUE_MAX];
	struct line l;

	l.out = out;
	l.len = 0;
	for (size_t i = 0; i < f->count; i++) {
		const struct item *it = &f->items[i];

		if (it->def)
			put_cell(&l,
				 render(it->def, row, now, buf, sizeof(buf)),
				 it->width, it->right);
		else
			line_put(&l, it->text, it->text_len);
	}
	line_put(&l, "\n", 1);
	line_flush(&l);
}
