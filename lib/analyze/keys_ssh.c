/* SSH-family private key files for the keys analyzer (an_keys.c): OpenSSH
 * "openssh-key-v1" (PROTOCOL.key), PuTTY PPK v2/v3 (PuTTY manual, appendix C)
 * and Dropbear's own key files (dropbear's signkey.c). Each parser checks that
 * the bytes are a consistent key, not just its header, and fills in type,
 * bits and the SSH fingerprint of the public key. Untrusted bytes are read
 * through the bounded readers of pemutil.h only. */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "analyze/keys_ssh.h"
#include "analyze/pemutil.h"

/* ---- OpenSSH (PROTOCOL.key) ---- */

static bool bn_eq(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	while (al && *a == 0) {
		a++;
		al--;
	}
	while (bl && *b == 0) {
		b++;
		bl--;
	}
	return al == bl && memcmp(a, b, al) == 0;
}

bool gb__ed25519_seed_matches(const uint8_t *seed, const uint8_t *pub)
{
	EVP_PKEY *pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	unsigned char derived[32];
	size_t dl = sizeof(derived);
	bool ok = pk && EVP_PKEY_get_raw_public_key(pk, derived, &dl) && dl == 32 && memcmp(derived, pub, 32) == 0;

	EVP_PKEY_free(pk);
	return ok;
}

bool gb__rsa_pq_is_n(const uint8_t *n, size_t nl, const uint8_t *p, size_t pl, const uint8_t *q, size_t ql)
{
	BIGNUM *bn = BN_bin2bn(n, (int)nl, NULL), *bp = BN_bin2bn(p, (int)pl, NULL), *bq = BN_bin2bn(q, (int)ql, NULL);
	BIGNUM *prod = BN_new();
	BN_CTX *ctx = BN_CTX_new();
	bool ok = bn && bp && bq && prod && ctx && !BN_is_zero(bp) && !BN_is_one(bp) && !BN_is_one(bq) &&
		  BN_mul(prod, bp, bq, ctx) && BN_cmp(prod, bn) == 0;

	BN_free(bn);
	BN_free(bp);
	BN_free(bq);
	BN_free(prod);
	BN_CTX_free(ctx);
	return ok;
}

