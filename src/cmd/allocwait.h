/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Interactive allocations (proto 05) as lvrun and lvalloc wait for them
 * and release them. */
#ifndef LV_CMD_ALLOCWAIT_H
#define LV_CMD_ALLOCWAIT_H

#include <jansson.h>
#include <stdint.h>

#include "cmd/cli.h"

/* The wording of an allocation's progress messages. */
enum stepio_alloc_talk {
	STEPIO_ALLOC_QUIET,  /* nothing (-Q) */
	STEPIO_ALLOC_SRUN,   /* only that a cancelled allocation was revoked */
	STEPIO_ALLOC_SRUN_V, /* that too, and "job N queued and waiting..." */
	STEPIO_ALLOC_SALLOC, /* salloc's Pending/queued/Granted lines */
};

/* Sends the JOB_SUBMIT request req (takes ownership) on cli's controller
 * connection and waits, on that connection, for the job to start
 * (JOB_WAIT "start").  Meanwhile SIGINT, SIGTERM and SIGQUIT cancel the
 * job (JOB_CANCEL on a second connection): the function prints that the
 * allocation was revoked and exits 1, as do a refused submission and a
 * job that ends before it starts.  Returns the JOB_WAIT reply, owned by
 * the caller, with *job_id set; the allocation then stays bound to
 * cli->client, which must stay open until JOB_COMPLETE. */
json_t *stepio_alloc_wait(struct cli *cli, json_t *req,
			  enum stepio_alloc_talk talk, int64_t *job_id);
/* JOB_COMPLETE {"job_id", "status"} for an allocation from
 * stepio_alloc_wait.  Errors are printed, not fatal. */
void stepio_alloc_release(struct cli *cli, int64_t job_id, int status);

#endif
