/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Parses leviathan.conf: the keys and their values, NodeName= and
 * PartitionName=, read from the lines and pairs of conf_lex.c. */
#include "config.h"

#include "common/conf.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/conf_private.h"
#include "common/hostlist.h"
#include "common/log.h"
#include "common/timefmt.h"

/* The build passes SYSCONFDIR on the compile line; this is a fallback. */
#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

/* How a value is checked and stored. */
enum vtype {
	V_STR,     /* char *, any text */
	V_ENUM,    /* char *, one of key.choices, stored as spelled there */
	V_DEBUG,   /* char *, checked by lv_log_parse_debug_flags */
	V_HOSTS,   /* char *, a hostlist expression or ALL */
	V_U32,     /* uint32_t, a plain number >= key.min */
	V_UINT,    /* unsigned, a plain number */
	V_PORT,    /* uint16_t, 1-65535 */
	V_MEM,     /* uint64_t megabytes, lv_mem_parse_mb */
	V_GRES,    /* uint32_t GPUs from "gpu:N" */
	V_BOOL,    /* bool, YES or NO */
	V_TIME,    /* uint32_t minutes, lv_time_parse_minutes */
	V_LIMIT,   /* uint32_t, a number or UNLIMITED (stored as 0) */
	V_INCLUDE, /* reads another file */
};

struct key {
	const char *name;
	enum vtype type;
	size_t off; /* where the value goes in the struct being filled */
	uint32_t min;
	const char *const *choices;
};

static const char *const log_levels[] = {"error", "warning", "notice",
					 "info",  "debug",   NULL};
static const char *const node_states[] = {"UNKNOWN", "IDLE",   "DOWN",
					  "DRAIN",   "FUTURE", NULL};
static const char *const part_states[] = {"UP", "DOWN", "DRAIN", "INACTIVE",
					  NULL};
static const char *const select_types[] = {"pack", "spread", NULL};
static const char *const preempt_types[] = {"preempt/none",
					    "preempt/partition_prio", "preempt/qos",
					    NULL};
static const char *const preempt_modes[] = {"OFF", "REQUEUE", "CANCEL", NULL};

#define G(field) offsetof(struct lv_conf, field)
static const struct key global_keys[] = {
	{"ClusterName", V_STR, G(cluster_name), 0, NULL},
	{"ControllerHost", V_STR, G(controller_host), 0, NULL},
	{"ControllerAddr", V_STR, G(controller_addr), 0, NULL},
	{"ControllerPort", V_PORT, G(controller_port), 0, NULL},
	{"NodePort", V_PORT, G(node_port), 0, NULL},
	{"StateDir", V_STR, G(state_dir), 0, NULL},
	{"NodeStateDir", V_STR, G(node_state_dir), 0, NULL},
	{"AccountingStorageLoc", V_STR, G(acct_storage_loc), 0, NULL},
	{"LogFile", V_STR, G(log_file), 0, NULL},
	{"NodeLogFile", V_STR, G(node_log_file), 0, NULL},
	{"PidFile", V_STR, G(pid_file), 0, NULL},
	{"NodePidFile", V_STR, G(node_pid_file), 0, NULL},
	{"MungeSocket", V_STR, G(munge_socket), 0, NULL},
	{"AdminUsers", V_STR, G(admin_users), 0, NULL},
	{"AdminGroups", V_STR, G(admin_groups), 0, NULL},
	{"DebugFlags", V_DEBUG, G(debug_flags), 0, NULL},
	{"LogLevel", V_ENUM, G(log_level), 0, log_levels},
	{"HeartbeatInterval", V_U32, G(heartbeat_interval), 1, NULL},
	{"NodeTimeout", V_U32, G(node_timeout), 1, NULL},
	{"MessageTimeout", V_U32, G(msg_timeout), 1, NULL},
	{"ClientRetryTime", V_U32, G(client_retry), 0, NULL},
	{"KillWait", V_U32, G(kill_wait), 0, NULL},
	{"MaxJobCount", V_U32, G(max_job_count), 1, NULL},
	{"FirstJobId", V_U32, G(first_job_id), 1, NULL},
	{"MpiFenceTimeout", V_U32, G(mpi_fence_timeout), 1, NULL},
	/* hidden: benchmarks */
	{"JournalSync", V_BOOL, G(journal_sync), 0, NULL},
	{"PolicyScript", V_STR, G(policy_script), 0, NULL},
	{"PolicyInstructionLimit", V_U32, G(policy_instructions), 1000, NULL},
	{"PolicyMemoryLimit", V_MEM, G(policy_memory_mb), 1, NULL},
	{"PriorityWeightAge", V_U32, G(prio_weight_age), 0, NULL},
	{"PriorityWeightJobSize", V_U32, G(prio_weight_jobsize), 0, NULL},
	{"PriorityWeightFairshare", V_U32, G(prio_weight_fairshare), 0, NULL},
	{"PriorityWeightPartition", V_U32, G(prio_weight_partition), 0, NULL},
	{"PriorityWeightQOS", V_U32, G(prio_weight_qos), 0, NULL},
	{"PriorityMaxAge", V_TIME, G(prio_max_age), 0, NULL},
	{"PriorityDecayHalfLife", V_TIME, G(prio_half_life), 0, NULL},
	{"PriorityFavorSmall", V_BOOL, G(prio_favor_small), 0, NULL},
	{"PriorityCalcPeriod", V_TIME, G(prio_calc_period), 0, NULL},
	{"BackfillMaxJobTest", V_U32, G(bf_max_job_test), 1, NULL},
	{"BackfillReserve", V_U32, G(bf_reserve), 1, NULL},
	{"BackfillInterval", V_U32, G(bf_interval), 1, NULL},
	{"PreemptType", V_ENUM, G(preempt_type), 0, preempt_types},
	{"PreemptMode", V_ENUM, G(preempt_mode), 0, preempt_modes},
	{"Include", V_INCLUDE, 0, 0, NULL},
	{NULL, V_STR, 0, 0, NULL},
};

