/* capsearch: the capacity search, apart from how a rate is simulated.
 * An SLO is a list of bounds on a run's summary metrics. The search brackets
 * the highest rate that meets it by doubling (or halving) from a start rate,
 * then bisects until the bracket is narrower than a relative tolerance. It
 * assumes the metrics grow with the rate, and reports the last rate seen to
 * meet the SLO and the first seen to miss it. */
#ifndef OM_CAPSEARCH_H
#define OM_CAPSEARCH_H

#include <stddef.h>

#include "common/err.h"
#include "sim/core/metrics.h"
#include "sim/core/slo.h"

struct cap_point {
	double rate; /* the rate actually simulated */
	struct summary s;
	unsigned viol;
};

enum cap_status {
	CAP_FOUND,
	CAP_BELOW_MIN,
	CAP_AT_MAX,
	CAP_ERROR
};

struct cap_result {
	enum cap_status status;
	struct cap_point lo; /* highest rate seen to meet the SLO (FOUND, AT_MAX) */
	struct cap_point hi; /* lowest rate seen to miss it (FOUND, BELOW_MIN) */
	int evals;
	char error[OM_ERR_LEN];
};

struct cap_params {
	double start, min, max; /* 0 < min <= start <= max */
	double tol;		/* stop when hi - lo <= tol * lo */
};

/* Simulates `rate`; may round it, and sets pt->rate to the rate used and pt->s. */
typedef int (*cap_eval_fn)(void *ctx, double rate, struct cap_point *pt, struct om_err *e);

void cap_search(const struct cap_params *prm, const struct cap_slo *slo, cap_eval_fn eval,
		void *ctx, struct cap_result *res);

#endif
