/* web.hidden-command, Lua (LuCI) and PHP pages: request data reaching
 * os.execute/io.popen/luci.sys.exec... or system/exec/passthru/shell_exec...
 *
 * Line by line, after comments are blanked (and, for PHP, everything outside
 * <?php ... ?>): assignments whose right side carries request data taint
 * their variable (escapeshellarg/escapeshellcmd/intval/tonumber clean it);
 * a sink whose argument text carries request data is a hit; an `if` whose
 * condition compares request data with a string constant (==, ===) gates
 * the block it opens (PHP braces; Lua's function/if/do/repeat ... end/until
 * nesting) or, without a block, the rest of its line.
 *
 * Sources: Lua formvalue("x"), formvaluetable, http.content(), io.read,
 * io.stdin:read, getenv("QUERY_STRING"...); PHP $_GET/$_POST/$_REQUEST/
 * $_COOKIE['x'], $_SERVER['QUERY_STRING'|'REQUEST_URI'|'PATH_INFO'|'HTTP_*'],
 * php://input, getenv('QUERY_STRING'). PHP double-quoted strings interpolate
 * variables; Lua strings never do. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/webcmd.h"

#define MAX_VARS 128
#define MAX_GATES 32
#define ARG_MAX_LEN 4096

enum lang { LUA, PHP };

struct var {
	char name[64];
	char param[64];
};

struct cgate {
	int depth; /* active while the block depth is above it */
	bool on;
	char param[64];
	char magic[128];
};

struct cx {
	enum lang lang;
	char *buf; /* cleaned copy */
	size_t n;
	gb__webcmd_report report;
	void *ctx;
	struct var vars[MAX_VARS];
	size_t n_vars;
	struct cgate g[MAX_GATES];
	size_t n_g;
	int depth;
	struct cgate line_gate; /* if (...) without a block: the rest of the line */
};

