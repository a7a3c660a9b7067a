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
	char **name; /* each process's first node, for messages */
};

/* Takes ownership of data (malloc'd, len bytes; NULL on failure); why
 * says what failed (status < 0), or is NULL. */
typedef void (*fence_done_f)(int status, char *data, size_t len,
			     const char *why, void *arg);
/* The root gave up on fence of ns (timeout): why names the nodes whose
 * part is missing (names from group g of the step, NULL when the step is
 * not known here). */
typedef const struct fence_group *(*fence_group_f)(void *arg, const char *ns);
typedef void (*fence_fail_f)(void *arg, const char *ns, const char *why);

/* NULL on ENOMEM.  munge_socket is copied; rpc (lvd's server, where peer
 * requests arrive) is borrowed.  A fence the root gathers fails after
 * timeout_s seconds (0: never): fail runs, the waiting peers get an
 * error and the root's own cb runs with -ETIMEDOUT. */
struct fence *fence_create(struct event_base *base, struct lv_rpc_server *rpc,
			   const char *munge_socket, unsigned timeout_s,
			   fence_group_f group_of, fence_fail_f fail,
			   void *arg);
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
/* Sends a message to process idx of g over the cached peer connection
 * (queued until its handshake is over); takes ownership of body.  cb NULL:
 * a push.  0, or -errno without calling cb. */
int fence_peer_send(struct fence *f, const struct fence_group *g, size_t idx,
		    uint16_t type, json_t *body, lv_rpc_reply_f cb, void *arg);
/* lvd's server, where peer connections are found by id. */
struct lv_rpc_server *fence_rpc_server(struct fence *f);
/* Tells every other lvd of the group that ns aborted with status. */
void fence_send_abort(struct fence *f, const struct fence_group *g,
		      const char *ns, int status);

#endif
