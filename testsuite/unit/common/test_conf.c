/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for leviathan.conf parsing and the log helpers it uses. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
/* cmocka.h needs stdarg.h, stddef.h, stdint.h and setjmp.h first. */
#include <setjmp.h>
/* (kept apart so include sorting cannot move it) */
#include <cmocka.h>

#include "common/conf.h"
#include "common/log.h"
#include "common/timefmt.h"

/* Scratch directory for tests that read files, made by group_setup. */
static char tmpdir[] = "/tmp/lv-test-conf.XXXXXX";
#define MAX_FILES 32
static char *files[MAX_FILES];
static size_t n_files;
static char subdir[300]; /* tmpdir/sub, made by test_lv_conf_load_include */

static int group_setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	while (n_files > 0) {
		unlink(files[--n_files]);
		free(files[n_files]);
	}
	if (subdir[0])
		rmdir(subdir);
	rmdir(tmpdir);
	return 0;
}

/* Writes tmpdir/name (name may hold one existing subdirectory level) and
 * returns its path, which the group teardown removes. */
static const char *write_file(const char *name, const char *text)
{
	char *path;
	FILE *f;

	assert_true(n_files < MAX_FILES);
	assert_true(asprintf(&path, "%s/%s", tmpdir, name) > 0);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	files[n_files++] = path;
	return path;
}

static struct lv_conf *parse_ok(const char *text)
{
	struct lv_error err = {0};
	struct lv_conf *conf = lv_conf_parse(text, "x.conf", &err);

	if (!conf)
		fail_msg("parse failed: %s", err.text);
	return conf;
}

/* Parsing text must fail with code, and the message must hold both
 * where ("x.conf:3:") and what. */
static void parse_fails(const char *text, int code, const char *where,
			const char *what)
{
	struct lv_error err = {0};
	struct lv_conf *conf = lv_conf_parse(text, "x.conf", &err);

	if (conf) {
		lv_conf_destroy(conf);
		fail_msg("parse succeeded, expected '%s'", what);
	}
	assert_int_equal(err.code, code);
	if (!strstr(err.text, where) || !strstr(err.text, what))
		fail_msg("error '%s' lacks '%s' or '%s'", err.text, where,
			 what);
}

#define HEAD "ControllerHost=head\n"

static void test_lv_conf_parse_defaults(void **state)
{
	struct lv_conf *c = parse_ok("ControllerHost=head\n");

	(void)state;
	assert_string_equal(c->path, "x.conf");
	assert_string_equal(c->cluster_name, "leviathan");
	assert_string_equal(c->controller_host, "head");
	assert_string_equal(c->controller_addr, "head");
	assert_int_equal(c->controller_port, 6817);
	assert_int_equal(c->node_port, 6818);
	assert_int_equal(c->heartbeat_interval, 5);
	assert_int_equal(c->node_timeout, 30);
	assert_int_equal(c->msg_timeout, 10);
	assert_int_equal(c->client_retry, 30);
	assert_int_equal(c->kill_wait, 30);
	assert_int_equal(c->max_job_count, 100000);
	assert_int_equal(c->first_job_id, 1);
	assert_null(c->state_dir);
	assert_null(c->log_file);
	assert_null(c->munge_socket);
	assert_null(c->debug_flags);
	assert_null(c->log_level);
	assert_null(c->policy_script);
	assert_int_equal(c->n_nodes, 0);
	assert_int_equal(c->n_partitions, 0);
	assert_null(lv_conf_default_partition(c));
	lv_conf_destroy(c);
}

