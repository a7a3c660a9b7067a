/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lvrun: runs a parallel step, inside a job or in an allocation of its
 * own, as srun does (docs/proto/05-steps.md). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "cmd/jobopt.h"
#include "cmd/stepio.h"
#include "common/msg.h"

/* Largest --multi-prog file read. */
#define MULTI_PROG_MAX (1024 * 1024)

extern char **environ;

/* The options only lvrun knows, taken out before jobopt parses. */
struct run_opts {
	bool label;            /* -l, --label */
	bool kill_on_bad_exit; /* -K, --kill-on-bad-exit[=0|1] */
	bool multi_prog;       /* --multi-prog */
	const char *mpi;       /* --mpi=TYPE, else $LV_MPI_TYPE, else pmix */
	bool mpi_given;        /* by --mpi or $LV_MPI_TYPE, not the default */
	long relative;         /* -r, --relative=N: start at the job's node N, -1: unset */
};

/* What the step needs, from the options and the allocation. */
struct run {
	struct cli cli;
	struct run_opts ro;
	struct jobopt_cmd cmd;
	char **args;  /* argv less our own options */
	char **words; /* the command, or the --multi-prog file */
	int nwords;
	json_t *req; /* the JOB_SUBMIT body: numbers, env, work_dir, name */
	char *mp_text;
	bool in_job; /* LV_JOB_ID was set: no allocation of our own */
	int64_t job_id;
	int num_nodes; /* the job's nodes, 0: unknown */
};

static const char *const own_help[] = {
	"  -K, --kill-on-bad-exit[=0|1]   kill the step when a task fails",
	"  -l, --label                    prefix output lines with the task rank",
	"      --mpi=TYPE                 MPI support: pmix (default), none; list",
	"      --multi-prog               the command is a file: RANKS PROGRAM ARGS",
	"  -r, --relative=N               inside a job: start at its node N (from 0)",
	"  -u, --unbuffered               accepted; output is never buffered",
	NULL,
};

/* True when word w is one of our options; *used is how many words of
 * argv it took. */
static bool own_option(const struct cli *cli, char **argv, int i, int argc,
		       struct run_opts *ro, int *used)
{
	const char *w = argv[i];

	*used = 1;
	if (!strcmp(w, "--label"))
		ro->label = true;
	else if (!strcmp(w, "--unbuffered"))
		;
	else if (!strcmp(w, "--multi-prog"))
		ro->multi_prog = true;
	else if (!strcmp(w, "--kill-on-bad-exit") || !strcmp(w, "-K") ||
		 !strcmp(w, "--kill-on-bad-exit=1") || !strcmp(w, "-K1"))
		ro->kill_on_bad_exit = true;
	else if (!strcmp(w, "--kill-on-bad-exit=0") || !strcmp(w, "-K0"))
		ro->kill_on_bad_exit = false;
	else if (!strncmp(w, "--mpi=", 6)) {
		ro->mpi = w + 6;
		ro->mpi_given = true;
	} else if (!strcmp(w, "--mpi")) {
		if (i + 1 >= argc)
			cli_die(cli, "option '--mpi' requires an argument");
		ro->mpi = argv[i + 1];
		ro->mpi_given = true;
		*used = 2;
	} else if (!strncmp(w, "--relative=", 11) || !strcmp(w, "--relative") ||
		   !strcmp(w, "-r")) {
		const char *v = strchr(w, '=');
		char *end;

		if (v) {
			v++;
		} else {
			if (i + 1 >= argc)
				cli_die(cli, "option '%s' requires an argument", w);
			v = argv[i + 1];
			*used = 2;
		}
		ro->relative = strtol(v, &end, 10);
		if (!*v || *end || ro->relative < 0 || ro->relative > 1000000)
			cli_die(cli, "invalid --relative value '%s'", v);
	} else if (w[0] == '-' && w[1] && w[1] != '-' &&
		   strspn(w + 1, "luK") == strlen(w + 1)) {
		ro->label |= strchr(w, 'l') != NULL; /* -l, -lu, -lK... */
		ro->kill_on_bad_exit |= strchr(w, 'K') != NULL;
	} else {
		return false;
	}
	return true;
}

/* True when jobopt's option word w would take the next word as its
 * argument ("-n 4", "--partition debug", "-vn 4"). */
static bool takes_argument(const struct cli *cli, const char *w)
{
	char *argv[] = {(char *)cli->prog, (char *)w, (char *)"x", NULL};
	struct jobopt *o = jobopt_create(JOBOPT_LVRUN);
	struct lv_error err = {0};
	int first = 0, rc;

	if (!o)
		cli_die(cli, "out of memory");
	rc = jobopt_parse_argv(o, 3, argv, &first, &err);
	jobopt_destroy(o);
	/* A bad value ("x") was an argument too: the real parse reports it.
	 * An unknown option takes nothing. */
	return rc == 0 ? first == 3 : rc != -ENOENT;
}

