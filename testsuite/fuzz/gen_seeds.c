/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Writes the frame seeds under seeds/fuzz_frame/: valid streams built with
 * lv_wire_pack, MACs made with the harness's fixed key. */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/frame.h"
#include "common/mac.h"
#include "common/msg.h"
#include "common/wire.h"
#include "fuzz-key.h"

/* A stream being built: frames appended one after another. */
struct stream {
	uint8_t buf[8192];
	size_t len;
	struct lv_mac *mac; /* NULL until "authenticated" */
};

/* Appends one frame; takes ownership of body. */
static void add(struct stream *s, uint16_t type, uint8_t flags, uint32_t id,
		json_t *body)
{
	struct lv_error err = {0};
	uint8_t *out;
	size_t len;

	if (lv_wire_pack(type, flags, id, body, s->mac, &out, &len, &err) < 0 ||
	    len > sizeof(s->buf) - s->len) {
		fprintf(stderr, "gen_seeds: cannot pack frame: %s\n", err.text);
		exit(1);
	}
	memcpy(s->buf + s->len, out, len);
	s->len += len;
	free(out);
	json_decref(body);
}

/* Appends one frame carrying data under key; takes ownership of body. */
static void add_attach(struct stream *s, uint16_t type, uint8_t flags,
		       uint32_t id, json_t *body, const char *key,
		       const char *data)
{
	struct lv_error err = {0};
	uint8_t *out;
	size_t len;

	if (lv_wire_pack_attach(type, flags, id, body, key, data, strlen(data),
				s->mac, &out, &len, &err) < 0 ||
	    len > sizeof(s->buf) - s->len) {
		fprintf(stderr, "gen_seeds: cannot pack frame: %s\n", err.text);
		exit(1);
	}
	memcpy(s->buf + s->len, out, len);
	s->len += len;
	free(out);
	json_decref(body);
}

static void authenticate(struct stream *s)
{
	if (!(s->mac = lv_mac_create(fuzz_mac_key))) {
		fprintf(stderr, "gen_seeds: cannot create a MAC context\n");
		exit(1);
	}
}

static void save(struct stream *s, const char *dir, const char *name,
		 size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "wb")) || fwrite(s->buf, 1, len, f) != len ||
	    fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	lv_mac_destroy(s->mac);
	memset(s, 0, sizeof(*s));
}

static json_t *hello_body(void)
{
	/* Shaped like a munge credential; the harness never decodes it. */
	return json_pack("{s:s}", "cred",
			 "MUNGE:AwQFAAD3b1Yq0sQ2l9xV1o+ktcQmB3dvcmQ6Li4u:");
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "seeds/fuzz_frame";
	struct stream s = {0};

	/* A client's first frame: HELLO with a credential, no MAC. */
	add(&s, LV_MSG_HELLO, 0, 0, hello_body());
	save(&s, dir, "hello", s.len);

	/* The first request after the handshake: PING, MAC at sequence 0. */
	authenticate(&s);
	add(&s, LV_MSG_PING, 0, 1, json_object());
	save(&s, dir, "ping", s.len);

	/* A PING sent before authentication (NULL MAC path accepts it). */
	add(&s, LV_MSG_PING, 0, 1, NULL);
	save(&s, dir, "ping-unsigned", s.len);

	/* A whole session as the server reads it: HELLO, then MAC'd frames
	 * at sequence 0, 1, 2 (a request, a request, a push). */
	add(&s, LV_MSG_HELLO, 0, 0, hello_body());
	authenticate(&s);
	add(&s, LV_MSG_PING, 0, 1, json_object());
	add(&s, LV_MSG_NODE_INFO, 0, 2, json_pack("{s:s}", "nodes", "n[1-4]"));
	add(&s, LV_MSG_NODE_HEARTBEAT, LV_FRAME_F_PUSH, 0,
	    json_pack("{s:s, s:i}", "name", "n1", "load", 3));
	save(&s, dir, "session", s.len);

	/* Replies, as the client reads them. */
	authenticate(&s);
	add(&s, LV_MSG_HELLO, LV_FRAME_F_RESPONSE, 0,
	    json_pack("{s:s, s:I, s:I, s:s}", "nonce",
		      "000102030405060708090a0b0c0d0e0f"
		      "101112131415161718191a1b1c1d1e1f",
		      "uid", (json_int_t)1000, "gid", (json_int_t)1000,
		      "version", "0.1.0"));
	add(&s, 0, LV_FRAME_F_RESPONSE, 1,
	    json_pack("{s:I, s:s, s:s}", "time", (json_int_t)1700000000,
		      "cluster", "local", "version", "0.1.0"));
	add(&s, 0, LV_FRAME_F_RESPONSE | LV_FRAME_F_ERROR, 2,
	    lv_wire_error_body(EPERM, "permission denied"));
	save(&s, dir, "replies", s.len);

	/* An unsigned error reply: what refuse() sends. */
	add(&s, LV_MSG_HELLO, LV_FRAME_F_RESPONSE | LV_FRAME_F_ERROR, 0,
	    lv_wire_error_body(EACCES, "authentication failed"));
	save(&s, dir, "refused", s.len);

	/* Attachments (F_ATTACH): raw bytes after the JSON and a NUL, as
	 * JOB_INFO sends its rows; signed, then unsigned and empty. */
	authenticate(&s);
	add_attach(&s, 0, LV_FRAME_F_RESPONSE, 3,
		   json_pack("{s:s}", "format", "tsv"), "rows",
		   "1\tbatch\talice\tRUNNING\n2\tarray\tbob\tPENDING\n");
	save(&s, dir, "attach", s.len);
	add_attach(&s, LV_MSG_JOB_INFO, 0, 4, NULL, "filter", "");
	save(&s, dir, "attach-unsigned", s.len);

	/* A PING cut short: the header and half the body. */
	authenticate(&s);
	add(&s, LV_MSG_PING, 0, 7, json_pack("{s:s}", "pad", "0123456789"));
	save(&s, dir, "ping-truncated", LV_FRAME_HDR_LEN + 10);
	return 0;
}