static void test_lv_conf_parse_globals(void **state)
{
	struct lv_conf *c = parse_ok(
		"# Leviathan test configuration\n"
		"clustername=alpha controllerhost=head\n"
		"ControllerAddr=10.0.0.1   ControllerPort=7817 NodePort=7818\n"
		"StateDir=/var/lib/lv NodeStateDir=/var/spool/lvd/%n\n"
		"LogFile=/var/log/lvctld.log NodeLogFile=/var/log/lvd-%n.log\n"
		"PidFile=/run/lvctld.pid NodePidFile=/run/lvd-%n.pid\n"
		"MungeSocket=/run/munge/munge.socket.2\n"
		"AdminUsers=root,alice AdminGroups=wheel\n"
		"DebugFlags=rpc,SCHED LogLevel=DEBUG\n"
		"HeartbeatInterval=2 NodeTimeout=20 MessageTimeout=4\n"
		"ClientRetryTime=0 KillWait=0 MaxJobCount=5000 FirstJobId=100\n"
		"PolicyScript=\"/etc/leviathan/my policy.lua\"  # a comment\n");

	(void)state;
	assert_string_equal(c->cluster_name, "alpha");
	assert_string_equal(c->controller_host, "head");
	assert_string_equal(c->controller_addr, "10.0.0.1");
	assert_int_equal(c->controller_port, 7817);
	assert_int_equal(c->node_port, 7818);
	assert_string_equal(c->state_dir, "/var/lib/lv");
	assert_string_equal(c->node_state_dir, "/var/spool/lvd/%n");
	assert_string_equal(c->log_file, "/var/log/lvctld.log");
	assert_string_equal(c->node_log_file, "/var/log/lvd-%n.log");
	assert_string_equal(c->pid_file, "/run/lvctld.pid");
	assert_string_equal(c->node_pid_file, "/run/lvd-%n.pid");
	assert_string_equal(c->munge_socket, "/run/munge/munge.socket.2");
	assert_string_equal(c->admin_users, "root,alice");
	assert_string_equal(c->admin_groups, "wheel");
	assert_string_equal(c->debug_flags, "rpc,SCHED");
	assert_string_equal(c->log_level, "debug");
	assert_int_equal(c->heartbeat_interval, 2);
	assert_int_equal(c->node_timeout, 20);
	assert_int_equal(c->msg_timeout, 4);
	assert_int_equal(c->client_retry, 0);
	assert_int_equal(c->kill_wait, 0);
	assert_int_equal(c->max_job_count, 5000);
	assert_int_equal(c->first_job_id, 100);
	assert_string_equal(c->policy_script, "/etc/leviathan/my policy.lua");
	lv_conf_destroy(c);
}

static void test_lv_conf_parse_quotes_and_comments(void **state)
{
	struct lv_conf *c = parse_ok("ControllerHost=head # trailing comment\n"
				     "   # indented comment\n"
				     "\n"
				     "ClusterName=\"a # not a comment\"\n"
				     "AdminUsers=ro\"ot, al\"ice\r\n"
				     "StateDir=/x StateDir=/y\n");

	(void)state;
	assert_string_equal(c->cluster_name, "a # not a comment");
	assert_string_equal(c->admin_users, "root, alice");
	assert_string_equal(c->state_dir, "/y"); /* the last one wins */
	lv_conf_destroy(c);
}

static void test_lv_conf_parse_continuation(void **state)
{
	struct lv_conf *c = parse_ok(HEAD "NodeName=n[1-2] \\\n"
					  "   CPUs=4 \\\n"
					  "   RealMemory=2048\n"
					  "ClusterName=beta\n");

	(void)state;
	assert_int_equal(c->n_nodes, 2);
	assert_int_equal(c->nodes[1].cpus, 4);
	assert_int_equal(c->nodes[1].real_memory_mb, 2048);
	assert_string_equal(c->cluster_name, "beta");
	lv_conf_destroy(c);
}

static void test_lv_conf_parse_nodes(void **state)
{
	struct lv_conf *c = parse_ok(
		HEAD
		"NodeName=n[1-4] CPUs=16 Sockets=2 CoresPerSocket=4 "
		"ThreadsPerCore=2 RealMemory=64G Gres=gpu:2 "
		"Features=fast,ib Topology=\"pack:2 core:4 pu:2\" State=idle "
		"Weight=10\n"
		"NodeName=gpu01 Gres=GPU:8\n"
		"NodePort=7000\n");
	const struct lv_conf_node *n;

	(void)state;
	assert_int_equal(c->n_nodes, 5);
	for (size_t i = 0; i < 4; i++) {
		char name[8];

		snprintf(name, sizeof(name), "n%zu", i + 1);
		n = &c->nodes[i];
		assert_string_equal(n->name, name);
		assert_string_equal(n->addr, name);
		assert_int_equal(n->port, 7000); /* NodePort= read later */
		assert_int_equal(n->cpus, 16);
		assert_int_equal(n->sockets, 2);
		assert_int_equal(n->cores_per_socket, 4);
		assert_int_equal(n->threads_per_core, 2);
		assert_int_equal(n->real_memory_mb, 65536);
		assert_int_equal(n->gpus, 2);
		assert_string_equal(n->features, "fast,ib");
		assert_string_equal(n->topology, "pack:2 core:4 pu:2");
		assert_string_equal(n->state, "IDLE");
		assert_int_equal(n->weight, 10);
	}
	assert_non_null(n = lv_conf_find_node(c, "gpu01"));
	assert_int_equal(n->gpus, 8);
	assert_int_equal(n->cpus, 0);
	assert_int_equal(n->real_memory_mb, 0);
	assert_int_equal(n->weight, 1);
	assert_null(n->features);
	assert_null(n->state);
	assert_null(lv_conf_find_node(c, "n5"));
	lv_conf_destroy(c);
}

