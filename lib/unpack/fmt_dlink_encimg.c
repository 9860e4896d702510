/* dlink_encimg: D-Link encrypted firmware whose keys are public.
 *
 * SHRS (DIR-8xx: DIR-878, DIR-882, DIR-867 ...; public analysis of
 * imgdecrypt, 0xricksanchez/dlink-decrypt, unblob's shrs handler), big-endian:
 *     0  "SHRS"
 *     4  u32 file_size         ciphertext length (a multiple of 16)
 *     8  u32 plain_size        decrypted length without the padding
 *    12  iv[16]                AES-128-CBC IV
 *  0x1c  sha512(plain || key)
 *  0x5c  sha512(plain)
 *  0x9c  sha512(the first plain_size ciphertext bytes)
 *  0xdc  512 unused bytes, then two 512-byte signatures
 * 0x6dc  ciphertext: AES-128-CBC, key c05fbf1936c99429ce2a0781f08d6ad8
 *
 * encrpted_img (DIR-X1560, DIR-X5460, DIR-X4860 ...; EMBA's and unblob's
 * analyses), big-endian:
 *     0  "encrpted_img"
 *    12  u32 size              ciphertext bytes after this 16-byte header
 *    16  ciphertext: AES-256-CBC, key "he9-4+M!)d6=m~we1,q2a3d1n&2*Z^%8",
 *        IV "J%1iQl8$=lm-;8AE", restarted for every 128 KiB (a UBI
 *        physical eraseblock); the plain text is a UBI image ("UBI#").
 *
 * probe checks the magic and the sizes (a whole number of AES blocks, the
 * padding at most one block; SHRS: the 512 unused bytes are zero). unpack decrypts in chunks with libcrypto's AES
 * (default provider) and writes one file that the engine carves again; it
 * checks what it can (SHRS: both SHA-512 digests; encrpted_img: the UBI
 * magic of every eraseblock) and warns when the key does not fit.
 */
#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include <glassbox/sys/format.h>

#include "unpack/stream_out.h"

#define SHRS_HDR 0x6dc
#define SHRS_IV 12
#define SHRS_DGST_PLAIN 0x5c
#define SHRS_DGST_ENC 0x9c
#define SHRS_UNUSED 0xdc
#define EI_HDR 16
#define EI_PEB (128u << 10)
#define DL_CHUNK (256u << 10) /* a multiple of EI_PEB and of 16 */

static const uint8_t shrs_key[16] = {
	0xc0, 0x5f, 0xbf, 0x19, 0x36, 0xc9, 0x94, 0x29,
	0xce, 0x2a, 0x07, 0x81, 0xf0, 0x8d, 0x6a, 0xd8,
};
static const char ei_key[] = "he9-4+M!)d6=m~we1,q2a3d1n&2*Z^%8";
static const char ei_iv[] = "J%1iQl8$=lm-;8AE";

enum dl_kind { DL_SHRS, DL_ENCIMG };

struct dl_hdr {
	enum dl_kind kind;
	uint64_t hdr;   /* header bytes */
	uint64_t enc;   /* ciphertext bytes declared */
	uint64_t plain; /* plain bytes to keep */
};

