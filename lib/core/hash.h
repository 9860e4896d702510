/* SHA-256 through OpenSSL's EVP interface (hardware-accelerated where the
 * CPU has SHA extensions). */
#ifndef GB_CORE_HASH_H
#define GB_CORE_HASH_H

#include <stddef.h>

struct gb_sha256;

int gb_sha256_new(struct gb_sha256 **ret);
int gb_sha256_update(struct gb_sha256 *h, const void *data, size_t n);
/* Writes 64 hex digits + NUL into hex and frees h. Accepts NULL h (writes ""). */
int gb_sha256_final_hex(struct gb_sha256 *h, char hex[65]);
void gb_sha256_free(struct gb_sha256 *h);
/* One-shot digest of a buffer. */
int gb_sha256_hex(const void *data, size_t n, char hex[65]);

#endif
