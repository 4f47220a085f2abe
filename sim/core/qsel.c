#include "sim/core/qsel.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum {
	QS_BITS = 16, /* key bits a pass narrows by */
	QS_BUCKETS = 1 << QS_BITS,
	QS_CHUNK = 4096,   /* values read from the source at a time */
	QS_MAX_RANKS = 32, /* two order statistics per quantile */
	QS_DEAD = -1	   /* shift of a slot no rank uses any more */
};

/* Unsigned keys in the order of the doubles: flip every bit of a negative,
 * the sign bit of a positive. */
static uint64_t qs_key(double x)
{
	if (x == 0)
		x = 0.0; /* -0.0 == 0.0: one key for both */
	uint64_t b;
	memcpy(&b, &x, sizeof b);
	return b >> 63 ? ~b : b | UINT64_C(1) << 63;
}

static double qs_value(uint64_t k)
{
	uint64_t b = k >> 63 ? k & ~(UINT64_C(1) << 63) : ~k;
	double x;
	memcpy(&x, &b, sizeof x);
	return x;
}

/* The keys whose top 64 - shift bits are `prefix` (shift 64: every key):
 * `below` keys lie under the range, `count` in it. A pass either counts its
 * keys by their next 16 bits (hist) or copies its values to cand[off..]. */
struct qs_group {
	uint64_t prefix;
	int shift;
	size_t below, count;
	uint32_t *hist;
	double *cand;
	size_t filled;
};

struct qs_rank {
	size_t rank;
	int group; /* -1 once the value is known */
	double value;
};

static bool qs_in(const struct qs_group *g, uint64_t key)
{
	return g->shift == 64 || key >> g->shift == g->prefix;
}

/* A pass's scratch: the values read at a time, and which top 16 bits of a
 * key some group of the pass may hold (most values are in no group: one
 * look-up turns them away). */
struct qs_work {
	double chunk[QS_CHUNK];
	uint8_t top[QS_BUCKETS];
};

static bool qs_active(const struct qs_group *g)
{
	return g->hist || g->cand;
}

/* One pass over the source: each value to the group holding its key (the
 * groups are disjoint). The first pass (sum not NULL) counts, sums in order
 * and counts every key's top 16 bits in g[0]. */
static void qs_pass(const struct qsel_src *src, struct qs_work *w, struct qs_group *g, size_t ng,
		    size_t *count, double *sum)
{
	memset(w->top, 0, sizeof w->top);
	for (size_t j = 0; j < ng; j++)
		if (qs_active(&g[j])) {
			if (g[j].shift == 64)
				memset(w->top, 1, sizeof w->top);
			else
				w->top[g[j].prefix >> (64 - QS_BITS - g[j].shift)] = 1;
		}
	size_t cursor = 0, m;
	double *chunk = w->chunk;
	while ((m = src->fill(src->ctx, &cursor, chunk, QS_CHUNK)) > 0) {
		if (sum) { /* the first pass: one group, every key */
			for (size_t i = 0; i < m; i++) {
				*sum += chunk[i];
				g[0].hist[qs_key(chunk[i]) >> (64 - QS_BITS)]++;
			}
			*count += m;
			continue;
		}
		for (size_t i = 0; i < m; i++) {
			double x = chunk[i];
			uint64_t key = qs_key(x);
			if (!w->top[key >> (64 - QS_BITS)])
				continue;
			for (size_t j = 0; j < ng; j++)
				if (qs_active(&g[j]) && qs_in(&g[j], key)) {
					if (g[j].hist)
						g[j].hist[(key >> (g[j].shift - QS_BITS))
							  & (QS_BUCKETS - 1)]++;
					else
						g[j].cand[g[j].filled++] = x;
					break;
				}
		}
	}
}

/* Puts the k-th smallest of v[lo..n) at v[k], smaller ones before it and
 * larger ones after (three-way quickselect: long runs of equal values stay
 * linear). Pivot choice affects speed only, never the value selected. */
