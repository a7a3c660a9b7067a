/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Inside lvd's PMIx server: what pmix_server.c (library, steps, fences,
 * abort) and requests.c (direct modex, publish/lookup, job control, peer
 * requests) share.  Everything here runs on lvd's event loop, except
 * upcall_post, which the library's progress thread calls. */
#ifndef LV_MPI_SERVER_PRIV_H
#define LV_MPI_SERVER_PRIV_H

#include <pmix.h>
#include <pmix_server.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "mpi/fence.h"
#include "mpi/nspace.h"
#include "mpi/pmix_server.h"

struct mpi_server;
struct upcall;

typedef void (*upcall_run_f)(struct mpi_server *srv, struct upcall *u);

/* An upcall handed from the PMIx progress thread to lvd's loop; run
 * consumes (frees) it. */
struct upcall {
	upcall_run_f run;
	char ns[PMIX_MAX_NSLEN + 1];
	pmix_rank_t rank;
	int status;
	char *data; /* fence: our copy of the local blob; dmodex: the reply */
	size_t len;
	pmix_modex_cbfunc_t modex_cb;
	pmix_op_cbfunc_t op_cb;
	pmix_lookup_cbfunc_t lookup_cb;
	pmix_info_cbfunc_t info_cb;
	void *cbdata;
	pmix_info_t *info; /* copies of the request's info, ninfo of them */
	size_t ninfo;
	char **keys; /* NULL-terminated copy, or NULL */
	pmix_proc_t *procs;
	size_t nprocs;
	uint64_t conn_id; /* dmodex for a peer lvd: where the answer goes */
	uint32_t req_id;
	struct timespec start; /* fence: when the server handed it over */
	uint32_t seq;
	struct mpi_step *ms; /* fence in progress: its step, NULL once answered */
	struct upcall *next, *pending_next;
};

/* What a local rank did, as the server saw it. */
enum {
	RANK_CONNECTED = 1, /* PMIx_Init */
	RANK_FINALIZED = 2, /* PMIx_Finalize */
	RANK_KILLED = 4,    /* killed on purpose (job control): no failure */
};

struct pubsub;

struct mpi_step {
	struct mpi_server *srv;
	char ns[PMIX_MAX_NSLEN + 1];
	uint32_t job_id, step_id;
	uid_t uid;
	gid_t gid;
	int refs;
	uint32_t fence_seq;
	bool aborted; /* MPI_Abort, or the step failed: ranks are being killed */
	struct upcall *pending; /* fences in progress */
	struct nspace_map map; /* map.group: the step's lvd processes */
	unsigned char *rank_state; /* RANK_* of every rank (local ones used) */
	struct pubsub *pubsub;     /* the root's published keys */
	char *dir; /* per-step: vader segments, Open MPI's session dir */
	struct mpi_step *next;
};

struct mpi_server {
	struct event_base *base;
	const struct mpi_hooks *hooks;
	void *arg;
	char *tmpdir;
	bool initialized;
	struct fence *fence;
	struct mpi_step *steps;
	int pipe[2]; /* wakes the loop for upcalls */
	struct event *wake;
	pthread_mutex_t lock; /* guards head/tail: the upcall queue */
	struct upcall *head, *tail;
};

/* The one server (the library's upcalls carry no context of ours). */
extern struct mpi_server *mpi_the_server;

/* From the progress thread: queue u for the loop. */
void upcall_post(struct upcall *u);
/* Frees u and its copies. */
void upcall_free(struct upcall *u);
struct mpi_step *step_find(struct mpi_server *srv, const char *ns);
/* Ends the whole step (every lvd's ranks): why goes to the step's output
 * here (may be NULL), and in lvd's log. */
void step_fail(struct mpi_step *ms, const char *why);

/* requests.c: the library's upcalls and the peer route. */
pmix_status_t up_dmodex(const pmix_proc_t *proc, const pmix_info_t info[],
			size_t ninfo, pmix_modex_cbfunc_t cbfunc, void *cbdata);
pmix_status_t up_publish(const pmix_proc_t *proc, const pmix_info_t info[],
			 size_t ninfo, pmix_op_cbfunc_t cbfunc, void *cbdata);
pmix_status_t up_lookup(const pmix_proc_t *proc, char **keys,
			const pmix_info_t info[], size_t ninfo,
			pmix_lookup_cbfunc_t cbfunc, void *cbdata);
pmix_status_t up_unpublish(const pmix_proc_t *proc, char **keys,
			   const pmix_info_t info[], size_t ninfo,
			   pmix_op_cbfunc_t cbfunc, void *cbdata);
pmix_status_t up_job_control(const pmix_proc_t *requestor,
			     const pmix_proc_t targets[], size_t ntargets,
			     const pmix_info_t directives[], size_t ndirs,
			     pmix_info_cbfunc_t cbfunc, void *cbdata);
/* Kills ranks (NULL: all) of the step on every lvd with sig; why (may be
 * NULL) is printed once, here. */
void requests_kill(struct mpi_step *ms, const uint32_t *ranks, size_t n,
		   int sig, const char *why);
/* The step ends here: pending lookups fail, published keys go. */
void requests_step_end(struct mpi_step *ms);

#endif
