/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The batch driver: writes the job script, runs it as the job's user in
 * its own session with its output files, and signals that session. */
#include "config.h"

#include "plugins/batch/batch.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/msg.h"
#include "node/cgroup.h"
#include "node/jobenv.h"
#include "node/lvd.h"
#include "node/nodegrant.h"

static int write_file(const char *path, const char *text, mode_t mode,
		      uid_t uid, gid_t gid)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd, rc = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	while (len && (n = write(fd, text, len)) > 0) {
		text += n;
		len -= (size_t)n;
	}
	if (len || fchown(fd, uid, gid) < 0)
		rc = -errno ? -errno : -EIO;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	return rc;
}

static int batch_prepare(struct alloc_run *run, struct lv_error *err)
{
	const char *script = lv_json_str(run->desc, "script");
	char *path;
	int rc;

	if (!script)
		return lv_errorf(err, -EINVAL, "batch job without a script");
	/* The directory stays lvd's (the supervisor's status and lvd's
	 * record of the job live there, out of the user's reach); the
	 * user may only reach the script in it. */
	if (mkdir(run->dir, 0711) < 0 && errno != EEXIST)
		return lv_errorf(err, -errno, "mkdir %s: %s", run->dir,
				 strerror(errno));
	if (asprintf(&path, "%s/script", run->dir) < 0)
		return lv_errorf(err, -ENOMEM, "out of memory");
	rc = write_file(path, script, 0700, run->uid, run->gid);
	free(path);
	if (rc < 0)
		return lv_errorf(err, rc, "writing the job script in %s: %s",
				 run->dir, strerror(-rc));
	return 0;
}

/* In the child: report why the job could not start, then exit. */
static void __attribute__((noreturn)) child_fail(int fd, const char *what,
						  const char *arg)
{
	char msg[512];
	int len = snprintf(msg, sizeof(msg), "%s %s: %s", what, arg ? arg : "",
			   strerror(errno));

	if (len > 0 && write(fd, msg, (size_t)len) < 0)
		_exit(126);
	_exit(126);
}

static char *resolve(const char *work_dir, const char *path)
{
	char *out;

	if (path[0] == '/')
		return strdup(path);
	return asprintf(&out, "%s/%s", work_dir, path) < 0 ? NULL : out;
}

static void open_std(struct alloc_run *run, int report_fd, const char *wd)
{
	const char *node = run->node->name;
	const char *in = lv_json_str(run->desc, "stdin");
	const char *out = lv_json_str(run->desc, "stdout");
	const char *errp = lv_json_str(run->desc, "stderr");
	bool append = lv_json_str(run->desc, "open_mode") &&
		      !strcmp(lv_json_str(run->desc, "open_mode"), "append");
	int flags = O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC);
	char *p, *path;
	int fd;

	if (!out)
		out = json_object_get(run->desc, "array_job_id") ? "lv-%A_%a.out"
								 : "lv-%j.out";
	path = in ? jobenv_expand_pattern(in, run->desc, node) : strdup("/dev/null");
	if (!path || !(p = resolve(wd, path)) || (fd = open(p, O_RDONLY)) < 0 ||
	    dup2(fd, 0) < 0)
		child_fail(report_fd, "cannot open input file", path);
	if (!(path = jobenv_expand_pattern(out, run->desc, node)) ||
	    !(p = resolve(wd, path)) || (fd = open(p, flags, 0644)) < 0 ||
	    dup2(fd, 1) < 0)
		child_fail(report_fd, "cannot open output file", path);
	if (errp) {
		if (!(path = jobenv_expand_pattern(errp, run->desc, node)) ||
		    !(p = resolve(wd, path)) || (fd = open(p, flags, 0644)) < 0)
			child_fail(report_fd, "cannot open error file", path);
	} else {
		fd = 1; /* sbatch: stderr goes with stdout unless -e is given */
	}
	if (dup2(fd, 2) < 0)
		child_fail(report_fd, "dup2", "stderr");
}

