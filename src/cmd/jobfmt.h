/* SPDX-License-Identifier: GPL-2.0-or-later */
/* squeue-style columns for job records (proto 04 JOB_INFO), printed from
 * the rows of cmd/jobrows.h. */
#ifndef LV_CMD_JOBFMT_H
#define LV_CMD_JOBFMT_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "cmd/jobrows.h" /* struct jobrow; lvqueue.c also reads rows */
#include "common/error.h"

/* squeue's own formats: the default, -l (after a time stamp line) and
 * --start (squeue's "%20Y" scheduled-nodes column left out). */
#define JOBFMT_DEFAULT "%.18i %.9P %.8j %.8u %.2t %.10M %.6D %R"
#define JOBFMT_LONG "%.18i %.9P %.8j %.8u %.8T %.10M %.9l %.6D %R"
#define JOBFMT_START "%.18i %.9P %.8j %.8u %.2t %.19S %.6D %R"

struct jobfmt;

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
