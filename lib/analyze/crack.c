/* Password-hash cracking with libxcrypt's crypt_rn() (see crack.h).
 *
 * Work is split into items (a target and a run of its candidates) that
 * gb_aout_parallel() spreads over the audit's threads; each item has its own
 * struct crypt_data. A target's answer is the lowest matching candidate index
 * (an atomic minimum): items past it stop early, items before it still run,
 * so the result does not depend on the thread timing.
 *
 * Cost: DES takes ~20 us a try, MD5 crypt ~0.5 ms, SHA-crypt ~1 us per round
 * (5 ms at the default 5000), bcrypt ~0.16 ms x 2^cost, yescrypt ~80 ms at
 * the default j9T. The built-in and derived candidates of one hash are capped
 * at WORK_BUDGET_US (or --crack-budget) of estimated CPU time (never below
 * MIN_CANDIDATES), so a slow hash gets its most specific guesses (its own
 * name and words, the image's words, the defaults listed for its user name)
 * and no more; --wordlist lines are always all tried. The
 * estimates depend only on the hash, so the cap is the same on every run. */
#include <crypt.h>
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <glassbox/errors.h>

#include "analyze/crack.h"
#include "analyze/shacrypt.h"

/* data/credentials.txt, embedded at build time (scripts/embed.py). */
extern const unsigned char gb__credentials_txt[];
extern const size_t gb__credentials_txt_len;

#define MAX_PASSWORD 256          /* longer candidates are skipped */
#define MAX_WORD 64               /* longer account/context words are ignored */
#define WORK_BUDGET_US 1000000.0  /* default estimated CPU per hash for non-wordlist candidates */
#define MIN_CANDIDATES 8
#define CHUNK_US 20000.0          /* estimated CPU per work item */
#define MAX_WORDLIST_BYTES (4ULL << 30)

enum src { SRC_LIST, SRC_ACCOUNT, SRC_CONTEXT, SRC_WORDLIST };

static const char *const src_names[] = {"credentials-list", "account-name", "image-context", "wordlist"};

struct cred {
	const char *user, *password;
};

struct strv {
	char **v;
	size_t n, cap;
};

struct target {
	char *user, *hash;
	enum gb_hash_kind kind;
	struct strv words, context;
	/* the candidate list, built by run(): cand[i] is borrowed from the
	 * built-in list or from `owned` */
	const char **cand;
	uint8_t *src;
	size_t n_cand, cap_cand;
	struct strv owned;
	size_t n_pre;      /* candidates tried before the wordlist (after the cap) */
	bool capped;
	_Atomic bool unsupported; /* crypt_rn() refuses the setting */
	double cost_us;
	_Atomic size_t best; /* lowest matching index, SIZE_MAX = none */
	bool fast;           /* a SHA-crypt hash gb__shacrypt_check() takes */
	struct gb_shacrypt_hash sha;
};

struct item {
	size_t t, start, end;
};

struct gb_cracker {
	char *list;               /* writable copy of the built-in list */
	struct cred *creds;
	size_t n_creds;
	const char **uniq;        /* distinct built-in passwords, in file order */
	size_t n_uniq;
	double budget_us;         /* WORK_BUDGET_US or opts->crack_budget_ms */
	char *wordlist_path;
	char *wl_buf;
	const char **wl;
	size_t n_wl;
	struct target *t;
	size_t n_t, cap_t;
	struct item *items;
	size_t n_items;
	_Atomic int oom;
	double seconds;
};

/* ---- hash kinds ---- */

static bool all_b64(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!gb__crypt_b64(s[i]))
			return false;
	return true;
}

enum gb_hash_kind gb__hash_kind(const char *h)
{
	size_t n = strlen(h);

