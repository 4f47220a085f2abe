#include "sim/core/report.h"

#include <stdlib.h>
#include <string.h>

#include "common/outdir.h"

enum fkind {
	F_STR,
	F_INT,
	F_REAL
};

struct field {
	const char *name;
	enum fkind kind;
	const char *s;
	int64_t i;
	double d;
};

#define FS(n, v)                  \
	(struct field)            \
	{                         \
		n, F_STR, v, 0, 0 \
	}
#define FI(n, v)                                \
	(struct field)                          \
	{                                       \
		n, F_INT, NULL, (int64_t)(v), 0 \
	}
#define FD(n, v)                                \
	(struct field)                          \
	{                                       \
		n, F_REAL, NULL, 0, (double)(v) \
	}

#define MAX_FIELDS 64

/* One list feeds both summary files, so they can never disagree. */
static size_t summary_fields(const struct cfg *c, const struct wl_trace *t,
			     const struct run_result *r, struct field *f)
{
	const struct summary *s = &r->sum;
	size_t n = 0;
	f[n++] = FS("policy", r->policy);
	f[n++] = FS("device", r->dt.d.name);
	f[n++] = FS("model", r->dt.m.name);
	f[n++] = FI("devices", cfg_int(c, "cluster.devices"));
	f[n++] = FS("cluster_mode", cfg_str(c, "cluster.mode"));
	f[n++] = FI("instances", r->instances);
	f[n++] = FS("workload", t->source);
	f[n++] = FS("arrival", cfg_str(c, "workload.arrival"));
	f[n++] = FI("seed", cfg_int(c, "workload.seed"));
	f[n++] = FI("requests_total", s->requests_total);
	f[n++] = FI("requests_completed", s->requests_completed);
	f[n++] = FI("requests_rejected", s->requests_rejected);
	f[n++] = FI("rejected_prompt_too_long", s->rejected[REJ_PROMPT_TOO_LONG]);
	f[n++] = FI("rejected_prompt_over_batch", s->rejected[REJ_PROMPT_OVER_BATCH]);
	f[n++] = FI("rejected_never_fits", s->rejected[REJ_NEVER_FITS]);
	f[n++] = FI("prompt_tokens", s->prompt_tokens);
	f[n++] = FI("generated_tokens", s->generated_tokens);
	f[n++] = FD("rps", s->rps);
	f[n++] = FD("tps_generated", s->tps_generated);
	f[n++] = FD("tps_total", s->tps_total);
	f[n++] = FD("util_reserved", s->util_reserved);
	f[n++] = FD("util_live", s->util_live);
	f[n++] = FD("util_packing", s->util_packing);
	f[n++] = FD("ttft_p50_s", s->ttft_p50_s);
	f[n++] = FD("ttft_p90_s", s->ttft_p90_s);
	f[n++] = FD("ttft_p99_s", s->ttft_p99_s);
	f[n++] = FD("tpot_p50_s", s->tpot_p50_s);
	f[n++] = FD("tpot_p90_s", s->tpot_p90_s);
	f[n++] = FD("tpot_p99_s", s->tpot_p99_s);
	f[n++] = FD("e2e_p50_s", s->e2e_p50_s);
	f[n++] = FD("e2e_p90_s", s->e2e_p90_s);
	f[n++] = FD("e2e_p99_s", s->e2e_p99_s);
	f[n++] = FD("queue_p50_s", s->queue_p50_s);
	f[n++] = FD("queue_p90_s", s->queue_p90_s);
	f[n++] = FD("queue_p99_s", s->queue_p99_s);
	f[n++] = FI("preemptions", s->preemptions);
	f[n++] = FI("recomputed_tokens", s->recomputed_tokens);
	f[n++] = FI("overflows", s->overflows);
	f[n++] = FI("relocations", s->relocations);
	f[n++] = FI("relocated_bytes", s->relocated_bytes);
	f[n++] = FD("frag_internal", s->frag_internal);
	f[n++] = FD("frag_external", s->frag_external);
	f[n++] = FD("safety_occupancy", s->safety_occupancy);
	f[n++] = FD("large_bucket_share", s->large_bucket_share);
	f[n++] = FI("iterations", s->iterations);
	f[n++] = FD("batch_mean", s->batch_mean);
	f[n++] = FD("running_mean", s->running_mean);
	f[n++] = FD("kv_ms_per_iter", s->kv_ms_per_iter);
	f[n++] = FD("kv_gbps", s->kv_gbps);
	f[n++] = FD("kv_run_bytes_mean", s->kv_run_bytes_mean);
	f[n++] = FI("kv_pool_tokens", s->pool_tokens);
	f[n++] = FD("kv_pool_gib", r->dt.dd.pool_bytes / 1073741824.0);
	f[n++] = FD("span_s", s->span_s);
	f[n++] = FD("sim_time_s", s->sim_time_s);
	return n;
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void csv_str(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void put_val(FILE *f, const struct field *x, bool json)
{
	switch (x->kind) {
	case F_STR:
		if (json)
			json_str(f, x->s);
		else
			csv_str(f, x->s);
		break;
	case F_INT:
		fprintf(f, "%lld", (long long)x->i);
		break;
	case F_REAL:
		fprintf(f, "%.9g", x->d);
		break;
	}
}

static void write_summary_json(FILE *f, const struct field *x, size_t n)
{
	fprintf(f, "{\n");
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "  \"%s\": ", x[i].name);
		put_val(f, &x[i], true);
		fprintf(f, "%s\n", i + 1 < n ? "," : "");
	}
	fprintf(f, "}\n");
}

