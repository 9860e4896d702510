/* jffs2: decoding node data (none, zero, rtime, zlib, lzo, lzma) and writing
 * a regular file from its data nodes, newest version first (see fmt_jffs2.c). */
#include <lzma.h>
#include <lzo/lzo1x.h>
#include <stdlib.h>
#include <string.h>

#include "jffs2.h"
#include "fsutil.h"

/* ---- decoding node data -------------------------------------------------- */

static const uint8_t jf_zeros[JF_ZERO_CHUNK];

void gb__jf_dec_fini(struct jf_dec *d)
{
	if (d->zs_ready)
		inflateEnd(&d->zs);
	free(d->buf);
}

static int jf_rtime(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen)
{
	uint32_t positions[256] = {0};
	size_t pos = 0, outpos = 0;

	while (outpos < outlen) {
		uint8_t value, repeat;
		size_t back;

		if (inlen - pos < 2)
			return -GB_ECORRUPT;
		value = in[pos++];
		repeat = in[pos++];
		out[outpos++] = value;
		back = positions[value];
		positions[value] = (uint32_t)outpos;
		if (repeat > outlen - outpos)
			return -GB_ECORRUPT;
		while (repeat--)
			out[outpos++] = out[back++];
	}
	return 0;
}

/* Like the kernel: a zlib header without preset dictionary is skipped and the
 * rest inflated raw (no adler32 check); anything else goes to zlib as is. */
static int jf_zlib(struct jf_dec *d, const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen)
{
	int wbits = MAX_WBITS, zr;

	if (inlen > 2 && !(in[1] & 0x20) && (in[0] & 0x0f) == Z_DEFLATED &&
	    ((unsigned)in[0] << 8 | in[1]) % 31 == 0 && (in[0] >> 4) + 8 <= MAX_WBITS) {
		wbits = -((in[0] >> 4) + 8);
		in += 2;
		inlen -= 2;
	}
	if (!d->zs_ready) {
		memset(&d->zs, 0, sizeof(d->zs));
		if (inflateInit2(&d->zs, wbits) != Z_OK)
			return -GB_ENOMEM;
		d->zs_ready = true;
	} else if (inflateReset2(&d->zs, wbits) != Z_OK) {
		return -GB_ECORRUPT;
	}
	d->zs.next_in = (Bytef *)(uintptr_t)in;
	d->zs.avail_in = (uInt)inlen;
	d->zs.next_out = out;
	d->zs.avail_out = (uInt)outlen;
	zr = inflate(&d->zs, Z_FINISH);
	if (zr != Z_STREAM_END && !(zr == Z_BUF_ERROR && d->zs.avail_out == 0))
		return -GB_ECORRUPT;
	return d->zs.avail_out == 0 ? 0 : -GB_ECORRUPT;
}

static int jf_lzma(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen)
{
	lzma_options_lzma opt = {.dict_size = 1u << 16, .lc = 0, .lp = 0, .pb = 0};
	lzma_filter filters[2] = {{LZMA_FILTER_LZMA1, &opt}, {LZMA_VLI_UNKNOWN, NULL}};
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret lr;

	if (lzma_raw_decoder(&s, filters) != LZMA_OK)
		return -GB_ENOMEM;
	s.next_in = in;
	s.avail_in = inlen;
	s.next_out = out;
	s.avail_out = outlen;
	do
		lr = lzma_code(&s, LZMA_FINISH);
	while (lr == LZMA_OK && s.avail_out > 0);
	lzma_end(&s);
	return s.avail_out == 0 ? 0 : -GB_ECORRUPT;
}

/* The decoded data of a non-ZERO node: a pointer into the image (stored
 * nodes) or into d->buf. -GB_EUNSUP for rubin, -GB_ECORRUPT for bad data. */
