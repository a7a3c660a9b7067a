/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lvctld's journal: group-committed JSON records and snapshots on disk
 * (see proto 06). */
#include "config.h"

#include "sched/journal.h"

/* C11 <threads.h>, not <pthread.h>: in src/sched, -I. would make the
 * <sched.h> that pthread.h includes find sched/sched.h. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <threads.h>
#include <unistd.h>

#include "common/log.h"

/* Frame header: [u32 magic][u32 payload length][u32 CRC32C of payload],
 * little-endian.  The magics read "LVJ1" and "LVS1" in a hex dump. */
#define HDR_SIZE 12
#define MAGIC_RECORD 0x314a564cu
#define MAGIC_SNAPSHOT 0x3153564cu
#define NAME_MAX_LEN 64
#define WBUF_KEEP (1u << 20) /* the pass buffer kept between passes */

static const uint32_t crc_table[256] = {
	0x00000000, 0xf26b8303, 0xe13b70f7, 0x1350f3f4, 0xc79a971f, 0x35f1141c,
	0x26a1e7e8, 0xd4ca64eb, 0x8ad958cf, 0x78b2dbcc, 0x6be22838, 0x9989ab3b,
	0x4d43cfd0, 0xbf284cd3, 0xac78bf27, 0x5e133c24, 0x105ec76f, 0xe235446c,
	0xf165b798, 0x030e349b, 0xd7c45070, 0x25afd373, 0x36ff2087, 0xc494a384,
	0x9a879fa0, 0x68ec1ca3, 0x7bbcef57, 0x89d76c54, 0x5d1d08bf, 0xaf768bbc,
	0xbc267848, 0x4e4dfb4b, 0x20bd8ede, 0xd2d60ddd, 0xc186fe29, 0x33ed7d2a,
	0xe72719c1, 0x154c9ac2, 0x061c6936, 0xf477ea35, 0xaa64d611, 0x580f5512,
	0x4b5fa6e6, 0xb93425e5, 0x6dfe410e, 0x9f95c20d, 0x8cc531f9, 0x7eaeb2fa,
	0x30e349b1, 0xc288cab2, 0xd1d83946, 0x23b3ba45, 0xf779deae, 0x05125dad,
	0x1642ae59, 0xe4292d5a, 0xba3a117e, 0x4851927d, 0x5b016189, 0xa96ae28a,
	0x7da08661, 0x8fcb0562, 0x9c9bf696, 0x6ef07595, 0x417b1dbc, 0xb3109ebf,
	0xa0406d4b, 0x522bee48, 0x86e18aa3, 0x748a09a0, 0x67dafa54, 0x95b17957,
	0xcba24573, 0x39c9c670, 0x2a993584, 0xd8f2b687, 0x0c38d26c, 0xfe53516f,
	0xed03a29b, 0x1f682198, 0x5125dad3, 0xa34e59d0, 0xb01eaa24, 0x42752927,
	0x96bf4dcc, 0x64d4cecf, 0x77843d3b, 0x85efbe38, 0xdbfc821c, 0x2997011f,
	0x3ac7f2eb, 0xc8ac71e8, 0x1c661503, 0xee0d9600, 0xfd5d65f4, 0x0f36e6f7,
	0x61c69362, 0x93ad1061, 0x80fde395, 0x72966096, 0xa65c047d, 0x5437877e,
	0x4767748a, 0xb50cf789, 0xeb1fcbad, 0x197448ae, 0x0a24bb5a, 0xf84f3859,
	0x2c855cb2, 0xdeeedfb1, 0xcdbe2c45, 0x3fd5af46, 0x7198540d, 0x83f3d70e,
	0x90a324fa, 0x62c8a7f9, 0xb602c312, 0x44694011, 0x5739b3e5, 0xa55230e6,
	0xfb410cc2, 0x092a8fc1, 0x1a7a7c35, 0xe811ff36, 0x3cdb9bdd, 0xceb018de,
	0xdde0eb2a, 0x2f8b6829, 0x82f63b78, 0x709db87b, 0x63cd4b8f, 0x91a6c88c,
	0x456cac67, 0xb7072f64, 0xa457dc90, 0x563c5f93, 0x082f63b7, 0xfa44e0b4,
	0xe9141340, 0x1b7f9043, 0xcfb5f4a8, 0x3dde77ab, 0x2e8e845f, 0xdce5075c,
	0x92a8fc17, 0x60c37f14, 0x73938ce0, 0x81f80fe3, 0x55326b08, 0xa759e80b,
	0xb4091bff, 0x466298fc, 0x1871a4d8, 0xea1a27db, 0xf94ad42f, 0x0b21572c,
	0xdfeb33c7, 0x2d80b0c4, 0x3ed04330, 0xccbbc033, 0xa24bb5a6, 0x502036a5,
	0x4370c551, 0xb11b4652, 0x65d122b9, 0x97baa1ba, 0x84ea524e, 0x7681d14d,
	0x2892ed69, 0xdaf96e6a, 0xc9a99d9e, 0x3bc21e9d, 0xef087a76, 0x1d63f975,
	0x0e330a81, 0xfc588982, 0xb21572c9, 0x407ef1ca, 0x532e023e, 0xa145813d,
	0x758fe5d6, 0x87e466d5, 0x94b49521, 0x66df1622, 0x38cc2a06, 0xcaa7a905,
	0xd9f75af1, 0x2b9cd9f2, 0xff56bd19, 0x0d3d3e1a, 0x1e6dcdee, 0xec064eed,
	0xc38d26c4, 0x31e6a5c7, 0x22b65633, 0xd0ddd530, 0x0417b1db, 0xf67c32d8,
	0xe52cc12c, 0x1747422f, 0x49547e0b, 0xbb3ffd08, 0xa86f0efc, 0x5a048dff,
	0x8ecee914, 0x7ca56a17, 0x6ff599e3, 0x9d9e1ae0, 0xd3d3e1ab, 0x21b862a8,
	0x32e8915c, 0xc083125f, 0x144976b4, 0xe622f5b7, 0xf5720643, 0x07198540,
	0x590ab964, 0xab613a67, 0xb831c993, 0x4a5a4a90, 0x9e902e7b, 0x6cfbad78,
	0x7fab5e8c, 0x8dc0dd8f, 0xe330a81a, 0x115b2b19, 0x020bd8ed, 0xf0605bee,
	0x24aa3f05, 0xd6c1bc06, 0xc5914ff2, 0x37faccf1, 0x69e9f0d5, 0x9b8273d6,
	0x88d28022, 0x7ab90321, 0xae7367ca, 0x5c18e4c9, 0x4f48173d, 0xbd23943e,
	0xf36e6f75, 0x0105ec76, 0x12551f82, 0xe03e9c81, 0x34f4f86a, 0xc69f7b69,
	0xd5cf889d, 0x27a40b9e, 0x79b737ba, 0x8bdcb4b9, 0x988c474d, 0x6ae7c44e,
	0xbe2da0a5, 0x4c4623a6, 0x5f16d052, 0xad7d5351,
};

