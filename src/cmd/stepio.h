/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The client side of job steps (proto 05), shared by lvrun and lvalloc:
 * launching a step on its nodes and relaying the tasks' I/O, signals and
 * exit statuses. */
#ifndef LV_CMD_STEPIO_H
#define LV_CMD_STEPIO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* allocwait.h and multiprog.h were split out of this header; lvrun.c and
 * lvalloc.c still find them through it. */
#include "cmd/allocwait.h"
#include "cmd/cli.h"
#include "cmd/multiprog.h"
#include "common/error.h"

/* ---- pure helpers (unit-tested) ---- */

/* A growable byte buffer; {0} is empty.  stepio_buf_free leaves it empty. */
struct stepio_buf {
	char *data;
	size_t len, cap;
};

/* Appends n bytes.  0 or -ENOMEM (the buffer is unchanged). */
int stepio_buf_append(struct stepio_buf *b, const void *p, size_t n);
void stepio_buf_free(struct stepio_buf *b);

/* Base64 of len bytes (RFC 4648, padded), NUL-terminated, owned by the
 * caller; NULL on ENOMEM. */
char *stepio_b64_encode(const void *in, size_t len);
/* Decodes base64 text of len characters into out, which must hold
 * len * 3 / 4 + 1 bytes.  Returns the number of bytes, or -EINVAL for
 * text that is not base64 or stops inside a group. */
ssize_t stepio_b64_decode(const char *in, size_t len, unsigned char *out);

/* The width of the widest rank label for ntasks tasks ("9" → 1,
 * "10" → 2), as srun -l pads them. */
int stepio_label_width(int ntasks);
/* srun -l: appends to out each complete line of pending + data, prefixed
 * with the rank right-aligned to width and ": "; an unfinished last line
 * stays in pending for the next call.  0 or -ENOMEM. */
int stepio_label_lines(struct stepio_buf *pending, int rank, int width,
		       const char *data, size_t len, struct stepio_buf *out);
/* Appends what is left in pending (a last line without newline),
 * labelled, to out and empties pending.  0 or -ENOMEM. */
int stepio_label_flush(struct stepio_buf *pending, int rank, int width,
		       struct stepio_buf *out);

/* One task's exit code as a shell reports it: the exit status, or
 * 128 + the signal that killed it. */
int stepio_task_exit_code(int status);
/* The step's exit code as srun computes it: the largest task exit code
 * (0 for no tasks).  *worst (may be NULL) gets the index of the task
 * that gave it. */
int stepio_exit_code(const int *status, size_t n, size_t *worst);
/* srun's words for a task's wait status: "Exited with exit code 2",
 * "Killed", "Segmentation fault (core dumped)".  Returns buf. */
const char *stepio_status_text(int status, char *buf, size_t len);
/* Sorted ranks as a range list, "0-3,5"; truncated with "..." when buf is
 * too small.  Returns buf. */
const char *stepio_ranks_string(const int *ranks, size_t n, char *buf,
				size_t len);

/* ---- running a step ---- */

/* What a step's tasks used, from their nodes' STEP_DONE: the largest
 * task's peak RSS and the tasks' CPU time summed. */
struct stepio_usage {
	uint64_t maxrss_kb, cpu_usec;
	unsigned oom_nodes; /* nodes whose step cgroup saw an OOM kill */
};

struct stepio_opts {
	const char *prog;           /* "lvrun", for messages */
	const struct lv_conf *conf; /* munge socket and timeouts */
	bool label;                 /* -l */
	bool kill_on_bad_exit;      /* -K: SIGKILL the step after a failure */
	int stdin_rank;             /* the task that reads our stdin */
	struct stepio_usage *usage; /* NULL, or filled as tasks end */
};

/* Runs the step described by create (a STEP_CREATE reply, proto 05):
 * connects to every node, sends each the STEP_LAUNCH body launch
 * (borrowed; "cred" is added per node), then relays task output to
 * stdout/stderr, stdin to the stdin task, SIGINT/SIGTERM/SIGQUIT to
 * every node (a second Ctrl-C within a second sends SIGKILL), and
 * collects each task's STEP_DONE.  Failed tasks are reported on stderr as
 * srun reports them.  Signals are blocked while it runs and read through
 * a signalfd; callers that must survive one arriving after the step give
 * them handlers.  Returns 0 with *worst_status the wait status behind
 * the step's exit code (stepio_exit_code); -errno with err set when the
 * step could not be launched (any tasks already started are killed). */
int stepio_run(const json_t *create, const json_t *launch,
	       const struct stepio_opts *opts, int *worst_status,
	       struct lv_error *err);

#endif
