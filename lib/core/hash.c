#include "core/hash.h"

#include <openssl/evp.h>

#include <glassbox/errors.h>

struct gb_sha256 {
	EVP_MD_CTX *ctx;
};

int gb_sha256_new(struct gb_sha256 **ret)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -GB_ENOMEM;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return -GB_ENOMEM;
	}
	*ret = (struct gb_sha256 *)ctx;
	return 0;
}

int gb_sha256_update(struct gb_sha256 *h, const void *data, size_t n)
{
	if (n == 0)
		return 0;
	return EVP_DigestUpdate((EVP_MD_CTX *)h, data, n) == 1 ? 0 : -GB_EIO;
}

static void to_hex(const unsigned char *md, unsigned len, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	for (unsigned i = 0; i < len; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[2 * len] = '\0';
}

int gb_sha256_final_hex(struct gb_sha256 *h, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;

	hex[0] = '\0';
	if (!h)
		return 0;
	int ok = EVP_DigestFinal_ex((EVP_MD_CTX *)h, md, &len) == 1 && len == 32;
	EVP_MD_CTX_free((EVP_MD_CTX *)h);
	if (!ok)
		return -GB_EIO;
	to_hex(md, len, hex);
	return 0;
}

void gb_sha256_free(struct gb_sha256 *h)
{
	EVP_MD_CTX_free((EVP_MD_CTX *)h);
}

int gb_sha256_hex(const void *data, size_t n, char hex[65])
{
	struct gb_sha256 *h;
	int r = gb_sha256_new(&h);
	if (r < 0)
		return r;
	r = gb_sha256_update(h, data, n);
	if (r < 0) {
		gb_sha256_free(h);
		return r;
	}
	return gb_sha256_final_hex(h, hex);
}
