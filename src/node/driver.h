/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Allocation kind drivers: the one interface through which lvd runs a
 * batch job, and later a VM, a container or a function pool.  lvd never
 * branches on the kind; it looks the driver up by name. */
#ifndef LV_NODE_DRIVER_H
#define LV_NODE_DRIVER_H

#include <event2/event.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "common/error.h"

#define LV_DRIVER_ABI 1

struct lvd_node;

/* One allocation running on this node, as lvd tracks it. */
struct alloc_run {
	struct lvd_node *node;
	uint32_t job_id;
	uint32_t restarts;  /* echoed in ALLOC_DONE */
	json_t *desc;       /* the ALLOC_LAUNCH body */
	uid_t uid;
	gid_t gid;
	char *dir;          /* private directory under NodeStateDir */
	pid_t pid;          /* main process; its process group is the job */
	time_t start;       /* when it was launched (time limits count from it) */
	int status;         /* wait status of the main process */
	/* What the main process and the descendants it waited for used
	 * (wait4); cgroup figures replace these once lvd has cgroups. */
	uint64_t maxrss_kb, cpu_usec;
	bool timed_out, cancelled, oom, ended;
	struct event *limit_timer; /* time limit */
	struct event *kill_timer;  /* SIGKILL after KillWait */
	const struct lv_driver *drv;
	void *priv;         /* the driver's own state */
	struct alloc_run *next;
};

struct lv_driver {
	unsigned abi; /* LV_DRIVER_ABI */
	const char *name;
	/* Sets up what the allocation needs before anything runs
	 * (directories, scripts, images). */
	int (*prepare)(struct alloc_run *run, struct lv_error *err);
	/* Starts it; sets run->pid.  Must not block for long. */
	int (*launch)(struct alloc_run *run, struct lv_error *err);
	/* Delivers sig to the whole allocation, or to its main process. */
	int (*signal)(struct alloc_run *run, int sig, bool main_only);
	/* The main process exited with status: true when the allocation
	 * has ended (the driver may keep it alive, e.g. a VM's monitor). */
	bool (*wait)(struct alloc_run *run, int status);
	/* Removes everything the allocation left behind.  Runs once, also
	 * after a failed prepare or launch. */
	void (*cleanup)(struct alloc_run *run);
};

/* The driver for a kind ("batch"), or NULL. */
const struct lv_driver *driver_find(const char *kind);

#endif
