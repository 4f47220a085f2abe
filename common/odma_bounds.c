#include "common/odma_bounds.h"

#include <float.h>
#include <stdbool.h>
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
	l->bins = malloc(window * sizeof *l->bins);
	l->count = calloc((size_t)l->nbins, sizeof *l->count);
	l->sum_len = calloc((size_t)l->nbins, sizeof *l->sum_len);
	l->sum_sq = calloc((size_t)l->nbins, sizeof *l->sum_sq);
	if (!l->ring || !l->bins || !l->count || !l->sum_len || !l->sum_sq) {
		ob_free(l);
		return -1;
	}
	return 0;
}

void ob_free(struct ob_learner *l)
{
	free(l->ring);
	free(l->bins);
	free(l->count);
	free(l->sum_len);
	free(l->sum_sq);
	memset(l, 0, sizeof *l);
}

static int32_t clamp_len(const struct ob_learner *l, int32_t len)
{
	return len < 1 ? 1 : len > l->max_len ? l->max_len : len;
}

/* The ring keeps each length's bin, not its key: one division per length. */
static void bin_add(struct ob_learner *l, int32_t b, int32_t len, int sign)
{
	l->count[b] += sign;
	l->sum_len[b] += sign * (double)len;
	l->sum_sq[b] += sign * (double)len * (double)len;
}

void ob_add_pair(struct ob_learner *l, int32_t key, int32_t len)
{
	len = clamp_len(l, len);
	key = clamp_len(l, key < len ? len : key);
	int32_t b = (key - 1) / l->bin;
	if (l->n == l->window) {
		bin_add(l, l->bins[l->head], l->ring[l->head], -1);
		l->n--;
	}
	l->ring[l->head] = len;
	l->bins[l->head] = b;
	if (++l->head == l->window)
		l->head = 0;
	l->n++;
	bin_add(l, b, len, +1);
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

/* The programme's tables: prefix sums of the weight W, weighted length WL
 * and count N per bin, and per class c and last bin j the least cost f and
 * the last bin of class c - 1 (par). */
struct ob_dp {
	const struct ob_learner *l;
	int B;
	double *W, *WL, *N, *f;
	int *par;
};

/* cost of one class with edge e_j serving bins i..j: e_j * W - WL */
static double ob_cost(const struct ob_dp *d, int i, int j)
{
	return (double)edge(d->l, j) * (d->W[j + 1] - d->W[i]) - (d->WL[j + 1] - d->WL[i]);
}

/* f[c][j] and par[c][j] from the candidates i in [lo, hi] (the last bin of
 * class c - 1): the least value, the first i reaching it. */
static void ob_cell(struct ob_dp *d, int c, int j, int lo, int hi)
{
	const double *prev = d->f + (size_t)(c - 1) * d->B;
	double best = DBL_MAX;
	int arg = -1;
	for (int i = lo; i <= hi; i++) {
		double v = prev[i] + ob_cost(d, i + 1, j);
		if (v < best) {
			best = v;
			arg = i;
		}
	}
	d->f[(size_t)c * d->B + j] = best;
	d->par[(size_t)c * d->B + j] = arg;
}

/* The plain O(K * bins^2) scan over every bin (the reference, and the
 * programme when its sums may round). */
static void ob_rows(struct ob_dp *d, int k)
{
	int B = d->B;
	for (int j = 0; j < B; j++) {
		d->f[j] = ob_cost(d, 0, j);
		d->par[j] = -1;
	}
	for (int c = 1; c < k; c++)
		for (int j = 0; j < B; j++)
			ob_cell(d, c, j, c - 1, j - 1);
}

/* Whether every value the programme forms is an integer below 2^53, so that
 * doubles hold it exactly (and int64 without overflow): lengths are at most
 * max_len, the ring holds at most `window` of them, and no sum exceeds
 * 4 * window * max_len^2. */
static bool ob_exact(const struct ob_learner *l)
{
	double m = (double)l->max_len;
	return 4.0 * (double)l->window * m * m < 9007199254740992.0;
}

static int ob_learn_plain(const struct ob_learner *l, int k, enum ob_weight w, double eps,
			  int32_t *bounds)
{
	int B = l->nbins;
	struct ob_dp d = {
		.l = l,
		.B = B,
		.W = calloc((size_t)B + 1, sizeof *d.W),
		.WL = calloc((size_t)B + 1, sizeof *d.WL),
		.N = calloc((size_t)B + 1, sizeof *d.N),
		.f = malloc((size_t)k * (size_t)B * sizeof *d.f),
		.par = malloc((size_t)k * (size_t)B * sizeof *d.par),
	};
	int rc = -1;
	if (!d.W || !d.WL || !d.N || !d.f || !d.par)
		goto out;
	for (int j = 0; j < B; j++) {
		double wj = w == OB_TOKENS ? (double)l->count[j] : l->sum_len[j];
		double wlj = w == OB_TOKENS ? l->sum_len[j] : l->sum_sq[j];
		d.W[j + 1] = d.W[j] + wj;
		d.WL[j + 1] = d.WL[j] + wlj;
		d.N[j + 1] = d.N[j] + (double)l->count[j];
	}
	ob_rows(&d, k);
	double total = d.N[B], best = DBL_MAX;
	int top = -1;
	for (int j = k - 1; j < B; j++) {
		double over = total - d.N[j + 1];
		if (over > eps * total)
			continue;
		/* lengths above c_K take a max_len bucket */
		double tail = (double)l->max_len * (d.W[B] - d.W[j + 1]) - (d.WL[B] - d.WL[j + 1]);
		double v = d.f[(size_t)(k - 1) * B + j] + tail;
		if (v < best) {
			best = v;
			top = j;
		}
	}
	if (top < 0)
		goto out;
	for (int c = k - 1, j = top; c >= 0; c--) {
		bounds[c] = edge(l, j);
		j = d.par[(size_t)c * B + j];
	}
	rc = 0;
out:
	free(d.W), free(d.WL), free(d.N), free(d.f), free(d.par);
	return rc;
}

/* The exact programme (ob_exact): the same sums as int64, and only bins
 * 0..B-1 with B = max(highest non-empty bin + 1, k). Above the highest
 * non-empty bin h every class costs at least what it costs ending at h (a
 * higher edge, the same lengths) and nothing overflows either way, so the
 * first minimum never ends above h (docs/SPEED.md). */
struct ob_ip {
	const struct ob_learner *l;
	int B;
	int64_t *W, *WL, *N; /* prefix sums, B + 1 each */
	int64_t *aw;	     /* candidate i: f[c-1][i] + WL[i+1] and W[i+1] */
	int64_t *f;
	int *par, *hull;
};

/* floor(a / b), b > 0 */
static int64_t ob_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return q - (a % b != 0 && a < 0);
}

