#include "workload/servegen.h"

#include <errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_gamma.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/rng.h"
#include "common/slurp.h"
#include "workload/workload.h"

#define SG_CLIENTS 256 /* client ids 0..SG_CLIENTS-1 */
#define SG_RWIN 600    /* rate windows, s */
#define SG_LWIN 21600  /* length windows, s */
#define SG_NRW (86400 / SG_RWIN)
#define SG_NLW (86400 / SG_LWIN)

const struct cfg_key servegen_keys[] = {
	{ "workload.servegen_clients", CFG_STR, "", 0, -1, NULL,
	  "ServeGen DeepSeek-R1 workload: top:N (the N busiest clients over the span) or a comma "
	  "list of client ids; empty = off (workload/servegen.h)" },
	{ "workload.servegen_start_s", CFG_REAL, "0", 0, 86399, NULL,
	  "ServeGen: start of the replayed span, seconds into the day" },
	{ "workload.servegen_span_s", CFG_REAL, "600", 1, 86400, NULL,
	  "ServeGen: length of the replayed span, seconds" },
	{ "workload.servegen_rate_scale", CFG_REAL, "1", 1e-6, 1e6, NULL,
	  "ServeGen: multiplies every client's rate" },
	{ "workload.servegen_lengths_corr", CFG_ENUM, "independent", 0, -1,
	  "independent|comonotone",
	  "ServeGen: draw input and output lengths independently, or from one uniform (ServeGen's "
	  "own generator; the data gives marginals only)" },
	{ "workload.servegen_rates", CFG_STR, "servegen_r1_rates.csv", 0, -1, NULL,
	  "ServeGen: per-client, per-600-s-window rates and inter-arrival fits" },
	{ "workload.servegen_lengths", CFG_STR, "servegen_r1_lengths.csv", 0, -1, NULL,
	  "ServeGen: per-client, per-6-h-window length pmfs" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

struct sg_win {
	double rate, shape;
	char dist; /* 'G' gamma, 'W' weibull, 0 none fitted */
};

struct sg_pmf {
	int32_t *val;
	double *cdf;
	size_t n, cap;
};

struct sg {
	struct sg_win win[SG_CLIENTS][SG_NRW];
	bool want[SG_CLIENTS];
	struct sg_pmf pmf[SG_CLIENTS][SG_NLW][2]; /* [.][.][0] input, [1] output */
};

bool servegen_wanted(const struct cfg *c)
{
	return cfg_str(c, "workload.servegen_clients")[0] != '\0';
}

/* Splits one CSV line (no quotes in these files) into at most n fields. */
static size_t sg_split(char *line, char **f, size_t n)
{
	size_t k = 0;
	for (char *p = line; k < n;) {
		f[k++] = p;
		p = strchr(p, ',');
		if (!p)
			break;
		*p++ = '\0';
	}
	return k;
}

static int sg_num(const char *s, double *v)
{
	char *end;
	errno = 0;
	*v = strtod(s, &end);
	return errno || end == s || *end || !isfinite(*v) ? -1 : 0;
}

/* Calls fn on every data line of the CSV at `path` (header skipped). */
static int sg_lines(const char *path, int nf, int (*fn)(struct sg *, char **, const char *, long),
		    struct sg *g, struct om_err *e)
{
	char *buf;
	size_t len;
	if (slurp_file(path, "ServeGen data", &buf, &len, e) < 0)
		return -1;
	long line = 0;
	int rc = 0;
	for (char *p = buf, *nl; rc == 0 && p < buf + len; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(buf + len - p));
		if (!nl)
			nl = buf + len;
		*nl = '\0';
		if (nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		char *f[8];
		if (++line == 1 || !*p)
			continue;
		if ((int)sg_split(p, f, 8) != nf)
			rc = err_set(e, path, line, NULL, "expected %d fields", nf);
		else
			rc = fn(g, f, path, line) < 0
				? err_set(e, path, line, NULL, "bad value in this row")
				: 0;
	}
	free(buf);
	return rc;
}

/* client,t_s,rate_rps,cv,iat_dist,iat_shape,iat_scale */
static int sg_rate_row(struct sg *g, char **f, const char *path, long line)
{
	(void)path, (void)line;
	double cl, t, rate, shape = 0;
	if (sg_num(f[0], &cl) || sg_num(f[1], &t) || sg_num(f[2], &rate) || cl < 0
	    || cl >= SG_CLIENTS || t < 0 || t >= 86400 || rate < 0)
		return -1;
	struct sg_win *w = &g->win[(int)cl][(int)t / SG_RWIN];
	w->rate = rate;
	w->dist = !strcmp(f[4], "Gamma") ? 'G' : !strcmp(f[4], "Weibull") ? 'W' : 0;
	if (w->dist && (sg_num(f[5], &shape) || shape <= 0))
		return -1;
	w->shape = shape;
	return 0;
}

/* client,window_s,field,value,prob (input_tokens and output_tokens only) */
static int sg_len_row(struct sg *g, char **f, const char *path, long line)
{
	(void)path, (void)line;
	double cl, w, v, pr;
	int which = !strcmp(f[2], "input_tokens") ? 0 : !strcmp(f[2], "output_tokens") ? 1 : -1;
	if (which < 0)
		return 0;
	if (sg_num(f[0], &cl) || sg_num(f[1], &w) || sg_num(f[3], &v) || sg_num(f[4], &pr) || cl < 0
	    || cl >= SG_CLIENTS || w < 0 || w >= 86400 || v < 0 || v > 1e7 || pr < 0)
		return -1;
	if (!g->want[(int)cl])
		return 0;
	struct sg_pmf *p = &g->pmf[(int)cl][(int)w / SG_LWIN][which];
	if (p->n == p->cap) {
		size_t nc = p->cap ? 2 * p->cap : 64;
		int32_t *nv = realloc(p->val, nc * sizeof *nv);
		if (nv)
			p->val = nv;
		double *ncdf = nv ? realloc(p->cdf, nc * sizeof *ncdf) : NULL;
		if (!ncdf)
			return -1;
		p->cdf = ncdf, p->cap = nc;
	}
	p->val[p->n] = (int32_t)v;
	p->cdf[p->n] = (p->n ? p->cdf[p->n - 1] : 0) + pr;
	p->n++;
	return 0;
}

static double sg_span_rate(const struct sg *g, int cl, double t0, double t1)
{
	double sum = 0;
	for (int w = 0; w < SG_NRW; w++)
		if ((w + 1) * SG_RWIN > t0 && w * SG_RWIN < t1)
			sum += g->win[cl][w].rate;
	return sum;
}

/* workload.servegen_clients: "top:N" or "a,b,c". */
static int sg_choose(const struct cfg *c, struct sg *g, double t0, double t1, struct om_err *e)
{
	const char *spec = cfg_str(c, "workload.servegen_clients");
	const char *key = "workload.servegen_clients";
	if (!strncmp(spec, "top:", 4)) {
		char *end;
		long n = strtol(spec + 4, &end, 10);
		if (*end || n < 1 || n > SG_CLIENTS)
			return cfg_fail(c, key, e, "top:N needs 1 <= N <= %d", SG_CLIENTS);
		for (long k = 0; k < n; k++) {
			int best = -1;
			double br = 0;
			for (int cl = 0; cl < SG_CLIENTS; cl++) {
				double r = g->want[cl] ? 0 : sg_span_rate(g, cl, t0, t1);
				if (r > br)
					best = cl, br = r;
			}
			if (best < 0)
				break; /* fewer active clients than asked */
			g->want[best] = true;
		}
		return 0;
	}
	for (const char *p = spec; *p;) {
		char *end;
		long id = strtol(p, &end, 10);
		if (end == p || (*end && *end != ',') || id < 0 || id >= SG_CLIENTS)
			return cfg_fail(c, key, e, "'%s' is not top:N or a list of client ids",
					spec);
		g->want[id] = true;
		p = *end ? end + 1 : end;
	}
	return 0;
}

/* One gap, seconds: the window's fitted family with its shape, scaled to
 * mean 1 / rate. */
static double sg_gap(const struct sg_win *w, double rate, gsl_rng *r)
{
	if (w->dist == 'G')
		return gsl_ran_gamma(r, w->shape, 1.0 / (rate * w->shape));
	if (w->dist == 'W')
		return gsl_ran_weibull(r, 1.0 / (rate * gsl_sf_gamma(1.0 + 1.0 / w->shape)),
				       w->shape);
	return gsl_ran_exponential(r, 1.0 / rate);
}

static int32_t sg_draw(const struct sg_pmf *p, double u)
{
	double x = u * p->cdf[p->n - 1];
	size_t lo = 0, hi = p->n - 1;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (p->cdf[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return p->val[lo];
}

/* The client's pmf for the 6-h window holding t, else its nearest window with data. */
static const struct sg_pmf *sg_pmf_at(const struct sg *g, int cl, double t, int which)
{
	int w0 = (int)t / SG_LWIN;
	for (int d = 0; d < SG_NLW; d++)
		for (int s = -1; s <= 1; s += 2) {
			int w = w0 + s * d;
			if (w >= 0 && w < SG_NLW && g->pmf[cl][w][which].n)
				return &g->pmf[cl][w][which];
		}
	return NULL;
}

static int sg_client(const struct cfg *c, const struct sg *g, int cl, struct wl_trace *t,
		     struct om_err *e)
{
	double t0 = cfg_real(c, "workload.servegen_start_s");
	double t1 = t0 + cfg_real(c, "workload.servegen_span_s");
	double scale = cfg_real(c, "workload.servegen_rate_scale");
	bool como = !strcmp(cfg_str(c, "workload.servegen_lengths_corr"), "comonotone");
	char name[64];
	snprintf(name, sizeof name, "workload.servegen.%d", cl);
	gsl_rng *r = rng_stream((uint64_t)cfg_int(c, "workload.seed"), name);
	if (!r)
		return err_set(e, NULL, 0, NULL, "out of memory");
	int rc = 0;
	for (int w = (int)(t0 / SG_RWIN); rc == 0 && w < SG_NRW && w * SG_RWIN < t1; w++) {
		const struct sg_win *win = &g->win[cl][w];
		double rate = win->rate * scale, end = (w + 1) * SG_RWIN;
		double at = w * SG_RWIN > t0 ? w * SG_RWIN : t0;
		if (end > t1)
			end = t1;
		for (; rc == 0 && rate > 0;) {
			at += sg_gap(win, rate, r);
			if (at >= end)
				break;
			const struct sg_pmf *pi = sg_pmf_at(g, cl, at, 0),
					    *po = sg_pmf_at(g, cl, at, 1);
			if (!pi || !po) {
				rc = cfg_fail(c, "workload.servegen_clients", e,
					      "client %d has no length distribution", cl);
				break;
			}
			double u = gsl_rng_uniform(r);
			int32_t in = sg_draw(pi, u),
				out = sg_draw(po, como ? u : gsl_rng_uniform(r));
			rc = trace_push(t, (int64_t)t->n, llround((at - t0) * 1e9), in > 0 ? in : 1,
					out, NULL, 0, e);
		}
	}
	gsl_rng_free(r);
	return rc;
}

int servegen_build(const struct cfg *c, struct wl_trace *t, struct om_err *e)
{
	struct sg *g = calloc(1, sizeof *g);
	if (!g)
		return err_set(e, NULL, 0, NULL, "out of memory");
	char rp[4096], lp[4096];
	double t0 = cfg_real(c, "workload.servegen_start_s");
	double t1 = t0 + cfg_real(c, "workload.servegen_span_s");
	int rc = wl_resolve(c, "workload.servegen_rates", cfg_str(c, "workload.servegen_rates"), rp,
			    sizeof rp, e);
	if (rc == 0)
		rc = wl_resolve(c, "workload.servegen_lengths",
				cfg_str(c, "workload.servegen_lengths"), lp, sizeof lp, e);
	if (rc == 0)
		rc = sg_lines(rp, 7, sg_rate_row, g, e);
	if (rc == 0)
		rc = sg_choose(c, g, t0, t1, e);
	if (rc == 0)
		rc = sg_lines(lp, 5, sg_len_row, g, e);
	for (int cl = 0; rc == 0 && cl < SG_CLIENTS; cl++)
		if (g->want[cl])
			rc = sg_client(c, g, cl, t, e);
	if (rc == 0 && t->n == 0)
		rc = cfg_fail(c, "workload.servegen_clients", e,
			      "the chosen clients send nothing in the span");
	t->has_arrivals = true;
	snprintf(t->source, sizeof t->source, "servegen:%s",
		 cfg_str(c, "workload.servegen_clients"));
	for (int cl = 0; cl < SG_CLIENTS; cl++)
		for (int w = 0; w < SG_NLW; w++)
			for (int k = 0; k < 2; k++)
				free(g->pmf[cl][w][k].val), free(g->pmf[cl][w][k].cdf);
	free(g);
	return rc;
}
