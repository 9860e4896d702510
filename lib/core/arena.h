/* A thread-safe bump allocator for everything that lives as long as a scan
 * (nodes, names, file records). gb_arena_free() releases it all at once.
 * With GB_DEBUG_ARENA set in the environment every allocation is its own
 * malloc, so ASan sees overflows (libgit2's GIT_DEBUG_POOL). */
#ifndef GB_CORE_ARENA_H
#define GB_CORE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct gb_arena;

int gb_arena_new(struct gb_arena **ret);
void gb_arena_free(struct gb_arena *a);
/* Zeroed memory, 16-byte aligned; NULL on OOM. */
void *gb_arena_alloc(struct gb_arena *a, size_t n);
char *gb_arena_strdup(struct gb_arena *a, const char *s);
char *gb_arena_strndup(struct gb_arena *a, const char *s, size_t n);
char *gb_arena_printf(struct gb_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *gb_arena_vprintf(struct gb_arena *a, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#endif
