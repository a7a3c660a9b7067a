/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lv_bitmap: bit operations, searches and list text. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs stdarg.h, stddef.h and setjmp.h first. */
#include <cmocka.h>

#include "common/bitmap.h"

/* A bitmap of nbits with the listed bits set (the list must be valid). */
static struct lv_bitmap *make(size_t nbits, const char *list)
{
	struct lv_error err = {0};
	struct lv_bitmap *b = lv_bitmap_create(nbits);

	assert_non_null(b);
	assert_int_equal(lv_bitmap_parse_list(b, list, &err), 0);
	assert_int_equal(err.code, 0);
	return b;
}

static void assert_list(const struct lv_bitmap *b, const char *want)
{
	char *s = lv_bitmap_format_list(b);

	assert_non_null(s);
	assert_string_equal(s, want);
	free(s);
}

static void test_lv_bitmap_create_all_clear(void **state)
{
	struct lv_bitmap *b = lv_bitmap_create(130);

	(void)state;
	assert_non_null(b);
	assert_int_equal(lv_bitmap_size(b), 130);
	assert_int_equal(lv_bitmap_count(b), 0);
	for (size_t i = 0; i < 130; i++)
		assert_false(lv_bitmap_test(b, i));
	assert_int_equal(lv_bitmap_next_set(b, 0), -1);
	assert_int_equal(lv_bitmap_next_clear(b, 0), 0);
	lv_bitmap_destroy(b);
}

static void test_lv_bitmap_create_zero_bits(void **state)
{
	struct lv_bitmap *b = lv_bitmap_create(0);

	(void)state;
	assert_non_null(b);
	assert_int_equal(lv_bitmap_size(b), 0);
	assert_int_equal(lv_bitmap_count(b), 0);
	assert_int_equal(lv_bitmap_next_set(b, 0), -1);
	assert_int_equal(lv_bitmap_next_clear(b, 0), -1);
	lv_bitmap_set_all(b);
	assert_int_equal(lv_bitmap_count(b), 0);
	assert_list(b, "");
	lv_bitmap_destroy(b);
}

static void test_lv_bitmap_create_huge_fails(void **state)
{
	(void)state;
	assert_null(lv_bitmap_create(SIZE_MAX));
	assert_null(lv_bitmap_create(SIZE_MAX - 10));
}

static void test_lv_bitmap_destroy_null(void **state)
{
	(void)state;
	lv_bitmap_destroy(NULL);
}

static void test_lv_bitmap_set_word_edges(void **state)
{
	static const size_t bits[] = {0, 1, 62, 63, 64, 65, 127, 128, 199};
	struct lv_bitmap *b = lv_bitmap_create(200);

	(void)state;
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		lv_bitmap_set(b, bits[i]);
	assert_int_equal(lv_bitmap_count(b), 9);
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		assert_true(lv_bitmap_test(b, bits[i]));
	assert_false(lv_bitmap_test(b, 2));
	assert_false(lv_bitmap_test(b, 61));
	assert_false(lv_bitmap_test(b, 66));
	assert_false(lv_bitmap_test(b, 198));
	assert_list(b, "0-1,62-65,127-128,199");
	lv_bitmap_destroy(b);
}

static void test_lv_bitmap_set_twice(void **state)
{
	struct lv_bitmap *b = lv_bitmap_create(10);

	(void)state;
	lv_bitmap_set(b, 3);
	lv_bitmap_set(b, 3);
	assert_int_equal(lv_bitmap_count(b), 1);
	lv_bitmap_destroy(b);
}

static void test_lv_bitmap_clear_one(void **state)
{
	struct lv_bitmap *b = make(100, "0-99");

	(void)state;
	lv_bitmap_clear(b, 64);
	lv_bitmap_clear(b, 0);
	lv_bitmap_clear(b, 99);
	lv_bitmap_clear(b, 99);
	assert_false(lv_bitmap_test(b, 64));
	assert_true(lv_bitmap_test(b, 63));
	assert_true(lv_bitmap_test(b, 65));
	assert_int_equal(lv_bitmap_count(b), 97);
	assert_list(b, "1-63,65-98");
	lv_bitmap_destroy(b);
}