#define N(field) offsetof(struct node_spec, field)
static const struct key node_keys[] = {
	{"NodeAddr", V_STR, N(n.addr), 0, NULL},
	{"Port", V_STR, N(port_expr), 0, NULL},
	{"CPUs", V_U32, N(n.cpus), 0, NULL},
	{"Sockets", V_U32, N(n.sockets), 0, NULL},
	{"CoresPerSocket", V_U32, N(n.cores_per_socket), 0, NULL},
	{"ThreadsPerCore", V_U32, N(n.threads_per_core), 0, NULL},
	{"RealMemory", V_MEM, N(n.real_memory_mb), 0, NULL},
	{"Gres", V_GRES, N(n.gpus), 0, NULL},
	{"Features", V_STR, N(n.features), 0, NULL},
	{"Topology", V_STR, N(n.topology), 0, NULL},
	{"State", V_ENUM, N(n.state), 0, node_states},
	{"Weight", V_UINT, N(n.weight), 0, NULL},
	{NULL, V_STR, 0, 0, NULL},
};

#define P(field) offsetof(struct lv_conf_partition, field)
static const struct key part_keys[] = {
	{"Nodes", V_HOSTS, P(nodes), 0, NULL},
	{"Default", V_BOOL, P(is_default), 0, NULL},
	{"MaxTime", V_TIME, P(max_time), 0, NULL},
	{"DefaultTime", V_TIME, P(default_time), 0, NULL},
	{"MaxNodes", V_LIMIT, P(max_nodes), 0, NULL},
	{"MinNodes", V_U32, P(min_nodes), 0, NULL},
	{"State", V_ENUM, P(state), 0, part_states},
	{"AllowAccounts", V_STR, P(allow_accounts), 0, NULL},
	{"AllowGroups", V_STR, P(allow_groups), 0, NULL},
	{"PriorityTier", V_U32, P(priority_tier), 0, NULL},
	{"SelectType", V_ENUM, P(select), 0, select_types},
	{"Requeue", V_BOOL, P(requeue), 0, NULL},
	{"PriorityJobFactor", V_U32, P(priority_job_factor), 0, NULL},
	{NULL, V_STR, 0, 0, NULL},
};