	if (n == 0)
		return GB_HASH_EMPTY;
	if (h[0] == '!' || h[0] == '*')
		return GB_HASH_LOCKED;
	if (strcmp(h, "x") == 0)
		return GB_HASH_SHADOW;
	if (h[0] == '$') {
		static const struct {
			const char *prefix;
			enum gb_hash_kind kind;
		} pfx[] = {
			{"$1$", GB_HASH_MD5},     {"$md5", GB_HASH_SUNMD5},   {"$3$", GB_HASH_NT},
			{"$sha1$", GB_HASH_SHA1}, {"$5$", GB_HASH_SHA256},    {"$6$", GB_HASH_SHA512},
			{"$2a$", GB_HASH_BCRYPT}, {"$2b$", GB_HASH_BCRYPT},   {"$2x$", GB_HASH_BCRYPT},
			{"$2y$", GB_HASH_BCRYPT}, {"$7$", GB_HASH_SCRYPT},    {"$y$", GB_HASH_YESCRYPT},
			{"$gy$", GB_HASH_GOST_YESCRYPT},
		};
		for (size_t i = 0; i < sizeof(pfx) / sizeof(pfx[0]); i++)
			if (strncmp(h, pfx[i].prefix, strlen(pfx[i].prefix)) == 0)
				return n > strlen(pfx[i].prefix) ? pfx[i].kind : GB_HASH_UNKNOWN;
		return GB_HASH_UNKNOWN;
	}
	if (n == 20 && h[0] == '_' && all_b64(h + 1, 19))
		return GB_HASH_BSDI;
	if (n == 13 && all_b64(h, 13))
		return GB_HASH_DES;
	return GB_HASH_UNKNOWN;
}

const char *gb__hash_name(enum gb_hash_kind k)
{
	switch (k) {
	case GB_HASH_DES: return "des";
	case GB_HASH_BSDI: return "bsdi-des";
	case GB_HASH_MD5: return "md5";
	case GB_HASH_SUNMD5: return "sun-md5";
	case GB_HASH_NT: return "nt";
	case GB_HASH_SHA1: return "sha1";
	case GB_HASH_SHA256: return "sha256";
	case GB_HASH_SHA512: return "sha512";
	case GB_HASH_BCRYPT: return "bcrypt";
	case GB_HASH_SCRYPT: return "scrypt";
	case GB_HASH_YESCRYPT: return "yescrypt";
	case GB_HASH_GOST_YESCRYPT: return "gost-yescrypt";
	default: return NULL;
	}
}

bool gb__hash_weak(enum gb_hash_kind k)
{
	return k == GB_HASH_DES || k == GB_HASH_BSDI || k == GB_HASH_MD5 || k == GB_HASH_SUNMD5 || k == GB_HASH_NT;
}

/* A "rounds=N" parameter after `key` in the hash, or `def`. */
static double rounds_param(const char *h, const char *key, double def)
{
	const char *p = strstr(h, key);
	if (!p)
		return def;
	double r = strtod(p + strlen(key), NULL);
	return r >= 1 && r < 1e10 ? r : def;
}

static int b64_index(char ch)
{
	const char *p = ch ? strchr(gb__crypt_itoa64, ch) : NULL;
	return p ? (int)(p - gb__crypt_itoa64) : -1;
}