static void test_lv_bitmap_set_all_sizes(void **state)
{
	static const size_t sizes[] = {1, 63, 64, 65, 128, 130};

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct lv_bitmap *b = lv_bitmap_create(sizes[i]);

		lv_bitmap_set_all(b);
		assert_int_equal(lv_bitmap_count(b), sizes[i]);
		assert_int_equal(lv_bitmap_next_clear(b, 0), -1);
		assert_int_equal(lv_bitmap_next_set(b, sizes[i] - 1),
				 (long)sizes[i] - 1);
		lv_bitmap_destroy(b);
	}
}

static void test_lv_bitmap_set_all_then_equal(void **state)
{
	struct lv_bitmap *a = lv_bitmap_create(70);
	struct lv_bitmap *b = make(70, "0-69");

	(void)state;
	/* set_all must not leave padding bits that break equal(). */
	lv_bitmap_set_all(a);
	assert_true(lv_bitmap_equal(a, b));
	lv_bitmap_destroy(a);
	lv_bitmap_destroy(b);
}

static void test_lv_bitmap_clear_all_resets(void **state)
{
	struct lv_bitmap *b = make(130, "0-129");

	(void)state;
	lv_bitmap_clear_all(b);
	assert_int_equal(lv_bitmap_count(b), 0);
	assert_int_equal(lv_bitmap_next_set(b, 0), -1);
	lv_bitmap_destroy(b);
}

static void test_lv_bitmap_count_dense(void **state)
{
	struct lv_bitmap *b = lv_bitmap_create(1000);

	(void)state;
	for (size_t i = 0; i < 1000; i += 3)
		lv_bitmap_set(b, i);
	assert_int_equal(lv_bitmap_count(b), 334);
	lv_bitmap_destroy(b);
}

static void test_lv_bitmap_next_set_walk(void **state)
{
	struct lv_bitmap *b = make(2000, "5,63,64,1000,1999");

	(void)state;
	assert_int_equal(lv_bitmap_next_set(b, 0), 5);
	assert_int_equal(lv_bitmap_next_set(b, 5), 5);
	assert_int_equal(lv_bitmap_next_set(b, 6), 63);
	assert_int_equal(lv_bitmap_next_set(b, 64), 64);
	assert_int_equal(lv_bitmap_next_set(b, 65), 1000);
	assert_int_equal(lv_bitmap_next_set(b, 1001), 1999);
	assert_int_equal(lv_bitmap_next_set(b, 1999), 1999);
	assert_int_equal(lv_bitmap_next_set(b, 2000), -1);
	assert_int_equal(lv_bitmap_next_set(b, 5000), -1);
	lv_bitmap_destroy(b);
}

static void test_lv_bitmap_next_set_none_after(void **state)
{
	struct lv_bitmap *b = make(300, "10");

	(void)state;
	assert_int_equal(lv_bitmap_next_set(b, 11), -1);
	lv_bitmap_destroy(b);
}

static void test_lv_bitmap_next_clear_walk(void **state)
{
	struct lv_bitmap *b = make(1000, "0-699,701-999");

	(void)state;
	assert_int_equal(lv_bitmap_next_clear(b, 0), 700);
	assert_int_equal(lv_bitmap_next_clear(b, 700), 700);
	assert_int_equal(lv_bitmap_next_clear(b, 701), -1);
	assert_int_equal(lv_bitmap_next_clear(b, 1000), -1);
	lv_bitmap_destroy(b);
}

