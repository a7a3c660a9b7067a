/* SPDX-License-Identifier: GPL-2.0-or-later */
/* GPUs as generic resources: --gres=gpu[:type]:N and --gpus-per-task
 * text, and a grant's GPU indices as text. */
#ifndef LV_SCHED_GRES_H
#define LV_SCHED_GRES_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

struct grant;

/* GPUs per node in a --gres list ("gpu:2", "gpu:a100:2", "gpu" = 1).
 * -EINVAL with err for another resource or bad text. */
int gres_parse_gpus(const char *text, uint32_t *gpus, struct lv_error *err);
/* --gpus-per-task: "N" or "type:N". */
int gres_parse_per_task(const char *text, uint32_t *gpus,
			struct lv_error *err);

/* "0,1,3" for bits 0, 1 and 3 of mask ("" for none). */
void gres_ids_format(uint64_t mask, char *buf, size_t len);
/* Parses gres_ids_format's text; -EINVAL on bad text. */
int gres_ids_parse(const char *text, uint64_t *mask);

/* Adds the grant's GPUs to its JSON entry: gpu_ids ("0,1") and gres
 * (Slurm's "gpu:2(IDX:0-1)"). */
void grant_gpus_json(const struct grant *g, json_t *entry);

#endif
