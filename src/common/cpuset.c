/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CPU sets held by value: words of 64 bits, list and mask text. */
#include "config.h"

#include "common/cpuset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NW (LV_CPUSET_MAX / 64)

void lv_cpuset_zero(struct lv_cpuset *s)
{
	memset(s, 0, sizeof(*s));
}

void lv_cpuset_set(struct lv_cpuset *s, unsigned cpu)
{
	if (cpu < LV_CPUSET_MAX)
		s->w[cpu / 64] |= 1ull << (cpu % 64);
}

void lv_cpuset_clr(struct lv_cpuset *s, unsigned cpu)
{
	if (cpu < LV_CPUSET_MAX)
		s->w[cpu / 64] &= ~(1ull << (cpu % 64));
}

bool lv_cpuset_isset(const struct lv_cpuset *s, unsigned cpu)
{
	return cpu < LV_CPUSET_MAX && (s->w[cpu / 64] >> (cpu % 64)) & 1;
}

unsigned lv_cpuset_count(const struct lv_cpuset *s)
{
	unsigned i, n = 0;

	for (i = 0; i < NW; i++)
		n += (unsigned)__builtin_popcountll(s->w[i]);
	return n;
}

bool lv_cpuset_empty(const struct lv_cpuset *s)
{
	unsigned i;

	for (i = 0; i < NW; i++)
		if (s->w[i])
			return false;
	return true;
}

int lv_cpuset_next(const struct lv_cpuset *s, unsigned from)
{
	unsigned i = from / 64;
	uint64_t w;

	if (from >= LV_CPUSET_MAX)
		return -1;
	w = s->w[i] & (~0ull << (from % 64));
	for (;;) {
		if (w)
			return (int)(i * 64 + (unsigned)__builtin_ctzll(w));
		if (++i == NW)
			return -1;
		w = s->w[i];
	}
}

void lv_cpuset_or(struct lv_cpuset *dst, const struct lv_cpuset *src)
{
	unsigned i;

	for (i = 0; i < NW; i++)
		dst->w[i] |= src->w[i];
}

void lv_cpuset_andnot(struct lv_cpuset *dst, const struct lv_cpuset *src)
{
	unsigned i;

	for (i = 0; i < NW; i++)
		dst->w[i] &= ~src->w[i];
}

bool lv_cpuset_overlaps(const struct lv_cpuset *a, const struct lv_cpuset *b)
{
	unsigned i;

	for (i = 0; i < NW; i++)
		if (a->w[i] & b->w[i])
			return true;
	return false;
}

bool lv_cpuset_format(const struct lv_cpuset *s, char *buf, size_t len)
{
	size_t off = 0;
	int a = lv_cpuset_next(s, 0), b, n;

	if (!len)
		return false;
	buf[0] = '\0';
	while (a >= 0) {
		b = a;
		while (b + 1 < LV_CPUSET_MAX && lv_cpuset_isset(s, (unsigned)b + 1))
			b++;
		n = a == b ? snprintf(buf + off, len - off, "%s%d", off ? "," : "", a)
			   : snprintf(buf + off, len - off, "%s%d-%d", off ? "," : "", a, b);
		if (n < 0 || (size_t)n >= len - off)
			return false;
		off += (size_t)n;
		a = lv_cpuset_next(s, (unsigned)b + 1);
	}
	return true;
}

int lv_cpuset_parse(struct lv_cpuset *s, const char *text)
{
	const char *p = text;
	char *end;
	unsigned long a, b;

	lv_cpuset_zero(s);
	while (*p) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		a = strtoul(p, &end, 10);
		b = a;
		if (*end == '-') {
			if (end[1] < '0' || end[1] > '9')
				return -EINVAL;
			b = strtoul(end + 1, &end, 10);
		}
		if (b < a || b >= LV_CPUSET_MAX)
			return -EINVAL;
		for (; a <= b; a++)
			lv_cpuset_set(s, (unsigned)a);
		if (*end == ',')
			end++;
		else if (*end)
			return -EINVAL;
		p = end;
	}
	return 0;
}

bool lv_cpuset_format_mask(const struct lv_cpuset *s, char *buf, size_t len)
{
	int top = -1, c = lv_cpuset_next(s, 0), i;
	size_t off = 2;

	while (c >= 0) {
		top = c;
		c = lv_cpuset_next(s, (unsigned)c + 1);
	}
	if (len < 4)
		return false;
	buf[0] = '0';
	buf[1] = 'x';
	if (top < 0) {
		buf[2] = '0';
		buf[3] = '\0';
		return true;
	}
	/* One hex digit per four CPUs, the highest first. */
	for (i = top / 4; i >= 0; i--) {
		unsigned d = 0, k;

		for (k = 0; k < 4; k++)
			if (lv_cpuset_isset(s, (unsigned)(i * 4) + k))
				d |= 1u << k;
		if (off + 1 >= len)
			return false;
		buf[off++] = "0123456789abcdef"[d];
	}
	buf[off] = '\0';
	return true;
}
