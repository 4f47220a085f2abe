/* memory models: lpddr5 efficiencies worked out by hand from the formulas,
 * the calibration table (interpolation, edges, refusals), halfsat. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "device_models/timing.h"
#include "tests/support/tu.h"

static double eff(const struct dev_timing *t, double L)
{
	return t->mm->eff(t->mm_state, &t->d, L);
}

/* mlu370-x4 preset with mem_model = lpddr5: 24 channels of 12.8 GB/s, 2 KiB
 * rows, tRRD 5 ns, tFAW 20 ns, interleave 256 B, L_dma 4 KiB, eta_seq 0.85.
 *   L_act = 12.8e9 B/s * max(5, 20/4) ns = 64 B;  row term 2048/2112
 *   L = 64 B:   r = 64          eta_dram = (64/128)/(2048/2112)   = 0.515625
 *               eff = 0.85 * 0.515625 * 64/4160                  = 0.00674278846...
 *   L = 4 KiB:  r = max(256, 170.7) = 256
 *               eta_dram = (256/320)/(2048/2112) = 0.8 * 1.03125  = 0.825
 *               eff = 0.85 * 0.825 * 4096/8192                   = 0.350625
 *   L = 16 KiB: r = 16384/24 = 682.67; r/(r+64) = 32/35
 *               eta_dram = 32/35 * 1.03125 = 33/35
 *               eff = 0.85 * 33/35 * 16384/20480                 = 0.64114285714...
 *   L = 1 MiB:  r = row = 2048, eta_dram = 1
 *               eff = 0.85 * 1048576/1052672                     = 0.84669260700... */
START_TEST(lpddr5_by_hand)
{
	const char *sets[] = { "device.preset=mlu370-x4", "device.mem_model=lpddr5" };
	struct dev_timing t;
	struct cfg *c;
	c = tu_timing(&t, sets, 2);
	ck_assert_double_eq_tol(eff(&t, 64), 0.85 * 33.0 / 4160.0, 1e-12);
	ck_assert_double_eq_tol(eff(&t, 64), 0.0067427884615, 1e-12);
	ck_assert_double_eq_tol(eff(&t, 4096), 0.350625, 1e-12);
	ck_assert_double_eq_tol(eff(&t, 16384), 0.85 * 33.0 / 35.0 * 0.8, 1e-12);
	ck_assert_double_eq_tol(eff(&t, 16384), 0.641142857143, 1e-11);
	ck_assert_double_eq_tol(eff(&t, 1048576), 0.846692607004, 1e-11);
	/* B_eff of a paged 4 KiB run: 307.2 GB/s * 0.350625 */
	ck_assert_double_eq_tol(dt_beff(&t, 4096), 107.712e9, 1e3);
	dt_free(&t);
	cfg_free(c);
}
END_TEST

/* Channels default to a card's peak / per-channel bandwidth (307.2 / 12.8 = 24), and
 * an activation-free DRAM (tRRD = tFAW = 0) leaves only the DMA term. */
START_TEST(lpddr5_derived_channels_and_limits)
{
	const char *a[] = { "device.preset=mlu370-x4", "device.mem_model=lpddr5",
			    "device.lpddr_channels=0" };
	const char *b[] = { "device.preset=mlu370-x4", "device.mem_model=lpddr5",
			    "device.lpddr_trrd_ns=0", "device.lpddr_tfaw_ns=0" };
	struct dev_timing t;
	struct cfg *c;
	c = tu_timing(&t, a, 3);
	ck_assert_double_eq_tol(eff(&t, 16384), 0.85 * 33.0 / 35.0 * 0.8, 1e-12);
	dt_free(&t);
	cfg_free(c);
	/* tensor parallelism sums bandwidth over cards, but a run is striped over
	 * one card's 24 channels */
	const char *tp[] = { "device.preset=mlu370-x4", "device.mem_model=lpddr5",
			     "device.lpddr_channels=0", "cluster.mode=tensor_parallel",
			     "cluster.devices=2" };
	c = tu_timing(&t, tp, 5);
	ck_assert_double_eq_tol(eff(&t, 16384), 0.85 * 33.0 / 35.0 * 0.8, 1e-12);
	dt_free(&t);
	cfg_free(c);
	c = tu_timing(&t, b, 4);
	ck_assert_double_eq_tol(eff(&t, 64), 0.85 * 64.0 / 4160.0, 1e-12);
	dt_free(&t);
	cfg_free(c);
	/* tFAW / 4 binds when it exceeds tRRD: 40/4 = 10 ns -> L_act 128 B;
	 * L = 4 KiB: (256/384) / (2048/2176) * 0.85 * 0.5 */
	const char *d[] = { "device.preset=mlu370-x4", "device.mem_model=lpddr5",
			    "device.lpddr_tfaw_ns=40" };
	c = tu_timing(&t, d, 3);
	ck_assert_double_eq_tol(eff(&t, 4096), (256.0 / 384.0) / (2048.0 / 2176.0) * 0.425, 1e-12);
	dt_free(&t);
	cfg_free(c);
}
END_TEST

