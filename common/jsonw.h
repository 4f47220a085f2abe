/* jsonw: the one JSON writer. Output is indented two spaces per level, one
 * member per line. Strings are always valid JSON whatever the input: quotes,
 * backslashes and control characters are escaped, and bytes that are not
 * UTF-8 become U+FFFD. Non-finite numbers (NaN for "absent") are written as
 * null. Nesting deeper than JW_MAX_DEPTH is a programming error (ignored). */
#ifndef OM_JSONW_H
#define OM_JSONW_H

#include <stdbool.h>
#include <stdio.h>

#define JW_MAX_DEPTH 8

struct jw {
	FILE *f;
	int depth;
	bool first[JW_MAX_DEPTH + 1]; /* nothing written yet at this level */
};

void jw_init(struct jw *w, FILE *f);
/* `key` names the member inside an object; pass NULL inside an array or at
 * the top level. */
void jw_obj_begin(struct jw *w, const char *key);
void jw_obj_end(struct jw *w);
void jw_arr_begin(struct jw *w, const char *key);
void jw_arr_end(struct jw *w);
/* s == NULL writes null. */
void jw_str(struct jw *w, const char *key, const char *s);
void jw_int(struct jw *w, const char *key, long long v);
/* printf "%.*g" (conv 'g') or "%.*f" (conv 'f') of v; null if not finite. */
void jw_real(struct jw *w, const char *key, double v, char conv, int prec);
/* Ends the document with a newline. */
void jw_finish(struct jw *w);

/* A bare escaped string (with its quotes), for callers outside a document. */
void jw_put_string(FILE *f, const char *s);

#endif
