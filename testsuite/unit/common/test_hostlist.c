/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lv_hostlist: expansion, compression, sorting and errors. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs stdarg.h, stddef.h and setjmp.h first. */
#include <cmocka.h>

#include "common/hostlist.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static struct lv_hostlist *create_ok(const char *expr)
{
	struct lv_error err = {0};
	struct lv_hostlist *hl = lv_hostlist_create(expr, &err);

	if (!hl)
		fail_msg("\"%s\": %s", expr, err.text);
	assert_int_equal(err.code, 0);
	return hl;
}

/* The names of hl joined with ','. */
static char *join(const struct lv_hostlist *hl)
{
	size_t len = 1, n = lv_hostlist_count(hl);
	char *s, *p;

	for (size_t i = 0; i < n; i++)
		len += strlen(lv_hostlist_nth(hl, i)) + 1;
	p = s = malloc(len);
	assert_non_null(s);
	*s = '\0';
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s%s", i ? "," : "", lv_hostlist_nth(hl, i));
	return s;
}

static void assert_expands(const char *expr, const char *want)
{
	struct lv_hostlist *hl = create_ok(expr);
	char *got = join(hl);

	if (strcmp(got, want))
		fail_msg("\"%s\" expanded to \"%s\", want \"%s\"", expr, got,
			 want);
	free(got);
	lv_hostlist_destroy(hl);
}

static void assert_bad(const char *expr, const char *why)
{
	struct lv_error err = {0};
	struct lv_hostlist *hl = lv_hostlist_create(expr, &err);

	if (hl)
		fail_msg("\"%s\" accepted (%zu hosts)", expr,
			 lv_hostlist_count(hl));
	assert_int_equal(err.code, -EINVAL);
	if (!strstr(err.text, why))
		fail_msg("\"%s\": message \"%s\" lacks \"%s\"", expr, err.text,
			 why);
	/* Long expressions are cut short in the message. */
	if (strlen(expr) < 60 && !strstr(err.text, expr))
		fail_msg("\"%s\": message \"%s\" lacks the expression", expr,
			 err.text);
}

/* Builds a list by pushing the comma-separated names in names. */
static struct lv_hostlist *pushed(const char *names)
{
	struct lv_hostlist *hl = create_ok("");
	char *copy = strdup(names), *save = NULL;

	assert_non_null(copy);
	for (char *t = strtok_r(copy, ",", &save); t;
	     t = strtok_r(NULL, ",", &save))
		assert_int_equal(lv_hostlist_push(hl, t), 0);
	free(copy);
	return hl;
}

static void assert_ranged(const char *names, const char *want)
{
	struct lv_hostlist *hl = pushed(names);
	char *got = lv_hostlist_ranged_string(hl);

	assert_non_null(got);
	if (strcmp(got, want))
		fail_msg("[%s] compressed to \"%s\", want \"%s\"", names, got,
			 want);
	free(got);
	lv_hostlist_destroy(hl);
}

static void test_lv_hostlist_create_empty(void **state)
{
	struct lv_hostlist *hl = create_ok("");
	char *s;

	(void)state;
	assert_int_equal(lv_hostlist_count(hl), 0);
	assert_null(lv_hostlist_nth(hl, 0));
	assert_int_equal(lv_hostlist_find(hl, "n1"), -1);
	s = lv_hostlist_ranged_string(hl);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
	lv_hostlist_uniq(hl);
	assert_int_equal(lv_hostlist_count(hl), 0);
	lv_hostlist_destroy(hl);
}

static void test_lv_hostlist_create_plain(void **state)
{
	(void)state;
	assert_expands("n1", "n1");
	assert_expands("login", "login");
	assert_expands("a,b,c", "a,b,c");
	assert_expands("node-7.cluster", "node-7.cluster");
}

