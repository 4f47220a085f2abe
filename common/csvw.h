/* csvw: the one CSV text-field writer. A field that holds a comma, quote or
 * line break is quoted by libcsv's writer (csv_fwrite, RFC 4180); any other
 * field is written as is, so plain names and numbers stay unquoted. Numbers
 * are formatted by their callers; only text can shift columns. */
#ifndef OM_CSVW_H
#define OM_CSVW_H

#include <stdio.h>

void csvw_field(FILE *f, const char *s);
/* csvw_field, then ',' or, for the last field of a row, '\n'. */
void csvw_cell(FILE *f, const char *s, int last);
/* Number cells: "%lld", and "%.*g" (conv 'g') or "%.*f" (conv 'f'). */
void csvw_int(FILE *f, long long v, int last);
void csvw_real(FILE *f, double v, char conv, int prec, int last);

/* Writes "%.*f" of v at p, prec <= 9, and returns the end (no NUL); the same
 * bytes as printf (the exact binary value rounded half to even), by integer
 * arithmetic where it can (|v| < 1e9), else through snprintf. Needs room for
 * CSVW_FIXED_MAX bytes. */
#define CSVW_FIXED_MAX 352
char *csvw_fixed(char *p, double v, int prec);

#endif
