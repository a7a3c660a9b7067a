/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One reaper for every child lvd forks: whoever forks registers the pid
 * and hears about its exit. */
#ifndef LV_NODE_CHILDREN_H
#define LV_NODE_CHILDREN_H

#include <event2/event.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

struct children;

typedef void (*child_exit_f)(pid_t pid, int status, void *arg);
/* The same, with what wait4() reported the child used: its own usage
 * plus that of the descendants it waited for. */
typedef void (*child_usage_f)(pid_t pid, int status, const struct rusage *ru,
			      void *arg);

/* Installs the SIGCHLD handler on base.  NULL on ENOMEM. */
struct children *children_create(struct event_base *base);
void children_destroy(struct children *ch);

/* Calls cb once pid has exited (cb NULL: just reap it).  0 or -ENOMEM. */
int children_watch(struct children *ch, pid_t pid, child_exit_f cb, void *arg);
/* children_watch, for a callback that also wants the child's usage. */
int children_watch_usage(struct children *ch, pid_t pid, child_usage_f cb,
			 void *arg);
/* User plus system CPU time in ru, in microseconds. */
uint64_t children_cpu_usec(const struct rusage *ru);
/* Forgets pid (its watcher is going away). */
void children_forget(struct children *ch, pid_t pid);

#endif
