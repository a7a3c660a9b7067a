/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench_policy: the cost of one Lua policy hook call, in microseconds,
 * through the same functions lvctld calls (policy_priority, policy_place,
 * policy_job_submit), on a simulated node table and job queue.  Prints
 * FIGURE lines; asserts nothing about time.
 *
 *   bench_policy [-n CALLS] [-N NODES] [-j JOBS] [-l LUA_DIR]
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/conf.h"
#include "common/log.h"
#include "sched/ctld.h"
#include "sched/job.h"
#include "sched/jobs.h"
#include "sched/nodes.h"
#include "sched/partitions.h"
#include "sched/policy.h"

struct opts {
	long calls;
	long nodes, jobs;
	const char *lua_dir;
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what, const char *why)
{
	fprintf(stderr, "bench_policy: %s: %s\n", what, why);
	exit(1);
}

/* A cluster of n nodes in racks of 32 (features rackN) and its conf. */
static struct lv_conf *make_conf(const char *script, long n)
{
	size_t cap = 512 + (size_t)n * 64, off;
	char *text = malloc(cap);
	struct lv_error err = {0};
	struct lv_conf *c;
	long r;

	if (!text)
		die("conf", "out of memory");
	off = (size_t)snprintf(text, cap, "ControllerHost=localhost\n%s%s\n",
			       script ? "PolicyScript=" : "#",
			       script ? script : "");
	for (r = 0; r * 32 < n; r++)
		off += (size_t)snprintf(
			text + off, cap - off,
			"NodeName=n[%ld-%ld] CPUs=64 RealMemory=256000 Features=rack%ld\n",
			r * 32 + 1, r * 32 + 32 < n ? r * 32 + 32 : n, r);
	snprintf(text + off, cap - off,
		 "PartitionName=batch Nodes=ALL Default=YES\n");
	if (!(c = lv_conf_parse(text, "bench.conf", &err)))
		die("conf", err.text);
	free(text);
	return c;
}

static struct job *make_job(struct partitions *parts, uid_t uid, int tasks)
{
	struct lv_error err = {0};
	char text[256];
	json_t *d;
	struct job *j;

	snprintf(
		text, sizeof(text),
		"{\"script\": \"#!/bin/sh\\n\", \"work_dir\": \"/\", \"name\": \"b\", "
		"\"ntasks\": %d, \"account\": \"physics\"}",
		tasks);
	d = json_loads(text, 0, NULL);
	if (!d || !(j = job_create(d, uid, uid, parts, time(NULL), &err)))
		die("job", err.text[0] ? err.text : "out of memory");
	json_decref(d);
	return j;
}

/* The ctld pieces the lv table reads: nodes, partitions, a queue. */
static void setup(struct lvctld *ctld, struct lv_conf *conf, long jobs)
{
	struct lv_error err = {0};
	long i;

	ctld->conf = conf;
	if (!(ctld->nodes = nodes_create(conf, &err)) ||
	    !(ctld->parts = partitions_create(conf, ctld->nodes, &err)) ||
	    !(ctld->jobs = jobs_create(1)))
		die("setup", err.text[0] ? err.text : "out of memory");
	for (i = 0; i < jobs; i++)
		if (jobs_add(ctld->jobs,
			     make_job(ctld->parts, (uid_t)(1000 + i % 50), 4)) <
		    0)
			die("setup", "jobs_add");
}

static void teardown(struct lvctld *ctld, struct policy *pol)
{
	policy_destroy(pol);
	jobs_destroy(ctld->jobs);
	partitions_destroy(ctld->parts);
	nodes_destroy(ctld->nodes);
	lv_conf_destroy(ctld->conf);
}

static const char *write_script(const char *dir, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/policy.lua", dir);
	if (!(f = fopen(path, "w")) || fputs(text, f) < 0 || fclose(f) != 0)
		die(path, strerror(errno));
	return path;
}

enum what { PRIORITY, PLACE, SUBMIT };

/* Runs calls hook calls; returns microseconds per call. */
static double run(struct policy *pol, struct lvctld *ctld, enum what w,
		  long calls, size_t ncand)
{
	struct job *job = make_job(ctld->parts, 1000, 4);
	size_t *cand = calloc(ncand ? ncand : 1, sizeof(*cand));
	size_t *order = calloc(ncand ? ncand : 1, sizeof(*order)), n, i;
	json_t *desc = json_loads(
		"{\"name\": \"b\", \"ntasks\": 4, \"account\": \"a\"}", 0,
		NULL);
	struct lv_error err = {0};
	volatile uint64_t sink = 0;
	json_t *out;
	double t0;
	long c;

	if (!cand || !order || !desc)
		die("run", "out of memory");
	for (i = 0; i < ncand; i++)
		cand[i] = i;
	t0 = now_s();
	for (c = 0; c < calls; c++) {
		switch (w) {
		case PRIORITY:
			sink += policy_priority(pol, job, 1000);
			break;
		case PLACE:
			sink += (uint64_t)policy_place(pol, job, cand, ncand,
						       order, &n);
			break;
		case SUBMIT:
			if (policy_job_submit(pol, desc, 1000, 1000, &out,
					      &err) < 0)
				die("job_submit", err.text);
			json_decref(out);
			break;
		}
	}
	t0 = (now_s() - t0) * 1e6 / (double)calls;
	(void)sink;
	json_decref(desc);
	free(cand);
	free(order);
	job_destroy(job);
	return t0;
}

