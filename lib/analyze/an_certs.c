/* certs: X.509 certificates shipped in the image, parsed with OpenSSL.
 *
 * Where they are looked for: PEM blocks ("CERTIFICATE", "X509 CERTIFICATE",
 * "TRUSTED CERTIFICATE") in any text file and inside data and ELF files, and
 * whole-file DER certificates (a data file that is exactly one certificate).
 *
 * Rules (details of each: subject, issuer, not_before, not_after, key_type,
 * key_bits, signature_algorithm, sha256 (fingerprint of the DER, as
 * `openssl x509 -fingerprint -sha256` prints it), self_signed, trust_store):
 *   cert.expired (medium): notAfter is before the reference time, which is
 *     the time of the audit (details.reference_time).
 *   cert.self-signed (low): issuer equals subject and the signature verifies
 *     with the certificate's own key: nothing vouches for it, and a device
 *     certificate like that usually ships with its private key.
 *   cert.weak-key (medium): RSA under 2048 bits, DSA, EC under 224 bits, or
 *     an MD2/MD4/MD5/SHA-1 signature (details.weaknesses lists which).
 *
 * Trust stores are not the device's own certificates: their roots are
 * self-signed by design, and the digest of a root's self-signature is never
 * checked. A certificate is in a trust store when its file is under
 * /usr/share/ca-certificates, /usr/local/share/ca-certificates,
 * /etc/ca-certificates, /etc/pki or /usr/share/pki, is named like a bundle
 * (ca-certificates.crt, ca-bundle.crt, cacert.pem...), holds 4 or more
 * certificates, or sits in a directory with 16 or more certificate files
 * (OpenWrt's /etc/ssl/certs). Such certificates give only cert.expired, at
 * info; cert.self-signed and cert.weak-key are not reported for them.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <glassbox/sys/analyzer.h>

#include "analyze/pemutil.h"

#define MAX_SCAN (64u << 20)
#define MAX_CERTS_PER_FILE 512
#define MAX_FINDINGS_PER_FILE 48
#define BUNDLE_CERTS 4       /* a file with this many certificates is a bundle */
#define STORE_DIR_CERTS 16   /* a directory with this many certificate files is a store */

struct store_dir {
	int node;
	char *dir;
};

struct certs_state {
	time_t now;
	char now_text[32];
	struct store_dir *dirs;
	size_t n_dirs;
};

struct cctx {
	struct certs_state *st;
	struct gb_aout *out;
	const struct gb_afile *af;
	struct gb_span d;
	bool text;
	bool store;
	unsigned findings;
};

static const char *basename_of(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static int dir_cmp(const void *a, const void *b)
{
	const struct store_dir *x = a, *y = b;
	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	return strcmp(x->dir, y->dir);
}

/* Directories with many certificate files (counted from the inventory). */
static int find_store_dirs(const struct gb_scan *scan, struct certs_state *st)
{
	struct store_dir *all = calloc(scan->n_files ? scan->n_files : 1, sizeof(*all));
	size_t n = 0;

	if (!all)
		return -GB_ENOMEM;
	for (size_t i = 0; i < scan->n_files; i++) {
		const struct gb_file *f = &scan->files[i];
		if (!f->kind || strcmp(f->kind, "certificate") != 0)
			continue;
		const char *slash = strrchr(f->path, '/');
		size_t dl = slash ? (size_t)(slash - f->path) : 0;
		all[n].node = f->node;
		all[n].dir = strndup(f->path, dl);
		if (!all[n].dir)
			break;
		n++;
	}
	gb_qsort(all, n, sizeof(*all), dir_cmp);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && dir_cmp(&all[i], &all[j]) == 0)
			j++;
		if (j - i >= STORE_DIR_CERTS) {
			/* keep it at the front; slots before i are done with */
			struct store_dir keep = all[i];
			all[i].dir = NULL;
			free(all[st->n_dirs].dir);
			all[st->n_dirs] = keep;
			st->n_dirs++;
		}
		i = j;
	}
	for (size_t i = st->n_dirs; i < n; i++)
		free(all[i].dir);
	st->dirs = all;
	return 0;
}

static int start(void *state, const struct gb_scan *scan)
{
	return find_store_dirs(scan, state) < 0 ? -GB_ENOMEM : 0;
}

