/* sweepfile: the sweep file, an INI file that names a base experiment and
 * the values to sweep. Sections:
 *   [sweep]      base = EXPERIMENT.ini (relative to the sweep file), out = DIR
 *   [set]        key = value: fixed overrides applied to every run
 *   [grid]       key = v1, v2, ...: each key is one axis of a cartesian product
 *   [zip NAME]   keys whose lists advance together (equal lengths): one axis
 * Runs enumerate the product of the axes in file order, the last axis
 * varying fastest. Values are split at commas and trimmed; "" is the empty
 * string; an indented line continues the previous key's list. Keys are
 * "section.key" names of the experiment config; checking that they exist is
 * the caller's job (sweepfile knows nothing of the experiment's keys). */
#ifndef OM_SWEEPFILE_H
#define OM_SWEEPFILE_H

#include <stddef.h>

#include "common/err.h"

struct sw_key {
	char *name; /* "section.key" */
	long line;  /* where the sweep file set it */
	char **val;
	size_t nval;
};

struct sw_axis {
	struct sw_key *key;
	size_t nkey;
	size_t nval; /* every key of the axis has this many values */
	long line;
};

struct sweepfile {
	char *path; /* the sweep file as given */
	char *base; /* base experiment path, resolved against the sweep file's dir */
	long base_line;
	char *out; /* [sweep] out, or NULL */
	long out_line;
	struct sw_key *fixed; /* one value each */
	size_t nfixed;
	struct sw_axis *axis;
	size_t naxis;
};

int sweepfile_load(const char *path, struct sweepfile *s, struct om_err *e);
/* Parses text; `path` names it in messages and anchors a relative base. */
int sweepfile_parse(const char *text, const char *path, struct sweepfile *s, struct om_err *e);
void sweepfile_free(struct sweepfile *s);

/* Number of runs: the product of the axis lengths (1 with no axes). */
size_t sweepfile_nruns(const struct sweepfile *s);
/* Number of swept keys, and the k-th one (axes in order, keys within). */
size_t sweepfile_nswept(const struct sweepfile *s);
const struct sw_key *sweepfile_swept(const struct sweepfile *s, size_t k);
/* Value of swept key k in run i. */
const char *sweepfile_value(const struct sweepfile *s, size_t i, size_t k);

#endif
