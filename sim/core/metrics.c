#include "sim/core/metrics.h"
#include "common/grow.h"
#include "common/ncpu.h"
#include "sim/core/qsel.h"

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int met_init(struct metrics *m, int64_t pool_tokens, int64_t window_ns)
{
	memset(m, 0, sizeof *m);
	m->pool_tokens = pool_tokens;
	m->window_ns = window_ns;
	itl_init(&m->itl);
	m->max_windows = MET_MAX_WINDOWS;
	return 0;
}

void met_free(struct metrics *m)
{
	free(m->series);
	m->series = NULL;
	itl_free(&m->itl);
}

/* Merges windows 2k and 2k+1 into k and doubles the window. With an even
 * count of full windows the open window starts on a boundary of the new
 * width, so the rows stay aligned. */
static void coarsen(struct metrics *m)
{
	size_t h = m->n_series / 2;
	for (size_t k = 0; k < h; k++) {
		const struct met_sample *a = &m->series[2 * k], *b = &m->series[2 * k + 1];
		m->series[k] = (struct met_sample){
			.end = b->end,
			.w_reserved = a->w_reserved + b->w_reserved,
			.w_live = a->w_live + b->w_live,
			.w_running = a->w_running + b->w_running,
			.w_waiting = a->w_waiting + b->w_waiting,
			.overflows = b->overflows,
		};
	}
	m->n_series = h;
	m->window_ns *= 2;
	m->coarsened++;
}

static int push_sample(struct metrics *m, int64_t end)
{
	if (end - m->win_start <= 0)
		return 0;
	if (GROW(m->series, m->cap_series, m->n_series + 1, 256) < 0)
		return -1;
	m->series[m->n_series++] = (struct met_sample){
		.end = end,
		.w_reserved = m->w_reserved,
		.w_live = m->w_live,
		.w_running = m->w_running,
		.w_waiting = m->w_waiting,
		.overflows = m->cur.overflows,
	};
	m->w_reserved = m->w_live = m->w_running = m->w_waiting = 0;
	m->win_start = end;
	if (m->n_series >= m->max_windows && m->n_series % 2 == 0 && m->window_ns <= INT64_MAX / 2)
		coarsen(m);
	return 0;
}

struct met_row met_row(const struct metrics *m, size_t i)
{
	const struct met_sample *s = &m->series[i];
	double len = (double)(s->end - (i ? m->series[i - 1].end : m->t0));
	double pool = (double)m->pool_tokens;
	return (struct met_row){
		.t_s = (double)(s->end - m->t0) / 1e9,
		.util_reserved = s->w_reserved / (pool * len),
		.util_live = s->w_live / (pool * len),
		.running = s->w_running / len,
		.waiting = s->w_waiting / len,
		.overflows = s->overflows,
	};
}

static void accumulate(struct metrics *m, double dt)
{
	m->int_reserved += (double)m->cur.reserved * dt;
	m->int_live += (double)m->cur.live * dt;
	m->int_running += (double)m->cur.running * dt;
	m->int_ext_frag += m->cur.ext_frag * dt;
	m->int_safety += (double)m->cur.safety_used * dt;
	m->w_reserved += (double)m->cur.reserved * dt;
	m->w_live += (double)m->cur.live * dt;
	m->w_running += (double)m->cur.running * dt;
	m->w_waiting += (double)m->cur.waiting * dt;
}

int met_advance(struct metrics *m, int64_t now)
{
	if (!m->started) {
		m->started = true;
		m->t0 = m->t_last = m->win_start = now;
		return 0;
	}
	/* split the step at window boundaries */
	while (m->window_ns > 0 && now >= m->win_start + m->window_ns) {
		int64_t edge = m->win_start + m->window_ns;
		accumulate(m, (double)(edge - m->t_last));
		m->t_last = edge;
		if (push_sample(m, edge) < 0)
			return -1;
	}
	accumulate(m, (double)(now - m->t_last));
	m->t_last = now;
	return 0;
}

void met_set(struct metrics *m, const struct met_state *s)
{
	m->cur = *s;
	m->safety_tokens = s->safety_tokens;
}

int met_finish(struct metrics *m, int64_t now)
{
	if (met_advance(m, now) < 0)
		return -1;
	return m->window_ns > 0 ? push_sample(m, now) : 0;
}

