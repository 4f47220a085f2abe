#include "sim/batch/runhash.h"
#include "common/grow.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lines {
	char **v;
	size_t n, cap;
	int failed;
};

static int on_kv(void *user, const char *section, const char *name, const char *value)
{
	struct lines *l = user;
	if (GROW(l->v, l->cap, l->n + 1, 128) < 0) {
		l->failed = 1;
		return 0;
	}
	size_t len = strlen(section) + strlen(name) + strlen(value) + 3;
	char *s = malloc(len);
	if (!s) {
		l->failed = 1;
		return 0;
	}
	snprintf(s, len, "%s.%s=%s", section, name, value);
	l->v[l->n++] = s;
	return 1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *runhash_canon_text(const char *ini_text, const char *origin, struct om_err *e)
{
	struct lines l = { 0 };
	/* inih trims keys and values exactly as cfg_load_file does when a job
	 * file is run, so the canonical form matches what the worker sees. */
	int rc = ini_parse_string(ini_text, on_kv, &l);
	char *out = NULL;
	if (l.failed) {
		err_set(e, origin, 0, NULL, "out of memory");
		goto done;
	}
	if (rc != 0) {
		err_set(e, origin, rc > 0 ? rc : 0, NULL, "not a valid INI file");
		goto done;
	}
	qsort(l.v, l.n, sizeof *l.v, cmp_str);
	size_t len = 1;
	for (size_t i = 0; i < l.n; i++)
		len += strlen(l.v[i]) + 1;
	out = malloc(len);
	if (!out) {
		err_set(e, origin, 0, NULL, "out of memory");
		goto done;
	}
	size_t p = 0;
	for (size_t i = 0; i < l.n; i++) {
		size_t k = strlen(l.v[i]);
		memcpy(out + p, l.v[i], k);
		p += k;
		out[p++] = '\n';
	}
	out[p] = '\0';
done:
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i]);
	free(l.v);
	return out;
}

char *runhash_canon_cfg(const struct cfg *c, struct om_err *e)
{
	char *text = cfg_write_string(c, e);
	if (!text)
		return NULL;
	char *canon = runhash_canon_text(text, "effective configuration", e);
	free(text);
	return canon;
}

uint64_t runhash_fnv1a64(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a 64 offset basis and prime */
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

void runhash_name(const char *canon, char out[RUNHASH_HEX + 1])
{
	char full[17];
	snprintf(full, sizeof full, "%016llx",
		 (unsigned long long)runhash_fnv1a64(canon, strlen(canon)));
	memcpy(out, full, RUNHASH_HEX);
	out[RUNHASH_HEX] = '\0';
}
