/* accounts: who can log in to the device, and with what password.
 *
 * Reads every filesystem's account database: each passwd file in an etc
 * directory (/etc/passwd, /etc_ro/passwd, /rom/etc/passwd...; symlinks are
 * followed inside the image), the shadow and group files beside it, and
 * shadow files that have no passwd. The password of an account is its
 * passwd field, or its shadow field when passwd says "x" (as glibc and
 * BusyBox do).
 *
 * Rules:
 *  account.empty-password   an empty password field: login without a password
 *  account.uid0-extra       a uid 0 account other than root (a second root)
 *  account.hash-in-passwd   a password hash in the world-readable passwd
 *  credential.weak-hash     DES, BSDi, MD5 (or Sun MD5, NT) crypt: fast to brute-force
 *  credential.default-password  the hash cracks with a default credential
 *                           (the built-in list: Mirai's dictionary, published
 *                           vendor defaults), a guess derived from the account
 *                           or image, or a --wordlist line (crack.c)
 * Each finding points at the file and line holding the evidence: the passwd
 * line for uid 0 and hashes in passwd, the shadow line for shadow hashes.
 *
 * Everything happens in finish(): the databases are joined across files and
 * the cracking runs on the audit's threads once, over all hashes. The files
 * are hostile input: lines and fields are bounded, names and hashes must be
 * printable ASCII, anything else is skipped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glassbox/errors.h>
#include <glassbox/sys/analyzer.h>

#include "analyze/crack.h"

#define MAX_SCAN_BYTES (64u << 20) /* bytes of one account file that are read */
#define MAX_ENTRIES 65536          /* entries kept per file */
#define MAX_NAME 64
#define MAX_HASH 512
#define MAX_FIELDS 8
#define MAX_CONTEXT 8

struct state {
	const struct gb_scan *scan;
	struct gb_cracker *cracker;
};

/* One line of passwd, shadow or group. Strings are owned. */
struct entry {
	char *name;
	char *pw;          /* the password field, "" when empty */
	long long id;      /* uid (passwd) or gid (group); -1 unknown */
	char *gecos;
	uint64_t line;
	bool used;         /* shadow entry joined with a passwd entry */
};

struct table {
	struct entry *v;
	size_t n, cap;
};

/* A hash waiting for the cracker's answer. */
struct pending {
	size_t target;
	const struct gb_file *file;
	uint64_t line;
	char *name;
	bool group;
	enum gb_hash_kind kind;
};

struct pendv {
	struct pending *v;
	size_t n, cap;
};

/* ---- parsing ---- */

struct field {
	const char *p;
	size_t n;
};

static bool printable(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x21 || (unsigned char)p[i] > 0x7e)
			return false;
	return true;
}

static long long parse_id(struct field f)
{
	long long v = 0;
	if (f.n == 0 || f.n > 10)
		return -1;
	for (size_t i = 0; i < f.n; i++) {
		if (f.p[i] < '0' || f.p[i] > '9')
			return -1;
		v = v * 10 + (f.p[i] - '0');
	}
	return v <= 0xffffffffLL ? v : -1;
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].name);
		free(t->v[i].pw);
		free(t->v[i].gecos);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
}

/* Keep one line's entry: name, password field, id (field `id_field`) and
 * GECOS (field 4 of passwd). Lines that are not a sane entry are skipped. */
static int table_add(struct table *t, const struct field *f, size_t nf, uint64_t line, int id_field,
		     bool want_gecos)
{
	struct entry e = {.id = -1, .line = line};

	if (nf < 2 || f[0].n == 0 || f[0].n > MAX_NAME || !printable(f[0].p, f[0].n) || f[0].p[0] == '+' ||
	    f[0].p[0] == '-')
		return 0;
	if (t->n >= MAX_ENTRIES)
		return 0;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct entry *nv = realloc(t->v, cap * sizeof(*nv));
		if (!nv)
			return -GB_ENOMEM;
		t->v = nv;
		t->cap = cap;
	}
	e.name = strndup(f[0].p, f[0].n);
	/* a password field that is too long or not ASCII is kept as "?"
	 * (not empty, not a hash) */
	if (f[1].n > MAX_HASH || !printable(f[1].p, f[1].n))
		e.pw = strdup("?");
	else
		e.pw = strndup(f[1].p, f[1].n);
	if (id_field >= 0 && (size_t)id_field < nf)
		e.id = parse_id(f[id_field]);
	if (want_gecos && nf > 4 && f[4].n <= 128 && printable(f[4].p, f[4].n))
		e.gecos = strndup(f[4].p, f[4].n);
	if (!e.name || !e.pw) {
		free(e.name);
		free(e.pw);
		free(e.gecos);
		return -GB_ENOMEM;
	}
	t->v[t->n++] = e;
	return 0;
}

