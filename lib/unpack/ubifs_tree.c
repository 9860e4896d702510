/* ubifs: the directory tree and file contents, once fmt_ubifs.c has
 * collected the inode, directory-entry and data nodes (newest of each key).
 *
 * A regular file is its data nodes in block order (4096 bytes each; a short
 * node or a missing block reads as zeros, at most UF_MAX_HOLE zeros per
 * file); data nodes are stored, LZO, raw deflate or zstd. A symlink's target
 * and a device's number (le32 new_encode_dev, or le64) are the inode's data.
 * A regular inode reached by a second name becomes a hard link to the first.
 */
#include <lzo/lzo1x.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "ubifs.h"
#include "util/vec.h"
#include "fsutil.h"


static const uint8_t uf_zeros[UF_ZERO_CHUNK];

/* ---- file content -------------------------------------------------------- */

struct uf_dec {
	z_stream zs;
	bool zs_ready;
	ZSTD_DCtx *zd;
	uint8_t buf[UF_BLOCK];
};

static void uf_dec_fini(struct uf_dec *d)
{
	if (d->zs_ready)
		inflateEnd(&d->zs);
	ZSTD_freeDCtx(d->zd);
}

static int uf_inflate(struct uf_dec *d, const uint8_t *src, size_t n, size_t want)
{
	int zr;

	if (!d->zs_ready) {
		memset(&d->zs, 0, sizeof(d->zs));
		if (inflateInit2(&d->zs, -MAX_WBITS) != Z_OK)
			return -GB_ENOMEM;
		d->zs_ready = true;
	} else if (inflateReset(&d->zs) != Z_OK) {
		return -GB_ECORRUPT;
	}
	d->zs.next_in = (Bytef *)(uintptr_t)src;
	d->zs.avail_in = (uInt)n;
	d->zs.next_out = d->buf;
	d->zs.avail_out = (uInt)want;
	zr = inflate(&d->zs, Z_FINISH);
	if (zr != Z_STREAM_END && !(zr == Z_BUF_ERROR && d->zs.avail_out == 0))
		return -GB_ECORRUPT;
	return d->zs.avail_out == 0 ? 0 : -GB_ECORRUPT;
}

/* Decode data node dn into d->buf (or point into the image); *ret_len gets
 * the decoded size. */
static int uf_decode(const struct uf *f, struct uf_dec *d, const struct uf_dnode *dn,
		     const uint8_t **ret, size_t *ret_len)
{
	const uint8_t *b = gb_span_at(f->in, dn->pos, UF_DATA_LEN);
	uint32_t len, want;
	const uint8_t *src;
	size_t n, got;
	lzo_uint lo;

	if (!b)
		return -GB_ECORRUPT;
	len = gb_le32(b + 16);
	want = gb_le32(b + 40);
	src = b + UF_DATA_LEN;
	n = len - UF_DATA_LEN;
	*ret_len = want;
	switch (gb_le16(b + 44)) {
	case UF_COMPR_NONE:
		if (n < want)
			return -GB_ECORRUPT;
		*ret = src;
		return 0;
	case UF_COMPR_LZO:
		lo = want;
		if (lzo1x_decompress_safe(src, n, d->buf, &lo, NULL) != LZO_E_OK || lo != want)
			return -GB_ECORRUPT;
		break;
	case UF_COMPR_ZLIB:
		if (uf_inflate(d, src, n, want) < 0)
			return -GB_ECORRUPT;
		break;
	case UF_COMPR_ZSTD:
		if (!d->zd && !(d->zd = ZSTD_createDCtx()))
			return -GB_ENOMEM;
		got = ZSTD_decompressDCtx(d->zd, d->buf, want, src, n);
		if (ZSTD_isError(got) || got != want)
			return -GB_ECORRUPT;
		break;
	default:
		return -GB_EUNSUP;
	}
	*ret = d->buf;
	return 0;
}

struct uf_wctx {
	const struct uf *f;
	const struct uf_ino *e;
	struct gb_wfile *w;
	struct uf_dec dec;
	uint64_t holes;
	int status;
};

static int uf_zeros_out(struct uf_wctx *c, uint64_t len)
{
	if (len > UF_MAX_HOLE - c->holes) {
		gb_unpack_warn(c->f->u, "inode %llu: size %llu leaves more than %u bytes without data; truncated",
			       (unsigned long long)c->e->inum, (unsigned long long)c->e->size, UF_MAX_HOLE);
		return -GB_ECORRUPT;
	}
	c->holes += len;
	while (len) {
		size_t k = len < UF_ZERO_CHUNK ? (size_t)len : UF_ZERO_CHUNK;
		int r = gb_wfile_write(c->w, uf_zeros, k);
		if (r < 0)
			return r;
		len -= k;
	}
	return 0;
}

