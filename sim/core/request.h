/* request: a request as the scheduler and the allocation policies see it.
 * It deliberately has no field for the true output length: that lives in the
 * engine's private array, so no policy or scheduler can read it by accident.
 * Policies may use the pol_* fields for their own bookkeeping; pol_off and
 * pol_ptr share their storage (a policy uses one of them, and finds it 0 /
 * NULL before the request's first admission). */
#ifndef OM_REQUEST_H
#define OM_REQUEST_H

#include <stdbool.h>
#include <stdint.h>

enum req_state {
	RS_PENDING, /* not yet arrived */
	RS_WAITING,
	RS_RUNNING,
	RS_FINISHED,
	RS_REJECTED,
};

/* Fields are grouped by size (8, 4, 2, 1 bytes) so the record packs into
 * 120 bytes without padding holes: a run keeps one per request. */
struct sim_req {
	int64_t id;
	int64_t arrival_ns;
	/* timestamps, ns; -1 until they happen */
	int64_t first_admit_ns, first_token_ns, finish_ns;
	int64_t recomputed_tokens;
	int64_t last_token_ns; /* its latest token, recorded when it is preempted */
	/* policy bookkeeping: an offset (contiguous policies) or a pointer to
	 * the policy's own record (paged), never both, so they share 8 bytes */
	union {
		int64_t pol_off;
		void *pol_ptr;
	};
	int32_t pol_cap;
	int32_t pol_class;
	uint32_t idx; /* index in the engine's arrays */
	int32_t prompt_tokens;
	int32_t generated;  /* output tokens produced so far */
	int32_t max_output; /* visible stop: max_new_tokens / max_model_len */
	int32_t ctx;	    /* KV tokens it needs in the current iteration */
	/* Predictor output, -1 / 0 when no predictor is configured. */
	int32_t predicted_len;
	float uncertainty;
	int32_t pred_bucket;
	int32_t preemptions;
	/* the largest region (pol_cap) it held: recorded by the scheduler when
	 * it releases the request (a region only grows while held), read by
	 * requests.csv and the completion-time metrics */
	int32_t reserved_peak;
	/* the request's allocation record (requests.csv): its overflows and
	 * relocations (counted by the policy; at most one per size class) */
	uint16_t overflows, relocations;
	uint8_t state;
	uint8_t reject_reason; /* enum sched_reject */
	/* one-bit flags: six bytes would push the record past 120 */
	bool prefill : 1; /* computing its prompt in the current iteration */
	/* chunked prefill: ctx counts only the context computed so far, short of
	 * prompt + generated; no token is emitted until the last chunk lands */
	bool partial : 1;
	/* chunked: it could not grow while running alone, so its next admission
	 * asks the policy for its whole context at once (as unchunked) */
	bool reserve_all : 1;
	bool pred_uncertain : 1; /* the predictor flagged it (ODMA: large bucket) */
	bool no_room_noted : 1;	 /* its current wait was refused for room once already */
	/* re-admitted after a preemption with no token since: its next token's
	 * gap starts at last_token_ns, not at the previous iteration's end */
	bool resumed : 1;
};

_Static_assert(sizeof(struct sim_req) <= 120, "a run keeps one sim_req per request");

#endif
