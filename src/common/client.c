/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Blocking RPC client: connect, authenticate, call, receive pushes. */
#include "config.h"

#include "common/client.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/auth.h"
#include "common/frame.h"
#include "common/mac.h"
#include "common/msg.h"
#include "common/wire.h"

/* A push received while waiting for a reply. */
struct queued_push {
	uint16_t type;
	json_t *body;
	struct queued_push *next;
};

struct lv_client {
	int fd;
	struct lv_mac *tx, *rx;
	uint32_t next_id;
	uint8_t *buf; /* receive buffer */
	size_t len, cap;
	struct queued_push *head, *tail;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int remaining(int64_t deadline)
{
	int64_t left;

	if (deadline < 0)
		return -1;
	left = deadline - now_ms();
	return left < 0 ? 0 : (int)left;
}

static int connect_one(const struct addrinfo *ai, int timeout_ms)
{
	struct pollfd pfd;
	socklen_t sl = sizeof(int);
	int fd, soerr = 0, one = 1, rc;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    ai->ai_protocol);
	if (fd < 0)
		return -errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
		rc = -errno;
		close(fd);
		return rc;
	}
	pfd = (struct pollfd){ .fd = fd, .events = POLLOUT };
	rc = poll(&pfd, 1, timeout_ms);
	if (rc <= 0) {
		close(fd);
		return rc == 0 ? -ETIMEDOUT : -errno;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr) {
		close(fd);
		return soerr ? -soerr : -EIO;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* Back to blocking mode; reads below poll with deadlines. */
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	ssize_t n;

	while (len) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int send_frame(struct lv_client *cl, uint16_t type, uint8_t flags,
		      uint32_t id, json_t *body, struct lv_error *err)
{
	uint8_t *buf;
	size_t len;
	int rc;

	rc = lv_wire_pack(type, flags, id, body, cl->tx, &buf, &len, err);
	json_decref(body);
	if (rc < 0)
		return rc;
	rc = write_all(cl->fd, buf, len);
	free(buf);
	if (rc < 0)
		return lv_errorf(err, rc, "connection lost: %s", strerror(-rc));
	return 0;
}

/* Reads until one whole frame is buffered; returns its header. */
static int read_frame(struct lv_client *cl, struct lv_frame_hdr *h,
		      int64_t deadline, struct lv_error *err)
{
	struct pollfd pfd = { .fd = cl->fd, .events = POLLIN };
	ssize_t n;
	int rc;

	for (;;) {
		rc = lv_frame_hdr_decode(cl->buf, cl->len, LV_FRAME_MAX_BODY, h,
					 err);
		if (rc == 0 && cl->len >= lv_frame_wire_len(h))
			return 0;
		if (rc < 0 && rc != -EAGAIN)
			return rc;
		if (cl->cap - cl->len < 65536) {
			size_t ncap = cl->cap ? cl->cap * 2 : 65536;
			uint8_t *nb = realloc(cl->buf, ncap);

			if (!nb)
				return lv_errorf(err, -ENOMEM, "out of memory");
			cl->buf = nb;
			cl->cap = ncap;
		}
		rc = poll(&pfd, 1, remaining(deadline));
		if (rc == 0)
			return lv_errorf(err, -ETIMEDOUT, "timed out waiting for a reply");
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			return lv_errorf(err, -errno, "poll: %s", strerror(errno));
		}
		n = recv(cl->fd, cl->buf + cl->len, cl->cap - cl->len, 0);
		if (n == 0)
			return lv_errorf(err, -ECONNRESET, "connection closed by the server");
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return lv_errorf(err, -errno, "connection lost: %s",
					 strerror(errno));
		}
		cl->len += (size_t)n;
	}
}

static void consume(struct lv_client *cl, const struct lv_frame_hdr *h)
{
	size_t n = lv_frame_wire_len(h);

	memmove(cl->buf, cl->buf + n, cl->len - n);
	cl->len -= n;
}

static int error_from_body(const json_t *body, struct lv_error *err)
{
	json_int_t code = json_integer_value(json_object_get(body, "code"));
	const char *text = lv_json_str(body, "error");

	if (code <= 0 || code >= 4096)
		code = EIO;
	return lv_errorf(err, -(int)code, "%s", text ? text : strerror((int)code));
}