START_TEST(halfsat_half_at_l_half)
{
	const char *sets[] = { "device.preset=mlu370-x4", "device.l_half_bytes=1000" };
	struct dev_timing t;
	struct cfg *c;
	c = tu_timing(&t, sets, 2);
	ck_assert_double_eq_tol(eff(&t, 1000), 0.425, 1e-15);
	ck_assert_double_eq_tol(eff(&t, 3000), 0.85 * 0.75, 1e-15);
	dt_free(&t);
	cfg_free(c);
}
END_TEST

static int calib(const char *text, struct dev_timing *t, struct cfg **c, struct om_err *e)
{
	char path[TU_PATH], set[128];
	tu_write_temp(path, text);
	snprintf(set, sizeof set, "device.mem_calib_file=%s", path);
	const char *sets[] = { "device.preset=mlu370-x4", "device.mem_model=calib", set };
	*c = tu_cfg(sets, 3);
	int rc = dt_init(t, *c, e);
	unlink(path);
	return rc;
}

/* Measured points are returned exactly, values in between stay between their
 * neighbours (monotone data stays monotone), the short end costs as the
 * shortest measured run, the long end saturates. */
START_TEST(calib_interpolates_monotonically)
{
	struct dev_timing t;
	struct cfg *c;
	struct om_err e;
	const char *csv = "note,run_bytes,efficiency\n"
			  "small,64,0.02\n"
			  ",512,0.15\n"
			  ",4096,0.5\n"
			  ",65536,0.8\n"
			  ",1048576,0.84\n";
	ck_assert_int_eq(calib(csv, &t, &c, &e), 0);
	const double L[] = { 64, 512, 4096, 65536, 1048576 };
	const double y[] = { 0.02, 0.15, 0.5, 0.8, 0.84 };
	for (int i = 0; i < 5; i++)
		ck_assert_double_eq_tol(eff(&t, L[i]), y[i], 1e-12);
	double prev = 0;
	for (double x = 64; x <= 1048576; x *= 1.01) {
		double v = eff(&t, x);
		ck_assert(v >= prev - 1e-15);
		ck_assert(v >= 0.02 - 1e-15 && v <= 0.84 + 1e-15);
		prev = v;
	}
	/* below: a 16 B run takes as long as a 64 B one */
	ck_assert_double_eq_tol(eff(&t, 16), 0.02 * 16 / 64, 1e-15);
	ck_assert_double_eq_tol(eff(&t, 1 << 26), 0.84, 1e-15);
	dt_free(&t);
	cfg_free(c);
}
END_TEST

/* Two points: linear in log(L), so the geometric midpoint gets the mean. */
START_TEST(calib_two_points_linear)
{
	struct dev_timing t;
	struct cfg *c;
	struct om_err e;
	ck_assert_int_eq(calib("run_bytes,efficiency\n256,0.2\n4096,0.6\n", &t, &c, &e), 0);
	ck_assert_double_eq_tol(eff(&t, 1024), 0.4, 1e-12);
	dt_free(&t);
	cfg_free(c);
}
END_TEST

static void calib_refused(const char *text, const char *want1, const char *want2)
{
	struct dev_timing t;
	struct cfg *c;
	struct om_err e;
	ck_assert_int_eq(calib(text, &t, &c, &e), -1);
	ck_assert_msg(strstr(e.msg, want1) && strstr(e.msg, want2), "message: %s", e.msg);
	dt_free(&t);
	cfg_free(c);
}

