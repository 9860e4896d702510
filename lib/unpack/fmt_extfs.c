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

#include <ext2fs/ext2_fs.h>
#include <ext2fs/ext2fs.h>

#include <glassbox/sys/format.h>

#define SB_OFF 1024
#define SB_LEN 1024
#define DEPTH_MAX 256
#define NAME_MAX_LEN 255
#define PATH_CAP (DEPTH_MAX * (NAME_MAX_LEN + 1) + 2)
#define LINK_MAX_LEN 65536
#define WARN_MAX 32
#define ZERO_LEN 65536
#define IO_CHUNK (256 * 1024)

#define F_COMPAT_JOURNAL 0x4U
#define F_INCOMPAT_64BIT 0x80U
#define F_INCOMPAT_EXT4 0x3F7C0U /* extents, 64bit, mmp, flex_bg, ea_inode, dirdata,
				  * csum_seed, largedir, inline_data, encrypt, casefold */
#define F_RO_BIGALLOC 0x200U
#define F_RO_EXT4 0x7F8U /* huge_file, gdt_csum, dir_nlink, extra_isize, quota,
			  * bigalloc, metadata_csum, replica */

static const uint8_t zeros[ZERO_LEN];

struct ex_super {
	uint32_t inodes, first_data, log_bs, log_cs, bpg, cpg, ipg, rev, first_ino;
	uint32_t compat, incompat, ro_compat;
	uint16_t inode_size, desc_size;
	uint64_t blocks, groups;
	uint32_t bs;
};

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

/* --- a read-only io_manager over the mapped span -------------------------- */

/* The channel's name carries the span: "gbspan:<address>:<length>" in hex. */
static errcode_t span_open(const char *name, int flags, io_channel *ret);

static errcode_t span_close(io_channel ch)
{
	if (--ch->refcount > 0)
		return 0;
	free(ch->private_data);
	free(ch->name);
	free(ch);
	return 0;
}

static errcode_t span_set_blksize(io_channel ch, int blksize)
{
	if (blksize <= 0)
		return EXT2_ET_INVALID_ARGUMENT;
	ch->block_size = blksize;
	return 0;
}

static errcode_t span_read_blk64(io_channel ch, unsigned long long block, int count, void *data)
{
	const struct gb_span *in = ch->private_data;
	uint64_t off, len = count < 0 ? (uint64_t)(-(int64_t)count)
				      : (uint64_t)count * (uint64_t)ch->block_size;
	uint64_t have;

	if (gb_mul_u64(block, (uint64_t)ch->block_size, &off) < 0 || off >= in->n) {
		memset(data, 0, len);
		return EXT2_ET_SHORT_READ;
	}
	have = in->n - off < len ? in->n - off : len;
	memcpy(data, in->p + off, have);
	if (have < len) {
		memset((uint8_t *)data + have, 0, len - have);
		return EXT2_ET_SHORT_READ;
	}
	return 0;
}

static errcode_t span_read_blk(io_channel ch, unsigned long block, int count, void *data)
{
	return span_read_blk64(ch, block, count, data);
}

static errcode_t span_write_blk(io_channel ch, unsigned long block, int count, const void *data)
{
	return EXT2_ET_RO_FILSYS;
}

static errcode_t span_write_blk64(io_channel ch, unsigned long long block, int count,
				  const void *data)
{
	return EXT2_ET_RO_FILSYS;
}

static errcode_t span_write_byte(io_channel ch, unsigned long off, int count, const void *data)
{
	return EXT2_ET_RO_FILSYS;
}

static errcode_t span_flush(io_channel ch)
{
	return 0;
}

static errcode_t span_set_option(io_channel ch, const char *opt, const char *arg)
{
	return EXT2_ET_INVALID_ARGUMENT;
}

