/* pred_eval: held-out accuracy of a predictor (definitions in
 * docs/MODEL.md#accuracy-definitions). For each test sample with true length y the
 * predictor returns len (the capacity it would have reserved), a bucket
 * (its own if bucketed, else the bucket of len on the same K/bucket_max
 * grid) and a flag. */
#ifndef OM_PRED_EVAL_H
#define OM_PRED_EVAL_H

#include <stddef.h>
#include <stdio.h>

#include "predictors/predictor.h"

struct pe_metrics {
	size_t n;
	double bucket_hit;	    /* share with predicted bucket == bucket of y */
	double bucket_near;	    /* share within one bucket */
	double majority_hit;	    /* share whose bucket is the train set's most common one */
	double coverage;	    /* share with y <= len */
	double coverage_flag;	    /* share with y <= len or flagged uncertain */
	double over_mean, over_p99; /* max(0, len - y), tokens */
	double under_mean;	    /* max(0, y - len), tokens */
	double mae;		    /* |len - y| */
	double flagged;		    /* share flagged uncertain */
	double spearman;	    /* rank correlation of len and y (average ranks) */
	/* coverage and mean over-reservation of the pred_ops.quantile estimate
	 * at q = pe_quantiles[j]; a predictor without one reserves len at every q */
	double qcov[4], qover[4];
};

#define PE_NQ 4
extern const double pe_quantiles[PE_NQ];

/* Predicts every sample (the label is hidden unless the predictor is a
 * labelled truth-reader) and fills m. `train` gives the majority bucket
 * (may be NULL: majority_hit is then NAN). `pred` (n entries) may be NULL. */
int pe_evaluate(const struct pred_handle *h, const struct pred_sample *test, size_t n,
		const struct pred_sample *train, size_t ntrain, int32_t K, int32_t bucket_max,
		struct pe_metrics *m, struct pred_out *pred);

#endif
