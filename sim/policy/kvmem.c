#include "sim/policy/kvmem.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int kvmem_init(struct kvmem *m, int64_t total)
{
	memset(m, 0, sizeof *m);
	m->total = total;
	m->free_tokens = total;
	m->cap = 16;
	m->fr = malloc(m->cap * sizeof *m->fr);
	if (!m->fr)
		return -1;
	m->fr[0] = (struct kv_range){ 0, total };
	m->nfr = total > 0 ? 1 : 0;
	m->largest = total > 0 ? total : 0;
	m->n_largest = m->nfr;
	return 0;
}

/* The longest free range and how many have its length, by a scan. */
static void scan_largest(const struct kvmem *m, int64_t *best, size_t *count)
{
	*best = 0;
	*count = 0;
	for (size_t i = 0; i < m->nfr; i++)
		if (m->fr[i].len > *best) {
			*best = m->fr[i].len;
			*count = 1;
		} else if (m->fr[i].len == *best) {
			(*count)++;
		}
}

/* A free range of length `len` leaves the list (or is about to shrink). */
static void largest_drop(struct kvmem *m, int64_t len)
{
	if (len == m->largest && --m->n_largest == 0)
		m->largest = -1; /* recounted by largest_settle */
}

/* A free range of length `len` joins the list (or grew to it). */
static void largest_add(struct kvmem *m, int64_t len)
{
	if (len > m->largest) {
		m->largest = len;
		m->n_largest = 1;
	} else if (len == m->largest) {
		m->n_largest++;
	}
}

/* After a change: recount only if the last longest range went away. */
static void largest_settle(struct kvmem *m)
{
	if (m->largest < 0)
		scan_largest(m, &m->largest, &m->n_largest);
}

void kvmem_free_all(struct kvmem *m)
{
	free(m->fr);
	memset(m, 0, sizeof *m);
}

/* Takes len tokens from the start of free range i (which holds them). */
static int64_t take_at(struct kvmem *m, size_t i, int64_t len)
{
	struct kv_range *r = &m->fr[i];
	int64_t off = r->off;
	largest_drop(m, r->len);
	r->off += len;
	r->len -= len;
	if (r->len == 0) {
		memmove(r, r + 1, (m->nfr - i - 1) * sizeof *r);
		m->nfr--;
	} else if (m->largest >= 0) {
		largest_add(m, r->len);
	}
	m->free_tokens -= len;
	largest_settle(m);
	return off;
}

int64_t kvmem_alloc(struct kvmem *m, int64_t len)
{
	/* the kept longest range answers a refusal without a scan */
	if (len <= 0 || len > m->largest)
		return -1;
	for (size_t i = 0; i < m->nfr; i++)
		if (m->fr[i].len >= len)
			return take_at(m, i, len);
	return -1;
}

static int size_class(int64_t len, const int64_t *edges, int n)
{
	int c = 0;
	while (c < n && len > edges[c])
		c++;
	return c;
}

int64_t kvmem_alloc_seg(struct kvmem *m, int64_t len, const int64_t *edges, int n)
{
	if (len <= 0 || len > m->largest)
		return -1;
	/* One pass: a range that holds len is in len's class or above, so the
	 * first one in len's own class ends the search; else the lowest class
	 * seen wins, at its lowest address. */
	int want = size_class(len, edges, n), best = n + 1;
	size_t at = 0;
	for (size_t i = 0; i < m->nfr && best > want; i++) {
		if (m->fr[i].len < len)
			continue;
		int c = size_class(m->fr[i].len, edges, n);
		if (c < best)
			best = c, at = i;
	}
	return best <= n ? take_at(m, at, len) : -1;
}

int kvmem_extend(struct kvmem *m, int64_t off, int64_t len, int64_t more)
{
	if (more <= 0 || off < 0 || len <= 0)
		return -1;
	int64_t end = off + len;
	size_t lo = 0, hi = m->nfr; /* first free range starting at or after end */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (m->fr[mid].off < end)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == m->nfr || m->fr[lo].off != end || m->fr[lo].len < more)
		return -1;
	take_at(m, lo, more);
	return 0;
}

