/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for time limits, memory sizes and --begin times (TZ=UTC). */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* cmocka.h needs stdarg.h, stddef.h and setjmp.h first. */
#include <cmocka.h>

#include "common/timefmt.h"

/* 2026-03-10T14:30:15Z, a Tuesday. */
#define NOW INT64_C(1773153015)

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct secs_case {
	const char *in;
	uint32_t want;
};

struct mb_case {
	const char *in;
	uint64_t want;
};

struct when_case {
	const char *in;
	int64_t want;
};

static void assert_secs(const char *in, uint32_t want)
{
	struct lv_error err = {0};
	uint32_t secs = 12345;

	assert_int_equal(lv_time_parse_seconds(in, &secs, &err), 0);
	assert_int_equal(err.code, 0);
	assert_int_equal(secs, want);
}

static void assert_secs_bad(const char *in, const char *why)
{
	struct lv_error err = {0};
	uint32_t secs = 12345;

	assert_int_equal(lv_time_parse_seconds(in, &secs, &err), -EINVAL);
	assert_int_equal(err.code, -EINVAL);
	assert_non_null(strstr(err.text, why));
	assert_int_equal(secs, 12345);
}

static void test_lv_time_parse_seconds_formats(void **state)
{
	static const struct secs_case ok[] = {
		{"0", 0},
		{"5", 300},
		{"90", 5400},
		{"5:03", 303},
		{"0:59", 59},
		{"1:02:03", 3723},
		{"00:00:01", 1},
		{"2-3", 2 * 86400 + 3 * 3600},
		{"2-3:04", 2 * 86400 + 3 * 3600 + 4 * 60},
		{"2-03:04:05", 2 * 86400 + 3 * 3600 + 4 * 60 + 5},
		{"0-0", 0},
		{"007", 420},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(ok); i++)
		assert_secs(ok[i].in, ok[i].want);
}

static void test_lv_time_parse_seconds_fields_unbounded(void **state)
{
	(void)state;
	/* Like Slurm, fields are not range-checked. */
	assert_secs("0:90", 90);
	assert_secs("1:75:00", 3600 + 75 * 60);
	assert_secs("1-30", 86400 + 30 * 3600);
}

static void test_lv_time_parse_seconds_unlimited(void **state)
{
	static const char *const words[] = {"UNLIMITED", "unlimited",
					    "Unlimited", "INFINITE",
					    "infinite",  "InFiNiTe"};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(words); i++)
		assert_secs(words[i], LV_TIME_UNLIMITED);
}

static void test_lv_time_parse_seconds_bad(void **state)
{
	static const char *const bad[] = {
		"",          "-1",         "-5",      "abc",      "5x",
		"5:",        ":5",         "1:2:3:4", "1-2-3",    "1-",
		"-",         " 5",         "5 ",      "1.5",      "+5",
		"1-2:3:4:5", "UNLIMITEDx", "unlimit", "1-:3",     "1::2",
		"0x10",      "5m",         "1-2:",    "infinity", "\t1",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		assert_secs_bad(bad[i], "expected M, M:S");
}

static void test_lv_time_parse_seconds_overflow(void **state)
{
	(void)state;
	/* 71582788 min = 4294967280 s fits; one more minute does not. */
	assert_secs("71582788", 4294967280u);
	assert_secs_bad("71582789", "too large");
	/* UINT32_MAX - 1 fits, UINT32_MAX is reserved for UNLIMITED. */
	assert_secs("49710-06:28:14", UINT32_MAX - 1);
	assert_secs_bad("49710-06:28:15", "too large");
	assert_secs_bad("99999999999999999999", "too large");
	assert_secs_bad("1-99999999999999999999:0:0", "too large");
	assert_secs_bad("99999999999999999999-0", "too large");
}

static void test_lv_time_parse_seconds_message_quotes_input(void **state)
{
	struct lv_error err = {0};
	uint32_t secs;

	(void)state;
	assert_int_equal(lv_time_parse_seconds("1:x", &secs, &err), -EINVAL);
	assert_non_null(strstr(err.text, "\"1:x\""));
	assert_int_equal(lv_time_parse_seconds("1:x", &secs, NULL), -EINVAL);
}

static void test_lv_time_parse_minutes_rounds_up(void **state)
{
	static const struct secs_case ok[] = {
		{"0", 0},
		{"5", 5},
		{"5:00", 5},
		{"5:01", 6},
		{"0:01", 1},
		{"0:60", 1},
		{"0:61", 2},
		{"1:00:00", 60},
		{"1:00:01", 61},
		{"1-0", 1440},
		{"2-03:04:05", 2 * 1440 + 3 * 60 + 5},
		{"71582788", 71582788},
	};
	struct lv_error err = {0};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(ok); i++) {
		uint32_t mins = 12345;

		assert_int_equal(lv_time_parse_minutes(ok[i].in, &mins, &err),
				 0);
		assert_int_equal(mins, ok[i].want);
	}
}

