/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lvd's PMIx server: registers each MPI step's namespace and ranks with
 * the PMIx server library, gives the ranks their environment, and serves
 * the library's upcalls (fence, abort) on lvd's event loop. */
#include "config.h"

#include "mpi/pmix_server.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pmix.h>
#include <pmix_server.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/msg.h"
#include "mpi/fence.h"
#include "mpi/nspace.h"
#include "mpi/server_priv.h"

struct mpi_server *mpi_the_server;

/* LeakSanitizer (--enable-sanitizers) reads this: libpmix keeps caches
 * it never frees, even after PMIx_server_finalize, and so does libbsd's
 * group_from_gid, which one of its plugins calls. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libpmix.so\nleak:libbsd.so\n";
}

/* ---- waiting for the library's callbacks ---- */

struct sync_op {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
	pmix_status_t status;
};

static void sync_op_cb(pmix_status_t status, void *cbdata)
{
	struct sync_op *op = cbdata;

	pthread_mutex_lock(&op->lock);
	op->status = status;
	op->done = true;
	pthread_cond_signal(&op->cond);
	pthread_mutex_unlock(&op->lock);
}

static pmix_status_t sync_op_wait(struct sync_op *op, pmix_status_t rc)
{
	if (rc == PMIX_OPERATION_SUCCEEDED)
		rc = PMIX_SUCCESS;
	else if (rc == PMIX_SUCCESS) {
		pthread_mutex_lock(&op->lock);
		while (!op->done)
			pthread_cond_wait(&op->cond, &op->lock);
		rc = op->status;
		pthread_mutex_unlock(&op->lock);
	}
	pthread_mutex_destroy(&op->lock);
	pthread_cond_destroy(&op->cond);
	return rc;
}

#define SYNC_OP_INIT                                                         \
	{                                                                    \
		PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, \
			PMIX_SUCCESS                                         \
	}

/* ---- directories ---- */

static int rm_entry(const char *path, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	(void)remove(path);
	return 0;
}

