/* extfs: the ext2, ext3 and ext4 filesystems.
 *
 * Layout: the superblock sits at byte 1024 of the filesystem, little-endian;
 * the fields probe reads (offsets from the superblock):
 *     0  u32 s_inodes_count            40  u32 s_inodes_per_group
 *     4  u32 s_blocks_count_lo         56  u16 s_magic 0xEF53
 *    20  u32 s_first_data_block        76  u32 s_rev_level (0 or 1)
 *    24  u32 s_log_block_size (block = 1024 << n, n <= 6)
 *    28  u32 s_log_cluster_size        84  u32 s_first_ino (rev 1)
 *    32  u32 s_blocks_per_group        88  u16 s_inode_size (rev 1)
 *    36  u32 s_clusters_per_group      92  u32 s_feature_compat (0x4: journal)
 *    96  u32 s_feature_incompat (0x40 extents, 0x80 64bit, 0x8000 inline data)
 *   100  u32 s_feature_ro_compat (0x200 bigalloc)
 *   254  u16 s_desc_size (64bit)      336  u32 s_blocks_count_hi (64bit)
 * Block groups follow, each with bitmaps and an inode table; group
 * descriptors follow the superblock's block. Directories, extent trees,
 * inline data and block maps are read by libext2fs.
 *
 * probe checks: the magic, block size <= 64 KiB, revision <= 1, non-zero
 * counts, blocks and inodes per group within one bitmap block, the first
 * data block consistent with the block size, groups * inodes_per_group ==
 * s_inodes_count (what ext2fs_open checks), the inode size and descriptor
 * size. The size is blocks_count * block size, cut to the span when the image
 * is truncated (unpack then warns). variant: ext4 when any ext4-only feature is
 * set, ext3 with a journal, else ext2.
 *
 * unpack opens the image through a read-only io_manager over the mapped span
 * (no copy), walks the tree with ext2fs_dir_iterate2, and writes regular files
 * straight from the span by walking their extents or block maps (inline-data
 * files through ext2fs_file_read), several files at once, each worker with its
 * own ext2_filsys handle.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extfs.h"
#include "fsutil.h"
#include "util/vec.h"

static bool pow2(uint32_t v) { return v && !(v & (v - 1)); }

/* Decode and check the superblock: 0, or -GB_ENOTFOUND. */
static int read_super(const struct gb_span *in, struct ex_super *s)
{
	const uint8_t *p = gb_span_at(in, SB_OFF, SB_LEN);

	if (!p || gb_le16(p + 56) != 0xEF53)
		return -GB_ENOTFOUND;
	s->inodes = gb_le32(p);
	s->blocks = gb_le32(p + 4);
	s->first_data = gb_le32(p + 20);
	s->log_bs = gb_le32(p + 24);
	s->log_cs = gb_le32(p + 28);
	s->bpg = gb_le32(p + 32);
	s->cpg = gb_le32(p + 36);
	s->ipg = gb_le32(p + 40);
	s->rev = gb_le32(p + 76);
	s->first_ino = s->rev ? gb_le32(p + 84) : 11;
	s->inode_size = s->rev ? gb_le16(p + 88) : 128;
	s->compat = s->rev ? gb_le32(p + 92) : 0;
	s->incompat = s->rev ? gb_le32(p + 96) : 0;
	s->ro_compat = s->rev ? gb_le32(p + 100) : 0;
	s->desc_size = 32;
	if (s->incompat & F_INCOMPAT_64BIT) {
		s->blocks |= (uint64_t)gb_le32(p + 336) << 32;
		s->desc_size = gb_le16(p + 254);
	}
	if (s->log_bs > 6 || s->rev > 1)
		return -GB_ENOTFOUND;
	s->bs = 1024U << s->log_bs;
	if (!s->inodes || !s->ipg || s->ipg > 8 * s->bs || !s->bpg || !s->blocks)
		return -GB_ENOTFOUND;
	if (s->ro_compat & F_RO_BIGALLOC) {
		if (s->log_cs < s->log_bs || s->log_cs > s->log_bs + 16 || !s->cpg ||
		    s->cpg > 8 * s->bs)
			return -GB_ENOTFOUND;
	} else if (s->bpg > 8 * s->bs) {
		return -GB_ENOTFOUND;
	}
	/* block 0 holds the superblock, unless blocks are 1 KiB (not bigalloc) */
	if (s->first_data != (s->bs == 1024 && !(s->ro_compat & F_RO_BIGALLOC)) ||
	    s->first_data >= s->blocks)
		return -GB_ENOTFOUND;
	s->groups = (s->blocks - s->first_data + s->bpg - 1) / s->bpg;
	if (s->groups * s->ipg != s->inodes)
		return -GB_ENOTFOUND;
	if (s->rev && (!pow2(s->inode_size) || s->inode_size < 128 || s->inode_size > s->bs ||
		       s->first_ino < 11 || s->first_ino > s->inodes))
		return -GB_ENOTFOUND;
	if ((s->incompat & F_INCOMPAT_64BIT) &&
	    (!pow2(s->desc_size) || s->desc_size < 32 || s->desc_size > 1024))
		return -GB_ENOTFOUND;
	return 0;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	struct ex_super s;
	uint64_t size;
	const char *variant = "ext2";

	if (read_super(in, &s) < 0 || gb_mul_u64(s.blocks, s.bs, &size) < 0)
		return -GB_ENOTFOUND;
	if ((s.incompat & F_INCOMPAT_EXT4) || (s.ro_compat & F_RO_EXT4))
		variant = "ext4";
	else if (s.compat & F_COMPAT_JOURNAL)
		variant = "ext3";
	memset(ret, 0, sizeof(*ret));
	ret->size = size <= in->n ? size : in->n;
	ret->confidence = size <= in->n ? GB_CONF_HIGH : GB_CONF_MEDIUM;
	snprintf(ret->variant, sizeof(ret->variant), "%s", variant);
	return 0;
}

