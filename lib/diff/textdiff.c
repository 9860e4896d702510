/* textdiff: a unified diff of two text files (Myers' O(ND) algorithm on
 * lines, after trimming the common head and tail).
 *
 * Caps: at most MAX_LINES lines a side, at most MAX_D edits (past either the
 * diff is "too big" and only the line counts are reported), at most MAX_OUT
 * bytes of output (then a "... (diff truncated)" line). Three lines of
 * context, hunks merged when their context overlaps, as diff -u does.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff/diff_int.h"

#define MAX_LINES 50000
#define MAX_D 1000
#define MAX_OUT (64u << 10)
#define CTX 3

struct tline {
	const char *p;
	size_t n; /* without the newline */
	uint64_t h;
};

struct lines {
	struct tline *l;
	size_t n;
	bool no_eol; /* the last line has no newline */
};

static int split(struct gb_span s, struct lines *ret)
{
	size_t n = 0, cap = 64;
	struct tline *l = malloc(cap * sizeof(*l));
	if (!l)
		return -GB_ENOMEM;
	size_t i = 0;
	ret->no_eol = false;
	while (i < s.n) {
		if (n == MAX_LINES) {
			free(l);
			return -GB_ELIMIT;
		}
		const uint8_t *nl = memchr(s.p + i, '\n', s.n - i);
		size_t e = nl ? (size_t)(nl - s.p) : s.n;
		if (n == cap) {
			cap *= 2;
			struct tline *nw = realloc(l, cap * sizeof(*l));
			if (!nw) {
				free(l);
				return -GB_ENOMEM;
			}
			l = nw;
		}
		uint64_t h = 0xcbf29ce484222325ULL;
		for (size_t k = i; k < e; k++)
			h = (h ^ s.p[k]) * 0x100000001b3ULL;
		l[n].p = (const char *)s.p + i;
		l[n].n = e - i;
		l[n].h = h;
		n++;
		if (!nl)
			ret->no_eol = true;
		i = e + 1;
	}
	ret->l = l;
	ret->n = n;
	return 0;
}

static bool eq(const struct tline *a, const struct tline *b)
{
	return a->h == b->h && a->n == b->n && memcmp(a->p, b->p, a->n) == 0;
}

enum op { OP_EQ, OP_DEL, OP_INS };
struct edit {
	enum op op;
	size_t a, b; /* line indices */
};

/* Myers on a[0..n) and b[0..m); edits appended in order. */
static int myers(const struct tline *a, size_t n, const struct tline *b, size_t m, struct edit *out,
		 size_t *nout)
{
	long D = (long)(n + m) < MAX_D ? (long)(n + m) : MAX_D;
	long off = D + 1;
	long *v = calloc((size_t)(2 * D + 3), sizeof(long));
	long **trace = calloc((size_t)D + 1, sizeof(long *));
	long d, found = -1;
	int r = 0;

	if (!v || !trace) {
		r = -GB_ENOMEM;
		goto out;
	}
	for (d = 0; d <= D && found < 0; d++) {
		trace[d] = malloc((size_t)(2 * d + 3) * sizeof(long));
		if (!trace[d]) {
			r = -GB_ENOMEM;
			goto out;
		}
		memcpy(trace[d], v + off - d - 1, (size_t)(2 * d + 3) * sizeof(long));
		for (long k = -d; k <= d; k += 2) {
			long x = (k == -d || (k != d && v[off + k - 1] < v[off + k + 1])) ? v[off + k + 1]
											    : v[off + k - 1] + 1;
			long y = x - k;
			while (x < (long)n && y < (long)m && eq(&a[x], &b[y])) {
				x++;
				y++;
			}
			v[off + k] = x;
			if (x >= (long)n && y >= (long)m) {
				found = d;
				break;
			}
		}
	}
	if (found < 0) {
		r = -GB_ELIMIT;
		goto out;
	}
	/* backtrack from (n, m), writing the edits from the end */
	size_t w = n + m + 1;
	long x = (long)n, y = (long)m;
	for (d = found; d >= 0; d--) {
		long *t = trace[d]; /* t[i] = v[k] for k = i - d - 1 */
		long k = x - y;
#define TV(kk) t[(kk) + d + 1]
		long pk = (k == -d || (k != d && TV(k - 1) < TV(k + 1))) ? k + 1 : k - 1;
		long px = d == 0 ? 0 : TV(pk), py = d == 0 ? 0 : px - pk;
#undef TV
		while (x > px && y > py) {
			x--;
			y--;
			out[--w] = (struct edit){OP_EQ, (size_t)x, (size_t)y};
		}
		if (d == 0)
			break;
		if (x == px) {
			y--;
			out[--w] = (struct edit){OP_INS, (size_t)x, (size_t)y};
		} else {
			x--;
			out[--w] = (struct edit){OP_DEL, (size_t)x, (size_t)y};
		}
	}
	memmove(out, out + w, (n + m + 1 - w) * sizeof(*out));
	*nout = n + m + 1 - w;
out:
	if (trace)
		for (long i = 0; i <= D; i++)
			free(trace[i]);
	free(trace);
	free(v);
	return r;
}

