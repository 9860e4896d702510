/* pair: match the entries of the shipped side with those of the rebuilt side.
 *
 * In this order, each pass only looking at what the earlier ones left:
 *  1. path: the same key (side.c explains keys);
 *  2. content: the same SHA-256 (non-empty regular files);
 *  3. soname: two ELF files with the same DT_SONAME (one candidate each);
 *  4. symbols: two ELF files of the same machine whose defined symbol names
 *     have a Jaccard index of at least 0.5, best first.
 * Pass 4 is skipped when more than MAX_JACCARD candidate pairs remain.
 */
#include <stdlib.h>
#include <string.h>

#include "core/mapfile.h"
#include "diff/diff_int.h"

#define MAX_JACCARD 4000000ULL
#define EMPTY_SHA "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void link_pair(struct eq_side *a, size_t i, struct eq_side *b, size_t j, const char *how)
{
	a->e[i].partner = (int)j;
	b->e[j].partner = (int)i;
	a->e[i].paired_by = how;
	b->e[j].paired_by = how;
}

static int cmp_idx_key(const void *x, const void *y, void *ctx)
{
	const struct eq_side *s = ctx;
	return strcmp(s->e[*(const size_t *)x].key, s->e[*(const size_t *)y].key);
}

static int cmp_idx_sha(const void *x, const void *y, void *ctx)
{
	const struct eq_side *s = ctx;
	return strcmp(s->e[*(const size_t *)x].sha256, s->e[*(const size_t *)y].sha256);
}

/* First index into idx (sorted by field) whose entry's field equals v. */
static size_t lower(const struct eq_side *s, const size_t *idx, size_t n, const char *v, bool sha)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct eq_entry *e = &s->e[idx[mid]];
		if (strcmp(sha ? e->sha256 : e->key, v) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int by_path(struct eq_side *a, size_t a0, struct eq_side *b, size_t b0)
{
	size_t *idx = malloc((b->n + 1) * sizeof(*idx)), n = 0;
	if (!idx)
		return -GB_ENOMEM;
	for (size_t j = b0; j < b->n; j++)
		idx[n++] = j;
	qsort_r(idx, n, sizeof(*idx), cmp_idx_key, b);
	for (size_t i = a0; i < a->n; i++) {
		if (a->e[i].partner >= 0)
			continue;
		for (size_t k = lower(b, idx, n, a->e[i].key, false);
		     k < n && strcmp(b->e[idx[k]].key, a->e[i].key) == 0; k++) {
			if (b->e[idx[k]].partner < 0) {
				link_pair(a, i, b, idx[k], "path");
				break;
			}
		}
	}
	free(idx);
	return 0;
}

static bool content_candidate(const struct eq_entry *e)
{
	return e->partner < 0 && e->type == EQ_FILE && e->sha256[0] && e->size > 0 &&
	       strcmp(e->sha256, EMPTY_SHA) != 0;
}

static int by_content(struct eq_side *a, size_t a0, struct eq_side *b, size_t b0)
{
	size_t *idx = malloc((b->n + 1) * sizeof(*idx)), n = 0;
	if (!idx)
		return -GB_ENOMEM;
	for (size_t j = b0; j < b->n; j++)
		if (content_candidate(&b->e[j]))
			idx[n++] = j;
	qsort_r(idx, n, sizeof(*idx), cmp_idx_sha, b);
	for (size_t i = a0; i < a->n; i++) {
		if (!content_candidate(&a->e[i]))
			continue;
		for (size_t k = lower(b, idx, n, a->e[i].sha256, true);
		     k < n && strcmp(b->e[idx[k]].sha256, a->e[i].sha256) == 0; k++) {
			if (b->e[idx[k]].partner < 0) {
				link_pair(a, i, b, idx[k], "content");
				break;
			}
		}
	}
	free(idx);
	return 0;
}

struct elfinfo {
	size_t entry;
	uint16_t machine;
	char *soname;
	uint64_t *h;
	size_t nh;
};

static int collect(struct eq_side *s, size_t s0, struct elfinfo **ret, size_t *ret_n)
{
	struct elfinfo *v = NULL;
	size_t n = 0;
	for (size_t i = s0; i < s->n; i++) {
		struct eq_entry *e = &s->e[i];
		struct gb_map *m;
		if (e->partner >= 0 || e->type != EQ_FILE || !e->disk || e->is_container ||
		    gb_map_open(s->rootfd, e->disk, 1, &m) < 0)
			continue;
		struct eq_elf elf;
		if (gb__is_elf(gb_span_make(m->p, m->n)) &&
		    gb__elf_parse(gb_span_make(m->p, m->n), &elf) == 0) {
			struct elfinfo *nw = realloc(v, (n + 1) * sizeof(*v));
			if (nw) {
				v = nw;
				memset(&v[n], 0, sizeof(v[n]));
				v[n].entry = i;
				v[n].machine = elf.machine;
				v[n].soname = elf.soname ? strdup(elf.soname) : NULL;
				if (gb__elf_symhashes(&elf, &v[n].h, &v[n].nh) == 0)
					n++;
				else
					free(v[n].soname);
			}
			gb__elf_free(&elf);
		}
		gb_map_unref(m);
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

static void free_info(struct elfinfo *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].soname);
		free(v[i].h);
	}
	free(v);
}

static double jaccard(const struct elfinfo *x, const struct elfinfo *y)
{
	size_t i = 0, j = 0, both = 0;
	if (!x->nh || !y->nh)
		return 0;
	while (i < x->nh && j < y->nh) {
		if (x->h[i] == y->h[j]) {
			both++;
			i++;
			j++;
		} else if (x->h[i] < y->h[j]) {
			i++;
		} else {
			j++;
		}
	}
	return (double)both / (double)(x->nh + y->nh - both);
}

static int by_elf(struct eq_side *a, size_t a0, struct eq_side *b, size_t b0)
{
	struct elfinfo *va, *vb;
	size_t na, nb;
	collect(a, a0, &va, &na);
	collect(b, b0, &vb, &nb);
	/* soname: unique on both sides */
	for (size_t i = 0; i < na; i++) {
		if (!va[i].soname)
			continue;
		long hit = -1;
		unsigned hits = 0;
		for (size_t j = 0; j < nb; j++)
			if (vb[j].soname && strcmp(vb[j].soname, va[i].soname) == 0 &&
			    b->e[vb[j].entry].partner < 0) {
				hit = (long)j;
				hits++;
			}
		if (hits == 1)
			link_pair(a, va[i].entry, b, vb[hit].entry, "soname");
	}
	if ((unsigned long long)na * nb <= MAX_JACCARD) {
		for (size_t i = 0; i < na; i++) {
			if (a->e[va[i].entry].partner >= 0)
				continue;
			double best = 0.5;
			long bj = -1;
			for (size_t j = 0; j < nb; j++) {
				if (b->e[vb[j].entry].partner >= 0 || vb[j].machine != va[i].machine)
					continue;
				double jc = jaccard(&va[i], &vb[j]);
				if (jc >= best) {
					best = jc;
					bj = (long)j;
				}
			}
			if (bj >= 0)
				link_pair(a, va[i].entry, b, vb[bj].entry, "symbols");
		}
	}
	free_info(va, na);
	free_info(vb, nb);
	return 0;
}

int gb__pair(struct eq_side *a, size_t a0, struct eq_side *b, size_t b0)
{
	int r = by_path(a, a0, b, b0);
	if (r == 0)
		r = by_content(a, a0, b, b0);
	if (r == 0)
		r = by_elf(a, a0, b, b0);
	return r;
}
