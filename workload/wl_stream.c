#include "workload/wl_stream.h"

#include <stdlib.h>

#include "common/rng.h"

struct wl_stream {
	struct synth_gen sg;
	struct arr_seq as;
	gsl_rng *rl, *ra; /* lengths, arrivals */
	size_t next;	  /* the first row not made yet */
	bool failed;
};

struct wl_stream *wl_stream_new(const struct synth_params *p, const struct arr_seq *a,
				uint64_t seed)
{
	struct wl_stream *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	synth_gen_init(&s->sg, p);
	s->as = *a;
	s->rl = rng_stream(seed, "workload.synth");
	s->ra = rng_stream(seed, "workload.arrival");
	if (!s->rl || !s->ra) {
		wl_stream_free(s);
		return NULL;
	}
	return s;
}

void wl_stream_free(struct wl_stream *s)
{
	if (!s)
		return;
	gsl_rng_free(s->rl);
	gsl_rng_free(s->ra);
	free(s);
}

int wl_stream_rows(struct wl_stream *s, size_t from, size_t to, struct wl_req *req, int32_t *out,
		   struct om_err *e)
{
	if (s->failed || from != s->next || to > s->sg.p.n || to < from)
		return err_set(e, "synthetic", 0, NULL,
			       "internal: rows %zu..%zu asked of a stream at row %zu", from, to,
			       s->next);
	for (size_t i = from; i < to; i++) {
		struct wl_req *r = &req[i - from];
		int32_t pt;
		synth_next(&s->sg, s->rl, &pt, &out[i - from]);
		*r = (struct wl_req){ .id = (int64_t)i, .prompt_tokens = pt };
		if (arr_seq_next(&s->as, s->ra, i, &r->arrival_ns, e) < 0) {
			s->failed = true;
			return -1;
		}
	}
	s->next = to;
	return 0;
}