static void qs_select(double *v, size_t lo, size_t n, size_t k)
{
	size_t hi = n;			  /* the range is [lo, hi) */
	uint64_t x = 0x9e3779b97f4a7c15u; /* pivots from fixed pseudo-random spots: */
	while (hi - lo > 1) {		  /* no input order is a bad case */
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		size_t w = hi - lo;
		double a = v[lo + x % w], b = v[lo + (x >> 21) % w], c = v[lo + (x >> 42) % w];
		double piv = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
		size_t lt = lo, i = lo, gt = hi;
		while (i < gt) {
			double y = v[i];
			if (y < piv) {
				v[i++] = v[lt];
				v[lt++] = y;
			} else if (y > piv) {
				v[i] = v[--gt];
				v[gt] = y;
			} else {
				i++;
			}
		}
		if (k < lt)
			hi = lt;
		else if (k >= gt)
			lo = gt;
		else
			return;
	}
}

/* After group j's counting pass: each of its ranks moves to the sub-range
 * (one bucket of the next 16 bits) that holds it; ranks in one bucket share
 * a group. The first new group takes j's slot, others new ones (the ranks'
 * partition only refines, so there are never more groups than ranks). */
static void qs_split(struct qs_group *g, size_t *ng, size_t j, struct qs_rank *r, size_t nr)
{
	struct qs_group parent = g[j];
	g[j] = (struct qs_group){ 0, QS_DEAD, 0, 0, NULL, NULL, 0 };
	size_t made[QS_MAX_RANKS], nmade = 0;
	size_t below = parent.below, b = 0, last = 0;
	for (size_t i = 0; i < nr; i++) {
		if (r[i].group != (int)j)
			continue;
		/* the ranks come in increasing order (the quantiles' pairs): the
		 * walk over the 65,536 buckets goes on from the last one's bucket
		 * instead of starting over (the same bucket either way) */
		if (r[i].rank < last) {
			below = parent.below;
			b = 0;
		}
		last = r[i].rank;
		while (below + parent.hist[b] <= r[i].rank)
			below += parent.hist[b++];
		uint64_t prefix = parent.shift == 64 ? b : parent.prefix << QS_BITS | b;
		int shift = parent.shift - QS_BITS;
		if (shift == 0) { /* a single key: the value itself */
			r[i].group = -1;
			r[i].value = qs_value(prefix);
			continue;
		}
		size_t k = 0;
		while (k < nmade && g[made[k]].prefix != prefix)
			k++;
		if (k == nmade) {
			made[nmade] = nmade ? (*ng)++ : j;
			nmade++;
			g[made[k]] = (struct qs_group){ prefix, shift, below, parent.hist[b],
							NULL,	NULL,  0 };
		}
		r[i].group = (int)made[k];
	}
	free(parent.hist);
}

static size_t qs_live(const struct qs_rank *r, size_t nr, size_t j)
{
	size_t n = 0;
	for (size_t i = 0; i < nr; i++)
		n += r[i].group == (int)j;
	return n;
}

/* Narrows the ranks' groups until their candidates fit in cap values, then
 * selects within them. */
static int qs_resolve(const struct qsel_src *src, struct qs_work *w, struct qs_group *g, size_t ng,
		      struct qs_rank *r, size_t nr, size_t cap)
{
	for (;;) {
		size_t total = 0, live = 0;
		for (size_t j = 0; j < ng; j++)
			if (qs_live(r, nr, j)) {
				total += g[j].count;
				live++;
			}
		if (live == 0)
			return 0;
		if (total <= cap)
			break;
		/* count the biggest groups' keys by their next 16 bits */
		for (size_t j = 0; j < ng; j++)
			if (qs_live(r, nr, j) && g[j].count > cap / live) {
				g[j].hist = calloc(QS_BUCKETS, sizeof *g[j].hist);
				if (!g[j].hist)
					return -1;
			}
		qs_pass(src, w, g, ng, NULL, NULL);
		size_t before = ng;
		for (size_t j = 0; j < before; j++)
			if (g[j].hist)
				qs_split(g, &ng, j, r, nr);
	}
	size_t total = 0;
	for (size_t j = 0; j < ng; j++)
		total += qs_live(r, nr, j) ? g[j].count : 0;
	double *cand = malloc((total ? total : 1) * sizeof *cand);
	if (!cand)
		return -1;
	size_t off = 0;
	for (size_t j = 0; j < ng; j++)
		if (qs_live(r, nr, j)) {
			g[j].cand = cand + off;
			g[j].filled = 0;
			off += g[j].count;
		}
	qs_pass(src, w, g, ng, NULL, NULL);
	for (size_t i = 0; i < nr; i++)
		if (r[i].group >= 0) {
			struct qs_group *h = &g[r[i].group];
			size_t k = r[i].rank - h->below;
			qs_select(h->cand, 0, h->count, k);
			r[i].value = h->cand[k];
		}
	free(cand);
	return 0;
}