static void test_lv_time_parse_minutes_unlimited(void **state)
{
	struct lv_error err = {0};
	uint32_t mins = 0;

	(void)state;
	assert_int_equal(lv_time_parse_minutes("INFINITE", &mins, &err), 0);
	assert_int_equal(mins, LV_TIME_UNLIMITED);
}

static void test_lv_time_parse_minutes_bad(void **state)
{
	struct lv_error err = {0};
	uint32_t mins = 12345;

	(void)state;
	assert_int_equal(lv_time_parse_minutes("-1", &mins, &err), -EINVAL);
	assert_int_equal(err.code, -EINVAL);
	assert_int_equal(mins, 12345);
	assert_int_equal(lv_time_parse_minutes("", &mins, &err), -EINVAL);
	assert_int_equal(lv_time_parse_minutes("71582789", &mins, &err),
			 -EINVAL);
	assert_int_equal(mins, 12345);
}

static void test_lv_time_format_squeue_style(void **state)
{
	static const struct {
		uint32_t secs;
		const char *want;
	} cases[] = {
		{0, "0:00"},
		{59, "0:59"},
		{60, "1:00"},
		{303, "5:03"},
		{3599, "59:59"},
		{3600, "1:00:00"},
		{3723, "1:02:03"},
		{86399, "23:59:59"},
		{86400, "1-00:00:00"},
		{2 * 86400 + 3 * 3600 + 4 * 60 + 5, "2-03:04:05"},
		{UINT32_MAX - 1, "49710-06:28:14"},
		{LV_TIME_UNLIMITED, "UNLIMITED"},
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		memset(buf, 'x', sizeof(buf));
		assert_ptr_equal(
			lv_time_format(cases[i].secs, buf, sizeof(buf)), buf);
		assert_string_equal(buf, cases[i].want);
	}
}

static void test_lv_time_format_truncates(void **state)
{
	char buf[4];

	(void)state;
	assert_string_equal(lv_time_format(3723, buf, sizeof(buf)), "1:0");
	assert_string_equal(lv_time_format(LV_TIME_UNLIMITED, buf, sizeof(buf)),
			    "UNL");
}

static void test_lv_time_format_roundtrip(void **state)
{
	static const uint32_t secs[] = {0, 1, 61, 3661, 90061, 1000000};
	struct lv_error err = {0};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(secs); i++) {
		uint32_t back;

		lv_time_format(secs[i], buf, sizeof(buf));
		assert_int_equal(lv_time_parse_seconds(buf, &back, &err), 0);
		assert_int_equal(back, secs[i]);
	}
}

static void test_lv_mem_parse_mb_suffixes(void **state)
{
	static const struct mb_case ok[] = {
		{"0", 0},        {"100", 100},    {"100K", 1},
		{"100k", 1},     {"0K", 0},       {"1024K", 1},
		{"1025K", 2},    {"2048k", 2},    {"2M", 2},
		{"2m", 2},       {"4G", 4096},    {"4g", 4096},
		{"1T", 1048576}, {"1t", 1048576}, {"16384", 16384},
		{"007G", 7168},
	};
	struct lv_error err = {0};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(ok); i++) {
		uint64_t mb = 12345;

		assert_int_equal(lv_mem_parse_mb(ok[i].in, &mb, &err), 0);
		assert_int_equal(mb, ok[i].want);
	}
}

static void test_lv_mem_parse_mb_bad(void **state)
{
	static const char *const bad[] = {
		"",    "4GB", "4gb", "4 G", "-1", "1.5G", "G",    "4X",
		"4KB", " 4",  "4 ",  "+4",  "4P", "4MM",  "0x10", "4Gx",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		struct lv_error err = {0};
		uint64_t mb = 12345;

		assert_int_equal(lv_mem_parse_mb(bad[i], &mb, &err), -EINVAL);
		assert_int_equal(err.code, -EINVAL);
		assert_non_null(strstr(err.text, "K, M, G or T"));
		assert_int_equal(mb, 12345);
	}
}

static void test_lv_mem_parse_mb_overflow(void **state)
{
	static const char *const big[] = {
		"18014398509481984G", /* 2^54 GB = 2^64 MB */
		"17592186044416T",    /* 2^44 TB = 2^64 MB */
		"99999999999999999999",
		"99999999999999999999K",
	};
	struct lv_error err = {0};
	uint64_t mb = 12345;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(big); i++) {
		assert_int_equal(lv_mem_parse_mb(big[i], &mb, &err), -EINVAL);
		assert_non_null(strstr(err.text, "too large"));
		assert_int_equal(mb, 12345);
	}
	/* Just below the limits. */
	assert_int_equal(lv_mem_parse_mb("18014398509481983G", &mb, &err), 0);
	assert_int_equal(mb, UINT64_C(18014398509481983) * 1024);
	assert_int_equal(lv_mem_parse_mb("17592186044415T", &mb, &err), 0);
	assert_int_equal(mb, UINT64_C(17592186044415) * 1024 * 1024);
}

