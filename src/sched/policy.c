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

/* Pushes global name without metamethods: a script may give _G one. */
static int raw_global(lua_State *L, const char *name)
{
	lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
	lua_pushstring(L, name);
	lua_rawget(L, -2);
	lua_remove(L, -2);
	return lua_type(L, -1);
}

/* Protected: which hooks the script defines, and where (for messages
 * about what a hook returned). */
static int note_hooks(lua_State *L)
{
	struct sandbox *sb = lua_touserdata(L, 1);
	lua_Debug ar;
	int h;

	for (h = 0; h < POLICY_N_HOOKS; h++) {
		sb->has_hook[h] = raw_global(L, hook_names[h]) == LUA_TFUNCTION;
		if (sb->has_hook[h] && lua_getinfo(L, ">S", &ar)) {
			snprintf(sb->hook_src[h], sizeof(sb->hook_src[h]),
				 "%s:%d", ar.short_src, ar.linedefined);
			continue;
		}
		lua_pop(L, 1);
	}
	return 0;
}

static void find_hooks(struct sandbox *sb)
{
	lua_pushcfunction(sb->L, note_hooks);
	lua_pushlightuserdata(sb->L, sb);
	if (lua_pcall(sb->L, 1, 0, 0) != LUA_OK) {
		/* Out of memory: no hooks rather than a half-known set. */
		memset(sb->has_hook, 0, sizeof(sb->has_hook));
		lua_pop(sb->L, 1);
	}
}

/* The error object as text, without converting it (which allocates). */
static const char *error_text(lua_State *L)
{
	return lua_type(L, -1) == LUA_TSTRING
		       ? lua_tostring(L, -1)
		       : "(error object is not a string)";
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
	find_hooks(sb);
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
	L = pol->sb->L;
	if (!lua_checkstack(L, 16))
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &pol->t0);
	base = lua_gettop(L);
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

struct call {
	const struct policy_args *args;
	const char *name;
};

/* Runs inside lua_pcall: finds the hook, builds the arguments, calls it,
 * and returns the first argument with the results. */
static int trampoline(lua_State *L)
{
	const struct call *c = lua_touserdata(L, 1);
	int nargs;

	lua_settop(L, 0);
	if (raw_global(L, c->name) != LUA_TFUNCTION)
		return luaL_error(L, "%s is no longer a function", c->name);
	nargs = c->args->push(L, c->args->ud);
	lua_pushvalue(L, 2);
	lua_insert(L, 1);
	lua_call(L, nargs, c->args->nres);
	return lua_gettop(L);
}

static int call_failed(struct policy *pol, enum policy_hook hook, int base,
		       int status)
{
	struct sandbox *sb = pol->sb;
	const char *msg = error_text(sb->L);
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
	       hook_names[hook], sb->timed_out ? "timed out" : "failed", msg);
	policy_end(pol, hook, base);
	return -1;
}

int policy_call(struct policy *pol, enum policy_hook hook, int base,
		const struct policy_args *args)
{
	struct call c = {args, hook_names[hook]};
	lua_State *L = pol->sb->L;
	int rc;

	lua_pushcfunction(L, trampoline);
	lua_pushlightuserdata(L, &c);
	if ((rc = sandbox_pcall(pol->sb, 1, LUA_MULTRET)) != LUA_OK)
		return call_failed(pol, hook, base, rc);
	lua_settop(L, base + 1 + args->nres);
	return 0;
}

int policy_protect(struct policy *pol, enum policy_hook hook, int base,
		   lua_CFunction fn, void *ud)
{
	lua_State *L = pol->sb->L;
	int top = lua_gettop(L), rc;

	if (!lua_checkstack(L, 4)) {
		lua_pushliteral(L, "Lua stack overflow");
		return call_failed(pol, hook, base, LUA_ERRRUN);
	}
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
	const char *where = pol->sb->hook_src[hook];
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	pol->stats[hook].errors++;
	/* Where the hook is defined: the return is somewhere in it. */
	lv_log(LV_LOG_ERR, "policy: %s%s%s %s; using the built-in default",
	       where, *where ? ": " : "", hook_names[hook], text);
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
