/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Cross-node PMIx fences between lvd processes: each lvd sends its blob
 * to the step's root lvd (LV_MSG_MPI_FENCE), which answers every request
 * with the concatenation in node order once all have arrived. */
#include "config.h"

#include "mpi/fence.h"

#include <errno.h>
#include <nettle/base64.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/msg.h"

struct part {
	char *data;
	size_t len;
	bool have;
};

/* A peer lvd waiting for the result of a fence (its request). */
struct waiter {
	uint64_t conn_id;
	uint32_t req_id;
	struct waiter *next;
};

/* One fence being gathered at the root. */
struct coll {
	char *ns;
	uint32_t seq;
	size_t n, got;
	struct part *parts;
	struct waiter *remote;
	fence_done_f cb; /* the root's own servers, once it contributed */
	void *arg;
	struct fence *f;
	struct event *timer; /* MpiFenceTimeout */
	struct coll *next;
};

/* A message waiting for its peer connection's handshake. */
struct outmsg {
	uint16_t type;
	json_t *body;
	lv_rpc_reply_f cb; /* NULL: a push */
	void *arg;
	struct outmsg *next;
};

struct peer {
	struct fence *f;
	char *addr;
	uint16_t port;
	struct lv_rpc_conn *conn; /* NULL while not connected */
	bool ready;
	struct outmsg *queue;
	struct peer *next;
};

struct fence {
	struct event_base *base;
	struct lv_rpc_server *rpc;
	char *munge_socket;
	struct lv_rpc_endpoint ep; /* outgoing connections to peers */
	struct peer *peers;
	struct coll *colls;
	unsigned timeout_s;
	fence_group_f group_of;
	fence_fail_f fail;
	void *arg;
};

/* Contribution of a peer whose reply is pending. */
struct call_ctx {
	fence_done_f cb;
	void *arg;
};

static char *b64_encode(const char *data, size_t len)
{
	char *s = malloc(BASE64_ENCODE_RAW_LENGTH(len) + 1);

	if (!s)
		return NULL;
	base64_encode_raw(s, len, (const uint8_t *)data);
	s[BASE64_ENCODE_RAW_LENGTH(len)] = '\0';
	return s;
}

static int b64_decode(const char *s, char **out, size_t *outlen)
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

/* ---- peer connections (one cached per lvd address) ---- */

static void outmsg_fail(struct outmsg *m)
{
	if (m->cb)
		m->cb(NULL, -ECONNRESET, NULL, "connection closed", m->arg);
	json_decref(m->body);
	free(m);
}

static void peer_send(struct peer *p, struct outmsg *m)
{
	int rc;

	if (m->cb)
		rc = lv_rpc_call(p->conn, m->type, m->body, m->cb, m->arg);
	else
		rc = lv_rpc_push(p->conn, m->type, m->body);
	m->body = NULL;
	if (rc < 0 && m->cb)
		m->cb(NULL, rc, NULL, "cannot send", m->arg);
	free(m);
}

static void peer_on_ready(struct lv_rpc_conn *conn, void *arg)
{
	struct peer *p = lv_rpc_conn_get_data(conn);
	struct outmsg *m;

	(void)arg;
	if (!p)
		return;
	p->ready = true;
	while ((m = p->queue)) {
		p->queue = m->next;
		peer_send(p, m);
	}
}

static void peer_on_close(struct lv_rpc_conn *conn, const char *reason,
			  void *arg)
{
	struct peer *p = lv_rpc_conn_get_data(conn);
	struct outmsg *m;

	(void)arg;
	if (!p)
		return;
	lv_log(LV_LOG_WARNING, "mpi: connection to lvd %s:%u closed: %s",
	       p->addr, (unsigned)p->port, reason);
	p->conn = NULL;
	p->ready = false;
	while ((m = p->queue)) {
		p->queue = m->next;
		outmsg_fail(m);
	}
}

static struct peer *peer_get(struct fence *f, const char *addr, uint16_t port)
{
	struct peer *p;

	for (p = f->peers; p; p = p->next)
		if (p->port == port && !strcmp(p->addr, addr))
			return p;
	if (!(p = calloc(1, sizeof(*p))) || !(p->addr = strdup(addr))) {
		free(p);
		return NULL;
	}
	p->f = f;
	p->port = port;
	p->next = f->peers;
	f->peers = p;
	return p;
}

/* Sends (or queues until the handshake is over); takes ownership of body.
 * On failure cb (if any) is not called. */
