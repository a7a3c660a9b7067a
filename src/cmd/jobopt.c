/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sbatch's job options: one table drives getopt_long, directives, input
 * variables and --help; jobopt_json.c turns what they set into the
 * JOB_SUBMIT body (docs/proto/04-jobs.md). */
#include "config.h"

#include "cmd/jobopt.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cmd/jobopt_private.h"
#include "common/cpubind.h"
#include "common/hostlist.h"
#include "common/timefmt.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* Largest job array index accepted. */
#define ARRAY_INDEX_MAX 1000000
#define NICE_MAX 2147483645L
#define SIGNAL_TIME_MAX 65535

struct optdef;
/* Parses arg into v (which holds the field's old numbers and no string).
 * 0 or -errno with err set. */
typedef int (*jobopt_set_f)(const struct jobopt *o, const struct optdef *d,
			    const char *arg, struct value *v,
			    struct lv_error *err);

/* Which programs know an option; O_CLI_ONLY: not in directives. */
enum {
	P_BATCH = 1 << JOBOPT_LVBATCH,
	P_RUN = 1 << JOBOPT_LVRUN,
	P_ALLOC = 1 << JOBOPT_LVALLOC,
	P_ALL = P_BATCH | P_RUN | P_ALLOC,
	O_CLI_ONLY = 1 << 8,
};

struct optdef {
	const char *name; /* long name, as sbatch spells it */
	int shortopt;     /* 0: none */
	int has_arg;      /* getopt's no_argument etc. */
	enum field field;
	jobopt_set_f set;
	int aux;         /* the setter's parameter */
	unsigned flags;  /* P_*, O_CLI_ONLY */
	const char *env; /* SBATCH_<env> input variable, or NULL */
	const char *arg; /* for --help */
	const char *help;
};

/* A getopt_long value for table entry i (above any short option). */
#define LONG_VAL(i) (256 + (int)(i))

/* ---- setters ---- */

static int bad_spec(const struct optdef *d, struct lv_error *err)
{
	return lv_errorf(err, -EINVAL, "Invalid --%s specification", d->name);
}

/* A whole-string decimal integer in [min, max]. */
static bool parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!((*s >= '0' && *s <= '9') || (*s == '-' && min < 0)))
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* Reads a run of digits, saturating; false when none. */
static bool read_u64(const char **p, uint64_t *v)
{
	const char *s = *p;
	uint64_t n = 0;

	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++)
		n = n > UINT64_MAX / 10 - 10 ? UINT64_MAX : n * 10 + (*s - '0');
	*p = s;
	*v = n;
	return true;
}

static int set_str(const struct jobopt *o, const struct optdef *d,
		   const char *arg, struct value *v, struct lv_error *err)
{
	(void)o;
	(void)d;
	if (!(v->s = strdup(arg)))
		return nomem(err);
	return 0;
}

/* n = aux: flags (1), --requeue/--no-requeue, --oversubscribe, --help. */
static int set_aux(const struct jobopt *o, const struct optdef *d,
		   const char *arg, struct value *v, struct lv_error *err)
{
	(void)o;
	(void)arg;
	(void)err;
	v->n = d->aux;
	return 0;
}

static int set_count(const struct jobopt *o, const struct optdef *d,
		     const char *arg, struct value *v, struct lv_error *err)
{
	(void)o;
	(void)d;
	(void)arg;
	(void)err;
	v->n++;
	return 0;
}

/* An integer of at least aux. */
static int set_int(const struct jobopt *o, const struct optdef *d,
		   const char *arg, struct value *v, struct lv_error *err)
{
	long n;

	(void)o;
	if (!parse_long(arg, d->aux, INT_MAX, &n))
		return lv_errorf(err, -EINVAL,
				 "Invalid numeric value \"%s\" for --%s.", arg,
				 d->name);
	v->n = n;
	return 0;
}

static int set_refused(const struct jobopt *o, const struct optdef *d,
		       const char *arg, struct value *v, struct lv_error *err)
{
	(void)o;
	(void)arg;
	(void)v;
	return lv_errorf(err, -ENOTSUP, "--%s is not supported", d->name);
}

/* -N N or -N MIN-MAX. */
static int set_nodes(const struct jobopt *o, const struct optdef *d,
		     const char *arg, struct value *v, struct lv_error *err)
{
	const char *p = arg;
	uint64_t lo, hi;

	(void)o;
	if (!read_u64(&p, &lo))
		return bad_spec(d, err);
	hi = lo;
	if (*p == '-' && (p++, !read_u64(&p, &hi)))
		return bad_spec(d, err);
	if (*p || lo < 1 || hi < lo || hi > INT_MAX)
		return bad_spec(d, err);
	v->n = (long long)lo;
	v->n2 = (long long)hi;
	return 0;
}

