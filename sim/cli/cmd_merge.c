/* `odmasim merge`: one table from many runs. Each run contributes its
 * directory name, the values of the swept keys (read from its config.ini)
 * and every column of its summary.csv; values are copied as text, so the
 * table depends only on the runs' files, not on who ran them or when. Every
 * CSV is read with libcsv (csvtab). */
#define _XOPEN_SOURCE 700 /* realpath */
#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/csvw.h"
#include "common/slurp.h"
#include "sim/cli/cli.h"
#include "sim/cli/opts.h"
#include "sim/batch/csvtab.h"
#include "sim/batch/runhash.h"

/* cmd_<name>_usage: the name the help table (main.c) looks for */
const char cmd_merge_usage[] =
	"usage: odmasim merge DIR... [-o TABLE.csv]\n"
	"  One CSV row per complete run: the run's directory name, the swept keys,\n"
	"  then every metric of its summary.csv. A DIR is a sweep output directory\n"
	"  (rows in the sweep's order, swept keys from its manifest.csv), a run\n"
	"  directory, or a directory of run directories (rows by name; the keys\n"
	"  whose values differ between runs are the columns). Runs listed in a\n"
	"  manifest but not complete are reported on stderr and left out.\n"
	"  Without -o the table goes to stdout; -o replaces TABLE.csv atomically.\n";

struct strv {
	char **v;
	size_t n;
};

/* Grows one at a time: merge tables are small, and it keeps this simple. */
static int sv_push(struct strv *s, const char *x)
{
	char **nv = realloc(s->v, (s->n + 1) * sizeof *nv);
	if (!nv)
		return -1;
	s->v = nv;
	if (!(s->v[s->n] = strdup(x)))
		return -1;
	s->n++;
	return 0;
}

static long sv_find(const struct strv *s, const char *x)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], x))
			return (long)i;
	return -1;
}

static void sv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof *s);
}

struct mrun {
	char *name;
	char *real;		/* realpath of its directory: the run's identity */
	char *path;		/* as given: its name in the table if two runs share a name */
	struct strv ckey, cval; /* config.ini as key/value pairs */
	struct csvtab sum;	/* summary.csv: header + one row */
};

struct merge {
	struct mrun *r;
	size_t n;
	struct strv swept; /* from manifests */
	bool have_manifest;
	size_t missing;
};

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

struct cfg_read {
	struct mrun *r;
	bool failed;
};

static int on_cfg_kv(void *user, const char *section, const char *name, const char *value)
{
	struct cfg_read *cr = user;
	char key[512];
	snprintf(key, sizeof key, "%s.%s", section, name);
	if (sv_push(&cr->r->ckey, key) < 0 || sv_push(&cr->r->cval, value) < 0) {
		cr->failed = true;
		return 0;
	}
	return 1;
}

/* Reads config.ini into key/value lists, in file order (inih trims values as
 * the run itself did when it loaded the same text). */
static int read_config(const char *dir, struct mrun *r, struct om_err *e)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof path, "%s/config.ini", dir);
	char *text;
	size_t len;
	if (slurp_file(path, "config", &text, &len, e) < 0)
		return -1;
	struct cfg_read cr = { r, false };
	int rc = ini_parse_string(text, on_cfg_kv, &cr);
	free(text);
	if (cr.failed)
		return err_set(e, path, 0, NULL, "out of memory");
	if (rc != 0)
		return err_set(e, path, rc > 0 ? rc : 0, NULL, "not a valid INI file");
	return 0;
}

/* A run is its directory, not its name: a/res and b/res are two runs (named
 * by their paths in the table), the same directory given twice is one. */