static void test_lv_mem_format_units(void **state)
{
	static const struct {
		uint64_t mb;
		const char *want;
	} cases[] = {
		{0, "0M"},
		{1, "1M"},
		{512, "512M"},
		{1024, "1G"},
		{1536, "1536M"},
		{4096, "4G"},
		{1048576, "1T"},
		{2097152, "2T"},
		{1048576 + 1024, "1025G"},
		{1048577, "1048577M"},
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		assert_ptr_equal(lv_mem_format(cases[i].mb, buf, sizeof(buf)),
				 buf);
		assert_string_equal(buf, cases[i].want);
	}
}

static void test_lv_mem_format_roundtrip(void **state)
{
	static const uint64_t mbs[] = {0, 3, 1024, 1536, 1048576, 3145728};
	struct lv_error err = {0};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(mbs); i++) {
		uint64_t back;

		lv_mem_format(mbs[i], buf, sizeof(buf));
		assert_int_equal(lv_mem_parse_mb(buf, &back, &err), 0);
		assert_int_equal(back, mbs[i]);
	}
}

static void assert_begin(const char *in, int64_t now, int64_t want)
{
	struct lv_error err = {0};
	int64_t when = -1;

	if (lv_begin_parse(in, now, &when, &err) < 0)
		fail_msg("\"%s\": %s", in, err.text);
	if (when != want)
		fail_msg("\"%s\": got %lld, want %lld", in, (long long)when,
			 (long long)want);
}

static void assert_begin_bad(const char *in)
{
	struct lv_error err = {0};
	int64_t when = -1;

	if (lv_begin_parse(in, NOW, &when, &err) != -EINVAL)
		fail_msg("\"%s\" accepted as %lld", in, (long long)when);
	assert_int_equal(err.code, -EINVAL);
	assert_non_null(strstr(err.text, "bad begin time"));
	assert_int_equal(when, -1);
}

static void test_lv_begin_parse_now(void **state)
{
	static const struct when_case ok[] = {
		{"now", NOW},
		{"NOW", NOW},
		{"now+0", NOW},
		{"now+60", NOW + 60},
		{"now+10seconds", NOW + 10},
		{"now+1second", NOW + 1},
		{"now+3minutes", NOW + 180},
		{"now+1minute", NOW + 60},
		{"now+1hour", NOW + 3600},
		{"now+2hours", NOW + 7200},
		{"NOW+1HOUR", NOW + 3600},
		{"now+1day", NOW + 86400},
		{"now+2days", NOW + 2 * 86400},
		{"now+1week", NOW + 7 * 86400},
		{"now+2weeks", NOW + 14 * 86400},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(ok); i++)
		assert_begin(ok[i].in, NOW, ok[i].want);
}