int gb__jf_node_data(const struct jf *j, struct jf_dec *d, const struct jf_dnode *n,
			const uint8_t **ret)
{
	const uint8_t *src = gb_span_at(j->in, n->data, n->csize);
	lzo_uint outlen = n->dsize;
	int r;

	if (!src)
		return -GB_ECORRUPT;
	if (n->compr == JF_COMPR_NONE || n->compr == JF_COMPR_COPY) {
		*ret = src;
		return 0;
	}
	if (n->compr != JF_COMPR_RTIME && n->compr != JF_COMPR_ZLIB &&
	    n->compr != JF_COMPR_LZO && n->compr != JF_COMPR_LZMA)
		return -GB_EUNSUP;
	if (!d->buf) {
		d->buf = malloc(JF_MAX_DSIZE);
		if (!d->buf)
			return -GB_ENOMEM;
	}
	switch (n->compr) {
	case JF_COMPR_RTIME:
		r = jf_rtime(src, n->csize, d->buf, n->dsize);
		break;
	case JF_COMPR_ZLIB:
		r = jf_zlib(d, src, n->csize, d->buf, n->dsize);
		break;
	case JF_COMPR_LZO:
		r = lzo1x_decompress_safe(src, n->csize, d->buf, &outlen, NULL) == LZO_E_OK &&
				    outlen == n->dsize
			    ? 0
			    : -GB_ECORRUPT;
		break;
	default:
		r = jf_lzma(src, n->csize, d->buf, n->dsize);
		break;
	}
	if (r == 0)
		*ret = d->buf;
	return r;
}

/* ---- writing a regular file ---------------------------------------------- */

int gb__jf_cmp_dnode(const void *a, const void *b)
{
	const struct jf_dnode *x = a, *y = b;

	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	if (x->version != y->version)
		return x->version < y->version ? -1 : 1;
	return x->data < y->data ? -1 : x->data > y->data;
}

/* Heap of data nodes covering the write position: newest version on top. */
struct jf_heap {
	const struct jf_dnode *n;
	uint32_t *v;
	size_t len;
};

static bool jf_newer(const struct jf_heap *h, uint32_t a, uint32_t b)
{
	const struct jf_dnode *x = &h->n[a], *y = &h->n[b];

	if (x->version != y->version)
		return x->version > y->version;
	return x->data > y->data;
}