/* Parse a colon-separated database: id_field is the uid/gid field (2) or -1. */
static int parse_db(const struct gb_span *s, struct table *t, int id_field, bool want_gecos)
{
	const char *p = (const char *)s->p;
	size_t n = s->n < MAX_SCAN_BYTES ? s->n : MAX_SCAN_BYTES;
	uint64_t line = 0;

	for (size_t i = 0; i < n;) {
		const char *ls = p + i;
		const char *le = memchr(ls, '\n', n - i);
		size_t len = le ? (size_t)(le - ls) : n - i;
		i += len + 1;
		line++;
		if (len && ls[len - 1] == '\r')
			len--;
		if (len == 0 || ls[0] == '#')
			continue;
		struct field f[MAX_FIELDS];
		size_t nf = 0, start = 0;
		for (size_t k = 0; k <= len && nf < MAX_FIELDS; k++) {
			if (k == len || ls[k] == ':') {
				f[nf].p = ls + start;
				f[nf].n = k - start;
				nf++;
				start = k + 1;
			}
		}
		int r = table_add(t, f, nf, line, id_field, want_gecos);
		if (r < 0)
			return r;
	}
	return 0;
}

static int load_db(struct gb_aout *out, const struct gb_file *f, struct table *t, int id_field, bool gecos)
{
	struct gb_span s;
	if (!f || gb_audit_map(out, f, &s) < 0)
		return 0;
	int r = parse_db(&s, t, id_field, gecos);
	gb_audit_unmap(&s);
	return r;
}

static struct entry *find(struct table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->v[i].name, name) == 0)
			return &t->v[i];
	return NULL;
}

/* ---- words for guessing ---- */

struct words {
	char *v[MAX_CONTEXT + 4];
	size_t n;
};

static bool word_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

static void words_add(struct words *w, const char *p, size_t n)
{
	bool digits = true;
	if (n < 3 || n > 32 || w->n >= MAX_CONTEXT)
		return;
	for (size_t i = 0; i < n; i++)
		digits = digits && p[i] >= '0' && p[i] <= '9';
	if (digits)
		return;
	for (size_t i = 0; i < w->n; i++)
		if (strlen(w->v[i]) == n && memcmp(w->v[i], p, n) == 0)
			return;
	char *s = strndup(p, n);
	if (s)
		w->v[w->n++] = s;
}

static void words_free(struct words *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->v[i]);
	w->n = 0;
}

/* A host name and its parts: "olt-armel-1" gives olt-armel-1, olt, armel. */
static void add_hostname(struct words *w, const char *p, size_t n)
{
	while (n && (*p == ' ' || *p == '\t' || *p == '\'' || *p == '"'))
		p++, n--;
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\'' || p[n - 1] == '"'))
		n--;
	for (size_t i = 0; i < n; i++)
		if (!word_char(p[i]) && p[i] != '-' && p[i] != '_' && p[i] != '.')
			return;
	words_add(w, p, n);
	for (size_t i = 0, s = 0; i <= n; i++) {
		if (i == n || !word_char(p[i])) {
			words_add(w, p + s, i - s);
			s = i + 1;
		}
	}
}

/* Words of the image: /etc/hostname, OpenWrt's `option hostname`. */
static void context_words(struct gb_aout *out, int node, struct words *w)
{
	const struct gb_file *f = gb_audit_lookup(out, node, "/etc/hostname");
	struct gb_span s;

	if (f && gb_audit_map(out, f, &s) == 0) {
		size_t n = s.n < 256 ? s.n : 256;
		const char *e = memchr(s.p, '\n', n);
		add_hostname(w, (const char *)s.p, e ? (size_t)(e - (const char *)s.p) : n);
		gb_audit_unmap(&s);
	}
	f = gb_audit_lookup(out, node, "/etc/config/system");
	if (f && gb_audit_map(out, f, &s) == 0) {
		const char *p = (const char *)s.p;
		size_t n = s.n < 65536 ? s.n : 65536;
		static const char key[] = "option hostname";
		for (size_t i = 0; i < n;) {
			const char *e = memchr(p + i, '\n', n - i);
			size_t len = e ? (size_t)(e - (p + i)) : n - i;
			const char *l = p + i;
			while (len && (*l == ' ' || *l == '\t'))
				l++, len--;
			if (len > sizeof(key) && memcmp(l, key, sizeof(key) - 1) == 0)
				add_hostname(w, l + sizeof(key) - 1, len - (sizeof(key) - 1));
			i = e ? (size_t)(e - p) + 1 : n;
		}
		gb_audit_unmap(&s);
	}
}