static int dl_parse(const struct gb_span *in, struct dl_hdr *h)
{
	uint32_t a, b;

	if (gb_span_eq(in, 0, "SHRS", 4)) {
		if (gb_rd_u32be(in, 4, &a) < 0 || gb_rd_u32be(in, 8, &b) < 0 ||
		    !gb_span_has(in, 0, SHRS_HDR))
			return -GB_ENOTFOUND;
		if (a == 0 || a % 16 != 0 || b > a || a - b > 16)
			return -GB_ENOTFOUND;
		/* the 512 unused bytes are zero: "SHRS" alone is too weak */
		for (uint64_t i = SHRS_UNUSED; i < SHRS_UNUSED + 512; i++)
			if (in->p[i] != 0)
				return -GB_ENOTFOUND;
		h->kind = DL_SHRS;
		h->hdr = SHRS_HDR;
		h->enc = a;
		h->plain = b;
		return 0;
	}
	if (gb_span_eq(in, 0, "encrpted_img", 12)) {
		if (gb_rd_u32be(in, 12, &a) < 0 || a == 0 || a % 16 != 0)
			return -GB_ENOTFOUND;
		h->kind = DL_ENCIMG;
		h->hdr = EI_HDR;
		h->enc = a;
		h->plain = a;
		return 0;
	}
	return -GB_ENOTFOUND;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	struct dl_hdr h;
	uint64_t size;

	if (dl_parse(in, &h) < 0)
		return -GB_ENOTFOUND;
	size = h.hdr + h.enc;
	memset(ret, 0, sizeof(*ret));
	ret->size = size < in->n ? size : in->n;
	ret->confidence = GB_CONF_MEDIUM;
	snprintf(ret->variant, sizeof(ret->variant), "%s",
		 h.kind == DL_SHRS ? "shrs/aes-128-cbc" : "encrpted_img/aes-256-cbc");
	return 0;
}

struct dl_state {
	struct gb_sout o;
	EVP_CIPHER_CTX *cx;
	EVP_MD_CTX *md_plain, *md_enc;
	uint8_t *buf;
	unsigned bad_pebs;
};

/* (Re)start the cipher for the data at ciphertext offset `off`. */
static int dl_start(struct dl_state *s, const struct dl_hdr *h, const struct gb_span *in)
{
	const uint8_t *key = h->kind == DL_SHRS ? shrs_key : (const uint8_t *)ei_key;
	const uint8_t *iv = h->kind == DL_SHRS ? in->p + SHRS_IV : (const uint8_t *)ei_iv;
	const EVP_CIPHER *c = h->kind == DL_SHRS ? EVP_aes_128_cbc() : EVP_aes_256_cbc();

	if (EVP_DecryptInit_ex(s->cx, c, NULL, key, iv) != 1 ||
	    EVP_CIPHER_CTX_set_padding(s->cx, 0) != 1)
		return gb__sout_err(&s->o, -GB_EUNSUP, "AES is not available in libcrypto");
	return 0;
}

/* Decrypt ciphertext [off, off + len) (whole blocks) and write what is kept. */
static int dl_chunk(struct dl_state *s, const struct dl_hdr *h, const struct gb_span *in,
		    uint64_t off, size_t len)
{
	int outl = 0;
	uint64_t keep;

	if (h->kind == DL_ENCIMG && off % EI_PEB == 0 && dl_start(s, h, in) < 0)
		return -GB_EUNSUP;
	if (EVP_DecryptUpdate(s->cx, s->buf, &outl, in->p + h->hdr + off, (int)len) != 1 ||
	    (size_t)outl != len)
		return gb__sout_err(&s->o, -GB_ECORRUPT, "AES decryption failed at %llu",
				    (unsigned long long)(h->hdr + off));
	if (h->kind == DL_ENCIMG && len >= 4 && memcmp(s->buf, "UBI#", 4) != 0)
		s->bad_pebs++;
	keep = off >= h->plain ? 0 : h->plain - off < len ? h->plain - off : len;
	if (s->md_plain && keep)
		EVP_DigestUpdate(s->md_plain, s->buf, (size_t)keep);
	if (s->md_enc && keep)
		EVP_DigestUpdate(s->md_enc, in->p + h->hdr + off, (size_t)keep);
	return gb__sout_write(&s->o, s->buf, (size_t)keep, h->hdr + off + len);
}

/* SHRS: compare a finished digest with the header's copy. */
static void dl_check(struct dl_state *s, EVP_MD_CTX *md, const struct gb_span *in, uint64_t at,
		     const char *what)
{
	uint8_t d[EVP_MAX_MD_SIZE];
	unsigned n = 0;

	if (!md || EVP_DigestFinal_ex(md, d, &n) != 1 || n != 64)
		return;
	if (!gb_span_eq(in, at, d, 64))
		gb_unpack_warn(s->o.u, "SHRS: SHA-512 of the %s does not match the header's (0x%llx)%s",
			       what, (unsigned long long)at,
			       at == SHRS_DGST_PLAIN ? ": not the public key, or corrupt" : "");
}

