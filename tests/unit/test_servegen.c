/* servegen: a ServeGen-style workload from small hand-written rate and length
 * tables: top:N picks the busiest clients over the span, arrivals fall in the
 * span at about the scaled rate, lengths come from the client's pmf, the
 * result is seeded, and comonotone draws keep input and output in rank. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/tu.h"
#include "workload/servegen.h"

static const char rates[] = "client,t_s,rate_rps,cv,iat_dist,iat_shape,iat_scale\n"
			    "0,0,2.0,1.0,Gamma,1.0,0.5\n"
			    "0,600,2.0,2.0,Weibull,0.6,0.3\n"
			    "1,0,5.0,1.0,,,\n"
			    "1,600,0.0,0.0,,,\n"
			    "2,0,0.5,1.0,Gamma,0.5,4.0\n";
static const char lengths[] = "client,window_s,field,value,prob\n"
			      "0,0,input_tokens,10,0.5\n0,0,input_tokens,20,0.5\n"
			      "0,0,output_tokens,100,0.5\n0,0,output_tokens,200,0.5\n"
			      "0,0,reason_ratio,0.5,1\n"
			      "1,0,input_tokens,30,1\n1,0,output_tokens,300,0.25\n"
			      "1,0,output_tokens,400,0.75\n"
			      "2,0,input_tokens,5,1\n2,0,output_tokens,7,1\n";

static void build(const char *clients, const char *corr, const char *rp, const char *lp,
		  struct wl_trace *t)
{
	char a[64], b[64], r[4200], l[4200];
	snprintf(a, sizeof a, "workload.servegen_clients=%s", clients);
	snprintf(b, sizeof b, "workload.servegen_lengths_corr=%s", corr);
	snprintf(r, sizeof r, "workload.servegen_rates=%s", rp);
	snprintf(l, sizeof l, "workload.servegen_lengths=%s", lp);
	const char *sets[] = { a, b, r, l, "workload.servegen_span_s=1200" };
	struct cfg *c = tu_cfg(sets, 5);
	struct om_err e = { "" };
	trace_init(t);
	ck_assert_msg(servegen_build(c, t, &e) == 0, "%s", e.msg);
	cfg_free(c);
}

START_TEST(servegen_clients_arrivals_lengths)
{
	char rp[TU_PATH], lp[TU_PATH];
	tu_write_temp(rp, rates);
	tu_write_temp(lp, lengths);
	struct wl_trace t, u;
	build("top:1", "independent", rp, lp, &t);
	/* over [0, 1200): client 0 sums 4 req/s, client 1 5 req/s: top:1 is client 1 */
	ck_assert(t.n > 2500 && t.n < 3500); /* 5 req/s for 600 s, then silent */
	for (size_t i = 0; i < t.n; i++) {
		ck_assert(t.req[i].arrival_ns >= 0 && t.req[i].arrival_ns < 600000000000LL);
		ck_assert_int_eq(t.req[i].prompt_tokens, 30);
		ck_assert(t.out_tokens[i] == 300 || t.out_tokens[i] == 400);
	}
	build("top:1", "independent", rp, lp, &u);
	ck_assert_int_eq(t.n, u.n);
	ck_assert(memcmp(t.out_tokens, u.out_tokens, t.n * sizeof *t.out_tokens) == 0);
	trace_free(&t);
	trace_free(&u);
	build("0", "comonotone", rp, lp, &t); /* Gamma then Weibull windows, 2 req/s */
	ck_assert(t.n > 1800 && t.n < 3000);
	for (size_t i = 0; i < t.n; i++)
		ck_assert_int_eq(t.out_tokens[i], t.req[i].prompt_tokens == 10 ? 100 : 200);
	trace_free(&t);
	unlink(rp);
	unlink(lp);
}
END_TEST

START_TEST(servegen_refuses_bad_rows_and_specs)
{
	char rp[TU_PATH], lp[TU_PATH], ep[TU_PATH];
	tu_write_temp(rp, "client,t_s,rate_rps,cv,iat_dist,iat_shape,iat_scale\n0,0,x,1,,,\n");
	tu_write_temp(ep, ""); /* empty: the spec is refused before any row is read */
	tu_write_temp(lp, lengths);
	const char *bad[][2] = { { "0", "rate" }, { "top:0", "top:N" }, { "7,x", "client ids" } };
	for (int k = 0; k < 3; k++) {
		char a[64], r[4200], l[4200];
		snprintf(a, sizeof a, "workload.servegen_clients=%s", bad[k][0]);
		snprintf(r, sizeof r, "workload.servegen_rates=%s", k ? ep : rp);
		snprintf(l, sizeof l, "workload.servegen_lengths=%s", lp);
		const char *sets[] = { a, r, l };
		struct cfg *c = tu_cfg(sets, 3);
		struct wl_trace t;
		trace_init(&t);
		struct om_err e = { "" };
		ck_assert_int_eq(servegen_build(c, &t, &e), -1);
		ck_assert_msg(k ? strstr(e.msg, bad[k][1]) != NULL : strstr(e.msg, ":2") != NULL,
			      "case %d: %s", k, e.msg);
		trace_free(&t);
		cfg_free(c);
	}
	unlink(rp);
	unlink(lp);
	unlink(ep);
}
END_TEST

Suite *tu_suite(void)
{
	return tu_suite_of("servegen", servegen_clients_arrivals_lengths,
			   servegen_refuses_bad_rows_and_specs);
}
