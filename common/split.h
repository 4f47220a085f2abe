/* split: the deterministic train/test split used by every predictor.
 * A request is in the TEST part iff hash(id) mod 100 < test_pct, where hash
 * is a fixed 64-bit mix of the id (no seed), so `odmasim predict`, the
 * simulator's train-on-start and every run agree on which ids were held out,
 * and an id can never be in both parts. */
#ifndef OM_SPLIT_H
#define OM_SPLIT_H

#include <stdbool.h>
#include <stdint.h>

bool split_is_test(int64_t id, int test_pct);

/* The id's position in [0, 100): test iff below test_pct. Lets callers carve
 * a validation slice [test_pct, test_pct + v) out of the train part. */
int split_rank(int64_t id);

#endif