/* --- the directory walk ---------------------------------------------------- */

static size_t map_slot(const struct ex_map *m, uint32_t key)
{
	size_t i = (size_t)(key * 0x9E3779B1U) & (m->cap - 1);

	while (m->keys[i] && m->keys[i] != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

/* The value for key, or SIZE_MAX after inserting (key, val). */
static int map_get_or_add(struct ex_map *m, uint32_t key, size_t val, size_t *ret)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		struct ex_map b = {NULL, NULL, 0, m->cap ? m->cap * 2 : 256};

		b.keys = calloc(b.cap, sizeof(*b.keys));
		b.vals = calloc(b.cap, sizeof(*b.vals));
		if (!b.keys || !b.vals) {
			free(b.keys);
			free(b.vals);
			return -GB_ENOMEM;
		}
		for (size_t j = 0; j < m->cap; j++) {
			if (m->keys[j]) {
				i = map_slot(&b, m->keys[j]);
				b.keys[i] = m->keys[j];
				b.vals[i] = m->vals[j];
			}
		}
		b.n = m->n;
		free(m->keys);
		free(m->vals);
		*m = b;
	}
	i = map_slot(m, key);
	if (m->keys[i]) {
		*ret = m->vals[i];
		return 0;
	}
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
	*ret = SIZE_MAX;
	return 0;
}

static int pool_add(struct ex_walk *w, const char *s, size_t len, size_t *ret)
{
	if (gb_grow((void **)&w->pool, &w->pool_cap, w->pool_len + len + 1, 1) < 0)
		return -GB_ENOMEM;
	memcpy(w->pool + w->pool_len, s, len);
	w->pool[w->pool_len + len] = '\0';
	*ret = w->pool_len;
	w->pool_len += len + 1;
	return 0;
}

