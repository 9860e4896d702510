/* web.hidden-command, shell CGIs: request data reaching eval, sh -c or a
 * command position.
 *
 * Sources: $QUERY_STRING, $REQUEST_URI, $PATH_INFO, $HTTP_*, haserl's
 * $FORM_x/$GET_x/$POST_x/$COOKIE_x, the POST body ($(cat), anything that
 * reads $CONTENT_LENGTH bytes, `read VAR` in a script that handles POST),
 * the output of a function whose body reads one of these (get() { echo
 * "$QUERY_STRING" | sed ...; }), loop variables over a tainted list, and the
 * positional parameters after `set -- $QUERY_STRING`. Variables assigned
 * from tainted text are tainted (the lexer inlines simple assignments; text
 * inside $(...) is resolved through the same table).
 *
 * Sinks: eval ARGS, sh/bash -c STRING, a tainted word in command position
 * (also inside $(...) and backticks), a tainted printer piped into a shell,
 * and a call to a function of the script that runs one of its parameters.
 *
 * Gates: an if/elif condition, a case pattern or a `[ ... ] &&` list that
 * compares a tainted value with a constant; also `[ x != CONST ] && exit`
 * guards for the rest of the block. The gate gives the finding its
 * parameter and magic_value. Two passes: the first finds the functions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/shlex.h"
#include "analyze/webcmd.h"

#define MAX_FNS 64
#define MAX_GATES 32
#define MAX_NEST 4

enum gkind { G_IF, G_CASE, G_PERSIST };

struct gate {
	enum gkind kind;
	bool set;
	bool negated; /* the condition was x != CONST */
	bool exits;   /* its then-branch exits: the rest of the block is gated */
	int depth;    /* brace depth it belongs to (G_PERSIST) */
	char param[64];
	char magic[128];
	char case_param[64]; /* G_CASE: the tainted word's parameter */
	bool case_tainted;
};

struct fn {
	char name[64];
	bool source;   /* its output carries request data */
	bool pos_sink; /* it executes one of its parameters */
};

struct taint {
	bool yes;
	char param[64];
};

struct shx {
	gb__webcmd_report report;
	void *ctx;
	struct gb_sh_vars *vars;
	struct fn fns[MAX_FNS];
	size_t n_fns;
	bool post;        /* the script reads a POST body */
	bool pass1;       /* finding functions: no reports */
	bool pos_mode;    /* $1..$9, $@, $* count as tainted */
	bool pos_tainted; /* set -- $QUERY_STRING at the top level */
	bool hit;         /* pass 1: a sink was seen */
	/* control flow */
	struct gate g[MAX_GATES];
	size_t n_g;
	int depth;
	int cur_fn;
	int fn_depth;
	bool fn_pending; /* saw "name (" */
	bool fn_open;    /* saw "name ( )": the next { opens its body */
	char fn_name[64];
	bool cond;      /* reading an if/elif condition */
	bool loop_cond; /* reading a while/until condition */
	bool case_expect;
	/* && / || lists */
	struct gate lg;
	bool lg_on;
	int pending;    /* after a test joined by && or ||: 1 = gate the next command, 2 = gate after exit */
	struct gate pending_gate;
	bool pipe_tainted;
	char pipe_param[64];
	unsigned budget;       /* variable look-ups left for one taint question */
	unsigned long total_budget; /* and for the whole script */
};

