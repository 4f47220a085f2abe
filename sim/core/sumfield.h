/* sumfield: the one list of a run's summary fields, in output order. It
 * gives summary.json and summary.csv their names, order and number format
 * (report), and the columns that compare and capacity take from a summary.
 * Most fields sit in struct summary (`off`); the rest describe the run and
 * come from its configuration, trace or result (`get`). */
#ifndef OM_SUMFIELD_H
#define OM_SUMFIELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/cfg.h"
#include "workload/trace.h"
#include "sim/core/engine.h"

enum sf_kind {
	SF_STR,
	SF_INT, /* int64_t, printed "%lld" */
	SF_REAL /* double, printed "%.9g" (round-trips a double's value to 9 digits) */
};

/* What a run's fields are read from. */
struct sf_src {
	const struct cfg *c;
	const struct wl_trace *t;
	const struct run_result *r;
};

/* A value that does not exist (a latency with nothing completed, an SLO
 * field without run.slo) is none, or NAN for a real: JSON null, empty CSV. */
struct sf_val {
	const char *s;
	int64_t i;
	double d;
	bool none;
};

/* Bumped whenever a summary field is renamed, removed or changes meaning. */
#define SF_SCHEMA_VERSION 2

#define SF_NO_OFF ((size_t)-1)

struct sumfield {
	const char *name;
	enum sf_kind kind;
	size_t off;					/* offset in struct summary, or SF_NO_OFF */
	struct sf_val (*get)(const struct sf_src *src); /* when off == SF_NO_OFF */
	const char *unit;				/* "" when a count or a name */
	const char *doc;
};

extern const struct sumfield sf_fields[];
extern const size_t sf_count;

/* The field called `name`, or NULL. */
const struct sumfield *sf_find(const char *name);
struct sf_val sf_value(const struct sumfield *f, const struct sf_src *src);
/* A field that lives in struct summary, read from s alone. */
struct sf_val sf_from_summary(const struct sumfield *f, const struct summary *s);
/* Writes a number field's value as text (strings: v.s itself). Returns buf. */
const char *sf_format(const struct sumfield *f, const struct sf_val *v, char *buf, size_t n);

#endif
