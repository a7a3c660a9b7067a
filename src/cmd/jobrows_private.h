/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What jobrows.c and jobfmt.c share beyond jobrows.h: the job keys known
 * by number, and the column map that each set of rows builds for them so
 * that jobfmt.c reads a key's value without a string search. */
#ifndef LV_CMD_JOBROWS_PRIVATE_H
#define LV_CMD_JOBROWS_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

/* The job keys that jobfmt.c's fields read.  K_NONE ends a field's key
 * list. */
enum key {
	K_NONE,
	K_ACCOUNT,
	K_ARRAY_JOB_ID,
	K_ARRAY_TASK_ID,
	K_ARRAY_TASK_STR,
	K_BATCH_HOST,
	K_COMMAND,
	K_COMMENT,
	K_CPUS_PER_TASK,
	K_DEPENDENCY,
	K_END_TIME,
	K_EXIT_CODE,
	K_GID,
	K_JOB_ID,
	K_MIN_MEMORY,
	K_NAME,
	K_NODES,
	K_NUM_CPUS,
	K_NUM_NODES,
	K_NUM_TASKS,
	K_PARTITION,
	K_PRIORITY,
	K_REASON,
	K_RESTARTS,
	K_START_TIME,
	K_STATE,
	K_STATE_SHORT,
	K_STDERR,
	K_STDIN,
	K_STDOUT,
	K_SUBMIT_TIME,
	K_TIME_LIMIT,
	K_TIME_USED,
	K_UID,
	K_USER,
	K_WORK_DIR,
	NKEYS
};

/* Each key's name in JOB_INFO.  Static in jobfmt.c before the split:
 * jobrows.c maps the names to columns, jobfmt.c asks for them by name. */
extern const char *const key_names[NKEYS];

/* Column names and where each known key sits among them. */
struct jobcols {
	size_t n;
	const char **names; /* n names, in names_text */
	char *names_text;
	int col[NKEYS]; /* -1: no such column */
};

struct jobrow {
	const char **val; /* cols->n values, NULL for null */
	const struct jobcols *cols;
};

/* Decimal integer text, as JSON writes it (no "+", no blanks).  Static in
 * jobfmt.c before the split: jobrows.c reads integers with it, and so do
 * jobfmt.c's renderers. */
bool text_int(const char *s, long long *out);

#endif