/* Candidate i at edge x is the line aw[i].a - x * aw[i].w. For a < b < c
 * with strictly increasing w: whether b is at no integer x the first least
 * of the three (b < a needs x > (b.a - a.a) / (b.w - a.w), b <= c needs
 * x <= (c.a - b.a) / (c.w - b.w)). */
static bool ob_useless(const int64_t *aw, int a, int b, int c)
{
	int64_t after_a = ob_floor_div(aw[2 * b] - aw[2 * a], aw[2 * b + 1] - aw[2 * a + 1]) + 1;
	int64_t upto_c = ob_floor_div(aw[2 * c] - aw[2 * b], aw[2 * c + 1] - aw[2 * b + 1]);
	return after_a > upto_c;
}

/* Adds candidate i to the lower hull hull[head..n-1] (index order, strictly
 * increasing w); returns the new n. Lines that are nowhere the first least
 * go: a parallel one with no smaller value, or one the triple test drops. */
static int ob_hull_push(const int64_t *aw, int *hull, int head, int n, int i)
{
	if (n > head && aw[2 * hull[n - 1] + 1] == aw[2 * i + 1]) {
		if (aw[2 * i] >= aw[2 * hull[n - 1]])
			return n;
		n--;
	}
	while (n - head >= 2 && ob_useless(aw, hull[n - 2], hull[n - 1], i))
		n--;
	hull[n] = i;
	return n + 1;
}

/* Row c: f[c][j] = min over i in [c-1, j-1] of f[c-1][i] + cost(i+1, j),
 * the first such i in par. Edges grow with j, so a line once beaten by the
 * next one (strictly) stays beaten: a monotone hull, O(B) per row. */
