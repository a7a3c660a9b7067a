/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Event-loop RPC connections: framing, munge handshake, MACs, routing. */
#include "config.h"

#include "common/rpc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/auth.h"
#include "common/log.h"
#include "common/msg.h"
#include "common/wire.h"

/* Seconds a peer has to finish the handshake. */
#define HANDSHAKE_TIMEOUT 10

enum conn_state {
	CONN_WAIT_HELLO, /* server side: expecting the client's credential */
	CONN_SENT_HELLO, /* client side: expecting the server's nonce */
	CONN_READY,
	CONN_CLOSING, /* flushing the last frames, then freed */
};

struct pending_call {
	uint32_t id;
	lv_rpc_reply_f cb;
	void *arg;
	struct pending_call *next;
};

struct lv_rpc_conn {
	struct lv_rpc_endpoint ep;
	char *munge_socket; /* our copy: ep.munge_socket points here */
	struct lv_rpc_server *srv; /* NULL for outgoing connections */
	struct event_base *base;
	struct bufferevent *bev;
	uint64_t id;
	enum conn_state state;
	struct lv_mac *tx, *rx;
	uint8_t secret[LV_AUTH_SECRET_LEN]; /* client side, until the reply */
	struct lv_rpc_peer peer;
	uint32_t next_id;
	struct pending_call *calls;
	void *data;
	int busy;        /* nesting depth of callbacks running on this conn */
	bool dead;       /* closed; free when no longer busy */
	bool closed_cb;  /* on_close has run */
	struct lv_rpc_conn *prev, *next; /* server's list */
};

struct lv_rpc_server {
	struct lv_rpc_endpoint ep;
	char *munge_socket; /* our copy: ep.munge_socket points here */
	struct event_base *base;
	struct evconnlistener *listener;
	uint16_t port;
	uint64_t next_conn_id;
	struct lv_rpc_conn *conns;
};

static void conn_free(struct lv_rpc_conn *c);
static void conn_fail(struct lv_rpc_conn *c, const char *reason);

static size_t max_body(const struct lv_rpc_conn *c)
{
	return c->ep.max_body ? c->ep.max_body : LV_FRAME_MAX_BODY;
}

static void set_nodelay(evutil_socket_t fd)
{
	int one = 1;

	/* Small request/response frames: Nagle would add 40 ms stalls. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void format_addr(const struct sockaddr *sa, char *out, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		port = ntohs(in->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		port = ntohs(in6->sin6_port);
	}
	snprintf(out, len, "%s:%u", host, port);
}

/* Sends what the socket takes at once when nothing is queued before it
 * (saves a loop turn and 3 system calls a reply); the rest waits in the
 * bufferevent.  Errors are left for the bufferevent to report. */
static int write_now(struct lv_rpc_conn *c, const uint8_t *buf, size_t len)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	evutil_socket_t fd = bufferevent_getfd(c->bev);
	ssize_t n = 0;

	if (fd >= 0 && c->state != CONN_SENT_HELLO && evbuffer_get_length(out) == 0) {
		n = send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0)
			n = 0;
	}
	if ((size_t)n == len)
		return 0;
	return bufferevent_write(c->bev, buf + n, len - (size_t)n) == 0 ? 0 : -ENOMEM;
}

/* Queues one frame on the connection, with an optional attachment.
 * Takes ownership of body. */
static int send_frame_attach(struct lv_rpc_conn *c, uint16_t type,
			     uint8_t flags, uint32_t id, json_t *body,
			     const char *key, const void *data, size_t dlen)
{
	struct lv_error err = { 0 };
	uint8_t *buf;
	size_t len;
	int rc;

	if (c->dead || c->state == CONN_CLOSING) {
		json_decref(body);
		return -ENOTCONN;
	}
	rc = lv_wire_pack_attach(type, flags, id, body, key, data, dlen, c->tx,
				 &buf, &len, &err);
	json_decref(body);
	if (rc < 0) {
		lv_log(LV_LOG_ERR, "rpc: cannot send %s to %s: %s",
		       lv_msg_name(type), c->peer.addr, err.text);
		return rc;
	}
	rc = write_now(c, buf, len);
	free(buf);
	return rc;
}