static void test_lv_bitmap_next_clear_padding(void **state)
{
	struct lv_bitmap *b = make(65, "0-63");

	(void)state;
	/* Only bit 64 is clear; the padding past it must not be reported. */
	assert_int_equal(lv_bitmap_next_clear(b, 0), 64);
	lv_bitmap_set(b, 64);
	assert_int_equal(lv_bitmap_next_clear(b, 0), -1);
	lv_bitmap_destroy(b);
}

static void test_lv_bitmap_dup_independent(void **state)
{
	struct lv_bitmap *a = make(100, "1,50-60");
	struct lv_bitmap *b = lv_bitmap_dup(a);

	(void)state;
	assert_non_null(b);
	assert_int_equal(lv_bitmap_size(b), 100);
	assert_true(lv_bitmap_equal(a, b));
	lv_bitmap_set(b, 99);
	assert_false(lv_bitmap_test(a, 99));
	assert_false(lv_bitmap_equal(a, b));
	lv_bitmap_destroy(a);
	lv_bitmap_destroy(b);
}

static void test_lv_bitmap_and_basic(void **state)
{
	struct lv_bitmap *a = make(130, "0-10,64-70,129");
	struct lv_bitmap *b = make(130, "5-65,129");

	(void)state;
	lv_bitmap_and(a, b);
	assert_list(a, "5-10,64-65,129");
	assert_list(b, "5-65,129");
	lv_bitmap_destroy(a);
	lv_bitmap_destroy(b);
}

static void test_lv_bitmap_or_basic(void **state)
{
	struct lv_bitmap *a = make(130, "0-3,100");
	struct lv_bitmap *b = make(130, "2-5,129");

	(void)state;
	lv_bitmap_or(a, b);
	assert_list(a, "0-5,100,129");
	lv_bitmap_destroy(a);
	lv_bitmap_destroy(b);
}

static void test_lv_bitmap_andnot_basic(void **state)
{
	struct lv_bitmap *a = make(130, "0-127");
	struct lv_bitmap *b = make(130, "1-126");

	(void)state;
	lv_bitmap_andnot(a, b);
	assert_list(a, "0,127");
	lv_bitmap_destroy(a);
	lv_bitmap_destroy(b);
}

static void test_lv_bitmap_equal_cases(void **state)
{
	struct lv_bitmap *a = make(80, "3,70");
	struct lv_bitmap *b = make(80, "3,70");
	struct lv_bitmap *c = make(80, "3,71");

	(void)state;
	assert_true(lv_bitmap_equal(a, b));
	assert_false(lv_bitmap_equal(a, c));
	lv_bitmap_destroy(a);
	lv_bitmap_destroy(b);
	lv_bitmap_destroy(c);
}

static void test_lv_bitmap_is_subset_cases(void **state)
{
	struct lv_bitmap *small = make(200, "2,150");
	struct lv_bitmap *big = make(200, "0-10,100-199");
	struct lv_bitmap *empty = lv_bitmap_create(200);

	(void)state;
	assert_true(lv_bitmap_is_subset(small, big));
	assert_false(lv_bitmap_is_subset(big, small));
	assert_true(lv_bitmap_is_subset(empty, small));
	assert_true(lv_bitmap_is_subset(empty, empty));
	assert_true(lv_bitmap_is_subset(big, big));
	lv_bitmap_set(small, 50);
	assert_false(lv_bitmap_is_subset(small, big));
	lv_bitmap_destroy(small);
	lv_bitmap_destroy(big);
	lv_bitmap_destroy(empty);
}

static void test_lv_bitmap_overlaps_cases(void **state)
{
	struct lv_bitmap *a = make(200, "0-63");
	struct lv_bitmap *b = make(200, "64-199");
	struct lv_bitmap *c = make(200, "63");

	(void)state;
	assert_false(lv_bitmap_overlaps(a, b));
	assert_true(lv_bitmap_overlaps(a, c));
	assert_false(lv_bitmap_overlaps(b, c));
	lv_bitmap_destroy(a);
	lv_bitmap_destroy(b);
	lv_bitmap_destroy(c);
}

