/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lvcancel: cancel or signal jobs, as scancel does. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/cli.h"
#include "cmd/jobfmt.h"
#include "common/msg.h"

struct options {
	const char *user, *name, *state, *partition;
	int signal; /* 0: cancel */
	bool batch, verbose, quiet;
	char **ids; /* argv entries */
	int nids;
};

static const struct {
	const char *name;
	int num;
} signals[] = {
	{"HUP", SIGHUP},       {"INT", SIGINT},   {"QUIT", SIGQUIT},
	{"ILL", SIGILL},       {"TRAP", SIGTRAP}, {"ABRT", SIGABRT},
	{"BUS", SIGBUS},       {"FPE", SIGFPE},   {"KILL", SIGKILL},
	{"USR1", SIGUSR1},     {"SEGV", SIGSEGV}, {"USR2", SIGUSR2},
	{"PIPE", SIGPIPE},     {"ALRM", SIGALRM}, {"TERM", SIGTERM},
	{"CHLD", SIGCHLD},     {"CONT", SIGCONT}, {"STOP", SIGSTOP},
	{"TSTP", SIGTSTP},     {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},
	{"URG", SIGURG},       {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},
	{"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH},
	{"IO", SIGIO},         {"SYS", SIGSYS},
};

static void usage(FILE *f)
{
	fputs("Usage: lvcancel [OPTIONS] [JOB_ID[_ARRAY_ID]...]\n"
	      "  -u, --user=USER        only this user's jobs\n"
	      "  -n, --name=NAME        only jobs with this name\n"
	      "  -t, --state=STATE      only jobs in this state (PENDING, RUNNING, SUSPENDED)\n"
	      "  -p, --partition=PART   only jobs in this partition\n"
	      "  -s, --signal=SIGNAL    send SIGNAL (TERM, USR1, 9...) instead of cancelling\n"
	      "  -b, --batch            signal only the batch script's processes\n"
	      "  -v, --verbose          say what is done\n"
	      "  -Q, --quiet            do not report errors\n"
	      "      --config=FILE      configuration file\n"
	      "      --help             this text\n"
	      "      --usage            a short summary\n",
	      f);
}

/* "TERM", "SIGTERM", "sigusr1" or a number; -1 when none of those. */
static int parse_signal(const char *s)
{
	char *end;
	long n;

	if (*s >= '0' && *s <= '9') {
		errno = 0;
		n = strtol(s, &end, 10);
		return (errno || *end || n < 1 || n > 64) ? -1 : (int)n;
	}
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (size_t i = 0; i < sizeof(signals) / sizeof(*signals); i++) {
		if (!strcasecmp(s, signals[i].name))
			return signals[i].num;
	}
	return -1;
}

static void parse_args(struct cli *cli, int argc, char **argv,
		       struct options *o)
{
	enum { OPT_CONFIG = 256, OPT_HELP, OPT_USAGE };
	static const struct option longopts[] = {
		{"user", required_argument, NULL, 'u'},
		{"name", required_argument, NULL, 'n'},
		{"state", required_argument, NULL, 't'},
		{"partition", required_argument, NULL, 'p'},
		{"signal", required_argument, NULL, 's'},
		{"batch", no_argument, NULL, 'b'},
		{"verbose", no_argument, NULL, 'v'},
		{"quiet", no_argument, NULL, 'Q'},
		{"config", required_argument, NULL, OPT_CONFIG},
		{"help", no_argument, NULL, OPT_HELP},
		{"usage", no_argument, NULL, OPT_USAGE},
		{NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":u:n:t:p:s:bvQ", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'u':
			o->user = optarg;
			break;
		case 'n':
			o->name = optarg;
			break;
		case 't':
			o->state = optarg;
			break;
		case 'p':
			o->partition = optarg;
			break;
		case 's':
			if ((o->signal = parse_signal(optarg)) < 0)
				cli_die(cli, "Invalid job signal: %s", optarg);
			break;
		case 'b':
			o->batch = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'Q':
			o->quiet = true;
			break;
		case OPT_CONFIG:
			cli->conf_path = optarg;
			break;
		case OPT_HELP:
			usage(stdout);
			exit(0);
		case OPT_USAGE:
			fputs("Usage: lvcancel [-bQv] [-n name] [-p partition] "
			      "[-s signal] [-t state] [-u user] "
			      "[job_id[_array_id]...]\n",
			      stdout);
			exit(0);
		default:
			cli_bad_option(cli, c, argv);
		}
	}
	o->ids = argv + optind;
	o->nids = argc - optind;
}

/* Reads digits at *p; false when there are none. */
static bool skip_num(const char **p, unsigned long long *v)
{
	char *end;

	if (**p < '0' || **p > '9')
		return false;
	errno = 0;
	*v = strtoull(*p, &end, 10);
	*p = end;
	return !errno;
}

/* "[1-5,7]" up to and including the bracket; ranges must go upwards. */
static bool skip_task_list(const char **p)
{
	unsigned long long lo, hi;

	if (**p != '[')
		return false;
	do {
		(*p)++;
		if (!skip_num(p, &lo))
			return false;
		hi = lo;
		if (**p == '-' && (++(*p), !skip_num(p, &hi)))
			return false;
		if (hi < lo)
			return false;
	} while (**p == ',');
	return *(*p)++ == ']';
}

/* "12", "12_3", "12_[1-5]" or "12_[1,3]". */
static bool job_id_valid(const char *s)
{
	unsigned long long v;

	if (!skip_num(&s, &v) || v == 0)
		return false;
	if (*s == '_') {
		s++;
		if (*s == '[') {
			if (!skip_task_list(&s))
				return false;
		} else if (!skip_num(&s, &v)) {
			return false;
		}
	}
	return *s == '\0';
}

/* -u takes a name or a uid; the controller wants the name. */
static const char *user_name(const struct cli *cli, const char *user)
{
	const struct passwd *pw;
	char *end;
	unsigned long uid;

	if (*user < '0' || *user > '9')
		return user;
	errno = 0;
	uid = strtoul(user, &end, 10);
	if (errno || *end || !(pw = getpwuid((uid_t)uid)))
		cli_die(cli, "Invalid user: %s", user);
	return pw->pw_name;
}

static const char *state_name(const struct cli *cli, const char *s)
{
	const char *name = jobfmt_state_name(s);

	if (!name || (strcmp(name, "PENDING") && strcmp(name, "RUNNING") &&
		      strcmp(name, "SUSPENDED")))
		cli_die(cli, "Invalid job state specified: %s", s);
	return name;
}

/* The JOB_CANCEL request of proto 04. */
static json_t *build_request(const struct cli *cli, const struct options *o)
{
	json_t *body = json_object(), *ids;

	if (o->nids) {
		ids = json_array();
		for (int i = 0; i < o->nids; i++) {
			if (!job_id_valid(o->ids[i]))
				cli_die(cli, "Invalid job id %s", o->ids[i]);
			json_array_append_new(ids, json_string(o->ids[i]));
		}
		json_object_set_new(body, "job_ids", ids);
	}
	if (o->user)
		json_object_set_new(body, "user",
				    json_string(user_name(cli, o->user)));
	if (o->name)
		json_object_set_new(body, "name", json_string(o->name));
	if (o->state)
		json_object_set_new(
			body, "states",
			json_pack("[s]", state_name(cli, o->state)));
	if (o->partition)
		json_object_set_new(body, "partition",
				    json_string(o->partition));
	if (o->signal)
		json_object_set_new(body, "signal", json_integer(o->signal));
	if (o->batch)
		json_object_set_new(body, "batch", json_true());
	return body;
}

/* A job id from the reply: "13_4" or 12. */
static const char *id_text(const json_t *id, char *buf, size_t len)
{
	if (json_is_string(id))
		return json_string_value(id);
	if (json_is_integer(id)) {
		snprintf(buf, len, "%lld", (long long)json_integer_value(id));
		return buf;
	}
	return "?";
}

static void report_done(const struct options *o, const json_t *done)
{
	const json_t *id;
	char buf[32];
	size_t i;

	json_array_foreach(done, i, id) {
		if (o->signal)
			fprintf(stderr, "lvcancel: Signal %d to job %s\n",
				o->signal, id_text(id, buf, sizeof(buf)));
		else
			fprintf(stderr, "lvcancel: Terminating job %s\n",
				id_text(id, buf, sizeof(buf)));
	}
}

/* scancel's message per failed job; the number of errors. */
static size_t report_errors(const struct options *o, const json_t *errors)
{
	const json_t *e;
	const char *why;
	char buf[32];
	size_t i;

	json_array_foreach(errors, i, e) {
		if (o->quiet)
			continue;
		why = lv_json_str(e, "error");
		fprintf(stderr,
			"lvcancel: error: Kill job error on job id %s: %s\n",
			id_text(json_object_get(e, "job"), buf, sizeof(buf)),
			why ? why : "Unknown error");
	}
	return json_array_size(errors);
}

int main(int argc, char **argv)
{
	struct cli cli = {.prog = "lvcancel"};
	struct options o = {0};
	json_t *body, *reply;
	size_t nerr;

	parse_args(&cli, argc, argv, &o);
	if (!o.nids && !o.user && !o.name && !o.state && !o.partition)
		cli_die(&cli, "No job identification provided");
	body = build_request(&cli, &o);
	cli_connect(&cli);
	reply = cli_call(&cli, LV_MSG_JOB_CANCEL, body);
	if (o.verbose)
		report_done(&o, json_object_get(reply, "cancelled"));
	nerr = report_errors(&o, json_object_get(reply, "errors"));
	json_decref(reply);
	cli_finish(&cli);
	return nerr ? 1 : 0;
}
