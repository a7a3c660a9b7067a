/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The place(alloc, candidates) hook: the script ranks or narrows the
 * nodes a job may get.  It answers with node names, best first; the
 * nodes it leaves out are not used for this job in this pass. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "sched/ctld.h"
#include "sched/nodes.h"
#include "sched/policy_private.h"

struct place_call {
	struct nodes *nodes;
	const struct job *job;
	const size_t *cand;
	size_t n;
};

static int push_place(lua_State *L, void *ud)
{
	const struct place_call *c = ud;

	policy_view_push_job(L, c->job);
	policy_view_push_nodes(L, c->cand, c->n);
	return 2;
}

/* scratch[node index] = candidate position + 1, for the candidates. */
static int mark(struct policy *pol, const size_t *cand, size_t n)
{
	size_t need = nodes_count(pol->ctld->nodes), i;

	if (pol->scratch_n < need) {
		size_t *s = calloc(need, sizeof(*s));

		if (!s)
			return -ENOMEM;
		free(pol->scratch);
		pol->scratch = s;
		pol->scratch_n = need;
	}
	for (i = 0; i < n; i++)
		pol->scratch[cand[i]] = i + 1;
	return 0;
}

/* Reads the answer at idx into out; NULL, or the name that is not a
 * candidate.  Leaves scratch all zero. */
static const char *read_answer(struct policy *pol, lua_State *L, int idx,
			       const size_t *cand, size_t n, size_t *out,
			       size_t *k)
{
	lua_Integer j, len = (lua_Integer)lua_rawlen(L, idx);
	const char *bad = NULL;
	struct node *node;
	size_t i;

	*k = 0;
	for (j = 1; j <= len && !bad; j++) {
		const char *name = lua_rawgeti(L, idx, j) == LUA_TSTRING
					   ? lua_tostring(L, -1)
					   : NULL;

		node = name ? nodes_find(pol->ctld->nodes, name) : NULL;
		if (!node || node->index >= pol->scratch_n) {
			bad = name ? name : "(not a string)";
		} else if (pol->scratch[node->index]) {
			out[(*k)++] = pol->scratch[node->index] - 1;
			pol->scratch[node->index] = 0; /* once each */
		} else {
			/* Named twice, or not a candidate. */
			for (i = 0; i < *k && cand[out[i]] != node->index; i++)
				;
			if (i == *k)
				bad = name;
		}
		lua_pop(L, 1);
	}
	for (i = 0; i < n; i++)
		pol->scratch[cand[i]] = 0;
	return bad;
}

int policy_place(struct policy *pol, const struct job *job, const size_t *cand,
		 size_t n, size_t *order, size_t *n_order)
{
	struct place_call c = {pol && pol->ctld ? pol->ctld->nodes : NULL, job,
			       cand, n};
	struct policy_args args = {push_place, &c, 1};
	const char *bad;
	lua_State *L;
	int base;

	if (!c.nodes || (base = policy_begin(pol, POLICY_PLACE)) < 0)
		return 0;
	if (policy_call(pol, POLICY_PLACE, base, &args) < 0)
		return 0;
	L = pol->sb->L;
	if (lua_isnil(L, base + 2)) { /* no opinion */
		policy_end(pol, POLICY_PLACE, base);
		return 0;
	}
	if (!lua_istable(L, base + 2)) {
		policy_fail(pol, POLICY_PLACE, base,
			    "returned %s, expected a list of node names or nil",
			    luaL_typename(L, base + 2));
		return 0;
	}
	if (mark(pol, cand, n) < 0) {
		policy_end(pol, POLICY_PLACE, base);
		return -ENOMEM;
	}
	if ((bad = read_answer(pol, L, base + 2, cand, n, order, n_order))) {
		policy_fail(pol, POLICY_PLACE, base,
			    "returned node '%s', which is not a candidate",
			    bad);
		return 0;
	}
	policy_end(pol, POLICY_PLACE, base);
	return 1;
}
