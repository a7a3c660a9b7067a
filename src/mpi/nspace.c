/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What lvd's PMIx server tells the library about a step: the lvd
 * processes it spans, and the job-level and per-rank keys of its
 * namespace (RECIPES §1, docs/mpi.md). */
#include "config.h"

#include "mpi/nspace.h"

#include <errno.h>
#include <pmix.h>
#include <pmix_server.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/msg.h"

/* The lvd processes of the step's nodes, in node order: nodes that share
 * an address and port are served by one process.  member[i]: the process
 * of node i; first[j]: process j's first node. */
static int map_ranks(struct nspace_map *ms, const json_t *cred,
		     struct lv_error *err)
{
	const json_t *layout = json_object_get(cred, "layout"), *ranks, *r;
	json_int_t ntasks = json_integer_value(json_object_get(cred, "ntasks"));
	size_t i, j;

	if (ntasks <= 0 || ntasks > UINT32_MAX ||
	    json_array_size(layout) > ms->nnodes)
		return lv_errorf(err, -EPROTO, "mpi: credential without layout");
	ms->ntasks = (uint32_t)ntasks;
	if (!(ms->rank_proc = calloc(ms->ntasks, sizeof(*ms->rank_proc))))
		return lv_errorf(err, -ENOMEM, "out of memory");
	json_array_foreach(layout, i, ranks) {
		json_array_foreach(ranks, j, r) {
			json_int_t v = json_integer_value(r);

			if (v < 0 || v >= ntasks)
				return lv_errorf(err, -EPROTO, "mpi: bad layout");
			ms->rank_proc[v] = (uint32_t)ms->member[i];
		}
	}
	return 0;
}

int nspace_map_create(struct nspace_map *ms, const json_t *cred,
		      size_t my_node, struct lv_error *err)
{
	const json_t *peers = json_object_get(cred, "peers");
	struct fence_group *g = &ms->group;
	size_t i, j, n = json_array_size(peers);
	const json_t *p;

	if (!n || my_node >= n)
		return lv_errorf(err, -EPROTO, "mpi: step credential has no peers");
	if (!(g->addr = calloc(n, sizeof(*g->addr))) ||
	    !(g->port = calloc(n, sizeof(*g->port))) ||
	    !(g->name = calloc(n, sizeof(*g->name))) ||
	    !(ms->member = calloc(n, sizeof(*ms->member))) ||
	    !(ms->first = calloc(n, sizeof(*ms->first))))
		return lv_errorf(err, -ENOMEM, "out of memory");
	json_array_foreach(peers, i, p) {
		const char *addr = lv_json_str(p, "addr");
		uint16_t port = (uint16_t)json_integer_value(json_object_get(p, "port"));

		if (!addr)
			return lv_errorf(err, -EPROTO, "mpi: peer %zu has no address", i);
		for (j = 0; j < g->n; j++)
			if (g->port[j] == port && !strcmp(g->addr[j], addr))
				break;
		if (j == g->n) {
			const char *name = lv_json_str(p, "name");

			if (!(g->addr[g->n++] = strdup(addr)) ||
			    !(g->name[j] = strdup(name ? name : "?")))
				return lv_errorf(err, -ENOMEM, "out of memory");
			ms->first[j] = i;
		}
		g->port[j] = port;
		ms->member[i] = j;
		if (i == my_node)
			g->me = j;
	}
	ms->nnodes = n;
	return map_ranks(ms, cred, err);
}

void nspace_map_free(struct nspace_map *ms)
{
	struct fence_group *g = &ms->group;
	size_t i;

	for (i = 0; g->addr && i < g->n; i++)
		free(g->addr[i]);
	for (i = 0; g->name && i < g->n; i++)
		free(g->name[i]);
	free(g->name);
	free(ms->rank_proc);
	free(g->addr);
	free(g->port);
	free(ms->member);
	free(ms->first);
}

struct infos {
	pmix_info_t *v;
	size_t n, cap;
};

static void put_u32(struct infos *in, const char *key, uint32_t val)
{
	PMIX_INFO_LOAD(&in->v[in->n++], key, &val, PMIX_UINT32);
}

static void put_u16(struct infos *in, const char *key, uint16_t val)
{
	PMIX_INFO_LOAD(&in->v[in->n++], key, &val, PMIX_UINT16);
}

static void put_rank(struct infos *in, const char *key, pmix_rank_t val)
{
	PMIX_INFO_LOAD(&in->v[in->n++], key, &val, PMIX_PROC_RANK);
}

