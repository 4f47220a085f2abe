#include "common/split.h"

#include "common/rng.h"

int split_rank(int64_t id)
{
	/* the salt only keeps this split independent of other id hashes */
	uint64_t h = rng_mix64((uint64_t)id ^ 0x5e11c7ed5b1170ULL);
	return (int)(h % 100);
}

bool split_is_test(int64_t id, int test_pct)
{
	return split_rank(id) < test_pct;
}
