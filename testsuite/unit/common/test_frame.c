/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for frame headers and whole-frame packing (proto 01). */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/frame.h"
#include "common/mac.h"
#include "common/wire.h"

static void test_hdr_roundtrip(void **state)
{
	struct lv_frame_hdr h = { .version = LV_FRAME_VERSION,
				  .flags = LV_FRAME_F_RESPONSE | LV_FRAME_F_MAC,
				  .type = 0x1234,
				  .id = 0xdeadbeef,
				  .len = 77 };
	struct lv_frame_hdr out;
	uint8_t buf[LV_FRAME_HDR_LEN];

	(void)state;
	lv_frame_hdr_encode(&h, buf);
	assert_memory_equal(buf, "LVRP", 4);
	assert_int_equal(lv_frame_hdr_decode(buf, sizeof(buf), 1000, &out, NULL), 0);
	assert_int_equal(out.type, 0x1234);
	assert_int_equal(out.id, 0xdeadbeef);
	assert_int_equal(out.len, 77);
	assert_int_equal(out.flags, h.flags);
	assert_int_equal(lv_frame_wire_len(&out), LV_FRAME_HDR_LEN + 77 + LV_FRAME_MAC_LEN);
}

static void test_hdr_decode_truncated(void **state)
{
	struct lv_frame_hdr h = { .version = LV_FRAME_VERSION, .len = 1 }, out;
	uint8_t buf[LV_FRAME_HDR_LEN];
	size_t i;

	(void)state;
	lv_frame_hdr_encode(&h, buf);
	for (i = 0; i < LV_FRAME_HDR_LEN; i++)
		assert_int_equal(lv_frame_hdr_decode(buf, i, 1000, &out, NULL), -EAGAIN);
}

static void test_hdr_decode_bad_magic(void **state)
{
	uint8_t buf[LV_FRAME_HDR_LEN] = "GET / HTTP/1.1\r";
	struct lv_frame_hdr out;
	struct lv_error err = { 0 };

	(void)state;
	assert_int_equal(lv_frame_hdr_decode(buf, sizeof(buf), 1000, &out, &err), -EPROTO);
	assert_non_null(strstr(err.text, "magic"));
}

static void test_hdr_decode_bad_version(void **state)
{
	struct lv_frame_hdr h = { .version = 9 }, out;
	struct lv_error err = { 0 };
	uint8_t buf[LV_FRAME_HDR_LEN];

	(void)state;
	lv_frame_hdr_encode(&h, buf);
	assert_int_equal(lv_frame_hdr_decode(buf, sizeof(buf), 1000, &out, &err), -EPROTO);
	assert_non_null(strstr(err.text, "version 9"));
}

static void test_hdr_decode_unknown_flags(void **state)
{
	struct lv_frame_hdr h = { .version = LV_FRAME_VERSION, .flags = 0x80 }, out;
	uint8_t buf[LV_FRAME_HDR_LEN];

	(void)state;
	lv_frame_hdr_encode(&h, buf);
	assert_int_equal(lv_frame_hdr_decode(buf, sizeof(buf), 1000, &out, NULL), -EPROTO);
}

static void test_hdr_decode_oversized(void **state)
{
	struct lv_frame_hdr h = { .version = LV_FRAME_VERSION, .len = 1001 }, out;
	struct lv_error err = { 0 };
	uint8_t buf[LV_FRAME_HDR_LEN];

	(void)state;
	lv_frame_hdr_encode(&h, buf);
	assert_int_equal(lv_frame_hdr_decode(buf, sizeof(buf), 1000, &out, &err), -EPROTO);
	assert_non_null(strstr(err.text, "exceeds"));
	assert_int_equal(lv_frame_hdr_decode(buf, sizeof(buf), 1001, &out, NULL), 0);
}

static void pack_unpack(struct lv_mac *tx, struct lv_mac *rx, int want)
{
	json_t *body = json_pack("{s:s, s:i}", "hello", "world", "n", 42), *out = NULL;
	struct lv_frame_hdr h;
	struct lv_error err = { 0 };
	uint8_t *buf;
	size_t len;

	assert_int_equal(lv_wire_pack(7, 0, 99, body, tx, &buf, &len, &err), 0);
	assert_int_equal(lv_frame_hdr_decode(buf, len, LV_FRAME_MAX_BODY, &h, NULL), 0);
	assert_int_equal(lv_frame_wire_len(&h), len);
	assert_int_equal(lv_wire_unpack(&h, buf, rx, &out, &err), want);
	if (want == 0) {
		assert_string_equal(json_string_value(json_object_get(out, "hello")), "world");
		json_decref(out);
	}
	free(buf);
	json_decref(body);
}

