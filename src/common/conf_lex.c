/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reads leviathan.conf text as conf.c parses it: logical lines (comments,
 * quotes, backslash continuations), Key=Value pairs, and Include files. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/conf_private.h"

#define CONF_INCLUDE_DEPTH 8      /* Include nesting allowed */
#define CONF_FILE_MAX (64u << 20) /* refuse to read bigger files */

/* A logical line, continuations joined and the comment removed. */
struct linebuf {
	char *buf;
	size_t len;
	size_t cap;
};

/* A relative Include is relative to the including file's directory. */
static char *include_path(const char *from, const char *path)
{
	const char *slash = strrchr(from, '/');
	size_t dirlen;
	char *s;

	if (path[0] == '/' || !slash)
		return strdup(path);
	dirlen = (size_t)(slash - from) + 1;
	if (!(s = malloc(dirlen + strlen(path) + 1)))
		return NULL;
	memcpy(s, from, dirlen);
	strcpy(s + dirlen, path);
	return s;
}

/* Reads a whole file into a NUL-terminated buffer; 0 or -errno. */
int read_text(const char *path, char **out, size_t *lenp)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL, *nb;
	size_t len = 0, cap = 0, n;
	int rc = 0;

	if (!f)
		return -errno;
	do {
		if (cap - len < 4096) {
			if (cap >= CONF_FILE_MAX) {
				rc = -EFBIG;
				break;
			}
			cap = cap ? cap * 2 : 8192;
			if (!(nb = realloc(buf, cap + 1))) {
				rc = -ENOMEM;
				break;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (!rc && ferror(f))
		rc = errno ? -errno : -EIO;
	fclose(f);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	buf[len] = '\0';
	*out = buf;
	*lenp = len;
	return 0;
}

int conf_include(struct parser *p, const char *val)
{
	char *path, *text;
	size_t len;
	int rc;

	if (p->depth >= CONF_INCLUDE_DEPTH)
		return perr(p, "Include %s: nested more than %d deep", val,
			    CONF_INCLUDE_DEPTH);
	if (!(path = include_path(p->file, val)))
		return nomem(p);
	if ((rc = read_text(path, &text, &len)) < 0) {
		lv_errorf(p->err, rc, "%s:%d: Include %s: %s", p->file, p->line,
			  path, lv_strerror(rc));
	} else if (strlen(text) != len) {
		rc = perr(p, "Include %s: file holds a NUL byte", path);
		free(text);
	} else {
		p->depth++;
		rc = parse_text(p, text, path);
		p->depth--;
		free(text);
	}
	free(path);
	return rc;
}

/* Cuts the value at *cur, in place: blanks inside double quotes are kept,
 * the quotes themselves removed.  Leaves *cur past the value. */
char *take_value(char **cur)
{
	char *s = *cur, *w = s, *val = s;
	bool quoted = false;

	for (; *s && (quoted || (*s != ' ' && *s != '\t')); s++) {
		if (*s == '"')
			quoted = !quoted;
		else
			*w++ = *s;
	}
	*cur = *s ? s + 1 : s;
	*w = '\0'; /* w <= s, so this never clobbers what follows */
	return val;
}

/* Splits the next Key=Value off *cur.  Returns 1 with a pair, 0 at the
 * end of the line, or -EINVAL. */
int next_pair(struct parser *p, char **cur, char **key, char **val)
{
	char *s = *cur + strspn(*cur, " \t");

	if (!*s)
		return 0;
	*key = s;
	s += strcspn(s, "= \t\"");
	if (*s != '=') {
		(*key)[strcspn(*key, " \t")] = '\0';
		return perr(p, "missing '=' in '%s' (expected Key=Value)",
			    *key);
	}
	if (s == *key)
		return perr(p, "missing key before '='");
	*s++ = '\0';
	*val = take_value(&s);
	*cur = s;
	if (!**val)
		return perr(p, "empty value for %s", *key);
	return 1;
}

/* "Include path", Slurm's spelling, as well as Include=path. */
bool is_include_word(const char *s)
{
	return !strncasecmp(s, "Include", 7) && (s[7] == ' ' || s[7] == '\t');
}

static int lb_append(struct linebuf *lb, const char *s, size_t n)
{
	size_t cap = lb->cap ? lb->cap : 256;
	char *nb;

	while (cap < lb->len + n + 1)
		cap *= 2;
	if (cap != lb->cap) {
		if (!(nb = realloc(lb->buf, cap)))
			return -ENOMEM;
		lb->buf = nb;
		lb->cap = cap;
	}
	memcpy(lb->buf + lb->len, s, n);
	lb->len += n;
	lb->buf[lb->len] = '\0';
	return 0;
}

/* Adds one physical line to lb, less its comment; *more says whether it
 * ends in a backslash, continuing on the next line. */
static int add_segment(struct parser *p, struct linebuf *lb, const char *s,
		       size_t len, bool *more)
{
	bool quoted = false;
	size_t n;

	for (n = 0; n < len; n++) {
		if (s[n] == '"')
			quoted = !quoted;
		else if (s[n] == '#' && !quoted)
			break;
	}
	if (quoted)
		return perr(p, "unterminated quote");
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	*more = n > 0 && s[n - 1] == '\\';
	if (lb_append(lb, s, n - *more) < 0 ||
	    (*more && lb_append(lb, " ", 1) < 0))
		return nomem(p);
	return 0;
}

int parse_text(struct parser *p, const char *text, const char *name)
{
	const char *save_file = p->file;
	int save_line = p->line, lineno = 0, first = 1, rc = 0;
	struct linebuf lb = {0};
	bool more = false;

	p->file = name;
	for (const char *s = text; *s && !rc;) {
		size_t len = strcspn(s, "\n");

		if (!more) {
			first = lineno + 1;
			lb.len = 0;
		}
		p->line = ++lineno;
		rc = add_segment(p, &lb, s, len, &more);
		s += len + (s[len] == '\n');
		if (rc < 0 || (more && *s))
			continue;
		p->line = first;
		if (lb.len)
			rc = parse_line(p, lb.buf);
		more = false;
	}
	free(lb.buf);
	p->file = save_file;
	p->line = save_line;
	return rc;
}
