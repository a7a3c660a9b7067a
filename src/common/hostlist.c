/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Expansion and compression of Slurm hostlist expressions like "n[1-16,20]". */
#include "config.h"

#include "common/hostlist.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest number inside brackets; keeps every count in a uint64_t. */
#define RANGE_NUM_MAX UINT64_C(999999999999999999)
/* Widest number compressed into a range (more digits stay a plain name). */
#define NUM_DIGITS_MAX 18
/* Digits of the longest number printed, plus a NUL. */
#define NUM_BUF 24

/* Each name is its own allocation, so borrowed names stay valid across
 * lv_hostlist_push() (until uniq or destroy frees them). */
struct lv_hostlist {
	char **names;
	size_t count;
	size_t cap;
};

/* One "lo-hi" inside brackets; width is the length of lo as written, so
 * "01-10" pads to two digits and "1-10" does not pad. */
struct range {
	uint64_t lo, hi;
	int width;
};

/* A literal followed by a bracket group; ranges are indexes into the
 * element's range array.  ri and v are the odometer while expanding. */
struct group {
	const char *lit;
	size_t litlen;
	size_t first, nranges;
	size_t ri;
	uint64_t v;
};

/* One top-level element, parsed: groups, then a trailing literal.  The
 * arrays are reused from element to element. */
struct elem {
	struct group *groups;
	size_t ngroups, gcap;
	struct range *ranges;
	size_t nranges, rcap;
	const char *tail;
	size_t taillen;
	uint64_t count;
};

/* Parse context for error messages. */
struct parse {
	const char *expr;
	struct lv_error *err;
};

static int bad_expr(const struct parse *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int bad_expr(const struct parse *ps, const char *fmt, ...)
{
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return lv_errorf(ps->err, -EINVAL,
			 "hostlist: bad expression \"%.64s%s\": %s", ps->expr,
			 strlen(ps->expr) > 64 ? "..." : "", why);
}

/* Makes room for need elements of size bytes in arr, whose capacity is
 * *cap.  Returns the array, moved or not, or NULL on ENOMEM with arr
 * left as it was. */
static void *grow(void *arr, size_t *cap, size_t need, size_t size)
{
	size_t ncap = *cap ? *cap : 8;
	void *p;

	if (need <= *cap)
		return arr;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / size)
			return NULL;
		ncap *= 2;
	}
	if (!(p = realloc(arr, ncap * size)))
		return NULL;
	*cap = ncap;
	return p;
}

/* Checks brackets, characters and empty elements over the whole
 * expression, so that the element parser can trust the structure. */
static int check_structure(const struct parse *ps)
{
	const char *s = ps->expr;
	bool open = false;
	size_t i, start = 0;

	for (i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c == 0x7f)
			return bad_expr(
				ps, "space or control character at offset %zu",
				i);
		if (c == '[' && open)
			return bad_expr(ps, "nested '[' at offset %zu", i);
		if (c == ']' && !open)
			return bad_expr(ps, "unbalanced ']' at offset %zu", i);
		if (c == '[' || c == ']')
			open = c == '[';
		if (c != ',' || open)
			continue;
		if (i == start)
			return bad_expr(ps, "empty host name at offset %zu", i);
		start = i + 1;
	}
	if (open)
		return bad_expr(ps, "unbalanced '['");
	if (i == start)
		return bad_expr(ps, "empty host name at the end");
	return 0;
}

/* Reads a bracket number; false when s does not start with a digit. */
static bool read_num(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	uint64_t n = 0;

	if (s == end || *s < '0' || *s > '9')
		return false;
	for (; s < end && *s >= '0' && *s <= '9'; s++)
		n = n > RANGE_NUM_MAX ? n : n * 10 + (uint64_t)(*s - '0');
	*p = s;
	*v = n;
	return true;
}

/* Parses one "lo" or "lo-hi" in [s, end) into r. */
static int parse_range(const struct parse *ps, const char *s, const char *end,
		       struct range *r)
{
	const char *p = s;
	int len = (int)(end - s < 32 ? end - s : 32);

	if (s == end)
		return bad_expr(ps, "empty range inside brackets");
	if (!read_num(&p, end, &r->lo))
		goto out_syntax;
	r->width = (int)(p - s);
	r->hi = r->lo;
	if (p < end && *p == '-') {
		p++;
		if (!read_num(&p, end, &r->hi))
			goto out_syntax;
	}
	if (p != end)
		goto out_syntax;
	if (r->lo > RANGE_NUM_MAX || r->hi > RANGE_NUM_MAX)
		return bad_expr(ps, "number too large in \"%.*s\"", len, s);
	if (r->lo > r->hi)
		return bad_expr(ps, "range \"%.*s\" goes down", len, s);
	return 0;
out_syntax:
	return bad_expr(ps, "\"%.*s\" is not a number or a range N-M", len, s);
}