static void test_lv_begin_parse_now_bad(void **state)
{
	static const char *const bad[] = {
		"now+",
		"now-5",
		"now+5parsecs",
		"now+5 hours",
		"now5",
		"now+h",
		"now+5h",
		"now+5m",
		"now +5",
		"now+-5",
		"now++5",
		"now+5hoursx",
		"nowx",
		"now+1.5hours",
		"now+99999999999999999999",
		"now+9223372036854775807weeks",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		assert_begin_bad(bad[i]);
}

static void test_lv_begin_parse_clock(void **state)
{
	static const struct when_case ok[] = {
		{"16:00", INT64_C(1773158400)},    /* later today */
		{"14:30:16", INT64_C(1773153016)}, /* one second ahead */
		{"23:59:59", INT64_C(1773187199)},
		{"14:00", INT64_C(1773237600)},    /* passed: tomorrow */
		{"14:30:15", INT64_C(1773239415)}, /* exactly now: tomorrow */
		{"9:05", INT64_C(1773219900)},
		{"09:05", INT64_C(1773219900)},
		{"0:00", INT64_C(1773187200)},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(ok); i++)
		assert_begin(ok[i].in, NOW, ok[i].want);
}

static void test_lv_begin_parse_clock_bad(void **state)
{
	static const char *const bad[] = {
		"24:00",  "12:60",  "12:00:60", "1:2",     "12:5",
		"123:00", "12:00:", "12:00x",   "12:00:5", "12:",
		":30",    "12:000", "1:00 PM",  "-1:00",   "12::00",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		assert_begin_bad(bad[i]);
}

static void test_lv_begin_parse_words(void **state)
{
	static const struct when_case ok[] = {
		{"midnight", INT64_C(1773187200)}, /* 2026-03-11 00:00 */
		{"noon", INT64_C(1773230400)},     /* passed: 03-11 12:00 */
		{"teatime", INT64_C(1773158400)},  /* 03-10 16:00 */
		{"TeaTime", INT64_C(1773158400)},
		{"today", INT64_C(1773100800)},    /* 03-10 00:00 */
		{"tomorrow", INT64_C(1773187200)}, /* 03-11 00:00 */
		{"Tomorrow", INT64_C(1773187200)},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(ok); i++)
		assert_begin(ok[i].in, NOW, ok[i].want);
}

static void test_lv_begin_parse_words_month_end(void **state)
{
	const int64_t now = INT64_C(1774987200);   /* 2026-03-31 20:00 */
	const int64_t dec31 = INT64_C(1798758000); /* 2026-12-31 23:00 */

	(void)state;
	assert_begin("teatime", now, INT64_C(1775059200));    /* 04-01 16:00 */
	assert_begin("tomorrow", now, INT64_C(1775001600));   /* 04-01 00:00 */
	assert_begin("midnight", dec31, INT64_C(1798761600)); /* 2027 */
	assert_begin("noon", INT64_C(1773100800), INT64_C(1773144000));
}

static void test_lv_begin_parse_date(void **state)
{
	static const struct when_case ok[] = {
		{"2026-12-01", INT64_C(1796083200)},
		{"2026-12-01T10:00", INT64_C(1796119200)},
		{"2026-12-01T10:00:30", INT64_C(1796119230)},
		{"2028-02-29", INT64_C(1835395200)},
		{"2026-03-10", INT64_C(1773100800)}, /* past is allowed */
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(ok); i++)
		assert_begin(ok[i].in, NOW, ok[i].want);
}

static void test_lv_begin_parse_date_bad(void **state)
{
	static const char *const bad[] = {
		"2026-02-29",
		"2026-13-01",
		"2026-00-10",
		"2026-04-31",
		"2026-1-01",
		"2026-01-1",
		"2026-12-01T",
		"2026-12-01T25:00",
		"2026-12-01 10:00",
		"20261201",
		"2026-12-01T10",
		"2026-12-01T10:00:",
		"2026-12-01x",
		"26-12-01",
		"2026/12/01",
		"2026-12-00",
		"2026-12-01T10:00:00Z",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		assert_begin_bad(bad[i]);
}

static void test_lv_begin_parse_garbage(void **state)
{
	static const char *const bad[] = {
		"",           " ",           "garbage",   "now ",
		" now",       "1",           "12",        "noonx",
		"midnight+1", "today+1hour", "yesterday", "uts1700000000",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		assert_begin_bad(bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lv_time_parse_seconds_formats),
		cmocka_unit_test(test_lv_time_parse_seconds_fields_unbounded),
		cmocka_unit_test(test_lv_time_parse_seconds_unlimited),
		cmocka_unit_test(test_lv_time_parse_seconds_bad),
		cmocka_unit_test(test_lv_time_parse_seconds_overflow),
		cmocka_unit_test(
			test_lv_time_parse_seconds_message_quotes_input),
		cmocka_unit_test(test_lv_time_parse_minutes_rounds_up),
		cmocka_unit_test(test_lv_time_parse_minutes_unlimited),
		cmocka_unit_test(test_lv_time_parse_minutes_bad),
		cmocka_unit_test(test_lv_time_format_squeue_style),
		cmocka_unit_test(test_lv_time_format_truncates),
		cmocka_unit_test(test_lv_time_format_roundtrip),
		cmocka_unit_test(test_lv_mem_parse_mb_suffixes),
		cmocka_unit_test(test_lv_mem_parse_mb_bad),
		cmocka_unit_test(test_lv_mem_parse_mb_overflow),
		cmocka_unit_test(test_lv_mem_format_units),
		cmocka_unit_test(test_lv_mem_format_roundtrip),
		cmocka_unit_test(test_lv_begin_parse_now),
		cmocka_unit_test(test_lv_begin_parse_now_bad),
		cmocka_unit_test(test_lv_begin_parse_clock),
		cmocka_unit_test(test_lv_begin_parse_clock_bad),
		cmocka_unit_test(test_lv_begin_parse_words),
		cmocka_unit_test(test_lv_begin_parse_words_month_end),
		cmocka_unit_test(test_lv_begin_parse_date),
		cmocka_unit_test(test_lv_begin_parse_date_bad),
		cmocka_unit_test(test_lv_begin_parse_garbage),
	};

	/* --begin is local time; pin it so expected values are fixed. */
	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
