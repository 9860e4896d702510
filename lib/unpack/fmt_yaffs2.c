/* yaffs2: YAFFS2 NAND flash images (mkyaffs2image, NAND dumps with OOB;
 * Android before ext4, set-top boxes, IP cameras).
 *
 * The image is a sequence of chunks, each a page of data followed by its
 * spare (OOB) area: 512+16, 2048+64, 4096+128/224, 8192+256/448 ... Nothing
 * records the geometry; it is guessed. The spare holds the packed tags
 * (yaffs_packedtags2.h), at offset 0 (mkyaffs2image) or 2 (Linux MTD's
 * automatic OOB layout, after the bad-block marker), optionally followed by
 * 12 bytes of tag ECC (not checked here). All words in the target's byte
 * order:
 *    0  u32 seq_number  block sequence number (>= 0x1000; 0xffffffff erased)
 *    4  u32 obj_id      object id; in a header chunk with EXTRA_HEADER_INFO
 *                       the top 4 bits hold the object type
 *    8  u32 chunk_id    0 (or bit 31 EXTRA_HEADER_INFO + parent id) for an
 *                       object header, N >= 1 for the Nth data page of a file
 *   12  u32 n_bytes     bytes used in a data chunk
 * A chunk rewritten later (higher sequence number, or later in the same
 * block) replaces the older copy: the newest header and the newest copy of
 * each data chunk win.
 *
 * Object header (the data of a header chunk):
 *    0  u32 type        1 file, 2 symlink, 3 directory, 4 hard link, 5 special
 *    4  u32 parent_obj_id   (1 root, 2 lost+found, 3 unlinked, 4 deleted)
 *    8  u16 sum_no_longer_used (0xffff)
 *   10  char name[256]
 *  268  u32 mode, 272 uid, 276 gid, 280 atime, 284 mtime, 288 ctime
 *  292  u32 file_size_low
 *  296  u32 equiv_id    hard link: the object it links to
 *  300  char alias[160] symlink target
 *  460  u32 rdev        special: device number (glibc encoding)
 *  496  u32 file_size_high (0xffffffff: unused)
 * An object whose newest header has parent 3 or 4 was deleted. Like the
 * kernel's scan, tags with an object id above 0x3ffff or a chunk id above
 * 0xfffff are not YAFFS2; a header must have a name without control bytes
 * and a mode whose file type matches the object type.
 *
 * Geometry and layout are found by trying each (byte order, page+spare, tag
 * offset) on the first chunks: the first must be an object header whose
 * tags agree with it, and the candidate that explains most of the following
 * chunks (valid tags or erased) wins.
 *
 * probe: the first chunk is an object header (type 1-5, parent 1, 0xffff;
 * the 10 bytes binwalk searches for), a layout explains it, and the chunk
 * walk says where the file system ends (the last chunk with valid tags).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glassbox/sys/format.h>
#include "util/vec.h"
#include "fsutil.h"

#define YF_SEQ_LOW 0x1000u
#define YF_SEQ_HIGH 0xefffff00u
#define YF_EXTRA_HDR 0x80000000u
#define YF_EXTRA_FLAGS 0xf0000000u
#define YF_HDR_LEN 512
#define YF_MAX_OBJ 0x3ffffu     /* YAFFS_MAX_OBJECT_ID: the kernel's scan rejects more */
#define YF_MAX_CHUNK 0xfffffu   /* YAFFS_MAX_CHUNK_ID */

enum {
	YF_FILE = 1,
	YF_SYMLINK = 2,
	YF_DIR = 3,
	YF_HARDLINK = 4,
	YF_SPECIAL = 5,
};

#define YF_ROOT 1
#define YF_LOSTFOUND 2
#define YF_UNLINKED 3
#define YF_DELETED 4


#define YF_SCORE_CHUNKS 64
#define YF_MAX_BAD_RUN 256     /* chunks: the largest erase block */
#define YF_MAX_PATH 4096
#define YF_MAX_DEPTH 256
#define YF_MAX_HOLE (64u << 20)
#define YF_LINK_HOPS 8

struct yf_geo {
	bool be;
	uint32_t page, spare, tagoff;
};

