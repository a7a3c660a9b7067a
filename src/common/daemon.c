/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Backgrounding with a start-up report pipe, and locked pid files. */
#include "config.h"

#include "common/daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <strings.h>
#include <unistd.h>

#include "common/log.h"

/* Parent side: relays the child's report and exits accordingly. */
static void __attribute__((noreturn)) wait_for_child(int fd)
{
	char buf[512];
	ssize_t n, total = 0;

	while ((n = read(fd, buf + total, sizeof(buf) - 1 - (size_t)total)) > 0)
		total += n;
	buf[total] = '\0';
	if (total > 0 && strcmp(buf, "ok") == 0)
		_exit(0);
	fprintf(stderr, "%s\n", total > 0 ? buf : "daemon exited during start-up");
	_exit(1);
}

int lv_daemonize(struct lv_error *err)
{
	int fds[2], devnull;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return lv_errorf(err, -errno, "pipe: %s", strerror(errno));
	if ((pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		return lv_errorf(err, -errno, "fork: %s", strerror(errno));
	}
	if (pid > 0) {
		close(fds[1]);
		wait_for_child(fds[0]);
	}
	close(fds[0]);
	if (setsid() < 0)
		return lv_errorf(err, -errno, "setsid: %s", strerror(errno));
	/* A second fork so the daemon can never reacquire a terminal. */
	if ((pid = fork()) < 0)
		return lv_errorf(err, -errno, "fork: %s", strerror(errno));
	if (pid > 0)
		_exit(0);
	if ((devnull = open("/dev/null", O_RDWR)) >= 0) {
		dup2(devnull, STDIN_FILENO);
		dup2(devnull, STDOUT_FILENO);
		dup2(devnull, STDERR_FILENO);
		if (devnull > STDERR_FILENO)
			close(devnull);
	}
	return fds[1];
}

void lv_daemon_ready(int fd, const char *msg)
{
	const char *text = msg ? msg : "ok";
	size_t len = strlen(text);
	ssize_t n;

	if (fd < 0)
		return;
	while (len && (n = write(fd, text, len)) > 0) {
		text += n;
		len -= (size_t)n;
	}
	close(fd);
}

int lv_pidfile_create(const char *path, struct lv_error *err)
{
	char buf[32];
	int fd, len;
	ssize_t n;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return lv_errorf(err, -errno, "pid file %s: %s", path,
				 strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		close(fd);
		return lv_errorf(err, -EEXIST, "already running as pid %s (%s)",
				 buf, path);
	}
	len = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || write(fd, buf, (size_t)len) != len) {
		int e = errno;

		close(fd);
		return lv_errorf(err, -e, "pid file %s: %s", path, strerror(e));
	}
	return fd;
}

void lv_pidfile_remove(const char *path, int fd)
{
	if (fd < 0)
		return;
	if (path)
		(void)unlink(path);
	close(fd);
}

int lv_daemon_apply_log_conf(const struct lv_conf *conf, struct lv_error *err)
{
	uint32_t flags = 0;

	if (conf->debug_flags &&
	    lv_log_parse_debug_flags(conf->debug_flags, &flags, err) < 0)
		return -EINVAL;
	lv_log_set_debug(flags);
	if (conf->log_level) {
		static const struct {
			const char *name;
			enum lv_log_level level;
		} levels[] = { { "error", LV_LOG_ERR },
			       { "warning", LV_LOG_WARNING },
			       { "notice", LV_LOG_NOTICE },
			       { "info", LV_LOG_INFO },
			       { "debug", LV_LOG_DEBUG } };
		size_t i;

		for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
			if (strcasecmp(conf->log_level, levels[i].name) == 0)
				lv_log_set_level(levels[i].level);
	}
	return 0;
}
