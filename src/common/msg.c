/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Message names and small JSON helpers shared by daemons and the CLI. */
#include "config.h"

#include "common/msg.h"

#include <errno.h>
#include <string.h>

static const struct {
	uint16_t type;
	const char *name;
} names[] = {
	{ LV_MSG_HELLO, "HELLO" },
	{ LV_MSG_PING, "PING" },
	{ LV_MSG_NODE_REGISTER, "NODE_REGISTER" },
	{ LV_MSG_NODE_HEARTBEAT, "NODE_HEARTBEAT" },
	{ LV_MSG_NODE_INFO, "NODE_INFO" },
	{ LV_MSG_NODE_UPDATE, "NODE_UPDATE" },
	{ LV_MSG_PART_INFO, "PART_INFO" },
	{ LV_MSG_RECONFIGURE, "RECONFIGURE" },
	{ LV_MSG_POLICY_INFO, "POLICY_INFO" },
	{ LV_MSG_JOB_SUBMIT, "JOB_SUBMIT" },
	{ LV_MSG_JOB_INFO, "JOB_INFO" },
	{ LV_MSG_JOB_CANCEL, "JOB_CANCEL" },
	{ LV_MSG_JOB_UPDATE, "JOB_UPDATE" },
	{ LV_MSG_JOB_WAIT, "JOB_WAIT" },
	{ LV_MSG_JOB_COMPLETE, "JOB_COMPLETE" },
	{ LV_MSG_STEP_CREATE, "STEP_CREATE" },
	{ LV_MSG_STEP_COMPLETE, "STEP_COMPLETE" },
	{ LV_MSG_ACCT_QUERY, "ACCT_QUERY" },
	{ LV_MSG_PRIO_INFO, "PRIO_INFO" },
	{ LV_MSG_SHARE_INFO, "SHARE_INFO" },
	{ LV_MSG_SCHED_STATS, "SCHED_STATS" },
	{ LV_MSG_ALLOC_LAUNCH, "ALLOC_LAUNCH" },
	{ LV_MSG_ALLOC_SIGNAL, "ALLOC_SIGNAL" },
	{ LV_MSG_ALLOC_DONE, "ALLOC_DONE" },
	{ LV_MSG_STEP_LAUNCH, "STEP_LAUNCH" },
	{ LV_MSG_STEP_IO, "STEP_IO" },
	{ LV_MSG_STEP_SIGNAL, "STEP_SIGNAL" },
	{ LV_MSG_STEP_DONE, "STEP_DONE" },
	{ LV_MSG_MPI_FENCE, "MPI_FENCE" },
	{ LV_MSG_MPI_ABORT, "MPI_ABORT" },
	{ LV_MSG_MPI_REQ, "MPI_REQ" },
};

const char *lv_msg_name(uint16_t type)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].type == type)
			return names[i].name;
	return "UNKNOWN";
}

const char *lv_json_str(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

int lv_json_int(const json_t *obj, const char *key, int64_t min, int64_t max,
		int64_t *out, struct lv_error *err)
{
	json_t *v = json_object_get(obj, key);
	json_int_t i;

	if (!v)
		return lv_errorf(err, -ENOENT, "missing field '%s'", key);
	if (!json_is_integer(v))
		return lv_errorf(err, -EINVAL, "field '%s' is not an integer",
				 key);
	i = json_integer_value(v);
	if (i < min || i > max)
		return lv_errorf(err, -EINVAL,
				 "field '%s' = %lld is out of range", key,
				 (long long)i);
	*out = i;
	return 0;
}

void lv_hex_encode(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int lv_hex_decode(const char *s, uint8_t *out, size_t len)
{
	size_t i;
	int hi, lo;

	if (strlen(s) != 2 * len)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		hi = hexval(s[2 * i]);
		lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}
