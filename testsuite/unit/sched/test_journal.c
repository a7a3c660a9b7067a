/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lvctld's journal: replay, torn tails, corruption,
 * snapshots, group commit and refused writes, in a private temp dir. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <semaphore.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* cmocka.h needs stdarg.h, stddef.h and setjmp.h first. */
#include <cmocka.h>

#include "sched/journal.h"

#define MAX_TICKETS 10000

struct fix;

/* The arg of one append: which record, for the order check. */
struct ticket {
	struct fix *f;
	int idx;
};

struct fix {
	char tmp[64];  /* from mkdtemp */
	char dir[96];  /* tmp/j: journal_open creates it */
	char seg[128]; /* scratch for file names */
	struct event_base *base;
	struct journal *j; /* for callbacks that append */
	struct lv_error err;
	json_t *replayed; /* what the last open replayed */
	int fail_at;      /* replay fails on this record (-1: never) */
	int ndone;        /* done callbacks run */
	int next;         /* index the next done must have */
	int status[MAX_TICKETS];
	struct ticket tickets[MAX_TICKETS];
};

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	strcpy(f->tmp, "/tmp/lv-test-journal.XXXXXX");
	assert_non_null(mkdtemp(f->tmp));
	snprintf(f->dir, sizeof(f->dir), "%s/j", f->tmp);
	assert_non_null(f->base = event_base_new());
	assert_non_null(f->replayed = json_array());
	f->fail_at = -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	nftw(f->tmp, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	json_decref(f->replayed);
	event_base_free(f->base);
	free(f);
	return 0;
}

static int on_replay(const json_t *rec, void *arg)
{
	struct fix *f = arg;

	if ((int)json_array_size(f->replayed) == f->fail_at)
		return -EINVAL;
	json_array_append_new(f->replayed, json_deep_copy(rec));
	return 0;
}

static struct journal *open_j(struct fix *f)
{
	json_array_clear(f->replayed);
	return journal_open(f->base, f->dir, on_replay, f, &f->err);
}

static void on_done(int status, void *arg)
{
	struct ticket *t = arg;

	assert_int_equal(t->idx, t->f->next); /* append order */
	t->f->status[t->idx] = status;
	t->f->next++;
	t->f->ndone++;
}

static json_t *make_rec(int seq)
{
	return json_pack("{s:i, s:s, s:s}", "seq", seq, "op", "submit", "user",
			 "alice");
}

/* Appends record seq as ticket idx. */
static void append(struct fix *f, struct journal *j, int idx, int seq)
{
	json_t *rec = make_rec(seq);

	f->tickets[idx].f = f;
	f->tickets[idx].idx = idx;
	assert_int_equal(journal_append(j, rec, on_done, &f->tickets[idx]), 0);
	json_decref(rec);
}

static void run_until(struct fix *f, int ndone)
{
	while (f->ndone < ndone)
		assert_true(event_base_loop(f->base, EVLOOP_ONCE) >= 0);
}

/* Appends seq 0..n-1 as tickets 0..n-1 and waits for them all. */
static void append_n(struct fix *f, struct journal *j, int n)
{
	int i;

	for (i = 0; i < n; i++)
		append(f, j, i, i);
	run_until(f, n);
	for (i = 0; i < n; i++)
		assert_int_equal(f->status[i], 0);
}

static void reset_done(struct fix *f)
{
	f->ndone = f->next = 0;
}

/* Checks that the last open replayed the records seqs[0..n-1], after a
 * snapshot with "gen": snap_gen when snap_gen >= 0. */
static void check_replayed(struct fix *f, int snap_gen, const int *seqs, int n)
{
	size_t k = 0;
	json_t *rec;
	int i;

	if (snap_gen >= 0) {
		rec = json_array_get(f->replayed, k++);
		assert_non_null(rec);
		assert_int_equal(
			json_integer_value(json_object_get(
				json_object_get(rec, "snapshot"), "gen")),
			snap_gen);
	}
	assert_int_equal(json_array_size(f->replayed), k + (size_t)n);
	for (i = 0; i < n; i++) {
		rec = json_array_get(f->replayed, k + (size_t)i);
		assert_int_equal(
			json_integer_value(json_object_get(rec, "seq")),
			seqs[i]);
	}
}

