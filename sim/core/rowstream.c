#include "sim/core/rowstream.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "common/ncpu.h"
#include "common/outdir.h"
#include "sim/core/report.h"

/* rows formatted per turn of the writer, so that a failed run, which stops
 * it, waits for at most this many */
#define RS_TURN_ROWS 16384

struct rowstream {
	FILE *f;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t th;
	bool started, joined, broken;
	/* under mu: what the engine published, what the writer wrote */
	const struct sim_req *reqs;
	const int32_t *replica;
	size_t avail, done;
	bool end, quit;
};

static void *writer(void *arg)
{
	struct rowstream *rs = arg;
	pthread_mutex_lock(&rs->mu);
	for (;;) {
		while (rs->avail == rs->done && !rs->end && !rs->quit)
			pthread_cond_wait(&rs->cv, &rs->mu);
		if (rs->quit || rs->avail == rs->done)
			break;
		size_t from = rs->done, to = rs->avail;
		if (to - from > RS_TURN_ROWS)
			to = from + RS_TURN_ROWS;
		const struct sim_req *reqs = rs->reqs;
		const int32_t *replica = rs->replica;
		pthread_mutex_unlock(&rs->mu);
		report_request_rows(rs->f, reqs, replica, from, to);
		pthread_mutex_lock(&rs->mu);
		rs->done = to;
	}
	pthread_mutex_unlock(&rs->mu);
	return NULL;
}

/* The thread starts with every signal blocked, so interrupts reach the
 * run's thread, which holds them while it writes the results directory. */
static bool start(struct rowstream *rs)
{
	return ncpu_spawn(&rs->th, writer, rs);
}

static void on_final(void *ctx, const struct sim_req *reqs, const int32_t *replica, size_t prefix)
{
	struct rowstream *rs = ctx;
	if (rs->broken)
		return;
	pthread_mutex_lock(&rs->mu);
	rs->reqs = reqs;
	rs->replica = replica;
	rs->avail = prefix;
	if (!rs->started) {
		rs->started = start(rs);
		rs->broken = !rs->started;
	}
	pthread_cond_signal(&rs->cv);
	pthread_mutex_unlock(&rs->mu);
}

/* Tells the writer to stop, after the rows published (end) or at once
 * (quit), and waits for it. */
static void stop(struct rowstream *rs, bool quit)
{
	pthread_mutex_lock(&rs->mu);
	rs->end = true;
	rs->quit |= quit;
	pthread_cond_signal(&rs->cv);
	pthread_mutex_unlock(&rs->mu);
	if (rs->started && !rs->joined)
		pthread_join(rs->th, NULL);
	rs->joined = true;
}

/* A failed run frees its requests: the writer stops reading first. */
static void on_quit(void *ctx)
{
	struct rowstream *rs = ctx;
	stop(rs, true);
	rs->broken = true;
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
	pthread_mutex_init(&rs->mu, NULL);
	pthread_cond_init(&rs->cv, NULL);
	return rs;
}

struct eng_watch rowstream_watch(struct rowstream *rs)
{
	return (struct eng_watch){ .ctx = rs, .final = on_final, .quit = on_quit };
}

FILE *rowstream_end(struct rowstream *rs, size_t n)
{
	if (!rs)
		return NULL;
	stop(rs, false);
	FILE *f = rs->f;
	if (rs->broken || !rs->started || rs->done != n) {
		fclose(f);
		f = NULL;
	}
	pthread_mutex_destroy(&rs->mu);
	pthread_cond_destroy(&rs->cv);
	free(rs);
	return f;
}
