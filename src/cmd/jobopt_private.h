/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What jobopt.c (parsing) and jobopt_json.c (the JOB_SUBMIT body) share:
 * the option slots, their values and where each came from. */
#ifndef LV_CMD_JOBOPT_PRIVATE_H
#define LV_CMD_JOBOPT_PRIVATE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "cmd/jobopt.h"
#include "common/error.h"

/* Where a value came from; a higher source wins over a lower one. */
enum source {
	SRC_NONE = 0,
	SRC_DIRECTIVE,
	SRC_ENV,
	SRC_ARGV,
};

/* One slot per thing an option sets.  Options sharing a slot (--mem and
 * --mem-per-cpu, --requeue and --no-requeue) override each other. */
enum field {
	F_NAME,
	F_PARTITION,
	F_ACCOUNT,
	F_COMMENT,
	F_CHDIR,
	F_STDOUT,
	F_STDERR,
	F_STDIN,
	F_NODES,
	F_NTASKS,
	F_NTASKS_PER_NODE,
	F_CPUS_PER_TASK,
	F_MEM,
	F_TIME,
	F_ARRAY,
	F_DEPENDENCY,
	F_HOLD,
	F_BEGIN,
	F_SHARE,
	F_NODELIST,
	F_EXCLUDE,
	F_REQUEUE,
	F_TEST_ONLY,
	F_EXPORT,
	F_GRES,
	F_GPUS_PER_TASK,
	F_HINT,
	F_THREADS_PER_CORE,
	F_NTASKS_PER_SOCKET,
	F_CPU_BIND,
	F_DISTRIBUTION,
	F_MEM_BIND,
	F_CONSTRAINT,
	F_QOS,
	F_PRIORITY,
	F_NICE,
	F_OPEN_MODE,
	F_SIGNAL,
	F_NO_KILL,
	F_KILL_ON_INVALID_DEP,
	F_GET_USER_ENV,
	/* the command's own */
	F_MAIL,
	F_WAIT,
	F_PARSABLE,
	F_QUIET,
	F_VERBOSE,
	F_WRAP,
	F_CONFIG,
	F_ACTION,
	F_REFUSED, /* --uid, --gid: never set */
	F_COUNT
};

/* A field's value; which members mean what depends on the field. */
struct value {
	char *s;
	long long n, n2;
};

struct jobopt {
	enum jobopt_prog prog;
	int64_t now; /* for --begin */
	unsigned char src[F_COUNT];
	struct value v[F_COUNT];
};

/* Helpers both files use, static in jobopt.c before the split.  The
 * one-line ones are static inline here rather than exported, so that
 * libcli exports no name as generic as nomem. */
static inline int nomem(struct lv_error *err)
{
	return lv_errorf(err, -ENOMEM, "out of memory");
}

/* Length of the comma-separated item at s. */
static inline size_t item_len(const char *s)
{
	return strcspn(s, ",");
}

static inline bool item_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && !strncasecmp(s, word, len);
}

/* The value of name (len bytes) in envp, or NULL.  jobopt.c reads input
 * variables with it, jobopt_json.c the variables --export names. */
const char *env_lookup(char *const *envp, const char *name, size_t len);

#endif