static void test_lv_bitmap_format_list_runs(void **state)
{
	struct lv_bitmap *b = lv_bitmap_create(16);

	(void)state;
	for (size_t i = 0; i <= 3; i++)
		lv_bitmap_set(b, i);
	lv_bitmap_set(b, 8);
	lv_bitmap_set(b, 10);
	lv_bitmap_set(b, 11);
	assert_list(b, "0-3,8,10-11");
	lv_bitmap_destroy(b);
}

static void test_lv_bitmap_format_list_empty(void **state)
{
	struct lv_bitmap *b = lv_bitmap_create(64);

	(void)state;
	assert_list(b, "");
	lv_bitmap_destroy(b);
}

static void test_lv_bitmap_format_list_last_bit(void **state)
{
	struct lv_bitmap *b = make(100, "0,98-99");

	(void)state;
	assert_list(b, "0,98-99");
	lv_bitmap_set_all(b);
	assert_list(b, "0-99");
	lv_bitmap_destroy(b);
}

static void test_lv_bitmap_format_list_long(void **state)
{
	struct lv_bitmap *b = lv_bitmap_create(100000);
	char *s;

	(void)state;
	/* Every other bit: forces the output buffer to grow many times. */
	for (size_t i = 0; i < 100000; i += 2)
		lv_bitmap_set(b, i);
	s = lv_bitmap_format_list(b);
	assert_non_null(s);
	assert_int_equal(strncmp(s, "0,2,4,6,", 8), 0);
	assert_non_null(strstr(s, ",99996,99998"));
	assert_int_equal(s[strlen(s) - 1], '8');
	free(s);
	lv_bitmap_destroy(b);
}

static void test_lv_bitmap_parse_list_roundtrip(void **state)
{
	struct lv_bitmap *b = make(16, "0-3,8,10-11");

	(void)state;
	assert_int_equal(lv_bitmap_count(b), 7);
	assert_true(lv_bitmap_test(b, 8));
	assert_false(lv_bitmap_test(b, 9));
	assert_list(b, "0-3,8,10-11");
	lv_bitmap_destroy(b);
}

static void test_lv_bitmap_parse_list_empty(void **state)
{
	struct lv_bitmap *b = make(16, "");

	(void)state;
	assert_int_equal(lv_bitmap_count(b), 0);
	lv_bitmap_destroy(b);
}

static void test_lv_bitmap_parse_list_adds(void **state)
{
	struct lv_bitmap *b = make(16, "1");
	struct lv_error err = {0};

	(void)state;
	assert_int_equal(lv_bitmap_parse_list(b, "3-4", &err), 0);
	assert_list(b, "1,3-4");
	lv_bitmap_destroy(b);
}

static void test_lv_bitmap_parse_list_overlap_unsorted(void **state)
{
	struct lv_bitmap *b = make(16, "9,0-5,3-7,5-5");

	(void)state;
	assert_list(b, "0-7,9");
	lv_bitmap_destroy(b);
}

static void test_lv_bitmap_parse_list_last_bit(void **state)
{
	struct lv_bitmap *b = make(100, "99");

	(void)state;
	assert_true(lv_bitmap_test(b, 99));
	lv_bitmap_destroy(b);
}

