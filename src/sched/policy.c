/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The policy host: which script is active, reloading it, and the
 * bookkeeping around every hook call (budget, timing, failure counts). */
#include "config.h"

#include "sched/policy.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "sched/policy_private.h"

static const char *const hook_names[POLICY_N_HOOKS] = {
	[POLICY_JOB_SUBMIT] = "job_submit", [POLICY_JOB_MODIFY] = "job_modify",
	[POLICY_PLACE] = "place",           [POLICY_PRIORITY] = "priority",
	[POLICY_ELASTICITY] = "elasticity",
};

const char *policy_hook_name(enum policy_hook hook)
{
	return hook_names[hook];
}

bool policy_has_hook(const struct policy *pol, enum policy_hook hook)
{
	return pol && pol->sb && pol->sb->has_hook[hook];
}

static void note_hooks(struct sandbox *sb)
{
	int h;

	for (h = 0; h < POLICY_N_HOOKS; h++) {
		sb->has_hook[h] =
			lua_getglobal(sb->L, hook_names[h]) == LUA_TFUNCTION;
		lua_pop(sb->L, 1);
	}
}

static void set_failure(struct policy *pol, const char *path,
			const struct lv_error *err)
{
	free(pol->failed_path);
	pol->failed_path = strdup(path);
	snprintf(pol->load_error, sizeof(pol->load_error), "%s", err->text);
	pol->load_error_time = time(NULL);
}

int policy_reload(struct policy *pol, const struct lv_conf *conf,
		  struct lv_error *err)
{
	struct sandbox *sb;

	if (!conf->policy_script) {
		if (pol->sb)
			lv_log(LV_LOG_INFO,
			       "policy: no PolicyScript, built-in policy only");
		sandbox_destroy(pol->sb);
		pol->sb = NULL;
		memset(pol->stats, 0, sizeof(pol->stats));
		free(pol->failed_path);
		pol->failed_path = NULL;
		return 0;
	}
	sb = sandbox_create(pol->ctld, conf->policy_script,
			    conf->policy_instructions,
			    (size_t)conf->policy_memory_mb << 20, err);
	if (!sb) {
		/* The old script stays, but the node table may have changed. */
		if (pol->sb)
			pol->sb->nodes_gen++;
		set_failure(pol, conf->policy_script, err);
		lv_log(LV_LOG_ERR, "policy: cannot load %s: %s%s",
		       conf->policy_script, err->text,
		       pol->sb ? " (keeping the script loaded before)" : "");
		return err->code;
	}
	note_hooks(sb);
	sandbox_destroy(pol->sb);
	pol->sb = sb;
	pol->load_time = time(NULL);
	memset(pol->stats, 0, sizeof(pol->stats));
	free(pol->failed_path);
	pol->failed_path = NULL;
	lv_log(LV_LOG_INFO, "policy: loaded %s", sb->path);
	return 0;
}

struct policy *policy_create(struct lvctld *ctld, const struct lv_conf *conf)
{
	struct lv_error err = {0};
	struct policy *pol;

	if (!(pol = calloc(1, sizeof(*pol))))
		return NULL;
	pol->ctld = ctld;
	/* A bad script at startup: the built-in policy runs, and the error
	 * shows in lvcontrol show policy until a reconfigure fixes it. */
	(void)policy_reload(pol, conf, &err);
	return pol;
}

void policy_destroy(struct policy *pol)
{
	if (!pol)
		return;
	sandbox_destroy(pol->sb);
	free(pol->failed_path);
	free(pol->scratch);
	free(pol);
}

static uint64_t elapsed_ns(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (uint64_t)(t1.tv_sec - t0->tv_sec) * 1000000000u +
	       (uint64_t)(t1.tv_nsec - t0->tv_nsec);
}

int policy_begin(struct policy *pol, enum policy_hook hook)
{
	lua_State *L;
	int base;

	if (!policy_has_hook(pol, hook))
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &pol->t0);
	L = pol->sb->L;
	base = lua_gettop(L);
	if (!lua_checkstack(L, 8) ||
	    lua_getglobal(L, hook_names[hook]) != LUA_TFUNCTION) {
		/* The script removed its own hook at run time. */
		lua_settop(L, base);
		return -1;
	}
	pol->stats[hook].calls++;
	pol->sb->user_msg[0] = '\0';
	pol->sb->call_gen++; /* job views from earlier calls expire */
	return base;
}

void policy_end(struct policy *pol, enum policy_hook hook, int base)
{
	lua_settop(pol->sb->L, base);
	pol->stats[hook].ns += elapsed_ns(&pol->t0);
}

/* Runs inside lua_pcall: builds the arguments, then calls the hook,
 * and returns the first argument with the results. */
static int trampoline(lua_State *L)
{
	const struct policy_args *a = lua_touserdata(L, 2);
	int nargs;

	lua_settop(L, 1);
	nargs = a->push(L, a->ud);
	lua_pushvalue(L, 2);
	lua_insert(L, 1);
	lua_call(L, nargs, a->nres);
	return lua_gettop(L);
}

