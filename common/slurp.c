#include "common/slurp.h"
#include "common/grow.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Refuses what is not a regular file (a device such as /dev/zero or a FIFO
 * could be read forever) and what could not fit comfortably in memory. */
static int check_regular(FILE *f, const char *path, const char *what, struct om_err *e)
{
	struct stat st;
	if (fstat(fileno(f), &st) < 0)
		return err_set(e, path, 0, NULL, "cannot stat %s: %s", what, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return err_set(e, path, 0, NULL, "%s is a directory", what);
	if (!S_ISREG(st.st_mode))
		return err_set(e, path, 0, NULL, "%s is not a regular file", what);
	if ((unsigned long long)st.st_size > SLURP_MAX_BYTES)
		return err_set(e, path, 0, NULL, "%s is larger than %llu MiB", what,
			       SLURP_MAX_BYTES >> 20);
	return 0;
}

int slurp_file(const char *path, const char *what, char **out, size_t *out_len, struct om_err *e)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return err_set(e, path, 0, NULL, "cannot open %s: %s", what, strerror(errno));
	if (check_regular(f, path, what, e) < 0) {
		fclose(f);
		return -1;
	}
	char *buf = NULL;
	size_t len = 0, cap = 0;
	bool oom = false, big = false;
	for (;;) {
		if (GROW(buf, cap, len + 65536, 1 << 16) < 0) {
			oom = true;
			break;
		}
		size_t got = fread(buf + len, 1, cap - len - 1, f);
		len += got;
		if (got == 0)
			break;
		if (len > SLURP_MAX_BYTES) {
			big = true; /* it grew while being read */
			break;
		}
	}
	bool bad = ferror(f);
	fclose(f);
	if (oom || bad || big) {
		free(buf);
		if (big)
			return err_set(e, path, 0, NULL, "%s is larger than %llu MiB", what,
				       SLURP_MAX_BYTES >> 20);
		return err_set(e, path, 0, NULL, oom ? "out of memory" : "read error");
	}
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	return 0;
}
