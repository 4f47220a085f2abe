#include "predictors/pred_eval.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int pe_evaluate(const struct pred_handle *h, const struct pred_sample *test, size_t n,
		const struct pred_sample *train, size_t ntrain, int32_t K, int32_t bucket_max,
		struct pe_metrics *m, struct pred_out *pred)
{
	memset(m, 0, sizeof *m);
	m->n = n;
	m->majority_hit = NAN;
	if (n == 0)
		return 0;
	double *over = malloc(n * sizeof *over);
	if (!over)
		return -1;
	int32_t major = -1;
	if (train && ntrain) {
		size_t *cnt = calloc((size_t)K, sizeof *cnt);
		if (!cnt) {
			free(over);
			return -1;
		}
		for (size_t i = 0; i < ntrain; i++)
			cnt[pred_bucket_of(train[i].out_tokens, K, bucket_max)]++;
		major = 0;
		for (int32_t k = 1; k < K; k++)
			if (cnt[k] > cnt[major])
				major = k;
		free(cnt);
	}
	size_t hit = 0, near = 0, maj = 0, cov = 0, covf = 0, flag = 0;
	double under = 0, ae = 0;
	for (size_t i = 0; i < n; i++) {
		struct pred_sample s = test[i];
		int32_t y = s.out_tokens > 0 ? s.out_tokens : 0;
		if (!h->ops->wants_truth)
			s.out_tokens = -1;
		struct pred_out o = { -1, 0.0f, -1, false };
		h->ops->predict(h->state, &s, &o);
		if (pred)
			pred[i] = o;
		int32_t tb = pred_bucket_of(y, K, bucket_max);
		int32_t pb = o.bucket >= 0 ? o.bucket : pred_bucket_of(o.len, K, bucket_max);
		hit += pb == tb;
		near += abs(pb - tb) <= 1;
		maj += tb == major;
		cov += y <= o.len;
		covf += y <= o.len || o.uncertain;
		flag += o.uncertain;
		double d = (double)o.len - y;
		over[i] = d > 0 ? d : 0;
		under += d < 0 ? -d : 0;
		ae += fabs(d);
	}
	double dn = (double)n;
	m->bucket_hit = hit / dn;
	m->bucket_near = near / dn;
	if (major >= 0)
		m->majority_hit = maj / dn;
	m->coverage = cov / dn;
	m->coverage_flag = covf / dn;
	m->flagged = flag / dn;
	m->under_mean = under / dn;
	m->mae = ae / dn;
	m->over_mean = gsl_stats_mean(over, 1, n);
	gsl_sort(over, 1, n);
	/* nearest-rank p99, like the trace statistics in SOURCES.md */
	size_t r = (size_t)ceil(0.99 * dn);
	m->over_p99 = over[(r ? r : 1) - 1];
	free(over);
	return 0;
}