static void test_lv_conf_parse_node_default(void **state)
{
	struct lv_conf *c = parse_ok(
		HEAD
		"NodeName=DEFAULT CPUs=8 RealMemory=16384 Features=std Port=7100\n"
		"NodeName=a[1-2]\n"
		"NodeName=a3 CPUs=4 Features=big\n"
		"NodeName=default CPUs=2\n"
		"NodeName=b1\n");

	(void)state;
	assert_int_equal(c->n_nodes, 4);
	assert_int_equal(c->nodes[0].cpus, 8);
	assert_int_equal(c->nodes[0].real_memory_mb, 16384);
	assert_string_equal(c->nodes[0].features, "std");
	assert_int_equal(c->nodes[1].port, 7100);
	assert_int_equal(c->nodes[2].cpus, 4);
	assert_string_equal(c->nodes[2].features, "big");
	/* as in Slurm, a second DEFAULT line changes only what it names */
	assert_string_equal(c->nodes[3].name, "b1");
	assert_int_equal(c->nodes[3].cpus, 2);
	assert_int_equal(c->nodes[3].real_memory_mb, 16384);
	assert_string_equal(c->nodes[3].features, "std");
	assert_int_equal(c->nodes[3].port, 7100);
	lv_conf_destroy(c);
}

static void test_lv_conf_parse_node_addr(void **state)
{
	struct lv_conf *c =
		parse_ok(HEAD "NodeName=n[1-3] NodeAddr=10.0.0.[11-13]\n"
			      "NodeName=v[1-2] NodeAddr=127.0.0.1\n"
			      "NodeName=w1 NodeAddr=fe80::1\n");

	(void)state;
	assert_string_equal(c->nodes[0].addr, "10.0.0.11");
	assert_string_equal(c->nodes[2].addr, "10.0.0.13");
	assert_string_equal(c->nodes[3].addr, "127.0.0.1");
	assert_string_equal(c->nodes[4].addr, "127.0.0.1");
	assert_string_equal(c->nodes[5].addr, "fe80::1");
	lv_conf_destroy(c);
}

static void test_lv_conf_parse_node_port_range(void **state)
{
	struct lv_conf *c = parse_ok(HEAD "NodeName=n[1-4] NodeAddr=127.0.0.1 "
					  "Port=[7001-7004]\n"
					  "NodeName=m[1-2] Port=9000\n");

	(void)state;
	assert_int_equal(c->n_nodes, 6);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(c->nodes[i].port, 7001 + i);
	assert_int_equal(c->nodes[4].port, 9000);
	assert_int_equal(c->nodes[5].port, 9000);
	lv_conf_destroy(c);
}

static void test_lv_conf_parse_node_port_count_mismatch(void **state)
{
	(void)state;
	parse_fails(HEAD "NodeName=n[1-4] Port=[7001-7003]\n", -EINVAL,
		    "x.conf:2:", "Port has 3 values for 4 nodes");
	parse_fails(HEAD "\nNodeName=n[1-2] NodeAddr=a[1-3]\n", -EINVAL,
		    "x.conf:3:", "NodeAddr has 3 values for 2 nodes");
	parse_fails(HEAD "NodeName=n[1-2] Port=[0-1]\n", -EINVAL,
		    "x.conf:2:", "bad port '0'");
	parse_fails(HEAD "NodeName=DEFAULT Port=[1-2]\n", -EINVAL,
		    "x.conf:2:", "Port has 2 values for 1 nodes");
}

static void test_lv_conf_parse_partitions(void **state)
{
	struct lv_conf *c = parse_ok(
		HEAD
		"NodeName=n[1-4]\n"
		"PartitionName=debug Nodes=n[1-2] Default=YES MaxTime=1:00:00 "
		"DefaultTime=10\n"
		"PartitionName=batch Nodes=ALL MaxTime=7-00:00:00 MaxNodes=4 "
		"MinNodes=2 State=drain AllowAccounts=phys,chem "
		"AllowGroups=hpc PriorityTier=3 SelectType=Spread Requeue=yes\n"
		"PartitionName=open\n");
	const struct lv_conf_partition *p;

	(void)state;
	assert_int_equal(c->n_partitions, 3);
	assert_non_null(p = lv_conf_find_partition(c, "debug"));
	assert_string_equal(p->nodes, "n[1-2]");
	assert_true(p->is_default);
	assert_int_equal(p->max_time, 60);
	assert_int_equal(p->default_time, 10);
	assert_int_equal(p->max_nodes, 0);
	assert_int_equal(p->min_nodes, 1);
	assert_string_equal(p->state, "UP");
	assert_string_equal(p->select, "pack");
	assert_false(p->requeue);
	assert_ptr_equal(lv_conf_default_partition(c), p);

	assert_non_null(p = lv_conf_find_partition(c, "batch"));
	assert_string_equal(p->nodes, "ALL");
	assert_false(p->is_default);
	assert_int_equal(p->max_time, 7 * 24 * 60);
	assert_int_equal(p->default_time, LV_TIME_UNLIMITED);
	assert_int_equal(p->max_nodes, 4);
	assert_int_equal(p->min_nodes, 2);
	assert_string_equal(p->state, "DRAIN");
	assert_string_equal(p->allow_accounts, "phys,chem");
	assert_string_equal(p->allow_groups, "hpc");
	assert_int_equal(p->priority_tier, 3);
	assert_string_equal(p->select, "spread");
	assert_true(p->requeue);

	assert_non_null(p = lv_conf_find_partition(c, "open"));
	assert_null(p->nodes);
	assert_int_equal(p->max_time, LV_TIME_UNLIMITED);
	assert_null(p->allow_accounts);
	assert_null(lv_conf_find_partition(c, "nope"));
	lv_conf_destroy(c);
}

