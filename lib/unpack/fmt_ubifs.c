/* ubifs: the Linux UBI File System (fs/ubifs, mkfs.ubifs), as a bare image
 * (mkfs.ubifs output) or as the content of a UBI volume (written out by the
 * ubi format and carved again). LEBs are contiguous, leb_size bytes each.
 *
 * Every node is 8-byte aligned and starts with a 24-byte common header
 * (little endian):
 *   0 u32 magic 0x06101831   4 u32 crc (crc32 of bytes 8..len-1, the
 *   kernel's crc32_le(0xffffffff, ...): zlib crc32(0, ...) ^ 0xffffffff)
 *   8 u64 sqnum   16 u32 len (whole node)   20 u8 node_type   21 u8 group
 * Node types: INO 0, DATA 1, DENT 2, XENT 3, SB 6, MST 7, IDX 9 (others are
 * journal/LPT bookkeeping). Keys (8 bytes used of 16): u32 inum, u32
 * (type << 29 | hash or block number); key types INO 0, DATA 1, DENT 2, XENT 3.
 *
 * SB node (LEB 0, offset 0, len 4096): 26 u8 key_hash 27 u8 key_fmt
 *   28 u32 flags  32 u32 min_io_size  36 u32 leb_size  40 u32 leb_cnt
 *   84 u16 default_compr
 * MST node (len 512, LEBs 1 and 2, several copies each: the valid one with
 *   the highest sqnum wins): 48 u32 root_lnum 52 u32 root_offs 56 u32 root_len
 * IDX node: 24 u16 child_cnt 26 u16 level, then child_cnt branches of
 *   12 u32 lnum/offs/len + 8-byte key (+ a hash on authenticated images: the
 *   branch size is (len - 28) / child_cnt). Level 0 branches point at leaf
 *   nodes (INO/DATA/DENT/XENT), higher ones at IDX nodes of level - 1.
 * INO node (160 + data_len): 24 key 48 u64 size 72 u64 mtime_sec 92 u32 nlink
 *   96 u32 uid 100 u32 gid 104 u32 mode 108 u32 flags 112 u32 data_len
 *   160 data (symlink target; device: le32 new_encode_dev or le64)
 * DENT/XENT node (56 + nlen + 1): 24 key (parent inum) 40 u64 inum
 *   49 u8 type 50 u16 nlen 56 name
 * DATA node (48 + csize): 24 key (inum, block of 4096 bytes) 40 u32 size
 *   (decoded bytes) 44 u16 compr_type (NONE 0, LZO 1, ZLIB 2 raw deflate,
 *   ZSTD 3) 48 data
 *
 * What is read: the committed index only (the tree from the master node's
 * root); nodes still only in the journal of a mounted-and-not-committed
 * filesystem are not replayed. Extended attributes (XENT) are ignored. The
 * root directory is inode 1.
 *
 * probe: a SB node at 0 (magic, type, length, CRC) with a sane LEB size and
 * count; covers leb_cnt * leb_size bytes (or up to the end of the data).
 */
#include <lzo/lzo1x.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include <glassbox/sys/format.h>

#define UF_MAGIC 0x06101831u
#define UF_CH_LEN 24
#define UF_SB_LEN 4096
#define UF_MST_LEN 512
#define UF_IDX_LEN 28
#define UF_INO_LEN 160
#define UF_DENT_LEN 56
#define UF_DATA_LEN 48
#define UF_BRANCH_MIN 20
#define UF_BLOCK 4096u

enum { UF_INO = 0, UF_DATA = 1, UF_DENT = 2, UF_XENT = 3, UF_SB = 6, UF_MST = 7, UF_IDX = 9 };
enum { UF_COMPR_NONE = 0, UF_COMPR_LZO = 1, UF_COMPR_ZLIB = 2, UF_COMPR_ZSTD = 3 };

#define UF_S_IFMT 0170000
#define UF_S_IFSOCK 0140000
#define UF_S_IFLNK 0120000
#define UF_S_IFREG 0100000
#define UF_S_IFBLK 0060000
#define UF_S_IFDIR 0040000
#define UF_S_IFCHR 0020000
#define UF_S_IFIFO 0010000

