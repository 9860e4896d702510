/* SHA-crypt ($5$ SHA-256, $6$ SHA-512; Ulrich Drepper's "Unix crypt using
 * SHA-256 and SHA-512") on OpenSSL's digests, for the cracker's inner loop.
 *
 * libxcrypt stays the reference: this path takes only hashes in the exact
 * form libxcrypt writes (see gb__shacrypt_parse), any other goes to
 * crypt_rn(). It exists for speed: libxcrypt
 * computes SHA-256 in portable C (about 420 ns a round here), OpenSSL with the
 * CPU's SHA extensions (about 160 ns through EVP), and a SHA-crypt hash is
 * 5000 rounds by default. tests/unit/analyze/test_shacrypt.c and
 * fuzz/fuzz_shacrypt.c compare every result with libxcrypt's. */
#ifndef GB_ANALYZE_SHACRYPT_H
#define GB_ANALYZE_SHACRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GB_SHACRYPT_MAX_SALT 16

/* crypt(3)'s base-64 alphabet, in value order: "./0-9A-Za-z". */
extern const char gb__crypt_itoa64[];

static inline bool gb__crypt_b64(char ch)
{
	return ch == '.' || ch == '/' || (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= 'a' && ch <= 'z');
}

/* A parsed hash: what every guess is checked against. */
struct gb_shacrypt_hash {
	unsigned bits;        /* 256 or 512 */
	uint32_t rounds;
	char salt[GB_SHACRYPT_MAX_SALT + 1];
	size_t salt_len;
	char encoded[87];     /* the 43 or 86 characters after the last '$' */
};

/* Parse `hash` when it is a SHA-crypt hash in libxcrypt's own form: "$5$" or
 * "$6$", optionally "rounds=N$" (N in 1000..999999999, no leading zero),
 * 1 to 16 salt characters of [./0-9A-Za-z], '$', and 43 (SHA-256) or 86
 * (SHA-512) such characters. Anything else returns false, and the caller
 * uses crypt_rn(). */
bool gb__shacrypt_parse(const char *hash, struct gb_shacrypt_hash *ret);

/* Per-thread digest state (one per work item). */
struct gb_shacrypt_ctx;
int gb__shacrypt_ctx_new(unsigned bits, struct gb_shacrypt_ctx **ret);
void gb__shacrypt_ctx_free(struct gb_shacrypt_ctx *c);

/* The encoded digest of `password` under h's salt and rounds, into out[87]
 * (NUL-terminated). 0, or -GB_ENOMEM / -GB_EIO (OpenSSL failed). */
int gb__shacrypt_encode(struct gb_shacrypt_ctx *c, const struct gb_shacrypt_hash *h, const char *password,
			size_t len, char out[87]);

/* 1 when `password` gives h, 0 when not, negative on failure. */
int gb__shacrypt_check(struct gb_shacrypt_ctx *c, const struct gb_shacrypt_hash *h, const char *password);

#endif
