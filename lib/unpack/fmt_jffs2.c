/* jffs2: the Journalling Flash File System v2 (Linux fs/jffs2, mkfs.jffs2).
 *
 * A JFFS2 image is a log of nodes, each 4-byte aligned, in the byte order of
 * the target (both are common). Erase blocks are filled from the start; the
 * rest of a block is erased flash (0xff). Every node starts with
 *
 *   0  u16 magic     0x1985 (bytes 85 19 = little endian, 19 85 = big endian)
 *   2  u16 nodetype  DIRENT 0xe001, INODE 0xe002, CLEANMARKER 0x2003,
 *                    PADDING 0x2004, SUMMARY 0x2006, XATTR 0xe008, XREF 0xe009;
 *                    bit 0x2000 (ACCURATE) is cleared when a node is obsoleted,
 *                    bits 0xc000 say what an old reader does with unknown types
 *   4  u32 totlen    the whole node, header included
 *   8  u32 hdr_crc   crc32 of bytes 0..7
 *
 * JFFS2's crc32 is the kernel's crc32_le(0, ...): zlib's crc32 without the
 * initial and final inversion, i.e. crc32(0xffffffff, p, n) ^ 0xffffffff.
 *
 * DIRENT (40 + nsize bytes): 12 pino, 16 version, 20 ino (0 = unlinked),
 * 24 mctime, 28 u8 nsize, 29 u8 type (DT_*), 32 node_crc (of bytes 0..31),
 * 36 name_crc, 40 name. For each (pino, name) the highest version wins.
 *
 * INODE (68 + csize bytes): 12 ino, 16 version, 20 u32 mode (Linux S_IF*),
 * 24 u16 uid, 26 u16 gid, 28 isize, 32 atime, 36 mtime, 40 ctime, 44 offset,
 * 48 csize, 52 dsize, 56 u8 compr, 57 u8 usercompr, 58 u16 flags, 60 data_crc
 * (of the csize data bytes), 64 node_crc (of bytes 0..59), 68 data. A file's
 * content is the union of its data nodes, newer versions over older ones,
 * cut at the newest node's isize; uncovered ranges read as zeros. The newest
 * node also gives mode, uid, gid and mtime. Symlink targets and device numbers
 * are the inode's data (a device is a u16 (major << 8 | minor) or a u32 in
 * the kernel's new_encode_dev form). Compressors: NONE 0, ZERO 1, RTIME 2,
 * RUBINMIPS 3, COPY 4, DYNRUBIN 5, ZLIB 6, LZO 7, LZMA 8 (OpenWrt: raw LZMA1,
 * lc 0, lp 0, pb 0). The root directory is inode 1 and has no dirent.
 *
 * probe: the first node header must have the magic, a known node type, a
 * sane totlen and a good hdr_crc; then nodes are walked (skipping 0xff and
 * 0x00 fill, and at most 64 KiB of other bytes between nodes) to find where
 * the filesystem ends; trailing 0xff fill is included up to the erase block.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <lzo/lzo1x.h>

#include "jffs2.h"
#include "util/vec.h"

static bool jf_type_known(uint16_t type)
{
	switch (type | JF_ACCURATE) {
	case JF_NT_DIRENT:
	case JF_NT_INODE:
	case JF_NT_CLEANMARKER:
	case JF_NT_PADDING:
	case JF_NT_SUMMARY:
	case JF_NT_XATTR:
	case JF_NT_XREF:
		return true;
	default:
		return false;
	}
}

/* ---- the node walk (probe and unpack) ------------------------------------ */

struct jf_hdr {
	uint16_t type;
	uint32_t totlen;
};

/* 0 when a valid node header sits at off (its body may run past the span). */
static int jf_hdr_at(const struct gb_span *in, uint64_t off, bool be, struct jf_hdr *ret)
{
	const uint8_t *b = gb_span_at(in, off, JF_HDR_LEN);
	uint8_t h8[8];
	uint32_t totlen;

	if (!b)
		return -GB_ETRUNC;
	if (jf16(be, b) != JF_MAGIC)
		return -GB_ENOTFOUND;
	totlen = jf32(be, b + 4);
	if (totlen < JF_HDR_LEN || totlen > JF_MAX_NODE)
		return -GB_ECORRUPT;
	/* Obsoleting a node clears ACCURATE in place; the CRC covers it set. */
	memcpy(h8, b, 8);
	h8[be ? 2 : 3] |= JF_ACCURATE >> 8;
	if (jf32(be, b + 8) != jf_crc(h8, 8))
		return -GB_ECORRUPT;
	ret->type = jf16(be, b + 2);
	ret->totlen = totlen;
	return 0;
}