static void become_user(struct alloc_run *run, int report_fd)
{
	const char *user = lv_json_str(run->desc, "user");

	if (run->uid == geteuid())
		return;
	if ((user && initgroups(user, run->gid) < 0) ||
	    (!user && setgroups(0, NULL) < 0) || setgid(run->gid) < 0 ||
	    setuid(run->uid) < 0)
		child_fail(report_fd, "cannot become user", user);
}

static void __attribute__((noreturn)) child(struct alloc_run *run,
					    const struct cgroup_job *cg,
					    int report_fd, int go_fd, char **env)
{
	const char *wd = lv_json_str(run->desc, "work_dir");
	const json_t *args = json_object_get(run->desc, "argv"), *a;
	size_t n = json_array_size(args), i;
	char **argv = calloc(n + 2, sizeof(char *)), *script;
	sigset_t none;
	ssize_t got;
	char go;

	/* Nothing of the job runs before the supervisor has recorded it in
	 * the pids file and said so: a job dir without one never ran. */
	while ((got = read(go_fd, &go, 1)) < 0 && errno == EINTR)
		;
	if (got != 1)
		_exit(126); /* the supervisor died first */
	close(go_fd);
	/* Into the job's groups before anything of the job runs, and
	 * while still root. */
	if (cg && (errno = -cgroup_attach(cg, 0)) != 0)
		child_fail(report_fd, "cannot join the job's cgroup", cg->mem);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGTERM, SIG_DFL); /* the supervisor ignores these */
	signal(SIGHUP, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	setsid();
	become_user(run, report_fd);
	/* Slurm's rule: a job whose directory is gone runs in /tmp. */
	if (!wd || chdir(wd) < 0) {
		wd = "/tmp";
		if (chdir(wd) < 0)
			child_fail(report_fd, "chdir", wd);
	}
	open_std(run, report_fd, wd);
	if (!argv || asprintf(&script, "%s/script", run->dir) < 0)
		child_fail(report_fd, "out of memory", NULL);
	argv[0] = script;
	json_array_foreach(args, i, a) argv[i + 1] = (char *)json_string_value(a);
	execve(script, argv, env);
	child_fail(report_fd, "cannot execute the job script", script);
}

/* Writes "<supervisor pid> <job pgid> <start time>" to dir/pids. */
static int write_pids(const char *dir, pid_t job)
{
	char *path, text[96];
	int rc;

	snprintf(text, sizeof(text), "%ld %ld %lld\n", (long)getpid(),
		 (long)job, (long long)time(NULL));
	if (asprintf(&path, "%s/pids", dir) < 0)
		return -ENOMEM;
	rc = write_file(path, text, 0600, geteuid(), getegid());
	free(path);
	return rc;
}

/* What the job used: its cgroups' figures when it has them, else what
 * wait4 saw of the script and the descendants it waited for. */
static void job_usage(const struct cgroup_job *cg, int status,
		      const struct rusage *ru, struct cgroup_usage *u)
{
	if (cg && cgroup_usage(cg, WIFSIGNALED(status) ? WTERMSIG(status) : 0,
			       u) == 0)
		return;
	u->maxrss_kb = (uint64_t)ru->ru_maxrss; /* KiB on Linux */
	u->cpu_usec = (uint64_t)ru->ru_utime.tv_sec * 1000000 +
		      (uint64_t)ru->ru_utime.tv_usec +
		      (uint64_t)ru->ru_stime.tv_sec * 1000000 +
		      (uint64_t)ru->ru_stime.tv_usec;
	u->oom = false;
}

/* Writes "<wait status> <maxrss_kb> <cpu_usec> <oom 0|1>" to dir/status,
 * whole or not at all (rename). */
