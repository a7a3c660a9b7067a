/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the pure parts of the step client: base64, srun -l
 * labels, exit codes and --multi-prog files. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* cmocka.h needs stdarg.h, stddef.h and setjmp.h first. */
#include <cmocka.h>

#include "cmd/stepio.h"

/* Wait statuses as waitpid() reports them. */
#define EXITED(code) ((code) << 8)
#define SIGNALED(sig) (sig)
#define CORE_DUMPED 0x80

static void test_b64_encode_padding(void **state)
{
	static const char *const in[] = {"", "f", "fo", "foo", "foob"};
	static const char *const out[] = {"", "Zg==", "Zm8=", "Zm9v",
					  "Zm9vYg=="};
	size_t i;
	char *s;

	(void)state;
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		s = stepio_b64_encode(in[i], strlen(in[i]));
		assert_non_null(s);
		assert_string_equal(s, out[i]);
		free(s);
	}
}

static void test_b64_decode_drops_padding(void **state)
{
	unsigned char buf[16];

	(void)state;
	assert_int_equal(stepio_b64_decode("Zg==", 4, buf), 1);
	assert_memory_equal(buf, "f", 1);
	assert_int_equal(stepio_b64_decode("Zm8=", 4, buf), 2);
	assert_memory_equal(buf, "fo", 2);
	assert_int_equal(stepio_b64_decode("Zm9v", 4, buf), 3);
	assert_memory_equal(buf, "foo", 3);
	assert_int_equal(stepio_b64_decode("", 0, buf), 0);
}

static void test_b64_decode_rejects_garbage(void **state)
{
	unsigned char buf[16];

	(void)state;
	assert_int_equal(stepio_b64_decode("Zm9", 3, buf), -EINVAL);
	assert_int_equal(stepio_b64_decode("Zm9v!!!!", 8, buf), -EINVAL);
	assert_int_equal(stepio_b64_decode("Z===", 4, buf), -EINVAL);
}

static void test_b64_roundtrip_binary(void **state)
{
	unsigned char in[256], out[256 * 3 / 4 + 256];
	char *s;
	int i;

	(void)state;
	for (i = 0; i < 256; i++)
		in[i] = (unsigned char)(255 - i);
	s = stepio_b64_encode(in, sizeof(in));
	assert_non_null(s);
	assert_int_equal(stepio_b64_decode(s, strlen(s), out), 256);
	assert_memory_equal(in, out, sizeof(in));
	free(s);
}

static void test_label_width_widest_rank(void **state)
{
	(void)state;
	assert_int_equal(stepio_label_width(1), 1);
	assert_int_equal(stepio_label_width(10), 1);
	assert_int_equal(stepio_label_width(11), 2);
	assert_int_equal(stepio_label_width(100), 2);
	assert_int_equal(stepio_label_width(101), 3);
}

/* out as a C string, for comparisons. */
static const char *text(struct stepio_buf *out)
{
	assert_int_equal(stepio_buf_append(out, "", 1), 0);
	out->len--;
	return out->data;
}

static void test_label_lines_whole_lines(void **state)
{
	struct stepio_buf pending = {0}, out = {0};

	(void)state;
	assert_int_equal(stepio_label_lines(&pending, 3, 2, "a\nbb\n", 5, &out),
			 0);
	assert_string_equal(text(&out), " 3: a\n 3: bb\n");
	assert_int_equal(pending.len, 0);
	stepio_buf_free(&pending);
	stepio_buf_free(&out);
}

