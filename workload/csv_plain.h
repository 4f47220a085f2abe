/* csv_plain: one CSV record in the plain subset, found without a general
 * parser. Plain means: every field is either unquoted and free of quotes,
 * spaces and tabs, or quoted from its first byte to a closing quote that a
 * comma or a line end follows at once (doubled quotes inside); the record
 * does not start with a line end and ends with one (LF, CRLF or a lone CR).
 * In that subset libcsv (CSV_STRICT) reports exactly these fields and
 * this record, so a reader may take them from here and hand anything else,
 * byte for byte the same, to libcsv. Only the caller decides when libcsv
 * sits between records (the one state this stands in for). */
#ifndef OM_CSV_PLAIN_H
#define OM_CSV_PLAIN_H

#include <stdbool.h>
#include <stddef.h>

struct csvp_field {
	const char *s; /* first content byte (after an opening quote) */
	size_t len;    /* raw length: a doubled quote still counts two */
	long lines;    /* line ends in the record before this field ends */
	bool dq;       /* holds doubled quotes: see csvp_unquote */
};

struct csvp {
	struct csvp_field *f;
	size_t nf, cap;
	long lines; /* line ends in the record, its final one included */
};

/* Scans the record at s[0..n). cr is the first CR at or after s, or NULL
 * if none is left (line ends inside quotes are then counted by memchr).
 * Returns the record's length with its line end, 0 if it is not plain,
 * -1 when out of memory. */
long csvp_record(struct csvp *c, const char *s, size_t n, const char *cr);

/* Writes f's content with each doubled quote made one into dst (f->len
 * bytes suffice); returns its length. */
size_t csvp_unquote(char *dst, const struct csvp_field *f);

void csvp_free(struct csvp *c);

#endif
