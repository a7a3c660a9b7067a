/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lvctld's journal: JSON records made durable by group commit on a worker
 * thread, and snapshots that replace the history (see proto 06). */
#ifndef LV_SCHED_JOURNAL_H
#define LV_SCHED_JOURNAL_H

#include <event2/event.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/*
 * Threading: every journal_* function is called from the thread that runs
 * the event_base given to journal_open (the loop thread), and every
 * callback runs there.  The journal owns one worker thread that does all
 * segment writes and fdatasyncs; the loop thread never waits on the disk
 * except in journal_open, journal_snapshot and journal_close.
 */
struct journal;

/* Called by journal_open for the snapshot ({"snapshot": <doc>}, once, first)
 * and then for every record after it, in append order.  rec is borrowed:
 * json_incref it to keep it.  A negative return aborts journal_open with
 * that code. */
typedef int (*journal_replay_f)(const json_t *rec, void *arg);

/* Called once per appended record, on the loop thread, in append order:
 * status 0 when the record is on disk (written and fdatasync'd), else
 * -errno (-ENOSPC, -EIO, ...) and the record is not in the journal: the
 * caller must then refuse the request it stood for. */
typedef void (*journal_done_f)(int status, void *arg);

/* Largest record payload (compact JSON) journal_append accepts. */
#define JOURNAL_RECORD_MAX (16u << 20)

/*
 * Opens the journal in dir, creating dir (mode 0700) if needed, and replays
 * it: the newest snapshot (if any) through replay as {"snapshot": <doc>},
 * then every record of the segment that follows it, in order.  A torn or
 * corrupt tail (a short or bad-CRC record with no intact record after it:
 * what a crash during a write leaves) is truncated away with a warning.
 * Anything else that fails its checks -- a bad record with intact records
 * after it, a bad snapshot -- fails with -EUCLEAN and err names the file and
 * byte offset.  Leftovers of an interrupted snapshot and older
 * generations are deleted, but only once the replay has succeeded: a
 * failed open changes nothing on disk.  replay may be NULL.  The journal
 * holds an flock on dir until journal_close.
 *
 * Returns the journal, or NULL with err set (-EUCLEAN, -EBUSY when another
 * journal has dir open, -ENOMEM, -errno of a failed system call, or
 * replay's own negative return).
 */
struct journal *journal_open(struct event_base *base, const char *dir,
			     journal_replay_f replay, void *arg,
			     struct lv_error *err);

/*
 * Queues rec (a JSON object, serialised now: the caller keeps ownership and
 * may change it afterwards) and returns 0; done(status, arg) runs later on
 * the loop thread.  Group commit: the records appended while the worker is
 * busy are written and fdatasync'd together by its next pass.  After a
 * failed write or sync the segment is truncated back to its last durable
 * length and every record of that pass gets done(-errno); later appends
 * try again.
 *
 * Returns -EINVAL (rec is not an object, or has a top-level "snapshot" key,
 * which replay reserves), -E2BIG (more than JOURNAL_RECORD_MAX bytes),
 * -ENOMEM, or -ESHUTDOWN (from a done callback run by journal_close); done
 * never runs then.
 */
int journal_append(struct journal *j, const json_t *rec, journal_done_f done,
		   void *arg);

/*
 * Replaces the history with doc: writes snapshot.N.tmp and fsyncs it,
 * starts segment journal.N holding the records whose done has not run yet
 * (see below), renames the snapshot into place and fsyncs the directory,
 * then deletes the older snapshot and segment.  Blocks the loop thread for
 * those writes and for the worker's pass in flight, if any: call it when
 * journal_size or journal_records says the segment has grown, not per
 * request.
 *
 * Contract on doc: it must hold the effect of every record whose done(0)
 * has already run.  Records whose done has not run yet are written again
 * after the snapshot (in journal.N, in order), so none is lost; a caller
 * that applies a change to its state before the change's record is durable
 * must therefore make replaying that record on top of the snapshot
 * harmless (idempotent).
 *
 * Returns 0, or -errno with err set and the journal as it was.  If the
 * directory cannot be synced after the rename (-EIO), which snapshot a
 * restart would load is unknown: the journal then fails every later append
 * with that error until a journal_snapshot succeeds.
 */
int journal_snapshot(struct journal *j, const json_t *doc,
		     struct lv_error *err);

/* Bytes in the current segment, queued records included. */
size_t journal_size(const struct journal *j);
/* Records in the current segment (appended since the last snapshot, or
 * since open), queued ones included; failed ones are taken off. */
size_t journal_records(const struct journal *j);

/* What the worker has done since journal_open. */
struct journal_stats {
	uint64_t commits;   /* passes: one write and one fdatasync each */
	uint64_t records;   /* records made durable */
	uint64_t failed;    /* records that got done(<0) */
	uint64_t max_batch; /* most records in one pass */
};
void journal_get_stats(struct journal *j, struct journal_stats *st);

/*
 * Fault injection for tests, always compiled in: from the worker's next
 * pass on, every pass fails with -err until LV_JOURNAL_FAULT_NONE is set
 * (a disk that stays full until space is freed).  LV_JOURNAL_FAULT_WRITE
 * writes half of each pass's bytes and then fails; LV_JOURNAL_FAULT_SYNC
 * writes everything and then reports the fdatasync as failed.
 */
enum lv_journal_fault {
	LV_JOURNAL_FAULT_NONE,
	LV_JOURNAL_FAULT_WRITE,
	LV_JOURNAL_FAULT_SYNC,
};
void journal_set_fault(struct journal *j, enum lv_journal_fault fault, int err);

/*
 * With sync false, passes are written but not fdatasync'd: nothing is
 * durable, and done(0) only means "written".  For benchmarks only
 * (lvctld's hidden JournalSync=no); the default is true.
 */
void journal_set_sync(struct journal *j, bool sync);

/*
 * Writes and syncs everything queued, stops the worker, runs the done
 * callbacks still owed (journal_append from inside them returns
 * -ESHUTDOWN) and frees j.  NULL-safe.  Must not be called from a done
 * callback.
 */
void journal_close(struct journal *j);

/* CRC32C (Castagnoli) of buf, as the record headers carry it;
 * "123456789" gives 0xe3069283. */
uint32_t journal_crc32c(const void *buf, size_t len);

#endif
