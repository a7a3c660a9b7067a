/* SPDX-License-Identifier: GPL-2.0-or-later */
/* squeue-style columns for job records (proto 04 JOB_INFO), read as rows
 * of text whether they came as JSON objects or as the compact "tsv" form. */
#ifndef LV_CMD_JOBFMT_H
#define LV_CMD_JOBFMT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "common/error.h"

/* squeue's own formats: the default, -l (after a time stamp line) and
 * --start (squeue's "%20Y" scheduled-nodes column left out). */
#define JOBFMT_DEFAULT "%.18i %.9P %.8j %.8u %.2t %.10M %.6D %R"
#define JOBFMT_LONG "%.18i %.9P %.8j %.8u %.8T %.10M %.9l %.6D %R"
#define JOBFMT_START "%.18i %.9P %.8j %.8u %.2t %.19S %.6D %R"

struct jobfmt;

/* ---- rows ----
 *
 * A job record is a row of text values, one per column; the column names
 * are JOB_INFO's job keys.  Integers are decimal text, booleans "1"/"0",
 * and a JSON null or a key the record lacks reads as NULL.  The name to
 * column map is built once per set of rows, so that per-row lookups by
 * column index (jobrows_column, jobrow_col_str) cost no string search. */
struct jobrows;
struct jobrow;

/* Splits the "rows" text of a JOB_INFO reply in "tsv" format (proto 04)
 * into rows of the columns named by fields (an array of strings).  rows is
 * copied once and unescaped in place: "\\", "\t", "\n" become a
 * backslash, tab and newline, a field of exactly "\N" is NULL, other
 * backslashes are kept.  The last row need not end with a newline.  The
 * caller owns the result (jobrows_destroy).  NULL with err set: -EPROTO
 * when fields is not an array of strings or a row has the wrong number
 * of values ("jobrows: row 3: 2 values, expected 5"), -ENOMEM. */
struct jobrows *jobrows_parse_tsv(const json_t *fields, const char *rows,
				  struct lv_error *err);
/* The job objects of a JSON JOB_INFO reply as rows: the columns are the
 * union of the objects' keys, row i is jobs[i], values are converted to
 * text (objects and arrays to compact JSON).  Nothing is borrowed from
 * jobs.  NULL with err set: -EPROTO when jobs is not an array of objects,
 * -ENOMEM. */
struct jobrows *jobrows_from_json(const json_t *jobs, struct lv_error *err);
/* Frees rs and its rows.  NULL-safe. */
void jobrows_destroy(struct jobrows *rs);

/* How many rows rs holds. */
size_t jobrows_count(const struct jobrows *rs);
/* Row i (< jobrows_count), borrowed from rs. */
const struct jobrow *jobrows_get(const struct jobrows *rs, size_t i);
/* The column of key, for jobrow_col_str; -1 when there is none. */
int jobrows_column(const struct jobrows *rs, const char *key);

/* The value at column col (from jobrows_column; -1 gives NULL), borrowed
 * from the rows; NULL for null. */
const char *jobrow_col_str(const struct jobrow *row, int col);
/* The value at col as an integer: false when it is NULL or not decimal
 * integer text. */
bool jobrow_col_int(const struct jobrow *row, int col, long long *out);
/* As above by key name: one search of the column names per call, so use
 * jobrows_column in loops over many rows. */
const char *jobrow_str(const struct jobrow *row, const char *key);
bool jobrow_int(const struct jobrow *row, const char *key, long long *out);

/* ---- formats ---- */

/* Parses a format.  With long_names false, fmt is squeue -o text:
 * literal text and %[.][size]X fields (X a field letter, "." right-
 * justifies, no size means natural width, "%%" is a percent sign).  With
 * long_names true it is squeue -O text: comma-separated
 * Name[:[.][size][suffix]] items, names case-insensitive, 20 columns when
 * no size is given.  The caller owns the result (jobfmt_destroy).  NULL
 * with err set: -EINVAL for an unknown field ("Invalid job format
 * specification: X") or a bad size, -ENOMEM. */
struct jobfmt *jobfmt_parse(const char *fmt, bool long_names,
			    struct lv_error *err);
/* Frees f.  NULL-safe. */
void jobfmt_destroy(struct jobfmt *f);

/* Prints the header line (JOBID, PARTITION, NAME, ...), justified and
 * truncated like the rows, then a newline. */
void jobfmt_header(const struct jobfmt *f, FILE *out);
/* Prints one job as a line, in one write to out unless it is longer than
 * 4 KiB.  now is the time that running jobs' TIME is counted up to when
 * the record has no time_used.  Fields wider than their size are
 * truncated, keeping the left part; missing keys print as squeue shows
 * unset values ("(null)", "N/A").  No key is looked up by name: the
 * fields know their keys by number, and the rows map each number to its
 * column once, when they are built. */
void jobfmt_row(const struct jobfmt *f, const struct jobrow *row, time_t now,
		FILE *out);

/* The job keys the format reads, for JOB_INFO's "fields" request: a
 * NULL-terminated array without duplicates, borrowed from f (valid until
 * jobfmt_destroy). */
const char *const *jobfmt_fields(const struct jobfmt *f);

/* Canonical job state ("PENDING") for a state name or compact code in
 * any case ("pd", "Running", "CG"); NULL when s is neither. */
const char *jobfmt_state_name(const char *s);
/* Compact code ("PD") of a canonical state name; NULL when unknown. */
const char *jobfmt_state_short(const char *state);
/* Position of a state in squeue's state order (PENDING 0, RUNNING 1,
 * SUSPENDED 2, COMPLETING 3, then the ended states); unknown or NULL
 * states sort last. */
int jobfmt_state_rank(const char *state);

#endif