static int add_run(struct merge *m, const char *dir, const char *name, struct om_err *e)
{
	char real[PATH_MAX];
	if (!realpath(dir, real))
		return err_set(e, dir, 0, NULL, "cannot resolve: %s", strerror(errno));
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->r[i].real, real)) {
			fprintf(stderr, "merge: note: %s given twice; kept once\n", dir);
			return 0;
		}
	struct mrun *nr = realloc(m->r, (m->n + 1) * sizeof *nr);
	if (!nr)
		return err_set(e, NULL, 0, NULL, "out of memory");
	m->r = nr;
	struct mrun *r = &m->r[m->n];
	memset(r, 0, sizeof *r);
	if (!(r->name = strdup(name)) || !(r->real = strdup(real)) || !(r->path = strdup(dir))) {
		free(r->name);
		free(r->real);
		return err_set(e, NULL, 0, NULL, "out of memory");
	}
	char path[PATH_MAX + 32];
	snprintf(path, sizeof path, "%s/summary.csv", dir);
	int rc = csvtab_read(path, &r->sum, e);
	if (rc == 0 && r->sum.nrow != 1)
		rc = err_set(e, path, 0, NULL, "expected one row of metrics, found %zu",
			     r->sum.nrow);
	if (rc == 0)
		rc = read_config(dir, r, e);
	if (rc < 0) {
		free(r->name);
		free(r->real);
		free(r->path);
		csvtab_free(&r->sum);
		sv_free(&r->ckey);
		sv_free(&r->cval);
		return -1;
	}
	m->n++;
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether the run directory's config.ini hashes to the manifest's hash: the
 * test sweep applies before it counts a directory as that run (mark_done). */
static bool same_config(const char *rd, const char *hash)
{
	char path[PATH_MAX + 640];
	snprintf(path, sizeof path, "%s/config.ini", rd);
	char *text;
	size_t len;
	struct om_err ce;
	if (slurp_file(path, "config", &text, &len, &ce) < 0)
		return false;
	char *canon = runhash_canon_text(text, path, &ce);
	free(text);
	if (!canon)
		return false;
	char h[RUNHASH_HEX + 1];
	runhash_name(canon, h);
	free(canon);
	return !strcmp(h, hash);
}

static int from_manifest(struct merge *m, const char *dir, const char *manifest, struct om_err *e)
{
	struct csvtab t;
	if (csvtab_read(manifest, &t, e) < 0)
		return -1;
	int rc = 0;
	long crun = csvtab_col(&t, "run"), chash = csvtab_col(&t, "hash");
	if (crun < 0 || chash < 0) {
		csvtab_free(&t);
		return err_set(e, manifest, 1, NULL,
			       "not a sweep manifest (no run and hash columns)");
	}
	m->have_manifest = true;
	for (size_t c = 0; c < t.ncol && rc == 0; c++)
		if ((long)c != crun && (long)c != chash && sv_find(&m->swept, t.head[c]) < 0
		    && sv_push(&m->swept, t.head[c]) < 0)
			rc = err_set(e, NULL, 0, NULL, "out of memory");
	for (size_t i = 0; i < t.nrow && rc == 0; i++) {
		const char *name = csvtab_get(&t, i, (size_t)crun);
		char rd[PATH_MAX + 512];
		snprintf(rd, sizeof rd, "%s/runs/%s", dir, name);
		if (!is_dir(rd)) {
			m->missing++;
			fprintf(stderr, "merge: not complete, left out: %s\n", rd);
			continue;
		}
		if (!same_config(rd, csvtab_get(&t, i, (size_t)chash))) {
			m->missing++;
			fprintf(stderr,
				"merge: conflict, left out: %s holds results of a different "
				"configuration than its manifest hash (as sweep reports it)\n",
				rd);
			continue;
		}
		rc = add_run(m, rd, name, e);
	}
	csvtab_free(&t);
	return rc;
}

