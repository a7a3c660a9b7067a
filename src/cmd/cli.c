/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared plumbing of the command-line programs. */
#include "config.h"

#include "cmd/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

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

json_t *cli_call(struct cli *cli, uint16_t type, json_t *body)
{
	struct lv_error err = { 0 };
	json_t *reply = cli_try_call(cli, type, body, &err);

	if (!reply)
		cli_die(cli, "%s", err.text);
	return reply;
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
