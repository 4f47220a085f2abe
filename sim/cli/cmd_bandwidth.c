/* `odmasim bandwidth [EXPERIMENT.ini] [--set k=v]...`: the effective
 * bandwidth of the configured device for contiguous runs of 32 B .. 1 MiB,
 * as CSV on stdout: what one KV read of that length achieves. */
#include <stdio.h>
#include <stdlib.h>

#include "device_models/timing.h"
#include "sim/cli/cli.h"

const char cmd_bandwidth_usage[] =
	"usage: odmasim bandwidth [EXPERIMENT.ini] [--set section.key=value]...\n"
	"  Prints CSV: device,mem_model,run_bytes,beff_gbps,fraction_of_peak\n";

int cmd_bandwidth(int argc, char **argv)
{
	struct cli_opts o;
	struct cfg *c;
	int stop = cli_load_exp("bandwidth", cmd_bandwidth_usage, argc, argv, &o, false, &c);
	if (stop >= 0)
		return stop;
	struct om_err e;
	struct dev_timing t;
	int rc = 1;
	if (dt_init(&t, c, &e) < 0) {
		fprintf(stderr, "odmasim: error: %s\n", e.msg);
		goto out;
	}
	printf("device,mem_model,run_bytes,beff_gbps,fraction_of_peak\n");
	for (double L = 32; L <= 1048576; L *= 2) {
		double b = dt_beff(&t, L);
		printf("%s,%s,%.0f,%.6g,%.6g\n", t.d.name, t.d.mem_model, L, b / 1e9,
		       b / t.d.peak_bw);
	}
	dt_free(&t);
	rc = 0;
out:
	cfg_free(c);
	free(o.sets);
	return rc;
}