struct jf_walk {
	const struct gb_span *in;
	bool be;
	uint64_t pos;       /* where to look next */
	uint64_t end;       /* end of the last valid node */
	uint64_t trunc_at;  /* a node that runs past the data, or UINT64_MAX */
	uint64_t skipped;   /* bytes between nodes that were neither nodes nor fill */
	uint64_t skip_at;   /* where the first of them was */
	uint32_t steps;
};

static void jf_walk_init(struct jf_walk *w, const struct gb_span *in, bool be)
{
	w->in = in;
	w->be = be;
	w->pos = 0;
	w->end = 0;
	w->trunc_at = UINT64_MAX;
	w->skipped = 0;
	w->skip_at = 0;
	w->steps = 0;
}

/* The raw 32-bit word at off (fill detection), or -1 past the end. */
static int64_t jf_word(const struct gb_span *in, uint64_t off)
{
	uint32_t v;

	if (gb_rd_u32le(in, off, &v) < 0)
		return -1;
	return v;
}

/* Find the next valid node. 0 with *ret_off and *ret_hdr, -GB_ENOTFOUND at the
 * end of the filesystem (w->end then says where it ends). */
static int jf_walk_next(struct jf_walk *w, uint64_t *ret_off, struct jf_hdr *ret_hdr)
{
	uint64_t garbage = 0;

	while (w->steps < JF_MAX_STEPS) {
		struct jf_hdr h;
		int64_t word;
		int r;

		w->steps++;
		r = jf_hdr_at(w->in, w->pos, w->be, &h);
		if (r == -GB_ETRUNC)
			return -GB_ENOTFOUND;
		if (r == 0) {
			if (h.totlen > w->in->n - w->pos) {
				w->trunc_at = w->pos;
				return -GB_ENOTFOUND;
			}
			if (garbage && !w->skipped)
				w->skip_at = w->pos - garbage;
			w->skipped += garbage;
			*ret_off = w->pos;
			*ret_hdr = h;
			w->end = w->pos + h.totlen;
			w->pos = (w->end + 3) & ~(uint64_t)3;
			return 0;
		}
		word = jf_word(w->in, w->pos);
		if (word == 0xffffffff || word == 0) {
			while (jf_word(w->in, w->pos) == word)
				w->pos += 4;
			continue;
		}
		garbage += 4;
		if (garbage > JF_GARBAGE_WINDOW)
			return -GB_ENOTFOUND;
		w->pos += 4;
	}
	return -GB_ENOTFOUND;
}

/* The covered size: the last node's end, rounded up to the largest plausible
 * erase block (or at least to the node alignment) that the 0xff fill after it
 * reaches. */
static uint64_t jf_covered(const struct gb_span *in, uint64_t end)
{
	uint64_t fill = end;

	while (fill < in->n && fill - end < (1u << 20) && in->p[fill] == 0xff)
		fill++;
	for (uint64_t blk = 256u << 10; blk >= 4; blk >>= 1) {
		uint64_t r = (end + blk - 1) & ~(blk - 1);
		if (r <= fill)
			return r;
	}
	return end;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	struct jf_walk w;
	struct jf_hdr h;
	uint64_t off, n = 0;
	uint8_t m0;
	bool be;

	if (gb_rd_u8(in, 0, &m0) < 0)
		return -GB_ENOTFOUND;
	be = m0 == 0x19;
	if (jf_hdr_at(in, 0, be, &h) < 0 || !jf_type_known(h.type))
		return -GB_ENOTFOUND;
	jf_walk_init(&w, in, be);
	while (jf_walk_next(&w, &off, &h) == 0)
		n++;
	if (n == 0 && w.trunc_at == UINT64_MAX)
		return -GB_ENOTFOUND;
	ret->size = w.trunc_at != UINT64_MAX ? in->n : jf_covered(in, w.end);
	ret->confidence = n >= 2 ? GB_CONF_HIGH : GB_CONF_MEDIUM;
	ret->identify_only = false;
	strcpy(ret->variant, be ? "be" : "le");
	return 0;
}