#define UF_ROOT_INO 1
#define UF_MIN_LEB 4096u
#define UF_MAX_LEB (64u << 20)
#define UF_MAX_LEVEL 64
#define UF_MAX_HOLE (64u << 20) /* zeros of one file that no data node covers */
#define UF_MAX_PATH 4096
#define UF_MAX_DEPTH 512
#define UF_MAX_TARGET 4096
#define UF_ZERO_CHUNK 4096

static const uint8_t uf_zeros[UF_ZERO_CHUNK];

static uint32_t uf_crc(const uint8_t *p, size_t n)
{
	return (uint32_t)crc32(0, p, (uInt)n) ^ 0xffffffffu;
}

static const char *uf_compr_name(unsigned c)
{
	static const char *const names[] = {"none", "lzo", "zlib", "zstd"};
	return c < 4 ? names[c] : "unknown";
}

/* A node at byte offset pos with a good magic, length and CRC; its length
 * must be `len` when len != 0, else at least min. NULL otherwise. */
static const uint8_t *uf_node_at(const struct gb_span *in, uint64_t pos, uint32_t len, uint32_t min,
				 uint8_t type)
{
	const uint8_t *h = gb_span_at(in, pos, UF_CH_LEN), *b;
	uint32_t n;

	if (!h || gb_le32(h) != UF_MAGIC || h[20] != type)
		return NULL;
	n = gb_le32(h + 16);
	if ((len && n != len) || n < min || n < UF_CH_LEN)
		return NULL;
	b = gb_span_at(in, pos, n);
	if (!b || gb_le32(b + 4) != uf_crc(b + 8, n - 8))
		return NULL;
	return b;
}

struct uf_sb {
	uint32_t min_io, leb_size, leb_cnt, flags;
	uint16_t compr;
};

static int uf_read_sb(const struct gb_span *in, struct uf_sb *sb)
{
	const uint8_t *b = uf_node_at(in, 0, 0, 128, UF_SB);

	if (!b || gb_le32(b + 16) > UF_SB_LEN)
		return -GB_ENOTFOUND;
	sb->flags = gb_le32(b + 28);
	sb->min_io = gb_le32(b + 32);
	sb->leb_size = gb_le32(b + 36);
	sb->leb_cnt = gb_le32(b + 40);
	sb->compr = gb_le16(b + 84);
	if (sb->leb_size < UF_MIN_LEB || sb->leb_size > UF_MAX_LEB || sb->leb_size % 8 ||
	    sb->leb_cnt < 3 || sb->min_io == 0 || sb->min_io > sb->leb_size ||
	    (sb->min_io & (sb->min_io - 1)))
		return -GB_ENOTFOUND;
	return 0;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	struct uf_sb sb;
	uint64_t size;

	if (uf_read_sb(in, &sb) < 0)
		return -GB_ENOTFOUND;
	size = (uint64_t)sb.leb_size * sb.leb_cnt;
	ret->size = size < in->n ? size : in->n;
	ret->confidence = GB_CONF_HIGH;
	ret->identify_only = false;
	snprintf(ret->variant, sizeof(ret->variant), "%s", uf_compr_name(sb.compr));
	return 0;
}

/* ---- collecting the leaves of the index ---------------------------------- */

struct uf_ino {
	uint64_t inum, sqnum, size, pos;
	int64_t mtime;
	uint32_t mode, uid, gid, nlink, data_len;
	bool visited;
	int64_t path;        /* offset of its first path in uf.paths (hard links), or -1 */
};

struct uf_dent {
	uint64_t parent, inum, pos, sqnum;
	uint16_t nlen;
};

struct uf_dnode {
	uint64_t inum, pos, sqnum;
	uint32_t block;
};

struct uf_job {
	size_t ino;          /* index in uf.inos */
	size_t path;         /* offset in uf.paths */
};

