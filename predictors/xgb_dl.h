/* xgb_dl: the few functions of XGBoost's C API that the gbdt predictor
 * calls, loaded with dlopen when a gbdt predictor is created instead of
 * linked into the program: XGBoost brings libstdc++, libgomp and libdmlc,
 * whose ~8,000 relocations every other run (and --help) would pay at
 * start-up. Only the headers are needed at build time. */
#ifndef OM_XGB_DL_H
#define OM_XGB_DL_H

#include <xgboost/c_api.h>

#include "common/err.h"

/* Each field is the C API function of the same name without its XGB prefix. */
struct xgb_api {
	void *lib;
	const char *(*last_error)(void);
	int (*dmatrix_csr)(const size_t *indptr, const unsigned *indices, const float *data,
			   size_t nindptr, size_t nelem, size_t num_col, DMatrixHandle *out);
	int (*dmatrix_free)(DMatrixHandle h);
	int (*dmatrix_set_float)(DMatrixHandle h, const char *field, const float *a, bst_ulong len);
	int (*booster_create)(const DMatrixHandle dmats[], bst_ulong len, BoosterHandle *out);
	int (*booster_free)(BoosterHandle h);
	int (*booster_set_param)(BoosterHandle h, const char *name, const char *value);
	int (*booster_update)(BoosterHandle h, int iter, DMatrixHandle dtrain);
	int (*booster_predict)(BoosterHandle h, DMatrixHandle m, int option_mask,
			       unsigned ntree_limit, int training, bst_ulong *out_len,
			       const float **out);
	int (*booster_save)(BoosterHandle h, const char *config, bst_ulong *out_len,
			    const char **out);
	int (*booster_load)(BoosterHandle h, const void *buf, bst_ulong len);
};

/* Loads the library (the runtime soname of Debian's libxgboost0, else the
 * development symlink) and every function; 0, or -1 with one line in e
 * naming what is missing (x is then closed). */
int xgb_open(struct xgb_api *x, struct om_err *e);

/* Drops this handle's reference; the library stays mapped (RTLD_NODELETE)
 * so threads and destructors it started never outlive its code. */
void xgb_close(struct xgb_api *x);

#endif
