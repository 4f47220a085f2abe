/* err: one error record carried up the call stack.
 * Library code never prints or exits: it fills an om_err and returns -1.
 * Messages read "where: field: what", where "where" is file:line when known. */
#ifndef OM_ERR_H
#define OM_ERR_H

#include <stdarg.h>

#define OM_ERR_LEN 768

struct om_err {
	char msg[OM_ERR_LEN];
};

/* Formats "file:line: field: message" (line <= 0 omits the line; NULL file or
 * field omits that part). Always returns -1 so callers can `return err_set(...)`. */
int err_set(struct om_err *e, const char *file, long line, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Prefixes an existing message with "ctx: ", keeping the original text. */
int err_wrap(struct om_err *e, const char *ctx);

#endif