/* Adds a, b into *sum (or multiplies), failing past LV_HOSTLIST_MAX. */
static int check_count(const struct parse *ps, uint64_t *acc, uint64_t n,
		       bool multiply)
{
	if (multiply ? n && *acc > LV_HOSTLIST_MAX / n
		     : n > LV_HOSTLIST_MAX - *acc)
		return bad_expr(ps, "more than %d hosts", LV_HOSTLIST_MAX);
	*acc = multiply ? *acc * n : *acc + n;
	return 0;
}

/* Parses the bracket contents [s, end) as group g's ranges. */
static int parse_group(const struct parse *ps, struct elem *el, struct group *g,
		       const char *s, const char *end)
{
	uint64_t count = 0;
	const char *comma;

	if (s == end)
		return bad_expr(ps, "empty brackets \"[]\"");
	g->first = el->nranges;
	for (;;) {
		struct range *rs, *r;

		if (!(comma = memchr(s, ',', (size_t)(end - s))))
			comma = end;
		if (!(rs = grow(el->ranges, &el->rcap, el->nranges + 1,
				sizeof(*rs))))
			return lv_errorf(ps->err, -ENOMEM,
					 "hostlist: out of memory");
		el->ranges = rs;
		r = &rs[el->nranges];
		if (parse_range(ps, s, comma, r) < 0 ||
		    check_count(ps, &count, r->hi - r->lo + 1, false) < 0)
			return -EINVAL;
		el->nranges++;
		if (comma == end)
			break;
		s = comma + 1;
	}
	g->nranges = el->nranges - g->first;
	return check_count(ps, &el->count, count, true);
}

/* Parses the element [s, end), whose brackets are known to balance. */
static int parse_elem(const struct parse *ps, struct elem *el, const char *s,
		      const char *end)
{
	const char *open, *close;
	int rc;

	el->ngroups = el->nranges = 0;
	el->count = 1;
	while ((open = memchr(s, '[', (size_t)(end - s)))) {
		struct group *gs, *g;

		close = memchr(open, ']', (size_t)(end - open));
		if (!(gs = grow(el->groups, &el->gcap, el->ngroups + 1,
				sizeof(*gs))))
			return lv_errorf(ps->err, -ENOMEM,
					 "hostlist: out of memory");
		el->groups = gs;
		g = &gs[el->ngroups++];
		g->lit = s;
		g->litlen = (size_t)(open - s);
		if ((rc = parse_group(ps, el, g, open + 1, close)) < 0)
			return rc;
		s = close + 1;
	}
	el->tail = s;
	el->taillen = (size_t)(end - s);
	return 0;
}

static int push_len(struct lv_hostlist *hl, const char *name, size_t len)
{
	char **names, *copy;

	if (!(names = grow(hl->names, &hl->cap, hl->count + 1, sizeof(*names))))
		return -ENOMEM;
	hl->names = names;
	if (!(copy = malloc(len + 1)))
		return -ENOMEM;
	memcpy(copy, name, len);
	copy[len] = '\0';
	hl->names[hl->count++] = copy;
	return 0;
}

/* Steps the odometer, rightmost group fastest; false after the last. */
static bool advance(struct elem *el)
{
	for (size_t i = el->ngroups; i-- > 0;) {
		struct group *g = &el->groups[i];

		if (g->v < el->ranges[g->first + g->ri].hi) {
			g->v++;
			return true;
		}
		g->ri = g->ri + 1 < g->nranges ? g->ri + 1 : 0;
		g->v = el->ranges[g->first + g->ri].lo;
		if (g->ri)
			return true;
	}
	return false;
}

/* Writes the element's current name into buf (sized by expand_elem). */
static size_t format_name(const struct elem *el, char *buf)
{
	size_t len = 0;

	for (size_t i = 0; i < el->ngroups; i++) {
		const struct group *g = &el->groups[i];

		memcpy(buf + len, g->lit, g->litlen);
		len += g->litlen;
		len += (size_t)sprintf(buf + len, "%0*" PRIu64,
				       el->ranges[g->first + g->ri].width,
				       g->v);
	}
	memcpy(buf + len, el->tail, el->taillen);
	return len + el->taillen;
}

