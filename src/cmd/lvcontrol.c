/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lvcontrol: look at and change the controller's state, like scontrol. */
#include "config.h"

#include <ctype.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cmd/cli.h"
#include "common/msg.h"
#include "common/timefmt.h"

static void usage(FILE *f)
{
	fputs("Usage: lvcontrol [--config=FILE] [--json] COMMAND\n"
	      "Commands:\n"
	      "  ping                          is the controller up?\n"
	      "  show node [NAME]              node details\n"
	      "  show partition [NAME]         partition details\n"
	      "  show job [ID]                 job details (all jobs without ID)\n"
	      "  show policy                   the Lua policy: script, hooks, counters\n"
	      "  show stats                    scheduler statistics (sdiag)\n"
	      "  update NodeName=NODES State=DRAIN|RESUME|DOWN [Reason=TEXT]\n"
	      "  update JobId=ID [TimeLimit=T] [Partition=P] [JobName=N] [Comment=C]\n"
	      "         [Dependency=D] [StartTime=T] [NumNodes=N] [Priority=N]\n"
	      "         [Nice=N] [QOS=Q] [Account=A]\n"
	      "  hold|uhold|release|requeue|requeuehold ID[,ID...]\n"
	      "  reconfigure                   re-read the configuration\n",
	      f);
}

static const char *stamp(json_int_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;

	if (t <= 0)
		return "None";
	strftime(buf, len, "%Y-%m-%dT%H:%M:%S", localtime(&tt));
	return buf;
}

static long long geti(const json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

static void join_array(const json_t *arr, char *buf, size_t len)
{
	const json_t *v;
	size_t i, off = 0;

	buf[0] = '\0';
	json_array_foreach(arr, i, v) {
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0,
					"%s%s", i ? "," : "",
					json_string_value(v));
	}
}

static void show_node(const json_t *n)
{
	char flags[128], parts[256], t1[32], t2[32], t3[32], user[64];
	const char *reason = lv_json_str(n, "reason");
	const char *features = lv_json_str(n, "features");

	join_array(json_object_get(n, "flags"), flags, sizeof(flags));
	join_array(json_object_get(n, "partitions"), parts, sizeof(parts));
	printf("NodeName=%s NodeAddr=%s Port=%lld Version=%s\n",
	       lv_json_str(n, "name"), lv_json_str(n, "addr"), geti(n, "port"),
	       lv_json_str(n, "version") ? lv_json_str(n, "version") : "(null)");
	printf("   CPUAlloc=%lld CPUTot=%lld Sockets=%lld CoresPerSocket=%lld ThreadsPerCore=%lld\n",
	       geti(n, "cpus_alloc"), geti(n, "cpus"), geti(n, "sockets"),
	       geti(n, "cores_per_socket"), geti(n, "threads_per_core"));
	printf("   Topology=%s Gres=gpu:%lld GresUsed=gpu:%lld\n",
	       lv_json_str(n, "topology") ? lv_json_str(n, "topology") : "(null)",
	       geti(n, "gpus"), geti(n, "gpus_alloc"));
	printf("   AvailableFeatures=%s\n", features ? features : "(null)");
	printf("   State=%s%s%s Weight=%lld\n", lv_json_str(n, "state"),
	       flags[0] ? "+" : "", flags, geti(n, "weight"));
	printf("   Partitions=%s\n", parts[0] ? parts : "(null)");
	printf("   RealMemory=%lld AllocMem=%lld\n", geti(n, "real_memory"),
	       geti(n, "alloc_memory"));
	printf("   BootTime=%s LastHeard=%s\n",
	       stamp(geti(n, "boot_time"), t1, sizeof(t1)),
	       stamp(geti(n, "last_heard"), t2, sizeof(t2)));
	if (reason)
		printf("   Reason=%s [%s@%s]\n", reason,
		       cli_user_name(geti(n, "reason_uid"), user, sizeof(user)),
		       stamp(geti(n, "reason_time"), t3, sizeof(t3)));
	printf("\n");
}

