/* The parts of the squashfs 2.x/3.x and 4.0 readers that are the same
 * (squashfs_common.h): probe size, image cut, the directory walk. Every read
 * goes through the span helpers or the metadata reader (squashfs_meta.c);
 * the walk is bounded by the listing size, the depth and the set of
 * directories already entered.
 */
#include <string.h>

#include "squashfs_common.h"

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
