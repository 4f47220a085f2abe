/* think: workload.output_model = think adds to each output a thinking length
 * drawn from the R1 trace's thinking_tokens column (a multi-line quoted
 * prompt does not shift the column); reference changes nothing; the draws
 * are seeded and their own stream. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/tu.h"
#include "workload/think.h"

static const char r1[] = "id,prompt_tokens,output_tokens,prompt,thinking_tokens,answer_tokens\r\n"
			 "0,5,130,\"two\nlines, one comma\",100,30\r\n"
			 "1,6,220,\"plain\",200,20\r\n"
			 "2,7,320,\"quote \"\"q\"\"\",300,20\r\n";

static void apply(const char *model, const char *path, int32_t *out, size_t n, const char *stream)
{
	char m[64], p[4200];
	snprintf(m, sizeof m, "workload.output_model=%s", model);
	snprintf(p, sizeof p, "workload.think_trace=%s", path);
	const char *sets[] = { m, p };
	struct cfg *c = tu_cfg(sets, 2);
	struct wl_trace t;
	struct om_err e = { "" };
	trace_init(&t);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(trace_push(&t, (int64_t)i, 0, 10, 40, NULL, 0, &e), 0);
	ck_assert_msg(think_apply(c, &t, stream, &e) == 0, "%s", e.msg);
	memcpy(out, t.out_tokens, n * sizeof *out);
	trace_free(&t);
	cfg_free(c);
}

START_TEST(think_adds_a_drawn_thinking_length)
{
	char path[4096];
	tu_write_temp(path, r1);
	int32_t *v;
	size_t n;
	struct om_err e = { "" };
	ck_assert_msg(think_read_column(path, &v, &n, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(v[0], 100);
	ck_assert_int_eq(v[2], 300);
	free(v);
	enum {
		N = 300
	};
	int32_t a[N], b[N], ref[N], other[N];
	apply("think", path, a, N, THINK_STREAM_WORKLOAD);
	apply("think", path, b, N, THINK_STREAM_WORKLOAD);
	apply("reference", path, ref, N, THINK_STREAM_WORKLOAD);
	apply("think", path, other, N, THINK_STREAM_TRAIN);
	int seen[3] = { 0 };
	for (int i = 0; i < N; i++) {
		ck_assert_int_eq(ref[i], 40);
		ck_assert_int_eq(a[i], b[i]); /* seeded */
		ck_assert(a[i] == 140 || a[i] == 240 || a[i] == 340);
		seen[(a[i] - 140) / 100]++;
	}
	ck_assert(seen[0] > 50 && seen[1] > 50 && seen[2] > 50); /* all three drawn */
	ck_assert(memcmp(a, other, sizeof a) != 0);		 /* another stream */
	unlink(path);
}
END_TEST

START_TEST(think_trace_without_the_column_is_refused)
{
	char path[4096];
	tu_write_temp(path, "id,prompt_tokens,output_tokens\n0,1,2\n");
	int32_t *v = NULL;
	size_t n = 0;
	struct om_err e = { "" };
	ck_assert_int_eq(think_read_column(path, &v, &n, &e), -1);
	ck_assert_msg(strstr(e.msg, "thinking_tokens") && strstr(e.msg, path), "%s", e.msg);
	tu_write_temp(path, "id,thinking_tokens\n0,12\n1,x\n");
	ck_assert_int_eq(think_read_column(path, &v, &n, &e), -1);
	ck_assert_msg(strstr(e.msg, ":3") && strstr(e.msg, "'x'"), "%s", e.msg);
	unlink(path);
}
END_TEST

Suite *tu_suite(void)
{
	return tu_suite_of("think", think_adds_a_drawn_thinking_length,
			   think_trace_without_the_column_is_refused);
}