/* The unencrypted private section agrees with the public key. */
static bool openssh_private_ok(struct gb_sshrd *r, const struct gb_sshpub *pub, struct gb_keyinfo *ki)
{
	uint32_t c1, c2;
	const uint8_t *alg, *a, *b, *c, *x, *p, *q, *comment;
	size_t alg_len, al, bl, cl, xl, pl, ql, comment_len;

	if (gb__sshrd_u32(r, &c1) < 0 || gb__sshrd_u32(r, &c2) < 0 || c1 != c2)
		return false;
	if (gb__sshrd_str(r, &alg, &alg_len) < 0 || !gb__ssh_streq(alg, alg_len, pub->alg))
		return false;
	bool sk = strncmp(pub->alg, "sk-", 3) == 0; /* security-key types keep the key on the token */

	if (strcmp(pub->type, "ed25519") == 0 && !sk) {
		if (gb__sshrd_str(r, &a, &al) < 0 || gb__sshrd_str(r, &b, &bl) < 0)
			return false;
		if (al != 32 || bl != 64 || memcmp(a, pub->pk, 32) != 0 || memcmp(b + 32, a, 32) != 0 ||
		    !gb__ed25519_seed_matches(b, a))
			return false;
	} else if (strcmp(pub->type, "rsa") == 0) {
		/* n, e, d, iqmp, p, q */
		if (gb__sshrd_str(r, &a, &al) < 0 || gb__sshrd_str(r, &b, &bl) < 0 ||
		    gb__sshrd_str(r, &c, &cl) < 0 || gb__sshrd_str(r, &x, &xl) < 0 ||
		    gb__sshrd_str(r, &p, &pl) < 0 || gb__sshrd_str(r, &q, &ql) < 0)
			return false;
		if (!bn_eq(a, al, pub->n, pub->n_len) || !bn_eq(b, bl, pub->e, pub->e_len) ||
		    !gb__rsa_pq_is_n(a, al, p, pl, q, ql))
			return false;
	} else if (strcmp(pub->type, "ec") == 0 && !sk) {
		if (gb__sshrd_str(r, &a, &al) < 0 || gb__sshrd_str(r, &b, &bl) < 0 ||
		    gb__sshrd_str(r, &c, &cl) < 0)
			return false;
		if (bl != pub->pk_len || memcmp(b, pub->pk, bl) != 0 || gb__mpint_bits(c, cl) == 0)
			return false;
	} else if (strcmp(pub->type, "dsa") == 0) {
		const uint8_t *y;
		size_t yl;
		if (gb__sshrd_str(r, &a, &al) < 0 || gb__sshrd_str(r, &b, &bl) < 0 ||
		    gb__sshrd_str(r, &c, &cl) < 0 || gb__sshrd_str(r, &y, &yl) < 0 ||
		    gb__sshrd_str(r, &x, &xl) < 0)
			return false;
		if (!bn_eq(y, yl, pub->pk, pub->pk_len) || gb__mpint_bits(x, xl) == 0)
			return false;
	} else {
		return sk; /* a security-key handle: nothing to cross-check */
	}
	if (gb__sshrd_str(r, &comment, &comment_len) == 0) {
		size_t n = comment_len < sizeof(ki->comment) - 1 ? comment_len : sizeof(ki->comment) - 1;
		memcpy(ki->comment, comment, n);
		ki->comment[n] = '\0';
	}
	return true;
}

static bool printable_name(const uint8_t *p, size_t n)
{
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (p[i] <= 0x20 || p[i] >= 0x7f)
			return false;
	return true;
}

bool gb__openssh_key(const uint8_t *blob, size_t n, struct gb_keyinfo *ret)
{
	struct gb_sshrd r;
	const uint8_t *cipher, *kdf, *kdfopt, *pubb, *priv;
	size_t cipher_len, kdf_len, kdfopt_len, pub_len, priv_len;
	uint32_t nkeys;
	struct gb_sshpub pub;
	struct gb_keyinfo ki = {0};

	if (n < 15 || memcmp(blob, "openssh-key-v1\0", 15) != 0)
		return false;
	r = (struct gb_sshrd){blob, n, 15};
	if (gb__sshrd_str(&r, &cipher, &cipher_len) < 0 || gb__sshrd_str(&r, &kdf, &kdf_len) < 0 ||
	    gb__sshrd_str(&r, &kdfopt, &kdfopt_len) < 0 || gb__sshrd_u32(&r, &nkeys) < 0 || nkeys == 0 ||
	    nkeys > 64)
		return false;
	if (gb__sshrd_str(&r, &pubb, &pub_len) < 0 || gb__sshpub_parse(pubb, pub_len, &pub) < 0)
		return false;
	for (uint32_t i = 1; i < nkeys; i++) {
		const uint8_t *skip;
		size_t sl;
		if (gb__sshrd_str(&r, &skip, &sl) < 0)
			return false;
	}
	if (gb__sshrd_str(&r, &priv, &priv_len) < 0)
		return false;
	ki.encrypted = !gb__ssh_streq(cipher, cipher_len, "none");
	if (ki.encrypted) {
		if (!printable_name(cipher, cipher_len) || !gb__ssh_streq(kdf, kdf_len, "bcrypt") ||
		    priv_len == 0 || priv_len % 8 != 0)
			return false;
	} else {
		struct gb_sshrd pr = {priv, priv_len, 0};
		if (!gb__ssh_streq(kdf, kdf_len, "none") || !openssh_private_ok(&pr, &pub, &ki))
			return false;
	}
	ki.type = pub.type;
	ki.bits = pub.bits;
	ki.curve = pub.curve;
	ki.format = ki.encrypted ? "OpenSSH (encrypted)" : "OpenSSH";
	gb__ssh_fingerprint(pubb, pub_len, ki.fingerprint);
	*ret = ki;
	return true;
}

