/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every command-line program shares: finding the configuration,
 * talking to the controller, and reporting errors the same way. */
#ifndef LV_CMD_CLI_H
#define LV_CMD_CLI_H

#include <jansson.h>
#include <stdint.h>

#include "common/client.h"
#include "common/conf.h"

struct cli {
	const char *prog;       /* "lvinfo", used in messages */
	const char *conf_path;  /* --config, or NULL */
	struct lv_conf *conf;
	struct lv_client *client;
};

/* Prints "prog: error: ..." to stderr and exits with status 1. */
void cli_die(const struct cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/* Loads the configuration (--config, $LV_CONF, sysconfdir) or dies. */
void cli_load_conf(struct cli *cli);
/* Connects to the controller (retrying while it is down) or dies. */
void cli_connect(struct cli *cli);
/* One request to the controller; dies with the server's message on
 * error.  Takes ownership of body; the reply belongs to the caller. */
json_t *cli_call(struct cli *cli, uint16_t type, json_t *body);
/* As cli_call, but returns NULL and fills err instead of dying. */
json_t *cli_try_call(struct cli *cli, uint16_t type, json_t *body,
		     struct lv_error *err);
/* Closes the connection and frees the configuration. */
void cli_finish(struct cli *cli);

/* Prints a JSON value, indented, to stdout. */
void cli_print_json(const json_t *value);

/* Formats minutes as sinfo shows a time limit: "infinite", "30:00",
 * "1:00:00", "7-00:00:00".  JSON null means infinite. */
const char *cli_limit_string(const json_t *minutes, char *buf, size_t len);

#endif