/* ---- collecting nodes ---------------------------------------------------- */


static uint32_t jf_hash_ino(uint32_t ino, size_t size)
{
	return (uint32_t)((ino * 2654435761u) & (size - 1));
}

static int jf_rehash(struct jf *j)
{
	size_t size = j->hash_size ? j->hash_size * 2 : 1024;
	uint32_t *h = calloc(size, sizeof(*h));

	if (!h)
		return -GB_ENOMEM;
	for (size_t i = 0; i < j->n_inodes; i++) {
		uint32_t k = jf_hash_ino(j->inodes[i].ino, size);
		while (h[k])
			k = (k + 1) & (uint32_t)(size - 1);
		h[k] = (uint32_t)i + 1;
	}
	free(j->hash);
	j->hash = h;
	j->hash_size = size;
	return 0;
}

static struct jf_inode *jf_inode_find(const struct jf *j, uint32_t ino)
{
	if (!j->hash_size)
		return NULL;
	for (uint32_t k = jf_hash_ino(ino, j->hash_size); j->hash[k];
	     k = (k + 1) & (uint32_t)(j->hash_size - 1)) {
		struct jf_inode *e = &j->inodes[j->hash[k] - 1];
		if (e->ino == ino)
			return e;
	}
	return NULL;
}

/* The record of ino, created when missing; -GB_ELIMIT past the inode cap. */
static int jf_inode_get(struct jf *j, uint32_t ino, struct jf_inode **ret)
{
	struct jf_inode *e = jf_inode_find(j, ino);
	int r;

	if (e) {
		*ret = e;
		return 0;
	}
	if (j->n_inodes >= j->max_inodes)
		return -GB_ELIMIT;
	r = gb_grow((void **)&j->inodes, &j->cap_inodes, j->n_inodes + 1, sizeof(*j->inodes));
	if (r < 0)
		return r;
	if ((j->n_inodes + 1) * 2 > j->hash_size) {
		r = jf_rehash(j);
		if (r < 0)
			return r;
	}
	e = &j->inodes[j->n_inodes];
	memset(e, 0, sizeof(*e));
	e->ino = ino;
	e->path = -1;
	uint32_t k = jf_hash_ino(ino, j->hash_size);
	while (j->hash[k])
		k = (k + 1) & (uint32_t)(j->hash_size - 1);
	j->hash[k] = (uint32_t)++j->n_inodes;
	*ret = e;
	return 0;
}

static void jf_bad(struct jf *j, unsigned *counter, uint64_t off)
{
	if (!j->bad_hdr && !j->bad_node && !j->bad_data && !j->unsup)
		j->first_bad = off;
	(*counter)++;
}

static void jf_limit_warn(struct jf *j, const char *what)
{
	gb_fs_limit_warn(j->u, &j->limit_warned, what);
}

