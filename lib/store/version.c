/* Version ordering and CPE names for vulnerability matching.
 *
 * Upstream versions of embedded software follow no single scheme, so the
 * ordering works on tokens: a version is split into runs of digits (numbers)
 * and runs of letters (words); every other character (. - _ + ~ :) only
 * separates tokens, so "1.0.2-beta1" equals "1.0.2beta1". A leading "v" before
 * a digit is dropped. Tokens compare left to right:
 *
 *   number vs number   numerically, any length (1.10 > 1.9, 007 == 7)
 *   word vs word       pre-release words by their rank (dev < alpha < beta <
 *                      pre < rc); other words ("letter releases") as base-26
 *                      numbers: shorter first, then alphabetically, case
 *                      ignored (z < za < zb < zf: OpenSSL 1.0.2z < 1.0.2za)
 *   different kinds    pre-release word < end of version < other word <
 *                      number
 *
 * and when one version ends, trailing zero numbers of the other are ignored
 * (5.10 == 5.10.0). Hence, with the kinds rule:
 *   1.0.2 < 1.0.2a < 1.0.2k < 1.0.2z < 1.0.2za < 1.0.2zf < 1.0.3
 *   8.4 < 8.4p1 < 8.4p2 < 9.0p1            (OpenSSH portable releases)
 *   2020.81 < 2022.83 < 2025.88            (Dropbear YYYY.NN)
 *   5.10-rc1 < 5.10-rc2 < 5.10 == 5.10.0 < 5.10.1   (kernel)
 *   1.1.1-pre9 < 1.1.1 < 1.1.1a, 1.0.2-beta1 < 1.0.2
 * Not handled: Debian epochs and revisions ("1:1.35.0-4") compare as more
 * numbers; components report upstream versions. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <glassbox/errors.h>

#include "store/store.h"

enum tok_kind {
	TK_PRE = 0, /* pre-release word */
	TK_END = 1,
	TK_WORD = 2, /* letters of a letter release, "p" of 8.4p1 ... */
	TK_NUM = 3,
};

struct tok {
	enum tok_kind kind;
	const char *p; /* the token's characters (numbers: without leading zeros) */
	size_t n;
	int rank;      /* TK_PRE: order of the word */
};

static const char *const pre_words[] = {"dev", "snapshot", "alpha", "beta", "pre", "rc"};

static int pre_rank(const char *p, size_t n)
{
	for (size_t i = 0; i < sizeof(pre_words) / sizeof(pre_words[0]); i++)
		if (strlen(pre_words[i]) == n && strncasecmp(p, pre_words[i], n) == 0)
			return (int)i;
	return -1;
}

/* The next token at *s (advancing it). */
static struct tok next_tok(const char **s)
{
	const char *p = *s;
	struct tok t = {TK_END, NULL, 0, 0};

	while (*p && !isalnum((unsigned char)*p))
		p++;
	if (!*p) {
		*s = p;
		return t;
	}
	const char *start = p;
	if (isdigit((unsigned char)*p)) {
		while (*p == '0' && isdigit((unsigned char)p[1]))
			p++;
		start = p;
		while (isdigit((unsigned char)*p))
			p++;
		t.kind = TK_NUM;
	} else {
		while (isalpha((unsigned char)*p))
			p++;
		int r = pre_rank(start, (size_t)(p - start));
		t.kind = r >= 0 ? TK_PRE : TK_WORD;
		t.rank = r;
	}
	t.p = start;
	t.n = (size_t)(p - start);
	*s = p;
	return t;
}

static bool is_zero(const struct tok *t)
{
	return t->kind == TK_NUM && t->n == 1 && t->p[0] == '0';
}

static int cmp_same(const struct tok *a, const struct tok *b)
{
	switch (a->kind) {
	case TK_NUM:
	case TK_WORD:
		/* numbers without leading zeros and letter releases (base 26):
		 * the longer is the larger, then digit/letter order */
		if (a->n != b->n)
			return a->n < b->n ? -1 : 1;
		for (size_t i = 0; i < a->n; i++) {
			int x = tolower((unsigned char)a->p[i]), y = tolower((unsigned char)b->p[i]);
			if (x != y)
				return x < y ? -1 : 1;
		}
		return 0;
	case TK_PRE:
		return a->rank < b->rank ? -1 : a->rank > b->rank;
	case TK_END:
		return 0;
	}
	return 0;
}