static const uint32_t yf_geos[][2] = {
	{2048, 64}, {512, 16}, {4096, 128}, {8192, 256}, {1024, 32}, {2048, 128},
	{4096, 224}, {4096, 256}, {8192, 448}, {8192, 512}, {16384, 512}, {16384, 1024},
};
static const uint32_t yf_tagoffs[] = {0, 2};

struct yf_tags {
	uint32_t seq, obj, chunk, nbytes;
};

static uint32_t yf32(bool be, const uint8_t *b)
{
	return be ? gb_be32(b) : gb_le32(b);
}

static uint64_t yf_stride(const struct yf_geo *g)
{
	return (uint64_t)g->page + g->spare;
}

static void yf_read_tags(const struct yf_geo *g, const uint8_t *b, struct yf_tags *t)
{
	t->seq = yf32(g->be, b);
	t->obj = yf32(g->be, b + 4);
	t->chunk = yf32(g->be, b + 8);
	t->nbytes = yf32(g->be, b + 12);
}

static bool yf_is_header(const struct yf_tags *t)
{
	return t->chunk == 0 || (t->chunk & YF_EXTRA_HDR);
}

static uint32_t yf_obj_id(const struct yf_tags *t)
{
	return yf_is_header(t) ? t->obj & ~YF_EXTRA_FLAGS : t->obj;
}

/* A name: 1-255 bytes, NUL-terminated, no control bytes. */
static bool yf_name_ok(const uint8_t *name)
{
	if (name[0] == 0)
		return false;
	for (size_t i = 0; i < 256; i++) {
		if (name[i] == 0)
			return true;
		if (name[i] < 0x20 || name[i] == 0x7f)
			return false;
	}
	return false;
}

/* The mode's file type matches the object type (hard links: any). */
static bool yf_mode_ok(uint32_t type, uint32_t mode)
{
	uint32_t fmt = mode & GB_S_IFMT;

	if (mode > 0xffff)
		return false;
	switch (type) {
	case YF_FILE:
		return fmt == GB_S_IFREG;
	case YF_SYMLINK:
		return fmt == GB_S_IFLNK;
	case YF_DIR:
		return fmt == GB_S_IFDIR;
	case YF_SPECIAL:
		return fmt == GB_S_IFCHR || fmt == GB_S_IFBLK || fmt == GB_S_IFIFO || fmt == GB_S_IFSOCK;
	default:
		return true;
	}
}

/* The header data agrees with its tags: a known type, a name, and (with
 * extra header info) the same type and parent. */
static bool yf_header_ok(const struct yf_geo *g, const uint8_t *d, const struct yf_tags *t)
{
	uint32_t type = yf32(g->be, d), parent = yf32(g->be, d + 4);

	if (type < YF_FILE || type > YF_SPECIAL || parent == 0 || parent > YF_MAX_OBJ)
		return false;
	if (!yf_name_ok(d + 10) || !yf_mode_ok(type, yf32(g->be, d + 268)))
		return false;
	if ((t->chunk & YF_EXTRA_HDR) &&
	    ((t->obj >> 28) != type || (t->chunk & 0x0fffffffu) != parent))
		return false;
	return true;
}

enum yf_chunk_kind { YF_BAD, YF_ERASED, YF_HEADER, YF_DATA };

/* What chunk i is under geometry g (tags in t for headers and data). */
static enum yf_chunk_kind yf_classify(const struct gb_span *in, const struct yf_geo *g, uint64_t i,
				      struct yf_tags *t)
{
	uint64_t off = i * yf_stride(g);
	const uint8_t *d = gb_span_at(in, off, yf_stride(g));
	const uint8_t *tb;

	if (!d)
		return YF_BAD;
	tb = d + g->page + g->tagoff;
	yf_read_tags(g, tb, t);
	if (t->seq == 0xffffffffu && gb_all_bytes(tb, 16, 0xff))
		return YF_ERASED;
	if (t->seq < YF_SEQ_LOW || t->seq > YF_SEQ_HIGH || yf_obj_id(t) == 0 ||
	    yf_obj_id(t) > YF_MAX_OBJ)
		return YF_BAD;
	if (yf_is_header(t))
		return yf_header_ok(g, d, t) ? YF_HEADER : YF_BAD;
	if (t->nbytes > g->page || t->chunk > YF_MAX_CHUNK)
		return YF_BAD;
	return YF_DATA;
}