/* --mem (aux 0) and --mem-per-cpu (aux 1); n2 says which. */
static int set_mem(const struct jobopt *o, const struct optdef *d,
		   const char *arg, struct value *v, struct lv_error *err)
{
	uint64_t mb;

	(void)o;
	if (lv_mem_parse_mb(arg, &mb, NULL) < 0 || mb > INT64_MAX)
		return bad_spec(d, err);
	v->n = (long long)mb;
	v->n2 = d->aux;
	return 0;
}

/* -t: minutes; 0, UNLIMITED and INFINITE mean no limit (-1). */
static int set_time(const struct jobopt *o, const struct optdef *d,
		    const char *arg, struct value *v, struct lv_error *err)
{
	uint32_t mins;

	(void)o;
	if (lv_time_parse_minutes(arg, &mins, NULL) < 0)
		return bad_spec(d, err);
	v->n = (mins == 0 || mins == LV_TIME_UNLIMITED) ? -1 : (long long)mins;
	return 0;
}

static int set_begin(const struct jobopt *o, const struct optdef *d,
		     const char *arg, struct value *v, struct lv_error *err)
{
	int64_t when;

	if (lv_begin_parse(arg, o->now, &when, NULL) < 0)
		return bad_spec(d, err);
	v->n = when;
	return 0;
}

/* "A[-B[:STEP]][,...][%LIMIT]", indexes up to ARRAY_INDEX_MAX. */
static bool array_is_valid(const char *s)
{
	uint64_t lo, hi, step;

	do {
		if (!read_u64(&s, &lo) || lo > ARRAY_INDEX_MAX)
			return false;
		if (*s != '-')
			continue;
		s++;
		if (!read_u64(&s, &hi) || hi > ARRAY_INDEX_MAX || hi < lo)
			return false;
		if (*s == ':' && (s++, !read_u64(&s, &step) || step == 0))
			return false;
	} while (*s == ',' && s++);
	if (*s == '%' && (s++, !read_u64(&s, &lo) || lo == 0 || lo > INT_MAX))
		return false;
	return *s == '\0';
}

static int set_array(const struct jobopt *o, const struct optdef *d,
		     const char *arg, struct value *v, struct lv_error *err)
{
	if (!array_is_valid(arg))
		return lv_errorf(err, -EINVAL,
				 "Invalid job array specification");
	return set_str(o, d, arg, v, err);
}

/* One "type:id[:id...]" or "singleton"; ids are N or N_TASK, and "after"
 * takes "+MINUTES" after each. */
static bool dependency_item_is_valid(const char *s)
{
	static const char *const types[] = {"after", "afterany", "afterok",
					    "afternotok", "aftercorr"};
	size_t i, len = strcspn(s, ":");
	uint64_t id;
	bool after;

	if (!strcmp(s, "singleton"))
		return true;
	for (i = 0; i < ARRAY_LEN(types); i++) {
		if (strlen(types[i]) == len && !strncmp(s, types[i], len))
			break;
	}
	if (i == ARRAY_LEN(types) || s[len] != ':')
		return false;
	after = i == 0;
	s += len;
	while (*s == ':') {
		s++;
		if (!read_u64(&s, &id) || id == 0 || id > UINT32_MAX)
			return false;
		if (*s == '_' && (s++, !read_u64(&s, &id)))
			return false;
		if (after && *s == '+' && (s++, !read_u64(&s, &id)))
			return false;
	}
	return *s == '\0';
}

/* Items joined by ',' (all must hold) or '?' (any), not both. */
static bool dependency_is_valid(char *s)
{
	char sep = strchr(s, '?') ? '?' : ',', *next;

	if (sep == '?' && strchr(s, ','))
		return false;
	for (; s; s = next) {
		if ((next = strchr(s, sep)))
			*next++ = '\0';
		if (!dependency_item_is_valid(s))
			return false;
	}
	return true;
}

static int set_dependency(const struct jobopt *o, const struct optdef *d,
			  const char *arg, struct value *v,
			  struct lv_error *err)
{
	char *copy;
	bool ok;

	if (!(copy = strdup(arg)))
		return nomem(err);
	ok = dependency_is_valid(copy);
	free(copy);
	if (!ok)
		return bad_spec(d, err);
	return set_str(o, d, arg, v, err);
}

static bool is_env_name(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (i = 0; i < len; i++) {
		if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return false;
	}
	return true;
}

/* ALL, NONE, or [ALL,]NAME[=VALUE],... */
static int set_export(const struct jobopt *o, const struct optdef *d,
		      const char *arg, struct value *v, struct lv_error *err)
{
	const char *p = arg;
	bool all = false, none = false;
	size_t len;

	for (;; p += len + 1) {
		len = item_len(p);
		if (item_is(p, len, "ALL"))
			all = true;
		else if (item_is(p, len, "NONE"))
			none = true;
		else if (!is_env_name(p, strcspn(p, ",=")))
			return bad_spec(d, err);
		if (!p[len])
			break;
	}
	if (all && none)
		return bad_spec(d, err);
	return set_str(o, d, arg, v, err);
}

