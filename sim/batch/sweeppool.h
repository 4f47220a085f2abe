/* sweeppool: runs a plan's pending runs in worker processes, at most maxw at
 * a time. A worker is `prog run JOB -q -o DIR` with stdout discarded and
 * stderr in the run's log; a run is done if its directory exists when the
 * worker ends (whoever made it), failed otherwise, with the log's last line as
 * the error. SIGINT/SIGTERM/SIGHUP stop the pool: workers get SIGTERM (SIGKILL
 * on a second signal), their partial directories are removed, and they count
 * as not run. Workers die with the pool even if it is killed (SIGKILL):
 * Linux's parent-death signal sends them SIGTERM. Progress goes to stderr: one updating line on a terminal, else
 * one line per finished run (failures only when quiet). */
#ifndef OM_SWEEPPOOL_H
#define OM_SWEEPPOOL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "sim/batch/sweepplan.h"

struct sw_failure {
	size_t run; /* index into the plan */
	char *msg;
};

struct sw_worker;

struct sw_pool {
	/* set by the caller */
	struct sw_plan *p;
	const char *prog;
	bool tty, quiet;
	size_t maxw;
	size_t total, skipped; /* distinct runs; already complete before starting */
	double t0;	       /* swpool_now() at the start, for elapsed and ETA */
	/* results */
	size_t ok, failed;
	struct sw_failure *fail;
	size_t nfail;
	bool interrupted;
	/* internal */
	sigset_t old_mask;
	struct sw_worker *w;
	size_t nw, started, finished_now;
	bool progress_shown;
};

/* Records a failed run (also used for runs that fail at planning time). */
void swpool_add_failure(struct sw_pool *pl, size_t run, const char *msg);
/* Runs every SW_PENDING run. 0: all attempted; 1: interrupted; -1: cannot
 * start workers (e filled). */
int swpool_run(struct sw_pool *pl, struct om_err *e);
/* Prints each failure with its error, swept values, job file and log. */
void swpool_report(const struct sw_pool *pl);
void swpool_free(struct sw_pool *pl);

double swpool_now(void);
/* "m:ss" or "h:mm:ss"; "?" for a negative duration. */
void swpool_fmt_dur(double s, char *buf, size_t n);

#endif