static int list_add(struct ex_list *l, uint32_t ino, size_t path, size_t target, uint64_t size)
{
	if (gb_grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v)) < 0)
		return -GB_ENOMEM;
	l->v[l->n++] = (struct ex_ent){ino, path, target, size};
	return 0;
}

/* Read the target of a slow or inline-data symlink through libext2fs. */
static errcode_t read_link_file(ext2_filsys fs, ext2_ino_t ino, struct ext2_inode *inode,
				char *buf, unsigned len)
{
	ext2_file_t file;
	unsigned got = 0;
	errcode_t e = ext2fs_file_open2(fs, ino, inode, 0, &file);

	if (e)
		return e;
	e = ext2fs_file_read(file, buf, len, &got);
	ext2fs_file_close(file);
	return e ? e : got == len ? 0 : EXT2_ET_SHORT_READ;
}

static int emit_symlink(struct ex_walk *w, ext2_ino_t ino, struct ext2_inode *inode,
			struct gb_entry *e)
{
	uint64_t len = EXT2_I_SIZE(inode);
	char *target;
	int r;

	if (len > LINK_MAX_LEN) {
		gb__extfs_warn(w->img, e->path, "symlink target longer than 64 KiB, skipped");
		return 0;
	}
	target = malloc(len + 1);
	if (!target)
		return -GB_ENOMEM;
	if (ext2fs_is_fast_symlink(inode)) {
		memcpy(target, inode->i_block, len);
	} else if (read_link_file(w->fs, ino, inode, target, (unsigned)len) != 0) {
		free(target);
		gb__extfs_warn(w->img, e->path, "symlink target unreadable");
		return 0;
	}
	target[len] = '\0';
	e->target = target;
	r = gb_unpack_entry(w->img->u, e);
	free(target);
	return r;
}

static void dev_numbers(const struct ext2_inode *inode, struct gb_entry *e)
{
	uint32_t dev = inode->i_block[0];

	if (dev) { /* old 8:8 encoding */
		e->major = (dev >> 8) & 0xFF;
		e->minor = dev & 0xFF;
	} else {
		dev = inode->i_block[1];
		gb_fs_decode_dev(dev, e);
	}
}

static int walk_dir(struct ex_walk *w, ext2_ino_t ino, size_t plen);

/* A regular file: queued for extraction, or, when its inode was seen before,
 * queued as a hard link to its first path. */
static int add_file(struct ex_walk *w, ext2_ino_t ino, struct ext2_inode *inode, size_t plen)
{
	size_t first = SIZE_MAX, path;
	int r = pool_add(w, w->path, plen, &path);

	if (r == 0 && inode->i_links_count > 1)
		r = map_get_or_add(&w->seen, ino, path, &first);
	if (r < 0)
		return r;
	if (first != SIZE_MAX)
		return list_add(&w->links, ino, path, first, 0);
	return list_add(&w->files, ino, path, SIZE_MAX, EXT2_I_SIZE(inode));
}

