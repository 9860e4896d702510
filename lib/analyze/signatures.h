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
 * digit or dot, never ends right before a digit or ".digit"). The steps
 * taken are subtracted from *budget (the caller's allowance for a whole
 * file); nothing is tried once it is spent. */
bool gb__sig_re_find_at_anchor(const struct gb_sig_re *re, const uint8_t *p, size_t n, size_t hit,
			       struct gb_sig_match *m, unsigned long *budget);

/* ---- the database (data/components.json) ---- */

enum {
	GB_SIG_ELF = 1,     /* files of kind "elf" */
	GB_SIG_DATA = 2,    /* "data": kernels, bootloaders, raw blobs */
	GB_SIG_TEXT = 4,    /* "text" and scripts (opt-in) */
};

enum gb_sig_facts {
	GB_SIG_FACTS_NONE = 0,
	GB_SIG_FACTS_BUSYBOX,   /* record the applet list */
	GB_SIG_FACTS_IKCONFIG,  /* record the embedded kernel config */
};

struct gb_sig_bytes {
	uint8_t *p;
	size_t n;
};

struct gb_sig_pattern {
	struct gb_sig_re *re;
	char *src;              /* the regex as written */
	size_t comp;            /* index of its component */
	int priority;           /* higher wins within one file */
	bool gated;             /* only in files with a marker, SONAME or glob hint */
	const uint8_t *anchor;
	size_t anchor_len;
};

struct gb_sig_component {
	char *name;
	char *part, *vendor, *product;  /* CPE 2.3 part (a, o, h), vendor, product */
	char **also;                    /* more "vendor:product" pairs for matching */
	size_t n_also;
	char *purl;                     /* "pkg:type/namespace/name" without version */
	char *type;                     /* CycloneDX component type */
	unsigned files;                 /* GB_SIG_* kinds scanned */
	char **globs;
	size_t n_globs;
	struct gb_sig_bytes *markers;
	size_t n_markers;
	struct gb_sig_re **sonames;
	size_t n_sonames;
	struct gb_sig_bytes *confirm_pre, *confirm_post; /* templates split at {v} */
	size_t n_confirm;
	char *cut;                      /* cut the version at the first of these */
	char *strip_prefix;
	bool lower;
	bool unversioned;               /* report marked files even without a version */
	enum gb_sig_facts facts;
};

struct gb_sig_db {
	struct gb_sig_component *comps;
	size_t n_comps;
	struct gb_sig_pattern *pats;
	size_t n_pats;
	unsigned files;                 /* union of the components' kinds */
};

/* Parse and compile the database from JSON text. On a bad entry returns
 * -GB_EINVAL with a message naming the component in err. */
int gb__sig_db_load(const char *json, size_t len, struct gb_sig_db **ret, char *err, size_t errlen);
void gb__sig_db_free(struct gb_sig_db *db);

/* Apply the component's normalisation rules to a captured version; writes a
 * NUL-terminated string into out. Returns its length (0 = unusable). */
size_t gb__sig_normalize(const struct gb_sig_component *c, const uint8_t *v, size_t n, char *out, size_t cap);

/* True when the NUL-terminated path (or its last component) matches one of
 * the component's file-name globs. */
bool gb__sig_glob_hint(const struct gb_sig_component *c, const char *path);

#endif
