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
 * What is read: the committed index (the tree from the newest master node's
 * root), then the journal written since that commit (see "the journal"
 * below), newest node of each key winning. Extended attributes (XENT) are
 * ignored. The root directory is inode 1. The directory tree and the file
 * contents are written by ubifs_tree.c.
 *
 * probe: a SB node at 0 (magic, type, length, CRC) with a sane LEB size and
 * count; covers leb_cnt * leb_size bytes (or up to the end of the data).
 */
#include <lzo/lzo1x.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <glassbox/sys/format.h>

#include "ubifs.h"
#include "util/vec.h"


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

static int uf_read_sb(const struct gb_span *in, struct uf_sb *sb)
{
	const uint8_t *b = uf_node_at(in, 0, 0, 128, UF_SB);

	if (!b || gb_le32(b + 16) > UF_SB_LEN)
		return -GB_ENOTFOUND;
	sb->flags = gb_le32(b + 28);
	sb->min_io = gb_le32(b + 32);
	sb->leb_size = gb_le32(b + 36);
	sb->leb_cnt = gb_le32(b + 40);
	sb->log_lebs = gb_le32(b + 56);
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

static void uf_bad(struct uf *f, unsigned *counter, uint64_t pos)
{
	if (!f->bad_idx && !f->bad_leaf)
		f->first_bad = pos;
	(*counter)++;
}

void gb__uf_limit_warn(struct uf *f, const char *what)
{
	gb_fs_limit_warn(f->u, &f->limit_warned, what);
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
	uint32_t data_len;
	int r;

	if (len < UF_INO_LEN || (data_len = gb_le32(b + 112)) > len - UF_INO_LEN) {
		uf_bad(f, &f->bad_leaf, pos);
		return 0;
	}
	r = gb_grow((void **)&f->inos, &f->cap_inos, f->n_inos + 1, sizeof(*f->inos));
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
	uint16_t nlen;
	int r;

	if (len < UF_DENT_LEN || (nlen = gb_le16(b + 50)) == 0 || nlen > len - UF_DENT_LEN || nlen > 255) {
		uf_bad(f, &f->bad_leaf, pos);
		return 0;
	}
	r = gb_grow((void **)&f->dents, &f->cap_dents, f->n_dents + 1, sizeof(*f->dents));
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
	r = gb_grow((void **)&f->dnodes, &f->cap_dnodes, f->n_dnodes + 1, sizeof(*f->dnodes));
	if (r < 0)
		return r;
	d = &f->dnodes[f->n_dnodes++];
	d->inum = gb_le32(b + 24);
	d->block = gb_le32(b + 28) & 0x1fffffffu;
	d->dead = false;
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
		gb__uf_limit_warn(f, "index leaves");
		return -GB_ELIMIT;
	}
	if (ktype > UF_XENT) {
		uf_bad(f, &f->bad_leaf, pos);
		return 0;
	}
	b = pos == UINT64_MAX ? NULL : uf_node_at(f->in, pos, len, UF_CH_LEN + 8, (uint8_t)ktype);
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

	r = gb_grow((void **)&st, &cap, 1, sizeof(*st));
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
			gb__uf_limit_warn(f, "index nodes");
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
			r = gb_grow((void **)&st, &cap, n + 1, sizeof(*st));
			if (r == 0)
				st[n++] = (struct uf_ref){bl, bo, bn, level - 1};
		}
	}
	free(st);
	return r == -GB_ELIMIT ? 0 : r;
}

/* The valid master node with the highest sqnum in LEBs 1 and 2. */
struct uf_mst {
	uint32_t lnum, offs, len, log_lnum;
	uint64_t cmt_no;
};

static int uf_master(struct uf *f, struct uf_mst *m)
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
			m->cmt_no = gb_le64(b + 32);
			m->log_lnum = gb_le32(b + 44);
			m->lnum = gb_le32(b + 48);
			m->offs = gb_le32(b + 52);
			m->len = gb_le32(b + 56);
		}
	}
	return found ? 0 : -GB_ENOTFOUND;
}

