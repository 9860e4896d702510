/* Internal to the components analyzer: the signature database
 * (data/components.json, docs/components.md) and the small bounded regular
 * expression matcher that reads versions around the literal anchors found
 * by the Aho-Corasick pass.
 *
 * The regex dialect is a subset of POSIX ERE / PCRE over bytes: literals,
 * escapes (\. \\ \0 \xHH \n \r \t \d \s \w), `.` (any byte but NUL and
 * newline), classes [a-z0-9_] [^...], groups ( ) and (?: ), alternation |,
 * and the greedy quantifiers ? * + {n} {n,} {n,m} (n, m <= 255). No ^ or $:
 * a pattern is always matched from a given start offset. Matching is
 * backtracking with a step budget and a window of at most GB_SIG_WINDOW bytes,
 * so hostile data cannot make it slow. */
#ifndef GB_ANALYZE_SIGNATURES_H
#define GB_ANALYZE_SIGNATURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GB_SIG_WINDOW 1024  /* bytes a match may span after its start */
#define GB_SIG_MAX_CAPS 8

struct gb_sig_re;

struct gb_sig_match {
	size_t start, end;      /* the whole match */
	size_t vstart, vend;    /* the version capture group */
};

/* Compile src (len bytes). On a syntax error returns -GB_EINVAL and writes a
 * message into err. The version group is `group` (1-based), or the last
 * capturing group when group is 0; a pattern without any group is refused
 * unless allow_nogroup. */
int gb__sig_re_compile(const char *src, size_t len, unsigned group, bool allow_nogroup,
		       struct gb_sig_re **ret, char *err, size_t errlen);
void gb__sig_re_free(struct gb_sig_re *re);

/* The literal the pattern cannot match without (the longest top-level run of
 * literal bytes), and how many bytes the pattern may match before it.
 * Returns the anchor length (0 when there is none). */
size_t gb__sig_re_anchor(const struct gb_sig_re *re, const uint8_t **ret_anchor, size_t *ret_pre_min,
			 size_t *ret_pre_max);

/* Match at exactly p[start], reading no byte at or past p[lim]. Returns true
 * and fills *m on a match (leftmost-first, greedy, like Perl). */
bool gb__sig_re_match_at(const struct gb_sig_re *re, const uint8_t *p, size_t lim, size_t start,
			 struct gb_sig_match *m);

/* True when the whole string s[0..n) matches (SONAME patterns). */
bool gb__sig_re_full(const struct gb_sig_re *re, const char *s, size_t n);

/* Find a match of the pattern whose anchor occurs at offset `hit` of
 * p[0..n): tries the possible starts before the anchor, leftmost first, and
 * applies the version boundary rules (a version never starts right after a
 * digit or dot, never ends right before a digit or ".digit"). */
bool gb__sig_re_find_at_anchor(const struct gb_sig_re *re, const uint8_t *p, size_t n, size_t hit,
			       struct gb_sig_match *m);

#endif
