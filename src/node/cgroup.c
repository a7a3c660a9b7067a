/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Per-job cgroup v1 groups, <controller>/leviathan/<node>@<port>/job_<id>:
 * the memory group enforces the job's memory and counts its peak, the
 * cpuacct group counts its CPU time, the cpuset group holds it to its
 * granted CPUs.  Steps get groups of their own inside (step_<n>). */
#include "config.h"

#include "node/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MEM_ROOT "/sys/fs/cgroup/memory"
#define CPU_ROOT "/sys/fs/cgroup/cpuacct"
#define CPUSET_ROOT "/sys/fs/cgroup/cpuset"
#define TOP "leviathan"

static int write_text(const char *dir, const char *file, const char *text)
{
	char path[PATH_MAX + 64];
	size_t len = strlen(text);
	int fd, rc = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		rc = -errno ? -errno : -EIO;
	close(fd);
	return rc;
}

/* The value of the first line of dir/file that starts with key (NULL:
 * the file's first number). */
static int read_u64(const char *dir, const char *file, const char *key,
		    uint64_t *out)
{
	char path[PATH_MAX + 64], line[256];
	size_t klen = key ? strlen(key) : 0;
	int rc = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (!(f = fopen(path, "re")))
		return -errno;
	while (rc && fgets(line, sizeof(line), f)) {
		if (key && (strncmp(line, key, klen) || line[klen] != ' '))
			continue;
		*out = strtoull(line + klen, NULL, 10);
		rc = 0;
	}
	fclose(f);
	return rc;
}

