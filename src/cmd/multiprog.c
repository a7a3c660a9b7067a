/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Parses srun's --multi-prog file into proto 05's "multi_prog" array. */
#include "config.h"

#include "cmd/multiprog.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/stepio.h"

/* One configuration line. */
struct mp_line {
	int lineno;
	char **words; /* the program and its arguments, NULL-terminated */
	bool subst;   /* some word holds %t or %o */
	int next_off; /* offset of the next rank while expanding */
};

struct mp {
	struct mp_line *lines;
	size_t n, cap;
	int *owner; /* per rank: index into lines, -1 */
	int star;   /* line given as "*", -1 */
	int ntasks;
};

static void mp_free(struct mp *mp)
{
	size_t i;

	for (i = 0; i < mp->n; i++)
		free(mp->lines[i].words);
	free(mp->lines);
	free(mp->owner);
}

/* Splits s (modified in place) into words; ' and " quote.  words has
 * room for strlen(s) / 2 + 2 pointers.  Returns the count or -EINVAL. */
static int split_words(char *s, char **words, int lineno, struct lv_error *err)
{
	char *out, quote;
	int n = 0;

	for (;;) {
		s += strspn(s, " \t\r");
		if (!*s)
			break;
		words[n++] = out = s;
		for (quote = 0; *s && (quote || !strchr(" \t\r", *s)); s++) {
			if (quote && *s == quote)
				quote = 0;
			else if (!quote && (*s == '\'' || *s == '"'))
				quote = *s;
			else
				*out++ = *s;
		}
		if (quote)
			return lv_errorf(err, -EINVAL,
					 "line %d: unterminated quote", lineno);
		if (*s)
			s++;
		*out = '\0';
	}
	words[n] = NULL;
	return n;
}

/* Reads a rank number in [0, ntasks). */
static int mp_rank(const char **p, int ntasks, int lineno, struct lv_error *err)
{
	char *end;
	long v;

	if (**p < '0' || **p > '9')
		return lv_errorf(
			err, -EINVAL,
			"line %d: expected a rank list like 0-3,5 or *",
			lineno);
	errno = 0;
	v = strtol(*p, &end, 10);
	if (errno || v >= ntasks)
		return lv_errorf(
			err, -EINVAL,
			"line %d: rank %.20s is out of range (the step has %d task%s)",
			lineno, *p, ntasks, ntasks == 1 ? "" : "s");
	*p = end;
	return (int)v;
}

/* Gives the ranks of list ("0-3,5") to line li. */
static int mp_claim(struct mp *mp, const char *list, int li,
		    struct lv_error *err)
{
	int lineno = mp->lines[li].lineno, lo, hi, r;
	const char *p = list;

	for (;;) {
		if ((lo = hi = mp_rank(&p, mp->ntasks, lineno, err)) < 0)
			return lo;
		if (*p == '-') {
			p++;
			if ((hi = mp_rank(&p, mp->ntasks, lineno, err)) < 0)
				return hi;
		}
		if (hi < lo || (*p && *p != ','))
			return lv_errorf(err, -EINVAL,
					 "line %d: bad rank list '%.40s'",
					 lineno, list);
		for (r = lo; r <= hi; r++) {
			if (mp->owner[r] >= 0)
				return lv_errorf(
					err, -EINVAL,
					"line %d: rank %d is already given on line %d",
					lineno, r,
					mp->lines[mp->owner[r]].lineno);
			mp->owner[r] = li;
		}
		if (!*p++)
			return 0;
	}
}

/* Parses one line (modified in place). */
static int mp_add_line(struct mp *mp, char *s, int lineno, struct lv_error *err)
{
	struct mp_line *l;
	char **words, *ranks;
	int n, i, li;

	s += strspn(s, " \t\r");
	if (!*s || *s == '#')
		return 0;
	if (!(words = calloc(strlen(s) / 2 + 2, sizeof(*words))))
		return lv_errorf(err, -ENOMEM, "out of memory");
	if ((n = split_words(s, words, lineno, err)) < 2) {
		free(words);
		return n < 0 ? n
			     : lv_errorf(err, -EINVAL,
					 "line %d: no program for ranks %.40s",
					 lineno, s);
	}
	if (mp->n == mp->cap) {
		size_t cap = mp->cap ? 2 * mp->cap : 8;
		struct mp_line *nl = realloc(mp->lines, cap * sizeof(*nl));

		if (!nl) {
			free(words);
			return lv_errorf(err, -ENOMEM, "out of memory");
		}
		mp->lines = nl;
		mp->cap = cap;
	}
	ranks = words[0];
	memmove(words, words + 1, (size_t)n * sizeof(*words));
	li = (int)mp->n++;
	l = &mp->lines[li];
	*l = (struct mp_line){.lineno = lineno, .words = words};
	for (i = 0; words[i]; i++)
		l->subst |= strstr(words[i], "%t") || strstr(words[i], "%o");
	if (strcmp(ranks, "*"))
		return mp_claim(mp, ranks, li, err);
	if (mp->star >= 0)
		return lv_errorf(err, -EINVAL,
				 "line %d: '*' is already given on line %d",
				 lineno, mp->lines[mp->star].lineno);
	mp->star = li;
	return 0;
}

