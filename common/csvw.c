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
