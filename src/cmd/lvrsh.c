/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lvrsh: Open MPI's remote-shell agent inside a Leviathan job
 * (OMPI_MCA_plm_rsh_agent=lvrsh, docs/mpi.md).  "lvrsh HOST COMMAND..."
 * runs COMMAND (mpirun's orted) on the job's node HOST as a one-task step:
 * lvrun --mpi=none --relative=<HOST's index> -N 1 -n 1 sh -c COMMAND.
 * No ssh: lvd starts it, inside the job, as the job's user. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/hostlist.h"

/* Each orted gets its own directory for vader segments and its session
 * directory: orteds of simulated nodes share one host, and Open MPI names
 * both after the host and the job (segments also after the local rank),
 * so two of them would collide in /dev/shm and /tmp.  Two orteds on one
 * host also need rtc_hwloc_vmhole=none (RECIPES §1). */
static const char wrap_head[] =
	"d=$(mktemp -d /dev/shm/lvrsh.XXXXXX 2>/dev/null || mktemp -d) || exit 1\n"
	"export OMPI_MCA_btl_vader_backing_directory=\"$d\" OMPI_MCA_orte_tmpdir_base=\"$d\"\n"
	"export OMPI_MCA_rtc_hwloc_vmhole=none\n";
static const char wrap_tail[] = "\nrc=$?\nrm -rf \"$d\"\nexit $rc\n";

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "lvrsh: error: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(255); /* what ssh returns when it cannot connect */
}

/* The remote command as ssh would hand it to the remote shell (the
 * words joined by spaces), inside the wrapper. */
static char *script(int argc, char **argv)
{
	size_t len = sizeof(wrap_head) + sizeof(wrap_tail);
	char *s;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	if (!(s = calloc(1, len)))
		die("out of memory");
	strcpy(s, wrap_head);
	for (i = 0; i < argc; i++) {
		/* The orted stays in the foreground, as the step's task: lvd
		 * then tracks it, and a cancelled job ends it. */
		if (!strcmp(argv[i], "--daemonize") || !strcmp(argv[i], "-daemonize"))
			continue;
		strcat(s, argv[i]);
		strcat(s, " ");
	}
	strcat(s, wrap_tail);
	return s;
}

int main(int argc, char **argv)
{
	const char *job = getenv("LV_JOB_ID"), *nodes = getenv("LV_JOB_NODELIST");
	struct lv_error err = { 0 };
	struct lv_hostlist *hl;
	char rel[32], *cmd;
	const char *host;
	long idx;
	int i = 1, fd;

	/* ssh-style options before the host ("-x", "-l user", "-n"): the
	 * step runs as the job's user anyway. */
	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "-l") || !strcmp(argv[i], "-p"))
			i++;
		i++;
	}
	if (i + 1 >= argc)
		die("usage: lvrsh HOST COMMAND...");
	host = argv[i];
	if (!job || !*job || !nodes)
		die("%s: not inside a Leviathan job (LV_JOB_ID and LV_JOB_NODELIST unset)",
		    host);
	if (!(hl = lv_hostlist_create(nodes, &err)))
		die("LV_JOB_NODELIST=%s: %s", nodes, err.text);
	if ((idx = lv_hostlist_find(hl, host)) < 0)
		die("%s is not a node of this job (%s)", host, nodes);
	lv_hostlist_destroy(hl);
	snprintf(rel, sizeof(rel), "--relative=%ld", idx);
	cmd = script(argc - i - 1, argv + i + 1);
	/* The orted reads no input: mpirun forwards stdin itself. */
	if ((fd = open("/dev/null", O_RDONLY)) >= 0) {
		dup2(fd, 0);
		if (fd > 0)
			close(fd);
	}
	execlp("lvrun", "lvrun", "--mpi=none", "--quiet", rel, "-N", "1", "-n", "1",
	       "sh", "-c", cmd, (char *)NULL);
	die("cannot run lvrun: %s", strerror(errno));
}