/* A queued record, framed as it goes on disk. */
struct rec {
	struct rec *next;
	journal_done_f done;
	void *arg;
	int status;          /* set by the worker when the pass settles */
	bool counted;        /* in journal->bytes and ->records */
	size_t len;          /* of buf: header and payload */
	unsigned char buf[]; /* the frame */
};

struct queue {
	struct rec *head, **tail;
	size_t n, bytes;
};

/* One pass of the worker: what it took from the journal under the lock. */
struct pass {
	struct queue q;
	int fd;
	uint64_t seq;
	off_t off; /* where the pass goes: the segment's durable length */
	enum lv_journal_fault fault;
	int fault_err;
	bool nosync; /* JournalSync=no: skip the fdatasync */
	int broken;  /* the journal's, when the pass began */
	int status;  /* 0, or the -errno every record of the pass gets */
	bool wedged; /* the rollback failed too */
};

struct journal {
	struct event_base *base;
	char *dir;
	int dirfd;
	uint64_t seq;      /* current generation: snapshot.seq + journal.seq */
	uint64_t next_seq; /* the next snapshot's number, never reused */
	size_t bytes;      /* loop thread: bytes in journal.seq, queued too */
	size_t records;    /* loop thread: records in journal.seq */
	bool closing;      /* loop thread: journal_close has begun */
	int wake[2];       /* the worker writes a byte when done fills */
	struct event *wake_ev;
	thrd_t worker;
	bool worker_started;
	unsigned char *wbuf; /* worker only: a pass, contiguous */
	size_t wcap;

	/* lock guards the members below.  A pass works on its own copy of
	 * fd and good; journal_snapshot changes them only with the worker
	 * paused and idle. */
	mtx_t lock;
	cnd_t work;           /* to the worker: pending filled, or stop */
	cnd_t idle;           /* to journal_snapshot: the pass has settled */
	struct queue pending; /* appended, not yet taken by the worker */
	struct queue done;    /* settled, done callback not yet run */
	bool busy;            /* a pass is in flight */
	bool paused;          /* journal_snapshot holds the segment */
	bool stop;
	int fd;     /* journal.seq, opened for writing */
	off_t good; /* its durable length: passes are written from here */
	int broken; /* -errno: fail every pass until a snapshot succeeds */
	enum lv_journal_fault fault;
	int fault_err;
	bool nosync;
	struct journal_stats stats;
};

/* Why a frame failed its checks, for the log and lv_error. */
enum frame_state {
	FRAME_OK,
	FRAME_SHORT,
	FRAME_MAGIC,
	FRAME_LENGTH,
	FRAME_CRC,
};

static const char *const frame_why[] = {
	[FRAME_OK] = "intact",       [FRAME_SHORT] = "short header",
	[FRAME_MAGIC] = "bad magic", [FRAME_LENGTH] = "bad length",
	[FRAME_CRC] = "bad CRC",
};

/* What recovery found in a segment. */
struct scan {
	size_t size;          /* of the file */
	size_t good;          /* bytes of intact records from the start */
	size_t records;       /* how many */
	enum frame_state why; /* what stopped the scan before size */
};

/* A read-only mapping of a whole file (p NULL when it is empty). */
struct map {
	const unsigned char *p;
	size_t size;
};

