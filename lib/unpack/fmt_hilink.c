/* hilink: Hi-Link DES-encrypted uImage (HLK-RM02/RM04/WR02 router modules).
 *
 * The vendor's update file is a U-Boot legacy uImage (see fmt_uimage.c)
 * encrypted twice with single DES in ECB mode under the public key
 * "H@L9K*(3" (binwalk v2's hilink plugin). Over n bytes E:
 *   pass 1   D1 = E[0..3) || DES-ECB-decrypt(E[3..n))
 *   pass 2   P  = DES-ECB-decrypt(D1)
 * Each pass decrypts the whole 8-byte blocks it covers and keeps a trailing
 * partial block as it is (with that rule the data CRC of the real image
 * matches; binwalk's zero padding garbles the last bytes instead).
 *
 * P is a uImage: 0x27051956, header CRC, ..., ih_size at 12 (big-endian), so
 * the encrypted structure is 64 + ih_size bytes long.
 *
 * There is no plain magic; three encrypted constants serve as one:
 *   0x23  4a 52 ca da               binwalk's, seen for the name "HLK-RM02"
 *   0x2b  58 14 3b 9a 6c 0e f4 f2   header bytes 40..56 zero (names up to 8
 *                                   bytes; Hi-Link stores the rootfs offset
 *                                   at 60, so 56..64 is not zero)
 *   0x33  (the same 8 bytes)        header bytes 48..64 zero (names up to 16)
 * Why: pass 2 maps a zero block to C = DES(0); where two zero blocks follow
 * each other, pass 1 sees the fixed block C[3..8] || C[0..3] at 3 + 8j, and
 * the file holds its encryption there. probe decrypts the first 64 bytes (both
 * passes need only the first 67 input bytes) and checks the uImage magic and
 * header CRC; the variant is the image name. unpack decrypts the image in
 * chunks and writes it as one file, which the engine carves again (uImage ->
 * LZMA kernel -> ...).
 *
 * DES: libcrypto's DES_ecb_encrypt() with a key schedule on the stack. It is
 * part of libcrypto itself (no legacy provider module to load, which the scan
 * sandbox could forbid) and allocates nothing, so probe stays pure. It is
 * deprecated API in OpenSSL 3, hence OPENSSL_SUPPRESS_DEPRECATED.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <stdio.h>
#include <stdlib.h>

#include <openssl/des.h>
#include <zlib.h>

#include <glassbox/sys/format.h>

#include "unpack/stream_out.h"

#define HL_KEY "H@L9K*(3"
#define HL_PREFIX 3     /* bytes before pass 1 */
#define HL_HDR 64       /* the uImage header */
#define HL_MAGIC 0x27051956u
#define HL_CHUNK (64u << 10)

/* The state of one decryption of the n bytes of `e`. */
struct hl_dec {
	DES_key_schedule ks;
	const uint8_t *e;
	uint64_t n;
	uint64_t full1; /* whole blocks of pass 1 */
	uint64_t cache_idx[2];
	uint8_t cache[2][8]; /* pass-1 blocks, by index parity */
};

static void hl_init(struct hl_dec *d, const uint8_t *e, uint64_t n)
{
	DES_cblock key;

	memcpy(key, HL_KEY, 8);
	DES_set_key_unchecked(&key, &d->ks);
	d->e = e;
	d->n = n;
	d->full1 = n > HL_PREFIX ? (n - HL_PREFIX) / 8 : 0;
	d->cache_idx[0] = d->cache_idx[1] = UINT64_MAX;
}

static void hl_des(struct hl_dec *d, const uint8_t in[8], uint8_t out[8])
{
	DES_cblock i, o;

	memcpy(i, in, 8);
	DES_ecb_encrypt(&i, &o, &d->ks, DES_DECRYPT);
	memcpy(out, o, 8);
}

/* Byte `i` (< n) of D1, the output of pass 1. */
static uint8_t hl_d1(struct hl_dec *d, uint64_t i)
{
	uint64_t q, blk;
	unsigned slot;

	if (i < HL_PREFIX)
		return d->e[i];
	q = i - HL_PREFIX;
	blk = q / 8;
	if (blk >= d->full1)
		return d->e[i];
	slot = blk & 1;
	if (d->cache_idx[slot] != blk) {
		hl_des(d, d->e + HL_PREFIX + blk * 8, d->cache[slot]);
		d->cache_idx[slot] = blk;
	}
	return d->cache[slot][q % 8];
}

