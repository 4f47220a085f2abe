/* conformal: split-conformal calibration shared by the regressors (odma,
 * gbdt). A slice of the train part, chosen by id hash (conf_is_calib), is
 * held back from fitting; on it the scores (t - mu) / s (t the transformed
 * true length, mu the point estimate, s the predicted spread, floored at
 * smin) give z_q = the ceil((m+1)q)-th smallest of m, so that mu + z_q s
 * covers q of exchangeable held-out requests. z is kept exactly at the
 * configured q and on a grid of q = 1/200 ... 199/200 for any other q; the
 * spreads' quantiles on the same grid turn a spread into its calibrated
 * rank in [0,1] (the uncertainty score: above tau for about 1 - tau). */
#ifndef OM_CONFORMAL_H
#define OM_CONFORMAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/err.h"

#define CONF_NGRID 199

struct conf {
	double q, z, smin;
	double zgrid[CONF_NGRID]; /* z at q = (g+1)/200 */
	double sgrid[CONF_NGRID]; /* calibration spreads' quantiles, same q */
};

/* True for ids in the calibration slice (pct percent of ids). */
bool conf_is_calib(int64_t id, int pct);

/* The spread floored at smin. */
static inline double conf_spread(const struct conf *c, double s)
{
	return s > c->smin ? s : c->smin;
}

/* Calibrates from m calibration rows: scores (t - mu) / conf_spread(s) and
 * the floored spreads; both arrays are sorted in place. c->q and c->smin
 * must be set. */
void conf_fit(struct conf *c, double *scores, double *spreads, size_t m);

/* z at q in (0,1): exact at c->q, else linear in the grid. */
double conf_z(const struct conf *c, double q);

/* The calibrated rank of a (floored) spread, in [0,1]. */
double conf_rank(const struct conf *c, double s);

/* "z V", "smin V", then the two grids as weight tables (linmodel.h). */
void conf_save(const struct conf *c, FILE *f);
int conf_load(struct conf *c, FILE *f, const char *origin, long *line, struct om_err *e);

#endif
