/* wl_stream: the streamed synthetic workload gives the rows, the metadata
 * and the errors of the whole-trace build, bit for bit, however its rows are
 * cut into blocks; and a run on it gives the records of a run on the whole
 * trace, with one thread or two (the preparation thread then makes them). */
#include <string.h>

#include "sim/core/engine.h"
#include "tests/support/tu.h"
#include "workload/wl_stream.h"
#include "workload/workload.h"

/* Builds both ways and compares, taking the stream's rows in blocks of
 * `rows` (the last one short). */
static void same_rows(const char **sets, int n, size_t rows)
{
	struct cfg *c = tu_cfg(sets, n);
	struct om_err e;
	struct wl_trace a, b;
	ck_assert(wl_streams(c));
	ck_assert_msg(wl_build(c, &a, false, &e) == 0, "%s", e.msg);
	ck_assert_msg(wl_build_stream(c, &b, &e) == 0, "%s", e.msg);
	ck_assert_ptr_nonnull(b.stream);
	ck_assert_ptr_null(b.req);
	ck_assert_uint_eq(a.n, b.n);
	ck_assert_str_eq(a.source, b.source);
	ck_assert_str_eq(a.format, b.format);
	ck_assert_str_eq(a.arrival, b.arrival);
	ck_assert(a.has_arrivals == b.has_arrivals);
	ck_assert_uint_eq(a.text_len, b.text_len);
	struct wl_req *req = malloc(rows * sizeof *req);
	int32_t *out = malloc(rows * sizeof *out);
	ck_assert(req && out);
	for (size_t from = 0; from < b.n; from += rows) {
		size_t to = b.n - from < rows ? b.n : from + rows;
		ck_assert_msg(wl_stream_rows(b.stream, from, to, req, out, &e) == 0, "%s", e.msg);
		for (size_t i = from; i < to; i++) {
			const struct wl_req *x = &a.req[i], *y = &req[i - from];
			ck_assert_int_eq(x->id, y->id);
			ck_assert_int_eq(x->arrival_ns, y->arrival_ns);
			ck_assert_int_eq(x->prompt_tokens, y->prompt_tokens);
			ck_assert_uint_eq(x->text_len, y->text_len);
			ck_assert_int_eq(a.out_tokens[i], out[i - from]);
		}
	}
	ck_assert_int_eq(wl_stream_rows(b.stream, 0, 1, req, out, &e), -1); /* used once */
	free(req);
	free(out);
	trace_free(&a);
	trace_free(&b);
	cfg_free(c);
}

START_TEST(rows_match_the_whole_build)
{
	const char *arr[] = { "workload.arrival=auto", "workload.arrival=poisson",
			      "workload.arrival=gamma", "workload.arrival=offline" };
	for (size_t k = 0; k < 4; k++) {
		const char *sets[] = { "workload.num_requests=3000", arr[k], "workload.rate=40",
				       "workload.seed=7" };
		same_rows(sets, 4, 7);
		same_rows(sets, 4, 1024);
		same_rows(sets, 4, 3000);
	}
	const char *odd[] = { "workload.synth_prompt_sigma=2", "workload.synth_max_tokens=300",
			      "workload.synth_output_median=500" }; /* clamps reached */
	same_rows(odd, 3, 100);
	same_rows(NULL, 0, 64); /* defaults: 1000 requests */
}
END_TEST

START_TEST(only_the_synthetic_head_workload_streams)
{
	const char *random[] = { "workload.sampling=random" };
	const char *replace[] = { "workload.sampling=replace" };
	const char *trace[] = { "workload.arrival=trace" };
	const char *file[] = { "workload.trace=x.csv" };
	const char *sg[] = { "workload.servegen_clients=2" };
	const char **no[] = { random, replace, trace, file, sg };
	for (size_t k = 0; k < 5; k++) {
		struct cfg *c = tu_cfg(no[k], 1);
		ck_assert(!wl_streams(c));
		cfg_free(c);
	}
}
END_TEST

/* An arrival past the simulated clock: the same one-line error, from the
 * row that makes it (after rows that were fine). */
