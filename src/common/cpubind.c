/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Parsing Slurm's binding options. */
#include "config.h"

#include "common/cpubind.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool word_is(const char *p, size_t len, const char *w)
{
	return strlen(w) == len && !strncmp(p, w, len);
}

/* Checks map_cpu ("0,2,5" decimal or 0x hex) or mask_cpu ("0x3,c")
 * entries. */
static bool list_ok(const char *s, bool masks)
{
	const char *p = s;
	char *end;

	if (!*p)
		return false;
	for (;;) {
		if (masks)
			(void)strtoull(p, &end, 16);
		else
			(void)strtoul(p, &end, 0);
		if (end == p || (*end && *end != ','))
			return false;
		if (!*end)
			return true;
		p = end + 1;
	}
}

int lv_bind_parse_cpu(const char *text, struct lv_bind_spec *b, struct lv_error *err)
{
	const char *p = text;
	size_t len;

	for (; *p; p += len + (p[len] == ',')) {
		len = strcspn(p, ",");
		if (!strncmp(p, "map_cpu:", 8) || !strncmp(p, "mask_cpu:", 9)) {
			/* The list runs to the end, commas and all. */
			bool masks = p[1] == 'a' && p[2] == 's';

			b->type = masks ? LV_BIND_MASK_CPU : LV_BIND_MAP_CPU;
			b->list = p + (masks ? 9 : 8);
			if (!list_ok(b->list, masks))
				break;
			return 0;
		}
		if (word_is(p, len, "verbose") || word_is(p, len, "v"))
			b->verbose = true;
		else if (word_is(p, len, "quiet") || word_is(p, len, "q"))
			b->verbose = false;
		else if (word_is(p, len, "none") || word_is(p, len, "no"))
			b->type = LV_BIND_NONE;
		else if (word_is(p, len, "threads"))
			b->type = LV_BIND_THREADS;
		else if (word_is(p, len, "cores"))
			b->type = LV_BIND_CORES;
		else if (word_is(p, len, "sockets"))
			b->type = LV_BIND_SOCKETS;
		else if (word_is(p, len, "ldoms"))
			b->type = LV_BIND_LDOMS;
		else if (word_is(p, len, "rank"))
			b->type = LV_BIND_RANK;
		else
			break;
	}
	if (!*p)
		return 0;
	return lv_errorf(err, -EINVAL, "Invalid --cpu-bind specification: %s",
			 text);
}

int lv_bind_parse_dist(const char *text, struct lv_bind_spec *b, struct lv_error *err)
{
	const char *second = strchr(text, ':');
	size_t len = second ? (size_t)(second - text) : strlen(text);

	/* The first level (tasks over nodes) is the controller's; the
	 * second lays CPUs out for binding.  Slurm's default is cyclic. */
	if (!word_is(text, len, "block") && !word_is(text, len, "cyclic") &&
	    !word_is(text, len, "arbitrary") && strncmp(text, "plane=", 6) &&
	    !word_is(text, len, "*"))
		return lv_errorf(err, -EINVAL,
				 "Invalid --distribution specification: %s", text);
	b->cyclic = true;
	if (!second)
		return 0;
	second++;
	len = strcspn(second, ":,");
	if (word_is(second, len, "block"))
		b->cyclic = false;
	else if (!word_is(second, len, "cyclic") &&
		 !word_is(second, len, "fcyclic") && !word_is(second, len, "*"))
		return lv_errorf(err, -EINVAL,
				 "Invalid --distribution specification: %s", text);
	return 0;
}

int lv_bind_parse_mem(const char *text, struct lv_bind_spec *b, struct lv_error *err)
{
	const char *p = text;
	size_t len;

	for (; *p; p += len + (p[len] == ',')) {
		len = strcspn(p, ",");
		if (word_is(p, len, "local"))
			b->mem_local = true;
		else if (word_is(p, len, "none") || word_is(p, len, "no"))
			b->mem_local = false;
		else if (word_is(p, len, "verbose") || word_is(p, len, "v"))
			b->mem_verbose = true;
		else if (!word_is(p, len, "quiet") && !word_is(p, len, "q"))
			return lv_errorf(err, -EINVAL,
					 "Invalid --mem-bind specification: %s",
					 text);
	}
	return 0;
}