static void test_lv_hostlist_create_range(void **state)
{
	struct lv_hostlist *hl = create_ok("n[1-16,20]");

	(void)state;
	assert_int_equal(lv_hostlist_count(hl), 17);
	assert_string_equal(lv_hostlist_nth(hl, 0), "n1");
	assert_string_equal(lv_hostlist_nth(hl, 9), "n10");
	assert_string_equal(lv_hostlist_nth(hl, 15), "n16");
	assert_string_equal(lv_hostlist_nth(hl, 16), "n20");
	assert_null(lv_hostlist_nth(hl, 17));
	lv_hostlist_destroy(hl);
}

static void test_lv_hostlist_create_list(void **state)
{
	(void)state;
	assert_expands("a,b[1-2],c", "a,b1,b2,c");
	assert_expands("n[1-2],gpu[01-02]", "n1,n2,gpu01,gpu02");
}

static void test_lv_hostlist_create_zero_padding(void **state)
{
	(void)state;
	assert_expands("n[01-10]", "n01,n02,n03,n04,n05,n06,n07,n08,n09,n10");
	assert_expands("n[8-11]", "n8,n9,n10,n11");
	assert_expands("n[09-11]", "n09,n10,n11");
	assert_expands("n[001-003]", "n001,n002,n003");
	assert_expands("n[098-101]", "n098,n099,n100,n101");
	assert_expands("n[0-2]", "n0,n1,n2");
	assert_expands("n[00-01]", "n00,n01");
	/* Each range keeps its own padding. */
	assert_expands("n[1,02,003]", "n1,n02,n003");
}

static void test_lv_hostlist_create_cartesian(void **state)
{
	(void)state;
	assert_expands("rack[1-2]-n[01-04]",
		       "rack1-n01,rack1-n02,rack1-n03,rack1-n04,"
		       "rack2-n01,rack2-n02,rack2-n03,rack2-n04");
	assert_expands("a[1-2]b[3,5]c[7]", "a1b3c7,a1b5c7,a2b3c7,a2b5c7");
	assert_expands("[1-2][1-2]", "11,12,21,22");
}

static void test_lv_hostlist_create_suffix(void **state)
{
	(void)state;
	assert_expands("n[1-2]-ib", "n1-ib,n2-ib");
	assert_expands("n[1-2]-ib,login", "n1-ib,n2-ib,login");
	assert_expands("[1-3]", "1,2,3");
}

static void test_lv_hostlist_create_single_in_brackets(void **state)
{
	(void)state;
	assert_expands("n[5]", "n5");
	assert_expands("n[5-5]", "n5");
	assert_expands("n[007]", "n007");
}

static void test_lv_hostlist_create_keeps_duplicates(void **state)
{
	(void)state;
	assert_expands("n[1-2],n1,n[2,2]", "n1,n2,n1,n2,n2");
	assert_expands("n[1-3,2-4]", "n1,n2,n3,n2,n3,n4");
}

static void test_lv_hostlist_create_unbalanced(void **state)
{
	(void)state;
	assert_bad("n[1-2", "unbalanced '['");
	assert_bad("n1-2]", "unbalanced ']'");
	assert_bad("n[1-2]]", "unbalanced ']'");
	assert_bad("n]1[", "unbalanced ']'");
	assert_bad("[", "unbalanced '['");
	assert_bad("a,b[1,c", "unbalanced '['");
}

static void test_lv_hostlist_create_nested(void **state)
{
	(void)state;
	assert_bad("n[1[2]]", "nested '['");
	assert_bad("n[[1-2]]", "nested '['");
}

static void test_lv_hostlist_create_descending(void **state)
{
	(void)state;
	assert_bad("n[3-1]", "range \"3-1\" goes down");
	assert_bad("n[1-2,10-9]", "range \"10-9\" goes down");
}

static void test_lv_hostlist_create_not_number(void **state)
{
	(void)state;
	assert_bad("n[a-b]", "\"a-b\" is not a number or a range");
	assert_bad("n[1-]", "\"1-\" is not a number or a range");
	assert_bad("n[-1]", "\"-1\" is not a number or a range");
	assert_bad("n[1--2]", "\"1--2\" is not a number");
	assert_bad("n[1-2-3]", "\"1-2-3\" is not a number");
	assert_bad("n[+1]", "\"+1\" is not a number");
	assert_bad("n[0x1]", "\"0x1\" is not a number");
	assert_bad("n[1-b]", "\"1-b\" is not a number");
}