int kvmem_release(struct kvmem *m, int64_t off, int64_t len)
{
	if (len <= 0 || off < 0 || off + len > m->total)
		return -1;
	/* i = first free range starting after off */
	size_t lo = 0, hi = m->nfr;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (m->fr[mid].off <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t i = lo;
	bool join_prev = false, join_next = false;
	if (i > 0) {
		const struct kv_range *p = &m->fr[i - 1];
		if (p->off + p->len > off)
			return -1; /* overlaps a free range: double free */
		join_prev = p->off + p->len == off;
	}
	if (i < m->nfr) {
		const struct kv_range *n = &m->fr[i];
		if (off + len > n->off)
			return -1;
		join_next = off + len == n->off;
	}
	int64_t joined = len; /* the length of the range that now holds it */
	if (join_prev && join_next) {
		largest_drop(m, m->fr[i - 1].len);
		largest_drop(m, m->fr[i].len);
		m->fr[i - 1].len += len + m->fr[i].len;
		joined = m->fr[i - 1].len;
		memmove(&m->fr[i], &m->fr[i + 1], (m->nfr - i - 1) * sizeof *m->fr);
		m->nfr--;
	} else if (join_prev) {
		largest_drop(m, m->fr[i - 1].len);
		m->fr[i - 1].len += len;
		joined = m->fr[i - 1].len;
	} else if (join_next) {
		largest_drop(m, m->fr[i].len);
		m->fr[i].off = off;
		m->fr[i].len += len;
		joined = m->fr[i].len;
	} else {
		if (m->nfr == m->cap) {
			size_t nc = m->cap * 2;
			struct kv_range *nf = realloc(m->fr, nc * sizeof *nf);
			if (!nf)
				return -1;
			m->fr = nf;
			m->cap = nc;
		}
		memmove(&m->fr[i + 1], &m->fr[i], (m->nfr - i) * sizeof *m->fr);
		m->fr[i] = (struct kv_range){ off, len };
		m->nfr++;
	}
	/* the joined range outgrew every range it absorbed: no recount */
	if (m->largest < 0)
		m->largest = 0, m->n_largest = 0;
	largest_add(m, joined);
	m->free_tokens += len;
	return 0;
}

int64_t kvmem_largest(const struct kvmem *m)
{
	return m->largest;
}

double kvmem_ext_frag(const struct kvmem *m)
{
	if (m->free_tokens <= 0)
		return 0.0;
	return 1.0 - (double)kvmem_largest(m) / (double)m->free_tokens;
}

int kvmem_check(const struct kvmem *m, struct om_err *e)
{
	int64_t sum = 0;
	for (size_t i = 0; i < m->nfr; i++) {
		const struct kv_range *r = &m->fr[i];
		if (r->len <= 0 || r->off < 0 || r->off + r->len > m->total)
			return err_set(
				e, NULL, 0, "kvmem",
				"INV-13: free range %zu [%lld,+%lld) is empty or out of bounds", i,
				(long long)r->off, (long long)r->len);
		if (i > 0 && m->fr[i - 1].off + m->fr[i - 1].len >= r->off)
			return err_set(
				e, NULL, 0, "kvmem",
				"INV-13: free ranges %zu and %zu overlap or were not coalesced",
				i - 1, i);
		sum += r->len;
	}
	if (sum != m->free_tokens)
		return err_set(e, NULL, 0, "kvmem",
			       "INV-14: free list sums to %lld, counter says %lld", (long long)sum,
			       (long long)m->free_tokens);
	int64_t best;
	size_t count;
	scan_largest(m, &best, &count);
	if (best != m->largest || count != m->n_largest)
		return err_set(e, NULL, 0, "kvmem",
			       "INV-14: longest free range %lld (%zu of them), kept as %lld (%zu)",
			       (long long)best, count, (long long)m->largest, m->n_largest);
	return 0;
}