struct uf {
	struct gb_unpack *u;
	const struct gb_span *in;
	struct uf_sb sb;
	struct uf_ino *inos;
	size_t n_inos, cap_inos;
	struct uf_dent *dents;
	size_t n_dents, cap_dents;
	struct uf_dnode *dnodes;
	size_t n_dnodes, cap_dnodes;
	char *paths;
	size_t n_paths, cap_paths;
	struct uf_job *jobs, *links;
	size_t n_jobs, cap_jobs, n_links, cap_links;
	uint64_t max_idx, max_leaves, n_idx, n_leaves;
	unsigned bad_idx, bad_leaf, xents, dropped, cut;
	uint64_t first_bad;
	bool limit_warned;
};

static int uf_grow(void **v, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *p;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*v, ncap * elem);
	if (!p)
		return -GB_ENOMEM;
	*v = p;
	*cap = ncap;
	return 0;
}

static void uf_bad(struct uf *f, unsigned *counter, uint64_t pos)
{
	if (!f->bad_idx && !f->bad_leaf)
		f->first_bad = pos;
	(*counter)++;
}

static void uf_limit_warn(struct uf *f, const char *what)
{
	if (f->limit_warned)
		return;
	f->limit_warned = true;
	gb_unpack_warn(f->u, "too many %s: the rest of the filesystem is ignored", what);
}

/* Byte offset of (lnum, offs) with len bytes inside one LEB, or UINT64_MAX. */
static uint64_t uf_pos(const struct uf *f, uint32_t lnum, uint32_t offs, uint32_t len)
{
	if (lnum >= f->sb.leb_cnt || offs > f->sb.leb_size || len > f->sb.leb_size - offs || offs % 8)
		return UINT64_MAX;
	return (uint64_t)lnum * f->sb.leb_size + offs;
}

static int uf_add_ino(struct uf *f, const uint8_t *b, uint32_t len, uint64_t pos)
{
	struct uf_ino *e;
	uint32_t data_len = gb_le32(b + 112);
	int r;

	if (len < UF_INO_LEN || data_len > len - UF_INO_LEN) {
		uf_bad(f, &f->bad_leaf, pos);
		return 0;
	}
	r = uf_grow((void **)&f->inos, &f->cap_inos, f->n_inos + 1, sizeof(*f->inos));
	if (r < 0)
		return r;
	e = &f->inos[f->n_inos++];
	memset(e, 0, sizeof(*e));
	e->inum = gb_le32(b + 24);
	e->sqnum = gb_le64(b + 8);
	e->size = gb_le64(b + 48);
	e->mtime = (int64_t)gb_le64(b + 72);
	e->nlink = gb_le32(b + 92);
	e->uid = gb_le32(b + 96);
	e->gid = gb_le32(b + 100);
	e->mode = gb_le32(b + 104);
	e->data_len = data_len;
	e->pos = pos;
	e->path = -1;
	return 0;
}

static int uf_add_dent(struct uf *f, const uint8_t *b, uint32_t len, uint64_t pos)
{
	struct uf_dent *d;
	uint16_t nlen = gb_le16(b + 50);
	int r;

	if (len < UF_DENT_LEN || nlen == 0 || nlen > len - UF_DENT_LEN || nlen > 255) {
		uf_bad(f, &f->bad_leaf, pos);
		return 0;
	}
	r = uf_grow((void **)&f->dents, &f->cap_dents, f->n_dents + 1, sizeof(*f->dents));
	if (r < 0)
		return r;
	d = &f->dents[f->n_dents++];
	d->parent = gb_le32(b + 24);
	d->inum = gb_le64(b + 40);
	d->nlen = nlen;
	d->pos = pos + UF_DENT_LEN;
	d->sqnum = gb_le64(b + 8);
	return 0;
}

static int uf_add_data(struct uf *f, const uint8_t *b, uint32_t len, uint64_t pos)
{
	struct uf_dnode *d;
	int r;

	if (len < UF_DATA_LEN || gb_le32(b + 40) > UF_BLOCK) {
		uf_bad(f, &f->bad_leaf, pos);
		return 0;
	}
	r = uf_grow((void **)&f->dnodes, &f->cap_dnodes, f->n_dnodes + 1, sizeof(*f->dnodes));
	if (r < 0)
		return r;
	d = &f->dnodes[f->n_dnodes++];
	d->inum = gb_le32(b + 24);
	d->block = gb_le32(b + 28) & 0x1fffffffu;
	d->pos = pos;
	d->sqnum = gb_le64(b + 8);
	return 0;
}

