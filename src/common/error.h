/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lv_error: an error code plus a message a person can read. */
#ifndef LV_COMMON_ERROR_H
#define LV_COMMON_ERROR_H

#define LV_ERROR_TEXT_MAX 256

struct lv_error {
	int code;                     /* -errno, 0 when none */
	char text[LV_ERROR_TEXT_MAX]; /* "" when none */
};

/* Formats text into err (which may be NULL) and returns code, so that
 * callers can write "return lv_errorf(err, -EINVAL, ...)". */
int lv_errorf(struct lv_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Clears err to "no error". */
void lv_error_clear(struct lv_error *err);

/* Text for a positive or negative errno value (never NULL). */
const char *lv_strerror(int code);

#endif