static int init(const struct gb_audit_opts *opts, void **ret_state)
{
	struct certs_state *st = calloc(1, sizeof(*st));
	struct tm tm;

	(void)opts;
	if (!st)
		return -GB_ENOMEM;
	st->now = time(NULL);
	gmtime_r(&st->now, &tm);
	strftime(st->now_text, sizeof(st->now_text), "%Y-%m-%dT%H:%M:%SZ", &tm);
	*ret_state = st;
	return 0;
}

static void fini(void *state)
{
	struct certs_state *st = state;
	if (!st)
		return;
	for (size_t i = 0; i < st->n_dirs; i++)
		free(st->dirs[i].dir);
	free(st->dirs);
	free(st);
}

static bool wants(void *state, const struct gb_afile *af)
{
	static const char *const kinds[] = {"certificate", "private-key", "public-key", "text",
					    "shell-script", "script", "data", "elf"};
	const struct gb_file *f = af->file;

	(void)state;
	if ((f->type != GB_FT_FILE && f->type != GB_FT_HARDLINK) || !f->disk || f->size == 0 || !f->kind)
		return false;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(f->kind, kinds[i]) == 0)
			return true;
	return false;
}

static bool in_store_path(const struct certs_state *st, const struct gb_file *f)
{
	static const char *const prefixes[] = {"/usr/share/ca-certificates/", "/usr/local/share/ca-certificates/",
					       "/etc/ca-certificates/", "/etc/pki/", "/usr/share/pki/"};
	static const char *const bundles[] = {"ca-certificates.crt", "ca-bundle.crt", "ca-bundle.pem",
					      "ca-bundle.trust.crt", "cacert.pem", "tls-ca-bundle.pem",
					      "ca-root-nss.crt", "ca-certificates.pem", "ca-roots.pem"};
	const char *b = basename_of(f->path);

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(f->path, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	for (size_t i = 0; i < sizeof(bundles) / sizeof(bundles[0]); i++)
		if (strcmp(b, bundles[i]) == 0)
			return true;
	size_t dl = (size_t)(b - f->path) ? (size_t)(b - f->path) - 1 : 0;
	for (size_t i = 0; i < st->n_dirs; i++)
		if (st->dirs[i].node == f->node && strlen(st->dirs[i].dir) == dl &&
		    strncmp(st->dirs[i].dir, f->path, dl) == 0)
			return true;
	return false;
}

/* ---- facts of one certificate ---- */

static json_t *name_json(const X509_NAME *name)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long n;
	json_t *j = NULL;

	if (!b)
		return json_null();
	if (X509_NAME_print_ex(b, name, 0, XN_FLAG_ONELINE) >= 0) {
		n = BIO_get_mem_data(b, &p);
		j = json_stringn(p, n > 0 ? (size_t)n : 0);
	}
	BIO_free(b);
	return j ? j : json_null();
}

static json_t *time_json(const ASN1_TIME *t)
{
	struct tm tm;
	char buf[32];

	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return json_null();
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

static const char *key_type_name(const EVP_PKEY *pk)
{
	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_RSA:
	case EVP_PKEY_RSA_PSS:
		return "rsa";
	case EVP_PKEY_DSA:
		return "dsa";
	case EVP_PKEY_EC:
		return "ec";
	case EVP_PKEY_ED25519:
		return "ed25519";
	case EVP_PKEY_ED448:
		return "ed448";
	default:
		return NULL;
	}
}

static json_t *cert_details(const struct cctx *cc, X509 *x, bool self_signed)
{
	EVP_PKEY *pk = X509_get0_pubkey(x);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char fp[3 * EVP_MAX_MD_SIZE + 1] = "";
	const char *kt = pk ? key_type_name(pk) : NULL;
	int sig_nid = X509_get_signature_nid(x);
	json_t *d = json_object();

	if (X509_digest(x, EVP_sha256(), md, &mdlen))
		for (unsigned i = 0; i < mdlen; i++)
			snprintf(fp + 3 * i, 4, i + 1 < mdlen ? "%02X:" : "%02X", md[i]);
	json_object_set_new(d, "subject", name_json(X509_get_subject_name(x)));
	json_object_set_new(d, "issuer", name_json(X509_get_issuer_name(x)));
	json_object_set_new(d, "not_before", time_json(X509_get0_notBefore(x)));
	json_object_set_new(d, "not_after", time_json(X509_get0_notAfter(x)));
	json_object_set_new(d, "key_type", kt ? json_string(kt) : json_null());
	json_object_set_new(d, "key_bits", pk ? json_integer(EVP_PKEY_get_bits(pk)) : json_null());
	json_object_set_new(d, "signature_algorithm",
			    sig_nid != NID_undef ? json_string(OBJ_nid2ln(sig_nid)) : json_null());
	json_object_set_new(d, "sha256", json_string(fp));
	json_object_set_new(d, "self_signed", json_boolean(self_signed));
	json_object_set_new(d, "trust_store", json_boolean(cc->store));
	return d;
}

