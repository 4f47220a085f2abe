/* sweepfile: enumeration order, zipped axes, continuation lines, and errors
 * that name the line. */
#include <stdlib.h>
#include <string.h>

#include "tests/support/tu.h"
#include "sim/batch/csvtab.h"
#include "sim/batch/sweepfile.h"

static const char *good = "; a sweep\n"
			  "[sweep]\n"
			  "base = ../base.ini\n"
			  "[set]\n"
			  "workload.num_requests = 100\n"
			  "[grid]\n"
			  "workload.rate = 1, 2,\n"
			  "   4\n" /* continuation */
			  "[zip hw]\n"
			  "device.preset = mlu370-x4, a100-80g\n"
			  "scheduler.max_num_seqs = 64 , 256\n"
			  "[grid]\n"
			  "workload.trace = \"\", alpaca.csv\n";

START_TEST(grid_and_zip_enumerate)
{
	struct sweepfile s;
	struct om_err e;
	ck_assert_msg(sweepfile_parse(good, "exp/sw.ini", &s, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(s.base, "exp/../base.ini");
	ck_assert_uint_eq(s.nfixed, 1);
	ck_assert_str_eq(s.fixed[0].val[0], "100");
	ck_assert_uint_eq(s.naxis, 3);
	ck_assert_uint_eq(sweepfile_nswept(&s), 4);
	ck_assert_uint_eq(sweepfile_nruns(&s), 3 * 2 * 2);
	/* Last axis fastest; zipped keys move together. */
	ck_assert_str_eq(sweepfile_value(&s, 0, 0), "1");
	ck_assert_str_eq(sweepfile_value(&s, 0, 3), "");
	ck_assert_str_eq(sweepfile_value(&s, 1, 3), "alpaca.csv");
	ck_assert_str_eq(sweepfile_value(&s, 2, 1), "a100-80g");
	ck_assert_str_eq(sweepfile_value(&s, 2, 2), "256");
	ck_assert_str_eq(sweepfile_value(&s, 4, 0), "2");
	ck_assert_str_eq(sweepfile_value(&s, 4, 1), "mlu370-x4");
	ck_assert_str_eq(sweepfile_value(&s, 4, 2), "64");
	ck_assert_str_eq(sweepfile_value(&s, 11, 0), "4");
	ck_assert_str_eq(sweepfile_swept(&s, 2)->name, "scheduler.max_num_seqs");
	ck_assert_int_eq(sweepfile_swept(&s, 2)->line, 11);
	/* Every combination appears exactly once. */
	for (size_t i = 0; i < 12; i++)
		for (size_t j = i + 1; j < 12; j++) {
			int same = 1;
			for (size_t k = 0; k < 4; k++)
				same &= !strcmp(sweepfile_value(&s, i, k),
						sweepfile_value(&s, j, k));
			ck_assert(!same);
		}
	sweepfile_free(&s);
}
END_TEST

static void expect_error(const char *text, const char *needle)
{
	struct sweepfile s;
	struct om_err e;
	ck_assert_int_eq(sweepfile_parse(text, "sw.ini", &s, &e), -1);
	ck_assert_msg(strstr(e.msg, needle) != NULL, "error '%s' lacks '%s'", e.msg, needle);
}

START_TEST(errors_name_the_line)
{
	expect_error("[sweep]\nbase = b.ini\n[grid]\nworkload.rate = 1\n[set]\nworkload.rate = 2\n",
		     "sw.ini:6: workload.rate: given twice (first at line 4)");
	expect_error("[sweep]\nbase = b.ini\n[zip]\nworkload.rate = 1, 2\nworkload.seed = 1\n",
		     "sw.ini:5: workload.seed: has 1 values but workload.rate (line 4) has 2");
	expect_error("[sweep]\nbase = b.ini\n[grid]\nworkload.rate = 1,,2\n",
		     "sw.ini:4: workload.rate: empty value");
	expect_error("[sweep]\nbase = b.ini\n[grids]\nworkload.rate = 1\n",
		     "sw.ini:4: unknown section [grids]");
	expect_error("[sweep]\nbase = b.ini\n[grid]\nrate = 1\n",
		     "sw.ini:4: rate: expected a config key");
	expect_error("[grid]\nworkload.rate = 1\n", "sweep.base: required");
	expect_error("[sweep]\nbase = b.ini\nworkers = 3\n",
		     "sw.ini:3: workers: unknown key in [sweep]");
	expect_error("[sweep]\nbase = b.ini\n[grid]\nworkload.rate 1\n", "sw.ini:4: syntax error");
}
END_TEST

START_TEST(csv_table_reads_quoted_fields)
{
	const char *csv = "a,b,c\n1,\"x, y\",\"multi\nline\"\r\n2,,\"q\"\"q\"\n";
	struct csvtab t;
	struct om_err e;
	ck_assert_msg(csvtab_parse(csv, strlen(csv), "t.csv", &t, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(t.ncol, 3);
	ck_assert_uint_eq(t.nrow, 2);
	ck_assert_str_eq(csvtab_get(&t, 0, 1), "x, y");
	ck_assert_str_eq(csvtab_get(&t, 0, 2), "multi\nline");
	ck_assert_str_eq(csvtab_get(&t, 1, 1), "");
	ck_assert_str_eq(csvtab_get(&t, 1, 2), "q\"q");
	ck_assert_int_eq(t.line[1], 4);
	ck_assert_int_eq(csvtab_col(&t, "c"), 2);
	ck_assert_int_eq(csvtab_col(&t, "d"), -1);
	csvtab_free(&t);
	const char *bad = "a,b\n1,2\n3\n";
	ck_assert_int_eq(csvtab_parse(bad, strlen(bad), "t.csv", &t, &e), -1);
	ck_assert_str_eq(e.msg, "t.csv:3: 1 fields where the header has 2");
}
END_TEST

Suite *tu_suite(void)
{
	return tu_suite_of("sweepfile", grid_and_zip_enumerate, errors_name_the_line,
			   csv_table_reads_quoted_fields);
}