static void test_lv_conf_parse_partition_default(void **state)
{
	struct lv_conf *c = parse_ok(
		HEAD
		"NodeName=n[1-2]\n"
		"PartitionName=DEFAULT MaxTime=UNLIMITED MaxNodes=UNLIMITED "
		"State=DOWN Requeue=YES\n"
		"PartitionName=a Nodes=n1\n"
		"PartitionName=DEFAULT MaxTime=30\n"
		"PartitionName=b Nodes=n2 State=up MaxNodes=INFINITE\n");
	const struct lv_conf_partition *p;

	(void)state;
	assert_non_null(p = lv_conf_find_partition(c, "a"));
	assert_int_equal(p->max_time, LV_TIME_UNLIMITED);
	assert_int_equal(p->max_nodes, 0);
	assert_string_equal(p->state, "DOWN");
	assert_true(p->requeue);
	assert_non_null(p = lv_conf_find_partition(c, "b"));
	assert_int_equal(p->max_time, 30);
	assert_string_equal(p->state, "UP");
	assert_true(p->requeue); /* from the first DEFAULT line */
	/* no Default=YES: the first partition */
	assert_string_equal(lv_conf_default_partition(c)->name, "a");
	lv_conf_destroy(c);
}

/* etc/leviathan.conf.example must stay loadable.  Under make check,
 * automake exports srcdir (testsuite/unit); by hand, run from the top. */
static void test_lv_conf_load_example(void **state)
{
	const char *srcdir = getenv("srcdir");
	const struct lv_conf_partition *p;
	struct lv_error err = {0};
	struct lv_conf *c;
	char path[1024];

	(void)state;
	if (srcdir)
		snprintf(path, sizeof(path),
			 "%s/../../etc/leviathan.conf.example", srcdir);
	else
		snprintf(path, sizeof(path), "etc/leviathan.conf.example");
	if (access(path, R_OK) < 0)
		skip();
	if (!(c = lv_conf_load(path, &err)))
		fail_msg("%s", err.text);
	assert_string_equal(c->controller_host, "head");
	assert_int_equal(c->n_nodes, 4);
	assert_non_null(lv_conf_find_node(c, "n4"));
	assert_int_equal(c->n_partitions, 2);
	assert_non_null(p = lv_conf_default_partition(c));
	assert_string_equal(p->name, "debug");
	assert_int_equal(p->max_time, 60);
	assert_non_null(p = lv_conf_find_partition(c, "batch"));
	assert_int_equal(p->max_time, 7 * 24 * 60);
	lv_conf_destroy(c);
}

static void test_lv_conf_load_include(void **state)
{
	struct lv_error err = {0};
	struct lv_conf *c;
	const char *main_path;

	(void)state;
	snprintf(subdir, sizeof(subdir), "%s/sub", tmpdir);
	assert_int_equal(mkdir(subdir, 0700), 0);
	write_file("sub/nodes.conf", "NodeName=n[1-4] CPUs=4\n"
				     "Include parts.conf\n");
	write_file("sub/parts.conf", "PartitionName=debug Nodes=n[1-4] "
				     "Default=YES\n");
	main_path = write_file("main.conf", "ControllerHost=head\n"
					    "Include=sub/nodes.conf\n"
					    "ClusterName=inc\n");
	c = lv_conf_load(main_path, &err);
	if (!c)
		fail_msg("load failed: %s", err.text);
	assert_string_equal(c->path, main_path);
	assert_string_equal(c->cluster_name, "inc");
	assert_int_equal(c->n_nodes, 4);
	assert_int_equal(c->nodes[3].cpus, 4);
	assert_string_equal(lv_conf_default_partition(c)->name, "debug");
	lv_conf_destroy(c);
}

