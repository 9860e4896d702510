/* Password-hash cracking for the accounts analyzer: crypt(3) hash kinds,
 * candidate lists (built-in default credentials, account-derived guesses,
 * --wordlist) and a parallel dictionary attack on the audit's threads.
 *
 * A cracker collects targets (user, hash, words from the account and the
 * image) and then tries, for each target in order: the account's own name,
 * guesses derived from the account and image words (John the Ripper's
 * "single crack" idea), the built-in passwords listed for that user name,
 * every other built-in password, then every --wordlist line. The first candidate
 * in that order that matches is the answer, whatever the thread timing, so
 * two audits of one image report the same password. */
#ifndef GB_ANALYZE_CRACK_H
#define GB_ANALYZE_CRACK_H

#include <stdbool.h>
#include <stddef.h>

#include <glassbox/sys/analyzer.h>

enum gb_hash_kind {
	GB_HASH_EMPTY,   /* "": no password at all */
	GB_HASH_LOCKED,  /* "!", "*", "!!", "!<hash>", "*LK*": no password login */
	GB_HASH_SHADOW,  /* "x" in passwd: the hash is in shadow */
	GB_HASH_UNKNOWN, /* anything else that is not a crypt(3) hash we know */
	GB_HASH_DES,     /* 13 chars of [./0-9A-Za-z] */
	GB_HASH_BSDI,    /* _ + 19 chars */
	GB_HASH_MD5,     /* $1$ */
	GB_HASH_SUNMD5,  /* $md5 */
	GB_HASH_NT,      /* $3$ */
	GB_HASH_SHA1,    /* $sha1$ */
	GB_HASH_SHA256,  /* $5$ */
	GB_HASH_SHA512,  /* $6$ */
	GB_HASH_BCRYPT,  /* $2a$ $2b$ $2x$ $2y$ */
	GB_HASH_SCRYPT,  /* $7$ */
	GB_HASH_YESCRYPT, /* $y$ */
	GB_HASH_GOST_YESCRYPT, /* $gy$ */
};

/* What a passwd/shadow password field holds. `h` is NUL-terminated. */
enum gb_hash_kind gb__hash_kind(const char *h);
/* "des", "md5", "sha512", "yescrypt"...; NULL for the non-hash kinds. */
const char *gb__hash_name(enum gb_hash_kind k);
/* DES, BSDi DES, MD5 crypt, Sun MD5 and NT hashes: fast to brute-force. */
bool gb__hash_weak(enum gb_hash_kind k);
static inline bool gb__hash_crackable(enum gb_hash_kind k)
{
	return k >= GB_HASH_DES;
}

struct gb_cracker;

/* Parse the built-in credential list; check that opts->wordlist (if any)
 * is readable (it is loaded only when there is something to crack).
 * -GB_ENOMEM, or -GB_EINVAL with gb_audit_init_error() set. */
int gb__cracker_new(const struct gb_audit_opts *opts, struct gb_cracker **ret);
void gb__cracker_free(struct gb_cracker *c);

/* Add a hash to crack for `user`; `words` are guesses from the account
 * (its name first, then its GECOS words) and `context` words from the image
 * (host name...). The same (user, hash) pair is cracked once: the index of
 * the existing target is returned. Returns the target index or -GB_ENOMEM. */
int gb__cracker_add(struct gb_cracker *c, const char *user, const char *hash, const char *const *words,
		    size_t n_words, const char *const *context, size_t n_context);

/* Crack every target on the audit's threads. -GB_ENOMEM, -GB_EIO (the
 * wordlist became unreadable). */
int gb__cracker_run(struct gb_cracker *c, struct gb_aout *out);

/* After run(): the password of target i (borrowed) and where it came from
 * ("credentials-list", "account-name", "image-context", "wordlist"), or false. */
bool gb__cracker_result(const struct gb_cracker *c, size_t i, const char **ret_password, const char **ret_source);

/* {"hashes", "cracked", "candidates", "capped", "seconds"} for the summary. */
json_t *gb__cracker_summary(const struct gb_cracker *c);

#endif