static void test_label_lines_keeps_partial_line(void **state)
{
	struct stepio_buf pending = {0}, out = {0};

	(void)state;
	assert_int_equal(stepio_label_lines(&pending, 0, 1, "hel", 3, &out), 0);
	assert_int_equal(out.len, 0);
	assert_int_equal(stepio_label_lines(&pending, 0, 1, "lo\nwor", 6, &out),
			 0);
	assert_string_equal(text(&out), "0: hello\n");
	out.len = 0;
	assert_int_equal(stepio_label_flush(&pending, 0, 1, &out), 0);
	assert_string_equal(text(&out), "0: wor");
	assert_int_equal(pending.len, 0);
	out.len = 0;
	assert_int_equal(stepio_label_flush(&pending, 0, 1, &out), 0);
	assert_int_equal(out.len, 0);
	stepio_buf_free(&pending);
	stepio_buf_free(&out);
}

static void test_label_lines_empty_line(void **state)
{
	struct stepio_buf pending = {0}, out = {0};

	(void)state;
	assert_int_equal(stepio_label_lines(&pending, 7, 1, "\n", 1, &out), 0);
	assert_string_equal(text(&out), "7: \n");
	stepio_buf_free(&pending);
	stepio_buf_free(&out);
}

static void test_task_exit_code_signal_adds_128(void **state)
{
	(void)state;
	assert_int_equal(stepio_task_exit_code(EXITED(0)), 0);
	assert_int_equal(stepio_task_exit_code(EXITED(2)), 2);
	assert_int_equal(stepio_task_exit_code(SIGNALED(SIGKILL)), 137);
	assert_int_equal(stepio_task_exit_code(SIGNALED(SIGSEGV) | CORE_DUMPED),
			 128 + SIGSEGV);
}

static void test_exit_code_highest_task(void **state)
{
	int st[] = {EXITED(0), EXITED(3), SIGNALED(SIGINT), EXITED(1)};
	size_t worst = 99;

	(void)state;
	assert_int_equal(stepio_exit_code(st, 2, &worst), 3);
	assert_int_equal(worst, 1);
	assert_int_equal(stepio_exit_code(st, 4, &worst), 130);
	assert_int_equal(worst, 2);
	assert_int_equal(stepio_exit_code(st, 1, &worst), 0);
	assert_int_equal(worst, 0);
	assert_int_equal(stepio_exit_code(NULL, 0, NULL), 0);
}

static void test_status_text_srun_words(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(stepio_status_text(EXITED(2), buf, sizeof(buf)),
			    "Exited with exit code 2");
	assert_string_equal(
		stepio_status_text(SIGNALED(SIGKILL), buf, sizeof(buf)),
		"Killed");
	assert_string_equal(stepio_status_text(SIGNALED(SIGSEGV) | CORE_DUMPED,
					       buf, sizeof(buf)),
			    "Segmentation fault (core dumped)");
}

static void test_ranks_string_ranges(void **state)
{
	int r[] = {0, 1, 2, 3, 5, 7, 8};
	char buf[64];

	(void)state;
	assert_string_equal(stepio_ranks_string(r, 7, buf, sizeof(buf)),
			    "0-3,5,7-8");
	assert_string_equal(stepio_ranks_string(r + 4, 1, buf, sizeof(buf)),
			    "5");
	assert_string_equal(stepio_ranks_string(r, 0, buf, sizeof(buf)), "");
}

static void test_ranks_string_truncates(void **state)
{
	int r[] = {0, 2, 4, 6, 8, 10, 12};
	char buf[10];

	(void)state;
	assert_string_equal(stepio_ranks_string(r, 7, buf, sizeof(buf)),
			    "0,2,4...");
}

/* The parse of text for ntasks, as compact JSON (caller frees), or NULL
 * with err set. */
static char *multi_prog(const char *text, int ntasks, struct lv_error *err)
{
	json_t *mp = stepio_multi_prog_parse(text, ntasks, err);
	char *s;

	if (!mp)
		return NULL;
	s = json_dumps(mp, JSON_COMPACT);
	json_decref(mp);
	return s;
}