/* How many of the first chunks g explains; 0 unless chunk 0 is a header. */
static unsigned yf_score(const struct gb_span *in, const struct yf_geo *g)
{
	struct yf_tags t;
	unsigned score = 0;

	if (yf_classify(in, g, 0, &t) != YF_HEADER)
		return 0;
	for (uint64_t i = 0; i < YF_SCORE_CHUNKS; i++) {
		enum yf_chunk_kind k = yf_classify(in, g, i, &t);
		if (k == YF_BAD)
			break;
		score += k == YF_ERASED ? 1 : 2;
	}
	return score;
}

static int yf_guess(const struct gb_span *in, struct yf_geo *ret)
{
	unsigned best = 0;

	for (int be = 0; be < 2; be++)
		for (size_t k = 0; k < sizeof(yf_geos) / sizeof(yf_geos[0]); k++)
			for (size_t o = 0; o < sizeof(yf_tagoffs) / sizeof(yf_tagoffs[0]); o++) {
				struct yf_geo g = {be != 0, yf_geos[k][0], yf_geos[k][1], yf_tagoffs[o]};
				unsigned s;
				if (g.tagoff + 16 > g.spare)
					continue; /* the tags must fit in the spare area */
				s = yf_score(in, &g);
				if (s > best) {
					best = s;
					*ret = g;
				}
			}
	return best ? 0 : -GB_ENOTFOUND;
}

/* Chunks up to the last one with valid tags, plus the wholly erased chunks
 * (0xff data and spare: the rest of the flash) right after it; *n_objs
 * counts header chunks. Runs of unreadable chunks (a bad block in a NAND
 * dump) are crossed when valid chunks follow within YF_MAX_BAD_RUN. */
static uint64_t yf_extent(const struct gb_span *in, const struct yf_geo *g, uint64_t *n_objs)
{
	uint64_t n = in->n / yf_stride(g), last = 0, i;
	struct yf_tags t;

	*n_objs = 0;
	for (i = 0; i < n; i++) {
		enum yf_chunk_kind k = yf_classify(in, g, i, &t);
		if (k == YF_BAD) {
			if (i - last >= YF_MAX_BAD_RUN)
				break; /* not a bad block inside the image: its end */
			continue;
		}
		if (k == YF_HEADER)
			(*n_objs)++;
		if (k != YF_ERASED)
			last = i + 1;
	}
	while (last < n && gb_all_bytes(in->p + last * yf_stride(g), yf_stride(g), 0xff))
		last++;
	return last;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	struct yf_geo g;
	uint64_t objs, chunks;

	if (yf_guess(in, &g) < 0)
		return -GB_ENOTFOUND;
	chunks = yf_extent(in, &g, &objs);
	if (chunks == 0)
		return -GB_ENOTFOUND;
	ret->size = chunks * yf_stride(&g);
	ret->confidence = objs >= 2 ? GB_CONF_HIGH : GB_CONF_MEDIUM;
	ret->identify_only = false;
	snprintf(ret->variant, sizeof(ret->variant), "%s-%u+%u-oob%u", g.be ? "be" : "le", g.page,
		 g.spare, g.tagoff);
	return 0;
}

/* ---- collecting chunks --------------------------------------------------- */

struct yf_chunk {
	uint32_t obj, chunk, seq, nbytes;
	uint64_t idx;       /* chunk index in the image: later wins at equal seq */
};

struct yf_obj {
	uint32_t id, seq;
	uint64_t idx;       /* its newest header chunk */
	uint32_t type, parent, mode, uid, gid, mtime, equiv, rdev;
	uint64_t size;
	uint32_t first, count; /* its data chunks in yf.data */
	int64_t path;       /* offset in yf.paths once emitted (files) */
	bool visited;
};

struct yf {
	struct gb_unpack *u;
	const struct gb_span *in;
	struct yf_geo g;
	struct yf_chunk *data;
	size_t n_data, cap_data;
	struct yf_chunk *hdrs;
	size_t n_hdrs, cap_hdrs;
	struct yf_obj *objs; /* sorted by id */
	size_t n_objs;
	char *paths;
	size_t n_paths, cap_paths;
	struct { uint32_t obj; size_t path; } *links;
	size_t n_links, cap_links;
	size_t count;
	unsigned orphans, bad_chunks;
	bool limit_warned;
};