static void test_lv_hostlist_create_empty_brackets(void **state)
{
	(void)state;
	assert_bad("n[]", "empty brackets");
	assert_bad("n[1,,2]", "empty range");
	assert_bad("n[,1]", "empty range");
	assert_bad("n[1,]", "empty range");
}

static void test_lv_hostlist_create_empty_name(void **state)
{
	(void)state;
	assert_bad(",,", "empty host name");
	assert_bad("a,,b", "empty host name");
	assert_bad("a,", "empty host name");
	assert_bad(",a", "empty host name");
	assert_bad(",", "empty host name");
}

static void test_lv_hostlist_create_whitespace(void **state)
{
	(void)state;
	assert_bad("n1, n2", "space or control character");
	assert_bad("n[1- 2]", "space or control character");
	assert_bad("n1\n", "space or control character");
	assert_bad(" ", "space or control character");
}

static void test_lv_hostlist_create_too_many(void **state)
{
	(void)state;
	assert_bad("n[1-1000001]", "more than 1000000 hosts");
	assert_bad("n[0-1000000]", "more than 1000000 hosts");
	assert_bad("a[1-1000]b[1-1001]", "more than 1000000 hosts");
	assert_bad("a[1-600000],b[1-600000]", "more than 1000000 hosts");
	assert_bad("n[1-999999,1-2]", "more than 1000000 hosts");
	assert_bad("n[1-999999999999999999]", "more than 1000000 hosts");
	assert_bad("a[1-1000]b[1-1000]c[1-1000]d[1-1000]e[1-1000]",
		   "more than 1000000 hosts");
}

static void test_lv_hostlist_create_number_too_large(void **state)
{
	(void)state;
	assert_bad("n[1-9999999999999999999]", "number too large");
	assert_bad("n[99999999999999999999999999]", "number too large");
}

static void test_lv_hostlist_create_at_limit(void **state)
{
	struct lv_hostlist *hl = create_ok("n[1-1000][0001-1000]");

	(void)state;
	assert_int_equal(lv_hostlist_count(hl), LV_HOSTLIST_MAX);
	assert_string_equal(lv_hostlist_nth(hl, 0), "n10001");
	assert_string_equal(lv_hostlist_nth(hl, LV_HOSTLIST_MAX - 1),
			    "n10001000");
	lv_hostlist_destroy(hl);
}

static void test_lv_hostlist_create_null_err(void **state)
{
	(void)state;
	assert_null(lv_hostlist_create("n[", NULL));
}

static void test_lv_hostlist_create_long_expr_message(void **state)
{
	struct lv_error err = {0};
	char expr[400];

	(void)state;
	memset(expr, 'x', sizeof(expr));
	strcpy(expr + sizeof(expr) - 4, "[1");
	assert_null(lv_hostlist_create(expr, &err));
	/* The reason survives even though the expression is cut. */
	assert_non_null(strstr(err.text, "unbalanced '['"));
	assert_non_null(strstr(err.text, "...\""));
}

static void test_lv_hostlist_destroy_null(void **state)
{
	(void)state;
	lv_hostlist_destroy(NULL);
}

static void test_lv_hostlist_nth_bounds(void **state)
{
	struct lv_hostlist *hl = create_ok("a,b");

	(void)state;
	assert_string_equal(lv_hostlist_nth(hl, 1), "b");
	assert_null(lv_hostlist_nth(hl, 2));
	assert_null(lv_hostlist_nth(hl, SIZE_MAX));
	lv_hostlist_destroy(hl);
}

