/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What conf.c (keys and values) and conf_lex.c (lines, pairs, Include)
 * share: the parser's state and the functions each calls in the other. */
#ifndef LV_COMMON_CONF_PRIVATE_H
#define LV_COMMON_CONF_PRIVATE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/conf.h"
#include "common/error.h"

/* A NodeName= line before expansion into one lv_conf_node per name. */
struct node_spec {
	struct lv_conf_node n; /* n.addr holds NodeAddr= as written */
	char *port_expr;       /* Port= as written: "7001" or "[7001-7004]" */
};

struct parser {
	struct lv_conf *conf;
	struct lv_error *err;
	const char *file; /* the file being read, for messages */
	int line;         /* the line being parsed (first of a continued one) */
	int depth;        /* Include nesting */
	struct node_spec node_def;         /* from NodeName=DEFAULT */
	struct lv_conf_partition part_def; /* from PartitionName=DEFAULT */
	size_t nodes_cap;
	size_t parts_cap;
	char **part_where; /* "file:line" of each partition, for late checks */
	size_t n_where;
	size_t *names;    /* open-addressed node name set: index + 1 */
	size_t names_cap; /* a power of two, or 0 */
};

/* The functions below were static in conf.c before conf_lex.c was split
 * out of it; they are shared by the two files and by nothing else. */

/* conf.c */

/* Sets err to "file:line: message" and returns -EINVAL. */
__attribute__((format(printf, 2, 3))) int perr(struct parser *p,
					       const char *fmt, ...);
/* Applies one logical line (comment and continuations already removed):
 * Include, NodeName=, PartitionName= or global Key=Value pairs. */
int parse_line(struct parser *p, char *line);

/* One statement, so static inline rather than an exported nomem. */
static inline int nomem(struct parser *p)
{
	return lv_errorf(p->err, -ENOMEM, "%s: out of memory",
			 p->file ? p->file : p->conf->path);
}

/* conf_sched.c */

/* QOS=name ... and AccountName=name ... lines. */
int qos_line(struct parser *p, const char *name, char *cur);
int account_line(struct parser *p, const char *name, char *cur);
/* Whole-file checks: parents exist, no cycles.  Frees both tables. */
int sched_conf_finish(struct parser *p);
void sched_conf_free(struct lv_conf *conf);

/* conf_lex.c */

/* Reads a whole file into a NUL-terminated buffer; 0 or -errno. */
int read_text(const char *path, char **out, size_t *lenp);
/* Include val: reads the file (relative to the including file) and parses
 * it, nested at most CONF_INCLUDE_DEPTH deep. */
int conf_include(struct parser *p, const char *val);
/* Cuts the value at *cur, in place: blanks inside double quotes are kept,
 * the quotes themselves removed.  Leaves *cur past the value. */
char *take_value(char **cur);
/* Splits the next Key=Value off *cur.  Returns 1 with a pair, 0 at the
 * end of the line, or -EINVAL. */
int next_pair(struct parser *p, char **cur, char **key, char **val);
/* "Include path", Slurm's spelling, as well as Include=path. */
bool is_include_word(const char *s);
/* Cuts text into logical lines and hands each to parse_line, with name
 * and the line number in p for messages. */
int parse_text(struct parser *p, const char *text, const char *name);

#endif
