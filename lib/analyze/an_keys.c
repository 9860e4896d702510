/* keys: private keys and SSH authorized_keys shipped in the image.
 *
 * A private key in firmware is shared by every device that runs it: whoever
 * extracts it can impersonate the device (TLS, IPsec, SSH host key) or log
 * in to it (a user key with its public half in authorized_keys). And an
 * authorized_keys file is a door that the vendor keeps a key to.
 *
 * Rules:
 *   key.private (high): a private key that really parses, in any file:
 *     - PEM blocks (PKCS#1 "RSA PRIVATE KEY", SEC1 "EC PRIVATE KEY", "DSA
 *       PRIVATE KEY", PKCS#8 "PRIVATE KEY", encrypted PKCS#8 and encrypted
 *       traditional PEM), also inside binaries; parsed with OpenSSL's
 *       PEM_read_bio_PrivateKey() and a password callback that gives none.
 *       Encrypted keys are checked structurally (PKCS#8: an X509_SIG; PEM:
 *       a known DEK-Info cipher and a whole number of cipher blocks) and
 *       reported with encrypted=true, type from the label or null.
 *     - DER keys (PKCS#1, SEC1, DSA, PKCS#8) inside data and ELF files,
 *       found by their ASN.1 shape and parsed with d2i_AutoPrivateKey().
 *     - OpenSSH "openssh-key-v1" blocks: type and bits from the public
 *       key; unencrypted ones must be consistent (check words, public ==
 *       private, Ed25519 public derived from its seed, RSA p*q == n).
 *     - PuTTY PPK v2/v3: unencrypted ones must carry a valid Private-MAC.
 *     A BEGIN line that is only a format string (dropbearconvert has
 *     "-----BEGIN RSA PRIVATE KEY-----" with no key after it) never parses
 *     and is not reported.
 *     details: type (rsa|dsa|ec|ed25519|ed448|x25519|x448|dh|null), bits,
 *     curve, encrypted, format, label, fingerprint, comment.
 *     fingerprint: "SHA256:<hex>" = SHA-256 of the DER SubjectPublicKeyInfo
 *     (openssl pkey -pubout -outform DER | sha256sum) for PEM/DER keys;
 *     "SHA256:<base64>" as ssh-keygen -l prints it for OpenSSH/PuTTY keys.
 *   key.authorized-keys (medium): an authorized_keys / authorized_keys2
 *     file anywhere with at least one valid key line; details.entries and
 *     details.keys [{line, alg, type, bits, fingerprint, comment, options}].
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <glassbox/sys/analyzer.h>

#include "analyze/pemutil.h"

#define MAX_SCAN (64u << 20)       /* bytes of one file looked at */
#define MAX_KEYS_PER_FILE 16
#define MAX_KEY_BLOB (256u << 10)  /* decoded size of one key */
#define MAX_AUTH_LISTED 64         /* keys listed in details.keys */

struct kctx {
	struct gb_aout *out;
	const struct gb_afile *af;
	struct gb_span d;
	bool text;
	unsigned found;
};

struct keyinfo {
	const char *type; /* NULL = unknown */
	int bits;         /* 0 = unknown */
	const char *curve;
	bool encrypted;
	const char *format;
	const char *label;
	char fingerprint[80];
	char comment[128];
};

static const char *basename_of(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static bool is_authorized_keys(const char *path)
{
	const char *b = basename_of(path);
	return strcmp(b, "authorized_keys") == 0 || strcmp(b, "authorized_keys2") == 0;
}

static bool wants(void *state, const struct gb_afile *af)
{
	static const char *const kinds[] = {"private-key", "certificate", "public-key", "text",
					    "shell-script", "script", "data", "elf"};
	const struct gb_file *f = af->file;

	(void)state;
	if ((f->type != GB_FT_FILE && f->type != GB_FT_HARDLINK) || !f->disk || f->size == 0)
		return false;
	if (is_authorized_keys(f->path))
		return true;
	if (!f->kind)
		return false;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(f->kind, kinds[i]) == 0)
			return true;
	return false;
}

/* ---- reporting ---- */

