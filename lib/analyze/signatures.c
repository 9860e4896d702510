/* The bounded regex matcher of the component signatures (signatures.h).
 *
 * A pattern is parsed into a small tree, from which we take the anchor (the
 * longest literal run at the top level, found in the data by the analyzer's
 * Aho-Corasick pass) and compile a program for a backtracking machine
 * (SET, SPLIT, JMP, SAVE, MATCH, as in Thompson / Pike / RE2's BitState). Runs
 * are capped by a step budget and a fixed window, never by the data. */
#include <ctype.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <glassbox/errors.h>

#include "analyze/signatures.h"

#define MAX_NODES 1024
#define MAX_PROG 8192
#define MAX_STEPS 200000    /* per search around one anchor hit */
#define MAX_STACK 1024
#define MAX_PRE_SPAN 64     /* possible starts tried before one anchor hit */
#define INF (-1)

enum { N_SET, N_CAT, N_ALT, N_REP, N_CAP };

struct node {
	int type;
	int set;            /* N_SET: index into sets */
	int kid0, nkids;    /* N_CAT/N_ALT: kids[kid0 .. kid0+nkids) of the kid list; N_REP/N_CAP: kid0 is the node */
	int min, max;       /* N_REP */
	int cap;            /* N_CAP: capture number (1-based), 0 = non-capturing */
};

struct bitset {
	uint8_t b[32];
};

enum { I_SET, I_SPLIT, I_JMP, I_SAVE, I_MATCH };

struct insn {
	uint8_t op;
	uint16_t arg;       /* set index or save slot */
	int32_t x, y;
};

struct gb_sig_re {
	struct insn *prog;
	size_t nprog;
	struct bitset *sets;
	size_t nsets;
	unsigned vgroup;    /* capture number of the version */
	uint8_t anchor[256];
	size_t anchor_len, pre_min, pre_max;
};

struct parser {
	const char *s;
	size_t n, i;
	struct node nodes[MAX_NODES];
	int nnodes;
	int kids[MAX_NODES];
	int nkidlist;
	struct bitset *sets;
	size_t nsets, capsets;
	int ncaps;
	char *err;
	size_t errlen;
};

static int fail(struct parser *ps, const char *what)
{
	snprintf(ps->err, ps->errlen, "%s at offset %zu", what, ps->i);
	return -GB_EINVAL;
}

static int new_node(struct parser *ps, int type)
{
	if (ps->nnodes >= MAX_NODES)
		return fail(ps, "pattern too large");
	struct node *nd = &ps->nodes[ps->nnodes];
	memset(nd, 0, sizeof(*nd));
	nd->type = type;
	return ps->nnodes++;
}

static int new_set(struct parser *ps, struct bitset **ret)
{
	if (ps->nsets == ps->capsets) {
		size_t cap = ps->capsets ? ps->capsets * 2 : 16;
		struct bitset *s = realloc(ps->sets, cap * sizeof(*s));
		if (!s)
			return -GB_ENOMEM;
		ps->sets = s;
		ps->capsets = cap;
	}
	memset(&ps->sets[ps->nsets], 0, sizeof(struct bitset));
	*ret = &ps->sets[ps->nsets];
	return (int)ps->nsets++;
}

static void set_bit(struct bitset *b, unsigned c)
{
	b->b[c >> 3] |= (uint8_t)(1u << (c & 7));
}

static bool has_bit(const struct bitset *b, unsigned c)
{
	return b->b[c >> 3] & (1u << (c & 7));
}