static void rm_rf(const char *path)
{
	if (path)
		(void)nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- upcalls: queued on the progress thread, run on the loop ---- */

void upcall_post(struct upcall *u)
{
	struct mpi_server *srv = mpi_the_server;
	char c = 0;

	pthread_mutex_lock(&srv->lock);
	if (srv->tail)
		srv->tail->next = u;
	else
		srv->head = u;
	srv->tail = u;
	pthread_mutex_unlock(&srv->lock);
	(void)!write(srv->pipe[1], &c, 1);
}

void upcall_free(struct upcall *u)
{
	char **k;

	if (!u)
		return;
	free(u->data);
	if (u->info)
		PMIX_INFO_FREE(u->info, u->ninfo);
	for (k = u->keys; k && *k; k++)
		free(*k);
	free(u->keys);
	if (u->procs)
		PMIX_PROC_FREE(u->procs, u->nprocs);
	free(u);
}

/* PMIx_Init and PMIx_Finalize of a local rank: recorded on the loop, so
 * that a rank's exit is judged after its finalize (upcall_post runs
 * before the library answers the rank, hence before it can exit). */
static void run_rank_state(struct mpi_server *srv, struct upcall *u)
{
	struct mpi_step *ms = step_find(srv, u->ns);

	if (ms && u->rank < ms->map.ntasks)
		ms->rank_state[u->rank] |= (unsigned char)u->status;
	lv_debug(LV_DBG_LAUNCH, "mpi: %s rank=%u %s", u->ns, (unsigned)u->rank,
		 u->status == RANK_CONNECTED ? "connected" : "finalized");
	upcall_free(u);
}

static pmix_status_t rank_state_post(const pmix_proc_t *proc, int state)
{
	struct upcall *u = calloc(1, sizeof(*u));

	if (!u)
		return PMIX_ERR_NOMEM;
	u->run = run_rank_state;
	PMIX_LOAD_NSPACE(u->ns, proc->nspace);
	u->rank = proc->rank;
	u->status = state;
	upcall_post(u);
	return PMIX_OPERATION_SUCCEEDED;
}

static pmix_status_t up_connected(const pmix_proc_t *proc, void *server_object,
				  pmix_op_cbfunc_t cbfunc, void *cbdata)
{
	(void)server_object;
	(void)cbfunc;
	(void)cbdata;
	return rank_state_post(proc, RANK_CONNECTED);
}

static pmix_status_t up_finalized(const pmix_proc_t *proc, void *server_object,
				  pmix_op_cbfunc_t cbfunc, void *cbdata)
{
	(void)server_object;
	(void)cbfunc;
	(void)cbdata;
	return rank_state_post(proc, RANK_FINALIZED);
}

static void run_fence(struct mpi_server *srv, struct upcall *u);
static void run_abort(struct mpi_server *srv, struct upcall *u);

static pmix_status_t up_abort(const pmix_proc_t *proc, void *server_object,
			      int status, const char msg[], pmix_proc_t procs[],
			      size_t nprocs, pmix_op_cbfunc_t cbfunc, void *cbdata)
{
	struct upcall *u = calloc(1, sizeof(*u));

	(void)server_object;
	(void)msg;
	(void)procs;
	(void)nprocs;
	if (!u)
		return PMIX_ERR_NOMEM;
	u->run = run_abort;
	PMIX_LOAD_NSPACE(u->ns, proc->nspace);
	u->status = status;
	u->op_cb = cbfunc;
	u->cbdata = cbdata;
	upcall_post(u);
	return PMIX_SUCCESS;
}

static pmix_status_t up_fence(const pmix_proc_t procs[], size_t nprocs,
			      const pmix_info_t info[], size_t ninfo,
			      char *data, size_t ndata,
			      pmix_modex_cbfunc_t cbfunc, void *cbdata)
{
	struct upcall *u = calloc(1, sizeof(*u));

	(void)info;
	(void)ninfo;
	if (!u || !nprocs || !(u->data = malloc(ndata ? ndata : 1))) {
		free(u);
		return PMIX_ERR_NOMEM;
	}
	if (ndata)
		memcpy(u->data, data, ndata);
	clock_gettime(CLOCK_MONOTONIC, &u->start);
	u->run = run_fence;
	u->len = ndata;
	PMIX_LOAD_NSPACE(u->ns, procs[0].nspace);
	u->modex_cb = cbfunc;
	u->cbdata = cbdata;
	upcall_post(u);
	return PMIX_SUCCESS;
}

static pmix_server_module_t module = {
	.client_connected = up_connected,
	.client_finalized = up_finalized,
	.abort = up_abort,
	.fence_nb = up_fence,
	.direct_modex = up_dmodex,
	.publish = up_publish,
	.lookup = up_lookup,
	.unpublish = up_unpublish,
	.job_control = up_job_control,
};

struct mpi_step *step_find(struct mpi_server *srv, const char *ns)
{
	struct mpi_step *ms;

	for (ms = srv->steps; ms; ms = ms->next)
		if (!strcmp(ms->ns, ns))
			return ms;
	return NULL;
}

static void release_data(void *cbdata)
{
	free(cbdata);
}

/* The step ends before its fence does: the server gets its answer now,
 * while the namespace is still registered; the fence's own end later
 * only frees u. */
static void fences_cancel(struct mpi_step *ms)
{
	struct upcall *u;

	fence_forget(ms->srv->fence, ms->ns);
	while ((u = ms->pending)) {
		ms->pending = u->pending_next;
		u->ms = NULL;
		u->modex_cb(PMIX_ERR_TIMEOUT, NULL, 0, u->cbdata, NULL, NULL);
	}
}

static void fence_done(int status, char *data, size_t len, const char *why,
		       void *arg)
{
	struct upcall *u = arg, **pp;
	struct timespec now;

	if (!u->ms) {
		free(data);
		free(u);
		return;
	}
	for (pp = &u->ms->pending; *pp; pp = &(*pp)->pending_next)
		if (*pp == u) {
			*pp = u->pending_next;
			break;
		}

	clock_gettime(CLOCK_MONOTONIC, &now);
	lv_debug(LV_DBG_LAUNCH, "mpi: %s fence seq=%u done: %zu byte(s) in %.0f us",
		 u->ns, u->seq, len,
		 (double)(now.tv_sec - u->start.tv_sec) * 1e6 +
			 (double)(now.tv_nsec - u->start.tv_nsec) / 1e3);

	if (status < 0) {
		free(data);
		lv_log(LV_LOG_ERR, "mpi: %s fence seq=%u failed: %s", u->ns,
		       u->seq, why ? why : strerror(-status));
		u->modex_cb(status == -ETIMEDOUT ? PMIX_ERR_TIMEOUT : PMIX_ERROR,
			    NULL, 0, u->cbdata, NULL, NULL);
	} else {
		u->modex_cb(PMIX_SUCCESS, data, len, u->cbdata, release_data,
			    data);
	}
	free(u);
}

static void run_fence(struct mpi_server *srv, struct upcall *u)
{
	struct mpi_step *ms = step_find(srv, u->ns);
	char *data;
	int rc;

	if (!ms) {
		lv_log(LV_LOG_ERR, "mpi: fence for unknown namespace %s", u->ns);
		u->modex_cb(PMIX_ERR_NOT_FOUND, NULL, 0, u->cbdata, NULL, NULL);
		free(u->data);
		free(u);
		return;
	}
	lv_debug(LV_DBG_LAUNCH, "mpi: %s fence seq=%u: %zu byte(s) from lvd %zu of %zu",
		 ms->ns, ms->fence_seq, u->len, ms->map.group.me, ms->map.group.n);
	u->seq = ms->fence_seq++;
	u->ms = ms;
	u->pending_next = ms->pending;
	ms->pending = u;
	data = u->data;
	u->data = NULL;
	/* On the root, cb may run (and free u) before this returns. */
	rc = fence_contribute(srv->fence, &ms->map.group, ms->ns, u->seq, data,
			      u->len, fence_done, u);
	free(data);
	if (rc < 0) {
		ms->pending = u->pending_next;
		lv_log(LV_LOG_ERR, "mpi: %s fence: %s", ms->ns, strerror(-rc));
		u->modex_cb(PMIX_ERROR, NULL, 0, u->cbdata, NULL, NULL);
		free(u);
	}
}

/* Kills the step here, once; tells the other lvds when the abort is ours. */
static void step_abort(struct mpi_step *ms, int status, bool tell_peers)
{
	if (ms->aborted)
		return;
	ms->aborted = true;
	lv_log(LV_LOG_INFO, "mpi: job=%u step=%u: MPI abort, status %d",
	       ms->job_id, ms->step_id, status);
	ms->srv->hooks->abort(ms->srv->arg, ms->job_id, ms->step_id, status);
	if (tell_peers)
		fence_send_abort(ms->srv->fence, &ms->map.group, ms->ns, status);
}

static void run_abort(struct mpi_server *srv, struct upcall *u)
{
	struct mpi_step *ms = step_find(srv, u->ns);

	if (ms)
		step_abort(ms, u->status, true);
	if (u->op_cb)
		u->op_cb(PMIX_SUCCESS, u->cbdata);
	free(u);
}

void step_fail(struct mpi_step *ms, const char *why)
{
	char line[640];

	if (ms->aborted)
		return;
	ms->aborted = true;
	lv_log(LV_LOG_ERR, "mpi: job=%u step=%u failed: %s", ms->job_id,
	       ms->step_id, why);
	snprintf(line, sizeof(line), "lvd: error: step %u.%u: %s\n", ms->job_id,
		 ms->step_id, why);
	requests_kill(ms, NULL, 0, SIGKILL, line);
}

/* The root's fence timed out (fence.c): the whole step fails. */
static void on_fence_fail(void *arg, const char *ns, const char *why)
{
	struct mpi_step *ms = step_find(arg, ns);

	if (ms)
		step_fail(ms, why);
}

static const struct fence_group *group_of(void *arg, const char *ns)
{
	struct mpi_step *ms = step_find(arg, ns);

	return ms ? &ms->map.group : NULL;
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
	struct mpi_server *srv = arg;
	struct upcall *u, *next;
	char buf[64];

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&srv->lock);
	u = srv->head;
	srv->head = srv->tail = NULL;
	pthread_mutex_unlock(&srv->lock);
	for (; u; u = next) {
		next = u->next;
		u->next = NULL;
		u->run(srv, u);
	}
}