static bool ident_char(int c)
{
	return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static void copy_ident(char *dst, size_t cap, const char *s)
{
	size_t n = 0;
	while (*s == '"' || *s == '\'')
		s++;
	while (ident_char((unsigned char)*s) && n < cap - 1)
		dst[n++] = *s++;
	dst[n] = '\0';
}

static struct fn *find_fn(struct shx *s, const char *name, size_t len)
{
	for (size_t i = 0; i < s->n_fns; i++)
		if (strlen(s->fns[i].name) == len && strncmp(s->fns[i].name, name, len) == 0)
			return &s->fns[i];
	return NULL;
}

/* The request field a pipeline extracts: "cmd" in sed 's/.*cmd=\(...\)/' or grep 'cmd=...'. */
static void field_after(const char *s, char *param, size_t cap)
{
	static const char *const not_fields[] = {"count", "bs", "if", "of", "skip", "IFS", NULL};
	for (const char *p = s; *p; p++) {
		if (*p != '=' || p == s || !ident_char((unsigned char)p[-1]))
			continue;
		const char *b = p;
		while (b > s && ident_char((unsigned char)b[-1]))
			b--;
		if (b > s && !strchr("^&'\"/ *.(|?", b[-1]))
			continue;
		if (b[0] >= '0' && b[0] <= '9')
			continue;
		char name[64];
		size_t n = (size_t)(p - b) < sizeof(name) - 1 ? (size_t)(p - b) : sizeof(name) - 1;
		memcpy(name, b, n);
		name[n] = '\0';
		bool skip = false;
		for (const char *const *x = not_fields; *x; x++)
			skip |= strcmp(name, *x) == 0;
		if (skip)
			continue;
		snprintf(param, cap, "%s", name);
		return;
	}
}

static bool request_env(const char *name, size_t len)
{
	static const char *const env[] = {"QUERY_STRING", "REQUEST_URI", "PATH_INFO", "PATH_TRANSLATED",
					  "__GB_POST_BODY", NULL};
	for (const char *const *e = env; *e; e++)
		if (strlen(*e) == len && strncmp(*e, name, len) == 0)
			return true;
	return len > 5 && strncmp(name, "HTTP_", 5) == 0;
}

static const char *const haserl[] = {"FORM_", "GET_", "POST_", "COOKIE_", NULL};

static void taint_of(struct shx *s, const char *t, struct taint *ret, unsigned nest);

/* A $NAME / ${NAME} reference at p (p[0] == '$'). */
static void taint_var(struct shx *s, const char *p, struct taint *ret, unsigned nest)
{
	const char *q = p + 1;
	if (*q == '{')
		q++;
	if ((*q >= '1' && *q <= '9') || *q == '@' || *q == '*') {
		if (s->pos_mode || (s->pos_tainted && s->cur_fn < 0))
			ret->yes = true;
		return;
	}
	const char *e = q;
	while (ident_char((unsigned char)*e))
		e++;
	size_t len = (size_t)(e - q);
	if (len == 0)
		return;
	for (const char *const *h = haserl; *h; h++) {
		size_t hl = strlen(*h);
		if (len > hl && strncmp(q, *h, hl) == 0) {
			ret->yes = true;
			if (!ret->param[0])
				copy_ident(ret->param, sizeof(ret->param), q + hl);
			return;
		}
	}
	if (request_env(q, len)) {
		ret->yes = true;
		if (!ret->param[0])
			field_after(e, ret->param, sizeof(ret->param));
		return;
	}
	/* values that name other values: bounded work per question and per script */
	if (nest >= MAX_NEST || s->budget == 0 || s->total_budget == 0)
		return;
	s->budget--;
	s->total_budget--;
	const char *v = gb__sh_var(s->vars, q, len);
	if (v) {
		struct taint sub = {0};
		taint_of(s, v, &sub, nest + 1);
		if (sub.yes) {
			ret->yes = true;
			if (!ret->param[0])
				snprintf(ret->param, sizeof(ret->param), "%s", sub.param);
			if (!ret->param[0]) /* BODY=...; $(echo "$BODY" | sed 's/.*exec=//') */
				field_after(e, ret->param, sizeof(ret->param));
		}
	}
}

/* $(NAME args) or `NAME args` at p: a source function's output, or the body. */
static void taint_subst(struct shx *s, const char *p, struct taint *ret)
{
	const char *q = p + (*p == '`' ? 1 : 2);
	while (*q == ' ' || *q == '\t')
		q++;
	const char *e = q;
	while (ident_char((unsigned char)*e) || *e == '-' || *e == '.')
		e++;
	struct fn *f = find_fn(s, q, (size_t)(e - q));
	if (f && f->source) {
		ret->yes = true;
		while (*e == ' ' || *e == '\t')
			e++;
		if (!ret->param[0])
			copy_ident(ret->param, sizeof(ret->param), e);
		return;
	}
	/* POST=$(cat) */
	if (s->post && e - q == 3 && strncmp(q, "cat", 3) == 0) {
		const char *r = e;
		while (*r == ' ' || *r == '-')
			r++;
		if (*r == ')' || *r == '`')
			ret->yes = true;
	}
}

/* Does text t carry request data? ret->param gets the field name when visible. */
static void taint_of(struct shx *s, const char *t, struct taint *ret, unsigned nest)
{
	for (const char *p = t; *p && !(ret->yes && ret->param[0]); p++) {
		if (*p == '`' || (p[0] == '$' && p[1] == '('))
			taint_subst(s, p, ret);
		else if (*p == '$')
			taint_var(s, p, ret, nest);
	}
	if (!ret->yes && s->post) {
		const char *sub = strstr(t, "$(");
		if (sub && strstr(sub, "CONTENT_LENGTH"))
			ret->yes = true; /* head -c $CONTENT_LENGTH, dd count=$CONTENT_LENGTH */
	}
}

static bool tainted(struct shx *s, const char *t, struct taint *ret)
{
	memset(ret, 0, sizeof(*ret));
	s->budget = 256;
	taint_of(s, t, ret, 0);
	return ret->yes;
}

static bool literal(const char *w)
{
	return *w && !strchr(w, '$') && !strchr(w, '`');
}

/* ---- gates ---- */

/* [ A = B ], [[ A == B ]], test A != B: a tainted side against a constant. */
static bool test_gate(struct shx *s, const char *const *w, size_t n, struct gate *ret)
{
	size_t i = 0;
	while (i < n && strcmp(w[i], "!") == 0)
		i++;
	if (i >= n || !(strcmp(w[i], "[") == 0 || strcmp(w[i], "[[") == 0 || strcmp(w[i], "test") == 0))
		return false;
	for (size_t k = i + 2; k + 1 < n; k++) {
		bool eq = strcmp(w[k], "=") == 0 || strcmp(w[k], "==") == 0;
		bool ne = strcmp(w[k], "!=") == 0;
		if (!eq && !ne)
			continue;
		const char *a = w[k - 1], *b = w[k + 1];
		struct taint t;
		if (literal(a) && !literal(b)) {
			const char *x = a;
			a = b;
			b = x;
		}
		if (!literal(b) || !tainted(s, a, &t))
			continue;
		/* "x$key" = "xMAGIC": drop the common constant prefix */
		size_t pre = 0;
		while (a[pre] && a[pre] == b[pre] && a[pre] != '$' && a[pre] != '`')
			pre++;
		memset(ret, 0, sizeof(*ret));
		ret->set = true;
		ret->negated = ne;
		snprintf(ret->param, sizeof(ret->param), "%s", t.param);
		snprintf(ret->magic, sizeof(ret->magic), "%s", b + pre);
		return true;
	}
	return false;
}

static const struct gate *current_gate(const struct shx *s)
{
	if (s->lg_on)
		return &s->lg;
	for (size_t i = s->n_g; i-- > 0;)
		if (s->g[i].set && !s->g[i].negated)
			return &s->g[i];
	return NULL;
}

static struct gate *push(struct shx *s, enum gkind k)
{
	if (s->n_g == MAX_GATES)
		return NULL;
	struct gate *g = &s->g[s->n_g++];
	memset(g, 0, sizeof(*g));
	g->kind = k;
	g->depth = s->depth;
	return g;
}

static struct gate *top(struct shx *s, enum gkind k)
{
	for (size_t i = s->n_g; i-- > 0;) {
		if (s->g[i].kind == k)
			return &s->g[i];
		if (s->g[i].kind != G_PERSIST)
			return NULL;
	}
	return NULL;
}

static void pop(struct shx *s, enum gkind k)
{
	while (s->n_g && s->g[s->n_g - 1].kind == G_PERSIST && s->g[s->n_g - 1].depth >= s->depth &&
	       s->g[s->n_g - 1].kind != k)
		s->n_g--;
	if (s->n_g && s->g[s->n_g - 1].kind == k) {
		struct gate done = s->g[--s->n_g];
		if (k == G_IF && done.negated && done.exits) {
			/* if [ key != MAGIC ]; then exit; fi: what follows is gated */
			struct gate *p = push(s, G_PERSIST);
			if (p) {
				*p = done;
				p->kind = G_PERSIST;
				p->negated = false;
				p->depth = s->depth;
			}
		}
	}
}

/* ---- sinks ---- */

static void sink(struct shx *s, uint32_t line, const char *what, const struct taint *t)
{
	if (s->pass1) {
		s->hit = true;
		return;
	}
	struct gb__webcmd_hit h = {.line = line, .sink = what};
	const struct gate *g = current_gate(s);
	snprintf(h.cmd_param, sizeof(h.cmd_param), "%s", t->param);
	if (g) {
		snprintf(h.param, sizeof(h.param), "%s", g->param);
		snprintf(h.magic, sizeof(h.magic), "%s", g->magic);
	} else {
		snprintf(h.param, sizeof(h.param), "%s", t->param);
	}
	s->report(s->ctx, &h);
}

static bool is_shell(const char *w)
{
	static const char *const shells[] = {"sh", "ash", "bash", "dash", "hush", "ksh", "mksh", "zsh", NULL};
	const char *b = gb__sh_basename(w);
	for (const char *const *x = shells; *x; x++)
		if (strcmp(b, *x) == 0)
			return true;
	return false;
}

static void join(char *buf, size_t cap, const char *const *w, size_t n)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && len + 1 < cap; i++) {
		int r = snprintf(buf + len, cap - len, "%s%s", i ? " " : "", w[i]);
		if (r < 0)
			break;
		len += (size_t)r;
	}
}