static void test_lv_hostlist_find_cases(void **state)
{
	struct lv_hostlist *hl = create_ok("n[1-3],gpu01,n2");

	(void)state;
	assert_int_equal(lv_hostlist_find(hl, "n1"), 0);
	assert_int_equal(lv_hostlist_find(hl, "n2"), 1); /* first match */
	assert_int_equal(lv_hostlist_find(hl, "gpu01"), 3);
	assert_int_equal(lv_hostlist_find(hl, "gpu1"), -1);
	assert_int_equal(lv_hostlist_find(hl, "n"), -1);
	assert_int_equal(lv_hostlist_find(hl, "n10"), -1);
	lv_hostlist_destroy(hl);
}

static void test_lv_hostlist_push_appends(void **state)
{
	struct lv_hostlist *hl = create_ok("n1");
	const char *first = lv_hostlist_nth(hl, 0);

	(void)state;
	for (int i = 0; i < 100; i++)
		assert_int_equal(lv_hostlist_push(hl, "x[1]"), 0);
	assert_int_equal(lv_hostlist_count(hl), 101);
	/* Pushed names are taken literally, not expanded. */
	assert_string_equal(lv_hostlist_nth(hl, 100), "x[1]");
	/* Borrowed names survive pushes. */
	assert_ptr_equal(lv_hostlist_nth(hl, 0), first);
	assert_string_equal(first, "n1");
	lv_hostlist_destroy(hl);
}

static void test_lv_hostlist_push_copies(void **state)
{
	struct lv_hostlist *hl = create_ok("");
	char name[] = "n7";

	(void)state;
	assert_int_equal(lv_hostlist_push(hl, name), 0);
	name[1] = '8';
	assert_string_equal(lv_hostlist_nth(hl, 0), "n7");
	lv_hostlist_destroy(hl);
}

static void test_lv_hostlist_uniq_numeric_order(void **state)
{
	struct lv_hostlist *hl = pushed("n10,n2,n1,n2,a,n01,b1,n10,a");
	char *s;

	(void)state;
	lv_hostlist_uniq(hl);
	s = join(hl);
	assert_string_equal(s, "a,b1,n01,n1,n2,n10");
	free(s);
	lv_hostlist_destroy(hl);
}

static void test_lv_hostlist_uniq_multi_number(void **state)
{
	struct lv_hostlist *hl =
		pushed("rack10-n1,rack2-n10,rack2-n9,rack2,rack10-n1,r");
	char *s;

	(void)state;
	lv_hostlist_uniq(hl);
	s = join(hl);
	assert_string_equal(s, "r,rack2,rack2-n9,rack2-n10,rack10-n1");
	free(s);
	lv_hostlist_destroy(hl);
}

static void test_lv_hostlist_uniq_all_same(void **state)
{
	struct lv_hostlist *hl = pushed("x,x,x,x");

	(void)state;
	lv_hostlist_uniq(hl);
	assert_int_equal(lv_hostlist_count(hl), 1);
	assert_string_equal(lv_hostlist_nth(hl, 0), "x");
	lv_hostlist_destroy(hl);
}

static void test_lv_hostlist_uniq_big_numbers(void **state)
{
	struct lv_hostlist *hl =
		pushed("n99999999999999999999999,n100000000000000000000000,n3");
	char *s;

	(void)state;
	lv_hostlist_uniq(hl);
	s = join(hl);
	assert_string_equal(
		s, "n3,n99999999999999999999999,n100000000000000000000000");
	free(s);
	lv_hostlist_destroy(hl);
}

static void test_lv_hostlist_ranged_string_basic(void **state)
{
	(void)state;
	assert_ranged("n1,n2,n3,n5", "n[1-3,5]");
	assert_ranged("n01,n02", "n[01-02]");
	assert_ranged("n1", "n1");
	assert_ranged("n01", "n01");
	assert_ranged("login", "login");
	assert_ranged("n1,n3", "n[1,3]");
}

static void test_lv_hostlist_ranged_string_last_number(void **state)
{
	(void)state;
	assert_ranged("rack1-n01,rack1-n02", "rack1-n[01-02]");
	assert_ranged("rack1-n01,rack2-n01", "rack1-n01,rack2-n01");
	/* No trailing number: left as it is. */
	assert_ranged("n1-ib,n2-ib", "n1-ib,n2-ib");
}

