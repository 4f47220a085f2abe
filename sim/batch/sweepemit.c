#include "sim/batch/sweepemit.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Single-quotes s for a POSIX shell. */
static void shq(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

/* One self-contained, idempotent shell command for a run: it works from any
 * directory and does nothing if the results already exist. */
void swemit_cmd(FILE *f, const struct sw_plan *p, const struct sw_run *r, const char *prog,
		const char *cwd)
{
	char job[PATH_MAX + 64], dir[PATH_MAX + 256];
	swplan_job_path(p, r, job, sizeof job);
	swplan_run_path(p, r, dir, sizeof dir);
	fputs("cd ", f);
	shq(f, cwd);
	fputs(" && { test -d ", f);
	shq(f, dir);
	fputs(" || ", f);
	const char *traces = getenv("ODMASIM_TRACES");
	if (traces && traces[0]) {
		fputs("ODMASIM_TRACES=", f);
		shq(f, traces);
		fputc(' ', f);
	}
	shq(f, prog);
	fputs(" run ", f);
	shq(f, job);
	fputs(" -q -o ", f);
	shq(f, dir);
	fputs("; }", f);
}

int swemit_slurm(const char *path, const struct sw_plan *p, const char *prog, const char *cwd,
		 size_t npending, struct om_err *e)
{
	/* the script is renamed into place, which would replace a device, a
	 * FIFO or a link as readily as an old script */
	struct stat st;
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return err_set(e, path, 0, NULL,
			       "exists and is not a regular file (a device, FIFO, directory or "
			       "link); --emit-slurm only writes a new script or replaces one");
	char tmp[PATH_MAX + 32];
	snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	if (!f)
		return err_set(e, tmp, 0, NULL, "cannot write: %s", strerror(errno));
	const char *stem = strrchr(p->out, '/');
	stem = stem ? stem + 1 : p->out;
	fprintf(f,
		"#!/bin/bash\n"
		"# Slurm job array: %zu pending runs of sweep %s, one per array task.\n"
		"# Written by `odmasim sweep --emit-slurm`. Submit with `sbatch %s`;\n"
		"# afterwards `odmasim merge %s -o table.csv`. A task whose results\n"
		"# already exist does nothing, so resubmitting is safe.\n",
		npending, p->sf.path, path, p->out);
	fprintf(f, "#SBATCH --job-name=odmasim-%s\n", stem);
	fprintf(f, "#SBATCH --array=0-%zu\n", npending - 1);
	fprintf(f, "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n");
	fprintf(f, "#SBATCH --output=%s/logs/slurm-%%A_%%a.out\n", p->out);
	fprintf(f, "set -eu\ncase \"${SLURM_ARRAY_TASK_ID:?submit this script with sbatch}\" in\n");
	size_t k = 0;
	for (size_t i = 0; i < p->n; i++) {
		const struct sw_run *r = &p->run[i];
		if (r->st != SW_PENDING)
			continue;
		fprintf(f, "%zu) ", k++);
		swemit_cmd(f, p, r, prog, cwd);
		fprintf(f, " ;;\n");
	}
	fprintf(f, "*) echo \"no run for array task $SLURM_ARRAY_TASK_ID\" >&2; exit 2 ;;\nesac\n");
	bool bad = ferror(f) != 0;
	bad = fclose(f) != 0 || bad;
	if (bad || chmod(tmp, 0755) < 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		return err_set(e, path, 0, NULL, "cannot write (disk full?)");
	}
	return 0;
}
