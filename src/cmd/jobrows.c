/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Job records (proto 04 JOB_INFO) as rows of text, read from the compact
 * "tsv" form or from JSON job objects, with their columns mapped once. */
#include "config.h"

#include "cmd/jobrows.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/jobrows_private.h"

#define NUM_TEXT 24 /* a long long or a double as text */

const char *const key_names[NKEYS] = {
	[K_ACCOUNT] = "account",
	[K_ARRAY_JOB_ID] = "array_job_id",
	[K_ARRAY_TASK_ID] = "array_task_id",
	[K_ARRAY_TASK_STR] = "array_task_str",
	[K_BATCH_HOST] = "batch_host",
	[K_COMMAND] = "command",
	[K_COMMENT] = "comment",
	[K_CPUS_PER_TASK] = "cpus_per_task",
	[K_DEPENDENCY] = "dependency",
	[K_END_TIME] = "end_time",
	[K_EXIT_CODE] = "exit_code",
	[K_GID] = "gid",
	[K_JOB_ID] = "job_id",
	[K_MIN_MEMORY] = "min_memory",
	[K_NAME] = "name",
	[K_NODES] = "nodes",
	[K_NUM_CPUS] = "num_cpus",
	[K_NUM_NODES] = "num_nodes",
	[K_NUM_TASKS] = "num_tasks",
	[K_PARTITION] = "partition",
	[K_PRIORITY] = "priority",
	[K_REASON] = "reason",
	[K_RESTARTS] = "restarts",
	[K_START_TIME] = "start_time",
	[K_STATE] = "state",
	[K_STATE_SHORT] = "state_short",
	[K_STDERR] = "stderr",
	[K_STDIN] = "stdin",
	[K_STDOUT] = "stdout",
	[K_SUBMIT_TIME] = "submit_time",
	[K_TIME_LIMIT] = "time_limit",
	[K_TIME_USED] = "time_used",
	[K_UID] = "uid",
	[K_USER] = "user",
	[K_WORK_DIR] = "work_dir",
};

struct jobrows {
	struct jobcols cols;
	struct jobrow *rows;
	size_t count;
	const char **vals; /* count * cols.n, row after row */
	char *text;        /* the values' bytes */
};

/* ---- the columns of a set of rows ---- */

static enum key key_of(const char *name)
{
	for (int k = K_NONE + 1; k < NKEYS; k++) {
		if (!strcmp(key_names[k], name))
			return (enum key)k;
	}
	return K_NONE;
}

/* Copies the n names (borrowed) and maps the known keys to their first
 * column. */
static int cols_set(struct jobcols *c, const char *const *names, size_t n,
		    struct lv_error *err)
{
	size_t size = 0, len;
	char *p;
	enum key k;

	for (size_t i = 0; i < n; i++)
		size += strlen(names[i]) + 1;
	if (!(c->names = calloc(n + 1, sizeof(*c->names))) ||
	    !(c->names_text = malloc(size + 1)))
		return lv_errorf(err, -ENOMEM, "jobrows: out of memory");
	for (k = K_NONE; k < NKEYS; k++)
		c->col[k] = -1;
	p = c->names_text;
	for (size_t i = 0; i < n; i++) {
		len = strlen(names[i]) + 1;
		c->names[i] = memcpy(p, names[i], len);
		p += len;
		k = key_of(names[i]);
		if (k != K_NONE && c->col[k] < 0)
			c->col[k] = (int)i;
	}
	c->n = n;
	return 0;
}

/* The column named key, trying hint first: the records of one reply list
 * their keys in the same order. */
static int cols_find(const struct jobcols *c, const char *key, size_t hint)
{
	if (hint < c->n && !strcmp(c->names[hint], key))
		return (int)hint;
	for (size_t i = 0; i < c->n; i++) {
		if (!strcmp(c->names[i], key))
			return (int)i;
	}
	return -1;
}

/* ---- sets of rows ---- */

void jobrows_destroy(struct jobrows *rs)
{
	if (!rs)
		return;
	free(rs->cols.names);
	free(rs->cols.names_text);
	free(rs->rows);
	free(rs->vals);
	free(rs->text);
	free(rs);
}

/* Room for count rows of the columns already set, all values NULL. */
static int rows_alloc(struct jobrows *rs, size_t count, struct lv_error *err)
{
	size_t nc = rs->cols.n;

	if (nc && count > SIZE_MAX / sizeof(*rs->vals) / nc)
		return lv_errorf(err, -ENOMEM, "jobrows: out of memory");
	if (!(rs->rows = malloc((count + 1) * sizeof(*rs->rows))) ||
	    !(rs->vals = calloc(count * nc + 1, sizeof(*rs->vals))))
		return lv_errorf(err, -ENOMEM, "jobrows: out of memory");
	for (size_t i = 0; i < count; i++) {
		rs->rows[i].val = rs->vals + i * nc;
		rs->rows[i].cols = &rs->cols;
	}
	rs->count = count;
	return 0;
}

