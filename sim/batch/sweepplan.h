/* sweepplan: turns a sweep file into runs with stable names, and finds which
 * are already complete. Layout of a sweep's output directory OUT:
 *   OUT/manifest.csv          run,hash,<swept keys>: one row per distinct run
 *   OUT/jobs/<hash>.ini       the run's fully resolved config (a job file)
 *   OUT/runs/<label>--<hash>/ results of `odmasim run <job file>`; this name
 *                             appears (by rename) only when the run is complete
 *   OUT/logs/<hash>.log       stderr of the last failed attempt
 * <hash> is runhash_name of the resolved config, so a rerun of the sweep (or
 * another machine, or GNU parallel) finds finished work by name. */
#ifndef OM_SWEEPPLAN_H
#define OM_SWEEPPLAN_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "sim/batch/runhash.h"
#include "sim/batch/sweepfile.h"

enum sw_status {
	SW_PENDING,  /* to run */
	SW_DONE,     /* results directory present and its config matches */
	SW_INVALID,  /* the configuration does not load; error says why */
	SW_DUP,	     /* same resolved config as run dup_of */
	SW_CONFLICT, /* a directory with this hash holds a different config */
};

struct sw_run {
	size_t index; /* position in the sweep's enumeration */
	char **sets;  /* "key=value": fixed overrides, then swept values */
	size_t nsets;
	char *label;
	char hash[RUNHASH_HEX + 1];
	char *dir;	/* directory name under OUT/runs */
	char *job_text; /* job file contents (resolved config) */
	char *canon;	/* canonical form the hash was taken of */
	char *error;	/* SW_INVALID / SW_CONFLICT */
	enum sw_status st;
	size_t dup_of;
};

struct sw_plan {
	struct sweepfile sf;
	char out[PATH_MAX]; /* absolute path of OUT */
	struct sw_run *run;
	size_t n;
	size_t stale_tmp; /* leftover *.tmp-<pid> directories under OUT/runs */
};

/* Parses the sweep file, checks its keys, resolves every run's config and
 * names it. out_opt (may be NULL) overrides [sweep] out. Invalid runs are
 * marked, not fatal; an unreadable sweep file or base experiment is. */
int swplan_build(struct sw_plan *p, const char *sweep_path, const char *out_opt, struct om_err *e);
/* Creates OUT and its subdirectories, writes job files and the manifest,
 * and marks runs whose results exist as SW_DONE. */
int swplan_prepare(struct sw_plan *p, struct om_err *e);
void swplan_free(struct sw_plan *p);

/* Absolute paths of a run's job file, results directory and log. */
void swplan_job_path(const struct sw_plan *p, const struct sw_run *r, char *buf, size_t n);
void swplan_run_path(const struct sw_plan *p, const struct sw_run *r, char *buf, size_t n);
void swplan_log_path(const struct sw_plan *p, const struct sw_run *r, char *buf, size_t n);
/* True if the run's results directory exists now. */
bool swplan_exists(const struct sw_plan *p, const struct sw_run *r);
/* "key=value key=value" of the swept keys of run r, into buf. */
void swplan_describe(const struct sw_plan *p, const struct sw_run *r, char *buf, size_t n);

#endif