static void test_lv_conf_load_include_error_line(void **state)
{
	struct lv_error err = {0};
	const char *path;

	(void)state;
	write_file("bad-inc.conf", "ClusterName=x\n\nBogus=1\n");
	path = write_file("uses-bad.conf", "ControllerHost=head\n"
					   "Include bad-inc.conf\n");
	assert_null(lv_conf_load(path, &err));
	assert_int_equal(err.code, -EINVAL);
	assert_non_null(strstr(err.text, "bad-inc.conf:3:"));
	assert_non_null(strstr(err.text, "unknown key 'Bogus'"));
}

static void test_lv_conf_load_include_recursive(void **state)
{
	struct lv_error err = {0};
	const char *path;

	(void)state;
	path = write_file("loop.conf", "ControllerHost=head\n"
				       "Include=loop.conf\n");
	assert_null(lv_conf_load(path, &err));
	assert_int_equal(err.code, -EINVAL);
	assert_non_null(strstr(err.text, "loop.conf:2:"));
	assert_non_null(strstr(err.text, "nested more than 8 deep"));
}

static void test_lv_conf_load_include_missing(void **state)
{
	struct lv_error err = {0};
	const char *path;

	(void)state;
	path = write_file("inc-missing.conf", "ControllerHost=head\n\n"
					      "Include=does-not-exist.conf\n");
	assert_null(lv_conf_load(path, &err));
	assert_int_equal(err.code, -ENOENT);
	assert_non_null(strstr(err.text, "inc-missing.conf:3:"));
	assert_non_null(strstr(err.text, "does-not-exist.conf"));
}

static void test_lv_conf_load_missing_file(void **state)
{
	struct lv_error err = {0};

	(void)state;
	assert_null(lv_conf_load("/nonexistent/leviathan.conf", &err));
	assert_int_equal(err.code, -ENOENT);
	assert_non_null(strstr(err.text, "/nonexistent/leviathan.conf"));
}

static void test_lv_conf_parse_unknown_key(void **state)
{
	(void)state;
	parse_fails(HEAD "ClusterName=a\nFoo=1\n", -EINVAL,
		    "x.conf:3:", "unknown key 'Foo'");
	parse_fails(HEAD "NodeName=n1 Partition=x\n", -EINVAL,
		    "x.conf:2:", "unknown NodeName key 'Partition'");
	parse_fails(HEAD "PartitionName=p CPUs=2\n", -EINVAL,
		    "x.conf:2:", "unknown PartitionName key 'CPUs'");
	parse_fails(HEAD "ClusterName=a NodeName=n1\n", -EINVAL,
		    "x.conf:2:", "NodeName= must start its line");
}

static void test_lv_conf_parse_missing_equals(void **state)
{
	(void)state;
	parse_fails(HEAD "\nClusterName alpha\n", -EINVAL,
		    "x.conf:3:", "missing '=' in 'ClusterName'");
	parse_fails(HEAD "=alpha\n", -EINVAL, "x.conf:2:", "missing key");
}

static void test_lv_conf_parse_empty_value(void **state)
{
	(void)state;
	parse_fails(HEAD "StateDir=\n", -EINVAL,
		    "x.conf:2:", "empty value for StateDir");
	parse_fails(HEAD "NodeName=n1 CPUs=\"\"\n", -EINVAL,
		    "x.conf:2:", "empty value for CPUs");
}

static void test_lv_conf_parse_bad_number(void **state)
{
	(void)state;
	parse_fails(HEAD "KillWait=abc\n", -EINVAL,
		    "x.conf:2:", "bad number 'abc' for KillWait");
	parse_fails(HEAD "\nKillWait=-1\n", -EINVAL,
		    "x.conf:3:", "bad number '-1'");
	parse_fails(HEAD "MaxJobCount=4294967296\n", -EINVAL,
		    "x.conf:2:", "bad number '4294967296'");
	parse_fails(HEAD "KillWait=12s\n", -EINVAL,
		    "x.conf:2:", "bad number '12s'");
	parse_fails(HEAD "HeartbeatInterval=0\n", -EINVAL,
		    "x.conf:2:", "HeartbeatInterval must be at least 1");
	parse_fails(HEAD "NodeName=n1 CPUs=+4\n", -EINVAL,
		    "x.conf:2:", "bad number '+4' for CPUs");
	parse_fails(HEAD "NodeName=n1 RealMemory=lots\n", -EINVAL,
		    "x.conf:2:", "RealMemory");
	parse_fails(HEAD "PartitionName=p MaxNodes=-3\n", -EINVAL,
		    "x.conf:2:", "bad number '-3' for MaxNodes");
}

