/* SHA-crypt on OpenSSL's digests (see shacrypt.h). The algorithm is the
 * published one (Drepper, "Unix crypt using SHA-256 and SHA-512", 2007),
 * step by step; the comments name its steps. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <glassbox/errors.h>

#include "analyze/shacrypt.h"

#define ROUNDS_DEFAULT 5000
#define ROUNDS_MIN 1000
#define ROUNDS_MAX 999999999
#define MAX_DIGEST 64

const char gb__crypt_itoa64[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

struct gb_shacrypt_ctx {
	EVP_MD *md;
	EVP_MD_CTX *ctx;
	size_t hl; /* digest length */
	/* the password-derived sequence P of step 16 */
	uint8_t *p_seq;
	size_t p_cap;
	uint8_t *round_buf; /* one round's input: at most 2 x digest + salt + 2 x password */
};

bool gb__shacrypt_parse(const char *hash, struct gb_shacrypt_hash *ret)
{
	const char *p = hash;

	memset(ret, 0, sizeof(*ret));
	if (strncmp(p, "$5$", 3) == 0)
		ret->bits = 256;
	else if (strncmp(p, "$6$", 3) == 0)
		ret->bits = 512;
	else
		return false;
	p += 3;
	ret->rounds = ROUNDS_DEFAULT;
	if (strncmp(p, "rounds=", 7) == 0) {
		p += 7;
		if (*p < '1' || *p > '9')
			return false; /* empty or a leading zero: libxcrypt decides */
		uint64_t r = 0;
		while (*p >= '0' && *p <= '9' && r <= ROUNDS_MAX)
			r = r * 10 + (uint64_t)(*p++ - '0');
		if (*p++ != '$' || r < ROUNDS_MIN || r > ROUNDS_MAX)
			return false;
		ret->rounds = (uint32_t)r;
	}
	while (gb__crypt_b64(*p) && ret->salt_len < GB_SHACRYPT_MAX_SALT)
		ret->salt[ret->salt_len++] = *p++;
	if (ret->salt_len == 0 || *p++ != '$')
		return false;
	size_t want = ret->bits == 256 ? 43 : 86, n = 0;
	while (gb__crypt_b64(p[n]) && n <= want)
		n++;
	if (n != want || p[n] != '\0')
		return false;
	memcpy(ret->encoded, p, n + 1);
	return true;
}

int gb__shacrypt_ctx_new(unsigned bits, struct gb_shacrypt_ctx **ret)
{
	struct gb_shacrypt_ctx *c = calloc(1, sizeof(*c));

	*ret = NULL;
	if (!c)
		return -GB_ENOMEM;
	c->md = EVP_MD_fetch(NULL, bits == 256 ? "SHA256" : "SHA512", NULL);
	c->ctx = EVP_MD_CTX_new();
	/* The digest is set once; every later init passes NULL and reuses it,
	 * which costs a third of a fresh EVP_DigestInit_ex2(). */
	if (!c->md || !c->ctx || EVP_DigestInit_ex2(c->ctx, c->md, NULL) != 1) {
		gb__shacrypt_ctx_free(c);
		return -GB_EIO;
	}
	c->hl = bits == 256 ? 32 : 64;
	*ret = c;
	return 0;
}

void gb__shacrypt_ctx_free(struct gb_shacrypt_ctx *c)
{
	if (!c)
		return;
	EVP_MD_CTX_free(c->ctx);
	EVP_MD_free(c->md);
	free(c->p_seq);
	free(c->round_buf);
	free(c);
}

/* Digest helpers: `ok` collects failures so that the hot loop stays flat. */
static void begin(struct gb_shacrypt_ctx *c, int *ok)
{
	*ok &= EVP_DigestInit_ex2(c->ctx, NULL, NULL) == 1;
}

static void add(struct gb_shacrypt_ctx *c, const void *p, size_t n, int *ok)
{
	*ok &= EVP_DigestUpdate(c->ctx, p, n) == 1;
}

static void end(struct gb_shacrypt_ctx *c, uint8_t *out, int *ok)
{
	*ok &= EVP_DigestFinal_ex(c->ctx, out, NULL) == 1;
}

/* `n` bytes of `digest` repeated (steps 16 and 20). */
static void repeat(uint8_t *dst, const uint8_t *digest, size_t hl, size_t n)
{
	for (size_t off = 0; off < n; off += hl)
		memcpy(dst + off, digest, n - off < hl ? n - off : hl);
}

static char *b64_from_24bit(char *o, unsigned b2, unsigned b1, unsigned b0, int n)
{
	unsigned w = (b2 << 16) | (b1 << 8) | b0;
	while (n-- > 0) {
		*o++ = gb__crypt_itoa64[w & 0x3f];
		w >>= 6;
	}
	return o;
}