/* One leaf branch: read the node, check it against the branch's key. */
static int uf_leaf(struct uf *f, uint32_t lnum, uint32_t offs, uint32_t len, const uint8_t *key)
{
	uint64_t pos = uf_pos(f, lnum, offs, len);
	unsigned ktype = gb_le32(key + 4) >> 29;
	const uint8_t *b;

	if (++f->n_leaves > f->max_leaves) {
		uf_limit_warn(f, "index leaves");
		return -GB_ELIMIT;
	}
	if (ktype > UF_XENT) {
		uf_bad(f, &f->bad_leaf, pos);
		return 0;
	}
	b = pos == UINT64_MAX ? NULL : uf_node_at(f->in, pos, len, UF_CH_LEN, (uint8_t)ktype);
	if (!b || gb_le32(b + 24) != gb_le32(key)) {
		uf_bad(f, &f->bad_leaf, pos == UINT64_MAX ? 0 : pos);
		return 0;
	}
	switch (ktype) {
	case UF_INO:
		return uf_add_ino(f, b, len, pos);
	case UF_DENT:
		return uf_add_dent(f, b, len, pos);
	case UF_DATA:
		return uf_add_data(f, b, len, pos);
	default:
		f->xents++;
		return 0;
	}
}

struct uf_ref {
	uint32_t lnum, offs, len;
	int level;           /* the level the node must have, -1 for the root */
};

/* Walk the index from the root. Levels strictly decrease, so the walk has no
 * cycles; shared subtrees are bounded by the node caps. */
static int uf_walk_index(struct uf *f, uint32_t lnum, uint32_t offs, uint32_t len)
{
	struct uf_ref *st = NULL;
	size_t n = 0, cap = 0;
	int r;

	r = uf_grow((void **)&st, &cap, 1, sizeof(*st));
	if (r < 0)
		return r;
	st[n++] = (struct uf_ref){lnum, offs, len, -1};
	while (n && r == 0) {
		struct uf_ref ref = st[--n];
		uint64_t pos = uf_pos(f, ref.lnum, ref.offs, ref.len);
		const uint8_t *b;
		uint16_t cnt, level;
		uint32_t bsz;

		if (++f->n_idx > f->max_idx) {
			uf_limit_warn(f, "index nodes");
			break;
		}
		b = pos == UINT64_MAX ? NULL : uf_node_at(f->in, pos, ref.len, UF_IDX_LEN, UF_IDX);
		if (!b) {
			uf_bad(f, &f->bad_idx, pos == UINT64_MAX ? 0 : pos);
			continue;
		}
		cnt = gb_le16(b + 24);
		level = gb_le16(b + 26);
		bsz = cnt ? (ref.len - UF_IDX_LEN) / cnt : 0;
		if (cnt == 0 || bsz < UF_BRANCH_MIN || level >= UF_MAX_LEVEL ||
		    (ref.level >= 0 && level != ref.level)) {
			uf_bad(f, &f->bad_idx, pos);
			continue;
		}
		for (uint16_t i = 0; i < cnt && r == 0; i++) {
			const uint8_t *br = b + UF_IDX_LEN + (size_t)i * bsz;
			uint32_t bl = gb_le32(br), bo = gb_le32(br + 4), bn = gb_le32(br + 8);
			if (level == 0) {
				r = uf_leaf(f, bl, bo, bn, br + 12);
				continue;
			}
			r = uf_grow((void **)&st, &cap, n + 1, sizeof(*st));
			if (r == 0)
				st[n++] = (struct uf_ref){bl, bo, bn, level - 1};
		}
	}
	free(st);
	return r == -GB_ELIMIT ? 0 : r;
}