/* Private keys published as test vectors, found in stock binaries: their
 * public-key fingerprints (SHA-256 of the DER SubjectPublicKeyInfo). They are
 * reported as info: every copy of that program has them, they protect
 * nothing. */
static const struct {
	const char *fingerprint;
	const char *source;
} known_keys[] = {
	/* OpenSSL apps/testrsa.h, the keys of `openssl speed rsa` */
	{"SHA256:0ea7caf9dd07fd79fe22ceb5efbbd7d4445d231e92ee1bf3b2a022eaffb00495", "OpenSSL speed test key (rsa1024)"},
	{"SHA256:a6fdc2c6d07aa877e3ac360c2ce5efb69ab7dce2fd8df3c1bce0564b17114bc2", "OpenSSL speed test key (rsa2048)"},
	{"SHA256:01e67e56244b43b668e2b9a697daaafcfb501fa78de2fcc4aa32bdae6dd94af6", "OpenSSL speed test key (rsa3072)"},
	{"SHA256:adadc3246bb4830551c6da143d7462727967bda53059ae6f152323b0aba69595", "OpenSSL speed test key (rsa4096)"},
	{"SHA256:d2d8c7d1de1e118e810c15eb7f8d9560a433e15cd55eac52aade81d6669cf133", "OpenSSL speed test key (rsa7680)"},
	{"SHA256:cebf59a465ccd9c42a7f7f6a789cc741d43cacbc502587ed1c5f0f4e445f1c39", "OpenSSL speed test key (rsa15360)"},
	/* Linux crypto/testmgr.h, the RSA self-test vectors built into the kernel */
	{"SHA256:b6362349fb07b79f2f91889f6afac92b637787e246221087169ff7dbcd65dc98", "Linux crypto self-test vector (rsa2048)"},
	{"SHA256:e756a60b85ec3f538a2708550ddc4f072ad045696172efd285c09a46c90accfe", "Linux crypto self-test vector (rsa2048)"},
};

static const char *known_key(const char *fingerprint)
{
	for (size_t i = 0; i < sizeof(known_keys) / sizeof(known_keys[0]); i++)
		if (strcmp(fingerprint, known_keys[i].fingerprint) == 0)
			return known_keys[i].source;
	return NULL;
}

static void set_str(json_t *o, const char *k, const char *v)
{
	json_object_set_new(o, k, v && *v ? json_string(v) : json_null());
}

static void report_key(struct kctx *kc, size_t off, const struct keyinfo *ki)
{
	json_t *d = json_object();

	if (kc->found >= MAX_KEYS_PER_FILE)
		return;
	kc->found++;
	set_str(d, "type", ki->type);
	json_object_set_new(d, "bits", ki->bits > 0 ? json_integer(ki->bits) : json_null());
	if (ki->curve)
		set_str(d, "curve", ki->curve);
	json_object_set_new(d, "encrypted", json_boolean(ki->encrypted));
	set_str(d, "format", ki->format);
	if (ki->label)
		set_str(d, "label", ki->label);
	set_str(d, "fingerprint", ki->fingerprint);
	if (ki->comment[0])
		set_str(d, "comment", ki->comment);
	const char *known = known_key(ki->fingerprint);
	if (known)
		set_str(d, "known_key", known);
	char what[64];
	if (ki->type && ki->bits > 0)
		snprintf(what, sizeof(what), "%d-bit %s", ki->bits, ki->type);
	else
		snprintf(what, sizeof(what), "%s", ki->type ? ki->type : "unknown-type");
	gb_aout_finding(kc->out, "key.private", known ? GB_SEV_INFO : GB_SEV_HIGH, kc->af->file,
			kc->text ? gb__line_of(&kc->d, off) : 0, kc->text ? -1 : (int64_t)off, d,
			"%s holds a%s %s private key (%s)%s%s", kc->af->file->path, ki->encrypted ? "n encrypted" : "",
			what, ki->format, known ? ": a published test key, " : "", known ? known : "");
}

/* ---- OpenSSL keys (PEM and DER) ---- */

static int no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return 0;
}

