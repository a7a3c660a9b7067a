/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The client side of job steps (proto 05): buffers, labels and exit
 * statuses, and running a step on its nodes. */
#include "config.h"

#include "cmd/stepio.h"

#include <errno.h>
#include <limits.h>
#include <nettle/base64.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/msg.h"

/* Frames read from one node before the others get a turn. */
#define FRAMES_PER_TURN 64
/* Bytes of stdin forwarded per STEP_IO push. */
#define STDIN_CHUNK 49152

/* ---- buffers and base64 ---- */

int stepio_buf_append(struct stepio_buf *b, const void *p, size_t n)
{
	size_t cap = b->cap ? b->cap : 256;
	char *nd;

	if (n > SIZE_MAX / 2 - b->len)
		return -ENOMEM;
	while (cap < b->len + n)
		cap *= 2;
	if (cap != b->cap) {
		if (!(nd = realloc(b->data, cap)))
			return -ENOMEM;
		b->data = nd;
		b->cap = cap;
	}
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

void stepio_buf_free(struct stepio_buf *b)
{
	free(b->data);
	*b = (struct stepio_buf){0};
}

char *stepio_b64_encode(const void *in, size_t len)
{
	char *out;

	if (len > SIZE_MAX / 2)
		return NULL;
	if (!(out = malloc(BASE64_ENCODE_RAW_LENGTH(len) + 1)))
		return NULL;
	base64_encode_raw(out, len, in);
	out[BASE64_ENCODE_RAW_LENGTH(len)] = '\0';
	return out;
}

ssize_t stepio_b64_decode(const char *in, size_t len, unsigned char *out)
{
	struct base64_decode_ctx ctx;
	size_t n = BASE64_DECODE_LENGTH(len);

	if (len > SIZE_MAX / 2)
		return -EINVAL;
	base64_decode_init(&ctx);
	/* _final also refuses text cut off in the middle of a group. */
	if (!base64_decode_update(&ctx, &n, out, len, in) ||
	    !base64_decode_final(&ctx) || n > SSIZE_MAX)
		return -EINVAL;
	return (ssize_t)n;
}

/* ---- labels ---- */

int stepio_label_width(int ntasks)
{
	int w = 1, max = ntasks - 1;

	for (; max >= 10; max /= 10)
		w++;
	return w;
}

static int put_label(struct stepio_buf *out, int rank, int width)
{
	char label[32];
	int n = snprintf(label, sizeof(label), "%*d: ", width, rank);

	return stepio_buf_append(out, label, (size_t)n);
}

int stepio_label_lines(struct stepio_buf *pending, int rank, int width,
		       const char *data, size_t len, struct stepio_buf *out)
{
	const char *end = data + len, *nl;
	int rc;

	while ((nl = memchr(data, '\n', (size_t)(end - data)))) {
		if ((rc = put_label(out, rank, width)) < 0 ||
		    (rc = stepio_buf_append(out, pending->data, pending->len)) <
			    0 ||
		    (rc = stepio_buf_append(out, data,
					    (size_t)(nl + 1 - data))) < 0)
			return rc;
		pending->len = 0;
		data = nl + 1;
	}
	return stepio_buf_append(pending, data, (size_t)(end - data));
}

int stepio_label_flush(struct stepio_buf *pending, int rank, int width,
		       struct stepio_buf *out)
{
	int rc;

	if (pending->len == 0)
		return 0;
	if ((rc = put_label(out, rank, width)) < 0 ||
	    (rc = stepio_buf_append(out, pending->data, pending->len)) < 0)
		return rc;
	pending->len = 0;
	return 0;
}

/* ---- exit statuses ---- */

int stepio_task_exit_code(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 1;
}

int stepio_exit_code(const int *status, size_t n, size_t *worst)
{
	int code = 0, c;
	size_t i, w = 0;

	for (i = 0; i < n; i++) {
		c = stepio_task_exit_code(status[i]);
		if (c > code) {
			code = c;
			w = i;
		}
	}
	if (worst)
		*worst = w;
	return code;
}

const char *stepio_status_text(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "%s%s", strsignal(WTERMSIG(status)),
			 WCOREDUMP(status) ? " (core dumped)" : "");
	else
		snprintf(buf, len, "Exited with exit code %d",
			 stepio_task_exit_code(status));
	return buf;
}