/* -w, -x: a hostlist expression. */
static int set_hostlist(const struct jobopt *o, const struct optdef *d,
			const char *arg, struct value *v, struct lv_error *err)
{
	struct lv_error herr = {0};
	struct lv_hostlist *hl;

	if (!(hl = lv_hostlist_create(arg, &herr))) {
		if (herr.code == -ENOMEM)
			return nomem(err);
		return lv_errorf(err, -EINVAL, "Invalid --%s specification: %s",
				 d->name, herr.text);
	}
	lv_hostlist_destroy(hl);
	return set_str(o, d, arg, v, err);
}

/* --cpu-bind, --distribution, --mem-bind: checked as lvd reads them. */
static int set_binding(const struct jobopt *o, const struct optdef *d,
		       const char *arg, struct value *v, struct lv_error *err)
{
	struct lv_bind_spec b = { 0 };
	int rc = d->field == F_CPU_BIND  ? lv_bind_parse_cpu(arg, &b, err)
		 : d->field == F_MEM_BIND ? lv_bind_parse_mem(arg, &b, err)
					  : lv_bind_parse_dist(arg, &b, err);

	return rc < 0 ? rc : set_str(o, d, arg, v, err);
}

static int set_hint(const struct jobopt *o, const struct optdef *d,
		    const char *arg, struct value *v, struct lv_error *err)
{
	const char *p = arg;
	size_t len;

	for (;; p += len + 1) {
		len = item_len(p);
		if (!item_is(p, len, "compute_bound") &&
		    !item_is(p, len, "memory_bound") &&
		    !item_is(p, len, "multithread") &&
		    !item_is(p, len, "nomultithread"))
			return bad_spec(d, err);
		if (!p[len])
			break;
	}
	return set_str(o, d, arg, v, err);
}

/* "append" or "truncate" (or their first letter), sent in full. */
static int set_open_mode(const struct jobopt *o, const struct optdef *d,
			 const char *arg, struct value *v, struct lv_error *err)
{
	if (!strcasecmp(arg, "a") || !strcasecmp(arg, "append"))
		arg = "append";
	else if (!strcasecmp(arg, "t") || !strcasecmp(arg, "truncate"))
		arg = "truncate";
	else
		return bad_spec(d, err);
	return set_str(o, d, arg, v, err);
}

/* --nice[=ADJ]: 100 without a value, as in sbatch. */
static int set_nice(const struct jobopt *o, const struct optdef *d,
		    const char *arg, struct value *v, struct lv_error *err)
{
	long n = 100;

	(void)o;
	if (arg && !parse_long(arg, -NICE_MAX, NICE_MAX, &n))
		return bad_spec(d, err);
	v->n = n;
	return 0;
}

/* -k[off] */
static int set_no_kill(const struct jobopt *o, const struct optdef *d,
		       const char *arg, struct value *v, struct lv_error *err)
{
	(void)o;
	if (arg && strcasecmp(arg, "off"))
		return bad_spec(d, err);
	v->n = !arg;
	return 0;
}

static int set_yes_no(const struct jobopt *o, const struct optdef *d,
		      const char *arg, struct value *v, struct lv_error *err)
{
	(void)o;
	if (!strcasecmp(arg, "yes"))
		v->n = 1;
	else if (!strcasecmp(arg, "no"))
		v->n = 0;
	else
		return bad_spec(d, err);
	return 0;
}

/* --exclusive without a value; exclusive=user|mcs|topo is not ours. */
static int set_exclusive(const struct jobopt *o, const struct optdef *d,
			 const char *arg, struct value *v, struct lv_error *err)
{
	if (arg)
		return lv_errorf(err, -ENOTSUP,
				 "--exclusive=%s is not supported", arg);
	return set_aux(o, d, arg, v, err);
}

/* A signal number or name (USR1, SIGUSR1). */
static int signal_number(const char *s, size_t len)
{
	static const char *const names[] = {
		"HUP",  "INT", "QUIT", "ABRT", "KILL", "ALRM", "TERM", "USR1",
		"USR2", "URG", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "XCPU"};
	static const int nums[] = {1,  2,  3,  6,  9,  14, 15, 10,
				   12, 23, 18, 19, 20, 21, 22, 24};
	char buf[16];
	long n;
	size_t i;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (parse_long(buf, 1, 64, &n))
		return (int)n;
	s = strncasecmp(buf, "SIG", 3) ? buf : buf + 3;
	for (i = 0; i < ARRAY_LEN(names); i++) {
		if (!strcasecmp(s, names[i]))
			return nums[i];
	}
	return -1;
}

