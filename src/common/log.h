/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging to stderr, a file or syslog, with per-subsystem debug flags. */
#ifndef LV_COMMON_LOG_H
#define LV_COMMON_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

enum lv_log_level {
	LV_LOG_ERR = 3,
	LV_LOG_WARNING = 4,
	LV_LOG_NOTICE = 5,
	LV_LOG_INFO = 6,
	LV_LOG_DEBUG = 7,
};

/* Debug subsystems, selected by DebugFlags=Rpc,Auth,... */
enum lv_debug_flag {
	LV_DBG_RPC = 1u << 0,
	LV_DBG_AUTH = 1u << 1,
	LV_DBG_NODE = 1u << 2,
	LV_DBG_SCHED = 1u << 3,
	LV_DBG_JOB = 1u << 4,
	LV_DBG_CONF = 1u << 5,
	LV_DBG_LAUNCH = 1u << 6,
	LV_DBG_POLICY = 1u << 7,
	LV_DBG_JOURNAL = 1u << 8,
	LV_DBG_MPI = 1u << 9,
};

enum lv_log_dest {
	LV_LOG_TO_STDERR,
	LV_LOG_TO_FILE,
	LV_LOG_TO_SYSLOG,
};

/* Sets where messages go. ident prefixes every line ("lvctld").  path is
 * used for LV_LOG_TO_FILE; the file is opened for append.  Returns 0 or
 * -errno with err set.  Calling it again (on SIGHUP) reopens the file. */
int lv_log_open(const char *ident, enum lv_log_dest dest, const char *path,
		struct lv_error *err);
void lv_log_close(void);

/* Messages above level are dropped (default LV_LOG_INFO). */
void lv_log_set_level(enum lv_log_level level);
/* Enables debug output for a set of lv_debug_flag bits. */
void lv_log_set_debug(uint32_t flags);
bool lv_log_debug_enabled(uint32_t flag);

/* Parses "Rpc,Auth" into lv_debug_flag bits; -EINVAL on an unknown name. */
int lv_log_parse_debug_flags(const char *s, uint32_t *flags,
			     struct lv_error *err);

void lv_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Like lv_log with ": strerror(errno)" appended. */
void lv_log_errno(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Logs and exits(1); only before the event loop starts. */
void lv_fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

#define lv_debug(flag, ...)                                                    \
	do {                                                                   \
		if (lv_log_debug_enabled(flag))                                \
			lv_log(LV_LOG_DEBUG, __VA_ARGS__);                     \
	} while (0)

#endif
