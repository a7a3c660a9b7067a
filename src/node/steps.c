/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Job steps on a node: tasks lvrun asked for, checked against the
 * controller's credential, with their output streamed back (proto 05). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <event2/buffer.h>
#include <nettle/base64.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/auth.h"
#include "common/log.h"
#include "common/msg.h"
#include "mpi/pmix_server.h"
#include "node/bind.h"
#include "node/cgroup.h"
#include "node/children.h"
#include "node/jobenv.h"
#include "node/lvd.h"
#include "node/nodegrant.h"

#define IO_CHUNK 32768

struct step_task {
	struct step_run *step;
	uint32_t rank, local;
	pid_t pid;
	int in_fd;               /* stdin pipe (stdin rank only), else -1 */
	struct evbuffer *in_buf; /* input not yet taken by the task */
	struct event *in_ev;     /* the pipe has room again */
	bool in_eof;             /* close the pipe once in_buf is drained */
	struct event *out_ev, *err_ev;
	bool exited;
	int status;
	uint64_t maxrss_kb, cpu_usec; /* wait4(); the step's cgroups' rule */
	bool ready; /* exited, output drained */
	bool bound; /* cpus holds the task's binding */
	struct lv_cpuset cpus; /* OS CPUs */
	bool reported;
};

struct step_run {
	struct lvd *lvd;
	uint64_t conn_id;
	uint32_t job_id, step_id;
	uid_t uid;
	gid_t gid;
	pid_t pgid;
	struct step_task *tasks;
	size_t ntasks;
	struct mpi_step *mpi; /* --mpi=pmix: the step's PMIx namespace */
	bool mpi_aborted;     /* a rank called MPI_Abort(.., mpi_status) */
	int mpi_status;
	const char *node_name; /* --mpi=pmix: for the server's messages */
	/* The step's cgroups inside its job's (job_<id>/step_<n>). */
	bool cg_on;
	struct cgroup_job cg, job_cg;
	/* Binding (valid while the tasks start): the node, the job's PUs
	 * here (logical) and what the step asked for. */
	struct lvd_node *node;
	struct lv_cpuset pus;
	struct lv_bind_spec bind;
	struct step_run *next;
};

static struct lv_rpc_conn *step_conn(struct step_run *st)
{
	return lv_rpc_server_find(st->lvd->rpc, st->conn_id);
}

static void push_io(struct step_run *st, uint32_t rank, const char *stream,
		    const uint8_t *data, size_t len)
{
	struct lv_rpc_conn *conn = step_conn(st);
	char *b64 = malloc(BASE64_ENCODE_RAW_LENGTH(len) + 1);

	if (!conn || !b64) {
		free(b64);
		return;
	}
	base64_encode_raw(b64, len, data);
	b64[BASE64_ENCODE_RAW_LENGTH(len)] = '\0';
	lv_rpc_push(conn, LV_MSG_STEP_IO,
		    json_pack("{s:I, s:s, s:s}", "rank", (json_int_t)rank,
			      "stream", stream, "data", b64));
	free(b64);
}

static void push_done(struct step_task *t, uint64_t maxrss_kb,
		      uint64_t cpu_usec, bool oom)
{
	struct lv_rpc_conn *conn;

	t->reported = true;
	/* Ranks killed for an MPI_Abort end with the abort's code, as the
	 * aborting rank does: lvrun exits with it. */
	if (t->step->mpi_aborted && WIFSIGNALED(t->status))
		t->status = (t->step->mpi_status & 0xff) << 8;
	if ((conn = step_conn(t->step)))
		lv_rpc_push(conn, LV_MSG_STEP_DONE,
			    json_pack("{s:I, s:i, s:I, s:I, s:b}", "rank",
				      (json_int_t)t->rank, "status", t->status,
				      "maxrss_kb", (json_int_t)maxrss_kb,
				      "cpu_usec", (json_int_t)cpu_usec, "oom", oom));
}

