/* SPDX-License-Identifier: GPL-2.0-or-later */
/* GPU requests and GPU index lists. */
#include "config.h"

#include "sched/gres.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cpuset.h"
#include "sched/job.h"

/* A count after the last ':' (none: 1). */
static int count_of(const char *item, size_t len, uint32_t *n)
{
	const char *colon = NULL, *p;
	char *end;
	unsigned long v;

	for (p = item; p < item + len; p++)
		if (*p == ':')
			colon = p;
	if (!colon) {
		*n = 1;
		return 0;
	}
	v = strtoul(colon + 1, &end, 10);
	if (end != item + len || end == colon + 1 || v > 64)
		return -EINVAL;
	*n = (uint32_t)v;
	return 0;
}

int gres_parse_gpus(const char *text, uint32_t *gpus, struct lv_error *err)
{
	const char *p = text;
	size_t len;
	uint32_t n;

	*gpus = 0;
	for (; *p; p += len + (p[len] == ',')) {
		len = strcspn(p, ",");
		if (len < 3 || strncmp(p, "gpu", 3) || (len > 3 && p[3] != ':') ||
		    count_of(p, len, &n) < 0)
			return lv_errorf(err, -EINVAL,
					 "Invalid generic resource (gres) specification: %s",
					 text);
		*gpus += n;
	}
	return 0;
}

int gres_parse_per_task(const char *text, uint32_t *gpus,
			struct lv_error *err)
{
	const char *colon = strrchr(text, ':');
	char *end;
	unsigned long v = strtoul(colon ? colon + 1 : text, &end, 10);

	if (*end || end == (colon ? colon + 1 : text) || v > 64)
		return lv_errorf(err, -EINVAL,
				 "Invalid --gpus-per-task specification: %s", text);
	*gpus = (uint32_t)v;
	return 0;
}

void gres_ids_format(uint64_t mask, char *buf, size_t len)
{
	size_t off = 0;
	int i, n;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < 64; i++) {
		if (!(mask >> i & 1))
			continue;
		n = snprintf(buf + off, len - off, "%s%d", off ? "," : "", i);
		if (n < 0 || (size_t)n >= len - off)
			return;
		off += (size_t)n;
	}
}

int gres_ids_parse(const char *text, uint64_t *mask)
{
	struct lv_cpuset s;
	int p;

	*mask = 0;
	if (lv_cpuset_parse(&s, text) < 0)
		return -EINVAL;
	for (p = lv_cpuset_next(&s, 0); p >= 0; p = lv_cpuset_next(&s, (unsigned)p + 1)) {
		if (p >= 64)
			return -EINVAL;
		*mask |= 1ull << p;
	}
	return 0;
}

void grant_gpus_json(const struct grant *g, json_t *entry)
{
	char ids[256], range[256], gres[300];
	struct lv_cpuset s;
	int i;

	gres_ids_format(g->gpus, ids, sizeof(ids));
	lv_cpuset_zero(&s);
	for (i = 0; i < 64; i++)
		if (g->gpus >> i & 1)
			lv_cpuset_set(&s, (unsigned)i);
	(void)lv_cpuset_format(&s, range, sizeof(range));
	snprintf(gres, sizeof(gres), "gpu:%d(IDX:%s)",
		 __builtin_popcountll(g->gpus), range);
	json_object_set_new(entry, "gpu_ids", json_string(ids));
	json_object_set_new(entry, "gres", json_string(gres));
}
