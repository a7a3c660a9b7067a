/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Node selection: which nodes, how many tasks and which PUs on each, a
 * job gets.  Packs by default (best fit, keeping whole nodes free for big
 * jobs); spreads when the partition says SelectType=spread. */
#include "config.h"

#include "sched/select.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/hostlist.h"
#include "sched/nodes.h"
#include "sched/partitions.h"
#include "sched/policy.h"
#include "sched/pick.h"

struct cand {
	size_t node;
	uint32_t cap;    /* tasks that fit */
	uint32_t free;   /* free CPUs, for ordering */
	unsigned weight;
	bool required;   /* named in --nodelist */
};

static void pick_req_of(const struct job *job, const struct partition *part,
			const struct pick_shape *shape, struct pick_req *pr)
{
	pr->cpus_per_task = job->req.cpus_per_task ? job->req.cpus_per_task : 1;
	/* One thread per core: each CPU the job asks for is a whole core. */
	pr->whole_cores = job->req.threads_per_core == 1 && shape->threads > 1;
	pr->tasks_per_socket = job->req.ntasks_per_socket;
	pr->spread = part && part->spread;
}

/* Tasks of job that fit on node n (0 if none), given which PUs are
 * free (all of them when empty). */
static uint32_t capacity(const struct job *job, const struct partition *part,
			 const struct node *n, bool empty)
{
	static const struct lv_cpuset none;
	const struct lv_cpuset *used = empty ? &none : &n->pu_alloc;
	uint64_t mem = node_mem(n), mem_used = empty ? 0 : n->mem_alloc_mb;
	const struct job_req *r = &job->req;
	struct pick_shape shape;
	struct pick_req pr;
	uint32_t cap;

	if (r->exclusive && !lv_cpuset_empty(used))
		return 0;
	node_shape(n, &shape);
	pick_req_of(job, part, &shape, &pr);
	cap = pick_capacity(&shape, used, &pr);
	if (r->ntasks_per_node && cap > r->ntasks_per_node)
		cap = r->ntasks_per_node;
	if (r->gpus_per_node || r->gpus_per_task) {
		uint32_t free_gpus = node_gpus(n) -
				     (empty ? 0 : (uint32_t)__builtin_popcountll(n->gpu_alloc));

		if (r->exclusive && !empty && n->gpu_alloc)
			return 0;
		if (r->gpus_per_node > free_gpus)
			return 0;
		if (r->gpus_per_task && free_gpus / r->gpus_per_task < cap)
			cap = free_gpus / r->gpus_per_task;
	}
	if (r->mem_per_node && (mem < mem_used || mem - mem_used < r->mem_per_node))
		return 0;
	if (r->mem_per_cpu) {
		uint64_t fm = mem > mem_used ? mem - mem_used : 0;
		uint64_t per_task = r->mem_per_cpu * r->cpus_per_task *
				    (pr.whole_cores ? shape.threads : 1);

		if (fm / per_task < cap)
			cap = (uint32_t)(fm / per_task);
	}
	return cap;
}

/* Nodes named in --nodelist first, then lower Weight (Slurm's rule). */
static int cmp_first(const struct cand *x, const struct cand *y)
{
	if (x->required != y->required)
		return x->required ? -1 : 1;
	if (x->weight != y->weight)
		return x->weight < y->weight ? -1 : 1;
	return 0;
}

static int cmp_last(const struct cand *x, const struct cand *y)
{
	return x->node < y->node ? -1 : x->node > y->node;
}

static int by_pack(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	int c = cmp_first(x, y);

	if (c)
		return c;
	/* Best fit: the fullest node that still fits goes first. */
	if (x->free != y->free)
		return x->free < y->free ? -1 : 1;
	return cmp_last(x, y);
}

static int by_spread(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	int c = cmp_first(x, y);

	if (c)
		return c;
	if (x->free != y->free)
		return x->free > y->free ? -1 : 1;
	return cmp_last(x, y);
}

/* Multi-node packing: the biggest holes first, so the job spans as few
 * nodes as possible. */
static int by_pack_wide(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	int c = cmp_first(x, y);

	if (c)
		return c;
	if (x->cap != y->cap)
		return x->cap > y->cap ? -1 : 1;
	return cmp_last(x, y);
}