/* The strings each struct owns, for copying and freeing. */
static const size_t node_strs[] = {
	offsetof(struct lv_conf_node, name),
	offsetof(struct lv_conf_node, addr),
	offsetof(struct lv_conf_node, features),
	offsetof(struct lv_conf_node, topology),
	offsetof(struct lv_conf_node, state),
};
static const size_t spec_strs[] = {
	N(n.name),     N(n.addr),  N(n.features),
	N(n.topology), N(n.state), N(port_expr),
};
static const size_t part_strs[] = {
	P(name),           P(nodes),        P(state),
	P(allow_accounts), P(allow_groups), P(select),
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Sets err to "file:line: message" and returns -EINVAL. */
__attribute__((format(printf, 2, 3))) int perr(struct parser *p,
					       const char *fmt, ...)
{
	char msg[LV_ERROR_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return lv_errorf(p->err, -EINVAL, "%s:%d: %s", p->file, p->line, msg);
}

/* Hands up a lower layer's error as "file:line: what: text", keeping its
 * code so that -ENOMEM stays -ENOMEM. */
static int pass_err(struct parser *p, const char *what,
		    const struct lv_error *e)
{
	return lv_errorf(p->err, e->code ? e->code : -EINVAL, "%s:%d: %s: %s",
			 p->file, p->line, what, e->text);
}

static char **str_at(void *base, size_t off)
{
	return (char **)((char *)base + off);
}

static void strs_free(void *obj, const size_t *offs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(*str_at(obj, offs[i]));
		*str_at(obj, offs[i]) = NULL;
	}
}

/* After a struct copy, gives obj its own copies of the strings at offs.
 * On failure obj owns nothing and -ENOMEM is returned. */
static int strs_dup(void *obj, const size_t *offs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char **f = str_at(obj, offs[i]);

		if (!*f || (*f = strdup(*f)))
			continue;
		while (++i < n)
			*str_at(obj, offs[i]) = NULL;
		strs_free(obj, offs, n);
		return -ENOMEM;
	}
	return 0;
}

static int set_str(struct parser *p, char **dst, const char *val)
{
	char *s = strdup(val);

	if (!s)
		return nomem(p);
	free(*dst);
	*dst = s;
	return 0;
}

