/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Frame authentication with nettle: UMAC-128 per frame (nonce = the
 * direction's sequence number), HMAC-SHA256 to derive keys.  UMAC is ~4x
 * cheaper than HMAC-SHA256 on bulk replies (lvqueue's rows); nettle rather
 * than OpenSSL because it needs no initialisation or configuration file,
 * which keeps every CLI call ~2 ms faster (docs/architecture.md). */
#include "config.h"

#include "common/mac.h"

#include <errno.h>
#include <nettle/hmac.h>
#include <nettle/umac.h>
#include <nettle/memops.h>
#include <stdlib.h>
#include <string.h>

struct lv_mac {
	struct umac128_ctx ctx; /* keyed once; a fresh nonce per frame */
	uint64_t seq;
};

struct lv_mac *lv_mac_create(const uint8_t key[LV_MAC_KEY_LEN])
{
	struct lv_mac *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	/* UMAC takes a 128-bit AES key: the first half of the derived key. */
	umac128_set_key(&m->ctx, key);
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
	/* The sequence number is the nonce: never reused under one key, and
	 * a replayed or reordered frame fails. */
	umac128_set_nonce(&m->ctx, sizeof(seq), seq);
	umac128_update(&m->ctx, LV_FRAME_HDR_LEN, hdr);
	if (len)
		umac128_update(&m->ctx, len, body);
	umac128_digest(&m->ctx, LV_FRAME_MAC_LEN, tag);
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