void pmix_step_task_exit(struct mpi_step *ms, uint32_t rank, int status,
			 const char *node)
{
	char why[256], how[64];

	/* A finalize the library already reported may still sit in the
	 * queue: take it in before judging. */
	on_wake(ms->srv->pipe[0], EV_READ, ms->srv);
	if (rank >= ms->map.ntasks || ms->aborted ||
	    (ms->rank_state[rank] & (RANK_FINALIZED | RANK_KILLED)) ||
	    !(ms->rank_state[rank] & RANK_CONNECTED))
		return;
	if (WIFSIGNALED(status))
		snprintf(how, sizeof(how), "was killed by signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(how, sizeof(how), "exited with code %d",
			 WEXITSTATUS(status));
	snprintf(why, sizeof(why),
		 "%s: MPI rank %u %s before MPI_Finalize: the other ranks are killed",
		 node ? node : "?", rank, how);
	step_fail(ms, why);
}

void pmix_server_rpc_fence(struct mpi_server *srv, struct lv_rpc_conn *conn,
			   const struct lv_rpc_req *req)
{
	fence_rpc(srv->fence, conn, req);
}

void pmix_server_rpc_abort(struct mpi_server *srv, struct lv_rpc_conn *conn,
			   const struct lv_rpc_req *req)
{
	const char *ns = lv_json_str(req->body, "ns");
	struct mpi_step *ms = ns ? step_find(srv, ns) : NULL;
	int64_t status = 1;

	(void)lv_json_int(req->body, "status", INT32_MIN, INT32_MAX, &status, NULL);
	if (ms)
		step_abort(ms, (int)status, false);
	if (!req->is_push)
		lv_rpc_respond(conn, req->id, NULL);
}

