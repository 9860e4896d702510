/* Growing arrays and a set of 64-bit keys: the bookkeeping every hand-written
 * filesystem parser needs (inode tables, directory entries, visited
 * directories). */
#ifndef GB_UTIL_VEC_H
#define GB_UTIL_VEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Make *v hold at least `need` elements of `elem` bytes: the capacity
 * doubles from 64. 0, or -GB_ENOMEM (also when the size overflows); *v and
 * *cap are unchanged on failure. */
int gb_grow(void **v, size_t *cap, size_t need, size_t elem);

/* Append s[0..len) and a NUL to the string pool *pool (*n bytes used, *cap
 * allocated; grown with gb_grow); *ret gets its offset. 0 or -GB_ENOMEM. */
int gb_strpool_add(char **pool, size_t *n, size_t *cap, const char *s, size_t len,
		   size_t *ret);

/* In an array of n elements of `elem` bytes sorted by an unsigned key of
 * `width` bytes (2, 4 or 8) at offset `off` of each element: the first index
 * whose key is >= key, n when there is none. */
size_t gb_lower_bound(const void *base, size_t n, size_t elem, size_t off, size_t width,
		      uint64_t key);
/* The same over arr[0..n) by its unsigned integer member `field`. */
#define GB_LOWER_BOUND(arr, n, field, key)                                              \
	gb_lower_bound((arr), (n), sizeof(*(arr)), offsetof(__typeof__(*(arr)), field), \
		       sizeof((arr)->field), (key))

/* An open-addressing set of uint64_t keys (any value). Zero-initialise. */
struct gb_u64set {
	uint64_t *tab; /* key + 1, 0 = empty slot */
	size_t n, cap;
	bool has_max;  /* UINT64_MAX (stored as 0 + 1 would wrap) */
};

/* 1 when key was already there, 0 when it was added, or -GB_ENOMEM. */
int gb_u64set_add(struct gb_u64set *s, uint64_t key);
void gb_u64set_free(struct gb_u64set *s);

#endif