const char *stepio_ranks_string(const int *ranks, size_t n, char *buf,
				size_t len)
{
	size_t i, j, pos = 0;
	char item[32];
	int k;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && ranks[j] == ranks[j - 1] + 1; j++)
			;
		k = j - i == 1 ? snprintf(item, sizeof(item), "%s%d",
					  i ? "," : "", ranks[i])
			       : snprintf(item, sizeof(item), "%s%d-%d",
					  i ? "," : "", ranks[i], ranks[j - 1]);
		if (pos + (size_t)k + (j < n ? 4 : 0) >= len) {
			if (pos + 4 <= len)
				snprintf(buf + pos, len - pos, "...");
			break;
		}
		memcpy(buf + pos, item, (size_t)k + 1);
		pos += (size_t)k;
	}
	return buf;
}

/* ---- running a step ---- */

struct task {
	int node; /* index into step.nodes, -1 until placed */
	int status;
	bool done;
	struct stepio_buf line[2]; /* -l: unfinished stdout/stderr lines */
};

struct node {
	const char *name, *addr, *cred; /* borrowed from the reply */
	int port;
	struct lv_client *cl; /* NULL before launch and once over */
	size_t left;          /* its tasks that have not ended */
};

struct step {
	const struct stepio_opts *opts;
	int64_t job_id, step_id;
	int ntasks, width;
	struct task *tasks;
	struct node *nodes;
	size_t nnodes;
	size_t left; /* tasks that have not ended */
	int sigfd;
	int stdin_node;   /* the node we forward stdin to, -1: none */
	int64_t last_int; /* when the last Ctrl-C came, ms */
	bool killed;      /* -K sent SIGKILL */
	bool out_broken;  /* nobody reads our stdout any more */
	sigset_t oldmask;
	struct sigaction oldpipe;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Writes all of p; false when the reader went away. */
static bool write_all(int fd, const char *p, size_t len)
{
	struct pollfd pfd = {.fd = fd, .events = POLLOUT};
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EAGAIN)
			(void)poll(&pfd, 1, -1); /* an inherited O_NONBLOCK */
		else if (n < 0 && errno != EINTR)
			return false;
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		}
	}
	return true;
}

static void broadcast(struct step *st, int sig)
{
	struct lv_error err = {0};
	size_t i;

	for (i = 0; i < st->nnodes; i++) {
		if (st->nodes[i].cl)
			(void)lv_client_push(
				st->nodes[i].cl, LV_MSG_STEP_SIGNAL,
				json_pack("{s:i}", "signal", sig), &err);
	}
}

/* Output for our stdout (stream 0) or stderr (1). */
static void emit(struct step *st, int rank, int stream, const char *data,
		 size_t len)
{
	struct stepio_buf out = {0};
	int fd = stream ? STDERR_FILENO : STDOUT_FILENO;

	if (st->opts->label) {
		if (stepio_label_lines(&st->tasks[rank].line[stream], rank,
				       st->width, data, len, &out) < 0)
			fprintf(stderr, "%s: error: out of memory\n",
				st->opts->prog);
		data = out.data;
		len = out.len;
	}
	if (len && !(stream == 0 && st->out_broken) &&
	    !write_all(fd, data, len) && stream == 0) {
		/* As a local pipeline would: the writers get SIGPIPE. */
		st->out_broken = true;
		broadcast(st, SIGPIPE);
	}
	stepio_buf_free(&out);
}

static void flush_lines(struct step *st, int rank)
{
	struct stepio_buf out = {0};
	int s;

	for (s = 0; s < 2; s++) {
		if (stepio_label_flush(&st->tasks[rank].line[s], rank,
				       st->width, &out) == 0 &&
		    out.len && !(s == 0 && st->out_broken))
			(void)write_all(s ? STDERR_FILENO : STDOUT_FILENO,
					out.data, out.len);
		out.len = 0;
		stepio_buf_free(&st->tasks[rank].line[s]);
	}
	stepio_buf_free(&out);
}