static int make_dir(const char *path)
{
	return mkdir(path, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

bool cgroup_available(void)
{
	return make_dir(MEM_ROOT "/" TOP) == 0 && make_dir(CPU_ROOT "/" TOP) == 0;
}

/* The first line of dir/file without its newline; 0 or -errno. */
static int read_line(const char *dir, const char *file, char *buf,
		     size_t len)
{
	char path[PATH_MAX + 64];
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (!(f = fopen(path, "re")))
		return -errno;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (ferror(f))
		rc = -EIO;
	fclose(f);
	return rc;
}

/* A v1 cpuset group starts with no CPUs and no memory nodes, and nothing
 * can join it: it takes its parent's (cpus NULL) or cpus. */
static int cpuset_init(const char *dir, const char *cpus)
{
	char parent[PATH_MAX], text[4096];
	int rc;

	snprintf(parent, sizeof(parent), "%s", dir);
	*strrchr(parent, '/') = '\0';
	if ((rc = read_line(parent, "cpuset.mems", text, sizeof(text))) < 0 ||
	    (rc = write_text(dir, "cpuset.mems", text)) < 0)
		return rc;
	if (!cpus) {
		if ((rc = read_line(parent, "cpuset.cpus", text, sizeof(text))) < 0)
			return rc;
		cpus = text;
	}
	return write_text(dir, "cpuset.cpus", cpus);
}

bool cgroup_cpuset_available(void)
{
	char text[16];

	if (make_dir(CPUSET_ROOT "/" TOP) < 0 ||
	    read_line(CPUSET_ROOT "/" TOP, "cpuset.cpus", text, sizeof(text)) < 0)
		return false;
	return text[0] || cpuset_init(CPUSET_ROOT "/" TOP, NULL) == 0;
}

void cgroup_paths(uint32_t job_id, const char *node, unsigned port,
		  struct cgroup_job *cg)
{
	snprintf(cg->mem, sizeof(cg->mem), MEM_ROOT "/" TOP "/%s@%u/job_%u",
		 node, port, job_id);
	snprintf(cg->cpu, sizeof(cg->cpu), CPU_ROOT "/" TOP "/%s@%u/job_%u",
		 node, port, job_id);
	snprintf(cg->cpuset, sizeof(cg->cpuset),
		 CPUSET_ROOT "/" TOP "/%s@%u/job_%u", node, port, job_id);
}

/* Creates path's parents and then path, a fresh group: one an earlier
 * attempt left behind goes first (its limits and figures are not this
 * attempt's). */
static int make_group(const char *root, const char *path)
{
	char parent[PATH_MAX];
	int rc;

	snprintf(parent, sizeof(parent), "%s", path);
	*strrchr(parent, '/') = '\0';
	if ((rc = make_dir(root)) < 0 || (rc = make_dir(parent)) < 0)
		return rc;
	if (rmdir(path) < 0 && errno != ENOENT)
		return -errno;
	if (mkdir(path, 0755) == 0)
		return 0;
	/* The node's group may have gone with its last job meanwhile
	 * (cgroup_destroy): once more. */
	if (errno != ENOENT)
		return -errno;
	if ((rc = make_dir(parent)) < 0)
		return rc;
	return mkdir(path, 0755) < 0 ? -errno : 0;
}

/* Removes the node's group of path once its last job has gone. */
static void remove_parent(const char *path)
{
	char parent[PATH_MAX];

	snprintf(parent, sizeof(parent), "%s", path);
	*strrchr(parent, '/') = '\0';
	(void)rmdir(parent);
}

static int set_limit(const char *dir, uint64_t mem_mb)
{
	char text[32], path[PATH_MAX + 64];
	int rc;

	snprintf(text, sizeof(text), "%llu", (unsigned long long)mem_mb << 20);
	if ((rc = write_text(dir, "memory.limit_in_bytes", text)) < 0)
		return rc;
	snprintf(path, sizeof(path), "%s/memory.memsw.limit_in_bytes", dir);
	if (access(path, F_OK) == 0)
		rc = write_text(dir, "memory.memsw.limit_in_bytes", text);
	return rc;
}

/* The job's cpuset group, inside a node level that has the CPUs of
 * the leviathan level. */
static int make_cpuset(const char *path, const char *cpus)
{
	char parent[PATH_MAX], text[8];
	int rc;

	if ((rc = make_group(CPUSET_ROOT "/" TOP, path)) < 0)
		return rc;
	snprintf(parent, sizeof(parent), "%s", path);
	*strrchr(parent, '/') = '\0';
	if ((rc = read_line(parent, "cpuset.cpus", text, sizeof(text))) < 0 ||
	    (!text[0] && (rc = cpuset_init(parent, NULL)) < 0) ||
	    (rc = cpuset_init(path, cpus)) < 0) {
		(void)rmdir(path);
		return rc;
	}
	return 0;
}

int cgroup_create(uint32_t job_id, const char *node, unsigned port,
		  uint64_t mem_mb, const char *cpus,
		  struct cgroup_job *cg, struct lv_error *err)
{
	int rc;

	if (!node || !*node || strchr(node, '/') || node[0] == '.')
		return lv_errorf(err, -EINVAL, "cgroup: bad node name '%s'",
				 node ? node : "");
	cgroup_paths(job_id, node, port, cg);
	if ((rc = make_group(MEM_ROOT "/" TOP, cg->mem)) < 0)
		return lv_errorf(err, rc, "cgroup: mkdir %s: %s", cg->mem,
				 strerror(-rc));
	if ((rc = make_group(CPU_ROOT "/" TOP, cg->cpu)) < 0) {
		lv_errorf(err, rc, "cgroup: mkdir %s: %s", cg->cpu,
			  strerror(-rc));
		goto out_rmdir;
	}
	if (mem_mb > 0 && (rc = set_limit(cg->mem, mem_mb)) < 0) {
		lv_errorf(err, rc, "cgroup: limiting %s to %lluM: %s", cg->mem,
			  (unsigned long long)mem_mb, strerror(-rc));
		goto out_rmdir;
	}
	if (!cpus)
		cg->cpuset[0] = '\0';
	else if ((rc = make_cpuset(cg->cpuset, cpus)) < 0) {
		lv_errorf(err, rc, "cgroup: cpuset %s for CPUs %s: %s",
			  cg->cpuset, cpus, strerror(-rc));
		goto out_rmdir;
	}
	return 0;
out_rmdir:
	(void)rmdir(cg->cpu);
	(void)rmdir(cg->mem);
	return rc;
}

int cgroup_create_step(const struct cgroup_job *job, uint32_t step_id,
		       uint64_t mem_mb, const char *cpus,
		       struct cgroup_job *cg, struct lv_error *err)
{
	int rc = 0;

	if (snprintf(cg->mem, sizeof(cg->mem), "%s/step_%u", job->mem,
		     step_id) >= (int)sizeof(cg->mem) ||
	    snprintf(cg->cpu, sizeof(cg->cpu), "%s/step_%u", job->cpu,
		     step_id) >= (int)sizeof(cg->cpu) ||
	    snprintf(cg->cpuset, sizeof(cg->cpuset), "%s/step_%u", job->cpuset,
		     step_id) >= (int)sizeof(cg->cpuset))
		return lv_errorf(err, -ENAMETOOLONG, "cgroup: path too long");
	if (!job->cpuset[0])
		cg->cpuset[0] = '\0';
	(void)rmdir(cg->mem);
	(void)rmdir(cg->cpu);
	if (mkdir(cg->mem, 0755) < 0 || mkdir(cg->cpu, 0755) < 0) {
		rc = -errno;
		lv_errorf(err, rc, "cgroup: mkdir %s: %s", cg->mem, strerror(-rc));
		goto out_rmdir;
	}
	if (mem_mb > 0 && (rc = set_limit(cg->mem, mem_mb)) < 0) {
		lv_errorf(err, rc, "cgroup: limiting %s to %lluM: %s", cg->mem,
			  (unsigned long long)mem_mb, strerror(-rc));
		goto out_rmdir;
	}
	if (cg->cpuset[0]) {
		(void)rmdir(cg->cpuset);
		if (mkdir(cg->cpuset, 0755) < 0 ||
		    (rc = cpuset_init(cg->cpuset, cpus)) < 0) {
			rc = rc ? rc : -errno;
			lv_errorf(err, rc, "cgroup: cpuset %s: %s", cg->cpuset,
				  strerror(-rc));
			(void)rmdir(cg->cpuset);
			goto out_rmdir;
		}
	}
	return 0;
out_rmdir:
	(void)rmdir(cg->cpu);
	(void)rmdir(cg->mem);
	return rc;
}

int cgroup_attach(const struct cgroup_job *cg, pid_t pid)
{
	char text[24];
	int rc;

	/* No snprintf: this runs between fork and exec. */
	long v = pid > 0 ? (long)pid : (long)getpid();
	int i = (int)sizeof(text) - 1;

	text[i] = '\0';
	do {
		text[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v && i > 0);
	if ((rc = write_text(cg->mem, "cgroup.procs", text + i)) < 0 ||
	    (rc = write_text(cg->cpu, "cgroup.procs", text + i)) < 0)
		return rc;
	return cg->cpuset[0] ? write_text(cg->cpuset, "cgroup.procs", text + i)
			     : 0;
}

int cgroup_usage(const struct cgroup_job *cg, int term_sig,
		 struct cgroup_usage *u)
{
	uint64_t v = 0;
	int rc;

	memset(u, 0, sizeof(*u));
	if ((rc = read_u64(cg->mem, "memory.max_usage_in_bytes", NULL, &v)) < 0)
		return rc;
	u->maxrss_kb = v / 1024;
	if (read_u64(cg->cpu, "cpuacct.usage", NULL, &v) == 0)
		u->cpu_usec = v / 1000;
	/* Kernels since 4.13 count the group's OOM kills; older ones only
	 * count hits on the limit, which a SIGKILL death then explains. */
	if (read_u64(cg->mem, "memory.oom_control", "oom_kill", &v) == 0)
		u->oom = v > 0;
	else if (read_u64(cg->mem, "memory.failcnt", NULL, &v) == 0)
		u->oom = v > 0 && term_sig == SIGKILL;
	return 0;
}

/* SIGKILLs every process in dir; the number it found. */
static int kill_procs(const char *dir)
{
	char path[PATH_MAX + 64];
	long pid;
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	if (!(f = fopen(path, "re")))
		return 0;
	while (fscanf(f, "%ld", &pid) == 1)
		if (pid > 0 && kill((pid_t)pid, SIGKILL) == 0)
			n++;
	fclose(f);
	return n;
}

/* Kills what is in dir and in its step groups, and removes those; true
 * when dir itself is gone. */
static bool sweep(const char *dir)
{
	char sub[PATH_MAX + 300];
	struct dirent *e;
	DIR *d;

	if (!dir[0])
		return true;
	(void)kill_procs(dir);
	if ((d = opendir(dir))) {
		while ((e = readdir(d)))
			if (!strncmp(e->d_name, "step_", 5)) {
				snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
				(void)kill_procs(sub);
				(void)rmdir(sub);
			}
		closedir(d);
	}
	return rmdir(dir) == 0 || errno == ENOENT;
}

int cgroup_destroy(const struct cgroup_job *cg, int wait_ms, bool reap)
{
	struct timespec tick = { .tv_nsec = 10 * 1000 * 1000 };
	int left = wait_ms / 10 + 1;
	bool mem_gone = false, cpu_gone = false, set_gone = false;

	while (left-- > 0) {
		if (!mem_gone)
			mem_gone = sweep(cg->mem);
		if (!cpu_gone)
			cpu_gone = sweep(cg->cpu);
		if (!set_gone)
			set_gone = sweep(cg->cpuset);
		while (reap && waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (mem_gone && cpu_gone && set_gone) {
			remove_parent(cg->mem);
			remove_parent(cg->cpu);
			if (cg->cpuset[0])
				remove_parent(cg->cpuset);
			return 0;
		}
		if (left > 0)
			nanosleep(&tick, NULL);
	}
	return -EBUSY;
}

int cgroup_destroy_step(const struct cgroup_job *cg, int wait_ms)
{
	struct timespec tick = { .tv_nsec = 10 * 1000 * 1000 };
	int left = wait_ms / 10 + 1;
	bool gone = false;

	while (left-- > 0) {
		(void)kill_procs(cg->mem);
		(void)kill_procs(cg->cpu);
		if (cg->cpuset[0])
			(void)kill_procs(cg->cpuset);
		gone = (rmdir(cg->mem) == 0 || errno == ENOENT);
		gone = (rmdir(cg->cpu) == 0 || errno == ENOENT) && gone;
		if (cg->cpuset[0])
			gone = (rmdir(cg->cpuset) == 0 || errno == ENOENT) && gone;
		if (gone)
			return 0;
		if (left > 0)
			nanosleep(&tick, NULL);
	}
	return -EBUSY;
}

void cgroup_remove_if_empty(const struct cgroup_job *cg)
{
	if (rmdir(cg->mem) == 0)
		remove_parent(cg->mem);
	if (rmdir(cg->cpu) == 0)
		remove_parent(cg->cpu);
	if (cg->cpuset[0] && rmdir(cg->cpuset) == 0)
		remove_parent(cg->cpuset);
}
