/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Whole frames with JSON bodies: the one encoder and decoder both the
 * event-loop RPC and the blocking client use (proto 01, 02). */
#ifndef LV_COMMON_WIRE_H
#define LV_COMMON_WIRE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/frame.h"
#include "common/mac.h"

/* Serialises a frame: header, compact JSON body (NULL means {}), and a MAC
 * trailer when mac is non-NULL (F_MAC is then set).  *out is malloc'd.
 * 0, -ENOMEM, -E2BIG (body over the limit) or -EIO. */
int lv_wire_pack(uint16_t type, uint8_t flags, uint32_t id,
		 const json_t *body, struct lv_mac *mac, uint8_t **out,
		 size_t *outlen, struct lv_error *err);

/* As lv_wire_pack, with data attached raw after the JSON (F_ATTACH):
 * large text such as job rows travels without JSON escaping.  The
 * receiver finds it in the body as a string under key (proto 01). */
int lv_wire_pack_attach(uint16_t type, uint8_t flags, uint32_t id,
			const json_t *body, const char *key, const void *data,
			size_t data_len, struct lv_mac *mac, uint8_t **out,
			size_t *outlen, struct lv_error *err);

/* Checks and decodes one whole frame (frame points at its header, h is
 * the decoded header).  With mac non-NULL the frame must carry a valid
 * MAC; with mac NULL it must carry none.  The body must be a JSON object.
 * 0 with *body owned by the caller, or -EPROTO/-EBADMSG with err set. */
int lv_wire_unpack(const struct lv_frame_hdr *h, const uint8_t *frame,
		   struct lv_mac *mac, json_t **body, struct lv_error *err);

/* Body of an error reply: {"code": code, "error": text}. */
json_t *lv_wire_error_body(int code, const char *text);

#endif