static int yf_push(struct yf_chunk **v, size_t *n, size_t *cap, const struct yf_tags *t, uint64_t idx)
{
	int r = gb_grow((void **)v, cap, *n + 1, sizeof(**v));

	if (r < 0)
		return r;
	(*v)[*n] = (struct yf_chunk){yf_obj_id(t), yf_is_header(t) ? 0 : t->chunk, t->seq, t->nbytes, idx};
	(*n)++;
	return 0;
}

static int yf_collect(struct yf *y)
{
	uint64_t n = y->in->n / yf_stride(&y->g);
	struct yf_tags t;
	int r = 0;

	for (uint64_t i = 0; i < n && r == 0; i++) {
		switch (yf_classify(y->in, &y->g, i, &t)) {
		case YF_HEADER:
			r = yf_push(&y->hdrs, &y->n_hdrs, &y->cap_hdrs, &t, i);
			break;
		case YF_DATA:
			r = yf_push(&y->data, &y->n_data, &y->cap_data, &t, i);
			break;
		case YF_BAD:
			y->bad_chunks++;
			break;
		default:
			break;
		}
	}
	return r;
}

/* (obj, chunk) ascending, newest first within equal keys. */
static int yf_cmp_chunk(const void *a, const void *b)
{
	const struct yf_chunk *x = a, *y = b;

	if (x->obj != y->obj)
		return x->obj < y->obj ? -1 : 1;
	if (x->chunk != y->chunk)
		return x->chunk < y->chunk ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq > y->seq ? -1 : 1;
	return x->idx > y->idx ? -1 : x->idx < y->idx;
}

static size_t yf_dedupe(struct yf_chunk *v, size_t n)
{
	size_t out = 0;

	gb_qsort(v, n, sizeof(*v), yf_cmp_chunk);
	for (size_t i = 0; i < n; i++)
		if (out == 0 || v[out - 1].obj != v[i].obj || v[out - 1].chunk != v[i].chunk)
			v[out++] = v[i];
	return out;
}

static const uint8_t *yf_chunk_data(const struct yf *y, uint64_t idx)
{
	return y->in->p + idx * yf_stride(&y->g);
}

static int yf_build_objs(struct yf *y)
{
	y->n_hdrs = yf_dedupe(y->hdrs, y->n_hdrs);
	y->n_data = yf_dedupe(y->data, y->n_data);
	y->objs = calloc(y->n_hdrs + 1, sizeof(*y->objs));
	if (!y->objs)
		return -GB_ENOMEM;
	size_t di = 0;
	for (size_t i = 0; i < y->n_hdrs; i++) {
		const uint8_t *d = yf_chunk_data(y, y->hdrs[i].idx);
		struct yf_obj *o = &y->objs[y->n_objs++];
		uint32_t hi;
		o->id = y->hdrs[i].obj;
		o->seq = y->hdrs[i].seq;
		o->idx = y->hdrs[i].idx;
		o->type = yf32(y->g.be, d);
		o->parent = yf32(y->g.be, d + 4);
		o->mode = yf32(y->g.be, d + 268);
		o->uid = yf32(y->g.be, d + 272);
		o->gid = yf32(y->g.be, d + 276);
		o->mtime = yf32(y->g.be, d + 284);
		o->size = yf32(y->g.be, d + 292);
		o->equiv = yf32(y->g.be, d + 296);
		o->rdev = yf32(y->g.be, d + 460);
		hi = yf32(y->g.be, d + 496);
		if (hi != 0xffffffffu && y->g.page >= YF_HDR_LEN)
			o->size |= (uint64_t)hi << 32;
		o->path = -1;
		while (di < y->n_data && y->data[di].obj < o->id)
			di++;
		o->first = (uint32_t)di;
		while (di < y->n_data && y->data[di].obj == o->id)
			di++;
		o->count = (uint32_t)(di - o->first);
	}
	return 0;
}