static void check_cmd(struct shx *s, const char *const *w, size_t n, uint32_t line, bool piped, unsigned nest);

/* The commands inside every $(...) and `...` of a word run too. */
static void check_substs(struct shx *s, const char *word, uint32_t line, unsigned nest)
{
	if (nest >= MAX_NEST)
		return;
	for (const char *p = word; *p; p++) {
		const char *body = NULL, *end = NULL;
		if (p[0] == '$' && p[1] == '(' && p[2] != '(') {
			int depth = 0;
			for (const char *q = p + 1; *q; q++) {
				if (*q == '(')
					depth++;
				else if (*q == ')' && --depth == 0) {
					body = p + 2;
					end = q;
					break;
				}
			}
		} else if (*p == '`') {
			const char *q = strchr(p + 1, '`');
			if (q) {
				body = p + 1;
				end = q;
			}
		}
		if (!body)
			continue;
		struct gb_sh sh;
		struct gb_sh_cmd *c = malloc(sizeof(*c));
		if (!c)
			return;
		gb__sh_init(&sh, body, (size_t)(end - body), line, true, s->vars);
		bool prev_tainted = s->pipe_tainted;
		s->pipe_tainted = false;
		while (gb__sh_next(&sh, c) > 0)
			if (c->n)
				check_cmd(s, c->w, c->n, line, c->prev == GB_SH_PIPE, nest + 1);
		s->pipe_tainted = prev_tainted;
		free(c);
		p = end;
	}
}

