/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lvd: the Leviathan node daemon. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/conf.h"
#include "common/daemon.h"
#include "common/hostlist.h"
#include "common/log.h"
#include "common/msg.h"
#include "node/cgroup.h"
#include "node/children.h"
#include "mpi/pmix_server.h"
#include "node/lvd.h"

struct options {
	const char *config;
	const char *names;
	const char *log_file;
	bool foreground;
	int verbose;
};

static void lvd_ping(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		     void *arg)
{
	struct lvd *lvd = arg;

	lv_rpc_respond(conn, req->id,
		       json_pack("{s:I, s:s, s:s}", "time", (json_int_t)time(NULL),
				 "node", lvd->nodes[0].name, "version",
				 PACKAGE_VERSION));
}

/* Direct modex, publish/lookup, job control between lvds (docs/mpi.md). */
static void lvd_rpc_mpi_req(struct lv_rpc_conn *conn,
			    const struct lv_rpc_req *req, void *arg)
{
	struct lvd *lvd = arg;

	if (lvd->mpi)
		pmix_server_rpc_req(lvd->mpi, conn, req);
	else if (!req->is_push)
		lv_rpc_respond_error(conn, req->id, ENOTSUP, "no PMIx server here");
}

static const struct lv_rpc_route lvd_routes[] = {
	{ LV_MSG_PING, lvd_ping, LV_ROLE_USER },
	{ LV_MSG_STEP_LAUNCH, steps_rpc_launch, LV_ROLE_USER },
	{ LV_MSG_STEP_IO, steps_rpc_io, LV_ROLE_USER },
	{ LV_MSG_STEP_SIGNAL, steps_rpc_signal, LV_ROLE_USER },
	{ LV_MSG_MPI_FENCE, steps_rpc_mpi_fence, LV_ROLE_DAEMON },
	{ LV_MSG_MPI_ABORT, steps_rpc_mpi_abort, LV_ROLE_DAEMON },
	{ LV_MSG_MPI_REQ, lvd_rpc_mpi_req, LV_ROLE_DAEMON },
};

static void lvd_conn_closed(struct lv_rpc_conn *conn, const char *reason,
			    void *arg)
{
	(void)reason;
	steps_conn_closed(arg, conn);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: lvd [-D] [-N NODES] [-f FILE] [-L LOGFILE] [-v...]\n"
		"  -D, --foreground   stay in the foreground, log to stderr\n"
		"  -N, --node NODES   node name(s) to serve, a hostlist such as\n"
		"                     n[1-100] for simulated nodes (default: hostname)\n"
		"  -f, --config FILE  configuration (default: $LV_CONF or %s)\n"
		"  -L, --logfile FILE log here instead of NodeLogFile=\n"
		"  -v, --verbose      more logging (twice: debug)\n",
		lv_conf_default_path(NULL));
}

static void parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "foreground", no_argument, NULL, 'D' },
		{ "node", required_argument, NULL, 'N' },
		{ "config", required_argument, NULL, 'f' },
		{ "logfile", required_argument, NULL, 'L' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "DN:f:L:vVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'D':
			o->foreground = true;
			break;
		case 'N':
			o->names = optarg;
			break;
		case 'f':
			o->config = optarg;
			break;
		case 'L':
			o->log_file = optarg;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'V':
			printf("lvd %s\n", PACKAGE_VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "lvd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		exit(2);
	}
}

static int mkdir_p(const char *path)
{
	char *copy = strdup(path), *p;
	int rc = 0;

	if (!copy)
		return -ENOMEM;
	for (p = copy + 1; *p && rc == 0; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) < 0 && errno != EEXIST)
			rc = -errno;
		*p = '/';
	}
	if (rc == 0 && mkdir(copy, 0755) < 0 && errno != EEXIST)
		rc = -errno;
	free(copy);
	return rc;
}

/* Sets up one served node from its configuration entry. */
static int node_init(struct lvd *lvd, struct lvd_node *node, const char *name,
		     struct lv_error *err)
{
	const struct lv_conf_node *cn = lv_conf_find_node(lvd->conf, name);
	int rc;

	if (!cn)
		return lv_errorf(err, -ENOENT,
				 "node %s is not in the configuration %s", name,
				 lvd->conf->path);
	node->lvd = lvd;
	if (!(node->name = strdup(name)))
		return lv_errorf(err, -ENOMEM, "out of memory");
	if (topo_load(cn->topology, &node->topo, err) < 0)
		return err->code;
	/* A simulated node without GPUs in its topology has those of its
	 * configuration (Gres=gpu:N). */
	if (node->topo.simulated && !node->topo.gpus)
		node->topo.gpus = cn->gpus;
	if (lvd->conf->node_state_dir) {
		if (!(node->state_dir = lv_conf_expand_node(lvd->conf->node_state_dir,
							    name)))
			return lv_errorf(err, -ENOMEM, "out of memory");
		if ((rc = mkdir_p(node->state_dir)) < 0)
			return lv_errorf(err, rc, "NodeStateDir %s: %s",
					 node->state_dir, strerror(-rc));
	}
	return 0;
}

