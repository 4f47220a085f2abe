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
	RS_N_STATES /* fits sim_req.state's 3 bits */
};

/* Fields are grouped by size (8, 4, 2 bytes, then bit-fields) so the record
 * packs into 96 bytes without padding holes: a run keeps one per request
 * (10 million of them in a big run). What only some requests need lives
 * elsewhere: a preempted request's last token time in its scheduler
 * (sched.h, lasttok.h), a request's index is its offset in the run's array
 * (pol_req_idx). */
struct sim_req {
	int64_t id;
	int64_t arrival_ns;
	/* timestamps, ns; -1 until they happen */
	int64_t first_admit_ns, first_token_ns, finish_ns;
	/* policy bookkeeping: an offset (contiguous policies) or a pointer to
	 * the policy's own record (paged), never both, so they share 8 bytes */
	union {
		int64_t pol_off;
		void *pol_ptr;
	};
	int32_t pol_cap;
	int32_t pol_class;
	int32_t prompt_tokens;
	int32_t generated;  /* output tokens produced so far */
	int32_t max_output; /* visible stop: max_new_tokens / max_model_len */
	int32_t ctx;	    /* KV tokens it needs in the current iteration */
	/* Predictor output, -1 when no predictor is configured. */
	int32_t predicted_len;
	int32_t preemptions;
	/* the largest region (pol_cap) it held: recorded by the scheduler when
	 * it releases the request (a region only grows while held), read by
	 * requests.csv and the completion-time metrics */
	int32_t reserved_peak;
	/* prompt and output tokens computed again after preemptions; the
	 * scheduler stops the run with an error rather than let it wrap
	 * (sched_recompute_overflow) */
	int32_t recomputed_tokens;
	/* the predictor's length bucket, -1 if none: predictor.buckets is at
	 * most 1000 (predictor.c), so 16 bits hold every bucket */
	int16_t pred_bucket;
	/* the request's allocation record (requests.csv): its overflows and
	 * relocations (counted by the policy; at most one per size class) */
	uint16_t overflows, relocations;
	uint8_t state : 3;	   /* enum req_state (5 values) */
	uint8_t reject_reason : 3; /* enum sched_reject (REJ_N = 4 values) */
	/* chunked prefill: ctx counts only the context computed so far, short of
	 * prompt + generated; no token is emitted until the last chunk lands */
	bool partial : 1;
	/* chunked: it could not grow while running alone, so its next admission
	 * asks the policy for its whole context at once (as unchunked) */
	bool reserve_all : 1;
	bool pred_uncertain : 1; /* the predictor flagged it (ODMA: large bucket) */
	bool no_room_noted : 1;	 /* its current wait was refused for room once already */
	/* re-admitted after a preemption with no token since: its next token's
	 * gap starts at the last token time its scheduler kept, not at the
	 * previous iteration's end */
	bool resumed : 1;
};

_Static_assert(RS_N_STATES <= 8, "sim_req.state has 3 bits");
_Static_assert(sizeof(struct sim_req) <= 96, "a run keeps one sim_req per request");

#endif
