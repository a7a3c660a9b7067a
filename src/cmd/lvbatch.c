/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lvbatch: submits a batch script to the controller, as sbatch does. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "cmd/jobopt.h"
#include "common/hostlist.h"
#include "common/msg.h"

/* Largest script accepted, as in sbatch. */
#define SCRIPT_MAX (4 * 1024 * 1024)

extern char **environ;

struct script {
	char *text; /* NUL-terminated */
	size_t len;
	char **argv; /* its arguments */
	int argc;
	const char *default_name; /* job name without -J */
};

/* Command line and SBATCH_* variables; handles --help and --version. */
static struct jobopt *parse_options(struct cli *cli, int argc, char **argv,
				    int *first)
{
	struct lv_error err = {0};
	struct jobopt *o;

	if (!(o = jobopt_create(JOBOPT_LVBATCH)))
		cli_die(cli, "out of memory");
	if (jobopt_parse_argv(o, argc, argv, first, &err) < 0)
		cli_jobopt_error(cli, &err);
	cli_jobopt_action(jobopt_cmd_get(o).action, JOBOPT_LVBATCH, NULL);
	if (jobopt_parse_env(o, environ, &err) < 0)
		cli_die(cli, "%s", err.text);
	return o;
}

/* Reads all of fd (at most SCRIPT_MAX bytes) into sc->text. */
static void read_all(const struct cli *cli, int fd, const char *what,
		     struct script *sc)
{
	size_t cap = 0;
	ssize_t n = 1;
	char *p;

	while (n > 0) {
		if (sc->len + 1 >= cap) {
			cap = cap ? 2 * cap : 65536;
			if (!(p = realloc(sc->text, cap)))
				cli_die(cli, "out of memory");
			sc->text = p;
		}
		n = read(fd, sc->text + sc->len, cap - sc->len - 1);
		if (n < 0 && errno == EINTR)
			n = 1;
		else if (n < 0)
			cli_die(cli, "Unable to read %s: %s", what,
				strerror(errno));
		else
			sc->len += (size_t)n;
		if (sc->len > SCRIPT_MAX)
			cli_die(cli,
				"Batch script is too large (more than 4 MiB)");
	}
	sc->text[sc->len] = '\0';
}

/* The checks sbatch makes before sending a script. */
static void check_script(const struct cli *cli, const struct script *sc)
{
	if (sc->len == 0)
		cli_die(cli, "Batch script is empty!");
	if (memchr(sc->text, '\0', sc->len))
		cli_die(cli, "batch script contains a NUL character");
	if (strspn(sc->text, " \t\r\n\v\f") == sc->len)
		cli_die(cli, "Batch script contains only whitespace!");
	if (strncmp(sc->text, "#!", 2))
		cli_die(cli,
			"This does not look like a batch script.  The first line must start with #! followed by the path to an interpreter.");
	if (strstr(sc->text, "\r\n"))
		cli_die(cli,
			"Batch script contains DOS line breaks (\\r\\n) instead of expected UNIX line breaks (\\n).");
}

/* The script from --wrap, the file argument or standard input. */
static void read_script(const struct cli *cli, const struct jobopt_cmd *cmd,
			int argc, char **argv, struct script *sc)
{
	const char *slash;
	int fd;

	if (cmd->wrap) {
		if (argc > 0)
			cli_die(cli,
				"Script arguments not permitted with --wrap option");
		if (asprintf(
			    &sc->text,
			    "#!/bin/sh\n# This script was created by lvbatch --wrap.\n\n%s\n",
			    cmd->wrap) < 0)
			cli_die(cli, "out of memory");
		sc->len = strlen(sc->text);
		sc->default_name = "wrap";
	} else if (argc > 0) {
		if ((fd = open(argv[0], O_RDONLY | O_CLOEXEC)) < 0)
			cli_die(cli, "Unable to open file %s: %s", argv[0],
				strerror(errno));
		read_all(cli, fd, argv[0], sc);
		close(fd);
		slash = strrchr(argv[0], '/');
		sc->default_name = slash ? slash + 1 : argv[0];
		sc->argv = argv + 1;
		sc->argc = argc - 1;
	} else if (!isatty(STDIN_FILENO)) {
		read_all(cli, STDIN_FILENO, "standard input", sc);
		sc->default_name = "lvbatch";
	} else {
		cli_die(cli,
			"no batch script: name a file, pipe one to standard input or use --wrap");
	}
	check_script(cli, sc);
}

static json_t *build_request(const struct cli *cli, const struct jobopt *o,
			     const struct script *sc)
{
	struct lv_error err = {0};
	char cwd[PATH_MAX];
	json_t *req;
	struct jobopt_submit s = {
		.script = sc->text,
		.argv = sc->argv,
		.argc = sc->argc,
		.default_name = sc->default_name,
		.cwd = cwd,
		.envp = environ,
	};

	if (!getcwd(cwd, sizeof(cwd)))
		cli_die(cli, "Unable to find the current directory: %s",
			strerror(errno));
	if (!(req = jobopt_to_json(o, &s, &err)))
		cli_die(cli, "%s", err.text);
	return req;
}

/* -v notes; -vv also shows the request, without the script and env. */
static void note_verbose(const struct cli *cli, const struct jobopt_cmd *cmd,
			 const json_t *req)
{
	json_t *shown;

	if (cmd->verbose < 1)
		return;
	if (cmd->mail_ignored)
		fprintf(stderr,
			"%s: --mail-type and --mail-user are ignored: Leviathan sends no mail\n",
			cli->prog);
	if (cmd->verbose < 2 || !(shown = json_deep_copy(req)))
		return;
	json_object_set_new(shown, "script", json_string("..."));
	json_object_set_new(shown, "env",
			    json_integer((json_int_t)json_object_size(
				    json_object_get(req, "env"))));
	fprintf(stderr, "%s: request: ", cli->prog);
	json_dumpf(shown, stderr, JSON_SORT_KEYS | JSON_COMPACT);
	fputc('\n', stderr);
	json_decref(shown);
}