/* ---- the server ---- */

static int make_tmpdir(struct mpi_server *srv, const char *want,
		       uint16_t port, struct lv_error *err)
{
	char alt[64];

	/* PMIx puts unix sockets there ("pmix-<pid>", "pmix.<host>.tool"):
	 * sun_path holds 107 bytes.  The fallback is named after our port,
	 * which no other live lvd holds, so a killed lvd's leftovers are
	 * removed by the next one on that port. */
	if (!want || strlen(want) > 80) {
		snprintf(alt, sizeof(alt), "/tmp/lvd-pmix.%u.%u",
			 (unsigned)geteuid(), (unsigned)port);
		want = alt;
	}
	rm_rf(want); /* a previous lvd's leftovers */
	if (mkdir(want, 0755) < 0)
		return lv_errorf(err, -errno, "mpi: mkdir %s: %s", want,
				 strerror(errno));
	(void)chmod(want, 0755); /* ranks of other users connect there */
	if (!(srv->tmpdir = strdup(want))) {
		rmdir(want);
		return lv_errorf(err, -ENOMEM, "out of memory");
	}
	return 0;
}

static int server_init(struct mpi_server *srv, struct lv_error *err)
{
	pmix_info_t info[2];
	pmix_status_t rc;

	/* Deterministic security: munge is tried first otherwise, and the
	 * ranks inherit our choice (RECIPES §1). */
	setenv("PMIX_MCA_psec", "native", 1);
	/* ds12 (the dstore for PMIx 1.2 clients) keeps one lock for all
	 * namespaces that only lvd's uid may open: ranks of other users log
	 * a "PMIX ERROR" from gds_ds12_lock_pthread.c.  ds21 and hash serve
	 * every client of this library. */
	setenv("PMIX_MCA_gds", "^ds12", 0);
	PMIX_INFO_LOAD(&info[0], PMIX_SERVER_TMPDIR, srv->tmpdir, PMIX_STRING);
	PMIX_INFO_LOAD(&info[1], PMIX_SYSTEM_TMPDIR, srv->tmpdir, PMIX_STRING);
	rc = PMIx_server_init(&module, info, 2);
	PMIX_INFO_DESTRUCT(&info[0]);
	PMIX_INFO_DESTRUCT(&info[1]);
	if (rc != PMIX_SUCCESS)
		return lv_errorf(err, -EIO, "mpi: PMIx_server_init: %s",
				 PMIx_Error_string(rc));
	srv->initialized = true;
	return 0;
}

struct mpi_server *pmix_server_create(struct event_base *base,
				      struct lv_rpc_server *rpc,
				      const char *tmpdir,
				      const char *munge_socket,
				      unsigned fence_timeout_s,
				      const struct mpi_hooks *hooks, void *arg,
				      struct lv_error *err)
{
	struct mpi_server *srv;

