/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What policy*.c share: the loaded script's state and the call helpers. */
#ifndef LV_SCHED_POLICY_PRIVATE_H
#define LV_SCHED_POLICY_PRIVATE_H

#include <lauxlib.h>
#include <lua.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "common/error.h"
#include "sched/policy.h"

struct job;

#define POLICY_USER_MSG_MAX 1024
/* lv.jobs() returns at most this many jobs. */
#define POLICY_JOBS_MAX 10000

struct hook_stats {
	uint64_t calls, errors, timeouts;
	uint64_t ns; /* total time in the hook */
};

/* One Lua state with its limits; what the allocator and lv.* functions
 * find through lua_getextraspace. */
struct sandbox {
	lua_State *L;
	struct lvctld *ctld;
	char *path, *dir;
	size_t mem_used, mem_limit;
	uint64_t instructions; /* budget per call */
	bool timed_out;        /* the count hook fired in this call */
	uint64_t call_gen;     /* bumped per hook call: job views expire */
	uint64_t nodes_gen;    /* bumped per reconfiguration: node views */
	struct {               /* uid -> user name for job_desc.user_name */
		uid_t uid;
		char name[64];
	} users[16];
	char user_msg[POLICY_USER_MSG_MAX];
	bool has_hook[POLICY_N_HOOKS];
	char hook_src[POLICY_N_HOOKS][LUA_IDSIZE + 16]; /* "site.lua:12" */
};

struct policy {
	struct lvctld *ctld;
	struct sandbox *sb; /* the active script, NULL when none */
	time_t load_time;
	struct hook_stats stats[POLICY_N_HOOKS];
	char *failed_path; /* the last load that failed, and why */
	char load_error[LV_ERROR_TEXT_MAX];
	time_t load_error_time;
	struct timespec t0; /* when the current call began */
	size_t *scratch;    /* place(): node index -> candidate position + 1 */
	size_t scratch_n;
};

/* policy_sandbox.c: a fresh state running the script at path, with only
 * the safe libraries, the lv table and a require limited to the script's
 * folder.  NULL with err. */
struct sandbox *sandbox_create(struct lvctld *ctld, const char *path,
			       uint64_t instructions, size_t mem_limit,
			       struct lv_error *err);
void sandbox_destroy(struct sandbox *sb);
struct sandbox *sandbox_get(lua_State *L);
/* Runs the function under it with nargs arguments on the stack through
 * lua_pcall with the instruction budget; LUA_OK or the pcall status with
 * the message on the stack. */
int sandbox_pcall(struct sandbox *sb, int nargs, int nres);

/* policy_lv.c: the lv table, left in the globals. */
void policy_lv_open(lua_State *L);
/* Pushes the partitions as part_list (keyed by name). */
void policy_lv_push_parts(lua_State *L, struct lvctld *ctld);

/* policy_view.c: read-only views of jobs and nodes (see there). */
void policy_view_open(lua_State *L);
/* A view of job, valid during the current hook call. */
void policy_view_push_job(lua_State *L, const struct job *job);
/* An array of the views of nodes idx[0..n) (NULL idx: 0..n-1), each
 * valid until the next reconfiguration. */
void policy_view_push_nodes(lua_State *L, const size_t *idx, size_t n);

/* policy_job.c: submitted descriptions as tables. */
/* Pushes desc (a JSON job description) as job_desc. */
void policy_job_push_desc(lua_State *L, const json_t *desc, uid_t uid,
			  gid_t gid);
/* Writes the writable fields of the job_desc table at idx into desc.
 * -EINVAL with err naming a field of the wrong type. */
int policy_job_pull_desc(lua_State *L, int idx, json_t *desc,
			 struct lv_error *err);

/* policy.c: calling a hook. */
/* Starts a call: the stack top to come back to, or -1 when the script
 * does not define the hook. */
int policy_begin(struct policy *pol, enum policy_hook hook);
/* What a hook gets: push() pushes its arguments and returns how many;
 * it runs in protected mode, so it may allocate and fail. */
struct policy_args {
	int (*push)(lua_State *L, void *ud);
	void *ud;
	int nres;
};
/* Calls the hook under the budget (looking it up, and building its
 * arguments, in protected mode).  0 with the first argument at base + 1
 * and the nres results above it; -1 after logging and counting the
 * failure (stack back at base). */
int policy_call(struct policy *pol, enum policy_hook hook, int base,
		const struct policy_args *args);
/* Runs fn(L) with ud and the hook's first argument (base + 1) in
 * protected mode, under the budget: for C work on script-made values that may
 * allocate.  0 or -1 with the message logged and counted as the hook's error.
 */
int policy_protect(struct policy *pol, enum policy_hook hook, int base,
		   lua_CFunction fn, void *ud);
/* A call that returned something of the wrong type: logs what with the
 * function's file:line, counts an error and resets the stack. */
void policy_fail(struct policy *pol, enum policy_hook hook, int base,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Ends a successful call: the stack back at base. */
void policy_end(struct policy *pol, enum policy_hook hook, int base);

#endif
