/* Robustness: every policy runs a contended workload with invariant checks
 * on; the scheduler never idles with work it could still start, rejects what
 * can never fit, and explains a stuck queue. */
#include <stdlib.h>
#include <string.h>

#include "tests/support/tu.h"
#include "device_models/timing.h"
#include "sim/core/engine.h"
#include "sim/core/experiment.h"
#include "sim/core/sched.h"
#include "workload/workload.h"

/* Builds and runs one experiment from --set style assignments. */
static int run_sets(char **sets, int n, struct run_result *r, struct om_err *e)
{
	struct cfg *c = exp_load(NULL, sets, n, e);
	if (!c)
		return -1;
	struct wl_trace t;
	int rc = wl_build(c, &t, false, e);
	if (rc == 0) {
		rc = engine_run(c, &t, NULL, r, e);
		trace_free(&t);
	}
	cfg_free(c);
	return rc;
}

/* Runs every registered policy on `extra` plus a contended workload with
 * checks after every event; each must resolve all `n` requests. Returns the
 * preemptions summed over the policies. */
static int64_t every_policy(char **extra, int n_extra, int64_t n)
{
	int64_t preemptions = 0;
	for (size_t i = 0; pol_registry[i]; i++) {
		char pol[96], num[64];
		snprintf(pol, sizeof pol, "policy.name=%s", pol_registry[i]->name);
		snprintf(num, sizeof num, "workload.num_requests=%lld", (long long)n);
		/* 17 GiB less 10% and 15.2 GB of weights leave about 20k KV tokens:
		 * tight enough to preempt, yet room for odma's safety pool */
		char *sets[16] = { pol,
				   num,
				   "run.check_invariants=true",
				   "workload.seed=7",
				   "policy.max_model_len=2048",
				   "device.capacity_gib=17" };
		int k = 6;
		for (int j = 0; j < n_extra && k < 16; j++)
			sets[k++] = extra[j];
		struct run_result r;
		struct om_err e = { "" };
		int rc = run_sets(sets, k, &r, &e);
		ck_assert_msg(rc == 0, "policy %s: %s", pol_registry[i]->name, e.msg);
		ck_assert_int_eq(r.sum.requests_total, n);
		ck_assert_int_eq(r.sum.requests_completed + r.sum.requests_rejected, n);
		ck_assert_int_gt(r.sum.requests_completed, 0);
		ck_assert_int_eq(r.sum.rejected[REJ_PROMPT_OVER_BATCH], 0);
		preemptions += r.sum.preemptions;
		run_result_free(&r);
	}
	return preemptions;
}

/* Every registered policy, on a pool small enough that requests queue and
 * (for growing policies) preempt, with checks after every event. */
START_TEST(every_policy_with_checks)
{
	char *extra[] = { "workload.rate=40" };
	int64_t preemptions = every_policy(extra, 1, 300);
	/* the pool is tight enough that growing policies preempt, so the checks
	 * also cover release/readmission paths */
	if (pol_registry[0] && pol_registry[1])
		ck_assert_int_gt(preemptions, 0);
}
END_TEST

/* Chunked prefill: prompts far longer than the token budget, a pool tight
 * enough to preempt partially prefilled requests; every policy runs them to
 * the end with invariants checked after every event. */
START_TEST(every_policy_long_prompts_chunked)
{
	char *extra[] = { "workload.rate=20", "workload.synth_prompt_median=700",
			  "workload.synth_prompt_sigma=0.4", "scheduler.max_batched_tokens=256" };
	ck_assert_int_gt(every_policy(extra, 4, 150), 0);
}
END_TEST

