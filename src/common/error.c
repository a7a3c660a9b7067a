/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Formatting of lv_error values. */
#include "config.h"

#include "common/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int lv_errorf(struct lv_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	return code;
}

void lv_error_clear(struct lv_error *err)
{
	if (!err)
		return;
	err->code = 0;
	err->text[0] = '\0';
}

const char *lv_strerror(int code)
{
	return strerror(code < 0 ? -code : code);
}
