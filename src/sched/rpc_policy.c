/* SPDX-License-Identifier: GPL-2.0-or-later */
/* POLICY_INFO: the Lua policy's script, load state and hook counters
 * (lvcontrol show policy). */
#include "config.h"

#include <errno.h>

#include "common/msg.h"
#include "sched/ctld.h"
#include "sched/policy.h"
#include "sched/rpc_handlers.h"

void rpc_policy_info(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		     void *arg)
{
	struct lvctld *ctld = arg;
	json_t *o = ctld->policy ? policy_to_json(ctld->policy) : json_object();

	if (!o) {
		lv_rpc_respond_error(conn, req->id, ENOMEM, "out of memory");
		return;
	}
	lv_rpc_respond(conn, req->id, o);
}