/* A plain decimal number: digits only, no sign, no blanks. */
static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (v > (max - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int set_num(struct parser *p, const struct key *k, const char *val,
		   uint64_t max, uint64_t *out)
{
	if (parse_u64(val, max, out) < 0)
		return perr(p, "bad number '%s' for %s", val, k->name);
	if (*out < k->min)
		return perr(p, "%s must be at least %u", k->name, k->min);
	return 0;
}

static int parse_port(struct parser *p, const char *key, const char *val,
		      uint16_t *port)
{
	uint64_t v;

	if (parse_u64(val, 65535, &v) < 0 || v == 0)
		return perr(p, "bad port '%s' for %s (1-65535)", val, key);
	*port = (uint16_t)v;
	return 0;
}

static int set_enum(struct parser *p, const struct key *k, char **dst,
		    const char *val)
{
	char list[128] = "";

	for (const char *const *c = k->choices; *c; c++) {
		if (!strcasecmp(*c, val))
			return set_str(p, dst, *c);
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 "%s%s", c == k->choices ? "" : ", ", *c);
	}
	return perr(p, "bad %s '%s' (one of %s)", k->name, val, list);
}

static int set_bool(struct parser *p, const struct key *k, bool *dst,
		    const char *val)
{
	if (!strcasecmp(val, "YES"))
		*dst = true;
	else if (!strcasecmp(val, "NO"))
		*dst = false;
	else
		return perr(p, "bad %s '%s' (YES or NO)", k->name, val);
	return 0;
}

static int set_gres(struct parser *p, const struct key *k, uint32_t *dst,
		    const char *val)
{
	uint64_t v;

	if (strncasecmp(val, "gpu:", 4) || parse_u64(val + 4, UINT32_MAX, &v))
		return perr(p, "bad %s '%s' (only gpu:N is supported)", k->name,
			    val);
	*dst = (uint32_t)v;
	return 0;
}

static int set_debug(struct parser *p, const struct key *k, char **dst,
		     const char *val)
{
	struct lv_error e = {0};
	uint32_t flags;

	if (lv_log_parse_debug_flags(val, &flags, &e) < 0)
		return pass_err(p, k->name, &e);
	return set_str(p, dst, val);
}

static int set_hosts(struct parser *p, const struct key *k, char **dst,
		     const char *val)
{
	struct lv_error e = {0};
	struct lv_hostlist *hl;

	if (!strcasecmp(val, "ALL"))
		return set_str(p, dst, "ALL");
	if (!(hl = lv_hostlist_create(val, &e)))
		return pass_err(p, k->name, &e);
	lv_hostlist_destroy(hl);
	return set_str(p, dst, val);
}

static int set_time(struct parser *p, const struct key *k, uint32_t *dst,
		    const char *val)
{
	struct lv_error e = {0};

	if (lv_time_parse_minutes(val, dst, &e) < 0)
		return pass_err(p, k->name, &e);
	return 0;
}

static int set_mem(struct parser *p, const struct key *k, uint64_t *dst,
		   const char *val)
{
	struct lv_error e = {0};

	if (lv_mem_parse_mb(val, dst, &e) < 0)
		return pass_err(p, k->name, &e);
	return 0;
}

static int apply_value(struct parser *p, const struct key *k, void *base,
		       const char *val)
{
	void *f = (char *)base + k->off;
	uint64_t v;
	int rc;

	switch (k->type) {
	case V_STR:
		return set_str(p, f, val);
	case V_ENUM:
		return set_enum(p, k, f, val);
	case V_DEBUG:
		return set_debug(p, k, f, val);
	case V_HOSTS:
		return set_hosts(p, k, f, val);
	case V_U32:
		if (!(rc = set_num(p, k, val, UINT32_MAX, &v)))
			*(uint32_t *)f = (uint32_t)v;
		return rc;
	case V_UINT:
		if (!(rc = set_num(p, k, val, UINT_MAX, &v)))
			*(unsigned *)f = (unsigned)v;
		return rc;
	case V_PORT:
		return parse_port(p, k->name, val, f);
	case V_MEM:
		return set_mem(p, k, f, val);
	case V_GRES:
		return set_gres(p, k, f, val);
	case V_BOOL:
		return set_bool(p, k, f, val);
	case V_TIME:
		return set_time(p, k, f, val);
	case V_LIMIT:
		if (!strcasecmp(val, "UNLIMITED") ||
		    !strcasecmp(val, "INFINITE"))
			val = "0";
		if (!(rc = set_num(p, k, val, UINT32_MAX, &v)))
			*(uint32_t *)f = (uint32_t)v;
		return rc;
	case V_INCLUDE:
		return conf_include(p, val);
	}
	return perr(p, "%s: internal error", k->name);
}

static int apply_pair(struct parser *p, const struct key *tab, void *base,
		      const char *what, const char *key, const char *val)
{
	for (; tab->name; tab++)
		if (!strcasecmp(tab->name, key))
			return apply_value(p, tab, base, val);
	if (!strcasecmp(key, "NodeName") || !strcasecmp(key, "PartitionName"))
		return perr(p, "%s= must start its line", key);
	return perr(p, "unknown %skey '%s'", what, key);
}

static int apply_pairs(struct parser *p, const struct key *tab, void *base,
		       const char *what, char *cur)
{
	char *key, *val;
	int rc;

	while ((rc = next_pair(p, &cur, &key, &val)) > 0)
		if ((rc = apply_pair(p, tab, base, what, key, val)) < 0)
			return rc;
	return rc;
}

static size_t name_hash(const char *s)
{
	uint64_t h = 14695981039346656037ull; /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return (size_t)h;
}

static long names_find(const struct parser *p, const char *name)
{
	size_t mask = p->names_cap - 1;

	if (!p->names_cap)
		return -1;
	for (size_t i = name_hash(name) & mask; p->names[i]; i = (i + 1) & mask)
		if (!strcmp(p->conf->nodes[p->names[i] - 1].name, name))
			return (long)(p->names[i] - 1);
	return -1;
}

static void names_put(size_t *tab, size_t cap, const char *name, size_t idx)
{
	size_t i = name_hash(name) & (cap - 1);

	while (tab[i])
		i = (i + 1) & (cap - 1);
	tab[i] = idx + 1;
}

/* Adds conf->nodes[idx] to the name set, keeping it at most half full. */
static int names_add(struct parser *p, size_t idx)
{
	size_t cap = p->names_cap ? p->names_cap * 2 : 64, *tab;

	if ((idx + 1) * 2 > p->names_cap) {
		if (!(tab = calloc(cap, sizeof(*tab))))
			return -ENOMEM;
		for (size_t i = 0; i < idx; i++)
			names_put(tab, cap, p->conf->nodes[i].name, i);
		free(p->names);
		p->names = tab;
		p->names_cap = cap;
	}
	names_put(p->names, p->names_cap, p->conf->nodes[idx].name, idx);
	return 0;
}

static int nodes_reserve(struct parser *p, size_t count)
{
	size_t need = p->conf->n_nodes + count, cap = p->nodes_cap;
	struct lv_conf_node *n;

	if (need <= cap)
		return 0;
	cap = cap * 2 > need ? cap * 2 : need;
	if (cap > SIZE_MAX / sizeof(*n) ||
	    !(n = realloc(p->conf->nodes, cap * sizeof(*n))))
		return nomem(p);
	p->conf->nodes = n;
	p->nodes_cap = cap;
	return 0;
}

/* NodeAddr= or Port= as a list: one value for all nodes, or one each. */
static int expr_parse(struct parser *p, const char *key, const char *expr,
		      size_t count, struct lv_hostlist **out)
{
	struct lv_error e = {0};
	struct lv_hostlist *hl;
	size_t n;

	*out = NULL;
	if (!expr)
		return 0;
	if (strpbrk(expr, "[,")) {
		if (!(hl = lv_hostlist_create(expr, &e)))
			return pass_err(p, key, &e);
	} else if (!(hl = lv_hostlist_create("", &e)) ||
		   lv_hostlist_push(hl, expr) < 0) {
		/* a single address, which may hold ':' (IPv6) */
		lv_hostlist_destroy(hl);
		return nomem(p);
	}
	n = lv_hostlist_count(hl);
	*out = hl;
	if (n != 1 && n != count)
		return perr(p, "%s has %zu values for %zu nodes", key, n,
			    count);
	return 0;
}

static const char *expr_nth(const struct lv_hostlist *hl, size_t i)
{
	if (!hl)
		return NULL;
	return lv_hostlist_nth(hl, lv_hostlist_count(hl) == 1 ? 0 : i);
}

/* Appends one expanded node, owning copies of the spec's strings. */
static int node_add(struct parser *p, const struct node_spec *s,
		    const char *name, const char *addr, const char *port)
{
	struct lv_conf *c = p->conf;
	struct lv_conf_node *n = &c->nodes[c->n_nodes];
	struct lv_conf_node tmp = s->n;
	int rc;

	if (names_find(p, name) >= 0)
		return perr(p, "duplicate node '%s'", name);
	tmp.port = 0; /* NodePort=, filled in once the whole file is read */
	if (port && (rc = parse_port(p, "Port", port, &tmp.port)) < 0)
		return rc;
	tmp.name = (char *)name;
	tmp.addr = (char *)(addr ? addr : name);
	*n = tmp;
	if (strs_dup(n, node_strs, COUNT(node_strs)) < 0)
		return nomem(p);
	if (names_add(p, c->n_nodes) < 0) {
		strs_free(n, node_strs, COUNT(node_strs));
		return nomem(p);
	}
	c->n_nodes++;
	return 0;
}

static int node_expand(struct parser *p, const char *names,
		       const struct node_spec *s)
{
	struct lv_hostlist *hl, *addrs = NULL, *ports = NULL;
	struct lv_error e = {0};
	size_t count;
	int rc;

	if (!(hl = lv_hostlist_create(names, &e)))
		return pass_err(p, "NodeName", &e);
	count = lv_hostlist_count(hl);
	if (count == 0)
		rc = perr(p, "NodeName=%s names no nodes", names);
	else if (!(rc = expr_parse(p, "NodeAddr", s->n.addr, count, &addrs)) &&
		 !(rc = expr_parse(p, "Port", s->port_expr, count, &ports)))
		rc = nodes_reserve(p, count);
	for (size_t i = 0; i < count && !rc; i++)
		rc = node_add(p, s, lv_hostlist_nth(hl, i), expr_nth(addrs, i),
			      expr_nth(ports, i));
	lv_hostlist_destroy(ports);
	lv_hostlist_destroy(addrs);
	lv_hostlist_destroy(hl);
	return rc;
}

/* NodeName=DEFAULT: later NodeName= lines start from s; takes s's strings
 * on success. */
static int node_set_default(struct parser *p, struct node_spec *s)
{
	struct lv_hostlist *addrs = NULL, *ports = NULL;
	uint16_t port;
	int rc;

	if (!(rc = expr_parse(p, "NodeAddr", s->n.addr, 1, &addrs)) &&
	    !(rc = expr_parse(p, "Port", s->port_expr, 1, &ports)) && ports)
		rc = parse_port(p, "Port", lv_hostlist_nth(ports, 0), &port);
	lv_hostlist_destroy(ports);
	lv_hostlist_destroy(addrs);
	if (rc < 0)
		return rc;
	strs_free(&p->node_def, spec_strs, COUNT(spec_strs));
	p->node_def = *s;
	memset(s, 0, sizeof(*s));
	return 0;
}

static int node_line(struct parser *p, const char *names, char *cur)
{
	struct node_spec s = p->node_def;
	int rc;

	if (strs_dup(&s, spec_strs, COUNT(spec_strs)) < 0)
		return nomem(p);
	rc = apply_pairs(p, node_keys, &s, "NodeName ", cur);
	if (!rc && !strcasecmp(names, "DEFAULT"))
		rc = node_set_default(p, &s);
	else if (!rc)
		rc = node_expand(p, names, &s);
	strs_free(&s, spec_strs, COUNT(spec_strs));
	return rc;
}

static int part_check(struct parser *p, const char *name,
		      const struct lv_conf_partition *s)
{
	const struct lv_conf_partition *d = lv_conf_default_partition(p->conf);

	if (lv_conf_find_partition(p->conf, name))
		return perr(p, "duplicate partition '%s'", name);
	if (s->is_default && d && d->is_default)
		return perr(p, "partitions '%s' and '%s' both have Default=YES",
			    d->name, name);
	if (s->max_nodes && s->min_nodes > s->max_nodes)
		return perr(p, "partition '%s': MinNodes exceeds MaxNodes",
			    name);
	if (s->max_time != LV_TIME_UNLIMITED &&
	    s->default_time != LV_TIME_UNLIMITED &&
	    s->default_time > s->max_time)
		return perr(p, "partition '%s': DefaultTime exceeds MaxTime",
			    name);
	return 0;
}

static int parts_reserve(struct parser *p)
{
	size_t cap = p->parts_cap ? p->parts_cap * 2 : 8;
	struct lv_conf_partition *parts;
	char **where;

	if (p->conf->n_partitions < p->parts_cap)
		return 0;
	if (!(parts = realloc(p->conf->partitions, cap * sizeof(*parts))))
		return nomem(p);
	p->conf->partitions = parts;
	if (!(where = realloc(p->part_where, cap * sizeof(*where))))
		return nomem(p);
	p->part_where = where;
	p->parts_cap = cap;
	return 0;
}

/* Appends a partition, taking s's strings on success. */
static int part_add(struct parser *p, const char *name,
		    struct lv_conf_partition *s)
{
	struct lv_conf *c = p->conf;
	size_t len = (size_t)snprintf(NULL, 0, "%s:%d", p->file, p->line);
	char *where;
	int rc;

	if ((rc = part_check(p, name, s)) < 0 || (rc = parts_reserve(p)) < 0)
		return rc;
	if (!(where = malloc(len + 1)) || set_str(p, &s->name, name) < 0) {
		free(where);
		return nomem(p);
	}
	snprintf(where, len + 1, "%s:%d", p->file, p->line);
	c->partitions[c->n_partitions++] = *s;
	p->part_where[p->n_where++] = where;
	memset(s, 0, sizeof(*s));
	return 0;
}

static int part_line(struct parser *p, const char *name, char *cur)
{
	struct lv_conf_partition s = p->part_def;
	int rc;

	if (strs_dup(&s, part_strs, COUNT(part_strs)) < 0)
		return nomem(p);
	rc = apply_pairs(p, part_keys, &s, "PartitionName ", cur);
	if (!rc && !strcasecmp(name, "DEFAULT")) {
		strs_free(&p->part_def, part_strs, COUNT(part_strs));
		p->part_def = s;
		return 0;
	}
	if (!rc)
		rc = part_add(p, name, &s);
	strs_free(&s, part_strs, COUNT(part_strs));
	return rc;
}

int parse_line(struct parser *p, char *line)
{
	char *cur = line + strspn(line, " \t"), *key, *val;
	int rc;

	if (is_include_word(cur)) {
		cur += 7 + strspn(cur + 7, " \t");
		val = take_value(&cur);
		if (cur[strspn(cur, " \t")])
			return perr(p, "Include takes one path");
		return conf_include(p, val);
	}
	if ((rc = next_pair(p, &cur, &key, &val)) <= 0)
		return rc;
	if (!strcasecmp(key, "NodeName"))
		return node_line(p, val, cur);
	if (!strcasecmp(key, "PartitionName"))
		return part_line(p, val, cur);
	if (!strcasecmp(key, "QOS"))
		return qos_line(p, val, cur);
	if (!strcasecmp(key, "AccountName"))
		return account_line(p, val, cur);
	if ((rc = apply_pair(p, global_keys, p->conf, "", key, val)) < 0)
		return rc;
	return apply_pairs(p, global_keys, p->conf, "", cur);
}

static int parts_check_nodes(struct parser *p)
{
	const struct lv_conf *c = p->conf;
	struct lv_error e = {0};
	struct lv_hostlist *hl;
	const char *bad = NULL;

	for (size_t i = 0; i < c->n_partitions && !bad; i++) {
		const struct lv_conf_partition *pt = &c->partitions[i];

		if (!pt->nodes || !strcmp(pt->nodes, "ALL"))
			continue;
		if (!(hl = lv_hostlist_create(pt->nodes, &e)))
			return lv_errorf(p->err, e.code, "%s: %s",
					 p->part_where[i], e.text);
		for (size_t j = 0; j < lv_hostlist_count(hl) && !bad; j++)
			if (names_find(p, lv_hostlist_nth(hl, j)) < 0)
				bad = lv_hostlist_nth(hl, j);
		if (bad)
			lv_errorf(
				p->err, -EINVAL,
				"%s: partition '%s' lists undefined node '%s'",
				p->part_where[i], pt->name, bad);
		lv_hostlist_destroy(hl);
	}
	return bad ? -EINVAL : 0;
}

/* Whole-file checks and defaults that depend on more than one line. */
static int conf_finish(struct parser *p)
{
	struct lv_conf *c = p->conf;

	if (!c->controller_host)
		return lv_errorf(p->err, -EINVAL,
				 "%s: ControllerHost is required", c->path);
	if (!c->controller_addr &&
	    set_str(p, &c->controller_addr, c->controller_host) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_nodes; i++)
		if (!c->nodes[i].port)
			c->nodes[i].port = c->node_port;
	if (parts_check_nodes(p) < 0)
		return -EINVAL;
	return sched_conf_finish(p);
}

static int parser_init(struct parser *p, const char *name)
{
	struct lv_conf *c;

	if (!(c = p->conf = calloc(1, sizeof(*c))))
		return lv_errorf(p->err, -ENOMEM, "%s: out of memory", name);
	c->controller_port = LV_DEFAULT_CTLD_PORT;
	c->node_port = LV_DEFAULT_NODE_PORT;
	c->heartbeat_interval = 5;
	c->node_timeout = 30;
	c->msg_timeout = 10;
	c->mpi_fence_timeout = 120;
	c->client_retry = 30;
	c->kill_wait = 30;
	c->max_job_count = 100000;
	c->first_job_id = 1;
	c->journal_sync = true;
	c->policy_instructions = 1000000;
	c->policy_memory_mb = 64;
	c->prio_max_age = 7 * 24 * 60;
	c->prio_half_life = 7 * 24 * 60;
	c->prio_calc_period = 5;
	c->bf_max_job_test = 100000;
	c->bf_reserve = 10;
	c->bf_interval = 30;
	p->node_def.n.weight = 1;
	p->part_def.min_nodes = 1;
	p->part_def.max_time = LV_TIME_UNLIMITED;
	p->part_def.default_time = LV_TIME_UNLIMITED;
	p->file = name;
	if (set_str(p, &c->path, name) < 0 ||
	    set_str(p, &c->cluster_name, "leviathan") < 0 ||
	    set_str(p, &p->part_def.state, "UP") < 0 ||
	    set_str(p, &p->part_def.select, "pack") < 0)
		return -ENOMEM;
	p->file = NULL;
	return 0;
}

static void parser_fini(struct parser *p)
{
	for (size_t i = 0; i < p->n_where; i++)
		free(p->part_where[i]);
	free(p->part_where);
	free(p->names);
	strs_free(&p->node_def, spec_strs, COUNT(spec_strs));
	strs_free(&p->part_def, part_strs, COUNT(part_strs));
	lv_conf_destroy(p->conf);
}

struct lv_conf *lv_conf_parse(const char *text, const char *name,
			      struct lv_error *err)
{
	struct parser p = {.err = err};
	struct lv_conf *conf = NULL;

	if (!name)
		name = "(config)";
	if (!text) {
		lv_errorf(err, -EINVAL, "%s: no text", name);
		return NULL;
	}
	if (!parser_init(&p, name) && !parse_text(&p, text, name) &&
	    !conf_finish(&p)) {
		conf = p.conf;
		p.conf = NULL;
	}
	parser_fini(&p);
	return conf;
}

struct lv_conf *lv_conf_load(const char *path, struct lv_error *err)
{
	struct lv_conf *conf;
	char *text;
	size_t len;
	int rc;

	if (!path) {
		lv_errorf(err, -EINVAL, "no configuration file given");
		return NULL;
	}
	if ((rc = read_text(path, &text, &len)) < 0) {
		lv_errorf(err, rc, "%s: %s", path, lv_strerror(rc));
		return NULL;
	}
	if (strlen(text) != len) {
		lv_errorf(err, -EINVAL, "%s: file holds a NUL byte", path);
		free(text);
		return NULL;
	}
	conf = lv_conf_parse(text, path, err);
	free(text);
	return conf;
}

void lv_conf_destroy(struct lv_conf *conf)
{
	if (!conf)
		return;
	for (size_t i = 0; i < conf->n_nodes; i++)
		strs_free(&conf->nodes[i], node_strs, COUNT(node_strs));
	for (size_t i = 0; i < conf->n_partitions; i++)
		strs_free(&conf->partitions[i], part_strs, COUNT(part_strs));
	for (const struct key *k = global_keys; k->name; k++)
		if (k->type == V_STR || k->type == V_ENUM || k->type == V_DEBUG)
			free(*str_at(conf, k->off));
	free(conf->nodes);
	free(conf->partitions);
	sched_conf_free(conf);
	free(conf->path);
	free(conf);
}

const char *lv_conf_default_path(const char *explicit_path)
{
	const char *env;

	if (explicit_path)
		return explicit_path;
	if ((env = getenv("LV_CONF")) && *env)
		return env;
	return SYSCONFDIR "/leviathan.conf";
}

const struct lv_conf_node *lv_conf_find_node(const struct lv_conf *conf,
					     const char *name)
{
	for (size_t i = 0; i < conf->n_nodes; i++)
		if (!strcmp(conf->nodes[i].name, name))
			return &conf->nodes[i];
	return NULL;
}

const struct lv_conf_partition *
lv_conf_find_partition(const struct lv_conf *conf, const char *name)
{
	for (size_t i = 0; i < conf->n_partitions; i++)
		if (!strcmp(conf->partitions[i].name, name))
			return &conf->partitions[i];
	return NULL;
}

const struct lv_conf_partition *
lv_conf_default_partition(const struct lv_conf *conf)
{
	for (size_t i = 0; i < conf->n_partitions; i++)
		if (conf->partitions[i].is_default)
			return &conf->partitions[i];
	return conf->n_partitions ? &conf->partitions[0] : NULL;
}

char *lv_conf_expand_node(const char *tmpl, const char *node)
{
	size_t nlen, len = 0;
	char *out, *w;

	if (!tmpl)
		return NULL;
	nlen = node ? strlen(node) : 0;
	for (const char *s = tmpl; *s; s++) {
		if (s[0] == '%' && (s[1] == 'n' || s[1] == '%'))
			len += *++s == 'n' ? nlen : 1;
		else
			len++;
	}
	if (!(w = out = malloc(len + 1)))
		return NULL;
	for (const char *s = tmpl; *s; s++) {
		if (s[0] == '%' && s[1] == 'n') {
			memcpy(w, node, nlen);
			w += nlen;
			s++;
		} else if (s[0] == '%' && s[1] == '%') {
			*w++ = '%';
			s++;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
	return out;
}