static void test_lv_hostlist_ranged_string_groups(void **state)
{
	(void)state;
	assert_ranged("login,n1,n2", "login,n[1-2]");
	assert_ranged("n1,gpu01,n2,gpu02", "n[1-2],gpu[01-02]");
	assert_ranged("n3,n1,n2", "n[1-3]");
	assert_ranged("1,2,3", "[1-3]");
	assert_ranged("a,b,a", "a,b,a");
}

static void test_lv_hostlist_ranged_string_padding(void **state)
{
	(void)state;
	assert_ranged("n9,n10", "n[9-10]");
	assert_ranged("n09,n10", "n[09-10]");
	assert_ranged("n10,n09", "n[09-10]");
	assert_ranged("n1,n01", "n1,n01");
	assert_ranged("n01,n1", "n01,n1");
	assert_ranged("n001,n1000", "n[001,1000]");
	assert_ranged("n0,n1", "n[0-1]");
	assert_ranged("n00,n0", "n00,n0");
	/* n1 cannot take width 2, so n01 gets its own group. */
	assert_ranged("n10,n1,n01", "n[1,10],n01");
	assert_ranged("n099,n100,n101", "n[099-101]");
}

static void test_lv_hostlist_ranged_string_duplicates(void **state)
{
	(void)state;
	/* Duplicates are kept so that the count survives a round trip. */
	assert_ranged("n1,n1", "n[1,1]");
	assert_ranged("n1,n2,n2,n3", "n[1-2,2-3]");
}

static void test_lv_hostlist_ranged_string_long_digits(void **state)
{
	(void)state;
	/* Numbers too long to range are left as plain names. */
	assert_ranged("n1234567890123456789,n1234567890123456790",
		      "n1234567890123456789,n1234567890123456790");
	assert_ranged("n123456789012345678,n123456789012345679",
		      "n[123456789012345678-123456789012345679]");
}

static void test_lv_hostlist_ranged_string_cartesian(void **state)
{
	struct lv_hostlist *hl = create_ok("rack[1-2]-n[01-04]");
	char *s = lv_hostlist_ranged_string(hl);

	(void)state;
	assert_string_equal(s, "rack1-n[01-04],rack2-n[01-04]");
	free(s);
	lv_hostlist_destroy(hl);
}

static void test_lv_hostlist_ranged_string_large(void **state)
{
	struct lv_hostlist *hl = create_ok("n[1-100000]");
	char *s = lv_hostlist_ranged_string(hl);

	(void)state;
	assert_int_equal(lv_hostlist_count(hl), 100000);
	assert_string_equal(lv_hostlist_nth(hl, 99999), "n100000");
	assert_string_equal(s, "n[1-100000]");
	free(s);
	lv_hostlist_destroy(hl);
}

static void test_lv_hostlist_ranged_string_many_groups(void **state)
{
	struct lv_hostlist *hl = create_ok("r[0-999]-n[0-99]");
	struct lv_hostlist *back;
	char *s = lv_hostlist_ranged_string(hl), *a, *b;

	(void)state;
	assert_non_null(s);
	assert_int_equal(strncmp(s, "r0-n[0-99],r1-n[0-99],", 22), 0);
	back = create_ok(s);
	a = join(hl);
	b = join(back);
	assert_string_equal(a, b);
	free(a);
	free(b);
	free(s);
	lv_hostlist_destroy(back);
	lv_hostlist_destroy(hl);
}

/* Small deterministic generator for the round-trip test. */
static uint32_t next_rand(uint32_t *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 16;
}