/* Moves the best-fitting node that holds all tasks to c[0]. */
static bool best_fit_first(struct cand *c, size_t nc, uint32_t tasks)
{
	size_t i, best = nc;
	struct cand tmp;

	for (i = 0; i < nc; i++) {
		if (c[i].cap < tasks)
			continue;
		if (best == nc || by_pack(&c[i], &c[best]) < 0)
			best = i;
	}
	if (best == nc)
		return false;
	tmp = c[0];
	c[0] = c[best];
	c[best] = tmp;
	return true;
}

static bool in_list(const struct lv_hostlist *hl, const char *name)
{
	return hl && lv_hostlist_find(hl, name) >= 0;
}

/* Candidate nodes with their capacity; returns the count. */
static size_t gather(const struct job *job, const struct partition *part,
		     struct nodes *nodes, const struct lv_hostlist *req,
		     const struct lv_hostlist *excl, bool empty,
		     struct cand *c)
{
	size_t i, n = 0;

	for (i = 0; i < part->n_nodes; i++) {
		struct node *node = nodes_get(nodes, part->node_idx[i]);
		uint32_t cap;

		if (in_list(excl, node->name))
			continue;
		if (!empty && !node_is_available(node))
			continue;
		if (req && !in_list(req, node->name))
			continue;
		if (!(cap = capacity(job, part, node, empty)))
			continue;
		c[n].node = node->index;
		c[n].cap = cap;
		c[n].free = node_cpus(node) -
			    (empty ? 0 : lv_cpuset_count(&node->pu_alloc));
		c[n].weight = node->weight;
		c[n].required = req != NULL;
		n++;
	}
	return n;
}

/* Picks nodes from the sorted candidates and spreads the tasks. */
static int assign(const struct job *job, struct cand *c, size_t nc,
		  size_t required, struct grant **out, size_t *nout)
{
	const struct job_req *r = &job->req;
	uint32_t tasks = r->ntasks, sum = 0, left, per;
	size_t k = 0, i;
	struct grant *g;

	/* Take nodes until the tasks fit and the minimum count is met. */
	while (k < nc && k < r->nodes_max &&
	       (sum < tasks || k < r->nodes_min || k < required)) {
		sum += c[k].cap;
		k++;
	}
	if (sum < tasks || k < r->nodes_min || k < required || k > tasks)
		return -ENOSPC;
	if (!(g = calloc(k, sizeof(*g))))
		return -ENOMEM;
	/* One task per node first, then fill in order (block layout). */
	left = tasks - (uint32_t)k;
	for (i = 0; i < k; i++) {
		per = c[i].cap - 1 < left ? c[i].cap - 1 : left;
		g[i].node = c[i].node;
		g[i].tasks = 1 + per;
		left -= per;
	}
	*out = g;
	*nout = k;
	return 0;
}

/* The lowest free GPU indices, n of them (fewer only if the node has
 * fewer: capacity() checked). */
static uint64_t pick_gpus(const struct node *node, bool empty, uint32_t n)
{
	uint64_t used = empty ? 0 : node->gpu_alloc, got = 0;
	uint32_t i, total = node_gpus(node);

	for (i = 0; i < total && n; i++)
		if (!(used >> i & 1)) {
			got |= 1ull << i;
			n--;
		}
	return got;
}

/* The exact PUs, GPUs and memory of each node's share. */
static int fill_resources(const struct job *job, const struct partition *part,
			  struct nodes *nodes, bool empty, struct grant *g,
			  size_t n)
{
	static const struct lv_cpuset none;
	const struct job_req *r = &job->req;
	struct pick_shape shape;
	struct pick_req pr;
	unsigned p;
	size_t i;

	for (i = 0; i < n; i++) {
		struct node *node = nodes_get(nodes, g[i].node);

		node_shape(node, &shape);
		lv_cpuset_zero(&g[i].pus);
		if (r->exclusive) {
			for (p = 0; p < shape.pus; p++)
				lv_cpuset_set(&g[i].pus, p);
		} else {
			pick_req_of(job, part, &shape, &pr);
			if (pick_cpus(&shape, empty ? &none : &node->pu_alloc,
				      &pr, g[i].tasks, &g[i].pus) < 0)
				return -ENOSPC;
		}
		g[i].cpus = lv_cpuset_count(&g[i].pus);
		g[i].mem_mb = r->mem_per_node ? r->mem_per_node
					      : r->mem_per_cpu * g[i].cpus;
		g[i].gpus = pick_gpus(node, empty, r->exclusive ? node_gpus(node)
					    : r->gpus_per_node + r->gpus_per_task * g[i].tasks);
	}
	return 0;
}