static struct struct_io_manager span_io_manager = {
	.magic = EXT2_ET_MAGIC_IO_MANAGER,
	.name = "glassbox span I/O manager",
	.open = span_open,
	.close = span_close,
	.set_blksize = span_set_blksize,
	.read_blk = span_read_blk,
	.write_blk = span_write_blk,
	.flush = span_flush,
	.write_byte = span_write_byte,
	.set_option = span_set_option,
	.read_blk64 = span_read_blk64,
	.write_blk64 = span_write_blk64,
};

static errcode_t span_open(const char *name, int flags, io_channel *ret)
{
	uintptr_t addr;
	size_t len;
	io_channel ch;
	struct gb_span *in;

	if (!name || sscanf(name, "gbspan:%" SCNxPTR ":%zx", &addr, &len) != 2)
		return EXT2_ET_BAD_DEVICE_NAME;
	if (flags & IO_FLAG_RW)
		return EXT2_ET_RO_FILSYS;
	ch = calloc(1, sizeof(*ch));
	in = malloc(sizeof(*in));
	if (!ch || !in || !(ch->name = strdup(name))) {
		free(ch);
		free(in);
		return EXT2_ET_NO_MEMORY;
	}
	*in = gb_span_make((const void *)addr, len);
	ch->magic = EXT2_ET_MAGIC_IO_CHANNEL;
	ch->manager = &span_io_manager;
	ch->block_size = 1024;
	ch->refcount = 1;
	ch->private_data = in;
	*ret = ch;
	return 0;
}

static const char *ext2_strerror(errcode_t e)
{
	switch (e) {
	case EXT2_ET_SHORT_READ:
		return "read past the end of the image";
	case EXT2_ET_CORRUPT_SUPERBLOCK:
		return "corrupt superblock";
	case EXT2_ET_UNSUPP_FEATURE:
		return "unsupported feature";
	case EXT2_ET_BAD_MAGIC:
		return "bad magic";
	case EXT2_ET_NO_MEMORY:
		return "out of memory";
	case EXT2_ET_DIR_CORRUPTED:
		return "directory corrupted";
	case EXT2_ET_BAD_INODE_NUM:
		return "bad inode number";
	case EXT2_ET_BAD_BLOCK_NUM:
		return "bad block number";
	case EXT2_ET_BAD_IND_BLOCK:
	case EXT2_ET_BAD_DIND_BLOCK:
	case EXT2_ET_BAD_TIND_BLOCK:
		return "bad indirect block";
	case EXT2_ET_EXTENT_HEADER_BAD:
		return "bad extent header";
	default:
		return "libext2fs error";
	}
}

/* --- the image ------------------------------------------------------------ */

struct ex_img {
	struct gb_unpack *u;
	struct gb_span in;
	struct ex_super sb;
	char name[64]; /* the io_manager name of the span */
	unsigned n_warn; /* atomic */
	int stop;        /* atomic: a writer error, every worker stops */
	pthread_mutex_t lock; /* the handle pool */
	ext2_filsys *pool;
	size_t n_pool, cap_pool;
};

