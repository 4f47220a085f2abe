#include "sim/batch/capsearch.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
