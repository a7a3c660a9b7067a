/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lvprio: the priority factors of pending jobs, as sprio shows them. */
#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "common/msg.h"

struct options {
	const char *jobs, *user;
	bool long_format, weights, norm, no_header, json;
};

static void usage(FILE *f)
{
	fputs("Usage: lvprio [OPTIONS]\n"
	      "  -j, --jobs=LIST        only these job ids (comma-separated)\n"
	      "  -u, --user=USER        only this user's jobs\n"
	      "  -l, --long             more columns: user, nice, fixed priority\n"
	      "  -n, --norm             the factors before weighting (0 to 1)\n"
	      "  -w, --weights          the configured weights\n"
	      "  -h, --noheader         no header line\n"
	      "      --json             the controller's answer as JSON\n"
	      "      --config=FILE      configuration file\n"
	      "      --help             this text\n"
	      "      --usage            a short summary\n",
	      f);
}

static void parse_args(struct cli *cli, int argc, char **argv,
		       struct options *o)
{
	enum { OPT_CONFIG = 256, OPT_HELP, OPT_USAGE, OPT_JSON };
	static const struct option longopts[] = {
		{"jobs", required_argument, NULL, 'j'},
		{"user", required_argument, NULL, 'u'},
		{"long", no_argument, NULL, 'l'},
		{"norm", no_argument, NULL, 'n'},
		{"weights", no_argument, NULL, 'w'},
		{"noheader", no_argument, NULL, 'h'},
		{"json", no_argument, NULL, OPT_JSON},
		{"config", required_argument, NULL, OPT_CONFIG},
		{"help", no_argument, NULL, OPT_HELP},
		{"usage", no_argument, NULL, OPT_USAGE},
		{NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":j:u:lnwh", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'j':
			o->jobs = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'l':
			o->long_format = true;
			break;
		case 'n':
			o->norm = true;
			break;
		case 'w':
			o->weights = true;
			break;
		case 'h':
			o->no_header = true;
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
		case OPT_USAGE:
			fputs("Usage: lvprio [-j jobs] [-u user] [-hlnw] [--json]\n",
			      stdout);
			exit(0);
		default:
			cli_bad_option(cli, c, argv);
		}
	}
	cli_no_arguments(cli, argc, argv);
}

static double num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (double)json_integer_value(v)
				  : json_real_value(v);
}

static void header(const struct options *o)
{
	if (o->no_header)
		return;
	printf("%15s %-9s %s%10s %10s %10s %10s %10s %10s%s\n", "JOBID",
	       "PARTITION", o->long_format ? "    USER " : "", "PRIORITY",
	       "AGE", "FAIRSHARE", "JOBSIZE", "PARTITION", "QOS",
	       o->long_format ? "       NICE" : "");
}

static void weights(const json_t *w)
{
	printf("%15s %-9s %10s %10.0f %10.0f %10.0f %10.0f %10.0f\n", "Weights",
	       "", "", num(w, "age"), num(w, "fairshare"), num(w, "jobsize"),
	       num(w, "partition"), num(w, "qos"));
}

static void row(const struct options *o, const json_t *j)
{
	static const char *const weighted[] = {"age", "fairshare", "jobsize",
					       "part_prio", "qos_prio"};
	static const char *const norm[] = {"age_n", "fairshare_n", "jobsize_n",
					   "part_n", "qos_n"};
	const char *const *k = o->norm ? norm : weighted;
	size_t i;

	printf("%15lld %-9.9s ", (long long)num(j, "job_id"),
	       lv_json_str(j, "partition"));
	if (o->long_format)
		printf("%8.8s ", lv_json_str(j, "user"));
	printf("%10lld", (long long)num(j, "priority"));
	for (i = 0; i < 5; i++)
		printf(" %10.*f", o->norm ? 7 : 0, num(j, k[i]));
	if (o->long_format)
		printf(" %10lld%s", (long long)num(j, "nice"),
		       json_is_true(json_object_get(j, "fixed")) ? " (fixed)"
								 : "");
	putchar('\n');
}

int main(int argc, char **argv)
{
	struct cli cli = {.prog = "lvprio"};
	struct options o = {0};
	json_t *reply, *body, *v;
	size_t i;

	parse_args(&cli, argc, argv, &o);
	body = json_pack("{s:o}", "job_ids",
			 o.jobs ? cli_job_ids(&cli, o.jobs, NULL) : json_array());
	if (o.user)
		json_object_set_new(body, "user", json_string(o.user));
	cli_connect(&cli);
	reply = cli_call(&cli, LV_MSG_PRIO_INFO, body);
	if (o.json) {
		cli_print_json(reply);
	} else {
		header(&o);
		if (o.weights)
			weights(json_object_get(reply, "weights"));
		json_array_foreach(json_object_get(reply, "jobs"), i, v)
			row(&o, v);
	}
	json_decref(reply);
	cli_finish(&cli);
	return 0;
}