/* ---- the journal ---------------------------------------------------------
 * The log (LEBs 3 .. 3 + log_lebs - 1, circular) starts at the master node's
 * log_lnum with a CS node (type 10, 24 u64 cmt_no = the master's cmt_no);
 * REF nodes (type 8, 24 u32 lnum, 28 u32 offs, 32 u32 jhead) after it name
 * the bud LEBs written since that commit. A log LEB whose first node is older
 * than the CS node ends the log. Bud nodes from offs on (INO, DATA, DENT,
 * XENT, TRUN: 24 u32 inum, 48 u64 new_size) are newer than the index: the
 * newest of each key wins; a DENT with inum 0 deletes a name, an INO with
 * nlink 0 an inode, a TRUN the data blocks past new_size. PAD nodes (type 5,
 * 24 u32 pad_len) and 0xce bytes fill to the write unit. */

enum { UF_TRUN = 4, UF_PAD = 5, UF_REF = 8, UF_CS = 10 };
#define UF_LOG_LNUM 3

typedef int (*uf_node_fn)(struct uf *f, const uint8_t *b, uint64_t pos, void *ctx);

/* Call fn for each node of LEB lnum from offs on, in order; stops at the
 * first thing that is neither a node nor padding, or when fn returns 1. */
static int uf_scan_leb(struct uf *f, uint32_t lnum, uint32_t offs, uf_node_fn fn, void *ctx)
{
	uint64_t base = (uint64_t)lnum * f->sb.leb_size, pos = offs;

	while (pos + UF_CH_LEN <= f->sb.leb_size) {
		const uint8_t *h = gb_span_at(f->in, base + pos, UF_CH_LEN), *b;
		uint32_t len;
		int r;

		if (!h)
			return 0;
		if (gb_le32(h) != UF_MAGIC) {
			if (h[0] != 0xce)
				return 0;
			pos += 8;
			continue;
		}
		len = gb_le32(h + 16);
		if (len < UF_CH_LEN || len > f->sb.leb_size - pos)
			return 0;
		b = uf_node_at(f->in, base + pos, len, UF_CH_LEN, h[20]);
		if (!b)
			return 0;
		if (h[20] == UF_PAD) {
			if (len < 28)
				return 0;
			pos += (uint64_t)len + gb_le32(b + 24);
		} else {
			r = fn(f, b, base + pos, ctx);
			if (r != 0)
				return r < 0 ? r : 0;
			pos += len;
		}
		pos = (pos + 7) & ~(uint64_t)7;
	}
	return 0;
}

struct uf_log {
	uint64_t cmt_no, cs_sqnum;
	bool seen_cs, end;
	uint32_t *bud_lnum, *bud_offs;
	size_t n_buds;
};

static int uf_log_node(struct uf *f, const uint8_t *b, uint64_t pos, void *ctx)
{
	struct uf_log *g = ctx;
	uint64_t sqnum = gb_le64(b + 8);
	uint32_t len = gb_le32(b + 16), lnum, offs;

	(void)pos;
	if (!g->seen_cs) {
		if (b[20] != UF_CS || len < 32 || gb_le64(b + 24) != g->cmt_no) {
			g->end = true;
			return 1;
		}
		g->seen_cs = true;
		g->cs_sqnum = sqnum;
		return 0;
	}
	if (sqnum < g->cs_sqnum) {
		g->end = true;
		return 1;
	}
	if (b[20] != UF_REF || len < 36)
		return 0;
	lnum = gb_le32(b + 24);
	offs = gb_le32(b + 28);
	if (lnum < UF_LOG_LNUM + f->sb.log_lebs || lnum >= f->sb.leb_cnt || offs >= f->sb.leb_size ||
	    offs % 8)
		return 0;
	for (size_t i = 0; i < g->n_buds; i++)
		if (g->bud_lnum[i] == lnum) {
			if (offs < g->bud_offs[i])
				g->bud_offs[i] = offs;
			return 0;
		}
	g->bud_lnum[g->n_buds] = lnum; /* n_buds < leb_cnt: lnums are distinct */
	g->bud_offs[g->n_buds++] = offs;
	return 0;
}