/* The account's own words: its name, then the words of its GECOS name. */
static void personal_words(const struct entry *e, struct words *w)
{
	w->v[w->n] = strdup(e->name);
	if (w->v[w->n])
		w->n++;
	if (!e->gecos)
		return;
	const char *g = e->gecos;
	size_t n = strcspn(g, ",");
	for (size_t i = 0, s = 0; i <= n; i++) {
		if (i == n || !word_char(g[i])) {
			if (i - s != strlen(e->name) || strncmp(g + s, e->name, i - s) != 0)
				words_add(w, g + s, i - s);
			s = i + 1;
		}
	}
}

/* ---- findings ---- */

/* The password as printable ASCII for messages (\xNN for other bytes). */
static void escape(const char *s, char *buf, size_t cap)
{
	size_t o = 0;
	for (; *s && o + 5 < cap; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch >= 0x20 && ch < 0x7f && ch != '\\')
			buf[o++] = (char)ch;
		else
			o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", ch);
	}
	buf[o] = '\0';
}

static json_t *who(const char *name, bool group)
{
	json_t *d = json_object();
	if (d)
		json_object_set_new(d, group ? "group" : "user", json_string(name));
	return d;
}

static int report_hash(struct state *st, struct gb_aout *out, struct pendv *pv, const char *name, bool group,
		       const char *hash, const struct gb_file *f, uint64_t line, const struct words *w,
		       const struct words *ctx)
{
	enum gb_hash_kind k = gb__hash_kind(hash);
	const char *kname = gb__hash_name(k);

	if (!gb__hash_crackable(k))
		return 0;
	if (gb__hash_weak(k)) {
		json_t *d = who(name, group);
		json_object_set_new(d, "hash_type", json_string(kname));
		gb_aout_finding(out, "credential.weak-hash", GB_SEV_MEDIUM, f, line, -1, d,
				"%s %s's password is hashed with %s crypt, which is fast to brute-force",
				group ? "group" : "account", name, kname);
	}
	int t = gb__cracker_add(st->cracker, name, hash, (const char *const *)w->v, w->n,
				(const char *const *)ctx->v, ctx->n);
	if (t < 0)
		return t;
	if (pv->n == pv->cap) {
		size_t cap = pv->cap ? pv->cap * 2 : 16;
		struct pending *nv = realloc(pv->v, cap * sizeof(*nv));
		if (!nv)
			return -GB_ENOMEM;
		pv->v = nv;
		pv->cap = cap;
	}
	char *n = strdup(name);
	if (!n)
		return -GB_ENOMEM;
	pv->v[pv->n++] = (struct pending){(size_t)t, f, line, n, group, k};
	return 0;
}

static void report_empty(struct gb_aout *out, const struct entry *e, const struct gb_file *f, uint64_t line,
			 const char *where)
{
	json_t *d = who(e->name, false);
	if (e->id >= 0)
		json_object_set_new(d, "uid", json_integer(e->id));
	json_object_set_new(d, "source", json_string(where));
	gb_aout_finding(out, "account.empty-password", GB_SEV_CRITICAL, f, line, -1, d,
			"account %s has an empty password field in %s: it logs in without a password", e->name,
			where);
}

