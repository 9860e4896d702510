/* arcadyan: Arcadyan obfuscated LZMA (firmware of Arcadyan-made routers, e.g.
 * the N300v5 RTOS images).
 *
 * The image is an LZMA-alone stream at offset 4 whose header was hidden by
 * three reversible steps (binwalk v3, extractors/arcadyan.rs):
 *    0    4 bytes   kept as they are
 *    4   32 bytes   "block 1" (holds the LZMA header once undone)
 *   36   68 bytes   kept
 * 0x68   32 bytes   "block 2"
 * 0x88   ...        kept (the rest of the LZMA data)
 * Undoing: swap block 1 and block 2, then, in what is now at 4..36, swap the
 * two nibbles of every byte and then the bytes of every pair. The result is an
 * LZMA-alone stream starting at offset 4.
 *
 * The obfuscated bytes at 0x68 begin 00 d5 08 00 for the usual lzma props
 * 0x5d and an 8 MiB dictionary (5d 00 00 80 00 nibble- and pair-swapped):
 * that is the magic, with its siblings for the dictionaries 64 KiB..4 MiB. probe undoes the header in a stack copy and checks the LZMA
 * header as fmt_lzma.c does (props, dictionary size, uncompressed size, first
 * range-coder bytes). unpack feeds the undone 0x84-byte head and then the
 * rest of the input, in place, to liblzma's lzma_alone decoder and writes the
 * decoded image as one file (carved again by the engine). No size is stored:
 * the stream's end is only known after decoding (GB_SIZE_UNKNOWN).
 */
#include <stdlib.h>

#include <lzma.h>

#include <glassbox/sys/format.h>

#include "unpack/stream_out.h"

#define AR_B1 4      /* block 1 */
#define AR_B2 0x68   /* block 2 */
#define AR_BLK 32
#define AR_HEAD (AR_B2 + AR_BLK) /* bytes rearranged by the obfuscation */
#define AR_LZ 4      /* the LZMA stream starts here once undone */
#define AR_LZ_HDR 13
#define AR_MIN 0x100 /* binwalk's sanity bounds on the whole image */
#define AR_MEMLIMIT (1ULL << 30)
#define AR_USIZE_MAX (1ULL << 30)

/* Undo the obfuscation of the first AR_HEAD bytes into out. */
static void ar_undo(const uint8_t *in, uint8_t out[AR_HEAD])
{
	memcpy(out, in, AR_B1);
	memcpy(out + AR_B1, in + AR_B2, AR_BLK);
	memcpy(out + AR_B1 + AR_BLK, in + AR_B1 + AR_BLK, AR_B2 - AR_B1 - AR_BLK);
	memcpy(out + AR_B2, in + AR_B1, AR_BLK);
	for (unsigned i = AR_B1; i < AR_B1 + AR_BLK; i++)
		out[i] = (uint8_t)(out[i] << 4 | out[i] >> 4);
	for (unsigned i = AR_B1; i < AR_B1 + AR_BLK; i += 2) {
		uint8_t t = out[i];
		out[i] = out[i + 1];
		out[i + 1] = t;
	}
}

static bool ar_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

/* Undo the head of `in` and check the LZMA header it hides. */
static int ar_parse(const struct gb_span *in, uint8_t head[AR_HEAD], uint64_t *ret_usize)
{
	const uint8_t *p = gb_span_at(in, 0, AR_HEAD);
	const uint8_t *h = head + AR_LZ;
	uint32_t dict, code;
	uint64_t usize;

	if (!p || in->n <= AR_MIN)
		return -GB_ENOTFOUND;
	ar_undo(p, head);
	if (h[0] >= 9 * 5 * 5 || h[0] % 9 + h[0] / 9 % 5 > 4)
		return -GB_ENOTFOUND;
	dict = gb_le32(h + 1);
	if (dict < (4u << 10) || dict > (1u << 30) ||
	    (!ar_pow2(dict) && !(dict % 3 == 0 && ar_pow2(dict / 3))))
		return -GB_ENOTFOUND;
	usize = gb_le64(h + 5);
	if (usize != UINT64_MAX && (usize == 0 || usize > AR_USIZE_MAX))
		return -GB_ENOTFOUND;
	code = gb_be32(h + AR_LZ_HDR + 1);
	if (h[AR_LZ_HDR] != 0 || code >= 0x7ffffc00u)
		return -GB_ENOTFOUND;
	*ret_usize = usize;
	return 0;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	uint8_t head[AR_HEAD];
	uint64_t usize;

	if (ar_parse(in, head, &usize) < 0)
		return -GB_ENOTFOUND;
	memset(ret, 0, sizeof(*ret));
	ret->size = GB_SIZE_UNKNOWN;
	ret->confidence = GB_CONF_MEDIUM;
	snprintf(ret->variant, sizeof(ret->variant), "lzma");
	return 0;
}

