#include "sim/core/report.h"

#include <stdlib.h>
#include <string.h>

#include "common/csvw.h"
#include "common/jsonw.h"
#include "common/outdir.h"
#include "sim/core/odma_tune.h"
#include "sim/core/sumfield.h"

/* Both summary files come from the one field list (sumfield), so they can
 * never disagree with each other or with compare and capacity. */
static void write_summary_json(FILE *f, const struct sf_src *src)
{
	struct jw w;
	jw_init(&w, f);
	jw_obj_begin(&w, NULL);
	for (size_t i = 0; i < sf_count; i++) {
		const struct sumfield *x = &sf_fields[i];
		struct sf_val v = sf_value(x, src);
		if (x->kind == SF_STR)
			jw_str(&w, x->name, v.s);
		else if (x->kind == SF_INT && v.none)
			jw_str(&w, x->name, NULL); /* null */
		else if (x->kind == SF_INT)
			jw_int(&w, x->name, (long long)v.i);
		else
			jw_real(&w, x->name, v.d, 'g', 9);
	}
	jw_obj_end(&w);
	jw_finish(&w);
}

static void write_summary_csv(FILE *f, const struct sf_src *src)
{
	for (size_t i = 0; i < sf_count; i++)
		csvw_cell(f, sf_fields[i].name, i + 1 == sf_count);
	for (size_t i = 0; i < sf_count; i++) {
		char buf[64];
		struct sf_val v = sf_value(&sf_fields[i], src);
		csvw_cell(f, sf_format(&sf_fields[i], &v, buf, sizeof buf), i + 1 == sf_count);
	}
}

/* requests.csv dominates output time on big runs, and printf's float path
 * is slow: times are integer ns, so they are printed exactly as seconds with
 * nine decimals by integer arithmetic. An empty field marks "never happened". This is the
 * one CSV not written through csvw: its fields are numbers and fixed status
 * names, which never need quoting, and 300k rows take 0.19 s this way against
 * 0.55 s through printf (measured 2026-11). */
static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324"
				     "25262728293031323334353637383940414243444546474849"
				     "50515253545556575859606162636465666768697071727374"
				     "75767778798081828384858687888990919293949596979899";

/* Two digits at a time, right to left: half the divisions; the length
 * first, by comparisons, so the digits land in place. */
static char *put_u(char *p, uint64_t v)
{
	int n = 1;
	for (uint64_t t = 10; n < 20 && v >= t; t *= 10)
		n++;
	char *e = p + n;
	while (v >= 100) {
		unsigned d = (unsigned)(v % 100) * 2;
		v /= 100;
		*--e = digit_pairs[d + 1];
		*--e = digit_pairs[d];
	}
	if (v >= 10) {
		*--e = digit_pairs[v * 2 + 1];
		*--e = digit_pairs[v * 2];
	} else {
		*--e = (char)('0' + v);
	}
	return p + n;
}

static char *put_i(char *p, int64_t v)
{
	if (v < 0) {
		*p++ = '-';
		return put_u(p, (uint64_t)(-(v + 1)) + 1);
	}
	return put_u(p, (uint64_t)v);
}

/* A count that may not exist (negative): empty field. */
static char *put_opt(char *p, int64_t v)
{
	return v < 0 ? p : put_i(p, v);
}

/* four digits of v < 10000 at p, as two pairs */
static void put4(char *p, uint32_t v)
{
	uint32_t hi = v / 100, lo = v - hi * 100;
	memcpy(p, digit_pairs + 2 * hi, 2);
	memcpy(p + 2, digit_pairs + 2 * lo, 2);
}

static char *put_s(char *p, int64_t ns)
{
	if (ns < 0)
		return p; /* never happened: an empty field */
	uint64_t sec = (uint64_t)ns / 1000000000u;
	uint32_t frac = (uint32_t)((uint64_t)ns - sec * 1000000000u);
	p = put_u(p, sec);
	*p++ = '.';
	/* nine digits in 32 bits: one, then two groups of four */
	uint32_t hi = frac / 10000, lo = frac - hi * 10000; /* hi < 100000 */
	uint32_t top = hi / 10000;
	p[0] = (char)('0' + top);
	put4(p + 1, hi - top * 10000);
	put4(p + 5, lo);
	return p + 9;
}

static char *put_str(char *p, const char *s)
{
	size_t n = strlen(s);
	memcpy(p, s, n);
	return p + n;
}

