#include "common/cfg.h"

#include "common/grow.h"
#include "common/inisrc.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct cfg_ent {
	const struct cfg_key *key;
	char *value; /* as given; NULL = unset (use default) */
	char origin[256];
	enum cfg_level lvl;
	char *derived; /* CFG_LVL_DERIVED, read before value; NULL = none */
	char dorigin[256];
};

struct cfg {
	struct cfg_ent *ent;
	size_t n, cap;
};

struct cfg *cfg_new(void)
{
	return calloc(1, sizeof(struct cfg));
}

void cfg_free(struct cfg *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->ent[i].value);
		free(c->ent[i].derived);
	}
	free(c->ent);
	free(c);
}

static struct cfg_ent *find(const struct cfg *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->ent[i].key->name, name) == 0)
			return &c->ent[i];
	return NULL;
}

static bool in_section(const char *name, const char *sec)
{
	size_t len = strlen(sec);
	return strncmp(name, sec, len) == 0 && name[len] == '.';
}

static bool section_known(const struct cfg *c, const char *sec)
{
	for (size_t i = 0; i < c->n; i++)
		if (in_section(c->ent[i].key->name, sec))
			return true;
	return false;
}

int cfg_add_keys(struct cfg *c, const struct cfg_key *keys, struct om_err *e)
{
	for (const struct cfg_key *k = keys; k->name; k++) {
		struct cfg_ent *old = find(c, k->name);
		if (old) {
			if (old->key->type != k->type)
				return err_set(e, NULL, 0, k->name,
					       "declared twice with different types");
			continue;
		}
		if (GROW(c->ent, c->cap, c->n + 1, 64) < 0)
			return err_set(e, NULL, 0, NULL, "out of memory");
		struct cfg_ent *ent = &c->ent[c->n++];
		memset(ent, 0, sizeof *ent);
		ent->key = k;
		ent->lvl = CFG_LVL_DEFAULT;
		snprintf(ent->origin, sizeof ent->origin, "default");
	}
	return 0;
}

static void set_origin(char *dst, size_t n, const char *file, long line)
{
	if (line > 0)
		snprintf(dst, n, "%s:%ld", file, line);
	else
		snprintf(dst, n, "%s", file);
}

/* A derived value sits beside the value as given, which cfg_write keeps. */
static int put_derived(struct cfg_ent *ent, const char *value, const char *file, long line,
		       struct om_err *e)
{
	char *v = strdup(value);
	if (!v)
		return err_set(e, file, line, ent->key->name, "out of memory");
	free(ent->derived);
	ent->derived = v;
	set_origin(ent->dorigin, sizeof ent->dorigin, file, line);
	return 0;
}

static int put(struct cfg *c, const char *section, const char *name, const char *value,
	       const char *file, long line, enum cfg_level lvl, struct om_err *e)
{
	char full[256];
	if (snprintf(full, sizeof full, "%s.%s", section, name) >= (int)sizeof full)
		return err_set(e, file, line, name, "key name too long");
	struct cfg_ent *ent = find(c, full);
	if (!ent) {
		if (!section_known(c, section))
			return err_set(e, file, line, NULL, "unknown section [%s] (key '%s')",
				       section, name);
		return err_set(e, file, line, full,
			       "unknown key in [%s] (see `odmasim keys` for the list)", section);
	}
	if (lvl == CFG_LVL_DERIVED)
		return put_derived(ent, value, file, line, e);
	if (ent->lvl > lvl)
		return 0; /* a stronger layer already set it */
	if (ent->lvl == lvl && lvl != CFG_LVL_CMDLINE && ent->value)
		return err_set(e, file, line, full, "set twice (first at %s)", ent->origin);
	char *v = strdup(value);
	if (!v)
		return err_set(e, file, line, full, "out of memory");
	free(ent->value);
	ent->value = v;
	ent->lvl = lvl;
	set_origin(ent->origin, sizeof ent->origin, file, line);
	return 0;
}

struct load_ctx {
	struct cfg *c;
	struct ini_src *src;
	const char *origin;
	enum cfg_level lvl;
	struct om_err *e;
	bool failed;
};

