/* libFuzzer target for SHA-crypt on OpenSSL's digests (lib/analyze/shacrypt.c),
 * differential against libxcrypt: the input chooses the variant, a round
 * count (1000 to 2020, to keep an execution in milliseconds), a salt and a
 * password; libxcrypt makes the hash, which must parse and be recomputed
 * exactly, and a different password must not match. The raw input is also
 * parsed as a hash and, when accepted, checked against libxcrypt's answer. */
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/shacrypt.h"
#include "fuzz_common.h"

static const char b64[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static struct gb_shacrypt_ctx *ctx_for(unsigned bits)
{
	static struct gb_shacrypt_ctx *c256, *c512;
	struct gb_shacrypt_ctx **c = bits == 256 ? &c256 : &c512;
	if (!*c && gb__shacrypt_ctx_new(bits, c) < 0)
		abort();
	return *c;
}

/* libxcrypt's verdict on `pw` against `hash` versus ours. */
static void compare(const char *hash, const char *pw, struct crypt_data *cd)
{
	struct gb_shacrypt_hash h;
	if (!gb__shacrypt_parse(hash, &h))
		return;
	const char *x = crypt_rn(pw, hash, cd, sizeof(*cd));
	int ours = gb__shacrypt_check(ctx_for(h.bits), &h, pw);
	if (ours < 0)
		abort();
	if (x && x[0] != '*' && (strcmp(x, hash) == 0) != (ours == 1))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct crypt_data cd;
	char setting[64], salt[17], pw[257], raw[256];

	if (size < 3)
		return 0;
	unsigned bits = data[0] & 1 ? 512 : 256;
	unsigned rounds = 1000 + 4u * data[1];
	size_t sl = 1 + data[2] % 16, off = 3;
	for (size_t i = 0; i < sl; i++)
		salt[i] = b64[off < size ? data[off++] % 64 : 0];
	salt[sl] = '\0';
	size_t pl = 0;
	while (off < size && pl < 256 && data[off])
		pw[pl++] = (char)data[off++];
	pw[pl] = '\0';
	snprintf(setting, sizeof(setting), "$%c$rounds=%u$%s$", bits == 256 ? '5' : '6', rounds, salt);

	const char *x = crypt_rn(pw, setting, &cd, sizeof(cd));
	if (x && x[0] == '$') {
		char hash[256];
		snprintf(hash, sizeof(hash), "%s", x);
		struct gb_shacrypt_hash h;
		if (!gb__shacrypt_parse(hash, &h))
			abort(); /* libxcrypt's own form must be taken */
		struct gb_shacrypt_ctx *c = ctx_for(bits);
		if (gb__shacrypt_check(c, &h, pw) != 1)
			abort();
		/* another password: one byte changed (never to NUL), or "x" */
		if (pl) {
			pw[pl - 1] = (char)(pw[pl - 1] == 'x' ? 'y' : 'x');
		} else {
			pw[0] = 'x';
			pw[1] = '\0';
		}
		if (gb__shacrypt_check(c, &h, pw) != 0)
			abort();
	}

	/* the input itself as a hash, with an empty and a short password */
	size_t rn = size < sizeof(raw) - 1 ? size : sizeof(raw) - 1;
	memcpy(raw, data, rn);
	raw[rn] = '\0';
	compare(raw, "", &cd);
	compare(raw, "admin", &cd);
	return 0;
}