static void pkey_info(EVP_PKEY *pk, struct keyinfo *ki)
{
	unsigned char *der = NULL;
	int len;

	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_RSA:
	case EVP_PKEY_RSA_PSS:
		ki->type = "rsa";
		break;
	case EVP_PKEY_DSA:
		ki->type = "dsa";
		break;
	case EVP_PKEY_EC:
		ki->type = "ec";
		break;
	case EVP_PKEY_ED25519:
		ki->type = "ed25519";
		break;
	case EVP_PKEY_ED448:
		ki->type = "ed448";
		break;
	case EVP_PKEY_X25519:
		ki->type = "x25519";
		break;
	case EVP_PKEY_X448:
		ki->type = "x448";
		break;
	case EVP_PKEY_DH:
	case EVP_PKEY_DHX:
		ki->type = "dh";
		break;
	default:
		ki->type = NULL;
	}
	ki->bits = EVP_PKEY_get_bits(pk);
	if (ki->type && strcmp(ki->type, "ed25519") == 0)
		ki->bits = 256; /* the key size, not the group order's 253 bits */
	len = i2d_PUBKEY(pk, &der);
	if (len > 0) {
		unsigned char md[32];
		unsigned int mdlen = 0;
		if (EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL) && mdlen == 32) {
			strcpy(ki->fingerprint, "SHA256:");
			for (unsigned i = 0; i < 32; i++)
				snprintf(ki->fingerprint + 7 + 2 * i, 3, "%02x", md[i]);
		}
	}
	OPENSSL_free(der);
}

static void report_pkey(struct kctx *kc, size_t off, EVP_PKEY *pk, struct keyinfo *ki)
{
	char curve[64] = "";
	size_t cl = 0;

	pkey_info(pk, ki);
	if (ki->type && strcmp(ki->type, "ec") == 0 &&
	    EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof(curve), &cl))
		ki->curve = curve;
	report_key(kc, off, ki);
}

static const char *pem_format(const char *label, bool encrypted)
{
	if (strcmp(label, "RSA PRIVATE KEY") == 0)
		return encrypted ? "PEM PKCS#1 (encrypted)" : "PEM PKCS#1";
	if (strcmp(label, "EC PRIVATE KEY") == 0)
		return encrypted ? "PEM SEC1 (encrypted)" : "PEM SEC1";
	if (strcmp(label, "DSA PRIVATE KEY") == 0)
		return encrypted ? "PEM DSA (encrypted)" : "PEM DSA";
	if (strcmp(label, "ENCRYPTED PRIVATE KEY") == 0)
		return "PEM PKCS#8 (encrypted)";
	if (strcmp(label, "PRIVATE KEY") == 0)
		return "PEM PKCS#8";
	return "PEM";
}

static const char *label_type(const char *label)
{
	if (strncmp(label, "RSA ", 4) == 0)
		return "rsa";
	if (strncmp(label, "EC ", 3) == 0)
		return "ec";
	if (strncmp(label, "DSA ", 4) == 0)
		return "dsa";
	return NULL;
}

/* Decode the base64 body of a block into a fresh buffer (caller frees). */
static uint8_t *pem_decode(const struct kctx *kc, const struct gb_pem *pem, size_t *ret_n)
{
	size_t cap = (pem->body_end - pem->b64) / 4 * 3 + 3;
	if (cap > MAX_KEY_BLOB)
		return NULL;
	uint8_t *buf = malloc(cap);
	if (!buf)
		return NULL;
	long n = gb__b64_decode(kc->d.p + pem->b64, pem->body_end - pem->b64, buf, cap);
	if (n <= 0) {
		free(buf);
		return NULL;
	}
	*ret_n = (size_t)n;
	return buf;
}