static void check_cmd(struct shx *s, const char *const *w, size_t n, uint32_t line, bool piped, unsigned nest)
{
	struct taint t;
	char text[4096];

	if (n == 0)
		return;
	for (size_t i = 0; i < n; i++)
		check_substs(s, w[i], line, nest);
	while (n && gb__sh_is_assignment(w[0])) {
		w++;
		n--;
	}
	if (n == 0)
		return;
	const char *b = gb__sh_basename(w[0]);
	bool shell = is_shell(w[0]);
	if (tainted(s, w[0], &t)) {
		sink(s, line, "command", &t);
	} else if (strcmp(b, "eval") == 0) {
		join(text, sizeof(text), w + 1, n - 1);
		if (tainted(s, text, &t))
			sink(s, line, "eval", &t);
	} else if (shell || strcmp(b, "su") == 0) {
		for (size_t i = 1; i + 1 < n; i++)
			if (strcmp(w[i], "-c") == 0 && tainted(s, w[i + 1], &t)) {
				sink(s, line, shell ? "sh -c" : "su -c", &t);
				break;
			}
	} else {
		struct fn *f = find_fn(s, w[0], strlen(w[0]));
		if (f && f->pos_sink) {
			join(text, sizeof(text), w + 1, n - 1);
			if (tainted(s, text, &t))
				sink(s, line, f->name, &t);
		}
	}
	/* echo "$cmd" | sh */
	bool interactive = shell;
	for (size_t i = 1; i < n && interactive; i++)
		interactive = w[i][0] == '-' && strcmp(w[i], "-c") != 0;
	if (piped && interactive && s->pipe_tainted) {
		struct taint pt = {.yes = true};
		memcpy(pt.param, s->pipe_param, sizeof(pt.param));
		sink(s, line, "pipe to shell", &pt);
	}
	if (strcmp(b, "echo") == 0 || strcmp(b, "printf") == 0 || strcmp(b, "cat") == 0) {
		join(text, sizeof(text), w + 1, n - 1);
		if (tainted(s, text, &t)) {
			s->pipe_tainted = true;
			memcpy(s->pipe_param, t.param, sizeof(s->pipe_param));
		}
	}
}

