/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Read-only views of jobs and nodes for policy scripts: a small userdata
 * whose fields are read from the controller's own structs when the script
 * asks for them.  Building a full table per job or node cost more than
 * most hooks do with it (a candidate list of 1,000 nodes, a priority call
 * per pending job).
 *
 * A job view is valid only during the hook call that made it (its
 * generation must be the sandbox's current call); a node view until the
 * next reconfiguration.  Reading a stale view is a Lua error, never a
 * read of freed memory. */
#include "config.h"

#include <string.h>

#include "common/timefmt.h"
#include "sched/ctld.h"
#include "sched/job.h"
#include "sched/nodes.h"
#include "sched/policy_private.h"

#define JOB_MT "lv.job"
#define NODE_MT "lv.node"
#define NODE_CACHE "lv.nodeviews"

struct job_view {
	const struct job *job;
	uint64_t gen;
};

struct node_view {
	size_t index;
	uint64_t gen;
};

enum job_field {
	J_JOB_ID = 1,
	J_NAME,
	J_USER_ID,
	J_GROUP_ID,
	J_USER_NAME,
	J_ACCOUNT,
	J_COMMENT,
	J_PARTITION,
	J_KIND,
	J_JOB_STATE,
	J_STATE,
	J_REASON,
	J_TIME_LIMIT,
	J_MIN_NODES,
	J_MAX_NODES,
	J_NUM_TASKS,
	J_NTASKS_PER_NODE,
	J_CPUS_PER_TASK,
	J_MEM_PER_NODE,
	J_MEM_PER_CPU,
	J_PRIORITY,
	J_SUBMIT_TIME,
	J_ELIGIBLE_TIME,
	J_START_TIME,
	J_NODES,
	J_EXCLUSIVE,
	J_ARRAY_JOB_ID,
	J_ARRAY_TASK_ID,
	J_HELD,
};

/* Adding a field: a name here and a case in job_field_push. */
static const char *const job_fields[] = {
	[J_JOB_ID] = "job_id",
	[J_NAME] = "name",
	[J_USER_ID] = "user_id",
	[J_GROUP_ID] = "group_id",
	[J_USER_NAME] = "user_name",
	[J_ACCOUNT] = "account",
	[J_COMMENT] = "comment",
	[J_PARTITION] = "partition",
	[J_KIND] = "kind",
	[J_JOB_STATE] = "job_state",
	[J_STATE] = "state",
	[J_REASON] = "reason",
	[J_TIME_LIMIT] = "time_limit",
	[J_MIN_NODES] = "min_nodes",
	[J_MAX_NODES] = "max_nodes",
	[J_NUM_TASKS] = "num_tasks",
	[J_NTASKS_PER_NODE] = "ntasks_per_node",
	[J_CPUS_PER_TASK] = "cpus_per_task",
	[J_MEM_PER_NODE] = "mem_per_node",
	[J_MEM_PER_CPU] = "mem_per_cpu",
	[J_PRIORITY] = "priority",
	[J_SUBMIT_TIME] = "submit_time",
	[J_ELIGIBLE_TIME] = "eligible_time",
	[J_START_TIME] = "start_time",
	[J_NODES] = "nodes",
	[J_EXCLUSIVE] = "exclusive",
	[J_ARRAY_JOB_ID] = "array_job_id",
	[J_ARRAY_TASK_ID] = "array_task_id",
	[J_HELD] = "held",
};

enum node_field {
	N_NAME = 1,
	N_STATE,
	N_CPUS,
	N_ALLOC_CPUS,
	N_FREE_CPUS,
	N_MEM,
	N_ALLOC_MEM,
	N_FREE_MEM,
	N_GPUS,
	N_WEIGHT,
	N_AVAILABLE,
	N_FEATURES,
	N_INDEX,
};

static const char *const node_fields[] = {
	[N_NAME] = "name",           [N_STATE] = "state",
	[N_CPUS] = "cpus",           [N_ALLOC_CPUS] = "alloc_cpus",
	[N_FREE_CPUS] = "free_cpus", [N_MEM] = "mem",
	[N_ALLOC_MEM] = "alloc_mem", [N_FREE_MEM] = "free_mem",
	[N_GPUS] = "gpus",           [N_WEIGHT] = "weight",
	[N_AVAILABLE] = "available", [N_FEATURES] = "features",
	[N_INDEX] = "index",
};

static void push_opt_str(lua_State *L, const char *s)
{
	if (s)
		lua_pushstring(L, s);
	else
		lua_pushnil(L);
}

static void job_field_push(lua_State *L, const struct job *j, int f)
{
	const struct job_req *r = &j->req;

	switch (f) {
	case J_JOB_ID:
		lua_pushinteger(L, j->id);
		break;
	case J_NAME:
		push_opt_str(L, j->name);
		break;
	case J_USER_ID:
		lua_pushinteger(L, j->uid);
		break;
	case J_GROUP_ID:
		lua_pushinteger(L, j->gid);
		break;
	case J_USER_NAME:
		push_opt_str(L, j->user);
		break;
	case J_ACCOUNT:
		push_opt_str(L, j->account);
		break;
	case J_COMMENT:
		push_opt_str(L, j->comment);
		break;
	case J_PARTITION:
		push_opt_str(L, j->partition);
		break;
	case J_KIND:
		push_opt_str(L, j->kind);
		break;
	case J_JOB_STATE:
		lua_pushstring(L, job_state_name(j->state));
		break;
	case J_STATE:
		lua_pushinteger(L, j->state);
		break;
	case J_REASON:
		lua_pushstring(L, job_reason_name(j->reason));
		break;
	case J_TIME_LIMIT:
		lua_pushinteger(L, r->time_limit);
		break;
	case J_MIN_NODES:
		lua_pushinteger(L, r->nodes_min);
		break;
	case J_MAX_NODES:
		lua_pushinteger(L, r->nodes_max);
		break;
	case J_NUM_TASKS:
		lua_pushinteger(L, r->ntasks);
		break;
	case J_NTASKS_PER_NODE:
		lua_pushinteger(L, r->ntasks_per_node);
		break;
	case J_CPUS_PER_TASK:
		lua_pushinteger(L, r->cpus_per_task);
		break;
	case J_MEM_PER_NODE:
		lua_pushinteger(L, (lua_Integer)r->mem_per_node);
		break;
	case J_MEM_PER_CPU:
		lua_pushinteger(L, (lua_Integer)r->mem_per_cpu);
		break;
	case J_PRIORITY:
		lua_pushinteger(L, (lua_Integer)j->priority);
		break;
	case J_SUBMIT_TIME:
		lua_pushinteger(L, j->submit_time);
		break;
	case J_ELIGIBLE_TIME:
		lua_pushinteger(L, j->eligible_time);
		break;
	case J_START_TIME:
		lua_pushinteger(L, j->start_time);
		break;
	case J_NODES:
		push_opt_str(L, j->nodes);
		break;
	case J_EXCLUSIVE:
		lua_pushboolean(L, r->exclusive);
		break;
	case J_ARRAY_JOB_ID:
		lua_pushinteger(L, j->array_job_id);
		break;
	case J_ARRAY_TASK_ID:
		lua_pushinteger(L, j->array_task_id);
		break;
	case J_HELD:
		lua_pushboolean(L, j->held);
		break;
	default:
		lua_pushnil(L);
		break;
	}
}

/* The field number of the key at index 2 (upvalue 1 maps names), 0 when
 * it names no field. */
static int field_of(lua_State *L)
{
	int f = 0;

	lua_pushvalue(L, 2);
	if (lua_rawget(L, lua_upvalueindex(1)) == LUA_TNUMBER)
		f = (int)lua_tointeger(L, -1);
	lua_pop(L, 1);
	return f;
}

static int job_index(lua_State *L)
{
	struct job_view *v = lua_touserdata(L, 1);
	int f = field_of(L);

	if (v->gen != sandbox_get(L)->call_gen)
		return luaL_error(
			L, "job view used outside the hook call that made it");
	job_field_push(L, v->job, f);
	return 1;
}

static void push_features(lua_State *L, const char *s)
{
	const char *p = s, *end;
	lua_Integer i = 1;

	lua_newtable(L);
	while (p && *p) {
		end = strchr(p, ',');
		lua_pushlstring(L, p, end ? (size_t)(end - p) : strlen(p));
		lua_rawseti(L, -2, i++);
		p = end ? end + 1 : NULL;
	}
}

static void node_field_push(lua_State *L, const struct node *n, int f)
{
	uint32_t cpus = node_cpus(n);
	uint64_t mem = node_mem(n);
	char st[32];

	switch (f) {
	case N_NAME:
		lua_pushstring(L, n->name);
		break;
	case N_STATE:
		lua_pushstring(L, node_state_string(n, st, sizeof(st)));
		break;
	case N_CPUS:
		lua_pushinteger(L, cpus);
		break;
	case N_ALLOC_CPUS:
		lua_pushinteger(L, n->cpus_alloc);
		break;
	case N_FREE_CPUS:
		lua_pushinteger(L, cpus > n->cpus_alloc ? cpus - n->cpus_alloc
							: 0);
		break;
	case N_MEM:
		lua_pushinteger(L, (lua_Integer)mem);
		break;
	case N_ALLOC_MEM:
		lua_pushinteger(L, (lua_Integer)n->mem_alloc_mb);
		break;
	case N_FREE_MEM:
		lua_pushinteger(L, (lua_Integer)(mem > n->mem_alloc_mb
							 ? mem - n->mem_alloc_mb
							 : 0));
		break;
	case N_GPUS:
		lua_pushinteger(L, n->gpus ? n->gpus : n->cfg_gpus);
		break;
	case N_WEIGHT:
		lua_pushinteger(L, n->weight);
		break;
	case N_AVAILABLE:
		lua_pushboolean(L, node_is_available(n));
		break;
	case N_INDEX:
		lua_pushinteger(L, (lua_Integer)n->index + 1);
		break;
	default:
		lua_pushnil(L);
		break;
	}
}

static int node_index(lua_State *L)
{
	struct node_view *v = lua_touserdata(L, 1);
	struct sandbox *sb = sandbox_get(L);
	int f = field_of(L);

	if (v->gen != sb->nodes_gen || !sb->ctld ||
	    v->index >= nodes_count(sb->ctld->nodes))
		return luaL_error(L, "node view used after a reconfiguration");
	if (f != N_FEATURES) {
		node_field_push(L, nodes_get(sb->ctld->nodes, v->index), f);
		return 1;
	}
	/* Features change only with the configuration: built once. */
	if (lua_getiuservalue(L, 1, 1) == LUA_TTABLE)
		return 1;
	lua_pop(L, 1);
	push_features(L, nodes_get(sb->ctld->nodes, v->index)->features);
	lua_pushvalue(L, -1);
	lua_setiuservalue(L, 1, 1);
	return 1;
}

static int read_only(lua_State *L)
{
	return luaL_error(L, "%s is read-only",
			  lua_tostring(L, lua_upvalueindex(1)));
}

static int job_tostring(lua_State *L)
{
	struct job_view *v = lua_touserdata(L, 1);

	if (v->gen != sandbox_get(L)->call_gen)
		lua_pushliteral(L, "job (stale)");
	else
		lua_pushfstring(L, "job %d", (int)v->job->id);
	return 1;
}

static int node_tostring(lua_State *L)
{
	struct node_view *v = lua_touserdata(L, 1);
	struct sandbox *sb = sandbox_get(L);

	if (v->gen != sb->nodes_gen || !sb->ctld ||
	    v->index >= nodes_count(sb->ctld->nodes))
		lua_pushliteral(L, "node (stale)");
	else
		lua_pushfstring(L, "node %s",
				nodes_get(sb->ctld->nodes, v->index)->name);
	return 1;
}

/* A metatable with __index (fed the field map), __newindex and
 * __tostring, left in the registry under name. */
static void new_mt(lua_State *L, const char *name, const char *const *fields,
		   int nfields, lua_CFunction index, lua_CFunction tostr)
{
	int i;

	luaL_newmetatable(L, name);
	lua_createtable(L, 0, nfields);
	for (i = 1; i < nfields; i++) {
		lua_pushinteger(L, i);
		lua_setfield(L, -2, fields[i]);
	}
	lua_pushcclosure(L, index, 1);
	lua_setfield(L, -2, "__index");
	lua_pushstring(L, name);
	lua_pushcclosure(L, read_only, 1);
	lua_setfield(L, -2, "__newindex");
	lua_pushcfunction(L, tostr);
	lua_setfield(L, -2, "__tostring");
	lua_pushstring(L, name);
	lua_setfield(L, -2, "__name");
	lua_pop(L, 1);
}

void policy_view_open(lua_State *L)
{
	new_mt(L, JOB_MT, job_fields,
	       (int)(sizeof(job_fields) / sizeof(job_fields[0])), job_index,
	       job_tostring);
	new_mt(L, NODE_MT, node_fields,
	       (int)(sizeof(node_fields) / sizeof(node_fields[0])), node_index,
	       node_tostring);
	lua_newtable(L);
	lua_setfield(L, LUA_REGISTRYINDEX, NODE_CACHE);
}

void policy_view_push_job(lua_State *L, const struct job *job)
{
	struct job_view *v = lua_newuserdatauv(L, sizeof(*v), 0);

	v->job = job;
	v->gen = sandbox_get(L)->call_gen;
	luaL_setmetatable(L, JOB_MT);
}

/* The view of node index, from the cache table at cache (made when
 * missing or from an older configuration). */
static void push_node(lua_State *L, struct sandbox *sb, int cache, size_t index)
{
	struct node_view *v;

	if (lua_rawgeti(L, cache, (lua_Integer)index + 1) == LUA_TUSERDATA &&
	    ((struct node_view *)lua_touserdata(L, -1))->gen == sb->nodes_gen)
		return;
	lua_pop(L, 1);
	v = lua_newuserdatauv(L, sizeof(*v), 1);
	v->index = index;
	v->gen = sb->nodes_gen;
	luaL_setmetatable(L, NODE_MT);
	lua_pushvalue(L, -1);
	lua_rawseti(L, cache, (lua_Integer)index + 1);
}

void policy_view_push_nodes(lua_State *L, const size_t *idx, size_t n)
{
	struct sandbox *sb = sandbox_get(L);
	int cache;
	size_t i;

	lua_getfield(L, LUA_REGISTRYINDEX, NODE_CACHE);
	cache = lua_gettop(L);
	lua_createtable(L, n > INT32_MAX ? 0 : (int)n, 0);
	for (i = 0; i < n; i++) {
		push_node(L, sb, cache, idx ? idx[i] : i);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_remove(L, cache);
}
