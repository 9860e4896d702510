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
 *     - Dropbear host keys (a whole file in dropbear's own format, as
 *       dropbearkey writes /etc/dropbear/dropbear_*_host_key): RSA p*q == n,
 *       Ed25519 public derived from its seed.
 *     A BEGIN line that is only a format string (dropbearconvert has
 *     "-----BEGIN RSA PRIVATE KEY-----" with no key after it) never parses
 *     and is not reported.
 *     details: type (rsa|dsa|ec|ed25519|ed448|x25519|x448|dh|null), bits,
 *     curve, encrypted, format, label, fingerprint, comment.
 *     fingerprint: "SHA256:<hex>" = SHA-256 of the DER SubjectPublicKeyInfo
 *     (openssl pkey -pubout -outform DER | sha256sum) for PEM/DER keys;
 *     "SHA256:<base64>" as ssh-keygen -l prints it for OpenSSH, PuTTY and
 *     Dropbear keys. Published test keys (OpenSSL's speed keys, the Linux
 *     crypto self-test vectors) are recognised by fingerprint and reported
 *     at info with details.known_key.
 *   key.authorized-keys (medium): an authorized_keys / authorized_keys2
 *     file anywhere with at least one valid key line; details.entries and
 *     details.keys [{line, alg, type, bits, fingerprint, comment, options}].
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <glassbox/sys/analyzer.h>

#include "analyze/keys_ssh.h"
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

static void report_key(struct kctx *kc, size_t off, const struct gb_keyinfo *ki)
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
	bool text = kc->text && !ki->binary;
	gb_aout_finding(kc->out, "key.private", known ? GB_SEV_INFO : GB_SEV_HIGH, kc->af->file,
			text ? gb__line_of(&kc->d, off) : 0, text ? -1 : (int64_t)off, d,
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

static void pkey_info(EVP_PKEY *pk, struct gb_keyinfo *ki)
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

static void report_pkey(struct kctx *kc, size_t off, EVP_PKEY *pk, struct gb_keyinfo *ki)
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
	struct gb_keyinfo ki = {0};

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

/* ---- SSH-family formats (keys_ssh.c) ---- */

static void handle_openssh(struct kctx *kc, const struct gb_pem *pem)
{
	size_t n;
	uint8_t *blob = pem_decode(kc, pem, &n);
	struct gb_keyinfo ki = {0};

	if (blob && gb__openssh_key(blob, n, &ki)) {
		ki.label = pem->label;
		report_key(kc, pem->begin, &ki);
	}
	free(blob);
}

static void handle_putty(struct kctx *kc, size_t at)
{
	struct gb_keyinfo ki = {0};
	if (gb__putty_key(&kc->d, at, &ki))
		report_key(kc, at, &ki);
}

static void handle_dropbear(struct kctx *kc)
{
	struct gb_keyinfo ki = {0};
	if (gb__dropbear_key(&kc->d, &ki))
		report_key(kc, 0, &ki);
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
			struct gb_keyinfo ki = {.format = fmt};
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
	kc.text = gb__is_text(af->file->kind, &af->data);
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
	if (af->file->kind && (strcmp(af->file->kind, "data") == 0 || strcmp(af->file->kind, "public-key") == 0))
		handle_dropbear(&kc);
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