static int call_failed(struct policy *pol, enum policy_hook hook, int base,
		       int status)
{
	struct sandbox *sb = pol->sb;
	const char *msg = lua_tostring(sb->L, -1);
	char mem[128];

	/* Lua gives no line for a memory error. */
	if (status == LUA_ERRMEM) {
		snprintf(mem, sizeof(mem),
			 "not enough memory (PolicyMemoryLimit is %zu MB)",
			 sb->mem_limit >> 20);
		msg = mem;
	}

	if (sb->timed_out)
		pol->stats[hook].timeouts++;
	else
		pol->stats[hook].errors++;
	lv_log(LV_LOG_ERR, "policy: %s %s: %s; using the built-in default",
	       hook_names[hook], sb->timed_out ? "timed out" : "failed",
	       msg ? msg : "(error object is not a string)");
	policy_end(pol, hook, base);
	return -1;
}

int policy_call(struct policy *pol, enum policy_hook hook, int base,
		const struct policy_args *args)
{
	lua_State *L = pol->sb->L;
	int rc;

	/* [fn] -> [trampoline, fn, args] */
	lua_pushcfunction(L, trampoline);
	lua_insert(L, base + 1);
	lua_pushlightuserdata(L, (void *)args);
	if ((rc = sandbox_pcall(pol->sb, 2, LUA_MULTRET)) != LUA_OK)
		return call_failed(pol, hook, base, rc);
	lua_settop(L, base + 1 + args->nres);
	return 0;
}

int policy_protect(struct policy *pol, enum policy_hook hook, int base,
		   lua_CFunction fn, void *ud)
{
	lua_State *L = pol->sb->L;
	int top = lua_gettop(L), rc;

	lua_pushcfunction(L, fn);
	lua_pushlightuserdata(L, ud);
	lua_pushvalue(L, base + 1);
	if ((rc = sandbox_pcall(pol->sb, 2, 0)) != LUA_OK)
		return call_failed(pol, hook, base, rc);
	lua_settop(L, top);
	return 0;
}

void policy_fail(struct policy *pol, enum policy_hook hook, int base,
		 const char *fmt, ...)
{
	lua_State *L = pol->sb->L;
	char text[512];
	lua_Debug ar;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	pol->stats[hook].errors++;
	/* Name the function's own line: the return is somewhere in it. */
	lua_settop(L, base);
	lua_getglobal(L, hook_names[hook]);
	if (lua_isfunction(L, -1) && lua_getinfo(L, ">S", &ar))
		lv_log(LV_LOG_ERR,
		       "policy: %s:%d: %s %s; using the built-in default",
		       ar.short_src, ar.linedefined, hook_names[hook], text);
	else
		lv_log(LV_LOG_ERR, "policy: %s %s; using the built-in default",
		       hook_names[hook], text);
	policy_end(pol, hook, base);
}

const char *policy_load_error(const struct policy *pol)
{
	return pol && pol->failed_path ? pol->load_error : NULL;
}

static json_t *hook_json(const struct policy *pol, int h)
{
	const struct hook_stats *s = &pol->stats[h];

	return json_pack(
		"{s:s, s:b, s:I, s:I, s:I, s:f}", "name", hook_names[h],
		"defined", policy_has_hook(pol, h), "calls",
		(json_int_t)s->calls, "errors", (json_int_t)s->errors,
		"timeouts", (json_int_t)s->timeouts, "mean_us",
		s->calls ? (double)s->ns / 1000.0 / (double)s->calls : 0.0);
}

json_t *policy_to_json(const struct policy *pol)
{
	json_t *o = json_object(), *hooks = json_array();
	int h;

	if (!o || !hooks) {
		json_decref(o);
		json_decref(hooks);
		return NULL;
	}
	for (h = 0; h < POLICY_N_HOOKS; h++)
		json_array_append_new(hooks, hook_json(pol, h));
	json_object_set_new(o, "hooks", hooks);
	if (pol->sb) {
		json_object_set_new(o, "script", json_string(pol->sb->path));
		json_object_set_new(o, "load_time",
				    json_integer(pol->load_time));
		json_object_set_new(
			o, "instruction_limit",
			json_integer((json_int_t)pol->sb->instructions));
		json_object_set_new(
			o, "memory_limit",
			json_integer((json_int_t)pol->sb->mem_limit));
		json_object_set_new(
			o, "memory_used",
			json_integer((json_int_t)pol->sb->mem_used));
	}
	if (pol->failed_path) {
		json_object_set_new(o, "load_error",
				    json_string(pol->load_error));
		json_object_set_new(o, "load_error_script",
				    json_string(pol->failed_path));
		json_object_set_new(o, "load_error_time",
				    json_integer(pol->load_error_time));
	}
	return o;
}
