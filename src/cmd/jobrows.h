/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Job records (proto 04 JOB_INFO) as rows of text, whether they came as
 * JSON objects or as the compact "tsv" form. */
#ifndef LV_CMD_JOBROWS_H
#define LV_CMD_JOBROWS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

/* A job record is a row of text values, one per column; the column names
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

#endif
