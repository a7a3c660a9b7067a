/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lvctld: the Leviathan controller. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "common/conf.h"
#include "common/daemon.h"
#include "common/log.h"
#include "common/msg.h"
#include "sched/acct.h"
#include "sched/ctld.h"
#include "sched/fairshare.h"
#include "sched/nodes.h"
#include "sched/partitions.h"
#include "sched/jobs.h"
#include "sched/launch.h"
#include "sched/persist.h"
#include "sched/policy.h"
#include "sched/rpc_handlers.h"
#include "sched/sched.h"

const struct lv_rpc_route ctld_routes[] = {
	{ LV_MSG_PING, rpc_ping, LV_ROLE_USER },
	{ LV_MSG_NODE_REGISTER, rpc_node_register, LV_ROLE_DAEMON },
	{ LV_MSG_NODE_HEARTBEAT, rpc_node_heartbeat, LV_ROLE_DAEMON },
	{ LV_MSG_NODE_INFO, rpc_node_info, LV_ROLE_USER },
	{ LV_MSG_PART_INFO, rpc_part_info, LV_ROLE_USER },
	{ LV_MSG_NODE_UPDATE, rpc_node_update, LV_ROLE_ADMIN },
	{ LV_MSG_RECONFIGURE, rpc_reconfigure, LV_ROLE_ADMIN },
	{ LV_MSG_JOB_SUBMIT, rpc_job_submit, LV_ROLE_USER },
	{ LV_MSG_JOB_INFO, rpc_job_info, LV_ROLE_USER },
	{ LV_MSG_JOB_CANCEL, rpc_job_cancel, LV_ROLE_USER },
	{ LV_MSG_JOB_UPDATE, rpc_job_update, LV_ROLE_USER },
	{ LV_MSG_JOB_WAIT, rpc_job_wait, LV_ROLE_USER },
	{ LV_MSG_JOB_COMPLETE, rpc_job_complete, LV_ROLE_USER },
	{ LV_MSG_STEP_CREATE, rpc_step_create, LV_ROLE_USER },
	{ LV_MSG_STEP_COMPLETE, rpc_step_complete, LV_ROLE_USER },
	{ LV_MSG_ALLOC_DONE, rpc_alloc_done, LV_ROLE_DAEMON },
	{ LV_MSG_ACCT_QUERY, rpc_acct_query, LV_ROLE_USER },
	{ LV_MSG_POLICY_INFO, rpc_policy_info, LV_ROLE_USER },
	{ LV_MSG_PRIO_INFO, rpc_prio_info, LV_ROLE_USER },
	{ LV_MSG_SHARE_INFO, rpc_share_info, LV_ROLE_USER },
	{ LV_MSG_SCHED_STATS, rpc_sched_stats, LV_ROLE_USER },
};
const size_t ctld_n_routes = sizeof(ctld_routes) / sizeof(ctld_routes[0]);

struct options {
	const char *config;
	const char *log_file;
	bool foreground;
	int verbose;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: lvctld [-D] [-f FILE] [-L LOGFILE] [-v...]\n"
		"  -D, --foreground   stay in the foreground, log to stderr\n"
		"  -f, --config FILE  configuration (default: $LV_CONF or %s)\n"
		"  -L, --logfile FILE log here instead of LogFile=\n"
		"  -v, --verbose      more logging (twice: debug)\n"
		"  -V, --version      print the version\n",
		lv_conf_default_path(NULL));
}

static void parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "foreground", no_argument, NULL, 'D' },
		{ "config", required_argument, NULL, 'f' },
		{ "logfile", required_argument, NULL, 'L' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "Df:L:vVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'D':
			o->foreground = true;
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
			printf("lvctld %s\n", PACKAGE_VERSION);
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
		fprintf(stderr, "lvctld: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		exit(2);
	}
}

static bool in_list(const char *list, const char *name)
{
	const char *p = list;
	size_t len = strlen(name);

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n == len && strncmp(p, name, n) == 0)
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

bool ctld_is_admin(uid_t uid, gid_t gid, void *arg)
{
	struct lvctld *ctld = arg;
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;
	char buf[4096];

	if (ctld->conf->admin_users &&
	    getpwuid_r(uid, &pw, buf, sizeof(buf), &pwp) == 0 && pwp &&
	    in_list(ctld->conf->admin_users, pwp->pw_name))
		return true;
	if (ctld->conf->admin_groups &&
	    getgrgid_r(gid, &gr, buf, sizeof(buf), &grp) == 0 && grp &&
	    in_list(ctld->conf->admin_groups, grp->gr_name))
		return true;
	return false;
}

