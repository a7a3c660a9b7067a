/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for frame MACs and session key derivation (proto 02). */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/auth.h"
#include "common/mac.h"

static const uint8_t hdr[LV_FRAME_HDR_LEN] = "LVRP0123456789a";

static void test_mac_verify_ok(void **state)
{
	uint8_t key[LV_MAC_KEY_LEN] = { 7 }, tag[LV_FRAME_MAC_LEN];
	struct lv_mac *a = lv_mac_create(key), *b = lv_mac_create(key);

	(void)state;
	assert_int_equal(lv_mac_sign(a, hdr, (const uint8_t *)"body", 4, tag), 0);
	assert_int_equal(lv_mac_verify(b, hdr, (const uint8_t *)"body", 4, tag), 0);
	lv_mac_destroy(a);
	lv_mac_destroy(b);
}

static void test_mac_verify_tampered(void **state)
{
	uint8_t key[LV_MAC_KEY_LEN] = { 7 }, tag[LV_FRAME_MAC_LEN];
	struct lv_mac *a = lv_mac_create(key), *b = lv_mac_create(key);

	(void)state;
	assert_int_equal(lv_mac_sign(a, hdr, (const uint8_t *)"body", 4, tag), 0);
	assert_int_equal(lv_mac_verify(b, hdr, (const uint8_t *)"bodY", 4, tag), -EBADMSG);
	/* A failed check does not advance the sequence: the real one passes. */
	assert_int_equal(lv_mac_verify(b, hdr, (const uint8_t *)"body", 4, tag), 0);
	lv_mac_destroy(a);
	lv_mac_destroy(b);
}

static void test_mac_verify_replay(void **state)
{
	uint8_t key[LV_MAC_KEY_LEN] = { 7 }, tag[LV_FRAME_MAC_LEN];
	struct lv_mac *a = lv_mac_create(key), *b = lv_mac_create(key);

	(void)state;
	assert_int_equal(lv_mac_sign(a, hdr, NULL, 0, tag), 0);
	assert_int_equal(lv_mac_verify(b, hdr, NULL, 0, tag), 0);
	/* The same frame again carries an old sequence number. */
	assert_int_equal(lv_mac_verify(b, hdr, NULL, 0, tag), -EBADMSG);
	lv_mac_destroy(a);
	lv_mac_destroy(b);
}

static void test_mac_verify_wrong_key(void **state)
{
	uint8_t k1[LV_MAC_KEY_LEN] = { 1 }, k2[LV_MAC_KEY_LEN] = { 2 };
	uint8_t tag[LV_FRAME_MAC_LEN];
	struct lv_mac *a = lv_mac_create(k1), *b = lv_mac_create(k2);

	(void)state;
	assert_int_equal(lv_mac_sign(a, hdr, (const uint8_t *)"x", 1, tag), 0);
	assert_int_equal(lv_mac_verify(b, hdr, (const uint8_t *)"x", 1, tag), -EBADMSG);
	lv_mac_destroy(a);
	lv_mac_destroy(b);
}

static void test_auth_derive_keys_directions(void **state)
{
	uint8_t secret[LV_AUTH_SECRET_LEN] = { 3 }, nonce[LV_AUTH_NONCE_LEN] = { 4 };
	uint8_t nonce2[LV_AUTH_NONCE_LEN] = { 5 };
	struct lv_auth_keys k1, k2, k3;

	(void)state;
	assert_int_equal(lv_auth_derive_keys(secret, nonce, &k1), 0);
	assert_int_equal(lv_auth_derive_keys(secret, nonce, &k2), 0);
	assert_int_equal(lv_auth_derive_keys(secret, nonce2, &k3), 0);
	assert_memory_equal(&k1, &k2, sizeof(k1));
	assert_memory_not_equal(k1.c2s, k1.s2c, LV_MAC_KEY_LEN);
	assert_memory_not_equal(k1.c2s, k3.c2s, LV_MAC_KEY_LEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mac_verify_ok),
		cmocka_unit_test(test_mac_verify_tampered),
		cmocka_unit_test(test_mac_verify_replay),
		cmocka_unit_test(test_mac_verify_wrong_key),
		cmocka_unit_test(test_auth_derive_keys_directions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