/* [{R|B}:]SIG[@SECONDS] */
static int set_signal(const struct jobopt *o, const struct optdef *d,
		      const char *arg, struct value *v, struct lv_error *err)
{
	const char *colon = strchr(arg, ':'), *sig = colon ? colon + 1 : arg;
	size_t flags_len = colon ? (size_t)(colon - arg) : 0;
	const char *at = strchr(sig, '@');
	long secs = 60;
	int num;

	(void)o;
	if (strspn(arg, "RBrb") != flags_len || flags_len > 2)
		return bad_spec(d, err);
	num = signal_number(sig, at ? (size_t)(at - sig) : strlen(sig));
	if (num < 0 || (at && !parse_long(at + 1, 0, SIGNAL_TIME_MAX, &secs)))
		return bad_spec(d, err);
	if (!(v->s = strndup(arg, flags_len)))
		return nomem(err);
	v->n = num;
	v->n2 = secs;
	return 0;
}

/* ---- the table ---- */

#define REQ required_argument
#define OPT optional_argument
#define NO no_argument

static const struct optdef table[] = {
	{"account", 'A', REQ, F_ACCOUNT, set_str, 0, P_ALL, "ACCOUNT", "NAME",
	 "charge the job to this account"},
	{"array", 'a', REQ, F_ARRAY, set_array, 0, P_BATCH, "ARRAY_INX",
	 "INDEXES", "job array: 1-10, 1-10:2, 1,3,5, 0-99%4"},
	{"begin", 'b', REQ, F_BEGIN, set_begin, 0, P_ALL, NULL, "TIME",
	 "start no sooner: now+1hour, 16:00, 2026-12-01"},
	{"chdir", 'D', REQ, F_CHDIR, set_str, 0, P_ALL, NULL, "DIR",
	 "job's working directory (default: here)"},
	{"comment", 0, REQ, F_COMMENT, set_str, 0, P_ALL, NULL, "TEXT",
	 "a comment kept with the job"},
	{"config", 0, REQ, F_CONFIG, set_str, 0, P_ALL | O_CLI_ONLY, NULL,
	 "FILE", "Leviathan configuration file"},
	{"constraint", 'C', REQ, F_CONSTRAINT, set_str, 0, P_ALL, "CONSTRAINT",
	 "LIST", "node features the job needs"},
	{"cpu-bind", 0, REQ, F_CPU_BIND, set_binding, 0, P_ALL, NULL, "TYPE",
	 "how tasks are bound to CPUs"},
	{"cpus-per-task", 'c', REQ, F_CPUS_PER_TASK, set_int, 1, P_ALL, NULL,
	 "N", "CPUs per task (default 1)"},
	{"dependency", 'd', REQ, F_DEPENDENCY, set_dependency, 0, P_ALL, NULL,
	 "LIST", "after other jobs: afterok:ID[:ID...], singleton"},
	{"distribution", 'm', REQ, F_DISTRIBUTION, set_binding, 0, P_ALL,
	 "DISTRIBUTION", "TYPE", "how tasks are laid out: block, cyclic..."},
	{"error", 'e', REQ, F_STDERR, set_str, 0, P_BATCH | P_RUN, "ERROR",
	 "FILE", "standard error file (%j %x %u %N %A %a)"},
	{"exclude", 'x', REQ, F_EXCLUDE, set_hostlist, 0, P_ALL, NULL, "NODES",
	 "never run on these nodes"},
	{"exclusive", 0, OPT, F_SHARE, set_exclusive, 1, P_ALL, "EXCLUSIVE",
	 NULL, "share no node with other jobs"},
	{"export", 0, REQ, F_EXPORT, set_export, 0, P_BATCH | P_RUN, "EXPORT",
	 "VARS", "ALL, NONE or [ALL,]VAR[=VALUE],..."},
	{"get-user-env", 0, OPT, F_GET_USER_ENV, set_aux, 1, P_BATCH | P_ALLOC,
	 "GET_USER_ENV", "OPTS", "ask for the user's login environment"},
	{"gid", 0, REQ, F_REFUSED, set_refused, 0, P_ALL, NULL, "GROUP",
	 "not supported"},
	{"gpus-per-task", 0, REQ, F_GPUS_PER_TASK, set_str, 0, P_ALL,
	 "GPUS_PER_TASK", "[TYPE:]N", "GPUs per task"},
	{"gres", 0, REQ, F_GRES, set_str, 0, P_ALL, "GRES", "LIST",
	 "generic resources per node"},
	{"help", 'h', NO, F_ACTION, set_aux, JOBOPT_HELP, P_ALL | O_CLI_ONLY,
	 NULL, NULL, "this text"},
	{"hint", 0, REQ, F_HINT, set_hint, 0, P_ALL, "HINT", "HINT",
	 "compute_bound, memory_bound, [no]multithread"},
	{"hold", 'H', NO, F_HOLD, set_aux, 1, P_ALL, NULL, NULL,
	 "submit the job held"},
	{"input", 'i', REQ, F_STDIN, set_str, 0, P_BATCH | P_RUN, "INPUT",
	 "FILE", "standard input file"},
	{"job-name", 'J', REQ, F_NAME, set_str, 0, P_ALL, "JOB_NAME", "NAME",
	 "job name (default: the script's file name)"},
	{"kill-on-invalid-dep", 0, REQ, F_KILL_ON_INVALID_DEP, set_yes_no, 0,
	 P_BATCH, NULL, "yes|no", "cancel the job if its dependency fails"},
	{"mail-type", 0, REQ, F_MAIL, set_str, 0, P_ALL, NULL, "TYPE",
	 "ignored: Leviathan sends no mail"},
	{"mail-user", 0, REQ, F_MAIL, set_str, 0, P_ALL, NULL, "USER",
	 "accepted and ignored"},
	{"mem", 0, REQ, F_MEM, set_mem, 0, P_ALL, "MEM_PER_NODE", "SIZE",
	 "memory per node (MB, or with K, M, G, T)"},
	{"mem-bind", 0, REQ, F_MEM_BIND, set_binding, 0, P_ALL, "MEM_BIND", "TYPE",
	 "how tasks are bound to memory"},
	{"mem-per-cpu", 0, REQ, F_MEM, set_mem, 1, P_ALL, "MEM_PER_CPU", "SIZE",
	 "memory per CPU"},
	{"nice", 0, OPT, F_NICE, set_nice, 0, P_ALL, NULL, "ADJ",
	 "lower the priority by ADJ (default 100)"},
	{"no-kill", 'k', OPT, F_NO_KILL, set_no_kill, 0, P_ALL, "NO_KILL",
	 "off", "keep running when a node fails"},
	{"no-requeue", 0, NO, F_REQUEUE, set_aux, 0, P_BATCH, "NO_REQUEUE",
	 NULL, "never requeue the job"},
	{"nodelist", 'w', REQ, F_NODELIST, set_hostlist, 0, P_ALL, NULL,
	 "NODES", "run on these nodes"},
	{"nodes", 'N', REQ, F_NODES, set_nodes, 0, P_ALL, NULL, "N[-M]",
	 "number of nodes, or a range"},
	{"ntasks", 'n', REQ, F_NTASKS, set_int, 1, P_ALL, NULL, "N",
	 "number of tasks"},
	{"ntasks-per-node", 0, REQ, F_NTASKS_PER_NODE, set_int, 1, P_ALL, NULL,
	 "N", "tasks per node"},
	{"ntasks-per-socket", 0, REQ, F_NTASKS_PER_SOCKET, set_int, 1, P_ALL,
	 NULL, "N", "tasks per socket"},
	{"open-mode", 0, REQ, F_OPEN_MODE, set_open_mode, 0, P_BATCH | P_RUN,
	 "OPEN_MODE", "append|truncate", "how output files are opened"},
	{"output", 'o', REQ, F_STDOUT, set_str, 0, P_BATCH | P_RUN, "OUTPUT",
	 "FILE", "standard output file (%j %x %u %N %A %a)"},
	{"oversubscribe", 's', NO, F_SHARE, set_aux, 2, P_ALL, NULL, NULL,
	 "share nodes with other jobs"},
	{"parsable", 0, NO, F_PARSABLE, set_aux, 1, P_BATCH, NULL, NULL,
	 "print only the job id"},
	{"partition", 'p', REQ, F_PARTITION, set_str, 0, P_ALL, "PARTITION",
	 "NAME", "partition to run in"},
	{"priority", 0, REQ, F_PRIORITY, set_int, 0, P_ALL, NULL, "N",
	 "set the job's priority (administrators)"},
	{"qos", 'q', REQ, F_QOS, set_str, 0, P_ALL, "QOS", "NAME",
	 "quality of service"},
	{"quiet", 'Q', NO, F_QUIET, set_aux, 1, P_ALL, NULL, NULL,
	 "print nothing but errors"},
	{"requeue", 0, NO, F_REQUEUE, set_aux, 1, P_BATCH, "REQUEUE", NULL,
	 "allow the job to be requeued"},
	{"signal", 0, REQ, F_SIGNAL, set_signal, 0, P_ALL, "SIGNAL",
	 "[B:]SIG[@SECS]", "send SIG that long before the time limit"},
	{"test-only", 0, NO, F_TEST_ONLY, set_aux, 1, P_BATCH | P_RUN, NULL,
	 NULL, "estimate the start; submit nothing"},
	{"threads-per-core", 0, REQ, F_THREADS_PER_CORE, set_int, 1, P_ALL,
	 "THREADS_PER_CORE", "N", "threads used per core"},
	{"time", 't', REQ, F_TIME, set_time, 0, P_ALL, "TIMELIMIT", "TIME",
	 "M, M:S, H:M:S, D-H[:M[:S]], 0=UNLIMITED"},
	{"uid", 0, REQ, F_REFUSED, set_refused, 0, P_ALL, NULL, "USER",
	 "not supported"},
	{"usage", 0, NO, F_ACTION, set_aux, JOBOPT_USAGE, P_ALL | O_CLI_ONLY,
	 NULL, NULL, "a short usage message"},
	{"verbose", 'v', NO, F_VERBOSE, set_count, 0, P_ALL, NULL, NULL,
	 "say more (repeat for more)"},
	{"version", 'V', NO, F_ACTION, set_aux, JOBOPT_VERSION,
	 P_ALL | O_CLI_ONLY, NULL, NULL, "print the version"},
	{"wait", 'W', NO, F_WAIT, set_aux, 1, P_BATCH, "WAIT", NULL,
	 "wait for the job's end; exit with its code"},
	{"wrap", 0, REQ, F_WRAP, set_str, 0, P_BATCH | O_CLI_ONLY, NULL, "CMD",
	 "run CMD with sh instead of a script"},
};

