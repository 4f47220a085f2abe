#include "common/decparse.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Integer arithmetic in 128 bits: exact, whatever the floating-point
 * environment does (and valgrind's x87 emulation, which has no 80-bit
 * precision, so a long double method would not be measurable there). */
#ifdef __SIZEOF_INT128__
#define DECPARSE_FAST 1
__extension__ typedef unsigned __int128 decparse_u128;
#define DECPARSE_MAXE 27 /* 5^27 < 2^63 */
static const uint64_t decparse_p5[DECPARSE_MAXE + 1] = { 1u,
							 5u,
							 25u,
							 125u,
							 625u,
							 3125u,
							 15625u,
							 78125u,
							 390625u,
							 1953125u,
							 9765625u,
							 48828125u,
							 244140625u,
							 1220703125u,
							 6103515625u,
							 30517578125u,
							 152587890625u,
							 762939453125u,
							 3814697265625u,
							 19073486328125u,
							 95367431640625u,
							 476837158203125u,
							 2384185791015625u,
							 11920928955078125u,
							 59604644775390625u,
							 298023223876953125u,
							 1490116119384765625u,
							 7450580596923828125u };

static inline bool is_digit(char c)
{
	return (unsigned)(c - '0') < 10;
}

/* Accumulates the digits at *pp into *d (significant digits counted in
 * *nd, at most 19), adding `step` to *e10 per digit; false on a 20th
 * significant digit or an absurdly long run. */
static bool digits(const char **pp, uint64_t *d, int *nd, int *e10, int step, bool *any)
{
	const char *p = *pp;
	uint64_t v = *d;
	if (v == 0)
		while (*p == '0')
			p++;
	const char *sig = p;
	for (; is_digit(*p); p++)
		v = v * 10 + (uint64_t)(*p - '0'); /* wraps only past 19 digits */
	if (*nd + (p - sig) > 19 || p - *pp > 4096)
		return false;
	*nd += (int)(p - sig);
	*d = v;
	*any |= p != *pp;
	*e10 += step * (int)(p - *pp);
	*pp = p;
	return true;
}

/* The double nearest (ties to even) to (m + f) * 2^e, f in [0, 1) nonzero
 * iff sticky, m != 0 and >= 2^64 when sticky, the result a normal double. */
static double round_bits(decparse_u128 m, bool sticky, int e, bool neg)
{
	uint64_t hi = (uint64_t)(m >> 64);
	int lz = hi ? __builtin_clzll(hi) : 64 + __builtin_clzll((uint64_t)m);
	m <<= lz; /* f * 2^lz < 2^lz <= 2^63 stays below the top 64 bits */
	e -= lz;
	uint64_t top = (uint64_t)(m >> 64);
	sticky |= (uint64_t)m != 0;
	e += 64 + 11;
	uint64_t mant = top >> 11, rem = top & 0x7ff;
	if (rem > 0x400 || (rem == 0x400 && (sticky || (mant & 1))))
		mant++;
	if (mant >> 53) {
		mant >>= 1;
		e++;
	}
	/* mant in [2^52, 2^53): biased exponent e + 52 + 1023 */
	uint64_t bits = ((uint64_t)(e + 52 + 1023) << 52) | (mant & ((1ull << 52) - 1));
	bits |= (uint64_t)neg << 63;
	double x;
	memcpy(&x, &bits, sizeof x);
	return x;
}

/* d * 10^q (d != 0, |q| <= 27) correctly rounded: d * 5^q * 2^q exactly when
 * q >= 0; else the quotient of d * 2^s by 5^-q (at least 65 bits) and
 * whether it left a remainder, times 2^(q - s). */
static double scaled(uint64_t d, int q, bool neg)
{
	if (q >= 0)
		return round_bits((decparse_u128)d * decparse_p5[q], false, q, neg);
	uint64_t p5 = decparse_p5[-q];
	int s = 64 + __builtin_clzll(d);
	decparse_u128 n = (decparse_u128)d << s;
	return round_bits(n / p5, n % p5 != 0, q - s, neg);
}

/* Parses a plain decimal d * 10^e10 at s into *x: false = leave it to strtod. */
static bool fast(const char *s, double *x, const char **end)
{
	const char *p = s;
	while (*p == ' ')
		p++;
	bool neg = *p == '-';
	if (*p == '-' || *p == '+')
		p++;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		return false; /* hexadecimal: strtod's */
	uint64_t d = 0;
	int nd = 0, e10 = 0;
	bool any = false;
	if (!digits(&p, &d, &nd, &e10, 0, &any))
		return false;
	if (*p == '.') {
		p++;
		if (!digits(&p, &d, &nd, &e10, -1, &any))
			return false;
	}
	if (!any)
		return false;
	if (*p == 'e' || *p == 'E') {
		const char *q = p + 1;
		bool eneg = *q == '-';
		if (*q == '-' || *q == '+')
			q++;
		if (!is_digit(*q))
			return false;
		int ex = 0;
		for (; is_digit(*q); q++)
			if ((ex = ex * 10 + (*q - '0')) > 1000)
				return false;
		e10 += eneg ? -ex : ex;
		p = q;
	}
	*end = p;
	if (d == 0) {
		*x = neg ? -0.0 : 0.0;
		return true;
	}
	if (e10 < -DECPARSE_MAXE || e10 > DECPARSE_MAXE)
		return false;
	*x = scaled(d, e10, neg);
	return true;
}
#else
#define DECPARSE_FAST 0
#endif

double decparse(const char *s, char **end)
{
#if DECPARSE_FAST
	double x;
	const char *e;
	if (fast(s, &x, &e)) {
		if (end)
			*end = (char *)(uintptr_t)e;
		return x;
	}
#endif
	return strtod(s, end);
}