static void ob_row_hull(struct ob_ip *d, int c)
{
	const int64_t *aw = d->aw;
	int64_t *f = d->f + (size_t)c * (size_t)d->B;
	int *par = d->par + (size_t)c * (size_t)d->B, *hull = d->hull, head = 0, n = 0;
	for (int j = c; j < d->B; j++) {
		n = ob_hull_push(aw, hull, head, n, j - 1); /* keeps hull[head] or beats it */
		int64_t e = edge(d->l, j);
		while (head + 1 < n
		       && aw[2 * hull[head + 1]] - e * aw[2 * hull[head + 1] + 1]
			       < aw[2 * hull[head]] - e * aw[2 * hull[head] + 1])
			head++;
		int a = hull[head];
		f[j] = aw[2 * a] - e * aw[2 * a + 1] + e * d->W[j + 1] - d->WL[j + 1];
		par[j] = a;
	}
}

static void ob_irows(struct ob_ip *d, int k)
{
	int B = d->B;
	for (int j = 0; j < B; j++) {
		d->f[j] = edge(d->l, j) * d->W[j + 1] - d->WL[j + 1];
		d->par[j] = -1;
	}
	for (int c = 1; c < k; c++) {
		const int64_t *prev = d->f + (size_t)(c - 1) * (size_t)B;
		for (int i = c - 1; i < B - 1; i++) {
			d->aw[2 * i] = prev[i] + d->WL[i + 1];
			d->aw[2 * i + 1] = d->W[i + 1];
		}
		ob_row_hull(d, c);
	}
}

/* The last class's bin: the first least total with the overflow share
 * within eps; -1 if none. Bins above B are empty: nothing to add. */
static int ob_itop(const struct ob_ip *d, int k, double eps)
{
	int B = d->B, top = -1;
	int64_t best = INT64_MAX, max_len = d->l->max_len;
	double total = (double)d->N[B];
	for (int j = k - 1; j < B; j++) {
		double over = (double)(d->N[B] - d->N[j + 1]);
		if (over > eps * total)
			continue;
		/* lengths above c_K take a max_len bucket */
		int64_t tail = max_len * (d->W[B] - d->W[j + 1]) - (d->WL[B] - d->WL[j + 1]);
		int64_t v = d->f[(size_t)(k - 1) * (size_t)B + (size_t)j] + tail;
		if (v < best) {
			best = v;
			top = j;
		}
	}
	return top;
}

static int ob_learn_exact(const struct ob_learner *l, int k, enum ob_weight w, double eps,
			  int32_t *bounds)
{
	int h = l->nbins - 1;
	while (h > 0 && l->count[h] == 0)
		h--;
	int B = h + 1 > k ? h + 1 : k;
	size_t nb = (size_t)B, n64 = 3 * (nb + 1) + 2 * nb + (size_t)k * nb;
	int64_t *m = malloc(n64 * sizeof *m);
	struct ob_ip d = {
		.l = l, .B = B, .W = m, .par = malloc(((size_t)k + 1) * nb * sizeof *d.par)
	};
	int rc = -1;
	if (!m || !d.par)
		goto out;
	d.WL = d.W + nb + 1, d.N = d.WL + nb + 1, d.aw = d.N + nb + 1, d.f = d.aw + 2 * nb;
	d.hull = d.par + (size_t)k * nb;
	d.W[0] = d.WL[0] = d.N[0] = 0;
	for (int j = 0; j < B; j++) {
		int64_t cnt = l->count[j], sl = (int64_t)l->sum_len[j];
		d.W[j + 1] = d.W[j] + (w == OB_TOKENS ? cnt : sl);
		d.WL[j + 1] = d.WL[j] + (w == OB_TOKENS ? sl : (int64_t)l->sum_sq[j]);
		d.N[j + 1] = d.N[j] + cnt;
	}
	ob_irows(&d, k);
	int top = ob_itop(&d, k, eps);
	if (top < 0)
		goto out;
	for (int c = k - 1, j = top; c >= 0; c--) {
		bounds[c] = edge(l, j);
		j = d.par[(size_t)c * nb + (size_t)j];
	}
	rc = 0;
out:
	free(m), free(d.par);
	return rc;
}

int ob_learn(const struct ob_learner *l, int k, enum ob_weight w, double eps, int32_t *bounds)
{
	if (l->n == 0 || k < 1 || k > l->nbins)
		return -1;
	if (!l->reference && ob_exact(l))
		return ob_learn_exact(l, k, w, eps, bounds);
	return ob_learn_plain(l, k, w, eps, bounds);
}
