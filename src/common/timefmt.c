/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Slurm's time limits, memory sizes and --begin times, parsed and printed. */
#include "config.h"

#include "common/timefmt.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MINUTE 60
#define HOUR (60 * MINUTE)
#define DAY (24 * HOUR)

/* Reads a run of decimal digits, saturating at UINT64_MAX.  False when *p
 * does not start with a digit (so signs and spaces are refused). */
static bool read_num(const char **p, uint64_t *v)
{
	const char *s = *p;
	uint64_t n = 0;

	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (__builtin_mul_overflow(n, 10, &n) ||
		    __builtin_add_overflow(n, (uint64_t)(*s - '0'), &n))
			n = UINT64_MAX;
	}
	*p = s;
	*v = n;
	return true;
}

/* Reads up to max colon-separated numbers; returns how many, 0 on a
 * syntax error. */
static int read_fields(const char **p, uint64_t *f, int max)
{
	int n = 0;

	for (;;) {
		if (!read_num(p, &f[n++]))
			return 0;
		if (**p != ':' || n == max)
			return n;
		(*p)++;
	}
}

/* Adds n * unit to *total, saturating. */
static void add_scaled(uint64_t *total, uint64_t n, uint64_t unit)
{
	if (__builtin_mul_overflow(n, unit, &n) ||
	    __builtin_add_overflow(*total, n, total))
		*total = UINT64_MAX;
}

/* Seconds per field for 1, 2 or 3 fields, without and with "D-". */
static const uint64_t plain_units[3][3] = {
	{MINUTE}, {MINUTE, 1}, {HOUR, MINUTE, 1}};
static const uint64_t day_units[3][3] = {
	{HOUR}, {HOUR, MINUTE}, {HOUR, MINUTE, 1}};

/* "[D-]A[:B[:C]]" as seconds (saturating); false on bad syntax.  Fields
 * are not range-checked ("0:90" is 90 s), as in Slurm. */
static bool time_to_secs(const char *s, uint64_t *secs)
{
	const uint64_t(*units)[3] = plain_units;
	const char *dash = strchr(s, '-');
	uint64_t f[3], days, total = 0;
	int n;

	if (dash) {
		if (!read_num(&s, &days) || s != dash)
			return false;
		s++;
		add_scaled(&total, days, DAY);
		units = day_units;
	}
	n = read_fields(&s, f, 3);
	if (!n || *s)
		return false;
	for (int i = 0; i < n; i++)
		add_scaled(&total, f[i], units[n - 1][i]);
	*secs = total;
	return true;
}

int lv_time_parse_seconds(const char *s, uint32_t *secs, struct lv_error *err)
{
	uint64_t total;

	if (!strcasecmp(s, "UNLIMITED") || !strcasecmp(s, "INFINITE")) {
		*secs = LV_TIME_UNLIMITED;
		return 0;
	}
	if (!time_to_secs(s, &total))
		return lv_errorf(
			err, -EINVAL,
			"time: bad time limit \"%s\": expected M, M:S, H:M:S, D-H, D-H:M, D-H:M:S or UNLIMITED",
			s);
	/* LV_TIME_UNLIMITED itself is reserved for "no limit". */
	if (total >= LV_TIME_UNLIMITED)
		return lv_errorf(err, -EINVAL,
				 "time: bad time limit \"%s\": too large", s);
	*secs = (uint32_t)total;
	return 0;
}

int lv_time_parse_minutes(const char *s, uint32_t *mins, struct lv_error *err)
{
	uint32_t secs;
	int rc;

	if ((rc = lv_time_parse_seconds(s, &secs, err)) < 0)
		return rc;
	if (secs == LV_TIME_UNLIMITED)
		*mins = LV_TIME_UNLIMITED;
	else
		*mins = (uint32_t)(((uint64_t)secs + MINUTE - 1) / MINUTE);
	return 0;
}