static int uf_write_block(struct uf_wctx *c, const struct uf_dnode *dn, uint64_t room)
{
	const uint8_t *data;
	size_t len;
	int r = uf_decode(c->f, &c->dec, dn, &data, &len);

	if (r == -GB_ENOMEM)
		return r;
	if (r < 0) {
		if (!c->status)
			gb_unpack_warn(c->f->u, "inode %llu: data node at 0x%llx %s",
				       (unsigned long long)c->e->inum, (unsigned long long)dn->pos,
				       r == -GB_EUNSUP ? "has an unknown compressor" : "does not decompress");
		c->status = r;
		return uf_zeros_out(c, room < UF_BLOCK ? room : UF_BLOCK);
	}
	if (len > room)
		len = (size_t)room;
	r = gb_wfile_write(c->w, data, len);
	if (r == 0 && len < UF_BLOCK && room > len) /* short block: the rest reads as zeros */
		r = uf_zeros_out(c, (room < UF_BLOCK ? room : UF_BLOCK) - len);
	return r;
}

static int uf_write_content(struct uf_wctx *c)
{
	const struct uf *f = c->f;
	uint64_t size = c->e->size, pos = 0;
	int r = 0;

	for (size_t i = gb__uf_first_dnode(f, c->e->inum);
	     r == 0 && i < f->n_dnodes && f->dnodes[i].inum == c->e->inum; i++) {
		uint64_t off = (uint64_t)f->dnodes[i].block * UF_BLOCK;
		if (f->dnodes[i].dead)
			continue;
		if (off >= size)
			break;
		if (off > pos)
			r = uf_zeros_out(c, off - pos);
		if (r == 0)
			r = uf_write_block(c, &f->dnodes[i], size - off);
		pos = off + (size - off < UF_BLOCK ? size - off : UF_BLOCK);
	}
	if (r == 0 && pos < size)
		r = uf_zeros_out(c, size - pos);
	return r < 0 ? r : c->status;
}

static int uf_extract_file(const struct uf *f, const struct uf_ino *e, const char *path)
{
	struct gb_entry ent = {
		.path = path,
		.type = GB_FT_FILE,
		.mode = e->mode & 07777,
		.uid = e->uid,
		.gid = e->gid,
		.size = e->size,
		.mtime = e->mtime,
	};
	struct uf_wctx c = {.f = f, .e = e};
	int r, st;

	r = gb_unpack_file_begin(f->u, &ent, &c.w);
	if (r < 0)
		return r;
	st = uf_write_content(&c);
	uf_dec_fini(&c.dec);
	r = gb_unpack_file_end(f->u, c.w, st);
	return gb_fs_file_result(st, r);
}

static int uf_job_run(void *ctx, size_t i)
{
	const struct uf *f = ctx;

	return uf_extract_file(f, &f->inos[f->jobs[i].ino], f->paths + f->jobs[i].path);
}

/* ---- the directory tree -------------------------------------------------- */

static int uf_add_job(struct uf *f, struct uf_job **v, size_t *n, size_t *cap, size_t ino,
		      const char *path, size_t len, size_t *ret_path)
{
	size_t off;
	int r = gb_grow((void **)v, cap, *n + 1, sizeof(**v));

	if (r == 0)
		r = gb_strpool_add(&f->paths, &f->n_paths, &f->cap_paths, path, len, &off);
	if (r < 0)
		return r;
	(*v)[*n].ino = ino;
	(*v)[*n].path = off;
	if (ret_path)
		*ret_path = off;
	(*n)++;
	return 0;
}

