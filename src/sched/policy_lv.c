/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The lv table policy scripts see: logging, lv.user_msg, constants, and
 * read-only queries of nodes, partitions and jobs. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "common/timefmt.h"
#include "sched/ctld.h"
#include "sched/job.h"
#include "sched/jobs.h"
#include "sched/nodes.h"
#include "sched/partitions.h"
#include "sched/policy_private.h"

/* lv.* error codes: Slurm's names, our numbers (docs/policy.md). */
static const struct {
	const char *name;
	lua_Integer value;
} constants[] = {
	{"SUCCESS", 0},
	{"ERROR", -1},
	{"ESLURM_INVALID_PARTITION_NAME", 2000},
	{"ESLURM_INVALID_TIME_LIMIT", 2001},
	{"ESLURM_INVALID_ACCOUNT", 2002},
	{"ESLURM_INVALID_QOS", 2003},
	{"ESLURM_INVALID_NODE_COUNT", 2004},
	{"ESLURM_ACCESS_DENIED", 2005},
	{"ESLURM_INVALID_FEATURE", 2006},
	{"NO_VAL", 0xfffffffe},
	{"INFINITE", 0xffffffff},
	{"JOB_PENDING", JOB_PENDING},
	{"JOB_RUNNING", JOB_RUNNING},
	{"JOB_COMPLETING", JOB_COMPLETING},
	{"JOB_COMPLETED", JOB_COMPLETED},
	{"JOB_FAILED", JOB_FAILED},
	{"JOB_CANCELLED", JOB_CANCELLED},
	{"JOB_TIMEOUT", JOB_TIMEOUT},
	{"JOB_NODE_FAIL", JOB_NODE_FAIL},
	{"JOB_OOM", JOB_OOM},
};

/* lv.log_*(fmt, ...): string.format when there are arguments. */
static const char *log_text(lua_State *L)
{
	if (lua_gettop(L) <= 1)
		return luaL_tolstring(L, 1, NULL);
	lua_getglobal(L, "string");
	lua_getfield(L, -1, "format");
	lua_insert(L, 1);
	lua_pop(L, 1);
	lua_call(L, lua_gettop(L) - 1, 1);
	return lua_tostring(L, -1);
}

static int lv_log_info(lua_State *L)
{
	lv_log(LV_LOG_INFO, "policy: %s", log_text(L));
	return 0;
}

static int lv_log_error(lua_State *L)
{
	lv_log(LV_LOG_ERR, "policy: %s", log_text(L));
	return 0;
}

static int lv_log_debug(lua_State *L)
{
	if (lv_log_debug_enabled(LV_DBG_POLICY))
		lv_log(LV_LOG_DEBUG, "policy: %s", log_text(L));
	return 0;
}

/* Text for the submitter; later calls in the same hook append a line. */
static int lv_user_msg(lua_State *L)
{
	struct sandbox *sb = sandbox_get(L);
	const char *s = luaL_checkstring(L, 1);
	size_t used = strlen(sb->user_msg);

	if (used && used + 1 < sizeof(sb->user_msg))
		sb->user_msg[used++] = '\n';
	snprintf(sb->user_msg + used, sizeof(sb->user_msg) - used, "%s", s);
	return 0;
}

static void set_str(lua_State *L, const char *k, const char *v)
{
	if (!v)
		return;
	lua_pushstring(L, v);
	lua_setfield(L, -2, k);
}

static void set_int(lua_State *L, const char *k, lua_Integer v)
{
	lua_pushinteger(L, v);
	lua_setfield(L, -2, k);
}

/* lv.nodes([partition]): every node, or a partition's. */
static int lv_nodes(lua_State *L)
{
	struct lvctld *ctld = sandbox_get(L)->ctld;
	const char *pname = luaL_optstring(L, 1, NULL);
	struct partition *p = NULL;

	if (!ctld || !ctld->nodes ||
	    (pname && !(p = partitions_find(ctld->parts, pname)))) {
		lua_newtable(L);
		return 1;
	}
	if (p)
		policy_view_push_nodes(L, p->node_idx, p->n_nodes);
	else
		policy_view_push_nodes(L, NULL, nodes_count(ctld->nodes));
	return 1;
}

static void push_part(lua_State *L, const struct partition *p)
{
	lua_createtable(L, 0, 12);
	set_str(L, "name", p->name);
	set_str(L, "nodes", p->nodes_expr);
	set_int(L, "total_nodes", (lua_Integer)p->n_nodes);
	set_int(L, "max_time", p->max_time);
	set_int(L, "default_time", p->default_time);
	set_int(L, "max_nodes", p->max_nodes ? p->max_nodes : 0xffffffff);
	set_int(L, "min_nodes", p->min_nodes);
	set_int(L, "priority_tier", p->priority_tier);
	set_str(L, "state", part_state_name(p->state));
	set_str(L, "allow_accounts", p->allow_accounts);
	set_str(L, "allow_groups", p->allow_groups);
	lua_pushboolean(L, p->is_default);
	lua_setfield(L, -2, "default");
}