/* Moves the smallest of v[k..n) to v[k] (k < n). */
static void qs_min_to(double *v, size_t k, size_t n)
{
	size_t m = k;
	for (size_t i = k + 1; i < n; i++)
		if (v[i] < v[m])
			m = i;
	double x = v[k];
	v[k] = v[m];
	v[m] = x;
}

double qsel_gsl_quantile(double lo, double hi, size_t n, double f)
{
	/* as GSL 2.x quantile_source.c */
	const double index = f * (double)(n - 1);
	const size_t lhs = (size_t)(int)index;
	const double delta = index - (double)lhs;
	if (n == 0)
		return 0.0;
	if (lhs == n - 1)
		return lo;
	return (1 - delta) * lo + delta * hi;
}

int qsel_stats(const struct qsel_src *src, const double *f, size_t nf, size_t cap, size_t *count,
	       double *mean, double *q)
{
	if (nf > QS_MAX_RANKS / 2 || cap < 64)
		return -1;
	struct qs_work *w = malloc(sizeof *w);
	struct qs_group g[QS_MAX_RANKS + 1] = { { 0, 64, 0, 0, NULL, NULL, 0 } };
	g[0].hist = calloc(QS_BUCKETS, sizeof *g[0].hist);
	if (!w || !g[0].hist) {
		free(w);
		free(g[0].hist);
		return -1;
	}
	size_t n = 0;
	double sum = 0;
	qs_pass(src, w, g, 1, &n, &sum);
	*count = n;
	if (n == 0) {
		free(g[0].hist);
		free(w);
		*mean = NAN;
		for (size_t i = 0; i < nf; i++)
			q[i] = NAN;
		return 0;
	}
	*mean = sum / (double)n;
	g[0].count = n;
	struct qs_rank r[QS_MAX_RANKS];
	size_t nr = 0;
	for (size_t i = 0; i < nf; i++) {
		size_t lhs = (size_t)(int)(f[i] * (double)(n - 1));
		r[nr++] = (struct qs_rank){ lhs, 0, 0 };
		r[nr++] = (struct qs_rank){ lhs + 1 < n ? lhs + 1 : lhs, 0, 0 };
	}
	size_t ng = 1;
	qs_split(g, &ng, 0, r, nr);
	int rc = qs_resolve(src, w, g, ng, r, nr, cap);
	for (size_t j = 0; j < QS_MAX_RANKS + 1; j++)
		free(g[j].hist);
	free(w);
	if (rc < 0)
		return -1;
	for (size_t i = 0; i < nf; i++)
		q[i] = qsel_gsl_quantile(r[2 * i].value, r[2 * i + 1].value, n, f[i]);
	return 0;
}

int qsel_stats_held(double *v, size_t n, const double *f, size_t nf, double *mean, double *q)
{
	if (nf > QS_MAX_RANKS / 2)
		return -1;
	if (n == 0) {
		*mean = NAN;
		for (size_t i = 0; i < nf; i++)
			q[i] = NAN;
		return 0;
	}
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	*mean = sum / (double)n;
	/* after selecting rank k, v[k..n) holds exactly the ranks from k on:
	 * a climbing rank is selected there (the next one is their minimum),
	 * a falling one in the whole */
	size_t prev = SIZE_MAX;
	for (size_t i = 0; i < nf; i++) {
		size_t lhs = (size_t)(int)(f[i] * (double)(n - 1));
		const size_t rank[2] = { lhs, lhs + 1 < n ? lhs + 1 : lhs };
		double val[2];
		for (int s = 0; s < 2; s++) {
			size_t k = rank[s];
			if (prev != SIZE_MAX && k == prev + 1)
				qs_min_to(v, k, n);
			else if (k != prev)
				qs_select(v, prev != SIZE_MAX && k > prev ? prev : 0, n, k);
			val[s] = v[k] == 0 ? 0.0 : v[k]; /* -0.0 as +0.0, as the keys do */
			prev = k;
		}
		q[i] = qsel_gsl_quantile(val[0], val[1], n, f[i]);
	}
	return 0;
}
