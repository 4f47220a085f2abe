/* `odmasim trace FILE...`: reads traces exactly as a run does and prints
 * their size and length statistics. Validates a trace before a long sweep,
 * and is the parse-only floor the benchmark compares runs against. */
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workload/trace_fmt.h"
#include "sim/cli/cli.h"

static void stats(const char *what, double *v, size_t n)
{
	gsl_sort(v, 1, n);
	printf("  %-14s min %6.0f  p50 %6.0f  p90 %6.0f  p99 %6.0f  max %6.0f  mean %8.2f\n", what,
	       v[0], gsl_stats_quantile_from_sorted_data(v, 1, n, 0.5),
	       gsl_stats_quantile_from_sorted_data(v, 1, n, 0.9),
	       gsl_stats_quantile_from_sorted_data(v, 1, n, 0.99), v[n - 1],
	       gsl_stats_mean(v, 1, n));
}

const char cmd_trace_usage[] =
	"usage: odmasim trace FILE.csv...\n"
	"  Parses each trace (shared or Vidur layout) and prints row count and\n"
	"  prompt/output length statistics; exits non-zero on the first bad row.\n";

/* One trace's size and length statistics; -1 after a message. */
static int trace_one(const char *path)
{
	struct wl_trace t;
	struct om_err e;
	trace_init(&t);
	if (trace_read(path, &t, true, &e) < 0) {
		fprintf(stderr, "odmasim: error: %s\n", e.msg);
		trace_free(&t);
		return -1;
	}
	double *p = malloc(t.n * sizeof *p), *o = malloc(t.n * sizeof *o);
	if (!p || !o) {
		free(p), free(o), trace_free(&t);
		fprintf(stderr, "odmasim: error: out of memory\n");
		return -1;
	}
	for (size_t k = 0; k < t.n; k++) {
		p[k] = t.req[k].prompt_tokens;
		o[k] = t.out_tokens[k];
	}
	printf("%s: %zu requests%s\n", path, t.n, t.has_arrivals ? ", with arrival times" : "");
	stats("prompt_tokens", p, t.n);
	stats("output_tokens", o, t.n);
	free(p), free(o);
	trace_free(&t);
	return 0;
}

int cmd_trace(int argc, char **argv)
{
	struct opts p;
	int n = opts_help_only(&p, "trace", cmd_trace_usage, argc, argv, 1, argc, "trace file");
	int rc = n < 0 ? p.status : 0;
	for (int i = 0; i < n && rc == 0; i++)
		if (trace_one(p.argv[p.ind + i]) < 0)
			rc = 1;
	opts_end(&p);
	return rc;
}