/* argv without our own options (up to the command), for jobopt. */
static char **split_options(const struct cli *cli, int argc, char **argv,
			    struct run_opts *ro, int *out_argc)
{
	char **out = calloc((size_t)argc + 1, sizeof(*out));
	int i = 1, n = 1, used;

	if (!out)
		cli_die(cli, "out of memory");
	out[0] = argv[0];
	while (i < argc) {
		const char *w = argv[i];

		if (!strcmp(w, "--") || w[0] != '-' || !w[1])
			break; /* the command: the rest is its own */
		if (own_option(cli, argv, i, argc, ro, &used)) {
			i += used;
			continue;
		}
		out[n++] = argv[i++];
		if (i < argc && !strchr(w, '=') && takes_argument(cli, w))
			out[n++] = argv[i++];
	}
	while (i < argc)
		out[n++] = argv[i++];
	*out_argc = n;
	return out;
}

/* Options: ours, then jobopt's.  Handles --help and --version. */
static struct jobopt *parse_options(struct run *run, int argc, char **argv)
{
	struct cli *cli = &run->cli;
	struct lv_error err = {0};
	struct jobopt *o;
	char **args;
	int nargs, first;

	args = run->args = split_options(cli, argc, argv, &run->ro, &nargs);
	if (!(o = jobopt_create(JOBOPT_LVRUN)))
		cli_die(cli, "out of memory");
	if (jobopt_parse_argv(o, nargs, args, &first, &err) < 0)
		cli_jobopt_error(cli, &err);
	run->cmd = jobopt_cmd_get(o);
	cli_jobopt_action(run->cmd.action, JOBOPT_LVRUN, own_help);
	run->words = args + first;
	run->nwords = nargs - first;
	return o;
}

static void check_options(struct run *run)
{
	const char *mpi = run->ro.mpi;
	struct cli *cli = &run->cli;

	if (run->cmd.test_only)
		cli_die(cli, "--test-only is not supported by lvrun yet");
	if (run->ro.multi_prog && run->nwords != 1)
		cli_die(cli,
			"--multi-prog takes exactly one configuration file");
	/* lvd serves PMIx only (docs/mpi.md): say so rather than start
	 * ranks that would each run as a singleton. */
	if (!strcmp(mpi, "pmi2") || !strcmp(mpi, "pmi1") || !strcmp(mpi, "pmi"))
		cli_die(cli,
			"--mpi=%s: MPICH's PMI-1/PMI-2 is not supported (lvd serves PMIx only); "
			"run Open MPI programs, or MPICH built with PMIx (--with-pmi=pmix), with --mpi=pmix",
			mpi);
	if (strcmp(mpi, "none") && strcmp(mpi, "pmix"))
		cli_die(cli, "invalid --mpi type '%s' (use pmix or none; --mpi=list)",
			mpi);
	if (json_object_get(run->req, "stdout") ||
	    json_object_get(run->req, "stderr") ||
	    json_object_get(run->req, "stdin"))
		cli_die(cli,
			"-o/--output, -e/--error and -i/--input are not supported by lvrun yet");
}

/* The JOB_SUBMIT body; inside a job only its numbers, env, work_dir and
 * name are used. */
static json_t *build_request(struct run *run, const struct jobopt *o)
{
	const char *slash = strrchr(run->words[0], '/');
	struct lv_error err = {0};
	char cwd[PATH_MAX];
	json_t *req;
	struct jobopt_submit s = {
		.default_name = slash ? slash + 1 : run->words[0],
		.cwd = cwd,
		.envp = environ,
	};

	if (!getcwd(cwd, sizeof(cwd)))
		cli_die(&run->cli, "Unable to find the current directory: %s",
			strerror(errno));
	if (!(req = jobopt_to_json(o, &s, &err)))
		cli_die(&run->cli, "%s", err.text);
	return req;
}

/* Reads the --multi-prog file; checks it now when -n says how many
 * tasks there will be. */
static void read_multi_prog(struct run *run)
{
	const char *path = run->words[0];
	struct lv_error err = {0};
	struct stat st;
	json_t *mp, *n = json_object_get(run->req, "ntasks");
	ssize_t len;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) < 0)
		cli_die(&run->cli, "Unable to open %s: %s", path,
			strerror(errno));
	if (st.st_size > MULTI_PROG_MAX)
		cli_die(&run->cli, "%s is too large for a --multi-prog file",
			path);
	if (!(run->mp_text = calloc(1, (size_t)st.st_size + 1)))
		cli_die(&run->cli, "out of memory");
	if ((len = read(fd, run->mp_text, (size_t)st.st_size)) < 0)
		cli_die(&run->cli, "Unable to read %s: %s", path,
			strerror(errno));
	close(fd);
	if (strlen(run->mp_text) != (size_t)len)
		cli_die(&run->cli, "%s contains a NUL character", path);
	if (!json_is_integer(n))
		return;
	if (!(mp = stepio_multi_prog_parse(run->mp_text,
					   (int)json_integer_value(n), &err)))
		cli_die(&run->cli, "%s: %s", path, err.text);
	json_decref(mp);
}