void policy_lv_push_parts(lua_State *L, struct lvctld *ctld)
{
	size_t i, n;

	lua_newtable(L);
	if (!ctld || !ctld->parts)
		return;
	n = partitions_count(ctld->parts);
	for (i = 0; i < n; i++) {
		struct partition *p = partitions_get(ctld->parts, i);

		push_part(L, p);
		lua_setfield(L, -2, p->name);
	}
}

static int lv_partitions(lua_State *L)
{
	policy_lv_push_parts(L, sandbox_get(L)->ctld);
	return 1;
}

/* What lv.jobs{} filters on, read from its table argument. */
struct jobs_filter {
	const char *user, *partition, *name;
	lua_Integer uid;
	int state;
	lua_Integer limit;
};

static void read_filter(lua_State *L, struct jobs_filter *f)
{
	const char *st;

	f->user = f->partition = f->name = NULL;
	f->uid = -1;
	f->state = -1;
	f->limit = 1000;
	if (lua_isnoneornil(L, 1))
		return;
	luaL_checktype(L, 1, LUA_TTABLE);
	if (lua_getfield(L, 1, "user") == LUA_TNUMBER)
		f->uid = lua_tointeger(L, -1);
	else if (lua_type(L, -1) == LUA_TSTRING)
		f->user = lua_tostring(L, -1);
	if (lua_getfield(L, 1, "state") == LUA_TSTRING &&
	    (f->state = job_state_parse((st = lua_tostring(L, -1)))) < 0)
		luaL_error(L, "lv.jobs: unknown state '%s'", st);
	if (lua_getfield(L, 1, "partition") == LUA_TSTRING)
		f->partition = lua_tostring(L, -1);
	if (lua_getfield(L, 1, "name") == LUA_TSTRING)
		f->name = lua_tostring(L, -1);
	if (lua_getfield(L, 1, "limit") == LUA_TNUMBER)
		f->limit = lua_tointeger(L, -1);
	if (f->limit < 0 || f->limit > POLICY_JOBS_MAX)
		f->limit = POLICY_JOBS_MAX;
	/* The strings stay referenced from the table at index 1. */
	lua_pop(L, 5);
}

static bool job_matches(const struct job *j, const struct jobs_filter *f)
{
	if (f->uid >= 0 && (lua_Integer)j->uid != f->uid)
		return false;
	if (f->user && strcmp(f->user, j->user))
		return false;
	if (f->state >= 0 && (int)j->state != f->state)
		return false;
	if (f->partition &&
	    (!j->partition || strcmp(f->partition, j->partition)))
		return false;
	return !f->name || (j->name && !strcmp(f->name, j->name));
}

/* lv.jobs{user=, state=, partition=, name=, limit=}: up to limit jobs
 * (1000 by default, at most POLICY_JOBS_MAX), and how many matched. */
static int lv_jobs(lua_State *L)
{
	struct lvctld *ctld = sandbox_get(L)->ctld;
	struct jobs_filter f;
	lua_Integer n = 0;
	struct job *j;

	read_filter(L, &f);
	lua_newtable(L);
	if (!ctld || !ctld->jobs) {
		lua_pushinteger(L, 0);
		return 2;
	}
	for (j = jobs_first(ctld->jobs); j; j = jobs_next(j)) {
		if (!job_matches(j, &f))
			continue;
		if (n++ < f.limit) {
			policy_view_push_job(L, j);
			lua_rawseti(L, -2, n);
		}
	}
	lua_pushinteger(L, n);
	return 2;
}

/* lv.job_counts{state=, partition=, name=}: matching jobs per user,
 * { [uid] = count }, in one walk of the job table. */
static int lv_job_counts(lua_State *L)
{
	struct lvctld *ctld = sandbox_get(L)->ctld;
	struct jobs_filter f;
	struct job *j;

	read_filter(L, &f);
	lua_newtable(L);
	if (!ctld || !ctld->jobs)
		return 1;
	for (j = jobs_first(ctld->jobs); j; j = jobs_next(j)) {
		if (!job_matches(j, &f))
			continue;
		lua_rawgeti(L, -1, j->uid);
		lua_pushinteger(L, lua_tointeger(L, -1) + 1);
		lua_rawseti(L, -3, j->uid);
		lua_pop(L, 1);
	}
	return 1;
}

void policy_lv_open(lua_State *L)
{
	static const luaL_Reg funcs[] = {
		{"log_info", lv_log_info},
		{"log_error", lv_log_error},
		{"log_debug", lv_log_debug},
		{"user_msg", lv_user_msg},
		{"nodes", lv_nodes},
		{"partitions", lv_partitions},
		{"jobs", lv_jobs},
		{"job_counts", lv_job_counts},
		{NULL, NULL},
	};
	size_t i;

	luaL_newlib(L, funcs);
	for (i = 0; i < sizeof(constants) / sizeof(constants[0]); i++) {
		lua_pushinteger(L, constants[i].value);
		lua_setfield(L, -2, constants[i].name);
	}
	lua_pushstring(L, "replace");
	lua_setfield(L, -2, "REPLACE");
	lua_setglobal(L, "lv");
}