/* The valid master node with the highest sqnum in LEBs 1 and 2. */
static int uf_master(struct uf *f, uint32_t *lnum, uint32_t *offs, uint32_t *len)
{
	uint64_t best = 0;
	bool found = false;

	for (uint32_t leb = 1; leb <= 2; leb++) {
		uint64_t base = (uint64_t)leb * f->sb.leb_size;
		for (uint64_t o = 0; o + UF_MST_LEN <= f->sb.leb_size; o += 8) {
			const uint8_t *b = gb_span_at(f->in, base + o, 4);
			if (!b)
				break;
			if (gb_le32(b) != UF_MAGIC)
				continue;
			b = uf_node_at(f->in, base + o, UF_MST_LEN, 0, UF_MST);
			if (!b || (found && gb_le64(b + 8) <= best))
				continue;
			found = true;
			best = gb_le64(b + 8);
			*lnum = gb_le32(b + 48);
			*offs = gb_le32(b + 52);
			*len = gb_le32(b + 56);
		}
	}
	return found ? 0 : -GB_ENOTFOUND;
}

/* ---- sorting and looking up ---------------------------------------------- */

static int uf_cmp_ino(const void *a, const void *b)
{
	const struct uf_ino *x = a, *y = b;

	if (x->inum != y->inum)
		return x->inum < y->inum ? -1 : 1;
	return x->sqnum > y->sqnum ? -1 : x->sqnum < y->sqnum; /* newest first */
}

static int uf_cmp_dnode(const void *a, const void *b)
{
	const struct uf_dnode *x = a, *y = b;

	if (x->inum != y->inum)
		return x->inum < y->inum ? -1 : 1;
	if (x->block != y->block)
		return x->block < y->block ? -1 : 1;
	return x->sqnum > y->sqnum ? -1 : x->sqnum < y->sqnum;
}

static int uf_cmp_dent(const void *a, const void *b, void *arg)
{
	const struct uf_dent *x = a, *y = b;
	const struct gb_span *in = arg;
	int c;

	if (x->parent != y->parent)
		return x->parent < y->parent ? -1 : 1;
	if (x->nlen != y->nlen)
		return x->nlen < y->nlen ? -1 : 1;
	c = memcmp(in->p + x->pos, in->p + y->pos, x->nlen);
	if (c)
		return c;
	return x->sqnum > y->sqnum ? -1 : x->sqnum < y->sqnum;
}

/* Sort each array and keep one record per key (the newest). */
static void uf_index(struct uf *f)
{
	size_t out = 0;

	gb_qsort(f->inos, f->n_inos, sizeof(*f->inos), uf_cmp_ino);
	for (size_t i = 0; i < f->n_inos; i++)
		if (!out || f->inos[out - 1].inum != f->inos[i].inum)
			f->inos[out++] = f->inos[i];
	f->n_inos = out;
	out = 0;
	gb_qsort(f->dnodes, f->n_dnodes, sizeof(*f->dnodes), uf_cmp_dnode);
	for (size_t i = 0; i < f->n_dnodes; i++)
		if (!out || f->dnodes[out - 1].inum != f->dnodes[i].inum ||
		    f->dnodes[out - 1].block != f->dnodes[i].block)
			f->dnodes[out++] = f->dnodes[i];
	f->n_dnodes = out;
	out = 0;
	if (f->n_dents > 1)
		qsort_r(f->dents, f->n_dents, sizeof(*f->dents), uf_cmp_dent, (void *)f->in);
	for (size_t i = 0; i < f->n_dents; i++) {
		const struct uf_dent *d = &f->dents[i], *p = out ? &f->dents[out - 1] : NULL;
		if (p && p->parent == d->parent && p->nlen == d->nlen &&
		    !memcmp(f->in->p + p->pos, f->in->p + d->pos, d->nlen))
			continue;
		f->dents[out++] = *d;
	}
	f->n_dents = out;
}

static struct uf_ino *uf_ino_find(const struct uf *f, uint64_t inum)
{
	size_t lo = 0, hi = f->n_inos;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->inos[mid].inum < inum)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < f->n_inos && f->inos[lo].inum == inum ? &f->inos[lo] : NULL;
}