static void test_lv_conf_parse_bad_port(void **state)
{
	(void)state;
	parse_fails(HEAD "ControllerPort=0\n", -EINVAL,
		    "x.conf:2:", "bad port '0' for ControllerPort");
	parse_fails(HEAD "NodePort=65536\n", -EINVAL,
		    "x.conf:2:", "bad port '65536'");
	parse_fails(HEAD "NodeName=n1 Port=http\n", -EINVAL,
		    "x.conf:2:", "bad port 'http'");
}

static void test_lv_conf_parse_duplicate_node(void **state)
{
	(void)state;
	parse_fails(HEAD "NodeName=n[1-4]\n# comment\nNodeName=n[4-5]\n",
		    -EINVAL, "x.conf:4:", "duplicate node 'n4'");
	parse_fails(HEAD "NodeName=n[1-2],n1\n", -EINVAL,
		    "x.conf:2:", "duplicate node 'n1'");
}

static void test_lv_conf_parse_undefined_partition_node(void **state)
{
	/* partitions may come before the nodes they list */
	struct lv_conf *c = parse_ok(HEAD "PartitionName=p Nodes=n[1-2]\n"
					  "NodeName=n[1-2]\n");

	(void)state;
	lv_conf_destroy(c);
	parse_fails(HEAD "NodeName=n[1-4]\n\n"
			 "PartitionName=p Nodes=n[3-5]\n",
		    -EINVAL,
		    "x.conf:4:", "partition 'p' lists undefined node 'n5'");
}

static void test_lv_conf_parse_two_default_partitions(void **state)
{
	(void)state;
	parse_fails(HEAD "PartitionName=a Default=YES\n"
			 "PartitionName=b Default=NO\n"
			 "PartitionName=c Default=YES\n",
		    -EINVAL, "x.conf:4:",
		    "partitions 'a' and 'c' both have Default=YES");
	parse_fails(HEAD "PartitionName=a\nPartitionName=a\n", -EINVAL,
		    "x.conf:3:", "duplicate partition 'a'");
}

static void test_lv_conf_parse_bad_partition(void **state)
{
	(void)state;
	parse_fails(HEAD "PartitionName=p Default=maybe\n", -EINVAL,
		    "x.conf:2:", "bad Default 'maybe' (YES or NO)");
	parse_fails(HEAD "PartitionName=p State=OPEN\n", -EINVAL, "x.conf:2:",
		    "bad State 'OPEN' (one of UP, DOWN, DRAIN, INACTIVE)");
	parse_fails(HEAD "PartitionName=p SelectType=random\n", -EINVAL,
		    "x.conf:2:", "bad SelectType 'random'");
	parse_fails(HEAD "PartitionName=p MaxTime=1:2:3:4\n", -EINVAL,
		    "x.conf:2:", "MaxTime:");
	parse_fails(HEAD "PartitionName=p MaxTime=10 DefaultTime=20\n", -EINVAL,
		    "x.conf:2:", "DefaultTime exceeds MaxTime");
	parse_fails(HEAD "PartitionName=p MaxNodes=2 MinNodes=3\n", -EINVAL,
		    "x.conf:2:", "MinNodes exceeds MaxNodes");
	parse_fails(HEAD "PartitionName=p Nodes=n[1-\n", -EINVAL,
		    "x.conf:2:", "Nodes:");
}

static void test_lv_conf_parse_bad_node(void **state)
{
	(void)state;
	parse_fails(HEAD "NodeName=n1 Gres=gpu:tesla:2\n", -EINVAL,
		    "x.conf:2:", "only gpu:N");
	parse_fails(HEAD "NodeName=n1 State=broken\n", -EINVAL,
		    "x.conf:2:", "bad State 'broken'");
	parse_fails(HEAD "NodeName=n[1-\n", -EINVAL, "x.conf:2:", "NodeName:");
}

static void test_lv_conf_parse_bad_globals(void **state)
{
	(void)state;
	parse_fails(HEAD "DebugFlags=Rpc,Bogus\n", -EINVAL,
		    "x.conf:2:", "unknown debug flag 'Bogus'");
	parse_fails(HEAD "LogLevel=verbose\n", -EINVAL,
		    "x.conf:2:", "bad LogLevel 'verbose'");
	parse_fails(HEAD "ClusterName=\"abc\n", -EINVAL,
		    "x.conf:2:", "unterminated quote");
	parse_fails(HEAD "Include a.conf b.conf\n", -EINVAL,
		    "x.conf:2:", "Include takes one path");
}

static void test_lv_conf_parse_continuation_line_number(void **state)
{
	(void)state;
	/* errors name the first line of a continued line */
	parse_fails(HEAD "NodeName=n1 \\\n CPUs=4 \\\n Bogus=1\nKillWait=x\n",
		    -EINVAL, "x.conf:2:", "unknown NodeName key 'Bogus'");
	parse_fails(HEAD "NodeName=n1 \\\n CPUs=4\nKillWait=x\n", -EINVAL,
		    "x.conf:4:", "bad number 'x'");
}

