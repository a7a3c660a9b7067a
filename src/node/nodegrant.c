/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading this node's share of a grant. */
#include "config.h"

#include "node/nodegrant.h"

#include <string.h>

const json_t *nodegrant_find(const json_t *desc, const char *node)
{
	const json_t *g;
	const char *name;
	size_t i;

	json_array_foreach(json_object_get(desc, "grants"), i, g) {
		name = json_string_value(json_object_get(g, "name"));
		if (name && !strcmp(name, node))
			return g;
	}
	return NULL;
}

bool nodegrant_pus(const json_t *grant, struct lv_cpuset *pus)
{
	const char *ids = json_string_value(json_object_get(grant, "cpu_ids"));

	lv_cpuset_zero(pus);
	return ids && *ids && lv_cpuset_parse(pus, ids) == 0;
}

bool nodegrant_os_cpus(const json_t *grant, const struct topo *t,
		       struct lv_cpuset *os)
{
	struct lv_cpuset pus;

	if (!nodegrant_pus(grant, &pus) || topo_os_cpus(t, &pus, os) < 0)
		return false;
	return topo_host_has(os);
}