/* Run the decoder over [next, next + n) until it wants more input. */
static int ar_feed(struct gb_sout *o, lzma_stream *zs, const uint8_t *next, size_t n,
		   lzma_action action, uint8_t *buf, bool *done)
{
	lzma_ret ret;
	int r;

	zs->next_in = next;
	zs->avail_in = n;
	for (;;) {
		size_t produced;

		zs->next_out = buf;
		zs->avail_out = GB_SOUT_CHUNK;
		ret = lzma_code(zs, action);
		produced = GB_SOUT_CHUNK - zs->avail_out;
		/* +AR_LZ: the consumed count is from the image's start */
		r = gb__sout_write(o, buf, produced, zs->total_in + AR_LZ);
		if (r < 0)
			return r;
		if (ret == LZMA_STREAM_END) {
			*done = true;
			return 0;
		}
		if (ret == LZMA_OK && zs->avail_in == 0 && action == LZMA_RUN)
			return 0;
		if (ret == LZMA_OK)
			continue;
		if (ret == LZMA_MEM_ERROR)
			return -GB_ENOMEM;
		if (ret == LZMA_BUF_ERROR && zs->avail_in == 0)
			return gb__sout_err(o, -GB_ETRUNC, "obfuscated lzma stream cut at %llu",
					    (unsigned long long)(zs->total_in + AR_LZ));
		return gb__sout_err(o, -GB_ECORRUPT, "obfuscated lzma stream: %s near offset %llu",
				    ret == LZMA_MEMLIMIT_ERROR ? "dictionary too large" : "corrupt data",
				    (unsigned long long)(zs->total_in + AR_LZ));
	}
}

static const struct gb_sout_ext ar_exts[] = {{".bin", ".dec"}, {NULL, NULL}};

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	lzma_stream zs = LZMA_STREAM_INIT;
	uint8_t head[AR_HEAD];
	struct gb_sout o;
	uint64_t usize;
	bool done = false;
	uint8_t *buf;
	int r;

	if (ar_parse(in, head, &usize) < 0)
		return gb_unpack_fail(u, -GB_ECORRUPT, "arcadyan: obfuscated lzma header no longer valid");
	gb__sout_init(&o, u, NULL, 0, ar_exts);
	if (usize != UINT64_MAX)
		o.e.size = usize;
	buf = malloc(GB_SOUT_CHUNK);
	if (!buf)
		return gb_unpack_fail(u, -GB_ENOMEM, "out of memory");
	if (lzma_alone_decoder(&zs, AR_MEMLIMIT) != LZMA_OK) {
		r = -GB_ENOMEM;
	} else {
		r = ar_feed(&o, &zs, head + AR_LZ, AR_HEAD - AR_LZ, LZMA_RUN, buf, &done);
		if (r == 0 && !done)
			r = ar_feed(&o, &zs, in->p + AR_HEAD, in->n - AR_HEAD, LZMA_FINISH, buf, &done);
	}
	uint64_t consumed = zs.total_in + AR_LZ;
	lzma_end(&zs);
	free(buf);
	return gb__sout_close(&o, r, consumed);
}

/* Obfuscated "5d 00 00 d2 00": props 0x5d and a 2^n dictionary, n = 16..23
 * (d2 = 2^(n-16), nibble-swapped); 8 MiB (80 -> 08) is the one seen. */
static const struct gb_magic magics[] = {
	GB_MAGIC("\x00\xd5\x08\x00", AR_B2), GB_MAGIC("\x00\xd5\x04\x00", AR_B2),
	GB_MAGIC("\x00\xd5\x02\x00", AR_B2), GB_MAGIC("\x00\xd5\x01\x00", AR_B2),
	GB_MAGIC("\x00\xd5\x80\x00", AR_B2), GB_MAGIC("\x00\xd5\x40\x00", AR_B2),
	GB_MAGIC("\x00\xd5\x20\x00", AR_B2), GB_MAGIC("\x00\xd5\x10\x00", AR_B2),
};

const struct gb_format gb__fmt_arcadyan = {
	.name = "arcadyan",
	.description = "Arcadyan obfuscated LZMA firmware",
	.kind = GB_KIND_FIRMWARE,
	.magics = magics,
	.n_magics = sizeof(magics) / sizeof(magics[0]),
	.probe = probe,
	.unpack = unpack,
};
