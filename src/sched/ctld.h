/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lvctld's context: everything the controller owns hangs off one struct. */
#ifndef LV_SCHED_CTLD_H
#define LV_SCHED_CTLD_H

#include <event2/event.h>
#include <stdbool.h>
#include <time.h>

#include "common/conf.h"
#include "common/rpc.h"

struct acct;
struct backfill;
struct fairshare;
struct job;
struct limits;
struct jobs;
struct journal;
struct nodes;
struct persist;
struct policy;
struct partitions;

struct lvctld {
	char *conf_path;
	struct lv_conf *conf;
	struct event_base *base;
	struct lv_rpc_server *rpc;
	struct nodes *nodes;
	struct partitions *parts;
	struct jobs *jobs;
	struct journal *journal; /* StateDir/journal; NULL without StateDir */
	struct persist *persist; /* what goes into it (persist.c) */
	struct acct *acct;       /* accounting database (acct.c); may be NULL */
	struct policy *policy;   /* the Lua policy (policy.c) */
	struct event *sched_ev;  /* deferred scheduling pass */
	bool sched_pending;
	bool sched_full;          /* the pending pass must look at every job */
	uint32_t sched_seen_id;   /* jobs below this id were considered */
	bool *sched_blocked;      /* per partition, from the last pass */
	size_t sched_blocked_n;
	unsigned parts_gen;       /* bumped when partitions are rebuilt */
	uint64_t sched_passes;
	/* Priority scheduling (docs/scheduling.md). */
	struct fairshare *fs;   /* accounts, usage (fairshare.c) */
	struct limits *limits;  /* per-user QOS usage (joblimits.c) */
	struct backfill *bf;    /* the backfill cycle (backfill.c) */
	struct job **queue;     /* pending jobs in priority order (sched.c) */
	size_t queue_cap;
	/* sdiag-like figures for lvcontrol show stats. */
	struct {
		uint64_t full_passes, new_passes;
		double last_us, max_us, total_us; /* full passes */
		double last_cpu_us;               /* the thread's CPU time */
		double last_end_s;                /* CLOCK_MONOTONIC, seconds */
		uint64_t last_depth;              /* jobs ordered */
		uint64_t started;                 /* by the main pass */
	} sched_stats;
	size_t bound_allocs; /* interactive allocations tied to a connection */
	struct event *sig_term, *sig_int, *sig_hup;
	struct event *tick; /* once a second: node timeouts */
	bool foreground;
	char *log_path; /* reopened on SIGHUP (log rotation); NULL: not a file */
	int pidfile_fd;
	char *pidfile_path;
	time_t start_time;
};

/* The routes lvctld serves (rpc_*.c). */
extern const struct lv_rpc_route ctld_routes[];
extern const size_t ctld_n_routes;

/* Re-reads the configuration (SIGHUP, lvcontrol reconfigure).  On error
 * the old configuration stays and err says why. */
int ctld_reconfigure(struct lvctld *ctld, struct lv_error *err);

/* True when uid/gid is listed in AdminUsers/AdminGroups. */
bool ctld_is_admin(uid_t uid, gid_t gid, void *arg);

#endif