/* One passwd entry joined with its shadow entry. */
static int audit_account(struct state *st, struct gb_aout *out, struct pendv *pv, struct entry *e,
			 const struct gb_file *pwf, struct table *sh, const struct gb_file *shf,
			 const struct words *ctx)
{
	enum gb_hash_kind k = gb__hash_kind(e->pw);
	const char *hash = e->pw;
	const struct gb_file *hf = pwf;
	uint64_t hline = e->line;
	struct words w = {.n = 0};
	int r;

	if (e->id == 0 && strcmp(e->name, "root") != 0) {
		json_t *d = who(e->name, false);
		json_object_set_new(d, "uid", json_integer(0));
		gb_aout_finding(out, "account.uid0-extra", GB_SEV_HIGH, pwf, e->line, -1, d,
				"account %s has uid 0: it is a second root account", e->name);
	}
	if (k == GB_HASH_SHADOW) {
		struct entry *s = find(sh, e->name);
		if (!s)
			return 0;
		s->used = true;
		hash = s->pw;
		hf = shf;
		hline = s->line;
		k = gb__hash_kind(hash);
		if (k == GB_HASH_EMPTY)
			report_empty(out, e, shf, s->line, "shadow");
	} else if (k == GB_HASH_EMPTY) {
		report_empty(out, e, pwf, e->line, "passwd");
	} else if (gb__hash_crackable(k)) {
		json_t *d = who(e->name, false);
		json_object_set_new(d, "hash_type", json_string(gb__hash_name(k)));
		gb_aout_finding(out, "account.hash-in-passwd", GB_SEV_MEDIUM, pwf, e->line, -1, d,
				"account %s has its %s password hash in %s, which every user can read", e->name,
				gb__hash_name(k), pwf->path);
	}
	personal_words(e, &w);
	r = report_hash(st, out, pv, e->name, false, hash, hf, hline, &w, ctx);
	words_free(&w);
	return r;
}

/* A passwd file (may be NULL: a shadow without passwd), its shadow and group. */
static int audit_set(struct state *st, struct gb_aout *out, struct pendv *pv, int node, const struct gb_file *pwf,
		     const struct gb_file *shf, const struct gb_file *grf)
{
	struct table pw = {0}, sh = {0}, gr = {0};
	struct words ctx = {.n = 0};
	int r;

	r = load_db(out, pwf, &pw, 2, true);
	if (r == 0)
		r = load_db(out, shf, &sh, -1, false);
	if (r == 0)
		r = load_db(out, grf, &gr, 2, false);
	if (r == 0 && pw.n + sh.n + gr.n)
		context_words(out, node, &ctx);
	for (size_t i = 0; r == 0 && i < pw.n; i++)
		r = audit_account(st, out, pv, &pw.v[i], pwf, &sh, shf, &ctx);
	/* shadow entries without a passwd file: their hashes still tell */
	for (size_t i = 0; r == 0 && !pwf && i < sh.n; i++) {
		struct entry *s = &sh.v[i];
		struct words w = {.n = 0};
		if (gb__hash_kind(s->pw) == GB_HASH_EMPTY)
			report_empty(out, s, shf, s->line, "shadow");
		personal_words(s, &w);
		r = report_hash(st, out, pv, s->name, false, s->pw, shf, s->line, &w, &ctx);
		words_free(&w);
	}
	/* group passwords (newgrp) */
	for (size_t i = 0; r == 0 && i < gr.n; i++) {
		struct words w = {.n = 0};
		personal_words(&gr.v[i], &w);
		r = report_hash(st, out, pv, gr.v[i].name, true, gr.v[i].pw, grf, gr.v[i].line, &w, &ctx);
		words_free(&w);
	}
	words_free(&ctx);
	table_free(&pw);
	table_free(&sh);
	table_free(&gr);
	return r;
}

/* ---- finding the databases ---- */

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* Is `path` DIR/<name> with DIR an etc directory (etc, etc_ro, etc_rw)? */
static bool in_etc(const char *path, const char *name, char *dir, size_t cap)
{
	const char *b = base_name(path);
	if (strcmp(b, name) != 0 || b == path)
		return false;
	size_t dlen = (size_t)(b - path) - 1;
	if (dlen + 1 > cap)
		return false;
	memcpy(dir, path, dlen);
	dir[dlen] = '\0';
	const char *d = base_name(dir);
	return strcmp(d, "etc") == 0 || strcmp(d, "etc_ro") == 0 || strcmp(d, "etc_rw") == 0;
}

static const struct gb_file *lookup_in(struct gb_aout *out, int node, const char *dir, const char *name)
{
	char p[4096];
	if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, name) >= sizeof(p))
		return NULL;
	return gb_audit_lookup(out, node, p);
}

