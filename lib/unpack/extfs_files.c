/* extfs: regular files, written straight from the span by walking their
 * extents or block maps (inline data through ext2fs_file_read), several
 * files at once, each worker with its own ext2_filsys handle. */
#include <stdlib.h>
#include <string.h>

#include "extfs.h"

static const uint8_t zeros[ZERO_LEN];

/* --- regular files, in parallel -------------------------------------------- */

struct ex_out { /* one file being written */
	struct ex_img *img;
	struct gb_wfile *f;
	uint64_t size, done; /* bytes: declared, written */
	uint64_t next;       /* next logical block expected */
	uint64_t run_l, run_p, run_n; /* pending run of contiguous blocks */
	const char *why;     /* what is wrong with the data */
	int err;             /* error raised inside the block iterator */
	int werr;            /* writer error */
};

static int out_put(struct ex_out *o, const void *p, size_t n)
{
	int r = gb_wfile_write(o->f, p, n);

	if (r < 0)
		o->werr = r;
	return r;
}

/* Zeros for `nblocks` blocks of hole, cut at the declared size. */
static int out_zeros(struct ex_out *o, uint64_t nblocks)
{
	uint64_t n;
	int r = 0;

	if (gb_mul_u64(nblocks, o->img->sb.bs, &n) < 0 || n > o->size - o->done)
		n = o->size - o->done;
	while (n > 0 && r == 0) {
		size_t k = n < ZERO_LEN ? (size_t)n : ZERO_LEN;

		r = out_put(o, zeros, k);
		n -= k;
		o->done += k;
	}
	return r;
}

/* Write `n` blocks from physical block `pblk` (zeros when uninit), after the
 * hole before logical block `lblk`. Extents and block maps must go forward. */
static int out_blocks(struct ex_out *o, uint64_t lblk, uint64_t pblk, uint64_t n, bool uninit)
{
	uint32_t bs = o->img->sb.bs;
	uint64_t off, len;
	const uint8_t *p;
	int r;

	o->why = "block map goes backwards (corrupt extent tree or block map)";
	if (lblk < o->next)
		return -GB_ECORRUPT;
	r = out_zeros(o, lblk - o->next);
	o->next = lblk + n;
	if (r < 0 || uninit)
		return r < 0 ? r : out_zeros(o, n);
	len = o->size - o->done;
	if (n <= len / bs)
		len = n * bs;
	if (len == 0)
		return 0;
	o->why = "data block past the end of the image";
	if (gb_mul_u64(pblk, bs, &off) < 0)
		return -GB_ECORRUPT;
	p = gb_span_at(&o->img->in, off, len);
	if (!p)
		return -GB_ETRUNC;
	for (uint64_t k = 0; k < len; k += IO_CHUNK) {
		r = out_put(o, p + k, len - k < IO_CHUNK ? (size_t)(len - k) : IO_CHUNK);
		if (r < 0)
			return r;
	}
	o->done += len;
	return 0;
}

static int put_extents(struct ex_out *o, ext2_filsys fs, ext2_ino_t ino, struct ext2_inode *inode)
{
	uint64_t nb = o->size / o->img->sb.bs + 1, steps = 0;
	ext2_extent_handle_t h;
	struct ext2fs_extent ext;
	int op = EXT2_EXTENT_ROOT, r = 0;
	errcode_t e;

	o->why = "extent tree unreadable";
	if (ext2fs_extent_open2(fs, ino, inode, &h) != 0)
		return -GB_ECORRUPT;
	while (r == 0 && !(e = ext2fs_extent_get(h, op, &ext))) {
		op = EXT2_EXTENT_NEXT;
		if (++steps > 4 * nb + 4096) {
			o->why = "extent tree too large";
			r = -GB_ECORRUPT;
			break;
		}
		if (!(ext.e_flags & EXT2_EXTENT_FLAGS_LEAF) ||
		    (ext.e_flags & EXT2_EXTENT_FLAGS_SECOND_VISIT) || ext.e_len == 0)
			continue;
		if (o->done >= o->size)
			break; /* blocks preallocated past the end */
		r = out_blocks(o, ext.e_lblk, ext.e_pblk, ext.e_len,
			       ext.e_flags & EXT2_EXTENT_FLAGS_UNINIT);
		if (__atomic_load_n(&o->img->stop, __ATOMIC_RELAXED))
			r = -GB_ELIMIT;
	}
	ext2fs_extent_free(h);
	if (r == 0 && e && e != EXT2_ET_EXTENT_NO_NEXT && o->done < o->size) {
		o->why = gb__extfs_strerror(e);
		r = -GB_ECORRUPT;
	}
	return r;
}

