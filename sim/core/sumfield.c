#include "sim/core/sumfield.h"

#include "common/buildinfo.h"
#include "sim/core/odma_tune.h"
#include "sim/core/slo.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static struct sf_val v_str(const char *s)
{
	return (struct sf_val){ .s = s };
}

static struct sf_val v_int(int64_t i)
{
	return (struct sf_val){ .i = i };
}

static struct sf_val g_policy(const struct sf_src *x)
{
	return v_str(x->r->policy);
}

static struct sf_val g_device(const struct sf_src *x)
{
	return v_str(x->r->dt.d.name);
}

static struct sf_val g_model(const struct sf_src *x)
{
	return v_str(x->r->dt.m.name);
}

static struct sf_val g_devices(const struct sf_src *x)
{
	return v_int(cfg_int(x->c, "cluster.devices"));
}

static struct sf_val g_cluster_mode(const struct sf_src *x)
{
	return v_str(cfg_str(x->c, "cluster.mode"));
}

static struct sf_val g_instances(const struct sf_src *x)
{
	return v_int((int64_t)x->r->instances);
}

static struct sf_val g_workload(const struct sf_src *x)
{
	return v_str(x->t->source);
}

static struct sf_val g_arrival(const struct sf_src *x)
{
	/* the process that ran: workload.arrival = auto resolved */
	return v_str(x->t->arrival[0] ? x->t->arrival : cfg_str(x->c, "workload.arrival"));
}

static struct sf_val g_output_model(const struct sf_src *x)
{
	return v_str(cfg_str(x->c, "workload.output_model"));
}

static struct sf_val g_seed(const struct sf_src *x)
{
	return v_int(cfg_int(x->c, "workload.seed"));
}

/* The values the predictor used: `auto` resolved or tuned (odma_tune.h). */
static struct sf_val g_pred_q(const struct sf_src *x)
{
	return (struct sf_val){ .d = cfg_real(x->c, "predictor.quantile") };
}

static struct sf_val g_pred_tau(const struct sf_src *x)
{
	return (struct sf_val){ .d = cfg_real(x->c, "predictor.uncertainty_threshold") };
}

static struct sf_val g_pred_tuned(const struct sf_src *x)
{
	return v_int(odma_tuned(x->c));
}

static struct sf_val g_pool_gib(const struct sf_src *x)
{
	return (struct sf_val){ .d = x->r->dt.dd.pool_bytes / 1073741824.0 };
}

/* Provenance, SLO and goodput: read from the run and its config, not the summary. */
static struct sf_val g_version(const struct sf_src *x)
{
	(void)x;
	return v_str(om_version);
}

static struct sf_val g_commit(const struct sf_src *x)
{
	(void)x;
	return v_str(om_git_commit);
}

static struct sf_val g_schema(const struct sf_src *x)
{
	(void)x;
	return v_int(SF_SCHEMA_VERSION);
}

/* run.slo judged on this run; false if it has none (checked at load). */
static bool slo_of(const struct sf_src *x, struct slo_run *out)
{
	struct cap_slo o;
	int have = 0;
	struct om_err e;
	if (slo_from_cfg(x->c, &o, &have, &e) < 0 || !have)
		return false;
	slo_judge(&o, x->r->reqs, x->r->n, &x->r->sum, out);
	return true;
}

static struct sf_val g_slo(const struct sf_src *x)
{
	return v_str(cfg_str(x->c, "run.slo"));
}

static struct sf_val g_slo_met(const struct sf_src *x)
{
	struct slo_run s;
	if (!slo_of(x, &s))
		return (struct sf_val){ .none = true };
	return v_int(s.violations == 0);
}

static struct sf_val g_slo_attainment(const struct sf_src *x)
{
	struct slo_run s;
	return (struct sf_val){ .d = slo_of(x, &s) ? s.attainment : NAN };
}

static struct sf_val g_goodput(const struct sf_src *x)
{
	struct slo_run s;
	return (struct sf_val){ .d = slo_of(x, &s) ? s.goodput_rps : NAN };
}

#define RUN(n, k, g, u, d)               \
	{                                \
		n, k, SF_NO_OFF, g, u, d \
	}
#define SUM(n, k, f, u, d)                                    \
	{                                                     \
		n, k, offsetof(struct summary, f), NULL, u, d \
	}
#define I(n, f, u, d) SUM(n, SF_INT, f, u, d)
#define R(n, f, u, d) SUM(n, SF_REAL, f, u, d)

