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

static const uint64_t csvw_p10[10] = { 1,      10,	100,	  1000,	     10000,
				       100000, 1000000, 10000000, 100000000, 1000000000 };
static const char csvw_pairs[] = "00010203040506070809101112131415161718192021222324"
				 "25262728293031323334353637383940414243444546474849"
				 "50515253545556575859606162636465666768697071727374"
				 "75767778798081828384858687888990919293949596979899";

/* The digits of v (finite, 0 < v < 1e9) times 10^prec, rounded as printf
 * rounds: v = m * 2^-s exactly with m < 2^53 read from its bits, so v *
 * 10^prec = m * 10^prec / 2^s, and m * 10^prec < 2^83 fits 128 bits; the
 * remainder decides the rounding, ties going to the even quotient. */
static uint64_t scaled(double v, uint64_t pow10)
{
	uint64_t bits;
	memcpy(&bits, &v, sizeof bits);
	int be = (int)(bits >> 52) & 0x7ff;
	if (be == 0)
		return 0; /* subnormal: below 2^-1022, rounds to 0 at any prec <= 9 */
	uint64_t m = (bits & ((1ull << 52) - 1)) | (1ull << 52);
	int s = 1075 - be; /* s > 0 since v < 2^53 */
	if (s >= 120)
		return 0; /* below 2^-67: rounds to 0 at any prec <= 9 */
	csvw_u128 num = (csvw_u128)m * pow10;
	uint64_t q = (uint64_t)(num >> s);
	csvw_u128 rem = num & (((csvw_u128)1 << s) - 1), half = (csvw_u128)1 << (s - 1);
	if (rem > half || (rem == half && (q & 1)))
		q++;
	return q;
}

/* n digits of v (v < 10^n) ending at e, two at a time. */
static void put_digits(char *e, uint64_t v, int n)
{
	for (; n >= 2; n -= 2, v /= 100) {
		unsigned d = (unsigned)(v % 100) * 2;
		*--e = csvw_pairs[d + 1];
		*--e = csvw_pairs[d];
	}
	if (n)
		*--e = (char)('0' + v);
}
#endif

char *csvw_fixed(char *p, double v, int prec)
{
#ifdef __SIZEOF_INT128__
	if (isfinite(v) && fabs(v) < 1e9 && prec >= 0 && prec <= 9) {
		if (signbit(v)) /* printf keeps the sign of -0 and of what rounds to 0 */
			*p++ = '-', v = -v;
		uint64_t pow10 = csvw_p10[prec];
		uint64_t q = v > 0 ? scaled(v, pow10) : 0;
		uint64_t ip = q / pow10, fp = q % pow10;
		int n = 1; /* ip <= 1e9 after rounding */
		while (n < 10 && ip >= csvw_p10[n])
			n++;
		put_digits(p + n, ip, n);
		p += n;
		if (prec == 0)
			return p;
		*p++ = '.';
		put_digits(p + prec, fp, prec);
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