/* The latencies of the finished requests, in seconds, in request order:
 * which = 0 TTFT, 1 end-to-end, 2 queueing, 3 TPOT (only those with more
 * than one token). A qsel source: recomputed from the records on each pass
 * instead of held, 8 bytes a request, at the run's end (held only when
 * they fit the cap anyway: lat_held). */
struct lat_src {
	const struct sim_req *reqs;
	size_t n;
	int which;
};

/* Latency `which` of a finished request r into *v; false when r has none. */
static bool lat_value(const struct sim_req *r, int which, double *v)
{
	if (which == 0)
		*v = (double)(r->first_token_ns - r->arrival_ns) / 1e9;
	else if (which == 1)
		*v = (double)(r->finish_ns - r->arrival_ns) / 1e9;
	else if (which == 2)
		*v = (double)(r->first_admit_ns - r->arrival_ns) / 1e9;
	else if (r->generated > 1)
		*v = (double)(r->finish_ns - r->first_token_ns) / 1e9 / (double)(r->generated - 1);
	else
		return false;
	return true;
}

static size_t lat_fill(const void *ctx, size_t *cursor, double *v, size_t cap)
{
	const struct lat_src *ls = ctx;
	size_t k = 0, i = *cursor;
	for (; i < ls->n && k < cap; i++) {
		const struct sim_req *r = &ls->reqs[i];
		if (r->state == RS_FINISHED && lat_value(r, ls->which, &v[k]))
			k++;
	}
	*cursor = i;
	return k;
}

/* Latencies [from, to) of the four, each in turn. */
struct lat_job {
	const struct sim_req *reqs;
	size_t n, cap;
	int from, to, rc;
	struct summary *o;
};

static void lat_put(struct summary *o, int w, double mean, const double *q)
{
	double *mean_of[4] = { &o->ttft_mean_s, &o->e2e_mean_s, &o->queue_mean_s, &o->tpot_mean_s };
	double *p50[4] = { &o->ttft_p50_s, &o->e2e_p50_s, &o->queue_p50_s, &o->tpot_p50_s };
	double *p90[4] = { &o->ttft_p90_s, &o->e2e_p90_s, &o->queue_p90_s, &o->tpot_p90_s };
	double *p99[4] = { &o->ttft_p99_s, &o->e2e_p99_s, &o->queue_p99_s, &o->tpot_p99_s };
	*mean_of[w] = mean;
	*p50[w] = q[0];
	*p90[w] = q[1];
	*p99[w] = q[2];
}

static const double lat_f[3] = { 0.50, 0.90, 0.99 };

/* When every request's latency fits the cap: each latency gathered in one
 * pass into one buffer and selected there (qsel_stats_held), instead of a
 * counting pass and a candidates' pass over the records. */
static int lat_held(const struct lat_job *j)
{
	double *v = malloc((j->n ? j->n : 1) * sizeof *v);
	if (!v)
		return -1;
	for (int w = j->from; w < j->to; w++) {
		struct lat_src ls = { j->reqs, j->n, w };
		size_t cursor = 0, count = lat_fill(&ls, &cursor, v, j->n);
		double mean, q[3];
		qsel_stats_held(v, count, lat_f, 3, &mean, q);
		lat_put(j->o, w, mean, q);
	}
	free(v);
	return 0;
}

static int lat_some(const struct lat_job *j)
{
	if (j->n <= j->cap)
		return lat_held(j);
	for (int w = j->from; w < j->to; w++) {
		struct lat_src ls = { j->reqs, j->n, w };
		struct qsel_src src = { lat_fill, &ls };
		double mean, q[3];
		size_t count;
		if (qsel_stats(&src, lat_f, 3, j->cap, &count, &mean, q) < 0)
			return -1;
		lat_put(j->o, w, mean, q);
	}
	return 0;
}

static void *lat_thread(void *arg)
{
	struct lat_job *j = arg;
	j->rc = lat_some(j);
	return NULL;
}

/* Mean and percentiles of each latency; with two threads, TPOT on the
 * second while the other three run here: TPOT's selection costs about as
 * much as the three (measured with callgrind: commit 0260b1b). Held
 * (lat_held), each costs about the same, so two run on each (measured
 * with callgrind: commit 6937fbe).
 * Each writes its own fields, so the summary is the same either way. */