/* One figure: script text (or an example file), what to call. */
static void figure(const struct opts *o, const char *name, const char *dir,
		   const char *script, enum what w, size_t ncand, long jobs)
{
	struct lvctld ctld = {0};
	struct lv_conf *conf = make_conf(script ? script : NULL, o->nodes);
	struct policy *pol;
	long calls = o->calls;
	double us;

	(void)dir;
	setup(&ctld, conf, jobs);
	if (!(pol = policy_create(&ctld, conf)))
		die("policy", "out of memory");
	if (script && !policy_has_hook(pol, w == PRIORITY ? POLICY_PRIORITY
					    : w == PLACE  ? POLICY_PLACE
							  : POLICY_JOB_SUBMIT))
		die(name, "the script did not load or lacks the hook");
	/* Big candidate lists or queues: fewer calls. */
	if (ncand > 64 || jobs > 1000)
		calls = calls / 100 ? calls / 100 : 1;
	(void)run(pol, &ctld, w, calls / 10 ? calls / 10 : 1,
		  ncand); /* warm up */
	us = run(pol, &ctld, w, calls, ncand);
	printf("FIGURE %s_us = %.3f\n", name, us);
	fflush(stdout);
	teardown(&ctld, pol);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bench_policy [-n CALLS] [-N NODES] [-j JOBS] [-l LUA_DIR]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct opts o = {200000, 10000, 100000, NULL};
	char dir[] = "/tmp/bench-policy-XXXXXX", path[512], cmd[600];
	int c;

	while ((c = getopt(argc, argv, "n:N:j:l:")) != -1) {
		switch (c) {
		case 'n':
			o.calls = atol(optarg);
			break;
		case 'N':
			o.nodes = atol(optarg);
			break;
		case 'j':
			o.jobs = atol(optarg);
			break;
		case 'l':
			o.lua_dir = optarg;
			break;
		default:
			usage();
		}
	}
	if (o.calls < 1 || o.nodes < 64 || o.jobs < 0)
		usage();
	lv_log_set_level(LV_LOG_ERR);
	if (!mkdtemp(dir))
		die("mkdtemp", strerror(errno));
	printf("# %ld calls per figure, %ld nodes, policy in %s\n", o.calls,
	       o.nodes, dir);
	/* The host alone: no script, the built-in answer. */
	figure(&o, "policy_none_priority", dir, NULL, PRIORITY, 0, 0);
	figure(&o, "policy_priority", dir,
	       write_script(
		       dir,
		       "function priority(job) return job.num_tasks * 10 end\n"),
	       PRIORITY, 0, 0);
	figure(&o, "policy_place_16", dir,
	       write_script(dir, "function place(alloc, c)\n"
				 "  return { c[2].name, c[1].name }\n"
				 "end\n"),
	       PLACE, 16, 0);
	figure(&o, "policy_place_1000", dir,
	       write_script(dir, "function place(alloc, c)\n"
				 "  return { c[2].name, c[1].name }\n"
				 "end\n"),
	       PLACE, 1000, 0);
	figure(&o, "policy_job_submit", dir,
	       write_script(
		       dir,
		       "function job_submit(d, parts, uid)\n"
		       "  if d.time_limit == nil then d.time_limit = 60 end\n"
		       "  return lv.SUCCESS\n"
		       "end\n"),
	       SUBMIT, 0, 0);
	if (o.lua_dir) {
		snprintf(cmd, sizeof(cmd), "cp '%s'/*.lua '%s'/", o.lua_dir,
			 dir);
		if (system(cmd) != 0)
			die("cp", o.lua_dir);
		snprintf(path, sizeof(path), "%s/rack_placement.lua", dir);
		figure(&o, "policy_example_rack_place_64", dir, path, PLACE, 64,
		       0);
		snprintf(path, sizeof(path), "%s/fair_share.lua", dir);
		figure(&o, "policy_example_fair_share_1k_jobs", dir, path,
		       PRIORITY, 0, 1000);
		figure(&o, "policy_example_fair_share_100k_jobs", dir, path,
		       PRIORITY, 0, o.jobs);
		snprintf(path, sizeof(path), "%s/default_partition.lua", dir);
		figure(&o, "policy_example_default_partition_submit", dir, path,
		       SUBMIT, 0, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