static int send_frame(struct lv_rpc_conn *c, uint16_t type, uint8_t flags,
		      uint32_t id, json_t *body)
{
	return send_frame_attach(c, type, flags, id, body, NULL, NULL, 0);
}

static void run_close_cb(struct lv_rpc_conn *c, const char *reason)
{
	struct pending_call *pc;

	if (c->closed_cb)
		return;
	c->closed_cb = true;
	c->busy++;
	while ((pc = c->calls)) {
		c->calls = pc->next;
		pc->cb(c, -ECONNRESET, NULL, "connection closed", pc->arg);
		free(pc);
	}
	if (c->ep.on_close)
		c->ep.on_close(c, reason, c->ep.arg);
	c->busy--;
}

/* Marks the connection closed now; memory goes once no callback runs. */
static void conn_fail(struct lv_rpc_conn *c, const char *reason)
{
	if (c->dead)
		return;
	c->dead = true;
	lv_debug(LV_DBG_RPC, "rpc: closing %s: %s", c->peer.addr, reason);
	bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	run_close_cb(c, reason);
	if (!c->busy)
		conn_free(c);
}

static void flushed_cb(struct bufferevent *bev, void *arg)
{
	struct lv_rpc_conn *c = arg;

	(void)bev;
	conn_fail(c, "closed");
}

void lv_rpc_conn_abort(struct lv_rpc_conn *conn, const char *reason)
{
	conn_fail(conn, reason);
}

void lv_rpc_conn_close(struct lv_rpc_conn *conn, const char *reason)
{
	if (conn->dead || conn->state == CONN_CLOSING)
		return;
	conn->state = CONN_CLOSING;
	run_close_cb(conn, reason);
	bufferevent_disable(conn->bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_output(conn->bev)) == 0) {
		conn_fail(conn, reason);
		return;
	}
	bufferevent_setcb(conn->bev, NULL, flushed_cb, NULL, conn);
	bufferevent_set_timeouts(conn->bev, NULL,
				 &(struct timeval){ .tv_sec = 5 });
}

/* Refuses a peer: one error frame, then close.  The same reply for every
 * authentication failure, so that it tells an attacker nothing. */
static void refuse(struct lv_rpc_conn *c, uint16_t type, uint32_t id,
		   int code, const char *text)
{
	(void)send_frame(c, type, LV_FRAME_F_RESPONSE | LV_FRAME_F_ERROR, id,
			 lv_wire_error_body(code, text));
	lv_rpc_conn_close(c, text);
}