START_TEST(calib_refuses_bad_tables)
{
	calib_refused("run_bytes,efficiency\n64,0.1\n64,0.2\n", ":3: run_bytes", "increasing");
	calib_refused("run_bytes,efficiency\n64,0.1\n128,1.5\n", ":3: efficiency", "(0, 1]");
	calib_refused("run_bytes,efficiency\n64,0.1\nabc,0.5\n", ":3: run_bytes", "not a number");
	calib_refused("bytes,eff\n64,0.1\n128,0.2\n", ":1:", "header");
	calib_refused("run_bytes,efficiency\n64,0.1\n", "at least two", "found 1");
	calib_refused("run_bytes,efficiency\n64,0.1\n128\n", ":3: efficiency", "missing");
	calib_refused("run_bytes,efficiency\n-4,0.1\n128,0.2\n", ":2: run_bytes", "> 0");
}
END_TEST

START_TEST(calib_needs_a_file)
{
	const char *sets[] = { "device.preset=mlu370-x4", "device.mem_model=calib" };
	tu_timing_refused(sets, 2, "device.mem_calib_file", NULL);
	const char *s2[] = { "device.preset=mlu370-x4", "device.mem_model=calib",
			     "device.mem_calib_file=/nonexistent/calib.csv" };
	tu_timing_refused(s2, 3, "cannot open", "/nonexistent/calib.csv");
}
END_TEST

/* '#' lines are provenance, not rows (their line numbers still count), and
 * the DMA issue cost multiplies the table by L / (L + L_dma). */
START_TEST(calib_comments_and_dma)
{
	struct dev_timing t;
	struct cfg *c;
	struct om_err e;
	const char *csv = "# measured by X\nrun_bytes,efficiency\n# mid\n256,0.2\n4096,0.6\n";
	ck_assert_int_eq(calib(csv, &t, &c, &e), 0);
	ck_assert_double_eq_tol(eff(&t, 1024), 0.4, 1e-12);
	dt_free(&t);
	cfg_free(c);
	calib_refused("# c\nrun_bytes,efficiency\n64,0.1\n64,0.2\n", ":4: run_bytes", "increasing");
	char path[TU_PATH], set[128];
	tu_write_temp(path, "run_bytes,efficiency\n256,0.2\n4096,0.6\n");
	snprintf(set, sizeof set, "device.mem_calib_file=%s", path);
	const char *sets[] = { "device.preset=mlu370-x4", "device.mem_model=calib", set,
			       "device.mem_calib_dma_bytes=4096" };
	c = tu_timing(&t, sets, 4);
	unlink(path);
	ck_assert_double_eq_tol(eff(&t, 4096), 0.6 * 0.5, 1e-12);
	ck_assert_double_eq_tol(eff(&t, 1024), 0.4 * 0.2, 1e-12);
	dt_free(&t);
	cfg_free(c);
}
END_TEST

/* The committed Ramulator table is compiled in and the mlu370-x4-dram preset
 * reads it: efficiencies in (0, 1], long runs beat short ones, and no DMA
 * cost unless asked for. */
START_TEST(calib_builtin_dram_table)
{
	const char *sets[] = { "device.preset=mlu370-x4-dram" };
	struct dev_timing t;
	struct cfg *c = tu_timing(&t, sets, 1);
	ck_assert_str_eq(t.mm->name, "calib");
	for (double L = 64; L <= 4194304; L *= 2) {
		double v = eff(&t, L);
		ck_assert(v > 0 && v <= 1);
	}
	ck_assert(eff(&t, 4194304) > eff(&t, 64));
	double plain = eff(&t, 16384);
	dt_free(&t);
	cfg_free(c);
	const char *s2[] = { "device.preset=mlu370-x4-dram", "device.mem_calib_dma_bytes=16384" };
	c = tu_timing(&t, s2, 2);
	ck_assert_double_eq_tol(eff(&t, 16384), plain / 2, 1e-12);
	dt_free(&t);
	cfg_free(c);
	const char *s3[] = { "device.preset=mlu370-x4", "device.mem_model=calib",
			     "device.mem_calib_file=builtin:nope" };
	tu_timing_refused(s3, 3, "'nope'", "lpddr5-6400-x24-ramulator");
}
END_TEST

Suite *tu_suite(void)
{
	return tu_suite_of("memmodel", lpddr5_by_hand, lpddr5_derived_channels_and_limits,
			   halfsat_half_at_l_half, calib_interpolates_monotonically,
			   calib_two_points_linear, calib_refuses_bad_tables, calib_needs_a_file,
			   calib_comments_and_dma, calib_builtin_dram_table);
}