	if (mpi_the_server) {
		lv_errorf(err, -EBUSY, "mpi: the PMIx server already runs");
		return NULL;
	}
	if (!(srv = calloc(1, sizeof(*srv)))) {
		lv_errorf(err, -ENOMEM, "out of memory");
		return NULL;
	}
	srv->base = base;
	srv->hooks = hooks;
	srv->arg = arg;
	srv->pipe[0] = srv->pipe[1] = -1;
	pthread_mutex_init(&srv->lock, NULL);
	mpi_the_server = srv;
	if (pipe2(srv->pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		lv_errorf(err, -errno, "mpi: pipe: %s", strerror(errno));
		goto out_destroy;
	}
	if (!(srv->wake = event_new(base, srv->pipe[0], EV_READ | EV_PERSIST,
				    on_wake, srv)) ||
	    event_add(srv->wake, NULL) < 0 ||
	    !(srv->fence = fence_create(base, rpc, munge_socket,
					fence_timeout_s, group_of,
					on_fence_fail, srv))) {
		lv_errorf(err, -ENOMEM, "out of memory");
		goto out_destroy;
	}
	if (make_tmpdir(srv, tmpdir, lv_rpc_server_port(rpc), err) < 0 || server_init(srv, err) < 0)
		goto out_destroy;
	lv_log(LV_LOG_INFO, "mpi: PMIx %s server in %s", PMIx_Get_version(),
	       srv->tmpdir);
	return srv;
out_destroy:
	pmix_server_destroy(srv);
	return NULL;
}

void pmix_server_destroy(struct mpi_server *srv)
{
	struct upcall *u;

	if (!srv)
		return;
	while (srv->steps) {
		srv->steps->refs = 1;
		pmix_step_put(srv->steps);
	}
	if (srv->initialized)
		PMIx_server_finalize();
	fence_destroy(srv->fence);
	while ((u = srv->head)) {
		srv->head = u->next;
		upcall_free(u);
	}
	if (srv->wake)
		event_free(srv->wake);
	if (srv->pipe[0] >= 0) {
		close(srv->pipe[0]);
		close(srv->pipe[1]);
	}
	rm_rf(srv->tmpdir);
	free(srv->tmpdir);
	pthread_mutex_destroy(&srv->lock);
	if (mpi_the_server == srv)
		mpi_the_server = NULL;
	free(srv);
}

/* ---- steps ---- */

static int step_dir(struct mpi_step *ms, const char *state_dir,
		    struct lv_error *err)
{
	if (asprintf(&ms->dir, "%s/%s", state_dir ? state_dir : ms->srv->tmpdir,
		     ms->ns) < 0) {
		ms->dir = NULL;
		return lv_errorf(err, -ENOMEM, "out of memory");
	}
	rm_rf(ms->dir); /* an earlier lvd's, for a step id never reused */
	if (mkdir(ms->dir, 0700) < 0 || chown(ms->dir, ms->uid, ms->gid) < 0)
		return lv_errorf(err, -errno, "mpi: %s: %s", ms->dir, strerror(errno));
	return 0;
}

static int step_register(struct mpi_step *ms, const json_t *cred,
			 struct lv_error *err)
{
	struct sync_op op = SYNC_OP_INIT;
	struct nspace_info in = { 0 };
	pmix_status_t rc;

