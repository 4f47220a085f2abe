#include "sim/batch/sweepplan.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/grow.h"
#include "common/outdir.h"
#include "sim/batch/csvtab.h"
#include "sim/core/experiment.h"

#define LABEL_MAX 80

static char *xstrdup(const char *s, struct om_err *e)
{
	char *d = strdup(s);
	if (!d)
		err_set(e, NULL, 0, NULL, "out of memory");
	return d;
}

static char *kv(const char *k, const char *v, struct om_err *e)
{
	size_t n = strlen(k) + strlen(v) + 2;
	char *s = malloc(n);
	if (!s) {
		err_set(e, NULL, 0, NULL, "out of memory");
		return NULL;
	}
	snprintf(s, n, "%s=%s", k, v);
	return s;
}

/* Every key must be a config key: say so with the sweep file's line, before
 * any run is resolved (an unknown key would otherwise fail every run). */
static int check_keys(const struct sweepfile *sf, struct om_err *e)
{
	struct cfg *c = exp_new_cfg(e);
	if (!c)
		return -1;
	int rc = 0;
	size_t ns = sweepfile_nswept(sf);
	for (size_t i = 0; rc == 0 && i < sf->nfixed + ns; i++) {
		const struct sw_key *k = i < sf->nfixed ? &sf->fixed[i]
							: sweepfile_swept(sf, i - sf->nfixed);
		char *a = kv(k->name, k->val[0], e);
		if (!a) {
			rc = -1;
			break;
		}
		struct om_err tmp;
		if (cfg_set(c, a, &tmp) < 0)
			rc = err_set(e, sf->path, k->line, k->name,
				     "not a config key (see `odmasim keys` for the list)");
		free(a);
	}
	cfg_free(c);
	return rc;
}

/* The base experiment must at least parse; missing required keys may come
 * from the sweep, so validation waits for each run. */
static int check_base(const struct sweepfile *sf, struct om_err *e)
{
	struct cfg *c = exp_new_cfg(e);
	if (!c)
		return -1;
	int rc = cfg_load_file(c, sf->base, e);
	if (rc < 0) {
		char where[PATH_MAX + 64];
		snprintf(where, sizeof where, "%s:%ld: sweep.base", sf->path, sf->base_line);
		err_wrap(e, where);
	}
	cfg_free(c);
	return rc;
}

