#include "sim/core/start_lengths.h"

#include <stdlib.h>
#include <string.h>

#include "common/split.h"
#include "workload/think.h"
#include "workload/trace_fmt.h"
#include "workload/workload.h"

/* Which trace, and which part of it: the policy's key (every row), else the
 * predictor's training trace or the workload's (train part only). */
static int source(const struct cfg *c, const char *policy_key, struct start_lengths *s,
		  int *test_pct, struct om_err *e)
{
	const char *names[] = { policy_key, "predictor.train_trace" };
	*test_pct = 0;
	for (int i = 0; i < 2; i++) {
		if (!names[i])
			continue;
		const char *tr = cfg_str(c, names[i]);
		if (!tr[0])
			continue;
		s->key = names[i];
		*test_pct = i == 0 ? 0 : (int)cfg_int(c, "predictor.split_test_pct");
		return wl_resolve(c, names[i], tr, s->origin, sizeof s->origin, e);
	}
	s->key = "workload.trace";
	*test_pct = (int)cfg_int(c, "predictor.split_test_pct");
	return wl_trace_path(c, s->origin, sizeof s->origin, e);
}

/* The train part's lengths (every row at test_pct 0). */
static int take(const struct wl_trace *t, int test_pct, struct start_lengths *s, struct om_err *e)
{
	s->len = malloc((t->n ? t->n : 1) * sizeof *s->len);
	if (!s->len)
		return err_set(e, s->origin, 0, NULL, "out of memory");
	for (size_t i = 0; i < t->n; i++)
		if (!split_is_test(t->req[i].id, test_pct))
			s->len[s->n++] = t->out_tokens[i];
	return 0;
}

int start_lengths_load(const struct cfg *c, const char *policy_key, const struct pred_handle *ph,
		       struct start_lengths *s, struct om_err *e)
{
	memset(s, 0, sizeof *s);
	if (policy_key && !strcmp(cfg_str(c, policy_key), "none"))
		return 0;
	int test_pct = 0;
	if (source(c, policy_key, s, &test_pct, e) < 0)
		return -1;
	if (!s->origin[0])
		return 0;
	if (ph && ph->train && s->key != policy_key && !strcmp(ph->train_path, s->origin))
		return take(ph->train, test_pct, s, e);
	struct wl_trace t;
	trace_init(&t);
	if (trace_read(s->origin, &t, false, e) < 0
	    || think_apply(c, &t, THINK_STREAM_TRAIN, e) < 0) {
		trace_free(&t);
		return err_wrap(e, s->key);
	}
	int rc = take(&t, test_pct, s, e);
	trace_free(&t);
	return rc;
}

void start_lengths_free(struct start_lengths *s)
{
	free(s->len);
	memset(s, 0, sizeof *s);
}