/* Estimated microseconds of CPU for one crypt() of this hash. */
static double hash_cost_us(enum gb_hash_kind k, const char *h)
{
	switch (k) {
	case GB_HASH_DES: return 20;
	case GB_HASH_BSDI: return 120;
	case GB_HASH_MD5: return 500;
	case GB_HASH_SUNMD5: return 6 * rounds_param(h, "rounds=", 5000);
	case GB_HASH_NT: return 2;
	case GB_HASH_SHA1: return 1.5 * rounds_param(h, "$sha1$", 40000);
	case GB_HASH_SHA256:
	case GB_HASH_SHA512: return 1.2 * rounds_param(h, "rounds=", 5000);
	case GB_HASH_BCRYPT: {
		int cost = atoi(h + 4);
		return 160.0 * (double)(1ULL << (cost >= 4 && cost <= 31 ? cost : 10));
	}
	case GB_HASH_YESCRYPT:
	case GB_HASH_GOST_YESCRYPT: {
		/* $y$<flavour><log2 N - 1><r - 1>$...: 80 ms at N = 4096, r = 32 */
		const char *p = strchr(h + 1, '$');
		int n = p ? b64_index(p[2]) : -1, r = p && n >= 0 ? b64_index(p[3]) : -1;
		if (n < 0 || r < 0 || n > 30 || p[4] != '$')
			return 80000;
		return 80000.0 * (double)(1ULL << (n + 1)) * (r + 1) / (4096.0 * 32);
	}
	case GB_HASH_SCRYPT: return 400000;
	default: return 1000;
	}
}

/* ---- string vectors ---- */

static int strv_push(struct strv *v, char *s)
{
	if (!s)
		return -GB_ENOMEM;
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 8;
		char **nv = realloc(v->v, cap * sizeof(*nv));
		if (!nv) {
			free(s);
			return -GB_ENOMEM;
		}
		v->v = nv;
		v->cap = cap;
	}
	v->v[v->n++] = s;
	return 0;
}

static void strv_free(struct strv *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i]);
	free(v->v);
	memset(v, 0, sizeof(*v));
}

/* ---- the built-in list ---- */

/* Split the embedded list into (user, password) pairs and the distinct
 * passwords in order. Lines: USER<TAB>PASSWORD, '#' comments. */
static int parse_builtin(struct gb_cracker *c)
{
	size_t n = gb__credentials_txt_len, lines = 1;

	c->list = malloc(n + 1);
	if (!c->list)
		return -GB_ENOMEM;
	memcpy(c->list, gb__credentials_txt, n);
	c->list[n] = '\0';
	for (size_t i = 0; i < n; i++)
		lines += c->list[i] == '\n';
	c->creds = calloc(lines, sizeof(*c->creds));
	c->uniq = calloc(lines, sizeof(*c->uniq));
	if (!c->creds || !c->uniq)
		return -GB_ENOMEM;
	for (char *line = c->list, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		size_t len = strlen(line);
		if (len && line[len - 1] == '\r')
			line[--len] = '\0';
		char *tab = strchr(line, '\t');
		if (line[0] == '#' || !tab || tab == line)
			continue;
		*tab = '\0';
		struct cred *cr = &c->creds[c->n_creds++];
		cr->user = line;
		cr->password = tab + 1;
		bool dup = false;
		for (size_t k = 0; k < c->n_uniq && !dup; k++)
			dup = strcmp(c->uniq[k], cr->password) == 0;
		if (!dup)
			c->uniq[c->n_uniq++] = cr->password;
	}
	return 0;
}

int gb__cracker_new(const struct gb_audit_opts *opts, struct gb_cracker **ret)
{
	struct gb_cracker *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return -GB_ENOMEM;
	r = parse_builtin(c);
	if (r < 0) {
		gb__cracker_free(c);
		return r;
	}
	c->budget_us = opts && opts->crack_budget_ms ? opts->crack_budget_ms * 1000.0 : WORK_BUDGET_US;
	if (opts && opts->wordlist) {
		FILE *f = fopen(opts->wordlist, "rb");
		if (!f) {
			gb_audit_init_error("cannot read the wordlist %s: %s", opts->wordlist, strerror(errno));
			gb__cracker_free(c);
			return -GB_EINVAL;
		}
		fclose(f);
		c->wordlist_path = strdup(opts->wordlist);
		if (!c->wordlist_path) {
			gb__cracker_free(c);
			return -GB_ENOMEM;
		}
	}
	*ret = c;
	return 0;
}

