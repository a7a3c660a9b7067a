/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The job hooks: job_submit and job_modify (Slurm's job_submit.lua
 * shape), priority, and elasticity.  Each returns the built-in answer
 * when the script has no such hook or the call fails. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "sched/job.h"
#include "sched/policy_private.h"

struct desc_call {
	struct lvctld *ctld;
	const json_t *desc;
	const struct job *job; /* job_modify only */
	uid_t uid, gid, caller;
	json_t *out;
	struct lv_error *err;
};

static int push_submit(lua_State *L, void *ud)
{
	struct desc_call *c = ud;

	policy_job_push_desc(L, c->desc, c->uid, c->gid);
	policy_lv_push_parts(L, c->ctld);
	lua_pushinteger(L, c->caller);
	return 3;
}

static int push_modify(lua_State *L, void *ud)
{
	struct desc_call *c = ud;

	policy_job_push_desc(L, c->desc, c->uid, c->gid);
	policy_view_push_job(L, c->job);
	policy_lv_push_parts(L, c->ctld);
	lua_pushinteger(L, c->caller);
	return 4;
}

/* Protected: job_desc (under the pointer) back into a copy of desc. */
static int pull(lua_State *L)
{
	struct desc_call *c = lua_touserdata(L, 1);

	if (!(c->out = json_deep_copy(c->desc)))
		return luaL_error(L, "out of memory");
	if (policy_job_pull_desc(L, 2, c->out, c->err) < 0) {
		json_decref(c->out);
		c->out = NULL;
		if (c->err->code == -ENOMEM)
			return luaL_error(L, "out of memory");
	}
	return 0;
}

/* The text a rejected submitter sees. */
static int reject(struct sandbox *sb, enum policy_hook hook, lua_Integer rc,
		  struct lv_error *err)
{
	const char *what = hook == POLICY_JOB_SUBMIT ? "submission" : "update";

	if (sb->user_msg[0])
		lv_errorf(err, -EPERM, "%s", sb->user_msg);
	else
		lv_errorf(err, -EPERM,
			  "Job %s rejected by the site policy (error %lld)",
			  what, (long long)rc);
	lv_log(LV_LOG_INFO, "policy: %s rejected a job %s: %s",
	       policy_hook_name(hook), what, err->text);
	return err->code;
}

/* Runs job_submit or job_modify; see policy.h. */
static int desc_hook(struct policy *pol, enum policy_hook hook,
		     struct desc_call *c, json_t **out)
{
	struct policy_args args = {
		hook == POLICY_JOB_SUBMIT ? push_submit : push_modify, c, 1};
	struct lv_error field_err = {0};
	struct lv_error *user_err = c->err;
	int base, isint;
	lua_State *L;
	lua_Integer rc;

	*out = json_incref((json_t *)c->desc);
	if (!c->desc) /* nothing to show it */
		return 0;
	if ((base = policy_begin(pol, hook)) < 0 ||
	    policy_call(pol, hook, base, &args) < 0)
		return 0;
	L = pol->sb->L;
	rc = lua_tointegerx(L, base + 2, &isint);
	if (!isint || lua_type(L, base + 2) != LUA_TNUMBER) {
		policy_fail(
			pol, hook, base,
			"returned %s, expected a number (lv.SUCCESS or an error code)",
			luaL_typename(L, base + 2));
		return 0;
	}
	if (rc != 0) {
		reject(pol->sb, hook, rc, user_err);
		policy_end(pol, hook, base);
		json_decref(*out);
		*out = NULL;
		return user_err->code;
	}
	lua_settop(L, base + 1);
	c->err = &field_err;
	c->out = NULL;
	if (policy_protect(pol, hook, base, pull, c) < 0) {
		json_decref(c->out);
		return 0;
	}
	if (!c->out) {
		policy_fail(pol, hook, base, "%s", field_err.text);
		return 0;
	}
	json_decref(*out);
	*out = c->out;
	policy_end(pol, hook, base);
	return 0;
}