static int visit(struct ex_walk *w, ext2_ino_t ino, size_t plen)
{
	struct ext2_inode_large big;
	struct ext2_inode *inode = (struct ext2_inode *)&big;
	struct gb_entry e;
	size_t dummy;
	int r;

	if (++w->n_entries > w->max_entries)
		return gb_unpack_fail(w->img->u, -GB_ELIMIT, "extfs: more than %zu entries",
				      w->max_entries);
	if (ext2fs_read_inode_full(w->fs, ino, inode, sizeof(big)) != 0) {
		gb__extfs_warn(w->img, w->path, "inode unreadable");
		return 0;
	}
	memset(&e, 0, sizeof(e));
	e.path = w->path;
	e.mode = inode->i_mode & 07777;
	e.uid = inode_uid(*inode);
	e.gid = inode_gid(*inode);
	e.mtime = (int32_t)inode->i_mtime;
	if (LINUX_S_ISDIR(inode->i_mode)) {
		e.type = GB_FT_DIR;
		r = gb_unpack_entry(w->img->u, &e);
		if (r == 0)
			r = map_get_or_add(&w->seen, ino, 0, &dummy);
		if (r < 0)
			return r;
		if (dummy != SIZE_MAX) {
			gb__extfs_warn(w->img, w->path, "directory appears twice (loop), not descended");
			return 0;
		}
		return walk_dir(w, ino, plen);
	}
	switch (inode->i_mode & LINUX_S_IFMT) {
	case LINUX_S_IFREG:
		return add_file(w, ino, inode, plen);
	case LINUX_S_IFLNK:
		e.type = GB_FT_SYMLINK;
		return emit_symlink(w, ino, inode, &e);
	case LINUX_S_IFCHR:
	case LINUX_S_IFBLK:
		e.type = LINUX_S_ISCHR(inode->i_mode) ? GB_FT_CHARDEV : GB_FT_BLOCKDEV;
		dev_numbers(inode, &e);
		return gb_unpack_entry(w->img->u, &e);
	case LINUX_S_IFIFO:
		e.type = GB_FT_FIFO;
		return gb_unpack_entry(w->img->u, &e);
	case LINUX_S_IFSOCK:
		e.type = GB_FT_SOCKET;
		return gb_unpack_entry(w->img->u, &e);
	default:
		gb__extfs_warn(w->img, w->path, "inode of unknown type, skipped");
		return 0;
	}
}

static int on_dirent(ext2_ino_t dir, int entry, struct ext2_dir_entry *d, int offset,
		     int blocksize, char *buf, void *priv)
{
	struct ex_walk *w = priv;
	size_t plen = w->plen, pos = plen ? plen + 1 : 0;
	int nlen = ext2fs_dirent_name_len(d);
	int r;

	/* empty entries are counted too: they bound the blocks a hostile
	 * directory makes us read */
	if (++w->n_dirents > w->max_dirents) {
		w->dirents_capped = true;
		return DIRENT_ABORT;
	}
	if (entry == DIRENT_DOT_FILE || entry == DIRENT_DOT_DOT_FILE || d->inode == 0)
		return 0;
	if ((nlen == 1 && d->name[0] == '.') || (nlen == 2 && !memcmp(d->name, "..", 2)))
		return 0;
	if (plen)
		w->path[plen] = '/';
	memcpy(w->path + pos, d->name, (size_t)nlen);
	w->path[pos + nlen] = '\0';
	r = visit(w, d->inode, pos + (size_t)nlen);
	w->plen = plen;
	w->path[plen] = '\0';
	if (r < 0) {
		w->err = r;
		return DIRENT_ABORT;
	}
	return 0;
}

/* List directory `ino` whose path is w->path[0..plen). */
static int walk_dir(struct ex_walk *w, ext2_ino_t ino, size_t plen)
{
	size_t save = w->plen;
	errcode_t e;

	if (w->depth >= DEPTH_MAX) {
		gb__extfs_warn(w->img, w->path, "directories nested too deep, not descended");
		return 0;
	}
	w->depth++;
	w->plen = plen;
	e = ext2fs_dir_iterate2(w->fs, ino, DIRENT_FLAG_INCLUDE_EMPTY, NULL, on_dirent, w);
	w->plen = save;
	w->depth--;
	if (w->err < 0)
		return w->err;
	if (w->dirents_capped) {
		w->path[plen] = '\0';
		gb__extfs_warn(w->img, plen ? w->path : "/", "more than %zu directory slots, listing stopped",
			 w->max_dirents);
	} else if (e) {
		w->path[plen] = '\0';
		gb__extfs_warn(w->img, plen ? w->path : "/", "directory unreadable: %s (libext2fs code %ld)",
			 gb__extfs_strerror(e), (long)(e - EXT2_ET_BASE));
	}
	return 0;
}

