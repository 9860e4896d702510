/* The parts of the squashfs 2.x/3.x and 4.0 readers that are the same
 * (squashfs_common.h): probe size, image cut, the directory walk. Every read
 * goes through the span helpers or the metadata reader (squashfs_meta.c);
 * the walk is bounded by the listing size, the depth and the set of
 * directories already entered.
 */
#include <string.h>

#include "squashfs_common.h"

static uint32_t rd32(const uint8_t *p, bool be)
{
	return be ? gb_be32(p) : gb_le32(p);
}

static bool zero_bytes(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

uint64_t sqfs_image_size(const struct gb_span *in, uint64_t bytes_used, bool *truncated)
{
	uint64_t padded = (bytes_used + 4095) & ~4095ULL;

	*truncated = bytes_used > in->n;
	if (*truncated)
		return in->n;
	if (padded <= in->n && zero_bytes(in->p + bytes_used, (size_t)(padded - bytes_used)))
		return padded;
	return bytes_used;
}

struct gb_span sqfs_cut_image(struct gb_unpack *u, const struct gb_span *in,
			      uint64_t bytes_used)
{
	struct gb_span s = *in;

	if (s.n > bytes_used)
		s.n = (size_t)bytes_used;
	else if (s.n < bytes_used)
		gb_unpack_warn(u, "squashfs: image truncated: bytes_used is %llu, %zu bytes present",
			       (unsigned long long)bytes_used, in->n);
	return s;
}

int sqfs_enter_dir(const struct sqfs_dir_ops *ops, void *ctx, struct gb_unpack *u,
		   const struct gb_entry *e, struct gb_u64set *seen, uint64_t ref,
		   unsigned depth)
{
	int r = gb_unpack_entry(u, e);

	if (r < 0)
		return r;
	r = gb_u64set_add(seen, ref);
	if (r < 0)
		return r;
	if (r > 0) {
		ops->warn(ctx, e->path, "directory appears twice (loop), not descended");
		return 0;
	}
	if (depth >= SQFS_DEPTH_MAX) {
		ops->warn(ctx, e->path, "directories nested too deep, not descended");
		return 0;
	}
	return 1;
}

/* The listing reader is shared by all levels: its position is saved around
 * each child and restored after it. */
int sqfs_walk_listing(const struct sqfs_dir_ops *ops, void *ctx, struct sqm_reader *dir,
		      char *path, size_t plen, uint64_t dir_start, uint64_t blk, size_t off,
		      uint64_t left, unsigned depth)
{
	size_t pos = plen ? plen + 1 : 0;
	uint64_t at, hdr_blk = 0;
	uint32_t in_hdr = 0;
	int r;

	if (plen)
		path[plen] = '/';
	r = gb_add_u64(dir_start, blk, &at);
	if (r == 0)
		r = sqm_seek(dir, at, off);
	while (r == 0 && left > 0) {
		uint64_t save_blk;
		size_t save_off, nlen;
		uint32_t ioff;

		if (in_hdr == 0) {
			r = ops->header(ctx, &left, &in_hdr, &hdr_blk);
			if (r > 0) { /* the listing ends here, quietly */
				r = 0;
				break;
			}
			continue;
		}
		r = ops->entry(ctx, pos, &left, &ioff, &nlen);
		if (r < 0)
			break;
		in_hdr--;
		save_blk = sqm_blk(dir);
		save_off = sqm_off(dir);
		r = ops->visit(ctx, hdr_blk << 16 | ioff, pos + nlen, depth);
		if (r < 0)
			return r;
		path[plen] = plen ? '/' : '\0';
		r = sqm_seek(dir, save_blk, save_off);
	}
	path[plen] = '\0';
	if (r < 0)
		ops->warn(ctx, plen ? path : "/", "directory listing corrupt or truncated");
	return 0;
}

/* --- regular file data --------------------------------------------------- */

static int load_frag(struct sqfs_data *d, uint32_t idx)
{
	const uint8_t *p;
	uint64_t start;
	uint32_t word, len;
	long n;
	int r;

	if (idx == d->fcur)
		return 0;
	d->fcur = SQFS_NO_FRAG;
	r = d->frag_entry(d->fctx, idx, &start, &word);
	if (r < 0)
		return r;
	len = word & SQFS_BLK_SIZE_MASK;
	d->why = "fragment block out of the image";
	if (len == 0 || len > d->block_size)
		return -GB_ECORRUPT;
	p = gb_span_at(&d->in, start, len);
	if (!p)
		return -GB_ETRUNC;
	if (word & SQFS_BLK_UNCOMPRESSED) {
		d->fdata = p;
		d->fused = len;
	} else {
		d->why = "fragment block does not decompress";
		n = d->decode(d->dctx, p, len, d->fbuf, d->block_size, 1);
		if (n <= 0)
			return -GB_ECORRUPT;
		d->fdata = d->fbuf;
		d->fused = (size_t)n;
	}
	d->fcur = idx;
	return 0;
}

static int put(struct sqfs_data *d, struct gb_wfile *f, const void *p, size_t n)
{
	int r = gb_wfile_write(f, p, n);

	if (r < 0)
		d->werr = r;
	return r;
}

/* One data block of `expect` bytes at image offset *pos, size word `word`. */
static int put_block(struct sqfs_data *d, struct gb_wfile *f, uint64_t *pos, uint32_t word,
		     uint32_t expect)
{
	uint32_t len = word & SQFS_BLK_SIZE_MASK;
	const uint8_t *p;
	long n;

	if (len == 0) { /* sparse */
		memset(d->blk, 0, expect);
		return put(d, f, d->blk, expect);
	}
	d->why = "data block out of the image";
	if (len > d->block_size)
		return -GB_ECORRUPT;
	p = gb_span_at(&d->in, *pos, len);
	if (!p)
		return -GB_ETRUNC;
	*pos += len;
	if (word & SQFS_BLK_UNCOMPRESSED) {
		d->why = "stored data block too short";
		return len < expect ? -GB_ECORRUPT : put(d, f, p, expect);
	}
	d->why = "data block does not decompress";
	n = d->decode(d->dctx, p, len, d->blk, d->block_size, expect);
	if (n < 0 || (uint32_t)n < expect)
		return -GB_ECORRUPT;
	return put(d, f, d->blk, expect);
}

int sqfs_put_data(struct sqfs_data *d, struct gb_wfile *f, struct sqm_reader *list, bool be,
		  const struct sqfs_file *fi, const int *stop)
{
	uint32_t bs = d->block_size;
	uint8_t raw[4 * SQFS_LIST_BATCH];
	uint64_t left = fi->size, pos = fi->start;
	int r = 0;

	for (uint64_t i = 0; r == 0 && i < fi->nblocks; i++) {
		uint32_t k = i % SQFS_LIST_BATCH, expect = left < bs ? (uint32_t)left : bs;

		if (k == 0) {
			uint64_t n = fi->nblocks - i < SQFS_LIST_BATCH ? fi->nblocks - i
								      : SQFS_LIST_BATCH;

			d->why = "block list unreadable";
			r = sqm_read(list, raw, 4 * n);
			if (r < 0)
				break;
		}
		r = put_block(d, f, &pos, rd32(raw + 4 * k, be), expect);
		left -= expect;
		if (stop && __atomic_load_n(stop, __ATOMIC_RELAXED))
			return -GB_ELIMIT;
	}
	if (r < 0 || left == 0)
		return r;
	d->why = "file tail has no fragment";
	if (fi->frag == SQFS_NO_FRAG || left >= bs)
		return -GB_ECORRUPT;
	r = load_frag(d, fi->frag);
	if (r < 0)
		return r;
	d->why = "file tail past the end of its fragment block";
	if (fi->frag_off > d->fused || left > d->fused - fi->frag_off)
		return -GB_ECORRUPT;
	return put(d, f, d->fdata + fi->frag_off, (size_t)left);
}