static void put_str(struct infos *in, const char *key, const char *val)
{
	PMIX_INFO_LOAD(&in->v[in->n++], key, val, PMIX_STRING);
}

/* Takes ownership of val (a string PMIx_generate_* returned). */
static void put_owned_str(struct infos *in, const char *key, char *val)
{
	PMIX_LOAD_KEY(in->v[in->n].key, key);
	in->v[in->n].value.type = PMIX_STRING;
	in->v[in->n].value.data.string = val;
	in->n++;
}

/* Where each rank runs, as PMIx sees it: a PMIx node is an lvd process.
 * Simulated nodes served by one lvd share this server and one host, so to
 * Open MPI their ranks are one node's, numbered together (vader names its
 * segments by local rank: two "local rank 0" on one host collide). */
struct rank_loc {
	uint32_t node, local;
};

static int read_layout(const struct nspace_map *ms, const json_t *layout,
		       uint32_t ntasks, struct rank_loc *loc,
		       struct lv_error *err)
{
	const json_t *ranks, *r;
	uint32_t *count = calloc(ms->group.n, sizeof(*count));
	size_t i, j;
	int rc = 0;

	if (!count)
		return lv_errorf(err, -ENOMEM, "out of memory");
	for (i = 0; i < ntasks; i++)
		loc[i].node = UINT32_MAX;
	json_array_foreach(layout, i, ranks) {
		json_array_foreach(ranks, j, r) {
			json_int_t v = json_integer_value(r);

			if (v < 0 || v >= ntasks || loc[v].node != UINT32_MAX) {
				rc = lv_errorf(err, -EPROTO, "mpi: bad layout");
				goto out;
			}
			loc[v].node = (uint32_t)ms->member[i];
			loc[v].local = count[ms->member[i]]++;
		}
	}
	for (i = 0; i < ntasks && rc == 0; i++)
		if (loc[i].node == UINT32_MAX)
			rc = lv_errorf(err, -EPROTO, "mpi: rank %zu has no node", i);
out:
	free(count);
	return rc;
}

static const char *member_name(const struct nspace_map *ms, const json_t *peers,
			       size_t m)
{
	const char *name = lv_json_str(json_array_get(peers, ms->first[m]), "name");

	return name ? name : "?";
}

/* "n1,n3" and "0,1;2,3" for PMIx_generate_regex/ppn, and LOCAL_PEERS of
 * this process ("0,1"). */
static int maps_from(const struct nspace_map *ms, const json_t *peers,
		     const struct rank_loc *loc, uint32_t ntasks, char **nodes,
		     char **ppn, char **local, uint32_t *nlocal)
{
	size_t sz[3], m, i;
	FILE *f[3] = { open_memstream(nodes, &sz[0]),
		       open_memstream(ppn, &sz[1]),
		       open_memstream(local, &sz[2]) };
	bool first;
	int rc = 0;

	*nlocal = 0;
	for (m = 0; m < ms->group.n && f[0] && f[1] && f[2]; m++) {
		fprintf(f[0], "%s%s", m ? "," : "", member_name(ms, peers, m));
		fprintf(f[1], "%s", m ? ";" : "");
		for (first = true, i = 0; i < ntasks; i++) {
			if (loc[i].node != m)
				continue;
			fprintf(f[1], "%s%zu", first ? "" : ",", i);
			first = false;
			if (m == ms->group.me)
				fprintf(f[2], "%s%zu", (*nlocal)++ ? "," : "", i);
		}
	}
	for (i = 0; i < 3; i++)
		if (!f[i] || fclose(f[i]) != 0)
			rc = -ENOMEM;
	return rc;
}

/* One PMIX_PROC_INFO_ARRAY: the rank's own keys. */
static int put_rank_info(struct infos *in, const struct nspace_map *ms,
			 const json_t *peers, uint32_t rank,
			 const struct rank_loc *loc)
{
	pmix_data_array_t *da;
	struct infos r = { 0 };

	PMIX_DATA_ARRAY_CREATE(da, 8, PMIX_INFO);
	if (!da)
		return -ENOMEM;
	r.v = da->array;
	put_rank(&r, PMIX_RANK, rank);
	put_u32(&r, PMIX_APPNUM, 0);
	put_rank(&r, PMIX_GLOBAL_RANK, rank);
	put_rank(&r, PMIX_APP_RANK, rank);
	put_u16(&r, PMIX_LOCAL_RANK, (uint16_t)loc->local);
	put_u16(&r, PMIX_NODE_RANK, (uint16_t)loc->local);
	put_u32(&r, PMIX_NODEID, loc->node);
	put_str(&r, PMIX_HOSTNAME, member_name(ms, peers, loc->node));
	PMIX_LOAD_KEY(in->v[in->n].key, PMIX_PROC_INFO_ARRAY);
	in->v[in->n].value.type = PMIX_DATA_ARRAY;
	in->v[in->n].value.data.darray = da;
	in->n++;
	return 0;
}