static int handshake(struct lv_client *cl, const char *munge_socket,
		     int64_t deadline, struct lv_error *err)
{
	uint8_t secret[LV_AUTH_SECRET_LEN], nonce[LV_AUTH_NONCE_LEN];
	struct lv_auth_keys keys;
	struct lv_frame_hdr h;
	json_t *body = NULL;
	const char *hex;
	char *cred = NULL;
	int rc;

	if ((rc = lv_auth_cred_create(munge_socket, &cred, secret, err)) < 0)
		return rc;
	rc = send_frame(cl, LV_MSG_HELLO, 0, 0, json_pack("{s:s}", "cred", cred),
			err);
	free(cred);
	if (rc == 0)
		rc = read_frame(cl, &h, deadline, err);
	if (rc == 0 && (h.flags & LV_FRAME_F_ERROR))
		rc = lv_errorf(err, -EACCES, "authentication refused by the server");
	if (rc == 0 && (h.type != LV_MSG_HELLO || !(h.flags & LV_FRAME_F_MAC)))
		rc = lv_errorf(err, -EPROTO, "unexpected handshake reply");
	if (rc == 0 &&
	    (!(body = json_loadb((char *)cl->buf + LV_FRAME_HDR_LEN, h.len, 0,
				 NULL)) ||
	     !(hex = lv_json_str(body, "nonce")) ||
	     lv_hex_decode(hex, nonce, sizeof(nonce)) < 0))
		rc = lv_errorf(err, -EPROTO, "malformed handshake reply");
	json_decref(body);
	body = NULL;
	if (rc == 0 && lv_auth_derive_keys(secret, nonce, &keys) < 0)
		rc = lv_errorf(err, -EIO, "cannot derive session keys");
	explicit_bzero(secret, sizeof(secret));
	if (rc == 0 && (!(cl->tx = lv_mac_create(keys.c2s)) ||
			!(cl->rx = lv_mac_create(keys.s2c))))
		rc = lv_errorf(err, -ENOMEM, "out of memory");
	explicit_bzero(&keys, sizeof(keys));
	/* The reply's MAC proves the server could read our credential. */
	if (rc == 0 && (rc = lv_wire_unpack(&h, cl->buf, cl->rx, &body, err)) < 0)
		lv_errorf(err, rc, "the server failed to prove its identity");
	json_decref(body);
	if (rc == 0)
		consume(cl, &h);
	return rc;
}

struct lv_client *lv_client_connect(const char *host, uint16_t port,
				    const char *munge_socket, int timeout_ms,
				    struct lv_error *err)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL, *ai;
	int64_t deadline = now_ms() + timeout_ms;
	struct lv_client *cl;
	char portstr[8];
	int rc, fd = -ECONNREFUSED;

	snprintf(portstr, sizeof(portstr), "%u", (unsigned)port);
	if ((rc = getaddrinfo(host, portstr, &hints, &res)) != 0) {
		lv_errorf(err, -EHOSTUNREACH, "cannot resolve %s: %s", host,
			  gai_strerror(rc));
		return NULL;
	}
	for (ai = res; ai; ai = ai->ai_next)
		if ((fd = connect_one(ai, remaining(deadline))) >= 0)
			break;
	freeaddrinfo(res);
	if (fd < 0) {
		lv_errorf(err, fd, "cannot connect to %s:%u: %s", host,
			  (unsigned)port, strerror(-fd));
		return NULL;
	}
	if (!(cl = calloc(1, sizeof(*cl)))) {
		close(fd);
		lv_errorf(err, -ENOMEM, "out of memory");
		return NULL;
	}
	cl->fd = fd;
	cl->next_id = 1;
	if (handshake(cl, munge_socket, deadline, err) < 0) {
		lv_client_destroy(cl);
		return NULL;
	}
	return cl;
}

struct lv_client *lv_client_connect_ctld(const struct lv_conf *conf,
					 bool quiet, struct lv_error *err)
{
	const char *env = getenv("LV_CLIENT_RETRY");
	int64_t retry_ms = (int64_t)conf->client_retry * 1000, deadline;
	struct lv_error e = { 0 };
	struct lv_client *cl;
	bool said = false;

	if (env && *env)
		retry_ms = strtoll(env, NULL, 10) * 1000;
	deadline = now_ms() + retry_ms;
	for (;;) {
		cl = lv_client_connect(conf->controller_addr,
				       conf->controller_port,
				       conf->munge_socket,
				       (int)conf->msg_timeout * 1000, &e);
		/* Only an unreachable controller is worth waiting for. */
		if (cl)
			return cl;
		if (e.code != -ECONNREFUSED && e.code != -ETIMEDOUT &&
		    e.code != -ECONNRESET) {
			lv_errorf(err, e.code, "%s", e.text);
			return NULL;
		}
		if (now_ms() >= deadline)
			break;
		if (!quiet && !said) {
			fprintf(stderr,
				"lv: controller %s:%u not responding, retrying\n",
				conf->controller_addr,
				(unsigned)conf->controller_port);
			said = true;
		}
		usleep(200 * 1000);
	}
	lv_errorf(err, e.code, "controller %s:%u not responding: %s",
		  conf->controller_addr, (unsigned)conf->controller_port,
		  strerror(-e.code));
	return NULL;
}

