/* A small POSIX shell lexer (see shlex.h for what it does and does not do). */
#include <ctype.h>
#include <string.h>

#include "analyze/shlex.h"

#define MAX_NEST 32

void gb__sh_init(struct gb_sh *sh, const char *p, size_t n, uint32_t line, bool expand, struct gb_sh_vars *vars)
{
	sh->p = p;
	sh->end = p + n;
	sh->line = line;
	sh->expand = expand && vars;
	sh->vars = vars;
	sh->last = GB_SH_NL;
	sh->n_heredoc = 0;
}

const char *gb__sh_basename(const char *w)
{
	const char *s = strrchr(w, '/');
	return s ? s + 1 : w;
}

static bool name_start(int c)
{
	return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool name_char(int c)
{
	return name_start(c) || (c >= '0' && c <= '9');
}

bool gb__sh_is_assignment(const char *w)
{
	if (!name_start((unsigned char)*w))
		return false;
	while (name_char((unsigned char)*w))
		w++;
	return *w == '=';
}

const char *gb__sh_var(const struct gb_sh_vars *vars, const char *name, size_t len)
{
	if (!vars || len == 0 || len >= sizeof(vars->name[0]))
		return NULL;
	for (size_t i = vars->n; i-- > 0;)
		if (strncmp(vars->name[i], name, len) == 0 && vars->name[i][len] == '\0')
			return vars->value[i];
	return NULL;
}

static void var_set(struct gb_sh_vars *vars, const char *name, size_t len, const char *value)
{
	size_t i;

	if (len == 0 || len >= sizeof(vars->name[0]))
		return;
	for (i = 0; i < vars->n; i++)
		if (strncmp(vars->name[i], name, len) == 0 && vars->name[i][len] == '\0')
			break;
	if (i == vars->n) {
		if (vars->n == GB_SH_MAX_VARS)
			return;
		vars->n++;
		memcpy(vars->name[i], name, len);
		vars->name[i][len] = '\0';
	}
	size_t vl = strlen(value);
	if (vl >= GB_SH_MAX_VALUE)
		vl = GB_SH_MAX_VALUE - 1;
	memcpy(vars->value[i], value, vl);
	vars->value[i][vl] = '\0';
}

void gb__sh_set(struct gb_sh_vars *vars, const char *name, const char *value)
{
	var_set(vars, name, strlen(name), value);
}

/* ---- building words ---- */

struct lx {
	struct gb_sh *sh;
	struct gb_sh_cmd *c;
	bool assign; /* current word is NAME=...: expansions are not split */
};

static bool is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_meta(int c)
{
	return is_blank(c) || c == '\n' || c == ';' || c == '&' || c == '|' || c == '(' || c == ')' || c == '<' ||
	       c == '>';
}

static bool word_open(struct lx *x)
{
	struct gb_sh_cmd *c = x->c;

	if (c->in_word)
		return true;
	if (c->n >= GB_SH_MAX_WORDS || c->used + 2 > GB_SH_BUF) {
		c->truncated = true;
		return false;
	}
	c->w[c->n] = c->buf + c->used;
	c->wline[c->n] = x->sh->line;
	c->in_word = true;
	return true;
}

static void put(struct lx *x, char ch)
{
	struct gb_sh_cmd *c = x->c;

	if (!word_open(x))
		return;
	if (c->used + 2 > GB_SH_BUF) {
		c->truncated = true;
		return;
	}
	c->buf[c->used++] = ch;
}

static void word_end(struct lx *x)
{
	struct gb_sh_cmd *c = x->c;

	x->assign = false;
	if (!c->in_word)
		return;
	c->buf[c->used++] = '\0';
	c->n++;
	c->in_word = false;
}

/* Insert an expansion: unquoted ones are split on blanks into words. A
 * recorded value keeps its quotes and $(...) verbatim, so blanks inside
 * those do not split (the value stays one command substitution). */
static void insert(struct lx *x, const char *v, size_t n, bool split)
{
	char quote = 0;
	int depth = 0;

	for (size_t i = 0; i < n; i++) {
		char ch = v[i];
		if (quote) {
			if (ch == quote)
				quote = 0;
		} else if (ch == '\'' || ch == '"' || ch == '`') {
			quote = ch;
		} else if (ch == '$' && i + 1 < n && v[i + 1] == '(') {
			depth++;
		} else if (ch == ')' && depth > 0) {
			depth--;
		} else if (split && depth == 0 && (is_blank((unsigned char)ch) || ch == '\n')) {
			word_end(x);
			continue;
		}
		put(x, ch);
	}
}

static void copy_subst(struct lx *x, unsigned nest);

/* Copy a double-quoted string inside $(...) verbatim, through its closing quote. */
static void copy_dq_raw(struct lx *x, unsigned nest)
{
	struct gb_sh *sh = x->sh;

	put(x, '"');
	sh->p++;
	while (sh->p < sh->end && *sh->p != '"') {
		if (*sh->p == '\\' && sh->p + 1 < sh->end) {
			put(x, *sh->p++);
		} else if (*sh->p == '$' && sh->p + 1 < sh->end && sh->p[1] == '(') {
			copy_subst(x, nest + 1);
			continue;
		}
		if (*sh->p == '\n')
			sh->line++;
		put(x, *sh->p++);
	}
	if (sh->p < sh->end) {
		put(x, '"');
		sh->p++;
	}
}

/* Copy $(...) (or $((...))) verbatim through its matching parenthesis. */
static void copy_subst(struct lx *x, unsigned nest)
{
	struct gb_sh *sh = x->sh;
	int depth = 0;

	if (nest > MAX_NEST) {
		sh->p++;
		return;
	}
	put(x, *sh->p++); /* $ */
	while (sh->p < sh->end) {
		char ch = *sh->p;
		if (ch == '\'') {
			put(x, *sh->p++);
			while (sh->p < sh->end && *sh->p != '\'') {
				if (*sh->p == '\n')
					sh->line++;
				put(x, *sh->p++);
			}
			if (sh->p < sh->end)
				put(x, *sh->p++);
			continue;
		}
		if (ch == '"') {
			copy_dq_raw(x, nest);
			continue;
		}
		if (ch == '\\' && sh->p + 1 < sh->end) {
			put(x, *sh->p++);
		} else if (ch == '(') {
			depth++;
		} else if (ch == ')') {
			depth--;
		} else if (ch == '\n') {
			sh->line++;
		}
		put(x, *sh->p++);
		if (depth == 0)
			return;
	}
}

static void copy_backtick(struct lx *x)
{
	struct gb_sh *sh = x->sh;

	put(x, *sh->p++);
	while (sh->p < sh->end && *sh->p != '`') {
		if (*sh->p == '\\' && sh->p + 1 < sh->end)
			put(x, *sh->p++);
		if (*sh->p == '\n')
			sh->line++;
		put(x, *sh->p++);
	}
	if (sh->p < sh->end)
		put(x, *sh->p++);
}

/* Only values without expansions of their own are inlined: a value that is
 * itself a $(...) would otherwise run again at every use. */
static bool plain(const char *v)
{
	return !strchr(v, '$') && !strchr(v, '`');
}

/* $NAME, ${NAME}, ${NAME:-default}, $(...), $1...: at sh->p == '$'. */
static void dollar(struct lx *x, bool quoted)
{
	struct gb_sh *sh = x->sh;
	const char *s = sh->p + 1;
	bool split = !quoted && !x->assign;

	if (s >= sh->end) {
		put(x, *sh->p++);
		return;
	}
	if (*s == '(') {
		copy_subst(x, 0);
		return;
	}
	if (name_start((unsigned char)*s)) {
		const char *e = s;
		while (e < sh->end && name_char((unsigned char)*e))
			e++;
		const char *v = sh->expand ? gb__sh_var(sh->vars, s, (size_t)(e - s)) : NULL;
		if (v && plain(v))
			insert(x, v, strlen(v), split);
		else
			insert(x, sh->p, (size_t)(e - sh->p), false);
		sh->p = e;
		return;
	}
	if (*s == '{') {
		const char *e = s + 1;
		while (e < sh->end && *e != '}' && *e != '\n')
			e++;
		if (e >= sh->end || *e != '}') {
			put(x, *sh->p++);
			return;
		}
		const char *n = s + 1, *ne = n;
		while (ne < e && name_char((unsigned char)*ne))
			ne++;
		const char *v = sh->expand && name_start((unsigned char)*n) ? gb__sh_var(sh->vars, n, (size_t)(ne - n)) : NULL;
		const char *def = NULL;
		if (ne < e && (*ne == '-' || *ne == '=' || (*ne == ':' && ne + 1 < e && (ne[1] == '-' || ne[1] == '='))))
			def = *ne == ':' ? ne + 2 : ne + 1;
		if (v && plain(v) && (ne == e || def))
			insert(x, v, strlen(v), split);
		else if (!v && def && sh->expand && name_start((unsigned char)*n))
			insert(x, def, (size_t)(e - def), split);
		else
			insert(x, sh->p, (size_t)(e + 1 - sh->p), false);
		sh->p = e + 1;
		return;
	}
	/* $1, $@, $?, $$ ...: kept as written */
	put(x, *sh->p++);
	if ((*s >= '0' && *s <= '9') || (*s && strchr("@*#?$!-", *s)))
		put(x, *sh->p++);
}

static void read_dq(struct lx *x)
{
	struct gb_sh *sh = x->sh;

	word_open(x);
	sh->p++;
	while (sh->p < sh->end && *sh->p != '"') {
		char ch = *sh->p;
		if (ch == '\\' && sh->p + 1 < sh->end) {
			char n = sh->p[1];
			if (n == '\n') {
				sh->line++;
				sh->p += 2;
				continue;
			}
			if (n == '$' || n == '`' || n == '"' || n == '\\') {
				put(x, n);
				sh->p += 2;
				continue;
			}
		} else if (ch == '$') {
			dollar(x, true);
			continue;
		} else if (ch == '`') {
			copy_backtick(x);
			continue;
		} else if (ch == '\n') {
			sh->line++;
		}
		put(x, ch);
		sh->p++;
	}
	if (sh->p < sh->end)
		sh->p++;
}

/* One word (which expansion may split into several), up to a blank or an operator. */
static void read_word(struct lx *x)
{
	struct gb_sh *sh = x->sh;

	x->assign = false;
	if (name_start((unsigned char)*sh->p)) {
		const char *e = sh->p;
		while (e < sh->end && name_char((unsigned char)*e))
			e++;
		x->assign = e < sh->end && *e == '=';
	}
	while (sh->p < sh->end && !is_meta((unsigned char)*sh->p)) {
		char ch = *sh->p;
		if (ch == '\\') {
			if (sh->p + 1 >= sh->end) {
				sh->p++;
				break;
			}
			if (sh->p[1] == '\n') {
				sh->line++;
			} else {
				put(x, sh->p[1]);
			}
			sh->p += 2;
		} else if (ch == '\'') {
			word_open(x);
			sh->p++;
			while (sh->p < sh->end && *sh->p != '\'') {
				if (*sh->p == '\n')
					sh->line++;
				put(x, *sh->p++);
			}
			if (sh->p < sh->end)
				sh->p++;
		} else if (ch == '"') {
			read_dq(x);
		} else if (ch == '$') {
			dollar(x, false);
		} else if (ch == '`') {
			copy_backtick(x);
		} else {
			put(x, ch);
			sh->p++;
		}
	}
	word_end(x);
}

static void skip_heredocs(struct gb_sh *sh)
{
	for (size_t i = 0; i < sh->n_heredoc; i++) {
		const char *d = sh->heredoc[i];
		size_t dl = strlen(d);
		while (sh->p < sh->end) {
			const char *eol = memchr(sh->p, '\n', (size_t)(sh->end - sh->p));
			const char *s = sh->p, *e = eol ? eol : sh->end;
			if (sh->heredoc_strip[i])
				while (s < e && *s == '\t')
					s++;
			if (e > s && e[-1] == '\r')
				e--;
			bool match = (size_t)(e - s) == dl && memcmp(s, d, dl) == 0;
			sh->p = eol ? eol + 1 : sh->end;
			sh->line++;
			if (match)
				break;
		}
	}
	sh->n_heredoc = 0;
}

static void redirect(struct lx *x, int fd)
{
	struct gb_sh *sh = x->sh;
	struct gb_sh_cmd *c = x->c;
	char op[4] = {0};
	const char *p = sh->p;
	size_t avail = (size_t)(sh->end - p);

	if (p[0] == '&') {
		op[0] = '&';
		op[1] = '>';
		if (avail > 2 && p[2] == '>')
			op[2] = '>';
	} else if (p[0] == '<') {
		op[0] = '<';
		if (avail > 1 && (p[1] == '<' || p[1] == '&' || p[1] == '>')) {
			op[1] = p[1];
			if (p[1] == '<' && avail > 2 && (p[2] == '-' || p[2] == '<'))
				op[2] = p[2];
		}
	} else {
		op[0] = '>';
		if (avail > 1 && (p[1] == '>' || p[1] == '&' || p[1] == '|'))
			op[1] = p[1];
	}
	sh->p += strlen(op);
	while (sh->p < sh->end && is_blank((unsigned char)*sh->p))
		sh->p++;
	size_t before = c->n;
	if (sh->p < sh->end && !is_meta((unsigned char)*sh->p))
		read_word(x);
	const char *target = "";
	if (c->n > before) {
		target = c->w[c->n - 1];
		c->n = before; /* the target is not a word of the command */
	}
	if (c->n_redir < GB_SH_MAX_REDIRS) {
		struct gb_sh_redir *r = &c->redir[c->n_redir++];
		memcpy(r->op, op, sizeof(op));
		r->fd = fd;
		r->target = target;
	}
	if (strcmp(op, "<<") == 0 || strcmp(op, "<<-") == 0) {
		if (sh->n_heredoc < 4 && strlen(target) < sizeof(sh->heredoc[0])) {
			strcpy(sh->heredoc[sh->n_heredoc], target);
			sh->heredoc_strip[sh->n_heredoc] = op[2] == '-';
			sh->n_heredoc++;
		}
	}
}

/* Record NAME=value words of a plain assignment (or export/local/readonly). */
static void record(struct gb_sh *sh, const struct gb_sh_cmd *c)
{
	size_t i = 0;

	if (!sh->expand || c->n == 0)
		return;
	const char *w0 = c->w[0];
	bool decl = strcmp(w0, "export") == 0 || strcmp(w0, "local") == 0 || strcmp(w0, "readonly") == 0 ||
		    strcmp(w0, "declare") == 0 || strcmp(w0, "typeset") == 0;
	if (decl) {
		i = 1;
	} else {
		for (size_t k = 0; k < c->n; k++)
			if (!gb__sh_is_assignment(c->w[k]))
				return; /* NAME=value cmd: for that command only */
	}
	for (; i < c->n; i++) {
		const char *w = c->w[i];
		if (!gb__sh_is_assignment(w))
			continue;
		const char *eq = strchr(w, '=');
		var_set(sh->vars, w, (size_t)(eq - w), eq + 1);
	}
}

static int finish(struct gb_sh *sh, struct gb_sh_cmd *c, enum gb_sh_sep sep)
{
	c->sep = sep;
	sh->last = sep;
	if (c->n)
		c->line = c->wline[0];
	record(sh, c);
	return 1;
}

int gb__sh_next(struct gb_sh *sh, struct gb_sh_cmd *c)
{
	struct lx x = {.sh = sh, .c = c};

	c->n = 0;
	c->n_redir = 0;
	c->prev = sh->last;
	c->line = sh->line;
	c->truncated = false;
	c->used = 0;
	c->in_word = false;
	if (sh->last == GB_SH_EOF)
		return 0;
	while (sh->p < sh->end) {
		char ch = *sh->p;
		if (is_blank((unsigned char)ch)) {
			sh->p++;
			continue;
		}
		if (ch == '\\' && sh->p + 1 < sh->end && sh->p[1] == '\n') {
			sh->p += 2;
			sh->line++;
			continue;
		}
		if (c->n == 0 && c->n_redir == 0)
			c->line = sh->line;
		switch (ch) {
		case '#':
			while (sh->p < sh->end && *sh->p != '\n')
				sh->p++;
			continue;
		case '\n':
			sh->p++;
			sh->line++;
			skip_heredocs(sh);
			return finish(sh, c, GB_SH_NL);
		case ';':
			sh->p++;
			if (sh->p < sh->end && (*sh->p == ';' || *sh->p == '&')) {
				sh->p++;
				return finish(sh, c, GB_SH_DSEMI);
			}
			return finish(sh, c, GB_SH_SEMI);
		case '&':
			if (sh->p + 1 < sh->end && sh->p[1] == '&') {
				sh->p += 2;
				return finish(sh, c, GB_SH_AND);
			}
			if (sh->p + 1 < sh->end && sh->p[1] == '>') {
				redirect(&x, -1);
				continue;
			}
			sh->p++;
			return finish(sh, c, GB_SH_AMP);
		case '|':
			sh->p++;
			if (sh->p < sh->end && *sh->p == '|') {
				sh->p++;
				return finish(sh, c, GB_SH_OR);
			}
			if (sh->p < sh->end && *sh->p == '&')
				sh->p++;
			return finish(sh, c, GB_SH_PIPE);
		case '(':
			sh->p++;
			return finish(sh, c, GB_SH_LPAREN);
		case ')':
			sh->p++;
			return finish(sh, c, GB_SH_RPAREN);
		case '<':
		case '>':
			redirect(&x, -1);
			continue;
		default:
			break;
		}
		/* a word; digits directly followed by < or > are a redirection's fd */
		const char *s = sh->p;
		while (s < sh->end && *s >= '0' && *s <= '9')
			s++;
		if (s > sh->p && s < sh->end && (*s == '<' || *s == '>') && s - sh->p < 4) {
			int fd = 0;
			for (const char *d = sh->p; d < s; d++)
				fd = fd * 10 + (*d - '0');
			sh->p = s;
			redirect(&x, fd);
			continue;
		}
		read_word(&x);
	}
	word_end(&x);
	if (c->n == 0 && c->n_redir == 0) {
		sh->last = GB_SH_EOF;
		return 0;
	}
	return finish(sh, c, GB_SH_EOF);
}