static void show_partition(const json_t *p)
{
	char t1[32], t2[32];
	long long maxn = geti(p, "max_nodes");

	printf("PartitionName=%s\n", lv_json_str(p, "name"));
	printf("   Default=%s State=%s PriorityTier=%lld SelectType=%s\n",
	       json_is_true(json_object_get(p, "default")) ? "YES" : "NO",
	       lv_json_str(p, "state"), geti(p, "priority_tier"),
	       lv_json_str(p, "select"));
	printf("   MaxTime=%s DefaultTime=%s MinNodes=%lld MaxNodes=",
	       cli_limit_string(json_object_get(p, "max_time"), t1, sizeof(t1)),
	       cli_limit_string(json_object_get(p, "default_time"), t2, sizeof(t2)),
	       geti(p, "min_nodes"));
	if (maxn)
		printf("%lld\n", maxn);
	else
		printf("UNLIMITED\n");
	printf("   Nodes=%s\n", lv_json_str(p, "nodes"));
	printf("   TotalCPUs=%lld TotalNodes=%lld AllocCPUs=%lld\n\n",
	       geti(p, "total_cpus"), geti(p, "total_nodes"),
	       geti(p, "alloc_cpus"));
}

static void show_hook(const json_t *h)
{
	printf("   Hook=%s Defined=%s Calls=%lld Errors=%lld Timeouts=%lld MeanUs=%.2f\n",
	       lv_json_str(h, "name"),
	       json_is_true(json_object_get(h, "defined")) ? "yes" : "no",
	       geti(h, "calls"), geti(h, "errors"), geti(h, "timeouts"),
	       json_real_value(json_object_get(h, "mean_us")));
}

static void show_policy(const json_t *p)
{
	const json_t *h;
	char t[32];
	size_t i;

	printf("PolicyScript=%s LoadTime=%s\n",
	       lv_json_str(p, "script") ? lv_json_str(p, "script") : "(none)",
	       stamp(geti(p, "load_time"), t, sizeof(t)));
	if (lv_json_str(p, "script"))
		printf("   InstructionLimit=%lld MemoryLimit=%lldK MemoryUsed=%lldK\n",
		       geti(p, "instruction_limit"),
		       geti(p, "memory_limit") / 1024,
		       geti(p, "memory_used") / 1024);
	if (lv_json_str(p, "load_error"))
		printf("   LoadError=%s LoadErrorTime=%s\n      %s\n",
		       lv_json_str(p, "load_error_script"),
		       stamp(geti(p, "load_error_time"), t, sizeof(t)),
		       lv_json_str(p, "load_error"));
	json_array_foreach(json_object_get(p, "hooks"), i, h)
		show_hook(h);
}

static int cmd_ping(struct cli *cli)
{
	struct lv_error err = { 0 };
	json_t *reply;

	cli_load_conf(cli);
	/* A ping answers at once; it does not wait for a restart. */
	cli->client = lv_client_connect(cli->conf->controller_addr,
					cli->conf->controller_port,
					cli->conf->munge_socket,
					(int)cli->conf->msg_timeout * 1000, &err);
	reply = cli->client ? cli_try_call(cli, LV_MSG_PING, json_object(), &err)
			    : NULL;
	if (!reply) {
		printf("lvctld at %s:%u is DOWN (%s)\n", cli->conf->controller_host,
		       (unsigned)cli->conf->controller_port, err.text);
		return 1;
	}
	printf("lvctld at %s:%u is UP (cluster %s, version %s)\n",
	       cli->conf->controller_host, (unsigned)cli->conf->controller_port,
	       lv_json_str(reply, "cluster"), lv_json_str(reply, "version"));
	json_decref(reply);
	return 0;
}

static const char *str_or(const json_t *o, const char *key, const char *dflt)
{
	const char *v = lv_json_str(o, key);

	return v ? v : dflt;
}

