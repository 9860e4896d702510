#include "util/vec.h"

#include <stdlib.h>
#include <string.h>

#include <glassbox/errors.h>

int gb_grow(void **v, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 64;
	void *p;

	if (need <= *cap)
		return 0;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return -GB_ENOMEM;
		ncap *= 2;
	}
	if (elem && ncap > SIZE_MAX / elem)
		return -GB_ENOMEM;
	p = realloc(*v, ncap * elem);
	if (!p)
		return -GB_ENOMEM;
	*v = p;
	*cap = ncap;
	return 0;
}

int gb_strpool_add(char **pool, size_t *n, size_t *cap, const char *s, size_t len,
		   size_t *ret)
{
	int r;

	if (len >= SIZE_MAX - *n)
		return -GB_ENOMEM;
	r = gb_grow((void **)pool, cap, *n + len + 1, 1);
	if (r < 0)
		return r;
	memcpy(*pool + *n, s, len);
	(*pool)[*n + len] = '\0';
	*ret = *n;
	*n += len + 1;
	return 0;
}

static uint64_t key_at(const uint8_t *p, size_t width)
{
	uint64_t v64;
	uint32_t v32;
	uint16_t v16;

	switch (width) {
	case 2:
		memcpy(&v16, p, 2);
		return v16;
	case 4:
		memcpy(&v32, p, 4);
		return v32;
	default:
		memcpy(&v64, p, 8);
		return v64;
	}
}

size_t gb_lower_bound(const void *base, size_t n, size_t elem, size_t off, size_t width,
		      uint64_t key)
{
	const uint8_t *b = base;
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (key_at(b + mid * elem + off, width) < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static size_t slot(const uint64_t *tab, size_t cap, uint64_t stored)
{
	size_t i = (size_t)((stored * 0x9E3779B97F4A7C15ULL) >> 20) & (cap - 1);

	while (tab[i] && tab[i] != stored)
		i = (i + 1) & (cap - 1);
	return i;
}

int gb_u64set_add(struct gb_u64set *s, uint64_t key)
{
	uint64_t stored = key + 1;
	size_t i;

	if (key == UINT64_MAX) {
		if (s->has_max)
			return 1;
		s->has_max = true;
		return 0;
	}
	if ((s->n + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		uint64_t *tab = calloc(cap, sizeof(*tab));

		if (!tab)
			return -GB_ENOMEM;
		for (size_t j = 0; j < s->cap; j++)
			if (s->tab[j])
				tab[slot(tab, cap, s->tab[j])] = s->tab[j];
		free(s->tab);
		s->tab = tab;
		s->cap = cap;
	}
	i = slot(s->tab, s->cap, stored);
	if (s->tab[i])
		return 1;
	s->tab[i] = stored;
	s->n++;
	return 0;
}

void gb_u64set_free(struct gb_u64set *s)
{
	free(s->tab);
	s->tab = NULL;
	s->n = s->cap = 0;
	s->has_max = false;
}