static void check_replayed_range(struct fix *f, int snap_gen, int first, int n)
{
	int *seqs = calloc((size_t)n + 1, sizeof(*seqs));
	int i;

	for (i = 0; i < n; i++)
		seqs[i] = first + i;
	check_replayed(f, snap_gen, seqs, n);
	free(seqs);
}

static const char *path_of(struct fix *f, const char *name)
{
	snprintf(f->seg, sizeof(f->seg), "%s/%s", f->dir, name);
	return f->seg;
}

static off_t file_size(struct fix *f, const char *name)
{
	struct stat st;

	if (stat(path_of(f, name), &st) < 0)
		return -1;
	return st.st_size;
}

static bool file_exists(struct fix *f, const char *name)
{
	return file_size(f, name) >= 0;
}

/* Overwrites (or with off < 0, appends) len bytes of name. */
static void poke(struct fix *f, const char *name, off_t off, const void *buf,
		 size_t len)
{
	int fd = open(path_of(f, name), O_WRONLY | O_CREAT, 0600);

	assert_true(fd >= 0);
	if (off < 0)
		off = lseek(fd, 0, SEEK_END);
	assert_int_equal(pwrite(fd, buf, len, off), (ssize_t)len);
	close(fd);
}

/* Offset of record idx in a segment (walking the headers). */
static off_t record_offset(struct fix *f, const char *name, int idx)
{
	unsigned char hdr[12];
	off_t off = 0;
	uint32_t len;
	int fd = open(path_of(f, name), O_RDONLY);

	assert_true(fd >= 0);
	while (idx-- > 0) {
		assert_int_equal(pread(fd, hdr, sizeof(hdr), off), 12);
		len = (uint32_t)hdr[4] | (uint32_t)hdr[5] << 8 |
		      (uint32_t)hdr[6] << 16 | (uint32_t)hdr[7] << 24;
		off += 12 + (off_t)len;
	}
	close(fd);
	return off;
}

static void test_crc32c_known_vector(void **state)
{
	(void)state;
	assert_int_equal(journal_crc32c("123456789", 9), 0xe3069283u);
	assert_int_equal(journal_crc32c("", 0), 0);
}

