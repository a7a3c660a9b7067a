/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Accounting: every ended job and step goes to a database that lvacct
 * queries (proto 07).  The storage is behind a small ops table; SQLite
 * (acct_sqlite.c) is the only backend now, and a PostgreSQL one for
 * large sites would implement the same five calls. */
#ifndef LV_SCHED_ACCT_H
#define LV_SCHED_ACCT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "common/error.h"

struct lvctld;
struct job;
struct job_step;

/* Slurm's id of the batch script's step (SLURM_BATCH_SCRIPT): lvacct
 * shows it as "12.batch". */
#define ACCT_STEP_BATCH 0xfffffffbu

/* A job's row.  Strings are borrowed and may be NULL. */
struct acct_job {
	uint32_t id, array_job_id, array_task_id;
	const char *name, *user, *account, *partition, *nodes, *work_dir;
	const char *state; /* "COMPLETED", job_state_name() */
	uint32_t uid, gid;
	int exit_status; /* a wait(2) status */
	time_t submit, eligible, start, end;
	uint32_t alloc_cpus, nnodes;
	/* Peak RSS of the largest process and CPU time, from wait4() of
	 * the batch script and the step tasks until lvd has cgroups. */
	uint64_t maxrss_kb, cpu_usec;
};

/* A step's row.  Recording a step again replaces it. */
struct acct_step {
	uint32_t job_id, step_id;
	const char *name, *nodes, *state;
	time_t start, end;
	int exit_status;
	uint32_t ntasks;
	uint64_t maxrss_kb, cpu_usec;
};

/* What ACCT_QUERY asks for; every condition is optional. */
struct acct_query {
	const uint32_t *job_ids; /* NULL: any */
	size_t n_job_ids;
	bool all_users; /* false: only uid's jobs */
	uid_t uid;
	time_t start,
		end; /* jobs that ran (or ended) in [start, end]; 0: open */
	const char *const *states; /* NULL: any */
	size_t n_states;
	bool no_steps;
	size_t limit; /* at most this many jobs; 0: no limit */
};

/*
 * A storage backend.  db is the backend's own handle.  record_* may
 * buffer (in a transaction); flush makes what was recorded durable and
 * visible; query flushes first.  Errors are -errno with err set.
 */
struct acct_ops {
	const char *name;
	void *(*open)(const char *location, struct lv_error *err);
	int (*record_job)(void *db, const struct acct_job *job,
			  struct lv_error *err);
	int (*record_step)(void *db, const struct acct_step *step,
			   struct lv_error *err);
	int (*flush)(void *db, struct lv_error *err);
	/* The matching jobs, oldest first, as a JSON array of objects with
	 * the row's fields and "steps": [...] (new reference). */
	json_t *(*query)(void *db, const struct acct_query *q,
			 struct lv_error *err);
	void (*close)(void *db); /* flushes; NULL-safe */
};

extern const struct acct_ops acct_sqlite_ops;

/* Opens the accounting database of the configuration
 * (AccountingStorageLoc=, else StateDir/acct.db) into ctld->acct; no
 * database (and 0) when neither is set.  -errno with err set. */
int acct_open(struct lvctld *ctld, struct lv_error *err);
/* Flushes and closes it (at shutdown). */
void acct_close(struct lvctld *ctld);
/* Once a second: commits what was recorded since the last tick. */
void acct_tick(struct lvctld *ctld);

/* ACCT_QUERY's rows (acct_ops.query); NULL with err set, -ENOTSUP when
 * accounting is off. */
json_t *acct_query(struct lvctld *ctld, const struct acct_query *q,
		   struct lv_error *err);

/* Records an ended job, its batch step and any step that never reported
 * its end.  Failures are logged: accounting never stops a job's end. */
void acct_job_ended(struct lvctld *ctld, const struct job *job);
/* Records a step lvrun reported ended. */
void acct_step_ended(struct lvctld *ctld, const struct job *job,
		     const struct job_step *st);

#endif
