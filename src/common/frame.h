/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Wire frames: a fixed header, a JSON body and an optional MAC (proto 01). */
#ifndef LV_COMMON_FRAME_H
#define LV_COMMON_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define LV_FRAME_MAGIC 0x4c565250u /* "LVRP" */
#define LV_FRAME_VERSION 1
#define LV_FRAME_HDR_LEN 16
#define LV_FRAME_MAC_LEN 16 /* UMAC-128 tag (proto 02) */
#define LV_FRAME_MAX_BODY (16u << 20)

enum lv_frame_flag {
	LV_FRAME_F_RESPONSE = 1u << 0, /* answers the request with the same id */
	LV_FRAME_F_PUSH = 1u << 1,     /* unsolicited message from the peer */
	LV_FRAME_F_ERROR = 1u << 2,    /* body is {"code":..,"error":".."} */
	LV_FRAME_F_MAC = 1u << 3,      /* a MAC trailer follows the body */
	LV_FRAME_F_ATTACH = 1u << 4,   /* raw bytes follow the JSON and a NUL */
};
#define LV_FRAME_F_KNOWN 0x1fu

struct lv_frame_hdr {
	uint8_t version;
	uint8_t flags;
	uint16_t type;
	uint32_t id;
	uint32_t len; /* body length, excluding header and MAC */
};

/* Writes the 16-byte header for h into out. */
void lv_frame_hdr_encode(const struct lv_frame_hdr *h,
			 uint8_t out[LV_FRAME_HDR_LEN]);

/* Decodes a header from the first avail bytes of buf.  Returns 0 and fills
 * h when a whole valid header is there, -EAGAIN when fewer than
 * LV_FRAME_HDR_LEN bytes are available, -EPROTO with err set on a bad
 * magic, an unknown version, unknown flag bits or a body longer than
 * max_body. */
int lv_frame_hdr_decode(const uint8_t *buf, size_t avail, size_t max_body,
			struct lv_frame_hdr *h, struct lv_error *err);

/* Total bytes the frame occupies on the wire. */
size_t lv_frame_wire_len(const struct lv_frame_hdr *h);

#endif