static void test_lv_bitmap_parse_list_bad(void **state)
{
	static const struct {
		const char *list;
		const char *why;
	} bad[] = {
		{"3-1", "descending"},
		{"1,,2", "expected N or N-M"},
		{",1", "expected N or N-M"},
		{"1,", "expected N or N-M"},
		{"a", "expected N or N-M"},
		{"1-", "expected N or N-M"},
		{"-1", "expected N or N-M"},
		{"1-2-3", "expected N or N-M"},
		{" 1", "expected N or N-M"},
		{"1 ", "expected N or N-M"},
		{"+1", "expected N or N-M"},
		{"1;2", "expected N or N-M"},
		{"100", "bit 100 is past the size 100"},
		{"0-100", "bit 100 is past the size 100"},
		{"99999999999999999999999", "too large"},
		{"0-99999999999999999999999", "too large"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct lv_bitmap *b = lv_bitmap_create(100);
		struct lv_error err = {0};

		assert_int_equal(lv_bitmap_parse_list(b, bad[i].list, &err),
				 -EINVAL);
		assert_int_equal(err.code, -EINVAL);
		assert_non_null(strstr(err.text, bad[i].why));
		assert_non_null(strstr(err.text, bad[i].list));
		assert_int_equal(lv_bitmap_count(b), 0);
		lv_bitmap_destroy(b);
	}
}

static void test_lv_bitmap_parse_list_bad_changes_nothing(void **state)
{
	struct lv_bitmap *b = make(100, "50");
	struct lv_error err = {0};

	(void)state;
	/* The good element before the bad one must not be applied. */
	assert_int_equal(lv_bitmap_parse_list(b, "1-5,200", &err), -EINVAL);
	assert_list(b, "50");
	lv_bitmap_destroy(b);
}

static void test_lv_bitmap_parse_list_null_err(void **state)
{
	struct lv_bitmap *b = lv_bitmap_create(10);

	(void)state;
	assert_int_equal(lv_bitmap_parse_list(b, "x", NULL), -EINVAL);
	lv_bitmap_destroy(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lv_bitmap_create_all_clear),
		cmocka_unit_test(test_lv_bitmap_create_zero_bits),
		cmocka_unit_test(test_lv_bitmap_create_huge_fails),
		cmocka_unit_test(test_lv_bitmap_destroy_null),
		cmocka_unit_test(test_lv_bitmap_set_word_edges),
		cmocka_unit_test(test_lv_bitmap_set_twice),
		cmocka_unit_test(test_lv_bitmap_clear_one),
		cmocka_unit_test(test_lv_bitmap_set_all_sizes),
		cmocka_unit_test(test_lv_bitmap_set_all_then_equal),
		cmocka_unit_test(test_lv_bitmap_clear_all_resets),
		cmocka_unit_test(test_lv_bitmap_count_dense),
		cmocka_unit_test(test_lv_bitmap_next_set_walk),
		cmocka_unit_test(test_lv_bitmap_next_set_none_after),
		cmocka_unit_test(test_lv_bitmap_next_clear_walk),
		cmocka_unit_test(test_lv_bitmap_next_clear_padding),
		cmocka_unit_test(test_lv_bitmap_dup_independent),
		cmocka_unit_test(test_lv_bitmap_and_basic),
		cmocka_unit_test(test_lv_bitmap_or_basic),
		cmocka_unit_test(test_lv_bitmap_andnot_basic),
		cmocka_unit_test(test_lv_bitmap_equal_cases),
		cmocka_unit_test(test_lv_bitmap_is_subset_cases),
		cmocka_unit_test(test_lv_bitmap_overlaps_cases),
		cmocka_unit_test(test_lv_bitmap_format_list_runs),
		cmocka_unit_test(test_lv_bitmap_format_list_empty),
		cmocka_unit_test(test_lv_bitmap_format_list_last_bit),
		cmocka_unit_test(test_lv_bitmap_format_list_long),
		cmocka_unit_test(test_lv_bitmap_parse_list_roundtrip),
		cmocka_unit_test(test_lv_bitmap_parse_list_empty),
		cmocka_unit_test(test_lv_bitmap_parse_list_adds),
		cmocka_unit_test(test_lv_bitmap_parse_list_overlap_unsorted),
		cmocka_unit_test(test_lv_bitmap_parse_list_last_bit),
		cmocka_unit_test(test_lv_bitmap_parse_list_bad),
		cmocka_unit_test(test_lv_bitmap_parse_list_bad_changes_nothing),
		cmocka_unit_test(test_lv_bitmap_parse_list_null_err),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