static void test_lv_conf_parse_missing_controller(void **state)
{
	(void)state;
	parse_fails("ClusterName=a\n", -EINVAL,
		    "x.conf: ", "ControllerHost is required");
	parse_fails("", -EINVAL, "x.conf: ", "ControllerHost is required");
}

static void test_lv_conf_destroy_null(void **state)
{
	(void)state;
	lv_conf_destroy(NULL);
}

/* SYSCONFDIR is known to liblv only, so check the shape of that path. */
static void assert_sysconf_path(const char *path)
{
	const char *tail = "/leviathan.conf";

	assert_non_null(path);
	assert_true(strlen(path) > strlen(tail));
	assert_string_equal(path + strlen(path) - strlen(tail), tail);
}

static void test_lv_conf_default_path_order(void **state)
{
	(void)state;
	assert_string_equal(lv_conf_default_path("/a/b.conf"), "/a/b.conf");
	assert_int_equal(setenv("LV_CONF", "/env/lv.conf", 1), 0);
	assert_string_equal(lv_conf_default_path(NULL), "/env/lv.conf");
	assert_string_equal(lv_conf_default_path("/a/b.conf"), "/a/b.conf");
	assert_int_equal(setenv("LV_CONF", "", 1), 0);
	assert_sysconf_path(lv_conf_default_path(NULL));
	assert_int_equal(unsetenv("LV_CONF"), 0);
	assert_sysconf_path(lv_conf_default_path(NULL));
}

static void expand_is(const char *tmpl, const char *node, const char *want)
{
	char *s = lv_conf_expand_node(tmpl, node);

	assert_non_null(s);
	assert_string_equal(s, want);
	free(s);
}

static void test_lv_conf_expand_node_cases(void **state)
{
	(void)state;
	expand_is("/var/spool/lvd/%n", "n12", "/var/spool/lvd/n12");
	expand_is("%n-%n.log", "a", "a-a.log");
	expand_is("100%% %n", "n1", "100% n1");
	expand_is("%%n", "n1", "%n");
	expand_is("plain", "n1", "plain");
	expand_is("%x%", "n1", "%x%");
	expand_is("", "n1", "");
	assert_null(lv_conf_expand_node(NULL, "n1"));
}

static void test_lv_log_parse_debug_flags_ok(void **state)
{
	struct lv_error err = {0};
	uint32_t f = 99;

	(void)state;
	assert_int_equal(lv_log_parse_debug_flags("Rpc,Auth", &f, &err), 0);
	assert_int_equal(f, LV_DBG_RPC | LV_DBG_AUTH);
	assert_int_equal(
		lv_log_parse_debug_flags("sched, JOURNAL ,mpi", &f, &err), 0);
	assert_int_equal(f, LV_DBG_SCHED | LV_DBG_JOURNAL | LV_DBG_MPI);
	assert_int_equal(lv_log_parse_debug_flags("Node,Job,Conf,Launch,Policy",
						  &f, &err),
			 0);
	assert_int_equal(f, LV_DBG_NODE | LV_DBG_JOB | LV_DBG_CONF |
				    LV_DBG_LAUNCH | LV_DBG_POLICY);
	assert_int_equal(lv_log_parse_debug_flags("", &f, &err), 0);
	assert_int_equal(f, 0);
}

static void test_lv_log_parse_debug_flags_bad(void **state)
{
	struct lv_error err = {0};
	uint32_t f = 7;

	(void)state;
	assert_int_equal(lv_log_parse_debug_flags("Rpc,Nope", &f, &err),
			 -EINVAL);
	assert_non_null(strstr(err.text, "unknown debug flag 'Nope'"));
	assert_int_equal(f, 7); /* untouched on failure */
	assert_int_equal(lv_log_parse_debug_flags("Rpc,,Auth", &f, &err),
			 -EINVAL);
	assert_int_equal(lv_log_parse_debug_flags("Rpc,", &f, &err), -EINVAL);
	assert_int_equal(lv_log_parse_debug_flags("Rp", &f, &err), -EINVAL);
	assert_int_equal(lv_log_parse_debug_flags("RpcX", &f, &err), -EINVAL);
}

