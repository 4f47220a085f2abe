#include "sim/batch/sweepfile.h"

#include "common/grow.h"
#include "common/inisrc.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum pk_kind {
	PK_FIXED,
	PK_GRID,
	PK_ZIP
};

/* A key as read, before its list is split. */
struct pkey {
	char *name;
	char *raw;
	char *zip; /* zip section name (PK_ZIP) */
	enum pk_kind kind;
	long line;
};

struct pctx {
	struct sweepfile *s;
	struct ini_src *src;
	struct om_err *e;
	const char *path;
	bool failed;
	struct pkey *k;
	size_t nk, capk;
	char *last_section;
};

/* Records an error and returns 0, which stops inih. */
static int fail(struct pctx *c, long line, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(struct pctx *c, long line, const char *field, const char *fmt, ...)
{
	char msg[OM_ERR_LEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	err_set(c->e, c->path, line, field, "%s", msg);
	c->failed = true;
	return 0;
}

static char *cat3(const char *a, const char *sep, const char *b)
{
	size_t n = strlen(a) + strlen(sep) + strlen(b) + 1;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s%s%s", a, sep, b);
	return s;
}

/* "zip", "zip NAME" or "zip.NAME" -> true, *name = "NAME" or "". */
static bool zip_section(const char *sec, const char **name)
{
	if (strncmp(sec, "zip", 3) != 0)
		return false;
	if (sec[3] == '\0') {
		*name = "";
		return true;
	}
	if (sec[3] == ' ' || sec[3] == '.' || sec[3] == ':') {
		*name = sec + 4;
		while (**name == ' ')
			(*name)++;
		return true;
	}
	return false;
}

static int set_path(struct pctx *c, char **dst, long *dline, const char *name, const char *value)
{
	if (*dst)
		return fail(c, c->src->line, name, "set twice in [sweep]");
	if (!value[0])
		return fail(c, c->src->line, name, "is empty");
	*dst = strdup(value);
	*dline = c->src->line;
	if (!*dst)
		return fail(c, c->src->line, NULL, "out of memory");
	return 1;
}

static int on_kv(void *user, const char *section, const char *name, const char *value)
{
	struct pctx *c = user;
	if (c->failed)
		return 0;
	long line = c->src->line;
	if (!strcmp(section, "sweep")) {
		if (!strcmp(name, "base"))
			return set_path(c, &c->s->base, &c->s->base_line, "sweep.base", value);
		if (!strcmp(name, "out"))
			return set_path(c, &c->s->out, &c->s->out_line, "sweep.out", value);
		return fail(c, line, name, "unknown key in [sweep] (known: base, out)");
	}
	enum pk_kind kind;
	const char *zip = NULL;
	if (!strcmp(section, "set"))
		kind = PK_FIXED;
	else if (!strcmp(section, "grid"))
		kind = PK_GRID;
	else if (zip_section(section, &zip))
		kind = PK_ZIP;
	else
		return fail(c, line, NULL,
			    "unknown section [%s] (expected [sweep], [set], [grid] or [zip NAME])",
			    section);
	if (!strchr(name, '.') || name[0] == '.')
		return fail(c, line, name,
			    "expected a config key as section.key (e.g. workload.rate)");
	/* An indented line continues the previous key's list. */
	if (c->src->indented && c->nk && !strcmp(c->k[c->nk - 1].name, name) && c->last_section
	    && !strcmp(c->last_section, section)) {
		struct pkey *pk = &c->k[c->nk - 1];
		if (kind == PK_FIXED)
			return fail(c, line, name,
				    "a [set] value cannot continue on the next line");
		size_t rl = strlen(pk->raw);
		char *nr = cat3(pk->raw, rl && pk->raw[rl - 1] == ',' ? "" : ",", value);
		if (!nr)
			return fail(c, line, NULL, "out of memory");
		free(pk->raw);
		pk->raw = nr;
		return 1;
	}
	for (size_t i = 0; i < c->nk; i++)
		if (!strcmp(c->k[i].name, name)) {
			return fail(c, line, name,
				    "given twice (first at line %ld); a key is "
				    "either fixed or on one axis",
				    c->k[i].line);
		}
	if (GROW(c->k, c->capk, c->nk + 1, 16) < 0)
		return fail(c, line, NULL, "out of memory");
	struct pkey *pk = &c->k[c->nk];
	memset(pk, 0, sizeof *pk);
	pk->kind = kind;
	pk->line = line;
	pk->name = strdup(name);
	pk->raw = strdup(value);
	pk->zip = zip ? strdup(zip) : NULL;
	c->nk++;
	free(c->last_section);
	c->last_section = strdup(section);
	if (!pk->name || !pk->raw || (zip && !pk->zip) || !c->last_section)
		return fail(c, line, NULL, "out of memory");
	return 1;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/* Splits a list at commas into k->val (k->name and k->line already set). */
static int split_list(const char *path, const char *raw, struct sw_key *k, struct om_err *e)
{
	char *buf = strdup(raw);
	size_t cap = 1;
	for (const char *q = raw; *q; q++)
		cap += *q == ',';
	k->val = calloc(cap, sizeof *k->val);
	if (!buf || !k->val) {
		free(buf);
		return err_set(e, path, k->line, k->name, "out of memory");
	}
	char *p = buf;
	int rc = 0;
	for (;;) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		char *v = trim(p);
		if (!v[0]) {
			rc = err_set(e, path, k->line, k->name,
				     "empty value in the list (write \"\" for an empty string)");
			break;
		}
		if (!strcmp(v, "\"\""))
			v = "";
		if (!(k->val[k->nval] = strdup(v))) {
			rc = err_set(e, path, k->line, k->name, "out of memory");
			break;
		}
		k->nval++;
		if (!comma)
			break;
		p = comma + 1;
	}
	free(buf);
	return rc;
}

static int build(struct pctx *c, struct om_err *e)
{
	struct sweepfile *s = c->s;
	s->fixed = calloc(c->nk + 1, sizeof *s->fixed);
	s->axis = calloc(c->nk + 1, sizeof *s->axis);
	size_t *axis_of = calloc(c->nk + 1, sizeof *axis_of);
	if (!s->fixed || !s->axis || !axis_of) {
		free(axis_of);
		return err_set(e, c->path, 0, NULL, "out of memory");
	}
	int rc = 0;
	for (size_t i = 0; i < c->nk && rc == 0; i++) {
		struct pkey *pk = &c->k[i];
		if (pk->kind == PK_FIXED) {
			struct sw_key *k = &s->fixed[s->nfixed++];
			k->line = pk->line;
			k->name = pk->name;
			pk->name = NULL;
			k->val = calloc(1, sizeof *k->val);
			if (!k->val || !(k->val[0] = strdup(pk->raw)))
				rc = err_set(e, c->path, pk->line, k->name, "out of memory");
			else
				k->nval = 1;
			continue;
		}
		/* A grid key is an axis of its own; a zip section is one axis. */
		size_t a = s->naxis;
		if (pk->kind == PK_ZIP)
			for (size_t j = 0; j < i; j++)
				if (c->k[j].kind == PK_ZIP && !strcmp(c->k[j].zip, pk->zip)) {
					a = axis_of[j];
					break;
				}
		axis_of[i] = a;
		struct sw_axis *ax = &s->axis[a];
		if (a == s->naxis) {
			s->naxis++;
			ax->line = pk->line;
			if (!(ax->key = calloc(c->nk, sizeof *ax->key))) {
				rc = err_set(e, c->path, pk->line, pk->name, "out of memory");
				continue;
			}
		}
		struct sw_key *k = &ax->key[ax->nkey++];
		k->line = pk->line;
		k->name = pk->name;
		pk->name = NULL;
		if (split_list(c->path, pk->raw, k, e) < 0) {
			rc = -1;
		} else if (ax->nkey == 1) {
			ax->nval = k->nval;
		} else if (k->nval != ax->nval) {
			rc = err_set(e, c->path, k->line, k->name,
				     "has %zu values but %s (line %ld) has %zu; the lists of one "
				     "[zip] section advance together and must be equally long",
				     k->nval, ax->key[0].name, ax->key[0].line, ax->nval);
		}
	}
	free(axis_of);
	if (rc == 0 && !s->base)
		rc = err_set(e, c->path, 0, "sweep.base",
			     "required: the experiment file every run starts from");
	return rc;
}

static int resolve_base(struct sweepfile *s, const char *path, struct om_err *e)
{
	if (s->base[0] == '/')
		return 0;
	const char *slash = strrchr(path, '/');
	if (!slash)
		return 0;
	size_t dl = (size_t)(slash - path) + 1;
	size_t n = dl + strlen(s->base) + 1;
	char *b = malloc(n);
	if (!b)
		return err_set(e, path, s->base_line, "sweep.base", "out of memory");
	memcpy(b, path, dl);
	memcpy(b + dl, s->base, strlen(s->base) + 1);
	free(s->base);
	s->base = b;
	return 0;
}

/* Most runs one sweep file may expand to: each run's config is resolved and
 * kept in memory (about 1 ms and 4 KB each), and a product of many axes can
 * overflow size_t. Larger studies split into several sweep files. */
#define SWEEP_MAX_RUNS 100000

static int check_size(const struct sweepfile *s, const char *path, struct om_err *e)
{
	size_t runs = 1;
	for (size_t a = 0; a < s->naxis; a++) {
		const struct sw_axis *ax = &s->axis[a];
		if (ax->nval > SWEEP_MAX_RUNS / runs)
			return err_set(
				e, path, ax->line, ax->key[0].name,
				"this axis takes the sweep past %d runs (%zu runs before it, %zu "
				"values here); split the study into several sweep files",
				SWEEP_MAX_RUNS, runs, ax->nval);
		runs *= ax->nval;
	}
	return 0;
}

int sweepfile_parse(const char *text, const char *path, struct sweepfile *s, struct om_err *e)
{
	memset(s, 0, sizeof *s);
	struct ini_src src;
	ini_src_init(&src, text);
	struct pctx c = { .s = s, .src = &src, .e = e, .path = path };
	int rc = 0;
	if (!(s->path = strdup(path))) {
		rc = err_set(e, path, 0, NULL, "out of memory");
		goto done;
	}
	int irc = ini_parse_stream(ini_src_reader, &src, on_kv, &c);
	if (c.failed) {
		rc = -1;
	} else if (src.too_long) {
		rc = err_set(e, path, src.line, NULL,
			     "line longer than %d characters; continue a long list on "
			     "indented lines",
			     INI_MAX_LINE - 2);
	} else if (src.after_section) {
		rc = err_set(e, path, src.line, NULL,
			     "text after the section header; put each key on a line of its own");
	} else if (irc > 0) {
		rc = err_set(e, path, irc, NULL,
			     "syntax error (expected `[section]`, `key = value` or a comment)");
	} else if (irc < 0) {
		rc = err_set(e, path, 0, NULL, "cannot parse (out of memory)");
	} else if (build(&c, e) < 0 || check_size(s, path, e) < 0 || resolve_base(s, path, e) < 0) {
		rc = -1;
	}
done:
	for (size_t i = 0; i < c.nk; i++) {
		free(c.k[i].name);
		free(c.k[i].raw);
		free(c.k[i].zip);
	}
	free(c.k);
	free(c.last_section);
	if (rc < 0)
		sweepfile_free(s);
	return rc;
}

int sweepfile_load(const char *path, struct sweepfile *s, struct om_err *e)
{
	memset(s, 0, sizeof *s);
	char *buf;
	if (ini_src_load(path, "sweep file", &buf, e) < 0)
		return -1;
	int rc = sweepfile_parse(buf, path, s, e);
	free(buf);
	return rc;
}

static void free_key(struct sw_key *k)
{
	free(k->name);
	for (size_t v = 0; v < k->nval; v++)
		free(k->val[v]);
	free(k->val);
}

void sweepfile_free(struct sweepfile *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nfixed; i++)
		free_key(&s->fixed[i]);
	free(s->fixed);
	for (size_t a = 0; a < s->naxis; a++) {
		for (size_t k = 0; k < s->axis[a].nkey; k++)
			free_key(&s->axis[a].key[k]);
		free(s->axis[a].key);
	}
	free(s->axis);
	free(s->path);
	free(s->base);
	free(s->out);
	memset(s, 0, sizeof *s);
}

size_t sweepfile_nruns(const struct sweepfile *s)
{
	size_t n = 1;
	for (size_t a = 0; a < s->naxis; a++)
		n *= s->axis[a].nval;
	return n;
}

size_t sweepfile_nswept(const struct sweepfile *s)
{
	size_t n = 0;
	for (size_t a = 0; a < s->naxis; a++)
		n += s->axis[a].nkey;
	return n;
}

static const struct sw_key *locate(const struct sweepfile *s, size_t k, size_t *axis)
{
	for (size_t a = 0; a < s->naxis; a++) {
		if (k < s->axis[a].nkey) {
			*axis = a;
			return &s->axis[a].key[k];
		}
		k -= s->axis[a].nkey;
	}
	return NULL;
}

const struct sw_key *sweepfile_swept(const struct sweepfile *s, size_t k)
{
	size_t a;
	return locate(s, k, &a);
}

const char *sweepfile_value(const struct sweepfile *s, size_t i, size_t k)
{
	size_t a;
	const struct sw_key *key = locate(s, k, &a);
	if (!key)
		return NULL;
	/* Mixed radix, last axis fastest. */
	size_t stride = 1;
	for (size_t b = s->naxis; b-- > a + 1;)
		stride *= s->axis[b].nval;
	return key->val[(i / stride) % s->axis[a].nval];
}
