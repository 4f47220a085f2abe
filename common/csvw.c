#include "common/csvw.h"

#include <csv.h>
#include <math.h>
#include <stdint.h>
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

#ifdef __SIZEOF_INT128__
__extension__ typedef unsigned __int128 csvw_u128;

/* The digits of v (finite, 0 <= v < 1e9) times 10^prec, rounded as printf
 * rounds: v = m * 2^x exactly with m < 2^53, so v * 10^prec = m * 10^prec /
 * 2^-x, and m * 10^prec < 2^83 fits 128 bits; the remainder decides the
 * rounding, ties going to the even quotient. */
static uint64_t scaled(double v, uint64_t pow10)
{
	int x;
	double fr = frexp(v, &x);
	uint64_t m = (uint64_t)ldexp(fr, 53);
	int s = 53 - x; /* v = m / 2^s, and s > 0 since v < 2^53 */
	if (s >= 120)
		return 0; /* below 2^-67: rounds to 0 at any prec <= 9 */
	csvw_u128 num = (csvw_u128)m * pow10;
	uint64_t q = (uint64_t)(num >> s);
	csvw_u128 rem = num & (((csvw_u128)1 << s) - 1), half = (csvw_u128)1 << (s - 1);
	if (rem > half || (rem == half && (q & 1)))
		q++;
	return q;
}
#endif

char *csvw_fixed(char *p, double v, int prec)
{
#ifdef __SIZEOF_INT128__
	if (isfinite(v) && fabs(v) < 1e9 && prec >= 0 && prec <= 9) {
		if (signbit(v)) /* printf keeps the sign of -0 and of what rounds to 0 */
			*p++ = '-', v = -v;
		uint64_t pow10 = 1;
		for (int k = 0; k < prec; k++)
			pow10 *= 10;
		uint64_t q = v > 0 ? scaled(v, pow10) : 0;
		uint64_t ip = q / pow10, fp = q % pow10;
		char tmp[24];
		int n = 0;
		do {
			tmp[n++] = (char)('0' + ip % 10);
			ip /= 10;
		} while (ip);
		while (n)
			*p++ = tmp[--n];
		if (prec == 0)
			return p;
		*p++ = '.';
		for (int k = prec - 1; k >= 0; k--, fp /= 10)
			p[k] = (char)('0' + fp % 10);
		return p + prec;
	}
#endif
	int n = snprintf(p, CSVW_FIXED_MAX, "%.*f", prec, v);
	return p + (n > 0 ? (n < CSVW_FIXED_MAX ? n : CSVW_FIXED_MAX - 1) : 0);
}

void csvw_real(FILE *f, double v, char conv, int prec, int last)
{
	if (conv == 'f' && prec <= 9) {
		char buf[CSVW_FIXED_MAX];
		char *end = csvw_fixed(buf, v, prec);
		fwrite(buf, 1, (size_t)(end - buf), f);
	} else if (conv == 'f')
		fprintf(f, "%.*f", prec, v);
	else
		fprintf(f, "%.*g", prec, v);
	fputc(last ? '\n' : ',', f);
}