size_t jobrows_count(const struct jobrows *rs)
{
	return rs->count;
}

const struct jobrow *jobrows_get(const struct jobrows *rs, size_t i)
{
	return &rs->rows[i];
}

int jobrows_column(const struct jobrows *rs, const char *key)
{
	return cols_find(&rs->cols, key, SIZE_MAX);
}

bool text_int(const char *s, long long *out)
{
	bool neg = (*s == '-');
	unsigned long long v = 0, max = (unsigned long long)LLONG_MAX + neg;
	const char *p = s + neg;
	unsigned d;

	if (!*p)
		return false;
	for (; *p; p++) {
		d = (unsigned)(*p - '0');
		if (d > 9 || v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = neg ? -(long long)(v - 1) - 1 : (long long)v;
	return true;
}

const char *jobrow_col_str(const struct jobrow *row, int col)
{
	return col < 0 || (size_t)col >= row->cols->n ? NULL : row->val[col];
}

bool jobrow_col_int(const struct jobrow *row, int col, long long *out)
{
	const char *s = jobrow_col_str(row, col);

	return s && text_int(s, out);
}

const char *jobrow_str(const struct jobrow *row, const char *key)
{
	return jobrow_col_str(row, cols_find(row->cols, key, SIZE_MAX));
}

bool jobrow_int(const struct jobrow *row, const char *key, long long *out)
{
	return jobrow_col_int(row, cols_find(row->cols, key, SIZE_MAX), out);
}

/* ---- the "tsv" form (proto 04 JOB_INFO) ---- */

static int cols_from_json(struct jobcols *c, const json_t *fields,
			  struct lv_error *err)
{
	size_t n = json_array_size(fields);
	const char **names;
	int rc = 0;

	if (!json_is_array(fields))
		return lv_errorf(err, -EPROTO, "jobrows: no field list");
	if (!(names = calloc(n + 1, sizeof(*names))))
		return lv_errorf(err, -ENOMEM, "jobrows: out of memory");
	for (size_t i = 0; i < n && !rc; i++) {
		if (!(names[i] = json_string_value(json_array_get(fields, i))))
			rc = lv_errorf(err, -EPROTO,
				       "jobrows: field %zu is not a string",
				       i + 1);
	}
	if (!rc)
		rc = cols_set(c, names, n, err);
	free(names);
	return rc;
}

static size_t count_lines(const char *s, size_t len)
{
	const char *end = s + len, *nl;
	size_t n = 0;

	for (; (nl = memchr(s, '\n', (size_t)(end - s))); s = nl + 1)
		n++;
	return n + (s < end); /* a last line without its newline */
}

static bool ends_value(char c)
{
	return c == '\t' || c == '\n' || c == '\0';
}

static char unescaped(char c)
{
	switch (c) {
	case '\\':
		return '\\';
	case 't':
		return '\t';
	case 'n':
		return '\n';
	default:
		return '\0'; /* not an escape: the backslash stays */
	}
}

/* Cuts the value at *p, unescaping it in place, and moves *p past the
 * character that ended it, which it returns ('\t', '\n' or '\0'). */
static char cut_value(char **p, const char **value)
{
	/* The bytes that end the plain run of a value. */
	static const bool stop[256] = {
		['\0'] = true, ['\t'] = true, ['\n'] = true, ['\\'] = true};
	char *r = *p, *w, c, e;

	if (r[0] == '\\' && r[1] == 'N' && ends_value(r[2])) {
		*value = NULL;
		c = r[2];
		*p = r + 2 + (c != '\0');
		return c;
	}
	*value = r;
	while (!stop[(unsigned char)*r]) /* nothing to move yet */
		r++;
	for (w = r; !ends_value(c = *r);) {
		if (c == '\\' && (e = unescaped(r[1]))) {
			*w++ = e;
			r += 2;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0'; /* may overwrite the separator, already in c */
	*p = r + (c != '\0');
	return c;
}

/* Cuts one line into val (room for max), returning how many values it
 * had; *p moves to the next line. */
static size_t cut_line(char **p, const char **val, size_t max)
{
	const char *v;
	size_t n = 0;
	char sep;

	if (!max && ends_value(**p) && **p != '\t') {
		*p += (**p == '\n');
		return 0;
	}
	do {
		sep = cut_value(p, &v);
		if (n < max)
			val[n] = v;
		n++;
	} while (sep == '\t');
	return n;
}

struct jobrows *jobrows_parse_tsv(const json_t *fields, const char *rows,
				  struct lv_error *err)
{
	struct jobrows *rs;
	size_t len, nc, got;
	char *p;

	if (!(rs = calloc(1, sizeof(*rs)))) {
		lv_errorf(err, -ENOMEM, "jobrows: out of memory");
		return NULL;
	}
	if (cols_from_json(&rs->cols, fields, err) < 0)
		goto out_destroy;
	len = rows ? strlen(rows) : 0;
	if (!(rs->text = malloc(len + 1))) {
		lv_errorf(err, -ENOMEM, "jobrows: out of memory");
		goto out_destroy;
	}
	memcpy(rs->text, rows ? rows : "", len + 1);
	if (rows_alloc(rs, count_lines(rs->text, len), err) < 0)
		goto out_destroy;
	nc = rs->cols.n;
	p = rs->text;
	for (size_t i = 0; i < rs->count; i++) {
		if ((got = cut_line(&p, rs->vals + i * nc, nc)) != nc) {
			lv_errorf(err, -EPROTO,
				  "jobrows: row %zu: %zu values, expected %zu",
				  i + 1, got, nc);
			goto out_destroy;
		}
	}
	return rs;
out_destroy:
	jobrows_destroy(rs);
	return NULL;
}

/* ---- JSON job objects ---- */

/* The union of the objects' keys, in the order first seen. */
static int cols_from_objects(struct jobcols *c, const json_t *jobs,
			     struct lv_error *err)
{
	const char **names = NULL, **grown;
	size_t n = 0, cap = 0, i, pos;
	const json_t *job, *v;
	const char *key;
	int rc;

	json_array_foreach(jobs, i, job) {
		if (!json_is_object(job)) {
			free(names);
			return lv_errorf(err, -EPROTO,
					 "jobrows: job %zu is not an object",
					 i + 1);
		}
		pos = 0;
		json_object_foreach((json_t *)job, key, v) {
			struct jobcols seen = {.n = n, .names = names};

			if (cols_find(&seen, key, pos++) >= 0)
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 64;
				if (!(grown = realloc(names,
						      cap * sizeof(*names)))) {
					free(names);
					return lv_errorf(
						err, -ENOMEM,
						"jobrows: out of memory");
				}
				names = grown;
			}
			names[n++] = key;
		}
	}
	rc = cols_set(c, names, n, err);
	free(names);
	return rc;
}

/* Bytes a value takes as text, with its NUL; 0 for null. */
static size_t value_size(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		return strlen(json_string_value(v)) + 1;
	case JSON_INTEGER:
	case JSON_REAL:
		return NUM_TEXT;
	case JSON_TRUE:
	case JSON_FALSE:
		return 2;
	case JSON_OBJECT:
	case JSON_ARRAY:
		return json_dumpb(v, NULL, 0, JSON_COMPACT) + 1;
	case JSON_NULL:
	default:
		return 0;
	}
}

/* Writes v as text at p (size bytes: value_size); NULL for null. */
static const char *value_text(const json_t *v, char *p, size_t size)
{
	size_t len;

	switch (json_typeof(v)) {
	case JSON_STRING:
		return strcpy(p, json_string_value(v));
	case JSON_INTEGER:
		snprintf(p, size, "%lld", (long long)json_integer_value(v));
		return p;
	case JSON_REAL:
		snprintf(p, size, "%.17g", json_real_value(v));
		return p;
	case JSON_TRUE:
	case JSON_FALSE:
		return strcpy(p, json_is_true(v) ? "1" : "0");
	case JSON_OBJECT:
	case JSON_ARRAY:
		len = json_dumpb(v, p, size - 1, JSON_COMPACT);
		p[len < size ? len : size - 1] = '\0';
		return p;
	case JSON_NULL:
	default:
		return NULL;
	}
}

/* Fills the rows from the objects, with the columns already set. */
static int fill_from_objects(struct jobrows *rs, const json_t *jobs,
			     struct lv_error *err)
{
	size_t size = 1, i, pos, vsize;
	const json_t *job, *v;
	const char *key;
	char *p;
	int col;

	json_array_foreach(jobs, i, job) {
		json_object_foreach((json_t *)job, key, v)
			size += value_size(v);
	}
	if (!(rs->text = malloc(size)))
		return lv_errorf(err, -ENOMEM, "jobrows: out of memory");
	p = rs->text;
	json_array_foreach(jobs, i, job) {
		pos = 0;
		json_object_foreach((json_t *)job, key, v) {
			col = cols_find(&rs->cols, key, pos++);
			vsize = value_size(v);
			rs->rows[i].val[col] = value_text(v, p, vsize);
			p += vsize;
		}
	}
	return 0;
}

struct jobrows *jobrows_from_json(const json_t *jobs, struct lv_error *err)
{
	struct jobrows *rs;

	if (!json_is_array(jobs)) {
		lv_errorf(err, -EPROTO, "jobrows: no job list");
		return NULL;
	}
	if (!(rs = calloc(1, sizeof(*rs)))) {
		lv_errorf(err, -ENOMEM, "jobrows: out of memory");
		return NULL;
	}
	if (cols_from_objects(&rs->cols, jobs, err) < 0 ||
	    rows_alloc(rs, json_array_size(jobs), err) < 0 ||
	    fill_from_objects(rs, jobs, err) < 0) {
		jobrows_destroy(rs);
		return NULL;
	}
	return rs;
}