static bool known_to(const struct optdef *d, enum jobopt_prog prog)
{
	return d->flags & (1u << prog);
}

const char *jobopt_prog_name(enum jobopt_prog prog)
{
	switch (prog) {
	case JOBOPT_LVRUN:
		return "lvrun";
	case JOBOPT_LVALLOC:
		return "lvalloc";
	default:
		return "lvbatch";
	}
}

struct jobopt *jobopt_create(enum jobopt_prog prog)
{
	struct jobopt *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->prog = prog;
	o->now = time(NULL);
	return o;
}

void jobopt_destroy(struct jobopt *o)
{
	size_t i;

	if (!o)
		return;
	for (i = 0; i < F_COUNT; i++)
		free(o->v[i].s);
	free(o);
}

/* ---- parsing ---- */

/* Runs d's setter and keeps the result unless a stronger source set the
 * field already (the value is still checked: a bad directive is an error
 * even when the command line overrides it).  -v adds up. */
static int apply(struct jobopt *o, const struct optdef *d, enum source src,
		 const char *arg, struct lv_error *err)
{
	struct value *cur = &o->v[d->field];
	struct value v = {NULL, cur->n, cur->n2};
	int rc;

	if ((d->flags & O_CLI_ONLY) && src != SRC_ARGV)
		return lv_errorf(
			err, -EINVAL,
			"option '--%s' is only allowed on the command line",
			d->name);
	if ((rc = d->set(o, d, arg, &v, err)) < 0)
		return rc;
	if (o->src[d->field] > src && d->field != F_VERBOSE) {
		free(v.s);
		return 0;
	}
	free(cur->s);
	*cur = v;
	if (o->src[d->field] < src)
		o->src[d->field] = (unsigned char)src;
	return 0;
}

