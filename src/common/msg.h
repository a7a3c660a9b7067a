/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The catalogue of message types and JSON helpers for message bodies. */
#ifndef LV_COMMON_MSG_H
#define LV_COMMON_MSG_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

/* Numbers are part of the wire protocol (docs/proto/03-messages.md):
 * never reuse or renumber one. */
enum lv_msg_type {
	LV_MSG_HELLO = 1,          /* handshake, proto 02 */
	LV_MSG_PING = 2,           /* liveness and round-trip timing */
	LV_MSG_NODE_REGISTER = 10, /* lvd -> lvctld: name, resources */
	LV_MSG_NODE_HEARTBEAT = 11,/* lvd -> lvctld */
	LV_MSG_NODE_INFO = 12,     /* CLI -> lvctld: node table */
	LV_MSG_NODE_UPDATE = 13,   /* admin: State=DRAIN|RESUME|DOWN */
	LV_MSG_PART_INFO = 14,     /* CLI -> lvctld: partitions */
	LV_MSG_RECONFIGURE = 15,   /* admin: re-read configuration */
	LV_MSG_POLICY_INFO = 16,   /* CLI -> lvctld: Lua policy state */
	LV_MSG_JOB_SUBMIT = 20,
	LV_MSG_JOB_INFO = 21,
	LV_MSG_JOB_CANCEL = 22,
	LV_MSG_JOB_UPDATE = 23,
	LV_MSG_JOB_WAIT = 24,
	LV_MSG_JOB_COMPLETE = 25,  /* lvalloc/lvrun: release an allocation */
	LV_MSG_STEP_CREATE = 26,   /* lvrun -> lvctld: a step in a job */
	LV_MSG_STEP_COMPLETE = 27, /* lvrun -> lvctld: the step ended */
	LV_MSG_ACCT_QUERY = 28,    /* lvacct -> lvctld: ended jobs, proto 07 */
	LV_MSG_PRIO_INFO = 35,     /* lvprio -> lvctld: priority factors */
	LV_MSG_SHARE_INFO = 36,    /* lvshare -> lvctld: fair share */
	LV_MSG_SCHED_STATS = 37,   /* lvcontrol show stats: sdiag figures */
	LV_MSG_ALLOC_LAUNCH = 40,  /* lvctld -> lvd: run an allocation */
	LV_MSG_ALLOC_SIGNAL = 41,  /* lvctld -> lvd */
	LV_MSG_ALLOC_DONE = 42,    /* lvd -> lvctld: allocation ended */
	LV_MSG_STEP_LAUNCH = 50,   /* lvrun -> lvd */
	LV_MSG_STEP_IO = 51,       /* lvd <-> lvrun: task output and input */
	LV_MSG_STEP_SIGNAL = 52,
	LV_MSG_STEP_DONE = 53,
	LV_MSG_MPI_FENCE = 60,     /* lvd -> step's root lvd: PMIx fence */
	LV_MSG_MPI_ABORT = 61,     /* lvd -> lvd: a rank called MPI_Abort */
	LV_MSG_MPI_REQ = 62,       /* lvd -> lvd: modex, publish, kill ... */
};

/* "NODE_REGISTER" etc., or "UNKNOWN". */
const char *lv_msg_name(uint16_t type);

/* Reads a string member; NULL when absent or not a string (borrowed). */
const char *lv_json_str(const json_t *obj, const char *key);
/* Reads an integer member into *out.  -ENOENT when absent, -EINVAL when
 * present but not an integer in [min, max]; err names the key. */
int lv_json_int(const json_t *obj, const char *key, int64_t min, int64_t max,
		int64_t *out, struct lv_error *err);

/* Hex encoding for binary values in JSON bodies (nonces). */
void lv_hex_encode(const uint8_t *in, size_t len, char *out /* 2*len+1 */);
/* -EINVAL unless s is exactly 2*len hex digits. */
int lv_hex_decode(const char *s, uint8_t *out, size_t len);

#endif
