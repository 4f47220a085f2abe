#include "predictors/pred_eval.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const double pe_quantiles[PE_NQ] = { 0.5, 0.9, 0.95, 0.99 };

/* Average ranks (1-based) of x into r; idx is scratch. */
static int ranks(const double *x, size_t n, double *r)
{
	size_t *idx = malloc(n * sizeof *idx);
	if (!idx)
		return -1;
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	/* stable order of equal values does not matter: ties get their mean rank */
	gsl_sort_index(idx, x, 1, n);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && x[idx[j + 1]] == x[idx[i]])
			j++;
		double avg = (double)(i + j) / 2.0 + 1.0;
		for (size_t k = i; k <= j; k++)
			r[idx[k]] = avg;
		i = j + 1;
	}
	free(idx);
	return 0;
}

/* Pearson correlation of the ranks; NAN when either side is constant. */
static double spearman(const double *a, const double *b, size_t n)
{
	double *ra = malloc(n * sizeof *ra), *rb = malloc(n * sizeof *rb), rho = NAN;
	if (ra && rb && ranks(a, n, ra) == 0 && ranks(b, n, rb) == 0) {
		double sa = gsl_stats_sd(ra, 1, n), sb = gsl_stats_sd(rb, 1, n);
		if (sa > 0 && sb > 0)
			rho = gsl_stats_correlation(ra, 1, rb, 1, n);
	}
	free(ra);
	free(rb);
	return rho;
}

static void quantile_curve(const struct pred_handle *h, const struct pred_sample *test, size_t n,
			   const double *len, struct pe_metrics *m)
{
	for (int j = 0; j < PE_NQ; j++) {
		size_t cov = 0;
		double over = 0;
		for (size_t i = 0; i < n; i++) {
			struct pred_sample s = test[i];
			int32_t y = s.out_tokens > 0 ? s.out_tokens : 0;
			if (!h->ops->wants_truth)
				s.out_tokens = -1;
			double l = h->ops->quantile
				? h->ops->quantile(h->state, &s, pe_quantiles[j])
				: len[i];
			cov += y <= l;
			over += l > y ? l - y : 0;
		}
		m->qcov[j] = (double)cov / (double)n;
		m->qover[j] = over / (double)n;
	}
}

int pe_evaluate(const struct pred_handle *h, const struct pred_sample *test, size_t n,
		const struct pred_sample *train, size_t ntrain, int32_t K, int32_t bucket_max,
		struct pe_metrics *m, struct pred_out *pred)
{
	memset(m, 0, sizeof *m);
	m->n = n;
	m->majority_hit = NAN;
	if (n == 0)
		return 0;
	double *over = malloc(n * sizeof *over), *len = malloc(n * sizeof *len),
	       *truth = malloc(n * sizeof *truth);
	if (!over || !len || !truth) {
		free(over), free(len), free(truth);
		return -1;
	}
	int32_t major = -1;
	if (train && ntrain) {
		size_t *cnt = calloc((size_t)K, sizeof *cnt);
		if (!cnt) {
			free(over), free(len), free(truth);
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
		len[i] = o.len;
		truth[i] = y;
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
	m->spearman = spearman(len, truth, n);
	quantile_curve(h, test, n, len, m);
	free(over), free(len), free(truth);
	return 0;
}