uint32_t journal_crc32c(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint32_t crc = 0xffffffffu;

	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc ^ 0xffffffffu;
}

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static uint32_t get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void frame_header(unsigned char *hdr, uint32_t magic, const char *s,
			 size_t len)
{
	put_le32(hdr, magic);
	put_le32(hdr + 4, (uint32_t)len);
	put_le32(hdr + 8, journal_crc32c(s, len));
}

/* Checks the frame at off; on FRAME_OK *len is its payload length. */
static enum frame_state frame_check(const struct map *m, size_t off,
				    uint32_t magic, uint32_t *len)
{
	const unsigned char *h = m->p + off;

	if (m->size - off < HDR_SIZE)
		return FRAME_SHORT;
	if (get_le32(h) != magic)
		return FRAME_MAGIC;
	*len = get_le32(h + 4);
	if (*len == 0 || *len > m->size - off - HDR_SIZE)
		return FRAME_LENGTH;
	if (journal_crc32c(h + HDR_SIZE, *len) != get_le32(h + 8))
		return FRAME_CRC;
	return FRAME_OK;
}

/* True when an intact record starts anywhere after the bad one at off:
 * then the damage is not a torn tail. */
static bool intact_record_after(const struct map *m, size_t off)
{
	static const unsigned char magic[4] = {'L', 'V', 'J', '1'};
	const unsigned char *q;
	uint32_t len;

	for (off++; off < m->size; off++) {
		if (!(q = memmem(m->p + off, m->size - off, magic, 4)))
			return false;
		off = (size_t)(q - m->p);
		if (frame_check(m, off, MAGIC_RECORD, &len) == FRAME_OK)
			return true;
	}
	return false;
}

static void queue_init(struct queue *q)
{
	q->head = NULL;
	q->tail = &q->head;
	q->n = q->bytes = 0;
}

static void queue_push(struct queue *q, struct rec *r)
{
	r->next = NULL;
	*q->tail = r;
	q->tail = &r->next;
	q->n++;
	q->bytes += r->len;
}

/* Moves all of from to the end of to. */
static void queue_splice(struct queue *to, struct queue *from)
{
	if (!from->head)
		return;
	*to->tail = from->head;
	to->tail = from->tail;
	to->n += from->n;
	to->bytes += from->bytes;
	queue_init(from);
}

static struct rec *queue_pop(struct queue *q)
{
	struct rec *r = q->head;

	if (!r)
		return NULL;
	if (!(q->head = r->next))
		q->tail = &q->head;
	q->n--;
	q->bytes -= r->len;
	return r;
}

