/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Daemon start-up: backgrounding with a start-up report, and pid files. */
#ifndef LV_COMMON_DAEMON_H
#define LV_COMMON_DAEMON_H

#include "common/conf.h"
#include "common/error.h"

/* Forks into the background (new session, stdin/stdout/stderr on
 * /dev/null).  The original process waits until the child reports with
 * lv_daemon_ready() and exits 0, or exits 1 after printing the child's
 * error (or when the child dies first).  Returns the report descriptor in
 * the child, or -errno with err set when the fork itself fails. */
int lv_daemonize(struct lv_error *err);

/* Tells the waiting parent how start-up went (msg NULL: success) and
 * closes fd.  Does nothing for fd < 0 (foreground). */
void lv_daemon_ready(int fd, const char *msg);

/* Creates and locks path holding our pid; a second daemon with the same
 * pid file gets -EEXIST ("already running as pid N").  Returns the open
 * descriptor, which holds the lock until exit. */
int lv_pidfile_create(const char *path, struct lv_error *err);
/* Removes the pid file and closes fd. */
void lv_pidfile_remove(const char *path, int fd);

/* Applies LogLevel= and DebugFlags= from conf.  -EINVAL with err set on
 * an unknown debug flag (the level stays as it was). */
int lv_daemon_apply_log_conf(const struct lv_conf *conf, struct lv_error *err);

#endif
