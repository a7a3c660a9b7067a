/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Builds the JOB_SUBMIT body (docs/proto/04-jobs.md) from parsed job
 * options: a key per option given, the script, directories and the
 * environment that --export passes on. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/jobopt.h"
#include "cmd/jobopt_private.h"

/* How a field goes into the JOB_SUBMIT body. */
enum type {
	T_NONE,   /* not sent, or sent by jobopt_to_json itself */
	T_STR,    /* s */
	T_INT,    /* n */
	T_BOOL,   /* n != 0 */
	T_TIME,   /* n minutes, -1 unlimited (null) */
	T_NODES,  /* nodes_min = n, nodes_max = n2 */
	T_MEM,    /* n MB: mem_per_cpu when n2, else mem_per_node */
	T_SHARE,  /* n: 1 exclusive, 2 oversubscribe */
	T_SIGNAL, /* n signal, n2 seconds, s flags "B", "R" */
};

struct fielddef {
	const char *key;
	enum type type;
};

static const struct fielddef fields[F_COUNT] = {
	[F_PARTITION] = {"partition", T_STR},
	[F_ACCOUNT] = {"account", T_STR},
	[F_COMMENT] = {"comment", T_STR},
	[F_STDOUT] = {"stdout", T_STR},
	[F_STDERR] = {"stderr", T_STR},
	[F_STDIN] = {"stdin", T_STR},
	[F_NODES] = {NULL, T_NODES},
	[F_NTASKS] = {"ntasks", T_INT},
	[F_NTASKS_PER_NODE] = {"ntasks_per_node", T_INT},
	[F_CPUS_PER_TASK] = {"cpus_per_task", T_INT},
	[F_MEM] = {NULL, T_MEM},
	[F_TIME] = {"time_limit", T_TIME},
	[F_ARRAY] = {"array", T_STR},
	[F_DEPENDENCY] = {"dependency", T_STR},
	[F_HOLD] = {"hold", T_BOOL},
	[F_BEGIN] = {"begin", T_INT},
	[F_SHARE] = {NULL, T_SHARE},
	[F_NODELIST] = {"nodelist", T_STR},
	[F_EXCLUDE] = {"exclude", T_STR},
	[F_REQUEUE] = {"requeue", T_BOOL},
	[F_TEST_ONLY] = {"test_only", T_BOOL},
	[F_GRES] = {"gres", T_STR},
	[F_GPUS_PER_TASK] = {"gpus_per_task", T_STR},
	[F_HINT] = {"hint", T_STR},
	[F_THREADS_PER_CORE] = {"threads_per_core", T_INT},
	[F_NTASKS_PER_SOCKET] = {"ntasks_per_socket", T_INT},
	[F_CPU_BIND] = {"cpu_bind", T_STR},
	[F_DISTRIBUTION] = {"distribution", T_STR},
	[F_MEM_BIND] = {"mem_bind", T_STR},
	[F_CONSTRAINT] = {"constraint", T_STR},
	[F_QOS] = {"qos", T_STR},
	[F_PRIORITY] = {"priority", T_INT},
	[F_NICE] = {"nice", T_INT},
	[F_OPEN_MODE] = {"open_mode", T_STR},
	[F_SIGNAL] = {"signal", T_SIGNAL},
	[F_NO_KILL] = {"no_kill", T_BOOL},
	[F_KILL_ON_INVALID_DEP] = {"kill_on_invalid_dep", T_BOOL},
	[F_GET_USER_ENV] = {"get_user_env", T_BOOL},
};

/* Sets key to the new value val; NULL val is a failed json_string(),
 * that is text that is not UTF-8. */
static int put(json_t *obj, const char *key, json_t *val, struct lv_error *err)
{
	if (!val)
		return lv_errorf(err, -EINVAL, "%s: not valid UTF-8 text", key);
	if (json_object_set_new(obj, key, val) < 0)
		return nomem(err);
	return 0;
}

/* As put, for a string; NULL s puts nothing. */
static int put_str(json_t *obj, const char *key, const char *s,
		   struct lv_error *err)
{
	return s ? put(obj, key, json_string(s), err) : 0;
}

static int put_field(json_t *req, enum field f, const struct value *v,
		     struct lv_error *err)
{
	const char *key = fields[f].key;
	json_t *sig;
	int rc;

	switch (fields[f].type) {
	case T_STR:
		return put_str(req, key, v->s, err);
	case T_INT:
		return put(req, key, json_integer(v->n), err);
	case T_BOOL:
		return put(req, key, json_boolean(v->n), err);
	case T_TIME:
		return put(req, key,
			   v->n < 0 ? json_null() : json_integer(v->n), err);
	case T_NODES:
		if ((rc = put(req, "nodes_min", json_integer(v->n), err)) < 0)
			return rc;
		return put(req, "nodes_max", json_integer(v->n2), err);
	case T_MEM:
		return put(req, v->n2 ? "mem_per_cpu" : "mem_per_node",
			   json_integer(v->n), err);
	case T_SHARE:
		return put(req, v->n == 1 ? "exclusive" : "oversubscribe",
			   json_true(), err);
	case T_SIGNAL:
		sig = json_pack("{s:I, s:I, s:b, s:b}", "num", v->n, "time",
				v->n2, "batch", strpbrk(v->s, "Bb") != NULL,
				"reservation", strpbrk(v->s, "Rr") != NULL);
		return sig ? put(req, key, sig, err) : nomem(err);
	default:
		return 0;
	}
}

