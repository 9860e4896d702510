/* lzma-alone (.lzma, LZMA SDK / "LZMA_Alone" format), decoded with liblzma.
 *
 * Header (13 bytes, little-endian), then the raw LZMA1 range-coder stream:
 *   0   props   (pb * 5 + lp) * 9 + lc; lc + lp <= 4 for liblzma.
 *               0x5d (lc3 lp0 pb2) is the default; OpenWrt kernels use 0x6d;
 *               DD-WRT v24 kernels use 0x6e (lc2 lp2 pb2).
 *   1   dict    u32 dictionary size; encoders round it to 2^n or 2^n + 2^(n-1)
 *   5   usize   u64 uncompressed size, or all ones when unknown (the stream
 *               then ends with an end-of-payload marker)
 *   13  data    the range coder always starts with a 0x00 byte, and its first
 *               decoded bit (is_match of the first symbol, which must be a
 *               literal) is 0: the next 32 bits, big-endian, are below
 *               0x7ffffc00.
 * There is no magic, so this is a weak, low-confidence format: the magics
 * below are the props bytes seen in firmware (0x5d, 0x6d, 0x6e) followed by every normalised
 * dictionary size. probe checks props, the dictionary size (4 KiB..1.5 GiB,
 * normalised), the uncompressed size (unknown, or 1 byte .. 64 GiB) and the first
 * range-coder bytes. unpack is the trial decode: data that breaks within its
 * first LZ_TRIAL input bytes is a false positive and writes nothing (the
 * engine then drops the low-confidence node); later breaks keep the output.
 */
#include <stdlib.h>

#include <lzma.h>

#include <glassbox/sys/format.h>

#include "unpack/stream_out.h"

#define LZ_HDR_LEN 13
#define LZ_DICT_MIN (4u << 10)
#define LZ_DICT_MAX (3u << 29) /* 1.5 GiB */
#define LZ_USIZE_MAX (64ULL << 30)
#define LZ_MEMLIMIT (1ULL << 30)
#define LZ_TRIAL (16u << 10) /* input bytes a false positive must fail within */

struct lz_hdr {
	uint8_t props;
	uint32_t dict;
	uint64_t usize; /* UINT64_MAX when unknown */
};

static bool lz_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

static int lz_parse(const struct gb_span *in, struct lz_hdr *h)
{
	unsigned lc, lp;
	uint8_t first;
	uint32_t code;

	if (gb_rd_u8(in, 0, &h->props) < 0 || gb_rd_u32le(in, 1, &h->dict) < 0 ||
	    gb_rd_u64le(in, 5, &h->usize) < 0)
		return -GB_ENOTFOUND;
	if (h->props >= 9 * 5 * 5)
		return -GB_ENOTFOUND;
	lc = h->props % 9;
	lp = h->props / 9 % 5;
	if (lc + lp > 4)
		return -GB_ENOTFOUND;
	if (h->dict < LZ_DICT_MIN || h->dict > LZ_DICT_MAX)
		return -GB_ENOTFOUND;
	if (!lz_pow2(h->dict) && !(h->dict % 3 == 0 && lz_pow2(h->dict / 3)))
		return -GB_ENOTFOUND;
	if (h->usize != UINT64_MAX && (h->usize == 0 || h->usize >= LZ_USIZE_MAX))
		return -GB_ENOTFOUND;
	if (gb_rd_u8(in, LZ_HDR_LEN, &first) < 0 || first != 0)
		return -GB_ENOTFOUND;
	if (gb_rd_u32be(in, LZ_HDR_LEN + 1, &code) < 0 || code >= 0x7ffffc00u)
		return -GB_ENOTFOUND;
	return 0;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	struct lz_hdr h;

	if (lz_parse(in, &h) < 0)
		return -GB_ENOTFOUND;
	memset(ret, 0, sizeof(*ret));
	ret->size = GB_SIZE_UNKNOWN;
	ret->confidence = GB_CONF_LOW;
	return 0;
}

static const char *lz_strerror(lzma_ret ret)
{
	switch (ret) {
	case LZMA_FORMAT_ERROR:
	case LZMA_OPTIONS_ERROR:
		return "bad header";
	case LZMA_DATA_ERROR:
		return "corrupt data";
	default:
		return "decoder error";
	}
}

