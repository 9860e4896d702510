/* The bounded regex matcher of the component signatures (signatures.h).
 *
 * A pattern is parsed into a small tree, from which we take the anchor (the
 * longest literal run at the top level, found in the data by the analyzer's
 * Aho-Corasick pass) and compile a program for a backtracking machine
 * (SET, SPLIT, JMP, SAVE, MATCH, as in Thompson / Pike / RE2's BitState). Runs
 * are capped by a step budget and a fixed window, never by the data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	/* Emit into a scratch buffer of the largest size, then keep an exact copy:
	 * a zeroed MAX_PROG buffer per pattern faulted in ~100 KiB each, which was
	 * most of the audit's start-up on small images. */
	struct emitter e = {ps, malloc(MAX_PROG * sizeof(struct insn)), 0};
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
	re->prog = malloc(e.n * sizeof(struct insn));
	if (!re->prog) {
		free(e.prog);
		r = -GB_ENOMEM;
		goto out;
	}
	memcpy(re->prog, e.prog, e.n * sizeof(struct insn));
	free(e.prog);
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
			       struct gb_sig_match *m, unsigned long *budget)
{
	size_t lo = hit >= re->pre_max ? hit - re->pre_max : 0;
	size_t hi = hit >= re->pre_min ? hit - re->pre_min : 0;
	unsigned long steps = 0;

	bool found = false;

	if (hit > n || !*budget)
		return false;
	for (size_t s = lo; s <= hi && steps < MAX_STEPS && steps < *budget && !found; s++) {
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
		found = true;
	}
	*budget = steps < *budget ? *budget - steps : 0;
	return found;
}