/* Adds "NAME=VALUE", or NAME with its value in envp if it has one. */
static int env_put(json_t *env, const char *item, size_t len, char *const *envp,
		   struct lv_error *err)
{
	const char *eq = memchr(item, '=', len);
	size_t nlen = eq ? (size_t)(eq - item) : len;
	const char *val = eq ? NULL : env_lookup(envp, item, nlen);
	json_t *jv = NULL;
	char *name;
	int rc = 0;

	if (!eq && !val)
		return 0;
	if (!(name = strndup(item, nlen)))
		return nomem(err);
	jv = eq ? json_stringn(eq + 1, len - nlen - 1) : json_string(val);
	if (!jv)
		rc = lv_errorf(
			err, -EINVAL,
			"environment variable %.64s: not valid UTF-8 text",
			name);
	else if (json_object_set_new(env, name, jv) < 0)
		rc = nomem(err);
	free(name);
	return rc;
}

/* True when the --export text (NULL: not given) passes the whole
 * environment on. */
static bool export_all(const char *spec)
{
	const char *p;
	size_t len;

	for (p = spec; p; p = p[len] ? p + len + 1 : NULL) {
		len = item_len(p);
		if (item_is(p, len, "ALL"))
			return true;
	}
	return !spec;
}

/* "env": envp under ALL, then the variables --export lists. */
static int put_env(json_t *req, const char *spec, char *const *envp,
		   struct lv_error *err)
{
	json_t *env = json_object();
	const char *p;
	size_t len;
	int rc = 0;

	if (!env)
		return nomem(err);
	for (; export_all(spec) && envp && *envp && rc == 0; envp++) {
		if (strchr(*envp, '='))
			rc = env_put(env, *envp, strlen(*envp), NULL, err);
	}
	for (p = spec; p && rc == 0; p = p[len] ? p + len + 1 : NULL) {
		len = item_len(p);
		if (!item_is(p, len, "ALL") && !item_is(p, len, "NONE"))
			rc = env_put(env, p, len, envp, err);
	}
	if (rc < 0) {
		json_decref(env);
		return rc;
	}
	return put(req, "env", env, err);
}

/* "work_dir": -D made absolute against cwd, or cwd. */
static int put_work_dir(json_t *req, const char *dir, const char *cwd,
			struct lv_error *err)
{
	char *path;
	int rc;

	if (dir && dir[0] == '/')
		return put_str(req, "work_dir", dir, err);
	if (!cwd || cwd[0] != '/')
		return lv_errorf(err, -EINVAL, "no absolute working directory");
	if (!dir)
		return put_str(req, "work_dir", cwd, err);
	if (asprintf(&path, "%s/%s", cwd, dir) < 0)
		return nomem(err);
	rc = put_str(req, "work_dir", path, err);
	free(path);
	return rc;
}

/* "argv": the script's arguments. */
static int put_argv(json_t *req, const struct jobopt_submit *s,
		    struct lv_error *err)
{
	json_t *argv = json_array(), *arg;
	int i, rc = 0;

	for (i = 0; argv && i < s->argc && rc == 0; i++) {
		if (!(arg = json_string(s->argv[i])))
			rc = lv_errorf(
				err, -EINVAL,
				"script argument %d: not valid UTF-8 text",
				i + 1);
		else if (json_array_append_new(argv, arg) < 0)
			rc = nomem(err);
	}
	if (!argv)
		return nomem(err);
	if (rc < 0) {
		json_decref(argv);
		return rc;
	}
	return put(req, "argv", argv, err);
}

/* kind, script, argv, name, directories, export and env. */
static int put_basics(json_t *req, const struct jobopt *o,
		      const struct jobopt_submit *s, struct lv_error *err)
{
	const char *name = o->v[F_NAME].s ? o->v[F_NAME].s : s->default_name;
	const char *export = o->v[F_EXPORT].s;
	int rc;

	if ((rc = put_str(req, "kind", s->script ? "batch" : "interactive",
			  err)) < 0 ||
	    (rc = put_str(req, "script", s->script, err)) < 0 ||
	    (rc = put_str(req, "name", name, err)) < 0 ||
	    (rc = put_work_dir(req, o->v[F_CHDIR].s, s->cwd, err)) < 0 ||
	    (rc = put_str(req, "submit_dir", s->cwd, err)) < 0 ||
	    (rc = put_str(req, "export", export ? export : "ALL", err)) < 0 ||
	    (rc = put_env(req, export, s->envp, err)) < 0)
		return rc;
	return s->script ? put_argv(req, s, err) : 0;
}

json_t *jobopt_to_json(const struct jobopt *o, const struct jobopt_submit *s,
		       struct lv_error *err)
{
	json_t *req = json_object();
	size_t f;

	if (!req) {
		nomem(err);
		return NULL;
	}
	if (put_basics(req, o, s, err) < 0)
		goto out_free;
	for (f = 0; f < F_COUNT; f++) {
		if (o->src[f] && fields[f].type != T_NONE &&
		    put_field(req, (enum field)f, &o->v[f], err) < 0)
			goto out_free;
	}
	return req;
out_free:
	json_decref(req);
	return NULL;
}