static int uf_add_trun(struct uf *f, const uint8_t *b, uint32_t len)
{
	int r;

	if (len < 56)
		return 0;
	r = gb_grow((void **)&f->truns, &f->cap_truns, f->n_truns + 1, sizeof(*f->truns));
	if (r < 0)
		return r;
	f->truns[f->n_truns++] = (struct uf_trun){gb_le32(b + 24), gb_le64(b + 8), gb_le64(b + 48)};
	return 0;
}

static int uf_bud_node(struct uf *f, const uint8_t *b, uint64_t pos, void *ctx)
{
	uint32_t len = gb_le32(b + 16);

	(void)ctx;
	if (++f->n_leaves > f->max_leaves) {
		gb__uf_limit_warn(f, "journal nodes");
		return -GB_ELIMIT;
	}
	f->replayed++;
	switch (b[20]) {
	case UF_INO:
		return uf_add_ino(f, b, len, pos);
	case UF_DENT:
		return uf_add_dent(f, b, len, pos);
	case UF_DATA:
		return uf_add_data(f, b, len, pos);
	case UF_TRUN:
		return uf_add_trun(f, b, len);
	default:
		f->replayed--;
		return 0;
	}
}

/* Replay the journal written since the last commit (none in mkfs images). */
static int uf_replay(struct uf *f, uint32_t log_lnum, uint64_t cmt_no)
{
	struct uf_log g = {.cmt_no = cmt_no};
	uint32_t lnum = log_lnum;
	int r = 0;

	if (f->sb.log_lebs < 2 || f->sb.log_lebs > f->sb.leb_cnt - UF_LOG_LNUM ||
	    log_lnum < UF_LOG_LNUM || log_lnum >= UF_LOG_LNUM + f->sb.log_lebs)
		return 0;
	g.bud_lnum = malloc(f->sb.leb_cnt * sizeof(*g.bud_lnum));
	g.bud_offs = malloc(f->sb.leb_cnt * sizeof(*g.bud_offs));
	if (!g.bud_lnum || !g.bud_offs) {
		free(g.bud_lnum);
		free(g.bud_offs);
		return -GB_ENOMEM;
	}
	for (uint32_t i = 0; i < f->sb.log_lebs && !g.end && r == 0; i++) {
		r = uf_scan_leb(f, lnum, 0, uf_log_node, &g);
		if (!g.seen_cs)
			break;
		lnum = lnum + 1 < UF_LOG_LNUM + f->sb.log_lebs ? lnum + 1 : UF_LOG_LNUM;
	}
	f->buds = (unsigned)g.n_buds;
	for (size_t i = 0; i < g.n_buds && r == 0; i++)
		r = uf_scan_leb(f, g.bud_lnum[i], g.bud_offs[i], uf_bud_node, NULL);
	free(g.bud_lnum);
	free(g.bud_offs);
	return r == -GB_ELIMIT ? 0 : r;
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

static int uf_cmp_trun(const void *a, const void *b)
{
	const struct uf_trun *x = a, *y = b;

	if (x->inum != y->inum)
		return x->inum < y->inum ? -1 : 1;
	return x->sqnum > y->sqnum ? -1 : x->sqnum < y->sqnum; /* newest first */
}

/* A data node is dead when a newer truncation of its inode cut the file
 * at or before the block's start. Truncations of an inode are sorted newest
 * first with new_size turned into a running minimum, so the cut that applies
 * to a node of sqnum s is the last one newer than s. */
static void uf_apply_truns(struct uf *f)
{
	gb_qsort(f->truns, f->n_truns, sizeof(*f->truns), uf_cmp_trun);
	for (size_t i = 1; i < f->n_truns; i++)
		if (f->truns[i].inum == f->truns[i - 1].inum &&
		    f->truns[i - 1].new_size < f->truns[i].new_size)
			f->truns[i].new_size = f->truns[i - 1].new_size;
	for (size_t i = 0; i < f->n_dnodes && f->n_truns; i++) {
		struct uf_dnode *d = &f->dnodes[i];
		size_t lo = 0, hi = f->n_truns, end;
		while (lo < hi) { /* first trun of the inode */
			size_t mid = lo + (hi - lo) / 2;
			if (f->truns[mid].inum < d->inum)
				lo = mid + 1;
			else
				hi = mid;
		}
		end = lo;
		hi = f->n_truns;
		while (end < hi) { /* past the last trun of the inode newer than d */
			size_t mid = end + (hi - end) / 2;
			if (f->truns[mid].inum == d->inum && f->truns[mid].sqnum > d->sqnum)
				end = mid + 1;
			else
				hi = mid;
		}
		if (end > lo && (uint64_t)d->block * UF_BLOCK >= f->truns[end - 1].new_size)
			d->dead = true;
	}
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
	/* deletions from the journal: a name pointing at inode 0, an inode
	 * without links */
	out = 0;
	for (size_t i = 0; i < f->n_dents; i++)
		if (f->dents[i].inum != 0)
			f->dents[out++] = f->dents[i];
	f->n_dents = out;
	out = 0;
	for (size_t i = 0; i < f->n_inos; i++)
		if (f->inos[i].nlink != 0)
			f->inos[out++] = f->inos[i];
	f->n_inos = out;
	uf_apply_truns(f);
}

struct uf_ino *gb__uf_ino_find(const struct uf *f, uint64_t inum)
{
	size_t lo = GB_LOWER_BOUND(f->inos, f->n_inos, inum, inum);

	return lo < f->n_inos && f->inos[lo].inum == inum ? &f->inos[lo] : NULL;
}

size_t gb__uf_first_dent(const struct uf *f, uint64_t parent)
{
	return GB_LOWER_BOUND(f->dents, f->n_dents, parent, parent);
}

size_t gb__uf_first_dnode(const struct uf *f, uint64_t inum)
{
	return GB_LOWER_BOUND(f->dnodes, f->n_dnodes, inum, inum);
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
	free(f->truns);
	free(f->paths);
	free(f->jobs);
	free(f->links);
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct uf f = {.u = u, .in = in};
	struct uf_mst m = {0};
	int r;

	(void)p;
	if (uf_read_sb(in, &f.sb) < 0)
		return gb_unpack_fail(u, -GB_ECORRUPT, "superblock node at 0: bad magic, CRC or fields");
	if (lzo_init() != LZO_E_OK)
		return gb_unpack_fail(u, -GB_EUNSUP, "liblzo2 failed to initialise");
	if ((uint64_t)f.sb.leb_size * f.sb.leb_cnt > in->n)
		f.sb.leb_cnt = (uint32_t)((in->n + f.sb.leb_size - 1) / f.sb.leb_size);
	if (uf_master(&f, &m) < 0)
		return gb_unpack_fail(u, -GB_ECORRUPT, "no valid master node in LEBs 1 and 2");
	f.max_idx = in->n / 32 + 16;
	f.max_leaves = in->n / UF_CH_LEN + 16;
	r = uf_walk_index(&f, m.lnum, m.offs, m.len);
	if (r == 0)
		r = uf_replay(&f, m.log_lnum, m.cmt_no);
	if (r == 0 && f.n_inos == 0) {
		uf_report(&f);
		uf_free(&f);
		return gb_unpack_fail(u, -GB_ECORRUPT, "index root at LEB %u offset %u: no inode reachable",
				      m.lnum, m.offs);
	}
	if (r == 0) {
		uf_index(&f);
		if (!gb__uf_ino_find(&f, UF_ROOT_INO))
			gb_unpack_warn(u, "root inode missing from the index");
		r = gb__uf_extract(&f);
	}
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