static bool default_is_admin(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

static int server_hello(struct lv_rpc_conn *c, const struct lv_frame_hdr *h,
			const json_t *body)
{
	uint8_t secret[LV_AUTH_SECRET_LEN], nonce[LV_AUTH_NONCE_LEN];
	char hex[2 * LV_AUTH_NONCE_LEN + 1];
	struct lv_auth_keys keys;
	struct lv_error err = { 0 };
	const char *cred;
	json_t *reply;
	int rc;

	if (h->type != LV_MSG_HELLO || (h->flags & LV_FRAME_F_RESPONSE)) {
		lv_log(LV_LOG_WARNING, "auth: refused %s: %s before authentication",
		       c->peer.addr, lv_msg_name(h->type));
		refuse(c, h->type, h->id, EACCES, "authentication failed");
		return -EACCES;
	}
	if (!(cred = lv_json_str(body, "cred"))) {
		lv_log(LV_LOG_WARNING, "auth: refused %s: hello without a credential",
		       c->peer.addr);
		refuse(c, h->type, h->id, EACCES, "authentication failed");
		return -EACCES;
	}
	if (lv_auth_cred_decode(c->ep.munge_socket, cred, &c->peer.uid,
				&c->peer.gid, secret, &err) < 0) {
		lv_log(LV_LOG_WARNING, "auth: refused %s: %s", c->peer.addr,
		       err.text);
		refuse(c, h->type, h->id, EACCES, "authentication failed");
		return -EACCES;
	}
	rc = lv_auth_nonce(nonce);
	if (rc == 0)
		rc = lv_auth_derive_keys(secret, nonce, &keys);
	explicit_bzero(secret, sizeof(secret));
	if (rc == 0 && (!(c->tx = lv_mac_create(keys.s2c)) ||
			!(c->rx = lv_mac_create(keys.c2s))))
		rc = -ENOMEM;
	explicit_bzero(&keys, sizeof(keys));
	if (rc < 0) {
		lv_log(LV_LOG_ERR, "auth: cannot set up keys for %s", c->peer.addr);
		refuse(c, h->type, h->id, EIO, "internal error");
		return rc;
	}
	c->peer.is_daemon = default_is_admin(c->peer.uid);
	c->peer.is_admin = c->peer.is_daemon ||
			   (c->ep.is_admin &&
			    c->ep.is_admin(c->peer.uid, c->peer.gid, c->ep.arg));
	lv_hex_encode(nonce, sizeof(nonce), hex);
	reply = json_pack("{s:s, s:I, s:I, s:s}", "nonce", hex, "uid",
			  (json_int_t)c->peer.uid, "gid", (json_int_t)c->peer.gid,
			  "version", PACKAGE_VERSION);
	c->state = CONN_READY;
	bufferevent_set_timeouts(c->bev, NULL, NULL);
	lv_debug(LV_DBG_AUTH, "auth: %s is uid=%u gid=%u%s", c->peer.addr,
		 (unsigned)c->peer.uid, (unsigned)c->peer.gid,
		 c->peer.is_admin ? " (admin)" : "");
	if ((rc = send_frame(c, LV_MSG_HELLO, LV_FRAME_F_RESPONSE, h->id,
			     reply)) < 0)
		return rc;
	if (c->ep.on_ready)
		c->ep.on_ready(c, c->ep.arg);
	return 0;
}

/* Client side: the server's reply carries its nonce and is the first frame
 * signed with the new keys, which proves the server could read our
 * credential (mutual authentication). */
static int client_hello(struct lv_rpc_conn *c, const struct lv_frame_hdr *h,
			const uint8_t *frame)
{
	uint8_t nonce[LV_AUTH_NONCE_LEN];
	struct lv_auth_keys keys;
	struct lv_error err = { 0 };
	json_t *body = NULL;
	const char *hex;
	char peek[256];
	size_t n;
	int rc;

	if (h->type != LV_MSG_HELLO || !(h->flags & LV_FRAME_F_RESPONSE)) {
		conn_fail(c, "server sent something other than a handshake reply");
		return -EPROTO;
	}
	if (h->flags & LV_FRAME_F_ERROR) {
		n = h->len < sizeof(peek) - 1 ? h->len : sizeof(peek) - 1;
		memcpy(peek, frame + LV_FRAME_HDR_LEN, n);
		peek[n] = '\0';
		lv_log(LV_LOG_WARNING, "auth: %s refused us: %s", c->peer.addr,
		       peek);
		conn_fail(c, "authentication refused by the server");
		return -EACCES;
	}
	/* Parse without the MAC first to learn the nonce, then verify. */
	if (!(h->flags & LV_FRAME_F_MAC) ||
	    !(body = json_loadb((const char *)frame + LV_FRAME_HDR_LEN, h->len,
				0, NULL)) ||
	    !(hex = lv_json_str(body, "nonce")) ||
	    lv_hex_decode(hex, nonce, sizeof(nonce)) < 0) {
		json_decref(body);
		conn_fail(c, "malformed handshake reply");
		return -EPROTO;
	}
	json_decref(body);
	body = NULL;
	rc = lv_auth_derive_keys(c->secret, nonce, &keys);
	explicit_bzero(c->secret, sizeof(c->secret));
	if (rc == 0 && (!(c->tx = lv_mac_create(keys.c2s)) ||
			!(c->rx = lv_mac_create(keys.s2c))))
		rc = -ENOMEM;
	explicit_bzero(&keys, sizeof(keys));
	if (rc == 0 && (rc = lv_wire_unpack(h, frame, c->rx, &body, &err)) < 0)
		lv_log(LV_LOG_WARNING, "auth: server %s failed to prove itself: %s",
		       c->peer.addr, err.text);
	json_decref(body);
	if (rc < 0) {
		conn_fail(c, "server authentication failed");
		return rc;
	}
	c->state = CONN_READY;
	c->peer.uid = 0;
	c->peer.is_daemon = true; /* the peer proved it shares the munge key */
	c->peer.is_admin = true;
	bufferevent_set_timeouts(c->bev, NULL, NULL);
	if (c->ep.on_ready)
		c->ep.on_ready(c, c->ep.arg);
	return 0;
}

static const struct lv_rpc_route *find_route(const struct lv_rpc_conn *c,
					     uint16_t type)
{
	size_t i;

	for (i = 0; i < c->ep.n_routes; i++)
		if (c->ep.routes[i].type == type)
			return &c->ep.routes[i];
	return NULL;
}

static bool role_allows(const struct lv_rpc_conn *c, enum lv_role role)
{
	switch (role) {
	case LV_ROLE_USER:
		return true;
	case LV_ROLE_ADMIN:
		return c->peer.is_admin;
	case LV_ROLE_DAEMON:
		return c->peer.is_daemon;
	}
	return false;
}

static void handle_response(struct lv_rpc_conn *c,
			    const struct lv_frame_hdr *h, const json_t *body)
{
	struct pending_call **pp, *pc;
	const char *text = NULL;
	int status = 0;

	for (pp = &c->calls; *pp && (*pp)->id != h->id; pp = &(*pp)->next)
		;
	if (!(pc = *pp)) {
		lv_debug(LV_DBG_RPC, "rpc: %s answered unknown request id=%u",
			 c->peer.addr, (unsigned)h->id);
		return;
	}
	*pp = pc->next;
	if (h->flags & LV_FRAME_F_ERROR) {
		json_int_t code = json_integer_value(json_object_get(body, "code"));
		status = code > 0 && code < 4096 ? -(int)code : -EIO;
		text = lv_json_str(body, "error");
	}
	pc->cb(c, status, body, text ? text : (status ? "error" : NULL),
	       pc->arg);
	free(pc);
}

static void handle_request(struct lv_rpc_conn *c, const struct lv_frame_hdr *h,
			   const json_t *body)
{
	const struct lv_rpc_route *r = find_route(c, h->type);
	struct lv_rpc_req req = { .type = h->type,
				  .id = h->id,
				  .is_push = (h->flags & LV_FRAME_F_PUSH) != 0,
				  .body = body };

	if (!r) {
		lv_log(LV_LOG_WARNING, "rpc: %s sent unknown message type %u",
		       c->peer.addr, (unsigned)h->type);
		if (!req.is_push)
			lv_rpc_respond_error(c, h->id, EPROTO,
					     "unknown message type %u",
					     (unsigned)h->type);
		return;
	}
	if (!role_allows(c, r->role)) {
		lv_log(LV_LOG_WARNING,
		       "rpc: permission denied: uid=%u from %s may not %s",
		       (unsigned)c->peer.uid, c->peer.addr, lv_msg_name(h->type));
		if (!req.is_push)
			lv_rpc_respond_error(c, h->id, EPERM,
					     "permission denied: %s requires %s",
					     lv_msg_name(h->type),
					     r->role == LV_ROLE_ADMIN ? "an administrator" : "a Leviathan daemon");
		return;
	}
	r->fn(c, &req, c->ep.arg);
}

/* Handles one whole frame; returns <0 when the connection must stop. */
static int process_frame(struct lv_rpc_conn *c, const struct lv_frame_hdr *h,
			 const uint8_t *frame)
{
	struct lv_error err = { 0 };
	json_t *body = NULL;

	if (c->state == CONN_SENT_HELLO)
		return client_hello(c, h, frame);
	if (c->state == CONN_WAIT_HELLO) {
		if (lv_wire_unpack(h, frame, NULL, &body, &err) < 0) {
			lv_log(LV_LOG_WARNING, "auth: refused %s: bad hello: %s",
			       c->peer.addr, err.text);
			refuse(c, LV_MSG_HELLO, h->id, EACCES,
			       "authentication failed");
			return -EPROTO;
		}
		int rc = server_hello(c, h, body);
		json_decref(body);
		return rc;
	}
	if (lv_wire_unpack(h, frame, c->rx, &body, &err) < 0) {
		lv_log(LV_LOG_WARNING, "rpc: dropping %s: %s", c->peer.addr,
		       err.text);
		conn_fail(c, err.text);
		return -EPROTO;
	}
	if (h->flags & LV_FRAME_F_RESPONSE)
		handle_response(c, h, body);
	else
		handle_request(c, h, body);
	json_decref(body);
	return 0;
}

static void read_cb(struct bufferevent *bev, void *arg)
{
	struct lv_rpc_conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct lv_error err = { 0 };
	struct lv_frame_hdr h;
	size_t need;
	uint8_t *p;
	int rc;

	c->busy++;
	while (!c->dead && c->state != CONN_CLOSING) {
		size_t avail = evbuffer_get_length(in);

		if (avail < LV_FRAME_HDR_LEN)
			break;
		p = evbuffer_pullup(in, LV_FRAME_HDR_LEN);
		rc = lv_frame_hdr_decode(p, avail, max_body(c), &h, &err);
		if (rc < 0) {
			lv_log(LV_LOG_WARNING, "rpc: dropping %s: %s",
			       c->peer.addr, err.text);
			if (c->state == CONN_WAIT_HELLO || c->state == CONN_READY)
				refuse(c, 0, 0, EPROTO, err.text);
			else
				conn_fail(c, err.text);
			break;
		}
		need = lv_frame_wire_len(&h);
		if (avail < need) {
			/* Wake up again only once the whole frame is here. */
			bufferevent_setwatermark(bev, EV_READ, need, 0);
			break;
		}
		bufferevent_setwatermark(bev, EV_READ, 0, 0);
		p = evbuffer_pullup(in, (ev_ssize_t)need);
		rc = process_frame(c, &h, p);
		if (!c->dead)
			evbuffer_drain(in, need);
		if (rc < 0)
			break;
	}
	c->busy--;
	if (c->dead && !c->busy)
		conn_free(c);
}

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct lv_rpc_conn *c = arg;
	struct lv_error err = { 0 };
	char *cred = NULL;
	json_t *body;

	(void)bev;
	if (what & BEV_EVENT_CONNECTED) {
		set_nodelay(bufferevent_getfd(c->bev));
		/* Only a daemon running as we do may read our secret. */
		if (lv_auth_cred_create_for(c->ep.munge_socket, geteuid(), &cred,
					    c->secret, &err) < 0) {
			lv_log(LV_LOG_ERR, "auth: %s", err.text);
			conn_fail(c, err.text);
			return;
		}
		body = json_pack("{s:s}", "cred", cred);
		free(cred);
		c->state = CONN_SENT_HELLO;
		if (send_frame(c, LV_MSG_HELLO, 0, 0, body) < 0)
			conn_fail(c, "cannot send handshake");
		return;
	}
	if (what & BEV_EVENT_TIMEOUT)
		conn_fail(c, c->state == CONN_READY || c->state == CONN_CLOSING
				     ? "timed out"
				     : "handshake timed out");
	else if (what & BEV_EVENT_EOF)
		conn_fail(c, "connection closed by peer");
	else if (what & BEV_EVENT_ERROR)
		conn_fail(c, evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
}

static struct lv_rpc_conn *conn_new(struct event_base *base,
				    const struct lv_rpc_endpoint *ep,
				    evutil_socket_t fd)
{
	struct lv_rpc_conn *c;
	struct timeval tv = { .tv_sec = HANDSHAKE_TIMEOUT };

	if (!(c = calloc(1, sizeof(*c))))
		return NULL;
	c->ep = *ep;
	/* The caller's configuration may be replaced (SIGHUP) while the
	 * connection lives: keep our own copy of the path. */
	if (ep->munge_socket && !(c->munge_socket = strdup(ep->munge_socket))) {
		free(c);
		return NULL;
	}
	c->ep.munge_socket = c->munge_socket;
	c->base = base;
	c->next_id = 1;
	c->bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!c->bev) {
		free(c->munge_socket);
		free(c);
		return NULL;
	}
	bufferevent_setcb(c->bev, read_cb, NULL, event_cb, c);
	bufferevent_set_timeouts(c->bev, &tv, NULL);
	return c;
}

