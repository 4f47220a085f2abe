/* qsel: the mean and quantiles of values read in passes from a source,
 * exactly as if they were collected into one array, averaged in source
 * order and sorted for gsl_stats_quantile_from_sorted_data, but holding at
 * most `cap` of them at a time instead of all: a big run's latencies stay
 * in its request records and are recomputed on each pass. Order statistics
 * are found by narrowing 16 bits of an order-preserving integer key per
 * pass until the candidates fit in the buffer (radix selection).
 * Values must be NaN-free; -0.0 counts as +0.0. */
#ifndef OM_QSEL_H
#define OM_QSEL_H

#include <stddef.h>

/* fill puts up to cap values from *cursor on into buf, advancing *cursor,
 * and returns how many (0 = the end); every pass reads the same sequence. */
struct qsel_src {
	size_t (*fill)(const void *ctx, size_t *cursor, double *buf, size_t cap);
	const void *ctx;
};

/* *mean and q[i] = the f[i] quantile (0 <= f[i] <= 1) of the source's
 * values; NAN for all when it has none. *count gets how many. cap >= 64
 * bounds the values held at once. Returns -1 when out of memory. */
int qsel_stats(const struct qsel_src *src, const double *f, size_t nf, size_t cap, size_t *count,
	       double *mean, double *q);

/* The same answers for values already held in v[0..n) (source order; v
 * is reordered): one pass to sum, then selections in place. For callers
 * whose values fit in memory at once (n within their cap). */
int qsel_stats_held(double *v, size_t n, const double *f, size_t nf, double *mean, double *q);

/* gsl_stats_quantile_from_sorted_data's formula given the two order
 * statistics it reads: lo at floor(f * (n - 1)) and hi the one after (hi is
 * not read when lo is the last). */
double qsel_gsl_quantile(double lo, double hi, size_t n, double f);

#endif
