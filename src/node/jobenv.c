/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Building a job's environment and expanding output file patterns. */
#include "config.h"

#include "node/jobenv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/msg.h"
#include "node/nodegrant.h"

struct envbuf {
	char **v;
	size_t n, cap;
	int failed;
};

static void env_put(struct envbuf *e, const char *k, const char *v)
{
	char *s;
	size_t i, klen = strlen(k);

	if (e->failed || !v)
		return;
	if (asprintf(&s, "%s=%s", k, v) < 0) {
		e->failed = 1;
		return;
	}
	for (i = 0; i < e->n; i++)
		if (!strncmp(e->v[i], k, klen) && e->v[i][klen] == '=') {
			free(e->v[i]);
			e->v[i] = s;
			return;
		}
	if (e->n + 2 > e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 64;
		char **nv = realloc(e->v, cap * sizeof(*nv));

		if (!nv) {
			free(s);
			e->failed = 1;
			return;
		}
		e->v = nv;
		e->cap = cap;
	}
	e->v[e->n++] = s;
	e->v[e->n] = NULL;
}

/* Each "K=V" of the NULL-terminated extra (which may be NULL); words
 * without '=' are skipped. */
static void env_put_extra(struct envbuf *e, const char *const *extra)
{
	for (; extra && *extra; extra++) {
		char *copy = strdup(*extra), *eq;

		if (!copy || !(eq = strchr(copy, '='))) {
			free(copy);
			continue;
		}
		*eq = '\0';
		env_put(e, copy, eq + 1);
		free(copy);
	}
}

/* The finished array, which the caller owns; NULL (and nothing left
 * allocated) when any step ran out of memory. */
static char **env_done(struct envbuf *e)
{
	if (e->failed) {
		jobenv_free(e->v);
		return NULL;
	}
	return e->v;
}

static void env_int(struct envbuf *e, const char *k, const json_t *v)
{
	char buf[32];

	if (!json_is_integer(v))
		return;
	snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
	env_put(e, k, buf);
}

/* Variables a job must not inherit from the submitter's own job. */
static int inherited_job_var(const char *k)
{
	return !strncmp(k, "SLURM_", 6) || !strncmp(k, "LV_JOB", 6) ||
	       !strncmp(k, "LV_ARRAY", 8) || !strncmp(k, "LV_STEP", 7) ||
	       !strncmp(k, "LV_NODE", 7) || !strncmp(k, "PMIX_", 5) ||
	       !strncmp(k, "OMPI_", 5);
}

/* Both names of one value: ours and Slurm's. */
static void env_both(struct envbuf *e, const char *lv, const char *slurm,
		     const json_t *v)
{
	if (json_is_string(v)) {
		env_put(e, lv, json_string_value(v));
		if (slurm)
			env_put(e, slurm, json_string_value(v));
	} else {
		env_int(e, lv, v);
		if (slurm)
			env_int(e, slurm, v);
	}
}

static json_int_t cpus_on_node(const json_t *desc, const char *node)
{
	const json_t *g;
	size_t i;

	json_array_foreach(json_object_get(desc, "grants"), i, g) {
		if (!strcmp(lv_json_str(g, "name"), node))
			return json_integer_value(json_object_get(g, "cpus"));
	}
	return 0;
}

/* mpirun inside the job (docs/mpi.md): the job's nodes and slots as
 * Open MPI's default -host ("n1:2,n2:2"), and lvrsh, which starts its
 * orteds through lvd, as its remote shell: no hostfile, no ssh. */
static void env_mpirun(struct envbuf *e, const json_t *desc)
{
	json_int_t cpt = json_integer_value(json_object_get(desc, "cpus_per_task"));
	const json_t *g;
	size_t i, len;
	char *hosts;
	FILE *f = open_memstream(&hosts, &len);

	if (!f)
		return;
	json_array_foreach(json_object_get(desc, "grants"), i, g) {
		json_int_t slots = json_integer_value(json_object_get(g, "cpus"));

		slots /= cpt > 0 ? cpt : 1;
		fprintf(f, "%s%s:%lld", i ? "," : "", lv_json_str(g, "name"),
			(long long)(slots > 0 ? slots : 1));
	}
	if (fclose(f) == 0 && *hosts) {
		env_put(e, "OMPI_MCA_orte_default_dash_host", hosts);
		env_put(e, "OMPI_MCA_plm_rsh_agent", "lvrsh");
		env_put(e, "OMPI_MCA_plm_rsh_no_tree_spawn", "1");
	}
	free(hosts);
}

/* The GPUs granted on this node, by index as the node numbers them
 * (devices are not renumbered: Leviathan does not constrain them). */
static void env_gpus(struct envbuf *e, const json_t *desc, const char *node)
{
	const json_t *g = nodegrant_find(desc, node);
	const char *ids = g ? json_string_value(json_object_get(g, "gpu_ids")) : NULL;

	if (!ids || !*ids)
		return;
	env_put(e, "CUDA_VISIBLE_DEVICES", ids);
	env_put(e, "GPU_DEVICE_ORDINAL", ids);
	env_put(e, "LV_JOB_GPUS", ids);
	env_put(e, "SLURM_JOB_GPUS", ids);
}