static void conn_free(struct lv_rpc_conn *c)
{
	struct pending_call *pc;

	if (c->srv) {
		if (c->prev)
			c->prev->next = c->next;
		else
			c->srv->conns = c->next;
		if (c->next)
			c->next->prev = c->prev;
	}
	while ((pc = c->calls)) {
		c->calls = pc->next;
		free(pc);
	}
	bufferevent_free(c->bev);
	lv_mac_destroy(c->tx);
	lv_mac_destroy(c->rx);
	explicit_bzero(c->secret, sizeof(c->secret));
	free(c->munge_socket);
	free(c);
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd,
		      struct sockaddr *sa, int salen, void *arg)
{
	struct lv_rpc_server *srv = arg;
	struct lv_rpc_conn *c;

	(void)l;
	(void)salen;
	set_nodelay(fd);
	if (!(c = conn_new(srv->base, &srv->ep, fd))) {
		lv_log(LV_LOG_ERR, "rpc: out of memory accepting a connection");
		evutil_closesocket(fd);
		return;
	}
	c->srv = srv;
	c->id = ++srv->next_conn_id;
	c->state = CONN_WAIT_HELLO;
	format_addr(sa, c->peer.addr, sizeof(c->peer.addr));
	c->next = srv->conns;
	if (srv->conns)
		srv->conns->prev = c;
	srv->conns = c;
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

static void listener_error_cb(struct evconnlistener *l, void *arg)
{
	(void)l;
	(void)arg;
	/* EMFILE and friends: log and keep listening. */
	lv_log_errno(LV_LOG_ERR, "rpc: accept failed");
}

static int resolve(const char *host, uint16_t port, bool passive,
		   struct addrinfo **res, struct lv_error *err)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_STREAM };
	char portstr[8];
	int rc;

	if (passive)
		hints.ai_flags = AI_PASSIVE;
	snprintf(portstr, sizeof(portstr), "%u", (unsigned)port);
	rc = getaddrinfo(host && *host ? host : NULL, portstr, &hints, res);
	if (rc != 0)
		return lv_errorf(err, -EHOSTUNREACH, "cannot resolve %s: %s",
				 host ? host : "*", gai_strerror(rc));
	return 0;
}