/* ---- statements ---- */

static bool is_ident(const char *w)
{
	if (!*w || (*w >= '0' && *w <= '9'))
		return false;
	for (; *w; w++)
		if (!ident_char((unsigned char)*w) && *w != '-' && *w != '.' && *w != ':')
			return false;
	return true;
}

static void fn_begin(struct shx *s)
{
	s->fn_open = false;
	s->fn_depth = s->depth;
	struct fn *f = find_fn(s, s->fn_name, strlen(s->fn_name));
	if (!f && s->n_fns < MAX_FNS) {
		f = &s->fns[s->n_fns++];
		snprintf(f->name, sizeof(f->name), "%s", s->fn_name);
	}
	s->cur_fn = f ? (int)(f - s->fns) : -1;
}

/* read [-r] [-n N] [-t N] [-p P] [-d D] VAR...: the POST body in a CGI. */
static void read_cmd(struct shx *s, const struct gb_sh_cmd *c, const char *const *w, size_t n)
{
	if (!s->post || s->loop_cond || c->prev == GB_SH_PIPE)
		return;
	for (size_t i = 0; i < c->n_redir; i++)
		if (c->redir[i].op[0] == '<')
			return;
	for (size_t i = 1; i < n; i++) {
		if (w[i][0] == '-') {
			if (strchr("ntpdua", w[i][1]) && !w[i][2])
				i++;
			continue;
		}
		if (is_ident(w[i]))
			gb__sh_set(s->vars, w[i], "$__GB_POST_BODY");
	}
}

