/* SPDX-License-Identifier: GPL-2.0-or-later */
/* leviathan.conf: slurm.conf-style Key=Value configuration. */
#ifndef LV_COMMON_CONF_H
#define LV_COMMON_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define LV_DEFAULT_CTLD_PORT 6817
#define LV_DEFAULT_NODE_PORT 6818

/* One NodeName= entry, expanded: one struct per node. */
struct lv_conf_node {
	char *name;
	char *addr;        /* NodeAddr=, defaults to the name */
	uint16_t port;     /* Port=, defaults to lv_conf.node_port */
	uint32_t cpus;     /* CPUs=, 0 when not given (hardware decides) */
	uint32_t sockets;  /* Sockets=, 0 when not given */
	uint32_t cores_per_socket;
	uint32_t threads_per_core;
	uint64_t real_memory_mb; /* RealMemory=, 0 when not given */
	uint32_t gpus;           /* Gres=gpu:N */
	char *features;          /* Features=a,b (NULL when none) */
	char *topology;          /* Topology=synthetic string or XML path */
	char *state;             /* State=, NULL for the default (UNKNOWN) */
	unsigned weight;         /* Weight=, default 1 */
};

struct lv_conf_partition {
	char *name;
	char *nodes;          /* hostlist expression, "ALL" allowed */
	bool is_default;      /* Default=YES */
	uint32_t max_time;    /* minutes, LV_TIME_UNLIMITED when none */
	uint32_t default_time;/* minutes, LV_TIME_UNLIMITED when none */
	uint32_t max_nodes;   /* 0 = unlimited */
	uint32_t min_nodes;   /* default 1 */
	char *state;          /* UP, DOWN, DRAIN, INACTIVE (default UP) */
	char *allow_accounts; /* NULL = all */
	char *allow_groups;   /* NULL = all */
	uint32_t priority_tier;
	char *select;         /* SelectType=pack|spread (default pack) */
	bool requeue;         /* Requeue=YES default for jobs */
	uint32_t priority_job_factor; /* PriorityJobFactor= (partition factor) */
};

/* One QOS= line (docs/scheduling.md).  Limits are 0 when unlimited. */
struct lv_conf_qos {
	char *name;
	uint32_t priority;          /* Priority= */
	uint32_t max_jobs_pu;       /* MaxJobsPerUser= (running) */
	uint32_t max_submit_pu;     /* MaxSubmitJobsPerUser= (pending+running) */
	uint32_t max_cpus_pu;       /* MaxTRESPerUser=cpu=N */
	uint32_t max_nodes_pu;      /* MaxTRESPerUser=node=N */
	uint32_t max_wall;          /* MaxWall= minutes, LV_TIME_UNLIMITED */
	char *preempt;              /* Preempt=a,b: QOS this one may preempt */
	char *preempt_mode;         /* PreemptMode=REQUEUE|CANCEL, NULL: global */
};

/* One AccountName= line: a node of the fair-share tree. */
struct lv_conf_account {
	char *name;
	char *parent;     /* Parent=, default "root" */
	uint32_t shares;  /* Fairshare=, default 1 */
	char *users;      /* Users=a,b: user associations, one share each */
};