static size_t uf_first_dent(const struct uf *f, uint64_t parent)
{
	size_t lo = 0, hi = f->n_dents;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->dents[mid].parent < parent)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static size_t uf_first_dnode(const struct uf *f, uint64_t inum)
{
	size_t lo = 0, hi = f->n_dnodes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->dnodes[mid].inum < inum)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

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

	for (size_t i = uf_first_dnode(f, c->e->inum);
	     r == 0 && i < f->n_dnodes && f->dnodes[i].inum == c->e->inum; i++) {
		uint64_t off = (uint64_t)f->dnodes[i].block * UF_BLOCK;
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
	if (st == -GB_ELIMIT || st == -GB_EIO || st == -GB_ENOMEM)
		return st;
	return r == -GB_ELIMIT || r == -GB_EIO || r == -GB_ENOMEM ? r : 0;
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
	int r = uf_grow((void **)&f->paths, &f->cap_paths, f->n_paths + len + 1, 1);

	if (r < 0)
		return r;
	r = uf_grow((void **)v, cap, *n + 1, sizeof(**v));
	if (r < 0)
		return r;
	memcpy(f->paths + f->n_paths, path, len + 1);
	(*v)[*n].ino = ino;
	(*v)[*n].path = f->n_paths;
	if (ret_path)
		*ret_path = f->n_paths;
	f->n_paths += len + 1;
	(*n)++;
	return 0;
}

