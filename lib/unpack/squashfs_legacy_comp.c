/* squashfs block decoder for the compressors that squashfs-tools never
 * standardised: squashfs 1.x-3.x zlib, and the LZMA patches of old router
 * SDKs (the reason sasquatch exists).
 *
 * A compressed metadata or data block is one independent stream. What is in
 * it depends on the vendor, never on a superblock field:
 *   zlib            78 xx ...                      (squashfs-tools 2.x/3.x)
 *   lzma-alone      props, u32 dict, u64 size, raw (Trident, squashfs 4.0 lzma)
 *   props + dict    props, u32 dict, raw           (Linksys "shsq", Ralink 4.0)
 *   raw LZMA        00 xx ... with fixed lc/lp/pb  (OpenWrt 3.0 LZMA, DD-WRT,
 *                                                   FACT "3.76"/"2.76" images)
 * Decoders are tried in that order on the first block, the one that works is
 * remembered for the image (raw LZMA first with lc=3 lp=0 pb=2, then every
 * other lc/lp/pb, at most twice per decoder: on hostile data every block
 * would fail). The sizes in LZMA headers are ignored (vendors write
 * anything there) and the dictionary is capped to the block size: a block
 * cannot refer further back than its own output.
 *
 * A decode is accepted when the stream ends, or when all the input was used
 * (raw streams have no end marker), or when the output is full with at most a
 * few input bytes left; and at least `min_out` bytes came out.
 */
#include <string.h>

#include "squashfs_int.h"

#define RAW_DEFAULT_PROPS 0x5D /* lc=3 lp=0 pb=2 */
#define TAIL_SLACK 16          /* input left unread when the output is full */
#define BRUTE_MAX 2            /* lc/lp/pb searches per decoder (hostile images) */

void sqc_init(struct sqc *c, uint32_t block_size, unsigned allow)
{
	memset(c, 0, sizeof(*c));
	c->allow = allow;
	c->dict_cap = block_size < 8192 ? 8192 : block_size;
	c->brute_left = BRUTE_MAX;
	c->lz = (lzma_stream)LZMA_STREAM_INIT;
}

void sqc_free(struct sqc *c)
{
	if (c->z_ready)
		inflateEnd(&c->z);
	lzma_end(&c->lz);
	c->z_ready = false;
}

const char *sqc_method_name(enum sqc_method m)
{
	switch (m) {
	case SQC_ZLIB:
		return "zlib";
	case SQC_LZMA_ALONE:
		return "lzma";
	case SQC_LZMA_PROPS5:
		return "lzma-vendor";
	case SQC_LZMA_RAW:
		return "lzma-raw";
	default:
		return "unknown";
	}
}

static bool props_ok(uint8_t p)
{
	unsigned lc, lp;

	if (p >= 9 * 5 * 5)
		return false;
	lc = p % 9;
	lp = (p / 9) % 5;
	return lc + lp <= 4;
}

static bool looks_zlib(const uint8_t *p, size_t n)
{
	return n >= 2 && (p[0] & 0x0F) == 8 && (p[0] >> 4) <= 7 && ((p[0] << 8) | p[1]) % 31 == 0;
}

/* An lzma-alone header: the size field is unknown (~0) or plausible. */
static bool looks_alone(const uint8_t *p, size_t n)
{
	uint64_t size;

	if (n < 14 || !props_ok(p[0]))
		return false;
	size = gb_le64(p + 5);
	return size == UINT64_MAX || size <= (64U << 20);
}

enum sqc_method sqc_sniff(const uint8_t *p, size_t n)
{
	if (looks_zlib(p, n))
		return SQC_ZLIB;
	if (looks_alone(p, n))
		return SQC_LZMA_ALONE;
	if (n >= 6 && props_ok(p[0]) && p[0] != 0)
		return SQC_LZMA_PROPS5;
	if (n >= 5 && p[0] == 0)
		return SQC_LZMA_RAW;
	return SQC_UNKNOWN;
}

static long try_zlib(struct sqc *c, const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	int r;

	if (!c->z_ready) {
		memset(&c->z, 0, sizeof(c->z));
		if (inflateInit(&c->z) != Z_OK)
			return -GB_ENOMEM;
		c->z_ready = true;
	} else if (inflateReset(&c->z) != Z_OK) {
		return -GB_ECORRUPT;
	}
	c->z.next_in = (Bytef *)(uintptr_t)in;
	c->z.avail_in = (uInt)n;
	c->z.next_out = out;
	c->z.avail_out = (uInt)cap;
	r = inflate(&c->z, Z_FINISH);
	if (r != Z_STREAM_END)
		return -GB_ECORRUPT;
	return (long)(cap - c->z.avail_out);
}

