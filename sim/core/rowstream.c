#include "sim/core/rowstream.h"

#include <stdlib.h>

#include "common/outdir.h"
#include "sim/core/report.h"

struct rowstream {
	FILE *f;
	size_t done; /* rows written */
};

static void on_final(void *ctx, const struct sim_req *reqs, const int32_t *replica, size_t prefix)
{
	struct rowstream *rs = ctx;
	if (prefix > rs->done)
		report_request_rows(rs->f, reqs, replica, rs->done, prefix);
	rs->done = prefix;
}

struct rowstream *rowstream_open(const char *dir)
{
	struct rowstream *rs = calloc(1, sizeof *rs);
	if (!rs)
		return NULL;
	rs->f = outdir_unnamed(dir);
	if (!rs->f) {
		free(rs);
		return NULL;
	}
	return rs;
}

struct eng_watch rowstream_watch(struct rowstream *rs)
{
	return (struct eng_watch){ .ctx = rs, .final = on_final };
}

FILE *rowstream_end(struct rowstream *rs, size_t n)
{
	if (!rs)
		return NULL;
	FILE *f = rs->f;
	if (n == 0 || rs->done != n) {
		fclose(f);
		f = NULL;
	}
	free(rs);
	return f;
}