static void show_job(const json_t *j, time_t now)
{
	char t[5][32], lim[32], run[32], code[16], user[64];
	const json_t *tl = json_object_get(j, "time_limit"), *st;
	const json_t *aj = json_object_get(j, "array_job_id");
	size_t i;

	(void)now;
	printf("JobId=%lld", geti(j, "job_id"));
	if (json_is_integer(aj)) {
		printf(" ArrayJobId=%lld", geti(j, "array_job_id"));
		if (json_is_integer(json_object_get(j, "array_task_id")))
			printf(" ArrayTaskId=%lld", geti(j, "array_task_id"));
		else
			printf(" ArrayTaskId=%s", str_or(j, "array_task_str", "?"));
	}
	printf(" JobName=%s\n", str_or(j, "name", "(null)"));
	printf("   UserId=%s(%lld) GroupId=%lld Account=%s\n",
	       cli_user_name(geti(j, "uid"), user, sizeof(user)),
	       geti(j, "uid"), geti(j, "gid"), str_or(j, "account", "(null)"));
	printf("   Priority=%lld JobState=%s Reason=%s Dependency=%s\n",
	       geti(j, "priority"), str_or(j, "state", "?"),
	       str_or(j, "reason", "None"), str_or(j, "dependency", "(null)"));
	snprintf(code, sizeof(code), "%s", str_or(j, "exit_code", "0:0"));
	printf("   Requeue=%d Restarts=%lld BatchFlag=%d ExitCode=%s\n",
	       json_is_true(json_object_get(j, "requeue")), geti(j, "restarts"),
	       !strcmp(str_or(j, "kind", "batch"), "batch"), code);
	lv_time_format((uint32_t)geti(j, "time_used"), run, sizeof(run));
	printf("   RunTime=%s TimeLimit=%s\n", run,
	       json_is_integer(tl) ? cli_limit_string(tl, lim, sizeof(lim)) : "UNLIMITED");
	printf("   SubmitTime=%s EligibleTime=%s\n",
	       stamp(geti(j, "submit_time"), t[0], sizeof(t[0])),
	       stamp(geti(j, "eligible_time"), t[1], sizeof(t[1])));
	printf("   StartTime=%s EndTime=%s\n",
	       stamp(geti(j, "start_time"), t[2], sizeof(t[2])),
	       stamp(geti(j, "end_time"), t[3], sizeof(t[3])));
	printf("   Partition=%s\n", str_or(j, "partition", "(null)"));
	printf("   NodeList=%s BatchHost=%s\n", str_or(j, "nodes", "(null)"),
	       str_or(j, "batch_host", "(null)"));
	printf("   NumNodes=%lld NumCPUs=%lld NumTasks=%lld CPUs/Task=%lld MinMemory=%lldM\n",
	       geti(j, "num_nodes"), geti(j, "num_cpus"), geti(j, "num_tasks"),
	       geti(j, "cpus_per_task"), geti(j, "min_memory"));
	/* Slurm's per-node detail: the CPUs (logical ids) and memory. */
	json_array_foreach(json_object_get(j, "alloc"), i, st)
		printf("     Nodes=%s CPU_IDs=%s Mem=%lld GRES=%s\n",
		       str_or(st, "name", "?"), str_or(st, "cpu_ids", ""),
		       geti(st, "mem"), str_or(st, "gres", ""));
	printf("   Command=%s\n", str_or(j, "command", "(null)"));
	printf("   WorkDir=%s\n", str_or(j, "work_dir", "(null)"));
	printf("   StdOut=%s StdErr=%s StdIn=%s\n", str_or(j, "stdout", "lv-%j.out"),
	       str_or(j, "stderr", str_or(j, "stdout", "lv-%j.out")),
	       str_or(j, "stdin", "/dev/null"));
	if (lv_json_str(j, "comment"))
		printf("   Comment=%s\n", lv_json_str(j, "comment"));
	json_array_foreach(json_object_get(j, "steps"), i, st) {
		printf("   Step %lld.%lld Name=%s NumTasks=%lld NodeList=%s State=%s Start=%s\n",
		       geti(j, "job_id"), geti(st, "step_id"), str_or(st, "name", "?"),
		       geti(st, "ntasks"), str_or(st, "nodes", "?"),
		       json_is_true(json_object_get(st, "ended")) ? "ENDED" : "RUNNING",
		       stamp(geti(st, "start_time"), t[4], sizeof(t[4])));
	}
	printf("\n");
}

/* Parses "12" or "12,13" into a JSON array of ids; dies on bad input. */
static json_t *parse_ids(struct cli *cli, const char *text)
{
	json_t *ids = json_array();
	const char *p = text;
	char *end;
	unsigned long v;

	while (*p) {
		v = strtoul(p, &end, 10);
		if (end == p || v == 0 || v > UINT32_MAX || (*end && *end != ','))
			cli_die(cli, "Invalid job id specified: %s", text);
		json_array_append_new(ids, json_integer((json_int_t)v));
		p = *end ? end + 1 : end;
	}
	if (!json_array_size(ids))
		cli_die(cli, "Invalid job id specified: %s", text);
	return ids;
}

