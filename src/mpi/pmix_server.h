/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lvd's PMIx server: direct launch of MPI ranks by lvd (docs/mpi.md).
 * One server per lvd process, serving every node that process serves. */
#ifndef LV_MPI_PMIX_SERVER_H
#define LV_MPI_PMIX_SERVER_H

#include <event2/event.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "common/rpc.h"

struct mpi_server;
struct mpi_step;

/* What the server needs from lvd. */
struct mpi_hooks {
	/* A rank of job.step called PMIx_Abort (or a peer lvd said one did):
	 * kill the step's tasks here and report them with exit code status. */
	void (*abort)(void *arg, uint32_t job_id, uint32_t step_id, int status);
	/* Send sig to the step's ranks listed (ranks NULL: all of them) that
	 * run here; why, when not NULL, goes to the step's stderr (one line,
	 * ending in a newline). */
	void (*kill)(void *arg, uint32_t job_id, uint32_t step_id,
		     const uint32_t *ranks, size_t n, int sig, const char *why);
};

/* Starts the PMIx server library (once per process).  tmpdir: a private
 * directory to create for its rendezvous files (emptied first), NULL or
 * too long for a socket path: /tmp/lvd-pmix.<uid>.<lvd's port>.
 * rpc (lvd's server), hooks and arg are borrowed.  NULL with err set. */
struct mpi_server *pmix_server_create(struct event_base *base,
				      struct lv_rpc_server *rpc,
				      const char *tmpdir,
				      const char *munge_socket,
				      unsigned fence_timeout_s,
				      const struct mpi_hooks *hooks, void *arg,
				      struct lv_error *err);
/* Finalizes the library and removes the tmpdir.  NULL-safe. */
void pmix_server_destroy(struct mpi_server *srv);

/* The step's namespace "lv.<job>.<step>" from the launch credential's
 * payload (proto 05), registered at the first call and referenced by the
 * later ones (several simulated nodes of one lvd).  state_dir: where the
 * per-step directory goes (NULL: the server's tmpdir).  Returns a
 * reference the caller drops with pmix_step_put; NULL with err set. */
struct mpi_step *pmix_step_get(struct mpi_server *srv, const json_t *cred,
			       const char *state_dir, struct lv_error *err);
/* Drops a reference; the last one deregisters the namespace and removes
 * the step's directories (vader segments included).  NULL-safe. */
void pmix_step_put(struct mpi_step *ms);

/* Registers rank as a client and returns in *extra the "K=V" strings its
 * environment needs (PMIX_*, FLUX_JOB_ID, OMPI_MCA_*), NULL-terminated,
 * freed by the caller with pmix_env_free.  user_env (the task's
 * requested environment, an object) keeps variables the user set. */
int pmix_step_client_env(struct mpi_step *ms, uint32_t rank,
			 const json_t *user_env, char ***extra,
			 struct lv_error *err);
void pmix_env_free(char **env);

/* A local rank ended with wait status status.  A rank that had called
 * PMIx_Init but not PMIx_Finalize (it crashed, or returned early) fails
 * the step: every lvd kills its ranks and the reason goes to the step's
 * stderr.  node: this node's name, for the message. */
void pmix_step_task_exit(struct mpi_step *ms, uint32_t rank, int status,
			 const char *node);

/* lvd routes for peer lvds (LV_ROLE_DAEMON): a fence contribution sent to
 * the step's root lvd, and an abort notice. */
void pmix_server_rpc_fence(struct mpi_server *srv, struct lv_rpc_conn *conn,
			   const struct lv_rpc_req *req);
void pmix_server_rpc_abort(struct mpi_server *srv, struct lv_rpc_conn *conn,
			   const struct lv_rpc_req *req);
/* LV_MSG_MPI_REQ from a peer lvd: "dmodex", "publish", "lookup",
 * "unpublish", "kill" (docs/mpi.md). */
void pmix_server_rpc_req(struct mpi_server *srv, struct lv_rpc_conn *conn,
			 const struct lv_rpc_req *req);

#endif