static int from_dir(struct merge *m, const char *dir, struct om_err *e)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof path, "%s/manifest.csv", dir);
	if (is_file(path))
		return from_manifest(m, dir, path, e);
	snprintf(path, sizeof path, "%s/summary.csv", dir);
	if (is_file(path)) {
		const char *b = strrchr(dir, '/');
		char name[PATH_MAX];
		snprintf(name, sizeof name, "%s", b && b[1] ? b + 1 : dir);
		return add_run(m, dir, name, e);
	}
	DIR *d = opendir(dir);
	if (!d)
		return err_set(e, dir, 0, NULL, "cannot open: %s", strerror(errno));
	struct strv names = { 0 };
	struct dirent *de;
	int rc = 0;
	while ((de = readdir(d)) && rc == 0) {
		if (de->d_name[0] == '.' || strstr(de->d_name, ".tmp-"))
			continue;
		char sp[PATH_MAX + 512];
		snprintf(sp, sizeof sp, "%s/%s/summary.csv", dir, de->d_name);
		if (is_file(sp) && sv_push(&names, de->d_name) < 0)
			rc = err_set(e, NULL, 0, NULL, "out of memory");
	}
	closedir(d);
	if (rc == 0 && names.n == 0)
		rc = err_set(e, dir, 0, NULL,
			     "no runs here: neither a sweep directory "
			     "(manifest.csv), a run (summary.csv), nor a directory of runs");
	if (names.n > 1)
		qsort(names.v, names.n, sizeof *names.v, cmp_name);
	for (size_t i = 0; i < names.n && rc == 0; i++) {
		char rd[PATH_MAX + 512];
		snprintf(rd, sizeof rd, "%s/%s", dir, names.v[i]);
		rc = add_run(m, rd, names.v[i], e);
	}
	sv_free(&names);
	return rc;
}

static const char *cfg_value(const struct mrun *r, const char *key)
{
	long i = sv_find(&r->ckey, key);
	return i < 0 ? "" : r->cval.v[i];
}

/* Without a manifest, the columns are the keys whose values differ. */
static int differing_keys(struct merge *m, struct om_err *e)
{
	if (m->n == 0)
		return 0;
	const struct mrun *r0 = &m->r[0];
	struct strv all = { 0 };
	for (size_t i = 0; i < m->n; i++)
		for (size_t k = 0; k < m->r[i].ckey.n; k++)
			if (sv_find(&all, m->r[i].ckey.v[k]) < 0
			    && sv_push(&all, m->r[i].ckey.v[k]) < 0) {
				sv_free(&all);
				return err_set(e, NULL, 0, NULL, "out of memory");
			}
	int rc = 0;
	for (size_t k = 0; k < all.n && rc == 0; k++) {
		const char *v0 = cfg_value(r0, all.v[k]);
		for (size_t i = 1; i < m->n; i++)
			if (strcmp(cfg_value(&m->r[i], all.v[k]), v0)) {
				if (sv_push(&m->swept, all.v[k]) < 0)
					rc = err_set(e, NULL, 0, NULL, "out of memory");
				break;
			}
	}
	sv_free(&all);
	return rc;
}

static void write_table(FILE *f, const struct merge *m, const struct strv *metrics)
{
	csvw_cell(f, "run", m->swept.n + metrics->n == 0);
	for (size_t k = 0; k < m->swept.n; k++)
		csvw_cell(f, m->swept.v[k], k + 1 == m->swept.n && metrics->n == 0);
	for (size_t k = 0; k < metrics->n; k++)
		csvw_cell(f, metrics->v[k], k + 1 == metrics->n);
	for (size_t i = 0; i < m->n; i++) {
		const struct mrun *r = &m->r[i];
		csvw_cell(f, r->name, m->swept.n + metrics->n == 0);
		for (size_t k = 0; k < m->swept.n; k++)
			csvw_cell(f, cfg_value(r, m->swept.v[k]),
				  k + 1 == m->swept.n && metrics->n == 0);
		for (size_t k = 0; k < metrics->n; k++) {
			long c = csvtab_col(&r->sum, metrics->v[k]);
			csvw_cell(f, c < 0 ? "" : csvtab_get(&r->sum, 0, (size_t)c),
				  k + 1 == metrics->n);
		}
	}
}

