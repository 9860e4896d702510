/* A tiny UBIFS image builder for the ubi and ubifs unit tests: hand-built
 * images for what mkfs.ubifs never writes (index cycles, shared subtrees,
 * absurd sizes, ".." names, bad CRCs). The layout is the kernel's
 * (fs/ubifs/ubifs-media.h): SB in LEB 0, master nodes in LEBs 1 and 2,
 * the log in LEBs 3 and 4 (a CS node; REF nodes once ub_journal() is
 * called), leaves and index nodes from LEB 5 on. */
#ifndef GB_TESTS_UBIFS_BUILD_H
#define GB_TESTS_UBIFS_BUILD_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define UB_LEB 16384u
#define UB_LEBS 12u

struct ub_ref {
	uint32_t lnum, offs, len;
	uint8_t key[8];
};

struct ub {
	uint8_t *p;                 /* UB_LEB * UB_LEBS bytes, 0xff-filled */
	uint32_t lnum, offs;        /* where the next node goes */
	uint64_t sqnum;
	struct ub_ref leaves[256];
	size_t n_leaves;
	bool journal;               /* nodes go to a bud, not into the index */
	uint32_t log_offs;
};

static inline uint32_t ub_crc(const void *p, size_t n)
{
	return (uint32_t)crc32(0, p, (uInt)n) ^ 0xffffffffu;
}

