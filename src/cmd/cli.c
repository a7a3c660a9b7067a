/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared plumbing of the command-line programs. */
#include "config.h"

#include "cmd/cli.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/timefmt.h"

void cli_die(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: error: ", cli->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* The hint that ends every complaint about the command line. */
__attribute__((noreturn)) static void try_help(const struct cli *cli)
{
	fprintf(stderr, "Try \"%s --help\" for more information\n", cli->prog);
	exit(1);
}

void cli_bad_option(const struct cli *cli, int c, char **argv)
{
	if (c == ':')
		fprintf(stderr, "%s: error: option '%s' requires an argument\n",
			cli->prog, argv[optind - 1]);
	else if (optopt > 0 && optopt < 128 && isprint(optopt))
		fprintf(stderr, "%s: error: invalid option -- '%c'\n",
			cli->prog, optopt);
	else
		fprintf(stderr, "%s: error: unrecognized option '%s'\n",
			cli->prog, argv[optind - 1]);
	try_help(cli);
}

void cli_no_arguments(const struct cli *cli, int argc, char **argv)
{
	if (optind < argc)
		cli_die(cli, "unrecognized argument '%s'", argv[optind]);
}

void cli_jobopt_error(const struct cli *cli, const struct lv_error *err)
{
	if (err->code != -ENOENT)
		cli_die(cli, "%s", err->text);
	fprintf(stderr, "%s: %s\n", cli->prog, err->text);
	try_help(cli);
}

void cli_jobopt_action(enum jobopt_action action, enum jobopt_prog prog,
		       const char *const *more_help)
{
	switch (action) {
	case JOBOPT_HELP:
		jobopt_print_help(stdout, prog);
		for (; more_help && *more_help; more_help++)
			printf("%s\n", *more_help);
		exit(0);
	case JOBOPT_USAGE:
		jobopt_print_usage(stdout, prog);
		exit(0);
	case JOBOPT_VERSION:
		printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		exit(0);
	default:
		break;
	}
}

void cli_load_conf(struct cli *cli)
{
	struct lv_error err = { 0 };

	if (!(cli->conf = lv_conf_load(lv_conf_default_path(cli->conf_path),
				       &err)))
		cli_die(cli, "%s", err.text);
}

void cli_connect(struct cli *cli)
{
	struct lv_error err = { 0 };

	if (!cli->conf)
		cli_load_conf(cli);
	if (!(cli->client = lv_client_connect_ctld(cli->conf, false, &err)))
		cli_die(cli, "%s", err.text);
}

json_t *cli_try_call(struct cli *cli, uint16_t type, json_t *body,
		     struct lv_error *err)
{
	json_t *reply = NULL;

	if (!cli->client)
		cli_connect(cli);
	if (lv_client_call(cli->client, type, body,
			   (int)cli->conf->msg_timeout * 1000 * 6, &reply,
			   err) < 0)
		return NULL;
	return reply;
}

json_t *cli_try_call_again(struct cli *cli, uint16_t type, json_t *body,
			   struct lv_error *err)
{
	struct lv_client *fresh;
	json_t *reply;

	json_incref(body);
	reply = cli_try_call(cli, type, body, err);
	if (reply || (err->code != -ECONNRESET && err->code != -EPIPE)) {
		json_decref(body);
		return reply;
	}
	if (!(fresh = lv_client_connect_ctld(cli->conf, false, err))) {
		json_decref(body);
		return NULL;
	}
	lv_client_destroy(cli->client);
	cli->client = fresh;
	memset(err, 0, sizeof(*err));
	return cli_try_call(cli, type, body, err);
}

json_t *cli_call(struct cli *cli, uint16_t type, json_t *body)
{
	struct lv_error err = { 0 };
	json_t *reply = cli_try_call(cli, type, body, &err);

	if (!reply)
		cli_die(cli, "%s", err.text);
	return reply;
}

json_t *cli_job_ids(const struct cli *cli, const char *list,
		    const char *suffixes)
{
	json_t *ids = json_array();
	char *copy = strdup(list), *tok, *save = NULL, *end;
	unsigned long long id;

	if (!copy || !ids)
		cli_die(cli, "out of memory");
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		errno = 0;
		id = strtoull(tok, &end, 10);
		if (errno || end == tok || id < 1 || id > UINT32_MAX ||
		    (*end && !(suffixes && strchr(suffixes, *end))))
			cli_die(cli, "Invalid job id: %s", tok);
		json_array_append_new(ids, json_integer((json_int_t)id));
	}
	free(copy);
	return ids;
}

void cli_finish(struct cli *cli)
{
	lv_client_destroy(cli->client);
	lv_conf_destroy(cli->conf);
	cli->client = NULL;
	cli->conf = NULL;
}

void cli_print_json(const json_t *value)
{
	json_dumpf(value, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	fputc('\n', stdout);
}

const char *cli_limit_string(const json_t *minutes, char *buf, size_t len)
{
	json_int_t m;

	if (!json_is_integer(minutes))
		return "infinite";
	m = json_integer_value(minutes);
	return lv_time_format((uint32_t)(m * 60), buf, len);
}

const char *cli_user_name(json_int_t uid, char *buf, size_t len)
{
	const struct passwd *pw = getpwuid((uid_t)uid);

	if (pw)
		snprintf(buf, len, "%s", pw->pw_name);
	else
		snprintf(buf, len, "%lld", (long long)uid);
	return buf;
}
