/* squashfs 4.0 I/O: the libsquashfs glue (a read-only sqfs_file_t over the
 * mapped image, LZO over liblzo2 and LZMA over squashfs_legacy_comp.c, which
 * libsquashfs leaves out or reads too strictly), the metadata readers over
 * squashfs_meta.c, and the regular files, extracted in parallel straight from the mapped
 * image, each worker with its own decompressor. Layout: squashfs_v4.c.
 */
#include <stdlib.h>
#include <string.h>

#include <lzo/lzo1x.h>
#include <sqfs/error.h>

#include "squashfs_v4.h"

/* --- libsquashfs glue --------------------------------------------------- */



static void sqf_destroy(sqfs_object_t *obj)
{
	(void)obj; /* embedded in struct sq_img, never freed by libsquashfs */
}

static int sqf_read_at(sqfs_file_t *file, sqfs_u64 off, void *buf, size_t n)
{
	const struct sq_file *f = (const struct sq_file *)file;
	const uint8_t *p = gb_span_at(&f->in, off, n);

	if (!p)
		return SQFS_ERROR_OUT_OF_BOUNDS;
	memcpy(buf, p, n);
	return 0;
}

static int sqf_write_at(sqfs_file_t *file, sqfs_u64 off, const void *buf, size_t n)
{
	return SQFS_ERROR_UNSUPPORTED;
}

static sqfs_u64 sqf_get_size(const sqfs_file_t *file)
{
	return ((const struct sq_file *)file)->in.n;
}

static int sqf_truncate(sqfs_file_t *file, sqfs_u64 size)
{
	return SQFS_ERROR_UNSUPPORTED;
}

/* libsquashfs leaves LZO out (licence): a decompress-only compressor over
 * liblzo2 stands in for it. */
static void lzo_destroy(sqfs_object_t *obj)
{
	free(obj);
}

static int lzo_read_options(sqfs_compressor_t *cmp, sqfs_file_t *file)
{
	return 0; /* the algorithm and level do not matter for decompression */
}

static sqfs_s32 lzo_do_block(sqfs_compressor_t *cmp, const sqfs_u8 *in, sqfs_u32 size,
			     sqfs_u8 *out, sqfs_u32 outsize)
{
	lzo_uint n = outsize;

	if (lzo1x_decompress_safe(in, size, out, &n, NULL) != LZO_E_OK || n > outsize)
		return SQFS_ERROR_COMPRESSOR;
	return (sqfs_s32)n;
}

/* LZMA (id 2) through the legacy decoder: squashfs-tools' lzma-alone blocks,
 * and the vendor streams (props and dict without size, as in Ralink SDKs;
 * raw LZMA) that libsquashfs rejects. */
struct vlzma {
	sqfs_compressor_t base;
	struct sqc dec;
};

static void vlzma_destroy(sqfs_object_t *obj)
{
	struct vlzma *v = (struct vlzma *)obj;

	sqc_free(&v->dec);
	free(v);
}

static sqfs_s32 vlzma_do_block(sqfs_compressor_t *cmp, const sqfs_u8 *in, sqfs_u32 size,
			       sqfs_u8 *out, sqfs_u32 outsize)
{
	long n = sqc_decode(&((struct vlzma *)cmp)->dec, in, size, out, outsize, 1);

	return n > 0 ? (sqfs_s32)n : SQFS_ERROR_COMPRESSOR;
}

static int make_vlzma(const sqfs_compressor_config_t *cfg, sqfs_compressor_t **ret)
{
	struct vlzma *v = calloc(1, sizeof(*v));

	if (!v)
		return SQFS_ERROR_ALLOC;
	sqc_init(&v->dec, cfg->block_size, SQC_ALLOW_LZMA);
	v->base.base.destroy = vlzma_destroy;
	v->base.read_options = lzo_read_options;
	v->base.do_block = vlzma_do_block;
	*ret = &v->base;
	return 0;
}

/* A decompressor for `cfg`: libsquashfs', or ours for LZO and LZMA. 0 or an
 * SQFS_ERROR. */
int sq4_make_decompressor(const sqfs_compressor_config_t *cfg, sqfs_compressor_t **ret)
{
	sqfs_compressor_t *c;

	if (cfg->id == SQFS_COMP_LZMA)
		return make_vlzma(cfg, ret);
	if (cfg->id != SQFS_COMP_LZO)
		return sqfs_compressor_create(cfg, ret);
	if (lzo_init() != LZO_E_OK)
		return SQFS_ERROR_UNSUPPORTED;
	c = calloc(1, sizeof(*c));
	if (!c)
		return SQFS_ERROR_ALLOC;
	c->base.destroy = lzo_destroy;
	c->read_options = lzo_read_options;
	c->do_block = lzo_do_block;
	*ret = c;
	return 0;
}

