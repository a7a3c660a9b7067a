/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Serialising and checking whole frames. */
#include "config.h"

#include "common/wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int lv_wire_pack(uint16_t type, uint8_t flags, uint32_t id,
		 const json_t *body, struct lv_mac *mac, uint8_t **out,
		 size_t *outlen, struct lv_error *err)
{
	struct lv_frame_hdr h = { .version = LV_FRAME_VERSION,
				  .flags = flags,
				  .type = type,
				  .id = id };
	char *text = NULL;
	size_t len = 2, total;
	uint8_t *buf;

	if (body) {
		if (!(text = json_dumps(body, JSON_COMPACT)))
			return lv_errorf(err, -ENOMEM, "rpc: cannot encode body");
		len = strlen(text);
	}
	if (len > LV_FRAME_MAX_BODY) {
		free(text);
		return lv_errorf(err, -E2BIG, "rpc: body of %zu bytes is too big",
				 len);
	}
	if (mac)
		h.flags |= LV_FRAME_F_MAC;
	h.len = (uint32_t)len;
	total = lv_frame_wire_len(&h);
	if (!(buf = malloc(total))) {
		free(text);
		return lv_errorf(err, -ENOMEM, "rpc: out of memory");
	}
	lv_frame_hdr_encode(&h, buf);
	memcpy(buf + LV_FRAME_HDR_LEN, text ? text : "{}", len);
	free(text);
	if (mac && lv_mac_sign(mac, buf, buf + LV_FRAME_HDR_LEN, len,
			       buf + LV_FRAME_HDR_LEN + len) < 0) {
		free(buf);
		return lv_errorf(err, -EIO, "rpc: cannot sign frame");
	}
	*out = buf;
	*outlen = total;
	return 0;
}

int lv_wire_unpack(const struct lv_frame_hdr *h, const uint8_t *frame,
		   struct lv_mac *mac, json_t **body, struct lv_error *err)
{
	const uint8_t *text = frame + LV_FRAME_HDR_LEN;
	json_error_t jerr;
	json_t *obj;
	int rc;

	if (mac && !(h->flags & LV_FRAME_F_MAC))
		return lv_errorf(err, -EPROTO, "frame without a MAC after authentication");
	if (!mac && (h->flags & LV_FRAME_F_MAC))
		return lv_errorf(err, -EPROTO, "frame with a MAC before authentication");
	if (mac && (rc = lv_mac_verify(mac, frame, text, h->len,
				       text + h->len)) < 0)
		return lv_errorf(err, rc == -EBADMSG ? -EBADMSG : -EIO,
				 "frame MAC does not match (tampered or out of sequence)");
	obj = json_loadb((const char *)text, h->len, JSON_REJECT_DUPLICATES,
			 &jerr);
	if (!obj)
		return lv_errorf(err, -EPROTO, "frame body is not JSON: %s",
				 jerr.text);
	if (!json_is_object(obj)) {
		json_decref(obj);
		return lv_errorf(err, -EPROTO, "frame body is not a JSON object");
	}
	*body = obj;
	return 0;
}

json_t *lv_wire_error_body(int code, const char *text)
{
	if (code < 0)
		code = -code;
	return json_pack("{s:i, s:s}", "code", code, "error", text);
}
