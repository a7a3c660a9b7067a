/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Parsing and evaluating job dependencies with sbatch's semantics. */
#include "config.h"

#include "sched/depend.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum dep_type {
	DEP_AFTER,      /* the job has started (or was cancelled) */
	DEP_AFTERANY,   /* the job has ended */
	DEP_AFTEROK,    /* the job ended successfully */
	DEP_AFTERNOTOK, /* the job ended unsuccessfully */
	DEP_SINGLETON,
};

struct dep_term {
	enum dep_type type;
	uint32_t job_id; /* 0 for singleton */
	uint32_t task;   /* DEP_NO_TASK, or one task of array job_id */
};

struct dependency {
	struct dep_term *terms;
	size_t n;
	bool any; /* '?': one term suffices; ',': all are needed */
};

static const struct {
	const char *name;
	enum dep_type type;
} types[] = {
	{ "after", DEP_AFTER },
	{ "afterany", DEP_AFTERANY },
	{ "afterok", DEP_AFTEROK },
	{ "afternotok", DEP_AFTERNOTOK },
	{ "aftercorr", DEP_AFTEROK }, /* per-task pairing: see docs/jobs.md */
	{ "singleton", DEP_SINGLETON },
};

void depend_destroy(struct dependency *d)
{
	if (!d)
		return;
	free(d->terms);
	free(d);
}

static int add_term(struct dependency *d, enum dep_type type, uint32_t id,
		    uint32_t task)
{
	struct dep_term *t = realloc(d->terms, (d->n + 1) * sizeof(*t));

	if (!t)
		return -ENOMEM;
	d->terms = t;
	t[d->n].type = type;
	t[d->n].job_id = id;
	t[d->n].task = task;
	d->n++;
	return 0;
}

/* One "type:id[:id...]" or "singleton" clause of length len. */
static int parse_clause(struct dependency *d, const char *s, size_t len,
			struct lv_error *err)
{
	size_t i, nlen = strcspn(s, ":");
	const char *p;
	char *end;
	unsigned long id;

	if (nlen > len)
		nlen = len;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strlen(types[i].name) == nlen && !strncmp(s, types[i].name, nlen))
			break;
	if (i == sizeof(types) / sizeof(types[0]))
		return lv_errorf(err, -EINVAL, "Invalid dependency type '%.*s'",
				 (int)nlen, s);
	if (types[i].type == DEP_SINGLETON) {
		if (nlen != len)
			return lv_errorf(err, -EINVAL, "singleton takes no job ids");
		return add_term(d, DEP_SINGLETON, 0, DEP_NO_TASK) < 0
			       ? lv_errorf(err, -ENOMEM, "out of memory")
			       : 0;
	}
	if (nlen == len)
		return lv_errorf(err, -EINVAL, "dependency '%.*s' names no job",
				 (int)len, s);
	for (p = s + nlen; p < s + len; p = end) {
		p++; /* the ':' */
		if (!isdigit((unsigned char)*p))
			return lv_errorf(err, -EINVAL, "Invalid job id in dependency '%.*s'",
					 (int)len, s);
		unsigned long task = DEP_NO_TASK;

		id = strtoul(p, &end, 10);
		/* "12_3": one task of array 12. */
		if (*end == '_' && isdigit((unsigned char)end[1])) {
			task = strtoul(end + 1, &end, 10);
			if (task >= DEP_NO_TASK)
				return lv_errorf(err, -EINVAL, "Invalid array task in dependency '%.*s'",
						 (int)len, s);
		}
		/* "+time" offsets (after:id+min) are accepted and ignored. */
		if (*end == '+')
			while (end < s + len && *end != ':')
				end++;
		if ((end < s + len && *end != ':') || id == 0 || id > UINT32_MAX)
			return lv_errorf(err, -EINVAL, "Invalid job id in dependency '%.*s'",
					 (int)len, s);
		if (add_term(d, types[i].type, (uint32_t)id, (uint32_t)task) < 0)
			return lv_errorf(err, -ENOMEM, "out of memory");
	}
	return 0;
}