int nspace_info(const struct nspace_map *ms, const json_t *cred,
		const char *ns, const char *dir, uid_t uid, gid_t gid,
		struct nspace_info *out, struct lv_error *err)
{
	struct infos in_, *in = &in_;
	uint32_t *nlocal = &out->nlocal;
	const json_t *peers = json_object_get(cred, "peers");
	const json_t *layout = json_object_get(cred, "layout");
	uint32_t ntasks = (uint32_t)json_integer_value(json_object_get(cred, "ntasks"));
	char *nodes = NULL, *ppn = NULL, *local = NULL, *regex = NULL, *pmap = NULL;
	struct rank_loc *loc;
	uint32_t i, lldr = 0;
	int rc;

	if (!ntasks || json_array_size(layout) != json_array_size(peers))
		return lv_errorf(err, -EPROTO, "mpi: credential without layout");
	if (!(loc = calloc(ntasks, sizeof(*loc))))
		return lv_errorf(err, -ENOMEM, "out of memory");
	if ((rc = read_layout(ms, layout, ntasks, loc, err)) < 0 ||
	    (rc = maps_from(ms, peers, loc, ntasks, &nodes, &ppn, &local, nlocal)) < 0 ||
	    PMIx_generate_regex(nodes, &regex) != PMIX_SUCCESS ||
	    PMIx_generate_ppn(ppn, &pmap) != PMIX_SUCCESS) {
		rc = rc < 0 ? rc : lv_errorf(err, -EINVAL, "mpi: cannot encode the node map");
		goto out;
	}
	for (i = 0; i < ntasks; i++)
		if (loc[i].node == ms->group.me && loc[i].local == 0)
			lldr = i;
	in->n = 0;
	in->cap = 22 + ntasks;
	PMIX_INFO_CREATE(in->v, in->cap);
	out->v = in->v;
	out->cap = in->cap;
	put_str(in, PMIX_JOBID, ns);
	put_u32(in, PMIX_UNIV_SIZE, ntasks);
	put_u32(in, PMIX_JOB_SIZE, ntasks);
	put_u32(in, PMIX_MAX_PROCS, ntasks);
	put_u32(in, PMIX_APPNUM, 0);
	put_u32(in, PMIX_APP_SIZE, ntasks);
	put_rank(in, PMIX_APPLDR, 0);
	PMIX_INFO_LOAD(&in->v[in->n++], PMIX_SPAWNED, &(bool){ false }, PMIX_BOOL);
	put_u32(in, PMIX_NUM_NODES, (uint32_t)ms->group.n);
	put_owned_str(in, PMIX_NODE_MAP, regex);
	put_owned_str(in, PMIX_PROC_MAP, pmap);
	regex = pmap = NULL;
	put_u32(in, PMIX_LOCAL_SIZE, *nlocal);
	put_u32(in, PMIX_NODE_SIZE, *nlocal);
	put_str(in, PMIX_LOCAL_PEERS, local);
	put_rank(in, PMIX_LOCALLDR, lldr);
	put_u32(in, PMIX_NODEID, (uint32_t)ms->group.me);
	put_str(in, PMIX_HOSTNAME, member_name(ms, peers, ms->group.me));
	put_str(in, PMIX_TMPDIR, dir);
	/* The dstore's shared segments and locks become the job user's:
	 * otherwise a rank of another uid than lvd's logs "PMIX ERROR ...
	 * gds_ds12_lock_pthread.c" and falls back to asking the server. */
	put_u32(in, PMIX_USERID, (uint32_t)uid);
	put_u32(in, PMIX_GRPID, (uint32_t)gid);
	for (i = 0; i < ntasks && rc == 0; i++)
		if (put_rank_info(in, ms, peers, i, &loc[i]) < 0)
			rc = lv_errorf(err, -ENOMEM, "out of memory");
	out->n = in->n;
out:
	free(regex);
	free(pmap);
	free(nodes);
	free(ppn);
	free(local);
	free(loc);
	return rc;
}

void nspace_info_free(struct nspace_info *info)
{
	if (info->v)
		PMIX_INFO_FREE(info->v, info->cap);
	info->v = NULL;
}