static const struct gb_sout_ext shrs_exts[] = {{".bin", ".dec"}, {NULL, NULL}};
static const struct gb_sout_ext ei_exts[] = {{".bin", ".ubi"}, {NULL, NULL}};

static int dl_run(struct dl_state *s, const struct dl_hdr *h, const struct gb_span *in,
		  uint64_t *done)
{
	uint64_t avail = (in->n - h->hdr) / 16 * 16, total = h->enc < avail ? h->enc : avail;
	int r = 0;

	if (h->kind == DL_SHRS && (r = dl_start(s, h, in)) < 0)
		return r;
	for (*done = 0; *done < total && r == 0;) {
		size_t step = h->kind == DL_ENCIMG ? EI_PEB : DL_CHUNK; /* one CBC run per PEB */
		size_t len = total - *done < step ? (size_t)(total - *done) : step;
		r = dl_chunk(s, h, in, *done, len);
		if (r == 0)
			*done += len;
	}
	if (r == 0 && total < h->enc)
		r = gb__sout_err(&s->o, -GB_ETRUNC, "%llu of %llu encrypted bytes present",
				 (unsigned long long)total, (unsigned long long)h->enc);
	return r;
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct dl_state s = {0};
	struct dl_hdr h;
	uint64_t done = 0;
	int r;

	if (dl_parse(in, &h) < 0)
		return gb_unpack_fail(u, -GB_ECORRUPT, "D-Link encrypted header no longer valid");
	gb__sout_init(&s.o, u, NULL, 0, h.kind == DL_SHRS ? shrs_exts : ei_exts);
	s.o.e.size = h.plain;
	s.cx = EVP_CIPHER_CTX_new();
	s.buf = malloc(DL_CHUNK);
	if (h.kind == DL_SHRS) {
		s.md_plain = EVP_MD_CTX_new();
		s.md_enc = EVP_MD_CTX_new();
		if (!s.md_plain || !s.md_enc || EVP_DigestInit_ex(s.md_plain, EVP_sha512(), NULL) != 1 ||
		    EVP_DigestInit_ex(s.md_enc, EVP_sha512(), NULL) != 1) {
			EVP_MD_CTX_free(s.md_plain);
			EVP_MD_CTX_free(s.md_enc);
			s.md_plain = s.md_enc = NULL;
		}
	}
	if (!s.cx || !s.buf)
		r = -GB_ENOMEM;
	else
		r = dl_run(&s, &h, in, &done);
	if (r == 0 && h.kind == DL_SHRS) {
		dl_check(&s, s.md_enc, in, SHRS_DGST_ENC, "encrypted data");
		dl_check(&s, s.md_plain, in, SHRS_DGST_PLAIN, "decrypted data");
	}
	if (r == 0 && s.bad_pebs)
		gb_unpack_warn(u, "encrpted_img: %u eraseblocks do not decrypt to a UBI header: "
			       "not the public key, or not UBI", s.bad_pebs);
	EVP_MD_CTX_free(s.md_plain);
	EVP_MD_CTX_free(s.md_enc);
	EVP_CIPHER_CTX_free(s.cx);
	free(s.buf);
	return gb__sout_close(&s.o, r, h.hdr + done);
}

static const struct gb_magic magics[] = {
	GB_MAGIC("SHRS", 0),
	GB_MAGIC("encrpted_img", 0),
};

const struct gb_format gb__fmt_dlink_encimg = {
	.name = "dlink_encimg",
	.description = "D-Link encrypted firmware (SHRS, encrpted_img) with public keys",
	.kind = GB_KIND_FIRMWARE,
	.magics = magics,
	.n_magics = sizeof(magics) / sizeof(magics[0]),
	.probe = probe,
	.unpack = unpack,
};
