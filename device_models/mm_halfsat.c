/* halfsat: the one-parameter access-granularity curve
 *   B_eff(L) = B_peak * eta_seq * L / (L + L_half),
 * i.e. every run pays a fixed cost equal to streaming L_half bytes. */
#include "device_models/memmodel.h"

static int hs_create(const struct cfg *c, const struct dev_device *d, void **state,
		     struct om_err *e)
{
	(void)c, (void)d, (void)e;
	*state = NULL;
	return 0;
}

static void hs_destroy(void *state)
{
	(void)state;
}

static double hs_eff(const void *state, const struct dev_device *d, double L)
{
	(void)state;
	return d->eta_seq * L / (L + d->l_half);
}

static bool hs_linear(const void *state, const struct dev_device *d, double *eta, double *l_half)
{
	(void)state;
	*eta = d->eta_seq;
	*l_half = d->l_half;
	return true;
}

const struct mm_ops mm_halfsat = {
	.name = "halfsat",
	.help = "B_eff(L) = B_peak * eta_seq * L / (L + L_half)",
	.keys = NULL,
	.create = hs_create,
	.destroy = hs_destroy,
	.eff = hs_eff,
	.linear = hs_linear,
};
