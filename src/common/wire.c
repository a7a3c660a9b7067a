/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Serialising and checking whole frames. */
#include "config.h"

#include "common/wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/msg.h"

int lv_wire_pack_attach(uint16_t type, uint8_t flags, uint32_t id,
			const json_t *body, const char *key, const void *data,
			size_t data_len, struct lv_mac *mac, uint8_t **out,
			size_t *outlen, struct lv_error *err)
{
	struct lv_frame_hdr h = { .version = LV_FRAME_VERSION,
				  .flags = flags,
				  .type = type,
				  .id = id };
	json_t *b = body ? (json_t *)body : NULL;
	char *text = NULL;
	size_t len, total, extra = 0;
	uint8_t *buf;

	if (key) {
		/* The attachment's name rides in the JSON. */
		b = body ? json_copy((json_t *)body) : json_object();
		if (!b || json_object_set_new(b, "_attach", json_string(key)) < 0) {
			json_decref(b);
			return lv_errorf(err, -ENOMEM, "rpc: cannot encode body");
		}
		h.flags |= LV_FRAME_F_ATTACH;
		extra = 1 + data_len;
	}
	text = b ? json_dumps(b, JSON_COMPACT) : NULL;
	if (key)
		json_decref(b);
	if (b && !text)
		return lv_errorf(err, -ENOMEM, "rpc: cannot encode body");
	len = text ? strlen(text) : 2;
	if (len + extra > LV_FRAME_MAX_BODY) {
		free(text);
		return lv_errorf(err, -E2BIG, "rpc: body of %zu bytes is too big",
				 len + extra);
	}
	if (mac)
		h.flags |= LV_FRAME_F_MAC;
	h.len = (uint32_t)(len + extra);
	total = lv_frame_wire_len(&h);
	if (!(buf = malloc(total))) {
		free(text);
		return lv_errorf(err, -ENOMEM, "rpc: out of memory");
	}
	lv_frame_hdr_encode(&h, buf);
	memcpy(buf + LV_FRAME_HDR_LEN, text ? text : "{}", len);
	free(text);
	if (key) {
		buf[LV_FRAME_HDR_LEN + len] = '\0';
		if (data_len)
			memcpy(buf + LV_FRAME_HDR_LEN + len + 1, data, data_len);
	}
	if (mac && lv_mac_sign(mac, buf, buf + LV_FRAME_HDR_LEN, h.len,
			       buf + LV_FRAME_HDR_LEN + h.len) < 0) {
		free(buf);
		return lv_errorf(err, -EIO, "rpc: cannot sign frame");
	}
	*out = buf;
	*outlen = total;
	return 0;
}

int lv_wire_pack(uint16_t type, uint8_t flags, uint32_t id,
		 const json_t *body, struct lv_mac *mac, uint8_t **out,
		 size_t *outlen, struct lv_error *err)
{
	return lv_wire_pack_attach(type, flags, id, body, NULL, NULL, 0, mac,
				   out, outlen, err);
}

/* Moves an attachment into the body under the key the sender named. */
static int take_attachment(json_t *obj, const uint8_t *data, size_t len,
			   struct lv_error *err)
{
	const char *key = lv_json_str(obj, "_attach");
	json_t *v;

	if (!key || !*key || key[0] == '_')
		return lv_errorf(err, -EPROTO, "frame attachment without a valid name");
	/* No UTF-8 check: the receiver treats it as bytes. */
	if (!(v = json_stringn_nocheck((const char *)data, len)) ||
	    json_object_set_new(obj, key, v) < 0)
		return lv_errorf(err, -ENOMEM, "out of memory");
	json_object_del(obj, "_attach");
	return 0;
}

int lv_wire_unpack(const struct lv_frame_hdr *h, const uint8_t *frame,
		   struct lv_mac *mac, json_t **body, struct lv_error *err)
{
	const uint8_t *text = frame + LV_FRAME_HDR_LEN, *nul = NULL;
	size_t json_len = h->len;
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
	if (h->flags & LV_FRAME_F_ATTACH) {
		nul = memchr(text, '\0', h->len);
		if (!nul)
			return lv_errorf(err, -EPROTO, "frame attachment without a separator");
		json_len = (size_t)(nul - text);
	}
	obj = json_loadb((const char *)text, json_len, JSON_REJECT_DUPLICATES,
			 &jerr);
	if (!obj)
		return lv_errorf(err, -EPROTO, "frame body is not JSON: %s",
				 jerr.text);
	if (!json_is_object(obj)) {
		json_decref(obj);
		return lv_errorf(err, -EPROTO, "frame body is not a JSON object");
	}
	if (nul && (rc = take_attachment(obj, nul + 1, h->len - json_len - 1, err)) < 0) {
		json_decref(obj);
		return rc;
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
