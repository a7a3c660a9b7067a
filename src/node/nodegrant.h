/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A node's share of a grant, as the controller sends it: its PUs in the
 * controller's numbering (logical) and in the OS's. */
#ifndef LV_NODE_NODEGRANT_H
#define LV_NODE_NODEGRANT_H

#include <jansson.h>
#include <stdbool.h>

#include "common/cpuset.h"
#include "node/topo.h"

/* node's entry in desc's "grants", or NULL. */
const json_t *nodegrant_find(const json_t *desc, const char *node);

/* The logical PUs of a grant entry (its "cpu_ids"); false when it names
 * none or bad ones. */
bool nodegrant_pus(const json_t *grant, struct lv_cpuset *pus);

/* The OS CPUs that confine the tasks of a grant entry: false when the
 * grant names no PUs, or (simulated nodes) when some of them do not
 * exist on this host — those tasks run on the host's CPUs, unconfined,
 * and only the controller's bookkeeping knows their PUs. */
bool nodegrant_os_cpus(const json_t *grant, const struct topo *t,
		       struct lv_cpuset *os);

#endif
