/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the Lua policy host: the sandbox (libraries, budget,
 * memory cap, require), job_desc conversion both ways, and the place,
 * priority and elasticity hooks falling back to the default. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* cmocka.h needs stdarg.h, stddef.h and setjmp.h first. */
#include <cmocka.h>

#include "common/conf.h"
#include "common/log.h"
#include "sched/ctld.h"
#include "sched/job.h"
#include "sched/jobs.h"
#include "sched/nodes.h"
#include "sched/partitions.h"
#include "sched/policy.h"

struct fix {
	char dir[64];
	char path[128];
	struct lv_conf *conf;
	struct lvctld ctld;
	struct policy *pol;
};

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static struct lv_conf *conf_for(const char *path)
{
	struct lv_error err = {0};
	char text[1024];
	struct lv_conf *c;

	snprintf(
		text, sizeof(text),
		"ControllerHost=localhost\n%s%s\nPolicyInstructionLimit=100000\n"
		"PolicyMemoryLimit=4\n"
		"NodeName=n[1-2] CPUs=4 Features=rack1\n"
		"NodeName=n[3-4] CPUs=4 Features=rack2\n"
		"PartitionName=debug Nodes=n[1-4] Default=YES\n"
		"PartitionName=gpu Nodes=n[3-4] MaxTime=60\n",
		path ? "PolicyScript=" : "#", path ? path : "");
	if (!(c = lv_conf_parse(text, "test.conf", &err)))
		fail_msg("conf: %s", err.text);
	return c;
}