struct lv_rpc_server *lv_rpc_server_create(struct event_base *base,
					   const char *addr, uint16_t port,
					   const struct lv_rpc_endpoint *ep,
					   struct lv_error *err)
{
	struct lv_rpc_server *srv;
	struct addrinfo *res = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (!(srv = calloc(1, sizeof(*srv)))) {
		lv_errorf(err, -ENOMEM, "rpc: out of memory");
		return NULL;
	}
	srv->ep = *ep;
	if (ep->munge_socket && !(srv->munge_socket = strdup(ep->munge_socket))) {
		lv_errorf(err, -ENOMEM, "rpc: out of memory");
		free(srv);
		return NULL;
	}
	srv->ep.munge_socket = srv->munge_socket;
	srv->base = base;
	if (resolve(addr, port, true, &res, err) < 0)
		goto out_free;
	srv->listener = evconnlistener_new_bind(
		base, accept_cb, srv,
		LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
		128, res->ai_addr, (int)res->ai_addrlen);
	freeaddrinfo(res);
	if (!srv->listener) {
		lv_errorf(err, -errno ? -errno : -EADDRINUSE,
			  "rpc: cannot listen on %s:%u: %s", addr ? addr : "*",
			  (unsigned)port, strerror(errno));
		goto out_free;
	}
	evconnlistener_set_error_cb(srv->listener, listener_error_cb);
	if (getsockname(evconnlistener_get_fd(srv->listener),
			(struct sockaddr *)&ss, &sl) == 0)
		srv->port = ntohs(ss.ss_family == AF_INET6
					  ? ((struct sockaddr_in6 *)&ss)->sin6_port
					  : ((struct sockaddr_in *)&ss)->sin_port);
	return srv;
out_free:
	free(srv->munge_socket);
	free(srv);
	return NULL;
}

