#include "common/err.h"

#include <stdio.h>
#include <string.h>

int err_set(struct om_err *e, const char *file, long line, const char *field, const char *fmt, ...)
{
	if (!e)
		return -1;
	size_t n = 0;
	int w = 0;
	if (file && line > 0)
		w = snprintf(e->msg, OM_ERR_LEN, "%s:%ld: ", file, line);
	else if (file)
		w = snprintf(e->msg, OM_ERR_LEN, "%s: ", file);
	if (w > 0)
		n = (size_t)w < OM_ERR_LEN ? (size_t)w : OM_ERR_LEN - 1;
	if (field && n < OM_ERR_LEN) {
		w = snprintf(e->msg + n, OM_ERR_LEN - n, "%s: ", field);
		if (w > 0)
			n += (size_t)w < OM_ERR_LEN - n ? (size_t)w : OM_ERR_LEN - n - 1;
	}
	va_list ap;
	va_start(ap, fmt);
	if (n < OM_ERR_LEN)
		vsnprintf(e->msg + n, OM_ERR_LEN - n, fmt, ap);
	va_end(ap);
	return -1;
}

int err_wrap(struct om_err *e, const char *ctx)
{
	if (!e || !ctx)
		return -1;
	char tmp[OM_ERR_LEN];
	size_t cl = strlen(ctx);
	if (cl > OM_ERR_LEN - 3)
		cl = OM_ERR_LEN - 3;
	memcpy(tmp, ctx, cl);
	tmp[cl] = ':';
	tmp[cl + 1] = ' ';
	size_t rest = OM_ERR_LEN - cl - 3;
	size_t ml = strnlen(e->msg, rest);
	memcpy(tmp + cl + 2, e->msg, ml);
	tmp[cl + 2 + ml] = '\0';
	memcpy(e->msg, tmp, sizeof tmp);
	return -1;
}
