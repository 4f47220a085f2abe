/* The shared Check test helper; see tu.h. */
#include "tests/support/tu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "workload/workload.h"

int main(void)
{
	SRunner *sr = srunner_create(tu_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

TCase *tu_case_list(Suite *s, const TTest *const *tests, size_t n)
{
	TCase *tc = tcase_create("core");
	for (size_t i = 0; i < n; i++)
		tcase_add_test(tc, tests[i]);
	suite_add_tcase(s, tc);
	return tc;
}

Suite *tu_suite_list(Suite *s, const TTest *const *tests, size_t n)
{
	tu_case_list(s, tests, n);
	return s;
}

struct cfg *tu_cfg(const char *const *sets, int n)
{
	struct om_err e;
	struct cfg *c = exp_load(NULL, (char *const *)sets, n, &e);
	if (!c)
		ck_abort_msg("config: %s", e.msg);
	return c;
}

struct cfg *tu_timing(struct dev_timing *t, const char *const *sets, int n)
{
	struct om_err e;
	struct cfg *c = tu_cfg(sets, n);
	if (dt_init(t, c, &e) < 0)
		ck_abort_msg("dt_init: %s", e.msg);
	return c;
}

void tu_timing_refused(const char *const *sets, int n, const char *want, const char *also)
{
	struct cfg *c = tu_cfg(sets, n);
	struct dev_timing t;
	struct om_err e;
	ck_assert_int_eq(dt_init(&t, c, &e), -1);
	ck_assert_msg(strstr(e.msg, want) && (!also || strstr(e.msg, also)), "%s", e.msg);
	dt_free(&t);
	cfg_free(c);
}

struct cfg *tu_pool_cfg(int64_t pool, const char *const *sets, int n)
{
	char cap[128];
	const char *all[64];
	double bytes = TU_WEIGHT_BYTES + ((double)pool + 0.5) * TU_KV_BYTES_PER_TOKEN;
	snprintf(cap, sizeof cap, "device.capacity_gib=%.15g", bytes / 1073741824.0);
	int k = 0;
	all[k++] = cap;
	all[k++] = "device.reserve_frac=0";
	all[k++] = "run.check_invariants=true";
	all[k++] = "run.sample_interval_s=0";
	for (int i = 0; i < n && k < 64; i++)
		all[k++] = sets[i];
	return tu_cfg(all, k);
}

static void exact_predict(const void *st, const struct pred_sample *s, struct pred_out *o)
{
	(void)st;
	o->len = s->out_tokens;
	o->uncertainty = 0;
	o->bucket = -1;
	o->uncertain = false;
}

const struct pred_ops tu_exact = {
	.name = "test_exact",
	.wants_truth = true,
	.predict = exact_predict,
};

static void fixed_predict(const void *st, const struct pred_sample *s, struct pred_out *o)
{
	(void)s;
	*o = *(const struct pred_out *)st;
}

static const struct pred_ops fixed = {
	.name = "test_fixed",
	.predict = fixed_predict,
};

void tu_trace(struct wl_trace *t, size_t n, int64_t gap_ns, int32_t prompt, int32_t out)
{
	struct om_err e;
	trace_init(t);
	snprintf(t->source, sizeof t->source, "test");
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(
			trace_push(t, (int64_t)i, (int64_t)i * gap_ns, prompt, out, NULL, 0, &e),
			0);
	t->has_arrivals = true;
}

void tu_engine_run(const struct cfg *c, const struct wl_trace *t, const struct pred_handle *ph,
		   struct run_result *r)
{
	struct om_err e = { "" };
	if (engine_run(c, t, ph, r, &e) < 0)
		ck_abort_msg("engine_run: %s", e.msg);
}

void tu_run_guess(const struct cfg *c, const struct wl_trace *t, struct pred_out guess,
		  struct run_result *r)
{
	struct pred_handle ph = { .ops = &fixed, .state = &guess };
	tu_engine_run(c, t, &ph, r);
}

void tu_run_sets(const char *const *sets, int n, const struct wl_trace *t, struct run_result *r)
{
	struct cfg *c = tu_cfg(sets, n);
	tu_engine_run(c, t, NULL, r);
	cfg_free(c);
}

void tu_run_workload(const struct cfg *c, struct run_result *r)
{
	struct om_err e = { "" };
	struct wl_trace t;
	if (wl_build(c, &t, false, &e) < 0)
		ck_abort_msg("workload: %s", e.msg);
	tu_engine_run(c, &t, NULL, r);
	trace_free(&t);
}

void tu_refuses_without_predictor(const char *policy, int64_t pool)
{
	char name[64];
	snprintf(name, sizeof name, "policy.name=%s", policy);
	const char *s[] = { name, "predictor.name=none" };
	struct cfg *c = tu_pool_cfg(pool, s, 2);
	struct wl_trace t;
	tu_trace(&t, 1, 0, 10, 10);
	struct run_result r;
	struct om_err e = { "" };
	ck_assert_int_eq(engine_run(c, &t, NULL, &r, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "predictor.name"));
	trace_free(&t);
	cfg_free(c);
}

void tu_write_temp(char *path, const char *text)
{
	snprintf(path, TU_PATH, "/tmp/odmasim-test-XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	size_t len = strlen(text);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
}

bool tu_shared_trace(char *path, size_t size, const char *name)
{
	const char *dir = getenv("ODMASIM_TRACES");
	snprintf(path, size, "%s/%s", dir ? dir : "../shared/traces", name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	fclose(f);
	return true;
}