char *lv_time_format(uint32_t secs, char *buf, size_t len)
{
	uint32_t d = secs / DAY, h = secs / HOUR % 24, m = secs / MINUTE % 60,
		 s = secs % 60;

	if (secs == LV_TIME_UNLIMITED)
		snprintf(buf, len, "UNLIMITED");
	else if (d)
		snprintf(buf, len,
			 "%" PRIu32 "-%02" PRIu32 ":%02" PRIu32 ":%02" PRIu32,
			 d, h, m, s);
	else if (h)
		snprintf(buf, len, "%" PRIu32 ":%02" PRIu32 ":%02" PRIu32, h, m,
			 s);
	else
		snprintf(buf, len, "%" PRIu32 ":%02" PRIu32, m, s);
	return buf;
}

int lv_mem_parse_mb(const char *s, uint64_t *mb, struct lv_error *err)
{
	const char *p = s;
	uint64_t n, v;
	bool ok;

	if (!read_num(&p, &n) || (*p && p[1] != '\0'))
		goto out_syntax;
	switch (*p) {
	case '\0':
	case 'M':
	case 'm':
		ok = true;
		v = n;
		break;
	case 'K':
	case 'k':
		ok = true;
		v = n / 1024 + (n % 1024 != 0);
		break;
	case 'G':
	case 'g':
		ok = !__builtin_mul_overflow(n, UINT64_C(1024), &v);
		break;
	case 'T':
	case 't':
		ok = !__builtin_mul_overflow(n, UINT64_C(1024) * 1024, &v);
		break;
	default:
		goto out_syntax;
	}
	if (!ok || n == UINT64_MAX) /* read_num saturated */
		return lv_errorf(err, -EINVAL,
				 "mem: bad size \"%s\": too large", s);
	*mb = v;
	return 0;
out_syntax:
	return lv_errorf(
		err, -EINVAL,
		"mem: bad size \"%s\": expected a number with an optional K, M, G or T suffix",
		s);
}

char *lv_mem_format(uint64_t mb, char *buf, size_t len)
{
	const uint64_t tb = UINT64_C(1024) * 1024;

	if (mb && mb % tb == 0)
		snprintf(buf, len, "%" PRIu64 "T", mb / tb);
	else if (mb && mb % 1024 == 0)
		snprintf(buf, len, "%" PRIu64 "G", mb / 1024);
	else
		snprintf(buf, len, "%" PRIu64 "M", mb);
	return buf;
}

/* "now+N[unit]" multipliers, as in Slurm's parse_time(). */
static const struct {
	const char *name;
	int64_t secs;
} begin_units[] = {
	{"seconds", 1},     {"second", 1},   {"minutes", MINUTE},
	{"minute", MINUTE}, {"hours", HOUR}, {"hour", HOUR},
	{"days", DAY},      {"day", DAY},    {"weeks", 7 * DAY},
	{"week", 7 * DAY},
};

/* Named times of day; midnight is always the next one. */
static const struct {
	const char *name;
	int hour;
} begin_words[] = {
	{"midnight", 0}, {"elevenses", 11}, {"noon", 12},
	{"fika", 15},    {"teatime", 16},
};

/* Parses the text after "now": "", or "+N" with an optional unit. */
static bool begin_now(const char *s, int64_t now, int64_t *when)
{
	int64_t unit = 1, delta;
	uint64_t n;

	if (!*s) {
		*when = now;
		return true;
	}
	if (*s++ != '+' || !read_num(&s, &n) || n > INT64_MAX)
		return false;
	if (*s) {
		size_t i;

		for (i = 0; i < sizeof(begin_units) / sizeof(begin_units[0]);
		     i++) {
			if (!strcasecmp(s, begin_units[i].name))
				break;
		}
		if (i == sizeof(begin_units) / sizeof(begin_units[0]))
			return false;
		unit = begin_units[i].secs;
	}
	return !__builtin_mul_overflow((int64_t)n, unit, &delta) &&
	       !__builtin_add_overflow(now, delta, when);
}

