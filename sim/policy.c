#include "policy.h"

#include <string.h>

const struct pol_ops *const pol_registry[] = {
	&pol_static,
	&pol_paged,
	&pol_s3,
	&pol_odma,
	&pol_oracle,
	NULL,
};

const struct cfg_key pol_common_keys[] = {
	{ "policy.name", CFG_STR, "static", 0, -1, NULL, "allocation policy (see `odmasim keys`: static, ...)" },
	{ "policy.max_model_len", CFG_INT, "4096", 2, 1 << 24, NULL,
	  "longest context (prompt + output) a request may reach, tokens" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

const struct pol_ops *pol_find(const char *name)
{
	for (size_t i = 0; pol_registry[i]; i++)
		if (strcmp(pol_registry[i]->name, name) == 0)
			return pol_registry[i];
	return NULL;
}
