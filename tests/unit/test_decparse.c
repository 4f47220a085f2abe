/* decparse gives strtod's double, bit for bit, and strtod's end pointer: on
 * what "%.17g" and shorter formats write for doubles of every magnitude, on
 * random digit strings, on exact halfway points between doubles and their
 * neighbours, and on text strtod reads otherwise (hexadecimal, inf, nan,
 * partial numbers). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tests/support/tu.h"
#include "common/decparse.h"
#include "common/rng.h"

/* Number of strings where decparse and strtod disagreed (printed). */
static int differ(const char *s)
{
	char *e1, *e2;
	double a = decparse(s, &e1), b = strtod(s, &e2);
	if (!memcmp(&a, &b, sizeof a) && e1 == e2)
		return 0;
	fprintf(stderr, "'%s': decparse %a (+%td), strtod %a (+%td)\n", s, a, e1 - s, b, e2 - s);
	return 1;
}

static double from_bits(uint64_t u)
{
	double x;
	memcpy(&x, &u, sizeof x);
	return x;
}

/* x as "%.*g", "%.*e", "%.*f", or (conv ' ') " %.*g", into s. */
static const char *format(char *s, size_t n, char conv, int prec, double x)
{
	switch (conv) {
	case 'e':
		snprintf(s, n, "%.*e", prec, x);
		break;
	case 'f':
		snprintf(s, n, "%.*f", prec, x);
		break;
	case ' ':
		snprintf(s, n, " %.*g", prec, x);
		break;
	default:
		snprintf(s, n, "%.*g", prec, x);
	}
	return s;
}

START_TEST(formatted_doubles_read_back_as_strtod)
{
	/* "%.*g" at 17 (what lm_save writes) and fewer digits, and others */
	static const struct {
		char conv;
		int prec;
	} fmt[] = { { 'g', 17 }, { 'g', 16 }, { 'g', 15 }, { 'g', 6 },
		    { 'g', 19 }, { 'e', 3 },  { 'f', 20 }, { ' ', 17 } };
	char s[512];
	int bad = 0;
	for (uint64_t i = 0; i < 40000; i++) {
		uint64_t h = rng_mix64(i + 1);
		/* any finite double, and one of the weights' magnitudes */
		double any = from_bits(h),
		       w = ldexp((double)(h >> 11) * 0x1p-53, (int)(h % 120) - 90);
		if (h & 1)
			w = -w;
		for (size_t f = 0; f < sizeof fmt / sizeof *fmt; f++) {
			if (isfinite(any))
				bad += differ(format(s, sizeof s, fmt[f].conv, fmt[f].prec, any));
			bad += differ(format(s, sizeof s, fmt[f].conv, fmt[f].prec, w));
		}
	}
	ck_assert_int_eq(bad, 0);
}
END_TEST

START_TEST(random_digit_strings_read_back_as_strtod)
{
	char s[128];
	int bad = 0;
	for (uint64_t i = 0; i < 200000; i++) {
		uint64_t h = rng_mix64(i ^ 0x5eed), g = rng_mix64(h);
		int n = 1 + (int)(h % 21), dot = (int)((h >> 8) % (uint64_t)(n + 1));
		char *p = s;
		if (g & 1)
			*p++ = '-';
		for (int k = 0; k < n; k++) {
			if (k == dot)
				*p++ = '.';
			*p++ = (char)('0' + (g >> (4 + 3 * (k % 18))) % 10);
		}
		if ((h >> 20) & 1)
			p += sprintf(p, "e%d", (int)((h >> 24) % 80) - 40);
		*p = 0;
		bad += differ(s);
	}
	ck_assert_int_eq(bad, 0);
}
END_TEST

/* Disagreements on v as an integer, times 10^-e, and with a 5 appended
 * as a tenth. */
static int integer_forms_differ(uint64_t v, int e)
{
	char s[64];
	unsigned long long u = v;
	snprintf(s, sizeof s, "%llu", u);
	int bad = differ(s);
	snprintf(s, sizeof s, "%llue-%d", u, e);
	bad += differ(s);
	snprintf(s, sizeof s, "%llu5e-1", u);
	return bad + differ(s);
}

START_TEST(halfway_points_read_back_as_strtod)
{
	int bad = 0;
	/* 2^53 + odd: halfway between two doubles; scaled by powers of ten, and
	 * one unit of the last digit either side */
	for (uint64_t i = 0; i < 20000; i++) {
		uint64_t m = (1ull << 53) + 2 * (rng_mix64(i) % (1ull << 40)) + 1;
		bad += integer_forms_differ(m - 1, (int)(i % 28));
		bad += integer_forms_differ(m, (int)(i % 28));
		bad += integer_forms_differ(m + 1, (int)(i % 28));
	}
	ck_assert_int_eq(bad, 0);
}
END_TEST

START_TEST(other_text_reads_as_strtod)
{
	static const char *const s[] = {
		"",
		"-",
		"+",
		".",
		"e5",
		"1e",
		"1e+",
		"1.5.3",
		".5",
		"5.",
		"-.5e-3",
		"+1",
		"-0",
		"0e9",
		"1e400",
		"1e-400",
		"inf",
		"-infinity",
		"nan",
		"0x1p3",
		"0X1.8p1",
		"\t1.5",
		"  7",
		"1e99999999999",
		"1x",
		"00000.000001",
		"12345678901234567890",
		"1234567890123456789",
		"0.000000000000000000000000001",
		"1e-27",
		"1e27",
		"9e28",
		"4.9406564584124654e-324",
		"1.7976931348623157e308",
		"2.2250738585072014e-308",
		"100000000000000000000000",
	};
	int bad = 0;
	for (size_t i = 0; i < sizeof s / sizeof *s; i++)
		bad += differ(s[i]);
	ck_assert_int_eq(bad, 0);
}
END_TEST

Suite *tu_suite(void)
{
	return tu_suite_of("decparse", formatted_doubles_read_back_as_strtod,
			   random_digit_strings_read_back_as_strtod,
			   halfway_points_read_back_as_strtod, other_text_reads_as_strtod);
}
