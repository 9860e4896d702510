/* fat: the volume geometry shared by fmt_fat.c (probe, FAT chains, files)
 * and fat_dir.c (directory entries, long names, the tree walk). */
#ifndef GB_UNPACK_FAT_H
#define GB_UNPACK_FAT_H

#include <stdint.h>

#include <glassbox/sys/format.h>

enum fat_type { FAT12 = 12, FAT16 = 16, FAT32 = 32 };

struct fat_vol {
	enum fat_type type;
	uint32_t bps;           /* bytes per sector */
	uint32_t spc;           /* sectors per cluster */
	uint32_t csize;         /* bytes per cluster */
	uint32_t rsvd;          /* reserved sectors */
	uint32_t nfats;
	uint32_t fatsz;         /* sectors per FAT */
	uint32_t root_entries;  /* FAT12/16 fixed root directory */
	uint32_t total;         /* total sectors */
	uint32_t root_cluster;  /* FAT32 */
	uint32_t fsinfo;        /* FAT32 FSInfo sector (0: none) */
	uint8_t media;
	uint64_t fat_off;       /* byte offset of the first FAT */
	uint64_t root_off;      /* FAT12/16 root directory */
	uint64_t data_off;      /* cluster 2 */
	uint32_t nclusters;     /* data clusters: valid numbers are 2..nclusters+1 */
	uint64_t size;          /* bytes of the volume */
};

/* Parse and validate the boot sector; 0 or -GB_ENOTFOUND. */
int gb__fat_read_vol(const struct gb_span *in, struct fat_vol *v);

/* The FAT entry for cluster c (first FAT); 0 and *next, or -GB_ETRUNC. */
int gb__fat_next(const struct gb_span *in, const struct fat_vol *v, uint32_t c, uint32_t *next);
/* True for end-of-chain marks (and the bad-cluster mark, which ends a chain too). */
bool gb__fat_is_eoc(const struct fat_vol *v, uint32_t c);
/* True for a cluster number that names a data cluster. */
static inline bool gb__fat_valid(const struct fat_vol *v, uint32_t c)
{
	return c >= 2 && c - 2 < v->nclusters;
}
/* Byte offset of data cluster c (valid). */
static inline uint64_t gb__fat_cluster_off(const struct fat_vol *v, uint32_t c)
{
	return v->data_off + (uint64_t)(c - 2) * v->csize;
}

/* Walk the tree from the root and write every entry. */
int gb__fat_walk(struct gb_unpack *u, const struct gb_span *in, const struct fat_vol *v);
/* Write a regular file of `size` bytes from its cluster chain. */
int gb__fat_write_file(struct gb_unpack *u, const struct gb_span *in, const struct fat_vol *v,
		       const struct gb_entry *e, uint32_t first);

#endif