static void write_summary_csv(FILE *f, const struct field *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%s", x[i].name, i + 1 < n ? "," : "\n");
	for (size_t i = 0; i < n; i++) {
		put_val(f, &x[i], false);
		fputs(i + 1 < n ? "," : "\n", f);
	}
}

/* requests.csv dominates output time on big runs, and printf's float path
 * is slow: times are integer ns, so they are printed exactly as seconds with
 * nine decimals by integer arithmetic. -1 marks "never happened". */
static char *put_u(char *p, uint64_t v)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static char *put_i(char *p, int64_t v)
{
	if (v < 0) {
		*p++ = '-';
		return put_u(p, (uint64_t)(-(v + 1)) + 1);
	}
	return put_u(p, (uint64_t)v);
}

static char *put_s(char *p, int64_t ns)
{
	if (ns < 0) {
		memcpy(p, "-1", 2);
		return p + 2;
	}
	p = put_u(p, (uint64_t)(ns / 1000000000));
	*p++ = '.';
	int64_t frac = ns % 1000000000;
	/* right to left: division by the constant 10 is a multiply */
	for (int k = 8; k >= 0; k--, frac /= 10)
		p[k] = (char)('0' + frac % 10);
	return p + 9;
}

static char *put_str(char *p, const char *s)
{
	size_t n = strlen(s);
	memcpy(p, s, n);
	return p + n;
}

static void write_requests(FILE *f, const struct run_result *r)
{
	fprintf(f,
		"id,arrival_s,prompt_tokens,generated_tokens,status,first_admit_s,"
		"first_token_s,finish_s,ttft_s,tpot_s,e2e_s,preemptions,recomputed_tokens\n");
	char line[512];
	for (size_t i = 0; i < r->n; i++) {
		const struct sim_req *q = &r->reqs[i];
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
		p = put_i(p, q->recomputed_tokens), *p++ = '\n';
		fwrite(line, 1, (size_t)(p - line), f);
	}
}

static void write_util(FILE *f, const struct run_result *r)
{
	fprintf(f, "t_s,util_reserved,util_live,running_mean,waiting_mean,overflows\n");
	for (size_t i = 0; i < r->met.n_series; i++) {
		const struct met_sample *s = &r->met.series[i];
		fprintf(f, "%.6f,%.6f,%.6f,%.3f,%.3f,%lld\n", s->t_s, s->util_reserved,
			s->util_live, s->running, s->waiting, (long long)s->overflows);
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

struct sum_arg {
	const struct field *x;
	size_t n;
};

static void emit_json(FILE *f, const void *a)
{
	const struct sum_arg *s = a;
	write_summary_json(f, s->x, s->n);
}

static void emit_csv(FILE *f, const void *a)
{
	const struct sum_arg *s = a;
	write_summary_csv(f, s->x, s->n);
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

int report_write(const char *dir, const struct cfg *c, const struct wl_trace *t,
		 const struct run_result *r, struct om_err *e)
{
	struct field x[MAX_FIELDS];
	struct sum_arg sa = { x, summary_fields(c, t, r, x) };
	struct outdir o;
	if (outdir_begin(&o, dir, e) < 0)
		return -1;
	if (emit(&o, "config.ini", e, emit_cfg, c) < 0
	    || (cfg_bool(c, "run.requests_csv") && emit(&o, "requests.csv", e, emit_req, r) < 0)
	    || emit(&o, "util.csv", e, emit_util, r) < 0
	    || (r->pol_series && emit(&o, r->pol_series_file, e, emit_text, r->pol_series) < 0)
	    || emit(&o, "summary.csv", e, emit_csv, &sa) < 0
	    || emit(&o, "summary.json", e, emit_json, &sa) < 0 || outdir_commit(&o, e) < 0) {
		outdir_abort(&o);
		return -1;
	}
	return 0;
}

void report_print(FILE *f, const struct cfg *c, const struct wl_trace *t,
		  const struct run_result *r)
{
	const struct summary *s = &r->sum;
	(void)c;
	fprintf(f, "odmasim: %s | %s on %s | %s, %lld requests\n", r->policy, r->dt.m.name,
		r->dt.d.name, t->source, (long long)s->requests_total);
	fprintf(f, "  KV pool        %.2f GiB = %lld tokens\n", r->dt.dd.pool_bytes / 1073741824.0,
		(long long)s->pool_tokens);
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