static struct yf_obj *yf_find(const struct yf *y, uint32_t id)
{
	size_t lo = GB_LOWER_BOUND(y->objs, y->n_objs, id, id);

	return lo < y->n_objs && y->objs[lo].id == id ? &y->objs[lo] : NULL;
}

/* ---- extraction ---------------------------------------------------------- */

static const uint8_t yf_zeros[16384];

static int yf_zero_fill(struct gb_wfile *w, uint64_t len)
{
	while (len) {
		size_t n = len < sizeof(yf_zeros) ? (size_t)len : sizeof(yf_zeros);
		int r = gb_wfile_write(w, yf_zeros, n);
		if (r < 0)
			return r;
		len -= n;
	}
	return 0;
}

/* The file's bytes: data chunk N covers [(N-1) * page, + n_bytes); missing
 * chunks in the middle read as zeros (capped), everything is cut at size; a
 * file whose last chunks are missing is kept as far as it goes, flagged. */
static int yf_write_content(struct yf *y, const struct yf_obj *o, struct gb_wfile *w, const char *path)
{
	uint64_t pos = 0, holes = 0, page = y->g.page;
	int r = 0;

	for (uint32_t i = 0; i < o->count && pos < o->size && r == 0; i++) {
		const struct yf_chunk *c = &y->data[o->first + i];
		uint64_t start = (uint64_t)(c->chunk - 1) * page, n = c->nbytes;
		if (start >= o->size)
			break;
		if (start > pos) {
			holes += start - pos;
			if (holes > YF_MAX_HOLE)
				break;
			r = yf_zero_fill(w, start - pos);
			pos = start;
			if (r < 0)
				return r;
		}
		if (n > o->size - start)
			n = o->size - start;
		r = gb_wfile_write(w, yf_chunk_data(y, c->idx), (size_t)n);
		pos = start + n;
	}
	if (r < 0)
		return r;
	if (pos < o->size) {
		gb_unpack_warn(y->u, "%s: size %llu but the data chunks cover only %llu bytes; truncated",
			       path, (unsigned long long)o->size, (unsigned long long)pos);
		return -GB_ECORRUPT;
	}
	return 0;
}

static int yf_write_file(struct yf *y, const struct yf_obj *o, const char *path)
{
	struct gb_entry e = {.path = path, .type = GB_FT_FILE, .mode = o->mode & 07777, .uid = o->uid,
			     .gid = o->gid, .size = o->size, .mtime = o->mtime};
	struct gb_wfile *w;
	int r, st;

	r = gb_unpack_file_begin(y->u, &e, &w);
	if (r < 0)
		return r;
	st = yf_write_content(y, o, w, path);
	r = gb_unpack_file_end(y->u, w, st);
	return gb_fs_file_result(st, r);
}

static int yf_add_path(struct yf *y, const char *path, size_t *ret)
{
	return gb_strpool_add(&y->paths, &y->n_paths, &y->cap_paths, path, strlen(path), ret);
}

static int yf_emit_special(struct yf *y, const struct yf_obj *o, struct gb_entry *e)
{
	switch (o->mode & GB_S_IFMT) {
	case GB_S_IFCHR:
	case GB_S_IFBLK:
		e->type = (o->mode & GB_S_IFMT) == GB_S_IFCHR ? GB_FT_CHARDEV : GB_FT_BLOCKDEV;
		gb_fs_decode_dev(o->rdev, e);
		break;
	case GB_S_IFIFO:
		e->type = GB_FT_FIFO;
		break;
	case GB_S_IFSOCK:
		e->type = GB_FT_SOCKET;
		break;
	default:
		gb_unpack_warn(y->u, "%s: special object with mode 0%o", e->path, o->mode);
		return 0;
	}
	return gb_unpack_entry(y->u, e);
}