static void test_multi_prog_man_page_example(void **state)
{
	struct lv_error err = {0};
	char *s = multi_prog("# srun -n8 -l --multi-prog silly.conf\n"
			     "4-6       hostname\n"
			     "1,7       echo  task:%t\n"
			     "0,2-3     echo  offset:%o\n",
			     8, &err);

	(void)state;
	assert_non_null(s);
	assert_string_equal(s, "[[0,0,[\"echo\",\"offset:0\"]],"
			       "[1,1,[\"echo\",\"task:1\"]],"
			       "[2,2,[\"echo\",\"offset:1\"]],"
			       "[3,3,[\"echo\",\"offset:2\"]],"
			       "[4,6,[\"hostname\"]],"
			       "[7,7,[\"echo\",\"task:7\"]]]");
	free(s);
}

static void test_multi_prog_star_takes_the_rest(void **state)
{
	struct lv_error err = {0};
	char *s = multi_prog("* worker 'two words' \"x y\"\n\n  0 master\n", 4,
			     &err);

	(void)state;
	assert_non_null(s);
	assert_string_equal(s, "[[0,0,[\"master\"]],"
			       "[1,3,[\"worker\",\"two words\",\"x y\"]]]");
	free(s);
}

/* text must fail for ntasks with exactly message. */
static void expect_error(const char *text, int ntasks, const char *message)
{
	struct lv_error err = {0};
	char *s = multi_prog(text, ntasks, &err);

	assert_null(s);
	assert_int_equal(err.code, -EINVAL);
	assert_string_equal(err.text, message);
}

static void test_multi_prog_rank_given_twice(void **state)
{
	(void)state;
	expect_error("0-2 a\n\n2-3 b\n", 4,
		     "line 3: rank 2 is already given on line 1");
}

static void test_multi_prog_rank_out_of_range(void **state)
{
	(void)state;
	expect_error("0-4 a\n", 4,
		     "line 1: rank 4 is out of range (the step has 4 tasks)");
}

static void test_multi_prog_uncovered_ranks(void **state)
{
	(void)state;
	expect_error("0 a\n3 b\n", 6, "no program given for ranks 1-2,4-5");
	expect_error("1 a\n", 2, "no program given for rank 0");
}

static void test_multi_prog_malformed_lines(void **state)
{
	(void)state;
	expect_error("0-1\n", 2, "line 1: no program for ranks 0-1");
	expect_error("0-1 echo 'open\n", 2, "line 1: unterminated quote");
	expect_error("1-0 a\n", 2, "line 1: bad rank list '1-0'");
	expect_error("0;1 a\n", 2, "line 1: bad rank list '0;1'");
	expect_error("x a\n", 2,
		     "line 1: expected a rank list like 0-3,5 or *");
	expect_error("* a\n* b\n", 2, "line 2: '*' is already given on line 1");
	expect_error("# nothing\n\n", 2, "no program lines");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b64_encode_padding),
		cmocka_unit_test(test_b64_decode_drops_padding),
		cmocka_unit_test(test_b64_decode_rejects_garbage),
		cmocka_unit_test(test_b64_roundtrip_binary),
		cmocka_unit_test(test_label_width_widest_rank),
		cmocka_unit_test(test_label_lines_whole_lines),
		cmocka_unit_test(test_label_lines_keeps_partial_line),
		cmocka_unit_test(test_label_lines_empty_line),
		cmocka_unit_test(test_task_exit_code_signal_adds_128),
		cmocka_unit_test(test_exit_code_highest_task),
		cmocka_unit_test(test_status_text_srun_words),
		cmocka_unit_test(test_ranks_string_ranges),
		cmocka_unit_test(test_ranks_string_truncates),
		cmocka_unit_test(test_multi_prog_man_page_example),
		cmocka_unit_test(test_multi_prog_star_takes_the_rest),
		cmocka_unit_test(test_multi_prog_rank_given_twice),
		cmocka_unit_test(test_multi_prog_rank_out_of_range),
		cmocka_unit_test(test_multi_prog_uncovered_ranks),
		cmocka_unit_test(test_multi_prog_malformed_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