static int jf_add_inode_node(struct jf *j, uint64_t off, uint32_t totlen)
{
	const uint8_t *b = gb_span_at(j->in, off, JF_INODE_LEN);
	struct jf_inode *e;
	struct jf_dnode *d;
	uint32_t ino, version, csize, dsize;
	uint8_t compr;
	int r;

	if (!b || totlen < JF_INODE_LEN || jf32(j->be, b + 64) != jf_crc(b, 60)) {
		jf_bad(j, &j->bad_node, off);
		return 0;
	}
	ino = jf32(j->be, b + 12);
	version = jf32(j->be, b + 16);
	csize = jf32(j->be, b + 48);
	dsize = jf32(j->be, b + 52);
	compr = b[56];
	if (ino == 0 || csize > totlen - JF_INODE_LEN) {
		jf_bad(j, &j->bad_node, off);
		return 0;
	}
	if (csize && jf32(j->be, b + 60) != jf_crc(b + JF_INODE_LEN, csize)) {
		jf_bad(j, &j->bad_data, off);
		return 0;
	}
	r = jf_inode_get(j, ino, &e);
	if (r == -GB_ELIMIT) {
		jf_limit_warn(j, "inodes");
		return 0;
	}
	if (r < 0)
		return r;
	if (!e->have_meta || version >= e->version) {
		e->have_meta = true;
		e->version = version;
		e->mode = jf32(j->be, b + 20);
		e->uid = jf16(j->be, b + 24);
		e->gid = jf16(j->be, b + 26);
		e->isize = jf32(j->be, b + 28);
		e->mtime = jf32(j->be, b + 36);
	}
	if (dsize == 0)
		return 0;
	if (((compr == JF_COMPR_NONE || compr == JF_COMPR_COPY) && csize < dsize) ||
	    (compr != JF_COMPR_NONE && compr != JF_COMPR_COPY && compr != JF_COMPR_ZERO &&
	     dsize > JF_MAX_DSIZE)) {
		jf_bad(j, &j->bad_node, off);
		return 0;
	}
	if (j->n_dnodes >= JF_MAX_DNODES) {
		jf_limit_warn(j, "data nodes");
		return 0;
	}
	r = gb_grow((void **)&j->dnodes, &j->cap_dnodes, j->n_dnodes + 1, sizeof(*j->dnodes));
	if (r < 0)
		return r;
	d = &j->dnodes[j->n_dnodes++];
	d->data = off + JF_INODE_LEN;
	d->ino = ino;
	d->version = version;
	d->offset = jf32(j->be, b + 44);
	d->dsize = dsize;
	d->csize = csize;
	d->compr = compr;
	return 0;
}

static int jf_add_dirent(struct jf *j, uint64_t off, uint32_t totlen)
{
	const uint8_t *b = gb_span_at(j->in, off, JF_DIRENT_LEN);
	const uint8_t *name;
	struct jf_dirent *d;
	uint8_t nsize;
	int r;

	if (!b || totlen < JF_DIRENT_LEN || jf32(j->be, b + 32) != jf_crc(b, 32)) {
		jf_bad(j, &j->bad_node, off);
		return 0;
	}
	nsize = b[28];
	name = gb_span_at(j->in, off + JF_DIRENT_LEN, nsize);
	if (nsize == 0 || nsize > totlen - JF_DIRENT_LEN || !name ||
	    jf32(j->be, b + 36) != jf_crc(name, nsize)) {
		jf_bad(j, &j->bad_node, off);
		return 0;
	}
	if (j->n_dirents >= j->max_dirents) {
		jf_limit_warn(j, "directory entries");
		return 0;
	}
	r = gb_grow((void **)&j->dirents, &j->cap_dirents, j->n_dirents + 1, sizeof(*j->dirents));
	if (r < 0)
		return r;
	d = &j->dirents[j->n_dirents++];
	d->name = off + JF_DIRENT_LEN;
	d->pino = jf32(j->be, b + 12);
	d->version = jf32(j->be, b + 16);
	d->ino = jf32(j->be, b + 20);
	d->nsize = nsize;
	d->type = b[29];
	return 0;
}

static int jf_collect(struct jf *j)
{
	struct jf_walk w;
	struct jf_hdr h;
	uint64_t off;
	int r = 0;

	jf_walk_init(&w, j->in, j->be);
	while (r == 0 && jf_walk_next(&w, &off, &h) == 0) {
		if (!(h.type & JF_ACCURATE)) {
			j->obsolete++;
			continue;
		}
		if (h.type == JF_NT_INODE)
			r = jf_add_inode_node(j, off, h.totlen);
		else if (h.type == JF_NT_DIRENT)
			r = jf_add_dirent(j, off, h.totlen);
		else if (!jf_type_known(h.type) && (h.type & JF_COMPAT_MASK) == JF_INCOMPAT)
			jf_bad(j, &j->unsup, off);
	}
	if (r < 0)
		return r;
	if (w.trunc_at != UINT64_MAX)
		gb_unpack_warn(j->u, "node at 0x%llx runs past the end of the data (truncated image)",
			       (unsigned long long)w.trunc_at);
	if (w.skipped)
		gb_unpack_warn(j->u, "%llu unreadable bytes between nodes skipped (first at 0x%llx)",
			       (unsigned long long)w.skipped, (unsigned long long)w.skip_at);
	return 0;
}

