/* slurp: reads a whole file into one NUL-terminated heap buffer.
 * Every reader of small text inputs (configs, traces, tables) uses it, so
 * "cannot open" and "read error" read the same everywhere. Only regular
 * files of at most SLURP_MAX_BYTES are read: a device (/dev/zero), FIFO or
 * directory is refused before reading. */
#ifndef OM_SLURP_H
#define OM_SLURP_H

#include <stddef.h>

#include "common/err.h"

#define SLURP_MAX_BYTES (1ULL << 30)

/* On success *buf (free it) holds the file plus a terminating NUL and *len
 * its length. `what` names the file's role in the message ("trace", ...). */
int slurp_file(const char *path, const char *what, char **buf, size_t *len, struct om_err *e);

#endif
