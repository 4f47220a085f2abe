/* `odmasim keys [SECTION]`: the config key reference, as the README prints it. */
#include <stdio.h>

#include "sim/cli/cli.h"
#include "sim/core/experiment.h"

const char cmd_keys_usage[] =
	"usage: odmasim keys [SECTION]\n"
	"  Lists every config key, or those of one section (workload, policy, ...),\n"
	"  as a Markdown table: key, type, default and meaning.\n";

int cmd_keys(int argc, char **argv)
{
	const char *section;
	int rc = opts_optional_operand("keys", cmd_keys_usage, argc, argv, &section);
	if (rc >= 0)
		return rc;
	struct om_err e;
	struct cfg *c = exp_new_cfg(&e);
	if (!c) {
		fprintf(stderr, "odmasim: error: %s\n", e.msg);
		return 1;
	}
	rc = 0;
	if (cfg_write_reference(c, section, stdout) == 0) {
		char list[512];
		fprintf(stderr, "odmasim keys: unknown section '%s' (sections: %s)\n", section,
			cfg_sections(c, list, sizeof list));
		rc = 2;
	}
	cfg_free(c);
	return rc;
}