static bool is_self_signed(X509 *x)
{
	EVP_PKEY *pk = X509_get0_pubkey(x);
	bool ok = pk && X509_check_issued(x, x) == X509_V_OK && X509_verify(x, pk) == 1;
	ERR_clear_error();
	return ok;
}

/* The weaknesses of the key and signature, as a JSON array (empty if none). */
static json_t *weaknesses(X509 *x)
{
	json_t *w = json_array();
	EVP_PKEY *pk = X509_get0_pubkey(x);
	int md_nid = NID_undef, pk_nid = NID_undef;
	char buf[48];

	if (pk) {
		int bits = EVP_PKEY_get_bits(pk);
		const char *kt = key_type_name(pk);
		if (kt && strcmp(kt, "rsa") == 0 && bits < 2048) {
			snprintf(buf, sizeof(buf), "rsa-%d", bits);
			json_array_append_new(w, json_string(buf));
		} else if (kt && strcmp(kt, "dsa") == 0) {
			snprintf(buf, sizeof(buf), "dsa-%d", bits);
			json_array_append_new(w, json_string(buf));
		} else if (kt && strcmp(kt, "ec") == 0 && bits < 224) {
			snprintf(buf, sizeof(buf), "ec-%d", bits);
			json_array_append_new(w, json_string(buf));
		}
	}
	if (OBJ_find_sigid_algs(X509_get_signature_nid(x), &md_nid, &pk_nid)) {
		const char *md = NULL;
		switch (md_nid) {
		case NID_md2:
			md = "md2-signature";
			break;
		case NID_md4:
			md = "md4-signature";
			break;
		case NID_md5:
			md = "md5-signature";
			break;
		case NID_sha1:
			md = "sha1-signature";
			break;
		}
		if (md)
			json_array_append_new(w, json_string(md));
	}
	return w;
}

static void finding(struct cctx *cc, const char *rule, enum gb_severity sev, size_t off, json_t *d,
		    const char *msg, const char *subject)
{
	if (cc->findings >= MAX_FINDINGS_PER_FILE) {
		json_decref(d);
		return;
	}
	cc->findings++;
	gb_aout_finding(cc->out, rule, sev, cc->af->file, cc->text ? gb__line_of(&cc->d, off) : 0,
			cc->text ? -1 : (int64_t)off, d, "%s: certificate %s %s", cc->af->file->path,
			subject ? subject : "(no subject)", msg);
}

static void check_cert(struct cctx *cc, X509 *x, size_t off)
{
	bool self = is_self_signed(x);
	const ASN1_TIME *na = X509_get0_notAfter(x);
	json_t *base = cert_details(cc, x, self);
	const char *subject = json_string_value(json_object_get(base, "subject"));
	time_t now = cc->st->now;

	if (na && X509_cmp_time(na, &now) < 0) {
		json_t *d = json_deep_copy(base);
		json_object_set_new(d, "reference_time", json_string(cc->st->now_text));
		char msg[96];
		snprintf(msg, sizeof(msg), "expired on %s%s", json_string_value(json_object_get(base, "not_after")),
			 cc->store ? " (trust store)" : "");
		finding(cc, "cert.expired", cc->store ? GB_SEV_INFO : GB_SEV_MEDIUM, off, d, msg, subject);
	}
	if (!cc->store && self)
		finding(cc, "cert.self-signed", GB_SEV_LOW, off, json_deep_copy(base), "is self-signed", subject);
	if (!cc->store) {
		json_t *w = weaknesses(x);
		if (json_array_size(w)) {
			json_t *d = json_deep_copy(base);
			char msg[128] = "has a weak key or signature:";
			size_t i;
			json_t *v;
			json_array_foreach(w, i, v)
			{
				strncat(msg, " ", sizeof(msg) - strlen(msg) - 1);
				strncat(msg, json_string_value(v), sizeof(msg) - strlen(msg) - 1);
			}
			json_object_set_new(d, "weaknesses", w);
			finding(cc, "cert.weak-key", GB_SEV_MEDIUM, off, d, msg, subject);
		} else {
			json_decref(w);
		}
	}
	json_decref(base);
	ERR_clear_error();
}