struct dependency *depend_parse(const char *s, struct lv_error *err)
{
	struct dependency *d = calloc(1, sizeof(*d));
	bool comma = strchr(s, ',') != NULL, query = strchr(s, '?') != NULL;
	const char *p = s;
	size_t len;

	if (!d) {
		lv_errorf(err, -ENOMEM, "out of memory");
		return NULL;
	}
	if (comma && query) {
		lv_errorf(err, -EINVAL,
			  "Invalid dependency '%s': ',' and '?' cannot be mixed", s);
		goto out_free;
	}
	d->any = query;
	for (;;) {
		len = strcspn(p, ",?");
		if (len == 0) {
			lv_errorf(err, -EINVAL, "Invalid dependency '%s'", s);
			goto out_free;
		}
		if (parse_clause(d, p, len, err) < 0)
			goto out_free;
		if (!p[len])
			break;
		p += len + 1;
	}
	return d;
out_free:
	depend_destroy(d);
	return NULL;
}

int depend_check(const struct dependency *d, depend_lookup_f lookup,
		 void *arg, struct lv_error *err)
{
	struct dep_status st;
	size_t i;

	for (i = 0; i < d->n; i++) {
		if (d->terms[i].type == DEP_SINGLETON)
			continue;
		memset(&st, 0, sizeof(st));
		lookup(d->terms[i].job_id, d->terms[i].task, &st, arg);
		if (!st.exists && d->terms[i].task != DEP_NO_TASK)
			return lv_errorf(err, -ENOENT,
					 "Job dependency problem: job %u_%u does not exist",
					 d->terms[i].job_id, d->terms[i].task);
		if (!st.exists)
			return lv_errorf(err, -ENOENT,
					 "Job dependency problem: job %u does not exist",
					 d->terms[i].job_id);
	}
	return 0;
}

static enum dep_result eval_term(const struct dep_term *t,
				 const struct job *self, depend_lookup_f lookup,
				 depend_singleton_f single, void *arg)
{
	struct dep_status st = { 0 };

	if (t->type == DEP_SINGLETON)
		return single(self, arg) ? DEP_WAIT : DEP_OK;
	lookup(t->job_id, t->task, &st, arg);
	/* A job purged from memory ended long ago: Slurm treats it as
	 * satisfied for after/afterany and unknown otherwise. */
	if (!st.exists)
		return t->type == DEP_AFTER || t->type == DEP_AFTERANY ? DEP_OK
								     : DEP_NEVER;
	switch (t->type) {
	case DEP_AFTER:
		return st.started || st.finished ? DEP_OK : DEP_WAIT;
	case DEP_AFTERANY:
		return st.finished ? DEP_OK : DEP_WAIT;
	case DEP_AFTEROK:
		if (!st.finished)
			return DEP_WAIT;
		return st.all_ok ? DEP_OK : DEP_NEVER;
	case DEP_AFTERNOTOK:
		if (!st.finished)
			return DEP_WAIT;
		return st.all_ok ? DEP_NEVER : DEP_OK;
	case DEP_SINGLETON:
		break;
	}
	return DEP_WAIT;
}

enum dep_result depend_eval(const struct dependency *d, const struct job *self,
			    depend_lookup_f lookup, depend_singleton_f single,
			    void *arg)
{
	enum dep_result r, all = DEP_OK;
	bool any_wait = false;
	size_t i;

	for (i = 0; i < d->n; i++) {
		r = eval_term(&d->terms[i], self, lookup, single, arg);
		if (d->any) {
			if (r == DEP_OK)
				return DEP_OK;
			any_wait |= r == DEP_WAIT;
		} else if (r == DEP_NEVER) {
			return DEP_NEVER;
		} else if (r == DEP_WAIT) {
			all = DEP_WAIT;
		}
	}
	if (d->any)
		return any_wait ? DEP_WAIT : DEP_NEVER;
	return all;
}