/* An encrypted PEM key that cannot be opened: is it a real one? */
static bool encrypted_pem_ok(const struct kctx *kc, const struct gb_pem *pem)
{
	size_t n;
	uint8_t *der = pem_decode(kc, pem, &n);
	bool ok = false;

	if (!der)
		return false;
	if (strcmp(pem->label, "ENCRYPTED PRIVATE KEY") == 0) {
		const unsigned char *q = der;
		X509_SIG *sig = d2i_X509_SIG(NULL, &q, (long)n);
		ok = sig && q == der + n;
		X509_SIG_free(sig);
	} else if (pem->proc_encrypted) {
		char name[96];
		snprintf(name, sizeof(name), "%s", pem->dek_info);
		char *comma = strchr(name, ',');
		if (comma) {
			*comma = '\0';
			const EVP_CIPHER *c = EVP_get_cipherbyname(name);
			int bs = c ? EVP_CIPHER_get_block_size(c) : 0;
			size_t ivhex = strlen(comma + 1);
			ok = c && bs > 0 && n % (size_t)bs == 0 &&
			     ivhex == 2 * (size_t)EVP_CIPHER_get_iv_length(c);
		}
	}
	free(der);
	return ok;
}

static void handle_openssl_pem(struct kctx *kc, const struct gb_pem *pem)
{
	size_t len = pem->end - pem->begin;
	char *copy = malloc(len + 2);
	struct keyinfo ki = {0};

	if (!copy)
		return;
	memcpy(copy, kc->d.p + pem->begin, len);
	copy[len] = '\n';
	copy[len + 1] = '\0';
	BIO *bio = BIO_new_mem_buf(copy, (int)len + 1);
	EVP_PKEY *pk = bio ? PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL) : NULL;
	bool encrypted = pem->proc_encrypted || strcmp(pem->label, "ENCRYPTED PRIVATE KEY") == 0;

	ki.label = pem->label;
	ki.encrypted = encrypted;
	ki.format = pem_format(pem->label, encrypted);
	if (pk) {
		report_pkey(kc, pem->begin, pk, &ki);
	} else if (encrypted && encrypted_pem_ok(kc, pem)) {
		ki.type = label_type(pem->label);
		report_key(kc, pem->begin, &ki);
	}
	ERR_clear_error();
	EVP_PKEY_free(pk);
	BIO_free(bio);
	free(copy);
}

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

static bool ed25519_seed_matches(const uint8_t *seed, const uint8_t *pub)
{
	EVP_PKEY *pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	unsigned char derived[32];
	size_t dl = sizeof(derived);
	bool ok = pk && EVP_PKEY_get_raw_public_key(pk, derived, &dl) && dl == 32 && memcmp(derived, pub, 32) == 0;

	EVP_PKEY_free(pk);
	return ok;
}

