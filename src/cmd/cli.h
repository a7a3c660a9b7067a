/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every command-line program shares: finding the configuration,
 * talking to the controller, and reporting errors the same way. */
#ifndef LV_CMD_CLI_H
#define LV_CMD_CLI_H

#include <jansson.h>
#include <stdint.h>

#include "cmd/jobopt.h"
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

/* getopt_long's complaint in the "prog: error:" shape, then a hint to
 * try --help; exits 1.  c is what getopt_long returned, with opterr = 0
 * and a ':' leading the option string (':' means a missing argument). */
void cli_bad_option(const struct cli *cli, int c, char **argv)
	__attribute__((noreturn));
/* Dies with "unrecognized argument" when words follow the options. */
void cli_no_arguments(const struct cli *cli, int argc, char **argv);
/* jobopt_parse_argv's failure: an unknown option (-ENOENT) as
 * "prog: text" and the --help hint, any other as cli_die; exits 1. */
void cli_jobopt_error(const struct cli *cli, const struct lv_error *err)
	__attribute__((noreturn));
/* Carries out --help, --usage and --version of a jobopt program and
 * exits 0; returns for JOBOPT_SUBMIT.  more_help: NULL-terminated lines
 * printed after the help, or NULL. */
void cli_jobopt_action(enum jobopt_action action, enum jobopt_prog prog,
		       const char *const *more_help);

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
/* As cli_try_call, for requests that are safe to repeat (the server
 * ignores a second copy): a connection that broke meanwhile (a controller
 * restarted since it was opened) is opened again, once. */
json_t *cli_try_call_again(struct cli *cli, uint16_t type, json_t *body,
			   struct lv_error *err);
/* "12,13" as a JSON array of job ids (1 ... 2^32-1); an id may be followed
 * by one of the characters in suffixes and anything after it ("12.batch",
 * "12_3" for lvacct; NULL: none).  Dies with "Invalid job id: TOKEN". */
json_t *cli_job_ids(const struct cli *cli, const char *list,
		    const char *suffixes);
/* Closes the connection and frees the configuration. */
void cli_finish(struct cli *cli);

/* Prints a JSON value, indented, to stdout. */
void cli_print_json(const json_t *value);

/* Formats minutes as sinfo shows a time limit: "infinite", "30:00",
 * "1:00:00", "7-00:00:00".  JSON null means infinite. */
const char *cli_limit_string(const json_t *minutes, char *buf, size_t len);

/* The name of uid's user, or the number when it has none; in buf. */
const char *cli_user_name(json_int_t uid, char *buf, size_t len);

#endif