/* The step's groups go: what is left in them is killed. */
static void step_cgroups_end(struct step_run *st)
{
	if (!st->cg_on)
		return;
	st->cg_on = false;
	if (cgroup_destroy_step(&st->cg, 1000) < 0)
		lv_log(LV_LOG_WARNING, "cgroup: job=%u step=%u: %s stays",
		       st->job_id, st->step_id, st->cg.mem);
	cgroup_remove_if_empty(&st->job_cg);
}

/* With cgroups, each task reports at once (lvrun's --kill-on-bad-exit
 * and exit messages need that) with its own peak and no CPU time; the
 * node's last one carries the step group's figures: the peak memory of
 * all of them, their CPU time (lvrun sums the reports, so it counts
 * once) and whether the kernel's OOM killer struck in the group. */
static void report_with_cgroup(struct step_task *t)
{
	struct step_run *st = t->step;
	struct cgroup_usage u = { 0 };
	uint64_t rss = 0;
	int sig = 0;
	size_t i;

	for (i = 0; i < st->ntasks; i++) {
		if (!st->tasks[i].ready) {
			push_done(t, t->maxrss_kb, 0, false);
			return;
		}
		if (WIFSIGNALED(st->tasks[i].status))
			sig = WTERMSIG(st->tasks[i].status);
		if (st->tasks[i].maxrss_kb > rss)
			rss = st->tasks[i].maxrss_kb;
	}
	if (cgroup_usage(&st->cg, sig, &u) < 0)
		lv_log(LV_LOG_WARNING, "cgroup: job=%u step=%u: no usage in %s",
		       st->job_id, st->step_id, st->cg.mem);
	step_cgroups_end(st);
	push_done(t, u.maxrss_kb > rss ? u.maxrss_kb : rss, u.cpu_usec, u.oom);
}

/* A task is over once it has exited and both its pipes are drained. */
static void maybe_report(struct step_task *t)
{
	if (t->reported || !t->exited || t->out_ev || t->err_ev)
		return;
	t->ready = true;
	if (t->step->cg_on)
		report_with_cgroup(t);
	else
		push_done(t, t->maxrss_kb, t->cpu_usec, false);
}

static void close_ev(struct event **ev)
{
	if (!*ev)
		return;
	close(event_get_fd(*ev));
	event_free(*ev);
	*ev = NULL;
}

static void on_output(evutil_socket_t fd, short what, void *arg)
{
	struct step_task *t = arg;
	bool is_out = t->out_ev && event_get_fd(t->out_ev) == fd;
	uint8_t buf[IO_CHUNK];
	ssize_t n;

	(void)what;
	n = read(fd, buf, sizeof(buf));
	if (n > 0) {
		push_io(t->step, t->rank, is_out ? "out" : "err", buf, (size_t)n);
		return;
	}
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	close_ev(is_out ? &t->out_ev : &t->err_ev);
	maybe_report(t);
}

static void on_task_exit(pid_t pid, int status, const struct rusage *ru,
			 void *arg)
{
	struct step_task *t = arg;

	(void)pid;
	t->exited = true;
	t->status = status;
	t->maxrss_kb = (uint64_t)ru->ru_maxrss;
	t->cpu_usec = children_cpu_usec(ru);
	if (t->step->mpi) /* a rank dead before MPI_Finalize ends the step */
		pmix_step_task_exit(t->step->mpi, t->rank, status,
				    t->step->node_name);
	maybe_report(t);
}

static void step_free(struct step_run *st)
{
	size_t i;

	if (!st)
		return;
	for (i = 0; i < st->ntasks; i++) {
		struct step_task *t = &st->tasks[i];

		if (t->pid > 0 && !t->exited)
			children_forget(st->lvd->children, t->pid);
		close_ev(&t->out_ev);
		close_ev(&t->err_ev);
		if (t->in_ev)
			event_free(t->in_ev);
		if (t->in_buf)
			evbuffer_free(t->in_buf);
		if (t->in_fd >= 0)
			close(t->in_fd);
	}
	step_cgroups_end(st);
	free(st->tasks);
	pmix_step_put(st->mpi);
	free(st);
}