void lv_rpc_server_destroy(struct lv_rpc_server *srv)
{
	if (!srv)
		return;
	if (srv->listener)
		evconnlistener_free(srv->listener);
	while (srv->conns) {
		struct lv_rpc_conn *c = srv->conns;

		/* Detach first so a connection still busy is not relinked. */
		srv->conns = c->next;
		if (c->next)
			c->next->prev = NULL;
		c->srv = NULL;
		c->next = c->prev = NULL;
		conn_fail(c, "server shutting down");
	}
	free(srv->munge_socket);
	free(srv);
}

uint16_t lv_rpc_server_port(const struct lv_rpc_server *srv)
{
	return srv->port;
}

struct lv_rpc_conn *lv_rpc_server_find(struct lv_rpc_server *srv,
				       uint64_t conn_id)
{
	struct lv_rpc_conn *c;

	for (c = srv->conns; c; c = c->next)
		if (c->id == conn_id)
			return c->dead || c->state == CONN_CLOSING ? NULL : c;
	return NULL;
}

struct lv_rpc_conn *lv_rpc_connect(struct event_base *base, const char *host,
				   uint16_t port,
				   const struct lv_rpc_endpoint *ep,
				   struct lv_error *err)
{
	struct lv_rpc_conn *c;
	struct addrinfo *res = NULL;

