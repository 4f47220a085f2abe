#include "predictor.h"

#include <string.h>

const struct pred_ops *const pred_registry[] = {
	NULL,
};

const struct cfg_key pred_common_keys[] = {
	{ "predictor.name", CFG_STR, "none", 0, -1, NULL,
	  "output-length predictor the policy sizes memory from; none = no prediction" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

const struct pred_ops *pred_find(const char *name)
{
	for (size_t i = 0; pred_registry[i]; i++)
		if (strcmp(pred_registry[i]->name, name) == 0)
			return pred_registry[i];
	return NULL;
}

int pred_from_cfg(const struct cfg *c, struct pred_handle *h, struct om_err *e)
{
	h->ops = NULL;
	h->state = NULL;
	const char *name = cfg_str(c, "predictor.name");
	if (!strcmp(name, "none"))
		return 0;
	const struct pred_ops *ops = pred_find(name);
	if (!ops)
		return cfg_fail(c, "predictor.name", e, "unknown predictor '%s'", name);
	if (ops->create(c, &h->state, e) < 0)
		return -1;
	h->ops = ops;
	return 0;
}

void pred_handle_free(struct pred_handle *h)
{
	if (h->ops)
		h->ops->destroy(h->state);
	h->ops = NULL;
	h->state = NULL;
}