	if (nspace_info(&ms->map, cred, ms->ns, ms->dir, ms->uid, ms->gid, &in,
			err) < 0) {
		nspace_info_free(&in);
		return err->code;
	}
	rc = sync_op_wait(&op, PMIx_server_register_nspace(ms->ns, (int)in.nlocal,
							   in.v, in.n,
							   sync_op_cb, &op));
	nspace_info_free(&in);
	if (rc != PMIX_SUCCESS)
		return lv_errorf(err, -EIO, "mpi: register namespace %s: %s",
				 ms->ns, PMIx_Error_string(rc));
	return 0;
}

/* Counts the library's answers to several requests in flight. */
struct sync_count {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int pending;
	pmix_status_t status;
};

static void sync_count_cb(pmix_status_t status, void *cbdata)
{
	struct sync_count *c = cbdata;

	pthread_mutex_lock(&c->lock);
	if (status != PMIX_SUCCESS && c->status == PMIX_SUCCESS)
		c->status = status;
	c->pending--;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

/* Every local rank at once, before any starts: one wait for all, and
 * none behind the connections of ranks already running (under load the
 * library's thread is slow to get to them, and lvd's loop waits). */
static int register_clients(struct mpi_step *ms, struct lv_error *err)
{
	struct sync_count c = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
				0, PMIX_SUCCESS };
	pmix_status_t rc = PMIX_SUCCESS;
	pmix_proc_t proc;
	uint32_t r;

	for (r = 0; r < ms->map.ntasks && c.status == PMIX_SUCCESS; r++) {
		if (ms->map.rank_proc[r] != ms->map.group.me)
			continue;
		PMIX_LOAD_PROCID(&proc, ms->ns, r);
		pthread_mutex_lock(&c.lock);
		c.pending++;
		pthread_mutex_unlock(&c.lock);
		rc = PMIx_server_register_client(&proc, ms->uid, ms->gid, ms,
						 sync_count_cb, &c);
		if (rc != PMIX_SUCCESS) { /* no callback comes */
			pthread_mutex_lock(&c.lock);
			c.pending--;
			if (rc != PMIX_OPERATION_SUCCEEDED && c.status == PMIX_SUCCESS)
				c.status = rc;
			pthread_mutex_unlock(&c.lock);
		}
	}
	pthread_mutex_lock(&c.lock);
	while (c.pending)
		pthread_cond_wait(&c.cond, &c.lock);
	rc = c.status;
	pthread_mutex_unlock(&c.lock);
	pthread_mutex_destroy(&c.lock);
	pthread_cond_destroy(&c.cond);
	if (rc != PMIX_SUCCESS)
		return lv_errorf(err, -EIO, "mpi: %s: register the ranks: %s", ms->ns,
				 PMIx_Error_string(rc));
	return 0;
}

static void step_unregister(struct mpi_step *ms)
{
	struct sync_op op = SYNC_OP_INIT;

	PMIx_server_deregister_nspace(ms->ns, sync_op_cb, &op);
	(void)sync_op_wait(&op, PMIX_SUCCESS);
}

static void step_free(struct mpi_step *ms)
{
	if (!ms)
		return;
	rm_rf(ms->dir);
	free(ms->dir);
	free(ms->rank_state);
	nspace_map_free(&ms->map);
	free(ms);
}

struct mpi_step *pmix_step_get(struct mpi_server *srv, const json_t *cred,
			       const char *state_dir, struct lv_error *err)
{
	uint32_t job = (uint32_t)json_integer_value(json_object_get(cred, "job_id"));
	uint32_t step = (uint32_t)json_integer_value(json_object_get(cred, "step_id"));
	size_t node = (size_t)json_integer_value(json_object_get(cred, "node_index"));
	char ns[PMIX_MAX_NSLEN + 1];
	struct mpi_step *ms;

	snprintf(ns, sizeof(ns), "lv.%u.%u", job, step);
	if ((ms = step_find(srv, ns))) {
		ms->refs++;
		return ms;
	}
	if (!(ms = calloc(1, sizeof(*ms)))) {
		lv_errorf(err, -ENOMEM, "out of memory");
		return NULL;
	}
	ms->srv = srv;
	memcpy(ms->ns, ns, sizeof(ns));
	ms->job_id = job;
	ms->step_id = step;
	ms->uid = (uid_t)json_integer_value(json_object_get(cred, "uid"));
	ms->gid = (gid_t)json_integer_value(json_object_get(cred, "gid"));
	ms->refs = 1;
	if (nspace_map_create(&ms->map, cred, node, err) < 0 ||
	    !(ms->rank_state = calloc(ms->map.ntasks, 1)) ||
	    step_dir(ms, state_dir, err) < 0 || step_register(ms, cred, err) < 0) {
		if (!ms->rank_state && !err->code)
			lv_errorf(err, -ENOMEM, "out of memory");
		step_free(ms);
		return NULL;
	}
	if (register_clients(ms, err) < 0) {
		step_unregister(ms);
		step_free(ms);
		return NULL;
	}
	ms->next = srv->steps;
	srv->steps = ms;
	lv_debug(LV_DBG_LAUNCH, "mpi: %s registered, lvd %zu of %zu", ms->ns,
		 ms->map.group.me, ms->map.group.n);
	return ms;
}

void pmix_step_put(struct mpi_step *ms)
{
	struct mpi_step **pp;

	if (!ms || --ms->refs > 0)
		return;
	for (pp = &ms->srv->steps; *pp; pp = &(*pp)->next)
		if (*pp == ms) {
			*pp = ms->next;
			break;
		}
	fences_cancel(ms);
	requests_step_end(ms);
	step_unregister(ms);
	step_free(ms);
}

/* ---- a rank's environment ---- */

static int env_add(char ***env, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int env_add(char ***env, const char *fmt, ...)
{
	size_t n = 0;
	char **v, *s;
	va_list ap;
	int rc;

	while ((*env)[n])
		n++;
	va_start(ap, fmt);
	rc = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -ENOMEM;
	if (!(v = realloc(*env, (n + 2) * sizeof(*v)))) {
		free(s);
		return -ENOMEM;
	}
	v[n] = s;
	v[n + 1] = NULL;
	*env = v;
	return 0;
}

/* Ranks of the step on this host: those of every lvd at our address
 * (a local cluster's lvds share one). */
static uint32_t host_ranks(const struct mpi_step *ms)
{
	const struct fence_group *g = &ms->map.group;
	uint32_t r, n = 0;

	for (r = 0; r < ms->map.ntasks; r++)
		n += !strcmp(g->addr[ms->map.rank_proc[r]], g->addr[g->me]);
	return n;
}

static bool user_sets(const json_t *user_env, const char *key)
{
	return json_object_get(user_env, key) != NULL;
}

int pmix_step_client_env(struct mpi_step *ms, uint32_t rank,
			 const json_t *user_env, char ***extra,
			 struct lv_error *err)
{
	char **env = calloc(1, sizeof(*env));
	pmix_status_t rc;
	pmix_proc_t proc;
	int erc = 0;

	if (!env)
		return lv_errorf(err, -ENOMEM, "out of memory");
	/* Registered with the step (register_clients). */
	PMIX_LOAD_PROCID(&proc, ms->ns, rank);
	rc = PMIx_server_setup_fork(&proc, &env);
	if (rc != PMIX_SUCCESS) {
		pmix_env_free(env);
		return lv_errorf(err, -EIO, "mpi: %s rank %u: %s", ms->ns, rank,
				 PMIx_Error_string(rc));
	}
	/* Open MPI 4.1 takes a PMIx direct launch only when a resource
	 * manager it knows claims it (docs/mpi.md). */
	erc |= env_add(&env, "FLUX_JOB_ID=%u.%u", ms->job_id, ms->step_id);
	/* Simulated nodes share /dev/shm: keep each step's vader segments
	 * (and Open MPI's session directory) in the step's own directory. */
	if (!user_sets(user_env, "OMPI_MCA_btl_vader_backing_directory"))
		erc |= env_add(&env, "OMPI_MCA_btl_vader_backing_directory=%s", ms->dir);
	if (!user_sets(user_env, "OMPI_MCA_orte_tmpdir_base"))
		erc |= env_add(&env, "OMPI_MCA_orte_tmpdir_base=%s", ms->dir);
	/* The default pml probes UCX first: 0.2 s per start. */
	if (!user_sets(user_env, "OMPI_MCA_pml"))
		erc |= env_add(&env, "OMPI_MCA_pml=ob1");
	/* More ranks than cores on this host: ranks that spin while they
	 * wait starve the one they wait for.  mpirun sets this too when it
	 * oversubscribes. */
	if (!user_sets(user_env, "OMPI_MCA_mpi_yield_when_idle") &&
	    host_ranks(ms) > (uint32_t)sysconf(_SC_NPROCESSORS_ONLN))
		erc |= env_add(&env, "OMPI_MCA_mpi_yield_when_idle=1");
	/* hwloc's OpenGL and OpenCL plugins pull in X11 and OpenCL libraries
	 * at every rank's start; MPI does not look at displays. */
	if (!user_sets(user_env, "HWLOC_PLUGINS_BLACKLIST"))
		erc |= env_add(&env, "HWLOC_PLUGINS_BLACKLIST=hwloc_gl,hwloc_opencl");
	if (erc) {
		pmix_env_free(env);
		return lv_errorf(err, -ENOMEM, "out of memory");
	}
	*extra = env;
	return 0;
}

void pmix_env_free(char **env)
{
	char **p;

	for (p = env; p && *p; p++)
		free(*p);
	free(env);
}