static void read_back(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void test_lv_log_open_file(void **state)
{
	struct lv_error err = {0};
	char path[300], buf[4096], *line2;
	int year, mon, day, h, m, s, ms, pid, used = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/test.log", tmpdir);
	files[n_files++] = strdup(path);
	assert_int_equal(lv_log_open("lvtest", LV_LOG_TO_FILE, path, &err), 0);
	lv_log(LV_LOG_INFO, "conf: hello %d", 42);
	lv_log(LV_LOG_DEBUG, "dropped at the default level");
	lv_debug(LV_DBG_CONF, "dropped: flag not set");
	lv_log_set_level(LV_LOG_DEBUG);
	lv_log_set_debug(LV_DBG_CONF);
	assert_true(lv_log_debug_enabled(LV_DBG_CONF));
	assert_false(lv_log_debug_enabled(LV_DBG_RPC));
	errno = ENOENT;
	lv_log_errno(LV_LOG_ERR, "conf: open %s", "/x");
	assert_int_equal(errno, ENOENT);
	/* a second open (SIGHUP) appends to the same file */
	assert_int_equal(lv_log_open("lvtest", LV_LOG_TO_FILE, path, &err), 0);
	lv_debug(LV_DBG_CONF, "conf: debug shown");
	lv_log_close();
	lv_log_set_level(LV_LOG_INFO);
	lv_log_set_debug(0);

	read_back(path, buf, sizeof(buf));
	assert_int_equal(
		sscanf(buf, "%4d-%2d-%2dT%2d:%2d:%2d.%3d lvtest[%d]: %n", &year,
		       &mon, &day, &h, &m, &s, &ms, &pid, &used),
		8);
	assert_int_equal(pid, getpid());
	assert_true(!strncmp(buf + used, "conf: hello 42\n", 15));
	assert_non_null(line2 = strchr(buf, '\n'));
	assert_non_null(strstr(line2, "]: conf: open /x: No such file or "
				      "directory\n"));
	assert_non_null(strstr(line2, "]: conf: debug shown\n"));
	assert_null(strstr(buf, "dropped"));
}

static void test_lv_log_open_bad_path(void **state)
{
	struct lv_error err = {0};

	(void)state;
	assert_int_equal(lv_log_open("lvtest", LV_LOG_TO_FILE,
				     "/nonexistent/dir/x.log", &err),
			 -ENOENT);
	assert_non_null(strstr(err.text, "/nonexistent/dir/x.log"));
	assert_int_equal(lv_log_open("lvtest", LV_LOG_TO_FILE, NULL, &err),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lv_conf_parse_defaults),
		cmocka_unit_test(test_lv_conf_parse_globals),
		cmocka_unit_test(test_lv_conf_parse_quotes_and_comments),
		cmocka_unit_test(test_lv_conf_parse_continuation),
		cmocka_unit_test(test_lv_conf_parse_nodes),
		cmocka_unit_test(test_lv_conf_parse_node_default),
		cmocka_unit_test(test_lv_conf_parse_node_addr),
		cmocka_unit_test(test_lv_conf_parse_node_port_range),
		cmocka_unit_test(test_lv_conf_parse_node_port_count_mismatch),
		cmocka_unit_test(test_lv_conf_parse_partitions),
		cmocka_unit_test(test_lv_conf_parse_partition_default),
		cmocka_unit_test(test_lv_conf_load_example),
		cmocka_unit_test(test_lv_conf_load_include),
		cmocka_unit_test(test_lv_conf_load_include_error_line),
		cmocka_unit_test(test_lv_conf_load_include_recursive),
		cmocka_unit_test(test_lv_conf_load_include_missing),
		cmocka_unit_test(test_lv_conf_load_missing_file),
		cmocka_unit_test(test_lv_conf_parse_unknown_key),
		cmocka_unit_test(test_lv_conf_parse_missing_equals),
		cmocka_unit_test(test_lv_conf_parse_empty_value),
		cmocka_unit_test(test_lv_conf_parse_bad_number),
		cmocka_unit_test(test_lv_conf_parse_bad_port),
		cmocka_unit_test(test_lv_conf_parse_duplicate_node),
		cmocka_unit_test(test_lv_conf_parse_undefined_partition_node),
		cmocka_unit_test(test_lv_conf_parse_two_default_partitions),
		cmocka_unit_test(test_lv_conf_parse_bad_partition),
		cmocka_unit_test(test_lv_conf_parse_bad_node),
		cmocka_unit_test(test_lv_conf_parse_bad_globals),
		cmocka_unit_test(test_lv_conf_parse_continuation_line_number),
		cmocka_unit_test(test_lv_conf_parse_missing_controller),
		cmocka_unit_test(test_lv_conf_destroy_null),
		cmocka_unit_test(test_lv_conf_default_path_order),
		cmocka_unit_test(test_lv_conf_expand_node_cases),
		cmocka_unit_test(test_lv_log_parse_debug_flags_ok),
		cmocka_unit_test(test_lv_log_parse_debug_flags_bad),
		cmocka_unit_test(test_lv_log_open_file),
		cmocka_unit_test(test_lv_log_open_bad_path),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
