/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Jobs as Lua tables: the submitted description (job_desc, read and
 * written back); queued jobs are views (policy_view.c).  A new field is
 * one line in desc_fields[]. */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "common/msg.h"
#include "common/timefmt.h"
#include "sched/policy_private.h"

#define NO_VAL 0xfffffffeLL
#define INFINITE 0xffffffffLL

enum ftype {
	F_STR,
	F_UINT, /* integer >= 0 */
	F_INT,
	F_TIME, /* minutes; lv.INFINITE is JSON null (unlimited) */
	F_BOOL,
};

struct desc_field {
	const char *lua, *json;
	enum ftype type;
	bool writable;
};

/* Lua names follow Slurm's job_desc where one exists. */
static const struct desc_field desc_fields[] = {
	{"name", "name", F_STR, true},
	{"partition", "partition", F_STR, true},
	{"account", "account", F_STR, true},
	{"qos", "qos", F_STR, true},
	{"comment", "comment", F_STR, true},
	{"features", "constraint", F_STR, true},
	{"gres", "gres", F_STR, true},
	{"time_limit", "time_limit", F_TIME, true},
	{"min_nodes", "nodes_min", F_UINT, true},
	{"max_nodes", "nodes_max", F_UINT, true},
	{"num_tasks", "ntasks", F_UINT, true},
	{"ntasks_per_node", "ntasks_per_node", F_UINT, true},
	{"cpus_per_task", "cpus_per_task", F_UINT, true},
	{"mem_per_node", "mem_per_node", F_UINT, true},
	{"mem_per_cpu", "mem_per_cpu", F_UINT, true},
	{"req_nodes", "nodelist", F_STR, true},
	{"exc_nodes", "exclude", F_STR, true},
	{"exclusive", "exclusive", F_BOOL, true},
	{"hold", "hold", F_BOOL, true},
	{"requeue", "requeue", F_BOOL, true},
	{"begin_time", "begin", F_UINT, true},
	{"dependency", "dependency", F_STR, true},
	{"nice", "nice", F_INT, true},
	{"work_dir", "work_dir", F_STR, false},
	{"std_out", "stdout", F_STR, false},
	{"std_err", "stderr", F_STR, false},
	{"std_in", "stdin", F_STR, false},
	{"kind", "kind", F_STR, false},
	{"array", "array", F_STR, false},
	{"script", "script", F_STR, false},
};
#define N_FIELDS (sizeof(desc_fields) / sizeof(desc_fields[0]))

/* Pushes the JSON value as the field's type; false (nothing pushed) when
 * absent or of another type. */
static bool push_json(lua_State *L, const struct desc_field *f, const json_t *v)
{
	switch (f->type) {
	case F_STR:
		if (!json_is_string(v))
			return false;
		lua_pushstring(L, json_string_value(v));
		return true;
	case F_TIME:
		if (json_is_null(v)) {
			lua_pushinteger(L, INFINITE);
			return true;
		}
		/* fall through */
	case F_UINT:
	case F_INT:
		if (!json_is_integer(v))
			return false;
		lua_pushinteger(L, json_integer_value(v));
		return true;
	case F_BOOL:
		if (!json_is_boolean(v))
			return false;
		lua_pushboolean(L, json_is_true(v));
		return true;
	}
	return false;
}

/* The user name of uid, from a small cache (NSS lookups cost more than
 * the rest of a job_submit call); NULL when unknown. */
static const char *user_name(struct sandbox *sb, uid_t uid)
{
	struct passwd pw, *pwp = NULL;
	size_t slot = uid % (sizeof(sb->users) / sizeof(sb->users[0]));
	char buf[4096];

	if (sb->users[slot].name[0] && sb->users[slot].uid == uid)
		return sb->users[slot].name;
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &pwp) != 0 || !pwp ||
	    strlen(pwp->pw_name) >= sizeof(sb->users[slot].name))
		return NULL;
	sb->users[slot].uid = uid;
	strcpy(sb->users[slot].name, pwp->pw_name);
	return sb->users[slot].name;
}

void policy_job_push_desc(lua_State *L, const json_t *desc, uid_t uid,
			  gid_t gid)
{
	const char *user = user_name(sandbox_get(L), uid);
	size_t i;

	lua_createtable(L, 0, (int)N_FIELDS + 3);
	for (i = 0; i < N_FIELDS; i++) {
		if (push_json(L, &desc_fields[i],
			      json_object_get(desc, desc_fields[i].json)))
			lua_setfield(L, -2, desc_fields[i].lua);
	}
	lua_pushinteger(L, uid);
	lua_setfield(L, -2, "user_id");
	lua_pushinteger(L, gid);
	lua_setfield(L, -2, "group_id");
	if (user) {
		lua_pushstring(L, user);
		lua_setfield(L, -2, "user_name");
	}
}

/* The Lua value on top as JSON for field f; NULL with err when its type
 * is wrong. */
static json_t *to_json(lua_State *L, const struct desc_field *f,
		       struct lv_error *err)
{
	lua_Integer n;
	int isnum;

	switch (f->type) {
	case F_STR:
		if (lua_type(L, -1) == LUA_TSTRING)
			return json_string(lua_tostring(L, -1));
		break;
	case F_BOOL:
		if (lua_isboolean(L, -1))
			return json_boolean(lua_toboolean(L, -1));
		break;
	case F_TIME:
	case F_UINT:
	case F_INT:
		n = lua_tointegerx(L, -1, &isnum);
		if (!isnum || lua_type(L, -1) != LUA_TNUMBER)
			break;
		if (f->type == F_TIME && n == INFINITE)
			return json_null();
		if (f->type != F_INT && (n < 0 || n > UINT32_MAX)) {
			lv_errorf(err, -EINVAL,
				  "set job_desc.%s to %lld, out of range",
				  f->lua, (long long)n);
			return NULL;
		}
		return json_integer(n);
	}
	lv_errorf(err, -EINVAL, "set job_desc.%s to a %s value", f->lua,
		  luaL_typename(L, -1));
	return NULL;
}

static int pull_field(lua_State *L, int idx, const struct desc_field *f,
		      json_t *desc, struct lv_error *err)
{
	json_t *old = json_object_get(desc, f->json), *v;
	int t = lua_getfield(L, idx, f->lua);

	/* nil and lv.NO_VAL unset the field; a value the conversion did not
	 * show the script (wrong type from the client) is left alone for
	 * job_create to refuse. */
	if (t == LUA_TNIL ||
	    (t == LUA_TNUMBER && lua_tointeger(L, -1) == NO_VAL &&
	     f->type != F_STR)) {
		lua_pop(L, 1);
		if (old && push_json(L, f, old)) {
			lua_pop(L, 1);
			json_object_del(desc, f->json);
		}
		return 0;
	}
	v = to_json(L, f, err);
	lua_pop(L, 1);
	if (!v)
		return err->code ? err->code
				 : lv_errorf(err, -ENOMEM, "out of memory");
	if (json_object_set_new(desc, f->json, v) < 0)
		return lv_errorf(err, -ENOMEM, "out of memory");
	return 0;
}

int policy_job_pull_desc(lua_State *L, int idx, json_t *desc,
			 struct lv_error *err)
{
	size_t i;

	idx = lua_absindex(L, idx);
	for (i = 0; i < N_FIELDS; i++) {
		if (desc_fields[i].writable &&
		    pull_field(L, idx, &desc_fields[i], desc, err) < 0)
			return err->code;
	}
	return 0;
}