static void stop_stdin(struct step *st)
{
	struct lv_error err = {0};
	struct node *nd;

	if (st->stdin_node < 0)
		return;
	nd = &st->nodes[st->stdin_node];
	if (nd->cl)
		(void)lv_client_push(
			nd->cl, LV_MSG_STEP_IO,
			json_pack("{s:s, s:b}", "stream", "in", "eof", 1),
			&err);
	st->stdin_node = -1;
}

static void task_done(struct step *st, int rank, int status)
{
	struct task *t = &st->tasks[rank];
	struct node *nd = &st->nodes[t->node];

	if (t->done)
		return;
	t->done = true;
	t->status = status;
	st->left--;
	flush_lines(st, rank);
	if (rank == st->opts->stdin_rank)
		stop_stdin(st);
	if (status && st->opts->kill_on_bad_exit && !st->killed) {
		st->killed = true;
		broadcast(st, SIGKILL);
	}
	if (--nd->left == 0) {
		/* The node's part is over; closing kills nothing left. */
		lv_client_destroy(nd->cl);
		nd->cl = NULL;
	}
}

/* The node's connection broke: its tasks are gone (lvd kills them). */
static void node_lost(struct step *st, size_t i, const char *why)
{
	struct node *nd = &st->nodes[i];
	int r;

	fprintf(stderr, "%s: error: %s: lost the connection: %s\n",
		st->opts->prog, nd->name, why);
	lv_client_destroy(nd->cl);
	nd->cl = NULL;
	if (st->stdin_node == (int)i)
		st->stdin_node = -1;
	for (r = 0; r < st->ntasks && nd->left; r++) {
		if (st->tasks[r].node == (int)i && !st->tasks[r].done)
			task_done(st, r, SIGKILL);
	}
}

/* The rank a frame from node i names, or -1 when it is not one of its. */
static int frame_rank(const struct step *st, size_t i, const json_t *body)
{
	int64_t r;

	if (lv_json_int(body, "rank", 0, st->ntasks - 1, &r, NULL) < 0 ||
	    st->tasks[r].node != (int)i)
		return -1;
	return (int)r;
}

static void on_io(struct step *st, size_t i, const json_t *body)
{
	const char *stream = lv_json_str(body, "stream");
	const char *data = lv_json_str(body, "data");
	int rank = frame_rank(st, i, body), s;
	unsigned char *buf;
	ssize_t n;
	size_t len;

	if (rank < 0 || !stream || !data)
		return;
	if (!strcmp(stream, "out"))
		s = 0;
	else if (!strcmp(stream, "err"))
		s = 1;
	else
		return;
	len = strlen(data);
	if (!(buf = malloc(BASE64_DECODE_LENGTH(len) + 1)))
		return;
	if ((n = stepio_b64_decode(data, len, buf)) >= 0)
		emit(st, rank, s, (const char *)buf, (size_t)n);
	free(buf);
}

static void on_done(struct step *st, size_t i, const json_t *body)
{
	int rank = frame_rank(st, i, body);
	int64_t status, rss = 0, cpu = 0;

	if (rank < 0 || lv_json_int(body, "status", INT32_MIN, INT32_MAX,
				    &status, NULL) < 0)
		return;
	if (st->opts->usage && !st->tasks[rank].done) {
		(void)lv_json_int(body, "maxrss_kb", 0, INT64_MAX, &rss, NULL);
		(void)lv_json_int(body, "cpu_usec", 0, INT64_MAX, &cpu, NULL);
		if ((uint64_t)rss > st->opts->usage->maxrss_kb)
			st->opts->usage->maxrss_kb = (uint64_t)rss;
		st->opts->usage->cpu_usec += (uint64_t)cpu;
		st->opts->usage->oom_nodes +=
			json_is_true(json_object_get(body, "oom"));
	}
	task_done(st, rank, (int)status);
}