/* The place() hook on the candidates, in the default order: 1 when it
 * chose (c and *nc rewritten), 0 when the default stands, -ENOMEM. */
static int place_hook(const struct job *job, struct policy *pol, struct cand *c,
		      size_t *nc, int (*cmp)(const void *, const void *))
{
	size_t n = *nc, m = n ? n : 1, *idx, *order, i, k;
	struct cand *copy;
	int rc = -ENOMEM;

	qsort(c, n, sizeof(*c), cmp);
	idx = malloc(m * sizeof(*idx));
	order = malloc(m * sizeof(*order));
	copy = malloc(m * sizeof(*copy));
	if (idx && order && copy) {
		for (i = 0; i < n; i++)
			idx[i] = c[i].node;
		memcpy(copy, c, n * sizeof(*c));
		if ((rc = policy_place(pol, job, idx, n, order, &k)) > 0) {
			for (i = 0; i < k; i++)
				c[i] = copy[order[i]];
			*nc = k;
		}
	}
	free(idx);
	free(order);
	free(copy);
	return rc;
}

/* Enough capacity among the candidates to be worth asking the script. */
static bool could_fit(const struct job *job, const struct cand *c, size_t nc)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < nc; i++)
		sum += c[i].cap;
	return nc >= job->req.nodes_min && sum >= job->req.ntasks;
}

static int select_impl(const struct job *job, const struct partition *part,
		       struct nodes *nodes, bool empty, struct policy *pol,
		       struct grant **out, size_t *nout)
{
	struct lv_hostlist *req = NULL, *excl = NULL;
	struct cand *c;
	size_t nc;
	int rc = -ENOMEM;

	if (!(c = calloc(part->n_nodes ? part->n_nodes : 1, sizeof(*c))))
		return -ENOMEM;
	if ((job->req.nodelist && !(req = lv_hostlist_create(job->req.nodelist, NULL))) ||
	    (job->req.exclude && !(excl = lv_hostlist_create(job->req.exclude, NULL))))
		goto out;
	nc = gather(job, part, nodes, req, excl, empty, c);
	/* Every node named in --nodelist must be usable. */
	if (req && nc < lv_hostlist_count(req)) {
		rc = -ENOSPC;
		goto out;
	}
	if (policy_has_hook(pol, POLICY_PLACE) && could_fit(job, c, nc) &&
	    (rc = place_hook(job, pol, c, &nc,
			     part->spread ? by_spread : by_pack_wide)) != 0) {
		if (rc > 0)
			rc = assign(job, c, nc,
				    req ? lv_hostlist_count(req) : 0, out,
				    nout);
		goto done;
	}
	if (!part->spread && job->req.nodes_min <= 1 && !req &&
	    best_fit_first(c, nc, job->req.ntasks)) {
		/* One node takes it all: the fullest such node. */
		rc = assign(job, c, 1, 0, out, nout);
		goto done;
	}
	qsort(c, nc, sizeof(*c), part->spread ? by_spread : by_pack_wide);
	rc = assign(job, c, nc, req ? lv_hostlist_count(req) : 0, out, nout);
done:
	if (rc == 0 &&
	    (rc = fill_resources(job, part, nodes, empty, *out, *nout)) < 0) {
		free(*out);
		*out = NULL;
		*nout = 0;
	}
out:
	lv_hostlist_destroy(req);
	lv_hostlist_destroy(excl);
	free(c);
	return rc;
}

int select_nodes(const struct job *job, const struct partition *part,
		 struct nodes *nodes, bool empty, struct grant **out,
		 size_t *nout)
{
	return select_impl(job, part, nodes, empty, NULL, out, nout);
}

int select_nodes_placed(const struct job *job, const struct partition *part,
			struct nodes *nodes, struct policy *pol,
			struct grant **out, size_t *nout)
{
	return select_impl(job, part, nodes, false, pol, out, nout);
}