static void write_status(const char *dir, int status,
			 const struct cgroup_usage *u)
{
	char *tmp = NULL, *path = NULL, text[96];

	snprintf(text, sizeof(text), "%d %llu %llu %d\n", status,
		 (unsigned long long)u->maxrss_kb,
		 (unsigned long long)u->cpu_usec, u->oom ? 1 : 0);
	if (asprintf(&tmp, "%s/status.tmp", dir) < 0 ||
	    asprintf(&path, "%s/status", dir) < 0)
		_exit(1);
	if (write_file(tmp, text, 0600, geteuid(), getegid()) == 0)
		(void)rename(tmp, path);
}

/* The supervisor's environment: its own session, none of lvd's file
 * descriptors or signal handlers, deaf to what stops lvd. */
static void supervisor_setup(int keep_fd)
{
	int fd, sig;

	setsid();
	(void)prctl(PR_SET_NAME, LV_SUPERVISOR_COMM, 0, 0, 0);
	/* What the job leaves running comes to us, so that its end in
	 * cgroup_destroy is reaped here. */
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
	}
	for (fd = 3; fd < 65536 && fd < (int)sysconf(_SC_OPEN_MAX); fd++)
		if (fd != keep_fd)
			close(fd);
}

/* The supervisor: runs the job script, waits for it and leaves its
 * status where lvd, this one or the next, finds it. */
static void __attribute__((noreturn))
supervisor(struct alloc_run *run, const struct cgroup_job *cg, int report_fd,
	   char **env)
{
	struct cgroup_usage u;
	struct rusage ru;
	int status, go[2];
	pid_t pid;

	supervisor_setup(report_fd);
	if (pipe2(go, O_CLOEXEC) < 0)
		child_fail(report_fd, "pipe", NULL);
	if ((pid = fork()) < 0)
		child_fail(report_fd, "fork", NULL);
	if (pid == 0) {
		close(go[1]);
		child(run, cg, report_fd, go[0], env);
	}
	close(go[0]);
	if (write_pids(run->dir, pid) < 0) {
		kill(pid, SIGKILL);
		child_fail(report_fd, "cannot write the pids file in",
			   run->dir);
	}
	if (write(go[1], "g", 1) != 1) { /* the script may run now */
		kill(pid, SIGKILL);
		child_fail(report_fd, "cannot start the job script", NULL);
	}
	close(go[1]);
	close(report_fd);
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			_exit(1);
	job_usage(cg, status, &ru, &u);
	/* The groups go before the status tells lvd the job has ended. */
	if (cg)
		(void)cgroup_destroy(cg, 5000, true);
	write_status(run->dir, status, &u);
	_exit(0);
}

/* Reads the job's process group from dir/pids (the supervisor wrote it
 * before letting lvd go on). */
static pid_t read_pgid(const char *dir)
{
	long sup = 0, pgid = 0;
	char *path;
	FILE *f;

	if (asprintf(&path, "%s/pids", dir) < 0)
		return -1;
	f = fopen(path, "re");
	free(path);
	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &sup, &pgid) != 2)
		pgid = -1;
	fclose(f);
	return (pid_t)pgid;
}

/* The memory (MiB) the job was granted on this node; 0: no limit. */
static uint64_t granted_mem(const struct alloc_run *run)
{
	const json_t *grants = json_object_get(run->desc, "grants"), *g;
	const char *name;
	json_int_t mem;
	size_t i;

	json_array_foreach(grants, i, g) {
		name = lv_json_str(g, "name");
		mem = json_integer_value(json_object_get(g, "mem"));
		if (name && !strcmp(name, run->node->name))
			return mem > 0 ? (uint64_t)mem : 0;
	}
	return 0;
}

/* The CPUs (OS numbers, as text in buf) the job is confined to here, or
 * NULL: no cpuset controller, or PUs the host lacks (nodegrant.h). */