static void set_range(struct bitset *b, unsigned lo, unsigned hi)
{
	for (unsigned c = lo; c <= hi; c++)
		set_bit(b, c);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* An escape after '\': either one byte (*ret_byte) or a class (added to b). */
static int parse_escape(struct parser *ps, struct bitset *b, int *ret_byte)
{
	if (ps->i >= ps->n)
		return fail(ps, "trailing backslash");
	char c = ps->s[ps->i++];
	*ret_byte = -1;
	switch (c) {
	case 'd':
		set_range(b, '0', '9');
		return 0;
	case 's':
		set_bit(b, ' ');
		set_range(b, '\t', '\r');
		return 0;
	case 'w':
		set_range(b, '0', '9');
		set_range(b, 'a', 'z');
		set_range(b, 'A', 'Z');
		set_bit(b, '_');
		return 0;
	case '0':
		*ret_byte = 0;
		return 0;
	case 'n':
		*ret_byte = '\n';
		return 0;
	case 'r':
		*ret_byte = '\r';
		return 0;
	case 't':
		*ret_byte = '\t';
		return 0;
	case 'x': {
		if (ps->i + 2 > ps->n || hexval(ps->s[ps->i]) < 0 || hexval(ps->s[ps->i + 1]) < 0)
			return fail(ps, "bad \\x escape");
		*ret_byte = hexval(ps->s[ps->i]) * 16 + hexval(ps->s[ps->i + 1]);
		ps->i += 2;
		return 0;
	}
	default:
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
			return fail(ps, "unknown escape");
		*ret_byte = (unsigned char)c;
		return 0;
	}
}

static int parse_class(struct parser *ps, struct bitset *b)
{
	bool neg = false, first = true;
	struct bitset acc = {{0}};

	if (ps->i < ps->n && ps->s[ps->i] == '^') {
		neg = true;
		ps->i++;
	}
	for (;;) {
		if (ps->i >= ps->n)
			return fail(ps, "unterminated class");
		char c = ps->s[ps->i];
		if (c == ']' && !first) {
			ps->i++;
			break;
		}
		first = false;
		ps->i++;
		int lo;
		if (c == '\\') {
			int r = parse_escape(ps, &acc, &lo);
			if (r < 0)
				return r;
			if (lo < 0)
				continue;
		} else {
			lo = (unsigned char)c;
		}
		int hi = lo;
		if (ps->i + 1 < ps->n && ps->s[ps->i] == '-' && ps->s[ps->i + 1] != ']') {
			ps->i++;
			char d = ps->s[ps->i++];
			if (d == '\\') {
				struct bitset dummy = {{0}};
				int r = parse_escape(ps, &dummy, &hi);
				if (r < 0)
					return r;
				if (hi < 0)
					return fail(ps, "class range to a class");
			} else {
				hi = (unsigned char)d;
			}
			if (hi < lo)
				return fail(ps, "reversed range");
		}
		set_range(&acc, (unsigned)lo, (unsigned)hi);
	}
	for (int k = 0; k < 32; k++)
		b->b[k] = neg ? (uint8_t)~acc.b[k] : acc.b[k];
	return 0;
}

static int parse_alt(struct parser *ps);

static int parse_num(struct parser *ps, int *ret)
{
	int v = 0, digits = 0;
	while (ps->i < ps->n && ps->s[ps->i] >= '0' && ps->s[ps->i] <= '9') {
		v = v * 10 + (ps->s[ps->i++] - '0');
		if (v > 255)
			return fail(ps, "repeat count above 255");
		digits++;
	}
	if (!digits)
		return fail(ps, "number expected");
	*ret = v;
	return 0;
}

static int parse_atom(struct parser *ps)
{
	char c = ps->s[ps->i++];
	struct bitset *b;
	int id, r;

	switch (c) {
	case '(': {
		int cap = 0;
		if (ps->i + 1 < ps->n && ps->s[ps->i] == '?' && ps->s[ps->i + 1] == ':') {
			ps->i += 2;
		} else {
			if (ps->ncaps >= GB_SIG_MAX_CAPS)
				return fail(ps, "too many groups");
			cap = ++ps->ncaps;
		}
		int kid = parse_alt(ps);
		if (kid < 0)
			return kid;
		if (ps->i >= ps->n || ps->s[ps->i] != ')')
			return fail(ps, "missing )");
		ps->i++;
		id = new_node(ps, N_CAP);
		if (id < 0)
			return id;
		ps->nodes[id].kid0 = kid;
		ps->nodes[id].cap = cap;
		return id;
	}
	case '[':
		id = new_node(ps, N_SET);
		if (id < 0)
			return id;
		r = new_set(ps, &b);
		if (r < 0)
			return r;
		ps->nodes[id].set = r;
		r = parse_class(ps, &ps->sets[ps->nodes[id].set]);
		return r < 0 ? r : id;
	case ')':
	case '|':
	case '*':
	case '+':
	case '?':
	case '{':
		ps->i--;
		return fail(ps, "unexpected metacharacter");
	case '^':
	case '$':
		ps->i--;
		return fail(ps, "^ and $ are not supported");
	default:
		break;
	}
	id = new_node(ps, N_SET);
	if (id < 0)
		return id;
	r = new_set(ps, &b);
	if (r < 0)
		return r;
	ps->nodes[id].set = r;
	b = &ps->sets[r];
	if (c == '.') {
		set_range(b, 1, 255);
		b->b['\n' >> 3] &= (uint8_t)~(1u << ('\n' & 7));
	} else if (c == '\\') {
		int byte;
		r = parse_escape(ps, b, &byte);
		if (r < 0)
			return r;
		if (byte >= 0)
			set_bit(b, (unsigned)byte);
	} else {
		set_bit(b, (unsigned char)c);
	}
	return id;
}

static int parse_quant(struct parser *ps, int atom)
{
	while (ps->i < ps->n) {
		char c = ps->s[ps->i];
		int min, max, r;
		if (c == '?') {
			min = 0;
			max = 1;
			ps->i++;
		} else if (c == '*') {
			min = 0;
			max = INF;
			ps->i++;
		} else if (c == '+') {
			min = 1;
			max = INF;
			ps->i++;
		} else if (c == '{') {
			ps->i++;
			r = parse_num(ps, &min);
			if (r < 0)
				return r;
			max = min;
			if (ps->i < ps->n && ps->s[ps->i] == ',') {
				ps->i++;
				if (ps->i < ps->n && ps->s[ps->i] == '}') {
					max = INF;
				} else {
					r = parse_num(ps, &max);
					if (r < 0)
						return r;
					if (max < min)
						return fail(ps, "bad repeat range");
				}
			}
			if (ps->i >= ps->n || ps->s[ps->i] != '}')
				return fail(ps, "missing }");
			ps->i++;
		} else {
			break;
		}
		int id = new_node(ps, N_REP);
		if (id < 0)
			return id;
		ps->nodes[id].kid0 = atom;
		ps->nodes[id].min = min;
		ps->nodes[id].max = max;
		atom = id;
	}
	return atom;
}

/* Append the list items[0..n) as a node's kids. */
static int add_kids(struct parser *ps, int id, const int *items, int n)
{
	if (ps->nkidlist + n > MAX_NODES)
		return fail(ps, "pattern too large");
	ps->nodes[id].kid0 = ps->nkidlist;
	ps->nodes[id].nkids = n;
	memcpy(&ps->kids[ps->nkidlist], items, (size_t)n * sizeof(int));
	ps->nkidlist += n;
	return id;
}

static int parse_seq(struct parser *ps)
{
	int items[MAX_NODES];
	int n = 0;
	while (ps->i < ps->n && ps->s[ps->i] != '|' && ps->s[ps->i] != ')') {
		int a = parse_atom(ps);
		if (a < 0)
			return a;
		a = parse_quant(ps, a);
		if (a < 0)
			return a;
		if (n >= MAX_NODES)
			return fail(ps, "pattern too large");
		items[n++] = a;
	}
	int id = new_node(ps, N_CAT);
	if (id < 0)
		return id;
	return add_kids(ps, id, items, n);
}

static int parse_alt(struct parser *ps)
{
	int items[64];
	int n = 0;
	for (;;) {
		int s = parse_seq(ps);
		if (s < 0)
			return s;
		if (n >= 64)
			return fail(ps, "too many alternatives");
		items[n++] = s;
		if (ps->i < ps->n && ps->s[ps->i] == '|') {
			ps->i++;
			continue;
		}
		break;
	}
	if (n == 1)
		return items[0];
	int id = new_node(ps, N_ALT);
	if (id < 0)
		return id;
	return add_kids(ps, id, items, n);
}

/* ---- compiling ---- */

struct emitter {
	struct parser *ps;
	struct insn *prog;
	size_t n;
};

static int emit(struct emitter *e, uint8_t op, int arg, int32_t x, int32_t y)
{
	if (e->n >= MAX_PROG)
		return -GB_EINVAL;
	e->prog[e->n] = (struct insn){.op = op, .arg = (uint16_t)arg, .x = x, .y = y};
	return (int)e->n++;
}

static int gen(struct emitter *e, int id)
{
	const struct node *nd = &e->ps->nodes[id];
	int r;
	switch (nd->type) {
	case N_SET:
		return emit(e, I_SET, nd->set, 0, 0) < 0 ? -GB_EINVAL : 0;
	case N_CAT:
		for (int k = 0; k < nd->nkids; k++) {
			r = gen(e, e->ps->kids[nd->kid0 + k]);
			if (r < 0)
				return r;
		}
		return 0;
	case N_CAP:
		if (nd->cap && emit(e, I_SAVE, 2 * nd->cap, 0, 0) < 0)
			return -GB_EINVAL;
		r = gen(e, nd->kid0);
		if (r < 0)
			return r;
		if (nd->cap && emit(e, I_SAVE, 2 * nd->cap + 1, 0, 0) < 0)
			return -GB_EINVAL;
		return 0;
	case N_ALT: {
		int jumps[64], nj = 0;
		for (int k = 0; k < nd->nkids; k++) {
			int split = -1;
			if (k + 1 < nd->nkids) {
				split = emit(e, I_SPLIT, 0, 0, 0);
				if (split < 0)
					return -GB_EINVAL;
				e->prog[split].x = (int32_t)e->n;
			}
			r = gen(e, e->ps->kids[nd->kid0 + k]);
			if (r < 0)
				return r;
			if (k + 1 < nd->nkids) {
				jumps[nj] = emit(e, I_JMP, 0, 0, 0);
				if (jumps[nj++] < 0)
					return -GB_EINVAL;
				e->prog[split].y = (int32_t)e->n;
			}
		}
		for (int k = 0; k < nj; k++)
			e->prog[jumps[k]].x = (int32_t)e->n;
		return 0;
	}
	case N_REP: {
		for (int k = 0; k < nd->min; k++) {
			r = gen(e, nd->kid0);
			if (r < 0)
				return r;
		}
		if (nd->max == INF) {
			int loop = emit(e, I_SPLIT, 0, 0, 0);
			if (loop < 0)
				return -GB_EINVAL;
			e->prog[loop].x = (int32_t)e->n;
			r = gen(e, nd->kid0);
			if (r < 0)
				return r;
			if (emit(e, I_JMP, 0, loop, 0) < 0)
				return -GB_EINVAL;
			e->prog[loop].y = (int32_t)e->n;
			return 0;
		}
		int splits[256], ns = 0;
		for (int k = nd->min; k < nd->max; k++) {
			splits[ns] = emit(e, I_SPLIT, 0, 0, 0);
			if (splits[ns] < 0)
				return -GB_EINVAL;
			e->prog[splits[ns]].x = (int32_t)e->n;
			ns++;
			r = gen(e, nd->kid0);
			if (r < 0)
				return r;
		}
		for (int k = 0; k < ns; k++)
			e->prog[splits[k]].y = (int32_t)e->n;
		return 0;
	}
	}
	return -GB_EINVAL;
}

/* Shortest and longest match of a node (max INF when unbounded). */
static void node_len(const struct parser *ps, int id, long *ret_min, long *ret_max)
{
	const struct node *nd = &ps->nodes[id];
	long mn = 0, mx = 0, a, b;
	switch (nd->type) {
	case N_SET:
		mn = mx = 1;
		break;
	case N_CAT:
		for (int k = 0; k < nd->nkids; k++) {
			node_len(ps, ps->kids[nd->kid0 + k], &a, &b);
			mn += a;
			mx = (mx == INF || b == INF) ? INF : mx + b;
		}
		break;
	case N_ALT:
		mn = -2;
		for (int k = 0; k < nd->nkids; k++) {
			node_len(ps, ps->kids[nd->kid0 + k], &a, &b);
			if (mn == -2 || a < mn)
				mn = a;
			if (mx != INF && (b == INF || b > mx))
				mx = b;
		}
		break;
	case N_CAP:
		node_len(ps, nd->kid0, &mn, &mx);
		break;
	case N_REP:
		node_len(ps, nd->kid0, &a, &b);
		mn = a * nd->min;
		mx = (nd->max == INF && b > 0) || b == INF ? INF : b * (nd->max == INF ? 0 : nd->max);
		break;
	}
	*ret_min = mn;
	*ret_max = mx;
}

/* The single byte a node always matches, or -1. */
static int literal_byte(const struct parser *ps, int id)
{
	const struct node *nd = &ps->nodes[id];
	if (nd->type != N_SET)
		return -1;
	int found = -1;
	for (unsigned c = 0; c < 256; c++) {
		if (has_bit(&ps->sets[nd->set], c)) {
			if (found >= 0)
				return -1;
			found = (int)c;
		}
	}
	return found;
}

static void find_anchor(const struct parser *ps, int root, struct gb_sig_re *re)
{
	const struct node *nd = &ps->nodes[root];
	int single = root;
	const int *items = nd->type == N_CAT ? &ps->kids[nd->kid0] : &single;
	int n = nd->type == N_CAT ? nd->nkids : 1;
	long pmin = 0, pmax = 0;

	re->anchor_len = 0;
	for (int k = 0; k < n;) {
		int c = literal_byte(ps, items[k]);
		if (c < 0 || pmax == INF || pmax > 512) {
			long a, b;
			node_len(ps, items[k], &a, &b);
			pmin += a;
			pmax = (pmax == INF || b == INF) ? INF : pmax + b;
			k++;
			continue;
		}
		uint8_t run[256];
		size_t len = 0, skip = 0;
		int j = k;
		while (j < n && len < sizeof(run) && (c = literal_byte(ps, items[j])) >= 0) {
			run[len++] = (uint8_t)c;
			j++;
		}
		/* Leading NULs make poor anchors (the scan's fast path skips
		 * bytes that cannot start one): anchor after them. */
		while (skip < len && run[skip] == 0)
			skip++;
		if (len - skip > re->anchor_len) {
			memcpy(re->anchor, run + skip, len - skip);
			re->anchor_len = len - skip;
			re->pre_min = (size_t)pmin + skip;
			re->pre_max = (size_t)pmax + skip;
		}
		pmin += (long)len;
		pmax += (long)len;
		k = j;
	}
}

int gb__sig_re_compile(const char *src, size_t len, unsigned group, bool allow_nogroup,
		       struct gb_sig_re **ret, char *err, size_t errlen)
{
	struct parser *ps = calloc(1, sizeof(*ps));
	struct gb_sig_re *re = calloc(1, sizeof(*re));
	int r;

	if (!ps || !re) {
		free(ps);
		free(re);
		return -GB_ENOMEM;
	}
	ps->s = src;
	ps->n = len;
	ps->err = err;
	ps->errlen = errlen;
	int root = parse_alt(ps);
	if (root >= 0 && ps->i < ps->n)
		root = fail(ps, "unbalanced )");
	if (root < 0) {
		r = root;
		goto out;
	}
	if (group == 0)
		group = (unsigned)ps->ncaps;
	if ((group == 0 && !allow_nogroup) || group > (unsigned)ps->ncaps) {
		r = fail(ps, "no such capture group for the version");
		goto out;
	}
	re->vgroup = group;
	struct emitter e = {ps, calloc(MAX_PROG, sizeof(struct insn)), 0};
	if (!e.prog) {
		r = -GB_ENOMEM;
		goto out;
	}
	r = gen(&e, root);
	if (r == 0 && emit(&e, I_MATCH, 0, 0, 0) < 0)
		r = -GB_EINVAL;
	if (r < 0) {
		snprintf(err, errlen, "pattern compiles to more than %d instructions", MAX_PROG);
		free(e.prog);
		goto out;
	}
	re->prog = e.prog;
	re->nprog = e.n;
	find_anchor(ps, root, re);
	re->sets = ps->sets;
	re->nsets = ps->nsets;
	ps->sets = NULL;
	if (re->anchor_len && re->pre_max - re->pre_min > MAX_PRE_SPAN) {
		snprintf(err, errlen, "the part before the anchor '%.*s' varies by more than %d bytes",
			 (int)re->anchor_len, (const char *)re->anchor, MAX_PRE_SPAN);
		r = -GB_EINVAL;
		goto out;
	}
	*ret = re;
	re = NULL;
	r = 0;
out:
	free(ps->sets);
	free(ps);
	gb__sig_re_free(re);
	return r;
}

void gb__sig_re_free(struct gb_sig_re *re)
{
	if (!re)
		return;
	free(re->prog);
	free(re->sets);
	free(re);
}

size_t gb__sig_re_anchor(const struct gb_sig_re *re, const uint8_t **ret_anchor, size_t *ret_pre_min,
			 size_t *ret_pre_max)
{
	*ret_anchor = re->anchor;
	*ret_pre_min = re->pre_min;
	*ret_pre_max = re->pre_max;
	return re->anchor_len;
}

/* ---- matching ---- */

struct frame {
	int32_t pc;         /* -1: restore caps[slot] = pos */
	int32_t slot;
	size_t pos;
};

/* Backtracking run from p[start]; caps[] receives the capture offsets. A
 * match must end at must_end unless that is SIZE_MAX. *steps is the budget
 * shared by the caller's attempts. */
static bool run(const struct gb_sig_re *re, const uint8_t *p, size_t lim, size_t start, size_t must_end,
		size_t *caps, size_t *ret_end, unsigned long *steps)
{
	struct frame stack[MAX_STACK];
	size_t sp = 0;

	for (size_t k = 0; k < 2 * (GB_SIG_MAX_CAPS + 1); k++)
		caps[k] = SIZE_MAX;
	stack[sp++] = (struct frame){0, 0, start};
	while (sp) {
		struct frame f = stack[--sp];
		if (f.pc < 0) {
			caps[f.slot] = f.pos;
			continue;
		}
		int32_t pc = f.pc;
		size_t pos = f.pos;
		for (;;) {
			if (++*steps > MAX_STEPS)
				return false;
			const struct insn *in = &re->prog[pc];
			if (in->op == I_SET) {
				if (pos >= lim || !has_bit(&re->sets[in->arg], p[pos]))
					break;
				pos++;
				pc++;
			} else if (in->op == I_JMP) {
				pc = in->x;
			} else if (in->op == I_SPLIT) {
				if (sp >= MAX_STACK)
					return false;
				stack[sp++] = (struct frame){in->y, 0, pos};
				pc = in->x;
			} else if (in->op == I_SAVE) {
				if (sp >= MAX_STACK)
					return false;
				stack[sp++] = (struct frame){-1, in->arg, caps[in->arg]};
				caps[in->arg] = pos;
				pc++;
			} else {
				if (must_end != SIZE_MAX && pos != must_end)
					break;
				*ret_end = pos;
				return true;
			}
		}
	}
	return false;
}

static bool match_at(const struct gb_sig_re *re, const uint8_t *p, size_t lim, size_t start, size_t must_end,
		     struct gb_sig_match *m, unsigned long *steps)
{
	size_t caps[2 * (GB_SIG_MAX_CAPS + 1)];
	size_t end;

	if (start > lim || !run(re, p, lim, start, must_end, caps, &end, steps))
		return false;
	m->start = start;
	m->end = end;
	if (re->vgroup && caps[2 * re->vgroup] != SIZE_MAX && caps[2 * re->vgroup + 1] != SIZE_MAX) {
		m->vstart = caps[2 * re->vgroup];
		m->vend = caps[2 * re->vgroup + 1];
	} else {
		m->vstart = m->vend = start;
	}
	return true;
}

bool gb__sig_re_match_at(const struct gb_sig_re *re, const uint8_t *p, size_t lim, size_t start,
			 struct gb_sig_match *m)
{
	unsigned long steps = 0;
	return match_at(re, p, lim, start, SIZE_MAX, m, &steps);
}

bool gb__sig_re_full(const struct gb_sig_re *re, const char *s, size_t n)
{
	struct gb_sig_match m;
	unsigned long steps = 0;
	return match_at(re, (const uint8_t *)s, n, 0, n, &m, &steps);
}

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

bool gb__sig_re_find_at_anchor(const struct gb_sig_re *re, const uint8_t *p, size_t n, size_t hit,
			       struct gb_sig_match *m)
{
	size_t lo = hit >= re->pre_max ? hit - re->pre_max : 0;
	size_t hi = hit >= re->pre_min ? hit - re->pre_min : 0;
	unsigned long steps = 0;

	if (hit > n)
		return false;
	for (size_t s = lo; s <= hi && steps < MAX_STEPS; s++) {
		size_t lim = n - s > GB_SIG_WINDOW ? s + GB_SIG_WINDOW : n;
		if (!match_at(re, p, lim, s, SIZE_MAX, m, &steps))
			continue;
		if (m->vend <= m->vstart)
			continue;
		if (m->vstart > 0 && (is_digit(p[m->vstart - 1]) || p[m->vstart - 1] == '.'))
			continue;
		if (m->vend < n && is_digit(p[m->vend]))
			continue;
		if (m->vend + 1 < n && p[m->vend] == '.' && is_digit(p[m->vend + 1]))
			continue;
		return true;
	}
	return false;
}

/* ---- the database ---- */

struct loader {
	struct gb_sig_db *db;
	size_t cap_pats;
	char *err;
	size_t errlen;
};

static int lfail(struct loader *l, const char *comp, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int lfail(struct loader *l, const char *comp, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(l->err, l->errlen, "data/components.json: %s: %s", comp ? comp : "(top level)", msg);
	return -GB_EINVAL;
}

static char *dup_str(const json_t *o, const char *key, const char *def)
{
	const char *v = json_string_value(json_object_get(o, key));
	v = v ? v : def;
	return v ? strdup(v) : NULL;
}

/* An array of strings (key may be absent). *ret is NULL-free, n entries. */
static int str_array(struct loader *l, const char *comp, const json_t *o, const char *key,
		     struct gb_sig_bytes **ret, size_t *ret_n)
{
	const json_t *a = json_object_get(o, key);
	size_t i;
	const json_t *v;

	*ret = NULL;
	*ret_n = 0;
	if (!a)
		return 0;
	if (!json_is_array(a))
		return lfail(l, comp, "%s must be an array of strings", key);
	if (!json_array_size(a))
		return 0;
	struct gb_sig_bytes *b = calloc(json_array_size(a), sizeof(*b));
	if (!b)
		return -GB_ENOMEM;
	*ret = b;
	json_array_foreach(a, i, v)
	{
		if (!json_is_string(v) || json_string_length(v) == 0)
			return lfail(l, comp, "%s must be an array of non-empty strings", key);
		size_t n = json_string_length(v);
		b[i].p = malloc(n + 1);
		if (!b[i].p)
			return -GB_ENOMEM;
		memcpy(b[i].p, json_string_value(v), n);
		b[i].p[n] = 0;
		b[i].n = n;
		(*ret_n)++;
	}
	return 0;
}

static void free_bytes(struct gb_sig_bytes *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(b[i].p);
	free(b);
}

static int add_pattern(struct loader *l, size_t ci, const json_t *p)
{
	struct gb_sig_db *db = l->db;
	const char *name = db->comps[ci].name;
	const json_t *rx = json_object_get(p, "regex");
	char err[200];
	int r;

	if (!json_is_string(rx))
		return lfail(l, name, "%s", "a pattern needs \"regex\"");
	if (db->n_pats == l->cap_pats) {
		size_t cap = l->cap_pats ? l->cap_pats * 2 : 64;
		struct gb_sig_pattern *np = realloc(db->pats, cap * sizeof(*np));
		if (!np)
			return -GB_ENOMEM;
		db->pats = np;
		l->cap_pats = cap;
	}
	struct gb_sig_pattern *pat = &db->pats[db->n_pats];
	memset(pat, 0, sizeof(*pat));
	pat->comp = ci;
	pat->priority = (int)json_integer_value(json_object_get(p, "priority"));
	pat->gated = json_is_true(json_object_get(p, "gated"));
	r = gb__sig_re_compile(json_string_value(rx), json_string_length(rx),
			       (unsigned)json_integer_value(json_object_get(p, "group")), false, &pat->re, err,
			       sizeof(err));
	if (r < 0)
		return r == -GB_ENOMEM ? r : lfail(l, name, "regex: %s", err);
	/* kept printable for messages: NULs and control bytes as '?' */
	size_t srclen = json_string_length(rx);
	pat->src = malloc(srclen + 1);
	if (pat->src) {
		memcpy(pat->src, json_string_value(rx), srclen);
		pat->src[srclen] = '\0';
		for (size_t q = 0; q < srclen; q++)
			if ((unsigned char)pat->src[q] < 0x20 || pat->src[q] == 0x7f)
				pat->src[q] = '?';
	}
	db->n_pats++;
	size_t pmin, pmax;
	pat->anchor_len = gb__sig_re_anchor(pat->re, &pat->anchor, &pmin, &pmax);
	if (!pat->src)
		return -GB_ENOMEM;
	if (pat->anchor_len < (pat->gated ? 2u : 3u)) {
		return lfail(l, name, "regex %.120s has no literal anchor long enough (3 bytes, 2 when gated)",
			     pat->src);
	}
	return 0;
}

static int parse_files(struct loader *l, const char *name, const json_t *o, unsigned *ret)
{
	const json_t *a = json_object_get(o, "files");
	size_t i;
	const json_t *v;

	if (!a) {
		*ret = GB_SIG_ELF | GB_SIG_DATA;
		return 0;
	}
	*ret = 0;
	json_array_foreach(a, i, v)
	{
		const char *s = json_string_value(v);
		if (s && strcmp(s, "elf") == 0)
			*ret |= GB_SIG_ELF;
		else if (s && (strcmp(s, "data") == 0 || strcmp(s, "kernel") == 0))
			*ret |= GB_SIG_DATA;
		else if (s && strcmp(s, "text") == 0)
			*ret |= GB_SIG_TEXT;
		else
			return lfail(l, name, "unknown file kind %s (elf, data, kernel, text)", s ? s : "?");
	}
	return 0;
}

static int parse_cpe(struct loader *l, struct gb_sig_component *c, const json_t *o)
{
	const char *cpe = json_string_value(json_object_get(o, "cpe"));
	const char *colon = cpe ? strchr(cpe, ':') : NULL;
	if (!colon || colon == cpe || !colon[1] || strchr(colon + 1, ':'))
		return lfail(l, c->name, "%s", "\"cpe\" must be \"vendor:product\"");
	c->vendor = strndup(cpe, (size_t)(colon - cpe));
	c->product = strdup(colon + 1);
	c->part = dup_str(o, "part", "a");
	if (!c->vendor || !c->product || !c->part)
		return -GB_ENOMEM;
	if (strcmp(c->part, "a") && strcmp(c->part, "o") && strcmp(c->part, "h"))
		return lfail(l, c->name, "part %s is not a, o or h", c->part);
	const json_t *also = json_object_get(o, "cpe_also");
	size_t i;
	const json_t *v;
	if (json_array_size(also)) {
		c->also = calloc(json_array_size(also), sizeof(char *));
		if (!c->also)
			return -GB_ENOMEM;
		json_array_foreach(also, i, v)
		{
			const char *s = json_string_value(v);
			if (!s || !strchr(s, ':'))
				return lfail(l, c->name, "%s", "cpe_also entries must be \"vendor:product\"");
			c->also[c->n_also] = strdup(s);
			if (!c->also[c->n_also++])
				return -GB_ENOMEM;
		}
	}
	return 0;
}

static int parse_confirm(struct loader *l, struct gb_sig_component *c, const json_t *o)
{
	struct gb_sig_bytes *t;
	size_t n;
	int r = str_array(l, c->name, o, "confirm", &t, &n);
	if (r < 0) {
		free_bytes(t, n);
		return r;
	}
	if (!n)
		return 0;
	c->confirm_pre = calloc(n, sizeof(*c->confirm_pre));
	c->confirm_post = calloc(n, sizeof(*c->confirm_post));
	if (!c->confirm_pre || !c->confirm_post) {
		free_bytes(t, n);
		return -GB_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		uint8_t *v = memmem(t[i].p, t[i].n, "{v}", 3);
		if (!v) {
			free_bytes(t, n);
			return lfail(l, c->name, "%s", "a confirm template needs {v}");
		}
		size_t pre = (size_t)(v - t[i].p), post = t[i].n - pre - 3;
		c->confirm_pre[i].p = malloc(pre + 1);
		c->confirm_post[i].p = malloc(post + 1);
		c->n_confirm++;
		if (!c->confirm_pre[i].p || !c->confirm_post[i].p) {
			free_bytes(t, n);
			return -GB_ENOMEM;
		}
		memcpy(c->confirm_pre[i].p, t[i].p, pre);
		c->confirm_pre[i].n = pre;
		memcpy(c->confirm_post[i].p, v + 3, post);
		c->confirm_post[i].n = post;
	}
	free_bytes(t, n);
	return 0;
}

static int load_component(struct loader *l, size_t ci, const json_t *o)
{
	struct gb_sig_component *c = &l->db->comps[ci];
	const char *name = json_string_value(json_object_get(o, "name"));
	int r;

	if (!json_is_object(o) || !name || !*name)
		return lfail(l, NULL, "%s", "every component needs a \"name\"");
	c->name = strdup(name);
	c->purl = dup_str(o, "purl", NULL);
	c->type = dup_str(o, "type", "library");
	if (!c->name || !c->purl || !c->type)
		return c->name && !c->purl ? lfail(l, name, "%s", "\"purl\" is missing") : -GB_ENOMEM;
	if (strncmp(c->purl, "pkg:", 4) != 0 || !strchr(c->purl + 4, '/'))
		return lfail(l, name, "purl %s is not pkg:type/name", c->purl);
	r = parse_cpe(l, c, o);
	if (r < 0)
		return r;
	r = parse_files(l, name, o, &c->files);
	if (r < 0)
		return r;
	l->db->files |= c->files;

	struct gb_sig_bytes *g;
	size_t ng;
	r = str_array(l, name, o, "globs", &g, &ng);
	if (r == 0 && ng) {
		c->globs = calloc(ng, sizeof(char *));
		for (size_t i = 0; c->globs && i < ng; i++) {
			c->globs[i] = (char *)g[i].p;
			g[i].p = NULL;
			c->n_globs++;
		}
		if (!c->globs)
			r = -GB_ENOMEM;
	}
	free_bytes(g, ng);
	if (r < 0)
		return r;
	r = str_array(l, name, o, "markers", &c->markers, &c->n_markers);
	if (r < 0)
		return r;

	const json_t *sn = json_object_get(o, "sonames");
	size_t i;
	const json_t *v;
	if (json_array_size(sn)) {
		c->sonames = calloc(json_array_size(sn), sizeof(*c->sonames));
		if (!c->sonames)
			return -GB_ENOMEM;
		json_array_foreach(sn, i, v)
		{
			char err[200];
			if (!json_is_string(v))
				return lfail(l, name, "%s", "sonames must be strings");
			r = gb__sig_re_compile(json_string_value(v), json_string_length(v), 0, true,
					       &c->sonames[c->n_sonames], err, sizeof(err));
			if (r < 0)
				return r == -GB_ENOMEM ? r : lfail(l, name, "soname: %s", err);
			c->n_sonames++;
		}
	}

	const json_t *pats = json_object_get(o, "patterns");
	if (!json_is_array(pats))
		return lfail(l, name, "%s", "\"patterns\" must be an array");
	json_array_foreach(pats, i, v)
	{
		r = add_pattern(l, ci, v);
		if (r < 0)
			return r;
	}
	r = parse_confirm(l, c, o);
	if (r < 0)
		return r;

	const json_t *norm = json_object_get(o, "normalize");
	c->cut = dup_str(norm, "cut", "");
	c->strip_prefix = dup_str(norm, "strip_prefix", "");
	if (!c->cut || !c->strip_prefix)
		return -GB_ENOMEM;
	c->lower = json_is_true(json_object_get(norm, "lower"));
	c->unversioned = json_is_true(json_object_get(o, "unversioned"));
	const char *facts = json_string_value(json_object_get(o, "facts"));
	if (!facts)
		c->facts = GB_SIG_FACTS_NONE;
	else if (strcmp(facts, "busybox-applets") == 0)
		c->facts = GB_SIG_FACTS_BUSYBOX;
	else if (strcmp(facts, "ikconfig") == 0)
		c->facts = GB_SIG_FACTS_IKCONFIG;
	else
		return lfail(l, name, "unknown facts %s (busybox-applets, ikconfig)", facts);
	if (!c->n_markers && !c->n_sonames && (c->n_confirm || c->unversioned))
		return lfail(l, name, "%s", "confirm templates and unversioned need markers or sonames");
	return 0;
}

int gb__sig_db_load(const char *json, size_t len, struct gb_sig_db **ret, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root = json_loadb(json, len, JSON_ALLOW_NUL, &jerr);
	struct gb_sig_db *db = calloc(1, sizeof(*db));
	struct loader l = {db, 0, err, errlen};
	int r = 0;

	if (!db) {
		json_decref(root);
		return -GB_ENOMEM;
	}
	if (!root) {
		snprintf(err, errlen, "data/components.json: line %d: %s", jerr.line, jerr.text);
		r = -GB_EINVAL;
		goto out;
	}
	const json_t *comps = json_object_get(root, "components");
	if (!json_is_array(comps) || !json_array_size(comps)) {
		r = lfail(&l, NULL, "%s", "\"components\" must be a non-empty array");
		goto out;
	}
	db->comps = calloc(json_array_size(comps), sizeof(*db->comps));
	if (!db->comps) {
		r = -GB_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < json_array_size(comps) && r == 0; i++) {
		db->n_comps++;
		r = load_component(&l, i, json_array_get(comps, i));
		for (size_t k = 0; r == 0 && k < i; k++)
			if (strcmp(db->comps[k].name, db->comps[i].name) == 0)
				r = lfail(&l, db->comps[i].name, "%s", "duplicate name");
	}
out:
	json_decref(root);
	if (r < 0) {
		gb__sig_db_free(db);
		return r;
	}
	*ret = db;
	return 0;
}

void gb__sig_db_free(struct gb_sig_db *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->n_comps; i++) {
		struct gb_sig_component *c = &db->comps[i];
		free(c->name);
		free(c->part);
		free(c->vendor);
		free(c->product);
		for (size_t k = 0; k < c->n_also; k++)
			free(c->also[k]);
		free(c->also);
		free(c->purl);
		free(c->type);
		for (size_t k = 0; k < c->n_globs; k++)
			free(c->globs[k]);
		free(c->globs);
		free_bytes(c->markers, c->n_markers);
		for (size_t k = 0; k < c->n_sonames; k++)
			gb__sig_re_free(c->sonames[k]);
		free(c->sonames);
		free_bytes(c->confirm_pre, c->n_confirm);
		free_bytes(c->confirm_post, c->n_confirm);
		free(c->cut);
		free(c->strip_prefix);
	}
	free(db->comps);
	for (size_t i = 0; i < db->n_pats; i++) {
		gb__sig_re_free(db->pats[i].re);
		free(db->pats[i].src);
	}
	free(db->pats);
	free(db);
}

size_t gb__sig_normalize(const struct gb_sig_component *c, const uint8_t *v, size_t n, char *out, size_t cap)
{
	size_t sp = strlen(c->strip_prefix), k = 0;

	if (sp && n >= sp && memcmp(v, c->strip_prefix, sp) == 0) {
		v += sp;
		n -= sp;
	}
	for (size_t i = 0; i < n && k + 1 < cap; i++) {
		uint8_t ch = v[i];
		if (ch == 0 || strchr(c->cut, ch))
			break;
		if (ch < 0x21 || ch > 0x7e)
			return 0;   /* versions are printable ASCII */
		out[k++] = c->lower ? (char)tolower(ch) : (char)ch;
	}
	while (k && (out[k - 1] == '.' || out[k - 1] == '-'))
		k--;
	out[k] = '\0';
	return k;
}

bool gb__sig_glob_hint(const struct gb_sig_component *c, const char *path)
{
	for (size_t i = 0; i < c->n_globs; i++)
		if (fnmatch(c->globs[i], path, 0) == 0)
			return true;
	return false;
}