/* ---- PuTTY PPK (PuTTY manual, appendix C) ---- */

struct ppk_line {
	const uint8_t *p;
	size_t n;
	size_t next;
};

static bool ppk_getline(const struct gb_span *d, size_t off, struct ppk_line *l)
{
	if (off >= d->n)
		return false;
	const uint8_t *nl = memchr(d->p + off, '\n', d->n - off);
	size_t eol = nl ? (size_t)(nl - d->p) : d->n;
	l->p = d->p + off;
	l->n = eol - off;
	if (l->n && l->p[l->n - 1] == '\r')
		l->n--;
	l->next = nl ? eol + 1 : eol;
	return true;
}

/* If the line is "Name: value", return the value. */
static bool ppk_field(const struct ppk_line *l, const char *name, const uint8_t **v, size_t *vl)
{
	size_t k = strlen(name);
	if (l->n < k + 2 || memcmp(l->p, name, k) != 0 || l->p[k] != ':' || l->p[k + 1] != ' ')
		return false;
	*v = l->p + k + 2;
	*vl = l->n - k - 2;
	return true;
}

/* Decode `count` base64 lines starting at *off into a fresh buffer. */
static uint8_t *ppk_b64_lines(const struct gb_span *d, size_t *off, unsigned long count, size_t *ret_n)
{
	size_t start = *off;
	struct ppk_line l;

	if (count == 0 || count > 4096)
		return NULL;
	for (unsigned long i = 0; i < count; i++) {
		if (!ppk_getline(d, *off, &l) || l.n == 0 || l.n > 128)
			return NULL;
		*off = l.next;
	}
	size_t cap = (*off - start) / 4 * 3 + 3;
	uint8_t *buf = malloc(cap);
	if (!buf)
		return NULL;
	long n = gb__b64_decode(d->p + start, *off - start, buf, cap);
	if (n <= 0) {
		free(buf);
		return NULL;
	}
	*ret_n = (size_t)n;
	return buf;
}

static unsigned long ppk_count(const uint8_t *v, size_t vl)
{
	unsigned long c = 0;
	if (vl == 0 || vl > 5)
		return 0;
	for (size_t i = 0; i < vl; i++) {
		if (v[i] < '0' || v[i] > '9')
			return 0;
		c = c * 10 + (unsigned long)(v[i] - '0');
	}
	return c;
}

static void put_ssh_string(uint8_t **w, const uint8_t *p, size_t n)
{
	(*w)[0] = (uint8_t)(n >> 24);
	(*w)[1] = (uint8_t)(n >> 16);
	(*w)[2] = (uint8_t)(n >> 8);
	(*w)[3] = (uint8_t)n;
	memcpy(*w + 4, p, n);
	*w += 4 + n;
}

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Private-MAC of an unencrypted PPK: v2 HMAC-SHA-1 keyed with
 * SHA-1("putty-private-key-file-mac-key"), v3 HMAC-SHA-256 with an empty key,
 * over string(alg) string(encryption) string(comment) string(public) string(private). */