char **jobenv_build(const json_t *desc, const char *node, const char *conf_path,
		    const char *const *extra)
{
	struct envbuf e = { 0 };
	const json_t *env = json_object_get(desc, "env"), *v;
	const char *k;
	json_t *cpn = json_integer(cpus_on_node(desc, node));

	json_object_foreach((json_t *)env, k, v) {
		if (json_is_string(v) && !inherited_job_var(k))
			env_put(&e, k, json_string_value(v));
	}
	if (!json_object_get(env, "PATH"))
		env_put(&e, "PATH", "/usr/local/bin:/usr/bin:/bin");
	/* SLURM_JOB_ID, SLURM_JOBID and SLURM_(JOB_)NODELIST are left out on
	 * purpose: Open MPI and MPICH take them as "inside Slurm" and try to
	 * launch through srun (docs/jobs.md). */
	env_both(&e, "LV_JOB_ID", NULL, json_object_get(desc, "job_id"));
	env_both(&e, "LV_JOB_NAME", "SLURM_JOB_NAME", json_object_get(desc, "name"));
	env_both(&e, "LV_NTASKS", "SLURM_NTASKS", json_object_get(desc, "ntasks"));
	env_int(&e, "SLURM_NPROCS", json_object_get(desc, "ntasks"));
	env_both(&e, "LV_CPUS_PER_TASK", "SLURM_CPUS_PER_TASK",
		 json_object_get(desc, "cpus_per_task"));
	env_both(&e, "LV_JOB_NODELIST", NULL, json_object_get(desc, "nodes"));
	env_both(&e, "LV_JOB_NUM_NODES", "SLURM_JOB_NUM_NODES",
		 json_object_get(desc, "num_nodes"));
	env_int(&e, "SLURM_NNODES", json_object_get(desc, "num_nodes"));
	env_both(&e, "LV_SUBMIT_DIR", "SLURM_SUBMIT_DIR",
		 json_object_get(desc, "submit_dir"));
	env_both(&e, "LV_JOB_PARTITION", "SLURM_JOB_PARTITION",
		 json_object_get(desc, "partition"));
	env_both(&e, "LV_JOB_ACCOUNT", "SLURM_JOB_ACCOUNT",
		 json_object_get(desc, "account"));
	env_both(&e, "LV_JOB_USER", "SLURM_JOB_USER", json_object_get(desc, "user"));
	env_both(&e, "LV_JOB_UID", "SLURM_JOB_UID", json_object_get(desc, "uid"));
	env_both(&e, "LV_CLUSTER_NAME", "SLURM_CLUSTER_NAME",
		 json_object_get(desc, "cluster"));
	env_both(&e, "LV_CPUS_ON_NODE", "SLURM_CPUS_ON_NODE", cpn);
	env_both(&e, "LV_ARRAY_JOB_ID", "SLURM_ARRAY_JOB_ID",
		 json_object_get(desc, "array_job_id"));
	env_both(&e, "LV_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_ID",
		 json_object_get(desc, "array_task_id"));
	env_both(&e, "LV_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_COUNT",
		 json_object_get(desc, "array_task_count"));
	env_both(&e, "LV_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_MIN",
		 json_object_get(desc, "array_task_min"));
	env_both(&e, "LV_ARRAY_TASK_MAX", "SLURM_ARRAY_TASK_MAX",
		 json_object_get(desc, "array_task_max"));
	env_both(&e, "LV_ARRAY_TASK_STEP", "SLURM_ARRAY_TASK_STEP",
		 json_object_get(desc, "array_task_step"));
	/* Set only for a job that runs again (sbatch's rule). */
	if (json_integer_value(json_object_get(desc, "restarts")) > 0)
		env_both(&e, "LV_RESTART_COUNT", "SLURM_RESTART_COUNT",
			 json_object_get(desc, "restarts"));
	env_gpus(&e, desc, node);
	env_put(&e, "LV_NODENAME", node);
	env_put(&e, "SLURMD_NODENAME", node);
	env_put(&e, "LV_NODEID", "0");
	env_put(&e, "LV_CONF", conf_path);
	env_mpirun(&e, desc);
	env_put_extra(&e, extra);
	json_decref(cpn);
	return env_done(&e);
}

char **jobenv_merge(const json_t *env, const char *const *extra)
{
	struct envbuf e = { 0 };
	const json_t *v;
	const char *k;

	json_object_foreach((json_t *)env, k, v) {
		if (json_is_string(v))
			env_put(&e, k, json_string_value(v));
	}
	env_put_extra(&e, extra);
	if (!e.v)
		env_put(&e, "PATH", "/usr/local/bin:/usr/bin:/bin");
	return env_done(&e);
}

void jobenv_free(char **env)
{
	char **p;

	for (p = env; p && *p; p++)
		free(*p);
	free(env);
}

char *jobenv_expand_pattern(const char *pat, const json_t *desc,
			    const char *node)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	const json_t *aj = json_object_get(desc, "array_job_id");
	const char *p;

	if (!f)
		return NULL;
	for (p = pat; *p; p++) {
		if (*p != '%' || !p[1]) {
			fputc(*p, f);
			continue;
		}
		switch (*++p) {
		case 'j':
			fprintf(f, "%lld", (long long)json_integer_value(json_object_get(desc, "job_id")));
			break;
		case 'A':
			fprintf(f, "%lld", (long long)json_integer_value(
						   aj ? aj : json_object_get(desc, "job_id")));
			break;
		case 'a':
			fprintf(f, "%lld", (long long)json_integer_value(json_object_get(desc, "array_task_id")));
			break;
		case 'x':
			fputs(lv_json_str(desc, "name") ? lv_json_str(desc, "name") : "", f);
			break;
		case 'u':
			fputs(lv_json_str(desc, "user") ? lv_json_str(desc, "user") : "", f);
			break;
		case 'N':
			fputs(node, f);
			break;
		case '%':
			fputc('%', f);
			break;
		default:
			fputc('%', f);
			fputc(*p, f);
		}
	}
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}