/* Step 22: the final digest in the algorithm's own byte order. The bytes go
 * in groups of three, (i, i + 10, i + 20) for SHA-256 and (i, i + 21, i + 42)
 * for SHA-512, each group rotated by one place more than the last:
 * SHA-256 writes (0,10,20) (21,1,11) (12,22,2) (3,13,23)...,
 * SHA-512 writes (0,21,42) (22,43,1) (44,2,23) (3,24,45)... */
static void encode(const uint8_t *c, unsigned bits, char out[87])
{
	/* which member of the group comes first, second, third */
	static const int rot256[3][3] = {{0, 1, 2}, {2, 0, 1}, {1, 2, 0}};
	static const int rot512[3][3] = {{0, 1, 2}, {1, 2, 0}, {2, 0, 1}};
	int groups = bits == 256 ? 10 : 21, step = bits == 256 ? 10 : 21;
	char *o = out;

	for (int i = 0; i < groups; i++) {
		int v[3] = {i, i + step, i + 2 * step};
		const int *r = bits == 256 ? rot256[i % 3] : rot512[i % 3];
		o = b64_from_24bit(o, c[v[r[0]]], c[v[r[1]]], c[v[r[2]]], 4);
	}
	if (bits == 256)
		o = b64_from_24bit(o, 0, c[31], c[30], 3);
	else
		o = b64_from_24bit(o, 0, 0, c[63], 2);
	*o = '\0';
}

int gb__shacrypt_encode(struct gb_shacrypt_ctx *c, const struct gb_shacrypt_hash *h, const char *password,
			size_t pl, char out[87])
{
	const size_t hl = c->hl, sl = h->salt_len;
	uint8_t a[MAX_DIGEST], b[MAX_DIGEST], dp[MAX_DIGEST], ds[MAX_DIGEST], s_seq[GB_SHACRYPT_MAX_SALT];
	int ok = 1;

	if (pl > c->p_cap || !c->round_buf) {
		uint8_t *np = realloc(c->p_seq, pl ? pl : 1);
		if (!np)
			return -GB_ENOMEM;
		c->p_seq = np;
		uint8_t *nb = realloc(c->round_buf, 2 * MAX_DIGEST + GB_SHACRYPT_MAX_SALT + 2 * (pl ? pl : 1));
		if (!nb)
			return -GB_ENOMEM;
		c->round_buf = nb;
		c->p_cap = pl;
	}
	/* steps 4-8: B = H(password salt password) */
	begin(c, &ok);
	add(c, password, pl, &ok);
	add(c, h->salt, sl, &ok);
	add(c, password, pl, &ok);
	end(c, b, &ok);
	/* steps 1-3, 9-12: A */
	begin(c, &ok);
	add(c, password, pl, &ok);
	add(c, h->salt, sl, &ok);
	size_t cnt;
	for (cnt = pl; cnt > hl; cnt -= hl)
		add(c, b, hl, &ok);
	add(c, b, cnt, &ok);
	for (cnt = pl; cnt > 0; cnt >>= 1) {
		if (cnt & 1)
			add(c, b, hl, &ok);
		else
			add(c, password, pl, &ok);
	}
	end(c, a, &ok);
	/* steps 13-16: DP = H(password x len), P = DP repeated to len */
	begin(c, &ok);
	for (cnt = 0; cnt < pl; cnt++)
		add(c, password, pl, &ok);
	end(c, dp, &ok);
	repeat(c->p_seq, dp, hl, pl);
	/* steps 17-20: DS = H(salt x (16 + A[0])), S = DS repeated to salt length */
	begin(c, &ok);
	for (cnt = 0; cnt < 16u + a[0]; cnt++)
		add(c, h->salt, sl, &ok);
	end(c, ds, &ok);
	repeat(s_seq, ds, hl, sl);
	/* step 21: the rounds, C starting as A. Each round's input is laid out
	 * in one buffer and digested with one update: the digest calls'
	 * overhead is a third of a round's cost. */
	uint8_t *cur = a, *buf = c->round_buf;
	for (uint32_t r = 0; r < h->rounds; r++) {
		size_t n = 0;
		const uint8_t *first = r & 1 ? c->p_seq : cur, *last = r & 1 ? cur : c->p_seq;
		size_t first_n = r & 1 ? pl : hl, last_n = r & 1 ? hl : pl;
		memcpy(buf, first, first_n);
		n = first_n;
		if (r % 3 != 0) {
			memcpy(buf + n, s_seq, sl);
			n += sl;
		}
		if (r % 7 != 0) {
			memcpy(buf + n, c->p_seq, pl);
			n += pl;
		}
		memcpy(buf + n, last, last_n);
		n += last_n;
		begin(c, &ok);
		add(c, buf, n, &ok);
		end(c, cur, &ok);
	}
	if (!ok)
		return -GB_EIO;
	encode(cur, h->bits, out);
	return 0;
}

int gb__shacrypt_check(struct gb_shacrypt_ctx *c, const struct gb_shacrypt_hash *h, const char *password)
{
	char out[87];
	int r = gb__shacrypt_encode(c, h, password, strlen(password), out);
	if (r < 0)
		return r;
	return strcmp(out, h->encoded) == 0;
}
