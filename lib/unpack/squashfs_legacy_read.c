/* squashfs 2.x/3.x: metadata readers (over squashfs_meta.c), inodes, uid/gid tables and regular
 * file data (block lists, data blocks, fragments). Layouts: squashfs_legacy.c.
 * Every read goes through the span helpers or a metadata reader bounded to its
 * table; block sizes are checked against the superblock's block size before
 * anything is decompressed.
 */
#include <stdlib.h>
#include <string.h>

#include "squashfs_legacy.h"

uint64_t lg_rdn(const uint8_t *p, unsigned n, bool be)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[be ? i : n - 1 - i] << (8 * (n - 1 - i));
	return v;
}

/* A packed bitfield at bit `pos`, `n` bits (<= 64), in the image's order. */
uint64_t lg_bits(const uint8_t *b, unsigned pos, unsigned n, bool be)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++) {
		unsigned k = pos + i;

		if (be)
			v = v << 1 | ((b[k >> 3] >> (7 - (k & 7))) & 1);
		else
			v |= (uint64_t)((b[k >> 3] >> (k & 7)) & 1) << i;
	}
	return v;
}

unsigned lg_frag_entry_size(const struct lg_super *sb)
{
	return sb->major == 3 ? 16 : 8;
}

unsigned lg_frag_ptr_size(const struct lg_super *sb)
{
	return sb->major == 3 ? 8 : 4;
}


unsigned lg_meta_hdr_len(const struct lg_super *sb)
{
	return (sb->flags & 4) ? 3 : 2; /* SQUASHFS_CHECK: a marker byte follows */
}


void lg_warn(struct lg *img, const char *path, const char *what)
{
	if (img->n_warn++ < WARN_MAX)
		gb_unpack_warn(img->u, "squashfs: \"%s\": %s", path, what);
}

/* Metadata and data blocks decode with the image's decoder (any method). */
static long decode(void *ctx, const uint8_t *in, size_t n, uint8_t *out, size_t cap,
		   size_t min_out)
{
	return sqc_decode(ctx, in, n, out, cap, min_out);
}

/* A metadata reader over [lo, hi): headers in the image's order, followed by a
 * marker byte when the image has SQUASHFS_CHECK set. */
void lg_mr_init(struct sqm_reader *m, struct lg *img, uint64_t lo, uint64_t hi)
{
	struct sqm_params par = {
		.hdr_be = img->sb.be,
		.hdr_len = lg_meta_hdr_len(&img->sb),
		.slots = MR_SLOTS,
		.decode = decode,
		.ctx = &img->comp,
	};

	sqm_init(m, &img->in, lo, hi, &par);
}

static unsigned inode_size(unsigned major, unsigned type)
{
	static const uint8_t v3[] = {0, 28, 32, 18, 18, 18, 16, 16, 31, 40};
	static const uint8_t v2[] = {0, 15, 24, 6, 6, 6, 4, 4, 18, 0};

	if (type > T_LFILE)
		return 0;
	return major == 3 ? v3[type] : v2[type];
}

static void parse_v3(const uint8_t *b, bool be, struct lg_inode *ino)
{
	ino->mtime = (uint32_t)lg_bits(b, 32, 32, be);
	switch (ino->type) {
	case T_DIR:
		ino->dir_size = lg_bits(b, 128, 19, be);
		ino->dir_off = (uint32_t)lg_bits(b, 147, 13, be);
		ino->dir_start = lg_bits(b, 160, 32, be);
		break;
	case T_LDIR:
		ino->dir_size = lg_bits(b, 128, 27, be);
		ino->dir_off = (uint32_t)lg_bits(b, 155, 13, be);
		ino->dir_start = lg_bits(b, 168, 32, be);
		break;
	case T_FILE:
		ino->start = lg_bits(b, 96, 64, be);
		ino->frag = (uint32_t)lg_bits(b, 160, 32, be);
		ino->frag_off = (uint32_t)lg_bits(b, 192, 32, be);
		ino->size = lg_bits(b, 224, 32, be);
		break;
	case T_LFILE:
		ino->start = lg_bits(b, 128, 64, be);
		ino->frag = (uint32_t)lg_bits(b, 192, 32, be);
		ino->frag_off = (uint32_t)lg_bits(b, 224, 32, be);
		ino->size = lg_bits(b, 256, 64, be);
		break;
	case T_SLINK:
		ino->link_len = (uint32_t)lg_bits(b, 128, 16, be);
		break;
	case T_BDEV:
	case T_CDEV:
		ino->rdev = (uint32_t)lg_bits(b, 128, 16, be);
		break;
	default:
		break;
	}
}

