/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Waits for an interactive allocation (lvrun, lvalloc): submits the job,
 * waits for it to start, cancels it on Ctrl-C, and releases it. */
#include "config.h"

#include "cmd/allocwait.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/msg.h"

/* How long JOB_WAIT may take before the job counts as queued. */
#define QUEUED_AFTER_MS 1000

/* The signal that interrupted the wait for an allocation, and the
 * controller socket to shut down so that the blocking JOB_WAIT returns:
 * a signal handler can reach nothing else. */
static volatile sig_atomic_t alloc_signal;
static volatile sig_atomic_t alloc_fd = -1;

static void alloc_on_signal(int sig)
{
	alloc_signal = sig;
	if (alloc_fd >= 0)
		shutdown(alloc_fd, SHUT_RDWR); /* async-signal-safe */
}

static const int alloc_signals[] = {SIGINT, SIGTERM, SIGQUIT};
#define N_ALLOC_SIGNALS (sizeof(alloc_signals) / sizeof(alloc_signals[0]))

static void alloc_catch(struct sigaction *old)
{
	struct sigaction sa = {.sa_handler = alloc_on_signal};
	size_t i;

	sigemptyset(&sa.sa_mask);
	for (i = 0; i < N_ALLOC_SIGNALS; i++)
		sigaction(alloc_signals[i], &sa, &old[i]);
}

static void alloc_uncatch(const struct sigaction *old)
{
	size_t i;

	for (i = 0; i < N_ALLOC_SIGNALS; i++)
		sigaction(alloc_signals[i], &old[i], NULL);
}

/* Interrupted while waiting: cancels the job on a fresh connection (the
 * old one was shut down) and exits. */
static void __attribute__((noreturn))
alloc_cancel(struct cli *cli, int64_t id, enum stepio_alloc_talk talk)
{
	struct lv_error err = {0};
	char ids[24];
	json_t *reply;

	lv_client_destroy(cli->client);
	cli->client = NULL;
	snprintf(ids, sizeof(ids), "%lld", (long long)id);
	reply = cli_try_call(cli, LV_MSG_JOB_CANCEL,
			     json_pack("{s:[s]}", "job_ids", ids), &err);
	if (!reply)
		fprintf(stderr, "%s: error: cancelling job %lld: %s\n",
			cli->prog, (long long)id, err.text);
	json_decref(reply);
	if (talk != STEPIO_ALLOC_QUIET)
		fprintf(stderr, "%s: Job allocation %lld has been revoked.\n",
			cli->prog, (long long)id);
	if (talk == STEPIO_ALLOC_SALLOC)
		fprintf(stderr, "%s: Job aborted due to signal\n", cli->prog);
	cli_finish(cli);
	exit(1);
}

static int wait_start(struct cli *cli, int64_t id, int timeout_ms,
		      json_t **reply, struct lv_error *err)
{
	json_t *body = json_pack("{s:I, s:s}", "job_id", (json_int_t)id,
				 "event", "start");

	if (!body)
		return lv_errorf(err, -ENOMEM, "out of memory");
	return lv_client_call(cli->client, LV_MSG_JOB_WAIT, body, timeout_ms,
			      reply, err);
}

/* The JOB_WAIT reply for a job that ended without starting. */
static void __attribute__((noreturn))
alloc_not_started(struct cli *cli, int64_t id, const char *state)
{
	if (state && !strcmp(state, "CANCELLED"))
		fprintf(stderr, "%s: Job allocation %lld has been revoked.\n",
			cli->prog, (long long)id);
	else
		fprintf(stderr,
			"%s: error: Job allocation %lld ended in state %s before it started\n",
			cli->prog, (long long)id, state ? state : "UNKNOWN");
	cli_finish(cli);
	exit(1);
}

static int64_t alloc_submit(struct cli *cli, json_t *req,
			    enum stepio_alloc_talk talk)
{
	struct lv_error err = {0};
	json_t *reply;
	int64_t id;

	if (!(reply = cli_try_call(cli, LV_MSG_JOB_SUBMIT, req, &err)))
		cli_die(cli, "%s: %s",
			talk == STEPIO_ALLOC_SALLOC
				? "Job submit/allocate failed"
				: "Unable to allocate resources",
			err.text);
	if (lv_json_int(reply, "job_id", 1, INT64_MAX, &id, &err) < 0)
		cli_die(cli, "bad reply from the controller: %s", err.text);
	json_decref(reply);
	if (talk == STEPIO_ALLOC_SALLOC)
		fprintf(stderr, "%s: Pending job allocation %lld\n", cli->prog,
			(long long)id);
	return id;
}

json_t *stepio_alloc_wait(struct cli *cli, json_t *req,
			  enum stepio_alloc_talk talk, int64_t *job_id)
{
	struct sigaction old[N_ALLOC_SIGNALS];
	struct lv_error err = {0};
	json_t *reply = NULL;
	const char *state;
	bool queued = false;
	int64_t id;
	int rc;

	if (!cli->client)
		cli_connect(cli);
	alloc_signal = 0;
	alloc_catch(old);
	id = alloc_submit(cli, req, talk);
	alloc_fd = lv_client_fd(cli->client);
	/* A signal before alloc_fd was set has shut nothing down. */
	rc = alloc_signal ? -EINTR
			  : wait_start(cli, id, QUEUED_AFTER_MS, &reply, &err);
	if (rc == -ETIMEDOUT) {
		queued = true;
		if (talk >= STEPIO_ALLOC_SRUN_V)
			fprintf(stderr,
				"%s: job %lld queued and waiting for resources\n",
				cli->prog, (long long)id);
		/* The first JOB_WAIT's late reply is dropped by id. */
		rc = wait_start(cli, id, -1, &reply, &err);
	}
	alloc_fd = -1;
	alloc_uncatch(old);
	if (alloc_signal) {
		json_decref(reply);
		alloc_cancel(cli, id, talk);
	}
	if (rc < 0)
		cli_die(cli, "waiting for job %lld: %s", (long long)id,
			err.text);
	state = lv_json_str(reply, "state");
	if (!state || strcmp(state, "RUNNING"))
		alloc_not_started(cli, id, state);
	if (talk == STEPIO_ALLOC_SALLOC)
		fprintf(stderr, "%s: Granted job allocation %lld\n", cli->prog,
			(long long)id);
	else if (talk == STEPIO_ALLOC_SRUN_V && queued)
		fprintf(stderr, "%s: job %lld has been allocated resources\n",
			cli->prog, (long long)id);
	*job_id = id;
	return reply;
}

void stepio_alloc_release(struct cli *cli, int64_t job_id, int status)
{
	struct lv_error err = {0};
	json_t *reply;

	reply = cli_try_call(cli, LV_MSG_JOB_COMPLETE,
			     json_pack("{s:I, s:i}", "job_id",
				       (json_int_t)job_id, "status", status),
			     &err);
	if (!reply)
		fprintf(stderr,
			"%s: error: releasing job allocation %lld: %s\n",
			cli->prog, (long long)job_id, err.text);
	json_decref(reply);
}
