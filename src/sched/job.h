/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A job: the allocation request the scheduler queues, what it was
 * granted, and its life from submission to end. */
#ifndef LV_SCHED_JOB_H
#define LV_SCHED_JOB_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "common/cpuset.h"
#include "common/error.h"

struct lv_bitmap;
struct partition;
struct partitions;

enum job_state {
	JOB_PENDING,
	JOB_RUNNING,
	JOB_COMPLETING,
	JOB_COMPLETED,
	JOB_FAILED,
	JOB_CANCELLED,
	JOB_TIMEOUT,
	JOB_NODE_FAIL,
	JOB_OOM,
};

/* Why a pending job is not running: Slurm's reason names. */
enum job_reason {
	REASON_NONE,
	REASON_PRIORITY,
	REASON_RESOURCES,
	REASON_DEPENDENCY,
	REASON_DEPENDENCY_NEVER,
	REASON_HELD_USER,
	REASON_HELD_ADMIN,
	REASON_BEGIN_TIME,
	REASON_PARTITION_DOWN,
	REASON_PARTITION_INACTIVE,
	REASON_NODE_NOT_AVAIL,
	REASON_ARRAY_TASK_LIMIT,
	REASON_LAUNCH_FAILED,
	REASON_NODE_FAIL,
	REASON_NONZERO_EXIT,
	REASON_TIME_LIMIT,
	REASON_OUT_OF_MEMORY,
	/* Limits (joblimits.c) and backfill. */
	REASON_QOS_MAX_JOBS_PER_USER,
	REASON_QOS_MAX_CPU_PER_USER,
	REASON_QOS_MAX_NODE_PER_USER,
	REASON_QOS_MAX_WALL,
	REASON_PART_TIME_LIMIT,
	REASON_PART_NODE_LIMIT,
	REASON_ACCOUNT_NOT_ALLOWED,
	REASON_COUNT, /* keep last: jobstate.c parses up to it */
};

/* One node's share of a grant. */
struct grant {
	size_t node;    /* index in the node table */
	uint32_t cpus;
	uint32_t tasks;
	uint64_t mem_mb;
	struct lv_cpuset pus; /* the node's logical PUs (hwloc order) */
	uint64_t gpus;        /* the node's GPU indices granted (bit i) */
};

/* What the job asked for (sbatch options). */
struct job_req {
	uint32_t nodes_min, nodes_max;
	uint32_t ntasks, ntasks_per_node, cpus_per_task;
	uint64_t mem_per_node, mem_per_cpu; /* MB, 0 = not given */
	uint32_t time_limit;                /* minutes, LV_TIME_UNLIMITED */
	bool exclusive;
	char *nodelist, *exclude;           /* hostlists or NULL */
	/* Shape of the cores granted: 1 = one thread per core
	 * (--hint=nomultithread, --threads-per-core=1); tasks per socket. */
	uint32_t threads_per_core, ntasks_per_socket;
	/* GPUs: --gres=gpu:N per node, --gpus-per-task. */
	uint32_t gpus_per_node, gpus_per_task;
};

struct dependency; /* depend.h */

/* A step: tasks lvrun started inside the job (proto 05). */
struct job_step {
	uint32_t id;
	uint32_t ntasks;
	char *name;
	char *nodes;
	time_t start_time, end_time;
	int status;
	bool ended;
	uint64_t maxrss_kb, cpu_usec; /* from STEP_COMPLETE (accounting) */
	bool oom; /* a task was OOM-killed in the step's cgroup */
	struct job_step *next;
};

/* A caller waiting for a job to start or end (JOB_WAIT). */
struct job_waiter {
	uint64_t conn_id;
	uint32_t req_id;
	bool on_start; /* answer at start instead of at the end */
	struct job_waiter *next;
};