/* The sqfs_file_t over img->in that libsquashfs reads compressor options from. */
void sq4_file_init(struct sq_file *f, const struct gb_span *in)
{
	f->base.base.destroy = sqf_destroy;
	f->base.read_at = sqf_read_at;
	f->base.write_at = sqf_write_at;
	f->base.get_size = sqf_get_size;
	f->base.truncate = sqf_truncate;
	f->in = *in;
}



/* Report a per-file problem; past WARN_MAX they are only counted. */
void sq4_img_warn(struct sq_img *img, const char *path, const char *what)
{
	unsigned n = __atomic_fetch_add(&img->n_warn, 1, __ATOMIC_RELAXED);

	if (n < WARN_MAX)
		gb_unpack_warn(img->u, "squashfs: \"%s\": %s", path, what);
}

/* Metadata and data blocks: libsquashfs' decompressor (or ours); it fills
 * what the block holds, the callers check the size. */
static long decode(void *ctx, const uint8_t *in, size_t n, uint8_t *out, size_t cap,
		   size_t min_out)
{
	sqfs_compressor_t *cmp = ctx;

	return cmp->do_block(cmp, in, (sqfs_u32)n, out, (sqfs_u32)cap);
}

void sq4_mr_init(struct sqm_reader *m, const struct sq_img *img, sqfs_compressor_t *cmp,
		 uint64_t lo, uint64_t hi)
{
	struct sqm_params par = {
		.hdr_be = img->sb.meta_be,
		.hdr_len = 2,
		.slots = MR_SLOTS,
		.decode = decode,
		.ctx = cmp,
	};

	sqm_init(m, &img->in, lo, hi, &par);
}

/* --- regular files, in parallel ----------------------------------------- */

struct sq_job {
	struct sq_img *img;
	const struct sq_ent *files;
	const char *pool;
	size_t *bounds; /* chunk i is files[bounds[i], bounds[i + 1]) */
};

struct sq_worker {
	struct sq_img *img;
	sqfs_compressor_t *cmp;
	struct sqm_reader list, frag; /* block size lists, fragment table */
	struct sqfs_data data;        /* buffers, fragment cache, per-file error */
};

/* Fragment table entry `idx`: where its block starts and its size word. */
static int frag_entry(void *ctx, uint32_t idx, uint64_t *start, uint32_t *word)
{
	struct sq_worker *wk = ctx;
	const struct sq_img *img = wk->img;
	uint64_t ptr;
	uint8_t b[16];
	int r;

	wk->data.why = "fragment table entry unreadable";
	if (idx >= img->sb.frag_count || img->sb.frag_start == NO_TABLE)
		return -GB_ECORRUPT;
	r = rd_ptr(&img->in, img->sb.frag_start + (idx / 512) * 8ULL, img->sb.be, &ptr);
	if (r == 0)
		r = sqm_seek(&wk->frag, ptr, (idx % 512) * 16);
	if (r == 0)
		r = sqm_read(&wk->frag, b, 16);
	if (r < 0)
		return r;
	*start = rd64(b, img->sb.be);
	*word = rd32(b + 8, img->sb.be);
	return 0;
}

static int put_data(struct sq_worker *wk, const struct sq_ent *e, struct gb_wfile *f)
{
	struct sqfs_file fi = {e->size, e->blocks_start, e->nblocks, e->frag, e->frag_off};
	int r;

	wk->data.why = "block list unreadable";
	r = sqm_seek(&wk->list, e->list_blk, e->list_off);
	if (r < 0)
		return r;
	return sqfs_put_data(&wk->data, f, &wk->list, wk->img->sb.be, &fi, &wk->img->stop);
}