/* Handles what node i sent, a few frames at a time. */
static void node_read(struct step *st, size_t i)
{
	struct lv_error err = {0};
	uint16_t type;
	json_t *body;
	int k, rc;

	for (k = 0; k < FRAMES_PER_TURN && st->nodes[i].cl; k++) {
		rc = lv_client_recv(st->nodes[i].cl, &type, &body, 0, &err);
		if (rc == -ETIMEDOUT)
			return;
		if (rc < 0) {
			node_lost(st, i, err.text);
			return;
		}
		if (type == LV_MSG_STEP_IO)
			on_io(st, i, body);
		else if (type == LV_MSG_STEP_DONE)
			on_done(st, i, body);
		json_decref(body);
	}
}

static void stdin_read(struct step *st)
{
	struct lv_error err = {0};
	char buf[STDIN_CHUNK], *b64;
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		stop_stdin(st);
		return;
	}
	if (!(b64 = stepio_b64_encode(buf, (size_t)n)))
		return;
	(void)lv_client_push(
		st->nodes[st->stdin_node].cl, LV_MSG_STEP_IO,
		json_pack("{s:s, s:s}", "stream", "in", "data", b64), &err);
	free(b64);
}

/* srun's answer to a first Ctrl-C: where the tasks are. */
static void print_state(const struct step *st)
{
	int *ranks = malloc((size_t)st->ntasks * sizeof(*ranks));
	char list[128];
	int r, n, pass;

	if (!ranks)
		return;
	for (pass = 0; pass < 2; pass++) {
		for (r = n = 0; r < st->ntasks; r++) {
			if (st->tasks[r].done == (pass == 1))
				ranks[n++] = r;
		}
		if (n)
			fprintf(stderr, "%s: step %lld.%lld task%s %s: %s\n",
				st->opts->prog, (long long)st->job_id,
				(long long)st->step_id, n == 1 ? "" : "s",
				stepio_ranks_string(ranks, (size_t)n, list,
						    sizeof(list)),
				pass ? "exited" : "running");
	}
	free(ranks);
}

static void on_signal(struct step *st)
{
	struct signalfd_siginfo si;
	int64_t now;

	while (read(st->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo != SIGINT) {
			broadcast(st, (int)si.ssi_signo);
			continue;
		}
		now = now_ms();
		if (st->last_int && now - st->last_int <= 1000) {
			fprintf(stderr, "%s: forcing job termination\n",
				st->opts->prog);
			broadcast(st, SIGKILL);
			continue;
		}
		fprintf(stderr,
			"%s: interrupt (one more within 1 sec to abort)\n",
			st->opts->prog);
		print_state(st);
		st->last_int = now;
		broadcast(st, SIGINT);
	}
}