static int write_at(int fd, const void *buf, size_t len, off_t off)
{
	const unsigned char *p = buf;
	ssize_t n;

	while (len) {
		if ((n = pwrite(fd, p, len, off)) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

static int sync_dir(struct journal *j, struct lv_error *err)
{
	if (fsync(j->dirfd) < 0)
		return lv_errorf(err, -errno, "journal: fsync %s: %s", j->dir,
				 strerror(errno));
	return 0;
}

static void gen_name(char *buf, const char *kind, uint64_t seq,
		     const char *suffix)
{
	snprintf(buf, NAME_MAX_LEN, "%s.%" PRIu64 "%s", kind, seq, suffix);
}

/* Parses "<prefix><digits><suffix>" into *seq. */
static bool parse_name(const char *name, const char *prefix, const char *suffix,
		       uint64_t *seq)
{
	size_t i, n = strlen(prefix);
	uint64_t v = 0;

	if (strncmp(name, prefix, n) != 0)
		return false;
	for (i = n; isdigit((unsigned char)name[i]); i++) {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(name[i] - '0');
	}
	if (i == n || strcmp(name + i, suffix) != 0)
		return false;
	*seq = v;
	return true;
}

/* ---- Recovery (journal_open, on the caller's thread) ---- */

static int map_file(struct journal *j, const char *name, struct map *m,
		    struct lv_error *err)
{
	struct stat st;
	void *p = NULL;
	int fd;

	m->p = NULL;
	m->size = 0;
	if ((fd = openat(j->dirfd, name, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return 0;
		return lv_errorf(err, -errno, "journal: open %s/%s: %s", j->dir,
				 name, strerror(errno));
	}
	if (fstat(fd, &st) < 0 ||
	    (st.st_size > 0 && (p = mmap(NULL, (size_t)st.st_size, PROT_READ,
					 MAP_PRIVATE, fd, 0)) == MAP_FAILED)) {
		lv_errorf(err, -errno, "journal: read %s/%s: %s", j->dir, name,
			  strerror(errno));
		close(fd);
		return err ? err->code : -EIO;
	}
	close(fd);
	m->p = p;
	m->size = (size_t)st.st_size;
	return 0;
}

static void unmap_file(struct map *m)
{
	if (m->p)
		munmap((void *)m->p, m->size);
}

static int replay_one(struct journal *j, const char *name, size_t off,
		      json_t *rec, journal_replay_f replay, void *arg,
		      struct lv_error *err)
{
	int rc;

	if (!replay)
		return 0;
	if ((rc = replay(rec, arg)) < 0)
		return lv_errorf(
			err, rc,
			"journal: replay of %s/%s offset %zu failed: %s",
			j->dir, name, off, lv_strerror(rc));
	return 0;
}

static int load_snapshot(struct journal *j, uint64_t seq,
			 journal_replay_f replay, void *arg,
			 struct lv_error *err)
{
	char name[NAME_MAX_LEN];
	enum frame_state st = FRAME_SHORT;
	json_t *doc = NULL, *wrap = NULL;
	json_error_t jerr;
	struct map m;
	uint32_t len = 0;
	int rc;

	gen_name(name, "snapshot", seq, "");
	if ((rc = map_file(j, name, &m, err)) < 0)
		return rc;
	if (m.size > 0)
		st = frame_check(&m, 0, MAGIC_SNAPSHOT, &len);
	if (st != FRAME_OK || HDR_SIZE + (size_t)len != m.size)
		rc = lv_errorf(err, -EUCLEAN,
			       "journal: %s/%s: bad snapshot at offset 0 (%s)",
			       j->dir, name,
			       st == FRAME_OK ? "trailing bytes"
					      : frame_why[st]);
	else if (!(doc = json_loadb((const char *)m.p + HDR_SIZE, len, 0,
				    &jerr)))
		rc = lv_errorf(err, -EUCLEAN,
			       "journal: %s/%s: snapshot is not JSON: %s",
			       j->dir, name, jerr.text);
	else if (!(wrap = json_object()) ||
		 json_object_set(wrap, "snapshot", doc) < 0)
		rc = lv_errorf(err, -ENOMEM, "journal: out of memory");
	else
		rc = replay_one(j, name, 0, wrap, replay, arg, err);
	json_decref(wrap);
	json_decref(doc);
	unmap_file(&m);
	return rc;
}

/* Replays the intact records of journal.seq from the start.  A bad record
 * with an intact one after it fails with -EUCLEAN; a bad tail is left to
 * the caller (sc->good < sc->size). */
static int replay_segment(struct journal *j, journal_replay_f replay, void *arg,
			  struct scan *sc, struct lv_error *err)
{
	char name[NAME_MAX_LEN];
	enum frame_state st = FRAME_OK;
	json_error_t jerr;
	struct map m;
	uint32_t len;
	size_t off = 0;
	json_t *rec;
	int rc = 0;

	gen_name(name, "journal", j->seq, "");
	if ((rc = map_file(j, name, &m, err)) < 0)
		return rc;
	sc->records = 0;
	while (off < m.size &&
	       (st = frame_check(&m, off, MAGIC_RECORD, &len)) == FRAME_OK) {
		if (!(rec = json_loadb((const char *)m.p + off + HDR_SIZE, len,
				       0, &jerr))) {
			rc = lv_errorf(
				err, -EUCLEAN,
				"journal: %s/%s: record at offset %zu is not JSON: %s",
				j->dir, name, off, jerr.text);
			break;
		}
		rc = replay_one(j, name, off, rec, replay, arg, err);
		json_decref(rec);
		if (rc < 0)
			break;
		off += HDR_SIZE + len;
		sc->records++;
	}
	if (rc == 0 && off < m.size && intact_record_after(&m, off))
		rc = lv_errorf(
			err, -EUCLEAN,
			"journal: %s/%s: corrupt record at offset %zu (%s) with intact records after it",
			j->dir, name, off, frame_why[st]);
	sc->size = m.size;
	sc->good = off;
	sc->why = st;
	unmap_file(&m);
	return rc;
}

/* Finds the newest snapshot and the highest number in use. */
static int scan_dir(struct journal *j, bool *have_snap, struct lv_error *err)
{
	struct dirent *de;
	uint64_t seq;
	DIR *d;

	if (!(d = opendir(j->dir)))
		return lv_errorf(err, -errno, "journal: open %s: %s", j->dir,
				 strerror(errno));
	*have_snap = false;
	j->seq = j->next_seq = 0;
	while ((de = readdir(d))) {
		if (parse_name(de->d_name, "snapshot.", "", &seq)) {
			if (!*have_snap || seq > j->seq)
				j->seq = seq;
			*have_snap = true;
		} else if (!parse_name(de->d_name, "journal.", "", &seq) &&
			   !parse_name(de->d_name, "snapshot.", ".tmp", &seq)) {
			continue;
		}
		if (seq >= j->next_seq)
			j->next_seq = seq + 1;
	}
	closedir(d);
	if (j->next_seq <= j->seq) /* an empty directory */
		j->next_seq = j->seq + 1;
	return 0;
}

/* Deletes everything but generation j->seq: older generations whose
 * deletion a crash cut short, and what an interrupted snapshot left. */
static void remove_leftovers(struct journal *j)
{
	struct dirent *de;
	uint64_t seq;
	bool old;
	DIR *d;

	if (!(d = opendir(j->dir)))
		return;
	while ((de = readdir(d))) {
		old = parse_name(de->d_name, "snapshot.", ".tmp", &seq) ||
		      ((parse_name(de->d_name, "snapshot.", "", &seq) ||
			parse_name(de->d_name, "journal.", "", &seq)) &&
		       seq != j->seq);
		if (!old)
			continue;
		lv_log(LV_LOG_NOTICE, "journal: removing leftover %s/%s",
		       j->dir, de->d_name);
		if (unlinkat(j->dirfd, de->d_name, 0) < 0)
			lv_log_errno(LV_LOG_WARNING, "journal: unlink %s/%s",
				     j->dir, de->d_name);
	}
	closedir(d);
}

/* Opens journal.seq for appending, dropping a torn tail. */
static int open_segment(struct journal *j, const struct scan *sc,
			struct lv_error *err)
{
	char name[NAME_MAX_LEN];

	gen_name(name, "journal", j->seq, "");
	if ((j->fd = openat(j->dirfd, name, O_WRONLY | O_CREAT | O_CLOEXEC,
			    0600)) < 0)
		return lv_errorf(err, -errno, "journal: open %s/%s: %s", j->dir,
				 name, strerror(errno));
	if (sc->good < sc->size) {
		lv_log(LV_LOG_WARNING,
		       "journal: %s/%s: dropping a torn tail of %zu bytes at offset %zu (%s)",
		       j->dir, name, sc->size - sc->good, sc->good,
		       frame_why[sc->why]);
		if (ftruncate(j->fd, (off_t)sc->good) < 0 ||
		    fdatasync(j->fd) < 0)
			return lv_errorf(err, -errno,
					 "journal: truncate %s/%s: %s", j->dir,
					 name, strerror(errno));
	}
	/* Perhaps just created: make its name durable. */
	if (sc->size == 0 && sync_dir(j, err) < 0)
		return err ? err->code : -EIO;
	j->good = (off_t)sc->good;
	j->bytes = sc->good;
	j->records = sc->records;
	return 0;
}

/* Makes dir (0700) and makes its name durable in its parent. */
static int make_dir(struct journal *j, struct lv_error *err)
{
	char *parent, *slash;
	int fd;

	if (mkdir(j->dir, 0700) == 0) {
		if (!(parent = strdup(j->dir)))
			return lv_errorf(err, -ENOMEM,
					 "journal: out of memory");
		/* "/a/b" -> "/a", "/a" -> "/", "a" -> "." */
		if ((slash = strrchr(parent, '/')))
			slash[slash == parent] = '\0';
		fd = open(slash ? parent : ".",
			  O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			fsync(fd);
			close(fd);
		}
		free(parent);
	} else if (errno != EEXIST) {
		return lv_errorf(err, -errno, "journal: mkdir %s: %s", j->dir,
				 strerror(errno));
	}
	if ((j->dirfd = open(j->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return lv_errorf(err, -errno, "journal: open %s: %s", j->dir,
				 strerror(errno));
	/* Two writers would interleave their passes. */
	if (flock(j->dirfd, LOCK_EX | LOCK_NB) < 0)
		return lv_errorf(err, errno == EWOULDBLOCK ? -EBUSY : -errno,
				 "journal: lock %s: %s", j->dir,
				 errno == EWOULDBLOCK
					 ? "in use by another journal"
					 : strerror(errno));
	return 0;
}

static int recover(struct journal *j, journal_replay_f replay, void *arg,
		   struct lv_error *err)
{
	struct scan sc;
	bool have_snap = false;
	int rc;

	if ((rc = make_dir(j, err)) < 0 ||
	    (rc = scan_dir(j, &have_snap, err)) < 0)
		return rc;
	if (have_snap && (rc = load_snapshot(j, j->seq, replay, arg, err)) < 0)
		return rc;
	if ((rc = replay_segment(j, replay, arg, &sc, err)) < 0 ||
	    (rc = open_segment(j, &sc, err)) < 0)
		return rc;
	remove_leftovers(j);
	return 0;
}

/* ---- The worker ---- */

/* Copies the pass's frames into one buffer: one pwrite for the pass. */
static int fill_buffer(struct journal *j, const struct pass *ps)
{
	const struct rec *r;
	unsigned char *p;
	size_t off = 0;

	if (ps->q.bytes > j->wcap) {
		if (!(p = realloc(j->wbuf, ps->q.bytes)))
			return -ENOMEM;
		j->wbuf = p;
		j->wcap = ps->q.bytes;
	}
	for (r = ps->q.head; r; r = r->next) {
		memcpy(j->wbuf + off, r->buf, r->len);
		off += r->len;
	}
	return 0;
}

static int write_pass(struct journal *j, const struct pass *ps)
{
	if (ps->fault == LV_JOURNAL_FAULT_WRITE) {
		/* A disk that fills up part way through the pass. */
		(void)write_at(ps->fd, j->wbuf, ps->q.bytes / 2, ps->off);
		return -ps->fault_err;
	}
	return write_at(ps->fd, j->wbuf, ps->q.bytes, ps->off);
}

static int sync_pass(const struct pass *ps)
{
	if (ps->fault == LV_JOURNAL_FAULT_SYNC)
		return -ps->fault_err;
	if (ps->nosync)
		return 0;
	return fdatasync(ps->fd) < 0 ? -errno : 0;
}

/* Truncates the segment back to its durable length, so that no part of a
 * refused record stays for recovery to find. */
static void rollback_pass(struct journal *j, struct pass *ps, const char *op)
{
	lv_log(LV_LOG_ERR,
	       "journal: %s %s/journal.%" PRIu64 ": %s; refusing %zu records",
	       op, j->dir, ps->seq, lv_strerror(ps->status), ps->q.n);
	if (ftruncate(ps->fd, ps->off) == 0 && fdatasync(ps->fd) == 0)
		return;
	lv_log_errno(
		LV_LOG_ERR,
		"journal: truncate %s/journal.%" PRIu64
		" after a failed write; refusing every record until a snapshot succeeds",
		j->dir, ps->seq);
	ps->wedged = true;
}

static void commit_pass(struct journal *j, struct pass *ps)
{
	if (ps->broken) {
		ps->status = ps->broken;
		return;
	}
	if ((ps->status = fill_buffer(j, ps)) < 0) {
		lv_log(LV_LOG_ERR,
		       "journal: out of memory; refusing %zu records", ps->q.n);
		return;
	}
	if ((ps->status = write_pass(j, ps)) < 0)
		rollback_pass(j, ps, "write");
	else if ((ps->status = sync_pass(ps)) < 0)
		rollback_pass(j, ps, "fdatasync");
	if (j->wcap > WBUF_KEEP) { /* a burst: give its memory back */
		free(j->wbuf);
		j->wbuf = NULL;
		j->wcap = 0;
	}
}

/* Takes everything pending as one pass.  Called with the lock held. */
static void take_pass(struct journal *j, struct pass *ps)
{
	queue_init(&ps->q);
	queue_splice(&ps->q, &j->pending);
	ps->fd = j->fd;
	ps->seq = j->seq;
	ps->off = j->good;
	ps->fault = j->fault;
	ps->fault_err = j->fault_err;
	ps->nosync = j->nosync;
	ps->broken = j->broken;
	ps->wedged = false;
	j->busy = true;
}

/* Hands the pass's records to the loop thread.  Called with the lock
 * held. */
static void settle_pass(struct journal *j, struct pass *ps)
{
	bool was_empty = !j->done.head;
	struct rec *r;

	for (r = ps->q.head; r; r = r->next)
		r->status = ps->status;
	if (ps->status == 0) {
		j->good = ps->off + (off_t)ps->q.bytes;
		j->stats.commits++;
		j->stats.records += ps->q.n;
		if (ps->q.n > j->stats.max_batch)
			j->stats.max_batch = ps->q.n;
	} else {
		j->stats.failed += ps->q.n;
	}
	if (ps->wedged)
		j->broken = -EIO;
	queue_splice(&j->done, &ps->q);
	/* One byte per empty-to-filled change: the loop empties done
	 * after reading it, so no wake-up is lost and the pipe never
	 * fills. */
	if (was_empty && write(j->wake[1], "", 1) < 0 && errno != EAGAIN)
		lv_log_errno(LV_LOG_ERR, "journal: wake the event loop");
	j->busy = false;
	cnd_broadcast(&j->idle);
}

static int worker_main(void *arg)
{
	struct journal *j = arg;
	struct pass ps;

	mtx_lock(&j->lock);
	for (;;) {
		while (!j->stop && (j->paused || !j->pending.head))
			cnd_wait(&j->work, &j->lock);
		if (!j->pending.head)
			break;
		take_pass(j, &ps);
		mtx_unlock(&j->lock);
		commit_pass(j, &ps);
		mtx_lock(&j->lock);
		settle_pass(j, &ps);
	}
	mtx_unlock(&j->lock);
	return 0;
}

/* ---- The loop thread ---- */

/* Runs the done callbacks the worker has settled, in order.  One record
 * per lock hold: a callback may append or snapshot. */
static void deliver(struct journal *j)
{
	struct rec *r;

	for (;;) {
		mtx_lock(&j->lock);
		r = queue_pop(&j->done);
		mtx_unlock(&j->lock);
		if (!r)
			return;
		if (r->status < 0 && r->counted) {
			j->bytes -= r->len;
			j->records--;
		}
		if (r->done)
			r->done(r->status, r->arg);
		free(r);
	}
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
	char buf[64];

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	deliver(arg);
}

static int start_worker(struct journal *j, struct lv_error *err)
{
	sigset_t all, old;
	int rc;

	if (pipe2(j->wake, O_NONBLOCK | O_CLOEXEC) < 0)
		return lv_errorf(err, -errno, "journal: pipe: %s",
				 strerror(errno));
	if (!(j->wake_ev = event_new(j->base, j->wake[0], EV_READ | EV_PERSIST,
				     on_wake, j)) ||
	    event_add(j->wake_ev, NULL) < 0)
		return lv_errorf(err, -ENOMEM, "journal: cannot add an event");
	/* Signals stay with the loop thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = thrd_create(&j->worker, worker_main, j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != thrd_success)
		return lv_errorf(err, rc == thrd_nomem ? -ENOMEM : -EAGAIN,
				 "journal: cannot start the worker thread");
	j->worker_started = true;
	return 0;
}

static struct journal *alloc_journal(struct event_base *base, const char *dir,
				     struct lv_error *err)
{
	struct journal *j;

	if (!(j = calloc(1, sizeof(*j))) || !(j->dir = strdup(dir))) {
		free(j);
		lv_errorf(err, -ENOMEM, "journal: out of memory");
		return NULL;
	}
	if (mtx_init(&j->lock, mtx_plain) != thrd_success ||
	    cnd_init(&j->work) != thrd_success ||
	    cnd_init(&j->idle) != thrd_success) {
		/* glibc's never fail. */
		free(j->dir);
		free(j);
		lv_errorf(err, -ENOMEM, "journal: out of memory");
		return NULL;
	}
	j->base = base;
	j->dirfd = j->fd = j->wake[0] = j->wake[1] = -1;
	queue_init(&j->pending);
	queue_init(&j->done);
	return j;
}

struct journal *journal_open(struct event_base *base, const char *dir,
			     journal_replay_f replay, void *arg,
			     struct lv_error *err)
{
	struct journal *j;

	if (!(j = alloc_journal(base, dir, err)))
		return NULL;
	if (recover(j, replay, arg, err) < 0 || start_worker(j, err) < 0)
		goto out_close;
	lv_debug(LV_DBG_JOURNAL,
		 "journal: %s: generation %" PRIu64 ", %zu records, %zu bytes",
		 j->dir, j->seq, j->records, j->bytes);
	return j;
out_close:
	journal_close(j);
	return NULL;
}

/* Frames rec's compact JSON into a new struct rec. */
static int rec_create(const json_t *rec, struct rec **out)
{
	struct rec *r;
	size_t len;
	char *s;

	if (!(s = json_dumps(rec, JSON_COMPACT)))
		return -ENOMEM;
	if ((len = strlen(s)) > JOURNAL_RECORD_MAX) {
		free(s);
		return -E2BIG;
	}
	if (!(r = malloc(sizeof(*r) + HDR_SIZE + len))) {
		free(s);
		return -ENOMEM;
	}
	frame_header(r->buf, MAGIC_RECORD, s, len);
	memcpy(r->buf + HDR_SIZE, s, len);
	free(s);
	r->len = HDR_SIZE + len;
	r->status = 0;
	r->counted = true;
	*out = r;
	return 0;
}

int journal_append(struct journal *j, const json_t *rec, journal_done_f done,
		   void *arg)
{
	struct rec *r;
	bool was_empty;
	int rc;

	if (j->closing)
		return -ESHUTDOWN;
	if (!json_is_object(rec) || json_object_get(rec, "snapshot"))
		return -EINVAL;
	if ((rc = rec_create(rec, &r)) < 0)
		return rc;
	r->done = done;
	r->arg = arg;
	j->bytes += r->len;
	j->records++;
	mtx_lock(&j->lock);
	was_empty = !j->pending.head;
	queue_push(&j->pending, r);
	if (was_empty)
		cnd_signal(&j->work);
	mtx_unlock(&j->lock);
	return 0;
}

/* ---- Snapshots (loop thread, worker paused) ---- */

static void pause_worker(struct journal *j)
{
	mtx_lock(&j->lock);
	j->paused = true;
	while (j->busy)
		cnd_wait(&j->idle, &j->lock);
	mtx_unlock(&j->lock);
}

static void resume_worker(struct journal *j)
{
	mtx_lock(&j->lock);
	j->paused = false;
	cnd_signal(&j->work);
	mtx_unlock(&j->lock);
}

/* Writes and fsyncs snapshot.seq.tmp. */
static int write_snapshot_tmp(struct journal *j, uint64_t seq,
			      const json_t *doc, struct lv_error *err)
{
	unsigned char hdr[HDR_SIZE];
	char name[NAME_MAX_LEN];
	size_t len;
	char *s;
	int fd, rc;

	gen_name(name, "snapshot", seq, ".tmp");
	if (!doc)
		return lv_errorf(err, -EINVAL, "journal: no snapshot document");
	if (!(s = json_dumps(doc, JSON_COMPACT | JSON_ENCODE_ANY)))
		return lv_errorf(err, -ENOMEM, "journal: out of memory");
	if ((len = strlen(s)) == 0 || len > UINT32_MAX) {
		free(s);
		return lv_errorf(err, -E2BIG, "journal: snapshot of %zu bytes",
				 len);
	}
	frame_header(hdr, MAGIC_SNAPSHOT, s, len);
	if ((fd = openat(j->dirfd, name,
			 O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		rc = -errno;
	else if ((rc = write_at(fd, hdr, HDR_SIZE, 0)) == 0 &&
		 (rc = write_at(fd, s, len, HDR_SIZE)) == 0 && fsync(fd) < 0)
		rc = -errno;
	free(s);
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		return lv_errorf(err, rc, "journal: write %s/%s: %s", j->dir,
				 name, lv_strerror(rc));
	return 0;
}

/*
 * Creates journal.seq holding the records whose done callback has not run
 * and that are durable (status 0) in the current segment, so that they
 * outlive its deletion; the records still pending go after them later.
 * The done queue is read without the lock: the worker is paused and idle,
 * so nothing else touches it.
 */
static int write_carried(struct journal *j, uint64_t seq, int *fdp,
			 struct queue *carried, struct lv_error *err)
{
	char name[NAME_MAX_LEN];
	const struct rec *r;
	int fd, rc = 0;

	gen_name(name, "journal", seq, "");
	queue_init(carried); /* counts only: the records stay in done */
	if ((fd = openat(j->dirfd, name,
			 O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		return lv_errorf(err, -errno, "journal: open %s/%s: %s", j->dir,
				 name, strerror(errno));
	for (r = j->done.head; r && rc == 0; r = r->next) {
		if (r->status < 0)
			continue;
		rc = write_at(fd, r->buf, r->len, (off_t)carried->bytes);
		carried->n++;
		carried->bytes += r->len;
	}
	if (rc == 0 && fdatasync(fd) < 0)
		rc = -errno;
	*fdp = fd;
	if (rc < 0)
		return lv_errorf(err, rc, "journal: write %s/%s: %s", j->dir,
				 name, lv_strerror(rc));
	return 0;
}

/* Makes generation seq current and lets the worker go on with it. */
static void switch_segment(struct journal *j, uint64_t seq, int fd,
			   const struct queue *carried, int broken)
{
	struct rec *r;
	int old_fd;

	for (r = j->done.head; r; r = r->next)
		if (r->status < 0)
			r->counted = false; /* not in the new counts */
	mtx_lock(&j->lock);
	old_fd = j->fd;
	j->fd = fd;
	j->seq = seq;
	j->good = (off_t)carried->bytes;
	j->broken = broken;
	j->bytes = carried->bytes + j->pending.bytes;
	j->records = carried->n + j->pending.n;
	mtx_unlock(&j->lock);
	close(old_fd);
	resume_worker(j);
}

static void remove_generation(struct journal *j, uint64_t seq)
{
	static const char *const kinds[] = {"journal", "snapshot"};
	char name[NAME_MAX_LEN];
	size_t i;

	for (i = 0; i < 2; i++) {
		gen_name(name, kinds[i], seq, "");
		if (unlinkat(j->dirfd, name, 0) < 0 && errno != ENOENT)
			lv_log_errno(
				LV_LOG_WARNING,
				"journal: unlink %s/%s (removed at the next start)",
				j->dir, name);
	}
}

int journal_snapshot(struct journal *j, const json_t *doc, struct lv_error *err)
{
	char tmp[NAME_MAX_LEN], name[NAME_MAX_LEN];
	uint64_t old = j->seq, seq = j->next_seq++; /* never reused */
	struct queue carried;
	int fd = -1, rc;

	if (j->closing)
		return lv_errorf(err, -ESHUTDOWN, "journal: closing");
	gen_name(tmp, "snapshot", seq, ".tmp");
	gen_name(name, "snapshot", seq, "");
	pause_worker(j);
	if ((rc = write_snapshot_tmp(j, seq, doc, err)) < 0 ||
	    (rc = write_carried(j, seq, &fd, &carried, err)) < 0 ||
	    (rc = sync_dir(j, err)) < 0)
		goto out_undo;
	if (renameat(j->dirfd, tmp, j->dirfd, name) < 0) {
		rc = lv_errorf(err, -errno, "journal: rename %s/%s: %s", j->dir,
			       tmp, strerror(errno));
		goto out_undo;
	}
	/* The commit point: once this returns, a restart loads seq.  If it
	 * fails, a restart may load either generation, so no record can be
	 * promised durable until a later snapshot succeeds. */
	if (fsync(j->dirfd) < 0) {
		rc = lv_errorf(
			err, -errno,
			"journal: fsync %s after renaming %s: %s; refusing every record until a snapshot succeeds",
			j->dir, name, strerror(errno));
		switch_segment(j, seq, fd, &carried, rc);
		return rc;
	}
	switch_segment(j, seq, fd, &carried, 0);
	remove_generation(j, old);
	lv_debug(LV_DBG_JOURNAL, "journal: %s/%s written, %zu records carried",
		 j->dir, name, carried.n);
	return 0;
out_undo:
	if (fd >= 0)
		close(fd);
	unlinkat(j->dirfd, tmp, 0);
	gen_name(name, "journal", seq, "");
	unlinkat(j->dirfd, name, 0);
	resume_worker(j);
	return rc;
}

size_t journal_size(const struct journal *j)
{
	return j->bytes;
}

size_t journal_records(const struct journal *j)
{
	return j->records;
}

void journal_get_stats(struct journal *j, struct journal_stats *st)
{
	mtx_lock(&j->lock);
	*st = j->stats;
	mtx_unlock(&j->lock);
}

void journal_set_fault(struct journal *j, enum lv_journal_fault fault, int err)
{
	mtx_lock(&j->lock);
	j->fault = fault;
	j->fault_err = err;
	mtx_unlock(&j->lock);
}

void journal_set_sync(struct journal *j, bool sync)
{
	mtx_lock(&j->lock);
	j->nosync = !sync;
	mtx_unlock(&j->lock);
}

void journal_close(struct journal *j)
{
	if (!j)
		return;
	j->closing = true;
	if (j->worker_started) {
		/* The worker writes what is pending before it stops. */
		mtx_lock(&j->lock);
		j->stop = true;
		cnd_signal(&j->work);
		mtx_unlock(&j->lock);
		thrd_join(j->worker, NULL);
	}
	deliver(j);
	if (j->wake_ev)
		event_free(j->wake_ev);
	if (j->wake[0] >= 0)
		close(j->wake[0]);
	if (j->wake[1] >= 0)
		close(j->wake[1]);
	if (j->fd >= 0)
		close(j->fd);
	if (j->dirfd >= 0)
		close(j->dirfd);
	cnd_destroy(&j->idle);
	cnd_destroy(&j->work);
	mtx_destroy(&j->lock);
	free(j->wbuf);
	free(j->dir);
	free(j);
}