static int uf_emit_special(struct uf *f, const struct uf_ino *e, struct gb_entry *ent)
{
	const uint8_t *data = gb_span_at(f->in, e->pos + UF_INO_LEN, e->data_len);
	char target[UF_MAX_TARGET + 1];

	switch (e->mode & UF_S_IFMT) {
	case UF_S_IFLNK:
		ent->type = GB_FT_SYMLINK;
		if (!data || e->data_len == 0 || e->data_len > UF_MAX_TARGET) {
			gb_unpack_warn(f->u, "%s: symlink target unreadable", ent->path);
			return 0;
		}
		memcpy(target, data, e->data_len);
		target[e->data_len] = 0;
		ent->target = target;
		break;
	case UF_S_IFCHR:
	case UF_S_IFBLK:
		ent->type = (e->mode & UF_S_IFMT) == UF_S_IFCHR ? GB_FT_CHARDEV : GB_FT_BLOCKDEV;
		if (data && (e->data_len == 4 || e->data_len == 8)) {
			uint32_t v = gb_le32(data); /* huge_encode_dev: the same in 64 bits */
			ent->major = (v & 0xfff00) >> 8;
			ent->minor = (v & 0xff) | ((v >> 12) & 0xfff00);
		} else {
			gb_unpack_warn(f->u, "%s: device number unreadable", ent->path);
		}
		break;
	case UF_S_IFIFO:
		ent->type = GB_FT_FIFO;
		break;
	case UF_S_IFSOCK:
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
	struct uf_ino *e = uf_ino_find(f, d->inum);
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
	switch (e->mode & UF_S_IFMT) {
	case UF_S_IFDIR:
		if (e->visited || e->inum == UF_ROOT_INO) {
			gb_unpack_warn(f->u, "%s: second link to directory inode %llu ignored", path,
				       (unsigned long long)e->inum);
			return 0;
		}
		e->visited = true;
		ent.type = GB_FT_DIR;
		*descend = true;
		return gb_unpack_entry(f->u, &ent);
	case UF_S_IFREG:
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

struct uf_frame {
	size_t next;
	uint64_t parent;
	size_t plen;
};

static int uf_walk_tree(struct uf *f)
{
	struct uf_frame *st = calloc(UF_MAX_DEPTH, sizeof(*st));
	char *path = malloc(UF_MAX_PATH + 1);
	unsigned depth = 1;
	size_t count = 0;
	int r = 0;

	if (!st || !path) {
		free(st);
		free(path);
		return -GB_ENOMEM;
	}
	st[0] = (struct uf_frame){uf_first_dent(f, UF_ROOT_INO), UF_ROOT_INO, 0};
	while (depth && r == 0) {
		struct uf_frame *fr = &st[depth - 1];
		const struct uf_dent *d;
		bool descend;

		if (fr->next >= f->n_dents || f->dents[fr->next].parent != fr->parent) {
			depth--;
			continue;
		}
		d = &f->dents[fr->next++];
		if (++count > gb_unpack_limits(f->u)->max_entries) {
			uf_limit_warn(f, "entries");
			break;
		}
		if (fr->plen + 1 + d->nlen > UF_MAX_PATH) {
			gb_unpack_warn(f->u, "path longer than %u bytes skipped", UF_MAX_PATH);
			continue;
		}
		size_t len = fr->plen;
		if (len)
			path[len++] = '/';
		memcpy(path + len, f->in->p + d->pos, d->nlen);
		len += d->nlen;
		path[len] = 0;
		r = uf_emit(f, d, path, len, &descend);
		if (r < 0 || !descend)
			continue;
		if (depth == UF_MAX_DEPTH) {
			gb_unpack_warn(f->u, "%s: directory depth limit (%u) reached", path, UF_MAX_DEPTH);
			continue;
		}
		st[depth++] = (struct uf_frame){uf_first_dent(f, d->inum), d->inum, len};
	}
	free(st);
	free(path);
	return r;
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

static void uf_report(struct uf *f)
{
	if (f->bad_idx)
		gb_unpack_warn(f->u, "%u index node(s) unreadable (bad CRC, length, level or position)",
			       f->bad_idx);
	if (f->bad_leaf)
		gb_unpack_warn(f->u, "%u leaf node(s) unreadable (bad CRC, key or fields)", f->bad_leaf);
	if (f->bad_idx || f->bad_leaf)
		gb_unpack_warn(f->u, "first unreadable node at 0x%llx", (unsigned long long)f->first_bad);
	if (f->dropped)
		gb_unpack_warn(f->u, "%u directory entries point to missing inodes", f->dropped);
}

static void uf_free(struct uf *f)
{
	free(f->inos);
	free(f->dents);
	free(f->dnodes);
	free(f->paths);
	free(f->jobs);
	free(f->links);
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct uf f = {.u = u, .in = in};
	uint32_t lnum = 0, offs = 0, len = 0;
	int r;

	(void)p;
	if (uf_read_sb(in, &f.sb) < 0)
		return gb_unpack_fail(u, -GB_ECORRUPT, "superblock node at 0: bad magic, CRC or fields");
	if (lzo_init() != LZO_E_OK)
		return gb_unpack_fail(u, -GB_EUNSUP, "liblzo2 failed to initialise");
	if ((uint64_t)f.sb.leb_size * f.sb.leb_cnt > in->n)
		f.sb.leb_cnt = (uint32_t)((in->n + f.sb.leb_size - 1) / f.sb.leb_size);
	if (uf_master(&f, &lnum, &offs, &len) < 0)
		return gb_unpack_fail(u, -GB_ECORRUPT, "no valid master node in LEBs 1 and 2");
	f.max_idx = in->n / 32 + 16;
	f.max_leaves = in->n / UF_CH_LEN + 16;
	r = uf_walk_index(&f, lnum, offs, len);
	if (r == 0 && f.n_inos == 0) {
		uf_report(&f);
		uf_free(&f);
		return gb_unpack_fail(u, -GB_ECORRUPT, "index root at LEB %u offset %u: no inode reachable",
				      lnum, offs);
	}
	if (r == 0) {
		uf_index(&f);
		if (!uf_ino_find(&f, UF_ROOT_INO))
			gb_unpack_warn(u, "root inode missing from the index");
		r = uf_walk_tree(&f);
	}
	if (r == 0 && f.n_jobs)
		r = gb_unpack_parallel(u, f.n_jobs, uf_job_run, &f);
	if (r == 0)
		r = uf_emit_links(&f);
	uf_report(&f);
	uf_free(&f);
	if (r == -GB_ENOMEM)
		return gb_unpack_fail(u, r, "out of memory");
	return r;
}

static const struct gb_magic magics[] = {GB_MAGIC("\x31\x18\x10\x06", 0)};

const struct gb_format gb__fmt_ubifs = {
	.name = "ubifs",
	.description = "UBIFS flash filesystem (bare image or UBI volume content)",
	.kind = GB_KIND_FILESYSTEM,
	.magics = magics,
	.n_magics = 1,
	.probe = probe,
	.unpack = unpack,
};