static int latency_stats(const struct sim_req *reqs, size_t n, int threads, struct summary *o)
{
	/* candidates held at once: at most a quarter of the requests' 8 bytes
	 * per selection (two at once: half), within the room the engine's
	 * per-request truth (4 bytes) gave back just before; more passes when a
	 * percentile's neighbourhood is crowded, never another answer */
	size_t cap = n / 4 + 65536;
	struct lat_job here = { reqs, n, cap, 0, 4, 0, o }, other = here;
	pthread_t th;
	bool two = threads > 1 && n > 0;
	if (two) {
		here.to = other.from = n <= cap ? 2 : 3;
		two = ncpu_spawn(&th, lat_thread, &other);
		if (!two)
			here.to = 4;
	}
	int rc = lat_some(&here);
	if (two) {
		pthread_join(th, NULL);
		rc |= other.rc;
	}
	return rc < 0 ? -1 : 0;
}

int met_summarize(const struct metrics *m, const struct sim_req *reqs, size_t n,
		  const struct sched_stats *s, int threads, struct summary *o)
{
	memset(o, 0, sizeof *o);
	if (m->itl.oom)
		return -1;
	int64_t first = INT64_MAX, last = 0, held = 0;
	double itl_sum = 0, itl_n = 0;
	for (size_t i = 0; i < n; i++) {
		const struct sim_req *r = &reqs[i];
		o->requests_total++;
		if (r->arrival_ns < first)
			first = r->arrival_ns;
		if (r->state == RS_REJECTED) {
			o->requests_rejected++;
			continue;
		}
		if (r->state != RS_FINISHED)
			continue;
		o->requests_completed++;
		held += r->reserved_peak;
		o->generated_tokens += r->generated;
		o->prompt_tokens += r->prompt_tokens;
		if (r->finish_ns > last)
			last = r->finish_ns;
		if (r->generated > 1) {
			itl_sum += (double)(r->finish_ns - r->first_token_ns) / 1e9;
			itl_n += (double)(r->generated - 1);
		}
	}
	for (int k = 0; k < REJ_N; k++)
		o->rejected[k] = s->rejected[k];
	o->span_s = o->requests_completed ? (double)(last - first) / 1e9 : 0;
	o->sim_time_s = (double)m->t_last / 1e9;
	if (o->span_s > 0) {
		o->rps = (double)o->requests_completed / o->span_s;
		o->tps_generated = (double)o->generated_tokens / o->span_s;
		o->tps_total = (double)(o->generated_tokens + o->prompt_tokens) / o->span_s;
	}
	double T = (double)(m->t_last - m->t0);
	if (T > 0 && m->pool_tokens > 0) {
		o->util_reserved = m->int_reserved / ((double)m->pool_tokens * T);
		o->util_live = m->int_live / ((double)m->pool_tokens * T);
		o->running_mean = m->int_running / T;
		o->frag_internal = (m->int_reserved - m->int_live) / ((double)m->pool_tokens * T);
		o->frag_external = m->int_ext_frag / T;
		if (m->safety_tokens > 0)
			o->safety_occupancy = m->int_safety / ((double)m->safety_tokens * T);
	}
	o->util_packing = m->int_reserved > 0 ? m->int_live / m->int_reserved : 0;
	o->itl_mean_s = itl_n > 0 ? itl_sum / itl_n : NAN;
	o->itl_p50_s = itl_quantile_s(&m->itl, 50, 100);
	o->itl_p90_s = itl_quantile_s(&m->itl, 90, 100);
	o->itl_p99_s = itl_quantile_s(&m->itl, 99, 100);
	if (latency_stats(reqs, n, threads, o) < 0)
		return -1;
	o->preemptions = s->preemptions;
	o->recomputed_tokens = s->recomputed_tokens;
	o->iterations = s->iterations;
	o->batch_mean = s->iterations ? (double)s->batch_sum / (double)s->iterations : 0;
	o->kv_ms_per_iter = s->iterations ? s->kv_ns_sum / 1e6 / (double)s->iterations : 0;
	o->kv_gbps = s->kv_ns_sum > 0 ? s->kv_bytes_sum / s->kv_ns_sum : 0;
	o->kv_run_bytes_mean = s->kv_runs_sum > 0 ? s->kv_bytes_sum / s->kv_runs_sum : 0;
	o->pool_tokens = m->pool_tokens;
	if (held > 0)
		o->util_packing_at_finish = (double)(o->prompt_tokens + o->generated_tokens)
			/ (double)held;
	if (o->requests_completed)
		o->reserved_tokens_mean = (double)held / (double)o->requests_completed;
	o->no_room_admissions = s->no_room;
	o->frag_external_no_room = s->no_room ? s->no_room_frag_sum / (double)s->no_room : 0;
	return 0;
}