static void img_warn(struct ex_img *img, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Report a per-entry problem; past WARN_MAX they are only counted. */
static void img_warn(struct ex_img *img, const char *path, const char *fmt, ...)
{
	unsigned n = __atomic_fetch_add(&img->n_warn, 1, __ATOMIC_RELAXED);
	char msg[160];
	va_list ap;

	if (n >= WARN_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	gb_unpack_warn(img->u, "extfs: \"%s\": %s", path, msg);
}

static errcode_t fs_open(struct ex_img *img, ext2_filsys *ret)
{
	return ext2fs_open2(img->name, NULL,
			    EXT2_FLAG_64BITS | EXT2_FLAG_SKIP_MMP | EXT2_FLAG_IGNORE_CSUM_ERRORS, 0,
			    0, &span_io_manager, ret);
}

/* A handle for one worker: from the pool, or a new one. NULL on failure. */
static ext2_filsys fs_get(struct ex_img *img)
{
	ext2_filsys fs = NULL;

	pthread_mutex_lock(&img->lock);
	if (img->n_pool > 0)
		fs = img->pool[--img->n_pool];
	else if (fs_open(img, &fs) != 0)
		fs = NULL;
	pthread_mutex_unlock(&img->lock);
	return fs;
}

static void fs_put(struct ex_img *img, ext2_filsys fs)
{
	pthread_mutex_lock(&img->lock);
	if (img->n_pool < img->cap_pool)
		img->pool[img->n_pool++] = fs;
	else
		ext2fs_close_free(&fs);
	pthread_mutex_unlock(&img->lock);
}

/* --- the directory walk ---------------------------------------------------- */

struct ex_ent { /* a regular file or a hard link, emitted after the walk */
	uint32_t ino;
	size_t path, target; /* offsets in the pool; target only for hard links */
	uint64_t size;
};

struct ex_list {
	struct ex_ent *v;
	size_t n, cap;
};

struct ex_map { /* inode number -> pool offset of its first path */
	uint32_t *keys;
	size_t *vals;
	size_t n, cap;
};

struct ex_walk {
	struct ex_img *img;
	ext2_filsys fs;
	struct ex_map seen;
	struct ex_list files, links;
	char *pool;
	size_t pool_len, pool_cap;
	size_t n_entries, max_entries;
	size_t n_dirents, max_dirents; /* directory slots read, empty ones included */
	bool dirents_capped;
	size_t plen; /* length of the directory path being listed */
	unsigned depth;
	int err;     /* a stop error raised inside the iterator */
	char path[PATH_CAP];
};

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * elem);
	if (!q)
		return -GB_ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

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
	if (grow((void **)&w->pool, &w->pool_cap, w->pool_len + len + 1, 1) < 0)
		return -GB_ENOMEM;
	memcpy(w->pool + w->pool_len, s, len);
	w->pool[w->pool_len + len] = '\0';
	*ret = w->pool_len;
	w->pool_len += len + 1;
	return 0;
}

static int list_add(struct ex_list *l, uint32_t ino, size_t path, size_t target, uint64_t size)
{
	if (grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v)) < 0)
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
		img_warn(w->img, e->path, "symlink target longer than 64 KiB, skipped");
		return 0;
	}
	target = malloc(len + 1);
	if (!target)
		return -GB_ENOMEM;
	if (ext2fs_is_fast_symlink(inode)) {
		memcpy(target, inode->i_block, len);
	} else if (read_link_file(w->fs, ino, inode, target, (unsigned)len) != 0) {
		free(target);
		img_warn(w->img, e->path, "symlink target unreadable");
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
		e->major = (dev & 0xFFF00) >> 8;
		e->minor = (dev & 0xFF) | ((dev >> 12) & 0xFFF00);
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
		img_warn(w->img, w->path, "inode unreadable");
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
			img_warn(w->img, w->path, "directory appears twice (loop), not descended");
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
		img_warn(w->img, w->path, "inode of unknown type, skipped");
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
		img_warn(w->img, w->path, "directories nested too deep, not descended");
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
		img_warn(w->img, plen ? w->path : "/", "more than %zu directory slots, listing stopped",
			 w->max_dirents);
	} else if (e) {
		w->path[plen] = '\0';
		img_warn(w->img, plen ? w->path : "/", "directory unreadable: %s (libext2fs code %ld)",
			 ext2_strerror(e), (long)(e - EXT2_ET_BASE));
	}
	return 0;
}

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
		o->why = ext2_strerror(e);
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
		o->why = ext2_strerror(e);
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
		img_warn(img, e.path, "%s", o.why);
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
	fs = fs_get(img);
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
		fs_put(img, fs);
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

static int extract_files(struct ex_walk *w)
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
	e = fs_open(img, &w->fs);
	if (e)
		return gb_unpack_fail(u, -GB_ECORRUPT,
				      "extfs: cannot open the filesystem: %s (libext2fs code %ld)",
				      ext2_strerror(e), (long)(e - EXT2_ET_BASE));
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
		r = extract_files(w);
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
