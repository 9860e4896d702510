#include "util/ac.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <glassbox/errors.h>

struct pattern {
	uint32_t id;
	uint32_t len;
};

/* Output list of a state: the patterns ending here, chained through the
 * dictionary-suffix link so a state reports every pattern that is a suffix. */
struct state_out {
	int32_t first_pat; /* index into pats, -1 none */
	int32_t dict_link; /* next state with outputs, -1 none */
};

struct gb_ac {
	/* construction: trie with sparse children via the delta table itself */
	uint32_t nstates, cap;
	int32_t *delta;        /* nstates * 256, -1 = no edge (before build) */
	int32_t *fail;
	struct state_out *out;
	int32_t *pat_next;     /* next pattern ending in the same state */
	struct pattern *pats;
	uint32_t npats, patcap;
	bool built;
	bool start_byte[256];  /* bytes that leave the root */
	/* The first two bytes of every pattern, as a 65536-bit set indexed by
	 * b0 | b1 << 8: at the root the scan skips positions whose pair starts
	 * no pattern (an independent load per byte instead of a dependent
	 * DFA step). Without 1-byte patterns only; else start_byte is used. */
	uint64_t start_pair[65536 / 64];
	bool has_short;        /* a pattern of length 1 */
};

int gb_ac_new(struct gb_ac **ret)
{
	struct gb_ac *ac = calloc(1, sizeof(*ac));
	if (!ac)
		return -GB_ENOMEM;
	ac->cap = 64;
	ac->delta = malloc(sizeof(int32_t) * 256 * ac->cap);
	ac->out = malloc(sizeof(*ac->out) * ac->cap);
	if (!ac->delta || !ac->out) {
		gb_ac_free(ac);
		return -GB_ENOMEM;
	}
	ac->nstates = 1;
	memset(ac->delta, 0xff, sizeof(int32_t) * 256);
	ac->out[0].first_pat = -1;
	ac->out[0].dict_link = -1;
	*ret = ac;
	return 0;
}

void gb_ac_free(struct gb_ac *ac)
{
	if (!ac)
		return;
	free(ac->delta);
	free(ac->fail);
	free(ac->out);
	free(ac->pat_next);
	free(ac->pats);
	free(ac);
}

static int32_t new_state(struct gb_ac *ac)
{
	if (ac->nstates == ac->cap) {
		uint32_t cap = ac->cap * 2;
		int32_t *d = realloc(ac->delta, sizeof(int32_t) * 256 * cap);
		if (!d)
			return -1;
		ac->delta = d;
		struct state_out *o = realloc(ac->out, sizeof(*o) * cap);
		if (!o)
			return -1;
		ac->out = o;
		ac->cap = cap;
	}
	uint32_t s = ac->nstates++;
	memset(ac->delta + (size_t)s * 256, 0xff, sizeof(int32_t) * 256);
	ac->out[s].first_pat = -1;
	ac->out[s].dict_link = -1;
	return (int32_t)s;
}

int gb_ac_add(struct gb_ac *ac, const uint8_t *pat, size_t len, uint32_t id)
{
	if (ac->built || len == 0 || len > 255)
		return -GB_EINVAL;
	if (ac->npats == ac->patcap) {
		uint32_t cap = ac->patcap ? ac->patcap * 2 : 32;
		struct pattern *p = realloc(ac->pats, sizeof(*p) * cap);
		int32_t *pn = realloc(ac->pat_next, sizeof(*pn) * cap);
		if (p)
			ac->pats = p;
		if (pn)
			ac->pat_next = pn;
		if (!p || !pn)
			return -GB_ENOMEM;
		ac->patcap = cap;
	}
	int32_t s = 0;
	for (size_t i = 0; i < len; i++) {
		int32_t *slot = &ac->delta[(size_t)s * 256 + pat[i]];
		if (*slot < 0) {
			int32_t ns = new_state(ac);
			if (ns < 0)
				return -GB_ENOMEM;
			/* new_state may have moved delta */
			ac->delta[(size_t)s * 256 + pat[i]] = ns;
			s = ns;
		} else {
			s = *slot;
		}
	}
	if (len == 1)
		ac->has_short = true;
	else
		ac->start_pair[(pat[0] | pat[1] << 8) >> 6] |= 1ULL << ((pat[0] | pat[1] << 8) & 63);
	uint32_t pi = ac->npats++;
	ac->pats[pi].id = id;
	ac->pats[pi].len = (uint32_t)len;
	ac->pat_next[pi] = ac->out[s].first_pat;
	ac->out[s].first_pat = (int32_t)pi;
	return 0;
}

