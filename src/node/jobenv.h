/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The environment a job's processes get (docs/jobs.md, "Environment"). */
#ifndef LV_NODE_JOBENV_H
#define LV_NODE_JOBENV_H

#include <jansson.h>

/* The submitted environment (desc's "env") without job variables it may
 * have inherited, plus LV_* and the Slurm names that mislead no tool.
 * extra ("K=V" strings, NULL-terminated, may be NULL) is added last.  A
 * NULL-terminated array the caller frees with jobenv_free; NULL on
 * ENOMEM. */
char **jobenv_build(const json_t *desc, const char *node, const char *conf_path,
		    const char *const *extra);
void jobenv_free(char **env);

/* env (an object of strings) plus extra ("K=V", NULL-terminated), for
 * steps: their caller's environment already is the job's.  NULL on
 * ENOMEM. */
char **jobenv_merge(const json_t *env, const char *const *extra);

/* Expands an output file pattern: %j %x %u %N %A %a %% (sbatch's). */
char *jobenv_expand_pattern(const char *pat, const json_t *desc,
			    const char *node);

#endif