static void step_kill(struct step_run *st, int sig)
{
	size_t i;
	bool alive = false;

	for (i = 0; i < st->ntasks; i++)
		alive |= st->tasks[i].pid > 0 && !st->tasks[i].exited;
	/* With every task reaped the group id may belong to someone else. */
	if (alive && st->pgid > 0)
		(void)killpg(st->pgid, sig);
	for (i = 0; i < st->ntasks; i++)
		if (st->tasks[i].pid > 0 && !st->tasks[i].exited)
			(void)kill(st->tasks[i].pid, sig);
}

/* Verifies the controller's credential; fills the step from it. */
static int check_cred(struct lvd *lvd, const struct lv_rpc_peer *peer,
		      const char *cred, json_t **payload, struct lv_error *err)
{
	uid_t uid;
	gid_t gid;
	char *text = NULL;
	json_int_t cuid;
	int rc;

	if (!cred)
		return lv_errorf(err, -EACCES, "step launch without a credential");
	if ((rc = lv_auth_open(lvd->conf->munge_socket, cred, &uid, &gid, &text,
			       err)) < 0)
		return rc;
	*payload = json_loads(text, 0, NULL);
	free(text);
	if (!*payload)
		return lv_errorf(err, -EACCES, "malformed step credential");
	cuid = json_integer_value(json_object_get(*payload, "uid"));
	/* Only the controller (our own uid) vouches for steps, and only for
	 * the user who asked. */
	if (uid != geteuid() || (cuid != (json_int_t)peer->uid && !peer->is_daemon) ||
	    !lvd_find_node(lvd, lv_json_str(*payload, "node")))
		rc = lv_errorf(err, -EACCES, "step credential does not match (uid=%u)",
			       (unsigned)peer->uid);
	if (rc < 0) {
		json_decref(*payload);
		*payload = NULL;
	}
	return rc;
}

static const json_t *task_argv(const json_t *body, uint32_t rank)
{
	const json_t *mp = json_object_get(body, "multi_prog"), *e;
	size_t i;

	json_array_foreach(mp, i, e) {
		json_int_t lo = json_integer_value(json_array_get(e, 0));
		json_int_t hi = json_integer_value(json_array_get(e, 1));

		if ((json_int_t)rank >= lo && (json_int_t)rank <= hi)
			return json_array_get(e, 2);
	}
	return json_object_get(body, "argv");
}

/* The GPUs of the job on this node ("0,1,3", from the credential); with
 * --gpus-per-task=N, local task l gets the l-th N of them (wrapping).
 * False when the job has none here. */
static bool task_gpus(const json_t *body, const json_t *cred, uint32_t local,
		      char *buf, size_t len)
{
	const char *ids = lv_json_str(cred, "gpu_ids"), *p;
	const char *gpt_s = lv_json_str(body, "gpus_per_task");
	unsigned long gpt = gpt_s ? strtoul(strrchr(gpt_s, ':') ? strrchr(gpt_s, ':') + 1 : gpt_s, NULL, 10) : 0;
	size_t n = 1, k, first, off = 0, w;

	if (!ids || !*ids || len < 2)
		return false;
	if (!gpt) {
		snprintf(buf, len, "%s", ids);
		return true;
	}
	for (p = ids; *p; p++)
		n += *p == ',';
	first = (local * gpt) % n;
	buf[0] = '\0';
	for (k = 0; k < gpt && k < n; k++) {
		/* Entry (first + k) % n of the list. */
		size_t want = (first + k) % n, j;

		for (p = ids, j = 0; j < want; p++)
			j += *p == ',';
		w = strcspn(p, ",");
		if (off + w + 2 > len)
			break;
		off += (size_t)snprintf(buf + off, len - off, "%s%.*s",
					off ? "," : "", (int)w, p);
	}
	return off > 0;
}

/* more: further "K=V" strings (the PMIx server's), NULL-terminated, may
 * be NULL. */
