/* extfs: a read-only libext2fs io_manager over the mapped span (no copy),
 * the pool of ext2_filsys handles the workers share, and error texts. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extfs.h"

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

const char *gb__extfs_strerror(errcode_t e)
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


void gb__extfs_warn(struct ex_img *img, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Report a per-entry problem; past WARN_MAX they are only counted. */
void gb__extfs_warn(struct ex_img *img, const char *path, const char *fmt, ...)
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

errcode_t gb__extfs_open(struct ex_img *img, ext2_filsys *ret)
{
	return ext2fs_open2(img->name, NULL,
			    EXT2_FLAG_64BITS | EXT2_FLAG_SKIP_MMP | EXT2_FLAG_IGNORE_CSUM_ERRORS, 0,
			    0, &span_io_manager, ret);
}

/* A handle for one worker: from the pool, or a new one. NULL on failure. */
ext2_filsys gb__extfs_get(struct ex_img *img)
{
	ext2_filsys fs = NULL;

	pthread_mutex_lock(&img->lock);
	if (img->n_pool > 0)
		fs = img->pool[--img->n_pool];
	else if (gb__extfs_open(img, &fs) != 0)
		fs = NULL;
	pthread_mutex_unlock(&img->lock);
	return fs;
}

void gb__extfs_put(struct ex_img *img, ext2_filsys fs)
{
	pthread_mutex_lock(&img->lock);
	if (img->n_pool < img->cap_pool)
		img->pool[img->n_pool++] = fs;
	else
		ext2fs_close_free(&fs);
	pthread_mutex_unlock(&img->lock);
}
