/* cfg: the experiment configuration, a layered INI key store.
 * Every module publishes a table of the keys it reads (name, type, default,
 * range, help); a key that no table declares is an error naming file and line.
 * Layers, lowest first: table default < device/model preset < experiment file
 * < command-line --set < derived. cfg_check validates every value once, after
 * which the typed getters cannot fail.
 * A derived value is one the program computed from the others (a word such as
 * `auto` resolved, a tuned parameter): the getters read it, but cfg_write
 * writes the value as given beneath it, so a written configuration reruns
 * the same derivation rather than freezing its outcome. */
#ifndef OM_CFG_H
#define OM_CFG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/err.h"

enum cfg_type {
	CFG_INT,
	CFG_REAL,
	CFG_BOOL,
	CFG_STR,
	CFG_ENUM
};

struct cfg_key {
	const char *name; /* "section.key"; a NULL name ends a table */
	enum cfg_type type;
	const char *def; /* default as text; NULL = required */
	double min, max; /* inclusive range for INT/REAL; ignored if min > max */
	/* ENUM: the values, "a|b|c". REAL: words accepted besides a number
	 * (e.g. "auto"), which cfg_real reads as NAN until a derived value
	 * replaces them; NULL = numbers only. */
	const char *choices;
	const char *help;
};

enum cfg_level {
	CFG_LVL_DEFAULT,
	CFG_LVL_PRESET,
	CFG_LVL_FILE,
	CFG_LVL_CMDLINE,
	CFG_LVL_DERIVED /* wins over all; may be loaded again; not written */
};

struct cfg;

struct cfg *cfg_new(void);
void cfg_free(struct cfg *c);

/* Declares keys. Declaring the same name twice is allowed only if identical
 * type (several policies may share a key such as policy.block_size). */
int cfg_add_keys(struct cfg *c, const struct cfg_key *keys, struct om_err *e);

/* Parses an INI file into the FILE layer. Unknown sections and keys are errors. */
int cfg_load_file(struct cfg *c, const char *path, struct om_err *e);
/* Same for text already in memory; `origin` names it in messages. */
int cfg_load_string(struct cfg *c, const char *text, const char *origin, enum cfg_level lvl,
		    struct om_err *e);
/* Applies "section.key=value" at the CMDLINE layer. */
int cfg_set(struct cfg *c, const char *assignment, struct om_err *e);

/* Validates every declared key's value: present if required, parses as its
 * type, lies in its range or choices. */
int cfg_check(struct cfg *c, struct om_err *e);

/* Typed getters; only valid after cfg_check succeeded. An undeclared name is a
 * programming error and aborts. */
int64_t cfg_int(const struct cfg *c, const char *name);
double cfg_real(const struct cfg *c, const char *name);
bool cfg_bool(const struct cfg *c, const char *name);
const char *cfg_str(const struct cfg *c, const char *name);

/* True if a preset, file or --set gave the key a value. */
bool cfg_is_set(const struct cfg *c, const char *name);
/* True if the key's value as given (what cfg_write writes) is one of its
 * words (a CFG_REAL key's choices) rather than a number, derived or not. */
bool cfg_is_word(const struct cfg *c, const char *name);
/* Where the value came from: "file:line", "--set", "default", or the origin
 * a derived value was loaded with. */
const char *cfg_origin(const struct cfg *c, const char *name);
/* Fills e with "<origin>: <name>: <message>" and returns -1: for cross-field
 * validation in modules, so users learn which line to fix. */
int cfg_fail(const struct cfg *c, const char *name, struct om_err *e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Writes the configuration as given (every key, derived values left out) as
 * a loadable INI file. */
void cfg_write(const struct cfg *c, FILE *f);
/* The same text as a malloc'd string (a job file, a scratch copy), or NULL
 * with e filled. */
char *cfg_write_string(const struct cfg *c, struct om_err *e);
/* Writes the key reference (name, type, default, help) as a Markdown table:
 * every key, or only those of SECTION (not NULL). Returns how many keys it
 * wrote; a section without keys writes nothing, not even the header. */
size_t cfg_write_reference(const struct cfg *c, const char *section, FILE *f);
/* The sections that have keys, in declaration order, joined by ", " into buf
 * (whole names only); returns buf. */
const char *cfg_sections(const struct cfg *c, char *buf, size_t n);

#endif
