/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lvinfo: partitions and nodes, as sinfo shows them. */
#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cmd/cli.h"
#include "common/hostlist.h"
#include "common/msg.h"

struct options {
	bool node_oriented; /* -N */
	bool long_format;   /* -l */
	bool no_header;     /* -h */
	bool reasons;       /* -R */
	bool json;
	const char *partition;
	const char *nodes;
	const char *states; /* -t: comma list of state names */
};

static void usage(FILE *f)
{
	fputs("Usage: lvinfo [OPTIONS]\n"
	      "  -N, --Node            one line per node\n"
	      "  -l, --long            more columns\n"
	      "  -h, --noheader        no header line\n"
	      "  -p, --partition=PART  only this partition\n"
	      "  -n, --nodes=NODES     only these nodes (hostlist)\n"
	      "  -t, --states=STATES   only nodes in these states (idle,down,...)\n"
	      "  -R, --list-reasons    why nodes are down or drained\n"
	      "      --json            the controller's data as JSON\n"
	      "      --config=FILE     configuration file\n"
	      "      --help            this text\n",
	      f);
}

static void parse_args(struct cli *cli, int argc, char **argv,
		       struct options *o)
{
	enum { OPT_JSON = 256, OPT_CONFIG, OPT_HELP };
	static const struct option longopts[] = {
		{ "Node", no_argument, NULL, 'N' },
		{ "long", no_argument, NULL, 'l' },
		{ "noheader", no_argument, NULL, 'h' },
		{ "partition", required_argument, NULL, 'p' },
		{ "nodes", required_argument, NULL, 'n' },
		{ "states", required_argument, NULL, 't' },
		{ "list-reasons", no_argument, NULL, 'R' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "Nlhp:n:t:R", longopts, NULL)) != -1) {
		switch (c) {
		case 'N':
			o->node_oriented = true;
			break;
		case 'l':
			o->long_format = true;
			break;
		case 'h':
			o->no_header = true;
			break;
		case 'p':
			o->partition = optarg;
			break;
		case 'n':
			o->nodes = optarg;
			break;
		case 't':
			o->states = optarg;
			break;
		case 'R':
			o->reasons = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_CONFIG:
			cli->conf_path = optarg;
			break;
		case OPT_HELP:
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(1);
		}
	}
	cli_no_arguments(cli, argc, argv);
}

/* Base state name without flags ("idle" from "idle*"). */
static bool state_selected(const struct options *o, const char *state_str)
{
	char base[32];
	const char *p;
	size_t len;

	if (!o->states)
		return true;
	snprintf(base, sizeof(base), "%s", state_str);
	base[strcspn(base, "*~#")] = '\0';
	for (p = o->states; *p;) {
		len = strcspn(p, ",");
		if (strlen(base) == len && strncasecmp(p, base, len) == 0)
			return true;
		if (len == 5 && strncasecmp(p, "alloc", 5) == 0 &&
		    strcmp(base, "alloc") == 0)
			return true;
		p += len + (p[len] == ',');
	}
	return false;
}

static bool node_in_partition(const json_t *node, const char *part)
{
	const json_t *parts = json_object_get(node, "partitions");
	const json_t *v;
	size_t i;

	json_array_foreach(parts, i, v) {
		if (strcmp(json_string_value(v), part) == 0)
			return true;
	}
	return false;
}

/* One output line per (partition, state): the nodes in that state. */
static void print_partitions(const struct options *o, const json_t *parts,
			     const json_t *nodes)
{
	const json_t *p, *n;
	size_t i, j, k;
	char limit[32], pname[64];

	if (!o->no_header)
		printf(o->long_format ?
		       "PARTITION AVAIL  TIMELIMIT   JOB_SIZE  NODES       STATE NODELIST\n" :
		       "PARTITION AVAIL  TIMELIMIT  NODES  STATE NODELIST\n");
	json_array_foreach(parts, i, p) {
		const char *name = lv_json_str(p, "name");
		json_t *groups = json_object(); /* state -> hostlist */
		const char *st;
		json_t *hl_names;

		if (o->partition && strcmp(o->partition, name))
			goto next;
		snprintf(pname, sizeof(pname), "%s%s", name,
			 json_is_true(json_object_get(p, "default")) ? "*" : "");
		/* Keep node order; one group per state string. */
		json_array_foreach(nodes, j, n) {
			if (!node_in_partition(n, name) ||
			    !state_selected(o, lv_json_str(n, "state_str")))
				continue;
			st = lv_json_str(n, "state_str");
			if (!(hl_names = json_object_get(groups, st))) {
				hl_names = json_array();
				json_object_set_new(groups, st, hl_names);
			}
			json_array_append(hl_names, json_object_get(n, "name"));
		}
		if (json_object_size(groups) == 0 && !o->states)
			printf("%-9s %5s %10s %6d %6s %s\n", pname,
			       strcmp(lv_json_str(p, "state"), "UP") ? "down" : "up",
			       cli_limit_string(json_object_get(p, "max_time"),
						limit, sizeof(limit)),
			       0, "n/a", "");
		json_object_foreach(groups, st, hl_names) {
			struct lv_hostlist *hl = lv_hostlist_create("", NULL);
			char *ranged;

			json_array_foreach(hl_names, k, n)
				lv_hostlist_push(hl, json_string_value(n));
			ranged = lv_hostlist_ranged_string(hl);
			if (o->long_format)
				printf("%-9s %5s %10s %10s %6zu %11s %s\n", pname,
				       strcmp(lv_json_str(p, "state"), "UP") ? "down" : "up",
				       cli_limit_string(json_object_get(p, "max_time"),
							limit, sizeof(limit)),
				       "1-infinite", json_array_size(hl_names), st,
				       ranged ? ranged : "");
			else
				printf("%-9s %5s %10s %6zu %6s %s\n", pname,
				       strcmp(lv_json_str(p, "state"), "UP") ? "down" : "up",
				       cli_limit_string(json_object_get(p, "max_time"),
							limit, sizeof(limit)),
				       json_array_size(hl_names), st,
				       ranged ? ranged : "");
			free(ranged);
			lv_hostlist_destroy(hl);
		}
next:
		json_decref(groups);
	}
}

