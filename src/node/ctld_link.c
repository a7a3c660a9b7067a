/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A node's link to lvctld: connect, register, heartbeat, reconnect. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/msg.h"
#include "node/lvd.h"

#define BACKOFF_MAX 10

static void link_closed(struct lv_rpc_conn *conn, const char *reason,
			void *arg);
static void link_ready(struct lv_rpc_conn *conn, void *arg);

static void schedule_reconnect(struct lvd_node *node)
{
	struct timeval tv = { .tv_sec = node->backoff };

	event_add(node->reconnect, &tv);
	node->backoff = node->backoff ? node->backoff * 2 : 1;
	if (node->backoff > BACKOFF_MAX)
		node->backoff = BACKOFF_MAX;
}

static void on_heartbeat(evutil_socket_t fd, short what, void *arg)
{
	struct lvd_node *node = arg;

	(void)fd;
	(void)what;
	if (node->link && node->registered)
		lv_rpc_push(node->link, LV_MSG_NODE_HEARTBEAT,
			    json_pack("{s:s}", "name", node->name));
}

static void registered(struct lv_rpc_conn *conn, int status,
		       const json_t *body, const char *errtext, void *arg)
{
	struct lvd_node *node = arg;
	json_int_t hb;
	struct timeval tv;

	if (status < 0) {
		if (status != -ECONNRESET)
			lv_log(LV_LOG_ERR, "node: %s: controller refused registration: %s",
			       node->name, errtext);
		if (node->link == conn)
			lv_rpc_conn_close(conn, "registration refused");
		return;
	}
	hb = json_integer_value(json_object_get(body, "heartbeat_interval"));
	tv = (struct timeval){ .tv_sec = hb > 0 ? hb : 5 };
	node->registered = true;
	node->backoff = 0;
	event_add(node->heartbeat, &tv);
	lv_log(LV_LOG_INFO, "node: %s registered with the controller", node->name);
	/* Jobs the controller has ended (while this node was away) or never
	 * knew: they must not run on. */
	allocs_kill_stale(node, json_object_get(body, "kill"));
	allocs_flush_reports(node);
}

static void link_ready(struct lv_rpc_conn *conn, void *arg)
{
	struct lvd_node *node = arg;
	json_t *report = json_pack("{s:s, s:s, s:I}", "name", node->name,
				   "version", PACKAGE_VERSION, "boot_time",
				   (json_int_t)node->lvd->boot_time);

	topo_to_json(&node->topo, report);
	/* "jobs": running or with an unacknowledged end; "running": only
	 * the former, which the controller may answer with "kill". */
	json_object_set_new(report, "jobs", allocs_running_ids(node));
	json_object_set_new(report, "running", allocs_live_ids(node));
	if (lv_rpc_call(conn, LV_MSG_NODE_REGISTER, report, registered, node) < 0)
		lv_rpc_conn_close(conn, "cannot send registration");
}

static void link_closed(struct lv_rpc_conn *conn, const char *reason,
			void *arg)
{
	struct lvd_node *node = arg;

	if (node->link != conn)
		return;
	if (node->registered)
		lv_log(LV_LOG_WARNING, "node: %s lost the controller: %s",
		       node->name, reason);
	node->link = NULL;
	node->registered = false;
	event_del(node->heartbeat);
	for (struct done_report *r = node->reports; r; r = r->next)
		r->in_flight = false;
	schedule_reconnect(node);
}

/* What the controller asks of a node, over the node's own link. */
static const struct lv_rpc_route link_routes[] = {
	{ LV_MSG_ALLOC_LAUNCH, allocs_rpc_launch, LV_ROLE_DAEMON },
	{ LV_MSG_ALLOC_SIGNAL, allocs_rpc_signal, LV_ROLE_DAEMON },
};

static void on_reconnect(evutil_socket_t fd, short what, void *arg)
{
	struct lvd_node *node = arg;
	const struct lv_conf *conf = node->lvd->conf;
	struct lv_rpc_endpoint ep = { .munge_socket = conf->munge_socket,
				      .routes = link_routes,
				      .n_routes = sizeof(link_routes) / sizeof(link_routes[0]),
				      .arg = node,
				      .on_ready = link_ready,
				      .on_close = link_closed };
	struct lv_error err = { 0 };

	(void)fd;
	(void)what;
	node->link = lv_rpc_connect(node->lvd->base, conf->controller_addr,
				    conf->controller_port, &ep, &err);
	if (!node->link) {
		lv_log(LV_LOG_WARNING, "node: %s: %s", node->name, err.text);
		schedule_reconnect(node);
	}
}

void ctld_link_start(struct lvd_node *node)
{
	struct timeval now = { 0 };

	node->reconnect = evtimer_new(node->lvd->base, on_reconnect, node);
	node->heartbeat = event_new(node->lvd->base, -1, EV_PERSIST,
				    on_heartbeat, node);
	if (!node->reconnect || !node->heartbeat)
		lv_fatal("node: %s: cannot create timers", node->name);
	event_add(node->reconnect, &now);
}

void ctld_link_stop(struct lvd_node *node)
{
	struct lv_rpc_conn *link = node->link;

	node->link = NULL; /* link_closed ignores it from here on */
	if (link)
		lv_rpc_conn_abort(link, "lvd shutting down");
	if (node->reconnect)
		event_free(node->reconnect);
	if (node->heartbeat)
		event_free(node->heartbeat);
	node->reconnect = node->heartbeat = NULL;
}
