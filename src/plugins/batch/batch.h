/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The batch kind: runs a job script as its user on the first node. */
#ifndef LV_PLUGINS_BATCH_H
#define LV_PLUGINS_BATCH_H

#include "node/driver.h"

extern const struct lv_driver lv_driver_batch;

#endif