/* Definitions in docs/MODEL.md; the order is the order of every output. */
const struct sumfield sf_fields[] = {
	/* provenance: which binary and field list wrote the row */
	RUN("odmasim_version", SF_STR, g_version, "", "version of the odmasim that wrote it"),
	RUN("git_commit", SF_STR, g_commit, "",
	    "commit it was built from (git describe; -dirty: uncommitted changes; unknown outside git)"),
	RUN("schema_version", SF_INT, g_schema, "", "version of this field list (docs/OUTPUTS.md)"),
	RUN("policy", SF_STR, g_policy, "", "allocation policy"),
	RUN("device", SF_STR, g_device, "", "device preset"),
	RUN("model", SF_STR, g_model, "", "model preset"),
	RUN("devices", SF_INT, g_devices, "", "cluster.devices"),
	RUN("cluster_mode", SF_STR, g_cluster_mode, "", "cluster.mode"),
	RUN("instances", SF_INT, g_instances, "", "serving instances"),
	RUN("workload", SF_STR, g_workload, "", "trace file or synthetic source"),
	RUN("arrival", SF_STR, g_arrival, "",
	    "arrival process that ran (workload.arrival, auto resolved)"),
	RUN("output_model", SF_STR, g_output_model, "",
	    "workload.output_model: reference, or think (an ASSUMPTION: reference + R1 thinking length)"),
	RUN("seed", SF_INT, g_seed, "", "workload.seed"),
	RUN("pred_quantile", SF_REAL, g_pred_q, "",
	    "predictor.quantile used (auto resolved; read by the odma and gbdt predictors)"),
	RUN("pred_uncertainty_threshold", SF_REAL, g_pred_tau, "",
	    "predictor.uncertainty_threshold (tau) used (auto resolved; read by odma and gbdt)"),
	RUN("pred_tuned", SF_INT, g_pred_tuned, "",
	    "1 if odma chose both on its validation slice (policy.odma_tune), else 0"),
	I("requests_total", requests_total, "", "requests in the workload"),
	I("requests_completed", requests_completed, "", "requests finished"),
	I("requests_rejected", requests_rejected, "", "requests rejected, all reasons"),
	I("rejected_prompt_too_long", rejected[REJ_PROMPT_TOO_LONG], "",
	  "prompt longer than max_model_len"),
	I("rejected_prompt_over_batch", rejected[REJ_PROMPT_OVER_BATCH], "",
	  "prompt over the batch token budget"),
	I("rejected_never_fits", rejected[REJ_NEVER_FITS], "", "could never fit the pool"),
	I("prompt_tokens", prompt_tokens, "tokens", "prompt tokens of completed requests"),
	I("generated_tokens", generated_tokens, "tokens", "output tokens of completed requests"),
	R("rps", rps, "1/s", "completed requests per second"),
	R("tps_generated", tps_generated, "tokens/s", "generated tokens per second"),
	R("tps_total", tps_total, "tokens/s", "prompt + generated tokens per second"),
	R("util_reserved", util_reserved, "", "time-weighted reserved KV / pool"),
	R("util_live", util_live, "", "time-weighted live KV / pool"),
	R("util_packing", util_packing, "", "live / reserved"),
	R("ttft_p50_s", ttft_p50_s, "s", "time to first token, median"),
	R("ttft_p90_s", ttft_p90_s, "s", "time to first token, p90"),
	R("ttft_p99_s", ttft_p99_s, "s", "time to first token, p99"),
	R("tpot_p50_s", tpot_p50_s, "s", "time per output token, median"),
	R("tpot_p90_s", tpot_p90_s, "s", "time per output token, p90"),
	R("tpot_p99_s", tpot_p99_s, "s", "time per output token, p99"),
	R("e2e_p50_s", e2e_p50_s, "s", "end-to-end latency, median"),
	R("e2e_p90_s", e2e_p90_s, "s", "end-to-end latency, p90"),
	R("e2e_p99_s", e2e_p99_s, "s", "end-to-end latency, p99"),
	R("queue_p50_s", queue_p50_s, "s", "arrival to first admission, median"),
	R("queue_p90_s", queue_p90_s, "s", "arrival to first admission, p90"),
	R("queue_p99_s", queue_p99_s, "s", "arrival to first admission, p99"),
	R("ttft_mean_s", ttft_mean_s, "s", "time to first token, mean"),
	R("tpot_mean_s", tpot_mean_s, "s", "time per output token, mean over requests"),
	R("e2e_mean_s", e2e_mean_s, "s", "end-to-end latency, mean"),
	R("queue_mean_s", queue_mean_s, "s", "arrival to first admission, mean"),
	R("itl_mean_s", itl_mean_s, "s", "inter-token latency, mean over all token gaps"),
	R("itl_p50_s", itl_p50_s, "s", "inter-token latency, median over all token gaps"),
	R("itl_p90_s", itl_p90_s, "s", "inter-token latency, p90 over all token gaps"),
	R("itl_p99_s", itl_p99_s, "s", "inter-token latency, p99 over all token gaps"),
	RUN("slo", SF_STR, g_slo, "", "run.slo as given; empty = none"),
	RUN("slo_met", SF_INT, g_slo_met, "", "1 if the run meets run.slo, else 0"),
	RUN("slo_attainment", SF_REAL, g_slo_attainment, "",
	    "requests finished within every latency bound of run.slo / requests"),
	RUN("goodput_rps", SF_REAL, g_goodput, "1/s",
	    "requests finished within every latency bound of run.slo per second of span_s"),
	I("preemptions", preemptions, "", "preemptions"),
	I("recomputed_tokens", recomputed_tokens, "tokens", "tokens recomputed after preemption"),
	I("overflows", overflows, "", "requests that outgrew their region"),
	I("relocations", relocations, "", "odma region moves"),
	I("relocated_bytes", relocated_bytes, "bytes", "KV bytes moved by relocations"),
	R("frag_internal", frag_internal, "", "reserved but not live / pool"),
	R("frag_external", frag_external, "", "1 - largest free range / free"),
	R("safety_occupancy", safety_occupancy, "", "safety pool held / safety pool"),
	R("large_bucket_share", large_bucket_share, "", "admissions given a max-size bucket"),
	R("util_packing_at_finish", util_packing_at_finish, "",
	  "completed: final context / largest region held"),
	R("reserved_tokens_mean", reserved_tokens_mean, "tokens",
	  "completed: mean largest region held"),
	I("no_room_admissions", no_room_admissions, "", "admissions refused for room"),
	R("frag_external_no_room", frag_external_no_room, "",
	  "1 - largest free range / free, at refused admissions"),
	I("iterations", iterations, "", "engine iterations"),
	R("batch_mean", batch_mean, "requests", "mean batch size per iteration"),
	R("running_mean", running_mean, "requests", "time-weighted running requests"),
	R("kv_ms_per_iter", kv_ms_per_iter, "ms", "KV read time per iteration"),
	R("kv_gbps", kv_gbps, "GB/s", "achieved KV read bandwidth"),
	R("kv_run_bytes_mean", kv_run_bytes_mean, "bytes", "mean contiguous KV read"),
	I("kv_pool_tokens", pool_tokens, "tokens", "KV pool size"),
	RUN("kv_pool_gib", SF_REAL, g_pool_gib, "GiB", "KV pool size"),
	R("span_s", span_s, "s", "first arrival to last completion"),
	R("sim_time_s", sim_time_s, "s", "simulated time at the end"),
};
const size_t sf_count = sizeof sf_fields / sizeof sf_fields[0];

const struct sumfield *sf_find(const char *name)
{
	for (size_t i = 0; i < sf_count; i++)
		if (!strcmp(sf_fields[i].name, name))
			return &sf_fields[i];
	return NULL;
}

struct sf_val sf_from_summary(const struct sumfield *f, const struct summary *s)
{
	struct sf_val v = { 0 };
	const char *p = (const char *)s + f->off;
	if (f->kind == SF_INT)
		memcpy(&v.i, p, sizeof v.i);
	else if (f->kind == SF_REAL)
		memcpy(&v.d, p, sizeof v.d);
	return v;
}

struct sf_val sf_value(const struct sumfield *f, const struct sf_src *src)
{
	if (f->off == SF_NO_OFF)
		return f->get(src);
	return sf_from_summary(f, &src->r->sum);
}

const char *sf_format(const struct sumfield *f, const struct sf_val *v, char *buf, size_t n)
{
	switch (f->kind) {
	case SF_STR:
		return v->s;
	case SF_INT:
		if (v->none)
			return "";
		snprintf(buf, n, "%lld", (long long)v->i);
		break;
	case SF_REAL:
		if (!isfinite(v->d))
			return "";
		snprintf(buf, n, "%.9g", v->d);
		break;
	}
	return buf;
}