static void parse_v2(const uint8_t *b, bool be, struct lg_inode *ino)
{
	switch (ino->type) {
	case T_DIR:
		ino->dir_size = lg_bits(b, 32, 19, be);
		ino->dir_off = (uint32_t)lg_bits(b, 51, 13, be);
		ino->mtime = (uint32_t)lg_bits(b, 64, 32, be);
		ino->dir_start = lg_bits(b, 96, 24, be);
		break;
	case T_LDIR:
		ino->dir_size = lg_bits(b, 32, 27, be);
		ino->dir_off = (uint32_t)lg_bits(b, 59, 13, be);
		ino->mtime = (uint32_t)lg_bits(b, 72, 32, be);
		ino->dir_start = lg_bits(b, 104, 24, be);
		break;
	case T_FILE:
		ino->mtime = (uint32_t)lg_bits(b, 32, 32, be);
		ino->start = lg_bits(b, 64, 32, be);
		ino->frag = (uint32_t)lg_bits(b, 96, 32, be);
		ino->frag_off = (uint32_t)lg_bits(b, 128, 32, be);
		ino->size = lg_bits(b, 160, 32, be);
		break;
	case T_SLINK:
		ino->link_len = (uint32_t)lg_bits(b, 32, 16, be);
		break;
	case T_BDEV:
	case T_CDEV:
		ino->rdev = (uint32_t)lg_bits(b, 32, 16, be);
		break;
	default:
		break;
	}
}

/* Read the inode at `ref`; the inode reader is left just after its header
 * (at a symlink target or a block list). */
int lg_read_inode(struct lg *img, uint64_t ref, struct lg_inode *ino)
{
	const struct lg_super *sb = &img->sb;
	unsigned base = sb->major == 3 ? 12 : 4, need;
	uint8_t b[48];
	uint64_t at;
	int r;

	if (gb_add_u64(sb->inode_start, ref >> 16, &at) < 0)
		return -GB_ECORRUPT;
	r = sqm_seek(&img->ino, at, ref & 0xFFFF);
	if (r == 0)
		r = sqm_read(&img->ino, b, base);
	if (r < 0)
		return r;
	memset(ino, 0, sizeof(*ino));
	ino->type = (unsigned)lg_bits(b, 0, 4, sb->be);
	ino->mode = (unsigned)lg_bits(b, 4, 12, sb->be);
	ino->uid = (unsigned)lg_bits(b, 16, 8, sb->be);
	ino->guid = (unsigned)lg_bits(b, 24, 8, sb->be);
	need = inode_size(sb->major, ino->type);
	if (need == 0)
		return -GB_ECORRUPT;
	r = sqm_read(&img->ino, b + base, need - base);
	if (r < 0)
		return r;
	if (sb->major == 3)
		parse_v3(b, sb->be, ino);
	else
		parse_v2(b, sb->be, ino);
	if ((ino->type == T_DIR || ino->type == T_LDIR) && ino->dir_off >= META_SIZE)
		return -GB_ECORRUPT;
	if (ino->type == T_FILE || ino->type == T_LFILE) {
		ino->nblocks = ino->size >> sb->block_log;
		if ((ino->size & (sb->block_size - 1)) && ino->frag == NO_FRAG)
			ino->nblocks++;
	}
	return 0;
}