static void test_lv_hostlist_ranged_string_roundtrip(void **state)
{
	static const char *const prefixes[] = {"n", "gpu", "rack1-n", "", "x-"};
	uint32_t seed = 42;

	(void)state;
	for (int round = 0; round < 200; round++) {
		struct lv_hostlist *hl = create_ok(""), *back;
		char name[64], *s, *a, *b;
		int n = (int)(next_rand(&seed) % 40) + 1;

		for (int i = 0; i < n; i++) {
			uint32_t r = next_rand(&seed);

			snprintf(name, sizeof(name), "%s%0*u",
				 prefixes[r % ARRAY_LEN(prefixes)],
				 (int)(r / 8 % 4), next_rand(&seed) % 130);
			assert_int_equal(lv_hostlist_push(hl, name), 0);
		}
		s = lv_hostlist_ranged_string(hl);
		back = create_ok(s);
		assert_int_equal(lv_hostlist_count(back),
				 lv_hostlist_count(hl));
		lv_hostlist_uniq(hl);
		lv_hostlist_uniq(back);
		a = join(hl);
		b = join(back);
		if (strcmp(a, b))
			fail_msg("round %d: \"%s\" gave \"%s\"", round, a, s);
		free(a);
		free(b);
		free(s);
		lv_hostlist_destroy(back);
		lv_hostlist_destroy(hl);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lv_hostlist_create_empty),
		cmocka_unit_test(test_lv_hostlist_create_plain),
		cmocka_unit_test(test_lv_hostlist_create_range),
		cmocka_unit_test(test_lv_hostlist_create_list),
		cmocka_unit_test(test_lv_hostlist_create_zero_padding),
		cmocka_unit_test(test_lv_hostlist_create_cartesian),
		cmocka_unit_test(test_lv_hostlist_create_suffix),
		cmocka_unit_test(test_lv_hostlist_create_single_in_brackets),
		cmocka_unit_test(test_lv_hostlist_create_keeps_duplicates),
		cmocka_unit_test(test_lv_hostlist_create_unbalanced),
		cmocka_unit_test(test_lv_hostlist_create_nested),
		cmocka_unit_test(test_lv_hostlist_create_descending),
		cmocka_unit_test(test_lv_hostlist_create_not_number),
		cmocka_unit_test(test_lv_hostlist_create_empty_brackets),
		cmocka_unit_test(test_lv_hostlist_create_empty_name),
		cmocka_unit_test(test_lv_hostlist_create_whitespace),
		cmocka_unit_test(test_lv_hostlist_create_too_many),
		cmocka_unit_test(test_lv_hostlist_create_number_too_large),
		cmocka_unit_test(test_lv_hostlist_create_at_limit),
		cmocka_unit_test(test_lv_hostlist_create_null_err),
		cmocka_unit_test(test_lv_hostlist_create_long_expr_message),
		cmocka_unit_test(test_lv_hostlist_destroy_null),
		cmocka_unit_test(test_lv_hostlist_nth_bounds),
		cmocka_unit_test(test_lv_hostlist_find_cases),
		cmocka_unit_test(test_lv_hostlist_push_appends),
		cmocka_unit_test(test_lv_hostlist_push_copies),
		cmocka_unit_test(test_lv_hostlist_uniq_numeric_order),
		cmocka_unit_test(test_lv_hostlist_uniq_multi_number),
		cmocka_unit_test(test_lv_hostlist_uniq_all_same),
		cmocka_unit_test(test_lv_hostlist_uniq_big_numbers),
		cmocka_unit_test(test_lv_hostlist_ranged_string_basic),
		cmocka_unit_test(test_lv_hostlist_ranged_string_last_number),
		cmocka_unit_test(test_lv_hostlist_ranged_string_groups),
		cmocka_unit_test(test_lv_hostlist_ranged_string_padding),
		cmocka_unit_test(test_lv_hostlist_ranged_string_duplicates),
		cmocka_unit_test(test_lv_hostlist_ranged_string_long_digits),
		cmocka_unit_test(test_lv_hostlist_ranged_string_cartesian),
		cmocka_unit_test(test_lv_hostlist_ranged_string_large),
		cmocka_unit_test(test_lv_hostlist_ranged_string_many_groups),
		cmocka_unit_test(test_lv_hostlist_ranged_string_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
