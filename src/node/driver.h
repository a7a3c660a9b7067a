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

/* The name (/proc/<pid>/comm) a job's supervisor process goes by: a
 * restarted lvd adopts a job only if its recorded supervisor pid still
 * carries it. */
#define LV_SUPERVISOR_COMM "lvd-sup"

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
	/* The supervisor that waits for pid and records its status in
	 * dir/status (0: lvd waits for pid itself).  A job whose supervisor
	 * is not lvd's child (adopted after a restart) is polled for. */
	pid_t sup_pid;
	time_t start;       /* when it was launched (time limits count from it) */
	int status;         /* wait status of the main process */
	/* What the main process and the descendants it waited for used
	 * (wait4); cgroup figures replace these once lvd has cgroups. */
	uint64_t maxrss_kb, cpu_usec;
	bool timed_out, cancelled, oom, ended;
	bool adopted;             /* found running when this lvd started */
	bool node_fail;           /* its supervisor vanished without a status */
	bool drop_report;         /* the controller has ended it already */
	struct event *poll_timer; /* adopted: looks for dir/status */
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
	/* Starts it; sets run->pid, and run->sup_pid when a supervisor
	 * that outlives lvd owns the job.  Must not block for long. */
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