static int nodes_init(struct lvd *lvd, const char *names, struct lv_error *err)
{
	struct lv_hostlist *hl;
	char host[256];
	size_t i;
	int rc = 0;

	if (!names) {
		if (gethostname(host, sizeof(host)) < 0)
			return lv_errorf(err, -errno, "gethostname: %s",
					 strerror(errno));
		host[sizeof(host) - 1] = '\0';
		host[strcspn(host, ".")] = '\0';
		names = host;
	}
	if (!(hl = lv_hostlist_create(names, err)))
		return err->code;
	if (!lv_hostlist_count(hl)) {
		lv_hostlist_destroy(hl);
		return lv_errorf(err, -EINVAL, "no node name given");
	}
	lvd->n_nodes = lv_hostlist_count(hl);
	if (!(lvd->nodes = calloc(lvd->n_nodes, sizeof(*lvd->nodes)))) {
		lv_hostlist_destroy(hl);
		return lv_errorf(err, -ENOMEM, "out of memory");
	}
	for (i = 0; i < lvd->n_nodes && rc == 0; i++)
		rc = node_init(lvd, &lvd->nodes[i], lv_hostlist_nth(hl, i), err);
	lv_hostlist_destroy(hl);
	return rc;
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct lvd *lvd = arg;
	struct lv_error err = { 0 };
	struct lv_conf *conf;

	(void)what;
	if (sig == SIGHUP) {
		/* Reopen the log and pick up new timeouts; node identity and
		 * ports need a restart. */
		if (lvd->log_path &&
		    lv_log_open("lvd", LV_LOG_TO_FILE, lvd->log_path, &err) < 0)
			lv_log(LV_LOG_ERR, "log: %s", err.text);
		if (!(conf = lv_conf_load(lvd->conf_path, &err))) {
			lv_log(LV_LOG_ERR, "conf: keeping the old configuration: %s",
			       err.text);
			return;
		}
		lv_conf_destroy(lvd->conf);
		lvd->conf = conf;
		(void)lv_daemon_apply_log_conf(conf, NULL);
		lv_log(LV_LOG_INFO, "conf: reloaded %s", conf->path);
		return;
	}
	lv_log(LV_LOG_INFO, "lvd: %s, shutting down", strsignal((int)sig));
	event_base_loopbreak(lvd->base);
}

static void lvd_destroy(struct lvd *lvd)
{
	size_t i;

	if (!lvd)
		return;
	for (i = 0; i < lvd->n_nodes; i++) {
		ctld_link_stop(&lvd->nodes[i]);
		if (lvd->children)
			allocs_shutdown(&lvd->nodes[i]);
	}
	steps_shutdown(lvd);
	pmix_server_destroy(lvd->mpi);
	lv_rpc_server_destroy(lvd->rpc);
	children_destroy(lvd->children);
	if (lvd->sig_term)
		event_free(lvd->sig_term);
	if (lvd->sig_int)
		event_free(lvd->sig_int);
	if (lvd->sig_hup)
		event_free(lvd->sig_hup);
	if (lvd->base)
		event_base_free(lvd->base);
	for (i = 0; i < lvd->n_nodes; i++) {
		free(lvd->nodes[i].name);
		free(lvd->nodes[i].state_dir);
	}
	free(lvd->nodes);
	lv_pidfile_remove(lvd->pidfile_path, lvd->pidfile_fd);
	free(lvd->pidfile_path);
	lv_conf_destroy(lvd->conf);
	free(lvd->conf_path);
	free(lvd->log_path);
	free(lvd);
}

/* The PMIx server for --mpi=pmix steps; lvd runs on without it. */
static void mpi_start(struct lvd *lvd)
{
	struct lv_error err = { 0 };
	char *dir = NULL;

	if (lvd->nodes[0].state_dir &&
	    asprintf(&dir, "%s/pmix", lvd->nodes[0].state_dir) < 0)
		dir = NULL;
	if (!(lvd->mpi = pmix_server_create(lvd->base, lvd->rpc, dir,
					    lvd->conf->munge_socket,
					    lvd->conf->mpi_fence_timeout,
					    &steps_mpi_hooks, lvd, &err)))
		lv_log(LV_LOG_ERR, "%s: steps with --mpi=pmix will be refused",
		       err.text);
	free(dir);
}

