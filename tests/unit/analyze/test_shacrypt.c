/* SHA-crypt on OpenSSL's digests against libxcrypt, the oracle: every hash
 * here is made by libxcrypt's crypt_rn() and must be recomputed bit for bit. */
#include <crypt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/shacrypt.h"

static const char b64[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* A deterministic generator, so that a failure can be replayed. */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

/* libxcrypt's hash of `pw` for the setting, into out (the oracle). */
static void xcrypt(const char *pw, const char *setting, char *out, size_t cap)
{
	struct crypt_data cd;
	memset(&cd, 0, sizeof(cd));
	const char *h = crypt_rn(pw, setting, &cd, sizeof(cd));
	assert_non_null(h);
	assert_true(h[0] == '$');
	snprintf(out, cap, "%s", h);
}

/* One password, salt and rounds: parse libxcrypt's hash, recompute it, and
 * check that a changed password does not match. */
static void one(unsigned bits, const char *pw, size_t pl, const char *salt, unsigned rounds)
{
	char setting[64], hash[256], out[87];
	struct gb_shacrypt_hash h;
	struct gb_shacrypt_ctx *c;

	if (rounds)
		snprintf(setting, sizeof(setting), "$%c$rounds=%u$%s$", bits == 256 ? '5' : '6', rounds, salt);
	else
		snprintf(setting, sizeof(setting), "$%c$%s$", bits == 256 ? '5' : '6', salt);
	xcrypt(pw, setting, hash, sizeof(hash));
	if (!gb__shacrypt_parse(hash, &h))
		fail_msg("not parsed: %s", hash);
	assert_int_equal(h.bits, bits);
	assert_int_equal(h.rounds, rounds ? rounds : 5000);
	assert_int_equal(gb__shacrypt_ctx_new(bits, &c), 0);
	assert_int_equal(gb__shacrypt_encode(c, &h, pw, pl, out), 0);
	if (strcmp(out, h.encoded) != 0)
		fail_msg("%s: got %s for a password of %zu bytes", hash, out, pl);
	assert_int_equal(gb__shacrypt_check(c, &h, pw), 1);
	char other[320];
	snprintf(other, sizeof(other), "%sx", pw);
	assert_int_equal(gb__shacrypt_check(c, &h, other), 0);
	gb__shacrypt_ctx_free(c);
}

/* Lengths around the digest sizes (the B-repeat and P-sequence loops) and
 * every salt length, at 1000 rounds to keep the test short. */
static void test_lengths(void **state)
{
	static const size_t lens[] = {0, 1, 2, 7, 8, 15, 16, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 256};
	char pw[300], salt[17];
	(void)state;

	for (unsigned bits = 256; bits <= 512; bits += 256)
		for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			size_t sl = 1 + i % 16;
			for (size_t k = 0; k < lens[i]; k++)
				pw[k] = (char)(' ' + next() % 95);
			pw[lens[i]] = '\0';
			for (size_t k = 0; k < sl; k++)
				salt[k] = b64[next() % 64];
			salt[sl] = '\0';
			one(bits, pw, lens[i], salt, 1000);
		}
}

/* Random passwords (any byte but NUL), salts and round counts, default
 * rounds included. */
static void test_random(void **state)
{
	char pw[80], salt[17];
	(void)state;

	for (int n = 0; n < 120; n++) {
		size_t pl = next() % 40, sl = 1 + next() % 16;
		for (size_t k = 0; k < pl; k++)
			pw[k] = (char)(1 + next() % 255);
		pw[pl] = '\0';
		for (size_t k = 0; k < sl; k++)
			salt[k] = b64[next() % 64];
		salt[sl] = '\0';
		unsigned rounds = n % 10 == 0 ? 0 : 1000 + next() % 1500;
		one(n % 2 ? 512 : 256, pw, pl, salt, rounds);
	}
}

/* Known answers from Drepper's specification (also libxcrypt's test set). */
static void test_spec_vectors(void **state)
{
	static const struct {
		const char *hash, *pw;
	} v[] = {
		{"$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5", "Hello world!"},
		{"$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA",
		 "Hello world!"},
		{"$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1",
		 "Hello world!"},
		{"$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZe"
		 "HBy/YTBmSK6H9qs/y3RnOaw5v.",
		 "Hello world!"},
		{"$6$rounds=1400$anotherlongsalts$POfYwTEok97VWcjxIiSOjiykti.o/pQs.wPvMxQ6Fm7I6IoYN3CmLs66x9t0o"
		 "SwbtEW7o7UmJEiDwGqd8p4ur1",
		 "a very much longer text to encrypt.  This one even stretches over morethan one line."},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct gb_shacrypt_hash h;
		struct gb_shacrypt_ctx *c;
		if (!gb__shacrypt_parse(v[i].hash, &h))
			fail_msg("not parsed: %s", v[i].hash);
		assert_int_equal(gb__shacrypt_ctx_new(h.bits, &c), 0);
		assert_int_equal(gb__shacrypt_check(c, &h, v[i].pw), 1);
		gb__shacrypt_ctx_free(c);
		/* and libxcrypt agrees with the vector (the oracle itself) */
		char out[256];
		xcrypt(v[i].pw, v[i].hash, out, sizeof(out));
		assert_string_equal(out, v[i].hash);
	}
}

/* Forms libxcrypt may treat its own way are left to libxcrypt. */
static void test_parse_refuses(void **state)
{
	static const char *const bad[] = {
		"$5$", "$5$$", "$5$salt", "$5$salt$", "$5$salt$short",
		"$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZF2dmTfJ9x",   /* 44 characters */
		"$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZF2dmTfJ",     /* 42 */
		"$5$salt:ring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZF2dmTfJ9",    /* ':' in the salt */
		"$5$saltstringsaltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZF2dmTfJ9", /* 22-char salt */
		"$5$rounds=999$salt$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZF2dmTfJ9",
		"$5$rounds=01000$salt$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZF2dmTfJ9",
		"$5$rounds=1000000000$salt$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZF2dmTfJ9",
		"$5$rounds=$salt$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZF2dmTfJ9",
		"$5$rounds=5000x$salt$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZF2dmTfJ9",
		"$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1$",
		"$6$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZF2dmTfJ9", /* a SHA-256 length under $6$ */
		"$1$saltstri$YMyguxXMBpd2TEZ.vS/3q1", "$y$j9T$salt$hash", "_J9..salt", "abcdefghijklm", "",
	};
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct gb_shacrypt_hash h;
		if (gb__shacrypt_parse(bad[i], &h))
			fail_msg("parsed: %s", bad[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_vectors),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_parse_refuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
