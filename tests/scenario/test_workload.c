/* workload: arrival processes, sampling, the synthetic default. */
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/tu.h"
#include "workload/trace_fmt.h"
#include "workload/workload.h"

static void build(const char **sets, int n, struct wl_trace *t)
{
	struct cfg *c = tu_cfg(sets, n);
	struct om_err e;
	if (wl_build(c, t, false, &e) < 0)
		ck_abort_msg("%s", e.msg);
	cfg_free(c);
}

/* The gaps between the arrivals of the workload `sets` describes have a mean
 * of 0.2 s within a relative `mean_tol`, and a coefficient of variation of
 * cv within cv_tol. */
static void gaps_match(const char **sets, int n, double mean_tol, double cv, double cv_tol)
{
	struct wl_trace t;
	build(sets, n, &t);
	double *g = malloc(t.n * sizeof *g);
	for (size_t i = 1; i < t.n; i++)
		g[i - 1] = (double)(t.req[i].arrival_ns - t.req[i - 1].arrival_ns) / 1e9;
	double mean = gsl_stats_mean(g, 1, t.n - 1), sd = gsl_stats_sd(g, 1, t.n - 1);
	ck_assert_double_eq_tol(mean, 0.2, 0.2 * mean_tol);
	ck_assert_double_eq_tol(sd / mean, cv, cv_tol);
	free(g);
	trace_free(&t);
}

START_TEST(poisson_rate_and_cv)
{
	const char *sets[] = { "workload.num_requests=20000", "workload.rate=5" };
	/* 20,000 exponential gaps: the mean is within ~3 standard errors (0.7%) */
	gaps_match(sets, 2, 0.03, 1.0, 0.03);
}
END_TEST

START_TEST(gamma_cv)
{
	const char *sets[] = { "workload.num_requests=20000", "workload.rate=5",
			       "workload.arrival=gamma", "workload.cv=3" };
	gaps_match(sets, 4, 0.1, 3.0, 0.3);
}
END_TEST

START_TEST(seeds_are_reproducible_and_distinct)
{
	const char *a[] = { "workload.num_requests=500", "workload.seed=4" };
	const char *b[] = { "workload.num_requests=500", "workload.seed=5" };
	struct wl_trace t1, t2, t3;
	build(a, 2, &t1);
	build(a, 2, &t2);
	build(b, 2, &t3);
	ck_assert_mem_eq(t1.req, t2.req, t1.n * sizeof *t1.req);
	ck_assert_mem_eq(t1.out_tokens, t2.out_tokens, t1.n * sizeof *t1.out_tokens);
	ck_assert(memcmp(t1.out_tokens, t3.out_tokens, t1.n * sizeof *t1.out_tokens) != 0);
	trace_free(&t1);
	trace_free(&t2);
	trace_free(&t3);
}
END_TEST

/* Changing the arrival process must not change the lengths drawn. */
START_TEST(streams_are_independent)
{
	const char *a[] = { "workload.num_requests=300", "workload.arrival=poisson" };
	const char *b[] = { "workload.num_requests=300", "workload.arrival=offline" };
	struct wl_trace t1, t2;
	build(a, 2, &t1);
	build(b, 2, &t2);
	ck_assert_mem_eq(t1.out_tokens, t2.out_tokens, t1.n * sizeof *t1.out_tokens);
	for (size_t i = 0; i < t2.n; i++)
		ck_assert_int_eq(t2.req[i].arrival_ns, 0);
	trace_free(&t1);
	trace_free(&t2);
}
END_TEST

START_TEST(synthetic_medians)
{
	const char *sets[] = { "workload.num_requests=20001" };
	struct wl_trace t;
	build(sets, 1, &t);
	double *p = malloc(t.n * sizeof *p), *o = malloc(t.n * sizeof *o);
	for (size_t i = 0; i < t.n; i++) {
		p[i] = t.req[i].prompt_tokens;
		o[i] = t.out_tokens[i];
	}
	ck_assert_double_eq_tol(gsl_stats_median(p, 1, t.n), 64, 3);
	ck_assert_double_eq_tol(gsl_stats_median(o, 1, t.n), 128, 5);
	free(p);
	free(o);
	trace_free(&t);
}
END_TEST

