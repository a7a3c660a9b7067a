/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Per-connection frame MACs: HMAC-SHA256 over a sequence number, the frame
 * header and the body (see docs/proto/02-auth.md). */
#ifndef LV_COMMON_MAC_H
#define LV_COMMON_MAC_H

#include <stddef.h>
#include <stdint.h>

#include "common/frame.h"

#define LV_MAC_KEY_LEN 32

struct lv_mac;

/* A MAC context for one direction of one connection, starting at sequence
 * number 0.  The key is copied.  NULL on ENOMEM or a crypto failure. */
struct lv_mac *lv_mac_create(const uint8_t key[LV_MAC_KEY_LEN]);
/* Wipes the key and frees.  NULL-safe. */
void lv_mac_destroy(struct lv_mac *m);

/* Tag for the next frame in this direction; advances the sequence.
 * 0 or -EIO. */
int lv_mac_sign(struct lv_mac *m, const uint8_t hdr[LV_FRAME_HDR_LEN],
		const uint8_t *body, size_t len, uint8_t tag[LV_FRAME_MAC_LEN]);
/* Checks the tag of the next frame (constant time); advances the sequence
 * only on success.  0, -EBADMSG on a mismatch, -EIO on a crypto failure. */
int lv_mac_verify(struct lv_mac *m, const uint8_t hdr[LV_FRAME_HDR_LEN],
		  const uint8_t *body, size_t len,
		  const uint8_t tag[LV_FRAME_MAC_LEN]);

/* out = HMAC-SHA256(secret, label || nonce): derives a direction key from
 * the secret carried in the munge credential and the server's nonce.
 * 0 or -EIO. */
int lv_mac_derive(const uint8_t *secret, size_t secret_len, const char *label,
		  const uint8_t *nonce, size_t nonce_len,
		  uint8_t out[LV_MAC_KEY_LEN]);

#endif