static bool ppk_mac_ok(int version, const uint8_t *alg, size_t alg_len, const uint8_t *enc, size_t enc_len,
		       const uint8_t *com, size_t com_len, const uint8_t *pub, size_t pub_len, const uint8_t *priv,
		       size_t priv_len, const uint8_t *mac_hex, size_t mac_hex_len)
{
	static const char mac_key_text[] = "putty-private-key-file-mac-key";
	size_t total = 20 + alg_len + enc_len + com_len + pub_len + priv_len;
	uint8_t *buf = malloc(total), *w = buf;
	unsigned char key[20], mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	bool ok = false;

	if (!buf)
		return false;
	put_ssh_string(&w, alg, alg_len);
	put_ssh_string(&w, enc, enc_len);
	put_ssh_string(&w, com, com_len);
	put_ssh_string(&w, pub, pub_len);
	put_ssh_string(&w, priv, priv_len);
	if (version == 2) {
		unsigned int kl = 0;
		if (EVP_Digest(mac_key_text, strlen(mac_key_text), key, &kl, EVP_sha1(), NULL))
			ok = HMAC(EVP_sha1(), key, 20, buf, total, mac, &mac_len) != NULL;
	} else {
		ok = HMAC(EVP_sha256(), "", 0, buf, total, mac, &mac_len) != NULL;
	}
	free(buf);
	if (!ok || mac_hex_len != 2 * (size_t)mac_len)
		return false;
	for (unsigned i = 0; i < mac_len; i++) {
		int hi = hexval(mac_hex[2 * i]), lo = hexval(mac_hex[2 * i + 1]);
		if (hi < 0 || lo < 0 || (unsigned)(hi << 4 | lo) != mac[i])
			return false;
	}
	return true;
}

bool gb__putty_key(const struct gb_span *d, size_t at, struct gb_keyinfo *ret)
{
	bool ok = false;
	struct ppk_line l;
	const uint8_t *alg = NULL, *enc = NULL, *com = NULL, *mac = NULL, *v;
	size_t alg_len = 0, enc_len = 0, com_len = 0, mac_len = 0, vl, off = at;
	uint8_t *pub = NULL, *priv = NULL;
	size_t pub_len = 0, priv_len = 0;
	struct gb_sshpub sp;
	struct gb_keyinfo ki = {0};
	int version;

	if (!ppk_getline(d, off, &l) || l.n < 24)
		return false;
	version = l.p[20] - '0';
	if ((version != 2 && version != 3) || l.p[21] != ':' || l.p[22] != ' ')
		return false;
	alg = l.p + 23;
	alg_len = l.n - 23;
	off = l.next;
	/* header lines up to the public key, in any order (v3 adds Key-Derivation, Argon2-*) */
	for (int i = 0; i < 16 && ppk_getline(d, off, &l); i++) {
		off = l.next;
		if (ppk_field(&l, "Encryption", &v, &vl)) {
			enc = v;
			enc_len = vl;
		} else if (ppk_field(&l, "Comment", &v, &vl)) {
			com = v;
			com_len = vl;
		} else if (ppk_field(&l, "Public-Lines", &v, &vl)) {
			pub = ppk_b64_lines(d, &off, ppk_count(v, vl), &pub_len);
			break;
		} else if (l.n == 0 || !memchr(l.p, ':', l.n)) {
			return false;
		}
	}
	if (!pub || !enc)
		goto out;
	/* v3 puts Key-Derivation and Argon2-* between the public and private lines */
	for (int i = 0; ppk_getline(d, off, &l) && !ppk_field(&l, "Private-Lines", &v, &vl); i++) {
		if (i >= 8 || l.n == 0 || !memchr(l.p, ':', l.n))
			goto out;
		off = l.next;
	}
	if (!ppk_getline(d, off, &l) || !ppk_field(&l, "Private-Lines", &v, &vl))
		goto out;
	off = l.next;
	priv = ppk_b64_lines(d, &off, ppk_count(v, vl), &priv_len);
	if (!priv || !ppk_getline(d, off, &l) || !ppk_field(&l, "Private-MAC", &mac, &mac_len))
		goto out;
	if (gb__sshpub_parse(pub, pub_len, &sp) < 0 || !gb__ssh_streq(alg, alg_len, sp.alg))
		goto out;
	ki.encrypted = !(enc_len == 4 && memcmp(enc, "none", 4) == 0);
	if (ki.encrypted ? priv_len % 16 != 0
			 : !ppk_mac_ok(version, alg, alg_len, enc, enc_len, com ? com : (const uint8_t *)"", com_len,
				       pub, pub_len, priv, priv_len, mac, mac_len))
		goto out;
	ki.type = sp.type;
	ki.bits = sp.bits;
	ki.curve = sp.curve;
	ki.format = version == 2 ? (ki.encrypted ? "PuTTY PPK v2 (encrypted)" : "PuTTY PPK v2")
				 : (ki.encrypted ? "PuTTY PPK v3 (encrypted)" : "PuTTY PPK v3");
	if (com) {
		size_t n = com_len < sizeof(ki.comment) - 1 ? com_len : sizeof(ki.comment) - 1;
		memcpy(ki.comment, com, n);
		ki.comment[n] = '\0';
	}
	gb__ssh_fingerprint(pub, pub_len, ki.fingerprint);
	*ret = ki;
	ok = true;
out:
	free(pub);
	free(priv);
	return ok;
}