/* ---- the directory tree -------------------------------------------------- */

static int jf_cmp_dirent(const void *a, const void *b, void *arg)
{
	const struct jf_dirent *x = a, *y = b;
	const struct gb_span *in = arg;
	int c;

	if (x->pino != y->pino)
		return x->pino < y->pino ? -1 : 1;
	if (x->nsize != y->nsize)
		return x->nsize < y->nsize ? -1 : 1;
	c = memcmp(in->p + x->name, in->p + y->name, x->nsize);
	if (c)
		return c;
	if (x->version != y->version)
		return x->version > y->version ? -1 : 1; /* newest first */
	return x->name > y->name ? -1 : x->name < y->name;
}

/* Keep the newest dirent of each (pino, name); drop unlinked ones. The rest
 * stays sorted by pino. */
static void jf_resolve_dirents(struct jf *j)
{
	size_t out = 0;

	if (j->n_dirents)
		qsort_r(j->dirents, j->n_dirents, sizeof(*j->dirents), jf_cmp_dirent,
			(void *)j->in);
	for (size_t i = 0; i < j->n_dirents; i++) {
		const struct jf_dirent *d = &j->dirents[i];
		if (i > 0 && d->pino == j->dirents[i - 1].pino && d->nsize == j->dirents[i - 1].nsize &&
		    !memcmp(j->in->p + d->name, j->in->p + j->dirents[i - 1].name, d->nsize))
			continue;
		if (d->ino != 0)
			j->dirents[out++] = *d;
	}
	j->n_dirents = out;
}

/* First dirent whose parent is pino (or n_dirents). */
static size_t jf_children(const struct jf *j, uint32_t pino)
{
	return GB_LOWER_BOUND(j->dirents, j->n_dirents, pino, pino);
}

static int jf_add_path(struct jf *j, const char *path, size_t len, size_t *ret)
{
	return gb_strpool_add(&j->paths, &j->n_paths, &j->cap_paths, path, len, ret);
}

static int jf_add_job(struct jf *j, struct jf_job **v, size_t *n, size_t *cap, uint32_t inode,
		      const char *path, size_t len)
{
	size_t off;
	int r = jf_add_path(j, path, len, &off);

	if (r < 0)
		return r;
	r = gb_grow((void **)v, cap, *n + 1, sizeof(**v));
	if (r < 0)
		return r;
	(*v)[*n].inode = inode;
	(*v)[*n].path = off;
	(*n)++;
	return 0;
}

/* The data of the inode's newest data node, at most max bytes (symlink
 * targets, device numbers). */
static int jf_small_data(const struct jf *j, const struct jf_inode *e, uint8_t *buf, size_t max,
			 size_t *ret_len)
{
	const struct jf_dnode *best = NULL;
	struct jf_dec dec = {0};
	const uint8_t *data;
	int r;

	for (uint32_t i = 0; i < e->count; i++) {
		const struct jf_dnode *n = &j->dnodes[e->first + i];
		if (!best || n->version > best->version)
			best = n;
	}
	if (!best || best->compr == JF_COMPR_ZERO)
		return -GB_ENOTFOUND;
	r = gb__jf_node_data(j, &dec, best, &data);
	if (r == 0) {
		*ret_len = best->dsize < max ? best->dsize : max;
		memcpy(buf, data, *ret_len);
	}
	gb__jf_dec_fini(&dec);
	return r;
}

