/* lasttok: the time of a preempted request's last token, kept only while it
 * matters (from its preemption to its next token after re-admission) and
 * only for such requests, so sim_req carries no field for it. An
 * open-addressing map from the request's address to a time: put, take
 * (read and forget). Memory follows the requests in it, not the run. */
#ifndef OM_LASTTOK_H
#define OM_LASTTOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lasttok {
	struct lasttok_slot {
		const void *key; /* NULL: empty */
		int64_t t;
	} * slot;
	size_t cap, n; /* cap: 0 or a power of two */
};

void lasttok_init(struct lasttok *m);
void lasttok_free(struct lasttok *m);
/* Records (or replaces) key's time. Returns -1 when out of memory. */
int lasttok_put(struct lasttok *m, const void *key, int64_t t);
/* Whether key is in; if so *t gets its time and key leaves the map. */
bool lasttok_take(struct lasttok *m, const void *key, int64_t *t);

#endif
