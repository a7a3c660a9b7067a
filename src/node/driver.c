/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The catalogue of allocation kind drivers compiled into lvd. */
#include "config.h"

#include "node/driver.h"

#include <string.h>

#include "plugins/batch/batch.h"

static const struct lv_driver *const drivers[] = {
	&lv_driver_batch,
};

const struct lv_driver *driver_find(const char *kind)
{
	size_t i;

	for (i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (strcmp(drivers[i]->name, kind) == 0)
			return drivers[i];
	return NULL;
}