static int flush_run(struct ex_out *o)
{
	int r = 0;

	if (o->run_n)
		r = out_blocks(o, o->run_l, o->run_p, o->run_n, false);
	o->run_n = 0;
	return r;
}

/* ext2fs_block_iterate3 callback: gather runs of contiguous blocks. */
static int on_block(ext2_filsys fs, blk64_t *blocknr, e2_blkcnt_t blockcnt, blk64_t ref_blk,
		    int ref_offset, void *priv)
{
	struct ex_out *o = priv;
	uint64_t l = (uint64_t)blockcnt, bs = o->img->sb.bs;

	if (blockcnt < 0)
		return 0;
	if (l >= (o->size + bs - 1) / bs)
		return BLOCK_ABORT; /* past the end of the file */
	if (o->run_n && l == o->run_l + o->run_n && *blocknr == o->run_p + o->run_n) {
		o->run_n++;
	} else {
		o->err = flush_run(o);
		o->run_l = l;
		o->run_p = *blocknr;
		o->run_n = 1;
	}
	if (o->err == 0 && o->run_n * bs >= 4 * IO_CHUNK)
		o->err = flush_run(o);
	if (o->err == 0 && __atomic_load_n(&o->img->stop, __ATOMIC_RELAXED))
		o->err = -GB_ELIMIT;
	return o->err < 0 ? BLOCK_ABORT : 0;
}

static int put_blockmap(struct ex_out *o, ext2_filsys fs, ext2_ino_t ino)
{
	errcode_t e = ext2fs_block_iterate3(fs, ino, BLOCK_FLAG_READ_ONLY | BLOCK_FLAG_DATA_ONLY,
					    NULL, on_block, o);
	int r = o->err;

	if (r == 0)
		r = flush_run(o);
	if (r == 0 && e) {
		o->why = gb__extfs_strerror(e);
		r = -GB_ECORRUPT;
	}
	return r;
}

/* Inline data (and anything else libext2fs knows better) through ext2_file_t. */
static int put_fileio(struct ex_out *o, ext2_filsys fs, ext2_ino_t ino, struct ext2_inode *inode,
		      uint8_t *buf)
{
	ext2_file_t file;
	unsigned got;
	errcode_t e;
	int r = 0;

	o->why = "file data unreadable";
	if (ext2fs_file_open2(fs, ino, inode, 0, &file) != 0)
		return -GB_ECORRUPT;
	while (r == 0 && o->done < o->size) {
		e = ext2fs_file_read(file, buf, IO_CHUNK, &got);
		if (e) {
			r = -GB_ECORRUPT;
			break;
		}
		if (got == 0) { /* i_size past the inline data: a hole */
			r = out_zeros(o, UINT64_MAX);
			break;
		}
		if (got > o->size - o->done)
			got = (unsigned)(o->size - o->done);
		r = out_put(o, buf, got);
		o->done += got;
	}
	ext2fs_file_close(file);
	return r;
}

static int put_data(struct ex_out *o, ext2_filsys fs, ext2_ino_t ino, uint8_t *buf)
{
	struct ext2_inode_large big;
	struct ext2_inode *inode = (struct ext2_inode *)&big;
	int r;

	o->why = "inode unreadable";
	if (ext2fs_read_inode_full(fs, ino, inode, sizeof(big)) != 0)
		return -GB_ECORRUPT;
	if (inode->i_flags & EXT4_INLINE_DATA_FL)
		return put_fileio(o, fs, ino, inode, buf);
	if (inode->i_flags & EXT4_EXTENTS_FL)
		r = put_extents(o, fs, ino, inode);
	else
		r = put_blockmap(o, fs, ino);
	if (r == 0)
		r = out_zeros(o, UINT64_MAX); /* a hole at the end */
	return r;
}

