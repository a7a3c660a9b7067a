/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Per-job cgroup v1 memory and cpuacct groups: a job's memory limit, its
 * usage figures, and the end of whatever it leaves running. */
#ifndef LV_NODE_CGROUP_H
#define LV_NODE_CGROUP_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

/* A job's two groups: <controller>/leviathan/<node>@<port>/job_<id>.
 * The port (lvd's) keeps apart the nodes of test clusters that share a
 * host and node names. */
struct cgroup_job {
	char mem[PATH_MAX];
	char cpu[PATH_MAX];
	char cpuset[PATH_MAX]; /* "" when the job is not confined to CPUs */
};

/* What a job used, read from its groups after it ended. */
struct cgroup_usage {
	uint64_t maxrss_kb; /* memory.max_usage_in_bytes / 1024 */
	uint64_t cpu_usec;  /* cpuacct.usage / 1000 */
	bool oom;           /* the kernel's OOM killer struck in the group */
};

/* True when this host has a writable cgroup v1 memory and cpuacct
 * controller (probed by creating the "leviathan" groups). */
bool cgroup_available(void);

/* True when this host has a writable cgroup v1 cpuset controller. */
bool cgroup_cpuset_available(void);

/* Fills cg with the paths of job_id's groups on node; creates nothing. */
void cgroup_paths(uint32_t job_id, const char *node, unsigned port,
		  struct cgroup_job *cg);

/* Creates job_id's groups on node (and their parents), resets their
 * figures, and limits memory (memsw too, so swap does not hide an
 * overrun) to mem_mb MiB when mem_mb > 0.  cpus (OS CPU numbers, "0-3"),
 * when not NULL, confines the job to those CPUs with a cpuset group.
 * Returns 0 or -errno with the reason in err; on failure nothing is left
 * behind. */
int cgroup_create(uint32_t job_id, const char *node, unsigned port,
		  uint64_t mem_mb, const char *cpus,
		  struct cgroup_job *cg, struct lv_error *err);

/* A step's groups inside its job's: job_<id>/step_<n>, with the step's
 * memory limit (0: the job's) and CPUs (NULL: the job's). */
int cgroup_create_step(const struct cgroup_job *job, uint32_t step_id,
		       uint64_t mem_mb, const char *cpus,
		       struct cgroup_job *cg, struct lv_error *err);

/* Moves pid (0: the caller) into the groups.  Uses only open, write
 * and close, so a child may call it between fork and exec.  0 or
 * -errno. */
int cgroup_attach(const struct cgroup_job *cg, pid_t pid);

/* Reads the job's usage; term_sig is the signal that ended its main
 * process (0: none), part of the OOM evidence on kernels without
 * oom_kill counts.  0, or -errno when the memory group cannot be read. */
int cgroup_usage(const struct cgroup_job *cg, int term_sig,
		 struct cgroup_usage *u);

/* Kills what is left in the groups (SIGKILL, up to wait_ms for them to
 * go; reap: the caller is their subreaper and reaps them) and removes
 * the groups.  0, or -errno when a group stays. */
int cgroup_destroy(const struct cgroup_job *cg, int wait_ms, bool reap);

/* Removes a job's groups when nothing is in them any more (the groups
 * steps of an interactive allocation made); a busy group stays. */
void cgroup_remove_if_empty(const struct cgroup_job *cg);

/* Kills what is left in a step's groups and removes them (the job's
 * stay).  0, or -EBUSY when a group stays after wait_ms. */
int cgroup_destroy_step(const struct cgroup_job *cg, int wait_ms);

#endif