static bool rsa_pq_is_n(const uint8_t *n, size_t nl, const uint8_t *p, size_t pl, const uint8_t *q, size_t ql)
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
static bool openssh_private_ok(struct gb_sshrd *r, const struct gb_sshpub *pub, struct keyinfo *ki)
{
	uint32_t c1, c2;
	const uint8_t *alg, *a, *b, *c, *x, *p, *q, *comment;
	size_t alg_len, al, bl, cl, xl, pl, ql, comment_len;

	if (gb__sshrd_u32(r, &c1) < 0 || gb__sshrd_u32(r, &c2) < 0 || c1 != c2)
		return false;
	if (gb__sshrd_str(r, &alg, &alg_len) < 0 || !gb__ssh_streq(alg, alg_len, pub->alg))
		return false;
	if (strcmp(pub->type, "ed25519") == 0 && pub->alg[0] != 's') {
		if (gb__sshrd_str(r, &a, &al) < 0 || gb__sshrd_str(r, &b, &bl) < 0)
			return false;
		if (al != 32 || bl != 64 || memcmp(a, pub->pk, 32) != 0 || memcmp(b + 32, a, 32) != 0 ||
		    !ed25519_seed_matches(b, a))
			return false;
	} else if (strcmp(pub->type, "rsa") == 0) {
		/* n, e, d, iqmp, p, q */
		if (gb__sshrd_str(r, &a, &al) < 0 || gb__sshrd_str(r, &b, &bl) < 0 ||
		    gb__sshrd_str(r, &c, &cl) < 0 || gb__sshrd_str(r, &x, &xl) < 0 ||
		    gb__sshrd_str(r, &p, &pl) < 0 || gb__sshrd_str(r, &q, &ql) < 0)
			return false;
		if (!bn_eq(a, al, pub->n, pub->n_len) || !bn_eq(b, bl, pub->e, pub->e_len) ||
		    !rsa_pq_is_n(a, al, p, pl, q, ql))
			return false;
	} else if (strcmp(pub->type, "ec") == 0 && pub->alg[0] != 's') {
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
		return true; /* security-key types: the key handle stays on the token */
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

static void handle_openssh(struct kctx *kc, const struct gb_pem *pem)
{
	size_t n;
	uint8_t *blob = pem_decode(kc, pem, &n);
	struct gb_sshrd r;
	const uint8_t *cipher, *kdf, *kdfopt, *pubb, *priv;
	size_t cipher_len, kdf_len, kdfopt_len, pub_len, priv_len;
	uint32_t nkeys;
	struct gb_sshpub pub;
	struct keyinfo ki = {0};

	if (!blob)
		return;
	if (n < 15 || memcmp(blob, "openssh-key-v1\0", 15) != 0)
		goto out;
	r = (struct gb_sshrd){blob, n, 15};
	if (gb__sshrd_str(&r, &cipher, &cipher_len) < 0 || gb__sshrd_str(&r, &kdf, &kdf_len) < 0 ||
	    gb__sshrd_str(&r, &kdfopt, &kdfopt_len) < 0 || gb__sshrd_u32(&r, &nkeys) < 0 || nkeys == 0 ||
	    nkeys > 64)
		goto out;
	if (gb__sshrd_str(&r, &pubb, &pub_len) < 0 || gb__sshpub_parse(pubb, pub_len, &pub) < 0)
		goto out;
	for (uint32_t i = 1; i < nkeys; i++) {
		const uint8_t *skip;
		size_t sl;
		if (gb__sshrd_str(&r, &skip, &sl) < 0)
			goto out;
	}
	if (gb__sshrd_str(&r, &priv, &priv_len) < 0)
		goto out;
	ki.encrypted = !gb__ssh_streq(cipher, cipher_len, "none");
	if (ki.encrypted) {
		if (!printable_name(cipher, cipher_len) || !gb__ssh_streq(kdf, kdf_len, "bcrypt") ||
		    priv_len == 0 || priv_len % 8 != 0)
			goto out;
	} else {
		struct gb_sshrd pr = {priv, priv_len, 0};
		if (!gb__ssh_streq(kdf, kdf_len, "none") || !openssh_private_ok(&pr, &pub, &ki))
			goto out;
	}
	ki.type = pub.type;
	ki.bits = pub.bits;
	ki.curve = pub.curve;
	ki.format = ki.encrypted ? "OpenSSH (encrypted)" : "OpenSSH";
	ki.label = pem->label;
	gb__ssh_fingerprint(pubb, pub_len, ki.fingerprint);
	report_key(kc, pem->begin, &ki);
out:
	free(blob);
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

static void handle_putty(struct kctx *kc, size_t at)
{
	const struct gb_span *d = &kc->d;
	struct ppk_line l;
	const uint8_t *alg = NULL, *enc = NULL, *com = NULL, *mac = NULL, *v;
	size_t alg_len = 0, enc_len = 0, com_len = 0, mac_len = 0, vl, off = at;
	uint8_t *pub = NULL, *priv = NULL;
	size_t pub_len = 0, priv_len = 0;
	struct gb_sshpub sp;
	struct keyinfo ki = {0};
	int version;

	if (!ppk_getline(d, off, &l) || l.n < 24)
		return;
	version = l.p[20] - '0';
	if ((version != 2 && version != 3) || l.p[21] != ':' || l.p[22] != ' ')
		return;
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
			return;
		}
	}
	if (!pub || !enc || !ppk_getline(d, off, &l) || !ppk_field(&l, "Private-Lines", &v, &vl))
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
	report_key(kc, at, &ki);
out:
	free(pub);
	free(priv);
}

/* ---- DER keys inside binary data ---- */

static const char *der_shape(const uint8_t *c, size_t n)
{
	if (n < 8 || c[0] != 0x02 || c[1] != 0x01)
		return NULL;
	if (c[2] == 0x00 && c[3] == 0x02 && (c[4] == 0x81 || c[4] == 0x82 || c[4] == 0x83))
		return "DER PKCS#1";     /* RSAPrivateKey / DSA: version 0, INTEGER */
	if ((c[2] == 0x00 || c[2] == 0x01) && c[3] == 0x30 && c[4] < 0x80 && c[5] == 0x06)
		return "DER PKCS#8";     /* version, AlgorithmIdentifier { OID ... } */
	if (c[2] == 0x01 && c[3] == 0x04 && c[4] >= 0x18 && c[4] <= 0x42)
		return "DER SEC1";       /* ECPrivateKey: version 1, OCTET STRING */
	return NULL;
}

static void der_scan(struct kctx *kc)
{
	const uint8_t *p = kc->d.p;
	size_t n = kc->d.n < MAX_SCAN ? kc->d.n : MAX_SCAN;

	for (size_t i = 0; i + 16 < n && kc->found < MAX_KEYS_PER_FILE; i++) {
		const uint8_t *h = memchr(p + i, 0x30, n - 16 - i);
		if (!h)
			break;
		i = (size_t)(h - p);
		size_t len, hl;
		if (p[i + 1] < 0x80) {
			len = p[i + 1];
			hl = 2;
		} else if (p[i + 1] == 0x81 && p[i + 2] >= 0x80) {
			len = p[i + 2];
			hl = 3;
		} else if (p[i + 1] == 0x82 && p[i + 2] != 0) {
			len = (size_t)p[i + 2] << 8 | p[i + 3];
			hl = 4;
		} else {
			continue;
		}
		if (len < 40 || len > n - i - hl)
			continue;
		const char *fmt = der_shape(p + i + hl, len);
		if (!fmt)
			continue;
		const unsigned char *q = p + i;
		EVP_PKEY *pk = d2i_AutoPrivateKey(NULL, &q, (long)(hl + len));
		if (pk && q == p + i + hl + len) {
			struct keyinfo ki = {.format = fmt};
			if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_DSA && strcmp(fmt, "DER PKCS#1") == 0)
				ki.format = "DER DSA";
			report_pkey(kc, i, pk, &ki);
			i += hl + len - 1;
		}
		EVP_PKEY_free(pk);
		ERR_clear_error();
	}
}