int policy_job_submit(struct policy *pol, const json_t *desc, uid_t uid,
		      gid_t gid, json_t **out, struct lv_error *err)
{
	struct desc_call c = {.ctld = pol ? pol->ctld : NULL,
			      .desc = desc,
			      .uid = uid,
			      .gid = gid,
			      .caller = uid,
			      .err = err};

	return desc_hook(pol, POLICY_JOB_SUBMIT, &c, out);
}

int policy_job_modify(struct policy *pol, const json_t *set,
		      const struct job *job, uid_t uid, json_t **out,
		      struct lv_error *err)
{
	struct desc_call c = {.ctld = pol ? pol->ctld : NULL,
			      .desc = set,
			      .job = job,
			      .uid = job->uid,
			      .gid = job->gid,
			      .caller = uid,
			      .err = err};

	return desc_hook(pol, POLICY_JOB_MODIFY, &c, out);
}

static int push_job(lua_State *L, void *ud)
{
	policy_view_push_job(L, ud);
	return 1;
}

uint64_t policy_priority(struct policy *pol, const struct job *job,
			 uint64_t base_prio)
{
	struct policy_args args = {push_job, (void *)job, 2};
	int base = policy_begin(pol, POLICY_PRIORITY);
	lua_State *L;
	double v;

	if (base < 0 || policy_call(pol, POLICY_PRIORITY, base, &args) < 0)
		return base_prio;
	L = pol->sb->L;
	if (lua_type(L, base + 2) != LUA_TNUMBER ||
	    isnan((v = lua_tonumber(L, base + 2)))) {
		policy_fail(pol, POLICY_PRIORITY, base,
			    "returned %s, expected a number",
			    lua_type(L, base + 2) == LUA_TNUMBER
				    ? "NaN"
				    : luaL_typename(L, base + 2));
		return base_prio;
	}
	if (lua_type(L, base + 3) != LUA_TSTRING ||
	    strcmp(lua_tostring(L, base + 3), "replace"))
		v += (double)base_prio;
	policy_end(pol, POLICY_PRIORITY, base);
	if (v < 0)
		return 0;
	return v > (double)UINT32_MAX ? UINT32_MAX : (uint64_t)v;
}

struct elastic_call {
	const struct policy_pool *pool;
	const struct policy_metric *m;
	size_t n;
};

static int push_elastic(lua_State *L, void *ud)
{
	const struct elastic_call *e = ud;
	size_t i;

	lua_createtable(L, 0, 4);
	lua_pushstring(L, e->pool->name ? e->pool->name : "");
	lua_setfield(L, -2, "name");
	lua_pushinteger(L, e->pool->size);
	lua_setfield(L, -2, "size");
	lua_pushinteger(L, e->pool->min);
	lua_setfield(L, -2, "min");
	lua_pushinteger(L, e->pool->max);
	lua_setfield(L, -2, "max");
	lua_createtable(L, 0, (int)e->n);
	for (i = 0; i < e->n; i++) {
		lua_pushnumber(L, e->m[i].value);
		lua_setfield(L, -2, e->m[i].name);
	}
	return 2;
}

uint32_t policy_elasticity(struct policy *pol, const struct policy_pool *pool,
			   const struct policy_metric *m, size_t n_metrics)
{
	struct elastic_call e = {pool, m, n_metrics};
	struct policy_args args = {push_elastic, &e, 1};
	int base = policy_begin(pol, POLICY_ELASTICITY), isint;
	lua_Integer want;
	lua_State *L;

	if (base < 0 || policy_call(pol, POLICY_ELASTICITY, base, &args) < 0)
		return pool->size;
	L = pol->sb->L;
	want = lua_tointegerx(L, base + 2, &isint);
	if (!isint || lua_type(L, base + 2) != LUA_TNUMBER) {
		policy_fail(pol, POLICY_ELASTICITY, base,
			    "returned %s, expected a whole number of nodes",
			    lua_type(L, base + 2) == LUA_TNUMBER
				    ? "a fraction"
				    : luaL_typename(L, base + 2));
		return pool->size;
	}
	policy_end(pol, POLICY_ELASTICITY, base);
	if (want < (lua_Integer)pool->min)
		return pool->min;
	return want > (lua_Integer)pool->max ? pool->max : (uint32_t)want;
}
