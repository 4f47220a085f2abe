#include "predictors/xgb_dl.h"

#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* dlsym returns functions as void *: POSIX guarantees the two sizes match */
_Static_assert(sizeof(void *) == sizeof(int (*)(void)), "function pointers fit in void *");

static const struct {
	const char *sym;
	size_t off;
} xgb_syms[] = {
	{ "XGBGetLastError", offsetof(struct xgb_api, last_error) },
	{ "XGDMatrixCreateFromCSREx", offsetof(struct xgb_api, dmatrix_csr) },
	{ "XGDMatrixFree", offsetof(struct xgb_api, dmatrix_free) },
	{ "XGDMatrixSetFloatInfo", offsetof(struct xgb_api, dmatrix_set_float) },
	{ "XGBoosterCreate", offsetof(struct xgb_api, booster_create) },
	{ "XGBoosterFree", offsetof(struct xgb_api, booster_free) },
	{ "XGBoosterSetParam", offsetof(struct xgb_api, booster_set_param) },
	{ "XGBoosterUpdateOneIter", offsetof(struct xgb_api, booster_update) },
	{ "XGBoosterPredict", offsetof(struct xgb_api, booster_predict) },
	{ "XGBoosterSaveModelToBuffer", offsetof(struct xgb_api, booster_save) },
	{ "XGBoosterLoadModelFromBuffer", offsetof(struct xgb_api, booster_load) },
};

/* Debian's runtime package (libxgboost0) ships only the soname; other
 * installs (pip's wheel, a source build) may have only the plain name. */
static const char *const xgb_names[] = { "libxgboost.so.0", "libxgboost.so" };

int xgb_open(struct xgb_api *x, struct om_err *e)
{
	memset(x, 0, sizeof *x);
	char why[256] = "not found";
	for (size_t i = 0; !x->lib && i < sizeof xgb_names / sizeof *xgb_names; i++) {
		x->lib = dlopen(xgb_names[i], RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
		const char *msg = x->lib || i > 0 ? NULL : dlerror();
		if (msg) /* the soname's reason is the telling one */
			snprintf(why, sizeof why, "%s", msg);
	}
	if (!x->lib)
		return err_set(e, NULL, 0, "predictor.name",
			       "gbdt needs XGBoost's shared library (Debian: libxgboost0): %s",
			       why);
	for (size_t i = 0; i < sizeof xgb_syms / sizeof *xgb_syms; i++) {
		void *f = dlsym(x->lib, xgb_syms[i].sym);
		if (!f) {
			xgb_close(x);
			return err_set(e, NULL, 0, "predictor.name",
				       "gbdt: the XGBoost library lacks %s (version 1.x is needed)",
				       xgb_syms[i].sym);
		}
		memcpy((char *)x + xgb_syms[i].off, &f, sizeof f);
	}
	return 0;
}

void xgb_close(struct xgb_api *x)
{
	if (x->lib)
		dlclose(x->lib);
	memset(x, 0, sizeof *x);
}
