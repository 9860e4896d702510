/* PEM blocks, base64 and SSH public key blobs for the keys and certs
 * analyzers (see pemutil.h). */
#include <string.h>

#include <openssl/evp.h>

#include "analyze/pemutil.h"

#define PEM_MAX_BLOCK (1u << 20) /* a BEGIN farther than this from its END is not one block */

static bool label_char(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ';
}

static bool is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Copy a header value (trimmed) into out. */
static void header_value(const uint8_t *p, size_t n, char *out, size_t cap)
{
	while (n && is_space(*p)) {
		p++;
		n--;
	}
	while (n && is_space(p[n - 1]))
		n--;
	if (n >= cap)
		n = cap - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* RFC 1421 headers ("Proc-Type: 4,ENCRYPTED", "DEK-Info: ...") before the base64. */
static void parse_headers(const struct gb_span *d, struct gb_pem *pem)
{
	size_t q = pem->body;
	bool had = false;

	pem->b64 = pem->body;
	while (q < pem->body_end) {
		const uint8_t *nl = memchr(d->p + q, '\n', pem->body_end - q);
		size_t eol = nl ? (size_t)(nl - d->p) : pem->body_end;
		const uint8_t *line = d->p + q;
		size_t len = eol - q;
		const uint8_t *colon = memchr(line, ':', len);
		size_t next = eol < pem->body_end ? eol + 1 : eol;

		if (colon) {
			size_t name = (size_t)(colon - line);
			if (name == 9 && memcmp(line, "Proc-Type", 9) == 0) {
				char v[64];
				header_value(colon + 1, len - name - 1, v, sizeof(v));
				if (strstr(v, "ENCRYPTED"))
					pem->proc_encrypted = true;
			} else if (name == 8 && memcmp(line, "DEK-Info", 8) == 0) {
				header_value(colon + 1, len - name - 1, pem->dek_info, sizeof(pem->dek_info));
			}
			had = true;
			q = next;
			pem->b64 = q;
			continue;
		}
		if (had) {
			bool blank = true;
			for (size_t i = 0; i < len; i++)
				if (!is_space(line[i]))
					blank = false;
			if (blank)
				pem->b64 = next;
		}
		break;
	}
}

static bool parse_block(const struct gb_span *d, size_t b, struct gb_pem *ret)
{
	size_t p = b + 11, l = 0;

	while (p + l < d->n && l <= 64 && label_char(d->p[p + l]))
		l++;
	if (l == 0 || l > 64 || d->p[p] == ' ' || d->p[p + l - 1] == ' ')
		return false;
	if (!gb_span_eq(d, p + l, "-----", 5))
		return false;
	memset(ret, 0, sizeof(*ret));
	memcpy(ret->label, d->p + p, l);
	ret->label[l] = '\0';
	ret->begin = b;
	ret->body = p + l + 5;
	if (ret->body < d->n && d->p[ret->body] == '\r')
		ret->body++;
	if (ret->body >= d->n || d->p[ret->body] != '\n')
		return false;
	ret->body++;

	/* The first "-----" after the BEGIN line must be its END line. */
	size_t win = d->n - ret->body < PEM_MAX_BLOCK ? d->n - ret->body : PEM_MAX_BLOCK;
	const uint8_t *e = memmem(d->p + ret->body, win, "-----", 5);
	if (!e)
		return false;
	size_t eo = (size_t)(e - d->p);
	if (!gb_span_eq(d, eo, "-----END ", 9) || !gb_span_eq(d, eo + 9, ret->label, l) ||
	    !gb_span_eq(d, eo + 9 + l, "-----", 5))
		return false;
	ret->body_end = eo;
	ret->end = eo + 9 + l + 5;
	parse_headers(d, ret);
	return true;
}

bool gb__pem_next(const struct gb_span *d, size_t from, struct gb_pem *ret)
{
	size_t pos = from;

	while (pos < d->n) {
		const uint8_t *h = memmem(d->p + pos, d->n - pos, "-----BEGIN ", 11);
		if (!h)
			return false;
		size_t b = (size_t)(h - d->p);
		if (parse_block(d, b, ret))
			return true;
		pos = b + 11;
	}
	return false;
}

static int b64_val(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long gb__b64_decode(const uint8_t *p, size_t n, uint8_t *out, size_t cap)
{
	uint32_t acc = 0;
	unsigned bits = 0, pad = 0;
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (is_space(c))
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		int v = b64_val(c);
		if (v < 0 || pad)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= cap)
				return -1;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	/* leftover bits must be padding (6 bits = a dangling character: invalid) */
	if (bits >= 6 || pad > 2)
		return -1;
	return (long)o;
}

uint64_t gb__line_of(const struct gb_span *d, size_t off)
{
	uint64_t line = 1;
	const uint8_t *p = d->p, *end = d->p + (off < d->n ? off : d->n);

	while (p < end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;
		line++;
		p = nl + 1;
	}
	return line;
}

bool gb__is_text(const char *kind, const struct gb_span *d)
{
	static const char *const k[] = {"text", "shell-script", "script", "private-key", "certificate", "public-key"};
	size_t n = d->n < 65536 ? d->n : 65536, bad = 0;
	bool ok = false;

	if (!kind)
		return false;
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		if (strcmp(kind, k[i]) == 0)
			ok = true;
	if (!ok)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = d->p[i];
		if (c == 0)
			return false;
		if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f')
			bad++;
	}
	return bad * 50 <= n;
}