static char **task_env(const json_t *body, const json_t *cred,
		       const struct step_task *t, char *const *more)
{
	char extra[16][160], gpus[128];
	const char **ptrs;
	char **env;
	int i = 0, k, nmore = 0;

#define PUT(...) snprintf(extra[i++], sizeof(extra[0]), __VA_ARGS__)
	PUT("LV_JOB_ID=%lld", (long long)json_integer_value(json_object_get(cred, "job_id")));
	PUT("LV_STEP_ID=%lld", (long long)json_integer_value(json_object_get(cred, "step_id")));
	PUT("LV_PROCID=%u", t->rank);
	PUT("SLURM_PROCID=%u", t->rank);
	PUT("LV_LOCALID=%u", t->local);
	PUT("SLURM_LOCALID=%u", t->local);
	PUT("LV_NODEID=%lld", (long long)json_integer_value(json_object_get(cred, "node_index")));
	PUT("SLURM_NODEID=%lld", (long long)json_integer_value(json_object_get(cred, "node_index")));
	PUT("LV_STEP_NUM_TASKS=%lld", (long long)json_integer_value(json_object_get(cred, "ntasks")));
	PUT("LV_STEP_NUM_NODES=%lld", (long long)json_integer_value(json_object_get(cred, "nnodes")));
	PUT("LV_STEP_NODELIST=%.90s", lv_json_str(cred, "nodelist") ? lv_json_str(cred, "nodelist") : "");
	PUT("LV_NODENAME=%.90s", lv_json_str(cred, "node") ? lv_json_str(cred, "node") : "");
	PUT("SLURMD_NODENAME=%.90s", lv_json_str(cred, "node") ? lv_json_str(cred, "node") : "");
	if (task_gpus(body, cred, t->local, gpus, sizeof(gpus))) {
		PUT("CUDA_VISIBLE_DEVICES=%s", gpus);
		PUT("GPU_DEVICE_ORDINAL=%s", gpus);
	}
#undef PUT
	while (more && more[nmore])
		nmore++;
	if (!(ptrs = calloc((size_t)(i + nmore + 1), sizeof(*ptrs))))
		return NULL;
	for (k = 0; k < i; k++)
		ptrs[k] = extra[k];
	for (k = 0; k < nmore; k++)
		ptrs[i + k] = more[k];
	env = jobenv_merge(json_object_get(body, "env"), ptrs);
	free(ptrs);
	return env;
}

