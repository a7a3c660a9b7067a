/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The PMIx upcalls that cross nodes, besides fences: direct modex (a
 * rank's data fetched from the lvd that serves it), publish / lookup /
 * unpublish (kept by the step's root lvd, pubsub.c), and job control
 * (kill or signal ranks wherever they run).  Peer lvds talk with
 * LV_MSG_MPI_REQ {op, ns, ...} (docs/mpi.md). */
#include "config.h"

#include <errno.h>
#include <nettle/base64.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/msg.h"
#include "mpi/pubsub.h"
#include "mpi/server_priv.h"

static struct upcall *upcall_new(upcall_run_f run, const pmix_proc_t *proc)
{
	struct upcall *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->run = run;
	if (proc) {
		PMIX_LOAD_NSPACE(u->ns, proc->nspace);
		u->rank = proc->rank;
	}
	return u;
}

static int copy_info(struct upcall *u, const pmix_info_t *info, size_t n)
{
	size_t i;

	if (!n)
		return 0;
	PMIX_INFO_CREATE(u->info, n);
	if (!u->info)
		return -ENOMEM;
	u->ninfo = n;
	for (i = 0; i < n; i++)
		PMIX_INFO_XFER(&u->info[i], &info[i]);
	return 0;
}

static int copy_keys(struct upcall *u, char **keys)
{
	size_t i, n = 0;

	while (keys && keys[n])
		n++;
	if (!keys)
		return 0;
	if (!(u->keys = calloc(n + 1, sizeof(*u->keys))))
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if (!(u->keys[i] = strdup(keys[i])))
			return -ENOMEM;
	return 0;
}

static char *b64(const char *data, size_t len)
{
	char *s = malloc(BASE64_ENCODE_RAW_LENGTH(len) + 1);

	if (s) {
		base64_encode_raw(s, len, (const uint8_t *)data);
		s[BASE64_ENCODE_RAW_LENGTH(len)] = '\0';
	}
	return s;
}

static int unb64(const char *s, char **out, size_t *outlen)
{
	struct base64_decode_ctx ctx;
	size_t len = strlen(s), n = BASE64_DECODE_LENGTH(len);
	char *buf = malloc(n + 1);

	if (!buf)
		return -ENOMEM;
	base64_decode_init(&ctx);
	if (!base64_decode_update(&ctx, &n, (uint8_t *)buf, len, s) ||
	    !base64_decode_final(&ctx)) {
		free(buf);
		return -EPROTO;
	}
	*out = buf;
	*outlen = n;
	return 0;
}

static pmix_status_t status_of(int rc)
{
	switch (rc) {
	case 0:
		return PMIX_SUCCESS;
	case -ENOENT:
		return PMIX_ERR_NOT_FOUND;
	case -EEXIST:
		return PMIX_ERR_DUPLICATE_KEY;
	case -ETIMEDOUT:
		return PMIX_ERR_TIMEOUT;
	case -ENOMEM:
		return PMIX_ERR_NOMEM;
	default:
		return PMIX_ERROR;
	}
}

static void release_data(void *cbdata)
{
	free(cbdata);
}

static int req_send(struct mpi_step *ms, size_t idx, json_t *body,
		    lv_rpc_reply_f cb, void *arg)
{
	return fence_peer_send(ms->srv->fence, &ms->map.group, idx,
			       LV_MSG_MPI_REQ, body, cb, arg);
}

/* ---- direct modex ---- */

static void on_dmodex_reply(struct lv_rpc_conn *conn, int status,
			    const json_t *body, const char *errtext, void *arg)
{
	struct upcall *u = arg;
	const char *s = lv_json_str(body, "data");
	char *data = NULL;
	size_t len = 0;

	(void)conn;
	if (status == 0)
		status = s ? unb64(s, &data, &len) : -EPROTO;
	if (status < 0) {
		lv_log(LV_LOG_ERR, "mpi: %s: direct modex of rank %u: %s", u->ns,
		       (unsigned)u->rank, errtext ? errtext : strerror(-status));
		u->modex_cb(status_of(status), NULL, 0, u->cbdata, NULL, NULL);
	} else {
		lv_debug(LV_DBG_LAUNCH, "mpi: %s: direct modex of rank %u: %zu byte(s)",
			 u->ns, (unsigned)u->rank, len);
		u->modex_cb(PMIX_SUCCESS, data, len, u->cbdata, release_data, data);
	}
	upcall_free(u);
}

static void run_dmodex(struct mpi_server *srv, struct upcall *u)
{
	struct mpi_step *ms = step_find(srv, u->ns);
	size_t idx;

	if (!ms || u->rank >= ms->map.ntasks ||
	    (idx = ms->map.rank_proc[u->rank]) == ms->map.group.me) {
		/* Ours or unknown: the library has all we know. */
		lv_debug(LV_DBG_LAUNCH, "mpi: %s: direct modex of rank %u: %s",
			 u->ns, (unsigned)u->rank, ms ? "not a remote rank" : "no such step");
		u->modex_cb(PMIX_ERR_NOT_FOUND, NULL, 0, u->cbdata, NULL, NULL);
		upcall_free(u);
		return;
	}
	if (req_send(ms, idx, json_pack("{s:s, s:s, s:I}", "op", "dmodex", "ns",
					ms->ns, "rank", (json_int_t)u->rank),
		     on_dmodex_reply, u) < 0) {
		u->modex_cb(PMIX_ERR_UNREACH, NULL, 0, u->cbdata, NULL, NULL);
		upcall_free(u);
	}
}

pmix_status_t up_dmodex(const pmix_proc_t *proc, const pmix_info_t info[],
			size_t ninfo, pmix_modex_cbfunc_t cbfunc, void *cbdata)
{
	struct upcall *u = upcall_new(run_dmodex, proc);

	(void)info;
	(void)ninfo;
	if (!u)
		return PMIX_ERR_NOMEM;
	u->modex_cb = cbfunc;
	u->cbdata = cbdata;
	upcall_post(u);
	return PMIX_SUCCESS;
}

/* The serving side: the library hands over the rank's data once the rank
 * has committed it (on its thread); the loop answers the peer. */
static void run_dmodex_answer(struct mpi_server *srv, struct upcall *u)
{
	struct lv_rpc_conn *conn = lv_rpc_server_find(
		fence_rpc_server(srv->fence), u->conn_id);
	char *s;

	if (conn) {
		if (u->status != PMIX_SUCCESS)
			lv_rpc_respond_error(conn, u->req_id, ENOENT, "%s",
					     PMIx_Error_string(u->status));
		else if (!(s = b64(u->data ? u->data : "", u->len)))
			lv_rpc_respond_error(conn, u->req_id, ENOMEM, "out of memory");
		else {
			lv_rpc_respond(conn, u->req_id, json_pack("{s:s}", "data", s));
			free(s);
		}
	}
	upcall_free(u);
}

static void dmodex_answer(pmix_status_t status, char *data, size_t sz,
			  void *cbdata)
{
	struct upcall *u = cbdata;

	u->status = status;
	if (status == PMIX_SUCCESS && sz && (u->data = malloc(sz))) {
		memcpy(u->data, data, sz);
		u->len = sz;
	} else if (status == PMIX_SUCCESS && sz) {
		u->status = PMIX_ERR_NOMEM;
	}
	upcall_post(u);
}

static void rpc_dmodex(struct mpi_step *ms, struct lv_rpc_conn *conn,
		       const struct lv_rpc_req *req)
{
	struct upcall *u = upcall_new(run_dmodex_answer, NULL);
	int64_t rank;
	pmix_proc_t proc;
	pmix_status_t rc;

	if (lv_json_int(req->body, "rank", 0, (int64_t)ms->map.ntasks - 1, &rank,
			NULL) < 0 || !u) {
		free(u);
		lv_rpc_respond_error(conn, req->id, EPROTO, "bad dmodex request");
		return;
	}
	u->conn_id = lv_rpc_conn_id(conn);
	u->req_id = req->id;
	PMIX_LOAD_PROCID(&proc, ms->ns, (pmix_rank_t)rank);
	if ((rc = PMIx_server_dmodex_request(&proc, dmodex_answer, u)) != PMIX_SUCCESS) {
		free(u);
		lv_rpc_respond_error(conn, req->id, ENOENT, "%s", PMIx_Error_string(rc));
	}
}

/* ---- publish / lookup / unpublish: at the step's root lvd ---- */

/* Answer to a lookup: the rank that asked here, or a peer lvd. */
static void lookup_local_done(int rc, const json_t *items, void *arg)
{
	struct upcall *u = arg;
	pmix_pdata_t *pd = NULL;
	size_t n = json_array_size(items), k = 0;

	if (rc == 0 && n) {
		PMIX_PDATA_CREATE(pd, n);
		if (!pd)
			rc = -ENOMEM;
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const json_t *it = json_array_get(items, i);
		pmix_info_t info;

		if (pubsub_decode(lv_json_str(it, "val"), &info) < 0) {
			PMIX_INFO_DESTRUCT(&info);
			continue;
		}
		PMIX_LOAD_PROCID(&pd[k].proc, u->ns,
				 (pmix_rank_t)json_integer_value(json_object_get(it, "rank")));
		PMIX_LOAD_KEY(pd[k].key, info.key);
		PMIX_VALUE_XFER_DIRECT(rc, &pd[k].value, &info.value);
		PMIX_INFO_DESTRUCT(&info);
		k++;
	}
	if (rc == 0 && !k)
		rc = -ENOENT;
	u->lookup_cb(status_of(rc), pd, k, u->cbdata);
	if (pd)
		PMIX_PDATA_FREE(pd, n);
	upcall_free(u);
}

struct remote_ctx {
	struct mpi_server *srv;
	uint64_t conn_id;
	uint32_t req_id;
};

static void lookup_remote_done(int rc, const json_t *items, void *arg)
{
	struct remote_ctx *rc_ = arg;
	struct lv_rpc_conn *conn = lv_rpc_server_find(
		fence_rpc_server(rc_->srv->fence), rc_->conn_id);

	if (conn) {
		if (rc < 0)
			lv_rpc_respond_error(conn, rc_->req_id, -rc, "%s", strerror(-rc));
		else
			lv_rpc_respond(conn, rc_->req_id,
				       json_pack("{s:O}", "items", (json_t *)items));
	}
	free(rc_);
}

static void on_op_reply(struct lv_rpc_conn *conn, int status,
			const json_t *body, const char *errtext, void *arg)
{
	struct upcall *u = arg;

	(void)conn;
	(void)body;
	if (status < 0)
		lv_debug(LV_DBG_LAUNCH, "mpi: %s: %s", u->ns,
			 errtext ? errtext : strerror(-status));
	u->op_cb(status_of(status), u->cbdata);
	upcall_free(u);
}

static void on_lookup_reply(struct lv_rpc_conn *conn, int status,
			    const json_t *body, const char *errtext, void *arg)
{
	(void)conn;
	(void)errtext;
	lookup_local_done(status, json_object_get(body, "items"), arg);
}

/* Reads PMIX_WAIT and PMIX_TIMEOUT. */
static void lookup_opts(const pmix_info_t *info, size_t n, bool *wait,
			int *timeout)
{
	size_t i;

	*wait = false;
	*timeout = 0;
	for (i = 0; i < n; i++) {
		if (PMIX_CHECK_KEY(&info[i], PMIX_WAIT))
			*wait = true;
		else if (PMIX_CHECK_KEY(&info[i], PMIX_TIMEOUT) &&
			 info[i].value.type == PMIX_INT)
			*timeout = info[i].value.data.integer;
	}
}

static json_t *keys_json(char **keys)
{
	json_t *a = json_array();

	for (; a && keys && *keys; keys++)
		json_array_append_new(a, json_string(*keys));
	return a;
}

static void run_publish(struct mpi_server *srv, struct upcall *u)
{
	struct mpi_step *ms = step_find(srv, u->ns);
	json_t *items = ms ? pubsub_encode(u->info, u->ninfo) : NULL;
	int rc;

	if (!ms || !items) {
		json_decref(items);
		u->op_cb(ms ? PMIX_ERR_NOMEM : PMIX_ERR_NOT_FOUND, u->cbdata);
		upcall_free(u);
		return;
	}
	if (ms->map.group.me == 0) {
		rc = pubsub_publish(ms, u->rank, items);
		json_decref(items);
		u->op_cb(status_of(rc), u->cbdata);
		upcall_free(u);
		return;
	}
	if (req_send(ms, 0, json_pack("{s:s, s:s, s:I, s:o}", "op", "publish",
				      "ns", ms->ns, "rank", (json_int_t)u->rank,
				      "items", items),
		     on_op_reply, u) < 0) {
		u->op_cb(PMIX_ERR_UNREACH, u->cbdata);
		upcall_free(u);
	}
}

static void run_lookup(struct mpi_server *srv, struct upcall *u)
{
	struct mpi_step *ms = step_find(srv, u->ns);
	json_t *keys = keys_json(u->keys);
	bool wait;
	int timeout;

	lookup_opts(u->info, u->ninfo, &wait, &timeout);
	if (!ms || !keys) {
		json_decref(keys);
		lookup_local_done(ms ? -ENOMEM : -ENOENT, NULL, u);
		return;
	}
	if (ms->map.group.me == 0) {
		pubsub_lookup(ms, keys, wait, timeout, lookup_local_done, u);
		json_decref(keys);
		return;
	}
	if (req_send(ms, 0, json_pack("{s:s, s:s, s:o, s:b, s:i}", "op", "lookup",
				      "ns", ms->ns, "keys", keys, "wait", wait,
				      "timeout", timeout),
		     on_lookup_reply, u) < 0)
		lookup_local_done(-EHOSTUNREACH, NULL, u);
}

static void run_unpublish(struct mpi_server *srv, struct upcall *u)
{
	struct mpi_step *ms = step_find(srv, u->ns);
	json_t *keys = u->keys ? keys_json(u->keys) : json_null();

	if (!ms || !keys) {
		json_decref(keys);
		u->op_cb(ms ? PMIX_ERR_NOMEM : PMIX_ERR_NOT_FOUND, u->cbdata);
		upcall_free(u);
		return;
	}
	if (ms->map.group.me == 0) {
		int rc = pubsub_unpublish(ms, u->rank, keys);

		json_decref(keys);
		u->op_cb(status_of(rc), u->cbdata);
		upcall_free(u);
		return;
	}
	if (req_send(ms, 0, json_pack("{s:s, s:s, s:I, s:o}", "op", "unpublish",
				      "ns", ms->ns, "rank", (json_int_t)u->rank,
				      "keys", keys),
		     on_op_reply, u) < 0) {
		u->op_cb(PMIX_ERR_UNREACH, u->cbdata);
		upcall_free(u);
	}
}

pmix_status_t up_publish(const pmix_proc_t *proc, const pmix_info_t info[],
			 size_t ninfo, pmix_op_cbfunc_t cbfunc, void *cbdata)
{
	struct upcall *u = upcall_new(run_publish, proc);

	if (!u || copy_info(u, info, ninfo) < 0) {
		upcall_free(u);
		return PMIX_ERR_NOMEM;
	}
	u->op_cb = cbfunc;
	u->cbdata = cbdata;
	upcall_post(u);
	return PMIX_SUCCESS;
}

pmix_status_t up_lookup(const pmix_proc_t *proc, char **keys,
			const pmix_info_t info[], size_t ninfo,
			pmix_lookup_cbfunc_t cbfunc, void *cbdata)
{
	struct upcall *u = upcall_new(run_lookup, proc);

	if (!u || copy_info(u, info, ninfo) < 0 || copy_keys(u, keys) < 0) {
		upcall_free(u);
		return PMIX_ERR_NOMEM;
	}
	u->lookup_cb = cbfunc;
	u->cbdata = cbdata;
	upcall_post(u);
	return PMIX_SUCCESS;
}

pmix_status_t up_unpublish(const pmix_proc_t *proc, char **keys,
			   const pmix_info_t info[], size_t ninfo,
			   pmix_op_cbfunc_t cbfunc, void *cbdata)
{
	struct upcall *u = upcall_new(run_unpublish, proc);

	(void)info;
	(void)ninfo;
	if (!u || copy_keys(u, keys) < 0) {
		upcall_free(u);
		return PMIX_ERR_NOMEM;
	}
	u->op_cb = cbfunc;
	u->cbdata = cbdata;
	upcall_post(u);
	return PMIX_SUCCESS;
}

/* ---- killing ranks ---- */

/* Here: marks the ranks as killed on purpose (their death fails nothing)
 * and asks lvd to signal them. */
static void kill_here(struct mpi_step *ms, const uint32_t *ranks, size_t n,
		      int sig, const char *why)
{
	size_t i;

	if (!ranks)
		ms->aborted = true;
	for (i = 0; ranks && i < n; i++)
		if (ranks[i] < ms->map.ntasks)
			ms->rank_state[ranks[i]] |= RANK_KILLED;
	ms->srv->hooks->kill(ms->srv->arg, ms->job_id, ms->step_id, ranks, n,
			     sig, why);
}

void requests_kill(struct mpi_step *ms, const uint32_t *ranks, size_t n,
		   int sig, const char *why)
{
	const struct nspace_map *m = &ms->map;
	size_t p, i;

	for (p = 0; p < m->group.n; p++) {
		json_t *list = json_array();
		bool any = !ranks;

		for (i = 0; ranks && list && i < n; i++)
			if (ranks[i] < m->ntasks && m->rank_proc[ranks[i]] == p) {
				json_array_append_new(list, json_integer(ranks[i]));
				any = true;
			}
		if (!any || p == m->group.me) {
			json_decref(list);
			continue;
		}
		(void)req_send(ms, p,
			       json_pack("{s:s, s:s, s:i, s:o}", "op", "kill",
					 "ns", ms->ns, "signal", sig, "ranks",
					 ranks ? list : (json_decref(list), json_null())),
			       NULL, NULL);
	}
	kill_here(ms, ranks, n, sig, why);
}

static void run_job_control(struct mpi_server *srv, struct upcall *u)
{
	struct mpi_step *ms = step_find(srv, u->ns);
	uint32_t *ranks = NULL;
	size_t i, n = 0;
	bool all = u->nprocs == 0;
	int sig = 0;

	for (i = 0; i < u->ninfo; i++) {
		if (PMIX_CHECK_KEY(&u->info[i], PMIX_JOB_CTRL_KILL) &&
		    PMIX_INFO_TRUE(&u->info[i]))
			sig = SIGKILL;
		else if (PMIX_CHECK_KEY(&u->info[i], PMIX_JOB_CTRL_SIGNAL) &&
			 u->info[i].value.type == PMIX_INT)
			sig = u->info[i].value.data.integer;
	}
	if (!ms || sig <= 0 || sig >= NSIG) {
		u->info_cb(ms ? PMIX_ERR_NOT_SUPPORTED : PMIX_ERR_NOT_FOUND, NULL, 0,
			   u->cbdata, NULL, NULL);
		upcall_free(u);
		return;
	}
	if (!all && !(ranks = calloc(u->nprocs, sizeof(*ranks)))) {
		u->info_cb(PMIX_ERR_NOMEM, NULL, 0, u->cbdata, NULL, NULL);
		upcall_free(u);
		return;
	}
	for (i = 0; i < u->nprocs; i++) {
		if (!PMIX_CHECK_NSPACE(u->procs[i].nspace, ms->ns))
			continue; /* only the requestor's own step */
		if (u->procs[i].rank == PMIX_RANK_WILDCARD)
			all = true;
		else if (u->procs[i].rank < ms->map.ntasks)
			ranks[n++] = u->procs[i].rank;
	}
	lv_log(LV_LOG_INFO, "mpi: job=%u step=%u: rank %u asks to %s %s%zu rank(s)",
	       ms->job_id, ms->step_id, (unsigned)u->rank,
	       sig == SIGKILL ? "kill" : "signal", all ? "all " : "",
	       all ? (size_t)ms->map.ntasks : n);
	if (all || n)
		requests_kill(ms, all ? NULL : ranks, all ? 0 : n, sig, NULL);
	free(ranks);
	u->info_cb(PMIX_SUCCESS, NULL, 0, u->cbdata, NULL, NULL);
	upcall_free(u);
}

pmix_status_t up_job_control(const pmix_proc_t *requestor,
			     const pmix_proc_t targets[], size_t ntargets,
			     const pmix_info_t directives[], size_t ndirs,
			     pmix_info_cbfunc_t cbfunc, void *cbdata)
{
	struct upcall *u = upcall_new(run_job_control, requestor);

	if (!u || copy_info(u, directives, ndirs) < 0) {
		upcall_free(u);
		return PMIX_ERR_NOMEM;
	}
	if (ntargets && targets) {
		PMIX_PROC_CREATE(u->procs, ntargets);
		if (!u->procs) {
			upcall_free(u);
			return PMIX_ERR_NOMEM;
		}
		u->nprocs = ntargets;
		memcpy(u->procs, targets, ntargets * sizeof(*targets));
	}
	u->info_cb = cbfunc;
	u->cbdata = cbdata;
	upcall_post(u);
	return PMIX_SUCCESS;
}

static void rpc_kill(struct mpi_step *ms, const json_t *body)
{
	const json_t *list = json_object_get(body, "ranks"), *r;
	int64_t sig = SIGKILL;
	uint32_t *ranks = NULL;
	size_t i, n = 0;

	(void)lv_json_int(body, "signal", 1, NSIG - 1, &sig, NULL);
	if (json_is_array(list) &&
	    !(ranks = calloc(json_array_size(list) + 1, sizeof(*ranks))))
		return;
	json_array_foreach(list, i, r)
		if (json_is_integer(r))
			ranks[n++] = (uint32_t)json_integer_value(r);
	kill_here(ms, json_is_array(list) ? ranks : NULL, n, (int)sig, NULL);
	free(ranks);
}

/* ---- the peer route ---- */

void requests_step_end(struct mpi_step *ms)
{
	pubsub_free(ms);
}

void pmix_server_rpc_req(struct mpi_server *srv, struct lv_rpc_conn *conn,
			 const struct lv_rpc_req *req)
{
	const char *op = lv_json_str(req->body, "op");
	const char *ns = lv_json_str(req->body, "ns");
	struct mpi_step *ms = ns ? step_find(srv, ns) : NULL;
	struct remote_ctx *ctx;
	int64_t rank = 0, timeout = 0;
	int rc;

	if (!op || !ms) {
		if (!req->is_push)
			lv_rpc_respond_error(conn, req->id, ENOENT,
					     "no such MPI step here");
		return;
	}
	(void)lv_json_int(req->body, "rank", 0, (int64_t)ms->map.ntasks - 1,
			  &rank, NULL);
	if (!strcmp(op, "kill")) {
		rpc_kill(ms, req->body);
		if (!req->is_push)
			lv_rpc_respond(conn, req->id, NULL);
		return;
	}
	if (req->is_push)
		return;
	if (!strcmp(op, "dmodex")) {
		rpc_dmodex(ms, conn, req);
	} else if (ms->map.group.me != 0) {
		lv_rpc_respond_error(conn, req->id, EINVAL,
				     "not the step's root lvd");
	} else if (!strcmp(op, "publish")) {
		rc = pubsub_publish(ms, (uint32_t)rank,
				    json_object_get(req->body, "items"));
		if (rc < 0)
			lv_rpc_respond_error(conn, req->id, -rc, "%s", strerror(-rc));
		else
			lv_rpc_respond(conn, req->id, NULL);
	} else if (!strcmp(op, "unpublish")) {
		rc = pubsub_unpublish(ms, (uint32_t)rank,
				      json_object_get(req->body, "keys"));
		if (rc < 0)
			lv_rpc_respond_error(conn, req->id, -rc, "%s", strerror(-rc));
		else
			lv_rpc_respond(conn, req->id, NULL);
	} else if (!strcmp(op, "lookup") && (ctx = calloc(1, sizeof(*ctx)))) {
		ctx->srv = srv;
		ctx->conn_id = lv_rpc_conn_id(conn);
		ctx->req_id = req->id;
		(void)lv_json_int(req->body, "timeout", 0, INT32_MAX, &timeout, NULL);
		pubsub_lookup(ms, json_object_get(req->body, "keys"),
			      json_is_true(json_object_get(req->body, "wait")),
			      (int)timeout, lookup_remote_done, ctx);
	} else {
		lv_rpc_respond_error(conn, req->id, EINVAL, "unknown MPI request");
	}
}
