/* SPDX-License-Identifier: GPL-2.0-or-later */
/* HMAC-SHA256 frame authentication with nettle.  nettle rather than
 * OpenSSL: it needs no initialisation or configuration file, which keeps
 * every CLI call ~2 ms faster (docs/architecture.md). */
#include "config.h"

#include "common/mac.h"

#include <errno.h>
#include <nettle/hmac.h>
#include <nettle/memops.h>
#include <stdlib.h>
#include <string.h>

struct lv_mac {
	struct hmac_sha256_ctx ctx; /* keyed once; digest() resets it */
	uint64_t seq;
};

struct lv_mac *lv_mac_create(const uint8_t key[LV_MAC_KEY_LEN])
{
	struct lv_mac *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	hmac_sha256_set_key(&m->ctx, LV_MAC_KEY_LEN, key);
	return m;
}

void lv_mac_destroy(struct lv_mac *m)
{
	if (!m)
		return;
	explicit_bzero(m, sizeof(*m));
	free(m);
}

static void compute(struct lv_mac *m, const uint8_t *hdr, const uint8_t *body,
		    size_t len, uint8_t tag[LV_FRAME_MAC_LEN])
{
	uint8_t seq[8];
	int i;

	for (i = 0; i < 8; i++)
		seq[i] = (uint8_t)(m->seq >> (56 - 8 * i));
	hmac_sha256_update(&m->ctx, sizeof(seq), seq);
	hmac_sha256_update(&m->ctx, LV_FRAME_HDR_LEN, hdr);
	if (len)
		hmac_sha256_update(&m->ctx, len, body);
	/* digest() leaves the context keyed and ready for the next frame. */
	hmac_sha256_digest(&m->ctx, LV_FRAME_MAC_LEN, tag);
}

int lv_mac_sign(struct lv_mac *m, const uint8_t hdr[LV_FRAME_HDR_LEN],
		const uint8_t *body, size_t len, uint8_t tag[LV_FRAME_MAC_LEN])
{
	compute(m, hdr, body, len, tag);
	m->seq++;
	return 0;
}

int lv_mac_verify(struct lv_mac *m, const uint8_t hdr[LV_FRAME_HDR_LEN],
		  const uint8_t *body, size_t len,
		  const uint8_t tag[LV_FRAME_MAC_LEN])
{
	uint8_t want[LV_FRAME_MAC_LEN];
	int rc;

	compute(m, hdr, body, len, want);
	rc = memeql_sec(want, tag, LV_FRAME_MAC_LEN) ? 0 : -EBADMSG;
	explicit_bzero(want, sizeof(want));
	if (rc == 0)
		m->seq++;
	return rc;
}

int lv_mac_derive(const uint8_t *secret, size_t secret_len, const char *label,
		  const uint8_t *nonce, size_t nonce_len,
		  uint8_t out[LV_MAC_KEY_LEN])
{
	struct hmac_sha256_ctx ctx;

	hmac_sha256_set_key(&ctx, secret_len, secret);
	hmac_sha256_update(&ctx, strlen(label), (const uint8_t *)label);
	hmac_sha256_update(&ctx, nonce_len, nonce);
	hmac_sha256_digest(&ctx, LV_MAC_KEY_LEN, out);
	explicit_bzero(&ctx, sizeof(ctx));
	return 0;
}