static void __attribute__((noreturn)) task_child(const json_t *body,
						 const json_t *cred,
						 struct step_task *t, int in,
						 int out, int err, char **env)
{
	const json_t *argv_j = task_argv(body, t->rank), *a;
	size_t n = json_array_size(argv_j), i;
	char **argv = calloc(n + 1, sizeof(char *));
	const char *cwd = lv_json_str(body, "cwd");
	const char *user = lv_json_str(cred, "user");
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	setpgid(0, t->step->pgid > 0 ? t->step->pgid : 0);
	/* Into the step's groups while still root. */
	if (t->step->cg_on && (errno = -cgroup_attach(&t->step->cg, 0)) != 0) {
		dprintf(err, "lvd: cannot join the step's cgroup %s: %s\n",
			t->step->cg.mem, strerror(errno));
		_exit(126);
	}
	if (t->step->uid != geteuid() &&
	    ((user ? initgroups(user, t->step->gid) : setgroups(0, NULL)) < 0 ||
	     setgid(t->step->gid) < 0 || setuid(t->step->uid) < 0)) {
		dprintf(err, "lvd: cannot become uid %u: %s\n",
			(unsigned)t->step->uid, strerror(errno));
		_exit(126);
	}
	if (cwd && chdir(cwd) < 0)
		(void)chdir("/tmp");
	dup2(in, 0);
	dup2(out, 1);
	dup2(err, 2);
	if (t->step->node)
		bind_apply(&t->step->bind, &t->step->node->topo, &t->cpus,
			   t->bound, t->step->node->name, t->rank, t->local, 2);
	if (!argv || n == 0) {
		dprintf(2, "lvd: task %u: no command\n", t->rank);
		_exit(127);
	}
	json_array_foreach(argv_j, i, a) argv[i] = (char *)json_string_value(a);
	execvpe(argv[0], argv, env);
	dprintf(2, "lvd: task %u: %s: %s\n", t->rank, argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

static void on_stdin_room(evutil_socket_t fd, short what, void *arg);

/* Forks one task with its three pipes. */
static int spawn_task(struct step_run *st, struct step_task *t,
		      const json_t *body, const json_t *cred, bool gets_stdin,
		      struct lv_error *err)
{
	int in[2] = { -1, -1 }, out[2], errp[2];
	char **env, **more = NULL;
	pid_t pid;

	if (st->mpi && pmix_step_client_env(st->mpi, t->rank,
					    json_object_get(body, "env"), &more,
					    err) < 0)
		return err->code;
	env = task_env(body, cred, t, more);
	pmix_env_free(more);
	if (!env)
		return lv_errorf(err, -ENOMEM, "cannot start task %u", t->rank);
	if (st->node)
		t->bound = bind_task_cpus(&st->bind, &st->node->topo, &st->pus,
					  t->local, &t->cpus);
	if (pipe2(out, O_CLOEXEC) < 0) {
		jobenv_free(env);
		return lv_errorf(err, -errno, "pipe: %s", strerror(errno));
	}
	if (pipe2(errp, O_CLOEXEC) < 0) {
		close(out[0]);
		close(out[1]);
		jobenv_free(env);
		return lv_errorf(err, -errno, "pipe: %s", strerror(errno));
	}
	if (gets_stdin ? pipe2(in, O_CLOEXEC) : (in[0] = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0 ? -1 : 0) {
		close(out[0]);
		close(out[1]);
		close(errp[0]);
		close(errp[1]);
		jobenv_free(env);
		return lv_errorf(err, -errno, "stdin: %s", strerror(errno));
	}
	if ((pid = fork()) < 0) {
		jobenv_free(env);
		close(out[0]);
		close(out[1]);
		close(errp[0]);
		close(errp[1]);
		close(in[0]);
		if (in[1] >= 0)
			close(in[1]);
		return lv_errorf(err, -ENOMEM, "cannot start task %u", t->rank);
	}
	if (pid == 0)
		task_child(body, cred, t, in[0], out[1], errp[1], env);
	jobenv_free(env);
	if (st->pgid <= 0)
		st->pgid = pid;
	(void)setpgid(pid, st->pgid); /* also in the child: no race */
	t->pid = pid;
	close(in[0]);
	close(out[1]);
	close(errp[1]);
	t->in_fd = in[1];
	if (t->in_fd >= 0 &&
	    (evutil_make_socket_nonblocking(t->in_fd) < 0 ||
	     !(t->in_buf = evbuffer_new()) ||
	     !(t->in_ev = event_new(st->lvd->base, t->in_fd, EV_WRITE, on_stdin_room, t))))
		return lv_errorf(err, -ENOMEM, "out of memory");
	evutil_make_socket_nonblocking(out[0]);
	evutil_make_socket_nonblocking(errp[0]);
	t->out_ev = event_new(st->lvd->base, out[0], EV_READ | EV_PERSIST, on_output, t);
	t->err_ev = event_new(st->lvd->base, errp[0], EV_READ | EV_PERSIST, on_output, t);
	if (!t->out_ev || !t->err_ev || event_add(t->out_ev, NULL) < 0 ||
	    event_add(t->err_ev, NULL) < 0 ||
	    children_watch_usage(st->lvd->children, pid, on_task_exit, t) < 0)
		return lv_errorf(err, -ENOMEM, "out of memory");
	return 0;
}

static struct step_run *step_from(struct lvd *lvd, struct lv_rpc_conn *conn,
				  const json_t *cred)
{
	struct step_run *st = calloc(1, sizeof(*st));
	const json_t *ranks = json_object_get(cred, "ranks");
	size_t i;

	if (!st || !(st->tasks = calloc(json_array_size(ranks) + 1, sizeof(*st->tasks)))) {
		free(st);
		return NULL;
	}
	st->lvd = lvd;
	st->conn_id = lv_rpc_conn_id(conn);
	st->job_id = (uint32_t)json_integer_value(json_object_get(cred, "job_id"));
	st->step_id = (uint32_t)json_integer_value(json_object_get(cred, "step_id"));
	st->uid = (uid_t)json_integer_value(json_object_get(cred, "uid"));
	st->gid = (gid_t)json_integer_value(json_object_get(cred, "gid"));
	st->ntasks = json_array_size(ranks);
	for (i = 0; i < st->ntasks; i++) {
		st->tasks[i].step = st;
		st->tasks[i].rank = (uint32_t)json_integer_value(json_array_get(ranks, i));
		st->tasks[i].local = (uint32_t)i;
		st->tasks[i].in_fd = -1;
	}
	return st;
}

/* The step's groups: memory (under the job's limit), cpuacct and the
 * job's cpuset.  Steps of an interactive allocation, which has no batch
 * script to make the job's groups, make them.  Without cgroups the step
 * runs unconfined, as before. */
static void step_cgroups(struct lvd *lvd, struct step_run *st,
			 const json_t *cred)
{
	struct lvd_node *node = lvd_find_node(lvd, lv_json_str(cred, "node"));
	unsigned port = lv_rpc_server_port(lvd->rpc);
	char cpus[LV_CPUSET_MAX * 5];
	const char *cp = NULL;
	struct lv_error err = { 0 };
	struct lv_cpuset os;
	json_int_t mem = json_integer_value(json_object_get(cred, "mem"));

	if (!lvd->cgroups || !node)
		return;
	cgroup_paths(st->job_id, node->name, port, &st->job_cg);
	if (access(st->job_cg.mem, F_OK) < 0) {
		if (nodegrant_os_cpus(cred, &node->topo, &os) &&
		    cgroup_cpuset_available() &&
		    lv_cpuset_format(&os, cpus, sizeof(cpus)))
			cp = cpus;
		if (cgroup_create(st->job_id, node->name, port,
				  mem > 0 ? (uint64_t)mem : 0, cp, &st->job_cg,
				  &err) < 0) {
			lv_log(LV_LOG_WARNING, "step: job=%u step=%u runs unconfined: %s",
			       st->job_id, st->step_id, err.text);
			return;
		}
	} else if (access(st->job_cg.cpuset, F_OK) < 0) {
		st->job_cg.cpuset[0] = '\0';
	}
	if (cgroup_create_step(&st->job_cg, st->step_id, 0, NULL, &st->cg,
			       &err) < 0) {
		lv_log(LV_LOG_WARNING, "step: job=%u step=%u runs unconfined: %s",
		       st->job_id, st->step_id, err.text);
		cgroup_remove_if_empty(&st->job_cg);
		return;
	}
	st->cg_on = true;
}

/* --mpi=pmix: the step's namespace in lvd's PMIx server. */
static int step_mpi(struct lvd *lvd, struct step_run *st, const json_t *body,
		    const json_t *cred, struct lv_error *err)
{
	const char *mpi = lv_json_str(body, "mpi");
	struct lvd_node *node = lvd_find_node(lvd, lv_json_str(cred, "node"));

	if (!mpi || strcmp(mpi, "pmix"))
		return 0;
	if (!lvd->mpi && json_is_true(json_object_get(body, "mpi_default")))
		return 0; /* lvrun's default: plain tasks here */
	if (!lvd->mpi)
		return lv_errorf(err, -ENOTSUP, "PMIx is not available on %s",
				 node ? node->name : "this node");
	if (!(st->mpi = pmix_step_get(lvd->mpi, cred, node ? node->state_dir : NULL,
				      err)))
		return err->code;
	st->node_name = node ? node->name : NULL;
	return 0;
}

void steps_rpc_launch(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		      void *arg)
{
	struct lvd *lvd = arg;
	struct lv_error err = { 0 };
	json_t *cred = NULL, *pids;
	json_int_t stdin_rank = 0;
	struct step_run *st;
	size_t i;

	if (lv_rpc_conn_get_data(conn)) {
		lv_rpc_respond_error(conn, req->id, EBUSY, "a step already runs on this connection");
		return;
	}
	if (check_cred(lvd, lv_rpc_conn_peer(conn), lv_json_str(req->body, "cred"),
		       &cred, &err) < 0) {
		lv_log(LV_LOG_WARNING, "step: refused launch from %s: %s",
		       lv_rpc_conn_peer(conn)->addr, err.text);
		lv_rpc_respond_error(conn, req->id, EACCES, "%s", err.text);
		return;
	}
	if (!(st = step_from(lvd, conn, cred))) {
		json_decref(cred);
		lv_rpc_respond_error(conn, req->id, ENOMEM, "out of memory");
		return;
	}
	if (step_mpi(lvd, st, req->body, cred, &err) < 0) {
		lv_log(LV_LOG_ERR, "step: job=%u step=%u: %s", st->job_id,
		       st->step_id, err.text);
		step_free(st);
		json_decref(cred);
		lv_rpc_respond_error(conn, req->id, -err.code, "%s", err.text);
		return;
	}
	step_cgroups(lvd, st, cred);
	st->node = lvd_find_node(lvd, lv_json_str(cred, "node"));
	(void)nodegrant_pus(cred, &st->pus);
	if (bind_from_body(req->body, &st->bind, &err) < 0) {
		step_free(st);
		json_decref(cred);
		lv_rpc_respond_error(conn, req->id, EINVAL, "%s", err.text);
		return;
	}
	if (json_is_integer(json_object_get(req->body, "stdin_rank")))
		stdin_rank = json_integer_value(json_object_get(req->body, "stdin_rank"));
	pids = json_array();
	for (i = 0; i < st->ntasks; i++) {
		if (spawn_task(st, &st->tasks[i], req->body, cred,
			       (json_int_t)st->tasks[i].rank == stdin_rank, &err) < 0) {
			step_kill(st, SIGKILL);
			step_free(st);
			json_decref(cred);
			json_decref(pids);
			lv_rpc_respond_error(conn, req->id, -err.code, "%s", err.text);
			return;
		}
		json_array_append_new(pids, json_integer(st->tasks[i].pid));
	}
	json_decref(cred);
	st->next = lvd->steps;
	lvd->steps = st;
	lv_rpc_conn_set_data(conn, st);
	lv_debug(LV_DBG_LAUNCH, "step: job=%u step=%u: %zu task(s) started",
		 st->job_id, st->step_id, st->ntasks);
	lv_rpc_respond(conn, req->id, json_pack("{s:o}", "pids", pids));
}

/* Feeds buffered input to the task as fast as it reads; never blocks. */
static void flush_stdin(struct step_task *t)
{
	if (t->in_fd < 0)
		return;
	while (evbuffer_get_length(t->in_buf)) {
		int n = evbuffer_write(t->in_buf, t->in_fd);

		if (n > 0)
			continue;
		if (n < 0 && errno == EAGAIN) {
			event_add(t->in_ev, NULL);
			return;
		}
		/* The task closed its input (EPIPE): drop the rest. */
		evbuffer_drain(t->in_buf, evbuffer_get_length(t->in_buf));
		break;
	}
	if (t->in_eof) {
		close(t->in_fd);
		t->in_fd = -1;
	}
}

static void on_stdin_room(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	flush_stdin(arg);
}

static void write_stdin(struct step_run *st, const json_t *body)
{
	const char *data = lv_json_str(body, "data");
	struct base64_decode_ctx ctx;
	size_t i, len, n;
	uint8_t *buf;

	for (i = 0; i < st->ntasks; i++) {
		struct step_task *t = &st->tasks[i];

		if (t->in_fd < 0)
			continue;
		if (json_is_true(json_object_get(body, "eof")))
			t->in_eof = true;
		if (data && (len = strlen(data)) &&
		    (buf = malloc(BASE64_DECODE_LENGTH(len)))) {
			base64_decode_init(&ctx);
			n = BASE64_DECODE_LENGTH(len);
			if (base64_decode_update(&ctx, &n, buf, len, data) &&
			    base64_decode_final(&ctx))
				evbuffer_add(t->in_buf, buf, n);
			free(buf);
		}
		flush_stdin(t);
	}
}

void steps_rpc_io(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		  void *arg)
{
	struct step_run *st = lv_rpc_conn_get_data(conn);

	(void)arg;
	if (!st)
		return;
	if (!strcmp(lv_json_str(req->body, "stream") ? lv_json_str(req->body, "stream") : "", "in"))
		write_stdin(st, req->body);
}

void steps_rpc_signal(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
		      void *arg)
{
	struct step_run *st = lv_rpc_conn_get_data(conn);
	json_int_t sig = json_integer_value(json_object_get(req->body, "signal"));

	(void)arg;
	if (st && sig > 0 && sig < NSIG)
		step_kill(st, (int)sig);
	if (!req->is_push)
		lv_rpc_respond(conn, req->id, NULL);
}

void steps_conn_closed(struct lvd *lvd, struct lv_rpc_conn *conn)
{
	struct step_run *st = lv_rpc_conn_get_data(conn), **pp;

	if (!st)
		return;
	for (pp = &lvd->steps; *pp; pp = &(*pp)->next)
		if (*pp == st) {
			*pp = st->next;
			break;
		}
	step_kill(st, SIGKILL);
	step_free(st);
}

void steps_signal_job(struct lvd *lvd, uint32_t job_id, int sig)
{
	struct step_run *st;

	for (st = lvd->steps; st; st = st->next)
		if (st->job_id == job_id)
			step_kill(st, sig);
}

void steps_shutdown(struct lvd *lvd)
{
	struct step_run *st;

	while ((st = lvd->steps)) {
		lvd->steps = st->next;
		step_kill(st, SIGKILL);
		step_free(st);
	}
}

/* ---- the PMIx server's view of lvd (mpi/pmix_server.h) ---- */

static void mpi_abort(void *arg, uint32_t job_id, uint32_t step_id, int status)
{
	struct lvd *lvd = arg;
	struct step_run *st;

	for (st = lvd->steps; st; st = st->next)
		if (st->job_id == job_id && st->step_id == step_id) {
			st->mpi_aborted = true;
			st->mpi_status = status;
			step_kill(st, SIGKILL);
		}
}

/* Job control, or a failed step: signal the listed ranks (all: NULL). */
static void mpi_kill(void *arg, uint32_t job_id, uint32_t step_id,
		     const uint32_t *ranks, size_t n, int sig, const char *why)
{
	struct lvd *lvd = arg;
	struct step_run *st;
	size_t i, k;

	for (st = lvd->steps; st; st = st->next) {
		if (st->job_id != job_id || st->step_id != step_id)
			continue;
		if (why && st->ntasks)
			push_io(st, st->tasks[0].rank, "err", (const uint8_t *)why,
				strlen(why));
		if (!ranks) {
			step_kill(st, sig);
			continue;
		}
		for (i = 0; i < st->ntasks; i++)
			for (k = 0; k < n; k++)
				if (st->tasks[i].rank == ranks[k] &&
				    st->tasks[i].pid > 0 && !st->tasks[i].exited)
					(void)kill(st->tasks[i].pid, sig);
	}
}

const struct mpi_hooks steps_mpi_hooks = {
	.abort = mpi_abort,
	.kill = mpi_kill,
};

void steps_rpc_mpi_fence(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
			 void *arg)
{
	struct lvd *lvd = arg;

	if (lvd->mpi)
		pmix_server_rpc_fence(lvd->mpi, conn, req);
	else if (!req->is_push)
		lv_rpc_respond_error(conn, req->id, ENOTSUP, "no PMIx server here");
}

void steps_rpc_mpi_abort(struct lv_rpc_conn *conn, const struct lv_rpc_req *req,
			 void *arg)
{
	struct lvd *lvd = arg;

	if (lvd->mpi)
		pmix_server_rpc_abort(lvd->mpi, conn, req);
	else if (!req->is_push)
		lv_rpc_respond(conn, req->id, NULL);
}
