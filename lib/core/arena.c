#include "core/arena.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE (256 * 1024)

struct chunk {
	struct chunk *next;
	size_t used, cap;
	_Alignas(16) unsigned char mem[];
};

struct gb_arena {
	pthread_mutex_t lock;
	struct chunk *head;
	int debug; /* one malloc per allocation */
};

int gb_arena_new(struct gb_arena **ret)
{
	struct gb_arena *a = calloc(1, sizeof(*a));
	if (!a)
		return -1;
	pthread_mutex_init(&a->lock, NULL);
	a->debug = getenv("GB_DEBUG_ARENA") != NULL;
	*ret = a;
	return 0;
}

void gb_arena_free(struct gb_arena *a)
{
	if (!a)
		return;
	for (struct chunk *c = a->head, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	pthread_mutex_destroy(&a->lock);
	free(a);
}

static struct chunk *chunk_new(size_t cap)
{
	struct chunk *c = malloc(sizeof(*c) + cap);
	if (!c)
		return NULL;
	c->used = 0;
	c->cap = cap;
	return c;
}

void *gb_arena_alloc(struct gb_arena *a, size_t n)
{
	size_t need = (n + 15) & ~(size_t)15;
	void *p = NULL;

	if (need < n)
		return NULL;
	pthread_mutex_lock(&a->lock);
	if (a->debug || need > CHUNK_SIZE / 4) {
		/* Big or debug allocations get their own chunk, linked behind the head. */
		struct chunk *c = chunk_new(need);
		if (c) {
			c->used = need;
			if (a->head) {
				c->next = a->head->next;
				a->head->next = c;
			} else {
				c->next = NULL;
				a->head = c;
				c->used = c->cap; /* never bump-allocate from it */
			}
			p = c->mem;
		}
	} else {
		if (!a->head || a->head->cap - a->head->used < need) {
			struct chunk *c = chunk_new(CHUNK_SIZE);
			if (c) {
				c->next = a->head;
				a->head = c;
			}
		}
		if (a->head && a->head->cap - a->head->used >= need) {
			p = a->head->mem + a->head->used;
			a->head->used += need;
		}
	}
	pthread_mutex_unlock(&a->lock);
	if (p)
		memset(p, 0, n);
	return p;
}

char *gb_arena_strndup(struct gb_arena *a, const char *s, size_t n)
{
	char *d = gb_arena_alloc(a, n + 1);
	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *gb_arena_strdup(struct gb_arena *a, const char *s)
{
	return s ? gb_arena_strndup(a, s, strlen(s)) : NULL;
}

char *gb_arena_vprintf(struct gb_arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	char small[256];
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return NULL;
	if ((size_t)n < sizeof(small))
		return gb_arena_strndup(a, small, (size_t)n);
	char *d = gb_arena_alloc(a, (size_t)n + 1);
	if (d)
		vsnprintf(d, (size_t)n + 1, fmt, ap);
	return d;
}

char *gb_arena_printf(struct gb_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *d = gb_arena_vprintf(a, fmt, ap);
	va_end(ap);
	return d;
}