static json_t *show_jobs(struct cli *cli, const char *id, bool json)
{
	json_t *q = json_object(), *reply, *list, *v;
	size_t i;

	if (id)
		json_object_set_new(q, "job_ids", parse_ids(cli, id));
	json_object_set_new(q, "alloc", json_true()); /* CPU_IDs per node */
	reply = cli_call(cli, LV_MSG_JOB_INFO, q);
	list = json_object_get(reply, "jobs");
	if (id && !json_array_size(list))
		cli_die(cli, "Invalid job id specified");
	if (json)
		cli_print_json(list);
	else if (!json_array_size(list))
		printf("No jobs in the system\n");
	else
		json_array_foreach(list, i, v) show_job(v, time(NULL));
	return reply;
}

static double getf(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (double)json_integer_value(v)
				  : json_real_value(v);
}

/* sdiag's scheduler sections. */
static void show_stats(const json_t *r)
{
	const json_t *m = json_object_get(r, "main");
	const json_t *b = json_object_get(r, "backfill");

	printf("Jobs in the table:   %lld (active %lld)\n",
	       (long long)getf(r, "jobs"), (long long)getf(r, "jobs_active"));
	printf("Main schedule statistics (microseconds):\n");
	printf("\tFull passes:         %lld\n", (long long)getf(m, "full_passes"));
	printf("\tNew-job passes:      %lld\n", (long long)getf(m, "new_passes"));
	printf("\tLast cycle:          %.0f (wall), %.0f (cpu)\n",
	       getf(m, "last_us"), getf(m, "last_cpu_us"));
	printf("\tMax cycle:           %.0f\n", getf(m, "max_us"));
	printf("\tMean cycle:          %.0f\n", getf(m, "mean_us"));
	printf("\tLast queue length:   %lld\n", (long long)getf(m, "last_depth"));
	printf("\tJobs started:        %lld\n", (long long)getf(m, "started"));
	printf("Backfilling stats (microseconds)\n");
	printf("\tTotal backfilled jobs: %lld\n",
	       (long long)getf(b, "total_started"));
	printf("\tTotal cycles:        %lld\n", (long long)getf(b, "cycles"));
	printf("\tLast cycle:          %.0f (busy), %.0f (cpu), %.0f (wall)\n",
	       getf(b, "last_cycle_us"), getf(b, "last_cpu_us"),
	       getf(b, "last_wall_us"));
	printf("\tMax cycle:           %.0f\n", getf(b, "max_cycle_us"));
	printf("\tLast depth cycle:    %lld\n", (long long)getf(b, "last_depth"));
	printf("\tLast depth cycle (try sched): %lld\n",
	       (long long)getf(b, "last_tested"));
	printf("\tLast cycle started:  %lld\n",
	       (long long)getf(b, "last_started"));
	printf("\tLast reservations:   %lld\n",
	       (long long)getf(b, "last_reservations"));
	printf("\tCycle running:       %s\n",
	       json_is_true(json_object_get(b, "active")) ? "yes" : "no");
}

static int cmd_show(struct cli *cli, int argc, char **argv, bool json)
{
	const char *what, *name;
	json_t *reply, *list, *v;
	size_t i;

	if (argc < 1)
		cli_die(cli, "show: what? (node, partition)");
	what = argv[0];
	name = argc > 1 ? argv[1] : NULL;
	if (!strncasecmp(what, "nodes", strlen(what)) ||
	    !strcasecmp(what, "NodeName")) {
		reply = cli_call(cli, LV_MSG_NODE_INFO,
				 name ? json_pack("{s:s}", "nodes", name)
				      : json_object());
		list = json_object_get(reply, "nodes");
		if (name && !json_array_size(list))
			cli_die(cli, "node %s not found", name);
		if (json)
			cli_print_json(list);
		else
			json_array_foreach(list, i, v) show_node(v);
	} else if (!strncasecmp(what, "partitions", strlen(what)) ||
		   !strcasecmp(what, "PartitionName")) {
		reply = cli_call(cli, LV_MSG_PART_INFO,
				 name ? json_pack("{s:s}", "name", name)
				      : json_object());
		list = json_object_get(reply, "partitions");
		if (json)
			cli_print_json(list);
		else
			json_array_foreach(list, i, v) show_partition(v);
	} else if (!strncasecmp(what, "policy", strlen(what)) &&
		   strlen(what) >= 2) {
		reply = cli_call(cli, LV_MSG_POLICY_INFO, json_object());
		if (json)
			cli_print_json(reply);
		else
			show_policy(reply);
	} else if (!strncasecmp(what, "jobs", strlen(what)) ||
		   !strcasecmp(what, "JobId")) {
		reply = show_jobs(cli, name, json);
	} else if (!strcasecmp(what, "stats")) {
		reply = cli_call(cli, LV_MSG_SCHED_STATS, json_object());
		if (json)
			cli_print_json(reply);
		else
			show_stats(reply);
	} else {
		cli_die(cli,
			"show: unknown entity '%s' (use node, partition, job, policy or stats)",
			what);
	}
	json_decref(reply);
	return 0;
}

