/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Encoding and checking of frame headers (see docs/proto/01-frame.md). */
#include "config.h"

#include "common/frame.h"

#include <errno.h>

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t get_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

void lv_frame_hdr_encode(const struct lv_frame_hdr *h,
			 uint8_t out[LV_FRAME_HDR_LEN])
{
	put_be32(out, LV_FRAME_MAGIC);
	out[4] = h->version;
	out[5] = h->flags;
	put_be16(out + 6, h->type);
	put_be32(out + 8, h->id);
	put_be32(out + 12, h->len);
}

int lv_frame_hdr_decode(const uint8_t *buf, size_t avail, size_t max_body,
			struct lv_frame_hdr *h, struct lv_error *err)
{
	uint32_t magic;

	if (avail < LV_FRAME_HDR_LEN)
		return -EAGAIN;
	magic = get_be32(buf);
	if (magic != LV_FRAME_MAGIC)
		return lv_errorf(err, -EPROTO, "bad frame magic 0x%08x",
				 (unsigned)magic);
	h->version = buf[4];
	if (h->version != LV_FRAME_VERSION)
		return lv_errorf(err, -EPROTO,
				 "unsupported protocol version %u (this is %u)",
				 h->version, LV_FRAME_VERSION);
	h->flags = buf[5];
	if (h->flags & ~LV_FRAME_F_KNOWN)
		return lv_errorf(err, -EPROTO, "unknown frame flags 0x%02x",
				 h->flags);
	h->type = get_be16(buf + 6);
	h->id = get_be32(buf + 8);
	h->len = get_be32(buf + 12);
	if (h->len > max_body)
		return lv_errorf(err, -EPROTO,
				 "frame body of %u bytes exceeds the limit of %zu",
				 (unsigned)h->len, max_body);
	return 0;
}

size_t lv_frame_wire_len(const struct lv_frame_hdr *h)
{
	return LV_FRAME_HDR_LEN + h->len +
	       ((h->flags & LV_FRAME_F_MAC) ? LV_FRAME_MAC_LEN : 0);
}