static void sanitize(char *s)
{
	for (; *s; s++) {
		char ch = *s;
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
			|| (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '+';
		if (!ok)
			*s = '_';
	}
}

/* Short name of swept key k: the part after the dot, unless another swept
 * key has the same one (device.preset / model.preset). */
static const char *short_name(const struct sweepfile *sf, size_t k)
{
	const char *full = sweepfile_swept(sf, k)->name;
	const char *sh = strrchr(full, '.') + 1;
	size_t ns = sweepfile_nswept(sf);
	for (size_t j = 0; j < ns; j++) {
		const char *o = sweepfile_swept(sf, j)->name;
		if (j != k && !strcmp(strrchr(o, '.') + 1, sh))
			return full;
	}
	return sh;
}

static char *make_label(const struct sweepfile *sf, size_t i, struct om_err *e)
{
	char buf[1024] = "";
	size_t ns = sweepfile_nswept(sf), len = 0;
	for (size_t k = 0; k < ns && len < sizeof buf; k++) {
		const char *v = sweepfile_value(sf, i, k);
		int w = snprintf(buf + len, sizeof buf - len, "%s%s-%s", k ? "_" : "",
				 short_name(sf, k), v[0] ? v : "none");
		if (w < 0)
			break;
		len += (size_t)w;
	}
	if (!ns)
		snprintf(buf, sizeof buf, "base");
	/* Slashes (path values) and shell-unfriendly characters become _. */
	sanitize(buf);
	buf[LABEL_MAX] = '\0';
	return xstrdup(buf, e);
}

static int resolve(struct sw_plan *p, struct sw_run *r, struct om_err *e)
{
	const struct sweepfile *sf = &p->sf;
	size_t ns = sweepfile_nswept(sf);
	r->sets = calloc(sf->nfixed + ns + 1, sizeof *r->sets);
	if (!r->sets)
		return err_set(e, NULL, 0, NULL, "out of memory");
	for (size_t k = 0; k < sf->nfixed; k++)
		if (!(r->sets[r->nsets++] = kv(sf->fixed[k].name, sf->fixed[k].val[0], e)))
			return -1;
	for (size_t k = 0; k < ns; k++)
		if (!(r->sets[r->nsets++] = kv(sweepfile_swept(sf, k)->name,
					       sweepfile_value(sf, r->index, k), e)))
			return -1;
	if (!(r->label = make_label(sf, r->index, e)))
		return -1;
	struct om_err le = { "" };
	struct cfg *c = exp_load(sf->base, r->sets, (int)r->nsets, &le);
	if (!c) {
		r->st = SW_INVALID;
		return (r->error = xstrdup(le.msg, e)) ? 0 : -1;
	}
	r->job_text = cfg_write_string(c, e);
	cfg_free(c);
	if (!r->job_text || !(r->canon = runhash_canon_text(r->job_text, "job", e)))
		return -1;
	runhash_name(r->canon, r->hash);
	size_t dn = strlen(r->label) + RUNHASH_HEX + 3;
	if (!(r->dir = malloc(dn)))
		return err_set(e, NULL, 0, NULL, "out of memory");
	snprintf(r->dir, dn, "%s--%s", r->label, r->hash);
	return 0;
}

static int abs_out(struct sw_plan *p, const char *out, struct om_err *e)
{
	int w;
	if (out[0] == '/') {
		w = snprintf(p->out, sizeof p->out, "%s", out);
	} else {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof cwd))
			return err_set(e, NULL, 0, NULL, "cannot get the working directory: %s",
				       strerror(errno));
		while (out[0] == '.' && out[1] == '/')
			out += 2;
		w = snprintf(p->out, sizeof p->out, "%s/%s", cwd, out);
	}
	if (w < 0 || (size_t)w >= sizeof p->out - 64)
		return err_set(e, out, 0, NULL, "output path too long");
	size_t l = strlen(p->out);
	while (l > 1 && p->out[l - 1] == '/')
		p->out[--l] = '\0';
	return 0;
}

int swplan_build(struct sw_plan *p, const char *sweep_path, const char *out_opt, struct om_err *e)
{
	memset(p, 0, sizeof *p);
	if (sweepfile_load(sweep_path, &p->sf, e) < 0)
		return -1;
	if (check_keys(&p->sf, e) < 0 || check_base(&p->sf, e) < 0)
		return -1;
	char def[PATH_MAX];
	const char *out = out_opt ? out_opt : p->sf.out;
	if (!out) {
		const char *b = strrchr(sweep_path, '/');
		b = b ? b + 1 : sweep_path;
		snprintf(def, sizeof def, "results/out/%s", b);
		char *dot = strrchr(def, '.');
		if (dot && !strcmp(dot, ".ini"))
			*dot = '\0';
		out = def;
	}
	if (abs_out(p, out, e) < 0)
		return -1;
	p->n = sweepfile_nruns(&p->sf);
	p->run = calloc(p->n ? p->n : 1, sizeof *p->run);
	if (!p->run)
		return err_set(e, NULL, 0, NULL, "out of memory");
	for (size_t i = 0; i < p->n; i++) {
		struct sw_run *r = &p->run[i];
		r->index = i;
		if (resolve(p, r, e) < 0)
			return -1;
		if (r->st != SW_PENDING)
			continue;
		for (size_t j = 0; j < i; j++)
			if (p->run[j].st != SW_INVALID && p->run[j].st != SW_DUP
			    && !strcmp(p->run[j].hash, r->hash)
			    && !strcmp(p->run[j].canon, r->canon)) {
				r->st = SW_DUP;
				r->dup_of = j;
				break;
			}
	}
	return 0;
}

void swplan_free(struct sw_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		struct sw_run *r = &p->run[i];
		for (size_t k = 0; k < r->nsets; k++)
			free(r->sets[k]);
		free(r->sets);
		free(r->label);
		free(r->dir);
		free(r->job_text);
		free(r->canon);
		free(r->error);
	}
	free(p->run);
	sweepfile_free(&p->sf);
	memset(p, 0, sizeof *p);
}

