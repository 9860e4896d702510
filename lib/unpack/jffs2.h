/* jffs2 internals shared by fmt_jffs2.c (node walk, tree) and jffs2_data.c
 * (decoding node data, writing regular files). The layout is described at
 * the top of fmt_jffs2.c. */
#ifndef GB_UNPACK_JFFS2_H
#define GB_UNPACK_JFFS2_H

#include <stdbool.h>
#include <stdint.h>
#include <zlib.h>

#include <glassbox/sys/format.h>

#include "fsutil.h"

#define JF_MAGIC 0x1985
#define JF_ACCURATE 0x2000
#define JF_COMPAT_MASK 0xc000
#define JF_INCOMPAT 0xc000
#define JF_NT_DIRENT 0xe001
#define JF_NT_INODE 0xe002
#define JF_NT_CLEANMARKER 0x2003
#define JF_NT_PADDING 0x2004
#define JF_NT_SUMMARY 0x2006
#define JF_NT_XATTR 0xe008
#define JF_NT_XREF 0xe009

#define JF_HDR_LEN 12
#define JF_DIRENT_LEN 40
#define JF_INODE_LEN 68

enum {
	JF_COMPR_NONE = 0,
	JF_COMPR_ZERO = 1,
	JF_COMPR_RTIME = 2,
	JF_COMPR_RUBINMIPS = 3,
	JF_COMPR_COPY = 4,
	JF_COMPR_DYNRUBIN = 5,
	JF_COMPR_ZLIB = 6,
	JF_COMPR_LZO = 7,
	JF_COMPR_LZMA = 8,
};

#define JF_DT_DIR 4

#define JF_ROOT_INO 1
#define JF_MAX_NODE (4u << 20)        /* no node is larger than an erase block */
#define JF_GARBAGE_WINDOW (64u << 10) /* other bytes tolerated between nodes */
#define JF_MAX_STEPS (1u << 26)       /* cap of the node walk */
#define JF_MAX_DSIZE (1u << 20)       /* decoded bytes of one compressed node */
#define JF_MAX_HOLE (16u << 20)       /* bytes of a file no node covers */
#define JF_MAX_DNODES (4u << 20)
#define JF_MAX_PATH GB_FS_MAX_PATH
#define JF_MAX_DEPTH GB_FS_MAX_DEPTH
#define JF_MAX_TARGET 4095
#define JF_ZERO_CHUNK (64u << 10)


static inline uint32_t jf_crc(const uint8_t *p, size_t n)
{
	return (uint32_t)crc32(0xffffffffUL, p, (uInt)n) ^ 0xffffffffU;
}

static inline uint16_t jf16(bool be, const uint8_t *b)
{
	return be ? gb_be16(b) : gb_le16(b);
}

static inline uint32_t jf32(bool be, const uint8_t *b)
{
	return be ? gb_be32(b) : gb_le32(b);
}


struct jf_dnode {
	uint64_t data;      /* offset of the node's data in the image */
	uint32_t ino, version, offset, dsize, csize;
	uint8_t compr;
};

struct jf_inode {
	uint32_t ino;
	uint32_t version;   /* newest node: its metadata wins */
	uint32_t mode, uid, gid, isize, mtime;
	bool have_meta;
	bool visited;
	uint32_t first, count; /* its data nodes in jf.dnodes (after sorting) */
	int64_t path;       /* first path emitted (hard links), or -1 */
};

struct jf_dirent {
	uint64_t name;      /* offset of the name in the image */
	uint32_t pino, version, ino;
	uint8_t nsize, type;
};

struct jf_job {
	uint32_t inode;     /* index in jf.inodes */
	size_t path;        /* offset in jf.paths */
};

struct jf {
	struct gb_unpack *u;
	const struct gb_span *in;
	bool be;
	struct jf_dnode *dnodes;
	size_t n_dnodes, cap_dnodes;
	struct jf_inode *inodes;
	size_t n_inodes, cap_inodes, max_inodes;
	uint32_t *hash;     /* open addressing: inode index + 1, 0 = empty */
	size_t hash_size;
	struct jf_dirent *dirents;
	size_t n_dirents, cap_dirents, max_dirents;
	char *paths;        /* NUL-separated paths of files (hard-link targets) */
	size_t n_paths, cap_paths;
	struct jf_job *jobs, *links;
	size_t n_jobs, cap_jobs, n_links, cap_links;
	/* diagnostics, summed up at the end */
	unsigned bad_hdr, bad_node, bad_data, dropped, unsup, obsolete;
	uint64_t first_bad;
	bool limit_warned;
};

struct jf_dec {
	uint8_t *buf;       /* JF_MAX_DSIZE bytes, allocated on first use */
	z_stream zs;
	bool zs_ready;
};

void gb__jf_dec_fini(struct jf_dec *d);
/* Decode the data of node n into d's buffer (or point into the image). */
int gb__jf_node_data(const struct jf *j, struct jf_dec *d, const struct jf_dnode *n,
			const uint8_t **ret);
int gb__jf_cmp_dnode(const void *a, const void *b);
/* gb_unpack_parallel job i: extract the regular file jobs[i] (ctx: struct jf). */
int gb__jf_job_run(void *ctx, size_t i);

#endif