static void test_open_creates_dir_0700(void **state)
{
	struct fix *f = *state;
	struct journal *j;
	struct stat st;

	assert_non_null(j = open_j(f));
	assert_int_equal(stat(f->dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(journal_size(j), 0);
	assert_int_equal(journal_records(j), 0);
	assert_int_equal(json_array_size(f->replayed), 0);
	assert_true(file_exists(f, "journal.0"));
	journal_close(j);
	journal_close(NULL);
}

static void test_open_twice_busy(void **state)
{
	struct fix *f = *state;
	struct journal *j;

	assert_non_null(j = open_j(f));
	assert_null(open_j(f));
	assert_int_equal(f->err.code, -EBUSY);
	journal_close(j);
	assert_non_null(j = open_j(f));
	journal_close(j);
}

static void test_append_reopen_replays_in_order(void **state)
{
	struct fix *f = *state;
	struct journal *j;

	assert_non_null(j = open_j(f));
	append_n(f, j, 100);
	assert_int_equal(journal_records(j), 100);
	assert_int_equal(journal_size(j), file_size(f, "journal.0"));
	journal_close(j);

	assert_non_null(j = open_j(f));
	check_replayed_range(f, -1, 0, 100);
	assert_int_equal(journal_records(j), 100);
	assert_int_equal(journal_size(j), file_size(f, "journal.0"));
	journal_close(j);
}

/*
 * fdatasync, wrapped (-Wl,--wrap=fdatasync, journal.c included): counts
 * the calls, and can hold the worker inside one, so that a test knows
 * exactly which records the next pass will hold.
 */
int __real_fdatasync(int fd);
int __wrap_fdatasync(int fd);

static struct {
	atomic_int calls;
	atomic_bool hold; /* hold the next call until release is posted */
	sem_t entered, release;
} sync_hook;

int __wrap_fdatasync(int fd)
{
	atomic_fetch_add(&sync_hook.calls, 1);
	if (atomic_exchange(&sync_hook.hold, false)) {
		sem_post(&sync_hook.entered);
		sem_wait(&sync_hook.release);
	}
	return __real_fdatasync(fd);
}

static void test_append_group_commit_many(void **state)
{
	struct fix *f = *state;
	struct journal_stats st;
	struct journal *j;
	int i, calls;

	assert_non_null(j = open_j(f));
	assert_int_equal(sem_init(&sync_hook.entered, 0, 0), 0);
	assert_int_equal(sem_init(&sync_hook.release, 0, 0), 0);
	atomic_store(&sync_hook.hold, true);
	calls = atomic_load(&sync_hook.calls);
	/* Record 0's pass is held in its fdatasync while the loop thread
	 * appends the rest: they must all share the next one. */
	append(f, j, 0, 0);
	assert_int_equal(sem_wait(&sync_hook.entered), 0);
	for (i = 1; i < MAX_TICKETS; i++)
		append(f, j, i, i);
	sem_post(&sync_hook.release);
	run_until(f, MAX_TICKETS);
	for (i = 0; i < MAX_TICKETS; i++)
		assert_int_equal(f->status[i], 0);
	journal_get_stats(j, &st);
	assert_int_equal(st.records, MAX_TICKETS);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.commits, 2);
	assert_int_equal(st.max_batch, MAX_TICKETS - 1);
	assert_int_equal(atomic_load(&sync_hook.calls) - calls, 2);
	journal_close(j);
	sem_destroy(&sync_hook.entered);
	sem_destroy(&sync_hook.release);

	assert_non_null(j = open_j(f));
	check_replayed_range(f, -1, 0, MAX_TICKETS);
	journal_close(j);
}

static void test_open_truncates_torn_tail(void **state)
{
	struct fix *f = *state;
	struct journal *j;
	off_t last;
	int seqs[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 100};

	assert_non_null(j = open_j(f));
	append_n(f, j, 10);
	journal_close(j);
	last = record_offset(f, "journal.0", 9);
	assert_int_equal(truncate(path_of(f, "journal.0"),
				  file_size(f, "journal.0") - 5),
			 0);

	assert_non_null(j = open_j(f));
	check_replayed_range(f, -1, 0, 9);
	assert_int_equal(file_size(f, "journal.0"), last);
	assert_int_equal(journal_records(j), 9);
	reset_done(f);
	append(f, j, 0, 100);
	run_until(f, 1);
	assert_int_equal(f->status[0], 0);
	journal_close(j);

	assert_non_null(j = open_j(f));
	check_replayed(f, -1, seqs, 10);
	journal_close(j);
}

static void test_open_truncates_short_header(void **state)
{
	struct fix *f = *state;
	struct journal *j;
	off_t size;

	assert_non_null(j = open_j(f));
	append_n(f, j, 3);
	journal_close(j);
	size = file_size(f, "journal.0");
	poke(f, "journal.0", -1, "LVJ", 3);

	assert_non_null(j = open_j(f));
	check_replayed_range(f, -1, 0, 3);
	assert_int_equal(file_size(f, "journal.0"), size);
	journal_close(j);
}

static void test_open_drops_garbage_tail(void **state)
{
	static const char garbage[] = "\0\0\0\0\0\0\0\0not a record at all";
	/* A header that promises more than the file holds. */
	static const unsigned char big[16] = {
		'L', 'V', 'J', '1', 0xff, 0xff, 0, 0, 1, 2, 3, 4, '{', '}'};
	struct fix *f = *state;
	struct journal *j;
	off_t size;

	assert_non_null(j = open_j(f));
	append_n(f, j, 5);
	journal_close(j);
	size = file_size(f, "journal.0");
	poke(f, "journal.0", -1, garbage, sizeof(garbage));
	assert_non_null(j = open_j(f));
	check_replayed_range(f, -1, 0, 5);
	assert_int_equal(file_size(f, "journal.0"), size);
	journal_close(j);

	poke(f, "journal.0", -1, big, sizeof(big));
	assert_non_null(j = open_j(f));
	check_replayed_range(f, -1, 0, 5);
	assert_int_equal(file_size(f, "journal.0"), size);
	journal_close(j);
}

static void test_open_drops_bad_crc_last_record(void **state)
{
	struct fix *f = *state;
	struct journal *j;
	off_t size, last;

	assert_non_null(j = open_j(f));
	append_n(f, j, 5);
	journal_close(j);
	size = file_size(f, "journal.0");
	last = record_offset(f, "journal.0", 4);
	poke(f, "journal.0", size - 3, "X", 1); /* inside its payload */

	assert_non_null(j = open_j(f));
	check_replayed_range(f, -1, 0, 4);
	assert_int_equal(file_size(f, "journal.0"), last);
	journal_close(j);
}

static void test_open_corrupt_middle_fails(void **state)
{
	struct fix *f = *state;
	struct journal *j;
	char want[64], orig;
	off_t off, size;
	int fd;

	assert_non_null(j = open_j(f));
	append_n(f, j, 5);
	journal_close(j);
	off = record_offset(f, "journal.0", 2);
	size = file_size(f, "journal.0");
	assert_true((fd = open(path_of(f, "journal.0"), O_RDONLY)) >= 0);
	assert_int_equal(pread(fd, &orig, 1, off + 14), 1);
	close(fd);
	poke(f, "journal.0", off + 14, "X", 1); /* record 2's payload */

	assert_null(open_j(f));
	assert_int_equal(f->err.code, -EUCLEAN);
	assert_non_null(strstr(f->err.text, "journal.0"));
	snprintf(want, sizeof(want), "offset %lld (bad CRC)", (long long)off);
	assert_non_null(strstr(f->err.text, want));
	/* A failed open changes nothing. */
	assert_int_equal(file_size(f, "journal.0"), size);

	/* A mangled header in the middle is no torn tail either. */
	poke(f, "journal.0", off + 14, &orig, 1);
	assert_non_null(j = open_j(f));
	journal_close(j);
	poke(f, "journal.0", off, "XXXX", 4);
	assert_null(open_j(f));
	assert_int_equal(f->err.code, -EUCLEAN);
	assert_non_null(strstr(f->err.text, "bad magic"));
}

static void test_open_replay_error_aborts(void **state)
{
	struct fix *f = *state;
	struct journal *j;
	off_t size;

	assert_non_null(j = open_j(f));
	append_n(f, j, 5);
	journal_close(j);
	poke(f, "journal.0", -1, "torn", 4);
	size = file_size(f, "journal.0");

	f->fail_at = 2;
	assert_null(open_j(f));
	assert_int_equal(f->err.code, -EINVAL);
	assert_non_null(strstr(f->err.text, "replay"));
	assert_int_equal(file_size(f, "journal.0"), size); /* tail kept */
}

static json_t *make_doc(int gen)
{
	return json_pack("{s:i, s:[i,i]}", "gen", gen, "jobs", 1, 2);
}

static int snapshot(struct fix *f, struct journal *j, int gen)
{
	json_t *doc = make_doc(gen);
	int rc = journal_snapshot(j, doc, &f->err);

	json_decref(doc);
	return rc;
}

static void test_snapshot_replaces_history(void **state)
{
	struct fix *f = *state;
	struct journal *j;
	int i;

	assert_non_null(j = open_j(f));
	append_n(f, j, 5);
	assert_int_equal(snapshot(f, j, 1), 0);
	assert_int_equal(journal_records(j), 0);
	assert_int_equal(journal_size(j), 0);
	assert_false(file_exists(f, "journal.0"));
	assert_true(file_exists(f, "snapshot.1"));
	reset_done(f);
	for (i = 0; i < 3; i++)
		append(f, j, i, 10 + i);
	run_until(f, 3);
	assert_int_equal(journal_records(j), 3);
	assert_int_equal(journal_size(j), file_size(f, "journal.1"));
	journal_close(j);

	assert_non_null(j = open_j(f));
	check_replayed_range(f, 1, 10, 3);
	assert_int_equal(journal_records(j), 3);
	journal_close(j);
}

static void test_snapshot_carries_unsettled_records(void **state)
{
	struct fix *f = *state;
	struct journal *j;
	int i;

	assert_non_null(j = open_j(f));
	append_n(f, j, 2);
	reset_done(f);
	/* Their done has not run: however far the worker got, they must
	 * end up after the snapshot. */
	for (i = 0; i < 3; i++)
		append(f, j, i, 10 + i);
	assert_int_equal(snapshot(f, j, 1), 0);
	assert_int_equal(journal_records(j), 3);
	run_until(f, 3);
	for (i = 0; i < 3; i++)
		assert_int_equal(f->status[i], 0);
	assert_int_equal(journal_records(j), 3);
	assert_int_equal(journal_size(j), file_size(f, "journal.1"));
	journal_close(j);

	assert_non_null(j = open_j(f));
	check_replayed_range(f, 1, 10, 3);
	journal_close(j);
}

/* Waits, without running the loop, until the worker has settled n
 * records (made durable or refused). */
static void wait_settled(struct journal *j, uint64_t n)
{
	struct journal_stats st;

	for (;;) {
		journal_get_stats(j, &st);
		if (st.records + st.failed >= n)
			return;
		usleep(1000);
	}
}

static void test_snapshot_carries_settled_records(void **state)
{
	struct fix *f = *state;
	struct journal *j;
	int i;

	assert_non_null(j = open_j(f));
	/* Done callbacks owed, the loop not run: one refused record, then
	 * three durable ones. */
	journal_set_fault(j, LV_JOURNAL_FAULT_SYNC, EIO);
	append(f, j, 0, 9);
	wait_settled(j, 1);
	journal_set_fault(j, LV_JOURNAL_FAULT_NONE, 0);
	for (i = 1; i < 4; i++)
		append(f, j, i, 10 + i);
	wait_settled(j, 4);
	assert_int_equal(snapshot(f, j, 1), 0);
	/* The durable ones were copied after the snapshot; not the other. */
	assert_int_equal(journal_records(j), 3);
	assert_int_equal(journal_size(j), file_size(f, "journal.1"));
	run_until(f, 4);
	assert_int_equal(f->status[0], -EIO);
	for (i = 1; i < 4; i++)
		assert_int_equal(f->status[i], 0);
	assert_int_equal(journal_records(j), 3);
	assert_int_equal(journal_size(j), file_size(f, "journal.1"));
	journal_close(j);

	assert_non_null(j = open_j(f));
	check_replayed_range(f, 1, 11, 3);
	journal_close(j);
}

static void test_snapshot_twice_keeps_newest(void **state)
{
	struct fix *f = *state;
	struct journal *j;

	assert_non_null(j = open_j(f));
	assert_int_equal(snapshot(f, j, 1), 0);
	append_n(f, j, 4);
	assert_int_equal(snapshot(f, j, 2), 0);
	reset_done(f);
	append(f, j, 0, 50);
	run_until(f, 1);
	journal_close(j);
	assert_false(file_exists(f, "snapshot.1"));
	assert_false(file_exists(f, "journal.1"));

	assert_non_null(j = open_j(f));
	check_replayed_range(f, 2, 50, 1);
	journal_close(j);
}

static void test_open_bad_snapshot_fails(void **state)
{
	struct fix *f = *state;
	struct journal *j;

	assert_non_null(j = open_j(f));
	assert_int_equal(snapshot(f, j, 1), 0);
	journal_close(j);
	poke(f, "snapshot.1", 14, "X", 1);

	assert_null(open_j(f));
	assert_int_equal(f->err.code, -EUCLEAN);
	assert_non_null(strstr(f->err.text, "snapshot.1"));
}

static void test_open_removes_leftovers(void **state)
{
	struct fix *f = *state;
	struct journal *j;

	assert_non_null(j = open_j(f));
	append_n(f, j, 2);
	assert_int_equal(snapshot(f, j, 1), 0);
	journal_close(j);
	/* What crashes during a snapshot or its clean-up leave. */
	poke(f, "snapshot.7.tmp", 0, "half", 4);
	poke(f, "journal.5", 0, "junk", 4);
	poke(f, "journal.0", 0, "old", 3);

	assert_non_null(j = open_j(f));
	check_replayed_range(f, 1, 0, 0);
	assert_false(file_exists(f, "snapshot.7.tmp"));
	assert_false(file_exists(f, "journal.5"));
	assert_false(file_exists(f, "journal.0"));
	assert_true(file_exists(f, "journal.1"));
	/* Numbers seen are never reused. */
	assert_int_equal(snapshot(f, j, 2), 0);
	assert_true(file_exists(f, "snapshot.8"));
	journal_close(j);
}

static void test_append_rejects_bad_records(void **state)
{
	struct fix *f = *state;
	struct journal *j;
	json_t *rec;

	assert_non_null(j = open_j(f));
	f->tickets[0].f = f;
	rec = json_integer(3);
	assert_int_equal(journal_append(j, rec, on_done, &f->tickets[0]),
			 -EINVAL);
	json_decref(rec);
	rec = json_pack("{s:i}", "snapshot", 1);
	assert_int_equal(journal_append(j, rec, on_done, &f->tickets[0]),
			 -EINVAL);
	json_decref(rec);
	journal_close(j);
	assert_int_equal(f->ndone, 0); /* a refused append never calls back */
}

static void test_append_write_fault_enospc(void **state)
{
	struct fix *f = *state;
	struct journal *j;
	off_t size;
	int seqs[4] = {0, 1, 2, 5};

	assert_non_null(j = open_j(f));
	append_n(f, j, 3);
	size = file_size(f, "journal.0");
	journal_set_fault(j, LV_JOURNAL_FAULT_WRITE, ENOSPC);
	append(f, j, 3, 3);
	append(f, j, 4, 4);
	run_until(f, 5);
	journal_set_fault(j, LV_JOURNAL_FAULT_NONE, 0);
	assert_int_equal(f->status[3], -ENOSPC);
	assert_int_equal(f->status[4], -ENOSPC);
	/* No half record left behind, and the counts forget them. */
	assert_int_equal(file_size(f, "journal.0"), size);
	assert_int_equal(journal_records(j), 3);
	assert_int_equal(journal_size(j), size);
	/* Space came back. */
	append(f, j, 5, 5);
	run_until(f, 6);
	assert_int_equal(f->status[5], 0);
	journal_close(j);

	assert_non_null(j = open_j(f));
	check_replayed(f, -1, seqs, 4);
	journal_close(j);
}

static void test_append_sync_fault_eio(void **state)
{
	struct fix *f = *state;
	struct journal_stats st;
	struct journal *j;
	off_t size;
	int seqs[2] = {0, 2};

	assert_non_null(j = open_j(f));
	append_n(f, j, 1);
	size = file_size(f, "journal.0");
	journal_set_fault(j, LV_JOURNAL_FAULT_SYNC, EIO);
	append(f, j, 1, 1);
	run_until(f, 2);
	journal_set_fault(j, LV_JOURNAL_FAULT_NONE, 0);
	assert_int_equal(f->status[1], -EIO);
	assert_int_equal(file_size(f, "journal.0"), size);
	append(f, j, 2, 2);
	run_until(f, 3);
	assert_int_equal(f->status[2], 0);
	journal_get_stats(j, &st);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.records, 2);
	journal_close(j);

	assert_non_null(j = open_j(f));
	check_replayed(f, -1, seqs, 2);
	journal_close(j);
}