/* Decrypt output bytes [off, off + len) into out; off is a multiple of 8. */
static void hl_run(struct hl_dec *d, uint64_t off, size_t len, uint8_t *out)
{
	uint64_t end = off + len, full2 = d->n / 8 * 8;

	for (uint64_t k = off; k < end; k += 8) {
		uint8_t blk[8];

		if (k + 8 <= full2) {
			for (unsigned j = 0; j < 8; j++)
				blk[j] = hl_d1(d, k + j);
			hl_des(d, blk, out + (k - off));
		} else {
			for (uint64_t j = k; j < end; j++)
				out[j - off] = hl_d1(d, j);
		}
	}
}

struct hl_hdr {
	uint32_t size;
	char name[33];
};

/* Decrypt and check the uImage header at the start of `in`. */
static int hl_parse(const struct gb_span *in, struct hl_hdr *h)
{
	struct hl_dec d;
	uint8_t p[HL_HDR];
	uint32_t hcrc;

	if (!gb_span_has(in, 0, HL_HDR + HL_PREFIX))
		return -GB_ENOTFOUND;
	hl_init(&d, in->p, HL_HDR + HL_PREFIX);
	hl_run(&d, 0, HL_HDR, p);
	if (gb_be32(p) != HL_MAGIC)
		return -GB_ENOTFOUND;
	hcrc = gb_be32(p + 4);
	memset(p + 4, 0, 4);
	if ((uint32_t)crc32(0, p, HL_HDR) != hcrc)
		return -GB_ENOTFOUND;
	h->size = gb_be32(p + 12);
	for (unsigned i = 0; i < 32; i++) {
		uint8_t c = p[32 + i];
		h->name[i] = c == 0 || (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	h->name[32] = '\0';
	return 0;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	struct hl_hdr h;
	uint64_t size;

	if (hl_parse(in, &h) < 0)
		return -GB_ENOTFOUND;
	size = HL_HDR + (uint64_t)h.size;
	memset(ret, 0, sizeof(*ret));
	ret->size = size < in->n ? size : in->n;
	ret->confidence = GB_CONF_HIGH;
	snprintf(ret->variant, sizeof(ret->variant), "%.31s", h.name);
	return 0;
}

static const struct gb_sout_ext hl_exts[] = {
	{".img", ".uimage"}, {".bin", ".uimage"}, {NULL, NULL},
};

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct hl_dec d;
	struct hl_hdr h;
	struct gb_sout o;
	uint64_t declared, off = 0;
	uint8_t *buf;
	int r = 0;

	if (hl_parse(in, &h) < 0)
		return gb_unpack_fail(u, -GB_ECORRUPT, "hilink: encrypted uImage header no longer valid");
	declared = HL_HDR + (uint64_t)h.size;
	gb__sout_init(&o, u, NULL, 0, hl_exts);
	o.e.size = in->n;
	buf = malloc(HL_CHUNK);
	if (!buf)
		return gb_unpack_fail(u, -GB_ENOMEM, "out of memory");
	/* the image is decrypted as the n bytes it covers: the partial last
	 * block depends on n */
	hl_init(&d, in->p, in->n);
	while (off < in->n && r == 0) {
		size_t len = in->n - off < HL_CHUNK ? (size_t)(in->n - off) : HL_CHUNK;

		hl_run(&d, off, len, buf);
		off += len;
		r = gb__sout_write(&o, buf, len, off);
	}
	free(buf);
	if (r == 0 && declared > in->n)
		r = gb__sout_err(&o, -GB_ETRUNC,
				 "hilink \"%s\": uImage declares %u data bytes, only %llu present",
				 h.name, h.size, (unsigned long long)(in->n - HL_HDR));
	return gb__sout_close(&o, r, in->n);
}

static const struct gb_magic magics[] = {
	GB_MAGIC("\x4a\x52\xca\xda", 0x23),
	GB_MAGIC("\x58\x14\x3b\x9a\x6c\x0e\xf4\xf2", 0x2b),
	GB_MAGIC("\x58\x14\x3b\x9a\x6c\x0e\xf4\xf2", 0x33),
};

const struct gb_format gb__fmt_hilink = {
	.name = "hilink",
	.description = "Hi-Link DES-encrypted uImage",
	.kind = GB_KIND_FIRMWARE,
	.magics = magics,
	.n_magics = sizeof(magics) / sizeof(magics[0]),
	.probe = probe,
	.unpack = unpack,
};