void gb__cracker_free(struct gb_cracker *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_t; i++) {
		struct target *t = &c->t[i];
		free(t->user);
		free(t->hash);
		strv_free(&t->words);
		strv_free(&t->context);
		strv_free(&t->owned);
		free(t->cand);
		free(t->src);
	}
	free(c->t);
	free(c->items);
	free(c->list);
	free(c->creds);
	free(c->uniq);
	free(c->wordlist_path);
	free(c->wl_buf);
	free(c->wl);
	free(c);
}

/* ---- targets ---- */

static int copy_words(struct strv *v, const char *const *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!w[i] || !w[i][0] || strlen(w[i]) > MAX_WORD)
			continue;
		int r = strv_push(v, strdup(w[i]));
		if (r < 0)
			return r;
	}
	return 0;
}

int gb__cracker_add(struct gb_cracker *c, const char *user, const char *hash, const char *const *words,
		    size_t n_words, const char *const *context, size_t n_context)
{
	for (size_t i = 0; i < c->n_t; i++)
		if (strcmp(c->t[i].user, user) == 0 && strcmp(c->t[i].hash, hash) == 0)
			return (int)i;
	if (c->n_t >= INT32_MAX)
		return -GB_ENOMEM;
	if (c->n_t == c->cap_t) {
		size_t cap = c->cap_t ? c->cap_t * 2 : 8;
		struct target *nt = realloc(c->t, cap * sizeof(*nt));
		if (!nt)
			return -GB_ENOMEM;
		c->t = nt;
		c->cap_t = cap;
	}
	struct target *t = &c->t[c->n_t];
	memset(t, 0, sizeof(*t));
	atomic_init(&t->best, SIZE_MAX);
	atomic_init(&t->unsupported, false);
	t->kind = gb__hash_kind(hash);
	t->cost_us = hash_cost_us(t->kind, hash);
	t->fast = gb__shacrypt_parse(hash, &t->sha);
	t->user = strdup(user);
	t->hash = strdup(hash);
	c->n_t++; /* from here on gb__cracker_free() releases it */
	if (!t->user || !t->hash || copy_words(&t->words, words, n_words) < 0 ||
	    copy_words(&t->context, context, n_context) < 0)
		return -GB_ENOMEM;
	return (int)(c->n_t - 1);
}

/* ---- candidate lists ---- */

static int cand_add(struct target *t, const char *s, enum src src, bool copy)
{
	if (strlen(s) > MAX_PASSWORD)
		return 0;
	for (size_t i = 0; i < t->n_cand; i++)
		if (strcmp(t->cand[i], s) == 0)
			return 0;
	if (t->n_cand == t->cap_cand) {
		size_t cap = t->cap_cand ? t->cap_cand * 2 : 64;
		const char **nc = realloc(t->cand, cap * sizeof(*nc));
		if (!nc)
			return -GB_ENOMEM;
		t->cand = nc;
		uint8_t *ns = realloc(t->src, cap);
		if (!ns)
			return -GB_ENOMEM;
		t->src = ns;
		t->cap_cand = cap;
	}
	if (copy) {
		int r = strv_push(&t->owned, strdup(s));
		if (r < 0)
			return r;
		s = t->owned.v[t->owned.n - 1];
	}
	t->cand[t->n_cand] = s;
	t->src[t->n_cand] = (uint8_t)src;
	t->n_cand++;
	return 0;
}

/* Add printf-formatted text as a derived candidate. */
__attribute__((format(printf, 3, 4))) static int cand_fmt(struct target *t, enum src src, const char *fmt, ...)
{
	char buf[MAX_PASSWORD + 1];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return 0;
	return cand_add(t, buf, src, true);
}

static void capitalize(char *dst, const char *s, size_t cap)
{
	snprintf(dst, cap, "%s", s);
	if (dst[0] >= 'a' && dst[0] <= 'z')
		dst[0] = (char)(dst[0] - 'a' + 'A');
}

/* Guesses from one of the account's own words (its name, GECOS words):
 * the word, capitalised, with common suffixes, doubled, reversed, and with
 * one class of letters replaced by look-alike digits or symbols. */