void report_request_rows(FILE *f, const struct sim_req *reqs, const int32_t *replica, size_t from,
			 size_t to)
{
	if (from == 0)
		fprintf(f,
			"id,arrival_s,prompt_tokens,generated_tokens,status,first_admit_s,"
			"first_token_s,finish_s,ttft_s,tpot_s,e2e_s,preemptions,recomputed_tokens,"
			"predicted_tokens,pred_bucket,reserved_peak_tokens,overflows,relocations,"
			"replica\n");
	/* lines gathered into blocks: one fwrite per block, not per line */
	char block[65536];
	char *line = block;
	for (size_t i = from; i < to; i++) {
		if (line > block + sizeof block - 512) {
			fwrite(block, 1, (size_t)(line - block), f);
			line = block;
		}
		const struct sim_req *q = &reqs[i];
		bool done = q->state == RS_FINISHED;
		const char *status = done	  ? "finished"
			: q->state == RS_REJECTED ? sched_reject_names[q->reject_reason]
						  : "unfinished";
		int64_t ttft = q->first_token_ns >= 0 ? q->first_token_ns - q->arrival_ns : -1;
		int64_t e2e = done ? q->finish_ns - q->arrival_ns : -1;
		/* TPOT rounded to the nearest ns */
		int64_t tpot = done && q->generated > 1
			? ((q->finish_ns - q->first_token_ns) * 2 / (q->generated - 1) + 1) / 2
			: -1;
		char *p = line;
		p = put_i(p, q->id), *p++ = ',';
		p = put_s(p, q->arrival_ns), *p++ = ',';
		p = put_i(p, q->prompt_tokens), *p++ = ',';
		p = put_i(p, q->generated), *p++ = ',';
		p = put_str(p, status), *p++ = ',';
		p = put_s(p, q->first_admit_ns), *p++ = ',';
		p = put_s(p, q->first_token_ns), *p++ = ',';
		p = put_s(p, q->finish_ns), *p++ = ',';
		p = put_s(p, ttft), *p++ = ',';
		p = put_s(p, tpot), *p++ = ',';
		p = put_s(p, e2e), *p++ = ',';
		p = put_i(p, q->preemptions), *p++ = ',';
		p = put_i(p, q->recomputed_tokens), *p++ = ',';
		p = put_opt(p, q->predicted_len), *p++ = ',';
		p = put_opt(p, q->pred_bucket), *p++ = ',';
		p = put_i(p, q->reserved_peak), *p++ = ',';
		p = put_i(p, q->overflows), *p++ = ',';
		p = put_i(p, q->relocations), *p++ = ',';
		p = put_opt(p, req_replica(reqs, replica, i)), *p++ = '\n';
		line = p;
	}
	if (line > block)
		fwrite(block, 1, (size_t)(line - block), f);
}

static void write_requests(FILE *f, const struct run_result *r)
{
	report_request_rows(f, r->reqs, r->replica, 0, r->n);
}

static void write_util(FILE *f, const struct run_result *r)
{
	fprintf(f, "t_s,util_reserved,util_live,running_mean,waiting_mean,overflows\n");
	/* one line at a time, numbers by csvw_fixed: printf's bytes at a
	 * fraction of its cost (a long series has millions of rows) */
	char line[5 * CSVW_FIXED_MAX + 32];
	for (size_t i = 0; i < r->met.n_series; i++) {
		struct met_row w = met_row(&r->met, i), *s = &w;
		char *p = line;
		p = csvw_fixed(p, s->t_s, 6), *p++ = ',';
		p = csvw_fixed(p, s->util_reserved, 6), *p++ = ',';
		p = csvw_fixed(p, s->util_live, 6), *p++ = ',';
		p = csvw_fixed(p, s->running, 3), *p++ = ',';
		p = csvw_fixed(p, s->waiting, 3), *p++ = ',';
		p = put_i(p, s->overflows), *p++ = '\n';
		fwrite(line, 1, (size_t)(p - line), f);
	}
}

static int emit(struct outdir *o, const char *name, struct om_err *e,
		void (*fn)(FILE *, const void *), const void *arg)
{
	FILE *f = outdir_open(o, name, e);
	if (!f)
		return -1;
	fn(f, arg);
	return outdir_close(o, f, name, e);
}

static void emit_json(FILE *f, const void *a)
{
	write_summary_json(f, a);
}

static void emit_csv(FILE *f, const void *a)
{
	write_summary_csv(f, a);
}

static void emit_cfg(FILE *f, const void *a)
{
	fprintf(f,
		"; effective configuration written by odmasim; rerun with `odmasim run config.ini`\n");
	cfg_write(a, f);
}

static void emit_req(FILE *f, const void *a)
{
	write_requests(f, a);
}

static void emit_util(FILE *f, const void *a)
{
	write_util(f, a);
}

static void emit_text(FILE *f, const void *a)
{
	fputs(a, f);
}

/* requests.csv: rows, an unnamed file that holds it whole, is linked into
 * place; without one (or where it cannot be linked) it is written now. */
