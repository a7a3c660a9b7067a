/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A blocking RPC client for the command-line programs. */
#ifndef LV_COMMON_CLIENT_H
#define LV_COMMON_CLIENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/conf.h"
#include "common/error.h"

struct lv_client;

/* Connects to host:port and authenticates with a munge credential from
 * munge_socket (NULL: munge's default).  timeout_ms bounds the connect and
 * the handshake.  NULL with err set: -ECONNREFUSED/-ETIMEDOUT when nobody
 * answers, -EACCES when the server refused our credential. */
struct lv_client *lv_client_connect(const char *host, uint16_t port,
				    const char *munge_socket, int timeout_ms,
				    struct lv_error *err);

/* Connects to the controller named in conf.  While it does not answer,
 * prints "lv: controller not responding, retrying" once to stderr (unless
 * quiet) and retries for conf->client_retry seconds
 * ($LV_CLIENT_RETRY overrides). */
struct lv_client *lv_client_connect_ctld(const struct lv_conf *conf,
					 bool quiet, struct lv_error *err);

/* Closes and frees.  NULL-safe. */
void lv_client_destroy(struct lv_client *cl);

/* Sends a request and waits up to timeout_ms (-1: forever) for its reply.
 * Takes ownership of body.  0 with *reply owned by the caller; the peer's
 * error reply returns its -code with its text in err; -ETIMEDOUT,
 * -ECONNRESET or -EPROTO otherwise.  Pushes that arrive meanwhile are
 * kept for lv_client_recv. */
int lv_client_call(struct lv_client *cl, uint16_t type, json_t *body,
		   int timeout_ms, json_t **reply, struct lv_error *err);

/* Sends a push (no reply).  Takes ownership of body. */
int lv_client_push(struct lv_client *cl, uint16_t type, json_t *body,
		   struct lv_error *err);

/* Waits up to timeout_ms (-1: forever) for the next push from the peer.
 * 0 with *type and *body (owned by the caller), -ETIMEDOUT, or an error. */
int lv_client_recv(struct lv_client *cl, uint16_t *type, json_t **body,
		   int timeout_ms, struct lv_error *err);

/* The socket, for poll() alongside other descriptors. */
int lv_client_fd(const struct lv_client *cl);
/* True when a push is already buffered (poll would not show it). */
bool lv_client_has_pending(const struct lv_client *cl);

#endif