static bool idc(int c)
{
	return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* ---- cleaning ---- */

/* Blank comments (and PHP outside its tags), keeping strings and newlines. */
static void clean(struct cx *c)
{
	char *b = c->buf;
	size_t n = c->n, i = 0;
	bool code = c->lang == LUA;

	while (i < n) {
		if (!code) {
			/* PHP: HTML until <? */
			if (b[i] == '<' && i + 1 < n && b[i + 1] == '?') {
				code = true;
				b[i] = b[i + 1] = ' ';
				i += 2;
				if (i + 3 <= n && memcmp(b + i, "php", 3) == 0) {
					memset(b + i, ' ', 3);
					i += 3;
				} else if (i < n && b[i] == '=') {
					b[i++] = ' ';
				}
				continue;
			}
			if (b[i] != '\n')
				b[i] = ' ';
			i++;
			continue;
		}
		char ch = b[i];
		if (c->lang == PHP && ch == '?' && i + 1 < n && b[i + 1] == '>') {
			code = false;
			b[i] = b[i + 1] = ' ';
			i += 2;
			continue;
		}
		if (ch == '"' || ch == '\'' || (c->lang == PHP && ch == '`')) {
			i++;
			while (i < n && b[i] != ch) {
				if (b[i] == '\\')
					i++;
				i++;
			}
			i++;
			continue;
		}
		bool line_comment = (c->lang == LUA && ch == '-' && i + 1 < n && b[i + 1] == '-') ||
				    (c->lang == PHP && (ch == '#' || (ch == '/' && i + 1 < n && b[i + 1] == '/')));
		if (c->lang == LUA && line_comment && i + 3 < n && b[i + 2] == '[' && b[i + 3] == '[') {
			/* --[[ block ]] */
			size_t j = i;
			while (j < n && !(b[j] == ']' && j + 1 < n && b[j + 1] == ']')) {
				if (b[j] != '\n')
					b[j] = ' ';
				j++;
			}
			for (size_t k = j; k < n && k < j + 2; k++)
				b[k] = ' ';
			i = j + 2;
			continue;
		}
		if (line_comment) {
			while (i < n && b[i] != '\n') {
				if (c->lang == PHP && b[i] == '?' && i + 1 < n && b[i + 1] == '>')
					break;
				b[i++] = ' ';
			}
			continue;
		}
		if (c->lang == PHP && ch == '/' && i + 1 < n && b[i + 1] == '*') {
			while (i < n && !(b[i] == '*' && i + 1 < n && b[i + 1] == '/')) {
				if (b[i] != '\n')
					b[i] = ' ';
				i++;
			}
			for (size_t k = i; k < n && k < i + 2; k++)
				b[k] = ' ';
			i += 2;
			continue;
		}
		i++;
	}
}

/* ---- taint ---- */

static struct var *find_var(struct cx *c, const char *name, size_t len)
{
	for (size_t i = 0; i < c->n_vars; i++)
		if (strlen(c->vars[i].name) == len && strncmp(c->vars[i].name, name, len) == 0)
			return &c->vars[i];
	return NULL;
}

static void set_var(struct cx *c, const char *name, size_t len, const char *param, bool on)
{
	struct var *v = find_var(c, name, len);
	if (!on) {
		if (v)
			*v = c->vars[--c->n_vars];
		return;
	}
	if (len >= sizeof(v->name))
		return;
	if (!v) {
		if (c->n_vars == MAX_VARS)
			return;
		v = &c->vars[c->n_vars++];
		memcpy(v->name, name, len);
		v->name[len] = '\0';
	}
	snprintf(v->param, sizeof(v->param), "%s", param);
}

/* The first string literal at or after p (within e): its content into out. */
static void first_string(const char *p, const char *e, char *out, size_t cap)
{
	out[0] = '\0';
	while (p < e && *p != '"' && *p != '\'' && *p != ')' && *p != ']')
		p++;
	if (p >= e || (*p != '"' && *p != '\''))
		return;
	char q = *p++;
	size_t k = 0;
	while (p < e && *p != q && k + 1 < cap)
		out[k++] = *p++;
	out[k] = '\0';
}

static bool at_word(const char *t, const char *p, const char *w)
{
	size_t n = strlen(w);
	return strncmp(p, w, n) == 0 && (p == t || !(idc((unsigned char)p[-1]) || p[-1] == '$')) &&
	       !idc((unsigned char)p[n]);
}

static const char *const sanitizers[] = {"escapeshellarg", "escapeshellcmd", "intval", "(int)", "tonumber",
					 "floatval", NULL};

static const char *args_end(const char *p, const char *end);

/* If a sanitizer call starts at p: the end of its argument list, else NULL. */
static const char *sanitizer_at(const char *t, const char *p, const char *e)
{
	if (p > t && (idc((unsigned char)p[-1]) || p[-1] == '$'))
		return NULL;
	for (const char *const *z = sanitizers; *z; z++) {
		size_t n = strlen(*z);
		if ((size_t)(e - p) < n || strncmp(p, *z, n) != 0)
			continue;
		if ((*z)[0] == '(') { /* (int)$x: the cast and its operand */
			const char *q = p + n;
			while (q < e && (*q == ' ' || *q == '$' || idc((unsigned char)*q) || *q == '[' || *q == ']' ||
					 *q == '\'' || *q == '"'))
				q++;
			return q - 1;
		}
		const char *q = p + n;
		while (q < e && (*q == ' ' || *q == '\t'))
			q++;
		if (q < e && *q == '(') {
			const char *a = args_end(q, e);
			return a < e ? a : e - 1;
		}
	}
	return NULL;
}

/* Does [t, e) carry request data? param gets the field name when visible. */
static bool taint(struct cx *c, const char *t, const char *e, char *param, size_t cap)
{
	static const char *const php_arrays[] = {"$_GET", "$_POST", "$_REQUEST", "$_COOKIE", NULL};
	static const char *const lua_src[] = {"formvalue", "formvaluetable", "content", NULL};
	bool yes = false;
	char quote = 0;

	param[0] = '\0';
	for (const char *p = t; p < e; p++) {
		const char *z = quote ? NULL : sanitizer_at(t, p, e);
		if (z) {
			p = z; /* escapeshellarg(...), tonumber(...): clean */
			continue;
		}
		if (quote) {
			if (*p == '\\') {
				p++;
				continue;
			}
			if (*p == quote) {
				quote = 0;
				continue;
			}
			if (c->lang == PHP && strncmp(p, "php://input", 11) == 0)
				yes = true;
			if (!(c->lang == PHP && quote == '"' && *p == '$'))
				continue; /* only PHP "..." interpolates */
		} else if (*p == '"' || *p == '\'') {
			quote = *p;
			continue;
		}
		if (c->lang == PHP && *p == '$') {
			for (const char *const *a = php_arrays; *a; a++)
				if (strncmp(p, *a, strlen(*a)) == 0 && !idc((unsigned char)p[strlen(*a)])) {
					yes = true;
					if (!param[0])
						first_string(p + strlen(*a), e, param, cap);
				}
			if (strncmp(p, "$_SERVER", 8) == 0) {
				char k[64];
				first_string(p + 8, e, k, sizeof(k));
				if (strcmp(k, "QUERY_STRING") == 0 || strcmp(k, "REQUEST_URI") == 0 ||
				    strcmp(k, "PATH_INFO") == 0 || strncmp(k, "HTTP_", 5) == 0)
					yes = true;
			}
			const char *q = p + 1;
			while (q < e && idc((unsigned char)*q))
				q++;
			struct var *v = find_var(c, p + 1, (size_t)(q - p - 1));
			if (v) {
				yes = true;
				if (!param[0])
					snprintf(param, cap, "%s", v->param);
			}
			continue;
		}
		if (quote)
			continue;
		if (strncmp(p, "getenv", 6) == 0 && (p == t || !idc((unsigned char)p[-1]))) {
			char k[64];
			first_string(p + 6, e, k, sizeof(k));
			if (strcmp(k, "QUERY_STRING") == 0 || strcmp(k, "REQUEST_URI") == 0 ||
			    strcmp(k, "PATH_INFO") == 0 || strncmp(k, "HTTP_", 5) == 0)
				yes = true;
		}
		if (c->lang == LUA && idc((unsigned char)*p) && (p == t || !idc((unsigned char)p[-1]))) {
			const char *q = p;
			while (q < e && idc((unsigned char)*q))
				q++;
			size_t len = (size_t)(q - p);
			for (const char *const *s = lua_src; *s; s++)
				if (strlen(*s) == len && strncmp(p, *s, len) == 0 && p > t && (p[-1] == '.' || p[-1] == ':') &&
				    q < e && *q == '(') {
					yes = true;
					if (!param[0])
						first_string(q, e, param, cap);
				}
			if ((len == 4 && strncmp(p, "read", 4) == 0 && p > t && (p[-1] == '.' || p[-1] == ':') &&
			     (strncmp(p - 3, "io.", 3) == 0 || (p - t >= 9 && strncmp(p - 9, "io.stdin:", 9) == 0))))
				yes = true;
			struct var *v = (p == t || (p[-1] != '.' && p[-1] != ':')) ? find_var(c, p, len) : NULL;
			if (v && !(q < e && *q == '(')) {
				yes = true;
				if (!param[0])
					snprintf(param, cap, "%s", v->param);
			}
			p = q - 1;
			continue;
		}
	}
	return yes;
}

/* ---- statements ---- */

static const struct cgate *gate(const struct cx *c)
{
	if (c->line_gate.on)
		return &c->line_gate;
	for (size_t i = c->n_g; i-- > 0;)
		if (c->g[i].on && c->depth > c->g[i].depth)
			return &c->g[i];
	return NULL;
}

static void hit(struct cx *c, uint32_t line, const char *sink, const char *param)
{
	struct gb__webcmd_hit h = {.line = line, .sink = sink};
	const struct cgate *g = gate(c);
	snprintf(h.cmd_param, sizeof(h.cmd_param), "%s", param);
	if (g) {
		snprintf(h.param, sizeof(h.param), "%s", g->param);
		snprintf(h.magic, sizeof(h.magic), "%s", g->magic);
	} else {
		snprintf(h.param, sizeof(h.param), "%s", param);
	}
	c->report(c->ctx, &h);
}

/* The argument text of a call at '(' p: through the matching ')' (bounded). */
static const char *args_end(const char *p, const char *end)
{
	int depth = 0;
	char q = 0;
	const char *lim = end - p > ARG_MAX_LEN ? p + ARG_MAX_LEN : end;
	for (; p < lim; p++) {
		if (q) {
			if (*p == '\\')
				p++;
			else if (*p == q)
				q = 0;
			continue;
		}
		if (*p == '"' || *p == '\'')
			q = *p;
		else if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return p;
	}
	return lim;
}

static void sinks(struct cx *c, const char *s, const char *e, uint32_t line)
{
	static const char *const lua_sinks[] = {"os.execute", "io.popen", "luci.sys.exec", "luci.sys.call",
						"sys.exec", "sys.call", "util.exec", "luci.util.exec", "nixio.exec",
						"loadstring", "load", "dofile", NULL};
	static const char *const php_sinks[] = {"system", "exec", "shell_exec", "passthru", "popen", "proc_open",
						"pcntl_exec", "eval", "assert", NULL};
	const char *const *list = c->lang == LUA ? lua_sinks : php_sinks;
	char quote = 0;

	for (const char *p = s; p < e; p++) {
		if (quote) {
			if (*p == '\\')
				p++;
			else if (*p == quote)
				quote = 0;
			continue;
		}
		if (*p == '"' || *p == '\'') {
			quote = *p;
			continue;
		}
		if (c->lang == PHP && *p == '`') {
			const char *q = memchr(p + 1, '`', (size_t)(e - p - 1));
			char param[64];
			if (q && taint(c, p + 1, q, param, sizeof(param)))
				hit(c, line, "backtick", param);
			if (q)
				p = q;
			continue;
		}
		if (p > s && (idc((unsigned char)p[-1]) || p[-1] == '.' || p[-1] == ':' || p[-1] == '$' ||
			      p[-1] == '>'))
			continue;
		for (const char *const *k = list; *k; k++) {
			size_t n = strlen(*k);
			if ((size_t)(e - p) <= n || strncmp(p, *k, n) != 0)
				continue;
			const char *q = p + n;
			while (q < e && (*q == ' ' || *q == '\t'))
				q++;
			if (q >= e || *q != '(')
				continue;
			const char *a = args_end(q, c->buf + c->n);
			char param[64];
			if (taint(c, q, a, param, sizeof(param)))
				hit(c, line, *k, param);
			break;
		}
	}
}

/* NAME = RHS / local NAME = RHS (Lua), $NAME = RHS / $NAME .= RHS (PHP). */
static void assignments(struct cx *c, const char *s, const char *e)
{
	for (const char *p = s; p < e; p++) {
		const char *name = NULL, *ne = NULL;
		if (c->lang == PHP && *p == '$' && p + 1 < e && idc((unsigned char)p[1])) {
			name = p + 1;
		} else if (c->lang == LUA && idc((unsigned char)*p) && (p == s || (!idc((unsigned char)p[-1]) &&
									   p[-1] != '.' && p[-1] != ':'))) {
			name = p;
		} else {
			continue;
		}
		ne = name;
		while (ne < e && idc((unsigned char)*ne))
			ne++;
		const char *q = ne;
		while (q < e && (*q == ' ' || *q == '\t'))
			q++;
		bool append = c->lang == PHP && q + 1 < e && q[0] == '.' && q[1] == '=';
		if (append)
			q++;
		if (q >= e || *q != '=' || (q + 1 < e && q[1] == '=')) {
			p = ne - 1;
			continue;
		}
		const char *rhs = q + 1, *re = rhs;
		while (re < e && *re != ';' && *re != '\n')
			re++;
		char param[64];
		bool t = taint(c, rhs, re, param, sizeof(param));
		if (t || !append)
			set_var(c, name, (size_t)(ne - name), param, t);
		p = re - 1;
	}
}

/* if COND then / if (COND): a comparison of request data with a string constant. */
static bool condition(struct cx *c, const char *s, const char *e, struct cgate *ret)
{
	for (const char *p = s; p + 1 < e; p++) {
		if (!(p[0] == '=' && p[1] == '=') || (p > s && (p[-1] == '!' || p[-1] == '~' || p[-1] == '=')))
			continue;
		const char *r = p + 2;
		if (r < e && *r == '=')
			r++;
		char lit[128], param[64];
		const char *ls = r;
		while (ls < e && (*ls == ' ' || *ls == '\t'))
			ls++;
		if (ls < e && (*ls == '"' || *ls == '\'')) {
			first_string(ls, e, lit, sizeof(lit));
			if (!taint(c, s, p, param, sizeof(param)))
				continue;
		} else {
			const char *le = p;
			while (le > s && (le[-1] == ' ' || le[-1] == '\t'))
				le--;
			if (le <= s || (le[-1] != '"' && le[-1] != '\''))
				continue;
			const char *lb = le - 1;
			char q = *lb;
			while (lb > s && lb[-1] != q)
				lb--;
			if (lb <= s)
				continue;
			first_string(lb - 1, le, lit, sizeof(lit));
			if (!taint(c, r, e, param, sizeof(param)))
				continue;
		}
		if (!lit[0])
			continue;
		memset(ret, 0, sizeof(*ret));
		ret->on = true;
		snprintf(ret->param, sizeof(ret->param), "%s", param);
		snprintf(ret->magic, sizeof(ret->magic), "%s", lit);
		return true;
	}
	return false;
}

static void push_gate(struct cx *c, const struct cgate *g, int depth)
{
	if (c->n_g == MAX_GATES)
		return;
	c->g[c->n_g] = *g;
	c->g[c->n_g].depth = depth;
	c->n_g++;
}

static void pop_gates(struct cx *c)
{
	while (c->n_g && c->depth <= c->g[c->n_g - 1].depth)
		c->n_g--;
}

/* Block structure of one line: braces (PHP) or Lua keywords; if-gates. */
static void blocks(struct cx *c, const char *s, const char *e)
{
	char quote = 0;

	for (const char *p = s; p < e; p++) {
		if (quote) {
			if (*p == '\\')
				p++;
			else if (*p == quote)
				quote = 0;
			continue;
		}
		if (*p == '"' || *p == '\'') {
			quote = *p;
			continue;
		}
		if (c->lang == PHP) {
			if (*p == '{') {
				c->depth++;
			} else if (*p == '}') {
				c->depth--;
				pop_gates(c);
			} else if (at_word(s, p, "if") || at_word(s, p, "elseif")) {
				const char *o = strchr(p, '(');
				if (!o || o >= e)
					continue;
				const char *a = args_end(o, e);
				struct cgate g;
				if (condition(c, o, a, &g)) {
					const char *b = a + 1;
					while (b < e && (*b == ' ' || *b == '\t'))
						b++;
					if (b < e && *b == '{')
						push_gate(c, &g, c->depth);
					else
						c->line_gate = g;
				}
				p = a < e ? a : e - 1;
			}
			continue;
		}
		/* Lua */
		if (!idc((unsigned char)*p) || (p > s && idc((unsigned char)p[-1])))
			continue;
		if (at_word(s, p, "function") || at_word(s, p, "do") || at_word(s, p, "repeat")) {
			c->depth++;
		} else if (at_word(s, p, "end") || at_word(s, p, "until")) {
			c->depth--;
			pop_gates(c);
		} else if (at_word(s, p, "if") || at_word(s, p, "elseif")) {
			bool elif = p[0] == 'e';
			if (elif && c->n_g && c->g[c->n_g - 1].depth == c->depth - 1)
				c->g[c->n_g - 1].on = false;
			const char *t = p + 2;
			const char *then = NULL;
			for (const char *q = t; q + 4 <= e; q++)
				if (at_word(s, q, "then")) {
					then = q;
					break;
				}
			struct cgate g;
			if (!elif)
				c->depth++;
			if (then && condition(c, t, then, &g))
				push_gate(c, &g, c->depth - 1);
			if (then)
				p = then + 3;
		} else if (at_word(s, p, "else")) {
			if (c->n_g && c->g[c->n_g - 1].depth == c->depth - 1)
				c->g[c->n_g - 1].on = false;
		}
		while (p + 1 < e && idc((unsigned char)p[1]))
			p++;
	}
}

static void run_lang(enum lang lang, const char *p, size_t n, gb__webcmd_report report, void *ctx)
{
	struct cx *c = calloc(1, sizeof(*c));
	if (!c)
		return;
	c->buf = malloc(n + 1);
	if (!c->buf) {
		free(c);
		return;
	}
	memcpy(c->buf, p, n);
	c->buf[n] = '\0';
	c->n = n;
	c->lang = lang;
	c->report = report;
	c->ctx = ctx;
	clean(c);
	uint32_t line = 0;
	for (const char *s = c->buf; s < c->buf + n;) {
		const char *e = memchr(s, '\n', (size_t)(c->buf + n - s));
		if (!e)
			e = c->buf + n;
		line++;
		c->line_gate.on = false;
		/* the gate of a one-line if is known before its sink on the same line */
		blocks(c, s, e);
		assignments(c, s, e);
		sinks(c, s, e, line);
		s = e + 1;
	}
	free(c->buf);
	free(c);
}

void gb__webcmd_lua(const char *p, size_t n, gb__webcmd_report report, void *ctx)
{
	run_lang(LUA, p, n, report, ctx);
}

void gb__webcmd_php(const char *p, size_t n, gb__webcmd_report report, void *ctx)
{
	run_lang(PHP, p, n, report, ctx);
}