static int jf_emit_special(struct jf *j, const struct jf_inode *e, struct gb_entry *ent)
{
	uint8_t buf[JF_MAX_TARGET + 1];
	size_t len = 0;
	int r;

	switch (e->mode & GB_S_IFMT) {
	case GB_S_IFLNK:
		ent->type = GB_FT_SYMLINK;
		r = jf_small_data(j, e, buf, JF_MAX_TARGET, &len);
		if (r == -GB_ENOMEM)
			return r;
		if (r < 0 || len == 0) {
			gb_unpack_warn(j->u, "%s: symlink target unreadable", ent->path);
			return 0;
		}
		buf[len] = 0;
		ent->target = (const char *)buf;
		break;
	case GB_S_IFCHR:
	case GB_S_IFBLK:
		ent->type = (e->mode & GB_S_IFMT) == GB_S_IFCHR ? GB_FT_CHARDEV : GB_FT_BLOCKDEV;
		r = jf_small_data(j, e, buf, 4, &len);
		if (r == -GB_ENOMEM)
			return r;
		if (len == 2) {
			uint16_t v = jf16(j->be, buf);
			ent->major = v >> 8;
			ent->minor = v & 0xff;
		} else if (len == 4) {
			uint32_t v = jf32(j->be, buf);
			gb_fs_decode_dev(v, ent);
		} else {
			gb_unpack_warn(j->u, "%s: device number unreadable", ent->path);
		}
		break;
	case GB_S_IFIFO:
		ent->type = GB_FT_FIFO;
		break;
	case GB_S_IFSOCK:
		ent->type = GB_FT_SOCKET;
		break;
	default:
		gb_unpack_warn(j->u, "%s: unknown file type (mode 0%o)", ent->path, e->mode);
		return 0;
	}
	return gb_unpack_entry(j->u, ent);
}

/* One dirent: emit it (dirs, links, specials now; files are queued). Sets
 * *ret_descend when it is a directory to walk into. */
static int jf_emit(struct jf *j, const struct jf_dirent *d, const char *path, size_t len,
		   bool *ret_descend)
{
	struct jf_inode *e = jf_inode_find(j, d->ino);
	struct gb_entry ent = {.path = path};
	int r;

	*ret_descend = false;
	if ((!e || !e->have_meta) && d->type == JF_DT_DIR) {
		r = jf_inode_get(j, d->ino, &e);
		if (r < 0)
			return r == -GB_ELIMIT ? 0 : r;
		e->have_meta = true;
		e->mode = GB_S_IFDIR | 0755;
	}
	if (!e || !e->have_meta) {
		j->dropped++;
		return 0;
	}
	ent.mode = e->mode & 07777;
	ent.uid = e->uid;
	ent.gid = e->gid;
	ent.mtime = e->mtime;
	if ((e->mode & GB_S_IFMT) == GB_S_IFDIR) {
		if (e->visited || e->ino == JF_ROOT_INO) {
			gb_unpack_warn(j->u, "%s: second link to directory inode %u ignored", path, e->ino);
			return 0;
		}
		e->visited = true;
		ent.type = GB_FT_DIR;
		*ret_descend = true;
		return gb_unpack_entry(j->u, &ent);
	}
	if ((e->mode & GB_S_IFMT) == GB_S_IFREG) {
		uint32_t idx = (uint32_t)(e - j->inodes);
		if (e->visited)
			return jf_add_job(j, &j->links, &j->n_links, &j->cap_links, idx, path, len);
		e->visited = true;
		r = jf_add_job(j, &j->jobs, &j->n_jobs, &j->cap_jobs, idx, path, len);
		if (r == 0)
			e->path = (int64_t)j->jobs[j->n_jobs - 1].path;
		return r;
	}
	return jf_emit_special(j, e, &ent);
}

static uint64_t jf_tree_parent(void *ctx, size_t i)
{
	return ((const struct jf *)ctx)->dirents[i].pino;
}

static uint64_t jf_tree_ino(void *ctx, size_t i)
{
	return ((const struct jf *)ctx)->dirents[i].ino;
}

static const uint8_t *jf_tree_name(void *ctx, size_t i, size_t *len)
{
	const struct jf *j = ctx;

	*len = j->dirents[i].nsize;
	return j->in->p + j->dirents[i].name;
}

static size_t jf_tree_first(void *ctx, uint64_t parent)
{
	return jf_children(ctx, (uint32_t)parent);
}

static int jf_tree_emit(void *ctx, size_t i, const char *path, size_t len, bool *descend)
{
	struct jf *j = ctx;

	return jf_emit(j, &j->dirents[i], path, len, descend);
}

/* Depth-first walk from the root: parents are emitted before children. */
static int jf_walk_tree(struct jf *j)
{
	const struct gb_fs_tree t = {j->u, j->n_dirents, j, jf_tree_parent, jf_tree_ino,
				     jf_tree_name, jf_tree_first, jf_tree_emit, &j->limit_warned};

	return gb_fs_walk_tree(&t, JF_ROOT_INO);
}