static int cmd_job_action(struct cli *cli, const char *action, int argc,
			  char **argv)
{
	json_t *ids, *v;
	char lower[16];
	size_t i;
	int rc = 0;

	for (i = 0; action[i] && i < sizeof(lower) - 1; i++)
		lower[i] = (char)tolower((unsigned char)action[i]);
	lower[i] = '\0';
	action = lower;
	if (argc < 1)
		cli_die(cli, "%s: which job?", action);
	ids = parse_ids(cli, argv[0]);
	json_array_foreach(ids, i, v) {
		struct lv_error err = { 0 };
		json_t *r = cli_try_call(cli, LV_MSG_JOB_UPDATE,
					 json_pack("{s:O, s:s}", "job_id", v,
						   "action", action), &err);

		if (!r) {
			fprintf(stderr, "lvcontrol: error: job %lld: %s\n",
				(long long)json_integer_value(v), err.text);
			rc = 1;
		}
		json_decref(r);
	}
	json_decref(ids);
	return rc;
}

static void set_job_field(struct cli *cli, json_t *set, const char *key,
			  size_t klen, const char *val)
{
	struct lv_error err = { 0 };
	uint32_t mins;
	int64_t when;
	char *end;

	if (klen == 9 && !strncasecmp(key, "TimeLimit", 9)) {
		if (lv_time_parse_minutes(val, &mins, &err) < 0)
			cli_die(cli, "Invalid TimeLimit '%s': %s", val, err.text);
		json_object_set_new(set, "time_limit", mins == LV_TIME_UNLIMITED
								? json_null()
								: json_integer(mins));
	} else if (klen == 9 && !strncasecmp(key, "Partition", 9)) {
		json_object_set_new(set, "partition", json_string(val));
	} else if ((klen == 7 && !strncasecmp(key, "JobName", 7)) ||
		   (klen == 4 && !strncasecmp(key, "Name", 4))) {
		json_object_set_new(set, "name", json_string(val));
	} else if (klen == 7 && !strncasecmp(key, "Comment", 7)) {
		json_object_set_new(set, "comment", json_string(val));
	} else if (klen == 10 && !strncasecmp(key, "Dependency", 10)) {
		json_object_set_new(set, "dependency", json_string(val));
	} else if (klen == 9 && !strncasecmp(key, "StartTime", 9)) {
		if (lv_begin_parse(val, time(NULL), &when, &err) < 0)
			cli_die(cli, "Invalid StartTime '%s': %s", val, err.text);
		json_object_set_new(set, "begin", json_integer(when));
	} else if (klen == 8 && !strncasecmp(key, "NumNodes", 8)) {
		unsigned long n = strtoul(val, &end, 10);

		if (*end || n == 0)
			cli_die(cli, "Invalid NumNodes '%s'", val);
		json_object_set_new(set, "nodes_min", json_integer((json_int_t)n));
	} else if ((klen == 8 && !strncasecmp(key, "Priority", 8)) ||
		   (klen == 4 && !strncasecmp(key, "Nice", 4))) {
		long long n = strtoll(val, &end, 10);

		if (*end || !*val || (klen == 8 && n < 0))
			cli_die(cli, "Invalid %.*s '%s'", (int)klen, key, val);
		json_object_set_new(set, klen == 8 ? "priority" : "nice",
				    json_integer(n));
	} else if (klen == 3 && !strncasecmp(key, "QOS", 3)) {
		json_object_set_new(set, "qos", json_string(val));
	} else if (klen == 7 && !strncasecmp(key, "Account", 7)) {
		json_object_set_new(set, "account", json_string(val));
	} else {
		cli_die(cli, "update: unknown job field '%.*s'", (int)klen, key);
	}
}

