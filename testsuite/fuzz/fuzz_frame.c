/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: an incoming byte stream through the daemon's frame
 * decode path (rpc.c read_cb/process_frame, proto 01 and 02). */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/frame.h"
#include "common/mac.h"
#include "common/wire.h"
#include "fuzz-key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Which MAC each frame of the stream is checked with. */
enum mac_mode {
	MODE_NONE,      /* every frame before authentication: mac NULL */
	MODE_MAC,       /* every frame after authentication: the fixed key */
	MODE_HANDSHAKE, /* the server's order: a HELLO without, then MACs */
};

/* Copies n bytes into an allocation of exactly n, so that ASan reports a
 * read past what the daemon has in its buffer. */
static uint8_t *exact_copy(const uint8_t *p, size_t n)
{
	uint8_t *q = malloc(n ? n : 1);

	assert(q);
	memcpy(q, p, n);
	return q;
}

/* As read_cb: when at least a header is buffered, decode it from a
 * 16-byte pullup while avail counts the whole buffer.  Below a header the
 * daemon does not call the decoder; the blocking client does, and must
 * get -EAGAIN. */
static int decode_header(const uint8_t *p, size_t avail, struct lv_frame_hdr *h)
{
	struct lv_error err = {0};
	size_t n = avail < LV_FRAME_HDR_LEN ? avail : LV_FRAME_HDR_LEN;
	uint8_t *hdr = exact_copy(p, n);
	int rc;

	rc = lv_frame_hdr_decode(hdr, avail, LV_FRAME_MAX_BODY, h, &err);
	free(hdr);
	assert(rc == 0 || rc == -EAGAIN || rc == -EPROTO);
	assert(rc != -EAGAIN || avail < LV_FRAME_HDR_LEN);
	assert(rc != -EPROTO || (err.code == rc && err.text[0]));
	assert(rc != 0 || h->len <= LV_FRAME_MAX_BODY);
	return rc;
}

/* As process_frame: one whole frame, pulled up into one buffer. */
static int unpack_frame(const struct lv_frame_hdr *h, const uint8_t *p,
			size_t need, struct lv_mac *mac)
{
	struct lv_error err = {0};
	json_t *body = NULL;
	uint8_t *frame = exact_copy(p, need);
	int rc;

	rc = lv_wire_unpack(h, frame, mac, &body, &err);
	free(frame);
	if (rc < 0) {
		assert(rc == -EPROTO || rc == -EBADMSG || rc == -EIO);
		assert(err.code == rc && err.text[0] && !body);
		return rc;
	}
	assert(json_is_object(body));
	/* An attachment is moved under its own name: "_attach" is gone. */
	assert(!(h->flags & LV_FRAME_F_ATTACH) ||
	       !json_object_get(body, "_attach"));
	json_decref(body);
	return 0;
}

/* Decodes frame after frame until the stream runs out or a frame is
 * refused: the daemon drops the connection at the first bad one. */
static void decode_stream(const uint8_t *data, size_t size, enum mac_mode mode)
{
	struct lv_mac *mac = NULL;
	struct lv_frame_hdr h;
	size_t off = 0, need;
	bool first = true;

	if (mode != MODE_NONE && !(mac = lv_mac_create(fuzz_mac_key)))
		abort();
	for (;;) {
		if (decode_header(data + off, size - off, &h) < 0)
			break;
		need = lv_frame_wire_len(&h);
		assert(need >= LV_FRAME_HDR_LEN + h.len);
		if (size - off < need)
			break;
		if (unpack_frame(&h, data + off, need,
				 mode == MODE_HANDSHAKE && first ? NULL : mac) <
		    0)
			break;
		first = false;
		off += need;
	}
	lv_mac_destroy(mac);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	decode_stream(data, size, MODE_NONE);
	decode_stream(data, size, MODE_MAC);
	decode_stream(data, size, MODE_HANDSHAKE);
	return 0;
}
