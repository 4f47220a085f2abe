/* libFuzzer target: the sweep file reader (`odmasim sweep FILE`). An accepted
 * sweep must have a representable number of runs, and every swept key a
 * value in every run (the first runs are enumerated). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_util.h"
#include "sim/batch/sweepfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* sweepfile_load rejects NUL bytes before the parser */
	char *text = fz_text(data, size, SIZE_MAX);
	if (!text)
		return 0;
	struct sweepfile s;
	struct om_err e = { "" };
	if (sweepfile_parse(text, "fuzz/sweep.ini", &s, &e) == 0) {
		size_t runs = 1;
		for (size_t a = 0; a < s.naxis; a++)
			if (s.axis[a].nval == 0
			    || __builtin_mul_overflow(runs, s.axis[a].nval, &runs))
				abort(); /* an empty axis or a run count that does not fit */
		if (sweepfile_nruns(&s) != runs || !s.base)
			abort();
		size_t nk = sweepfile_nswept(&s);
		for (size_t i = 0; i < runs && i < 64; i++)
			for (size_t k = 0; k < nk; k++)
				if (!sweepfile_value(&s, i, k) || !sweepfile_swept(&s, k)->name)
					abort();
		sweepfile_free(&s);
	} else if (strncmp(e.msg, "fuzz/sweep.ini", 14) != 0) {
		abort(); /* every rejection names the file */
	}
	free(text);
	return 0;
}
