/* SPDX-License-Identifier: GPL-2.0-or-later */
/* --cpu-bind, --distribution and --mem-bind: their text, checked where
 * they are given (the CLI) and where they are applied (lvd, bind.c). */
#ifndef LV_COMMON_CPUBIND_H
#define LV_COMMON_CPUBIND_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

enum lv_bind_type {
	LV_BIND_UNSET, /* no --cpu-bind: the cgroup's cpuset is the only limit */
	LV_BIND_NONE,
	LV_BIND_THREADS,
	LV_BIND_CORES,
	LV_BIND_SOCKETS,
	LV_BIND_LDOMS,
	LV_BIND_RANK,
	LV_BIND_MAP_CPU,
	LV_BIND_MASK_CPU,
};

struct lv_bind_spec {
	enum lv_bind_type type;
	bool verbose;
	const char *list;  /* map_cpu/mask_cpu entries (borrowed text) */
	bool cyclic;       /* CPUs to tasks: round-robin over sockets */
	bool one_thread;   /* --hint=nomultithread, --threads-per-core=1 */
	bool mem_local;    /* --mem-bind=local */
	bool mem_verbose;
	uint32_t cpus_per_task;
};

/* Parses a --cpu-bind value into b; -EINVAL with err on bad text. */
int lv_bind_parse_cpu(const char *text, struct lv_bind_spec *b, struct lv_error *err);
/* Parses a --distribution value ("block", "cyclic:block"...). */
int lv_bind_parse_dist(const char *text, struct lv_bind_spec *b, struct lv_error *err);
/* Parses a --mem-bind value (local, none, verbose). */
int lv_bind_parse_mem(const char *text, struct lv_bind_spec *b, struct lv_error *err);

#endif