int lg_read_ids(struct lg *img)
{
	const struct lg_super *sb = &img->sb;

	for (unsigned i = 0; i < sb->no_uids; i++) {
		const uint8_t *p = gb_span_at(&img->in, sb->uid_start + 4ULL * i, 4);

		if (!p)
			return -GB_ETRUNC;
		img->uids[i] = (uint32_t)lg_rdn(p, 4, sb->be);
	}
	for (unsigned i = 0; i < sb->no_guids; i++) {
		const uint8_t *p = gb_span_at(&img->in, sb->uid_start + 4ULL * (sb->no_uids + i), 4);

		if (!p)
			return -GB_ETRUNC;
		img->guids[i] = (uint32_t)lg_rdn(p, 4, sb->be);
	}
	return 0;
}

void lg_owners(struct lg *img, const struct lg_inode *ino, struct gb_entry *e)
{
	if (ino->uid < img->sb.no_uids)
		e->uid = img->uids[ino->uid];
	else
		lg_warn(img, e->path, "uid index past the uid table");
	if (ino->guid == GUID_SAME)
		e->gid = e->uid;
	else if (ino->guid < img->sb.no_guids)
		e->gid = img->guids[ino->guid];
	else
		lg_warn(img, e->path, "gid index past the gid table");
}


/* --- regular files --------------------------------------------------------- */

/* Fragment table entry `idx`: where its block starts and its size word. */
static int frag_entry(void *ctx, uint32_t idx, uint64_t *start, uint32_t *word)
{
	struct lg *img = ctx;
	const struct lg_super *sb = &img->sb;
	unsigned es = lg_frag_entry_size(sb), ps = lg_frag_ptr_size(sb), per = META_SIZE / es;
	const uint8_t *p;
	uint64_t ptr;
	uint8_t b[16];
	int r;

	img->data.why = "fragment index out of range";
	if (idx >= sb->frags)
		return -GB_ECORRUPT;
	img->data.why = "fragment table entry unreadable";
	p = gb_span_at(&img->in, sb->frag_start + (uint64_t)(idx / per) * ps, ps);
	if (!p)
		return -GB_ETRUNC;
	ptr = lg_rdn(p, ps, sb->be);
	r = sqm_seek(&img->frag, ptr, (idx % per) * es);
	if (r == 0)
		r = sqm_read(&img->frag, b, es);
	if (r < 0)
		return r;
	*start = lg_rdn(b, ps, sb->be);
	*word = (uint32_t)lg_rdn(b + ps, 4, sb->be);
	return 0;
}

/* The file data state; img->in is the image cut to bytes_used. 0 or -GB_ENOMEM. */
int lg_data_init(struct lg *img)
{
	struct sqfs_data *d = &img->data;

	d->in = img->in;
	d->block_size = img->sb.block_size;
	d->decode = decode;
	d->dctx = &img->comp;
	d->frag_entry = frag_entry;
	d->fctx = img;
	d->fcur = NO_FRAG;
	d->blk = malloc(img->sb.block_size);
	d->fbuf = malloc(img->sb.block_size);
	return d->blk && d->fbuf ? 0 : -GB_ENOMEM;
}

int lg_emit_file(struct lg *img, const struct lg_inode *ino, struct gb_entry *e)
{
	struct sqfs_file fi = {ino->size, ino->start, ino->nblocks, ino->frag, ino->frag_off};
	struct gb_wfile *f;
	int r, r2;

	e->type = GB_FT_FILE;
	e->size = ino->size;
	r = gb_unpack_file_begin(img->u, e, &f);
	if (r < 0)
		return r;
	img->data.werr = 0;
	r = sqfs_put_data(&img->data, f, &img->ino, img->sb.be, &fi, NULL);
	r2 = gb_unpack_file_end(img->u, f, r);
	if (img->data.werr < 0)
		return img->data.werr;
	if (r < 0)
		lg_warn(img, e->path, img->data.why);
	return r2 < 0 ? r2 : 0;
}

int lg_emit_symlink(struct lg *img, const struct lg_inode *ino, struct gb_entry *e)
{
	char target[65536];
	int r;

	r = sqm_read(&img->ino, target, ino->link_len);
	if (r < 0) {
		lg_warn(img, e->path, "symlink target unreadable");
		return 0;
	}
	target[ino->link_len] = '\0';
	e->type = GB_FT_SYMLINK;
	e->target = target;
	return gb_unpack_entry(img->u, e);
}