/* mktime() of tm (local time), false when it cannot be represented. */
static bool to_epoch(struct tm *tm, int64_t *when)
{
	time_t t;

	tm->tm_isdst = -1;
	t = mktime(tm);
	if (t == (time_t)-1)
		return false;
	*when = (int64_t)t;
	return true;
}

/* The next hh:mm:ss strictly after now (today, or else tomorrow). */
static bool begin_next(int64_t now, int hh, int mm, int ss, int64_t *when)
{
	time_t t = (time_t)now;
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return false;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = ss;
	if (!to_epoch(&tm, when))
		return false;
	if (*when > now)
		return true;
	if (!localtime_r(&t, &tm))
		return false;
	tm.tm_mday++;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = ss;
	return to_epoch(&tm, when);
}

/* Midnight at the start of today (days = 0) or tomorrow (days = 1). */
static bool begin_day(int64_t now, int days, int64_t *when)
{
	time_t t = (time_t)now;
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return false;
	tm.tm_mday += days;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	return to_epoch(&tm, when);
}

/* Reads exactly width digits (width 0: one or two) into *v. */
static bool read_digits(const char **p, int width, int *v)
{
	const char *s = *p;
	int n = 0, i;

	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++) {
		if (i == (width ? width : 2))
			return false;
		n = n * 10 + (s[i] - '0');
	}
	if (width ? i != width : i == 0)
		return false;
	*p = s + i;
	*v = n;
	return true;
}

/* "H:MM" or "HH:MM[:SS]"; *p is left just past it. */
static bool read_clock(const char **p, int *hh, int *mm, int *ss)
{
	*ss = 0;
	if (!read_digits(p, 0, hh) || *hh > 23 || *(*p)++ != ':' ||
	    !read_digits(p, 2, mm) || *mm > 59)
		return false;
	if (**p != ':')
		return true;
	(*p)++;
	return read_digits(p, 2, ss) && *ss <= 59;
}

/* "YYYY-MM-DD[THH:MM[:SS]]", rejecting dates mktime would roll over. */
static bool begin_date(const char *s, int64_t *when)
{
	int y, mon, d, hh = 0, mm = 0, ss = 0;
	struct tm tm;

	if (!read_digits(&s, 4, &y) || *s++ != '-' ||
	    !read_digits(&s, 2, &mon) || *s++ != '-' || !read_digits(&s, 2, &d))
		return false;
	if (*s == 'T') {
		s++;
		if (!read_clock(&s, &hh, &mm, &ss))
			return false;
	}
	if (*s || mon < 1 || mon > 12 || d < 1)
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = d;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = ss;
	if (!to_epoch(&tm, when))
		return false;
	return tm.tm_mday == d && tm.tm_mon == mon - 1;
}

static bool begin_any(const char *s, int64_t now, int64_t *when)
{
	int hh, mm, ss;

	if (!strncasecmp(s, "now", 3))
		return begin_now(s + 3, now, when);
	if (!strcasecmp(s, "today"))
		return begin_day(now, 0, when);
	if (!strcasecmp(s, "tomorrow"))
		return begin_day(now, 1, when);
	for (size_t i = 0; i < sizeof(begin_words) / sizeof(begin_words[0]);
	     i++) {
		if (!strcasecmp(s, begin_words[i].name))
			return begin_next(now, begin_words[i].hour, 0, 0, when);
	}
	if (s[0] && (s[1] == ':' || (s[1] && s[2] == ':')))
		return read_clock(&s, &hh, &mm, &ss) && !*s &&
		       begin_next(now, hh, mm, ss, when);
	return begin_date(s, when);
}

int lv_begin_parse(const char *s, int64_t now, int64_t *when,
		   struct lv_error *err)
{
	int64_t t;

	if (!begin_any(s, now, &t))
		return lv_errorf(
			err, -EINVAL,
			"time: bad begin time \"%s\": expected now[+N[unit]], HH:MM[:SS], YYYY-MM-DD[THH:MM[:SS]], midnight, noon, teatime, today or tomorrow",
			s);
	*when = t;
	return 0;
}