START_TEST(sampling_with_replacement_renumbers)
{
	char path[TU_PATH];
	tu_write_temp(path, "id,prompt_tokens,output_tokens\n10,5,6\n20,7,8\n30,9,10\n");
	char tr[128], *sets[3];
	snprintf(tr, sizeof tr, "workload.trace=%s", path);
	sets[0] = tr;
	sets[1] = "workload.num_requests=50";
	sets[2] = "workload.sampling=replace";
	struct wl_trace t;
	build((const char **)sets, 3, &t);
	ck_assert_int_eq(t.n, 50);
	for (size_t i = 0; i < t.n; i++) {
		ck_assert_int_eq(t.req[i].id, (int64_t)i);
		ck_assert(t.req[i].prompt_tokens == 5 || t.req[i].prompt_tokens == 7
			  || t.req[i].prompt_tokens == 9);
		ck_assert_int_eq(t.out_tokens[i], t.req[i].prompt_tokens + 1);
	}
	trace_free(&t);
	/* without replacement, asking for more rows than exist is an error */
	sets[2] = "workload.sampling=head";
	struct cfg *c = tu_cfg((const char **)sets, 3);
	struct om_err e;
	ck_assert_int_eq(wl_build(c, &t, false, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "workload.num_requests"));
	cfg_free(c);
	unlink(path);
}
END_TEST

/* Head sampling takes the file's first rows as read (with their texts), not
 * a copy: fewer rows than the file, then all of them for 0. */
START_TEST(head_takes_the_first_rows)
{
	char path[TU_PATH];
	tu_write_temp(path,
		      "id,prompt_tokens,output_tokens,prompt\n10,5,6,a b\n20,7,8,\n"
		      "30,9,10,c\n40,11,12,d e f\n");
	char tr[128];
	snprintf(tr, sizeof tr, "workload.trace=%s", path);
	const char *sets[] = { tr, "workload.num_requests=3", "workload.arrival=offline" };
	struct cfg *c = tu_cfg(sets, 3);
	struct om_err e;
	struct wl_trace t;
	ck_assert_int_eq(wl_build(c, &t, true, &e), 0);
	ck_assert_int_eq(t.n, 3);
	const char *texts[] = { "a b", "", "c" };
	for (size_t i = 0; i < t.n; i++) {
		ck_assert_int_eq(t.req[i].id, 10 * (int64_t)(i + 1));
		ck_assert_int_eq(t.out_tokens[i], t.req[i].prompt_tokens + 1);
		ck_assert_str_eq(trace_text(&t, i), texts[i]);
	}
	ck_assert_str_eq(t.format, "csv");
	ck_assert_str_eq(t.arrival, "offline");
	trace_free(&t);
	cfg_free(c);
	sets[1] = "workload.num_requests=0";
	c = tu_cfg(sets, 3);
	ck_assert_int_eq(wl_build(c, &t, true, &e), 0);
	ck_assert_int_eq(t.n, 4);
	ck_assert_str_eq(trace_text(&t, 3), "d e f");
	trace_free(&t);
	cfg_free(c);
	unlink(path);
}
END_TEST

/* Phases play in order: every row of the first trace arrives before any of
 * the second, and each phase takes its own count. */
START_TEST(phases_play_in_order)
{
	char p1[TU_PATH], p2[TU_PATH];
	tu_write_temp(p1, "id,prompt_tokens,output_tokens\n1,5,6\n2,5,6\n3,5,6\n");
	tu_write_temp(p2, "id,prompt_tokens,output_tokens\n1,9,90\n2,9,90\n");
	char tr[256];
	snprintf(tr, sizeof tr, "workload.trace=%s,%s,%s", p1, p2, p1);
	const char *sets[] = { tr, "workload.phase_requests=2,0,1" };
	struct wl_trace t;
	build(sets, 2, &t);
	ck_assert_int_eq(t.n, 5);
	int32_t want[] = { 5, 5, 9, 9, 5 };
	for (size_t i = 0; i < t.n; i++) {
		ck_assert_int_eq(t.req[i].prompt_tokens, want[i]);
		if (i)
			ck_assert_int_ge(t.req[i].arrival_ns, t.req[i - 1].arrival_ns);
	}
	trace_free(&t);
	const char *bad[] = { tr, "workload.phase_requests=2,0" };
	struct cfg *c = tu_cfg(bad, 2);
	struct om_err e;
	ck_assert_int_eq(wl_build(c, &t, false, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "workload.phase_requests"));
	cfg_free(c);
	unlink(p1), unlink(p2);
}
END_TEST

START_TEST(trace_arrival_needs_timestamps)
{
	const char *sets[] = { "workload.trace=/dev/null/none.csv" };
	struct cfg *c = tu_cfg(sets, 1);
	struct wl_trace t;
	struct om_err e;
	ck_assert_int_eq(wl_build(c, &t, false, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "/dev/null/none.csv"));
	cfg_free(c);
}
END_TEST

/* wl_build_pre takes its rows from a trace already read (the training side's
 * copy) instead of the file: an edited copy shows through, held_out filters
 * without touching the copy, and another path, or no texts wanted, reads the
 * file as wl_build does. */
