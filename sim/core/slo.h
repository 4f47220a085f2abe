/* slo: a service-level objective as bounds on a run's summary metrics,
 * "ttft_p99=1,tpot_p99=100ms" (the syntax of `capacity --slo` and of
 * run.slo). The capacity search asks whether a run meets it; a single run
 * also reports goodput and SLO attainment, judging each request by the same
 * bounds (a percentile bound on a latency is a bound on every request's). */
#ifndef OM_SLO_H
#define OM_SLO_H

#include <stddef.h>

#include "common/cfg.h"
#include "common/err.h"
#include "sim/core/metrics.h"

#define CAP_MAX_METRICS 16
/* Violation bit set when no request completed (the metrics mean nothing). */
#define CAP_NOTHING_COMPLETED (1u << 30)

struct cap_metric;

struct cap_slo {
	const struct cap_metric *m[CAP_MAX_METRICS];
	double bound[CAP_MAX_METRICS];
	size_t n;
};

/* "ttft_p99=2,tpot_p99=100ms": metrics ttft|tpot|e2e|queue _p50|_p90|_p99
 * (an optional _s suffix; bounds in seconds or with ms) and reject_frac. */
int cap_slo_parse(const char *spec, struct cap_slo *o, struct om_err *e);
const char *cap_metric_name(const struct cap_metric *m);
/* True for metrics measured in seconds. */
int cap_metric_is_time(const struct cap_metric *m);
double cap_metric_value(const struct cap_metric *m, const struct summary *s);
/* Bit k set: metric k exceeds its bound; CAP_NOTHING_COMPLETED as above. */
unsigned cap_slo_violations(const struct cap_slo *o, const struct summary *s);
/* "ttft_p99+tpot_p99" for the bits of viol. */
void cap_slo_describe(const struct cap_slo *o, unsigned viol, char *buf, size_t n);

extern const struct cfg_key slo_keys[];

/* Parses run.slo ("" = none: *have = 0) and names the key in errors. */
int slo_from_cfg(const struct cfg *c, struct cap_slo *o, int *have, struct om_err *e);

struct slo_run {
	double attainment;   /* requests meeting every per-request bound / requests */
	double goodput_rps;  /* those requests / span_s */
	unsigned violations; /* of the run's summary, as cap_slo_violations */
};
/* Judges each finished request of a run against o's latency bounds. */
void slo_judge(const struct cap_slo *o, const struct sim_req *reqs, size_t n,
	       const struct summary *s, struct slo_run *out);

#endif