static int write_out(const char *path, const struct merge *m, const struct strv *metrics,
		     struct om_err *e)
{
	if (!path) {
		write_table(stdout, m, metrics);
		return fflush(stdout) == 0 ? 0 : err_set(e, "stdout", 0, NULL, "write failed");
	}
	char tmp[PATH_MAX + 32];
	snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	if (!f)
		return err_set(e, tmp, 0, NULL, "cannot write: %s", strerror(errno));
	write_table(f, m, metrics);
	bool bad = ferror(f) != 0;
	bad = fclose(f) != 0 || bad;
	if (bad || rename(tmp, path) < 0) {
		unlink(tmp);
		return err_set(e, path, 0, NULL, "cannot write (disk full?)");
	}
	return 0;
}

static void merge_free(struct merge *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->r[i].name);
		free(m->r[i].real);
		free(m->r[i].path);
		csvtab_free(&m->r[i].sum);
		sv_free(&m->r[i].ckey);
		sv_free(&m->r[i].cval);
	}
	free(m->r);
	sv_free(&m->swept);
}

/* Runs that share a directory name are named by their paths instead, so
 * each row says which run it is. */
static void name_by_path(struct merge *m)
{
	for (size_t i = 0; i < m->n; i++) {
		bool shared = false;
		for (size_t j = 0; j < m->n; j++)
			shared = shared || (i != j && !strcmp(m->r[i].name, m->r[j].name));
		if (shared) {
			fprintf(stderr, "merge: note: another run is also named %s; row named %s\n",
				m->r[i].name, m->r[i].path);
			free(m->r[i].name);
			m->r[i].name = m->r[i].path;
			m->r[i].path = NULL;
		}
	}
}

/* Reads every DIR, then settles the key columns and the metric columns (the
 * union of the runs' summary.csv headers, in first-seen order). */
static int gather(struct merge *m, char **dirs, int n, struct strv *metrics, struct om_err *e)
{
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		char d[PATH_MAX];
		snprintf(d, sizeof d, "%s", dirs[i]);
		size_t l = strlen(d);
		while (l > 1 && d[l - 1] == '/')
			d[--l] = '\0';
		rc = from_dir(m, d, e);
	}
	if (rc == 0)
		name_by_path(m);
	if (rc == 0 && !m->have_manifest)
		rc = differing_keys(m, e);
	if (rc == 0 && m->n == 0)
		rc = err_set(e, NULL, 0, NULL, "no complete runs to merge");
	for (size_t i = 0; i < m->n && rc == 0; i++)
		for (size_t c = 0; c < m->r[i].sum.ncol && rc == 0; c++)
			if (sv_find(metrics, m->r[i].sum.head[c]) < 0
			    && sv_push(metrics, m->r[i].sum.head[c]) < 0)
				rc = err_set(e, NULL, 0, NULL, "out of memory");
	return rc;
}

int cmd_merge(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "out", required_argument, NULL, 'o' },
		OPTS_HELP,
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL;
	struct opts p;
	if (opts_begin(&p, "merge", cmd_merge_usage, argc, argv) < 0)
		return opts_end(&p);
	for (int ch; (ch = opts_next(&p, "o:h", lo)) != OPTS_END;)
		if (ch == 'o')
			out = p.arg;
	int nd = opts_operands(&p, 1, INT_MAX, "directory");
	if (nd < 0)
		return opts_end(&p);
	struct merge m = { 0 };
	struct strv metrics = { 0 };
	struct om_err e = { "" };
	int rc = gather(&m, p.argv + p.ind, nd, &metrics, &e);
	if (rc == 0)
		rc = write_out(out, &m, &metrics, &e);
	if (rc == 0 && out)
		fprintf(stderr, "merge: %zu runs%s -> %s\n", m.n,
			m.missing ? " (some listed runs are not complete; see above)" : "", out);
	if (rc)
		fprintf(stderr, "odmasim merge: error: %s\n", e.msg);
	merge_free(&m);
	sv_free(&metrics);
	opts_end(&p);
	return rc ? 1 : 0;
}