struct ex_job {
	struct ex_img *img;
	const struct ex_list *files;
	const char *pool;
	size_t *bounds;
};

static int extract_file(struct ex_img *img, ext2_filsys fs, const struct ex_ent *fe,
			const char *pool, uint8_t *buf)
{
	struct ex_out o = {.img = img, .size = fe->size};
	struct ext2_inode_large big;
	struct ext2_inode *inode = (struct ext2_inode *)&big;
	struct gb_entry e;
	int r, r2;

	memset(&e, 0, sizeof(e));
	e.path = pool + fe->path;
	e.type = GB_FT_FILE;
	e.size = fe->size;
	if (ext2fs_read_inode_full(fs, fe->ino, inode, sizeof(big)) == 0) {
		e.mode = inode->i_mode & 07777;
		e.uid = inode_uid(*inode);
		e.gid = inode_gid(*inode);
		e.mtime = (int32_t)inode->i_mtime;
	}
	r = gb_unpack_file_begin(img->u, &e, &o.f);
	if (r < 0)
		return r;
	r = put_data(&o, fs, fe->ino, buf);
	r2 = gb_unpack_file_end(img->u, o.f, r);
	if (o.werr < 0)
		return o.werr;
	if (r == -GB_ELIMIT)
		return r;
	if (r < 0)
		gb__extfs_warn(img, e.path, "%s", o.why);
	return r2 < 0 ? r2 : 0;
}

static int run_chunk(void *ctx, size_t i)
{
	struct ex_job *job = ctx;
	struct ex_img *img = job->img;
	ext2_filsys fs;
	uint8_t *buf;
	int r = 0;

	if (__atomic_load_n(&img->stop, __ATOMIC_RELAXED))
		return 0;
	fs = gb__extfs_get(img);
	buf = malloc(IO_CHUNK);
	if (!fs || !buf)
		r = -GB_ENOMEM;
	for (size_t j = job->bounds[i]; r == 0 && j < job->bounds[i + 1]; j++) {
		if (__atomic_load_n(&img->stop, __ATOMIC_RELAXED))
			break;
		r = extract_file(img, fs, &job->files->v[j], job->pool, buf);
	}
	if (r < 0)
		__atomic_store_n(&img->stop, 1, __ATOMIC_RELAXED);
	if (fs)
		gb__extfs_put(img, fs);
	free(buf);
	return r;
}

/* About 4 chunks per thread of similar byte counts, in walk order. */
static size_t make_chunks(const struct ex_list *l, unsigned threads, size_t **ret)
{
	size_t want = (size_t)threads * 4, n = 0;
	uint64_t total = 0, acc = 0, target;
	size_t *b;

	if (want > l->n)
		want = l->n;
	b = malloc((want + 1) * sizeof(*b));
	if (!b)
		return 0;
	for (size_t i = 0; i < l->n; i++)
		total += l->v[i].size / 4096 + 1;
	target = total / want + 1;
	b[n++] = 0;
	for (size_t i = 0; i < l->n; i++) {
		acc += l->v[i].size / 4096 + 1;
		if (acc >= target && n < want && i + 1 < l->n) {
			b[n++] = i + 1;
			acc = 0;
		}
	}
	b[n] = l->n;
	*ret = b;
	return n;
}

int gb__extfs_extract_files(struct ex_walk *w)
{
	struct ex_job job = {w->img, &w->files, w->pool, NULL};
	unsigned threads = gb_unpack_threads(w->img->u);
	size_t n;
	int r;

	if (w->files.n == 0)
		return 0;
	w->img->pool = calloc(threads + 1, sizeof(*w->img->pool));
	if (!w->img->pool)
		return -GB_ENOMEM;
	w->img->cap_pool = threads + 1;
	w->img->pool[w->img->n_pool++] = w->fs; /* lend the walk's handle */
	w->fs = NULL;
	n = make_chunks(&w->files, threads, &job.bounds);
	if (n == 0)
		return -GB_ENOMEM;
	r = gb_unpack_parallel(w->img->u, n, run_chunk, &job);
	free(job.bounds);
	return r;
}