static int extract_file(struct sq_worker *wk, const struct sq_ent *se, const char *path)
{
	struct gb_entry e;
	struct gb_wfile *f;
	int r, r2;

	memset(&e, 0, sizeof(e));
	e.path = path;
	e.type = GB_FT_FILE;
	e.mode = se->mode;
	e.uid = se->uid;
	e.gid = se->gid;
	e.size = se->size;
	e.mtime = se->mtime;
	r = gb_unpack_file_begin(wk->img->u, &e, &f);
	if (r < 0)
		return r;
	wk->data.werr = 0;
	r = put_data(wk, se, f);
	r2 = gb_unpack_file_end(wk->img->u, f, r);
	if (wk->data.werr < 0)
		return wk->data.werr;
	if (r == -GB_ELIMIT) /* another worker stopped the scan */
		return r;
	if (r < 0)
		sq4_img_warn(wk->img, path, wk->data.why);
	return r2 < 0 ? r2 : 0;
}

static int run_chunk(void *ctx, size_t i)
{
	struct sq_job *job = ctx;
	struct sq_img *img = job->img;
	struct sq_worker *wk;
	int r = 0;

	if (__atomic_load_n(&img->stop, __ATOMIC_RELAXED))
		return 0;
	wk = calloc(1, sizeof(*wk));
	if (!wk)
		return -GB_ENOMEM;
	wk->img = img;
	wk->data.in = img->in;
	wk->data.block_size = img->sb.block_size;
	wk->data.fcur = NO_FRAG;
	wk->data.blk = malloc(img->sb.block_size);
	wk->data.fbuf = malloc(img->sb.block_size);
	if (!wk->data.blk || !wk->data.fbuf || sq4_make_decompressor(&img->cfg, &wk->cmp) != 0)
		r = -GB_ENOMEM;
	wk->data.decode = decode;
	wk->data.dctx = wk->cmp;
	wk->data.frag_entry = frag_entry;
	wk->data.fctx = wk;
	sq4_mr_init(&wk->list, img, wk->cmp, img->sb.inode_start, img->sb.dir_start);
	sq4_mr_init(&wk->frag, img, wk->cmp, SB_SIZE,
		img->sb.frag_start == NO_TABLE ? SB_SIZE : img->sb.frag_start);
	for (size_t j = job->bounds[i]; r == 0 && j < job->bounds[i + 1]; j++) {
		if (__atomic_load_n(&img->stop, __ATOMIC_RELAXED))
			break;
		r = extract_file(wk, &job->files[j], job->pool + job->files[j].path);
	}
	if (r < 0)
		__atomic_store_n(&img->stop, 1, __ATOMIC_RELAXED);
	sqfs_destroy(wk->cmp);
	free(wk->data.blk);
	free(wk->data.fbuf);
	free(wk);
	return r;
}

/* Files sharing a fragment block next to each other, the rest in data order. */
static int cmp_ent(const void *a, const void *b)
{
	const struct sq_ent *x = a, *y = b;

	if (x->frag != y->frag)
		return x->frag < y->frag ? -1 : 1;
	return x->blocks_start < y->blocks_start ? -1 : x->blocks_start > y->blocks_start;
}

/* Split the sorted file list into about 4 chunks per thread of similar byte
 * counts, never between two files of one fragment block (each chunk
 * decompresses a fragment block once). */
static size_t make_chunks(struct sq_walk *w, unsigned threads, size_t **ret)
{
	size_t want = (size_t)threads * 4, n = 0;
	uint64_t total = 0, acc = 0, target;
	size_t *b;

	if (want > w->n_files)
		want = w->n_files;
	b = malloc((want + 1) * sizeof(*b));
	if (!b)
		return 0;
	for (size_t i = 0; i < w->n_files; i++)
		total += w->files[i].size / 4096 + 1;
	target = total / want + 1;
	b[n++] = 0;
	for (size_t i = 0; i + 1 < w->n_files; i++) {
		acc += w->files[i].size / 4096 + 1;
		if (acc >= target && n < want &&
		    (w->files[i].frag != w->files[i + 1].frag || w->files[i].frag == NO_FRAG)) {
			b[n++] = i + 1;
			acc = 0;
		}
	}
	b[n] = w->n_files;
	*ret = b;
	return n;
}

int sq4_extract_files(struct sq_walk *w)
{
	struct sq_job job = {w->img, w->files, w->pool, NULL};
	size_t n;
	int r;

	if (w->n_files == 0)
		return 0;
	gb_qsort(w->files, w->n_files, sizeof(*w->files), cmp_ent);
	n = make_chunks(w, gb_unpack_threads(w->img->u), &job.bounds);
	if (n == 0)
		return -GB_ENOMEM;
	r = gb_unpack_parallel(w->img->u, n, run_chunk, &job);
	free(job.bounds);
	return r;
}