static void append_again(int status, void *arg)
{
	struct ticket *t = arg;
	json_t *rec = make_rec(99);

	on_done(status, arg);
	assert_int_equal(journal_append(t->f->j, rec, NULL, NULL), -ESHUTDOWN);
	json_decref(rec);
}

static void test_close_flushes_pending(void **state)
{
	struct fix *f = *state;
	struct journal *j;
	json_t *rec;
	int i;

	assert_non_null(j = f->j = open_j(f));
	for (i = 0; i < 49; i++)
		append(f, j, i, i);
	/* The last one's callback tries to append during close. */
	f->tickets[49].f = f;
	f->tickets[49].idx = 49;
	rec = make_rec(49);
	assert_int_equal(journal_append(j, rec, append_again, &f->tickets[49]),
			 0);
	json_decref(rec);
	journal_close(j); /* no loop run: close delivers them */
	assert_int_equal(f->ndone, 50);
	for (i = 0; i < 50; i++)
		assert_int_equal(f->status[i], 0);

	assert_non_null(j = open_j(f));
	check_replayed_range(f, -1, 0, 50);
	journal_close(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_crc32c_known_vector),
		T(test_open_creates_dir_0700),
		T(test_open_twice_busy),
		T(test_append_reopen_replays_in_order),
		T(test_append_group_commit_many),
		T(test_open_truncates_torn_tail),
		T(test_open_truncates_short_header),
		T(test_open_drops_garbage_tail),
		T(test_open_drops_bad_crc_last_record),
		T(test_open_corrupt_middle_fails),
		T(test_open_replay_error_aborts),
		T(test_snapshot_replaces_history),
		T(test_snapshot_carries_unsettled_records),
		T(test_snapshot_carries_settled_records),
		T(test_snapshot_twice_keeps_newest),
		T(test_open_bad_snapshot_fails),
		T(test_open_removes_leftovers),
		T(test_append_rejects_bad_records),
		T(test_append_write_fault_enospc),
		T(test_append_sync_fault_eio),
		T(test_close_flushes_pending),
#undef T
	};

	alarm(120); /* a lost wake-up fails the run instead of hanging it */
	return cmocka_run_group_tests_name("journal", tests, NULL, NULL);
}