static int on_kv(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *lc = user;
	if (lc->failed)
		return 1;
	if (lc->src->indented) {
		/* inih reads an indented line as more of the key above (and a
		 * second value for it), so the message would name the wrong key. */
		err_set(lc->e, lc->origin, lc->src->line, NULL,
			"indented line; a config line must not start with a space or tab");
		lc->failed = true;
		return 0;
	}
	if (put(lc->c, section, name, value, lc->origin, lc->src->line, lc->lvl, lc->e) < 0) {
		lc->failed = true;
		return 0;
	}
	return 1;
}

int cfg_load_string(struct cfg *c, const char *text, const char *origin, enum cfg_level lvl,
		    struct om_err *e)
{
	struct ini_src src;
	ini_src_init(&src, text);
	struct load_ctx lc = { c, &src, origin, lvl, e, false };
	int rc = ini_parse_stream(ini_src_reader, &src, on_kv, &lc);
	if (lc.failed)
		return -1;
	if (src.too_long)
		return err_set(e, origin, src.line, NULL, "line longer than %d characters",
			       INI_MAX_LINE - 2);
	if (src.after_section)
		return err_set(e, origin, src.line, NULL,
			       "text after the section header; put each key on a line of its own");
	if (rc > 0)
		return err_set(e, origin, rc, NULL,
			       "syntax error (expected `[section]`, `key = value` or a comment)");
	if (rc < 0)
		return err_set(e, origin, 0, NULL, "cannot parse (out of memory)");
	return 0;
}

int cfg_load_file(struct cfg *c, const char *path, struct om_err *e)
{
	char *buf;
	if (ini_src_load(path, "config", &buf, e) < 0)
		return -1;
	int rc = cfg_load_string(c, buf, path, CFG_LVL_FILE, e);
	free(buf);
	return rc;
}

/* A --set value as an INI file would hold it, so that config.ini (written
 * as `key = value`) reruns the same experiment: surrounding whitespace is
 * trimmed as inih trims it; a line break or a ';' that inih would read as
 * an inline comment cannot be written back and is refused. Returns a malloc'd
 * copy, or NULL with e filled. */
static char *set_value(const char *raw_v, const char *sec, const char *key, struct om_err *e)
{
	char full[260];
	snprintf(full, sizeof full, "%s.%s", sec, key);
	while (isspace((unsigned char)*raw_v))
		raw_v++;
	size_t n = strlen(raw_v);
	while (n && isspace((unsigned char)raw_v[n - 1]))
		n--;
	for (size_t i = 0; i < n; i++) {
		if (raw_v[i] == '\n' || raw_v[i] == '\r') {
			err_set(e, "--set", 0, full, "a value cannot hold a line break");
			return NULL;
		}
		/* config.ini writes "key = value": a leading ';' follows a space too */
		if (raw_v[i] == ';' && (i == 0 || isspace((unsigned char)raw_v[i - 1]))) {
			err_set(e, "--set", 0, full,
				"a ';' at the start of a value or after a space starts a comment "
				"in an INI file, so config.ini could not hold it");
			return NULL;
		}
	}
	char *v = malloc(n + 1);
	if (!v) {
		err_set(e, "--set", 0, full, "out of memory");
		return NULL;
	}
	memcpy(v, raw_v, n);
	v[n] = '\0';
	return v;
}

int cfg_set(struct cfg *c, const char *assignment, struct om_err *e)
{
	const char *eq = strchr(assignment, '=');
	const char *dot = strchr(assignment, '.');
	if (!eq || !dot || dot > eq)
		return err_set(e, "--set", 0, NULL, "expected section.key=value, got '%s'",
			       assignment);
	char sec[128], key[128];
	size_t sl = (size_t)(dot - assignment), kl = (size_t)(eq - dot - 1);
	if (sl == 0 || kl == 0 || sl >= sizeof sec || kl >= sizeof key)
		return err_set(e, "--set", 0, NULL, "expected section.key=value, got '%s'",
			       assignment);
	memcpy(sec, assignment, sl);
	sec[sl] = '\0';
	memcpy(key, dot + 1, kl);
	key[kl] = '\0';
	char *v = set_value(eq + 1, sec, key, e);
	if (!v)
		return -1;
	int rc = put(c, sec, key, v, "--set", 0, CFG_LVL_CMDLINE, e);
	free(v);
	return rc;
}

/* The value as given, then the one the getters read. */
static const char *given(const struct cfg_ent *ent)
{
	return ent->value ? ent->value : ent->key->def;
}

static const char *raw(const struct cfg_ent *ent)
{
	return ent->derived ? ent->derived : given(ent);
}