int ctld_reconfigure(struct lvctld *ctld, struct lv_error *err)
{
	struct lv_conf *conf;
	struct partitions *parts;
	struct fairshare *fs;

	if (!(conf = lv_conf_load(ctld->conf_path, err)))
		return err->code;
	if (nodes_reconfigure(ctld->nodes, conf, err) < 0 ||
	    !(parts = partitions_create(conf, ctld->nodes, err))) {
		lv_conf_destroy(conf);
		return err->code;
	}
	/* Accounts keep their usage across the reload. */
	if (!(fs = fairshare_rebuild(ctld->fs, conf, time(NULL)))) {
		partitions_destroy(parts);
		lv_conf_destroy(conf);
		return lv_errorf(err, -ENOMEM, "out of memory");
	}
	fairshare_destroy(ctld->fs);
	ctld->fs = fs;
	partitions_destroy(ctld->parts);
	ctld->parts = parts;
	ctld->parts_gen++;
	lv_conf_destroy(ctld->conf);
	ctld->conf = conf;
	(void)lv_daemon_apply_log_conf(conf, NULL);
	/* A script that fails to load leaves the old one active (logged,
	 * and shown by lvcontrol show policy). */
	(void)policy_reload(ctld->policy, conf, err);
	lv_error_clear(err);
	lv_log(LV_LOG_INFO, "conf: reloaded %s (%zu nodes, %zu partitions)",
	       conf->path, conf->n_nodes, conf->n_partitions);
	sched_request(ctld); /* limits and priorities may have changed */
	return 0;
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct lvctld *ctld = arg;
	struct lv_error err = { 0 };

	(void)what;
	if (sig == SIGHUP) {
		if (ctld->log_path &&
		    lv_log_open("lvctld", LV_LOG_TO_FILE, ctld->log_path, &err) < 0)
			lv_log(LV_LOG_ERR, "log: %s", err.text);
		lv_log(LV_LOG_INFO, "lvctld: SIGHUP, re-reading configuration");
		if (ctld_reconfigure(ctld, &err) < 0)
			lv_log(LV_LOG_ERR, "conf: keeping the old configuration: %s",
			       err.text);
		return;
	}
	lv_log(LV_LOG_INFO, "lvctld: %s, shutting down", strsignal((int)sig));
	event_base_loopbreak(ctld->base);
}

static void on_node_down(struct node *node, void *arg)
{
	launch_node_failed(arg, node->name);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct lvctld *ctld = arg;

	(void)fd;
	(void)what;
	nodes_check_timeouts(ctld->nodes, time(NULL), ctld->conf->node_timeout,
			     on_node_down, ctld);
	sched_tick(ctld);
	persist_tick(ctld, time(NULL));
	acct_tick(ctld);
}

/* An lvalloc or lvrun that went away gives up its allocation. */
static void release_bound(struct lvctld *ctld, uint64_t conn_id)
{
	struct job *job, *next;

	for (job = jobs_first(ctld->jobs); job; job = next) {
		next = jobs_next(job);
		if (job->alloc_conn_id != conn_id || job_is_finished(job))
			continue;
		job->alloc_conn_id = 0;
		ctld->bound_allocs--;
		lv_log(LV_LOG_INFO, "job: job=%u: its client went away, revoking the allocation",
		       job->id);
		sched_cancel(ctld, job, NULL);
	}
}

static void on_conn_close(struct lv_rpc_conn *conn, const char *reason,
			  void *arg)
{
	struct lvctld *ctld = arg;

	(void)reason;
	if (lv_rpc_conn_get_data(conn))
		nodes_disconnected(ctld->nodes, lv_rpc_conn_id(conn));
	if (ctld->bound_allocs)
		release_bound(ctld, lv_rpc_conn_id(conn));
}

static void ctld_destroy(struct lvctld *ctld)
{
	if (!ctld)
		return;
	/* Replies owed for records still being written go out first. */
	persist_close(ctld);
	acct_close(ctld);
	lv_rpc_server_destroy(ctld->rpc);
	sched_fini(ctld);
	if (ctld->tick)
		event_free(ctld->tick);
	if (ctld->sig_term)
		event_free(ctld->sig_term);
	if (ctld->sig_int)
		event_free(ctld->sig_int);
	if (ctld->sig_hup)
		event_free(ctld->sig_hup);
	policy_destroy(ctld->policy);
	partitions_destroy(ctld->parts);
	nodes_destroy(ctld->nodes);
	if (ctld->base)
		event_base_free(ctld->base);
	lv_pidfile_remove(ctld->pidfile_path, ctld->pidfile_fd);
	free(ctld->pidfile_path);
	lv_conf_destroy(ctld->conf);
	free(ctld->conf_path);
	free(ctld->log_path);
	free(ctld);
}