static int peer_message(struct fence *f, const char *addr, uint16_t port,
			uint16_t type, json_t *body, lv_rpc_reply_f cb,
			void *arg)
{
	struct peer *p = peer_get(f, addr, port);
	struct lv_error err = { 0 };
	struct outmsg *m;

	if (!p || !body || !(m = calloc(1, sizeof(*m)))) {
		json_decref(body);
		return -ENOMEM;
	}
	m->type = type;
	m->body = body;
	m->cb = cb;
	m->arg = arg;
	if (p->conn && p->ready) {
		peer_send(p, m);
		return 0;
	}
	if (!p->conn) {
		if (!(p->conn = lv_rpc_connect(f->base, addr, port, &f->ep, &err))) {
			lv_log(LV_LOG_ERR, "mpi: lvd %s:%u: %s", addr,
			       (unsigned)port, err.text);
			json_decref(body);
			free(m);
			return err.code;
		}
		lv_rpc_conn_set_data(p->conn, p);
	}
	m->next = p->queue;
	p->queue = m; /* order does not matter: fences carry their seq */
	return 0;
}

/* ---- the root: gathering ---- */

static void coll_timeout(evutil_socket_t fd, short what, void *arg);

static struct coll *coll_get(struct fence *f, const char *ns, uint32_t seq,
			     size_t n)
{
	struct coll *c;

	for (c = f->colls; c; c = c->next)
		if (c->seq == seq && !strcmp(c->ns, ns))
			return c->n == n ? c : NULL;
	if (!n || !(c = calloc(1, sizeof(*c))))
		return NULL;
	if (!(c->ns = strdup(ns)) || !(c->parts = calloc(n, sizeof(*c->parts)))) {
		free(c->ns);
		free(c);
		return NULL;
	}
	c->seq = seq;
	c->n = n;
	c->f = f;
	if (f->timeout_s) {
		struct timeval tv = { (time_t)f->timeout_s, 0 };

		if (!(c->timer = evtimer_new(f->base, coll_timeout, c)) ||
		    evtimer_add(c->timer, &tv) < 0)
			lv_log(LV_LOG_WARNING, "mpi: fence %s: no timeout timer", ns);
	}
	c->next = f->colls;
	f->colls = c;
	return c;
}