struct buf {
	char *p;
	size_t n, cap;
	bool truncated;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->truncated || !b->p)
		return;
	if (b->n + n + 1 > MAX_OUT) {
		b->truncated = true;
		return;
	}
	if (b->n + n + 1 > b->cap) {
		size_t nc = b->cap * 2 > b->n + n + 1 ? b->cap * 2 : b->n + n + 1;
		char *nw = realloc(b->p, nc);
		if (!nw) {
			free(b->p);
			b->p = NULL;
			return;
		}
		b->p = nw;
		b->cap = nc;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void putf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static void put_line(struct buf *b, char tag, const struct tline *l)
{
	put(b, &tag, 1);
	put(b, l->p, l->n);
	put(b, "\n", 1);
}

char *gb__text_diff(struct gb_span sa, struct gb_span sb, const char *name_a, const char *name_b,
		    bool *too_big)
{
	struct lines a = {0}, b = {0};
	struct edit *ed = NULL;
	struct buf o = {.cap = 4096};
	size_t ned = 0;

	*too_big = false;
	if (split(sa, &a) < 0 || split(sb, &b) < 0) {
		*too_big = true;
		goto out;
	}
	size_t head = 0, tail = 0;
	while (head < a.n && head < b.n && eq(&a.l[head], &b.l[head]))
		head++;
	while (tail < a.n - head && tail < b.n - head && eq(&a.l[a.n - 1 - tail], &b.l[b.n - 1 - tail]))
		tail++;
	size_t na = a.n - head - tail, nb = b.n - head - tail;
	ed = malloc((na + nb + 1 + 2 * CTX) * sizeof(*ed));
	if (!ed)
		goto out;
	if (myers(a.l + head, na, b.l + head, nb, ed, &ned) < 0) {
		*too_big = true;
		goto out;
	}
	for (size_t i = 0; i < ned; i++) {
		ed[i].a += head;
		ed[i].b += head;
	}
	o.p = malloc(o.cap);
	if (!o.p)
		goto out;
	o.p[0] = '\0';
	putf(&o, "--- %s\n+++ %s\n", name_a, name_b);
	/* hunks: runs of edits with up to 2*CTX equal lines between them; the
	 * trimmed head and tail provide the outer context */
	size_t i = 0;
	while (i < ned) {
		while (i < ned && ed[i].op == OP_EQ)
			i++;
		if (i >= ned)
			break;
		size_t s = i, e = i;
		for (;;) {
			while (e < ned && ed[e].op != OP_EQ)
				e++;
			size_t q = e;
			while (q < ned && ed[q].op == OP_EQ)
				q++;
			if (q < ned && q - e <= 2 * CTX) {
				e = q;
				continue;
			}
			break;
		}
		/* the hunk spans edits [s, e) plus context lines */
		size_t a0 = ed[s].a, b0 = ed[s].b;
		size_t ca = a0 >= CTX ? CTX : a0;
		a0 -= ca;
		b0 -= ca;
		size_t a1 = e < ned ? ed[e].a : a.n - tail, b1 = e < ned ? ed[e].b : b.n - tail;
		size_t after = a.n - a1 < CTX ? a.n - a1 : CTX;
		if (b.n - b1 < after)
			after = b.n - b1;
		putf(&o, "@@ -%zu,%zu +%zu,%zu @@\n", a0 + 1, a1 + after - a0, b0 + 1, b1 + after - b0);
		for (size_t k = a0; k < a0 + ca; k++)
			put_line(&o, ' ', &a.l[k]);
		for (size_t k = s; k < e; k++) {
			if (ed[k].op == OP_EQ)
				put_line(&o, ' ', &a.l[ed[k].a]);
			else if (ed[k].op == OP_DEL)
				put_line(&o, '-', &a.l[ed[k].a]);
			else
				put_line(&o, '+', &b.l[ed[k].b]);
		}
		for (size_t k = a1; k < a1 + after; k++)
			put_line(&o, ' ', &a.l[k]);
		i = e;
	}
	if (a.no_eol != b.no_eol)
		put(&o, "\\ No newline at end of file\n", 28);
	if (o.truncated) {
		o.truncated = false;
		o.n = o.n > 64 ? o.n - 64 : o.n;
		put(&o, "... (diff truncated)\n", 21);
	}
out:
	free(a.l);
	free(b.l);
	free(ed);
	return o.p;
}