static bool choice_ok(const char *choices, const char *v)
{
	size_t vl = strlen(v);
	const char *p = choices;
	while (*p) {
		const char *bar = strchr(p, '|');
		size_t l = bar ? (size_t)(bar - p) : strlen(p);
		if (l == vl && strncmp(p, v, l) == 0)
			return true;
		if (!bar)
			break;
		p = bar + 1;
	}
	return false;
}

static int parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1") || !strcmp(v, "on"))
		*out = true;
	else if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "0") || !strcmp(v, "off"))
		*out = false;
	else
		return -1;
	return 0;
}

static int parse_int(const char *v, int64_t *out)
{
	errno = 0;
	char *end;
	long long x = strtoll(v, &end, 10);
	if (errno || end == v || *end)
		return -1;
	*out = x;
	return 0;
}

static int parse_real(const char *v, double *out)
{
	errno = 0;
	char *end;
	double x = strtod(v, &end);
	if (errno || end == v || *end || !isfinite(x))
		return -1;
	*out = x;
	return 0;
}

static int check_one(const struct cfg_ent *ent, struct om_err *e)
{
	const struct cfg_key *k = ent->key;
	const char *v = raw(ent);
	if (!v)
		return err_set(
			e, NULL, 0, k->name,
			"required but not set (give it in the experiment file, a preset, or --set)");
	bool ranged = k->min <= k->max;
	switch (k->type) {
	case CFG_INT: {
		int64_t x;
		if (parse_int(v, &x) < 0)
			return err_set(e, ent->origin, 0, k->name, "expected an integer, got '%s'",
				       v);
		if (ranged && ((double)x < k->min || (double)x > k->max))
			return err_set(e, ent->origin, 0, k->name,
				       "%lld is out of range [%.17g, %.17g]", (long long)x, k->min,
				       k->max);
		break;
	}
	case CFG_REAL: {
		double x;
		if (k->choices && choice_ok(k->choices, v))
			break;
		if (parse_real(v, &x) < 0)
			return err_set(e, ent->origin, 0, k->name,
				       "expected a finite number%s%s, got '%s'",
				       k->choices ? " or " : "", k->choices ? k->choices : "", v);
		if (ranged && (x < k->min || x > k->max))
			return err_set(e, ent->origin, 0, k->name, "%g is out of range [%g, %g]", x,
				       k->min, k->max);
		break;
	}
	case CFG_BOOL: {
		bool b;
		if (parse_bool(v, &b) < 0)
			return err_set(e, ent->origin, 0, k->name,
				       "expected true or false, got '%s'", v);
		break;
	}
	case CFG_ENUM:
		if (!choice_ok(k->choices, v))
			return err_set(e, ent->origin, 0, k->name, "'%s' is not one of %s", v,
				       k->choices);
		break;
	case CFG_STR:
		break;
	}
	return 0;
}

int cfg_check(struct cfg *c, struct om_err *e)
{
	for (size_t i = 0; i < c->n; i++)
		if (check_one(&c->ent[i], e) < 0)
			return -1;
	return 0;
}

static const struct cfg_ent *must(const struct cfg *c, const char *name)
{
	const struct cfg_ent *ent = find(c, name);
	if (!ent || !raw(ent)) {
		fprintf(stderr, "odmasim: internal error: config key '%s' %s\n", name,
			ent ? "has no value" : "is not declared");
		abort();
	}
	return ent;
}

int64_t cfg_int(const struct cfg *c, const char *name)
{
	int64_t x = 0;
	(void)parse_int(raw(must(c, name)), &x);
	return x;
}

double cfg_real(const struct cfg *c, const char *name)
{
	const struct cfg_ent *ent = must(c, name);
	double x = 0;
	if (ent->key->choices && choice_ok(ent->key->choices, raw(ent)))
		return NAN; /* a word: the caller resolves it (cfg_is_word) */
	(void)parse_real(raw(ent), &x);
	return x;
}

bool cfg_bool(const struct cfg *c, const char *name)
{
	bool b = false;
	(void)parse_bool(raw(must(c, name)), &b);
	return b;
}

const char *cfg_str(const struct cfg *c, const char *name)
{
	return raw(must(c, name));
}

bool cfg_is_set(const struct cfg *c, const char *name)
{
	const struct cfg_ent *ent = find(c, name);
	return ent && ent->value;
}