void swplan_job_path(const struct sw_plan *p, const struct sw_run *r, char *buf, size_t n)
{
	snprintf(buf, n, "%s/jobs/%s.ini", p->out, r->hash);
}

void swplan_run_path(const struct sw_plan *p, const struct sw_run *r, char *buf, size_t n)
{
	snprintf(buf, n, "%s/runs/%s", p->out, r->dir);
}

void swplan_log_path(const struct sw_plan *p, const struct sw_run *r, char *buf, size_t n)
{
	snprintf(buf, n, "%s/logs/%s.log", p->out, r->hash);
}

bool swplan_exists(const struct sw_plan *p, const struct sw_run *r)
{
	char path[PATH_MAX + 256];
	struct stat st;
	swplan_run_path(p, r, path, sizeof path);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

void swplan_describe(const struct sw_plan *p, const struct sw_run *r, char *buf, size_t n)
{
	size_t ns = sweepfile_nswept(&p->sf), len = 0;
	buf[0] = '\0';
	for (size_t k = 0; k < ns && len < n; k++) {
		int w = snprintf(buf + len, n - len, "%s%s=%s", k ? " " : "",
				 sweepfile_swept(&p->sf, k)->name,
				 sweepfile_value(&p->sf, r->index, k));
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (m) {
		char tmp[8192];
		size_t got;
		while ((got = fread(tmp, 1, sizeof tmp, f)) > 0)
			fwrite(tmp, 1, got, m);
		if (fclose(m) != 0) {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

/* Writes path atomically (temporary file + rename) unless it already holds text. */
static int write_atomic(const char *path, const char *text, struct om_err *e)
{
	char *old = slurp(path);
	bool same = old && !strcmp(old, text);
	free(old);
	if (same)
		return 0;
	char tmp[PATH_MAX + 64];
	snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	if (!f)
		return err_set(e, tmp, 0, NULL, "cannot write: %s", strerror(errno));
	bool bad = fputs(text, f) < 0;
	bad = fclose(f) != 0 || bad;
	if (bad || rename(tmp, path) < 0) {
		unlink(tmp);
		return err_set(e, path, 0, NULL, "cannot write (disk full?)");
	}
	return 0;
}

static void csv_field(FILE *f, const char *s, bool last)
{
	csvtab_put(f, s);
	fputc(last ? '\n' : ',', f);
}

static int write_manifest(const struct sw_plan *p, struct om_err *e)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return err_set(e, NULL, 0, NULL, "out of memory");
	size_t ns = sweepfile_nswept(&p->sf);
	csv_field(f, "run", false);
	csv_field(f, "hash", ns == 0);
	for (size_t k = 0; k < ns; k++)
		csv_field(f, sweepfile_swept(&p->sf, k)->name, k + 1 == ns);
	for (size_t i = 0; i < p->n; i++) {
		const struct sw_run *r = &p->run[i];
		if (r->st == SW_INVALID || r->st == SW_DUP)
			continue;
		csv_field(f, r->dir, false);
		csv_field(f, r->hash, ns == 0);
		for (size_t k = 0; k < ns; k++)
			csv_field(f, sweepfile_value(&p->sf, i, k), k + 1 == ns);
	}
	if (fclose(f) != 0) {
		free(buf);
		return err_set(e, NULL, 0, NULL, "out of memory");
	}
	char path[PATH_MAX + 32];
	snprintf(path, sizeof path, "%s/manifest.csv", p->out);
	int rc = write_atomic(path, buf, e);
	free(buf);
	return rc;
}

struct found {
	char hash[RUNHASH_HEX + 1];
	char *name;
};

static int cmp_found(const void *a, const void *b)
{
	return strcmp(((const struct found *)a)->hash, ((const struct found *)b)->hash);
}

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* Lists OUT/runs: complete directories by hash (whatever their label), and
 * a count of temporary directories left by killed runs. */
static int scan_runs(struct sw_plan *p, struct found **fo, size_t *nfo, struct om_err *e)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof path, "%s/runs", p->out);
	*fo = NULL;
	*nfo = 0;
	DIR *d = opendir(path);
	if (!d)
		return err_set(e, path, 0, NULL, "cannot list: %s", strerror(errno));
	size_t cap = 0;
	struct dirent *de;
	int rc = 0;
	while ((de = readdir(d))) {
		const char *nm = de->d_name;
		size_t l = strlen(nm);
		if (strstr(nm, ".tmp-")) {
			p->stale_tmp++;
			continue;
		}
		if (l < RUNHASH_HEX + 3 || strncmp(nm + l - RUNHASH_HEX - 2, "--", 2)
		    || !is_hex(nm + l - RUNHASH_HEX, RUNHASH_HEX))
			continue;
		if (GROW(*fo, cap, *nfo + 1, 64) < 0) {
			rc = err_set(e, NULL, 0, NULL, "out of memory");
			break;
		}
		struct found *f = &(*fo)[*nfo];
		memcpy(f->hash, nm + l - RUNHASH_HEX, RUNHASH_HEX + 1);
		if (!(f->name = strdup(nm))) {
			rc = err_set(e, NULL, 0, NULL, "out of memory");
			break;
		}
		(*nfo)++;
	}
	closedir(d);
	if (*nfo > 1)
		qsort(*fo, *nfo, sizeof **fo, cmp_found);
	return rc;
}

/* A directory named with this hash counts as this run's results only if the
 * config it ran with has the same canonical form: a hash collision or a
 * results tree from another simulator version must not pass as done. */
static int mark_done(struct sw_plan *p, struct sw_run *r, const char *dirname, struct om_err *e)
{
	char path[PATH_MAX + 512];
	snprintf(path, sizeof path, "%s/runs/%s/config.ini", p->out, dirname);
	char *text = slurp(path);
	struct om_err ce;
	char *canon = text ? runhash_canon_text(text, path, &ce) : NULL;
	free(text);
	if (canon && !strcmp(canon, r->canon)) {
		r->st = SW_DONE;
		/* A log of a run that finished while its sweep was killed. */
		char log[PATH_MAX + 64];
		swplan_log_path(p, r, log, sizeof log);
		unlink(log);
		if (strcmp(dirname, r->dir)) {
			/* Same run under an older label: keep the existing directory. */
			free(r->dir);
			if (!(r->dir = strdup(dirname))) {
				free(canon);
				return err_set(e, NULL, 0, NULL, "out of memory");
			}
		}
	} else {
		r->st = SW_CONFLICT;
		char msg[PATH_MAX + 800];
		snprintf(msg, sizeof msg,
			 "%s holds results of a different configuration "
			 "(hash collision or another simulator version); move it away to rerun",
			 path);
		if (!(r->error = strdup(msg))) {
			free(canon);
			return err_set(e, NULL, 0, NULL, "out of memory");
		}
	}
	free(canon);
	return 0;
}

int swplan_prepare(struct sw_plan *p, struct om_err *e)
{
	const char *subs[] = { "", "/jobs", "/runs", "/logs", "/models" };
	for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
		char d[PATH_MAX + 16];
		snprintf(d, sizeof d, "%s%s", p->out, subs[i]);
		if (outdir_mkdirs(d, e) < 0)
			return -1;
	}
	for (size_t i = 0; i < p->n; i++) {
		struct sw_run *r = &p->run[i];
		if (r->st != SW_PENDING)
			continue;
		char path[PATH_MAX + 64];
		swplan_job_path(p, r, path, sizeof path);
		if (write_atomic(path, r->job_text, e) < 0)
			return -1;
	}
	struct found *fo;
	size_t nfo;
	p->stale_tmp = 0;
	int rc = scan_runs(p, &fo, &nfo, e);
	for (size_t i = 0; rc == 0 && i < p->n; i++) {
		struct sw_run *r = &p->run[i];
		if (r->st != SW_PENDING)
			continue;
		struct found key = { .name = NULL };
		memcpy(key.hash, r->hash, sizeof key.hash);
		struct found *hit = nfo ? bsearch(&key, fo, nfo, sizeof *fo, cmp_found) : NULL;
		if (hit)
			rc = mark_done(p, r, hit->name, e);
	}
	for (size_t i = 0; i < nfo; i++)
		free(fo[i].name);
	free(fo);
	/* After the scan, so the manifest names the directories that exist. */
	return rc < 0 ? -1 : write_manifest(p, e);
}
