/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Cross-node PMIx fences, lvd to lvd (docs/mpi.md): the lvd of a step's
 * first node gathers every lvd's blob and answers each with the
 * concatenation, in node order. */
#ifndef LV_MPI_FENCE_H
#define LV_MPI_FENCE_H

#include <event2/event.h>
#include <stddef.h>
#include <stdint.h>

#include "common/rpc.h"

struct fence;

/* The lvd processes a step spans, in node order (simulated nodes served by
 * one process count once); me is this process, 0 is the root. */
struct fence_group {
	size_t n, me;
	char **addr;
	uint16_t *port;
};

/* Takes ownership of data (malloc'd, len bytes; NULL on failure). */
typedef void (*fence_done_f)(int status, char *data, size_t len, void *arg);

/* NULL on ENOMEM.  munge_socket is copied; rpc (lvd's server, where peer
 * requests arrive) is borrowed. */
struct fence *fence_create(struct event_base *base, struct lv_rpc_server *rpc,
			   const char *munge_socket);
/* Closes the peer connections; pending fences fail.  NULL-safe. */
void fence_destroy(struct fence *f);

/* Adds this process's blob to fence seq of namespace ns; cb runs once with
 * the whole concatenation, or a -errno status (on the root it may run
 * before this returns).
 * 0, or -errno without calling cb. */
int fence_contribute(struct fence *f, const struct fence_group *g,
		     const char *ns, uint32_t seq, const char *data,
		     size_t len, fence_done_f cb, void *arg);
/* Root side of LV_MSG_MPI_FENCE. */
void fence_rpc(struct fence *f, struct lv_rpc_conn *conn,
	       const struct lv_rpc_req *req);
/* Drops the fences of ns being gathered here (its step ended): waiting
 * peers get an error, and the local cb runs with -ECANCELED. */
void fence_forget(struct fence *f, const char *ns);
/* Tells every other lvd of the group that ns aborted with status. */
void fence_send_abort(struct fence *f, const struct fence_group *g,
		      const char *ns, int status);

#endif
