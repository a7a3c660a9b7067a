/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Munge credentials carrying a per-connection secret, and key derivation. */
#include "config.h"

#include "common/auth.h"

#include <errno.h>
#include <munge.h>
#include <sys/random.h>
#include <stdlib.h>
#include <string.h>

static munge_ctx_t ctx_for(const char *munge_socket, struct lv_error *err)
{
	munge_ctx_t ctx;

	if (!(ctx = munge_ctx_create())) {
		lv_errorf(err, -ENOMEM, "munge: cannot create a context");
		return NULL;
	}
	if (munge_socket &&
	    munge_ctx_set(ctx, MUNGE_OPT_SOCKET, munge_socket) != EMUNGE_SUCCESS) {
		lv_errorf(err, -EINVAL, "munge: bad socket %s: %s",
			  munge_socket, munge_ctx_strerror(ctx));
		munge_ctx_destroy(ctx);
		return NULL;
	}
	return ctx;
}

static int cred_create(const char *munge_socket, const uid_t *restrict_uid,
		       char **cred, uint8_t secret[LV_AUTH_SECRET_LEN],
		       struct lv_error *err)
{
	munge_ctx_t ctx;
	munge_err_t e;

	*cred = NULL;
	if (lv_auth_nonce(secret) < 0)
		return lv_errorf(err, -EIO, "auth: no random bytes");
	if (!(ctx = ctx_for(munge_socket, err)))
		return err ? err->code : -EIO;
	if (restrict_uid &&
	    munge_ctx_set(ctx, MUNGE_OPT_UID_RESTRICTION, *restrict_uid) !=
		    EMUNGE_SUCCESS) {
		munge_ctx_destroy(ctx);
		return lv_errorf(err, -EINVAL, "munge: cannot restrict to uid %u",
				 (unsigned)*restrict_uid);
	}
	e = munge_encode(cred, ctx, secret, LV_AUTH_SECRET_LEN);
	if (e != EMUNGE_SUCCESS) {
		lv_errorf(err, -EIO, "munge: cannot create a credential: %s",
			  munge_ctx_strerror(ctx));
		munge_ctx_destroy(ctx);
		explicit_bzero(secret, LV_AUTH_SECRET_LEN);
		return -EIO;
	}
	munge_ctx_destroy(ctx);
	return 0;
}

int lv_auth_cred_create(const char *munge_socket, char **cred,
			uint8_t secret[LV_AUTH_SECRET_LEN],
			struct lv_error *err)
{
	return cred_create(munge_socket, NULL, cred, secret, err);
}

int lv_auth_cred_create_for(const char *munge_socket, uid_t uid, char **cred,
			    uint8_t secret[LV_AUTH_SECRET_LEN],
			    struct lv_error *err)
{
	return cred_create(munge_socket, &uid, cred, secret, err);
}

int lv_auth_cred_decode(const char *munge_socket, const char *cred,
			uid_t *uid, gid_t *gid,
			uint8_t secret[LV_AUTH_SECRET_LEN],
			struct lv_error *err)
{
	munge_ctx_t ctx;
	munge_err_t e;
	void *payload = NULL;
	int len = 0;
	int rc = 0;

	if (!(ctx = ctx_for(munge_socket, err)))
		return -EACCES;
	e = munge_decode(cred, ctx, &payload, &len, uid, gid);
	if (e != EMUNGE_SUCCESS)
		rc = lv_errorf(err, -EACCES, "munge: %s (%d)",
			       munge_ctx_strerror(ctx), (int)e);
	else if (len != LV_AUTH_SECRET_LEN)
		rc = lv_errorf(err, -EACCES,
			       "munge: credential payload of %d bytes is not a session secret",
			       len);
	else
		memcpy(secret, payload, LV_AUTH_SECRET_LEN);
	if (payload) {
		explicit_bzero(payload, (size_t)len);
		free(payload);
	}
	munge_ctx_destroy(ctx);
	return rc;
}

int lv_auth_sign(const char *munge_socket, const void *payload, size_t len,
		 char **cred, struct lv_error *err)
{
	munge_ctx_t ctx;
	munge_err_t e;

	*cred = NULL;
	if (!(ctx = ctx_for(munge_socket, err)))
		return -EIO;
	e = munge_encode(cred, ctx, payload, (int)len);
	if (e != EMUNGE_SUCCESS)
		lv_errorf(err, -EIO, "munge: cannot create a credential: %s",
			  munge_ctx_strerror(ctx));
	munge_ctx_destroy(ctx);
	return e == EMUNGE_SUCCESS ? 0 : -EIO;
}

int lv_auth_open(const char *munge_socket, const char *cred, uid_t *uid,
		 gid_t *gid, char **payload, struct lv_error *err)
{
	munge_ctx_t ctx;
	munge_err_t e;
	void *data = NULL;
	int len = 0;

	*payload = NULL;
	if (!(ctx = ctx_for(munge_socket, err)))
		return -EACCES;
	e = munge_decode(cred, ctx, &data, &len, uid, gid);
	if (e != EMUNGE_SUCCESS) {
		lv_errorf(err, -EACCES, "munge: %s (%d)", munge_ctx_strerror(ctx),
			  (int)e);
		munge_ctx_destroy(ctx);
		free(data);
		return -EACCES;
	}
	munge_ctx_destroy(ctx);
	if (!(*payload = malloc((size_t)len + 1))) {
		free(data);
		return lv_errorf(err, -ENOMEM, "out of memory");
	}
	if (len)
		memcpy(*payload, data, (size_t)len);
	(*payload)[len] = '\0';
	free(data);
	return 0;
}

int lv_auth_nonce(uint8_t nonce[LV_AUTH_NONCE_LEN])
{
	ssize_t n;

	/* The kernel's CSPRNG; 32 bytes never return short once seeded. */
	while ((n = getrandom(nonce, LV_AUTH_NONCE_LEN, 0)) < 0 && errno == EINTR)
		;
	return n == LV_AUTH_NONCE_LEN ? 0 : -EIO;
}

int lv_auth_derive_keys(const uint8_t secret[LV_AUTH_SECRET_LEN],
			const uint8_t nonce[LV_AUTH_NONCE_LEN],
			struct lv_auth_keys *keys)
{
	if (lv_mac_derive(secret, LV_AUTH_SECRET_LEN, "leviathan c2s", nonce,
			  LV_AUTH_NONCE_LEN, keys->c2s) < 0 ||
	    lv_mac_derive(secret, LV_AUTH_SECRET_LEN, "leviathan s2c", nonce,
			  LV_AUTH_NONCE_LEN, keys->s2c) < 0)
		return -EIO;
	return 0;
}