static void coll_free(struct fence *f, struct coll *c)
{
	struct coll **pp;
	struct waiter *w;
	size_t i;

	for (pp = &f->colls; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	while ((w = c->remote)) {
		c->remote = w->next;
		free(w);
	}
	if (c->timer)
		event_free(c->timer);
	for (i = 0; i < c->n; i++)
		free(c->parts[i].data);
	free(c->parts);
	free(c->ns);
	free(c);
}

static char *coll_concat(const struct coll *c, size_t *len)
{
	size_t i, n = 0;
	char *buf;

	for (i = 0; i < c->n; i++)
		n += c->parts[i].len;
	if (!(buf = malloc(n ? n : 1)))
		return NULL;
	for (n = 0, i = 0; i < c->n; i++) {
		if (c->parts[i].len)
			memcpy(buf + n, c->parts[i].data, c->parts[i].len);
		n += c->parts[i].len;
	}
	*len = n;
	return buf;
}

/* Every part is in: answer the peers and the root's own server. */
static void coll_finish(struct fence *f, struct coll *c)
{
	size_t len = 0;
	char *all = coll_concat(c, &len), *b64 = all ? b64_encode(all, len) : NULL;
	struct lv_rpc_conn *conn;
	struct waiter *w;

	for (w = c->remote; w; w = w->next) {
		if (!(conn = lv_rpc_server_find(f->rpc, w->conn_id)))
			continue;
		if (b64)
			lv_rpc_respond(conn, w->req_id, json_pack("{s:s}", "data", b64));
		else
			lv_rpc_respond_error(conn, w->req_id, ENOMEM, "out of memory");
	}
	free(b64);
	if (c->cb)
		c->cb(all ? 0 : -ENOMEM, all, len, all ? NULL : "out of memory",
		      c->arg);
	else
		free(all);
	coll_free(f, c);
}

/* Stores part idx; takes ownership of data.  0, or -EINVAL/-EEXIST. */
static int coll_add(struct coll *c, size_t idx, char *data, size_t len)
{
	if (idx >= c->n)
		return -EINVAL;
	if (c->parts[idx].have)
		return -EEXIST;
	c->parts[idx].have = true;
	c->parts[idx].data = data;
	c->parts[idx].len = len;
	c->got++;
	return 0;
}

void fence_rpc(struct fence *f, struct lv_rpc_conn *conn,
	       const struct lv_rpc_req *req)
{
	const char *ns = lv_json_str(req->body, "ns");
	const char *b64 = lv_json_str(req->body, "data");
	int64_t seq, idx, n;
	struct waiter *w = NULL;
	struct coll *c = NULL;
	char *data = NULL;
	size_t len = 0;
	int rc = -EPROTO;

	if (ns && b64 &&
	    lv_json_int(req->body, "seq", 0, UINT32_MAX, &seq, NULL) == 0 &&
	    lv_json_int(req->body, "index", 1, 100000, &idx, NULL) == 0 &&
	    lv_json_int(req->body, "nparts", 2, 100000, &n, NULL) == 0 &&
	    idx < n && (rc = b64_decode(b64, &data, &len)) == 0) {
		rc = -ENOMEM;
		if ((c = coll_get(f, ns, (uint32_t)seq, (size_t)n)) &&
		    (w = calloc(1, sizeof(*w))))
			rc = coll_add(c, (size_t)idx, data, len);
	}
	if (rc < 0) {
		free(data);
		free(w);
		lv_log(LV_LOG_WARNING, "mpi: bad fence contribution from %s: %s",
		       lv_rpc_conn_peer(conn)->addr, strerror(-rc));
		lv_rpc_respond_error(conn, req->id, -rc, "bad fence contribution");
		return;
	}
	w->conn_id = lv_rpc_conn_id(conn);
	w->req_id = req->id;
	w->next = c->remote;
	c->remote = w;
	lv_debug(LV_DBG_LAUNCH, "mpi: fence %s seq=%u: part %lld of %lld",
		 ns, c->seq, (long long)idx, (long long)n);
	if (c->got == c->n)
		coll_finish(f, c);
}

/* The fence took longer than MpiFenceTimeout: every party fails, with a
 * message that names the nodes whose ranks never entered it. */
static void coll_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct coll *c = arg;
	struct fence *f = c->f;
	const struct fence_group *g = f->group_of(f->arg, c->ns);
	struct lv_rpc_conn *conn;
	struct waiter *w;
	char why[512];
	size_t i, k = 0, missing = 0;
	int len;

	(void)fd;
	(void)what;
	len = snprintf(why, sizeof(why),
		       "MPI fence timed out after %u s (MpiFenceTimeout): no ranks of node",
		       f->timeout_s);
	for (i = 0; i < c->n; i++)
		missing += !c->parts[i].have;
	for (i = 0; i < c->n && len > 0 && (size_t)len < sizeof(why) - 1; i++) {
		if (c->parts[i].have)
			continue;
		len += snprintf(why + len, sizeof(why) - (size_t)len, "%s %s",
				k++ ? (k == missing ? " and" : ",") : (missing > 1 ? "s" : ""),
				g && i < g->n && g->name ? g->name[i] : "?");
	}
	if (len > 0 && (size_t)len < sizeof(why) - 24)
		snprintf(why + len, sizeof(why) - (size_t)len, " entered it");
	lv_log(LV_LOG_ERR, "mpi: %s fence seq=%u: %s", c->ns, c->seq, why);
	for (w = c->remote; w; w = w->next)
		if ((conn = lv_rpc_server_find(f->rpc, w->conn_id)))
			lv_rpc_respond_error(conn, w->req_id, ETIMEDOUT, "%s", why);
	if (c->cb)
		c->cb(-ETIMEDOUT, NULL, 0, why, c->arg);
	f->fail(f->arg, c->ns, why);
	coll_free(f, c);
}

void fence_forget(struct fence *f, const char *ns)
{
	struct coll *c, *next;
	struct lv_rpc_conn *conn;
	struct waiter *w;

	for (c = f->colls; c; c = next) {
		next = c->next;
		if (strcmp(c->ns, ns))
			continue;
		for (w = c->remote; w; w = w->next)
			if ((conn = lv_rpc_server_find(f->rpc, w->conn_id)))
				lv_rpc_respond_error(conn, w->req_id, ECANCELED,
						     "the step ended");
		if (c->cb)
			c->cb(-ECANCELED, NULL, 0, "the step ended", c->arg);
		coll_free(f, c);
	}
}

/* ---- the other lvds: contributing ---- */

