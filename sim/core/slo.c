#include "sim/core/slo.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/engine.h"

struct cap_metric {
	const char *name;
	size_t off; /* offset of a double in struct summary; SIZE_MAX = reject_frac */
};

#define SM(n, f)                               \
	{                                      \
		n, offsetof(struct summary, f) \
	}
static const struct cap_metric metrics[] = {
	SM("ttft_p50", ttft_p50_s),   SM("ttft_p90", ttft_p90_s),   SM("ttft_p99", ttft_p99_s),
	SM("tpot_p50", tpot_p50_s),   SM("tpot_p90", tpot_p90_s),   SM("tpot_p99", tpot_p99_s),
	SM("e2e_p50", e2e_p50_s),     SM("e2e_p90", e2e_p90_s),	    SM("e2e_p99", e2e_p99_s),
	SM("queue_p50", queue_p50_s), SM("queue_p90", queue_p90_s), SM("queue_p99", queue_p99_s),
	{ "reject_frac", SIZE_MAX },
};
#define N_METRICS (sizeof metrics / sizeof metrics[0])

const char *cap_metric_name(const struct cap_metric *m)
{
	return m->name;
}

int cap_metric_is_time(const struct cap_metric *m)
{
	return m->off != SIZE_MAX;
}

double cap_metric_value(const struct cap_metric *m, const struct summary *s)
{
	if (m->off == SIZE_MAX)
		return s->requests_total ? (double)s->requests_rejected / (double)s->requests_total
					 : 0;
	double v;
	memcpy(&v, (const char *)s + m->off, sizeof v);
	return v;
}

static int parse_one(char *tok, struct cap_slo *o, struct om_err *e)
{
	char *eq = strchr(tok, '=');
	if (!eq)
		return err_set(e, "--slo", 0, NULL, "expected METRIC=BOUND, got '%s'", tok);
	*eq = '\0';
	size_t nl = strlen(tok);
	if (nl > 2 && !strcmp(tok + nl - 2, "_s"))
		tok[nl - 2] = '\0';
	const struct cap_metric *m = NULL;
	for (size_t i = 0; i < N_METRICS; i++)
		if (!strcmp(metrics[i].name, tok))
			m = &metrics[i];
	if (!m)
		return err_set(e, "--slo", 0, tok,
			       "unknown metric (known: ttft, tpot, e2e, queue "
			       "with _p50, _p90 or _p99, and reject_frac)");
	char *end;
	errno = 0;
	double b = strtod(eq + 1, &end);
	if (cap_metric_is_time(m) && !strcmp(end, "ms"))
		b /= 1000, end += 2;
	else if (cap_metric_is_time(m) && !strcmp(end, "s"))
		end += 1;
	if (errno || end == eq + 1 || *end || !isfinite(b) || b < 0)
		return err_set(e, "--slo", 0, tok, "expected a bound >= 0%s, got '%s'",
			       cap_metric_is_time(m) ? " (seconds, or with ms)" : "", eq + 1);
	for (size_t i = 0; i < o->n; i++)
		if (o->m[i] == m)
			return err_set(e, "--slo", 0, tok, "given twice");
	if (o->n == CAP_MAX_METRICS)
		return err_set(e, "--slo", 0, NULL, "too many metrics");
	o->m[o->n] = m;
	o->bound[o->n++] = b;
	return 0;
}

int cap_slo_parse(const char *spec, struct cap_slo *o, struct om_err *e)
{
	memset(o, 0, sizeof *o);
	char *buf = strdup(spec);
	if (!buf)
		return err_set(e, "--slo", 0, NULL, "out of memory");
	int rc = 0;
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",", &save); tok && rc == 0;
	     tok = strtok_r(NULL, ",", &save))
		rc = parse_one(tok, o, e);
	free(buf);
	if (rc == 0 && o->n == 0)
		rc = err_set(e, "--slo", 0, NULL, "empty: give at least one METRIC=BOUND");
	return rc;
}

unsigned cap_slo_violations(const struct cap_slo *o, const struct summary *s)
{
	unsigned v = s->requests_completed > 0 ? 0 : CAP_NOTHING_COMPLETED;
	for (size_t i = 0; i < o->n; i++)
		if (!(cap_metric_value(o->m[i], s) <= o->bound[i]))
			v |= 1u << i;
	return v;
}

void cap_slo_describe(const struct cap_slo *o, unsigned viol, char *buf, size_t n)
{
	size_t len = 0;
	buf[0] = '\0';
	if (viol & CAP_NOTHING_COMPLETED) {
		int w = snprintf(buf, n, "nothing completed");
		len = w > 0 ? (size_t)w : 0;
	}
	for (size_t i = 0; i < o->n && len < n; i++) {
		if (!(viol & (1u << i)))
			continue;
		int w = snprintf(buf + len, n - len, "%s%s", len ? "+" : "", o->m[i]->name);
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

const struct cfg_key slo_keys[] = {
	{ "run.slo", CFG_STR, "", 0, -1, NULL,
	  "service-level objective, as capacity --slo (ttft_p99=1,tpot_p99=100ms): adds slo_met, slo_attainment and goodput_rps to the summary; empty = none" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

int slo_from_cfg(const struct cfg *c, struct cap_slo *o, int *have, struct om_err *e)
{
	const char *spec = cfg_str(c, "run.slo");
	memset(o, 0, sizeof *o);
	*have = spec[0] != '\0';
	if (!*have)
		return 0;
	struct om_err inner = { "" };
	if (cap_slo_parse(spec, o, &inner) < 0)
		return cfg_fail(c, "run.slo", e, "%s", inner.msg);
	return 0;
}

/* A request's latency named by the metric's prefix, in s; NAN if it has none. */
static double req_latency(const struct cap_metric *m, const struct sim_req *r)
{
	double s = 1e-9;
	if (!strncmp(m->name, "ttft", 4))
		return (double)(r->first_token_ns - r->arrival_ns) * s;
	if (!strncmp(m->name, "e2e", 3))
		return (double)(r->finish_ns - r->arrival_ns) * s;
	if (!strncmp(m->name, "queue", 5))
		return (double)(r->first_admit_ns - r->arrival_ns) * s;
	if (r->generated > 1) /* tpot */
		return (double)(r->finish_ns - r->first_token_ns) * s / (double)(r->generated - 1);
	return NAN;
}

void slo_judge(const struct cap_slo *o, const struct sim_req *reqs, size_t n,
	       const struct summary *s, struct slo_run *out)
{
	size_t good = 0;
	for (size_t i = 0; i < n; i++) {
		const struct sim_req *r = &reqs[i];
		if (r->state != RS_FINISHED)
			continue;
		bool ok = true;
		for (size_t k = 0; k < o->n && ok; k++) {
			if (!cap_metric_is_time(o->m[k]))
				continue; /* reject_frac judges the run, not a request */
			double v = req_latency(o->m[k], r);
			ok = isnan(v) || v <= o->bound[k];
		}
		good += ok;
	}
	out->attainment = n ? (double)good / (double)n : NAN;
	out->goodput_rps = s->span_s > 0 ? (double)good / s->span_s : NAN;
	out->violations = cap_slo_violations(o, s);
}