	if (resolve(host, port, false, &res, err) < 0)
		return NULL;
	if (!(c = conn_new(base, ep, -1))) {
		freeaddrinfo(res);
		lv_errorf(err, -ENOMEM, "rpc: out of memory");
		return NULL;
	}
	snprintf(c->peer.addr, sizeof(c->peer.addr), "%s:%u", host,
		 (unsigned)port);
	if (bufferevent_socket_connect(c->bev, res->ai_addr,
				       (int)res->ai_addrlen) < 0) {
		lv_errorf(err, -ECONNREFUSED, "rpc: cannot connect to %s:%u",
			  host, (unsigned)port);
		freeaddrinfo(res);
		conn_free(c);
		return NULL;
	}
	freeaddrinfo(res);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	return c;
}

int lv_rpc_respond(struct lv_rpc_conn *conn, uint32_t id, json_t *body)
{
	return send_frame(conn, 0, LV_FRAME_F_RESPONSE, id, body);
}

int lv_rpc_respond_attach(struct lv_rpc_conn *conn, uint32_t id, json_t *body,
			  const char *key, const void *data, size_t len)
{
	return send_frame_attach(conn, 0, LV_FRAME_F_RESPONSE, id, body, key,
				 data, len);
}

int lv_rpc_respond_error(struct lv_rpc_conn *conn, uint32_t id, int code,
			 const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return send_frame(conn, 0, LV_FRAME_F_RESPONSE | LV_FRAME_F_ERROR, id,
			  lv_wire_error_body(code, text));
}

int lv_rpc_push(struct lv_rpc_conn *conn, uint16_t type, json_t *body)
{
	if (conn->state != CONN_READY) {
		json_decref(body);
		return -ENOTCONN;
	}
	return send_frame(conn, type, LV_FRAME_F_PUSH, 0, body);
}

int lv_rpc_call(struct lv_rpc_conn *conn, uint16_t type, json_t *body,
		lv_rpc_reply_f cb, void *arg)
{
	struct pending_call *pc;
	uint32_t id;
	int rc;

	if (conn->state != CONN_READY || conn->dead) {
		json_decref(body);
		return -ENOTCONN;
	}
	if (!(pc = calloc(1, sizeof(*pc)))) {
		json_decref(body);
		return -ENOMEM;
	}
	id = conn->next_id++;
	if (conn->next_id == 0)
		conn->next_id = 1;
	if ((rc = send_frame(conn, type, 0, id, body)) < 0) {
		free(pc);
		return rc;
	}
	pc->id = id;
	pc->cb = cb;
	pc->arg = arg;
	pc->next = conn->calls;
	conn->calls = pc;
	return 0;
}

const struct lv_rpc_peer *lv_rpc_conn_peer(const struct lv_rpc_conn *conn)
{
	return &conn->peer;
}

uint64_t lv_rpc_conn_id(const struct lv_rpc_conn *conn)
{
	return conn->id;
}

bool lv_rpc_conn_is_ready(const struct lv_rpc_conn *conn)
{
	return conn->state == CONN_READY && !conn->dead;
}

void lv_rpc_conn_set_data(struct lv_rpc_conn *conn, void *data)
{
	conn->data = data;
}

void *lv_rpc_conn_get_data(const struct lv_rpc_conn *conn)
{
	return conn->data;
}