/* Appends every name of a parsed element to hl. */
static int expand_elem(struct lv_hostlist *hl, struct elem *el)
{
	size_t size = el->taillen + 1;
	char *buf;
	int rc = 0;

	for (size_t i = 0; i < el->ngroups; i++) {
		struct group *g = &el->groups[i];
		int width = 0;

		for (size_t r = g->first; r < g->first + g->nranges; r++)
			width = el->ranges[r].width > width
					? el->ranges[r].width
					: width;
		size += g->litlen + (size_t)width + NUM_BUF;
		g->ri = 0;
		g->v = el->ranges[g->first].lo;
	}
	if (!(buf = malloc(size)))
		return -ENOMEM;
	do {
		rc = push_len(hl, buf, format_name(el, buf));
	} while (!rc && advance(el));
	free(buf);
	return rc;
}

/* Length of the element at s: up to a ',' outside brackets or the end. */
static size_t elem_len(const char *s)
{
	bool open = false;
	size_t i;

	for (i = 0; s[i] && (open || s[i] != ','); i++) {
		if (s[i] == '[' || s[i] == ']')
			open = s[i] == '[';
	}
	return i;
}

/* Parses every element; with hl NULL only counts them into *total. */
static int walk_expr(const struct parse *ps, struct elem *el,
		     struct lv_hostlist *hl, uint64_t *total)
{
	const char *s = ps->expr;
	size_t len;
	int rc;

	for (;; s += len + 1) {
		len = elem_len(s);
		if ((rc = parse_elem(ps, el, s, s + len)) < 0)
			return rc;
		if (hl && expand_elem(hl, el) < 0)
			return lv_errorf(ps->err, -ENOMEM,
					 "hostlist: out of memory");
		if (!hl && check_count(ps, total, el->count, false) < 0)
			return -EINVAL;
		if (!s[len])
			return 0;
	}
}

struct lv_hostlist *lv_hostlist_create(const char *expr, struct lv_error *err)
{
	struct parse ps = {.expr = expr, .err = err};
	struct elem el = {0};
	struct lv_hostlist *hl;
	uint64_t total = 0;
	char **names;

	if (!(hl = calloc(1, sizeof(*hl)))) {
		lv_errorf(err, -ENOMEM, "hostlist: out of memory");
		return NULL;
	}
	if (!*expr)
		return hl;
	/* Count first, so a huge expression fails before any expansion. */
	if (check_structure(&ps) < 0 || walk_expr(&ps, &el, NULL, &total) < 0)
		goto out_destroy;
	assert(total > 0); /* non-empty and well-formed */
	if (!(names = grow(NULL, &hl->cap, (size_t)total, sizeof(*names)))) {
		lv_errorf(err, -ENOMEM, "hostlist: out of memory");
		goto out_destroy;
	}
	hl->names = names;
	if (walk_expr(&ps, &el, hl, NULL) < 0)
		goto out_destroy;
	free(el.groups);
	free(el.ranges);
	return hl;
out_destroy:
	free(el.groups);
	free(el.ranges);
	lv_hostlist_destroy(hl);
	return NULL;
}

void lv_hostlist_destroy(struct lv_hostlist *hl)
{
	if (!hl)
		return;
	for (size_t i = 0; i < hl->count; i++)
		free(hl->names[i]);
	free(hl->names);
	free(hl);
}

size_t lv_hostlist_count(const struct lv_hostlist *hl)
{
	return hl->count;
}

const char *lv_hostlist_nth(const struct lv_hostlist *hl, size_t i)
{
	return i < hl->count ? hl->names[i] : NULL;
}

long lv_hostlist_find(const struct lv_hostlist *hl, const char *name)
{
	for (size_t i = 0; i < hl->count; i++) {
		if (!strcmp(hl->names[i], name))
			return (long)i;
	}
	return -1;
}

