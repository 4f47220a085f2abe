/* csvtab: a small CSV file (header + rows) read whole with libcsv, for the
 * sweep tools (summary.csv of each run, a sweep's manifest.csv). Every row
 * must have as many fields as the header; errors name file and line. */
#ifndef OM_CSVTAB_H
#define OM_CSVTAB_H

#include <stddef.h>
#include <stdio.h>

#include "common/err.h"

struct csvtab {
	size_t ncol, nrow; /* nrow excludes the header */
	char **head;	   /* ncol names */
	char **cell;	   /* nrow * ncol values, row-major */
	long *line;	   /* first line of each row */
};

int csvtab_read(const char *path, struct csvtab *t, struct om_err *e);
int csvtab_parse(const char *buf, size_t len, const char *name, struct csvtab *t, struct om_err *e);
void csvtab_free(struct csvtab *t);
/* Column index of `name`, or -1. */
long csvtab_col(const struct csvtab *t, const char *name);
const char *csvtab_get(const struct csvtab *t, size_t row, size_t col);

/* Writes one field with RFC 4180 quoting when needed: csvw_field, under the
 * name the sweep tools use. */
void csvtab_put(FILE *f, const char *s);

#endif
