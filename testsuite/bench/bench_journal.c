/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Benchmark of lvctld's journal: group-committed appends, one fdatasync
 * per record for comparison, and the replay of the result.  Prints its
 * figures and asserts nothing about time. */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sched/journal.h"

struct bench {
	struct event_base *base;
	struct journal *j;
	json_t *rec; /* the ~300-byte record, job_id changed each time */
	struct event *producer;
	long n;     /* records to append */
	long burst; /* appended per loop turn (group mode) */
	long appended, done, failed;
	size_t replayed;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A job submission, padded to about size bytes of compact JSON. */
static json_t *make_record(size_t size)
{
	json_t *rec =
		json_pack("{s:s, s:i, s:s, s:i, s:i, s:s, s:i, s:i, s:i, s:s}",
			  "op", "submit", "job_id", 0, "user", "alice", "uid",
			  1000, "gid", 1000, "partition", "batch", "nodes", 4,
			  "ntasks", 128, "time_limit", 3600, "script", "");
	char *s = json_dumps(rec, JSON_COMPACT);
	size_t len = strlen(s), pad = size > len + 8 ? size - len - 8 : 0;
	char *script = malloc(pad + 1);

	memset(script, 'x', pad);
	memcpy(script, "#!/bin/sh\n", pad < 10 ? pad : 10);
	script[pad] = '\0';
	json_object_set_new(rec, "script", json_string(script));
	free(script);
	free(s);
	return rec;
}

static int append_one(struct bench *b, journal_done_f done)
{
	json_object_set_new(b->rec, "job_id", json_integer(b->appended));
	b->appended++;
	return journal_append(b->j, b->rec, done, b);
}

static void count_done(int status, void *arg)
{
	struct bench *b = arg;

	if (status < 0)
		b->failed++;
	if (++b->done == b->n)
		event_base_loopbreak(b->base);
}

/* Group mode: burst appends per loop turn, as RPCs would arrive. */
static void produce(evutil_socket_t fd, short what, void *arg)
{
	struct bench *b = arg;
	long i;

	(void)fd;
	(void)what;
	for (i = 0; i < b->burst && b->appended < b->n; i++)
		if (append_one(b, count_done) < 0)
			exit(1);
	if (b->appended < b->n)
		event_active(b->producer, EV_TIMEOUT, 0);
}

/* Serial mode: the next record is appended once the last is durable, so
 * every record costs one fdatasync. */
static void chain_done(int status, void *arg)
{
	struct bench *b = arg;

	count_done(status, arg);
	if (b->appended < b->n && append_one(b, chain_done) < 0)
		exit(1);
}

static int count_replay(const json_t *rec, void *arg)
{
	struct bench *b = arg;

	(void)rec;
	b->replayed++;
	return 0;
}

static struct journal *open_or_die(struct bench *b, const char *dir)
{
	struct lv_error err = {0};
	struct journal *j;

	b->replayed = 0;
	if (!(j = journal_open(b->base, dir, count_replay, b, &err))) {
		fprintf(stderr, "bench_journal: %s\n", err.text);
		exit(1);
	}
	return j;
}

/* Appends b->n records; returns the seconds from the first append to
 * the last done. */
static double run_appends(struct bench *b, const char *dir, bool serial)
{
	struct journal_stats st;
	double t0;

	b->j = open_or_die(b, dir);
	b->appended = b->done = b->failed = 0;
	t0 = now_s();
	if (serial)
		append_one(b, chain_done);
	else
		event_active(b->producer, EV_TIMEOUT, 0);
	event_base_dispatch(b->base);
	t0 = now_s() - t0;
	journal_get_stats(b->j, &st);
	printf("# %s: %ld records (%zu bytes) in %.3f s, %llu fdatasyncs, largest pass %llu, %ld failed\n",
	       serial ? "one fdatasync per record" : "group commit", b->n,
	       journal_size(b->j), t0, (unsigned long long)st.commits,
	       (unsigned long long)st.max_batch, b->failed);
	if (!serial)
		printf("FIGURE journal_fsyncs = %llu\n",
		       (unsigned long long)st.commits);
	journal_close(b->j);
	return t0;
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void usage(void)
{
	fprintf(stderr,
		"Usage: bench_journal [-n RECORDS] [-s SERIAL_RECORDS] [-b BURST] [-l BYTES] [-d DIR]\n"
		"  -n  records appended with group commit (100000)\n"
		"  -s  records appended one fdatasync each (2000)\n"
		"  -b  appends per event-loop turn (64)\n"
		"  -l  record size in bytes (300)\n"
		"  -d  parent of the scratch directory (/var/tmp: a real disk)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct bench b = {.n = 100000, .burst = 64};
	long n_group, n_serial = 2000;
	const char *parent = "/var/tmp";
	char tmp[512], dir[600];
	size_t size = 300;
	double t;
	int c;

	while ((c = getopt(argc, argv, "n:s:b:l:d:")) != -1) {
		switch (c) {
		case 'n':
			b.n = atol(optarg);
			break;
		case 's':
			n_serial = atol(optarg);
			break;
		case 'b':
			b.burst = atol(optarg);
			break;
		case 'l':
			size = (size_t)atol(optarg);
			break;
		case 'd':
			parent = optarg;
			break;
		default:
			usage();
		}
	}
	if (b.n < 1 || n_serial < 1 || b.burst < 1)
		usage();
	snprintf(tmp, sizeof(tmp), "%s/lv-bench-journal.XXXXXX", parent);
	if (!mkdtemp(tmp)) {
		perror(tmp);
		return 1;
	}
	b.base = event_base_new();
	b.producer = event_new(b.base, -1, 0, produce, &b);
	b.rec = make_record(size);
	n_group = b.n;

	snprintf(dir, sizeof(dir), "%s/group", tmp);
	t = run_appends(&b, dir, false);
	printf("FIGURE journal_appends_per_s = %.0f\n", (double)n_group / t);

	t = now_s();
	b.j = open_or_die(&b, dir);
	t = now_s() - t;
	printf("# replay: %zu records in %.1f ms\n", b.replayed, t * 1e3);
	printf("FIGURE journal_replay_100k_ms = %.1f\n",
	       t * 1e3 * 100000.0 / (double)n_group);
	journal_close(b.j);

	b.n = n_serial;
	snprintf(dir, sizeof(dir), "%s/serial", tmp);
	t = run_appends(&b, dir, true);
	printf("FIGURE journal_appends_per_s_fsync_each = %.0f\n",
	       (double)n_serial / t);

	nftw(tmp, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	json_decref(b.rec);
	event_free(b.producer);
	event_base_free(b.base);
	return 0;
}
