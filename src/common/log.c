/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging to stderr, a file or syslog, with per-subsystem debug flags. */
#include "config.h"

#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

_Static_assert(LV_LOG_ERR == LOG_ERR && LV_LOG_WARNING == LOG_WARNING &&
		       LV_LOG_NOTICE == LOG_NOTICE && LV_LOG_INFO == LOG_INFO &&
		       LV_LOG_DEBUG == LOG_DEBUG,
	       "lv_log_level values are syslog priorities");

/* One line, timestamp and ident included.  4096 is PIPE_BUF on Linux, so
 * a line written to a pipe arrives whole. */
#define LOG_LINE_MAX 4096

/*
 * Logging is process-wide by nature (there is one stderr and one syslog
 * connection per process), so unlike daemon state it lives in this one
 * static struct.  The main thread sets it up before other threads start
 * and is the only one that changes it: lv_log_open on SIGHUP runs from the
 * event loop, never from a signal handler.  Each message is written with a
 * single write(2) of a whole line to an O_APPEND descriptor, so lines from
 * several threads or processes sharing a file do not interleave.
 */
static struct {
	char ident[64];        /* "" until lv_log_open: the program name */
	enum lv_log_dest dest; /* LV_LOG_TO_STDERR until lv_log_open */
	int fd;                /* the log file for LV_LOG_TO_FILE, else -1 */
	bool syslog_open;      /* openlog() was called with ident */
	int level;             /* messages above this are dropped */
	uint32_t debug;        /* enabled lv_debug_flag bits */
} logst = {
	.dest = LV_LOG_TO_STDERR,
	.fd = -1,
	.level = LV_LOG_INFO,
};

static const struct {
	const char *name;
	uint32_t bit;
} debug_names[] = {
	{"Rpc", LV_DBG_RPC},         {"Auth", LV_DBG_AUTH},
	{"Node", LV_DBG_NODE},       {"Sched", LV_DBG_SCHED},
	{"Job", LV_DBG_JOB},         {"Conf", LV_DBG_CONF},
	{"Launch", LV_DBG_LAUNCH},   {"Policy", LV_DBG_POLICY},
	{"Journal", LV_DBG_JOURNAL}, {"Mpi", LV_DBG_MPI},
};

static const char *log_ident(void)
{
	return logst.ident[0] ? logst.ident : program_invocation_short_name;
}

static void log_detach(void)
{
	if (logst.fd >= 0)
		close(logst.fd);
	logst.fd = -1;
	if (logst.syslog_open)
		closelog();
	logst.syslog_open = false;
	logst.dest = LV_LOG_TO_STDERR;
}

int lv_log_open(const char *ident, enum lv_log_dest dest, const char *path,
		struct lv_error *err)
{
	int fd = -1;

	if (dest != LV_LOG_TO_STDERR && dest != LV_LOG_TO_FILE &&
	    dest != LV_LOG_TO_SYSLOG)
		return lv_errorf(err, -EINVAL, "log: bad destination %d",
				 (int)dest);
	if (dest == LV_LOG_TO_FILE) {
		if (!path || !*path)
			return lv_errorf(err, -EINVAL,
					 "log: no log file given");
		/* Open the new file before closing the old one, so that a
		 * failed reopen on SIGHUP keeps logging where it was. */
		fd = open(path,
			  O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY,
			  0640);
		if (fd < 0) {
			int e = errno;

			return lv_errorf(err, -e, "log: open %s: %s", path,
					 strerror(e));
		}
	}
	/* closelog() first: syslog may still point at the old ident. */
	log_detach();
	if (ident)
		snprintf(logst.ident, sizeof(logst.ident), "%s", ident);
	logst.dest = dest;
	logst.fd = fd;
	if (dest == LV_LOG_TO_SYSLOG) {
		openlog(log_ident(), LOG_PID, LOG_DAEMON);
		logst.syslog_open = true;
	}
	return 0;
}

void lv_log_close(void)
{
	log_detach();
}

void lv_log_set_level(enum lv_log_level level)
{
	logst.level = level;
}

void lv_log_set_debug(uint32_t flags)
{
	logst.debug = flags;
}

bool lv_log_debug_enabled(uint32_t flag)
{
	return (logst.debug & flag) != 0;
}

static uint32_t debug_flag_lookup(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(debug_names) / sizeof(debug_names[0]);
	     i++) {
		if (strlen(debug_names[i].name) == len &&
		    !strncasecmp(debug_names[i].name, name, len))
			return debug_names[i].bit;
	}
	return 0;
}

int lv_log_parse_debug_flags(const char *s, uint32_t *flags,
			     struct lv_error *err)
{
	uint32_t out = 0;

	if (!s)
		return lv_errorf(err, -EINVAL, "no debug flags given");
	for (const char *p = s; *p;) {
		size_t len = strcspn(p, ",");
		size_t skip = strspn(p, " \t");
		const char *name = p + (skip < len ? skip : len);
		size_t n = len - (size_t)(name - p);
		uint32_t bit;

		while (n > 0 && (name[n - 1] == ' ' || name[n - 1] == '\t'))
			n--;
		if (!(bit = debug_flag_lookup(name, n)))
			return lv_errorf(
				err, -EINVAL,
				"unknown debug flag '%.*s' (known: Rpc, Auth, Node, Sched, Job, Conf, Launch, Policy, Journal, Mpi)",
				(int)n, name);
		out |= bit;
		p += len;
		/* A trailing comma leaves an empty name, which is refused. */
		if (*p == ',' && !*++p)
			return lv_errorf(err, -EINVAL,
					 "empty debug flag in '%s'", s);
	}
	*flags = out;
	return 0;
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* nowhere left to report it */
		buf += n;
		len -= (size_t)n;
	}
}

/* "2026-11-28T04:50:01.123" in local time. */
static void format_stamp(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03ld", ts.tv_nsec / 1000000L);
}

/* Formats and writes one message; errnum >= 0 appends its strerror. */
__attribute__((format(printf, 3, 0))) static void
log_vemit(int level, int errnum, const char *fmt, va_list ap)
{
	char msg[LOG_LINE_MAX], line[LOG_LINE_MAX], stamp[40];
	int n;

	if (level > logst.level)
		return;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (errnum >= 0 && n >= 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s",
			 strerror(errnum));
	if (logst.dest == LV_LOG_TO_SYSLOG) {
		syslog(level < LOG_ERR ? LOG_ERR : level, "%s", msg);
		return;
	}
	format_stamp(stamp, sizeof(stamp));
	n = snprintf(line, sizeof(line), "%s %s[%ld]: %s\n", stamp, log_ident(),
		     (long)getpid(), msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		/* Truncated: keep the line whole, newline included. */
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	write_all(logst.dest == LV_LOG_TO_FILE ? logst.fd : STDERR_FILENO, line,
		  (size_t)n);
}

void lv_log(int level, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vemit(level, -1, fmt, ap);
	va_end(ap);
	errno = saved;
}

void lv_log_errno(int level, const char *fmt, ...)
{
	int saved = errno; /* formatting below may change it */
	va_list ap;

	va_start(ap, fmt);
	log_vemit(level, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void lv_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LV_LOG_ERR, -1, fmt, ap);
	va_end(ap);
	exit(1);
}
