/* JSON Lines traces, one object per line (blank lines skipped), parsed with
 * jansson. Two vocabularies, told apart per key, not per file:
 *  - plain: prompt_tokens, output_tokens, optional id, arrival_s (seconds),
 *    prompt (text);
 *  - LLMServingSim: input_toks, output_toks, arrival_time_ns (integer ns,
 *    kept exactly); its input_tok_ids/output_tok_ids are ignored.
 * Either all rows carry an arrival time or none does. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workload/trace_fmt.h"

struct jl {
	const char *name;
	long line;
	struct om_err *e;
};

static int jl_fail(const struct jl *j, const char *field, const char *msg)
{
	return err_set(j->e, j->name, j->line, field, "%s", msg);
}

/* The first of two alternative keys present in o, or NULL; *key names it. */
static json_t *either(json_t *o, const char *a, const char *b, const char **key)
{
	json_t *v = json_object_get(o, a);
	*key = a;
	if (!v) {
		v = json_object_get(o, b);
		*key = v ? b : a;
	}
	return v;
}

static int get_int(const struct jl *j, json_t *o, const char *a, const char *b, int64_t lo,
		   int64_t hi, bool need, int64_t *out, bool *found)
{
	const char *key;
	json_t *v = either(o, a, b, &key);
	*found = v != NULL;
	if (!v)
		return need ? jl_fail(j, key, "missing") : 0;
	double d = json_is_integer(v) ? (double)json_integer_value(v)
		: json_is_real(v)     ? json_real_value(v)
				      : NAN;
	if (!json_is_number(v) || d != floor(d))
		return jl_fail(j, key, "expected an integer");
	if (d < (double)lo)
		return jl_fail(j, key, lo > 0 ? "must be positive" : "must not be negative");
	if (d > (double)hi)
		return jl_fail(j, key, "too large");
	*out = json_is_integer(v) ? (int64_t)json_integer_value(v) : (int64_t)d;
	return 0;
}

/* Arrival in ns from arrival_time_ns (exact) or arrival_s; *has says which rows have one. */
static int get_arrival(const struct jl *j, json_t *o, int64_t *ns, bool *has)
{
	bool f;
	if (get_int(j, o, "arrival_time_ns", "arrival_time_ns", 0, (int64_t)9e18, false, ns, &f)
	    < 0)
		return -1;
	*has = f;
	if (f)
		return 0;
	json_t *v = json_object_get(o, "arrival_s");
	if (!v)
		return 0;
	double a = json_number_value(v);
	if (!json_is_number(v) || !isfinite(a) || a < 0 || a > 9.0e9)
		return jl_fail(j, "arrival_s", "expected a time in seconds >= 0");
	*ns = llround(a * 1e9);
	*has = true;
	return 0;
}

static int row(const struct jl *j, json_t *o, size_t idx, struct wl_trace *t, bool keep_text,
	       int *arrivals)
{
	if (!json_is_object(o))
		return jl_fail(j, NULL, "expected a JSON object");
	int64_t id = (int64_t)idx, p = 0, out = 0, arr = 0;
	bool f, has;
	if (get_int(j, o, "id", "id", 0, INT64_MAX, false, &id, &f) < 0
	    || get_int(j, o, "prompt_tokens", "input_toks", 1, INT32_MAX / 2, true, &p, &f) < 0
	    || get_int(j, o, "output_tokens", "output_toks", 0, INT32_MAX / 2, true, &out, &f) < 0
	    || get_arrival(j, o, &arr, &has) < 0)
		return -1;
	if (*arrivals < 0)
		*arrivals = has;
	else if (*arrivals != has)
		return jl_fail(j, has ? "arrival_s" : "arrival_time_ns",
			       "either every row has an arrival time or none does");
	const char *text = NULL;
	size_t tl = 0;
	json_t *pv = json_object_get(o, "prompt");
	if (pv && !json_is_string(pv))
		return jl_fail(j, "prompt", "expected a string");
	if (pv && keep_text) {
		text = json_string_value(pv);
		tl = json_string_length(pv);
	}
	if (trace_push(t, id, arr, (int32_t)p, (int32_t)out, text, tl, j->e) < 0)
		return err_wrap(j->e, j->name);
	return 0;
}

static int parse_lines(const char *buf, size_t len, struct jl *j, struct wl_trace *t,
		       bool keep_text, long **lines, size_t *nl)
{
	int arrivals = -1;
	size_t cap = 0;
	for (size_t pos = 0; pos < len; j->line++) {
		const char *end = memchr(buf + pos, '\n', len - pos);
		size_t l = end ? (size_t)(end - (buf + pos)) : len - pos;
		const char *s = buf + pos;
		pos += l + (end != NULL);
		size_t k = 0;
		while (k < l && strchr(" \t\r", s[k]))
			k++;
		if (k == l)
			continue;
		json_error_t je;
		json_t *o = json_loadb(s, l, JSON_REJECT_DUPLICATES, &je);
		if (!o)
			return err_set(j->e, j->name, j->line, NULL, "invalid JSON: %s", je.text);
		int rc = row(j, o, *nl, t, keep_text, &arrivals);
		json_decref(o);
		if (rc < 0)
			return -1;
		if (*nl == cap) {
			cap = cap ? cap * 2 : 1024;
			long *n2 = realloc(*lines, cap * sizeof *n2);
			if (!n2)
				return jl_fail(j, NULL, "out of memory");
			*lines = n2;
		}
		(*lines)[(*nl)++] = j->line;
	}
	t->has_arrivals = arrivals == 1;
	return 0;
}

static int jsonl_parse(const char *buf, size_t len, const char *name, struct wl_trace *t,
		       bool keep_text, struct om_err *e)
{
	struct jl j = { name, 1, e };
	long *lines = NULL;
	size_t nl = 0, first = t->n;
	if (memchr(buf, '\0', len))
		return err_set(e, name, 0, NULL, "NUL byte in a text file");
	int rc = parse_lines(buf, len, &j, t, keep_text, &lines, &nl);
	if (rc == 0 && nl == 0)
		rc = err_set(e, name, 0, NULL, "empty file: the trace has no requests");
	if (rc == 0)
		rc = trace_check_ids(t, first, lines, name, e);
	free(lines);
	return rc;
}

static bool jsonl_claims(const char *ext, const char *line, size_t len)
{
	if (!strcmp(ext, ".jsonl") || !strcmp(ext, ".ndjson"))
		return true;
	while (len && (*line == ' ' || *line == '\t'))
		line++, len--;
	return len && *line == '{';
}

const struct trace_fmt trace_fmt_jsonl = {
	"jsonl",
	"JSON Lines: prompt_tokens/output_tokens[/id/arrival_s/prompt], or LLMServingSim's input_toks/output_toks/arrival_time_ns",
	jsonl_claims,
	jsonl_parse,
};