static bool cert_label(const char *label)
{
	return strcmp(label, "CERTIFICATE") == 0 || strcmp(label, "X509 CERTIFICATE") == 0 ||
	       strcmp(label, "TRUSTED CERTIFICATE") == 0;
}

static X509 *pem_cert(const struct cctx *cc, const struct gb_pem *pem)
{
	size_t len = pem->end - pem->begin;
	char *copy = malloc(len + 2);
	X509 *x = NULL;

	if (!copy || len > INT32_MAX - 2) {
		free(copy);
		return NULL;
	}
	memcpy(copy, cc->d.p + pem->begin, len);
	copy[len] = '\n';
	copy[len + 1] = '\0';
	BIO *bio = BIO_new_mem_buf(copy, (int)len + 1);
	if (bio)
		x = strcmp(pem->label, "TRUSTED CERTIFICATE") == 0 ? PEM_read_bio_X509_AUX(bio, NULL, NULL, NULL)
								  : PEM_read_bio_X509(bio, NULL, NULL, NULL);
	ERR_clear_error();
	BIO_free(bio);
	free(copy);
	return x;
}

/* A data file that is exactly one DER certificate (trailing whitespace allowed). */
static X509 *der_cert(const struct gb_span *d)
{
	size_t len;

	if (d->n < 64 || d->p[0] != 0x30 || d->p[1] != 0x82 || d->p[4] != 0x30)
		return NULL;
	len = ((size_t)d->p[2] << 8 | d->p[3]) + 4;
	if (len > d->n)
		return NULL;
	for (size_t i = len; i < d->n; i++)
		if (d->p[i] != '\n' && d->p[i] != '\r' && d->p[i] != 0)
			return NULL;
	const unsigned char *q = d->p;
	X509 *x = d2i_X509(NULL, &q, (long)len);
	if (x && q != d->p + len) {
		X509_free(x);
		x = NULL;
	}
	ERR_clear_error();
	return x;
}

static int run(void *state, const struct gb_afile *af, struct gb_aout *out)
{
	struct cctx cc = {.st = state, .out = out, .af = af, .d = af->data};
	struct gb_pem pem;
	size_t count = 0;

	if (cc.d.n == 0)
		return 0;
	if (cc.d.n > MAX_SCAN)
		cc.d.n = MAX_SCAN;
	cc.text = gb__is_text(af->file->kind, &af->data);
	cc.store = in_store_path(cc.st, af->file);

	if (strcmp(af->file->kind, "data") == 0) {
		X509 *x = der_cert(&cc.d);
		if (x) {
			check_cert(&cc, x, 0);
			X509_free(x);
			return 0;
		}
	}
	if (!memmem(cc.d.p, cc.d.n, "CERTIFICATE-----", 16))
		return 0;
	/* count first: a file with several certificates is a bundle */
	for (size_t pos = 0; gb__pem_next(&cc.d, pos, &pem); pos = pem.end)
		if (cert_label(pem.label) && ++count >= BUNDLE_CERTS)
			break;
	if (count >= BUNDLE_CERTS)
		cc.store = true;
	count = 0;
	for (size_t pos = 0; gb__pem_next(&cc.d, pos, &pem) && count < MAX_CERTS_PER_FILE; pos = pem.end) {
		if (!cert_label(pem.label))
			continue;
		X509 *x = pem_cert(&cc, &pem);
		if (!x)
			continue;
		count++;
		check_cert(&cc, x, pem.begin);
		X509_free(x);
	}
	return 0;
}

const struct gb_analyzer gb__an_certs = {
	.name = "certs",
	.description = "X.509 certificates: expired, self-signed, weak keys and signatures",
	.init = init,
	.start = start,
	.wants = wants,
	.run = run,
	.fini = fini,
};
