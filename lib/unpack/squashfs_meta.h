/* The squashfs metadata block reader shared by the 2.x/3.x reader
 * (squashfs_legacy*.c) and the 4.0 reader (squashfs_v4*.c).
 *
 * A metadata table is a run of blocks: a u16 header (bit 15 set: stored
 * uncompressed; low 15 bits: size on disk, at most 8 KiB), optionally
 * followed by a marker byte (squashfs 2.x/3.x SQUASHFS_CHECK), then the data.
 * The reader is bounded to [lo, hi): a block must start inside it and end by
 * hi. The last few blocks stay decoded (the directory walk goes back and forth
 * between a listing and its inodes). What differs between the versions is a
 * parameter: the header byte order and length, the number of cached blocks
 * and the block decoder.
 */
#ifndef GB_UNPACK_SQUASHFS_META_H
#define GB_UNPACK_SQUASHFS_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glassbox/sys/span.h>

#define SQM_BLOCK 8192   /* uncompressed size of a metadata block, at most */
#define SQM_SLOTS_MAX 8  /* decoded blocks kept, at most */
#define SQM_NONE UINT64_MAX

/* Decode `n` bytes at `in` into out[0..cap), at least `min_out` bytes (a
 * decoder may ignore it: callers check); the output size, <= 0 on error. */
typedef long (*sqm_decode_fn)(void *ctx, const uint8_t *in, size_t n, uint8_t *out,
			      size_t cap, size_t min_out);

struct sqm_params {
	bool hdr_be;          /* byte order of the u16 block header */
	unsigned hdr_len;     /* header bytes before the data: 2, or 3 with a marker */
	unsigned slots;       /* decoded blocks kept, 1..SQM_SLOTS_MAX */
	sqm_decode_fn decode;
	void *ctx;            /* for decode */
};

struct sqm_slot {
	uint64_t blk, next; /* this block (SQM_NONE: empty), the one after */
	const uint8_t *data;
	size_t used;
	uint8_t buf[SQM_BLOCK];
};

struct sqm_reader {
	struct gb_span in;
	struct sqm_params par;
	uint64_t lo, hi;
	struct sqm_slot *cur; /* NULL: none */
	size_t off;           /* in cur */
	unsigned victim;
	struct sqm_slot slot[SQM_SLOTS_MAX];
};

void sqm_init(struct sqm_reader *m, const struct gb_span *in, uint64_t lo, uint64_t hi,
	      const struct sqm_params *par);
/* Make the block at `at` current, at offset `off` of its data. */
int sqm_seek(struct sqm_reader *m, uint64_t at, size_t off);
/* Read `n` bytes on from the current position, across blocks. */
int sqm_read(struct sqm_reader *m, void *dst, size_t n);

/* The current position (valid after a successful seek or read). */
static inline uint64_t sqm_blk(const struct sqm_reader *m)
{
	return m->cur->blk;
}

static inline size_t sqm_off(const struct sqm_reader *m)
{
	return m->off;
}

#endif