/* ---- SSH wire format ---- */

int gb__sshrd_u32(struct gb_sshrd *r, uint32_t *ret)
{
	if (r->off > r->n || r->n - r->off < 4)
		return -1;
	*ret = gb_be32(r->p + r->off);
	r->off += 4;
	return 0;
}

int gb__sshrd_str(struct gb_sshrd *r, const uint8_t **ret, size_t *ret_len)
{
	uint32_t len;

	if (gb__sshrd_u32(r, &len) < 0 || len > r->n - r->off)
		return -1;
	*ret = r->p + r->off;
	*ret_len = len;
	r->off += len;
	return 0;
}

bool gb__ssh_streq(const uint8_t *p, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(p, s, n) == 0;
}

int gb__mpint_bits(const uint8_t *p, size_t n)
{
	while (n && *p == 0) {
		p++;
		n--;
	}
	if (!n || n > (1u << 20))
		return 0;
	int bits = (int)(n - 1) * 8;
	for (uint8_t c = *p; c; c >>= 1)
		bits++;
	return bits;
}

int gb__sshpub_parse(const uint8_t *p, size_t n, struct gb_sshpub *ret)
{
	struct gb_sshrd r = {p, n, 0};
	const uint8_t *alg, *a, *b, *c;
	size_t alg_len, al, bl, cl;

	memset(ret, 0, sizeof(*ret));
	if (gb__sshrd_str(&r, &alg, &alg_len) < 0 || alg_len == 0 || alg_len >= sizeof(ret->alg))
		return -1;
	memcpy(ret->alg, alg, alg_len);
	ret->alg[alg_len] = '\0';

	if (strcmp(ret->alg, "ssh-rsa") == 0) {
		if (gb__sshrd_str(&r, &a, &al) < 0 || gb__sshrd_str(&r, &b, &bl) < 0)
			return -1;
		ret->type = "rsa";
		ret->e = a;
		ret->e_len = al;
		ret->n = b;
		ret->n_len = bl;
		ret->bits = gb__mpint_bits(b, bl);
	} else if (strcmp(ret->alg, "ssh-dss") == 0) {
		const uint8_t *y;
		size_t yl;
		if (gb__sshrd_str(&r, &a, &al) < 0 || gb__sshrd_str(&r, &b, &bl) < 0 ||
		    gb__sshrd_str(&r, &c, &cl) < 0 || gb__sshrd_str(&r, &y, &yl) < 0)
			return -1;
		ret->type = "dsa";
		ret->bits = gb__mpint_bits(a, al);
		ret->pk = y;
		ret->pk_len = yl;
	} else if (strcmp(ret->alg, "ssh-ed25519") == 0 || strcmp(ret->alg, "sk-ssh-ed25519@openssh.com") == 0) {
		if (gb__sshrd_str(&r, &a, &al) < 0 || al != 32)
			return -1;
		if (ret->alg[0] == 's' && ret->alg[1] == 'k' && gb__sshrd_str(&r, &b, &bl) < 0)
			return -1;
		ret->type = "ed25519";
		ret->bits = 256;
		ret->pk = a;
		ret->pk_len = al;
	} else if (strcmp(ret->alg, "ssh-ed448") == 0) {
		if (gb__sshrd_str(&r, &a, &al) < 0 || al != 57)
			return -1;
		ret->type = "ed448";
		ret->bits = 456;
		ret->pk = a;
		ret->pk_len = al;
	} else if (strncmp(ret->alg, "ecdsa-sha2-", 11) == 0 ||
		   strcmp(ret->alg, "sk-ecdsa-sha2-nistp256@openssh.com") == 0) {
		static const struct {
			const char *name;
			int bits;
		} curves[] = {{"nistp256", 256}, {"nistp384", 384}, {"nistp521", 521}};
		if (gb__sshrd_str(&r, &a, &al) < 0 || gb__sshrd_str(&r, &b, &bl) < 0 || bl == 0)
			return -1;
		for (size_t i = 0; i < 3; i++)
			if (gb__ssh_streq(a, al, curves[i].name)) {
				ret->curve = curves[i].name;
				ret->bits = curves[i].bits;
			}
		if (!ret->curve)
			return -1;
		if (ret->alg[0] == 's' && gb__sshrd_str(&r, &c, &cl) < 0)
			return -1;
		ret->type = "ec";
		ret->pk = b;
		ret->pk_len = bl;
	} else {
		return -1;
	}
	return r.off == r.n ? 0 : -1;
}

void gb__ssh_fingerprint(const uint8_t *blob, size_t n, char out[64])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	unsigned char b64[64];

	strcpy(out, "SHA256:");
	if (!EVP_Digest(blob, n, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
		return;
	int len = EVP_EncodeBlock(b64, md, 32); /* 44 chars with one '=' */
	while (len > 0 && b64[len - 1] == '=')
		len--;
	memcpy(out + 7, b64, (size_t)len);
	out[7 + len] = '\0';
}
