/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lvcontrol: look at and change the controller's state, like scontrol. */
#include "config.h"

#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cmd/cli.h"
#include "common/msg.h"

static void usage(FILE *f)
{
	fputs("Usage: lvcontrol [--config=FILE] [--json] COMMAND\n"
	      "Commands:\n"
	      "  ping                          is the controller up?\n"
	      "  show node [NAME]              node details\n"
	      "  show partition [NAME]         partition details\n"
	      "  update NodeName=NODES State=DRAIN|RESUME|DOWN [Reason=TEXT]\n"
	      "  reconfigure                   re-read the configuration\n",
	      f);
}

static const char *user_name(json_int_t uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid((uid_t)uid);

	if (pw)
		snprintf(buf, len, "%s", pw->pw_name);
	else
		snprintf(buf, len, "%lld", (long long)uid);
	return buf;
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
	printf("   Topology=%s Gres=gpu:%lld\n",
	       lv_json_str(n, "topology") ? lv_json_str(n, "topology") : "(null)",
	       geti(n, "gpus"));
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
		       user_name(geti(n, "reason_uid"), user, sizeof(user)),
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
	} else {
		cli_die(cli, "show: unknown entity '%s' (use node or partition)",
			what);
	}
	json_decref(reply);
	return 0;
}

/* update Key=Value ...: only node updates exist so far. */
static int cmd_update(struct cli *cli, int argc, char **argv)
{
	json_t *body = json_object(), *reply;
	bool is_node = false;
	int i;

	if (argc < 1)
		cli_die(cli, "update: nothing to update");
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
	else if (!strcasecmp(cmd, "reconfigure")) {
		json_decref(cli_call(&cli, LV_MSG_RECONFIGURE, json_object()));
	} else {
		cli_die(&cli, "unknown command '%s'", cmd);
	}
	cli_finish(&cli);
	return rc;
}