/* getopt_long's tables for prog: long values are LONG_VAL(index). */
static void build_getopt(enum jobopt_prog prog, struct option *longopts,
			 char *shortopts)
{
	size_t i, n = 0;

	*shortopts++ = '+'; /* stop at the script name */
	*shortopts++ = ':'; /* report a missing argument as ':' */
	for (i = 0; i < ARRAY_LEN(table); i++) {
		if (!known_to(&table[i], prog))
			continue;
		longopts[n++] = (struct option){table[i].name, table[i].has_arg,
						NULL, LONG_VAL(i)};
		if (!table[i].shortopt)
			continue;
		*shortopts++ = (char)table[i].shortopt;
		if (table[i].has_arg != no_argument)
			*shortopts++ = ':';
		if (table[i].has_arg == optional_argument)
			*shortopts++ = ':';
	}
	longopts[n] = (struct option){NULL, 0, NULL, 0};
	*shortopts = '\0';
}

/* The entry that getopt_long's value c (or optopt) stands for. */
static const struct optdef *lookup(enum jobopt_prog prog, int c)
{
	size_t i;

	if (c >= LONG_VAL(0))
		return &table[c - LONG_VAL(0)];
	for (i = 0; i < ARRAY_LEN(table); i++) {
		if (table[i].shortopt == c && known_to(&table[i], prog))
			return &table[i];
	}
	return NULL;
}

/* True when the "--word" at arg abbreviates several long options. */
static bool is_ambiguous(enum jobopt_prog prog, const char *arg)
{
	size_t i, len = strcspn(arg, "="), n = 0;

	for (i = 0; i < ARRAY_LEN(table); i++) {
		if (!known_to(&table[i], prog) ||
		    strncmp(table[i].name, arg, len))
			continue;
		if (table[i].name[len] == '\0')
			return false;
		n++;
	}
	return n > 1;
}

/* glibc's getopt messages, for getopt_long's '?' or ':' result. */
static int getopt_error(enum jobopt_prog prog, int c, char **argv,
			struct lv_error *err)
{
	const char *arg = argv[optind - 1];

	if (c == ':' && optopt >= LONG_VAL(0))
		return lv_errorf(err, -ENOENT,
				 "option '--%s' requires an argument",
				 lookup(prog, optopt)->name);
	if (c == ':')
		return lv_errorf(err, -ENOENT,
				 "option requires an argument -- '%c'", optopt);
	if (optopt >= LONG_VAL(0))
		return lv_errorf(err, -ENOENT,
				 "option '--%s' doesn't allow an argument",
				 lookup(prog, optopt)->name);
	if (optopt)
		return lv_errorf(err, -ENOENT, "invalid option -- '%c'",
				 optopt);
	if (!strncmp(arg, "--", 2) && is_ambiguous(prog, arg + 2))
		return lv_errorf(err, -ENOENT, "option '%.*s' is ambiguous",
				 (int)strcspn(arg, "="), arg);
	return lv_errorf(err, -ENOENT, "unrecognized option '%s'", arg);
}

