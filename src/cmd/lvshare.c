/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lvshare: the fair-share tree, usage and factors, as sshare shows them. */
#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "common/msg.h"

struct options {
	const char *user, *account;
	bool all, no_header, json;
};

static void usage(FILE *f)
{
	fputs("Usage: lvshare [OPTIONS]\n"
	      "  -a, --all              every user's row, not only accounts\n"
	      "  -u, --users=USER       this user's rows (and the accounts)\n"
	      "  -A, --accounts=ACCOUNT only this account's rows\n"
	      "  -n, --noheader         no header line\n"
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
		{"all", no_argument, NULL, 'a'},
		{"users", required_argument, NULL, 'u'},
		{"accounts", required_argument, NULL, 'A'},
		{"noheader", no_argument, NULL, 'n'},
		{"json", no_argument, NULL, OPT_JSON},
		{"config", required_argument, NULL, OPT_CONFIG},
		{"help", no_argument, NULL, OPT_HELP},
		{"usage", no_argument, NULL, OPT_USAGE},
		{NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":au:A:n", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			o->all = true;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'A':
			o->account = optarg;
			break;
		case 'n':
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
			fputs("Usage: lvshare [-an] [-u user] [-A account] [--json]\n",
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

/* sshare's layout: an account indented by its depth in the tree. */
static int depth(const json_t *rows, const json_t *acc, int guard)
{
	const char *parent = lv_json_str(acc, "parent");
	const json_t *p;
	size_t i;

	if (!parent || guard > 32)
		return 0;
	json_array_foreach(rows, i, p) {
		if (!lv_json_str(p, "user") &&
		    !strcmp(lv_json_str(p, "account"), parent))
			return depth(rows, p, guard + 1) + 1;
	}
	return 1;
}

int main(int argc, char **argv)
{
	struct cli cli = {.prog = "lvshare"};
	struct options o = {0};
	json_t *reply, *body = json_object(), *rows, *r;
	char name[64];
	size_t i;

	parse_args(&cli, argc, argv, &o);
	if (o.user)
		json_object_set_new(body, "user", json_string(o.user));
	if (o.account)
		json_object_set_new(body, "account", json_string(o.account));
	json_object_set_new(body, "all_users", json_boolean(o.all));
	cli_connect(&cli);
	reply = cli_call(&cli, LV_MSG_SHARE_INFO, body);
	rows = json_object_get(reply, "rows");
	if (o.json) {
		cli_print_json(reply);
		goto out;
	}
	if (!o.no_header)
		printf("%-20s %-10s %10s %11s %11s %13s %10s\n", "Account",
		       "User", "RawShares", "NormShares", "RawUsage",
		       "EffectvUsage", "FairShare");
	json_array_foreach(rows, i, r) {
		const char *user = lv_json_str(r, "user");
		const char *acc = lv_json_str(r, "account");
		int d = 0;
		const json_t *p;
		size_t k;

		/* Indent an account by its depth; a user by its account's. */
		json_array_foreach(rows, k, p) {
			if (!lv_json_str(p, "user") &&
			    !strcmp(lv_json_str(p, "account"), acc))
				d = depth(rows, p, 0) + (user ? 1 : 0);
		}
		snprintf(name, sizeof(name), "%*s%s", d, "", acc);
		printf("%-20s %-10s %10lld %11.6f %11lld %13.6f %10.6f\n", name,
		       user ? user : "", (long long)num(r, "raw_shares"),
		       num(r, "norm_shares"), (long long)num(r, "raw_usage"),
		       num(r, "effective_usage"), num(r, "fairshare"));
	}
out:
	json_decref(reply);
	cli_finish(&cli);
	return 0;
}