static void jf_heap_push(struct jf_heap *h, uint32_t idx)
{
	size_t i = h->len++;

	h->v[i] = idx;
	while (i > 0 && jf_newer(h, h->v[i], h->v[(i - 1) / 2])) {
		uint32_t t = h->v[i];
		h->v[i] = h->v[(i - 1) / 2];
		h->v[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static void jf_heap_pop(struct jf_heap *h)
{
	size_t i = 0;

	h->v[0] = h->v[--h->len];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < h->len && jf_newer(h, h->v[l], h->v[m]))
			m = l;
		if (r < h->len && jf_newer(h, h->v[r], h->v[m]))
			m = r;
		if (m == i)
			break;
		uint32_t t = h->v[i];
		h->v[i] = h->v[m];
		h->v[m] = t;
		i = m;
	}
}

static uint64_t jf_dnode_end(const struct jf_dnode *n)
{
	return (uint64_t)n->offset + n->dsize;
}

static int jf_write_zeros(struct gb_wfile *f, uint64_t len)
{
	while (len) {
		size_t n = len < JF_ZERO_CHUNK ? (size_t)len : JF_ZERO_CHUNK;
		int r = gb_wfile_write(f, jf_zeros, n);
		if (r < 0)
			return r;
		len -= n;
	}
	return 0;
}

struct jf_wctx {
	const struct jf *j;
	const struct jf_inode *e;
	struct gb_wfile *f;
	struct jf_dec dec;
	uint32_t cached;     /* node decoded in dec.buf, or UINT32_MAX */
	const uint8_t *data; /* its data */
	uint64_t holes;
	int status;          /* -GB_ECORRUPT / -GB_EUNSUP once some data was bad */
};

/* Write [from, to) of the file from data node k (absolute index). */
static int jf_write_extent(struct jf_wctx *c, uint32_t k, uint64_t from, uint64_t to)
{
	const struct jf_dnode *n = &c->j->dnodes[k];
	int r;

	if (n->compr == JF_COMPR_ZERO)
		return jf_write_zeros(c->f, to - from);
	if (c->cached != k) {
		c->cached = UINT32_MAX;
		r = gb__jf_node_data(c->j, &c->dec, n, &c->data);
		if (r == -GB_ENOMEM)
			return r;
		if (r < 0) {
			if (!c->status)
				gb_unpack_warn(c->j->u, "inode %u: data node at 0x%llx %s (compressor %u)",
					       c->e->ino, (unsigned long long)n->data - JF_INODE_LEN,
					       r == -GB_EUNSUP ? "is not supported" : "does not decompress",
					       n->compr);
			c->status = r;
			return jf_write_zeros(c->f, to - from);
		}
		c->cached = k;
	}
	return gb_wfile_write(c->f, c->data + (from - n->offset), (size_t)(to - from));
}

static int jf_write_hole(struct jf_wctx *c, uint64_t len)
{
	if (len > JF_MAX_HOLE - c->holes) {
		gb_unpack_warn(c->j->u, "inode %u: declared size %u leaves more than %u bytes without data; truncated",
			       c->e->ino, c->e->isize, JF_MAX_HOLE);
		return -GB_ECORRUPT;
	}
	c->holes += len;
	return jf_write_zeros(c->f, len);
}

/* Stream the file's content: newest node wins each byte, gaps are zeros. */
static int jf_write_content(struct jf_wctx *c)
{
	const struct jf_inode *e = c->e;
	const struct jf_dnode *nodes = c->j->dnodes + e->first;
	struct jf_heap h = {nodes, NULL, 0};
	uint64_t pos = 0, size = e->isize;
	uint32_t i = 0;
	int r = 0;

	if (e->count) {
		h.v = malloc(e->count * sizeof(*h.v));
		if (!h.v)
			return -GB_ENOMEM;
	}
	while (pos < size && r == 0) {
		while (i < e->count && nodes[i].offset <= pos) {
			if (jf_dnode_end(&nodes[i]) > pos)
				jf_heap_push(&h, i);
			i++;
		}
		while (h.len && jf_dnode_end(&nodes[h.v[0]]) <= pos)
			jf_heap_pop(&h);
		uint64_t next = i < e->count && nodes[i].offset < size ? nodes[i].offset : size;
		if (!h.len) {
			r = jf_write_hole(c, next - pos);
			pos = next;
			continue;
		}
		uint64_t end = jf_dnode_end(&nodes[h.v[0]]);
		if (end > next)
			end = next;
		r = jf_write_extent(c, e->first + h.v[0], pos, end);
		pos = end;
	}
	free(h.v);
	return r < 0 ? r : c->status;
}

static int jf_extract_file(const struct jf *j, const struct jf_inode *e, const char *path)
{
	struct gb_entry ent = {
		.path = path,
		.type = GB_FT_FILE,
		.mode = e->mode & 07777,
		.uid = e->uid,
		.gid = e->gid,
		.size = e->isize,
		.mtime = e->mtime,
	};
	struct jf_wctx c = {.j = j, .e = e, .cached = UINT32_MAX};
	int r, st;

	r = gb_unpack_file_begin(j->u, &ent, &c.f);
	if (r < 0)
		return r;
	st = jf_write_content(&c);
	gb__jf_dec_fini(&c.dec);
	r = gb_unpack_file_end(j->u, c.f, st);
	return gb_fs_file_result(st, r);
}

int gb__jf_job_run(void *ctx, size_t i)
{
	const struct jf *j = ctx;
	const struct jf_job *job = &j->jobs[i];

	return jf_extract_file(j, &j->inodes[job->inode], j->paths + job->path);
}