int gb_ac_build(struct gb_ac *ac)
{
	int32_t *queue = malloc(sizeof(int32_t) * ac->nstates);
	ac->fail = calloc(ac->nstates, sizeof(int32_t));
	if (!queue || !ac->fail) {
		free(queue);
		return -GB_ENOMEM;
	}
	size_t qh = 0, qt = 0;
	for (int c = 0; c < 256; c++) {
		int32_t t = ac->delta[c];
		if (t < 0) {
			ac->delta[c] = 0;
		} else {
			ac->start_byte[c] = true;
			ac->fail[t] = 0;
			queue[qt++] = t;
		}
	}
	while (qh < qt) {
		int32_t s = queue[qh++];
		int32_t f = ac->fail[s];
		ac->out[s].dict_link = ac->out[f].first_pat >= 0 ? f : ac->out[f].dict_link;
		for (int c = 0; c < 256; c++) {
			int32_t *slot = &ac->delta[(size_t)s * 256 + c];
			if (*slot < 0) {
				*slot = ac->delta[(size_t)f * 256 + c];
			} else {
				ac->fail[*slot] = ac->delta[(size_t)f * 256 + c];
				queue[qt++] = *slot;
			}
		}
	}
	free(queue);
	/* Mark the transitions into states with outputs by storing ~state (a
	 * negative value): the scan loop then learns "report here" from the
	 * entry it already loaded instead of a second load per byte. */
	for (size_t i = 0; i < (size_t)ac->nstates * 256; i++) {
		int32_t d = ac->delta[i];
		if (ac->out[d].first_pat >= 0 || ac->out[d].dict_link >= 0)
			ac->delta[i] = ~d;
	}
	ac->built = true;
	return 0;
}

static int report(const struct gb_ac *ac, int32_t s, size_t end, gb_ac_match_fn fn, void *ctx)
{
	for (; s >= 0; s = ac->out[s].dict_link) {
		for (int32_t p = ac->out[s].first_pat; p >= 0; p = ac->pat_next[p]) {
			int r = fn(ctx, ac->pats[p].id, end + 1 - ac->pats[p].len);
			if (r)
				return r;
		}
	}
	return 0;
}

static inline bool pair_starts(const struct gb_ac *ac, const uint8_t *p)
{
	unsigned k = p[0] | (unsigned)p[1] << 8;
	return (ac->start_pair[k >> 6] >> (k & 63)) & 1;
}

int gb_ac_scan(const struct gb_ac *ac, const uint8_t *data, size_t n, gb_ac_match_fn fn, void *ctx)
{
	const int32_t *delta = ac->delta;
	int32_t s = 0;

	for (size_t i = 0; i < n; i++) {
		if (s == 0) {
			/* Fast path: skip positions where no pattern can start. */
			if (ac->has_short) {
				while (i < n && !ac->start_byte[data[i]])
					i++;
			} else {
				while (i + 1 < n && !pair_starts(ac, data + i))
					i++;
				if (i + 1 >= n)
					break; /* one byte left: no pattern of 2+ bytes fits */
			}
			if (i == n)
				break;
		}
		s = delta[(size_t)s * 256 + data[i]];
		if (s < 0) {
			s = ~s;
			int r = report(ac, ac->out[s].first_pat >= 0 ? s : ac->out[s].dict_link, i, fn, ctx);
			if (r)
				return r;
		}
	}
	return 0;
}