START_TEST(preread_trace_serves_the_workload)
{
	char path[TU_PATH], text[4096] = "id,prompt_tokens,output_tokens,prompt\n";
	for (int i = 1; i <= 60; i++) /* enough ids that some are held out */
		snprintf(text + strlen(text), sizeof text - strlen(text), "%d,%d,%d,w%d x\n", i,
			 i + 4, i + 5, i);
	tu_write_temp(path, text);
	char tr[128];
	snprintf(tr, sizeof tr, "workload.trace=%s", path);
	const char *sets[] = { tr, "workload.rows=all" };
	struct cfg *c = tu_cfg(sets, 2);
	struct om_err e;
	struct wl_trace raw, a, b;
	trace_init(&raw); /* trace_read appends to an initialised trace */
	ck_assert_int_eq(trace_read(path, &raw, true, &e), 0);
	ck_assert_int_eq(wl_build(c, &a, true, &e), 0);
	struct wl_preread pre = { path, &raw };
	ck_assert_int_eq(wl_build_pre(c, &b, true, &pre, &e), 0);
	ck_assert_int_eq(a.n, b.n);
	ck_assert_mem_eq(a.req, b.req, a.n * sizeof *a.req);
	ck_assert_mem_eq(a.out_tokens, b.out_tokens, a.n * sizeof *a.out_tokens);
	for (size_t i = 0; i < a.n; i++)
		ck_assert_str_eq(trace_text(&a, i), trace_text(&b, i));
	trace_free(&a);
	trace_free(&b);
	raw.out_tokens[0] = 99; /* the copy is what the workload reads */
	ck_assert_int_eq(wl_build_pre(c, &b, true, &pre, &e), 0);
	ck_assert_int_eq(b.out_tokens[0], 99);
	trace_free(&b);
	ck_assert_int_eq(wl_build_pre(c, &b, false, &pre, &e), 0); /* no texts: the file */
	ck_assert_int_eq(b.out_tokens[0], 6);
	trace_free(&b);
	pre.path = "/elsewhere.csv"; /* another trace: the file */
	ck_assert_int_eq(wl_build_pre(c, &b, true, &pre, &e), 0);
	ck_assert_int_eq(b.out_tokens[0], 6);
	trace_free(&b);
	cfg_free(c);
	trace_free(&raw); /* unedited again */
	ck_assert_int_eq(trace_read(path, &raw, true, &e), 0);
	pre.path = path;
	sets[1] = "workload.rows=held_out";
	c = tu_cfg(sets, 2);
	ck_assert_int_eq(wl_build(c, &a, true, &e), 0);
	ck_assert_int_eq(wl_build_pre(c, &b, true, &pre, &e), 0);
	ck_assert_int_gt(a.n, 0);
	ck_assert_int_lt(a.n, 60);
	ck_assert_int_eq(a.n, b.n);
	ck_assert_mem_eq(a.req, b.req, a.n * sizeof *a.req);
	ck_assert_mem_eq(a.out_tokens, b.out_tokens, a.n * sizeof *a.out_tokens);
	ck_assert_int_eq(raw.n, 60); /* held_out filtered a copy */
	trace_free(&a);
	trace_free(&b);
	trace_free(&raw);
	cfg_free(c);
	unlink(path);
}
END_TEST

/* Rows given back in blocks (as the engine consumes them) leave the rows
 * after each block intact, including those sharing a page with the block. */
START_TEST(released_rows_leave_the_rest)
{
	const int N = 100000;
	const size_t block = 7777;
	struct wl_trace t;
	struct om_err e;
	trace_init(&t);
	for (int i = 0; i < N; i++)
		ck_assert_int_eq(trace_push(&t, i, 10LL * i, i % 500 + 1, i % 300 + 1, NULL, 0, &e),
				 0);
	size_t n = (size_t)N;
	for (size_t from = 0; from < n; from += block) {
		size_t to = n - from > block ? from + block : n;
		for (size_t i = from; i < to; i++) {
			ck_assert_int_eq(t.req[i].id, (int64_t)i);
			ck_assert_int_eq(t.req[i].arrival_ns, 10LL * (int64_t)i);
			ck_assert_int_eq(t.req[i].prompt_tokens, (int32_t)(i % 500 + 1));
		}
		trace_release_rows(&t, from, to);
	}
	for (int i = 0; i < N; i++) /* the truth array is not touched */
		ck_assert_int_eq(t.out_tokens[i], i % 300 + 1);
	trace_free(&t);
}
END_TEST

Suite *tu_suite(void)
{
	return tu_suite_of(
		"workload", poisson_rate_and_cv, gamma_cv, seeds_are_reproducible_and_distinct,
		streams_are_independent, synthetic_medians, sampling_with_replacement_renumbers,
		head_takes_the_first_rows, trace_arrival_needs_timestamps, phases_play_in_order,
		preread_trace_serves_the_workload, released_rows_leave_the_rest);
}