static int parse_args(struct jobopt *o, enum source src, int argc, char **argv,
		      int *first, struct lv_error *err)
{
	struct option longopts[ARRAY_LEN(table) + 1];
	char shortopts[3 * ARRAY_LEN(table) + 3];
	int c, rc;

	build_getopt(o->prog, longopts, shortopts);
	optind = 0; /* glibc: start afresh */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c == '?' || c == ':')
			return getopt_error(o->prog, c, argv, err);
		if ((rc = apply(o, lookup(o->prog, c), src, optarg, err)) < 0)
			return rc;
	}
	*first = optind;
	return 0;
}

int jobopt_parse_argv(struct jobopt *o, int argc, char **argv,
		      int *first_nonopt, struct lv_error *err)
{
	return parse_args(o, SRC_ARGV, argc, argv, first_nonopt, err);
}

/* Puts prefix in front of err's text and returns code. */
static int error_prefix(struct lv_error *err, int code, const char *prefix)
{
	char text[LV_ERROR_TEXT_MAX];

	snprintf(text, sizeof(text), "%s", err ? err->text : "");
	return lv_errorf(err, code, "%s%s", prefix, text);
}

/* Copies one sh word from *p (below end) to *q, unquoting. */
static int read_word(const char **p, const char *end, char **q,
		     struct lv_error *err)
{
	const char *s = *p;
	char *out = *q, quote = 0;

	for (; s < end && (quote || (*s != ' ' && *s != '\t' && *s != '\r'));
	     s++) {
		if (quote && *s == quote)
			quote = 0;
		else if (!quote && (*s == '\'' || *s == '"'))
			quote = *s;
		else if (*s == '\\' && quote != '\'' && s + 1 < end &&
			 (!quote || strchr("\"\\$`", s[1])))
			*out++ = *++s;
		else if (*s != '\\' || quote)
			*out++ = *s;
	}
	if (quote)
		return lv_errorf(err, -EINVAL, "unterminated %s quote",
				 quote == '"' ? "double" : "single");
	*out++ = '\0';
	*p = s;
	*q = out;
	return 0;
}

/* Splits s[0, len) into words after words[0] = argv0; an unquoted # at a
 * word's start ends the list.  words has room for len + 2 pointers, buf
 * for 2 * len + 1 characters.  Returns the count or -EINVAL. */
static int split_words(const char *s, size_t len, char *argv0, char **words,
		       char *buf, struct lv_error *err)
{
	const char *end = s + len;
	int n = 0, rc;

	words[n++] = argv0;
	for (;;) {
		s += strspn(s, " \t\r");
		if (s >= end || *s == '#')
			break;
		words[n++] = buf;
		if ((rc = read_word(&s, end, &buf, err)) < 0)
			return rc;
	}
	words[n] = NULL;
	return n;
}

/* Parses the options of one directive line. */
static int parse_directive(struct jobopt *o, const char *s, size_t len,
			   struct lv_error *err)
{
	char argv0[16], **words, *buf;
	int n, first, rc = -ENOMEM;

	snprintf(argv0, sizeof(argv0), "%s", jobopt_prog_name(o->prog));
	words = calloc(len + 2, sizeof(*words));
	buf = malloc(2 * len + 1);
	if (!words || !buf) {
		rc = nomem(err);
		goto out_free;
	}
	if ((rc = n = split_words(s, len, argv0, words, buf, err)) < 0)
		goto out_free;
	if ((rc = parse_args(o, SRC_DIRECTIVE, n, words, &first, err)) < 0)
		goto out_free;
	if (first < n)
		rc = lv_errorf(err, -EINVAL, "unexpected argument '%s'",
			       words[first]);
out_free:
	free(words);
	free(buf);
	return rc < 0 ? rc : 0;
}

/* Length of "#SBATCH" or "#LV" at the start of line when a blank or the
 * line's end follows; 0 otherwise. */
static size_t directive_prefix(const char *line, const char *end)
{
	static const char *const prefixes[] = {"#SBATCH", "#LV"};
	size_t i, n;

	for (i = 0; i < ARRAY_LEN(prefixes); i++) {
		n = strlen(prefixes[i]);
		if ((size_t)(end - line) >= n &&
		    !strncmp(line, prefixes[i], n) &&
		    (line + n == end || strchr(" \t\r", line[n])))
			return n;
	}
	return 0;
}

int jobopt_parse_directives(struct jobopt *o, const char *script,
			    struct lv_error *err)
{
	const char *line, *end, *p;
	char prefix[32];
	size_t skip;
	int lineno = 0, rc;