/* Control words at the start of a command; returns the index of the command proper. */
static size_t keywords(struct shx *s, const struct gb_sh_cmd *c, size_t i)
{
	const char *const *w = c->w;
	size_t n = c->n;

	while (i < n) {
		const char *k = w[i];
		struct gate *g;
		if (strcmp(k, "{") == 0) {
			s->depth++;
			if (s->fn_open)
				fn_begin(s);
		} else if (strcmp(k, "}") == 0) {
			while (s->n_g && s->g[s->n_g - 1].kind == G_PERSIST && s->g[s->n_g - 1].depth >= s->depth)
				s->n_g--;
			s->depth--;
			if (s->cur_fn >= 0 && s->depth <= s->fn_depth)
				s->cur_fn = -1;
		} else if (strcmp(k, "if") == 0) {
			push(s, G_IF);
			s->cond = true;
		} else if (strcmp(k, "elif") == 0) {
			if ((g = top(s, G_IF)))
				g->set = g->negated = false;
			s->cond = true;
		} else if (strcmp(k, "then") == 0) {
			s->cond = false;
		} else if (strcmp(k, "else") == 0) {
			if ((g = top(s, G_IF)))
				g->set = g->negated = false;
		} else if (strcmp(k, "fi") == 0) {
			pop(s, G_IF);
		} else if (strcmp(k, "while") == 0 || strcmp(k, "until") == 0) {
			s->loop_cond = true;
		} else if (strcmp(k, "do") == 0) {
			s->loop_cond = false;
		} else if (strcmp(k, "esac") == 0) {
			pop(s, G_CASE);
			s->case_expect = false;
		} else if (strcmp(k, "done") != 0 && strcmp(k, "!") != 0) {
			break;
		}
		i++;
	}
	return i;
}

static void step(struct shx *s, const struct gb_sh_cmd *c)
{
	const char *const *w = c->w;
	size_t n = c->n, i = 0;

	/* name() { ...; } and function name { ...; } */
	if (s->fn_pending && n == 0 && c->sep == GB_SH_RPAREN) {
		s->fn_pending = false;
		s->fn_open = true;
		return;
	}
	s->fn_pending = n == 1 && c->sep == GB_SH_LPAREN && is_ident(w[0]);
	if (s->fn_pending) {
		snprintf(s->fn_name, sizeof(s->fn_name), "%s", w[0]);
		return;
	}
	if (n >= 2 && strcmp(w[0], "function") == 0 && is_ident(w[1])) {
		snprintf(s->fn_name, sizeof(s->fn_name), "%s", w[1]);
		s->fn_open = true;
		if (c->sep == GB_SH_LPAREN) {
			s->fn_pending = true;
			s->fn_open = false;
		}
		i = 2;
	}
	/* a new list: && / || gates end */
	if (c->prev != GB_SH_AND && c->prev != GB_SH_OR && c->prev != GB_SH_PIPE) {
		s->lg_on = false;
		s->pending = 0;
	}
	if (c->prev != GB_SH_PIPE)
		s->pipe_tainted = false;
	i = keywords(s, c, i);
	if (c->prev == GB_SH_DSEMI) {
		struct gate *g = top(s, G_CASE);
		if (g)
			g->set = false;
		s->case_expect = true;
	}
	if (i < n && strcmp(w[i], "case") == 0 && i + 1 < n) {
		struct gate *g = push(s, G_CASE);
		struct taint t;
		if (g && tainted(s, w[i + 1], &t)) {
			g->case_tainted = true;
			snprintf(g->case_param, sizeof(g->case_param), "%s", t.param);
		}
		s->case_expect = true;
		i += 2;
		if (i < n && strcmp(w[i], "in") == 0)
			i++;
		if (i >= n)
			return;
	}
	if (s->case_expect && c->sep == GB_SH_RPAREN && i < n) {
		struct gate *g = top(s, G_CASE);
		s->case_expect = false;
		if (g && g->case_tainted && literal(w[i]) && !strpbrk(w[i], "*?[")) {
			g->set = true;
			memcpy(g->param, g->case_param, sizeof(g->param));
			snprintf(g->magic, sizeof(g->magic), "%s", w[i]);
		}
		return;
	}
	if (i >= n)
		return;
	w += i;
	n -= i;
	const char *b = gb__sh_basename(w[0]);

	/* gates from tests */
	struct gate tg;
	bool is_test = test_gate(s, w, n, &tg);
	if (s->pending && (strcmp(b, "exit") == 0 || strcmp(b, "return") == 0)) {
		if (s->pending == 2) {
			struct gate *p = push(s, G_PERSIST);
			if (p) {
				*p = s->pending_gate;
				p->kind = G_PERSIST;
				p->depth = s->depth;
			}
		}
	} else if (s->pending == 1) {
		s->lg = s->pending_gate;
		s->lg_on = true;
	}
	s->pending = 0;
	if (s->cond && is_test) {
		struct gate *g = top(s, G_IF);
		if (g && !g->set) {
			g->set = true;
			g->negated = tg.negated;
			snprintf(g->param, sizeof(g->param), "%s", tg.param);
			snprintf(g->magic, sizeof(g->magic), "%s", tg.magic);
		}
	} else if (is_test && (c->sep == GB_SH_AND || c->sep == GB_SH_OR)) {
		bool positive = (!tg.negated) == (c->sep == GB_SH_AND);
		s->pending = positive ? 1 : 2;
		s->pending_gate = tg;
		s->pending_gate.negated = false;
	}
	if (!s->cond && (strcmp(b, "exit") == 0 || strcmp(b, "return") == 0)) {
		struct gate *g = top(s, G_IF);
		if (g && g->negated)
			g->exits = true;
	}

	/* taint sources that are statements */
	struct taint t;
	if (strcmp(b, "read") == 0) {
		read_cmd(s, c, w, n);
	} else if (strcmp(b, "for") == 0 && n >= 3 && strcmp(w[2], "in") == 0) {
		char text[4096];
		join(text, sizeof(text), w + 3, n - 3);
		if (tainted(s, text, &t))
			gb__sh_set(s->vars, w[1], text);
		return;
	} else if (strcmp(b, "set") == 0 && s->cur_fn < 0) {
		char text[4096];
		join(text, sizeof(text), w + 1, n - 1);
		if (tainted(s, text, &t))
			s->pos_tainted = true;
	}

	if (s->pass1) {
		if (s->cur_fn < 0)
			return;
		char text[4096];
		join(text, sizeof(text), w, n);
		s->pos_mode = false;
		if (tainted(s, text, &t))
			s->fns[s->cur_fn].source = true;
		s->pos_mode = true;
		s->hit = false;
		check_cmd(s, w, n, c->line, c->prev == GB_SH_PIPE, 0);
		s->pos_mode = false;
		if (s->hit)
			s->fns[s->cur_fn].pos_sink = true;
		return;
	}
	check_cmd(s, w, n, c->line, c->prev == GB_SH_PIPE, 0);
}

