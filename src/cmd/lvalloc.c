/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lvalloc: holds an interactive allocation while a command (by default a
 * shell) runs, as salloc does (docs/proto/05-steps.md). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "cmd/jobopt.h"
#include "cmd/stepio.h"
#include "common/msg.h"

/* How long a command may outlive a revoked allocation after SIGHUP. */
#define REVOKE_GRACE_MS 5000

extern char **environ;

struct alloc {
	struct cli cli;
	struct jobopt_cmd cmd;
	char **words; /* the command */
	char *shell[2];
	json_t *req;  /* the JOB_SUBMIT body */
	json_t *wait; /* the JOB_WAIT "start" reply */
	int64_t job_id;
};

/* Command line and SALLOC_* variables; handles --help and --version. */
static struct jobopt *parse_options(struct alloc *a, int argc, char **argv)
{
	struct lv_error err = {0};
	struct jobopt *o;
	const char *sh;
	int first;

	if (!(o = jobopt_create(JOBOPT_LVALLOC)))
		cli_die(&a->cli, "out of memory");
	if (jobopt_parse_argv(o, argc, argv, &first, &err) < 0)
		cli_jobopt_error(&a->cli, &err);
	a->cmd = jobopt_cmd_get(o);
	cli_jobopt_action(a->cmd.action, JOBOPT_LVALLOC, NULL);
	if (jobopt_parse_env(o, environ, &err) < 0)
		cli_die(&a->cli, "%s", err.text);
	a->cmd = jobopt_cmd_get(o);
	if (argc > first) {
		a->words = argv + first;
		return o;
	}
	sh = getenv("SHELL");
	a->shell[0] = (char *)(sh && *sh ? sh : "/bin/sh");
	a->words = a->shell;
	return o;
}

static json_t *build_request(struct alloc *a, const struct jobopt *o)
{
	const char *slash = strrchr(a->words[0], '/');
	struct lv_error err = {0};
	char cwd[PATH_MAX];
	json_t *req;
	struct jobopt_submit s = {
		.default_name = slash ? slash + 1 : a->words[0],
		.cwd = cwd,
		.envp = environ,
	};

	if (!getcwd(cwd, sizeof(cwd)))
		cli_die(&a->cli, "Unable to find the current directory: %s",
			strerror(errno));
	if (!(req = jobopt_to_json(o, &s, &err)))
		cli_die(&a->cli, "%s", err.text);
	return req;
}

/* Sets name (and Slurm's slurm_name) to v, or unsets both for NULL. */
static void put_env(const char *name, const char *slurm_name, const char *v)
{
	const char *names[] = {name, slurm_name};
	size_t i;

	for (i = 0; i < 2; i++) {
		if (!names[i])
			continue;
		if (v)
			setenv(names[i], v, 1);
		else
			unsetenv(names[i]);
	}
}

static void put_env_int(const char *name, const char *slurm_name, int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	put_env(name, slurm_name, v > 0 ? buf : NULL);
}

static int64_t req_int(const json_t *req, const char *key)
{
	const json_t *v = json_object_get(req, key);

	return json_is_integer(v) ? json_integer_value(v) : 0;
}

/* The job's partition, which only JOB_INFO tells; NULL when unknown. */
static json_t *job_info(struct alloc *a)
{
	struct lv_error err = {0};
	json_t *reply = cli_try_call(&a->cli, LV_MSG_JOB_INFO,
				     json_pack("{s:[I], s:[s]}", "job_ids",
					       (json_int_t)a->job_id, "fields",
					       "partition"),
				     &err);

	return reply;
}

/* The command's environment: ours plus the job's variables, the same
 * names lvd gives batch jobs (src/node/jobenv.c).  SLURM_JOB_ID and
 * SLURM_NODELIST stay unset on purpose: MPI libraries take them for
 * "inside Slurm" and try to launch through srun. */