static int cmd_update_job(struct cli *cli, int argc, char **argv)
{
	json_t *set = json_object(), *ids = NULL, *v, *r;
	size_t idx;
	int i, rc = 0;

	for (i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		size_t klen;

		if (!eq || eq == argv[i])
			cli_die(cli, "update: '%s' is not Key=Value", argv[i]);
		klen = (size_t)(eq - argv[i]);
		if ((klen == 5 && !strncasecmp(argv[i], "JobId", 5)))
			ids = parse_ids(cli, eq + 1);
		else
			set_job_field(cli, set, argv[i], klen, eq + 1);
	}
	if (!ids)
		cli_die(cli, "update: JobId= is required");
	if (!json_object_size(set))
		cli_die(cli, "update: nothing to change");
	json_array_foreach(ids, idx, v) {
		struct lv_error err = { 0 };

		r = cli_try_call(cli, LV_MSG_JOB_UPDATE,
				 json_pack("{s:O, s:s, s:O}", "job_id", v, "action",
					   "update", "set", set), &err);
		if (!r) {
			fprintf(stderr, "lvcontrol: error: job %lld: %s\n",
				(long long)json_integer_value(v), err.text);
			rc = 1;
		}
		json_decref(r);
	}
	json_decref(ids);
	json_decref(set);
	return rc;
}

/* update Key=Value ...: nodes or jobs. */
static int cmd_update(struct cli *cli, int argc, char **argv)
{
	json_t *body, *reply;
	bool is_node = false;
	int i;

	if (argc < 1)
		cli_die(cli, "update: nothing to update");
	for (i = 0; i < argc; i++)
		if (!strncasecmp(argv[i], "JobId=", 6))
			return cmd_update_job(cli, argc, argv);
	body = json_object();
	for (i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		size_t klen;

		if (!eq || eq == argv[i])
			cli_die(cli, "update: '%s' is not Key=Value", argv[i]);
		klen = (size_t)(eq - argv[i]);
		if (klen == 8 && !strncasecmp(argv[i], "NodeName", 8)) {
			is_node = true;
			json_object_set_new(body, "nodes", json_string(eq + 1));
		} else if (klen == 5 && !strncasecmp(argv[i], "State", 5)) {
			json_object_set_new(body, "state", json_string(eq + 1));
		} else if (klen == 6 && !strncasecmp(argv[i], "Reason", 6)) {
			json_object_set_new(body, "reason", json_string(eq + 1));
		} else {
			cli_die(cli, "update: unknown key '%.*s'", (int)klen, argv[i]);
		}
	}
	if (!is_node)
		cli_die(cli, "update: name what to update (NodeName=...)");
	if (!json_object_get(body, "state"))
		cli_die(cli, "update: State= is required");
	reply = cli_call(cli, LV_MSG_NODE_UPDATE, body);
	json_decref(reply);
	return 0;
}

int main(int argc, char **argv)
{
	enum { OPT_CONFIG = 256, OPT_JSON, OPT_HELP };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = { .prog = "lvcontrol" };
	bool json = false;
	const char *cmd;
	int c, rc = 0;

	/* Stop at the command so its Key=Value words are left alone. */
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_CONFIG:
			cli.conf_path = optarg;
			break;
		case OPT_JSON:
			json = true;
			break;
		case OPT_HELP:
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 1;
	}
	cmd = argv[optind++];
	if (!strcasecmp(cmd, "ping"))
		rc = cmd_ping(&cli);
	else if (!strcasecmp(cmd, "show"))
		rc = cmd_show(&cli, argc - optind, argv + optind, json);
	else if (!strcasecmp(cmd, "update"))
		rc = cmd_update(&cli, argc - optind, argv + optind);
	else if (!strcasecmp(cmd, "hold") || !strcasecmp(cmd, "uhold") ||
		 !strcasecmp(cmd, "release") || !strcasecmp(cmd, "requeue") ||
		 !strcasecmp(cmd, "requeuehold"))
		rc = cmd_job_action(&cli, cmd, argc - optind, argv + optind);
	else if (!strcasecmp(cmd, "reconfigure")) {
		json_t *r = cli_call(&cli, LV_MSG_RECONFIGURE, json_object());

		if (lv_json_str(r, "policy_error"))
			fprintf(stderr,
				"lvcontrol: warning: policy script not loaded, the previous one stays active: %s\n",
				lv_json_str(r, "policy_error"));
		json_decref(r);
	} else {
		cli_die(&cli, "unknown command '%s'", cmd);
	}
	cli_finish(&cli);
	return rc;
}