static void pass(struct shx *s, const char *p, size_t n, bool first)
{
	struct gb_sh sh;
	struct gb_sh_cmd *c = malloc(sizeof(*c));

	if (!c)
		return;
	memset(s->vars, 0, sizeof(*s->vars));
	s->pass1 = first;
	s->n_g = 0;
	s->depth = 0;
	s->cur_fn = -1;
	s->fn_pending = s->fn_open = false;
	s->cond = s->loop_cond = s->case_expect = false;
	s->lg_on = false;
	s->pending = 0;
	s->pos_tainted = false;
	s->pipe_tainted = false;
	gb__sh_init(&sh, p, n, 1, !first, s->vars);
	while (gb__sh_next(&sh, c) > 0)
		step(s, c);
	free(c);
}

void gb__webcmd_shell(const char *p, size_t n, gb__webcmd_report report, void *ctx)
{
	struct shx *s = calloc(1, sizeof(*s));
	if (!s)
		return;
	s->vars = calloc(1, sizeof(*s->vars));
	if (!s->vars) {
		free(s);
		return;
	}
	s->report = report;
	s->ctx = ctx;
	s->total_budget = 1000000;
	s->post = memmem(p, n, "CONTENT_LENGTH", 14) != NULL || memmem(p, n, "REQUEST_METHOD", 14) != NULL;
	/* twice: functions that call source functions become sources */
	pass(s, p, n, true);
	pass(s, p, n, true);
	pass(s, p, n, false);
	free(s->vars);
	free(s);
}
