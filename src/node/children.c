/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reaping children from the event loop and dispatching their exits. */
#include "config.h"

#include "node/children.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>

struct watch {
	pid_t pid;
	child_exit_f cb;
	child_usage_f ucb;
	void *arg;
	struct watch *next;
};

struct children {
	struct event *sigchld;
	struct watch *watches;
};

static void on_sigchld(evutil_socket_t sig, short what, void *arg)
{
	struct children *ch = arg;
	struct watch **pp, *w;
	struct rusage ru;
	int status;
	pid_t pid;

	(void)sig;
	(void)what;
	while ((pid = wait4(-1, &status, WNOHANG, &ru)) > 0) {
		for (pp = &ch->watches; *pp && (*pp)->pid != pid; pp = &(*pp)->next)
			;
		if (!(w = *pp))
			continue; /* nobody asked: reaped, that is all */
		*pp = w->next;
		if (w->cb)
			w->cb(pid, status, w->arg);
		if (w->ucb)
			w->ucb(pid, status, &ru, w->arg);
		free(w);
	}
}

struct children *children_create(struct event_base *base)
{
	struct children *ch = calloc(1, sizeof(*ch));

	if (!ch)
		return NULL;
	if (!(ch->sigchld = evsignal_new(base, SIGCHLD, on_sigchld, ch)) ||
	    evsignal_add(ch->sigchld, NULL) < 0) {
		children_destroy(ch);
		return NULL;
	}
	return ch;
}

void children_destroy(struct children *ch)
{
	struct watch *w;

	if (!ch)
		return;
	while ((w = ch->watches)) {
		ch->watches = w->next;
		free(w);
	}
	if (ch->sigchld)
		event_free(ch->sigchld);
	free(ch);
}

int children_watch(struct children *ch, pid_t pid, child_exit_f cb, void *arg)
{
	struct watch *w = calloc(1, sizeof(*w));

	if (!w)
		return -ENOMEM;
	w->pid = pid;
	w->cb = cb;
	w->arg = arg;
	w->next = ch->watches;
	ch->watches = w;
	return 0;
}

int children_watch_usage(struct children *ch, pid_t pid, child_usage_f cb,
			 void *arg)
{
	int rc = children_watch(ch, pid, NULL, arg);

	if (rc == 0)
		ch->watches->ucb = cb;
	return rc;
}

uint64_t children_cpu_usec(const struct rusage *ru)
{
	return (uint64_t)ru->ru_utime.tv_sec * 1000000 +
	       (uint64_t)ru->ru_utime.tv_usec +
	       (uint64_t)ru->ru_stime.tv_sec * 1000000 +
	       (uint64_t)ru->ru_stime.tv_usec;
}

void children_forget(struct children *ch, pid_t pid)
{
	struct watch **pp, *w;

	for (pp = &ch->watches; (w = *pp); pp = &w->next)
		if (w->pid == pid) {
			*pp = w->next;
			free(w);
			return;
		}
}
