/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The SQLite accounting backend: an embedded database file, no setup.
 * Rows are inserted inside one open transaction that the controller
 * commits once a second (acct_tick), so a job's end costs the event loop
 * an insert into SQLite's page cache, not an fsync; WAL with
 * synchronous=NORMAL keeps the commit itself short.  A crash loses at
 * most the last second of rows. */
#include "config.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "sched/acct.h"

struct sqldb {
	sqlite3 *db;
	sqlite3_stmt *ins_job, *ins_step, *sel_steps;
	bool in_txn;
};

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS jobs ("
	" id INTEGER PRIMARY KEY, array_job_id INTEGER, array_task_id INTEGER,"
	" name TEXT, user TEXT, uid INTEGER, gid INTEGER, account TEXT,"
	" partition TEXT, state TEXT, exit_code INTEGER, signal INTEGER,"
	" submit_time INTEGER, eligible_time INTEGER, start_time INTEGER,"
	" end_time INTEGER, alloc_cpus INTEGER, nodes TEXT, nnodes INTEGER,"
	" maxrss_kb INTEGER, cpu_usec INTEGER, work_dir TEXT);"
	"CREATE INDEX IF NOT EXISTS jobs_end ON jobs(end_time);"
	"CREATE INDEX IF NOT EXISTS jobs_uid ON jobs(uid, end_time);"
	"CREATE TABLE IF NOT EXISTS steps ("
	" job_id INTEGER, step_id INTEGER, name TEXT, start_time INTEGER,"
	" end_time INTEGER, state TEXT, exit_code INTEGER, signal INTEGER,"
	" ntasks INTEGER, nodes TEXT, maxrss_kb INTEGER, cpu_usec INTEGER,"
	" PRIMARY KEY (job_id, step_id));";

/* Column aliases are the JSON keys of query results (proto 07). */
#define JOB_COLUMNS                                                         \
	"id AS job_id, array_job_id, array_task_id, name, user, uid, gid,"  \
	" account, partition, state, exit_code, signal,"                    \
	" submit_time AS submit, eligible_time AS eligible,"                \
	" start_time AS start, end_time AS end, alloc_cpus, nodes, nnodes," \
	" maxrss_kb, cpu_usec, work_dir"

static int db_error(struct sqldb *d, struct lv_error *err, const char *what)
{
	return lv_errorf(err, -EIO, "accounting: %s: %s", what,
			 sqlite3_errmsg(d->db));
}

static void sql_close(void *arg)
{
	struct sqldb *d = arg;

	if (!d)
		return;
	if (d->in_txn)
		sqlite3_exec(d->db, "COMMIT", NULL, NULL, NULL);
	sqlite3_finalize(d->ins_job);
	sqlite3_finalize(d->ins_step);
	sqlite3_finalize(d->sel_steps);
	sqlite3_close(d->db);
	free(d);
}

static int prepare(struct sqldb *d, const char *sql, sqlite3_stmt **st,
		   struct lv_error *err)
{
	if (sqlite3_prepare_v2(d->db, sql, -1, st, NULL) != SQLITE_OK)
		return db_error(d, err, "prepare");
	return 0;
}

static void *sql_open(const char *location, struct lv_error *err)
{
	struct sqldb *d = calloc(1, sizeof(*d));

	if (!d) {
		lv_errorf(err, -ENOMEM, "accounting: out of memory");
		return NULL;
	}
	if (sqlite3_open(location, &d->db) != SQLITE_OK) {
		lv_errorf(err, -EIO, "accounting: %s: %s", location,
			  d->db ? sqlite3_errmsg(d->db) : "out of memory");
		goto out_close;
	}
	sqlite3_busy_timeout(d->db, 1000);
	if (sqlite3_exec(d->db,
			 "PRAGMA journal_mode=WAL;"
			 "PRAGMA synchronous=NORMAL;",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(d->db, schema, NULL, NULL, NULL) != SQLITE_OK) {
		db_error(d, err, location);
		goto out_close;
	}
	if (prepare(d,
		    "INSERT OR REPLACE INTO jobs VALUES (?,?,?,?,?,?,?,?,?,?,"
		    "?,?,?,?,?,?,?,?,?,?,?,?)",
		    &d->ins_job, err) < 0 ||
	    prepare(d,
		    "INSERT OR REPLACE INTO steps VALUES (?,?,?,?,?,?,?,?,?,"
		    "?,?,?)",
		    &d->ins_step, err) < 0 ||
	    prepare(d,
		    "SELECT step_id, name, start_time AS start, end_time AS"
		    " end, state, exit_code, signal, ntasks, nodes, maxrss_kb,"
		    " cpu_usec FROM steps WHERE job_id = ?"
		    " ORDER BY step_id <> 4294967291, step_id",
		    &d->sel_steps, err) < 0)
		goto out_close;
	return d;
out_close:
	sql_close(d);
	return NULL;
}

static int begin(struct sqldb *d, struct lv_error *err)
{
	if (d->in_txn)
		return 0;
	if (sqlite3_exec(d->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return db_error(d, err, "begin");
	d->in_txn = true;
	return 0;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static int exit_code(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : 0;
}

static int exit_signal(int status)
{
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

static int run_insert(struct sqldb *d, sqlite3_stmt *st, struct lv_error *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : db_error(d, err, "insert");
}

static int sql_record_job(void *arg, const struct acct_job *j,
			  struct lv_error *err)
{
	struct sqldb *d = arg;
	sqlite3_stmt *st = d->ins_job;

	if (begin(d, err) < 0)
		return err->code;
	sqlite3_bind_int64(st, 1, j->id);
	sqlite3_bind_int64(st, 2, j->array_job_id);
	sqlite3_bind_int64(st, 3, j->array_task_id);
	bind_text(st, 4, j->name);
	bind_text(st, 5, j->user);
	sqlite3_bind_int64(st, 6, j->uid);
	sqlite3_bind_int64(st, 7, j->gid);
	bind_text(st, 8, j->account);
	bind_text(st, 9, j->partition);
	bind_text(st, 10, j->state);
	sqlite3_bind_int(st, 11, exit_code(j->exit_status));
	sqlite3_bind_int(st, 12, exit_signal(j->exit_status));
	sqlite3_bind_int64(st, 13, j->submit);
	sqlite3_bind_int64(st, 14, j->eligible);
	sqlite3_bind_int64(st, 15, j->start);
	sqlite3_bind_int64(st, 16, j->end);
	sqlite3_bind_int64(st, 17, j->alloc_cpus);
	bind_text(st, 18, j->nodes);
	sqlite3_bind_int64(st, 19, j->nnodes);
	sqlite3_bind_int64(st, 20, (sqlite3_int64)j->maxrss_kb);
	sqlite3_bind_int64(st, 21, (sqlite3_int64)j->cpu_usec);
	bind_text(st, 22, j->work_dir);
	return run_insert(d, st, err);
}

static int sql_record_step(void *arg, const struct acct_step *s,
			   struct lv_error *err)
{
	struct sqldb *d = arg;
	sqlite3_stmt *st = d->ins_step;

	if (begin(d, err) < 0)
		return err->code;
	sqlite3_bind_int64(st, 1, s->job_id);
	sqlite3_bind_int64(st, 2, s->step_id);
	bind_text(st, 3, s->name);
	sqlite3_bind_int64(st, 4, s->start);
	sqlite3_bind_int64(st, 5, s->end);
	bind_text(st, 6, s->state);
	sqlite3_bind_int(st, 7, exit_code(s->exit_status));
	sqlite3_bind_int(st, 8, exit_signal(s->exit_status));
	sqlite3_bind_int64(st, 9, s->ntasks);
	bind_text(st, 10, s->nodes);
	sqlite3_bind_int64(st, 11, (sqlite3_int64)s->maxrss_kb);
	sqlite3_bind_int64(st, 12, (sqlite3_int64)s->cpu_usec);
	return run_insert(d, st, err);
}

static int sql_flush(void *arg, struct lv_error *err)
{
	struct sqldb *d = arg;

	if (!d->in_txn)
		return 0;
	d->in_txn = false;
	if (sqlite3_exec(d->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
		return db_error(d, err, "commit");
	}
	return 0;
}

/* The current row as an object keyed by column name (NULLs left out). */
static json_t *row_json(sqlite3_stmt *st)
{
	json_t *o = json_object();
	int i, n = sqlite3_column_count(st);

	for (i = 0; o && i < n; i++) {
		const char *k = sqlite3_column_name(st, i);

		switch (sqlite3_column_type(st, i)) {
		case SQLITE_INTEGER:
			json_object_set_new(
				o, k,
				json_integer(sqlite3_column_int64(st, i)));
			break;
		case SQLITE_TEXT:
			json_object_set_new(
				o, k,
				json_string((const char *)sqlite3_column_text(
					st, i)));
			break;
		default:
			break;
		}
	}
	return o;
}

static int add_steps(struct sqldb *d, json_t *job, struct lv_error *err)
{
	sqlite3_stmt *st = d->sel_steps;
	json_t *steps = json_array();
	int rc;

	sqlite3_bind_int64(st, 1,
			   json_integer_value(json_object_get(job, "job_id")));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(steps, row_json(st));
	sqlite3_reset(st);
	json_object_set_new(job, "steps", steps);
	return rc == SQLITE_DONE ? 0 : db_error(d, err, "steps");
}

/* Appends text, then n comma-separated placeholders when n > 0. */
static void append(char *sql, size_t len, const char *text, size_t n)
{
	size_t i, at;

	strncat(sql, text, len - strlen(sql) - 1);
	for (i = 0; i < n; i++) {
		at = strlen(sql);
		snprintf(sql + at, len - at, i ? ",?" : "?");
	}
}

static char *query_sql(const struct acct_query *q)
{
	size_t len = 512 + 2 * (2 * q->n_job_ids + q->n_states);
	char *sql = malloc(len);

	if (!sql)
		return NULL;
	snprintf(sql, len, "SELECT " JOB_COLUMNS " FROM jobs WHERE 1");
	if (q->n_job_ids) {
		/* An array's id names all of its tasks, as in sacct. */
		append(sql, len, " AND (id IN (", q->n_job_ids);
		append(sql, len, ") OR array_job_id IN (", q->n_job_ids);
		append(sql, len, "))", 0);
	}
	if (!q->all_users)
		append(sql, len, " AND uid = ?", 0);
	if (q->start)
		append(sql, len, " AND end_time >= ?", 0);
	if (q->end)
		append(sql, len,
		       " AND (CASE start_time WHEN 0 THEN submit_time"
		       " ELSE start_time END) <= ?",
		       0);
	if (q->n_states) {
		append(sql, len, " AND state IN (", q->n_states);
		append(sql, len, ")", 0);
	}
	append(sql, len, " ORDER BY end_time, id", 0);
	if (q->limit)
		snprintf(sql + strlen(sql), len - strlen(sql), " LIMIT %zu",
			 q->limit);
	return sql;
}

static void query_bind(sqlite3_stmt *st, const struct acct_query *q)
{
	int k = 1;
	size_t i, pass;

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < q->n_job_ids; i++)
			sqlite3_bind_int64(st, k++, q->job_ids[i]);
	if (!q->all_users)
		sqlite3_bind_int64(st, k++, q->uid);
	if (q->start)
		sqlite3_bind_int64(st, k++, q->start);
	if (q->end)
		sqlite3_bind_int64(st, k++, q->end);
	for (i = 0; i < q->n_states; i++)
		sqlite3_bind_text(st, k++, q->states[i], -1, SQLITE_STATIC);
}

static json_t *sql_query(void *arg, const struct acct_query *q,
			 struct lv_error *err)
{
	struct sqldb *d = arg;
	sqlite3_stmt *st = NULL;
	json_t *rows = NULL, *job;
	char *sql;
	int rc;

	if (sql_flush(d, err) < 0)
		return NULL;
	if (!(sql = query_sql(q)) || !(rows = json_array())) {
		lv_errorf(err, -ENOMEM, "accounting: out of memory");
		goto out;
	}
	if (prepare(d, sql, &st, err) < 0)
		goto out_rows;
	query_bind(st, q);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		job = row_json(st);
		json_array_append_new(rows, job);
		if (!q->no_steps && add_steps(d, job, err) < 0)
			goto out_rows;
	}
	if (rc != SQLITE_DONE) {
		db_error(d, err, "query");
		goto out_rows;
	}
	goto out;
out_rows:
	json_decref(rows);
	rows = NULL;
out:
	sqlite3_finalize(st);
	free(sql);
	return rows;
}

const struct acct_ops acct_sqlite_ops = {
	.name = "sqlite",
	.open = sql_open,
	.record_job = sql_record_job,
	.record_step = sql_record_step,
	.flush = sql_flush,
	.query = sql_query,
	.close = sql_close,
};