/* One argument with %t and %o replaced. */
static json_t *mp_word(const char *w, int rank, int off)
{
	struct stepio_buf b = {0};
	char num[16];
	json_t *s = NULL;
	int rc = 0;

	for (; *w && rc == 0; w++) {
		if (w[0] == '%' && (w[1] == 't' || w[1] == 'o')) {
			snprintf(num, sizeof(num), "%d",
				 *++w == 't' ? rank : off);
			rc = stepio_buf_append(&b, num, strlen(num));
		} else {
			rc = stepio_buf_append(&b, w, 1);
		}
	}
	if (rc == 0)
		s = json_stringn(b.data ? b.data : "", b.len);
	stepio_buf_free(&b);
	return s;
}

/* [lo, hi, [argv]] for ranks lo..hi of line l (one rank when l->subst). */
static json_t *mp_entry(struct mp_line *l, int lo, int hi)
{
	json_t *argv = json_array(), *w;
	size_t i;

	for (i = 0; argv && l->words[i]; i++) {
		w = l->subst ? mp_word(l->words[i], lo, l->next_off)
			     : json_string(l->words[i]);
		if (json_array_append_new(argv, w) < 0) {
			json_decref(argv);
			return NULL;
		}
	}
	l->next_off += hi - lo + 1;
	return argv ? json_pack("[iio]", lo, hi, argv) : NULL;
}

/* The "multi_prog" array: runs of ranks that share a line. */
static json_t *mp_build(struct mp *mp, struct lv_error *err)
{
	json_t *arr = json_array(), *e;
	int lo, hi;

	for (lo = 0; arr && lo < mp->ntasks; lo = hi + 1) {
		struct mp_line *l = &mp->lines[mp->owner[lo]];

		for (hi = lo; !l->subst && hi + 1 < mp->ntasks &&
			      mp->owner[hi + 1] == mp->owner[lo];
		     hi++)
			;
		if (!(e = mp_entry(l, lo, hi)) ||
		    json_array_append_new(arr, e) < 0) {
			json_decref(arr);
			arr = NULL;
		}
	}
	if (!arr)
		lv_errorf(err, -ENOMEM,
			  "out of memory (or text that is not UTF-8)");
	return arr;
}

/* "*" takes every rank left; then every rank must have a line. */
static int mp_cover(struct mp *mp, struct lv_error *err)
{
	char list[64];
	int r, n = 0, *missing;

	for (r = 0; r < mp->ntasks; r++) {
		if (mp->owner[r] < 0)
			mp->owner[r] = mp->star;
	}
	if (mp->ntasks <= 0)
		return lv_errorf(err, -EINVAL, "no tasks");
	if (!(missing = calloc((size_t)mp->ntasks, sizeof(*missing))))
		return lv_errorf(err, -ENOMEM, "out of memory");
	for (r = 0; r < mp->ntasks; r++) {
		if (mp->owner[r] < 0)
			missing[n++] = r;
	}
	if (n)
		lv_errorf(err, -EINVAL, "no program given for rank%s %s",
			  n == 1 ? "" : "s",
			  stepio_ranks_string(missing, (size_t)n, list,
					      sizeof(list)));
	free(missing);
	return n ? -EINVAL : 0;
}

json_t *stepio_multi_prog_parse(const char *text, int ntasks,
				struct lv_error *err)
{
	struct mp mp = {.star = -1, .ntasks = ntasks};
	char *copy = NULL, *line, *save = NULL;
	json_t *arr = NULL;
	int lineno = 0, r, rc = 0;

	if (ntasks <= 0 || ntasks > 10000000) {
		lv_errorf(err, -EINVAL, "bad task count %d", ntasks);
		return NULL;
	}
	if (!(copy = strdup(text)) ||
	    !(mp.owner = malloc((size_t)ntasks * sizeof(*mp.owner)))) {
		lv_errorf(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (r = 0; r < ntasks; r++)
		mp.owner[r] = -1;
	/* strtok_r would merge empty lines and so lose line numbers. */
	for (line = copy; line && rc == 0; line = save) {
		lineno++;
		save = strchr(line, '\n');
		if (save)
			*save++ = '\0';
		rc = mp_add_line(&mp, line, lineno, err);
	}
	if (rc == 0 && mp.n == 0)
		rc = lv_errorf(err, -EINVAL, "no program lines");
	if (rc == 0 && (rc = mp_cover(&mp, err)) == 0)
		arr = mp_build(&mp, err);
out:
	mp_free(&mp);
	free(copy);
	return arr;
}