static void on_fence_reply(struct lv_rpc_conn *conn, int status,
			   const json_t *body, const char *errtext, void *arg)
{
	struct call_ctx *ctx = arg;
	const char *b64 = lv_json_str(body, "data");
	char *data = NULL;
	size_t len = 0;

	(void)conn;
	if (status == 0 && !b64)
		status = -EPROTO;
	if (status == 0)
		status = b64_decode(b64, &data, &len);
	if (status < 0)
		lv_log(LV_LOG_ERR, "mpi: fence failed at the root lvd: %s",
		       errtext ? errtext : strerror(-status));
	ctx->cb(status, data, len,
		status < 0 ? (errtext ? errtext : strerror(-status)) : NULL,
		ctx->arg);
	free(ctx);
}

int fence_contribute(struct fence *f, const struct fence_group *g,
		     const char *ns, uint32_t seq, const char *data,
		     size_t len, fence_done_f cb, void *arg)
{
	struct call_ctx *ctx;
	struct coll *c;
	char *copy, *b64;
	int rc;

	if (g->me == 0) {
		if (!(copy = malloc(len ? len : 1)))
			return -ENOMEM;
		if (len)
			memcpy(copy, data, len);
		if (!(c = coll_get(f, ns, seq, g->n)) || (rc = coll_add(c, 0, copy, len)) < 0) {
			free(copy);
			return c ? rc : -ENOMEM;
		}
		c->cb = cb;
		c->arg = arg;
		if (c->got == c->n)
			coll_finish(f, c);
		return 0;
	}
	if (!(ctx = calloc(1, sizeof(*ctx))) || !(b64 = b64_encode(data, len))) {
		free(ctx);
		return -ENOMEM;
	}
	ctx->cb = cb;
	ctx->arg = arg;
	rc = fence_peer_send(f, g, 0, LV_MSG_MPI_FENCE,
			  json_pack("{s:s, s:I, s:I, s:I, s:s}", "ns", ns, "seq",
				    (json_int_t)seq, "index", (json_int_t)g->me,
				    "nparts", (json_int_t)g->n, "data", b64),
			  on_fence_reply, ctx);
	free(b64);
	if (rc < 0)
		free(ctx);
	return rc;
}

void fence_send_abort(struct fence *f, const struct fence_group *g,
		      const char *ns, int status)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (i != g->me)
			(void)fence_peer_send(f, g, i, LV_MSG_MPI_ABORT,
					   json_pack("{s:s, s:i}", "ns", ns,
						     "status", status),
					   NULL, NULL);
}

struct lv_rpc_server *fence_rpc_server(struct fence *f)
{
	return f->rpc;
}

int fence_peer_send(struct fence *f, const struct fence_group *g, size_t idx,
		    uint16_t type, json_t *body, lv_rpc_reply_f cb, void *arg)
{
	if (idx >= g->n) {
		json_decref(body);
		return -EINVAL;
	}
	return peer_message(f, g->addr[idx], g->port[idx], type, body, cb, arg);
}

struct fence *fence_create(struct event_base *base, struct lv_rpc_server *rpc,
			   const char *munge_socket, unsigned timeout_s,
			   fence_group_f group_of, fence_fail_f fail, void *arg)
{
	struct fence *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	if (munge_socket && !(f->munge_socket = strdup(munge_socket))) {
		free(f);
		return NULL;
	}
	f->base = base;
	f->rpc = rpc;
	f->timeout_s = timeout_s;
	f->group_of = group_of;
	f->fail = fail;
	f->arg = arg;
	f->ep.munge_socket = f->munge_socket;
	f->ep.arg = f;
	f->ep.on_ready = peer_on_ready;
	f->ep.on_close = peer_on_close;
	return f;
}

void fence_destroy(struct fence *f)
{
	struct peer *p;

	if (!f)
		return;
	while ((p = f->peers)) {
		f->peers = p->next;
		if (p->conn) {
			lv_rpc_conn_set_data(p->conn, NULL);
			lv_rpc_conn_abort(p->conn, "lvd shutting down");
		}
		while (p->queue) {
			struct outmsg *m = p->queue;

			p->queue = m->next;
			outmsg_fail(m);
		}
		free(p->addr);
		free(p);
	}
	while (f->colls) {
		if (f->colls->cb)
			f->colls->cb(-ECONNRESET, NULL, 0, "lvd shutting down",
				     f->colls->arg);
		coll_free(f, f->colls);
	}
	free(f->munge_socket);
	free(f);
}