static inline void ub_le16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static inline void ub_le32(uint8_t *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

static inline void ub_le64(uint8_t *b, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

static inline void ub_key(uint8_t *k, uint32_t inum, uint32_t type, uint32_t low)
{
	ub_le32(k, inum);
	ub_le32(k + 4, type << 29 | (low & 0x1fffffffu));
}

/* Finish a node in place: common header and CRC. */
static inline void ub_seal(struct ub *u, uint8_t *n, uint32_t len, uint8_t type)
{
	ub_le32(n, 0x06101831);
	ub_le64(n + 8, ++u->sqnum);
	ub_le32(n + 16, len);
	n[20] = type;
	n[21] = 0;
	ub_le32(n + 4, ub_crc(n + 8, len - 8));
}

static inline void ub_init(struct ub *u, uint16_t compr)
{
	uint8_t *sb;

	memset(u, 0, sizeof(*u));
	u->p = malloc((size_t)UB_LEB * UB_LEBS);
	memset(u->p, 0xff, (size_t)UB_LEB * UB_LEBS);
	sb = u->p;
	memset(sb, 0, 4096);
	ub_le32(sb + 32, 8);       /* min_io_size */
	ub_le32(sb + 36, UB_LEB);
	ub_le32(sb + 40, UB_LEBS);
	ub_le32(sb + 44, UB_LEBS);
	ub_le32(sb + 56, 2);       /* log_lebs */
	ub_le32(sb + 80, 4);       /* fmt_version */
	ub_le16(sb + 84, compr);
	ub_seal(u, sb, 4096, 6);
	uint8_t *cs = u->p + (size_t)3 * UB_LEB; /* commit start, cmt_no 0 */
	memset(cs, 0, 32);
	ub_seal(u, cs, 32, 10);
	u->log_offs = 32;
	u->lnum = 5;
	u->offs = 0;
}

/* Reserve len bytes (8-aligned) for a node; returns where it lives. */
static inline uint8_t *ub_alloc(struct ub *u, uint32_t len, struct ub_ref *ref)
{
	uint32_t alen = (len + 7) & ~7u;
	uint8_t *n;

	if (u->offs + alen > UB_LEB) {
		u->lnum++;
		u->offs = 0;
	}
	n = u->p + (size_t)u->lnum * UB_LEB + u->offs;
	memset(n, 0, alen);
	ref->lnum = u->lnum;
	ref->offs = u->offs;
	ref->len = len;
	u->offs += alen;
	return n;
}

static inline void ub_add_leaf(struct ub *u, const struct ub_ref *r)
{
	if (!u->journal)
		u->leaves[u->n_leaves++] = *r;
}

/* From now on nodes go to a new bud LEB named by a REF node in the log. */
static inline void ub_journal(struct ub *u)
{
	uint8_t *ref = u->p + (size_t)3 * UB_LEB + u->log_offs;

	u->journal = true;
	u->lnum++;
	u->offs = 0;
	memset(ref, 0, 64);
	ub_le32(ref + 24, u->lnum);
	ub_le32(ref + 28, 0);
	ub_le32(ref + 32, 1);
	ub_seal(u, ref, 64, 8);
	u->log_offs += 64;
}

/* A truncation node (journal only). */
static inline void ub_trun(struct ub *u, uint32_t inum, uint64_t old_size, uint64_t new_size)
{
	struct ub_ref r;
	uint8_t *n = ub_alloc(u, 56, &r);

	ub_le32(n + 24, inum);
	ub_le64(n + 40, old_size);
	ub_le64(n + 48, new_size);
	ub_seal(u, n, 56, 4);
}

static inline struct ub_ref ub_ino(struct ub *u, uint32_t inum, uint32_t mode, uint64_t size,
				   uint32_t nlink, const void *data, uint32_t dlen)
{
	struct ub_ref r;
	uint8_t *n = ub_alloc(u, 160 + dlen, &r);

	ub_key(n + 24, inum, 0, 0);
	ub_le64(n + 48, size);
	ub_le64(n + 72, 1700000000);
	ub_le32(n + 92, nlink);
	ub_le32(n + 96, 7);
	ub_le32(n + 100, 8);
	ub_le32(n + 104, mode);
	ub_le32(n + 112, dlen);
	if (dlen)
		memcpy(n + 160, data, dlen);
	ub_seal(u, n, 160 + dlen, 0);
	memcpy(r.key, n + 24, 8);
	ub_add_leaf(u, &r);
	return r;
}

static inline struct ub_ref ub_dent(struct ub *u, uint32_t parent, const char *name, uint32_t inum,
				    uint8_t type)
{
	struct ub_ref r;
	size_t nlen = strlen(name);
	uint8_t *n = ub_alloc(u, (uint32_t)(56 + nlen + 1), &r);

	ub_key(n + 24, parent, 2, (uint32_t)crc32(0, (const Bytef *)name, (uInt)nlen));
	ub_le64(n + 40, inum);
	n[49] = type;
	ub_le16(n + 50, (uint16_t)nlen);
	memcpy(n + 56, name, nlen);
	ub_seal(u, n, (uint32_t)(56 + nlen + 1), 2);
	memcpy(r.key, n + 24, 8);
	ub_add_leaf(u, &r);
	return r;
}

static inline struct ub_ref ub_data(struct ub *u, uint32_t inum, uint32_t block, uint32_t size,
				    uint16_t compr, const void *data, uint32_t clen)
{
	struct ub_ref r;
	uint8_t *n = ub_alloc(u, 48 + clen, &r);

	ub_key(n + 24, inum, 1, block);
	ub_le32(n + 40, size);
	ub_le16(n + 44, compr);
	memcpy(n + 48, data, clen);
	ub_seal(u, n, 48 + clen, 1);
	memcpy(r.key, n + 24, 8);
	ub_add_leaf(u, &r);
	return r;
}

/* An index node of `level` over refs[0..n). */
static inline struct ub_ref ub_idx(struct ub *u, uint16_t level, const struct ub_ref *refs, size_t n)
{
	struct ub_ref r;
	uint8_t *b = ub_alloc(u, (uint32_t)(28 + 20 * n), &r);

	ub_le16(b + 24, (uint16_t)n);
	ub_le16(b + 26, level);
	for (size_t i = 0; i < n; i++) {
		uint8_t *br = b + 28 + 20 * i;
		ub_le32(br, refs[i].lnum);
		ub_le32(br + 4, refs[i].offs);
		ub_le32(br + 8, refs[i].len);
		memcpy(br + 12, refs[i].key, 8);
	}
	ub_seal(u, b, (uint32_t)(28 + 20 * n), 9);
	memcpy(r.key, refs[0].key, 8);
	return r;
}

/* Master nodes in LEBs 1 and 2 pointing at root. */
static inline void ub_master(struct ub *u, const struct ub_ref *root)
{
	for (uint32_t leb = 1; leb <= 2; leb++) {
		uint8_t *m = u->p + (size_t)leb * UB_LEB;
		memset(m, 0, 512);
		ub_le64(m + 24, 100);
		ub_le64(m + 32, 0);        /* cmt_no */
		ub_le32(m + 44, 3);        /* log_lnum */
		ub_le32(m + 48, root->lnum);
		ub_le32(m + 52, root->offs);
		ub_le32(m + 56, root->len);
		ub_seal(u, m, 512, 7);
	}
}

/* Level-0 index over every leaf so far, used as the root. */
static inline void ub_finish(struct ub *u)
{
	struct ub_ref root = ub_idx(u, 0, u->leaves, u->n_leaves);
	ub_master(u, &root);
}

static inline size_t ub_size(void)
{
	return (size_t)UB_LEB * UB_LEBS;
}

#endif
