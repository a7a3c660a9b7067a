/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Connection authentication with munge credentials (see proto 02). */
#ifndef LV_COMMON_AUTH_H
#define LV_COMMON_AUTH_H

#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "common/mac.h"

#define LV_AUTH_SECRET_LEN 32
#define LV_AUTH_NONCE_LEN 32

/* Session keys for both directions of one connection. */
struct lv_auth_keys {
	uint8_t c2s[LV_MAC_KEY_LEN];
	uint8_t s2c[LV_MAC_KEY_LEN];
};

/* Client side: a munge credential (base64 text, caller frees) whose
 * payload is a fresh random secret, written to secret.  munge_socket NULL
 * means munge's default.  -EACCES/-EIO with err set when munged fails. */
int lv_auth_cred_create(const char *munge_socket, char **cred,
			uint8_t secret[LV_AUTH_SECRET_LEN],
			struct lv_error *err);
/* As lv_auth_cred_create, but only a process running as uid can decode the
 * credential: daemons talking to daemons use their own uid, so a user who
 * stands up a fake server learns nothing from it. */
int lv_auth_cred_create_for(const char *munge_socket, uid_t uid, char **cred,
			    uint8_t secret[LV_AUTH_SECRET_LEN],
			    struct lv_error *err);

/* Server side: decodes cred through munged, giving the proven uid and gid
 * and the secret.  Any failure (wrong key, replay, expiry, a payload that
 * is not a secret) returns -EACCES with munge's reason in err. */
int lv_auth_cred_decode(const char *munge_socket, const char *cred,
			uid_t *uid, gid_t *gid,
			uint8_t secret[LV_AUTH_SECRET_LEN],
			struct lv_error *err);

/* A munge credential carrying payload (len bytes): how a daemon vouches
 * for something to another daemon (step credentials, proto 05).  Caller
 * frees *cred.  -EIO with err set. */
int lv_auth_sign(const char *munge_socket, const void *payload, size_t len,
		 char **cred, struct lv_error *err);
/* Decodes a credential from lv_auth_sign: the encoder's uid/gid and the
 * payload (NUL-terminated, caller frees).  -EACCES with err set. */
int lv_auth_open(const char *munge_socket, const char *cred, uid_t *uid,
		 gid_t *gid, char **payload, struct lv_error *err);

/* Fills nonce with random bytes.  0 or -EIO. */
int lv_auth_nonce(uint8_t nonce[LV_AUTH_NONCE_LEN]);

/* Derives both direction keys from the secret and the server's nonce.
 * 0 or -EIO. */
int lv_auth_derive_keys(const uint8_t secret[LV_AUTH_SECRET_LEN],
			const uint8_t nonce[LV_AUTH_NONCE_LEN],
			struct lv_auth_keys *keys);

#endif