static void job_environment(struct alloc *a)
{
	static const char *const stale[] = {
		"LV_STEP_ID",          "LV_PROCID",
		"SLURM_PROCID",        "LV_LOCALID",
		"SLURM_LOCALID",       "LV_NODEID",
		"SLURM_NODEID",        "LV_STEP_NUM_TASKS",
		"LV_STEP_NUM_NODES",   "LV_STEP_NODELIST",
		"LV_ARRAY_JOB_ID",     "SLURM_ARRAY_JOB_ID",
		"LV_ARRAY_TASK_ID",    "SLURM_ARRAY_TASK_ID",
		"LV_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_COUNT",
	};
	int64_t nnodes =
		(int64_t)json_array_size(json_object_get(a->wait, "alloc"));
	int64_t ntasks = req_int(a->req, "ntasks"),
		cpt = req_int(a->req, "cpus_per_task");
	json_t *info = job_info(a);
	const json_t *job = json_array_get(json_object_get(info, "jobs"), 0);
	const struct passwd *pw = getpwuid(getuid());
	char real[PATH_MAX], uid[16];
	size_t i;

	for (i = 0; i < sizeof(stale) / sizeof(stale[0]); i++)
		unsetenv(stale[i]);
	if (!ntasks && req_int(a->req, "ntasks_per_node") > 0)
		ntasks = req_int(a->req, "ntasks_per_node") * nnodes;
	put_env_int("LV_JOB_ID", NULL, a->job_id);
	put_env("LV_JOB_NODELIST", NULL, lv_json_str(a->wait, "nodes"));
	put_env_int("LV_JOB_NUM_NODES", "SLURM_JOB_NUM_NODES", nnodes);
	put_env_int("SLURM_NNODES", NULL, nnodes);
	put_env_int("LV_NTASKS", "SLURM_NTASKS", ntasks);
	put_env_int("SLURM_NPROCS", NULL, ntasks);
	put_env_int("LV_CPUS_PER_TASK", "SLURM_CPUS_PER_TASK",
		    cpt > 0 ? cpt : 1);
	put_env("LV_JOB_NAME", "SLURM_JOB_NAME", lv_json_str(a->req, "name"));
	put_env("LV_SUBMIT_DIR", "SLURM_SUBMIT_DIR",
		lv_json_str(a->req, "submit_dir"));
	put_env("LV_JOB_PARTITION", "SLURM_JOB_PARTITION",
		lv_json_str(job, "partition"));
	put_env("LV_CLUSTER_NAME", "SLURM_CLUSTER_NAME",
		a->cli.conf->cluster_name);
	snprintf(uid, sizeof(uid), "%u", (unsigned)getuid());
	put_env("LV_JOB_UID", "SLURM_JOB_UID", uid); /* 0 is a uid too */
	put_env("LV_JOB_USER", "SLURM_JOB_USER", pw ? pw->pw_name : NULL);
	/* lvrun in the command must find the same cluster from any cwd. */
	put_env("LV_CONF", NULL,
		realpath(a->cli.conf->path, real) ? real : a->cli.conf->path);
	json_decref(info);
}

/* Starts the command with SIGCHLD blocked in us (read through sigfd) and
 * our ignored signals back to their defaults in it. */
