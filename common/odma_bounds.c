#include "common/odma_bounds.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

int ob_init(struct ob_learner *l, int32_t max_len, int32_t bin, size_t window)
{
	memset(l, 0, sizeof *l);
	if (max_len < 1 || bin < 1 || window < 1)
		return -1;
	l->max_len = max_len;
	l->bin = bin;
	l->nbins = (max_len + bin - 1) / bin;
	l->window = window;
	l->ring = malloc(window * sizeof *l->ring);
	l->keys = malloc(window * sizeof *l->keys);
	l->count = calloc((size_t)l->nbins, sizeof *l->count);
	l->sum_len = calloc((size_t)l->nbins, sizeof *l->sum_len);
	l->sum_sq = calloc((size_t)l->nbins, sizeof *l->sum_sq);
	if (!l->ring || !l->keys || !l->count || !l->sum_len || !l->sum_sq) {
		ob_free(l);
		return -1;
	}
	return 0;
}

void ob_free(struct ob_learner *l)
{
	free(l->ring);
	free(l->keys);
	free(l->count);
	free(l->sum_len);
	free(l->sum_sq);
	memset(l, 0, sizeof *l);
}

static int32_t clamp_len(const struct ob_learner *l, int32_t len)
{
	return len < 1 ? 1 : len > l->max_len ? l->max_len : len;
}

static void bin_add(struct ob_learner *l, int32_t key, int32_t len, int sign)
{
	int b = (key - 1) / l->bin;
	l->count[b] += sign;
	l->sum_len[b] += sign * (double)len;
	l->sum_sq[b] += sign * (double)len * (double)len;
}

void ob_add_pair(struct ob_learner *l, int32_t key, int32_t len)
{
	len = clamp_len(l, len);
	key = clamp_len(l, key < len ? len : key);
	if (l->n == l->window) {
		bin_add(l, l->keys[l->head], l->ring[l->head], -1);
		l->n--;
	}
	l->ring[l->head] = len;
	l->keys[l->head] = key;
	l->head = (l->head + 1) % l->window;
	l->n++;
	bin_add(l, key, len, +1);
}

void ob_add(struct ob_learner *l, int32_t len)
{
	ob_add_pair(l, len, len);
}

static int32_t edge(const struct ob_learner *l, int j)
{
	int64_t e = (int64_t)(j + 1) * l->bin;
	return e > l->max_len ? l->max_len : (int32_t)e;
}

int ob_learn(const struct ob_learner *l, int k, enum ob_weight w, double eps, int32_t *bounds)
{
	int B = l->nbins;
	if (l->n == 0 || k < 1 || k > B)
		return -1;
	/* prefix sums of the weight W and weighted length WL per bin */
	double *W = calloc((size_t)B + 1, sizeof *W);
	double *WL = calloc((size_t)B + 1, sizeof *WL);
	double *N = calloc((size_t)B + 1, sizeof *N);
	double *f = malloc((size_t)k * (size_t)B * sizeof *f);
	int *par = malloc((size_t)k * (size_t)B * sizeof *par);
	int rc = -1;
	if (!W || !WL || !N || !f || !par)
		goto out;
	for (int j = 0; j < B; j++) {
		double wj = w == OB_TOKENS ? (double)l->count[j] : l->sum_len[j];
		double wlj = w == OB_TOKENS ? l->sum_len[j] : l->sum_sq[j];
		W[j + 1] = W[j] + wj;
		WL[j + 1] = WL[j] + wlj;
		N[j + 1] = N[j] + (double)l->count[j];
	}
	/* cost of one class with edge e_j serving bins i..j: e_j * W - WL */
#define COST(i, j) ((double)edge(l, (j)) * (W[(j) + 1] - W[(i)]) - (WL[(j) + 1] - WL[(i)]))
	for (int j = 0; j < B; j++) {
		f[j] = COST(0, j);
		par[j] = -1;
	}
	for (int c = 1; c < k; c++) {
		for (int j = 0; j < B; j++) {
			double best = DBL_MAX;
			int arg = -1;
			for (int i = c - 1; i < j; i++) {
				double v = f[(size_t)(c - 1) * B + i] + COST(i + 1, j);
				if (v < best) {
					best = v;
					arg = i;
				}
			}
			f[(size_t)c * B + j] = best;
			par[(size_t)c * B + j] = arg;
		}
	}
	double total = N[B], best = DBL_MAX;
	int top = -1;
	for (int j = k - 1; j < B; j++) {
		double over = total - N[j + 1];
		if (over > eps * total)
			continue;
		/* lengths above c_K take a max_len bucket */
		double tail = (double)l->max_len * (W[B] - W[j + 1]) - (WL[B] - WL[j + 1]);
		double v = f[(size_t)(k - 1) * B + j] + tail;
		if (v < best) {
			best = v;
			top = j;
		}
	}
#undef COST
	if (top < 0)
		goto out;
	for (int c = k - 1, j = top; c >= 0; c--) {
		bounds[c] = edge(l, j);
		j = par[(size_t)c * B + j];
	}
	rc = 0;
out:
	free(W), free(WL), free(N), free(f), free(par);
	return rc;
}