static int setup(void **state)
{
	struct lv_error err = {0};
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/lv-policy-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/policy.lua", f->dir);
	f->conf = conf_for(f->path);
	f->ctld.conf = f->conf;
	assert_non_null(f->ctld.nodes = nodes_create(f->conf, &err));
	assert_non_null(f->ctld.parts = partitions_create(f->conf,
							  f->ctld.nodes, &err));
	assert_non_null(f->ctld.jobs = jobs_create(1));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	char cmd[128];

	policy_destroy(f->pol);
	jobs_destroy(f->ctld.jobs);
	partitions_destroy(f->ctld.parts);
	nodes_destroy(f->ctld.nodes);
	lv_conf_destroy(f->conf);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* Loads text as the policy; the policy must load. */
static struct policy *load(struct fix *f, const char *text)
{
	write_file(f->path, text);
	policy_destroy(f->pol);
	f->pol = policy_create(&f->ctld, f->conf);
	assert_non_null(f->pol);
	return f->pol;
}

/* A hook's counter from POLICY_INFO. */
static long long stat_of(struct policy *pol, enum policy_hook h, const char *k)
{
	json_t *o = policy_to_json(pol);
	long long v;

	assert_non_null(o);
	v = json_integer_value(json_object_get(
		json_array_get(json_object_get(o, "hooks"), (size_t)h), k));
	json_decref(o);
	return v;
}

static bool loaded(struct policy *pol)
{
	json_t *o = policy_to_json(pol);
	bool yes = json_object_get(o, "script") != NULL;

	json_decref(o);
	return yes;
}

static struct job *mkjob(struct fix *f, const char *desc_text)
{
	struct lv_error err = {0};
	json_t *d = json_loads(desc_text, 0, NULL);
	struct job *j;

	assert_non_null(d);
	j = job_create(d, 1000, 1000, f->ctld.parts, 100, &err);
	json_decref(d);
	if (!j)
		fail_msg("job_create: %s", err.text);
	return j;
}

static const char *const BATCH =
	"{\"script\": \"#!/bin/sh\\ntrue\\n\", \"work_dir\": \"/tmp\", "
	"\"name\": \"j\", \"ntasks\": 2}";

static void test_sandbox_removes_unsafe_functions(void **state)
{
	struct fix *f = *state;

	load(f,
	     "assert(os.execute == nil and os.exit == nil and os.getenv == nil)\n"
	     "assert(os.remove == nil and os.rename == nil and io == nil)\n"
	     "assert(dofile == nil and loadfile == nil and load == nil)\n"
	     "assert(debug == nil and package == nil)\n"
	     "assert(type(os.time()) == 'number' and type(os.clock()) == 'number')\n"
	     "assert(type(os.date('%Y')) == 'string')\n"
	     "assert(string.format and table.concat and math.floor and utf8.char)\n"
	     "function priority(job) return 1 end\n");
	assert_true(loaded(f->pol));
	assert_true(policy_has_hook(f->pol, POLICY_PRIORITY));
	assert_false(policy_has_hook(f->pol, POLICY_PLACE));
}

static void test_conf_limits_and_defaults(void **state)
{
	struct fix *f = *state;
	struct lv_error err = {0};
	struct lv_conf *c;
	json_t *o;

	load(f, "x = 1\n");
	o = policy_to_json(f->pol);
	assert_int_equal(
		json_integer_value(json_object_get(o, "instruction_limit")),
		100000);
	assert_int_equal(json_integer_value(json_object_get(o, "memory_limit")),
			 4 << 20);
	assert_true(json_integer_value(json_object_get(o, "memory_used")) > 0);
	json_decref(o);
	c = lv_conf_parse("ControllerHost=h\nPolicyScript=/x.lua\n", "t.conf",
			  &err);
	assert_non_null(c);
	assert_int_equal(c->policy_instructions, 1000000);
	assert_int_equal(c->policy_memory_mb, 64);
	lv_conf_destroy(c);
	assert_null(
		lv_conf_parse("ControllerHost=h\nPolicyInstructionLimit=10\n",
			      "t.conf", &err));
	assert_non_null(strstr(err.text, "PolicyInstructionLimit"));
}

static void test_sandbox_syntax_error_leaves_no_script(void **state)
{
	struct fix *f = *state;
	json_t *o;

	load(f, "function priority(job)\n  return 1\nend end\n");
	assert_false(loaded(f->pol));
	assert_false(policy_has_hook(f->pol, POLICY_PRIORITY));
	o = policy_to_json(f->pol);
	assert_non_null(
		strstr(json_string_value(json_object_get(o, "load_error")),
		       "policy.lua:3:"));
	json_decref(o);
}

static void test_sandbox_toplevel_loop_fails_load(void **state)
{
	struct fix *f = *state;

	load(f, "while true do end\n");
	assert_false(loaded(f->pol));
}

static void test_no_finalizers(void **state)
{
	struct fix *f = *state;
	struct job *j = mkjob(f, BATCH);
	json_t *o;

	/* Lua runs __gc with hooks off: no budget could stop one. */
	load(f,
	     "setmetatable({}, {__gc = function() while true do end end})\n");
	assert_false(loaded(f->pol));
	o = policy_to_json(f->pol);
	assert_non_null(
		strstr(json_string_value(json_object_get(o, "load_error")),
		       "policy.lua:1: __gc metamethods are not allowed"));
	json_decref(o);
	load(f, "function priority(job)\n"
		"  local mt = setmetatable({}, {__index = {x = 1}})\n"
		"  assert(mt.x == 1)\n"
		"  local meta = {}\n"
		"  setmetatable({}, meta)\n"
		"  meta.__gc = function() while true do end end\n"
		"  collectgarbage()\n"
		"  if job.name == 'gc' then\n"
		"    setmetatable({}, {__gc = print})\n"
		"  end\n"
		"  return 1\n"
		"end\n");
	assert_int_equal(policy_priority(f->pol, j, 0), 1);
	free(j->name);
	j->name = strdup("gc");
	assert_int_equal(policy_priority(f->pol, j, 0), 0);
	assert_int_equal(stat_of(f->pol, POLICY_PRIORITY, "errors"), 1);
	job_destroy(j);
}

static void test_globals_metatable_is_not_used(void **state)
{
	struct fix *f = *state;
	struct lv_error err = {0};
	struct job *j = mkjob(f, BATCH);
	json_t *desc = json_loads(BATCH, 0, NULL), *out = NULL;
	json_t *o;

	/* The host reads hooks raw: a trap on _G never runs outside a call. */
	load(f, "local loop = function() while true do end end\n"
		"function priority(job)\n"
		"  if job.name == 'drop' then priority = nil end\n"
		"  return 1\n"
		"end\n"
		"setmetatable(_G, {__index = loop, __newindex = loop})\n");
	assert_true(loaded(f->pol));
	assert_false(policy_has_hook(f->pol, POLICY_JOB_SUBMIT));
	assert_int_equal(policy_job_submit(f->pol, desc, 1, 1, &out, &err), 0);
	json_decref(out);
	assert_int_equal(policy_priority(f->pol, j, 0), 1);
	/* The hook removed itself: the next call is a counted error. */
	free(j->name);
	j->name = strdup("drop");
	assert_int_equal(policy_priority(f->pol, j, 0), 1);
	assert_int_equal(policy_priority(f->pol, j, 5), 5);
	assert_int_equal(stat_of(f->pol, POLICY_PRIORITY, "errors"), 1);
	/* A non-string error object at load. */
	load(f, "error({})\n");
	o = policy_to_json(f->pol);
	assert_string_equal(json_string_value(json_object_get(o, "load_error")),
			    "(error object is not a string)");
	json_decref(o);
	json_decref(desc);
	job_destroy(j);
}

static void test_reload_failure_keeps_old_script(void **state)
{
	struct fix *f = *state;
	struct lv_error err = {0};
	struct job *j;

	load(f, "function priority(job) return 5 end\n");
	j = mkjob(f, BATCH);
	assert_int_equal(policy_priority(f->pol, j, 10), 15);
	write_file(f->path, "function priority(job) return 6 end end\n");
	assert_int_equal(policy_reload(f->pol, f->conf, &err), -EINVAL);
	assert_non_null(strstr(err.text, "policy.lua:1:"));
	assert_non_null(policy_load_error(f->pol));
	assert_int_equal(policy_priority(f->pol, j, 10), 15);
	write_file(f->path, "function priority(job) return 6 end\n");
	assert_int_equal(policy_reload(f->pol, f->conf, &err), 0);
	assert_null(policy_load_error(f->pol));
	assert_int_equal(policy_priority(f->pol, j, 10), 16);
	job_destroy(j);
}

static void test_budget_ends_loop_and_counts_timeout(void **state)
{
	struct fix *f = *state;
	struct job *j;

	load(f,
	     "function priority(job)\n"
	     "  if job.name == 'loop' then\n"
	     "    while true do pcall(function() while true do end end) end\n"
	     "  end\n"
	     "  return 3\n"
	     "end\n");
	j = mkjob(
		f,
		"{\"script\": \"#!/bin/sh\\n\", \"work_dir\": \"/\", \"name\": \"loop\"}");
	assert_int_equal(policy_priority(f->pol, j, 42), 42);
	assert_int_equal(stat_of(f->pol, POLICY_PRIORITY, "timeouts"), 1);
	assert_int_equal(stat_of(f->pol, POLICY_PRIORITY, "errors"), 0);
	/* The state is usable after the timeout. */
	free(j->name);
	j->name = strdup("fine");
	assert_int_equal(policy_priority(f->pol, j, 42), 45);
	assert_int_equal(stat_of(f->pol, POLICY_PRIORITY, "calls"), 2);
	job_destroy(j);
}

static void test_memory_cap_is_an_error(void **state)
{
	struct fix *f = *state;
	struct job *j = mkjob(f, BATCH);
	json_t *o;

	load(f, "function priority(job)\n"
		"  local t = {}\n"
		"  for i = 1, 1e7 do t[i] = string.rep('x', 1000) .. i end\n"
		"  return 1\n"
		"end\n");
	assert_int_equal(policy_priority(f->pol, j, 7), 7);
	assert_int_equal(stat_of(f->pol, POLICY_PRIORITY, "errors"), 1);
	o = policy_to_json(f->pol);
	assert_true(json_integer_value(json_object_get(o, "memory_used")) <=
		    json_integer_value(json_object_get(o, "memory_limit")));
	json_decref(o);
	job_destroy(j);
}

static void test_require_stays_in_folder(void **state)
{
	struct fix *f = *state;
	char sub[160], mod[200];
	struct job *j = mkjob(f, BATCH);

	snprintf(sub, sizeof(sub), "%s/site", f->dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(mod, sizeof(mod), "%s/helper.lua", sub);
	write_file(mod, "return { bonus = 4 }\n");
	load(f, "local h = require('site.helper')\n"
		"assert(require('site.helper') == h)\n"
		"assert(not pcall(require, '..policy'))\n"
		"assert(not pcall(require, '/etc/passwd'))\n"
		"assert(not pcall(require, 'missing'))\n"
		"function priority(job) return h.bonus end\n");
	assert_true(loaded(f->pol));
	assert_int_equal(policy_priority(f->pol, j, 1), 5);
	job_destroy(j);
}

static void test_priority_add_replace_and_clamp(void **state)
{
	struct fix *f = *state;
	struct job *j = mkjob(f, BATCH);

	load(f, "function priority(job)\n"
		"  if job.name == 'r' then return 9, lv.REPLACE end\n"
		"  if job.name == 'neg' then return -1000 end\n"
		"  if job.name == 'big' then return 1e12 end\n"
		"  if job.name == 'nan' then return 0/0 end\n"
		"  if job.name == 'str' then return '5' end\n"
		"  return job.num_tasks * 10\n"
		"end\n");
	assert_int_equal(policy_priority(f->pol, j, 100), 120);
	free(j->name);
	j->name = strdup("r");
	assert_int_equal(policy_priority(f->pol, j, 100), 9);
	free(j->name);
	j->name = strdup("neg");
	assert_int_equal(policy_priority(f->pol, j, 100), 0);
	free(j->name);
	j->name = strdup("big");
	assert_int_equal(policy_priority(f->pol, j, 100), UINT32_MAX);
	free(j->name);
	j->name = strdup("nan");
	assert_int_equal(policy_priority(f->pol, j, 100), 100);
	free(j->name);
	j->name = strdup("str");
	assert_int_equal(policy_priority(f->pol, j, 100), 100);
	assert_int_equal(stat_of(f->pol, POLICY_PRIORITY, "errors"), 2);
	job_destroy(j);
}

static void test_no_policy_is_the_default(void **state)
{
	struct fix *f = *state;
	struct lv_conf *c = conf_for(NULL);
	struct lv_error err = {0};
	struct job *j = mkjob(f, BATCH);
	json_t *desc = json_loads(BATCH, 0, NULL), *out = NULL;
	struct policy_pool pool = {"p", 3, 1, 8};
	size_t cand[2] = {0, 1}, order[2], n = 2;

	f->pol = policy_create(&f->ctld, c);
	assert_false(loaded(f->pol));
	assert_int_equal(policy_priority(f->pol, j, 77), 77);
	assert_int_equal(policy_elasticity(f->pol, &pool, NULL, 0), 3);
	assert_int_equal(policy_place(f->pol, j, cand, 2, order, &n), 0);
	assert_int_equal(policy_job_submit(f->pol, desc, 1, 1, &out, &err), 0);
	assert_ptr_equal(out, desc);
	json_decref(out);
	json_decref(desc);
	lv_conf_destroy(c);
	job_destroy(j);
}

static void test_job_submit_reads_and_writes_fields(void **state)
{
	struct fix *f = *state;
	struct lv_error err = {0};
	json_t *desc, *out = NULL;

	load(f,
	     "function job_submit(d, parts, uid)\n"
	     "  assert(d.name == 'j' and d.num_tasks == 2 and d.user_id == 1000)\n"
	     "  assert(d.time_limit == lv.INFINITE and d.account == nil)\n"
	     "  assert(d.features == 'big' and d.gres == 'gpu:1' and uid == 1000)\n"
	     "  assert(parts.debug.default and parts.gpu.max_time == 60)\n"
	     "  assert(parts.gpu.total_nodes == 2 and parts.debug.total_nodes == 4)\n"
	     "  d.partition = 'gpu'\n"
	     "  d.time_limit = 30\n"
	     "  d.account = 'physics'\n"
	     "  d.min_nodes = 2\n"
	     "  d.exclusive = true\n"
	     "  d.comment = nil\n"
	     "  d.cpus_per_task = lv.NO_VAL\n"
	     "  d.std_out = '/etc/shadow'\n"
	     "  return lv.SUCCESS\n"
	     "end\n");
	desc = json_loads(
		"{\"name\": \"j\", \"ntasks\": 2, \"time_limit\": null, "
		"\"constraint\": \"big\", \"gres\": \"gpu:1\", \"comment\": \"c\", "
		"\"cpus_per_task\": 2, \"stdout\": \"/tmp/o\"}",
		0, NULL);
	assert_int_equal(
		policy_job_submit(f->pol, desc, 1000, 1000, &out, &err), 0);
	assert_non_null(out);
	assert_ptr_not_equal(out, desc);
	assert_string_equal(
		json_string_value(json_object_get(out, "partition")), "gpu");
	assert_int_equal(json_integer_value(json_object_get(out, "time_limit")),
			 30);
	assert_string_equal(json_string_value(json_object_get(out, "account")),
			    "physics");
	assert_int_equal(json_integer_value(json_object_get(out, "nodes_min")),
			 2);
	assert_true(json_is_true(json_object_get(out, "exclusive")));
	assert_null(json_object_get(out, "comment"));
	assert_null(json_object_get(out, "cpus_per_task"));
	/* Read-only fields are not written back. */
	assert_string_equal(json_string_value(json_object_get(out, "stdout")),
			    "/tmp/o");
	/* The caller's description is untouched. */
	assert_string_equal(json_string_value(json_object_get(desc, "comment")),
			    "c");
	assert_int_equal(stat_of(f->pol, POLICY_JOB_SUBMIT, "errors"), 0);
	json_decref(out);
	json_decref(desc);
}

static void test_job_submit_infinite_and_bad_field(void **state)
{
	struct fix *f = *state;
	struct lv_error err = {0};
	json_t *desc = json_loads("{\"name\": \"a\", \"time_limit\": 5}", 0,
				  NULL),
	       *out = NULL;

	load(f, "function job_submit(d)\n"
		"  if d.name == 'a' then d.time_limit = lv.INFINITE end\n"
		"  if d.name == 'b' then d.min_nodes = -3 end\n"
		"  return lv.SUCCESS\n"
		"end\n");
	assert_int_equal(policy_job_submit(f->pol, desc, 1, 1, &out, &err), 0);
	assert_true(json_is_null(json_object_get(out, "time_limit")));
	json_decref(out);
	json_object_set_new(desc, "name", json_string("b"));
	assert_int_equal(policy_job_submit(f->pol, desc, 1, 1, &out, &err), 0);
	/* A bad field: the submission as it came. */
	assert_ptr_equal(out, desc);
	assert_int_equal(stat_of(f->pol, POLICY_JOB_SUBMIT, "errors"), 1);
	json_decref(out);
	json_decref(desc);
}

static void test_job_submit_reject_with_user_msg(void **state)
{
	struct fix *f = *state;
	struct lv_error err = {0};
	json_t *desc = json_loads("{\"name\": \"x\"}", 0, NULL), *out = NULL;

	load(f, "function job_submit(d)\n"
		"  if d.name == 'x' then\n"
		"    lv.user_msg('first line')\n"
		"    lv.user_msg('second line')\n"
		"    return lv.ESLURM_INVALID_ACCOUNT\n"
		"  end\n"
		"  return lv.ERROR\n"
		"end\n");
	assert_int_equal(policy_job_submit(f->pol, desc, 1, 1, &out, &err),
			 -EPERM);
	assert_null(out);
	assert_string_equal(err.text, "first line\nsecond line");
	/* The message does not leak into the next call. */
	json_object_set_new(desc, "name", json_string("y"));
	assert_int_equal(policy_job_submit(f->pol, desc, 1, 1, &out, &err),
			 -EPERM);
	assert_string_equal(
		err.text,
		"Job submission rejected by the site policy (error -1)");
	assert_int_equal(stat_of(f->pol, POLICY_JOB_SUBMIT, "calls"), 2);
	assert_int_equal(stat_of(f->pol, POLICY_JOB_SUBMIT, "errors"), 0);
	json_decref(desc);
}

static void test_job_modify_sees_job_rec(void **state)
{
	struct fix *f = *state;
	struct lv_error err = {0};
	struct job *j = mkjob(f, BATCH);
	json_t *set = json_loads("{\"time_limit\": 90}", 0, NULL), *out = NULL;

	j->id = 42;
	load(f,
	     "function job_modify(d, rec, parts, uid)\n"
	     "  assert(rec.job_id == 42 and rec.job_state == 'PENDING')\n"
	     "  assert(rec.num_tasks == 2 and rec.partition == 'debug' and uid == 0)\n"
	     "  if d.time_limit > parts[rec.partition].max_time then\n"
	     "    d.time_limit = 45\n"
	     "  end\n"
	     "  return lv.SUCCESS\n"
	     "end\n");
	assert_int_equal(policy_job_modify(f->pol, set, j, 0, &out, &err), 0);
	assert_int_equal(stat_of(f->pol, POLICY_JOB_MODIFY, "errors"), 0);
	/* debug has no MaxTime (INFINITE): 90 stays. */
	assert_int_equal(json_integer_value(json_object_get(out, "time_limit")),
			 90);
	json_decref(out);
	json_decref(set);
	job_destroy(j);
}

static void test_place_ranks_and_narrows(void **state)
{
	struct fix *f = *state;
	struct job *j = mkjob(f, BATCH);
	size_t cand[4] = {0, 1, 2, 3}, order[4], n = 0;

	load(f,
	     "function place(alloc, cands)\n"
	     "  assert(#cands == 4 and cands[1].name == 'n1' and cands[1].cpus == 4)\n"
	     "  assert(cands[3].features[1] == 'rack2' and alloc.num_tasks == 2)\n"
	     "  if alloc.name == 'bad' then return { 'n9' } end\n"
	     "  if alloc.name == 'dup' then return { 'n4', 'n4', 'n3' } end\n"
	     "  if alloc.name == 'none' then return nil end\n"
	     "  if alloc.name == 'num' then return 3 end\n"
	     "  local out = {}\n"
	     "  for i = #cands, 1, -1 do\n"
	     "    if cands[i].features[1] == 'rack2' then out[#out + 1] = cands[i].name end\n"
	     "  end\n"
	     "  return out\n"
	     "end\n");
	assert_int_equal(policy_place(f->pol, j, cand, 4, order, &n), 1);
	assert_int_equal(n, 2);
	assert_int_equal(cand[order[0]], 3);
	assert_int_equal(cand[order[1]], 2);
	free(j->name);
	j->name = strdup("dup");
	assert_int_equal(policy_place(f->pol, j, cand, 4, order, &n), 1);
	assert_int_equal(n, 2);
	assert_int_equal(order[0], 3);
	free(j->name);
	j->name = strdup("bad");
	assert_int_equal(policy_place(f->pol, j, cand, 4, order, &n), 0);
	free(j->name);
	j->name = strdup("none");
	assert_int_equal(policy_place(f->pol, j, cand, 4, order, &n), 0);
	free(j->name);
	j->name = strdup("num");
	assert_int_equal(policy_place(f->pol, j, cand, 4, order, &n), 0);
	assert_int_equal(stat_of(f->pol, POLICY_PLACE, "calls"), 5);
	assert_int_equal(stat_of(f->pol, POLICY_PLACE, "errors"), 2);
	job_destroy(j);
}

static void test_elasticity_clamps_and_falls_back(void **state)
{
	struct fix *f = *state;
	struct policy_metric m[] = {{"queue", 12}, {"busy", 0.5}};
	struct policy_pool pool = {"web", 4, 2, 10};

	load(f,
	     "function elasticity(pool, metrics)\n"
	     "  if pool.name == 'err' then error('no') end\n"
	     "  if pool.name == 'float' then return 2.5 end\n"
	     "  return math.ceil(metrics.queue / (1 + metrics.busy)) + pool.size\n"
	     "end\n");
	assert_int_equal(policy_elasticity(f->pol, &pool, m, 2),
			 10); /* 12 clamped */
	m[0].value = 0;
	assert_int_equal(policy_elasticity(f->pol, &pool, m, 2), 4);
	pool.size = 0;
	assert_int_equal(policy_elasticity(f->pol, &pool, m, 2), 2); /* min */
	pool.size = 5;
	pool.name = "err";
	assert_int_equal(policy_elasticity(f->pol, &pool, m, 2), 5);
	pool.name = "float";
	assert_int_equal(policy_elasticity(f->pol, &pool, m, 2), 5);
	assert_int_equal(stat_of(f->pol, POLICY_ELASTICITY, "errors"), 2);
}

static void test_lv_queries_nodes_and_jobs(void **state)
{
	struct fix *f = *state;
	struct job *a = mkjob(f, BATCH), *b = mkjob(f, BATCH),
		   *c = mkjob(f, BATCH);

	c->uid = 7;
	assert_int_equal(jobs_add(f->ctld.jobs, a), 0);
	assert_int_equal(jobs_add(f->ctld.jobs, b), 0);
	assert_int_equal(jobs_add(f->ctld.jobs, c), 0);
	load(f,
	     "function priority(job)\n"
	     "  assert(#lv.nodes() == 4 and #lv.nodes('gpu') == 2)\n"
	     "  assert(lv.nodes()[1].name == 'n1' and lv.nodes()[1].state == 'unk*')\n"
	     "  local l, n = lv.jobs{user = 1000}\n"
	     "  assert(n == 2 and #l == 2 and l[1].user_id == 1000)\n"
	     "  l, n = lv.jobs{state = 'PD', limit = 1}\n"
	     "  assert(n == 3 and #l == 1)\n"
	     "  l, n = lv.jobs{state = 'R'}\n"
	     "  assert(n == 0)\n"
	     "  assert(not pcall(lv.jobs, {state = 'bogus'}))\n"
	     "  local c = lv.job_counts{state = 'PENDING'}\n"
	     "  assert(c[1000] == 2 and c[7] == 1 and next(lv.job_counts{state = 'R'}) == nil)\n"
	     "  assert(lv.partitions().gpu.nodes == 'n[3-4]')\n"
	     "  lv.log_info('checked %d jobs', 3)\n"
	     "  return 1\n"
	     "end\n");
	assert_int_equal(policy_priority(f->pol, a, 0), 1);
	assert_int_equal(stat_of(f->pol, POLICY_PRIORITY, "errors"), 0);
}

static void test_views_are_read_only_and_expire(void **state)
{
	struct fix *f = *state;
	struct job *j = mkjob(f, BATCH);
	size_t cand[2] = {0, 1}, order[2], n;

	load(f,
	     "kept = nil\n"
	     "function priority(job)\n"
	     "  if job.name == 'keep' then kept = job; return 1 end\n"
	     "  if job.name == 'use' then return kept.num_tasks end\n"
	     "  if job.name == 'write' then job.priority = 5 end\n"
	     "  assert(job.no_such_field == nil and tostring(job):match('^job'))\n"
	     "  return 2\n"
	     "end\n"
	     "function place(alloc, c)\n"
	     "  if node_kept then assert(node_kept.name == 'n1') end\n"
	     "  node_kept = c[1]\n"
	     "  return nil\n"
	     "end\n");
	free(j->name);
	j->name = strdup("keep");
	assert_int_equal(policy_priority(f->pol, j, 10), 11);
	free(j->name);
	j->name = strdup("use");
	/* The view from the last call is stale: an error, not a read. */
	assert_int_equal(policy_priority(f->pol, j, 10), 10);
	free(j->name);
	j->name = strdup("write");
	assert_int_equal(policy_priority(f->pol, j, 10), 10);
	free(j->name);
	j->name = strdup("other");
	assert_int_equal(policy_priority(f->pol, j, 10), 12);
	assert_int_equal(stat_of(f->pol, POLICY_PRIORITY, "errors"), 2);
	/* Node views stay valid from call to call. */
	assert_int_equal(policy_place(f->pol, j, cand, 2, order, &n), 0);
	assert_int_equal(policy_place(f->pol, j, cand, 2, order, &n), 0);
	assert_int_equal(stat_of(f->pol, POLICY_PLACE, "errors"), 0);
	job_destroy(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_sandbox_removes_unsafe_functions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conf_limits_and_defaults,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_sandbox_syntax_error_leaves_no_script, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_sandbox_toplevel_loop_fails_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_finalizers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_globals_metatable_is_not_used, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_reload_failure_keeps_old_script, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_budget_ends_loop_and_counts_timeout, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_memory_cap_is_an_error,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_require_stays_in_folder,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_priority_add_replace_and_clamp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_policy_is_the_default,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_job_submit_reads_and_writes_fields, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_job_submit_infinite_and_bad_field, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_job_submit_reject_with_user_msg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_job_modify_sees_job_rec,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_place_ranks_and_narrows,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_elasticity_clamps_and_falls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lv_queries_nodes_and_jobs,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_views_are_read_only_and_expire, setup, teardown),
	};

	lv_log_set_level(LV_LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
