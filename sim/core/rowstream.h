/* rowstream: requests.csv written on a second thread while the run goes.
 * The engine tells it (eng_watch) how long the prefix of final requests is;
 * a writer thread formats those rows, in order, into an unnamed file
 * (outdir_unnamed), with report's one row formatter, so the bytes are those
 * written at the end and do not depend on timing. The thread reads only
 * requests the run will never write again, and holds no signals (the run's
 * thread keeps the interrupt handling). */
#ifndef OM_ROWSTREAM_H
#define OM_ROWSTREAM_H

#include <stdio.h>

#include "sim/core/engine.h"

struct rowstream;

/* NULL when no unnamed file can be made next to dir (the results directory
 * to come): then requests.csv is written at the end as usual. */
struct rowstream *rowstream_open(const char *dir);
/* The watch to give the engine; ctx is rs. */
struct eng_watch rowstream_watch(struct rowstream *rs);
/* Waits for the writer and frees rs. Returns the file holding all of
 * requests.csv for n requests (the caller closes it, or report_write_rows
 * links it), or NULL when it does not (the run failed, a thread could not be
 * started, a write failed): the caller then writes the file itself. */
FILE *rowstream_end(struct rowstream *rs, size_t n);

#endif
