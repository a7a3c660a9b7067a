/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Lua state a policy script runs in: a capped allocator, only the
 * base, string, table, math and utf8 libraries plus os.time/clock/date,
 * a count hook that ends a call past its instruction budget, and a
 * require() that loads text modules from the script's own folder. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "sched/policy_private.h"

#define MODULE_NAME_MAX 128

struct sandbox *sandbox_get(lua_State *L)
{
	return *(struct sandbox **)lua_getextraspace(L);
}

/* Refuses growth past the cap; frees always succeed, as Lua needs. */
static void *capped_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct sandbox *sb = ud;
	size_t old = ptr ? osize : 0;
	void *p;

	if (nsize == 0) {
		free(ptr);
		sb->mem_used -= old;
		return NULL;
	}
	if (nsize > old && sb->mem_used - old + nsize > sb->mem_limit)
		return NULL;
	if (!(p = realloc(ptr, nsize)))
		return NULL;
	sb->mem_used = sb->mem_used - old + nsize;
	return p;
}

/* Past the budget: error now, and again at every next instruction, so a
 * script that catches the error with pcall still cannot go on. */
static void count_hook(lua_State *L, lua_Debug *ar)
{
	struct sandbox *sb = sandbox_get(L);

	sb->timed_out = true;
	lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
	if (lua_getinfo(L, "Sl", ar) && ar->currentline > 0)
		lua_pushfstring(L, "%s:%d: instruction limit (%I) exceeded",
				ar->short_src, ar->currentline,
				(lua_Integer)sb->instructions);
	else
		lua_pushfstring(L, "instruction limit (%I) exceeded",
				(lua_Integer)sb->instructions);
	lua_error(L);
}

int sandbox_pcall(struct sandbox *sb, int nargs, int nres)
{
	int rc;

	sb->timed_out = false;
	lua_sethook(sb->L, count_hook, LUA_MASKCOUNT, (int)sb->instructions);
	rc = lua_pcall(sb->L, nargs, nres, 0);
	lua_sethook(sb->L, NULL, 0, 0);
	return rc;
}

/* Loads the text chunk in path, named by its path inside the policy
 * folder ("policy.lua:12: ..."), so messages stay short. */
static int load_chunk(lua_State *L, const struct sandbox *sb, const char *path)
{
	size_t dl = strlen(sb->dir);
	const char *name = path;
	luaL_Buffer b;
	char chunk[4096 + 1];
	size_t n;
	FILE *f;
	int rc;

	if (!strncmp(path, sb->dir, dl) && path[dl] == '/')
		name = path + dl + 1;
	if (!(f = fopen(path, "r"))) {
		lua_pushfstring(L, "cannot open %s: %s", path, strerror(errno));
		return LUA_ERRFILE;
	}
	luaL_buffinit(L, &b);
	while ((n = fread(chunk, 1, sizeof(chunk) - 1, f)) > 0)
		luaL_addlstring(&b, chunk, n);
	rc = ferror(f);
	fclose(f);
	if (rc) {
		lua_pushfstring(L, "cannot read %s", path);
		return LUA_ERRFILE;
	}
	luaL_pushresult(&b);
	lua_pushfstring(L, "@%s", name);
	rc = luaL_loadbufferx(L, lua_tostring(L, -2), lua_rawlen(L, -2),
			      lua_tostring(L, -1), "t");
	/* Leave only the chunk (or the message). */
	lua_replace(L, -3);
	lua_pop(L, 1);
	return rc;
}

/* "a.b" -> "<dir>/a/b.lua"; only letters, digits, '_' and inner dots, so
 * no name leaves the folder. */
static int module_path(const struct sandbox *sb, const char *name, char *buf,
		       size_t len)
{
	size_t i, n = strlen(name);
	int w;

	if (n == 0 || n > MODULE_NAME_MAX || name[0] == '.' ||
	    name[n - 1] == '.')
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (name[i] == '.' && name[i + 1] == '.')
			return -EINVAL;
		if (name[i] != '.' && name[i] != '_' &&
		    !isalnum((unsigned char)name[i]))
			return -EINVAL;
	}
	w = snprintf(buf, len, "%s/%s.lua", sb->dir, name);
	if (w < 0 || (size_t)w >= len)
		return -ENAMETOOLONG;
	for (i = strlen(sb->dir) + 1; buf[i]; i++)
		if (buf[i] == '.' && strcmp(buf + i, ".lua"))
			buf[i] = '/';
	return 0;
}

static int lv_require(lua_State *L)
{
	struct sandbox *sb = sandbox_get(L);
	const char *name = luaL_checkstring(L, 1);
	char path[4096];

	lua_getfield(L, LUA_REGISTRYINDEX, "lv.loaded");
	if (lua_getfield(L, -1, name) != LUA_TNIL)
		return 1;
	lua_pop(L, 1);
	if (module_path(sb, name, path, sizeof(path)) < 0)
		return luaL_error(
			L,
			"require: invalid module name '%s' (letters, digits, '_' and '.' only)",
			name);
	if (load_chunk(L, sb, path) != LUA_OK)
		return luaL_error(L, "require '%s': %s", name,
				  lua_tostring(L, -1));
	lua_pushstring(L, name);
	lua_call(L, 1, 1);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		lua_pushboolean(L, 1);
	}
	lua_pushvalue(L, -1);
	lua_setfield(L, -3, name);
	return 1;
}

/* print() goes to the controller's log. */
static int lv_print(lua_State *L)
{
	luaL_Buffer b;
	int i, n = lua_gettop(L);

	luaL_buffinit(L, &b);
	for (i = 1; i <= n; i++) {
		if (i > 1)
			luaL_addchar(&b, '\t');
		luaL_tolstring(L, i, NULL);
		luaL_addvalue(&b);
	}
	luaL_pushresult(&b);
	lv_log(LV_LOG_INFO, "policy: %s", lua_tostring(L, -1));
	return 0;
}