/* ---- Dropbear host keys (dropbear's signkey.c: buf_put_priv_key) ----
 * A whole file: string alg, then
 *   ssh-rsa:        mpint e, n, d, p, q
 *   ssh-dss:        mpint p, q, g, y, x
 *   ecdsa-sha2-*:   string curve, string Q, mpint d
 *   ssh-ed25519:    string (32-byte seed || 32-byte public key)
 * The public blob is the leading alg/e/n (p/q/g/y, curve/Q) fields. */
bool gb__dropbear_key(const struct gb_span *d, struct gb_keyinfo *ret)
{
	struct gb_sshrd r = {d->p, d->n, 0};
	const uint8_t *alg, *f[5];
	size_t alg_len, fl[5], pub_end = 0;
	uint8_t blob[64];
	const uint8_t *pubb = d->p;
	struct gb_sshpub pub;
	struct gb_keyinfo ki = {0};
	int nf;

	if (gb__sshrd_str(&r, &alg, &alg_len) < 0)
		return false;
	if (gb__ssh_streq(alg, alg_len, "ssh-rsa") || gb__ssh_streq(alg, alg_len, "ssh-dss"))
		nf = 5;
	else if (alg_len > 11 && memcmp(alg, "ecdsa-sha2-", 11) == 0)
		nf = 3;
	else if (gb__ssh_streq(alg, alg_len, "ssh-ed25519"))
		nf = 1;
	else
		return false;
	for (int i = 0; i < nf; i++) {
		if (gb__sshrd_str(&r, &f[i], &fl[i]) < 0)
			return false;
		if ((alg[4] == 'r' && i == 1) || (alg[4] == 'd' && i == 3) || (alg[0] == 'e' && i == 1))
			pub_end = r.off;
	}
	if (r.off != d->n)
		return false;
	if (nf == 1) {
		if (fl[0] != 64 || !gb__ed25519_seed_matches(f[0], f[0] + 32))
			return false;
		uint8_t *w = blob;
		put_ssh_string(&w, (const uint8_t *)"ssh-ed25519", 11);
		put_ssh_string(&w, f[0] + 32, 32);
		pubb = blob;
		pub_end = (size_t)(w - blob);
	} else if (alg[4] == 'r' && !gb__rsa_pq_is_n(f[1], fl[1], f[3], fl[3], f[4], fl[4])) {
		return false;
	} else if (gb__mpint_bits(f[nf - 1], fl[nf - 1]) == 0) {
		return false; /* the private value */
	}
	if (gb__sshpub_parse(pubb, pub_end, &pub) < 0)
		return false;
	ki.type = pub.type;
	ki.bits = pub.bits;
	ki.curve = pub.curve;
	ki.format = "Dropbear";
	ki.binary = true;
	gb__ssh_fingerprint(pubb, pub_end, ki.fingerprint);
	*ret = ki;
	return true;
}