/* The reply's nodes: "nodes" as proto 04 has it, else the "node_names"
 * array compressed to a hostlist.  Caller frees. */
static char *estimate_nodes(const json_t *reply)
{
	const char *nodes = lv_json_str(reply, "nodes");
	const json_t *names = json_object_get(reply, "node_names"), *v;
	struct lv_hostlist *hl;
	char *s = NULL;
	size_t i;

	if (nodes)
		return strdup(nodes);
	if (!(hl = lv_hostlist_create("", NULL)))
		return NULL;
	for (i = 0; i < json_array_size(names); i++) {
		v = json_array_get(names, i);
		if (json_is_string(v) &&
		    lv_hostlist_push(hl, json_string_value(v)) < 0)
			goto out_destroy;
	}
	s = lv_hostlist_ranged_string(hl);
out_destroy:
	lv_hostlist_destroy(hl);
	return s;
}

/* --test-only's answer, worded as sbatch's. */
static void print_estimate(const struct cli *cli, const json_t *reply)
{
	const char *part = lv_json_str(reply, "partition");
	struct lv_error err = {0};
	int64_t start = 0, cpus = 0;
	char when[32] = "?", *nodes = estimate_nodes(reply);
	struct tm tm;
	time_t t;

	if (lv_json_int(reply, "start_time", 0, INT64_MAX, &start, &err) == 0) {
		t = (time_t)start;
		if (localtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	}
	lv_json_int(reply, "cpus", 0, INT64_MAX, &cpus, &err);
	fprintf(stderr,
		"%s: Job 0 to start at %s using %" PRId64
		" processors on nodes %s in partition %s\n",
		cli->prog, when, cpus, nodes && *nodes ? nodes : "?",
		part ? part : "?");
	free(nodes);
}

/* Prints what sbatch prints for the reply; returns the job id. */
static int64_t report(const struct cli *cli, const struct jobopt_cmd *cmd,
		      const json_t *reply)
{
	struct lv_error err = {0};
	int64_t id;

	if (lv_json_int(reply, "job_id", 0, INT64_MAX, &id, &err) < 0)
		cli_die(cli, "bad reply from the controller: %s", err.text);
	if (cmd->quiet)
		return id;
	if (cmd->test_only)
		print_estimate(cli, reply);
	else if (cmd->parsable)
		printf("%" PRId64 "\n", id);
	else
		printf("Submitted batch job %" PRId64 "\n", id);
	fflush(stdout);
	return id;
}

/* The job's exit code from a JOB_WAIT reply: E, or 128+S after signal S. */
static int exit_status(const json_t *reply)
{
	struct lv_error err = {0};
	const char *ec = lv_json_str(reply, "exit_code");
	int64_t status;
	int code = 0, sig = 0;

	if (lv_json_int(reply, "status", 0, INT32_MAX, &status, &err) == 0) {
		if (WIFEXITED((int)status))
			return WEXITSTATUS((int)status);
		if (WIFSIGNALED((int)status))
			return 128 + WTERMSIG((int)status);
	}
	if (ec && sscanf(ec, "%d:%d", &code, &sig) == 2 && sig > 0)
		return 128 + (sig & 127);
	return code & 255;
}

/* -W: waits for the job's end and returns the exit status to use. */
static int wait_job(struct cli *cli, int64_t id)
{
	struct lv_error err = {0};
	json_t *body, *reply;
	const char *state;
	int rc;

	if (!(body = json_pack("{s:I, s:s}", "job_id", (json_int_t)id, "event",
			       "end")))
		cli_die(cli, "out of memory");
	if (lv_client_call(cli->client, LV_MSG_JOB_WAIT, body, -1, &reply,
			   &err) < 0)
		cli_die(cli, "%s", err.text);
	state = lv_json_str(reply, "state");
	rc = exit_status(reply);
	/* A failed job's exit code says enough; other ends need words. */
	if (!state || (strcmp(state, "COMPLETED") &&
		       (strcmp(state, "FAILED") || rc == 0))) {
		fprintf(stderr,
			"%s: error: Job %" PRId64 " ended in state %s\n",
			cli->prog, id, state ? state : "UNKNOWN");
		if (rc == 0)
			rc = 1;
	}
	json_decref(reply);
	return rc;
}

int main(int argc, char **argv)
{
	struct cli cli = {.prog = "lvbatch"};
	struct script sc = {0};
	struct lv_error err = {0};
	struct jobopt_cmd cmd;
	struct jobopt *o;
	json_t *req, *reply;
	int first, rc = 0;
	int64_t id;

	o = parse_options(&cli, argc, argv, &first);
	cmd = jobopt_cmd_get(o);
	read_script(&cli, &cmd, argc - first, argv + first, &sc);
	if (!cmd.wrap && jobopt_parse_directives(o, sc.text, &err) < 0)
		cli_die(&cli, "%s", err.text);
	cmd = jobopt_cmd_get(o); /* directives may add -W, --parsable... */
	req = build_request(&cli, o, &sc);
	note_verbose(&cli, &cmd, req);
	cli.conf_path = cmd.config;
	reply = cli_call(&cli, LV_MSG_JOB_SUBMIT, req);
	id = report(&cli, &cmd, reply);
	if (cmd.wait && !cmd.test_only)
		rc = wait_job(&cli, id);
	json_decref(reply);
	cli_finish(&cli);
	jobopt_destroy(o);
	free(sc.text);
	return rc;
}