static int ctld_start(struct lvctld *ctld, struct lv_error *err)
{
	struct lv_rpc_endpoint ep = { .munge_socket = ctld->conf->munge_socket,
				      .routes = ctld_routes,
				      .n_routes = ctld_n_routes,
				      .arg = ctld,
				      .is_admin = ctld_is_admin,
				      .on_close = on_conn_close };
	struct timeval one = { .tv_sec = 1 };

	if (ctld->conf->state_dir && mkdir(ctld->conf->state_dir, 0755) < 0 &&
	    errno != EEXIST)
		return lv_errorf(err, -errno, "StateDir %s: %s",
				 ctld->conf->state_dir, strerror(errno));
	if (!(ctld->nodes = nodes_create(ctld->conf, err)) ||
	    !(ctld->parts = partitions_create(ctld->conf, ctld->nodes, err)))
		return err->code;
	if (!(ctld->policy = policy_create(ctld, ctld->conf)))
		return lv_errorf(err, -ENOMEM, "policy: out of memory");
	if (!(ctld->base = event_base_new()))
		return lv_errorf(err, -ENOMEM, "cannot create the event loop");
	ctld->sig_term = evsignal_new(ctld->base, SIGTERM, on_signal, ctld);
	ctld->sig_int = evsignal_new(ctld->base, SIGINT, on_signal, ctld);
	ctld->sig_hup = evsignal_new(ctld->base, SIGHUP, on_signal, ctld);
	ctld->tick = event_new(ctld->base, -1, EV_PERSIST, on_tick, ctld);
	if (!ctld->sig_term || !ctld->sig_int || !ctld->sig_hup || !ctld->tick ||
	    evsignal_add(ctld->sig_term, NULL) < 0 ||
	    evsignal_add(ctld->sig_int, NULL) < 0 ||
	    evsignal_add(ctld->sig_hup, NULL) < 0 ||
	    event_add(ctld->tick, &one) < 0)
		return lv_errorf(err, -ENOMEM, "cannot set up events");
	if (sched_init(ctld, err) < 0 || acct_open(ctld, err) < 0 ||
	    persist_open(ctld, err) < 0)
		return err->code;
	/* Listen on the address nodes and clients use for us. */
	if (!(ctld->rpc = lv_rpc_server_create(ctld->base,
					       ctld->conf->controller_addr,
					       ctld->conf->controller_port, &ep,
					       err)))
		return err->code;
	return 0;
}

static int open_log(const struct options *o, const struct lv_conf *conf,
		    struct lv_error *err)
{
	const char *file = o->log_file ? o->log_file : conf->log_file;

	if (o->foreground && !o->log_file)
		return lv_log_open("lvctld", LV_LOG_TO_STDERR, NULL, err);
	if (file)
		return lv_log_open("lvctld", LV_LOG_TO_FILE, file, err);
	return lv_log_open("lvctld", LV_LOG_TO_SYSLOG, NULL, err);
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct lv_error err = { 0 };
	struct lvctld *ctld;
	int ready_fd = -1;

	parse_args(argc, argv, &o);
	signal(SIGPIPE, SIG_IGN);
	if (!(ctld = calloc(1, sizeof(*ctld))))
		lv_fatal("out of memory");
	ctld->pidfile_fd = -1;
	ctld->start_time = time(NULL);
	ctld->foreground = o.foreground;
	if (!(ctld->conf_path = strdup(lv_conf_default_path(o.config))))
		lv_fatal("out of memory");
	if (!(ctld->conf = lv_conf_load(ctld->conf_path, &err)))
		lv_fatal("%s", err.text);
	if (lv_daemon_apply_log_conf(ctld->conf, &err) < 0)
		lv_fatal("%s", err.text);
	if (o.verbose)
		lv_log_set_level(o.verbose > 1 ? LV_LOG_DEBUG : LV_LOG_INFO);
	if (!o.foreground && (ready_fd = lv_daemonize(&err)) < 0)
		lv_fatal("%s", err.text);
	if ((!o.foreground || o.log_file) && (o.log_file || ctld->conf->log_file) &&
	    !(ctld->log_path = strdup(o.log_file ? o.log_file : ctld->conf->log_file)))
		lv_fatal("out of memory");
	if (open_log(&o, ctld->conf, &err) < 0) {
		lv_daemon_ready(ready_fd, err.text);
		lv_fatal("%s", err.text);
	}
	if (ctld->conf->pid_file) {
		ctld->pidfile_path = strdup(ctld->conf->pid_file);
		if ((ctld->pidfile_fd = lv_pidfile_create(ctld->conf->pid_file,
							  &err)) < 0) {
			lv_daemon_ready(ready_fd, err.text);
			lv_fatal("lvctld: %s", err.text);
		}
	}
	if (ctld_start(ctld, &err) < 0) {
		lv_daemon_ready(ready_fd, err.text);
		lv_fatal("lvctld: %s", err.text);
	}
	lv_log(LV_LOG_INFO, "lvctld %s: cluster %s, listening on %s:%u, %zu nodes",
	       PACKAGE_VERSION, ctld->conf->cluster_name,
	       ctld->conf->controller_addr, lv_rpc_server_port(ctld->rpc),
	       nodes_count(ctld->nodes));
	lv_daemon_ready(ready_fd, NULL);
	event_base_dispatch(ctld->base);
	ctld_destroy(ctld);
	lv_log(LV_LOG_INFO, "lvctld: stopped");
	lv_log_close();
	return 0;
}
