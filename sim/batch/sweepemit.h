/* sweepemit: a sweep's pending runs as shell commands, for schedulers we do
 * not reimplement. Each command is self-contained (absolute paths, the working
 * directory, ODMASIM_TRACES if set) and idempotent (it does nothing if the
 * run's results exist), so job lists can be rerun and shared between machines
 * that see the same filesystem. */
#ifndef OM_SWEEPEMIT_H
#define OM_SWEEPEMIT_H

#include <stdio.h>

#include "sim/batch/sweepplan.h"

/* Writes the command for run r (no newline). */
void swemit_cmd(FILE *f, const struct sw_plan *p, const struct sw_run *r, const char *prog,
		const char *cwd);
/* Writes an sbatch script at path (atomically, mode 755) whose job array has
 * one task per pending run, npending >= 1. An existing path that is not a
 * regular file (device, FIFO, directory, symbolic link) is refused. */
int swemit_slurm(const char *path, const struct sw_plan *p, const char *prog, const char *cwd,
		 size_t npending, struct om_err *e);

#endif
