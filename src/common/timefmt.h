/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Slurm's time-limit and memory-size formats. */
#ifndef LV_COMMON_TIMEFMT_H
#define LV_COMMON_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* Minutes; "no limit". */
#define LV_TIME_UNLIMITED UINT32_MAX

/* Parses a time limit as sbatch -t does: "M", "M:S", "H:M:S", "D-H",
 * "D-H:M", "D-H:M:S", "UNLIMITED"/"INFINITE".  Result in seconds
 * (LV_TIME_UNLIMITED for unlimited).  A plain "M:S" with S>0 rounds up
 * to whole minutes only in lv_time_parse_minutes.  -EINVAL on bad input. */
int lv_time_parse_seconds(const char *s, uint32_t *secs, struct lv_error *err);
/* As above, in whole minutes, rounding seconds up (Slurm's rule). */
int lv_time_parse_minutes(const char *s, uint32_t *mins, struct lv_error *err);

/* Formats seconds as squeue does: "M:SS", "H:MM:SS", "D-HH:MM:SS", and
 * "UNLIMITED" for LV_TIME_UNLIMITED.  Returns buf. */
char *lv_time_format(uint32_t secs, char *buf, size_t len);

/* Parses a memory size: a number with optional K, M, G, T suffix
 * (case-insensitive, powers of 1024); a bare number is megabytes, as in
 * sbatch --mem.  Result in megabytes (K rounds up).  -EINVAL on bad
 * input or overflow. */
int lv_mem_parse_mb(const char *s, uint64_t *mb, struct lv_error *err);
/* Formats megabytes as "512M", "4G" (exact multiples only) or "1536M". */
char *lv_mem_format(uint64_t mb, char *buf, size_t len);

/* Parses an absolute/relative time as sbatch --begin does: "now",
 * "now+60", "now+1hour", "16:00", "2026-12-01T10:00:00", "midnight",
 * "noon", "tomorrow".  now is the current time.  -EINVAL on bad input. */
int lv_begin_parse(const char *s, int64_t now, int64_t *when,
		   struct lv_error *err);

#endif