int lv_hostlist_push(struct lv_hostlist *hl, const char *name)
{
	return push_len(hl, name, strlen(name));
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Compares the digit runs at *a and *b by value and steps past them. */
static int cmp_digits(const char **a, const char **b)
{
	const char *x = *a, *y = *b;
	size_t xl, yl;
	int c;

	while (*x == '0')
		x++;
	while (*y == '0')
		y++;
	for (xl = 0; is_digit(x[xl]); xl++)
		;
	for (yl = 0; is_digit(y[yl]); yl++)
		;
	if (xl != yl)
		return xl < yl ? -1 : 1;
	if ((c = memcmp(x, y, xl)))
		return c;
	*a = x + xl;
	*b = y + yl;
	return 0;
}

/* Numeric-aware order ("n2" < "n10"); names equal by value ("n1",
 * "n01") fall back to strcmp so that only identical names compare 0. */
static int natural_cmp(const void *pa, const void *pb)
{
	const char *a = *(char *const *)pa, *b = *(char *const *)pb;
	const char *x = a, *y = b;
	int c;

	while (*x && *y) {
		if (is_digit(*x) && is_digit(*y)) {
			if ((c = cmp_digits(&x, &y)))
				return c;
			continue;
		}
		if (*x != *y)
			return (unsigned char)*x < (unsigned char)*y ? -1 : 1;
		x++;
		y++;
	}
	if (*x || *y)
		return *x ? 1 : -1;
	return strcmp(a, b);
}

void lv_hostlist_uniq(struct lv_hostlist *hl)
{
	size_t out = 0;

	if (hl->count < 2)
		return;
	qsort(hl->names, hl->count, sizeof(*hl->names), natural_cmp);
	for (size_t i = 1; i < hl->count; i++) {
		if (!strcmp(hl->names[out], hl->names[i]))
			free(hl->names[i]);
		else
			hl->names[++out] = hl->names[i];
	}
	hl->count = out + 1;
}

/* Hosts that compress together: one prefix and compatible zero padding.
 * A name without a trailing number is a plain group of its own. */
struct rgroup {
	const char *prefix; /* borrowed from a host name */
	size_t plen;
	size_t width;    /* padded width, 0 while every number is unpadded */
	size_t minlen;   /* shortest unpadded number, while width is 0 */
	size_t n, start; /* members, and their first index in vals */
	size_t next;     /* next group with this prefix, or NONE */
	bool plain;
};

#define NONE SIZE_MAX

struct compress {
	struct rgroup *groups;
	size_t ngroups;
	size_t *gid;    /* group of each host */
	uint64_t *vals; /* numbers, grouped by group */
	size_t *table;  /* prefix hash -> first group with that prefix */
	size_t mask;
};

struct sbuf {
	char *s;
	size_t len, cap;
};

static int sb_put(struct sbuf *b, const char *s, size_t n)
{
	char *buf;

	if (!(buf = grow(b->s, &b->cap, b->len + n + 1, 1)))
		return -ENOMEM;
	b->s = buf;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

static int sb_num(struct sbuf *b, size_t width, uint64_t v)
{
	char tmp[NUM_BUF];

	return sb_put(b, tmp,
		      (size_t)snprintf(tmp, sizeof(tmp), "%0*" PRIu64,
				       (int)width, v));
}

/* Splits name into a prefix and a trailing number; false if it has none
 * (or one too long to range). */
static bool split_name(const char *name, size_t *plen, size_t *nlen,
		       uint64_t *v)
{
	size_t len = strlen(name), i = len;

	while (i > 0 && is_digit(name[i - 1]))
		i--;
	if (i == len || len - i > NUM_DIGITS_MAX)
		return false;
	*plen = i;
	*nlen = len - i;
	for (*v = 0; i < len; i++)
		*v = *v * 10 + (uint64_t)(name[i] - '0');
	return true;
}

/* Whether a number of nlen digits (padded: with a leading zero) prints
 * the same under g's width; may settle the width of an unpadded group. */
static bool group_fits(struct rgroup *g, bool padded, size_t nlen)
{
	if (g->width)
		return padded ? nlen == g->width : nlen >= g->width;
	if (!padded) {
		g->minlen = nlen < g->minlen ? nlen : g->minlen;
		return true;
	}
	if (nlen > g->minlen)
		return false;
	g->width = nlen;
	return true;
}

static size_t hash_prefix(const char *s, size_t len)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * UINT64_C(1099511628211);
	return (size_t)h;
}

static size_t new_group(struct compress *c, const char *name, size_t plen,
			size_t nlen, bool padded, bool plain)
{
	struct rgroup *g = &c->groups[c->ngroups];

	*g = (struct rgroup){.prefix = name,
			     .plen = plen,
			     .next = NONE,
			     .plain = plain,
			     .width = padded ? nlen : 0,
			     .minlen = nlen};
	return c->ngroups++;
}

/* Finds or makes the group of one host name. */
static size_t assign_group(struct compress *c, const char *name)
{
	size_t plen, nlen, slot, g, last = NONE;
	uint64_t v;
	bool padded;

	if (!split_name(name, &plen, &nlen, &v))
		return new_group(c, name, strlen(name), 0, false, true);
	padded = nlen > 1 && name[plen] == '0';
	slot = hash_prefix(name, plen) & c->mask;
	for (; c->table[slot] != NONE; slot = (slot + 1) & c->mask) {
		g = c->table[slot];
		if (c->groups[g].plen == plen &&
		    !memcmp(c->groups[g].prefix, name, plen))
			break;
	}
	for (g = c->table[slot]; g != NONE; last = g, g = c->groups[g].next) {
		if (group_fits(&c->groups[g], padded, nlen))
			return g;
	}
	g = new_group(c, name, plen, nlen, padded, false);
	if (last == NONE)
		c->table[slot] = g;
	else
		c->groups[last].next = g;
	return g;
}

static int cmp_u64(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;

	return (a > b) - (a < b);
}

/* Groups the hosts and gathers each group's numbers, sorted. */
static int collect(struct compress *c, const struct lv_hostlist *hl)
{
	size_t tsize = 16, plen, nlen, *fill;
	uint64_t v;

	while (tsize < 2 * hl->count)
		tsize *= 2;
	c->mask = tsize - 1;
	c->groups = malloc(hl->count * sizeof(*c->groups));
	c->gid = malloc(hl->count * sizeof(*c->gid));
	c->vals = malloc(hl->count * sizeof(*c->vals));
	c->table = malloc(tsize * sizeof(*c->table));
	if (!c->groups || !c->gid || !c->vals || !c->table)
		return -ENOMEM;
	memset(c->table, 0xff, tsize * sizeof(*c->table)); /* all NONE */
	for (size_t i = 0; i < hl->count; i++) {
		c->gid[i] = assign_group(c, hl->names[i]);
		c->groups[c->gid[i]].n++;
	}
	for (size_t g = 0, at = 0; g < c->ngroups; g++) {
		c->groups[g].start = at;
		at += c->groups[g].n;
	}
	/* The hash table is done with: reuse it as each group's fill
	 * cursor (it has at least 2 * count >= ngroups slots). */
	fill = c->table;
	for (size_t g = 0; g < c->ngroups; g++)
		fill[g] = c->groups[g].start;
	for (size_t i = 0; i < hl->count; i++) {
		if (split_name(hl->names[i], &plen, &nlen, &v))
			c->vals[fill[c->gid[i]]++] = v;
	}
	for (size_t g = 0; g < c->ngroups; g++)
		qsort(c->vals + c->groups[g].start, c->groups[g].n,
		      sizeof(*c->vals), cmp_u64);
	return 0;
}

/* Appends ",lo-hi" (no comma first, no "-hi" when hi == lo). */
static int emit_run(struct sbuf *b, size_t width, uint64_t lo, uint64_t hi,
		    bool first)
{
	if (!first && sb_put(b, ",", 1) < 0)
		return -ENOMEM;
	if (sb_num(b, width, lo) < 0)
		return -ENOMEM;
	if (hi == lo)
		return 0;
	if (sb_put(b, "-", 1) < 0)
		return -ENOMEM;
	return sb_num(b, width, hi);
}

/* Appends "prefix5" or "prefix[1-3,5]" for one group. */
static int emit_group(struct sbuf *b, const struct compress *c,
		      const struct rgroup *g)
{
	const uint64_t *v = c->vals + g->start;
	size_t i, j;

	if (sb_put(b, g->prefix, g->plen) < 0)
		return -ENOMEM;
	if (g->plain)
		return 0;
	if (g->n == 1)
		return sb_num(b, g->width, v[0]);
	if (sb_put(b, "[", 1) < 0)
		return -ENOMEM;
	for (i = 0; i < g->n; i = j + 1) {
		for (j = i; j + 1 < g->n && v[j + 1] == v[j] + 1; j++)
			;
		if (emit_run(b, g->width, v[i], v[j], i == 0) < 0)
			return -ENOMEM;
	}
	return sb_put(b, "]", 1);
}

char *lv_hostlist_ranged_string(const struct lv_hostlist *hl)
{
	struct compress c = {0};
	struct sbuf b = {0};
	int rc;

	if ((rc = sb_put(&b, "", 0)) < 0 || !hl->count)
		goto out;
	if ((rc = collect(&c, hl)) < 0)
		goto out;
	for (size_t g = 0; g < c.ngroups && !rc; g++) {
		if (g && (rc = sb_put(&b, ",", 1)) < 0)
			break;
		rc = emit_group(&b, &c, &c.groups[g]);
	}
out:
	free(c.groups);
	free(c.gid);
	free(c.vals);
	free(c.table);
	if (rc < 0) {
		free(b.s);
		return NULL;
	}
	return b.s;
}