static void test_wire_unpack_plain(void **state)
{
	(void)state;
	pack_unpack(NULL, NULL, 0);
}

static void test_wire_unpack_mac(void **state)
{
	uint8_t key[LV_MAC_KEY_LEN] = { 1, 2, 3 };
	struct lv_mac *tx = lv_mac_create(key), *rx = lv_mac_create(key);

	(void)state;
	pack_unpack(tx, rx, 0);
	pack_unpack(tx, rx, 0); /* sequence numbers advance together */
	lv_mac_destroy(tx);
	lv_mac_destroy(rx);
}

static void test_wire_unpack_mac_missing(void **state)
{
	uint8_t key[LV_MAC_KEY_LEN] = { 1 };
	struct lv_mac *rx = lv_mac_create(key);

	(void)state;
	pack_unpack(NULL, rx, -EPROTO);
	lv_mac_destroy(rx);
}

static void test_wire_unpack_not_object(void **state)
{
	const char *texts[] = { "[1,2]", "nope", "{\"a\":1", "{\"a\":1,\"a\":2}" };
	struct lv_frame_hdr h = { .version = LV_FRAME_VERSION };
	struct lv_error err = { 0 };
	uint8_t buf[64];
	json_t *out = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		h.len = (uint32_t)strlen(texts[i]);
		lv_frame_hdr_encode(&h, buf);
		memcpy(buf + LV_FRAME_HDR_LEN, texts[i], h.len);
		assert_int_equal(lv_wire_unpack(&h, buf, NULL, &out, &err), -EPROTO);
	}
}

static void test_wire_unpack_attachment(void **state)
{
	json_t *body = json_pack("{s:i}", "n", 1), *out = NULL;
	const char data[] = "a\tb\n\\x\0y";
	struct lv_frame_hdr h;
	struct lv_error err = { 0 };
	uint8_t *buf;
	size_t len;

	(void)state;
	assert_int_equal(lv_wire_pack_attach(7, 0, 1, body, "rows", data,
					     sizeof(data) - 1, NULL, &buf, &len,
					     &err), 0);
	assert_int_equal(lv_frame_hdr_decode(buf, len, LV_FRAME_MAX_BODY, &h, NULL), 0);
	assert_true(h.flags & LV_FRAME_F_ATTACH);
	assert_int_equal(lv_wire_unpack(&h, buf, NULL, &out, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(out, "n")), 1);
	assert_null(json_object_get(out, "_attach"));
	assert_int_equal(json_string_length(json_object_get(out, "rows")),
			 sizeof(data) - 1);
	assert_memory_equal(json_string_value(json_object_get(out, "rows")),
			    data, sizeof(data) - 1);
	json_decref(out);
	free(buf);
	json_decref(body);
}

static void test_wire_unpack_attachment_bad(void **state)
{
	const char *texts[] = { "{\"a\":1}", "{\"_attach\":\"_x\"}\0zz",
				"{\"_attach\":3}\0zz" };
	const size_t lens[] = { 7, 19, 16 };
	struct lv_frame_hdr h = { .version = LV_FRAME_VERSION,
				  .flags = LV_FRAME_F_ATTACH };
	struct lv_error err = { 0 };
	json_t *out = NULL;
	uint8_t buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		h.len = (uint32_t)lens[i];
		lv_frame_hdr_encode(&h, buf);
		memcpy(buf + LV_FRAME_HDR_LEN, texts[i], h.len);
		assert_int_equal(lv_wire_unpack(&h, buf, NULL, &out, &err), -EPROTO);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hdr_roundtrip),
		cmocka_unit_test(test_hdr_decode_truncated),
		cmocka_unit_test(test_hdr_decode_bad_magic),
		cmocka_unit_test(test_hdr_decode_bad_version),
		cmocka_unit_test(test_hdr_decode_unknown_flags),
		cmocka_unit_test(test_hdr_decode_oversized),
		cmocka_unit_test(test_wire_unpack_plain),
		cmocka_unit_test(test_wire_unpack_mac),
		cmocka_unit_test(test_wire_unpack_mac_missing),
		cmocka_unit_test(test_wire_unpack_not_object),
		cmocka_unit_test(test_wire_unpack_attachment),
		cmocka_unit_test(test_wire_unpack_attachment_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
