#include "common/csvw.h"

#include <csv.h>
#include <string.h>

void csvw_field(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\r\n"))
		csv_fwrite(f, s, strlen(s));
	else
		fputs(s, f);
}

void csvw_cell(FILE *f, const char *s, int last)
{
	csvw_field(f, s);
	fputc(last ? '\n' : ',', f);
}

void csvw_int(FILE *f, long long v, int last)
{
	fprintf(f, "%lld%c", v, last ? '\n' : ',');
}

void csvw_real(FILE *f, double v, char conv, int prec, int last)
{
	if (conv == 'f')
		fprintf(f, "%.*f", prec, v);
	else
		fprintf(f, "%.*g", prec, v);
	fputc(last ? '\n' : ',', f);
}