struct lv_conf {
	char *path;              /* the file this came from */
	char *cluster_name;      /* ClusterName=, default "leviathan" */
	char *controller_host;   /* ControllerHost= (name used by nodes/CLI) */
	char *controller_addr;   /* ControllerAddr=, default controller_host */
	uint16_t controller_port;/* ControllerPort=, default 6817 */
	uint16_t node_port;      /* NodePort=, default 6818 */
	char *state_dir;         /* StateDir= (lvctld) */
	char *node_state_dir;    /* NodeStateDir=, "%n" is the node name */
	char *acct_storage_loc;  /* AccountingStorageLoc=, default StateDir/acct.db */
	char *log_file;          /* LogFile= (lvctld), NULL = syslog */
	char *node_log_file;     /* NodeLogFile=, "%n" is the node name */
	char *pid_file;          /* PidFile= (lvctld) */
	char *node_pid_file;     /* NodePidFile=, "%n" is the node name */
	char *munge_socket;      /* MungeSocket=, NULL = munge's default */
	char *admin_users;       /* AdminUsers=root,alice */
	char *admin_groups;      /* AdminGroups= */
	char *debug_flags;       /* DebugFlags=Rpc,Auth */
	char *log_level;         /* LogLevel=info|debug|... */
	uint32_t heartbeat_interval; /* HeartbeatInterval= seconds, default 5 */
	uint32_t node_timeout;       /* NodeTimeout= seconds, default 30 */
	uint32_t msg_timeout;        /* MessageTimeout= seconds, default 10 */
	uint32_t client_retry;       /* ClientRetryTime= seconds, default 30 */
	uint32_t kill_wait;          /* KillWait= seconds, default 30 */
	uint32_t max_job_count;      /* MaxJobCount=, default 100000 */
	uint32_t first_job_id;       /* FirstJobId=, default 1 */
	uint32_t mpi_fence_timeout;  /* MpiFenceTimeout= seconds, default 120 */
	bool journal_sync;           /* JournalSync=, default YES (NO: benchmarks only) */
	char *policy_script;         /* PolicyScript= */
	uint32_t policy_instructions;/* PolicyInstructionLimit=, per hook call */
	uint64_t policy_memory_mb;   /* PolicyMemoryLimit=, MB for the Lua state */
	/* Scheduling (docs/scheduling.md): Slurm's names and meaning. */
	uint32_t prio_weight_age;       /* PriorityWeightAge= */
	uint32_t prio_weight_jobsize;   /* PriorityWeightJobSize= */
	uint32_t prio_weight_fairshare; /* PriorityWeightFairshare= */
	uint32_t prio_weight_partition; /* PriorityWeightPartition= */
	uint32_t prio_weight_qos;       /* PriorityWeightQOS= */
	uint32_t prio_max_age;          /* PriorityMaxAge= minutes, 7 days */
	uint32_t prio_half_life;        /* PriorityDecayHalfLife= minutes, 7 days */
	bool prio_favor_small;          /* PriorityFavorSmall= */
	uint32_t prio_calc_period;      /* PriorityCalcPeriod= minutes, 5 */
	uint32_t bf_max_job_test;       /* BackfillMaxJobTest= jobs per cycle */
	uint32_t bf_reserve;            /* BackfillReserve= reserved jobs per partition */
	uint32_t bf_interval;           /* BackfillInterval= seconds */
	char *preempt_type;             /* PreemptType= none|partition_prio|qos */
	char *preempt_mode;             /* PreemptMode= OFF|REQUEUE|CANCEL */
	size_t n_qos;
	struct lv_conf_qos *qos;
	size_t n_accounts;
	struct lv_conf_account *accounts;
	size_t n_nodes;
	struct lv_conf_node *nodes;
	size_t n_partitions;
	struct lv_conf_partition *partitions;
};

/* Parses a configuration file.  Errors name the file and line:
 * "leviathan.conf:12: unknown key 'Foo'".  Returns NULL with err set. */
struct lv_conf *lv_conf_load(const char *path, struct lv_error *err);
/* Parses configuration text (name is used in error messages). */
struct lv_conf *lv_conf_parse(const char *text, const char *name,
			      struct lv_error *err);
void lv_conf_destroy(struct lv_conf *conf);

/* Which file to read: explicit (from --config) if given, else $LV_CONF,
 * else SYSCONFDIR/leviathan.conf.  Returns a borrowed/static string. */
const char *lv_conf_default_path(const char *explicit_path);

/* Node by name, NULL if not configured. */
const struct lv_conf_node *lv_conf_find_node(const struct lv_conf *conf,
					     const char *name);
/* Partition by name, NULL if none; lv_conf_default_partition gives the
 * Default=YES one (or the first). */
const struct lv_conf_partition *
lv_conf_find_partition(const struct lv_conf *conf, const char *name);
const struct lv_conf_partition *
lv_conf_default_partition(const struct lv_conf *conf);

/* QOS and account by name, NULL if not configured (conf_sched.c). */
const struct lv_conf_qos *lv_conf_find_qos(const struct lv_conf *conf,
					   const char *name);
const struct lv_conf_account *
lv_conf_find_account(const struct lv_conf *conf, const char *name);
/* The first account whose Users= lists user, NULL when none. */
const struct lv_conf_account *
lv_conf_user_account(const struct lv_conf *conf, const char *user);
/* True when comma-separated list holds name exactly. */
bool lv_conf_list_has(const char *list, const char *name);

/* Expands "%n" in a per-node template ("/var/spool/lvd/%n").  Caller
 * frees; NULL if tmpl is NULL or on ENOMEM. */
char *lv_conf_expand_node(const char *tmpl, const char *node);

#endif