/* One poll() over the nodes, stdin and the signals. */
static void step_poll(struct step *st, struct pollfd *pfd)
{
	size_t i, n = 0, in_slot = SIZE_MAX;
	int timeout = -1;

	for (i = 0; i < st->nnodes; i++) {
		pfd[i] = (struct pollfd){.fd = -1, .events = POLLIN};
		if (!st->nodes[i].cl)
			continue;
		pfd[i].fd = lv_client_fd(st->nodes[i].cl);
		/* Frames already buffered would not wake poll(). */
		if (lv_client_has_pending(st->nodes[i].cl))
			timeout = 0;
	}
	n = st->nnodes;
	pfd[n++] = (struct pollfd){.fd = st->sigfd, .events = POLLIN};
	if (st->stdin_node >= 0) {
		in_slot = n;
		pfd[n++] =
			(struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
	}
	if (poll(pfd, n, timeout) < 0 && errno != EINTR)
		return;
	if (pfd[st->nnodes].revents)
		on_signal(st);
	if (in_slot != SIZE_MAX && pfd[in_slot].revents && st->stdin_node >= 0)
		stdin_read(st);
	for (i = 0; i < st->nnodes; i++) {
		if (st->nodes[i].cl &&
		    (pfd[i].revents || lv_client_has_pending(st->nodes[i].cl)))
			node_read(st, i);
	}
}

/* Checks one node of the STEP_CREATE reply and places its ranks. */
static int parse_node(struct step *st, size_t i, const json_t *jn,
		      struct lv_error *err)
{
	struct node *nd = &st->nodes[i];
	const json_t *jr;
	int64_t port, r;
	size_t k;

	nd->name = lv_json_str(jn, "name");
	nd->addr = lv_json_str(jn, "addr");
	nd->cred = lv_json_str(jn, "cred");
	if (!nd->name || !nd->addr || !nd->cred ||
	    lv_json_int(jn, "port", 1, 65535, &port, err) < 0 ||
	    !json_is_array(json_object_get(jn, "ranks")))
		return lv_errorf(
			err, -EPROTO,
			"bad STEP_CREATE reply: node %zu is incomplete", i);
	nd->port = (int)port;
	json_array_foreach(json_object_get(jn, "ranks"), k, jr) {
		r = json_is_integer(jr) ? json_integer_value(jr) : -1;
		if (r < 0 || r >= st->ntasks || st->tasks[r].node >= 0)
			return lv_errorf(
				err, -EPROTO,
				"bad STEP_CREATE reply: rank %lld on %s",
				(long long)r, nd->name);
		st->tasks[r].node = (int)i;
		nd->left++;
	}
	return 0;
}

static int parse_create(struct step *st, const json_t *create,
			struct lv_error *err)
{
	const json_t *nodes = json_object_get(create, "nodes");
	int64_t ntasks;
	int r, rc;
	size_t i;

	if (lv_json_int(create, "job_id", 0, INT64_MAX, &st->job_id, err) < 0 ||
	    lv_json_int(create, "step_id", 0, INT64_MAX, &st->step_id, err) <
		    0 ||
	    lv_json_int(create, "ntasks", 1, 1000000, &ntasks, err) < 0 ||
	    !json_array_size(nodes))
		return lv_errorf(err, -EPROTO, "bad STEP_CREATE reply: %s",
				 err->text[0] ? err->text : "no nodes");
	st->ntasks = (int)ntasks;
	st->left = (size_t)ntasks;
	st->width = stepio_label_width(st->ntasks);
	st->nnodes = json_array_size(nodes);
	if (!(st->tasks = calloc((size_t)ntasks, sizeof(*st->tasks))) ||
	    !(st->nodes = calloc(st->nnodes, sizeof(*st->nodes))))
		return lv_errorf(err, -ENOMEM, "out of memory");
	for (r = 0; r < st->ntasks; r++)
		st->tasks[r].node = -1;
	for (i = 0; i < st->nnodes; i++) {
		if ((rc = parse_node(st, i, json_array_get(nodes, i), err)) < 0)
			return rc;
	}
	for (r = 0; r < st->ntasks; r++) {
		if (st->tasks[r].node < 0)
			return lv_errorf(
				err, -EPROTO,
				"bad STEP_CREATE reply: no node for rank %d",
				r);
	}
	r = st->opts->stdin_rank;
	st->stdin_node = r >= 0 && r < st->ntasks ? st->tasks[r].node : -1;
	return 0;
}

static int launch_node(struct step *st, struct node *nd, const json_t *launch,
		       struct lv_error *err)
{
	int timeout = (int)st->opts->conf->msg_timeout * 1000;
	json_t *body = json_copy((json_t *)launch), *reply = NULL;
	struct lv_error e = {0};
	int rc;

	if (!body ||
	    json_object_set_new(body, "cred", json_string(nd->cred)) < 0) {
		json_decref(body);
		return lv_errorf(err, -ENOMEM, "out of memory");
	}
	if (!(nd->cl = lv_client_connect(nd->addr, (uint16_t)nd->port,
					 st->opts->conf->munge_socket, timeout,
					 &e))) {
		json_decref(body);
		return lv_errorf(err, e.code, "%s: %s", nd->name, e.text);
	}
	rc = lv_client_call(nd->cl, LV_MSG_STEP_LAUNCH, body, 6 * timeout,
			    &reply, &e);
	json_decref(reply);
	if (rc < 0)
		return lv_errorf(err, rc, "%s: launching the tasks failed: %s",
				 nd->name, e.text);
	return 0;
}

/* Blocks the signals we forward and reads them from a signalfd. */
static int catch_signals(struct step *st, struct lv_error *err)
{
	struct sigaction ign = {.sa_handler = SIG_IGN};
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGQUIT);
	if (sigprocmask(SIG_BLOCK, &set, &st->oldmask) < 0)
		return lv_errorf(err, -errno, "sigprocmask: %s",
				 strerror(errno));
	if ((st->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		sigprocmask(SIG_SETMASK, &st->oldmask, NULL);
		return lv_errorf(err, -errno, "signalfd: %s", strerror(errno));
	}
	/* A closed stdout shows up as EPIPE from write(). */
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &st->oldpipe);
	return 0;
}