static const char *granted_cpus(const struct alloc_run *run, char *buf,
				size_t len)
{
	const json_t *g = nodegrant_find(run->desc, run->node->name);
	struct lv_cpuset os;

	if (!g || !nodegrant_os_cpus(g, &run->node->topo, &os) ||
	    !cgroup_cpuset_available() || !lv_cpuset_format(&os, buf, len))
		return NULL;
	return buf;
}

static int batch_launch(struct alloc_run *run, struct lv_error *err)
{
	struct cgroup_job cg;
	bool confined = run->node->lvd->cgroups;
	char **env, cpus[LV_CPUSET_MAX * 5];
	char msg[512];
	int fds[2];
	ssize_t n;
	pid_t pid;

	if (confined && cgroup_create(run->job_id, run->node->name,
				      lv_rpc_server_port(run->node->lvd->rpc),
				      granted_mem(run),
				      granted_cpus(run, cpus, sizeof(cpus)),
				      &cg, err) < 0)
		return err->code;
	env = jobenv_build(run->desc, run->node->name, run->node->lvd->conf_path,
			   NULL);
	if (!env)
		return lv_errorf(err, -ENOMEM, "out of memory");
	if (pipe2(fds, O_CLOEXEC) < 0) {
		jobenv_free(env);
		return lv_errorf(err, -errno, "pipe: %s", strerror(errno));
	}
	if ((pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		jobenv_free(env);
		return lv_errorf(err, -errno, "fork: %s", strerror(errno));
	}
	if (pid == 0)
		supervisor(run, confined ? &cg : NULL, fds[1], env);
	close(fds[1]);
	jobenv_free(env);
	run->sup_pid = pid;
	/* The pipe closes on exec and in the supervisor once it has written
	 * the pids file: EOF means the script is running. */
	while ((n = read(fds[0], msg, sizeof(msg) - 1)) < 0 && errno == EINTR)
		;
	close(fds[0]);
	if (n > 0) {
		msg[n] = '\0';
		return lv_errorf(err, -ENOEXEC, "%s", msg);
	}
	if ((run->pid = read_pgid(run->dir)) <= 0) {
		run->pid = 0;
		return lv_errorf(err, -EIO, "no job process group in %s/pids",
				 run->dir);
	}
	return 0;
}

static int batch_signal(struct alloc_run *run, int sig, bool main_only)
{
	if (run->pid <= 0)
		return -ESRCH;
	if (main_only)
		return kill(run->pid, sig) < 0 ? -errno : 0;
	/* The script leads its own session and process group. */
	if (sig == SIGTERM || sig == SIGKILL)
		(void)killpg(run->pid, SIGCONT);
	return killpg(run->pid, sig) < 0 ? -errno : 0;
}

static bool batch_wait(struct alloc_run *run, int status)
{
	run->status = status;
	/* Whatever the script left running in its session ends with it. */
	(void)killpg(run->pid, SIGKILL);
	return true;
}

static void batch_cleanup(struct alloc_run *run)
{
	char *path;

	if (run->pid > 0)
		(void)killpg(run->pid, SIGKILL);
	/* lvd's own files in the directory go once the controller has the
	 * job's end (allocs.c); rmdir fails until then. */
	if (asprintf(&path, "%s/script", run->dir) >= 0) {
		(void)unlink(path);
		free(path);
	}
	(void)rmdir(run->dir);
	/* The supervisor removes the job's groups; this catches a launch
	 * that failed before it could, without waiting for anything. */
	if (run->node->lvd->cgroups) {
		struct cgroup_job cg;

		cgroup_paths(run->job_id, run->node->name,
			     lv_rpc_server_port(run->node->lvd->rpc), &cg);
		(void)cgroup_destroy(&cg, 0, false);
	}
}

const struct lv_driver lv_driver_batch = {
	.abi = LV_DRIVER_ABI,
	.name = "batch",
	.prepare = batch_prepare,
	.launch = batch_launch,
	.signal = batch_signal,
	.wait = batch_wait,
	.cleanup = batch_cleanup,
};
