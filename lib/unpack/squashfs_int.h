/* Internal interface between the squashfs format (fmt_squashfs.c: probe and
 * dispatch) and its readers:
 *   squashfs_v4.c          squashfs 4.0 (both byte orders), decompressors of
 *                          libsquashfs, vendor LZMA through sqc below
 *                          (squashfs_v4_io.c: decompressors, metadata readers,
 *                          parallel file data; squashfs_v4.h: what they share);
 *   squashfs_legacy.c      squashfs 2.x and 3.x, both byte orders, own reader
 *                          (squashfs_legacy_read.c: metadata, inodes, file data;
 *                          squashfs_legacy.h: what the two share);
 *   squashfs_meta.c        the metadata block reader both readers use;
 *   squashfs_legacy_comp.c the block decoder that tries zlib and the LZMA
 *                          variants of old router SDKs and remembers the one
 *                          that works.
 */
#ifndef GB_UNPACK_SQUASHFS_INT_H
#define GB_UNPACK_SQUASHFS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lzma.h>
#include <zlib.h>

#include <glassbox/sys/format.h>

/* --- squashfs_v4.c ------------------------------------------------------- */
int sqfs4_probe(const struct gb_span *in, struct gb_probe *ret);
int sqfs4_unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p);

/* --- squashfs_legacy.c --------------------------------------------------- */
int sqfs_legacy_probe(const struct gb_span *in, struct gb_probe *ret);
int sqfs_legacy_unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p);

/* --- squashfs_legacy_comp.c ---------------------------------------------- */
enum sqc_method {
	SQC_UNKNOWN = 0,
	SQC_ZLIB,        /* zlib stream (squashfs 1.x-3.x "gzip") */
	SQC_LZMA_ALONE,  /* 13-byte lzma-alone header: props, dict, size (ignored) */
	SQC_LZMA_PROPS5, /* props and dict only, no size (Linksys shsq, Ralink 4.0) */
	SQC_LZMA_RAW,    /* no header at all: raw LZMA with remembered lc/lp/pb */
};

#define SQC_ALLOW_ZLIB 1U
#define SQC_ALLOW_LZMA 2U

/* One decoder state per thread. */
struct sqc {
	enum sqc_method method;
	uint8_t raw_props; /* lc/lp/pb byte for SQC_LZMA_RAW */
	unsigned allow;
	uint32_t dict_cap; /* dictionary never larger than a block */
	unsigned brute_left; /* searches over every lc/lp/pb still allowed */
	bool z_ready;
	z_stream z;
	lzma_stream lz;
};

void sqc_init(struct sqc *c, uint32_t block_size, unsigned allow);
void sqc_free(struct sqc *c);
/* Decode one block of `n` bytes into out[0..cap). At least `min_out` bytes
 * must come out. Returns the output size, or -GB_ECORRUPT. The first block
 * that decodes fixes the method; later failures retry the others. */
long sqc_decode(struct sqc *c, const uint8_t *in, size_t n, uint8_t *out, size_t cap,
		size_t min_out);
/* "zlib", "lzma", "lzma-raw", ... for the method in use (or sniffed). */
const char *sqc_method_name(enum sqc_method m);
/* Guess the method from the first bytes of a compressed block (pure). */
enum sqc_method sqc_sniff(const uint8_t *p, size_t n);

#endif