static int emit_links(struct ex_walk *w)
{
	for (size_t i = 0; i < w->links.n; i++) {
		struct gb_entry e = {
			.path = w->pool + w->links.v[i].path,
			.type = GB_FT_HARDLINK,
			.target = w->pool + w->links.v[i].target,
		};
		int r = gb_unpack_entry(w->img->u, &e);

		if (r < 0)
			return r;
	}
	return 0;
}

/* --- unpack ------------------------------------------------------------------ */

static int open_image(struct ex_img *img, struct ex_walk *w, struct gb_unpack *u,
		      const struct gb_span *in)
{
	uint64_t size, gdt;
	errcode_t e;

	img->u = u;
	img->in = *in;
	if (read_super(in, &img->sb) < 0 || gb_mul_u64(img->sb.blocks, img->sb.bs, &size) < 0)
		return gb_unpack_fail(u, -GB_ECORRUPT, "extfs: superblock no longer valid");
	if (size > in->n)
		gb_unpack_warn(u, "extfs: image truncated: %llu blocks of %u bytes declared, "
			       "%zu bytes present", (unsigned long long)img->sb.blocks, img->sb.bs,
			       in->n);
	/* the group descriptors libext2fs allocates must be in the image */
	if (gb_mul_u64(img->sb.groups, img->sb.desc_size, &gdt) < 0 || gdt > in->n)
		return gb_unpack_fail(u, -GB_ECORRUPT,
				      "extfs: %llu block groups do not fit in the image",
				      (unsigned long long)img->sb.groups);
	snprintf(img->name, sizeof(img->name), "gbspan:%" PRIxPTR ":%zx", (uintptr_t)in->p, in->n);
	e = gb__extfs_open(img, &w->fs);
	if (e)
		return gb_unpack_fail(u, -GB_ECORRUPT,
				      "extfs: cannot open the filesystem: %s (libext2fs code %ld)",
				      gb__extfs_strerror(e), (long)(e - EXT2_ET_BASE));
	return 0;
}

static void close_image(struct ex_img *img, struct ex_walk *w)
{
	for (size_t i = 0; i < img->n_pool; i++)
		ext2fs_close_free(&img->pool[i]);
	free(img->pool);
	if (w->fs)
		ext2fs_close_free(&w->fs);
	free(w->files.v);
	free(w->links.v);
	free(w->pool);
	free(w->seen.keys);
	free(w->seen.vals);
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct ex_img img = {0};
	struct ex_walk *w = calloc(1, sizeof(*w));
	size_t dummy;
	int r;

	if (!w)
		return -GB_ENOMEM;
	pthread_mutex_init(&img.lock, NULL);
	w->img = &img;
	w->max_entries = gb_unpack_limits(u)->max_entries;
	w->max_dirents = 16 * w->max_entries + 65536;
	r = open_image(&img, w, u, in);
	if (r == 0)
		r = map_get_or_add(&w->seen, EXT2_ROOT_INO, 0, &dummy);
	if (r == 0)
		r = walk_dir(w, EXT2_ROOT_INO, 0);
	if (r == 0)
		r = gb__extfs_extract_files(w);
	if (r == 0)
		r = emit_links(w);
	if (r == -GB_ENOMEM)
		gb_unpack_fail(u, r, "extfs: out of memory");
	if (img.n_warn > WARN_MAX)
		gb_unpack_warn(u, "extfs: %u more problems not listed", img.n_warn - WARN_MAX);
	close_image(&img, w);
	pthread_mutex_destroy(&img.lock);
	free(w);
	return r;
}

static const struct gb_magic magics[] = {
	GB_MAGIC("\x53\xef", 0x438),
};

const struct gb_format gb__fmt_extfs = {
	.name = "extfs",
	.description = "ext2/ext3/ext4 filesystem",
	.kind = GB_KIND_FILESYSTEM,
	.magics = magics,
	.n_magics = 1,
	.probe = probe,
	.unpack = unpack,
};
