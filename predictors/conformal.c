#include "predictors/conformal.h"

#include <gsl/gsl_sort.h>
#include <math.h>

#include "common/rng.h"
#include "predictors/linmodel.h"
#include "predictors/predictor.h"

bool conf_is_calib(int64_t id, int pct)
{
	return (int)(rng_mix64((uint64_t)id ^ 0xca11b0a7ULL) % 100) < pct;
}

/* The ceil((m+1)q)-th smallest of m sorted values, the largest when that
 * rank exceeds m. */
static double conformal(const double *sc, size_t m, double q)
{
	double k = ceil((double)(m + 1) * q);
	size_t i = k < 1 ? 0 : (size_t)k - 1;
	return sc[i < m ? i : m - 1];
}

void conf_fit(struct conf *c, double *scores, double *spreads, size_t m)
{
	gsl_sort(scores, 1, m);
	c->z = conformal(scores, m, c->q);
	for (int g = 0; g < CONF_NGRID; g++)
		c->zgrid[g] = conformal(scores, m, (g + 1) / 200.0);
	gsl_sort(spreads, 1, m);
	for (int g = 0; g < CONF_NGRID; g++)
		c->sgrid[g] = conformal(spreads, m, (g + 1) / 200.0);
}

double conf_z(const struct conf *c, double q)
{
	if (fabs(q - c->q) < 1e-12)
		return c->z;
	double g = q * 200.0 - 1;
	if (g <= 0)
		return c->zgrid[0];
	if (g >= CONF_NGRID - 1)
		return c->zgrid[CONF_NGRID - 1];
	size_t i = (size_t)g;
	double f = g - (double)i;
	return c->zgrid[i] * (1 - f) + c->zgrid[i + 1] * f;
}

double conf_rank(const struct conf *c, double s)
{
	if (s < c->sgrid[0])
		return 0;
	size_t lo = 0, hi = CONF_NGRID - 1;
	if (s >= c->sgrid[hi])
		return 1;
	while (hi - lo > 1) { /* sgrid[lo] <= s < sgrid[hi] */
		size_t mid = (lo + hi) / 2;
		if (c->sgrid[mid] <= s)
			lo = mid;
		else
			hi = mid;
	}
	double w = c->sgrid[hi] - c->sgrid[lo], f = w > 0 ? (s - c->sgrid[lo]) / w : 0;
	return ((double)lo + 1 + f) / 200.0;
}

void conf_save(const struct conf *c, FILE *f)
{
	fprintf(f, "z %.17g\nsmin %.17g\n", c->z, c->smin);
	lm_save(f, "zgrid", c->zgrid, CONF_NGRID, 1);
	lm_save(f, "sgrid", c->sgrid, CONF_NGRID, 1);
}

int conf_load(struct conf *c, FILE *f, const char *origin, long *line, struct om_err *e)
{
	if (pred_read_num(f, origin, line, "z", &c->z, e) < 0
	    || pred_read_num(f, origin, line, "smin", &c->smin, e) < 0)
		return -1;
	if (!(c->smin > 0))
		return err_set(e, origin, *line, "smin", "must be positive");
	return lm_load(f, origin, line, "zgrid", c->zgrid, CONF_NGRID, 1, e) < 0
			|| lm_load(f, origin, line, "sgrid", c->sgrid, CONF_NGRID, 1, e) < 0
		? -1
		: 0;
}
