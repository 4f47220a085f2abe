/* calib: measured efficiencies instead of a formula. device.mem_calib_file is
 * a CSV with a header naming the columns run_bytes and efficiency (others are
 * ignored), one row per measured run length, e.g. from a memcpy or DMA
 * micro-benchmark on the device: efficiency = achieved / peak bandwidth.
 * Lines starting with '#' (provenance: tool, commit, command) are skipped.
 * "builtin:NAME" names a table compiled in from device_models/calib/NAME.csv.
 * Between points eff is interpolated in log(run_bytes) with GSL's Steffen
 * method, which is monotone between points and never overshoots them (two
 * points: linear). Below the shortest measured run a run costs what the
 * shortest one did (eff proportional to L); above the longest, eff stays at
 * its last value. A table measured below the accelerator (a DRAM simulator)
 * lacks the cost of issuing each run; device.mem_calib_dma_bytes (L_dma, 0 by
 * default) adds it as a separate factor L / (L + L_dma), as the lpddr5 model
 * does. eta_seq and l_half are not used by this model. */
#include <csv.h>
#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_interp.h>

#include "device_models/memmodel.h"
#include "device_models/presets.h"

#include "common/grow.h"
#include "common/slurp.h"

struct cal {
	size_t n;
	double *x; /* log(run_bytes), strictly increasing */
	double *y; /* efficiency */
	double l_min;
	double l_dma; /* issue cost of one run, bytes of streaming */
	gsl_interp *ip;
};