static int jf_emit_links(struct jf *j)
{
	for (size_t i = 0; i < j->n_links; i++) {
		const struct jf_inode *e = &j->inodes[j->links[i].inode];
		struct gb_entry ent = {
			.path = j->paths + j->links[i].path,
			.type = GB_FT_HARDLINK,
			.mode = e->mode & 07777,
			.uid = e->uid,
			.gid = e->gid,
			.size = e->isize,
			.mtime = e->mtime,
			.target = j->paths + e->path,
		};
		int r = gb_unpack_entry(j->u, &ent);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Data nodes sorted by (ino, offset); each inode gets its range. */
static void jf_index_dnodes(struct jf *j)
{
	if (j->n_dnodes)
		gb_qsort(j->dnodes, j->n_dnodes, sizeof(*j->dnodes), gb__jf_cmp_dnode);
	for (size_t i = 0; i < j->n_dnodes;) {
		size_t k = i;
		while (k < j->n_dnodes && j->dnodes[k].ino == j->dnodes[i].ino)
			k++;
		struct jf_inode *e = jf_inode_find(j, j->dnodes[i].ino);
		if (e) {
			e->first = (uint32_t)i;
			e->count = (uint32_t)(k - i);
		}
		i = k;
	}
}

static void jf_report(struct jf *j)
{
	if (j->bad_node)
		gb_unpack_warn(j->u, "%u node(s) with a bad node CRC or fields skipped", j->bad_node);
	if (j->bad_data)
		gb_unpack_warn(j->u, "%u node(s) with a bad data CRC skipped", j->bad_data);
	if (j->unsup)
		gb_unpack_warn(j->u, "%u node(s) of an unknown incompatible type skipped", j->unsup);
	if (j->bad_node || j->bad_data || j->unsup)
		gb_unpack_warn(j->u, "first skipped node at 0x%llx", (unsigned long long)j->first_bad);
	if (j->dropped)
		gb_unpack_warn(j->u, "%u directory entries point to inodes without nodes", j->dropped);
}

static void jf_free(struct jf *j)
{
	free(j->dnodes);
	free(j->inodes);
	free(j->hash);
	free(j->dirents);
	free(j->paths);
	free(j->jobs);
	free(j->links);
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	const struct gb_limits *lim = gb_unpack_limits(u);
	struct jf j = {.u = u, .in = in, .be = in->n > 0 && in->p[0] == 0x19};
	int r;

	if (lzo_init() != LZO_E_OK)
		return gb_unpack_fail(u, -GB_EUNSUP, "liblzo2 failed to initialise");
	j.max_inodes = in->n / JF_INODE_LEN + 1;
	if (j.max_inodes > (size_t)lim->max_entries * 4 + 16)
		j.max_inodes = (size_t)lim->max_entries * 4 + 16;
	j.max_dirents = (size_t)lim->max_entries * 8 + 16;
	r = jf_collect(&j);
	if (r == 0) {
		jf_index_dnodes(&j);
		jf_resolve_dirents(&j);
		if (j.n_dirents == 0)
			gb_unpack_warn(u, "no directory entries (empty or erased filesystem)");
		r = jf_walk_tree(&j);
	}
	if (r == 0 && j.n_jobs)
		r = gb_unpack_parallel(u, j.n_jobs, gb__jf_job_run, &j);
	if (r == 0)
		r = jf_emit_links(&j);
	jf_report(&j);
	jf_free(&j);
	if (r == -GB_ENOMEM)
		return gb_unpack_fail(u, r, "out of memory");
	return r;
}

static const struct gb_magic magics[] = {
	GB_MAGIC("\x85\x19", 0),
	GB_MAGIC("\x19\x85", 0),
};

const struct gb_format gb__fmt_jffs2 = {
	.name = "jffs2",
	.description = "JFFS2 flash filesystem (both byte orders)",
	.kind = GB_KIND_FILESYSTEM,
	.magics = magics,
	.n_magics = sizeof(magics) / sizeof(magics[0]),
	.probe = probe,
	.unpack = unpack,
};