static pid_t spawn(struct alloc *a, const sigset_t *oldmask)
{
	pid_t pid = fork();

	if (pid < 0)
		cli_die(&a->cli, "fork: %s", strerror(errno));
	if (pid > 0)
		return pid;
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	sigprocmask(SIG_SETMASK, oldmask, NULL);
	execvp(a->words[0], a->words);
	fprintf(stderr, "%s: error: Unable to exec command \"%s\": %s\n",
		a->cli.prog, a->words[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/* True when the controller says our allocation is over: it closed the
 * connection, or the job is no longer running. */
static bool revoked(struct alloc *a)
{
	struct lv_error err = {0};
	uint16_t type;
	json_t *body = NULL, *info;
	const char *state;
	bool over;
	int rc;

	rc = lv_client_recv(a->cli.client, &type, &body, 0, &err);
	json_decref(body);
	if (rc < 0 && rc != -ETIMEDOUT)
		return true;
	/* Something came (most likely our JOB_WAIT "end" reply): ask. */
	info = cli_try_call(&a->cli, LV_MSG_JOB_INFO,
			    json_pack("{s:[I], s:[s]}", "job_ids",
				      (json_int_t)a->job_id, "fields", "state"),
			    &err);
	if (!info)
		return err.code == -ECONNRESET || err.code == -EPIPE;
	state = lv_json_str(json_array_get(json_object_get(info, "jobs"), 0),
			    "state");
	over = state && strcmp(state, "RUNNING");
	json_decref(info);
	return over;
}

/* Asks to hear of the job's end: the reply wakes our poll(). */
static void watch_end(struct alloc *a)
{
	struct lv_error err = {0};
	json_t *reply = NULL;

	/* Timeout 0: send now, read the reply (or drop it) later. */
	(void)lv_client_call(a->cli.client, LV_MSG_JOB_WAIT,
			     json_pack("{s:I, s:s}", "job_id",
				       (json_int_t)a->job_id, "event", "end"),
			     0, &reply, &err);
	json_decref(reply);
}

/* Waits for the command; *lost tells whether the allocation was revoked
 * meanwhile (the command then got SIGHUP, later SIGKILL). */
static int wait_command(struct alloc *a, pid_t pid, int sigfd, bool *lost)
{
	struct pollfd pfd[2] = {
		{.fd = sigfd, .events = POLLIN},
		{.fd = lv_client_fd(a->cli.client), .events = POLLIN}};
	struct signalfd_siginfo si;
	int status, timeout = -1;

	for (;;) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		if (poll(pfd, *lost ? 1 : 2, timeout) == 0) {
			kill(pid, SIGKILL); /* the grace after SIGHUP is over */
			timeout = -1;
			continue;
		}
		while (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			;
		if (*lost || !pfd[1].revents || !revoked(a))
			continue;
		*lost = true;
		fprintf(stderr, "%s: Job allocation %lld has been revoked.\n",
			a->cli.prog, (long long)a->job_id);
		kill(pid, SIGHUP);
		timeout = REVOKE_GRACE_MS;
	}
}

/* Runs the command while the allocation is held; returns its status. */
static int run_command(struct alloc *a, bool *lost)
{
	struct sigaction ign = {.sa_handler = SIG_IGN};
	sigset_t set, oldmask;
	int sigfd, status;
	pid_t pid;

	/* The command (a shell) handles Ctrl-C; we must not die of it. */
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, NULL);
	sigaction(SIGQUIT, &ign, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &oldmask);
	if ((sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
		cli_die(&a->cli, "signalfd: %s", strerror(errno));
	watch_end(a);
	pid = spawn(a, &oldmask);
	status = wait_command(a, pid, sigfd, lost);
	close(sigfd);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	return status;
}

int main(int argc, char **argv)
{
	struct alloc a = {.cli = {.prog = "lvalloc"}};
	enum stepio_alloc_talk talk;
	bool lost = false;
	struct jobopt *o;
	int status;

	o = parse_options(&a, argc, argv);
	a.req = build_request(&a, o);
	a.cli.conf_path = a.cmd.config;
	cli_load_conf(&a.cli);
	talk = a.cmd.quiet ? STEPIO_ALLOC_QUIET : STEPIO_ALLOC_SALLOC;
	json_incref(a.req);
	a.wait = stepio_alloc_wait(&a.cli, a.req, talk, &a.job_id);
	job_environment(&a);
	status = run_command(&a, &lost);
	if (!lost) {
		if (!a.cmd.quiet)
			fprintf(stderr,
				"%s: Relinquishing job allocation %lld\n",
				a.cli.prog, (long long)a.job_id);
		stepio_alloc_release(&a.cli, a.job_id, status);
	}
	cli_finish(&a.cli);
	json_decref(a.wait);
	json_decref(a.req);
	jobopt_destroy(o);
	return stepio_task_exit_code(status);
}