static int emit_requests(struct outdir *o, const struct run_result *r, FILE **rows,
			 struct om_err *e)
{
	int rc = 1;
	if (*rows) {
		rc = outdir_adopt(o, *rows, "requests.csv", e);
		*rows = NULL;
	}
	return rc <= 0 ? rc : emit(o, "requests.csv", e, emit_req, r);
}

int report_write(const char *dir, const struct cfg *c, const struct wl_trace *t,
		 const struct run_result *r, struct om_err *e)
{
	return report_write_rows(dir, c, t, r, NULL, e);
}

int report_write_rows(const char *dir, const struct cfg *c, const struct wl_trace *t,
		      const struct run_result *r, FILE *rows, struct om_err *e)
{
	struct sf_src sa = { c, t, r };
	struct outdir o;
	int rc = outdir_begin(&o, dir, e);
	if (rc == 0
	    && (emit(&o, "config.ini", e, emit_cfg, c) < 0
		|| (cfg_bool(c, "run.requests_csv") && emit_requests(&o, r, &rows, e) < 0)
		|| emit(&o, "util.csv", e, emit_util, r) < 0
		|| (r->pol_series && emit(&o, r->pol_series_file, e, emit_text, r->pol_series) < 0)
		|| emit(&o, "summary.csv", e, emit_csv, &sa) < 0
		|| emit(&o, "summary.json", e, emit_json, &sa) < 0 || outdir_commit(&o, e) < 0)) {
		outdir_abort(&o);
		rc = -1;
	}
	if (rows) /* a failure came first: it is never linked */
		fclose(rows);
	return rc;
}

void report_print(FILE *f, const struct cfg *c, const struct wl_trace *t,
		  const struct run_result *r)
{
	const struct summary *s = &r->sum;
	long long cards = (long long)cfg_int(c, "cluster.devices");
	fprintf(f, "odmasim: %s | %s on %lld x %s | %s, %lld requests\n", r->policy, r->dt.m.name,
		cards, r->dt.d.name, t->source, (long long)s->requests_total);
	fprintf(f, "  workload       %s%s%s, arrivals: %s%s\n",
		t->format[0] ? t->format : "built-in", t->format[0] ? " trace" : " synthetic",
		t->has_arrivals ? " with timestamps" : "", t->arrival,
		strcmp(t->arrival, "poisson") && strcmp(t->arrival, "gamma") ? ""
									     : " at workload.rate");
	char pl[160];
	if (odma_tune_describe(c, pl, sizeof pl))
		fprintf(f, "  predictor      %s\n", pl);
	fprintf(f, "  KV pool        %.2f GiB per instance x %zu = %lld tokens in all\n",
		r->dt.dd.pool_bytes / 1073741824.0, r->instances, (long long)s->pool_tokens);
	fprintf(f, "  completed      %lld (rejected %lld) in %.2f s simulated\n",
		(long long)s->requests_completed, (long long)s->requests_rejected, s->span_s);
	fprintf(f, "  throughput     %.3f req/s   %.1f gen tok/s   %.1f total tok/s\n", s->rps,
		s->tps_generated, s->tps_total);
	fprintf(f,
		"  memory util    reserved %.1f%%   live %.1f%%   packing (live/reserved) %.1f%%\n",
		100 * s->util_reserved, 100 * s->util_live, 100 * s->util_packing);
	fprintf(f, "  latency p50/p99 TTFT %.3f/%.3f s   TPOT %.4f/%.4f s   e2e %.2f/%.2f s\n",
		s->ttft_p50_s, s->ttft_p99_s, s->tpot_p50_s, s->tpot_p99_s, s->e2e_p50_s,
		s->e2e_p99_s);
	fprintf(f, "  batch          mean %.1f over %lld iterations; preemptions %lld\n",
		s->batch_mean, (long long)s->iterations, (long long)s->preemptions);
	if (s->overflows || s->relocations || s->safety_occupancy > 0 || s->large_bucket_share > 0)
		fprintf(f,
			"  allocation     overflows %lld   relocations %lld (%.1f MiB)   "
			"large bucket %.1f%%   safety pool %.1f%%\n",
			(long long)s->overflows, (long long)s->relocations,
			(double)s->relocated_bytes / 1048576.0, 100 * s->large_bucket_share,
			100 * s->safety_occupancy);
	fprintf(f, "  fragmentation  internal %.1f%% of pool   external %.1f%% of free\n",
		100 * s->frag_internal, 100 * s->frag_external);
	fprintf(f, "  KV reads       %.3f ms/iteration at %.1f GB/s, mean run %.0f B\n",
		s->kv_ms_per_iter, s->kv_gbps, s->kv_run_bytes_mean);
}