	for (line = script; *line; line = *end ? end + 1 : end) {
		end = line + strcspn(line, "\n");
		lineno++;
		p = line + strspn(line, " \t\r");
		if (p == end)
			continue; /* blank */
		if (*p != '#')
			break; /* the first command */
		if (!(skip = directive_prefix(line, end)))
			continue; /* a comment, the #! line included */
		rc = parse_directive(o, line + skip,
				     (size_t)(end - line) - skip, err);
		if (rc < 0) {
			snprintf(prefix, sizeof(prefix), "line %d: ", lineno);
			return error_prefix(err, rc, prefix);
		}
	}
	return 0;
}

const char *env_lookup(char *const *envp, const char *name, size_t len)
{
	for (; envp && *envp; envp++) {
		if (!strncmp(*envp, name, len) && (*envp)[len] == '=')
			return *envp + len + 1;
	}
	return NULL;
}

int jobopt_parse_env(struct jobopt *o, char *const *envp, struct lv_error *err)
{
	const char *prefix, *val;
	char name[64];
	size_t i;
	int rc;

	if (o->prog == JOBOPT_LVRUN)
		return 0; /* srun's SLURM_* inputs clash with job outputs */
	prefix = o->prog == JOBOPT_LVALLOC ? "SALLOC_" : "SBATCH_";
	for (i = 0; i < ARRAY_LEN(table); i++) {
		const struct optdef *d = &table[i];

		if (!d->env || !known_to(d, o->prog))
			continue;
		snprintf(name, sizeof(name), "%s%s", prefix, d->env);
		if (!(val = env_lookup(envp, name, strlen(name))))
			continue;
		if (d->has_arg == no_argument || (d->has_arg == OPT && !*val))
			val = NULL;
		if ((rc = apply(o, d, SRC_ENV, val, err)) < 0) {
			snprintf(name + strlen(name), 3, ": ");
			return error_prefix(err, rc, name);
		}
	}
	return 0;
}

struct jobopt_cmd jobopt_cmd_get(const struct jobopt *o)
{
	return (struct jobopt_cmd){
		.action = (enum jobopt_action)o->v[F_ACTION].n,
		.verbose = (int)o->v[F_VERBOSE].n,
		.quiet = o->v[F_QUIET].n,
		.parsable = o->v[F_PARSABLE].n,
		.wait = o->v[F_WAIT].n,
		.test_only = o->v[F_TEST_ONLY].n,
		.mail_ignored = o->src[F_MAIL] != SRC_NONE,
		.wrap = o->v[F_WRAP].s,
		.config = o->v[F_CONFIG].s,
		.name = o->v[F_NAME].s,
	};
}

/* ---- help ---- */

/* "-J, --job-name=NAME" */
static void option_synopsis(const struct optdef *d, char *buf, size_t len)
{
	int n = d->shortopt
			? snprintf(buf, len, "-%c, --%s", d->shortopt, d->name)
			: snprintf(buf, len, "    --%s", d->name);

	if (d->has_arg == REQ)
		snprintf(buf + n, len - (size_t)n, "=%s", d->arg);
	else if (d->has_arg == OPT && d->arg)
		snprintf(buf + n, len - (size_t)n, "[=%s]", d->arg);
}

void jobopt_print_help(FILE *f, enum jobopt_prog prog)
{
	char syn[64];
	size_t i;

	fprintf(f, "Usage: %s [OPTIONS...] %s\n\n", jobopt_prog_name(prog),
		prog == JOBOPT_LVBATCH ? "[script [args...]]"
				       : "[command [args...]]");
	for (i = 0; i < ARRAY_LEN(table); i++) {
		if (!known_to(&table[i], prog))
			continue;
		option_synopsis(&table[i], syn, sizeof(syn));
		if (strlen(syn) > 30)
			fprintf(f, "  %s\n  %-30s %s\n", syn, "",
				table[i].help);
		else
			fprintf(f, "  %-30s %s\n", syn, table[i].help);
	}
}

void jobopt_print_usage(FILE *f, enum jobopt_prog prog)
{
	const char *name = jobopt_prog_name(prog);
	char item[48];
	size_t i, col;

	col = (size_t)fprintf(f, "Usage: %s", name);
	for (i = 0; i < ARRAY_LEN(table); i++) {
		const struct optdef *d = &table[i];

		if (!known_to(d, prog) || !d->shortopt || d->field == F_ACTION)
			continue;
		snprintf(item, sizeof(item), " [-%c%s%s]", d->shortopt,
			 d->has_arg == REQ ? " " : "",
			 d->has_arg == REQ ? d->arg : "");
		if (col + strlen(item) > 78)
			col = (size_t)fprintf(f, "\n%*s", (int)strlen(name) + 7,
					      "") -
			      1;
		col += (size_t)fprintf(f, "%s", item);
	}
	fprintf(f, " %s\n",
		prog == JOBOPT_LVBATCH ? "script [args...]"
				       : "command [args...]");
}