/* Raw LZMA1 with properties byte `props` over in[0..n). */
static long try_lzma(struct sqc *c, uint8_t props, const uint8_t *in, size_t n, uint8_t *out,
		     size_t cap)
{
	lzma_options_lzma opt;
	lzma_filter f[2];
	lzma_ret r;

	if (!props_ok(props) || n == 0)
		return -GB_ECORRUPT;
	memset(&opt, 0, sizeof(opt));
	opt.lc = props % 9;
	opt.lp = (props / 9) % 5;
	opt.pb = props / 45;
	opt.dict_size = c->dict_cap;
	f[0].id = LZMA_FILTER_LZMA1;
	f[0].options = &opt;
	f[1].id = LZMA_VLI_UNKNOWN;
	f[1].options = NULL;
	if (lzma_raw_decoder(&c->lz, f) != LZMA_OK)
		return -GB_ECORRUPT;
	c->lz.next_in = in;
	c->lz.avail_in = n;
	c->lz.next_out = out;
	c->lz.avail_out = cap;
	r = lzma_code(&c->lz, LZMA_RUN);
	if (r != LZMA_OK && r != LZMA_STREAM_END)
		return -GB_ECORRUPT;
	if (r == LZMA_OK && c->lz.avail_in != 0 &&
	    !(c->lz.avail_out == 0 && c->lz.avail_in <= TAIL_SLACK))
		return -GB_ECORRUPT;
	return (long)(cap - c->lz.avail_out);
}

static long run(struct sqc *c, enum sqc_method m, uint8_t raw_props, const uint8_t *in, size_t n,
		uint8_t *out, size_t cap)
{
	switch (m) {
	case SQC_ZLIB:
		if (!(c->allow & SQC_ALLOW_ZLIB))
			return -GB_ECORRUPT;
		return try_zlib(c, in, n, out, cap);
	case SQC_LZMA_ALONE:
		if (!(c->allow & SQC_ALLOW_LZMA) || n < 14)
			return -GB_ECORRUPT;
		return try_lzma(c, in[0], in + 13, n - 13, out, cap);
	case SQC_LZMA_PROPS5:
		if (!(c->allow & SQC_ALLOW_LZMA) || n < 6)
			return -GB_ECORRUPT;
		return try_lzma(c, in[0], in + 5, n - 5, out, cap);
	case SQC_LZMA_RAW:
		if (!(c->allow & SQC_ALLOW_LZMA))
			return -GB_ECORRUPT;
		return try_lzma(c, raw_props, in, n, out, cap);
	default:
		return -GB_ECORRUPT;
	}
}

static bool good(long r, size_t min_out)
{
	return r > 0 && (size_t)r >= min_out;
}

/* Whether a block can be in that format at all (cheap gate before a trial). */
static bool plausible(enum sqc_method m, const uint8_t *in, size_t n)
{
	switch (m) {
	case SQC_ZLIB:
		return looks_zlib(in, n);
	case SQC_LZMA_ALONE:
		return looks_alone(in, n);
	case SQC_LZMA_PROPS5:
		return n >= 6 && in[0] != 0 && props_ok(in[0]);
	default:
		return n >= 5 && in[0] == 0;
	}
}

/* Raw LZMA with every lc/lp/pb: once per image, while the method is unknown. */
static long brute_raw(struct sqc *c, const uint8_t *in, size_t n, uint8_t *out, size_t cap,
		      size_t min_out)
{
	if (!(c->allow & SQC_ALLOW_LZMA) || n < 5 || in[0] != 0 || c->brute_left == 0)
		return -GB_ECORRUPT;
	c->brute_left--;
	for (unsigned pb = 0; pb <= 4; pb++)
		for (unsigned lp = 0; lp <= 4; lp++)
			for (unsigned lc = 0; lc + lp <= 4; lc++) {
				uint8_t props = (uint8_t)((pb * 5 + lp) * 9 + lc);
				long r;

				if (props == RAW_DEFAULT_PROPS)
					continue;
				r = try_lzma(c, props, in, n, out, cap);
				if (good(r, min_out)) {
					c->method = SQC_LZMA_RAW;
					c->raw_props = props;
					return r;
				}
			}
	return -GB_ECORRUPT;
}

long sqc_decode(struct sqc *c, const uint8_t *in, size_t n, uint8_t *out, size_t cap,
		size_t min_out)
{
	static const enum sqc_method order[] = {SQC_ZLIB, SQC_LZMA_ALONE, SQC_LZMA_PROPS5,
						 SQC_LZMA_RAW};
	bool was_unknown = c->method == SQC_UNKNOWN;
	long r;

	if (n == 0 || cap == 0)
		return -GB_ECORRUPT;
	if (!was_unknown) {
		r = run(c, c->method, c->raw_props, in, n, out, cap);
		if (good(r, min_out))
			return r;
	}
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (order[i] == c->method)
			continue;
		if (!plausible(order[i], in, n))
			continue;
		r = run(c, order[i], RAW_DEFAULT_PROPS, in, n, out, cap);
		if (good(r, min_out)) {
			if (was_unknown) {
				c->method = order[i];
				c->raw_props = RAW_DEFAULT_PROPS;
			}
			return r;
		}
	}
	if (was_unknown)
		return brute_raw(c, in, n, out, cap, min_out);
	return -GB_ECORRUPT;
}