int gb_version_cmp(const char *a, const char *b)
{
	if (!a || !b)
		return a == b ? 0 : a ? 1 : -1;
	if ((a[0] == 'v' || a[0] == 'V') && isdigit((unsigned char)a[1]))
		a++;
	if ((b[0] == 'v' || b[0] == 'V') && isdigit((unsigned char)b[1]))
		b++;
	struct tok ta = next_tok(&a), tb = next_tok(&b);
	for (;;) {
		if (ta.kind == TK_END && tb.kind == TK_END)
			return 0;
		/* 5.10 == 5.10.0: a zero against the end of the other version */
		if (ta.kind == TK_END && is_zero(&tb)) {
			tb = next_tok(&b);
			continue;
		}
		if (tb.kind == TK_END && is_zero(&ta)) {
			ta = next_tok(&a);
			continue;
		}
		if (ta.kind != tb.kind)
			return ta.kind < tb.kind ? -1 : 1;
		int c = cmp_same(&ta, &tb);
		if (c)
			return c;
		ta = next_tok(&a);
		tb = next_tok(&b);
	}
}

/* The length of the part of `v` before an "update" suffix in NVD's sense:
 * "9.3p1" -> "9.3" (OpenSSH), "1.0.2-beta1" -> "1.0.2", "2.4.1_rc2" ->
 * "2.4.1"; a letter release ("1.1.1w") has no update. Returns strlen(v) when
 * there is none. */
static size_t base_len(const char *v)
{
	for (size_t i = 1; v[i]; i++) {
		unsigned char c = (unsigned char)v[i], prev = (unsigned char)v[i - 1];
		if (!isdigit(prev))
			continue;
		if (strchr("-_+~", c) && v[i + 1])
			return i;
		if ((c == 'p' || c == 'P') && isdigit((unsigned char)v[i + 1]))
			return i;
		if (isalpha(c)) {
			size_t n = 0;
			while (isalpha((unsigned char)v[i + n]))
				n++;
			if (pre_rank(v + i, n) >= 0)
				return i;
		}
	}
	return strlen(v);
}

static bool is_any(const char *s)
{
	return !s || !*s || strcmp(s, "*") == 0;
}

bool gb__row_matches(const char *version, const char *crit_version, const char *crit_update, const char *vs,
		     bool vs_incl, const char *ve, bool ve_incl)
{
	if (!version || !*version)
		return false;
	if (vs || ve) {
		if (vs) {
			int c = gb_version_cmp(version, vs);
			if (vs_incl ? c < 0 : c <= 0)
				return false;
		}
		if (ve) {
			int c = gb_version_cmp(version, ve);
			if (ve_incl ? c > 0 : c >= 0)
				return false;
		}
		return true;
	}
	if (is_any(crit_version))
		return true; /* every version */
	if (strcmp(crit_version, "-") == 0)
		return false; /* "not applicable": no versioned component is it */
	if (crit_update && strcmp(crit_update, "-") == 0)
		return gb_version_cmp(version, crit_version) == 0;
	if (is_any(crit_update)) {
		if (gb_version_cmp(version, crit_version) == 0)
			return true;
		/* 9.3p1 is 9.3 with update p1: "openssh:9.3:*" covers it */
		char base[128];
		size_t n = base_len(version);
		if (n >= sizeof(base) || n == strlen(version))
			return false;
		memcpy(base, version, n);
		base[n] = '\0';
		return gb_version_cmp(base, crit_version) == 0;
	}
	char full[192];
	if (snprintf(full, sizeof(full), "%s%s", crit_version, crit_update) >= (int)sizeof(full))
		return false;
	return gb_version_cmp(version, full) == 0;
}

/* ---- CPE 2.3 formatted strings ---- */

int gb__cpe_parse(const char *s, struct gb_cpe *ret)
{
	struct gb_cpe c;
	char *fields[5] = {c.part, c.vendor, c.product, c.version, c.update};
	size_t caps[5] = {sizeof(c.part), sizeof(c.vendor), sizeof(c.product), sizeof(c.version), sizeof(c.update)};

	memset(&c, 0, sizeof(c));
	if (!s || strncmp(s, "cpe:2.3:", 8) != 0)
		return -GB_EINVAL;
	s += 8;
	for (int f = 0; f < 5; f++) {
		size_t k = 0;
		while (*s && *s != ':') {
			char ch = *s++;
			if (ch == '\\') {
				if (!*s)
					return -GB_EINVAL;
				ch = *s++;
			}
			if (k + 1 >= caps[f])
				return -GB_EINVAL;
			fields[f][k++] = f == 1 || f == 2 ? (char)tolower((unsigned char)ch) : ch;
		}
		fields[f][k] = '\0';
		if (f < 4) {
			if (*s != ':') {
				if (f < 3)
					return -GB_EINVAL;
				break; /* no update field: any */
			}
			s++;
		}
	}
	if (!c.part[0] || !c.vendor[0] || !c.product[0])
		return -GB_EINVAL;
	*ret = c;
	return 0;
}
