/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Jobs as tab-separated text rows: the compact JOB_INFO form that lvqueue
 * reads (proto 04, "format": "tsv").  Building thousands of JSON objects
 * costs ~5 us a job on each side; a row of text costs well under one. */
#ifndef LV_SCHED_JOBTEXT_H
#define LV_SCHED_JOBTEXT_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

#include "sched/job.h"

struct jobtext;

/* A row builder for the field keys in fields (a JSON array of strings);
 * unknown keys give \N.  NULL on ENOMEM. */
struct jobtext *jobtext_create(const json_t *fields);
void jobtext_destroy(struct jobtext *jt);

/* Appends job's row.  0 or -ENOMEM. */
int jobtext_add(struct jobtext *jt, const struct job *job, time_t now);

/* The rows so far, NUL-terminated (borrowed), and their length. */
const char *jobtext_rows(const struct jobtext *jt, size_t *len);

#endif
