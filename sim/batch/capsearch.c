#include "sim/batch/capsearch.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int probe(const struct cap_slo *slo, cap_eval_fn eval, void *ctx, double rate,
		 struct cap_point *pt, struct cap_result *res, struct om_err *e)
{
	memset(pt, 0, sizeof *pt);
	pt->rate = rate;
	if (eval(ctx, rate, pt, e) < 0)
		return -1;
	pt->viol = cap_slo_violations(slo, &pt->s);
	res->evals++;
	return 0;
}

void cap_search(const struct cap_params *prm, const struct cap_slo *slo, cap_eval_fn eval,
		void *ctx, struct cap_result *res)
{
	struct om_err e = { "" };
	struct cap_point p, lo, hi;
	memset(res, 0, sizeof *res);
	res->status = CAP_ERROR;
	if (probe(slo, eval, ctx, prm->start, &p, res, &e) < 0)
		goto err;
	if (!p.viol) {
		/* Double until a rate misses. */
		lo = p;
		for (;;) {
			if (lo.rate >= prm->max) {
				res->status = CAP_AT_MAX;
				res->lo = lo;
				return;
			}
			if (probe(slo, eval, ctx, fmin(lo.rate * 2, prm->max), &p, res, &e) < 0)
				goto err;
			if (p.viol)
				break;
			lo = p;
		}
		hi = p;
	} else {
		/* Halve until a rate meets. */
		hi = p;
		for (;;) {
			if (hi.rate <= prm->min) {
				res->status = CAP_BELOW_MIN;
				res->hi = hi;
				return;
			}
			if (probe(slo, eval, ctx, fmax(hi.rate / 2, prm->min), &p, res, &e) < 0)
				goto err;
			if (!p.viol)
				break;
			hi = p;
		}
		lo = p;
	}
	while (hi.rate - lo.rate > prm->tol * lo.rate) {
		if (probe(slo, eval, ctx, 0.5 * (lo.rate + hi.rate), &p, res, &e) < 0)
			goto err;
		if (p.rate <= lo.rate || p.rate >= hi.rate)
			break; /* the evaluator's rounding cannot split the bracket further */
		if (p.viol)
			hi = p;
		else
			lo = p;
	}
	res->status = CAP_FOUND;
	res->lo = lo;
	res->hi = hi;
	return;
err:
	snprintf(res->error, sizeof res->error, "%s", e.msg);
}
