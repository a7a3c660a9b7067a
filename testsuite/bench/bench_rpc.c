/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Authenticated PING round trips against a running lvctld: latency on one
 * connection, throughput with 1 and with C clients, connect+handshake. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/client.h"
#include "common/conf.h"
#include "common/msg.h"

#define CALL_TIMEOUT_MS 30000

struct options {
	long n;                 /* timed pings on one connection */
	long warmup;            /* untimed pings before them */
	int clients;            /* concurrent clients for the throughput run */
	int connects;           /* connect+handshake samples */
	bool rtt, rps, connect; /* which parts run (-p) */
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("bench_rpc: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The q-quantile (0..1) of n sorted samples, nearest rank. */
static int64_t quantile(const int64_t *v, size_t n, double q)
{
	size_t i = (size_t)(q * (double)n);

	return v[i < n ? i : n - 1];
}

static struct lv_client *connect_ctld(const struct lv_conf *conf)
{
	struct lv_error err = {0};
	struct lv_client *cl;

	cl = lv_client_connect(conf->controller_addr, conf->controller_port,
			       conf->munge_socket, CALL_TIMEOUT_MS, &err);
	if (!cl)
		die("connect %s:%u: %s", conf->controller_addr,
		    (unsigned)conf->controller_port, err.text);
	return cl;
}

static void ping(struct lv_client *cl)
{
	struct lv_error err = {0};
	json_t *reply = NULL;

	if (lv_client_call(cl, LV_MSG_PING, json_object(), CALL_TIMEOUT_MS,
			   &reply, &err) < 0)
		die("PING: %s", err.text);
	json_decref(reply);
}

/* Median of connects connect+handshake+close cycles, in ns. */
static int64_t bench_connect(const struct lv_conf *conf, int connects)
{
	int64_t *t = calloc((size_t)connects, sizeof(*t)), t0, med;
	struct lv_client *cl;

	if (!t)
		die("out of memory");
	for (int i = 0; i < connects; i++) {
		t0 = now_ns();
		cl = connect_ctld(conf);
		t[i] = now_ns() - t0;
		lv_client_destroy(cl);
	}
	qsort(t, (size_t)connects, sizeof(*t), cmp_i64);
	med = quantile(t, (size_t)connects, 0.5);
	free(t);
	return med;
}

/* Sequential pings on one connection: per-call latencies and the total. */
static void bench_latency(const struct lv_conf *conf, const struct options *o)
{
	struct lv_client *cl = connect_ctld(conf);
	int64_t *t = calloc((size_t)o->n, sizeof(*t)), start, t0;
	double total_s, sum = 0;

	if (!t)
		die("out of memory");
	for (long i = 0; i < o->warmup; i++)
		ping(cl);
	start = now_ns();
	for (long i = 0; i < o->n; i++) {
		t0 = now_ns();
		ping(cl);
		t[i] = now_ns() - t0;
	}
	total_s = (double)(now_ns() - start) / 1e9;
	lv_client_destroy(cl);
	for (long i = 0; i < o->n; i++)
		sum += (double)t[i];
	qsort(t, (size_t)o->n, sizeof(*t), cmp_i64);
	printf("latency: %ld pings on one connection after %ld warm-up: "
	       "min %.1f mean %.1f max %.1f us\n",
	       o->n, o->warmup, (double)t[0] / 1e3, sum / (double)o->n / 1e3,
	       (double)t[o->n - 1] / 1e3);
	printf("FIGURE rpc_rtt_median_us = %.1f\n",
	       (double)quantile(t, (size_t)o->n, 0.5) / 1e3);
	printf("FIGURE rpc_rtt_p90_us = %.1f\n",
	       (double)quantile(t, (size_t)o->n, 0.9) / 1e3);
	printf("FIGURE rpc_rtt_p99_us = %.1f\n",
	       (double)quantile(t, (size_t)o->n, 0.99) / 1e3);
	printf("FIGURE rpc_rps_1 = %.0f\n", (double)o->n / total_s);
	free(t);
}

/* One forked client: connect and warm up, report ready, wait for the
 * start pipe to close, ping count times, send the count back. */
static void client_child(const struct lv_conf *conf, long count, long warmup,
			 int ready_fd, int start_fd, int result_fd)
{
	struct lv_client *cl = connect_ctld(conf);
	char c = 'r';
	int64_t done;

	for (long i = 0; i < warmup; i++)
		ping(cl);
	if (write(ready_fd, &c, 1) != 1)
		die("ready pipe: %s", strerror(errno));
	/* Once every child has closed it, a parent still waiting sees EOF. */
	close(ready_fd);
	while (read(start_fd, &c, 1) < 0 && errno == EINTR)
		; /* EOF: the parent closed the barrier */
	for (long i = 0; i < count; i++)
		ping(cl);
	done = count;
	if (write(result_fd, &done, sizeof(done)) != sizeof(done))
		die("result pipe: %s", strerror(errno));
	lv_client_destroy(cl);
	_exit(0);
}

/* Throughput with o->clients processes, each with its own connection
 * doing n/clients pings; wall time from the barrier to the last exit. */
static void bench_concurrent(const struct lv_conf *conf,
			     const struct options *o)
{
	int ready[2], start[2], result[2], failed = 0, status;
	pid_t *pids = calloc((size_t)o->clients, sizeof(*pids));
	long per = o->n / o->clients, warm = o->warmup / o->clients;
	int64_t total = 0, got, t0, t1;
	char c;

	if (!pids)
		die("out of memory");
	if (pipe(ready) < 0 || pipe(start) < 0 || pipe(result) < 0)
		die("pipe: %s", strerror(errno));
	fflush(stdout);
	for (int i = 0; i < o->clients; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (pid == 0) {
			close(ready[0]);
			close(start[1]);
			close(result[0]);
			client_child(conf, per, warm, ready[1], start[0],
				     result[1]);
		}
		pids[i] = pid;
	}
	close(ready[1]);
	close(start[0]);
	close(result[1]);
	for (int i = 0; i < o->clients; i++) {
		if (read(ready[0], &c, 1) == 1)
			continue;
		for (int k = 0; k < o->clients; k++)
			kill(pids[k], SIGTERM);
		die("a client failed before the start");
	}
	free(pids);
	t0 = now_ns();
	close(start[1]); /* every child's read returns: go */
	while (wait(&status) > 0)
		failed += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	t1 = now_ns();
	while (read(result[0], &got, sizeof(got)) == sizeof(got))
		total += got;
	if (failed)
		die("%d of %d clients failed", failed, o->clients);
	printf("concurrent: %d clients x %ld pings = %lld in %.3f s\n",
	       o->clients, per, (long long)total, (double)(t1 - t0) / 1e9);
	printf("FIGURE rpc_rps_%d = %.0f\n", o->clients,
	       (double)total / ((double)(t1 - t0) / 1e9));
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: bench_rpc [-n PINGS] [-w WARMUP] [-c CLIENTS] "
		   "[-k CONNECTS] [-p PARTS]\n"
		   "  Talks to the controller in $LV_CONF (or the default "
		   "configuration).\n"
		   "  -n  timed pings (default 20000; split over the clients "
		   "in the concurrent run)\n"
		   "  -w  warm-up pings before timing (default 1000)\n"
		   "  -c  concurrent clients (default 16)\n"
		   "  -k  connect+handshake samples (default 200)\n"
		   "  -p  parts to run, comma-separated: rtt (latency and "
		   "rps_1 on one\n"
		   "      connection), rps (C clients), connect (default "
		   "all three)\n");
}

/* "rtt,connect" sets the parts named and clears the others. */
static void parse_parts(struct options *o, const char *s)
{
	char *copy = strdup(s), *save = NULL, *w;

	if (!copy)
		die("out of memory");
	o->rtt = o->rps = o->connect = false;
	for (w = strtok_r(copy, ",", &save); w;
	     w = strtok_r(NULL, ",", &save)) {
		if (!strcmp(w, "rtt"))
			o->rtt = true;
		else if (!strcmp(w, "rps"))
			o->rps = true;
		else if (!strcmp(w, "connect"))
			o->connect = true;
		else
			die("-p: unknown part '%s' (rtt, rps, connect)", w);
	}
	free(copy);
}

static long parse_count(const char *s, long min)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min) {
		usage(stderr);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	struct options o = {
		.n = 20000,
		.warmup = 1000,
		.clients = 16,
		.connects = 200,
		.rtt = true,
		.rps = true,
		.connect = true,
	};
	struct lv_error err = {0};
	struct lv_conf *conf;
	int opt;

	while ((opt = getopt(argc, argv, "n:w:c:k:p:h")) != -1) {
		switch (opt) {
		case 'n':
			o.n = parse_count(optarg, 1);
			break;
		case 'w':
			o.warmup = parse_count(optarg, 0);
			break;
		case 'c':
			o.clients = (int)parse_count(optarg, 1);
			break;
		case 'k':
			o.connects = (int)parse_count(optarg, 1);
			break;
		case 'p':
			parse_parts(&o, optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (o.clients > 1024 || o.n < o.clients)
		die("-c must be at most 1024 and at most -n");
	if (!(conf = lv_conf_load(lv_conf_default_path(NULL), &err)))
		die("%s", err.text);
	printf("controller %s:%u, config %s\n", conf->controller_addr,
	       (unsigned)conf->controller_port, conf->path);
	if (o.rtt)
		bench_latency(conf, &o);
	if (o.rps)
		bench_concurrent(conf, &o);
	if (o.connect)
		printf("FIGURE rpc_connect_ms = %.3f\n",
		       (double)bench_connect(conf, o.connects) / 1e6);
	lv_conf_destroy(conf);
	return 0;
}
