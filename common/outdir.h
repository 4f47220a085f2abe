/* outdir: a results directory that appears whole or not at all.
 * Files are written into DIR.tmp-<pid>/ and the directory is renamed to DIR
 * only when every file closed cleanly; an existing DIR is never overwritten. */
#ifndef OM_OUTDIR_H
#define OM_OUTDIR_H

#include <limits.h>
#include <signal.h>
#include <stdio.h>

#include "common/err.h"

struct outdir {
	char final[PATH_MAX];
	char tmp[PATH_MAX];
};

/* Fails if `path` exists: lets a command refuse -o before hours of work. */
int outdir_check(const char *path, struct om_err *e);
/* Fails if `path` exists; creates missing parents and the temporary directory. */
int outdir_begin(struct outdir *o, const char *path, struct om_err *e);
/* Opens `name` inside the temporary directory for writing. */
FILE *outdir_open(struct outdir *o, const char *name, struct om_err *e);
/* Closes a file from outdir_open, reporting write errors (e.g. disk full). */
int outdir_close(struct outdir *o, FILE *f, const char *name, struct om_err *e);
/* A file for results written while a run goes, before outdir_begin: it
 * has no name (an interrupt or a failure leaves nothing) until outdir_adopt
 * links it as `name` in the temporary directory and closes it. `path` is the
 * results directory to come. NULL when the system cannot make one: the
 * caller then writes the file the usual way. outdir_adopt returns 0 when
 * linked, 1 when the link is impossible (the caller writes the file itself),
 * -1 with e set when the file had a write error. */
FILE *outdir_unnamed(const char *path);
int outdir_adopt(struct outdir *o, FILE *f, const char *name, struct om_err *e);
/* Renames the temporary directory to its final name. */
int outdir_commit(struct outdir *o, struct om_err *e);
/* Removes the temporary directory and everything in it. */
void outdir_abort(struct outdir *o);

/* Removes a committed results directory again (its files, then itself):
 * for a run interrupted while it wrote. */
void outdir_remove(const char *path);

/* SIGINT, SIGTERM and SIGHUP are held while a directory is written, so an
 * interrupt cannot leave DIR.tmp-PID behind: outdir_hold blocks them (*old
 * gets the previous mask); outdir_stop_check fails with "interrupted" if one
 * came meanwhile (the caller then aborts, or removes what it committed);
 * outdir_release restores the mask, which delivers the signal. */
void outdir_hold(sigset_t *old);
int outdir_stop_check(const char *path, struct om_err *e);
void outdir_release(const sigset_t *old);

/* mkdir -p. */
int outdir_mkdirs(const char *path, struct om_err *e);

#endif