START_TEST(arrival_past_the_clock_fails_alike)
{
	const char *sets[] = { "workload.num_requests=50", "workload.rate=1e-9" };
	struct cfg *c = tu_cfg(sets, 2);
	struct om_err ea, eb;
	struct wl_trace a, b;
	ck_assert_int_eq(wl_build(c, &a, false, &ea), -1);
	ck_assert_msg(wl_build_stream(c, &b, &eb) == 0, "%s", eb.msg);
	struct wl_req req[50];
	int32_t out[50];
	ck_assert_int_eq(wl_stream_rows(b.stream, 0, 50, req, out, &eb), -1);
	ck_assert_str_eq(ea.msg, eb.msg);
	trace_free(&b);
	cfg_free(c);
}
END_TEST

/* Runs c's workload both ways and compares every record and the summary. */
static void same_run(const char **sets, int n)
{
	struct cfg *c = tu_cfg(sets, n);
	struct om_err e;
	struct wl_trace a, b;
	struct run_result ra, rb;
	ck_assert_msg(wl_build(c, &a, false, &e) == 0, "%s", e.msg);
	ck_assert_msg(wl_build_stream(c, &b, &e) == 0, "%s", e.msg);
	ck_assert_msg(engine_run(c, &a, NULL, &ra, &e) == 0, "%s", e.msg);
	ck_assert_msg(engine_run_watched(c, &b, NULL, NULL, &rb, &e) == 0, "%s", e.msg);
	ck_assert_ptr_null(b.stream); /* dropped once its rows were made */
	ck_assert_uint_eq(ra.n, rb.n);
	ck_assert_mem_eq(ra.reqs, rb.reqs, ra.n * sizeof *ra.reqs);
	ck_assert_mem_eq(&ra.sum, &rb.sum, sizeof ra.sum);
	run_result_free(&ra);
	run_result_free(&rb);
	trace_free(&a);
	trace_free(&b);
	cfg_free(c);
}

/* 20,000 requests: three blocks of the engine's preparation and a short one. */
START_TEST(a_run_gets_the_same_records)
{
	const char *pol[] = { "policy.name=static", "policy.name=paged" };
	const char *thr[] = { "run.threads=1", "run.threads=2" };
	for (size_t p = 0; p < 2; p++)
		for (size_t k = 0; k < 2; k++) {
			const char *sets[] = { "workload.num_requests=20000", "workload.rate=30",
					       pol[p], thr[k] };
			same_run(sets, 4);
		}
}
END_TEST

/* The arrival that passes the clock lies beyond the first block: a run on
 * either thread count fails with the build's error and nothing else. */
START_TEST(a_run_fails_with_the_build_error)
{
	const char *thr[] = { "run.threads=1", "run.threads=2" };
	for (size_t k = 0; k < 2; k++) {
		/* expected crossing near request 9e9 * 1.5e-6 = 13,500 */
		const char *sets[] = { "workload.num_requests=20000", "workload.rate=1.5e-6",
				       "run.sample_interval_s=0", thr[k] };
		struct cfg *c = tu_cfg(sets, 4);
		struct om_err ea, eb;
		struct wl_trace a, b;
		struct run_result r;
		ck_assert_int_eq(wl_build(c, &a, false, &ea), -1);
		ck_assert_msg(strstr(ea.msg, "past the") != NULL, "%s", ea.msg);
		ck_assert_msg(wl_build_stream(c, &b, &eb) == 0, "%s", eb.msg);
		ck_assert_int_eq(engine_run_watched(c, &b, NULL, NULL, &r, &eb), -1);
		ck_assert_str_eq(ea.msg, eb.msg);
		trace_free(&b);
		cfg_free(c);
	}
}
END_TEST

Suite *tu_suite(void)
{
	return tu_suite_of("wl_stream", rows_match_the_whole_build,
			   only_the_synthetic_head_workload_streams,
			   arrival_past_the_clock_fails_alike, a_run_gets_the_same_records,
			   a_run_fails_with_the_build_error);
}