/* All requests at t = 0 (offline): the run must start at all. */
START_TEST(offline_arrivals_run)
{
	char *sets[] = { "workload.arrival=offline", "workload.num_requests=20",
			 "run.check_invariants=true" };
	struct run_result r;
	struct om_err e = { "" };
	ck_assert_msg(run_sets(sets, 3, &r, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(r.sum.requests_completed, 20);
	run_result_free(&r);
}
END_TEST

/* A request rejected at admission (never fits) is counted, not lost. */
START_TEST(never_fits_is_counted)
{
	char *sets[] = { "workload.num_requests=50", "run.check_invariants=true",
			 "policy.static_reserve=prompt_plus_max_new",
			 "workload.max_new_tokens=2000", "policy.max_model_len=4096",
			 /* a pool of about 2100 tokens: prompt + 2000 fits only short prompts */
			 "device.capacity_gib=15.886" };
	struct run_result r;
	struct om_err e = { "" };
	ck_assert_msg(run_sets(sets, 6, &r, &e) == 0, "%s", e.msg);
	ck_assert_int_gt(r.sum.rejected[REJ_NEVER_FITS], 0);
	ck_assert_int_gt(r.sum.requests_completed, 0);
	ck_assert_int_eq(r.sum.requests_completed + r.sum.requests_rejected, 50);
	run_result_free(&r);
}
END_TEST

/* The stall guard stops a run whose queue makes no progress and names the
 * request and the limit that holds it. */
START_TEST(stall_guard_names_request)
{
	char *sets[] = { "workload.num_requests=20", "workload.arrival=offline",
			 "scheduler.max_num_seqs=1", "run.max_stall_iterations=5" };
	struct run_result r;
	struct om_err e = { "" };
	ck_assert_int_eq(run_sets(sets, 4, &r, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "run.max_stall_iterations"));
	ck_assert_ptr_nonnull(strstr(e.msg, "at the head of the queue"));
	ck_assert_ptr_nonnull(strstr(e.msg, "scheduler.max_num_seqs = 1"));
}
END_TEST

/* --- a scripted policy to drive the scheduler directly ---------------- */
struct tight {
	int64_t pool, used;
};

static enum pol_rc t_admit(void *st, struct sim_req *r, int32_t tokens)
{
	struct tight *p = st;
	if (tokens > p->pool)
		return POL_NEVER;
	if (p->used + tokens > p->pool)
		return POL_NO_ROOM;
	p->used += tokens;
	r->pol_off = p->used - tokens;
	r->pol_cap = tokens;
	return POL_OK;
}

static enum pol_rc t_grow(void *st, struct sim_req *r, int32_t tokens, struct it_cost *c)
{
	struct tight *p = st;
	(void)c;
	if (tokens <= r->pol_cap)
		return POL_OK;
	if (p->used + (tokens - r->pol_cap) > p->pool)
		return POL_NO_ROOM;
	p->used += tokens - r->pol_cap;
	r->pol_cap = tokens;
	return POL_OK;
}

static void t_release(void *st, struct sim_req *r)
{
	struct tight *p = st;
	p->used -= r->pol_cap;
	r->pol_cap = 0;
}

static void t_layout(const void *st, const struct sim_req *r, int32_t tokens, struct it_cost *c)
{
	(void)st, (void)r, (void)tokens, (void)c;
}

static void t_stats(const void *st, struct pol_stats *s)
{
	const struct tight *p = st;
	memset(s, 0, sizeof *s);
	s->reserved_tokens = p->used;
	s->free_tokens = p->pool - p->used;
	s->largest_free = s->free_tokens;
}

static const struct pol_ops tight_ops = {
	.name = "tight",
	.admit = t_admit,
	.grow = t_grow,
	.release = t_release,
	.layout = t_layout,
	.stats = t_stats,
};

struct fixture {
	struct cfg *c;
	struct dev_timing dt;
	struct sched s;
	struct tight pol;
	struct sim_req r[4];
};

static void fx_init(struct fixture *f, int64_t pool, const char *budget)
{
	struct om_err e;
	char *sets[] = { (char *)budget };
	f->c = exp_load(NULL, sets, budget ? 1 : 0, &e);
	ck_assert_ptr_nonnull(f->c);
	ck_assert_int_eq(dt_init(&f->dt, f->c, &e), 0);
	f->pol = (struct tight){ pool, 0 };
	struct sched_params sp;
	sched_params_read(f->c, &sp);
	ck_assert_int_eq(sched_init(&f->s, &sp, &tight_ops, &f->pol, &f->dt, f->r, 4, &e), 0);
	memset(f->r, 0, sizeof f->r);
	for (int i = 0; i < 4; i++) {
		f->r[i].id = i;
		f->r[i].max_output = 1000;
		f->r[i].first_admit_ns = f->r[i].first_token_ns = f->r[i].finish_ns = -1;
	}
}

static void fx_free(struct fixture *f)
{
	sched_free(&f->s);
	dt_free(&f->dt);
	cfg_free(f->c);
}

/* A lone request that outgrows the pool preempts itself; the scheduler must
 * then decide about it in the same iteration (here: never fits, rejected)
 * instead of idling with it queued. */
START_TEST(self_preemption_does_not_idle)
{
	struct fixture f;
	fx_init(&f, 12, NULL);
	struct om_err e;
	f.r[0].prompt_tokens = 10;
	ck_assert_int_eq(sched_arrive(&f.s, &f.r[0], 0), 1);
	int64_t now = 0;
	for (int it = 0; it < 3; it++) { /* contexts 10, 11, 12: all fit */
		int64_t d = sched_begin(&f.s, now, NULL);
		ck_assert_int_gt(d, 0);
		ck_assert_int_eq(sched_check(&f.s, &e), 0);
		now += d;
		sched_end(&f.s, now, NULL, NULL);
	}
	sched_sync(&f.s); /* the record of a running request, as it stands */
	ck_assert_int_eq(f.r[0].generated, 3);
	/* needs 13 > pool 12: preempted, then rejected in the same call */
	ck_assert_int_eq(sched_begin(&f.s, now, NULL), 0);
	ck_assert_int_eq(f.r[0].state, RS_REJECTED);
	ck_assert_int_eq(f.s.st.rejected[REJ_NEVER_FITS], 1);
	ck_assert_int_eq(sched_waiting(&f.s), 0);
	ck_assert_int_eq(f.pol.used, 0);
	fx_free(&f);
}
END_TEST

/* A preempted request whose recompute exceeds the token budget can never be
 * started again; sched_explain says so (the engine turns this into an error). */
START_TEST(explain_recompute_over_budget)
{
	struct fixture f;
	fx_init(&f, 100000, "scheduler.max_batched_tokens=100");
	f.s.chunked = false; /* chunked prefill would take it in two chunks */
	f.r[0].prompt_tokens = 90;
	f.r[0].generated = 20; /* as if preempted after 20 tokens */
	f.r[0].preemptions = 1;
	ck_assert_int_eq(sched_arrive(&f.s, &f.r[0], 0), 1);
	ck_assert_int_eq(sched_begin(&f.s, 0, NULL), 0);
	ck_assert_int_eq(sched_waiting(&f.s), 1);
	char why[512];
	sched_explain(&f.s, why, sizeof why);
	ck_assert_ptr_nonnull(strstr(why, "request 0"));
	ck_assert_ptr_nonnull(strstr(why, "needs 110 tokens"));
	ck_assert_ptr_nonnull(strstr(why, "scheduler.max_batched_tokens = 100"));
	fx_free(&f);
}
END_TEST

/* A request's recomputed tokens are kept in 32 bits: a re-admission that
 * would pass them stops the run naming the request instead of wrapping; one
 * that stays below adds as usual. */
START_TEST(recomputed_tokens_overflow_is_an_error)
{
	for (int k = 0; k < 2; k++) {
		struct fixture f;
		fx_init(&f, 100000, NULL);
		struct om_err e = { "" };
		f.r[0].prompt_tokens = 90;
		f.r[0].generated = 20; /* as if preempted after 20 tokens */
		f.r[0].preemptions = 1;
		f.r[0].recomputed_tokens = INT32_MAX - (k ? 110 : 109);
		ck_assert_int_eq(sched_arrive(&f.s, &f.r[0], 0), 1);
		ck_assert_int_gt(sched_begin(&f.s, 0, NULL), 0); /* recomputes 110 */
		if (k) {
			ck_assert_int_eq(sched_failed(&f.s, &e), 0);
			ck_assert_int_eq(f.r[0].recomputed_tokens, INT32_MAX);
		} else {
			ck_assert_int_eq(sched_failed(&f.s, &e), -1);
			ck_assert_ptr_nonnull(strstr(e.msg, "request 0 recomputed more than"));
		}
		fx_free(&f);
	}
}
END_TEST

/* Chunked: a 250-token prompt under a 100-token budget is admitted on its
 * first chunk and grown by each later one (the policy holds 100, 200, 250
 * tokens), and emits its first token only when the last chunk lands. */
START_TEST(chunks_grow_the_policy)
{
	struct fixture f;
	fx_init(&f, 1000, "scheduler.max_batched_tokens=100");
	struct om_err e;
	f.r[0].prompt_tokens = 250;
	ck_assert_int_eq(sched_arrive(&f.s, &f.r[0], 0), 1);
	const int64_t held[] = { 100, 200, 250 };
	int64_t now = 0;
	for (int it = 0; it < 3; it++) {
		int64_t d = sched_begin(&f.s, now, NULL);
		ck_assert_int_gt(d, 0);
		ck_assert_int_eq(f.pol.used, held[it]);
		ck_assert_int_eq(f.r[0].ctx, held[it]);
		ck_assert_int_eq(f.r[0].partial, it < 2);
		ck_assert_int_eq(sched_check(&f.s, &e), 0);
		ck_assert_int_eq(sched_may_leap(&f.s) && it < 2, false);
		now += d;
		sched_end(&f.s, now, NULL, NULL);
		sched_sync(&f.s);
		ck_assert_int_eq(f.r[0].generated, it == 2 ? 1 : 0);
		ck_assert_int_eq(f.r[0].first_token_ns, it == 2 ? now : -1);
	}
	fx_free(&f);
}
END_TEST

/* Chunked: a prompt bigger than the whole pool fits its first chunk; the
 * grow that follows fails with nothing else running, so it is re-admitted
 * asking for its whole context at once (not on a first chunk forever), which
 * an empty pool refuses: never_fits, in the same iteration. */
START_TEST(chunked_never_fits_alone)
{
	struct fixture f;
	fx_init(&f, 150, "scheduler.max_batched_tokens=100");
	f.r[0].prompt_tokens = 250;
	ck_assert_int_eq(sched_arrive(&f.s, &f.r[0], 0), 1);
	int64_t d = sched_begin(&f.s, 0, NULL);
	ck_assert_int_gt(d, 0);
	sched_end(&f.s, d, NULL, NULL);
	ck_assert_int_eq(sched_begin(&f.s, d, NULL), 0);
	ck_assert_int_eq(f.r[0].state, RS_REJECTED);
	ck_assert_int_eq(f.s.st.rejected[REJ_NEVER_FITS], 1);
	ck_assert_int_eq(f.pol.used, 0);
	ck_assert_int_eq(sched_waiting(&f.s) + sched_running(&f.s), 0);
	fx_free(&f);
}
END_TEST

/* sched_check catches a corrupted live-token count and names the invariant. */
START_TEST(sched_check_catches_corruption)
{
	struct fixture f;
	fx_init(&f, 1000, NULL);
	struct om_err e;
	f.r[0].prompt_tokens = 10;
	f.r[1].prompt_tokens = 20;
	sched_arrive(&f.s, &f.r[0], 0);
	sched_arrive(&f.s, &f.r[1], 0);
	ck_assert_int_gt(sched_begin(&f.s, 0, NULL), 0);
	ck_assert_int_eq(sched_check(&f.s, &e), 0);
	f.s.live_tokens += 1;
	ck_assert_int_eq(sched_check(&f.s, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "INV-12: live_tokens"));
	fx_free(&f);
}
END_TEST

/* every request finishes with its first token */
static int64_t one_token(void *ctx, const struct sim_req *r)
{
	(void)ctx, (void)r;
	return 1;
}

/* The wait queue starts small and grows while its ring has wrapped past its
 * end: the requests must still come out first come, first served. */
START_TEST(wait_queue_grows_in_order)
{
	enum {
		N = 3000,
		FIRST = 1000,
		MORE = 1500
	};
	struct fixture f;
	fx_init(&f, 12, NULL);
	sched_free(&f.s);
	struct sched_params sp;
	sched_params_read(f.c, &sp);
	struct om_err e;
	struct sim_req *r = calloc(N, sizeof *r);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(sched_init(&f.s, &sp, &tight_ops, &f.pol, &f.dt, r, N, &e), 0);
	sched_set_finish(&f.s, one_token, NULL);
	for (int i = 0; i < N; i++) {
		r[i] = (struct sim_req){ .id = i, .prompt_tokens = 10 };
		r[i].max_output = 1000;
		r[i].first_admit_ns = r[i].first_token_ns = r[i].finish_ns = -1;
	}
	for (int i = 0; i < FIRST; i++)
		ck_assert_int_eq(sched_arrive(&f.s, &r[i], 0), 1);
	int64_t now = 0;
	for (int it = 0; it < 300; it++) { /* one fits at a time and finishes */
		int64_t d = sched_begin(&f.s, now, NULL);
		ck_assert_int_gt(d, 0);
		now += d;
		sched_end(&f.s, now, NULL, NULL);
	}
	size_t gone = FIRST - sched_waiting(&f.s);
	ck_assert_uint_gt(gone, 200); /* the ring's head moved well past 0 */
	for (int i = FIRST; i < FIRST + MORE; i++)
		ck_assert_int_eq(sched_arrive(&f.s, &r[i], now), 1);
	ck_assert_uint_eq(sched_waiting(&f.s), FIRST + MORE - gone);
	for (size_t i = 0; i < sched_waiting(&f.s); i++)
		ck_assert_int_eq(sched_waiting_at(&f.s, i)->id, (int64_t)(gone + i));
	ck_assert_int_eq(sched_check(&f.s, &e), 0);
	free(r);
	fx_free(&f);
}
END_TEST

/* The engine's word on when each request finishes, and how often it was
 * asked (once per admission). */
struct finish_word {
	int32_t target[4];
	int asked;
};

static int64_t word_finish_in(void *ctx, const struct sim_req *r)
{
	struct finish_word *w = ctx;
	w->asked++;
	return w->target[r->id] - r->generated;
}

/* Each request finishes after the engine's number of tokens or at its
 * visible cap, whichever comes first; the word is asked once, as it starts
 * running, not per iteration. */
START_TEST(finish_word_asked_once_per_admission)
{
	struct fixture f;
	fx_init(&f, 1000, NULL);
	struct finish_word w = { { 3, 50, 1, 7 }, 0 };
	sched_set_finish(&f.s, word_finish_in, &w);
	struct om_err e;
	f.r[1].max_output = 5; /* its cap comes before the engine's word */
	for (int i = 0; i < 4; i++) {
		f.r[i].prompt_tokens = 10 + i;
		ck_assert_int_eq(sched_arrive(&f.s, &f.r[i], 0), 1);
	}
	int64_t now = 0;
	int iterations = 0;
	while (sched_running(&f.s) || sched_waiting(&f.s)) {
		int64_t d = sched_begin(&f.s, now, NULL);
		ck_assert_int_gt(d, 0);
		ck_assert_int_eq(sched_check(&f.s, &e), 0);
		now += d;
		sched_end(&f.s, now, NULL, NULL);
		iterations++;
	}
	int want[4] = { 3, 5, 1, 7 };
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(f.r[i].state, RS_FINISHED);
		ck_assert_int_eq(f.r[i].generated, want[i]);
	}
	ck_assert_int_eq(w.asked, 4);
	ck_assert_int_eq(iterations, 7);
	fx_free(&f);
}
END_TEST

Suite *tu_suite(void)
{
	Suite *s = suite_create("robust");
	TCase *tc = tu_case(s, every_policy_with_checks, offline_arrivals_run,
			    never_fits_is_counted, stall_guard_names_request,
			    self_preemption_does_not_idle, explain_recompute_over_budget,
			    recomputed_tokens_overflow_is_an_error, sched_check_catches_corruption,
			    every_policy_long_prompts_chunked, chunks_grow_the_policy,
			    chunked_never_fits_alone, wait_queue_grows_in_order,
			    finish_word_asked_once_per_admission);
	tcase_set_timeout(tc, 300);
	return s;
}
