#include "workload/think.h"

#include <csv.h>
#include <errno.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>
#include <stdlib.h>
#include <string.h>

#include "common/rng.h"
#include "common/slurp.h"
#include "workload/workload.h"

const struct cfg_key think_keys[] = {
	{ "workload.output_model", CFG_ENUM, "reference", 0, -1, "reference|think",
	  "output lengths: the trace's own, or (ASSUMPTION, labelled) the reference answer plus a "
	  "thinking length drawn from workload.think_trace (docs/MODEL.md#output-model)" },
	{ "workload.think_trace", CFG_STR, "simpleqa_r1.csv", 0, -1, NULL,
	  "R1 trace whose thinking_tokens column gives the thinking lengths of output_model = think" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

struct col_rd {
	const char *name;
	struct om_err *e;
	long line, col, field;
	bool failed;
	int32_t *v;
	size_t n, cap;
};

static int col_fail(struct col_rd *r, const char *msg, const char *val)
{
	r->failed = true;
	return err_set(r->e, r->name, r->line, "thinking_tokens", "%s%s%.40s%s", msg,
		       val ? ", got '" : "", val ? val : "", val ? "'" : "");
}

static void col_field(void *s, size_t len, void *data)
{
	struct col_rd *r = data;
	long f = r->field++;
	if (r->failed)
		return;
	char buf[32];
	size_t k = len < sizeof buf - 1 ? len : sizeof buf - 1;
	memcpy(buf, s, k);
	buf[k] = '\0';
	if (r->line == 1) { /* header */
		if (!strcmp(buf, "thinking_tokens"))
			r->col = f;
		return;
	}
	if (f != r->col)
		return;
	char *end;
	errno = 0;
	long v = strtol(buf, &end, 10);
	if (errno || end == buf || *end || v < 0 || v > INT32_MAX / 4 || len >= sizeof buf) {
		col_fail(r, "expected a token count", buf);
		return;
	}
	if (r->n == r->cap) {
		size_t nc = r->cap ? 2 * r->cap : 1024;
		int32_t *nv = realloc(r->v, nc * sizeof *nv);
		if (!nv) {
			col_fail(r, "out of memory", NULL);
			return;
		}
		r->v = nv, r->cap = nc;
	}
	r->v[r->n++] = (int32_t)v;
}

static void col_record(int c, void *data)
{
	(void)c;
	struct col_rd *r = data;
	if (!r->failed && r->line == 1 && r->col < 0)
		col_fail(r, "the header has no thinking_tokens column", NULL);
	r->field = 0;
	r->line++;
}

int think_read_column(const char *path, int32_t **vals, size_t *n, struct om_err *e)
{
	char *buf;
	size_t len;
	if (slurp_file(path, "think trace", &buf, &len, e) < 0)
		return -1;
	struct csv_parser p;
	struct col_rd r = { .name = path, .e = e, .line = 1, .col = -1 };
	int rc = -1;
	if (csv_init(&p, CSV_STRICT | CSV_APPEND_NULL) != 0) {
		free(buf);
		return err_set(e, path, 0, NULL, "cannot initialise the CSV parser");
	}
	/* r.line counts records, not physical lines: prompts may span lines */
	if (csv_parse(&p, buf, len, col_field, col_record, &r) != len && !r.failed)
		err_set(e, path, r.line, NULL, "%s", csv_strerror(csv_error(&p)));
	else if (!r.failed && csv_fini(&p, col_field, col_record, &r) == 0 && !r.failed)
		rc = r.n ? 0 : err_set(e, path, 0, "thinking_tokens", "no rows");
	csv_free(&p);
	free(buf);
	if (rc < 0) {
		free(r.v);
		return -1;
	}
	*vals = r.v;
	*n = r.n;
	return 0;
}

int think_apply(const struct cfg *c, struct wl_trace *t, const char *stream, struct om_err *e)
{
	if (strcmp(cfg_str(c, "workload.output_model"), "think") != 0)
		return 0;
	char path[4096];
	if (wl_resolve(c, "workload.think_trace", cfg_str(c, "workload.think_trace"), path,
		       sizeof path, e)
	    < 0)
		return -1;
	int32_t *v;
	size_t n;
	if (think_read_column(path, &v, &n, e) < 0)
		return err_wrap(e, "workload.output_model = think");
	gsl_rng *rng = rng_stream((uint64_t)cfg_int(c, "workload.seed"), stream);
	if (!rng) {
		free(v);
		return err_set(e, NULL, 0, NULL, "out of memory");
	}
	for (size_t i = 0; i < t->n; i++) {
		int64_t o = (int64_t)t->out_tokens[i] + v[gsl_rng_uniform_int(rng, n)];
		t->out_tokens[i] = (int32_t)(o < INT32_MAX / 2 ? o : INT32_MAX / 2);
	}
	gsl_rng_free(rng);
	free(v);
	return 0;
}