bool cfg_is_word(const struct cfg *c, const char *name)
{
	const struct cfg_ent *ent = must(c, name);
	return ent->key->type == CFG_REAL && ent->key->choices
		&& choice_ok(ent->key->choices, given(ent));
}

const char *cfg_origin(const struct cfg *c, const char *name)
{
	const struct cfg_ent *ent = find(c, name);
	if (!ent)
		return "default";
	return ent->derived ? ent->dorigin : ent->origin;
}

int cfg_fail(const struct cfg *c, const char *name, struct om_err *e, const char *fmt, ...)
{
	char msg[OM_ERR_LEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return err_set(e, cfg_origin(c, name), 0, name, "%s", msg);
}

static void section_of(const char *name, char *sec, size_t n)
{
	const char *dot = strchr(name, '.');
	size_t l = dot ? (size_t)(dot - name) : strlen(name);
	if (l >= n)
		l = n - 1;
	memcpy(sec, name, l);
	sec[l] = '\0';
}

void cfg_write(const struct cfg *c, FILE *f)
{
	/* Group by section in declaration order of each section's first key. */
	for (size_t i = 0; i < c->n; i++) {
		char sec[128];
		section_of(c->ent[i].key->name, sec, sizeof sec);
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++) {
			char s2[128];
			section_of(c->ent[j].key->name, s2, sizeof s2);
			seen = strcmp(sec, s2) == 0;
		}
		if (seen)
			continue;
		fprintf(f, "[%s]\n", sec);
		for (size_t j = i; j < c->n; j++) {
			char s2[128];
			section_of(c->ent[j].key->name, s2, sizeof s2);
			if (strcmp(sec, s2) != 0)
				continue;
			const char *v = given(&c->ent[j]);
			fprintf(f, "%s = %s\n", strchr(c->ent[j].key->name, '.') + 1, v ? v : "");
		}
		fprintf(f, "\n");
	}
}

static const char *type_name(const struct cfg_key *k)
{
	switch (k->type) {
	case CFG_INT:
		return "integer";
	case CFG_REAL:
		return "number";
	case CFG_BOOL:
		return "bool";
	case CFG_ENUM:
		return k->choices;
	case CFG_STR:
		return "text";
	}
	return "?";
}

const char *cfg_sections(const struct cfg *c, char *buf, size_t n)
{
	size_t used = 0;
	if (n)
		buf[0] = '\0';
	for (size_t i = 0; i < c->n; i++) {
		const char *nm = c->ent[i].key->name;
		int len = (int)strcspn(nm, ".");
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = !strncmp(c->ent[j].key->name, nm, (size_t)len + 1);
		if (seen)
			continue;
		int w = snprintf(buf + used, n - used, "%s%.*s", used ? ", " : "", len, nm);
		if (w < 0 || (size_t)w >= n - used) {
			buf[used] = '\0'; /* whole names only */
			break;
		}
		used += (size_t)w;
	}
	return buf;
}

char *cfg_write_string(const struct cfg *c, struct om_err *e)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f) {
		err_set(e, NULL, 0, NULL, "out of memory");
		return NULL;
	}
	cfg_write(c, f);
	if (fclose(f) != 0 || !buf) {
		free(buf);
		err_set(e, NULL, 0, NULL, "out of memory");
		return NULL;
	}
	return buf;
}

size_t cfg_write_reference(const struct cfg *c, const char *section, FILE *f)
{
	size_t nw = 0;
	for (size_t i = 0; i < c->n; i++) {
		const struct cfg_key *k = c->ent[i].key;
		if (section && !in_section(k->name, section))
			continue;
		if (nw++ == 0)
			fprintf(f, "| key | type | default | meaning |\n|---|---|---|---|\n");
		char ty[256];
		snprintf(ty, sizeof ty, "%s%s%s", type_name(k),
			 k->type == CFG_REAL && k->choices ? " or " : "",
			 k->type == CFG_REAL && k->choices ? k->choices : "");
		for (char *q = ty; *q; q++)
			if (*q == '|')
				*q = '/'; /* a bar would split the Markdown cell */
		fprintf(f, "| `%s` | %s | %s | %s |\n", k->name, ty,
			k->def ? (k->def[0] ? k->def : "(empty)") : "(required)",
			k->help ? k->help : "");
	}
	return nw;
}
