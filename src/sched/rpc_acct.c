/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ACCT_QUERY: lvacct's questions to the accounting database (proto 07).
 * Users see their own jobs; other users' need an admin. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/msg.h"
#include "sched/acct.h"
#include "sched/ctld.h"
#include "sched/rpc_handlers.h"

#define MAX_LIST 10000

struct query_lists {
	uint32_t *ids;
	const char **states;
};

static int read_ids(const json_t *b, struct acct_query *q,
		    struct query_lists *l, struct lv_error *err)
{
	const json_t *arr = json_object_get(b, "job_ids"), *v;
	size_t i;

	if (!arr)
		return 0;
	if (!json_is_array(arr) || json_array_size(arr) > MAX_LIST)
		return lv_errorf(err, -EINVAL,
				 "job_ids: expected an array of ids");
	if (!(l->ids = calloc(json_array_size(arr) + 1, sizeof(*l->ids))))
		return lv_errorf(err, -ENOMEM, "out of memory");
	json_array_foreach(arr, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > UINT32_MAX)
			return lv_errorf(err, -EINVAL, "job_ids: bad id");
		l->ids[i] = (uint32_t)json_integer_value(v);
	}
	q->job_ids = l->ids;
	q->n_job_ids = json_array_size(arr);
	return 0;
}

static int read_states(const json_t *b, struct acct_query *q,
		       struct query_lists *l, struct lv_error *err)
{
	const json_t *arr = json_object_get(b, "states"), *v;
	size_t i;

	if (!arr)
		return 0;
	if (!json_is_array(arr) || json_array_size(arr) > MAX_LIST)
		return lv_errorf(err, -EINVAL,
				 "states: expected an array of names");
	if (!(l->states = calloc(json_array_size(arr) + 1, sizeof(*l->states))))
		return lv_errorf(err, -ENOMEM, "out of memory");
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			return lv_errorf(err, -EINVAL, "states: bad state");
		l->states[i] = json_string_value(v);
	}
	q->states = l->states;
	q->n_states = json_array_size(arr);
	return 0;
}

/* Who the query may cover: the caller's own jobs unless an admin asks. */
static int read_who(const json_t *b, const struct lv_rpc_peer *peer,
		    struct acct_query *q, struct lv_error *err)
{
	int64_t uid = -1;

	q->all_users = json_is_true(json_object_get(b, "all_users"));
	if (lv_json_int(b, "user", 0, UINT32_MAX, &uid, err) == -EINVAL)
		return err->code;
	q->uid = uid >= 0 ? (uid_t)uid : peer->uid;
	if ((q->all_users || q->uid != peer->uid) && !peer->is_admin) {
		lv_log(LV_LOG_WARNING,
		       "acct: uid=%u may not query other users' jobs",
		       (unsigned)peer->uid);
		return lv_errorf(err, -EPERM, "Access/permission denied");
	}
	return 0;
}

static int read_query(const json_t *b, const struct lv_rpc_peer *peer,
		      struct acct_query *q, struct query_lists *l,
		      struct lv_error *err)
{
	int64_t v;

	if (read_who(b, peer, q, err) < 0 || read_ids(b, q, l, err) < 0 ||
	    read_states(b, q, l, err) < 0)
		return err->code;
	if (lv_json_int(b, "start", 0, INT64_MAX, &v, err) == 0)
		q->start = (time_t)v;
	else if (err->code == -EINVAL)
		return err->code;
	if (lv_json_int(b, "end", 0, INT64_MAX, &v, err) == 0)
		q->end = (time_t)v;
	else if (err->code == -EINVAL)
		return err->code;
	q->no_steps = json_is_true(json_object_get(b, "no_steps"));
	/* As sacct: -j alone names any user's jobs, for those who may see
	 * them (admins); plain users still see only their own. */
	if (q->n_job_ids && peer->is_admin && !json_object_get(b, "user"))
		q->all_users = true;
	return 0;
}

void rpc_acct_query(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		    void *arg)
{
	struct lvctld *ctld = arg;
	struct acct_query q = {0};
	struct query_lists l = {0};
	struct lv_error err = {0};
	json_t *rows = NULL;

	if (read_query(req->body, lv_rpc_conn_peer(conn), &q, &l, &err) == 0)
		rows = acct_query(ctld, &q, &err);
	free(l.ids);
	free(l.states);
	if (!rows) {
		lv_rpc_respond_error(conn, req->id, -err.code, "%s", err.text);
		return;
	}
	lv_rpc_respond(conn, req->id, json_pack("{s:o}", "jobs", rows));
}