void lv_client_destroy(struct lv_client *cl)
{
	struct queued_push *q;

	if (!cl)
		return;
	while ((q = cl->head)) {
		cl->head = q->next;
		json_decref(q->body);
		free(q);
	}
	if (cl->fd >= 0)
		close(cl->fd);
	lv_mac_destroy(cl->tx);
	lv_mac_destroy(cl->rx);
	free(cl->buf);
	free(cl);
}

static int queue_push(struct lv_client *cl, uint16_t type, json_t *body)
{
	struct queued_push *q = calloc(1, sizeof(*q));

	if (!q) {
		json_decref(body);
		return -ENOMEM;
	}
	q->type = type;
	q->body = body;
	if (cl->tail)
		cl->tail->next = q;
	else
		cl->head = q;
	cl->tail = q;
	return 0;
}

/* Reads the next frame and checks its MAC; *body owned by the caller. */
static int next_frame(struct lv_client *cl, struct lv_frame_hdr *h,
		      json_t **body, int64_t deadline, struct lv_error *err)
{
	int rc;

	if ((rc = read_frame(cl, h, deadline, err)) < 0)
		return rc;
	rc = lv_wire_unpack(h, cl->buf, cl->rx, body, err);
	consume(cl, h);
	return rc;
}

int lv_client_call(struct lv_client *cl, uint16_t type, json_t *body,
		   int timeout_ms, json_t **reply, struct lv_error *err)
{
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	uint32_t id = cl->next_id++;
	struct lv_frame_hdr h;
	json_t *b;
	int rc;

	*reply = NULL;
	if ((rc = send_frame(cl, type, 0, id, body, err)) < 0)
		return rc;
	for (;;) {
		if ((rc = next_frame(cl, &h, &b, deadline, err)) < 0)
			return rc;
		if (!(h.flags & LV_FRAME_F_RESPONSE)) {
			if ((rc = queue_push(cl, h.type, b)) < 0)
				return lv_errorf(err, rc, "out of memory");
			continue;
		}
		if (h.id != id) {
			json_decref(b);
			continue;
		}
		if (h.flags & LV_FRAME_F_ERROR) {
			rc = error_from_body(b, err);
			json_decref(b);
			return rc;
		}
		*reply = b;
		return 0;
	}
}

int lv_client_push(struct lv_client *cl, uint16_t type, json_t *body,
		   struct lv_error *err)
{
	return send_frame(cl, type, LV_FRAME_F_PUSH, 0, body, err);
}

int lv_client_recv(struct lv_client *cl, uint16_t *type, json_t **body,
		   int timeout_ms, struct lv_error *err)
{
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	struct queued_push *q;
	struct lv_frame_hdr h;
	json_t *b;
	int rc;

	for (;;) {
		if ((q = cl->head)) {
			cl->head = q->next;
			if (!cl->head)
				cl->tail = NULL;
			*type = q->type;
			*body = q->body;
			free(q);
			return 0;
		}
		if ((rc = next_frame(cl, &h, &b, deadline, err)) < 0)
			return rc;
		if (h.flags & LV_FRAME_F_RESPONSE) {
			json_decref(b); /* a late reply nobody waits for */
			continue;
		}
		*type = h.type;
		*body = b;
		return 0;
	}
}

int lv_client_fd(const struct lv_client *cl)
{
	return cl->fd;
}

bool lv_client_has_pending(const struct lv_client *cl)
{
	struct lv_frame_hdr h;

	if (cl->head)
		return true;
	return lv_frame_hdr_decode(cl->buf, cl->len, LV_FRAME_MAX_BODY, &h,
				   NULL) == 0 &&
	       cl->len >= lv_frame_wire_len(&h);
}