static int lz_decode(struct gb_sout *o, lzma_stream *zs, const struct gb_span *in,
		     uint64_t *pos, uint8_t *buf)
{
	lzma_ret ret;
	int r;

	zs->next_in = in->p;
	zs->avail_in = in->n;
	for (;;) {
		size_t produced;

		zs->next_out = buf;
		zs->avail_out = GB_SOUT_CHUNK;
		ret = lzma_code(zs, LZMA_FINISH);
		produced = GB_SOUT_CHUNK - zs->avail_out;
		*pos = zs->total_in;
		/* The trial decode: data that breaks within its first few KiB is not
		 * an lzma stream (a false positive of the weak magic): write nothing. */
		if (ret == LZMA_DATA_ERROR && !o->begun && *pos < LZ_TRIAL)
			return gb__sout_err(o, -GB_ECORRUPT,
					    "not an lzma stream: corrupt data near offset %llu",
					    (unsigned long long)*pos);
		r = gb__sout_write(o, buf, produced, *pos);
		if (r < 0)
			return r;
		if (ret == LZMA_STREAM_END)
			return 0;
		if (ret == LZMA_OK)
			continue;
		if (ret == LZMA_MEM_ERROR)
			return -GB_ENOMEM;
		if (ret == LZMA_MEMLIMIT_ERROR)
			return gb__sout_err(o, -GB_EUNSUP, "lzma dictionary larger than %llu MiB",
					    LZ_MEMLIMIT >> 20);
		if (ret == LZMA_BUF_ERROR && zs->avail_in == 0)
			return gb__sout_err(o, -GB_ETRUNC, "lzma stream cut at %llu",
					    (unsigned long long)*pos);
		return gb__sout_err(o, -GB_ECORRUPT, "bad lzma stream: %s near offset %llu",
				    lz_strerror(ret), (unsigned long long)*pos);
	}
}

static const struct gb_sout_ext lz_exts[] = {
	{".lzma", ""}, {".tlz", ".tar"}, {NULL, NULL},
};

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	lzma_stream zs = LZMA_STREAM_INIT;
	struct gb_sout o;
	struct lz_hdr h;
	uint64_t pos = 0;
	uint8_t *buf;
	lzma_ret ret;
	int r;

	if (lz_parse(in, &h) < 0)
		return gb_unpack_fail(u, -GB_ECORRUPT, "bad lzma header");
	gb__sout_init(&o, u, NULL, 0, lz_exts);
	if (h.usize != UINT64_MAX)
		o.e.size = h.usize;
	buf = malloc(GB_SOUT_CHUNK);
	if (!buf)
		return gb_unpack_fail(u, -GB_ENOMEM, "out of memory");
	ret = lzma_alone_decoder(&zs, LZ_MEMLIMIT);
	if (ret == LZMA_MEM_ERROR)
		r = -GB_ENOMEM;
	else if (ret != LZMA_OK)
		r = gb__sout_err(&o, -GB_EUNSUP, "lzma_alone_decoder failed");
	else
		r = lz_decode(&o, &zs, in, &pos, buf);
	lzma_end(&zs);
	free(buf);
	if (pos < LZ_HDR_LEN)
		pos = LZ_HDR_LEN;
	return gb__sout_close(&o, r, pos);
}

/* props, then the dictionary size little-endian: the first 5 header bytes. */
#define LZ_M(props, dict)                                                                          \
	{                                                                                          \
		(const char[]){(char)(props), (char)((dict) & 0xff), (char)((dict) >> 8 & 0xff),  \
			       (char)((dict) >> 16 & 0xff), (char)((dict) >> 24 & 0xff)},         \
			5, 0                                                                       \
	}
#define LZ_DICTS(props) \
	LZ_M(props, 1u << 12), LZ_M(props, 3u << 11), LZ_M(props, 1u << 13), \
	LZ_M(props, 3u << 12), LZ_M(props, 1u << 14), LZ_M(props, 3u << 13), \
	LZ_M(props, 1u << 15), LZ_M(props, 3u << 14), LZ_M(props, 1u << 16), \
	LZ_M(props, 3u << 15), LZ_M(props, 1u << 17), LZ_M(props, 3u << 16), \
	LZ_M(props, 1u << 18), LZ_M(props, 3u << 17), LZ_M(props, 1u << 19), \
	LZ_M(props, 3u << 18), LZ_M(props, 1u << 20), LZ_M(props, 3u << 19), \
	LZ_M(props, 1u << 21), LZ_M(props, 3u << 20), LZ_M(props, 1u << 22), \
	LZ_M(props, 3u << 21), LZ_M(props, 1u << 23), LZ_M(props, 3u << 22), \
	LZ_M(props, 1u << 24), LZ_M(props, 3u << 23), LZ_M(props, 1u << 25), \
	LZ_M(props, 3u << 24), LZ_M(props, 1u << 26), LZ_M(props, 3u << 25), \
	LZ_M(props, 1u << 27), LZ_M(props, 3u << 26), LZ_M(props, 1u << 28), \
	LZ_M(props, 3u << 27), LZ_M(props, 1u << 29), LZ_M(props, 3u << 28), \
	LZ_M(props, 1u << 30), LZ_M(props, 3u << 29)

static const struct gb_magic lz_magics[] = {
	LZ_DICTS(0x5d),
	LZ_DICTS(0x6d),
	LZ_DICTS(0x6e),
};

const struct gb_format gb__fmt_lzma = {
	.name = "lzma",
	.description = "lzma-alone compressed data",
	.kind = GB_KIND_COMPRESSED,
	.magics = lz_magics,
	.n_magics = sizeof(lz_magics) / sizeof(lz_magics[0]),
	.probe = probe,
	.unpack = unpack,
};
