/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Authenticated RPC over TCP on a libevent loop: request/response by id,
 * pushes, both directions (proto 01, 02). */
#ifndef LV_COMMON_RPC_H
#define LV_COMMON_RPC_H

#include <event2/event.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

struct lv_rpc_server;
struct lv_rpc_conn;

/* Who may call a route. */
enum lv_role {
	LV_ROLE_USER,   /* any authenticated caller */
	LV_ROLE_ADMIN,  /* AdminUsers/AdminGroups, root or the daemon's uid */
	LV_ROLE_DAEMON, /* root or the daemon's own uid (lvd, lvctld) */
};

/* The proven identity behind a connection. */
struct lv_rpc_peer {
	uid_t uid;
	gid_t gid;
	bool is_admin;
	bool is_daemon;
	char addr[64]; /* "127.0.0.1:41234" */
};

struct lv_rpc_req {
	uint16_t type;
	uint32_t id;
	bool is_push;      /* no response is expected */
	const json_t *body; /* borrowed, valid during the handler */
};

typedef void (*lv_rpc_handler_f)(struct lv_rpc_conn *conn,
				 const struct lv_rpc_req *req, void *arg);

struct lv_rpc_route {
	uint16_t type;
	lv_rpc_handler_f fn;
	enum lv_role role;
};

/* Reply to lv_rpc_call: status 0 with body, or -errno with errtext (the
 * peer's error text, or "connection closed" with -ECONNRESET). */
typedef void (*lv_rpc_reply_f)(struct lv_rpc_conn *conn, int status,
			       const json_t *body, const char *errtext,
			       void *arg);

/* What both ends of a connection share: the munge socket, the routes that
 * handle the peer's requests and pushes, and life-cycle callbacks. */
struct lv_rpc_endpoint {
	const char *munge_socket; /* NULL: munge's default */
	const struct lv_rpc_route *routes;
	size_t n_routes;
	void *arg; /* passed to handlers and callbacks */
	/* Decides admin rights of a proven uid/gid; NULL: root or own uid. */
	bool (*is_admin)(uid_t uid, gid_t gid, void *arg);
	/* A connection finished its handshake. */
	void (*on_ready)(struct lv_rpc_conn *conn, void *arg);
	/* A connection is closing (reason: text); its data is still set. */
	void (*on_close)(struct lv_rpc_conn *conn, const char *reason,
			 void *arg);
	size_t max_body; /* 0: LV_FRAME_MAX_BODY */
};

/* Listens on addr:port (addr NULL or "" for all addresses, port 0 for any).
 * The endpoint and its munge socket path are copied; routes and arg are
 * borrowed.  NULL with err set. */
struct lv_rpc_server *lv_rpc_server_create(struct event_base *base,
					   const char *addr, uint16_t port,
					   const struct lv_rpc_endpoint *ep,
					   struct lv_error *err);
/* Closes every connection (on_close runs) and the listener.  NULL-safe. */
void lv_rpc_server_destroy(struct lv_rpc_server *srv);
uint16_t lv_rpc_server_port(const struct lv_rpc_server *srv);
/* The connection with this id, or NULL when it has closed since. */
struct lv_rpc_conn *lv_rpc_server_find(struct lv_rpc_server *srv,
				       uint64_t conn_id);

/* Opens an outgoing connection and starts the handshake; ep->on_ready runs
 * when it is authenticated, ep->on_close if it fails or closes later.  The
 * connection is freed after on_close returns.  NULL with err set when it
 * cannot even start (no address, no munge credential). */
struct lv_rpc_conn *lv_rpc_connect(struct event_base *base, const char *host,
				   uint16_t port,
				   const struct lv_rpc_endpoint *ep,
				   struct lv_error *err);

/* Sends a response to request id.  Takes ownership of body (NULL: {}).
 * 0 or -ENOTCONN/-ENOMEM. */
int lv_rpc_respond(struct lv_rpc_conn *conn, uint32_t id, json_t *body);
/* Sends a response with data attached raw (no JSON escaping); the peer
 * finds it as a string at body[key].  Takes ownership of body. */
int lv_rpc_respond_attach(struct lv_rpc_conn *conn, uint32_t id, json_t *body,
			  const char *key, const void *data, size_t len);
/* Sends an error response; the text is for a person to read. */
int lv_rpc_respond_error(struct lv_rpc_conn *conn, uint32_t id, int code,
			 const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Sends an unsolicited message.  Takes ownership of body. */
int lv_rpc_push(struct lv_rpc_conn *conn, uint16_t type, json_t *body);
/* Sends a request; cb runs once with the reply or the failure (never
 * synchronously).  Takes ownership of body.  0, or -ENOTCONN without
 * calling cb. */
int lv_rpc_call(struct lv_rpc_conn *conn, uint16_t type, json_t *body,
		lv_rpc_reply_f cb, void *arg);

/* Closes after the pending output is written; on_close runs once. */
void lv_rpc_conn_close(struct lv_rpc_conn *conn, const char *reason);
/* Closes now, dropping unsent output (shutdown paths); on_close runs once
 * and the connection is freed before this returns unless a callback of
 * its own is running. */
void lv_rpc_conn_abort(struct lv_rpc_conn *conn, const char *reason);

const struct lv_rpc_peer *lv_rpc_conn_peer(const struct lv_rpc_conn *conn);
uint64_t lv_rpc_conn_id(const struct lv_rpc_conn *conn);
bool lv_rpc_conn_is_ready(const struct lv_rpc_conn *conn);
void lv_rpc_conn_set_data(struct lv_rpc_conn *conn, void *data);
void *lv_rpc_conn_get_data(const struct lv_rpc_conn *conn);

#endif
