/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The job options of lvbatch, lvrun and lvalloc (sbatch's spellings), read
 * from the command line, #SBATCH/#LV directives and SBATCH_* variables,
 * and turned into the JOB_SUBMIT body of docs/proto/04-jobs.md. */
#ifndef LV_CMD_JOBOPT_H
#define LV_CMD_JOBOPT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "common/error.h"

/* Which command parses: options that only one of them knows (--wrap,
 * --array, --parsable...) are unknown to the others. */
enum jobopt_prog {
	JOBOPT_LVBATCH,
	JOBOPT_LVRUN,
	JOBOPT_LVALLOC,
};

/* What the command was asked to do instead of submitting. */
enum jobopt_action {
	JOBOPT_SUBMIT = 0,
	JOBOPT_HELP,    /* -h, --help */
	JOBOPT_USAGE,   /* --usage */
	JOBOPT_VERSION, /* -V, --version */
};

/* The options that steer the command itself rather than the job.  The
 * strings are borrowed from the jobopt and valid until it is destroyed or
 * parses again. */
struct jobopt_cmd {
	enum jobopt_action action;
	int verbose;        /* number of -v */
	bool quiet;         /* -Q */
	bool parsable;      /* --parsable */
	bool wait;          /* -W */
	bool test_only;     /* --test-only (also sent to the controller) */
	bool mail_ignored;  /* --mail-type or --mail-user was given */
	const char *wrap;   /* --wrap command, or NULL */
	const char *config; /* --config, or NULL */
	const char *name;   /* -J as given, or NULL */
};

/* What jobopt_to_json needs besides the options. */
struct jobopt_submit {
	const char *script; /* batch script text; NULL: an interactive job */
	char *const *argv;  /* arguments after the script name */
	int argc;
	const char *default_name; /* used without -J; NULL: none sent */
	const char *cwd;          /* absolute directory the command runs in */
	char *const *envp;        /* the command's environment (--export) */
};

struct jobopt;

/* A parser with nothing set.  NULL on ENOMEM. */
struct jobopt *jobopt_create(enum jobopt_prog prog);
/* Frees everything.  NULL-safe. */
void jobopt_destroy(struct jobopt *o);

/* Parses argv as the command line, stopping at the first non-option (the
 * script: later words are its arguments) or after "--"; *first_nonopt is
 * its index (argc when none).  argv[0] is the program name.  Options seen
 * here override the same options from directives and the environment,
 * whatever order the calls come in.  0; -EINVAL for a bad value, -ENOTSUP
 * for an option Leviathan refuses (--uid), -ENOENT for a malformed
 * command line (unknown or ambiguous option, missing argument), where
 * the caller adds "Try ... --help"; -ENOMEM.  err->text is sbatch's
 * message without the "prog: error: " prefix.  On failure the options
 * already applied stay applied; callers exit. */
int jobopt_parse_argv(struct jobopt *o, int argc, char **argv,
		      int *first_nonopt, struct lv_error *err);

/* Reads the #SBATCH and #LV directives of a script: lines after the #!
 * line up to the first one that is neither blank nor a comment.  A
 * directive's words are split as sh would (quotes, backslashes; an
 * unquoted # starts a comment) and parsed as options.  Directives lose to
 * the command line and the environment.  Errors as jobopt_parse_argv,
 * with err->text starting "line N: ". */
int jobopt_parse_directives(struct jobopt *o, const char *script,
			    struct lv_error *err);

/* Reads input variables from envp (lvbatch: SBATCH_ACCOUNT,
 * SBATCH_ARRAY_INX, SBATCH_CONSTRAINT, SBATCH_EXCLUSIVE, SBATCH_EXPORT,
 * SBATCH_GRES, SBATCH_HINT, SBATCH_JOB_NAME, SBATCH_MEM_BIND,
 * SBATCH_NO_KILL, SBATCH_NO_REQUEUE, SBATCH_OPEN_MODE, SBATCH_PARTITION,
 * SBATCH_QOS, SBATCH_REQUEUE, SBATCH_SIGNAL, SBATCH_TIMELIMIT, SBATCH_WAIT
 * and a few more; lvalloc: the same with SALLOC_; lvrun: none).  They
 * beat directives and lose to the command line.  Errors as
 * jobopt_parse_argv, with err->text starting "NAME: ". */
int jobopt_parse_env(struct jobopt *o, char *const *envp, struct lv_error *err);

/* The command's own options, borrowed from o. */
struct jobopt_cmd jobopt_cmd_get(const struct jobopt *o);

/* Builds the JOB_SUBMIT body (proto 04) from the options and s: kind,
 * script, argv, name, work_dir (-D made absolute against s->cwd),
 * submit_dir, export and env (the environment after --export), and a key
 * for each option given; options not given are left out so that the
 * controller's defaults apply.  "time_limit" is null for -t 0, UNLIMITED
 * or INFINITE.  Returns a new object the caller owns; NULL with err set
 * (-EINVAL: no absolute directory, text that is not UTF-8; -ENOMEM). */
json_t *jobopt_to_json(const struct jobopt *o, const struct jobopt_submit *s,
		       struct lv_error *err);

/* Prints the --help text (every option the program accepts) or the
 * one-line --usage text. */
void jobopt_print_help(FILE *f, enum jobopt_prog prog);
void jobopt_print_usage(FILE *f, enum jobopt_prog prog);

/* "lvbatch", "lvrun", "lvalloc". */
const char *jobopt_prog_name(enum jobopt_prog prog);

#endif
