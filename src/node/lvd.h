/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lvd's context.  One lvd process serves one or more nodes (simulated
 * nodes share a process); each node has its own link to the controller. */
#ifndef LV_NODE_LVD_H
#define LV_NODE_LVD_H

#include <event2/event.h>
#include <stdbool.h>
#include <time.h>

#include "common/conf.h"
#include "common/rpc.h"
#include "node/topo.h"

struct lvd;

struct lvd_node {
	struct lvd *lvd;
	char *name;
	char *state_dir;
	struct topo topo;
	struct lv_rpc_conn *link; /* to lvctld, NULL while disconnected */
	bool registered;
	struct event *reconnect; /* one-shot: try the controller again */
	struct event *heartbeat; /* persistent while registered */
	unsigned backoff;        /* seconds until the next try */
};

struct lvd {
	char *conf_path;
	struct lv_conf *conf;
	struct event_base *base;
	struct lv_rpc_server *rpc;
	struct lvd_node *nodes;
	size_t n_nodes;
	struct event *sig_term, *sig_int, *sig_hup;
	time_t boot_time;
	int pidfile_fd;
	char *pidfile_path;
};

/* ctld_link.c: keeps each node registered with the controller. */
void ctld_link_start(struct lvd_node *node);
void ctld_link_stop(struct lvd_node *node);

#endif
