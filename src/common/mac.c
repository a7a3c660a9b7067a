/* SPDX-License-Identifier: GPL-2.0-or-later */
/* HMAC-SHA256 frame authentication with OpenSSL's EVP_MAC. */
#include "config.h"

#include "common/mac.h"

#include <errno.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdlib.h>
#include <string.h>

struct lv_mac {
	EVP_MAC *alg;
	EVP_MAC_CTX *ctx; /* keyed once; re-initialised per frame */
	uint64_t seq;
};

static EVP_MAC_CTX *hmac_ctx_new(EVP_MAC *alg, const uint8_t *key,
				 size_t keylen)
{
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx;

	if (!(ctx = EVP_MAC_CTX_new(alg)))
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(ctx, key, keylen, params)) {
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

struct lv_mac *lv_mac_create(const uint8_t key[LV_MAC_KEY_LEN])
{
	struct lv_mac *m;

	if (!(m = calloc(1, sizeof(*m))))
		return NULL;
	if (!(m->alg = EVP_MAC_fetch(NULL, "HMAC", NULL)) ||
	    !(m->ctx = hmac_ctx_new(m->alg, key, LV_MAC_KEY_LEN))) {
		lv_mac_destroy(m);
		return NULL;
	}
	return m;
}

void lv_mac_destroy(struct lv_mac *m)
{
	if (!m)
		return;
	EVP_MAC_CTX_free(m->ctx); /* clears the key it holds */
	EVP_MAC_free(m->alg);
	free(m);
}

static int compute(struct lv_mac *m, const uint8_t *hdr, const uint8_t *body,
		   size_t len, uint8_t tag[LV_FRAME_MAC_LEN])
{
	uint8_t seq[8];
	size_t outl = 0;
	int i;

	for (i = 0; i < 8; i++)
		seq[i] = (uint8_t)(m->seq >> (56 - 8 * i));
	/* A NULL key re-initialises with the key set at creation. */
	if (!EVP_MAC_init(m->ctx, NULL, 0, NULL) ||
	    !EVP_MAC_update(m->ctx, seq, sizeof(seq)) ||
	    !EVP_MAC_update(m->ctx, hdr, LV_FRAME_HDR_LEN) ||
	    (len && !EVP_MAC_update(m->ctx, body, len)) ||
	    !EVP_MAC_final(m->ctx, tag, &outl, LV_FRAME_MAC_LEN) ||
	    outl != LV_FRAME_MAC_LEN)
		return -EIO;
	return 0;
}

int lv_mac_sign(struct lv_mac *m, const uint8_t hdr[LV_FRAME_HDR_LEN],
		const uint8_t *body, size_t len, uint8_t tag[LV_FRAME_MAC_LEN])
{
	int rc;

	if ((rc = compute(m, hdr, body, len, tag)) < 0)
		return rc;
	m->seq++;
	return 0;
}

int lv_mac_verify(struct lv_mac *m, const uint8_t hdr[LV_FRAME_HDR_LEN],
		  const uint8_t *body, size_t len,
		  const uint8_t tag[LV_FRAME_MAC_LEN])
{
	uint8_t want[LV_FRAME_MAC_LEN];
	int rc;

	if ((rc = compute(m, hdr, body, len, want)) < 0)
		return rc;
	rc = CRYPTO_memcmp(want, tag, LV_FRAME_MAC_LEN) ? -EBADMSG : 0;
	OPENSSL_cleanse(want, sizeof(want));
	if (rc == 0)
		m->seq++;
	return rc;
}

int lv_mac_derive(const uint8_t *secret, size_t secret_len, const char *label,
		  const uint8_t *nonce, size_t nonce_len,
		  uint8_t out[LV_MAC_KEY_LEN])
{
	EVP_MAC *alg;
	EVP_MAC_CTX *ctx = NULL;
	size_t outl = 0;
	int rc = -EIO;

	if (!(alg = EVP_MAC_fetch(NULL, "HMAC", NULL)))
		return -EIO;
	if ((ctx = hmac_ctx_new(alg, secret, secret_len)) &&
	    EVP_MAC_update(ctx, (const uint8_t *)label, strlen(label)) &&
	    EVP_MAC_update(ctx, nonce, nonce_len) &&
	    EVP_MAC_final(ctx, out, &outl, LV_MAC_KEY_LEN) &&
	    outl == LV_MAC_KEY_LEN)
		rc = 0;
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(alg);
	return rc;
}