static void step_teardown(struct step *st)
{
	struct signalfd_siginfo si;
	size_t i;
	int r;

	for (i = 0; i < st->nnodes; i++)
		lv_client_destroy(st->nodes[i].cl);
	for (r = 0; st->tasks && r < st->ntasks; r++) {
		stepio_buf_free(&st->tasks[r].line[0]);
		stepio_buf_free(&st->tasks[r].line[1]);
	}
	free(st->nodes);
	free(st->tasks);
	if (st->sigfd < 0)
		return;
	/* Late signals were meant for the step, which is over. */
	while (read(st->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		;
	close(st->sigfd);
	sigaction(SIGPIPE, &st->oldpipe, NULL);
	sigprocmask(SIG_SETMASK, &st->oldmask, NULL);
}

/* The failed tasks of each node, grouped by status as srun prints them:
 * "lvrun: error: n1: tasks 0-1: Exited with exit code 2". */
static void report_failures(const struct step *st)
{
	int *ranks = malloc((size_t)st->ntasks * sizeof(*ranks));
	bool *said = calloc((size_t)st->ntasks, sizeof(*said));
	char list[128], why[96];
	int r, q, n;

	for (r = 0; ranks && said && r < st->ntasks; r++) {
		const struct task *t = &st->tasks[r];

		/* A writer to our closed stdout dies quietly, as in a pipe. */
		if (said[r] || stepio_task_exit_code(t->status) == 0 ||
		    (st->out_broken && WIFSIGNALED(t->status) &&
		     WTERMSIG(t->status) == SIGPIPE))
			continue;
		for (q = r, n = 0; q < st->ntasks; q++) {
			if (st->tasks[q].node == t->node &&
			    st->tasks[q].status == t->status) {
				ranks[n++] = q;
				said[q] = true;
			}
		}
		fprintf(stderr, "%s: error: %s: task%s %s: %s\n",
			st->opts->prog, st->nodes[t->node].name,
			n == 1 ? "" : "s",
			stepio_ranks_string(ranks, (size_t)n, list,
					    sizeof(list)),
			stepio_status_text(t->status, why, sizeof(why)));
	}
	free(ranks);
	free(said);
}

int stepio_run(const json_t *create, const json_t *launch,
	       const struct stepio_opts *opts, int *worst_status,
	       struct lv_error *err)
{
	struct step st = {.opts = opts, .sigfd = -1, .stdin_node = -1};
	struct pollfd *pfd = NULL;
	size_t i, worst;
	int *status = NULL, r, rc;

	if ((rc = parse_create(&st, create, err)) < 0 ||
	    (rc = catch_signals(&st, err)) < 0)
		goto out;
	for (i = 0; i < st.nnodes; i++) {
		if ((rc = launch_node(&st, &st.nodes[i], launch, err)) < 0)
			goto out; /* closing the connections kills the tasks */
	}
	if (!(pfd = calloc(st.nnodes + 2, sizeof(*pfd))) ||
	    !(status = calloc((size_t)st.ntasks, sizeof(*status)))) {
		rc = lv_errorf(err, -ENOMEM, "out of memory");
		goto out;
	}
	while (st.left)
		step_poll(&st, pfd);
	report_failures(&st);
	for (r = 0; r < st.ntasks; r++)
		status[r] = st.tasks[r].status;
	stepio_exit_code(status, (size_t)st.ntasks, &worst);
	*worst_status = status[worst];
out:
	free(status);
	free(pfd);
	step_teardown(&st);
	return rc;
}