static const char *default_partition(const json_t *parts)
{
	const json_t *p;
	size_t i;

	json_array_foreach(parts, i, p) {
		if (json_is_true(json_object_get(p, "default")))
			return lv_json_str(p, "name");
	}
	return NULL;
}

/* sinfo -N: one line per node and partition. */
static void print_nodes(const struct options *o, const json_t *parts,
			const json_t *nodes)
{
	const char *defpart = default_partition(parts);
	const json_t *n, *pl, *pv;
	char pname[64], sct[32];
	size_t i, j;
	time_t now = time(NULL);
	char stamp[64];

	if (o->long_format) {
		strftime(stamp, sizeof(stamp), "%a %b %d %H:%M:%S %Y",
			 localtime(&now));
		printf("%s\n", stamp);
	}
	if (!o->no_header)
		printf(o->long_format ?
		       "NODELIST   NODES PARTITION       STATE CPUS    S:C:T MEMORY TMP_DISK WEIGHT AVAIL_FE REASON              \n" :
		       "NODELIST   NODES PARTITION STATE \n");
	json_array_foreach(nodes, i, n) {
		const char *st = lv_json_str(n, "state_str");
		const char *features = lv_json_str(n, "features");
		const char *reason = lv_json_str(n, "reason");

		if (!state_selected(o, st))
			continue;
		pl = json_object_get(n, "partitions");
		json_array_foreach(pl, j, pv) {
			const char *part = json_string_value(pv);

			if (o->partition && strcmp(o->partition, part))
				continue;
			snprintf(pname, sizeof(pname), "%s%s", part,
				 defpart && !strcmp(defpart, part) ? "*" : "");
			if (!o->long_format) {
				printf("%-10s %5d %9s %-6s\n", lv_json_str(n, "name"), 1,
				       pname, st);
				continue;
			}
			snprintf(sct, sizeof(sct), "%lld:%lld:%lld",
				 (long long)json_integer_value(json_object_get(n, "sockets")),
				 (long long)json_integer_value(json_object_get(n, "cores_per_socket")),
				 (long long)json_integer_value(json_object_get(n, "threads_per_core")));
			printf("%-10s %5d %9s %11s %-4lld %8s %6lld %8d %6lld %8s %-20s\n",
			       lv_json_str(n, "name"), 1, pname, st,
			       (long long)json_integer_value(json_object_get(n, "cpus")),
			       sct,
			       (long long)json_integer_value(json_object_get(n, "real_memory")),
			       0,
			       (long long)json_integer_value(json_object_get(n, "weight")),
			       features ? features : "(null)",
			       reason ? reason : "none");
		}
	}
}

/* sinfo -R: REASON USER TIMESTAMP NODELIST for down/drained nodes. */
static void print_reasons(const struct options *o, const json_t *nodes)
{
	const json_t *n;
	size_t i;
	char stamp[32];

	if (!o->no_header)
		printf("%-20s %-9s %-19s %s\n", "REASON", "USER", "TIMESTAMP",
		       "NODELIST");
	json_array_foreach(nodes, i, n) {
		const char *reason = lv_json_str(n, "reason");
		time_t t = (time_t)json_integer_value(json_object_get(n, "reason_time"));
		json_int_t uid = json_integer_value(json_object_get(n, "reason_uid"));
		char user[32];

		if (!reason)
			continue;
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", localtime(&t));
		printf("%-20s %-9s %-19s %s\n", reason,
		       cli_user_name(uid, user, sizeof(user)), stamp,
		       lv_json_str(n, "name"));
	}
}

static bool has_partition(const json_t *parts, const char *name)
{
	const json_t *p;
	size_t i;

	json_array_foreach(parts, i, p) {
		if (!strcmp(lv_json_str(p, "name"), name))
			return true;
	}
	return false;
}

int main(int argc, char **argv)
{
	struct cli cli = { .prog = "lvinfo" };
	struct options o = { 0 };
	json_t *nreply, *preply, *body;

	parse_args(&cli, argc, argv, &o);
	cli_connect(&cli);
	body = o.nodes ? json_pack("{s:s}", "nodes", o.nodes) : json_object();
	nreply = cli_call(&cli, LV_MSG_NODE_INFO, body);
	preply = cli_call(&cli, LV_MSG_PART_INFO, json_object());
	if (o.partition && !has_partition(json_object_get(preply, "partitions"),
					  o.partition))
		cli_die(&cli, "no partition named %s", o.partition);
	if (o.json) {
		json_t *all = json_pack("{s:O, s:O}", "nodes",
					json_object_get(nreply, "nodes"),
					"partitions",
					json_object_get(preply, "partitions"));
		cli_print_json(all);
		json_decref(all);
	} else if (o.reasons) {
		print_reasons(&o, json_object_get(nreply, "nodes"));
	} else if (o.node_oriented) {
		print_nodes(&o, json_object_get(preply, "partitions"),
			    json_object_get(nreply, "nodes"));
	} else {
		print_partitions(&o, json_object_get(preply, "partitions"),
				 json_object_get(nreply, "nodes"));
	}
	json_decref(nreply);
	json_decref(preply);
	cli_finish(&cli);
	return 0;
}