static int mangle_personal(struct target *t, const char *w)
{
	static const char *const suffixes[] = {"", "1", "12", "123", "1234", "12345", "!", "@123"};
	static const char *const cap_suffixes[] = {"", "1", "123", "!"};
	static const char leet[][2] = {{'a', '4'}, {'a', '@'}, {'e', '3'}, {'i', '1'}, {'o', '0'}, {'s', '5'}, {'s', '$'}};
	char cap[MAX_WORD + 1], tmp[MAX_WORD + 1];
	size_t n = strlen(w);
	int r = 0;

	capitalize(cap, w, sizeof(cap));
	for (size_t i = 0; r == 0 && i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		r = cand_fmt(t, SRC_ACCOUNT, "%s%s", w, suffixes[i]);
	for (size_t i = 0; r == 0 && i < sizeof(cap_suffixes) / sizeof(cap_suffixes[0]); i++)
		r = cand_fmt(t, SRC_ACCOUNT, "%s%s", cap, cap_suffixes[i]);
	for (size_t i = 0; r == 0 && i < sizeof(leet) / sizeof(leet[0]); i++) {
		if (!strchr(w, leet[i][0]))
			continue;
		for (size_t k = 0; k <= n; k++)
			tmp[k] = w[k] == leet[i][0] ? leet[i][1] : w[k];
		r = cand_fmt(t, SRC_ACCOUNT, "%s", tmp);
		if (r == 0 && tmp[0] >= 'a' && tmp[0] <= 'z') {
			tmp[0] = (char)(tmp[0] - 'a' + 'A');
			r = cand_fmt(t, SRC_ACCOUNT, "%s", tmp);
		}
	}
	if (r == 0)
		r = cand_fmt(t, SRC_ACCOUNT, "%s%s", w, w);
	for (size_t k = 0; k < n; k++)
		tmp[k] = w[n - 1 - k];
	tmp[n] = '\0';
	if (r == 0)
		r = cand_fmt(t, SRC_ACCOUNT, "%s", tmp);
	return r;
}

/* Guesses from a word of the image (host name...) joined with the user. */
static int mangle_context(struct target *t, const char *c, const char *u)
{
	char cap[MAX_WORD + 1];
	int r;

	capitalize(cap, c, sizeof(cap));
	r = cand_fmt(t, SRC_CONTEXT, "%s", c);
	if (r == 0)
		r = cand_fmt(t, SRC_CONTEXT, "%s", cap);
	if (r == 0)
		r = cand_fmt(t, SRC_CONTEXT, "%s1", c);
	if (r == 0)
		r = cand_fmt(t, SRC_CONTEXT, "%s123", c);
	if (r == 0 && strlen(u) <= MAX_WORD) {
		static const char seps[] = "-_@";
		for (size_t i = 0; r == 0 && i < 3; i++)
			r = cand_fmt(t, SRC_CONTEXT, "%s%c%s", c, seps[i], u);
		for (size_t i = 0; r == 0 && i < 3; i++)
			r = cand_fmt(t, SRC_CONTEXT, "%s%c%s", u, seps[i], c);
	}
	return r;
}

static int build_candidates(struct gb_cracker *c, struct target *t)
{
	int r = 0;

	/* Most specific first: the account's own name and words, the image's
	 * own words (host name, product) combined with it, then the published
	 * defaults for this user name, then every other default password. */
	if (strlen(t->user) <= MAX_PASSWORD)
		r = cand_add(t, t->user, SRC_ACCOUNT, true);
	for (size_t i = 0; r == 0 && i < t->words.n; i++)
		r = mangle_personal(t, t->words.v[i]);
	for (size_t i = 0; r == 0 && i < t->context.n; i++)
		r = mangle_context(t, t->context.v[i], t->user);
	for (size_t i = 0; r == 0 && i < c->n_creds; i++)
		if (strcasecmp(c->creds[i].user, t->user) == 0)
			r = cand_add(t, c->creds[i].password, SRC_LIST, false);
	for (size_t i = 0; r == 0 && i < c->n_uniq; i++)
		r = cand_add(t, c->uniq[i], SRC_LIST, false);
	if (r < 0)
		return r;
	double budget = c->budget_us / (t->cost_us > 0 ? t->cost_us : 1);
	size_t cap = budget > (double)SIZE_MAX / 2 ? SIZE_MAX / 2 : (size_t)budget;
	if (cap < MIN_CANDIDATES)
		cap = MIN_CANDIDATES;
	t->n_pre = t->n_cand < cap ? t->n_cand : cap;
	t->capped = t->n_pre < t->n_cand;
	return 0;
}

/* ---- the wordlist ---- */

static int load_wordlist(struct gb_cracker *c)
{
	FILE *f;
	struct stat st;
	size_t n, lines = 1;

	if (!c->wordlist_path)
		return 0;
	f = fopen(c->wordlist_path, "rb");
	if (!f)
		return -GB_EIO;
	if (fstat(fileno(f), &st) < 0 || (uint64_t)st.st_size > MAX_WORDLIST_BYTES) {
		fclose(f);
		return -GB_EIO;
	}
	c->wl_buf = malloc((size_t)st.st_size + 1);
	if (!c->wl_buf) {
		fclose(f);
		return -GB_ENOMEM;
	}
	n = fread(c->wl_buf, 1, (size_t)st.st_size, f);
	fclose(f);
	c->wl_buf[n] = '\0';
	for (size_t i = 0; i < n; i++)
		lines += c->wl_buf[i] == '\n';
	c->wl = malloc(lines * sizeof(*c->wl));
	if (!c->wl)
		return -GB_ENOMEM;
	for (size_t i = 0; i < n;) {
		char *s = c->wl_buf + i;
		char *e = memchr(s, '\n', n - i);
		size_t len = e ? (size_t)(e - s) : n - i;
		i += len + 1;
		s[len] = '\0';
		if (len && s[len - 1] == '\r')
			s[--len] = '\0';
		/* an embedded NUL would make crypt() see a shorter password */
		if (len == 0 || len > MAX_PASSWORD || strlen(s) != len)
			continue;
		c->wl[c->n_wl++] = s;
	}
	return 0;
}

/* ---- cracking ---- */

static const char *candidate(const struct gb_cracker *c, const struct target *t, size_t i)
{
	return i < t->n_pre ? t->cand[i] : c->wl[i - t->n_pre];
}

static void best_min(struct target *t, size_t i)
{
	size_t cur = atomic_load(&t->best);
	while (i < cur && !atomic_compare_exchange_weak(&t->best, &cur, i))
		;
}

/* One guess through libxcrypt: 1 match, 0 no match, -1 the hash kind is
 * refused (malformed or disabled: no password will do). */
static int try_crypt(const struct target *t, const char *guess, struct crypt_data *cd)
{
	const char *r = crypt_rn(guess, t->hash, cd, sizeof(*cd));
	if (!r || r[0] == '*')
		return -1;
	return strcmp(r, t->hash) == 0;
}

/* One guess at a SHA-crypt hash on OpenSSL's digests; libxcrypt when
 * OpenSSL fails. No confirmation by libxcrypt after a match: the digest
 * equals the stored one, and the host's crypt(3) has no say in what the
 * device's own libc accepts. */
static int try_fast(const struct target *t, const char *guess, struct gb_shacrypt_ctx *sc, struct crypt_data *cd)
{
	int r = sc ? gb__shacrypt_check(sc, &t->sha, guess) : -1;
	return r >= 0 ? r : try_crypt(t, guess, cd);
}

static int crack_item(void *ctx, size_t idx)
{
	struct gb_cracker *c = ctx;
	const struct item *it = &c->items[idx];
	struct target *t = &c->t[it->t];
	struct crypt_data *cd;
	struct gb_shacrypt_ctx *sc = NULL;

	if (it->start >= atomic_load(&t->best) || atomic_load(&t->unsupported))
		return 0;
	cd = calloc(1, sizeof(*cd));
	if (!cd) {
		atomic_store(&c->oom, 1);
		return -GB_ENOMEM;
	}
	if (t->fast && gb__shacrypt_ctx_new(t->sha.bits, &sc) == -GB_ENOMEM) {
		free(cd);
		atomic_store(&c->oom, 1);
		return -GB_ENOMEM;
	}
	for (size_t i = it->start; i < it->end && i < atomic_load_explicit(&t->best, memory_order_relaxed); i++) {
		const char *guess = candidate(c, t, i);
		int r = t->fast ? try_fast(t, guess, sc, cd) : try_crypt(t, guess, cd);
		if (r < 0) {
			atomic_store(&t->unsupported, true);
			break;
		}
		if (r == 1) {
			best_min(t, i);
			break;
		}
	}
	gb__shacrypt_ctx_free(sc);
	free(cd);
	return 0;
}

static int plan_items(struct gb_cracker *c)
{
	size_t n = 0;

	for (int pass = 0; pass < 2; pass++) {
		for (size_t ti = 0; ti < c->n_t; ti++) {
			const struct target *t = &c->t[ti];
			size_t total = t->n_pre + c->n_wl;
			double per = CHUNK_US / (t->cost_us > 0 ? t->cost_us : 1);
			size_t chunk = per < 1 ? 1 : per > 4096 ? 4096 : (size_t)per;
			for (size_t s = 0; s < total; s += chunk) {
				if (pass == 1)
					c->items[n] = (struct item){ti, s, s + chunk < total ? s + chunk : total};
				n++;
			}
		}
		if (pass == 0) {
			c->items = calloc(n ? n : 1, sizeof(*c->items));
			if (!c->items)
				return -GB_ENOMEM;
			n = 0;
		}
	}
	c->n_items = n;
	return 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int gb__cracker_run(struct gb_cracker *c, struct gb_aout *out)
{
	double t0 = now();
	int r = 0;

	if (c->n_t == 0)
		return 0;
	r = load_wordlist(c);
	for (size_t i = 0; r == 0 && i < c->n_t; i++)
		r = build_candidates(c, &c->t[i]);
	if (r == 0)
		r = plan_items(c);
	if (r == 0 && c->n_items)
		gb_aout_parallel(out, c->n_items, crack_item, c);
	if (r == 0 && atomic_load(&c->oom))
		r = -GB_ENOMEM;
	c->seconds = now() - t0;
	return r;
}

bool gb__cracker_result(const struct gb_cracker *c, size_t i, const char **ret_password, const char **ret_source)
{
	if (i >= c->n_t)
		return false;
	const struct target *t = &c->t[i];
	size_t best = atomic_load(&((struct target *)t)->best);
	if (best == SIZE_MAX)
		return false;
	*ret_password = candidate(c, t, best);
	*ret_source = src_names[best < t->n_pre ? t->src[best] : SRC_WORDLIST];
	return true;
}

json_t *gb__cracker_summary(const struct gb_cracker *c)
{
	size_t cracked = 0, capped = 0;
	for (size_t i = 0; i < c->n_t; i++) {
		const char *p, *s;
		cracked += gb__cracker_result(c, i, &p, &s);
		capped += c->t[i].capped;
	}
	return json_pack("{s:I, s:I, s:I, s:I, s:f}", "hashes", (json_int_t)c->n_t, "cracked", (json_int_t)cracked,
			 "candidates", (json_int_t)(c->n_uniq + c->n_wl), "capped", (json_int_t)capped, "seconds",
			 c->seconds);
}