static int find_sets(struct state *st, struct gb_aout *out, struct pendv *pv)
{
	const struct gb_scan *scan = st->scan;
	bool *seen = calloc(scan->n_files ? scan->n_files : 1, sizeof(*seen));
	char dir[4096];
	int r = 0;

	if (!seen)
		return -GB_ENOMEM;
	/* passwd files, with the shadow and group beside them */
	for (size_t i = 0; r == 0 && i < scan->n_files; i++) {
		const struct gb_file *f = &scan->files[i];
		if (!in_etc(f->path, "passwd", dir, sizeof(dir)))
			continue;
		const struct gb_file *pwf = gb_audit_lookup(out, f->node, f->path);
		if (!pwf || seen[pwf - scan->files])
			continue;
		seen[pwf - scan->files] = true;
		const struct gb_file *shf = lookup_in(out, f->node, dir, "shadow");
		const struct gb_file *grf = lookup_in(out, f->node, dir, "group");
		if (shf)
			seen[shf - scan->files] = true;
		r = audit_set(st, out, pv, f->node, pwf, shf, grf);
	}
	/* shadow files that no passwd file claimed */
	for (size_t i = 0; r == 0 && i < scan->n_files; i++) {
		const struct gb_file *f = &scan->files[i];
		if (!in_etc(f->path, "shadow", dir, sizeof(dir)))
			continue;
		const struct gb_file *shf = gb_audit_lookup(out, f->node, f->path);
		if (!shf || seen[shf - scan->files])
			continue;
		seen[shf - scan->files] = true;
		r = audit_set(st, out, pv, f->node, NULL, shf, NULL);
	}
	free(seen);
	return r;
}

/* ---- the analyzer ---- */

static void report_cracked(struct state *st, struct gb_aout *out, const struct pending *p)
{
	const char *pw, *src;
	char esc[1100];

	if (!gb__cracker_result(st->cracker, p->target, &pw, &src))
		return;
	json_t *d = who(p->name, p->group);
	json_t *js = json_string(pw);
	escape(pw, esc, sizeof(esc));
	json_object_set_new(d, "password", js ? js : json_string(esc));
	json_object_set_new(d, "hash_type", json_string(gb__hash_name(p->kind)));
	json_object_set_new(d, "candidate_source", json_string(src));
	const char *how = strcmp(src, "credentials-list") == 0 ? "a published default credential"
			  : strcmp(src, "account-name") == 0  ? "a guess from the account's name"
			  : strcmp(src, "image-context") == 0 ? "a guess from the device's host name"
							      : "a --wordlist entry";
	if (pw[0])
		gb_aout_finding(out, "credential.default-password", GB_SEV_CRITICAL, p->file, p->line, -1, d,
				"%s %s has the password '%s' (%s)", p->group ? "group" : "account", p->name, esc, how);
	else
		gb_aout_finding(out, "credential.default-password", GB_SEV_CRITICAL, p->file, p->line, -1, d,
				"%s %s's hash is of the empty password", p->group ? "group" : "account", p->name);
}

static int start(void *state, const struct gb_scan *scan)
{
	struct state *st = state;
	st->scan = scan;
	return 0;
}

static int init(const struct gb_audit_opts *opts, void **ret_state)
{
	struct state *st = calloc(1, sizeof(*st));
	if (!st)
		return -GB_ENOMEM;
	int r = gb__cracker_new(opts, &st->cracker);
	if (r < 0) {
		free(st);
		return r;
	}
	*ret_state = st;
	return 0;
}

static bool wants(void *state, const struct gb_afile *f)
{
	return false; /* everything happens in finish(), across files */
}

static int run(void *state, const struct gb_afile *f, struct gb_aout *out)
{
	return 0;
}

static int finish(void *state, struct gb_aout *out)
{
	struct state *st = state;
	struct pendv pv = {0};
	int r = find_sets(st, out, &pv);

	if (r == 0)
		r = gb__cracker_run(st->cracker, out);
	for (size_t i = 0; r == 0 && i < pv.n; i++)
		report_cracked(st, out, &pv.v[i]);
	for (size_t i = 0; i < pv.n; i++)
		free(pv.v[i].name);
	free(pv.v);
	json_t *sum = gb__cracker_summary(st->cracker);
	if (sum)
		gb_aout_summary_set(out, "credentials", sum);
	return r;
}

static void fini(void *state)
{
	struct state *st = state;
	if (!st)
		return;
	gb__cracker_free(st->cracker);
	free(st);
}

const struct gb_analyzer gb__an_accounts = {
	.name = "accounts",
	.description = "passwd/shadow/group: empty passwords, extra root accounts, weak and default password hashes",
	.init = init,
	.start = start,
	.wants = wants,
	.run = run,
	.finish = finish,
	.fini = fini,
};