static int uf_emit_special(struct uf *f, const struct uf_ino *e, struct gb_entry *ent)
{
	const uint8_t *data = gb_span_at(f->in, e->pos + UF_INO_LEN, e->data_len);
	char target[UF_MAX_TARGET + 1];

	switch (e->mode & GB_S_IFMT) {
	case GB_S_IFLNK:
		ent->type = GB_FT_SYMLINK;
		if (!data || e->data_len == 0 || e->data_len > UF_MAX_TARGET) {
			gb_unpack_warn(f->u, "%s: symlink target unreadable", ent->path);
			return 0;
		}
		memcpy(target, data, e->data_len);
		target[e->data_len] = 0;
		ent->target = target;
		break;
	case GB_S_IFCHR:
	case GB_S_IFBLK:
		ent->type = (e->mode & GB_S_IFMT) == GB_S_IFCHR ? GB_FT_CHARDEV : GB_FT_BLOCKDEV;
		if (data && (e->data_len == 4 || e->data_len == 8)) {
			uint32_t v = gb_le32(data); /* huge_encode_dev: the same in 64 bits */
			gb_fs_decode_dev(v, ent);
		} else {
			gb_unpack_warn(f->u, "%s: device number unreadable", ent->path);
		}
		break;
	case GB_S_IFIFO:
		ent->type = GB_FT_FIFO;
		break;
	case GB_S_IFSOCK:
		ent->type = GB_FT_SOCKET;
		break;
	default:
		gb_unpack_warn(f->u, "%s: unknown file type (mode 0%o)", ent->path, e->mode);
		return 0;
	}
	return gb_unpack_entry(f->u, ent);
}

/* One dirent: dirs, links and specials now, files queued. */
static int uf_emit(struct uf *f, const struct uf_dent *d, const char *path, size_t len,
		   bool *descend)
{
	struct uf_ino *e = gb__uf_ino_find(f, d->inum);
	struct gb_entry ent = {.path = path};
	size_t idx;

	*descend = false;
	if (!e) {
		f->dropped++;
		return 0;
	}
	ent.mode = e->mode & 07777;
	ent.uid = e->uid;
	ent.gid = e->gid;
	ent.mtime = e->mtime;
	idx = (size_t)(e - f->inos);
	switch (e->mode & GB_S_IFMT) {
	case GB_S_IFDIR:
		if (e->visited || e->inum == UF_ROOT_INO) {
			gb_unpack_warn(f->u, "%s: second link to directory inode %llu ignored", path,
				       (unsigned long long)e->inum);
			return 0;
		}
		e->visited = true;
		ent.type = GB_FT_DIR;
		*descend = true;
		return gb_unpack_entry(f->u, &ent);
	case GB_S_IFREG:
		if (e->visited)
			return uf_add_job(f, &f->links, &f->n_links, &f->cap_links, idx, path, len, NULL);
		e->visited = true;
		size_t off;
		int r = uf_add_job(f, &f->jobs, &f->n_jobs, &f->cap_jobs, idx, path, len, &off);
		if (r == 0)
			e->path = (int64_t)off;
		return r;
	default:
		return uf_emit_special(f, e, &ent);
	}
}

static uint64_t uf_tree_parent(void *ctx, size_t i)
{
	return ((const struct uf *)ctx)->dents[i].parent;
}

static uint64_t uf_tree_ino(void *ctx, size_t i)
{
	return ((const struct uf *)ctx)->dents[i].inum;
}

static const uint8_t *uf_tree_name(void *ctx, size_t i, size_t *len)
{
	const struct uf *f = ctx;

	*len = f->dents[i].nlen;
	return f->in->p + f->dents[i].pos;
}

static size_t uf_tree_first(void *ctx, uint64_t parent)
{
	return gb__uf_first_dent(ctx, parent);
}

static int uf_tree_emit(void *ctx, size_t i, const char *path, size_t len, bool *descend)
{
	struct uf *f = ctx;

	return uf_emit(f, &f->dents[i], path, len, descend);
}

static int uf_walk_tree(struct uf *f)
{
	const struct gb_fs_tree t = {f->u, f->n_dents, f, uf_tree_parent, uf_tree_ino,
				     uf_tree_name, uf_tree_first, uf_tree_emit, &f->limit_warned};

	return gb_fs_walk_tree(&t, UF_ROOT_INO);
}

static int uf_emit_links(struct uf *f)
{
	for (size_t i = 0; i < f->n_links; i++) {
		const struct uf_ino *e = &f->inos[f->links[i].ino];
		struct gb_entry ent = {
			.path = f->paths + f->links[i].path,
			.type = GB_FT_HARDLINK,
			.mode = e->mode & 07777,
			.uid = e->uid,
			.gid = e->gid,
			.size = e->size,
			.mtime = e->mtime,
			.target = f->paths + e->path,
		};
		int r = gb_unpack_entry(f->u, &ent);
		if (r < 0)
			return r;
	}
	return 0;
}

int gb__uf_extract(struct uf *f)
{
	int r = uf_walk_tree(f);

	if (r == 0 && f->n_jobs)
		r = gb_unpack_parallel(f->u, f->n_jobs, uf_job_run, f);
	if (r == 0)
		r = uf_emit_links(f);
	return r;
}
