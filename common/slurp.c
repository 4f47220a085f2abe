#include "common/slurp.h"
#include "common/grow.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int slurp_file(const char *path, const char *what, char **out, size_t *out_len, struct om_err *e)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return err_set(e, path, 0, NULL, "cannot open %s: %s", what, strerror(errno));
	char *buf = NULL;
	size_t len = 0, cap = 0;
	bool oom = false;
	for (;;) {
		if (GROW(buf, cap, len + 65536, 1 << 16) < 0) {
			oom = true;
			break;
		}
		size_t got = fread(buf + len, 1, cap - len - 1, f);
		len += got;
		if (got == 0)
			break;
	}
	bool bad = ferror(f);
	fclose(f);
	if (oom || bad) {
		free(buf);
		return err_set(e, path, 0, NULL, oom ? "out of memory" : "read error");
	}
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	return 0;
}