/* One object: *descend when it is a directory to walk. */
static int yf_emit(struct yf *y, struct yf_obj *o, const char *path, bool *descend)
{
	struct gb_entry e = {.path = path, .mode = o->mode & 07777, .uid = o->uid, .gid = o->gid,
			     .mtime = o->mtime};
	char target[161];
	size_t off;
	int r;

	*descend = false;
	switch (o->type) {
	case YF_DIR:
		if (o->visited)
			return 0;
		o->visited = true;
		*descend = true;
		e.type = GB_FT_DIR;
		return gb_unpack_entry(y->u, &e);
	case YF_FILE:
		if (o->visited)
			return 0;
		o->visited = true;
		r = yf_add_path(y, path, &off);
		if (r < 0)
			return r;
		o->path = (int64_t)off;
		return yf_write_file(y, o, path);
	case YF_SYMLINK:
		memcpy(target, yf_chunk_data(y, o->idx) + 300, 160);
		target[160] = 0;
		if (!target[0]) {
			gb_unpack_warn(y->u, "%s: empty symlink target", path);
			return 0;
		}
		e.type = GB_FT_SYMLINK;
		e.target = target;
		return gb_unpack_entry(y->u, &e);
	case YF_HARDLINK:
		r = yf_add_path(y, path, &off);
		if (r < 0)
			return r;
		r = gb_grow((void **)&y->links, &y->cap_links, y->n_links + 1, sizeof(*y->links));
		if (r < 0)
			return r;
		y->links[y->n_links].obj = o->id;
		y->links[y->n_links++].path = off;
		return 0;
	default:
		return yf_emit_special(y, o, &e);
	}
}

static int yf_cmp_parent(const void *a, const void *b)
{
	const struct yf_obj *const *x = a, *const *y = b;

	if ((*x)->parent != (*y)->parent)
		return (*x)->parent < (*y)->parent ? -1 : 1;
	return (*x)->id < (*y)->id ? -1 : (*x)->id > (*y)->id;
}

struct yf_frame {
	size_t next;        /* index in the by-parent list */
	uint32_t id;
	size_t plen;
};

static size_t yf_children(struct yf_obj **byp, size_t n, uint32_t parent)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (byp[mid]->parent < parent)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int yf_walk(struct yf *y, struct yf_obj **byp, const char *top, uint32_t top_id)
{
	struct yf_frame *st = calloc(YF_MAX_DEPTH, sizeof(*st));
	char *path = malloc(YF_MAX_PATH + 1);
	unsigned depth = 1;
	int r = 0;

	if (!st || !path) {
		free(st);
		free(path);
		return -GB_ENOMEM;
	}
	strcpy(path, top);
	st[0] = (struct yf_frame){yf_children(byp, y->n_objs, top_id), top_id, strlen(top)};
	while (depth && r == 0) {
		struct yf_frame *fr = &st[depth - 1];
		struct yf_obj *o;
		const char *name;
		size_t nlen, len;
		bool descend;

		if (fr->next >= y->n_objs || byp[fr->next]->parent != fr->id) {
			depth--;
			continue;
		}
		o = byp[fr->next++];
		if (o->id == YF_ROOT || o->id == YF_LOSTFOUND)
			continue;
		name = (const char *)yf_chunk_data(y, o->idx) + 10;
		nlen = strnlen(name, 256);
		if (nlen == 0)
			continue;
		if (++y->count > gb_unpack_limits(y->u)->max_entries) {
			if (!y->limit_warned)
				gb_unpack_warn(y->u, "too many entries: the rest is ignored");
			y->limit_warned = true;
			break;
		}
		if (fr->plen + 1 + nlen > YF_MAX_PATH)
			continue;
		len = fr->plen;
		path[len++] = '/';
		memcpy(path + len, name, nlen);
		len += nlen;
		path[len] = 0;
		r = yf_emit(y, o, path, &descend);
		if (r < 0 || !descend)
			continue;
		if (depth == YF_MAX_DEPTH) {
			gb_unpack_warn(y->u, "%s: directory depth limit (%u) reached", path, YF_MAX_DEPTH);
			continue;
		}
		st[depth++] = (struct yf_frame){yf_children(byp, y->n_objs, o->id), o->id, len};
	}
	free(st);
	free(path);
	return r;
}

