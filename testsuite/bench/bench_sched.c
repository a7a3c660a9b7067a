/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Submits N batch jobs of mixed shapes over one authenticated connection
 * (JOB_SUBMIT, as lvbatch sends it) and prints the accepted rate: the
 * load half of bench-sched.sh. */
#include "config.h"

#include <getopt.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "common/client.h"
#include "common/conf.h"
#include "common/msg.h"

#define CALL_TIMEOUT_MS 60000

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("bench_sched: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A job like the ones a busy site queues: mostly small, some wide, time
 * limits from 10 minutes to 4 hours (deterministic from i). */
static json_t *desc_for(long i, const char *qos)
{
	static const int nodes[] = {1, 1, 1, 1, 2, 4, 8, 16};
	static const int limits[] = {10, 30, 60, 120, 240};
	int n = nodes[(i * 7) % 8];
	int tasks = n * (1 + (int)((i * 13) % 16));
	json_t *d;

	d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:{s:s}}",
		      "kind", "batch", "name", "bench", "script",
		      "#!/bin/sh\nsleep 60\n", "work_dir", "/tmp", "stdout",
		      "/dev/null", "nodes_min", n, "nodes_max", n, "ntasks",
		      tasks, "time_limit", limits[(i * 3) % 5], "env", "PATH",
		      "/usr/bin:/bin");
	if (d && qos)
		json_object_set_new(d, "qos", json_string(qos));
	return d;
}

int main(int argc, char **argv)
{
	struct lv_error err = {0};
	struct lv_conf *conf;
	struct lv_client *cl;
	long n = 1000, i, refused = 0, first = 0;
	const char *qos = NULL, *label = "submit_jobs_per_s";
	double t0, t1;
	int c;

	while ((c = getopt(argc, argv, "n:q:f:l:")) != -1) {
		switch (c) {
		case 'n':
			n = strtol(optarg, NULL, 10);
			break;
		case 'q':
			qos = optarg;
			break;
		case 'f':
			first = strtol(optarg, NULL, 10);
			break;
		case 'l':
			label = optarg;
			break;
		default:
			die("usage: bench_sched [-n jobs] [-f first-index] [-q qos] [-l label]");
		}
	}
	if (!(conf = lv_conf_load(lv_conf_default_path(NULL), &err)))
		die("%s", err.text);
	cl = lv_client_connect(conf->controller_addr, conf->controller_port,
			       conf->munge_socket, CALL_TIMEOUT_MS, &err);
	if (!cl)
		die("connect: %s", err.text);
	t0 = now_s();
	for (i = 0; i < n; i++) {
		json_t *reply = NULL;

		if (lv_client_call(cl, LV_MSG_JOB_SUBMIT,
				   desc_for(first + i, qos), CALL_TIMEOUT_MS,
				   &reply, &err) < 0) {
			if (++refused == 1)
				fprintf(stderr, "bench_sched: refused: %s\n",
					err.text);
		}
		json_decref(reply);
	}
	t1 = now_s();
	printf("FIGURE %-40s = %.0f\n", "submitted_jobs",
	       (double)(n - refused));
	printf("FIGURE %-40s = %.1f\n", label,
	       (double)(n - refused) / (t1 - t0));
	lv_client_destroy(cl);
	lv_conf_destroy(conf);
	return refused ? 1 : 0;
}
