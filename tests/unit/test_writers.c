/* jsonw and csvw: every string becomes valid JSON (escapes, bytes that are
 * not UTF-8), absent numbers are null, the layout is the one summary.json has
 * always had; CSV text fields are quoted only when they must be. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/csvw.h"
#include "common/jsonw.h"
#include "sim/core/sumfield.h"
#include "tests/support/tu.h"

/* Runs fn on a memory stream and returns what it wrote (free it). */
static char *capture(void (*fn)(FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	fn(f);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

static void put_odd(FILE *f)
{
	jw_put_string(f,
		      "q\"b\\c\x01\x1f\t\n"
		      "ok \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80|"
		      "\xff|\xc0\x80|\xed\xa0\x80|\xe2\x82");
}

START_TEST(json_escapes_everything)
{
	char *s = capture(put_odd);
	ck_assert_str_eq(s,
			 "\"q\\\"b\\\\c\\u0001\\u001f\\u0009\\u000a"
			 "ok \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80|"
			 "\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|\\ufffd\\ufffd\"");
	free(s);
}
END_TEST

static void put_doc(FILE *f)
{
	struct jw w;
	jw_init(&w, f);
	jw_obj_begin(&w, NULL);
	jw_str(&w, "name", "x");
	jw_int(&w, "n", -3);
	jw_real(&w, "absent", NAN, 'g', 9);
	jw_real(&w, "inf", INFINITY, 'f', 4);
	jw_real(&w, "r", 0.5, 'f', 4);
	jw_str(&w, "none", NULL);
	jw_arr_begin(&w, "list");
	jw_obj_begin(&w, NULL);
	jw_real(&w, "g", 1.0 / 3, 'g', 9);
	jw_obj_end(&w);
	jw_arr_end(&w);
	jw_arr_begin(&w, "empty");
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_finish(&w);
}

START_TEST(json_layout_and_null)
{
	char *s = capture(put_doc);
	ck_assert_str_eq(s,
			 "{\n"
			 "  \"name\": \"x\",\n"
			 "  \"n\": -3,\n"
			 "  \"absent\": null,\n"
			 "  \"inf\": null,\n"
			 "  \"r\": 0.5000,\n"
			 "  \"none\": null,\n"
			 "  \"list\": [\n"
			 "    {\n"
			 "      \"g\": 0.333333333\n"
			 "    }\n"
			 "  ],\n"
			 "  \"empty\": []\n"
			 "}\n");
	free(s);
}
END_TEST

static void put_row(FILE *f)
{
	csvw_cell(f, "plain", 0);
	csvw_cell(f, "a,b", 0);
	csvw_cell(f, "say \"hi\"", 0);
	csvw_cell(f, "two\nlines", 0);
	csvw_cell(f, "", 0);
	csvw_int(f, -7, 0);
	csvw_real(f, 0.125, 'g', 9, 0);
	csvw_real(f, 2, 'f', 3, 1);
}

START_TEST(csv_quotes_only_when_needed)
{
	char *s = capture(put_row);
	ck_assert_str_eq(s, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",,-7,0.125,2.000\n");
	free(s);
}
END_TEST

/* csvw_fixed gives printf's bytes: ties at the last digit (k / 2^n values
 * are exact in binary), values near every power of ten, random ones over
 * the whole range a series holds, the sign of zero, and the snprintf
 * fallback (non-finite, large). */
static void fixed_matches(double v, int prec)
{
	char want[CSVW_FIXED_MAX], got[CSVW_FIXED_MAX];
	snprintf(want, sizeof want, "%.*f", prec, v);
	char *end = csvw_fixed(got, v, prec);
	*end = '\0';
	ck_assert_msg(!strcmp(want, got), "%.17g at %d: printf '%s', csvw_fixed '%s'", v, prec,
		      want, got);
}

START_TEST(csv_fixed_is_printf)
{
	const double odd[] = { 0,
			       -0.0,
			       1,
			       0.5,
			       0.0078125,
			       0.0625,
			       2.5,
			       1e-7,
			       5e-7,
			       4.9999999e-7,
			       999999999.9999999,
			       1e9,
			       1e300,
			       -1e300,
			       INFINITY,
			       -INFINITY,
			       NAN,
			       -0.0000004,
			       -2.5,
			       123456.7890125,
			       5e-324 };
	for (int prec = 0; prec <= 9; prec++) {
		for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++)
			fixed_matches(odd[i], prec);
		for (int n = 1; n < 64; n++)
			for (int k = 1; k < 300; k += 2)
				fixed_matches(ldexp(k, -n), prec);
		for (int d = -12; d < 10; d++) {
			double p10 = pow(10, d);
			fixed_matches(p10, prec);
			fixed_matches(nextafter(p10, 0), prec);
			fixed_matches(nextafter(p10, INFINITY), prec);
			fixed_matches(p10 * 0.5, prec);
		}
	}
	uint64_t x = 0x2545F4914F6CDD1Du;
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		double u = (double)(x >> 11) / 9007199254740992.0; /* [0, 1) */
		double v = i % 3 == 0 ? u : i % 3 == 1 ? u * pow(10, (int)(x % 12) - 3) : u * 64;
		fixed_matches(v, (int)(x >> 60) % 10);
	}
}
END_TEST

/* The field table: unique names, every summary field reachable, and the
 * columns compare and capacity take from it exist. */
START_TEST(sumfield_table)
{
	for (size_t i = 0; i < sf_count; i++) {
		ck_assert_ptr_eq(sf_find(sf_fields[i].name), &sf_fields[i]);
		ck_assert(sf_fields[i].off != SF_NO_OFF || sf_fields[i].get);
		ck_assert(sf_fields[i].doc[0]);
	}
	ck_assert_ptr_null(sf_find("no_such_field"));
	struct summary s = { 0 };
	s.requests_rejected = 5;
	s.ttft_p99_s = 0.25;
	char buf[64];
	const struct sumfield *x = sf_find("requests_rejected");
	struct sf_val v = sf_from_summary(x, &s);
	ck_assert_str_eq(sf_format(x, &v, buf, sizeof buf), "5");
	x = sf_find("ttft_p99_s");
	v = sf_from_summary(x, &s);
	ck_assert_str_eq(sf_format(x, &v, buf, sizeof buf), "0.25");
}
END_TEST

Suite *tu_suite(void)
{
	return tu_suite_of("writers", json_escapes_everything, json_layout_and_null,
			   csv_quotes_only_when_needed, csv_fixed_is_printf, sumfield_table);
}