static int yf_emit_links(struct yf *y)
{
	for (size_t i = 0; i < y->n_links; i++) {
		const char *path = y->paths + y->links[i].path;
		struct yf_obj *o = yf_find(y, y->links[i].obj);
		for (unsigned hop = 0; o && o->type == YF_HARDLINK && hop < YF_LINK_HOPS; hop++)
			o = yf_find(y, o->equiv);
		if (!o || o->type == YF_HARDLINK || o->type == YF_DIR) {
			gb_unpack_warn(y->u, "%s: hard link does not resolve to a file", path);
			continue;
		}
		int r;
		if (o->type == YF_FILE && o->path >= 0) {
			struct gb_entry e = {.path = path, .type = GB_FT_HARDLINK, .mode = o->mode & 07777,
					     .uid = o->uid, .gid = o->gid, .size = o->size,
					     .target = y->paths + o->path};
			r = gb_unpack_entry(y->u, &e);
		} else if (o->type == YF_FILE) {
			r = yf_write_file(y, o, path); /* the file itself is not listed */
		} else {
			bool d;
			r = yf_emit(y, o, path, &d);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

static int yf_tree(struct yf *y)
{
	struct yf_obj **byp = malloc((y->n_objs + 1) * sizeof(*byp));
	int r;

	if (!byp)
		return -GB_ENOMEM;
	for (size_t i = 0; i < y->n_objs; i++)
		byp[i] = &y->objs[i];
	if (y->n_objs > 1)
		qsort(byp, y->n_objs, sizeof(*byp), yf_cmp_parent);
	r = yf_walk(y, byp, "", YF_ROOT);
	if (r == 0)
		r = yf_walk(y, byp, "/lost+found", YF_LOSTFOUND);
	if (r == 0)
		r = yf_emit_links(y);
	for (size_t i = 0; i < y->n_objs; i++) {
		const struct yf_obj *o = &y->objs[i];
		if ((o->type == YF_DIR || o->type == YF_FILE) && !o->visited && o->parent != YF_UNLINKED &&
		    o->parent != YF_DELETED && o->id > YF_DELETED)
			y->orphans++;
	}
	free(byp);
	return r;
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct yf y = {.u = u, .in = in};
	int r;

	(void)p;
	if (yf_guess(in, &y.g) < 0)
		return gb_unpack_fail(u, -GB_ECORRUPT, "no YAFFS2 layout explains the first chunk");
	r = yf_collect(&y);
	if (r == 0)
		r = yf_build_objs(&y);
	if (r == 0)
		r = yf_tree(&y);
	if (y.bad_chunks)
		gb_unpack_warn(u, "%u chunk(s) with unreadable tags or headers skipped", y.bad_chunks);
	if (y.orphans)
		gb_unpack_warn(u, "%u object(s) whose parent directory is missing skipped", y.orphans);
	if (in->n % yf_stride(&y.g))
		gb_unpack_warn(u, "%llu bytes after the last whole chunk (truncated image)",
			       (unsigned long long)(in->n % yf_stride(&y.g)));
	free(y.data);
	free(y.hdrs);
	free(y.objs);
	free(y.paths);
	free(y.links);
	if (r == -GB_ENOMEM)
		return gb_unpack_fail(u, r, "out of memory");
	return r;
}

static const struct gb_magic magics[] = {
	GB_MAGIC("\x03\x00\x00\x00\x01\x00\x00\x00\xff\xff", 0),
	GB_MAGIC("\x00\x00\x00\x03\x00\x00\x00\x01\xff\xff", 0),
	GB_MAGIC("\x01\x00\x00\x00\x01\x00\x00\x00\xff\xff", 0),
	GB_MAGIC("\x00\x00\x00\x01\x00\x00\x00\x01\xff\xff", 0),
	GB_MAGIC("\x02\x00\x00\x00\x01\x00\x00\x00\xff\xff", 0),
	GB_MAGIC("\x00\x00\x00\x02\x00\x00\x00\x01\xff\xff", 0),
	GB_MAGIC("\x05\x00\x00\x00\x01\x00\x00\x00\xff\xff", 0),
	GB_MAGIC("\x00\x00\x00\x05\x00\x00\x00\x01\xff\xff", 0),
};

const struct gb_format gb__fmt_yaffs2 = {
	.name = "yaffs2",
	.description = "YAFFS2 NAND flash image (geometry and tag layout guessed, both byte orders)",
	.kind = GB_KIND_FILESYSTEM,
	.magics = magics,
	.n_magics = sizeof(magics) / sizeof(magics[0]),
	.probe = probe,
	.unpack = unpack,
};