/* ---- authorized_keys ---- */

static bool key_alg_name(const char *s, size_t n)
{
	static const char *const algs[] = {"ssh-rsa", "ssh-dss", "ssh-ed25519", "ssh-ed448",
					   "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
					   "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com"};
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strlen(algs[i]) == n && memcmp(s, algs[i], n) == 0)
			return true;
	return false;
}

/* Skip the options field (commas, quoted strings with spaces). */
static size_t skip_options(const char *s, size_t i, size_t n)
{
	bool quoted = false;
	for (; i < n; i++) {
		if (s[i] == '\\' && quoted && i + 1 < n)
			i++;
		else if (s[i] == '"')
			quoted = !quoted;
		else if (!quoted && (s[i] == ' ' || s[i] == '\t'))
			break;
	}
	return i;
}

static size_t skip_ws(const char *s, size_t i, size_t n)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

static size_t token_end(const char *s, size_t i, size_t n)
{
	while (i < n && s[i] != ' ' && s[i] != '\t')
		i++;
	return i;
}

/* One authorized_keys line; returns a JSON entry or NULL. */
static json_t *auth_line(const char *s, size_t n, uint64_t lineno)
{
	size_t i = skip_ws(s, 0, n), t, te;
	bool options = false;
	uint8_t blob[16384];
	struct gb_sshpub pub;
	char fp[64];

	if (i >= n || s[i] == '#')
		return NULL;
	te = token_end(s, i, n);
	if (!key_alg_name(s + i, te - i)) {
		options = true;
		i = skip_ws(s, skip_options(s, i, n), n);
		te = token_end(s, i, n);
		if (!key_alg_name(s + i, te - i))
			return NULL;
	}
	t = i;
	i = skip_ws(s, te, n);
	size_t be = token_end(s, i, n);
	long bl = gb__b64_decode((const uint8_t *)s + i, be - i, blob, sizeof(blob));
	if (bl <= 0 || gb__sshpub_parse(blob, (size_t)bl, &pub) < 0 || strlen(pub.alg) != te - t ||
	    memcmp(pub.alg, s + t, te - t) != 0)
		return NULL;
	gb__ssh_fingerprint(blob, (size_t)bl, fp);
	i = skip_ws(s, be, n);
	size_t ce = n;
	while (ce > i && (s[ce - 1] == ' ' || s[ce - 1] == '\t' || s[ce - 1] == '\r'))
		ce--;
	json_t *c = ce > i ? json_stringn(s + i, ce - i) : NULL;
	return json_pack("{s:I, s:s, s:s, s:i, s:s, s:o, s:b}", "line", (json_int_t)lineno, "alg", pub.alg, "type",
			 pub.type, "bits", pub.bits, "fingerprint", fp, "comment", c ? c : json_null(), "options",
			 options);
}