struct job {
	uint32_t id;
	uint32_t array_job_id;  /* 0 when not part of an array */
	uint32_t array_task_id; /* valid for array tasks */
	/* An array's pending tasks live in one record: the task ids still to
	 * start, and how many of its tasks may run at once. */
	struct lv_bitmap *array_pending;
	uint32_t array_throttle;
	uint32_t array_running;
	/* On the array's record: counts over all its tasks. */
	uint32_t array_total, array_started, array_done, array_ok;
	uint32_t array_min, array_max, array_step; /* SLURM_ARRAY_TASK_MIN.. */
	char *kind; /* allocation kind: "batch", "interactive" */
	char *name;
	uid_t uid;
	gid_t gid;
	char *user;
	char *account, *comment;
	char *partition;
	struct partition *part; /* cache of the partition; see job_partition */
	unsigned part_gen;
	struct job_req req;
	/* The submitted description as compact JSON text, shared by the
	 * tasks of an array; parsed again only to launch the job. */
	struct job_blob *blob;
	/* The few description fields queries show. */
	char *work_dir, *std_out, *std_err, *std_in, *submit_dir, *command;
	struct dependency *dep;
	char *dep_text;
	bool requeue;
	bool held;
	bool held_by_admin;
	time_t begin_time;
	enum job_state state;
	enum job_reason reason;
	time_t submit_time, eligible_time, start_time, end_time;
	uint64_t priority;
	/* Priority inputs (priority.c): --qos, --nice, and an administrator's
	 * fixed Priority= (0: computed). */
	char *qos;
	int32_t nice;
	uint64_t prio_admin;
	/* Expected start from the last backfill pass (0: unknown); not
	 * persisted. */
	time_t est_start;
	int exit_status;   /* a wait(2) status */
	bool cancel_requested;
	bool requeue_requested; /* lvcontrol requeue of a running job */
	bool requeue_hold;
	bool timed_out; /* the controller ended it for its time limit */
	/* Sent to its node, not yet confirmed started (not persisted:
	 * after a restart the node's report decides). */
	bool launch_unconfirmed;
	/* The batch script's usage from ALLOC_DONE (accounting). */
	uint64_t maxrss_kb, cpu_usec;
	uint32_t restarts;
	/* The grant, while running. */
	struct grant *grants;
	size_t n_grants;
	uint32_t num_cpus;
	char *nodes; /* compressed node list of the grant */
	char *batch_host; /* first node: where a batch script runs */
	/* Callers waiting for this job (JOB_WAIT): connection and request
	 * ids, answered when the job starts or ends. */
	struct job_waiter *waiters;
	/* Steps, newest first, and the next step id. */
	struct job_step *steps;
	uint32_t next_step_id;
	/* The connection an interactive allocation is bound to. */
	uint64_t alloc_conn_id;
	/* Links in the job table. */
	struct job *hash_next;
	struct job *prev, *next; /* all jobs in submission order */
};

/* Reference-counted text shared between jobs. */
struct job_blob {
	unsigned refs;
	size_t len;
	char text[];
};

/* The submitted description, parsed (new reference; NULL on ENOMEM). */
json_t *job_desc(const struct job *job);

/* Builds a job from a JOB_SUBMIT body.  uid/gid come from the connection,
 * never from the body.  Applies partition defaults and checks limits.
 * NULL with err set: -EINVAL for bad fields, -ENOENT for an unknown
 * partition. */
struct job *job_create(const json_t *desc, uid_t uid, gid_t gid,
		       struct partitions *parts, time_t now,
		       struct lv_error *err);
/* Frees a job (NULL-safe).  It must not be in the table. */
void job_destroy(struct job *job);

/* A copy of an array's pending record for one task, to be started. */
struct job *job_dup_for_task(const struct job *array, uint32_t id,
			     uint32_t task, struct lv_error *err);

bool job_is_finished(const struct job *job);
bool job_is_pending(const struct job *job);
const char *job_state_name(enum job_state s);
const char *job_state_short(enum job_state s);
/* Parses a state name or compact code ("PD", "pending"); -1 if unknown. */
int job_state_parse(const char *s);
const char *job_reason_name(enum job_reason r);

/* The exit code as sacct shows it: "E:S". */
const char *job_exit_code(const struct job *job, char *buf, size_t len);

/* Total CPUs the request needs (at least), and tasks. */
uint32_t job_cpus_needed(const struct job *job);
uint32_t job_tasks(const struct job *job);

/* JSON for JOB_INFO; fields NULL means all keys (new reference). */
json_t *job_to_json(const struct job *job, const json_t *fields,
		    time_t now);

#endif