static int lvd_start(struct lvd *lvd, struct lv_error *err)
{
	const struct lv_conf_node *first =
		lv_conf_find_node(lvd->conf, lvd->nodes[0].name);
	struct lv_rpc_endpoint ep = { .munge_socket = lvd->conf->munge_socket,
				      .routes = lvd_routes,
				      .n_routes = sizeof(lvd_routes) / sizeof(lvd_routes[0]),
				      .arg = lvd,
				      .on_close = lvd_conn_closed };
	size_t i;

	if (!(lvd->base = event_base_new()))
		return lv_errorf(err, -ENOMEM, "cannot create the event loop");
	lvd->sig_term = evsignal_new(lvd->base, SIGTERM, on_signal, lvd);
	lvd->sig_int = evsignal_new(lvd->base, SIGINT, on_signal, lvd);
	lvd->sig_hup = evsignal_new(lvd->base, SIGHUP, on_signal, lvd);
	if (!(lvd->children = children_create(lvd->base)))
		return lv_errorf(err, -ENOMEM, "cannot watch children");
	if (!lvd->sig_term || !lvd->sig_int || !lvd->sig_hup ||
	    evsignal_add(lvd->sig_term, NULL) < 0 ||
	    evsignal_add(lvd->sig_int, NULL) < 0 ||
	    evsignal_add(lvd->sig_hup, NULL) < 0)
		return lv_errorf(err, -ENOMEM, "cannot set up signals");
	/* Simulated nodes served together share the first node's port. */
	if (!(lvd->rpc = lv_rpc_server_create(lvd->base, first->addr,
					      first->port, &ep, err)))
		return err->code;
	mpi_start(lvd);
	for (i = 0; i < lvd->n_nodes; i++) {
		allocs_adopt(&lvd->nodes[i]);
		ctld_link_start(&lvd->nodes[i]);
	}
	return 0;
}

static int open_log(const struct options *o, struct lvd *lvd,
		    struct lv_error *err)
{
	char *file = NULL;
	int rc;

	if (o->foreground && !o->log_file)
		return lv_log_open("lvd", LV_LOG_TO_STDERR, NULL, err);
	if (o->log_file)
		file = strdup(o->log_file);
	else if (lvd->conf->node_log_file)
		file = lv_conf_expand_node(lvd->conf->node_log_file,
					   lvd->nodes[0].name);
	else
		return lv_log_open("lvd", LV_LOG_TO_SYSLOG, NULL, err);
	if (!file)
		return lv_errorf(err, -ENOMEM, "out of memory");
	rc = lv_log_open("lvd", LV_LOG_TO_FILE, file, err);
	lvd->log_path = file; /* reopened on SIGHUP */
	return rc;
}

static void startup_failed(int ready_fd, const char *text)
{
	lv_daemon_ready(ready_fd, text);
	lv_fatal("lvd: %s", text);
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct lv_error err = { 0 };
	struct lvd *lvd;
	int ready_fd = -1;

	parse_args(argc, argv, &o);
	signal(SIGPIPE, SIG_IGN);
	if (!(lvd = calloc(1, sizeof(*lvd))))
		lv_fatal("out of memory");
	lvd->pidfile_fd = -1;
	lvd->boot_time = time(NULL);
	if (!(lvd->conf_path = strdup(lv_conf_default_path(o.config))))
		lv_fatal("out of memory");
	if (!(lvd->conf = lv_conf_load(lvd->conf_path, &err)))
		lv_fatal("%s", err.text);
	if (lv_daemon_apply_log_conf(lvd->conf, &err) < 0)
		lv_fatal("%s", err.text);
	if (o.verbose)
		lv_log_set_level(o.verbose > 1 ? LV_LOG_DEBUG : LV_LOG_INFO);
	if (nodes_init(lvd, o.names, &err) < 0)
		lv_fatal("lvd: %s", err.text);
	if (!o.foreground && (ready_fd = lv_daemonize(&err)) < 0)
		lv_fatal("%s", err.text);
	if (open_log(&o, lvd, &err) < 0)
		startup_failed(ready_fd, err.text);
	if (lvd->conf->node_pid_file) {
		if (!(lvd->pidfile_path = lv_conf_expand_node(
			      lvd->conf->node_pid_file, lvd->nodes[0].name)))
			startup_failed(ready_fd, "out of memory");
		if ((lvd->pidfile_fd = lv_pidfile_create(lvd->pidfile_path,
							 &err)) < 0)
			startup_failed(ready_fd, err.text);
	}
	if (!(lvd->cgroups = cgroup_available()))
		lv_log(LV_LOG_WARNING,
		       "cgroup: memory controller not available, jobs are not confined");
	if (lvd_start(lvd, &err) < 0)
		startup_failed(ready_fd, err.text);
	lv_log(LV_LOG_INFO, "lvd %s: serving %zu node(s) from %s, port %u, %s",
	       PACKAGE_VERSION, lvd->n_nodes, lvd->nodes[0].name,
	       lv_rpc_server_port(lvd->rpc), lvd->nodes[0].topo.summary);
	lv_daemon_ready(ready_fd, NULL);
	event_base_dispatch(lvd->base);
	lvd_destroy(lvd);
	lv_log(LV_LOG_INFO, "lvd: stopped");
	lv_log_close();
	return 0;
}
