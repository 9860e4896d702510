/* ubifs: what fmt_ubifs.c (reading the index and the journal) and
 * ubifs_tree.c (the directory tree and file contents) share. On-disk layout:
 * see fmt_ubifs.c. */
#ifndef GB_UNPACK_UBIFS_H
#define GB_UNPACK_UBIFS_H

#include <stdbool.h>
#include <stdint.h>

#include <glassbox/sys/format.h>

#include "fsutil.h"

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


#define UF_ROOT_INO 1
#define UF_MIN_LEB 4096u
#define UF_MAX_LEB (64u << 20)
#define UF_MAX_LEVEL 64
#define UF_MAX_HOLE (64u << 20) /* zeros of one file that no data node covers */
#define UF_MAX_PATH GB_FS_MAX_PATH
#define UF_MAX_DEPTH GB_FS_MAX_DEPTH
#define UF_MAX_TARGET 4096
#define UF_ZERO_CHUNK 4096

struct uf_sb {
	uint32_t min_io, leb_size, leb_cnt, flags, log_lebs;
	uint16_t compr;
};

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
	bool dead;           /* cut off by a later truncation (journal) */
};

struct uf_trun {
	uint64_t inum, sqnum, new_size;
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
	struct uf_trun *truns;
	size_t n_truns, cap_truns;
	char *paths;
	size_t n_paths, cap_paths;
	struct uf_job *jobs, *links;
	size_t n_jobs, cap_jobs, n_links, cap_links;
	uint64_t max_idx, max_leaves, n_idx, n_leaves;
	unsigned bad_idx, bad_leaf, xents, dropped, buds;
	uint64_t replayed;   /* journal nodes applied over the index */
	uint64_t first_bad;
	bool limit_warned;
};

void gb__uf_limit_warn(struct uf *f, const char *what);
struct uf_ino *gb__uf_ino_find(const struct uf *f, uint64_t inum);
size_t gb__uf_first_dent(const struct uf *f, uint64_t parent);
size_t gb__uf_first_dnode(const struct uf *f, uint64_t inum);
/* Emit the tree from the root inode: dirs, links and specials, then every
 * regular file (in parallel), then hard links. */
int gb__uf_extract(struct uf *f);

#endif