/* setmetatable without __gc: Lua runs finalizers with hooks off, so an
 * endless one would escape the instruction budget. */
static int lv_setmetatable(lua_State *L)
{
	if (lua_type(L, 2) == LUA_TTABLE) {
		lua_pushliteral(L, "__gc");
		if (lua_rawget(L, 2) != LUA_TNIL)
			return luaL_error(
				L,
				"__gc metamethods are not allowed in policy scripts");
		lua_pop(L, 1);
	}
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, 1);
	return 1;
}

static void drop_globals(lua_State *L, const char *const *names)
{
	for (; *names; names++) {
		lua_pushnil(L);
		lua_setglobal(L, *names);
	}
}

/* os with time, clock and date only. */
static void limit_os(lua_State *L)
{
	static const char *const keep[] = {"time", "clock", "date", NULL};
	const char *const *k;

	lua_getglobal(L, "os");
	lua_newtable(L);
	for (k = keep; *k; k++) {
		lua_getfield(L, -2, *k);
		lua_setfield(L, -2, *k);
	}
	lua_setglobal(L, "os");
	lua_pop(L, 1);
}

static int open_libs(lua_State *L)
{
	static const luaL_Reg libs[] = {
		{LUA_GNAME, luaopen_base},
		{LUA_STRLIBNAME, luaopen_string},
		{LUA_TABLIBNAME, luaopen_table},
		{LUA_MATHLIBNAME, luaopen_math},
		{LUA_UTF8LIBNAME, luaopen_utf8},
		{LUA_OSLIBNAME, luaopen_os},
		{NULL, NULL},
	};
	static const char *const unsafe[] = {"dofile", "loadfile", "load",
					     "require", NULL};
	const luaL_Reg *l;

	for (l = libs; l->func; l++) {
		luaL_requiref(L, l->name, l->func, 1);
		lua_pop(L, 1);
	}
	drop_globals(L, unsafe);
	limit_os(L);
	lua_newtable(L);
	lua_setfield(L, LUA_REGISTRYINDEX, "lv.loaded");
	lua_register(L, "require", lv_require);
	lua_register(L, "print", lv_print);
	lua_getglobal(L, "setmetatable");
	lua_pushcclosure(L, lv_setmetatable, 1);
	lua_setglobal(L, "setmetatable");
	policy_view_open(L);
	policy_lv_open(L);
	return 0;
}

/* Protected: the script's main chunk, compiled. */
static int load_main(lua_State *L)
{
	struct sandbox *sb = sandbox_get(L);

	if (load_chunk(L, sb, sb->path) != LUA_OK)
		return lua_error(L);
	return 1;
}

/* The error object as text, without converting it (which allocates). */
static const char *error_text(lua_State *L, int status)
{
	if (status == LUA_ERRMEM)
		return "not enough memory (PolicyMemoryLimit)";
	return lua_type(L, -1) == LUA_TSTRING
		       ? lua_tostring(L, -1)
		       : "(error object is not a string)";
}

/* Opens the libraries, then runs the script's main chunk (under the
 * budget, so a top-level loop cannot hang the controller). */
static int load_script(struct sandbox *sb, struct lv_error *err)
{
	lua_State *L = sb->L;
	int rc;

	lua_pushcfunction(L, open_libs);
	if ((rc = lua_pcall(L, 0, 0, 0)) != LUA_OK)
		return lv_errorf(err, -ENOMEM, "%s: cannot set up Lua: %s",
				 sb->path, error_text(L, rc));
	lua_pushcfunction(L, load_main);
	if ((rc = lua_pcall(L, 0, 1, 0)) != LUA_OK)
		return lv_errorf(err, rc == LUA_ERRMEM ? -ENOMEM : -EINVAL,
				 "%s", error_text(L, rc));
	if ((rc = sandbox_pcall(sb, 0, 0)) != LUA_OK)
		return lv_errorf(err, rc == LUA_ERRMEM ? -ENOMEM : -EINVAL,
				 "%s", error_text(L, rc));
	return 0;
}

static int set_paths(struct sandbox *sb, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!(sb->path = strdup(path)))
		return -ENOMEM;
	if (!slash)
		sb->dir = strdup(".");
	else if (slash == path)
		sb->dir = strdup("/");
	else
		sb->dir = strndup(path, (size_t)(slash - path));
	return sb->dir ? 0 : -ENOMEM;
}

struct sandbox *sandbox_create(struct lvctld *ctld, const char *path,
			       uint64_t instructions, size_t mem_limit,
			       struct lv_error *err)
{
	struct sandbox *sb;

	if (!(sb = calloc(1, sizeof(*sb))) || set_paths(sb, path) < 0) {
		lv_errorf(err, -ENOMEM, "policy: out of memory");
		goto out_destroy;
	}
	sb->ctld = ctld;
	sb->instructions = instructions > INT32_MAX ? INT32_MAX : instructions;
	sb->mem_limit = mem_limit;
	if (!(sb->L = lua_newstate(capped_alloc, sb))) {
		lv_errorf(err, -ENOMEM, "policy: cannot create a Lua state");
		goto out_destroy;
	}
	*(struct sandbox **)lua_getextraspace(sb->L) = sb;
	if (load_script(sb, err) < 0)
		goto out_destroy;
	return sb;
out_destroy:
	sandbox_destroy(sb);
	return NULL;
}

void sandbox_destroy(struct sandbox *sb)
{
	if (!sb)
		return;
	if (sb->L)
		lua_close(sb->L);
	free(sb->path);
	free(sb->dir);
	free(sb);
}