static void handle_authorized_keys(struct kctx *kc)
{
	const char *s = (const char *)kc->d.p;
	size_t n = kc->d.n < (4u << 20) ? kc->d.n : (4u << 20);
	json_t *keys = json_array();
	size_t entries = 0, first_line = 0;
	uint64_t lineno = 0;

	for (size_t off = 0; off < n;) {
		const char *nl = memchr(s + off, '\n', n - off);
		size_t eol = nl ? (size_t)(nl - s) : n;
		lineno++;
		json_t *e = auth_line(s + off, eol - off, lineno);
		if (e) {
			if (!entries)
				first_line = lineno;
			entries++;
			if (json_array_size(keys) < MAX_AUTH_LISTED)
				json_array_append_new(keys, e);
			else
				json_decref(e);
		}
		off = eol + 1;
	}
	if (!entries) {
		json_decref(keys);
		return;
	}
	json_t *d = json_pack("{s:I, s:o}", "entries", (json_int_t)entries, "keys", keys);
	gb_aout_finding(kc->out, "key.authorized-keys", GB_SEV_MEDIUM, kc->af->file, first_line, -1, d,
			"%s authorizes %zu SSH key%s to log in", kc->af->file->path, entries, entries == 1 ? "" : "s");
}

/* ---- run ---- */

static int run(void *state, const struct gb_afile *af, struct gb_aout *out)
{
	struct kctx kc = {.out = out, .af = af, .d = af->data};
	struct gb_pem pem;

	(void)state;
	if (af->data.n == 0)
		return 0;
	if (kc.d.n > MAX_SCAN)
		kc.d.n = MAX_SCAN;
	kc.text = gb__kind_is_text(af->file->kind);
	if (is_authorized_keys(af->file->path))
		handle_authorized_keys(&kc);

	if (memmem(kc.d.p, kc.d.n, "PRIVATE KEY-----", 16)) {
		for (size_t pos = 0; gb__pem_next(&kc.d, pos, &pem) && kc.found < MAX_KEYS_PER_FILE; pos = pem.end) {
			size_t l = strlen(pem.label);
			if (l < 11 || strcmp(pem.label + l - 11, "PRIVATE KEY") != 0)
				continue;
			if (strcmp(pem.label, "OPENSSH PRIVATE KEY") == 0)
				handle_openssh(&kc, &pem);
			else
				handle_openssl_pem(&kc, &pem);
		}
	}
	for (size_t pos = 0; pos < kc.d.n && kc.found < MAX_KEYS_PER_FILE;) {
		const uint8_t *h = memmem(kc.d.p + pos, kc.d.n - pos, "PuTTY-User-Key-File-", 20);
		if (!h)
			break;
		pos = (size_t)(h - kc.d.p);
		handle_putty(&kc, pos);
		pos += 20;
	}
	if (af->file->kind && (strcmp(af->file->kind, "data") == 0 || strcmp(af->file->kind, "elf") == 0))
		der_scan(&kc);
	return 0;
}

const struct gb_analyzer gb__an_keys = {
	.name = "keys",
	.description = "private keys (PEM, DER, OpenSSH, PuTTY; also inside binaries) and authorized_keys",
	.wants = wants,
	.run = run,
};