static int64_t req_int(const struct run *run, const char *key)
{
	const json_t *v = json_object_get(run->req, key);

	return json_is_integer(v) ? json_integer_value(v) : 0;
}

static int64_t env_int(const char *name)
{
	const char *s = getenv(name);
	char *end;
	long long v;

	if (!s || !*s)
		return 0;
	v = strtoll(s, &end, 10);
	return *end || v < 0 ? 0 : v;
}

/* -n, else as srun: tasks per node times nodes, one per node with -N,
 * the job's task count inside a job, else one per node of the job. */
static int64_t step_ntasks(const struct run *run)
{
	int64_t n = req_int(run, "ntasks"),
		tpn = req_int(run, "ntasks_per_node");
	int64_t nodes = req_int(run, "nodes_min");

	if (n > 0)
		return n;
	if (!nodes)
		nodes = run->num_nodes;
	if (tpn > 0)
		return tpn * (nodes > 0 ? nodes : 1);
	if (req_int(run, "nodes_min") > 0)
		return nodes;
	if (run->in_job && (n = env_int("LV_NTASKS")) > 0)
		return n;
	return nodes > 0 ? nodes : 1;
}

static json_t *step_create(struct run *run)
{
	static const char *const pass[] = {"ntasks_per_node", "cpus_per_task"};
	json_t *body, *argv = json_array(), *reply;
	struct lv_error err = {0};
	int64_t nodes = req_int(run, "nodes_min");
	size_t i;
	int k;

	for (k = 0; argv && k < run->nwords; k++)
		json_array_append_new(argv, json_string(run->words[k]));
	body = json_pack("{s:I, s:I, s:o, s:O}", "job_id",
			 (json_int_t)run->job_id, "ntasks",
			 (json_int_t)step_ntasks(run), "argv", argv, "name",
			 json_object_get(run->req, "name"));
	if (!body)
		cli_die(&run->cli, "out of memory");
	if (nodes > 0)
		json_object_set_new(body, "nodes", json_integer(nodes));
	if (run->ro.relative >= 0)
		json_object_set_new(body, "relative",
				    json_integer(run->ro.relative));
	for (i = 0; i < sizeof(pass) / sizeof(pass[0]); i++) {
		if (req_int(run, pass[i]) > 0)
			json_object_set_new(
				body, pass[i],
				json_integer(req_int(run, pass[i])));
	}
	reply = cli_try_call(&run->cli, LV_MSG_STEP_CREATE, body, &err);
	if (!reply) {
		fprintf(stderr,
			"%s: error: Unable to create step for job %lld: %s\n",
			run->cli.prog, (long long)run->job_id, err.text);
		if (!run->in_job)
			stepio_alloc_release(&run->cli, run->job_id, 1 << 8);
		cli_finish(&run->cli);
		exit(1);
	}
	return reply;
}

/* The STEP_LAUNCH body, less the per-node credential. */
static json_t *launch_body(struct run *run, const json_t *create)
{
	struct lv_error err = {0};
	json_t *body, *argv = json_array(), *mp;
	int64_t ntasks = 0;
	int k;

	for (k = 0; argv && k < run->nwords; k++)
		json_array_append_new(argv, json_string(run->words[k]));
	body = json_pack("{s:o, s:O, s:O, s:b, s:i, s:s, s:b}", "argv", argv,
			 "env", json_object_get(run->req, "env"), "cwd",
			 json_object_get(run->req, "work_dir"), "label",
			 run->ro.label, "stdin_rank", 0, "mpi", run->ro.mpi,
			 "kill_on_bad_exit", run->ro.kill_on_bad_exit);
	/* The default degrades to plain tasks on an lvd without PMIx. */
	if (body && !run->ro.mpi_given)
		json_object_set_new(body, "mpi_default", json_true());
	if (!body)
		return NULL;
	/* Binding: lvd lays each node's tasks out on its CPUs (bind.h). */
	static const char *const bind_keys[] = {
		"cpu_bind", "distribution", "mem_bind", "hint",
		"threads_per_core", "cpus_per_task", "gpus_per_task",
	};
	for (k = 0; k < (int)(sizeof(bind_keys) / sizeof(bind_keys[0])); k++)
		if (json_object_get(run->req, bind_keys[k]))
			json_object_set(body, bind_keys[k],
					json_object_get(run->req, bind_keys[k]));
	if (!run->ro.multi_prog)
		return body;
	lv_json_int(create, "ntasks", 1, INT32_MAX, &ntasks, NULL);
	if (!(mp = stepio_multi_prog_parse(run->mp_text, (int)ntasks, &err))) {
		fprintf(stderr, "%s: error: %s: %s\n", run->cli.prog,
			run->words[0], err.text);
		json_decref(body);
		return NULL;
	}
	json_object_set_new(body, "multi_prog", mp);
	return body;
}

