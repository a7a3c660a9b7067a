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
#include <sys/stat.h>
#include <unistd.h>

#include "common/msg.h"
#include "node/jobenv.h"
#include "node/lvd.h"

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
	/* The directory is the user's: the script and nothing else. */
	if (mkdir(run->dir, 0700) < 0 && errno != EEXIST)
		return lv_errorf(err, -errno, "mkdir %s: %s", run->dir, strerror(errno));
	if (chown(run->dir, run->uid, run->gid) < 0)
		return lv_errorf(err, -errno, "chown %s: %s", run->dir, strerror(errno));
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
					    int report_fd, char **env)
{
	const char *wd = lv_json_str(run->desc, "work_dir");
	const json_t *args = json_object_get(run->desc, "argv"), *a;
	size_t n = json_array_size(args), i;
	char **argv = calloc(n + 2, sizeof(char *)), *script;
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
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

static int batch_launch(struct alloc_run *run, struct lv_error *err)
{
	char **env = jobenv_build(run->desc, run->node->name,
				  run->node->lvd->conf_path, NULL);
	char msg[512];
	int fds[2];
	ssize_t n;
	pid_t pid;

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
	if (pid == 0) {
		close(fds[0]);
		child(run, fds[1], env);
	}
	close(fds[1]);
	jobenv_free(env);
	run->pid = pid;
	/* The pipe closes on exec: EOF means the script is running. */
	while ((n = read(fds[0], msg, sizeof(msg) - 1)) < 0 && errno == EINTR)
		;
	close(fds[0]);
	if (n > 0) {
		msg[n] = '\0';
		return lv_errorf(err, -ENOEXEC, "%s", msg);
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
	if (asprintf(&path, "%s/script", run->dir) >= 0) {
		(void)unlink(path);
		free(path);
	}
	(void)rmdir(run->dir);
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