static const struct cfg_key cal_keys[] = {
	{ "device.mem_calib_file", CFG_STR, "", 0, -1, NULL,
	  "calib: CSV of measured efficiency by run length (columns run_bytes, efficiency), or builtin:NAME" },
	{ "device.mem_calib_dma_bytes", CFG_REAL, "0", 0, 1e9, NULL,
	  "calib: L_dma, issue cost of one run in bytes of streaming, applied on top of the table as L / (L + L_dma)" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

struct rd {
	const char *name;
	struct om_err *e;
	bool failed, in_record;
	long line, rec_line;
	size_t field;	   /* index of the field being read in this record */
	long col_l, col_y; /* column indexes from the header, -1 until seen */
	bool header_done;
	double cur_l, cur_y;
	bool got_l, got_y;
	struct cal *c;
	size_t cap;
};

static void rd_fail(struct rd *r, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void rd_fail(struct rd *r, const char *field, const char *fmt, ...)
{
	if (r->failed)
		return;
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	err_set(r->e, r->name, r->rec_line, field, "%s", msg);
	r->failed = true;
}

static void on_field(void *s, size_t len, void *data)
{
	struct rd *r = data;
	(void)len;
	if (r->failed)
		return;
	if (!r->in_record) {
		r->in_record = true;
		r->rec_line = r->line;
		r->field = 0;
		r->got_l = r->got_y = false;
	}
	const char *v = s ? s : "";
	long k = (long)r->field++;
	if (!r->header_done) {
		if (!strcmp(v, "run_bytes"))
			r->col_l = k;
		else if (!strcmp(v, "efficiency"))
			r->col_y = k;
		return;
	}
	if (k != r->col_l && k != r->col_y)
		return;
	const char *fname = k == r->col_l ? "run_bytes" : "efficiency";
	char *end;
	errno = 0;
	double d = strtod(v, &end);
	if (!v[0] || *end || errno || !isfinite(d)) {
		rd_fail(r, fname, "not a number: '%.60s'", v);
		return;
	}
	if (k == r->col_l) {
		if (d <= 0) {
			rd_fail(r, fname, "must be > 0, got '%.60s'", v);
			return;
		}
		r->cur_l = d;
		r->got_l = true;
	} else {
		if (d <= 0 || d > 1) {
			rd_fail(r, fname, "must lie in (0, 1], got '%.60s'", v);
			return;
		}
		r->cur_y = d;
		r->got_y = true;
	}
}

static void on_record(int ch, void *data)
{
	struct rd *r = data;
	(void)ch;
	if (r->failed)
		return;
	if (!r->in_record) /* a blank line */
		return;
	r->in_record = false;
	if (!r->header_done) {
		r->header_done = true;
		if (r->col_l < 0 || r->col_y < 0)
			rd_fail(r, NULL, "header must name the columns run_bytes and efficiency");
		return;
	}
	if (!r->got_l || !r->got_y) {
		rd_fail(r, r->got_l ? "efficiency" : "run_bytes", "missing value");
		return;
	}
	struct cal *c = r->c;
	double x = log(r->cur_l);
	if (c->n && x <= c->x[c->n - 1]) {
		rd_fail(r, "run_bytes", "rows must be sorted by strictly increasing run_bytes");
		return;
	}
	if (c->n == r->cap) {
		size_t nc = grow_cap(r->cap, c->n + 1, 16);
		if (grow_to(&c->x, nc, sizeof *c->x) < 0 || grow_to(&c->y, nc, sizeof *c->y) < 0) {
			rd_fail(r, NULL, "out of memory");
			return;
		}
		r->cap = nc;
	}
	if (!c->n)
		c->l_min = r->cur_l;
	c->x[c->n] = x;
	c->y[c->n] = r->cur_y;
	c->n++;
}

static void cal_destroy(void *state)
{
	struct cal *c = state;
	if (!c)
		return;
	if (c->ip)
		gsl_interp_free(c->ip);
	free(c->x);
	free(c->y);
	free(c);
}

static int cal_parse(struct cal *c, const char *buf, size_t len, const char *name, struct om_err *e)
{
	struct csv_parser p;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		return err_set(e, name, 0, NULL, "cannot initialise the CSV parser");
	struct rd r = { .name = name, .e = e, .line = 1, .col_l = -1, .col_y = -1, .c = c };
	size_t pos = 0;
	/* One physical line at a time, so errors can name the line. */
	while (pos < len && !r.failed) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t seg = nl ? (size_t)(nl - (buf + pos)) + 1 : len - pos;
		if (buf[pos] == '#' && !r.in_record) { /* a comment line */
			pos += seg;
			r.line++;
			continue;
		}
		if (csv_parse(&p, buf + pos, seg, on_field, on_record, &r) != seg) {
			r.rec_line = r.line;
			rd_fail(&r, NULL, "%s", csv_strerror(csv_error(&p)));
			break;
		}
		pos += seg;
		if (nl)
			r.line++;
	}
	if (!r.failed && csv_fini(&p, on_field, on_record, &r) != 0) {
		r.rec_line = r.line;
		rd_fail(&r, NULL, "unterminated quoted field at end of file");
	}
	csv_free(&p);
	if (r.failed)
		return -1;
	if (!r.header_done)
		return err_set(e, name, 0, NULL,
			       "empty file: expected a header run_bytes,efficiency");
	if (c->n < 2)
		return err_set(e, name, 0, NULL, "needs at least two measured rows, found %zu",
			       c->n);
	return 0;
}

/* A file, or a copy of a built-in table (so both paths free the buffer). */
static int cal_load(const char *path, char **buf, size_t *len, struct om_err *e)
{
	static const char pre[] = "builtin:";
	if (strncmp(path, pre, sizeof pre - 1) != 0)
		return slurp_file(path, "calibration table", buf, len, e);
	const char *name = path + sizeof pre - 1;
	for (const struct dev_preset *p = dev_presets; p->section; p++) {
		if (strcmp(p->section, "calib") == 0 && strcmp(p->name, name) == 0) {
			*len = strlen(p->text);
			*buf = malloc(*len + 1);
			if (!*buf)
				return err_set(e, NULL, 0, NULL, "out of memory");
			memcpy(*buf, p->text, *len + 1);
			return 0;
		}
	}
	char list[512];
	return err_set(e, NULL, 0, NULL, "no built-in calibration table '%s' (built in: %s)", name,
		       dev_preset_list("calib", list, sizeof list));
}

static int cal_create(const struct cfg *cf, const struct dev_device *d, void **state,
		      struct om_err *e)
{
	(void)d;
	const char *path = cfg_str(cf, "device.mem_calib_file");
	if (!path[0])
		return cfg_fail(cf, "device.mem_calib_file", e,
				"the calib memory model needs a calibration CSV");
	char *buf;
	size_t len;
	if (cal_load(path, &buf, &len, e) < 0) {
		char msg[OM_ERR_LEN];
		snprintf(msg, sizeof msg, "%s", e->msg);
		return cfg_fail(cf, "device.mem_calib_file", e, "%s", msg);
	}
	struct cal *c = calloc(1, sizeof *c);
	if (!c) {
		free(buf);
		return err_set(e, NULL, 0, NULL, "out of memory");
	}
	int rc = cal_parse(c, buf, len, path, e);
	free(buf);
	if (rc < 0) {
		cal_destroy(c);
		return -1;
	}
	const gsl_interp_type *ty = c->n >= gsl_interp_type_min_size(gsl_interp_steffen)
		? gsl_interp_steffen
		: gsl_interp_linear;
	c->ip = gsl_interp_alloc(ty, c->n);
	if (!c->ip || gsl_interp_init(c->ip, c->x, c->y, c->n) != GSL_SUCCESS) {
		cal_destroy(c);
		return err_set(e, path, 0, NULL, "GSL could not build the interpolation");
	}
	c->l_dma = cfg_real(cf, "device.mem_calib_dma_bytes");
	*state = c;
	return 0;
}

static double cal_table(const struct cal *c, double L)
{
	double x = log(L);
	if (x <= c->x[0])
		return c->y[0] * L / c->l_min;
	if (x >= c->x[c->n - 1])
		return c->y[c->n - 1];
	/* No accelerator: it would be written through a const state. */
	return gsl_interp_eval(c->ip, c->x, c->y, x, NULL);
}

static double cal_eff(const void *state, const struct dev_device *d, double L)
{
	const struct cal *c = state;
	(void)d;
	return cal_table(c, L) * L / (L + c->l_dma);
}

const struct mm_ops mm_calib = {
	.name = "calib",
	.help = "measured efficiency by run length from device.mem_calib_file (Steffen interpolation), times L / (L + mem_calib_dma_bytes)",
	.keys = cal_keys,
	.create = cal_create,
	.destroy = cal_destroy,
	.eff = cal_eff,
};