/* The step from STEP_CREATE to STEP_COMPLETE; returns the wait status
 * behind lvrun's exit code. */
static int run_step(struct run *run)
{
	struct stepio_usage use = {0};
	struct stepio_opts so = {
		.usage = &use,
		.prog = run->cli.prog,
		.conf = run->cli.conf,
		.label = run->ro.label,
		.kill_on_bad_exit = run->ro.kill_on_bad_exit,
		.stdin_rank = 0,
	};
	json_t *create = step_create(run), *launch, *reply;
	struct lv_error err = {0};
	int64_t step_id = 0;
	int status = 1 << 8;

	lv_json_int(create, "step_id", 0, INT64_MAX, &step_id, NULL);
	if (!(launch = launch_body(run, create)))
		; /* reported */
	else if (stepio_run(create, launch, &so, &status, &err) < 0)
		fprintf(stderr, "%s: error: %s\n", run->cli.prog, err.text);
	if (use.oom_nodes)
		fprintf(stderr,
			"%s: error: Detected %u oom-kill event(s) in StepId=%lld.%lld. Some of the step tasks have been OOM Killed.\n",
			run->cli.prog, use.oom_nodes, (long long)run->job_id,
			(long long)step_id);
	/* Repeating is harmless: an ended step stays ended. */
	reply = cli_try_call_again(&run->cli, LV_MSG_STEP_COMPLETE,
			     json_pack("{s:I, s:I, s:i, s:I, s:I, s:b}", "job_id",
				       (json_int_t)run->job_id, "step_id",
				       (json_int_t)step_id, "status", status,
				       "maxrss_kb", (json_int_t)use.maxrss_kb,
				       "cpu_usec", (json_int_t)use.cpu_usec,
				       "oom", use.oom_nodes > 0),
			     &err);
	if (!reply)
		fprintf(stderr, "%s: error: completing step %lld.%lld: %s\n",
			run->cli.prog, (long long)run->job_id,
			(long long)step_id, err.text);
	json_decref(reply);
	json_decref(launch);
	json_decref(create);
	return status;
}

/* Outside a job: an interactive allocation of our own. */
static void allocate(struct run *run)
{
	enum stepio_alloc_talk talk = run->cmd.quiet     ? STEPIO_ALLOC_QUIET
				      : run->cmd.verbose ? STEPIO_ALLOC_SRUN_V
							 : STEPIO_ALLOC_SRUN;
	json_t *reply;

	json_incref(run->req);
	reply = stepio_alloc_wait(&run->cli, run->req, talk, &run->job_id);
	run->num_nodes = (int)json_array_size(json_object_get(reply, "alloc"));
	json_decref(reply);
}

int main(int argc, char **argv)
{
	struct run run = {.cli = {.prog = "lvrun"},
			  .ro = {.mpi = "pmix", .relative = -1}};
	const char *mpi_env = getenv("LV_MPI_TYPE");
	struct jobopt *o;
	int status;

	if (mpi_env && *mpi_env) {
		run.ro.mpi = mpi_env;
		run.ro.mpi_given = true;
	}
	o = parse_options(&run, argc, argv);
	if (!strcmp(run.ro.mpi, "list")) {
		printf("MPI plugin types are...\n\tnone\n\tpmix\n");
		free(run.args);
		jobopt_destroy(o);
		return 0;
	}
	if (run.nwords == 0)
		cli_die(&run.cli, "No command given to execute.");
	run.req = build_request(&run, o);
	check_options(&run);
	if (run.ro.relative >= 0 && !getenv("LV_JOB_ID"))
		cli_die(&run.cli, "--relative works only inside a job");
	if (run.ro.multi_prog)
		read_multi_prog(&run);
	run.cli.conf_path = run.cmd.config;
	cli_load_conf(&run.cli);
	if ((run.job_id = env_int("LV_JOB_ID")) > 0) {
		run.in_job = true;
		run.num_nodes = (int)env_int("LV_JOB_NUM_NODES");
		cli_connect(&run.cli);
	} else {
		allocate(&run);
	}
	status = run_step(&run);
	if (!run.in_job)
		stepio_alloc_release(&run.cli, run.job_id, status);
	cli_finish(&run.cli);
	json_decref(run.req);
	free(run.mp_text);
	free(run.args);
	jobopt_destroy(o);
	return stepio_task_exit_code(status);
}
