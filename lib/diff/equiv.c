/* equiv: load both sides, pair them, give every pair a verdict, and build
 * the immutable result (include/glassbox/equiv.h).
 *
 * A pair of regular files is identical when the SHA-256 and mode agree.
 * Otherwise, in this order: two ELF files are compared by normalised views
 * (elfcmp.c); two containers whose members were unpacked (an image, an
 * archive, a filesystem or compressed stream inside a file) are equivalent
 * when every member on either side is paired with a member of the other and
 * is identical or equivalent; anything else is equivalent when the longer is
 * the shorter plus a trailer, when both inflate to the same bytes (gzip), or
 * when a same-length comparison explains every differing byte as a build
 * path or date; else different (text files with a unified diff).
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/mapfile.h"
#include "core/pool.h"
#include "diff/diff_int.h"

#define GUNZIP_CAP (256ULL << 20) /* per side; a bigger stream is compared as bytes */

struct equiv_priv {
	struct gb_equiv pub;
	struct gb_arena *arena;
	struct eq_result *results;
	size_t n_results;
	struct gb_equiv_file *files;
	struct gb_equiv_rebuild rebuild;
};

/* ------------------------------------------------------------- results */

void gb__result_clear(struct eq_result *r)
{
	for (size_t i = 0; i < r->n_diffs; i++) {
		free((char *)r->diffs[i].section);
		free((char *)r->diffs[i].function);
	}
	free(r->diffs);
	free(r->disasm);
	free(r->diff);
	free(r->note);
	memset(r, 0, sizeof(*r));
}

int gb__result_add_diff(struct eq_result *r, const char *section, const char *function,
			uint64_t start, uint64_t end, uint64_t bytes)
{
	if (r->n_diffs == r->cap_diffs) {
		size_t nc = r->cap_diffs ? r->cap_diffs * 2 : 8;
		struct gb_equiv_difference *nw = realloc(r->diffs, nc * sizeof(*nw));
		if (!nw)
			return -GB_ENOMEM;
		r->diffs = nw;
		r->cap_diffs = nc;
	}
	struct gb_equiv_difference *d = &r->diffs[r->n_diffs];
	d->section = section ? strdup(section) : NULL;
	d->function = function ? strdup(function) : NULL;
	if ((section && !d->section) || (function && !d->function)) {
		free((char *)d->section);
		free((char *)d->function);
		return -GB_ENOMEM;
	}
	d->start = start;
	d->end = end;
	d->bytes = bytes;
	r->n_diffs++;
	return 0;
}

void gb__result_note(struct eq_result *r, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	free(r->note);
	r->note = s;
}

/* ---------------------------------------------------------- classifying */

#define PENDING 0x80000000u /* result norms marker: a container decided later */
#define MAX_NEST_ROUNDS 4

struct job {
	struct eq_side *s;
	size_t i;
};

struct run {
	struct eq_side *a, *b;
	struct eq_result *res; /* one per job */
	struct job *jobs;
	size_t n_jobs, first; /* jobs [first, n_jobs) are this round's */
};

static void generic(struct gb_span x, struct gb_span y, const char *key, struct eq_result *r)
{
	if (gb__is_trailer(x, y)) {
		r->verdict = GB_EQUIV_EQUIVALENT;
		r->norms = GB_NORM_TRAILER;
		return;
	}
	if (gb__is_gzip(x) && gb__is_gzip(y)) {
		uint8_t *ux = NULL, *uy = NULL;
		size_t nx = 0, ny = 0;
		if (gb__gunzip(x, GUNZIP_CAP, &ux, &nx) == 0 && gb__gunzip(y, GUNZIP_CAP, &uy, &ny) == 0 &&
		    nx == ny && (nx == 0 || memcmp(ux, uy, nx) == 0)) {
			free(ux);
			free(uy);
			r->verdict = GB_EQUIV_EQUIVALENT;
			r->norms = GB_NORM_GZIP_HEADER;
			return;
		}
		free(ux);
		free(uy);
	}
	if (x.n == y.n) {
		struct eq_cmp c;
		gb__masked_compare(x, y, &c, NULL, NULL);
		if (!c.real && c.norms) {
			r->verdict = GB_EQUIV_EQUIVALENT;
			r->norms = c.norms;
			return;
		}
	}
	r->verdict = GB_EQUIV_DIFFERENT;
	if (gb__looks_text(x) && gb__looks_text(y)) {
		bool big = false;
		char *na = NULL, *nb = NULL;
		if (asprintf(&na, "shipped%s", key) >= 0 && asprintf(&nb, "rebuilt%s", key) >= 0)
			r->diff = gb__text_diff(x, y, na, nb, &big);
		free(na);
		free(nb);
		gb__result_note(r, big ? "text differs (too many changes for a diff)" : "text differs");
		return;
	}
	size_t n = x.n < y.n ? x.n : y.n, first = n, last = 0;
	uint64_t cnt = 0;
	for (size_t i = 0; i < n; i++) {
		if (x.p[i] != y.p[i]) {
			if (first == n)
				first = i;
			last = i;
			cnt++;
		}
	}
	uint64_t extra = x.n > y.n ? x.n - y.n : y.n - x.n;
	if (extra && first == n)
		first = n;
	if (extra)
		last = (x.n > y.n ? x.n : y.n) - 1;
	gb__result_add_diff(r, NULL, NULL, first, last + 1, cnt + extra);
	if (x.n != y.n)
		gb__result_note(r, "sizes differ (%zu vs %zu bytes), %llu bytes differ", x.n, y.n,
				(unsigned long long)(cnt + extra));
	else
		gb__result_note(r, "%llu bytes differ, first at offset %#zx", (unsigned long long)cnt, first);
}

/* Compare one pair whose verdict does not depend on members; sets *defer
 * for containers (decided later, bottom-up). */
static int compare_pair(struct run *ru, struct eq_entry *ea, struct eq_entry *eb, struct eq_result *r,
			bool *defer)
{
	*defer = false;
	if (ea->type != eb->type) {
		r->verdict = GB_EQUIV_DIFFERENT;
		gb__result_note(r, "a %s in the shipped side, a %s in the rebuilt side",
				ea->type == EQ_SYMLINK ? "symlink" : "file", eb->type == EQ_SYMLINK ? "symlink" : "file");
		return 0;
	}
	if (ea->type == EQ_SYMLINK) {
		bool same = strcmp(ea->target, eb->target) == 0;
		r->verdict = same ? GB_EQUIV_IDENTICAL : GB_EQUIV_DIFFERENT;
		if (!same)
			gb__result_note(r, "symlink target differs");
		return 0;
	}
	bool mode_differs = ea->have_mode && eb->have_mode && ea->mode != eb->mode;
	if (ea->sha256[0] && strcmp(ea->sha256, eb->sha256) == 0 && ea->size == eb->size) {
		r->verdict = GB_EQUIV_IDENTICAL;
	} else if (!ea->disk || !eb->disk) {
		r->verdict = GB_EQUIV_DIFFERENT;
		gb__result_note(r, "the content was not extracted on %s side", !ea->disk ? "the shipped" : "the rebuilt");
	} else {
		struct gb_map *ma = NULL, *mb = NULL;
		if (gb_map_open(ru->a->rootfd, ea->disk, 1, &ma) < 0 ||
		    gb_map_open(ru->b->rootfd, eb->disk, 1, &mb) < 0) {
			if (ma)
				gb_map_unref(ma);
			r->verdict = GB_EQUIV_DIFFERENT;
			gb__result_note(r, "cannot read the extracted file: %s", strerror(errno));
			return 0;
		}
		struct gb_span x = gb_span_make(ma->p, ma->n), y = gb_span_make(mb->p, mb->n);
		int er = -GB_ENOTFOUND;
		if (gb__is_elf(x) && gb__is_elf(y)) {
			ea->kind = eb->kind = "elf";
			er = gb__elf_compare(x, y, r);
			if (er == -GB_ENOMEM) {
				gb_map_unref(ma);
				gb_map_unref(mb);
				return er;
			}
			if (er < 0)
				gb__result_clear(r);
		}
		if (er < 0) {
			if (ea->is_container && eb->is_container)
				*defer = true;
			else
				generic(x, y, ea->key, r);
		}
		gb_map_unref(ma);
		gb_map_unref(mb);
	}
	if (mode_differs && !*defer && r->verdict != GB_EQUIV_DIFFERENT) {
		r->verdict = GB_EQUIV_DIFFERENT;
		r->norms = 0;
		gb__result_note(r, "mode differs (%04o vs %04o)", ea->mode, eb->mode);
	}
	return 0;
}

static int classify_one(void *ctx, size_t i)
{
	struct run *ru = ctx;
	struct eq_side *a = ru->a, *b = ru->b;
	struct eq_entry *e, *p = NULL;
	i += ru->first;
	bool from_a = ru->jobs[i].s == a;

	e = &ru->jobs[i].s->e[ru->jobs[i].i];
	if (from_a) {
		if (e->partner >= 0)
			p = &b->e[e->partner];
	} else if (e->partner >= 0) {
		return 0; /* done from the shipped side */
	}
	struct eq_result *r = &ru->res[i];
	e->result = (int)i;
	if (p)
		p->result = (int)i;
	if (!p) {
		r->verdict = from_a ? GB_EQUIV_MISSING : GB_EQUIV_EXTRA;
		return 0;
	}
	bool defer;
	int ret = compare_pair(ru, e, p, r, &defer);
	if (defer)
		r->verdict = GB_EQUIV_DIFFERENT, r->norms = PENDING;
	return ret;
}

static uint32_t container_norm(const char *fmt)
{
	static const char *const arch[] = {"tar", "cpio", "zip", "7z", "iso9660"};
	static const char *const fsys[] = {"squashfs", "extfs", "jffs2", "ubifs", "cramfs", "romfs", "yaffs2"};
	static const char *const comp[] = {"xz", "lzma", "bzip2", "zstd", "lz4", "lzop"};
	if (!fmt)
		return GB_NORM_CONTAINER_META;
	if (strcmp(fmt, "gzip") == 0)
		return GB_NORM_GZIP_HEADER;
	for (size_t i = 0; i < sizeof(comp) / sizeof(comp[0]); i++)
		if (strcmp(fmt, comp[i]) == 0)
			return GB_NORM_COMPRESSION;
	for (size_t i = 0; i < sizeof(arch) / sizeof(arch[0]); i++)
		if (strcmp(fmt, arch[i]) == 0)
			return GB_NORM_ARCHIVE_META;
	for (size_t i = 0; i < sizeof(fsys) / sizeof(fsys[0]); i++)
		if (strcmp(fmt, fsys[i]) == 0)
			return GB_NORM_FS_META;
	return GB_NORM_CONTAINER_META;
}

/* Member order of two archives (tar, cpio, zip), read with libarchive. */
static bool order_differs(struct run *ru, const struct eq_entry *ea, const struct eq_entry *eb)
{
	struct gb_map *ma = NULL, *mb = NULL;
	char *la = NULL, *lb = NULL;
	size_t na = 0, nb = 0;
	bool d = false;
	if (gb_map_open(ru->a->rootfd, ea->disk, 1, &ma) == 0 && gb_map_open(ru->b->rootfd, eb->disk, 1, &mb) == 0 &&
	    gb__archive_order(gb_span_make(ma->p, ma->n), &la, &na) > 0 &&
	    gb__archive_order(gb_span_make(mb->p, mb->n), &lb, &nb) > 0)
		d = na != nb || memcmp(la, lb, na) != 0;
	free(la);
	free(lb);
	if (ma)
		gb_map_unref(ma);
	if (mb)
		gb_map_unref(mb);
	return d;
}

/* Decide a container from its members (all already decided: deeper first). */
static void decide_container(struct run *ru, size_t ai)
{
	struct eq_side *a = ru->a, *b = ru->b;
	struct eq_entry *ea = &a->e[ai], *eb = &b->e[ea->partner];
	struct eq_result *r = &ru->res[ea->result];
	size_t bi = (size_t)ea->partner, members = 0, bad = 0;
	uint32_t norms = 0;
	char first[3][160] = {"", "", ""};

	for (size_t i = 0; i < a->n; i++) {
		const struct eq_entry *c = &a->e[i];
		if (c->parent != (int)ai)
			continue;
		members++;
		const struct eq_result *cr = c->result >= 0 ? &ru->res[c->result] : NULL;
		bool ok = c->partner >= 0 && b->e[c->partner].parent == (int)bi && cr &&
			  (cr->verdict == GB_EQUIV_IDENTICAL || cr->verdict == GB_EQUIV_EQUIVALENT);
		if (ok) {
			norms |= cr->norms;
		} else {
			if (bad < 3)
				snprintf(first[bad], sizeof(first[bad]), "%s", c->key);
			bad++;
		}
	}
	for (size_t j = 0; j < b->n; j++) {
		const struct eq_entry *c = &b->e[j];
		if (c->parent != (int)bi)
			continue;
		members++;
		if (c->partner < 0 || a->e[c->partner].parent != (int)ai) {
			if (bad < 3)
				snprintf(first[bad], sizeof(first[bad]), "%s", c->key);
			bad++;
		}
	}
	memset(r, 0, sizeof(*r));
	if (members && !bad) {
		r->verdict = GB_EQUIV_EQUIVALENT;
		r->norms = norms | container_norm(ea->cformat);
		if (container_norm(ea->cformat) == GB_NORM_ARCHIVE_META && order_differs(ru, ea, eb))
			r->norms |= GB_NORM_MEMBER_ORDER;
		if (ea->have_mode && eb->have_mode && ea->mode != eb->mode) {
			r->verdict = GB_EQUIV_DIFFERENT;
			r->norms = 0;
			gb__result_note(r, "mode differs (%04o vs %04o)", ea->mode, eb->mode);
		}
		return;
	}
	r->verdict = GB_EQUIV_DIFFERENT;
	if (!members) {
		gb__result_note(r, "no members were unpacked");
		return;
	}
	gb__result_note(r, "%zu of its members differ or are unpaired: %s%s%s%s%s%s", bad, first[0],
			bad > 1 ? ", " : "", first[1], bad > 2 ? ", " : "", first[2], bad > 3 ? ", ..." : "");
}

static int cmp_depth_desc(const void *x, const void *y, void *ctx)
{
	const struct eq_side *s = ctx;
	unsigned dx = s->e[*(const size_t *)x].depth, dy = s->e[*(const size_t *)y].depth;
	return dx > dy ? -1 : dx < dy;
}

static int hash_one(void *ctx, size_t i)
{
	struct run *ru = ctx;
	const struct job *j = &ru->jobs[ru->first + i];
	gb__side_hash(j->s, &j->s->e[j->i]); /* unreadable: no hash, compared as unextracted */
	return 0;
}

/* Jobs and results for the entries of a from a0 and of b from b0, then hash,
 * pair and classify them. */
static int round_run(struct run *ru, struct gb_pool *pool, size_t a0, size_t b0)
{
	size_t add = (ru->a->n - a0) + (ru->b->n - b0), n = ru->n_jobs;
	struct job *nj = realloc(ru->jobs, (n + add + 1) * sizeof(*nj));
	if (!nj)
		return -GB_ENOMEM;
	ru->jobs = nj;
	struct eq_result *nr = realloc(ru->res, (n + add + 1) * sizeof(*nr));
	if (!nr)
		return -GB_ENOMEM;
	ru->res = nr;
	memset(nr + n, 0, (add + 1) * sizeof(*nr));
	for (size_t i = a0; i < ru->a->n; i++)
		nj[n++] = (struct job){ru->a, i};
	for (size_t i = b0; i < ru->b->n; i++)
		nj[n++] = (struct job){ru->b, i};
	ru->first = ru->n_jobs;
	ru->n_jobs = n;
	gb_pool_parallel(pool, add, hash_one, ru);
	int r = gb__pair(ru->a, a0, ru->b, b0);
	if (r == 0)
		r = gb_pool_parallel(pool, add, classify_one, ru);
	return r;
}

/* Directory sides: unpack paired files that differ and look like containers
 * (scan, like an image), so their members are compared too. Returns how many
 * pairs were unpacked, or a negative code. */
static int nest_round(struct run *ru, const struct gb_equiv_opts *o, unsigned *seq)
{
	struct eq_side *a = ru->a, *b = ru->b;
	size_t na = a->n, nested = 0;
	if (strcmp(a->as, "directory") != 0 || strcmp(b->as, "directory") != 0)
		return 0; /* an image side was unpacked recursively already */
	for (size_t i = 0; i < na; i++) {
		struct eq_entry *e = &a->e[i];
		if (e->partner < 0 || e->result < 0 || e->is_container || e->type != EQ_FILE || !e->disk ||
		    e->parent >= 0)
			continue;
		struct eq_entry *p = &b->e[e->partner];
		const struct eq_result *r = &ru->res[e->result];
		if (r->verdict != GB_EQUIV_DIFFERENT || r->norms == PENDING || p->is_container || !p->disk)
			continue;
		struct gb_map *ma = NULL, *mb = NULL;
		bool both = gb_map_open(a->rootfd, e->disk, 1, &ma) == 0 && gb_map_open(b->rootfd, p->disk, 1, &mb) == 0 &&
			    !gb__is_elf(gb_span_make(ma->p, ma->n)) && gb__looks_container(gb_span_make(ma->p, ma->n)) &&
			    gb__looks_container(gb_span_make(mb->p, mb->n));
		if (ma)
			gb_map_unref(ma);
		if (mb)
			gb_map_unref(mb);
		if (!both)
			continue;
		char *da = NULL, *db = NULL;
		unsigned k = (*seq)++;
		if (asprintf(&da, "%s/nested/%u/shipped", o->outdir, k) < 0 ||
		    asprintf(&db, "%s/nested/%u/rebuilt", o->outdir, k) < 0) {
			free(da);
			return -GB_ENOMEM;
		}
		char *parent = NULL;
		if (asprintf(&parent, "%s/nested", o->outdir) >= 0)
			mkdir(parent, 0755);
		free(parent);
		size_t bi = (size_t)e->partner;
		/* the rebuilt member keys follow the shipped container's key, so a
		 * renamed container's members still pair by path */
		char *bkey = b->e[bi].key;
		b->e[bi].key = a->e[i].key;
		int ra = gb__side_nest(a, i, da, o->jobs, &o->limits);
		int rb = gb__side_nest(b, bi, db, o->jobs, &o->limits);
		b->e[bi].key = bkey;
		free(da);
		free(db);
		if (ra == -GB_ENOMEM || rb == -GB_ENOMEM)
			return -GB_ENOMEM;
		if (a->e[i].is_container && b->e[bi].is_container) {
			gb__result_clear(&ru->res[a->e[i].result]);
			ru->res[a->e[i].result].verdict = GB_EQUIV_DIFFERENT;
			ru->res[a->e[i].result].norms = PENDING;
			nested++;
		} else {
			a->e[i].is_container = b->e[bi].is_container = false;
		}
	}
	return (int)nested;
}

/* ---------------------------------------------------------------- result */

static int cmp_files(const void *x, const void *y)
{
	const struct gb_equiv_file *a = x, *b = y;
	if (a->verdict != b->verdict)
		return a->verdict < b->verdict ? -1 : 1;
	return strcmp(a->path, b->path);
}

static const char *adup(struct gb_arena *ar, const char *s)
{
	return s ? gb_arena_strdup(ar, s) : NULL;
}

static void fill_side(struct gb_arena *ar, struct gb_equiv_side *o, const struct eq_entry *e)
{
	o->present = true;
	o->path = adup(ar, e->key);
	memcpy(o->sha256, e->sha256, sizeof(o->sha256));
	o->size = e->size;
	o->mode = e->mode;
	o->target = adup(ar, e->target);
}

static int build(struct equiv_priv *q, struct run *ru)
{
	struct eq_side *a = ru->a, *b = ru->b;
	struct gb_arena *ar = q->arena;
	size_t n = 0;
	q->files = calloc(a->n + b->n + 1, sizeof(*q->files));
	if (!q->files)
		return -GB_ENOMEM;
	struct gb_equiv_summary *s = &q->pub.summary;
	const char *base = strrchr(a->input, '/');
	base = base && base[1] ? base + 1 : a->input;
	for (size_t pass = 0; pass < 2; pass++) {
		struct eq_side *sd = pass ? b : a;
		for (size_t i = 0; i < sd->n; i++) {
			const struct eq_entry *e = &sd->e[i];
			if (pass && e->partner >= 0)
				continue;
			const struct eq_entry *p = e->partner >= 0 ? &(pass ? a : b)->e[e->partner] : NULL;
			const struct eq_result *r = &ru->res[e->result >= 0 ? (size_t)e->result : 0];
			struct gb_equiv_file *f = &q->files[n++];
			f->path = adup(ar, *e->key ? e->key : base);
			f->verdict = r->verdict;
			f->normalisations = r->verdict == GB_EQUIV_EQUIVALENT ? r->norms : 0;
			f->paired_by = e->paired_by;
			f->kind = e->kind ? e->kind : (p && p->kind ? p->kind : "data");
			if (e->parent >= 0) {
				const char *ck = sd->e[e->parent].key;
				f->container = adup(ar, *ck ? ck : base);
			}
			f->is_container = e->is_container || (p && p->is_container);
			fill_side(ar, pass ? &f->rebuilt : &f->shipped, e);
			if (p)
				fill_side(ar, &f->rebuilt, p);
			f->differences = r->diffs;
			f->n_differences = r->n_diffs;
			f->disasm = r->disasm;
			f->diff = r->diff;
			f->note = r->note;
			if (!f->path)
				return -GB_ENOMEM;
			if (f->is_container)
				continue; /* its members are counted */
			switch (f->verdict) {
			case GB_EQUIV_IDENTICAL: s->identical++; break;
			case GB_EQUIV_EQUIVALENT: s->equivalent++; break;
			case GB_EQUIV_DIFFERENT: s->different++; break;
			case GB_EQUIV_MISSING: s->missing++; break;
			case GB_EQUIV_EXTRA: s->extra++; break;
			}
			if (!pass) {
				s->shipped_files++;
				s->shipped_bytes += e->size;
				if (f->verdict == GB_EQUIV_IDENTICAL || f->verdict == GB_EQUIV_EQUIVALENT)
					s->proven_bytes += e->size;
			}
		}
	}
	gb_qsort(q->files, n, sizeof(*q->files), cmp_files);
	q->pub.files = q->files;
	q->pub.n_files = n;
	return 0;
}

/* ------------------------------------------------------------------- API */

void gb_equiv_opts_init(struct gb_equiv_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	gb_limits_default(&opts->limits);
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int fail(struct equiv_priv *q, int r, const char *msg)
{
	q->pub.error = gb_arena_strdup(q->arena, msg);
	return r;
}

/* Both sides load at the same time: a scan spends much of its time waiting
 * on writes, so two overlap well even on few CPUs. */
struct loader {
	struct eq_side *s;
	const char *input, *outdir;
	unsigned jobs;
	const struct gb_limits *lim;
	char err[1024];
	int r;
};

static void *load_thread(void *arg)
{
	struct loader *l = arg;
	l->r = gb__side_load(l->s, l->input, l->outdir, l->jobs, l->lim, l->err, sizeof(l->err));
	return NULL;
}

static int run(struct equiv_priv *q, const struct gb_equiv_opts *o, struct eq_side *a, struct eq_side *b)
{
	char err[1024] = "";
	char *pa = NULL, *pb = NULL;
	struct gb_pool *pool = NULL;
	int r;

	if (mkdir(o->outdir, 0755) < 0 && errno != EEXIST)
		return fail(q, -GB_EIO, "cannot create the output directory");
	if (asprintf(&pa, "%s/shipped", o->outdir) < 0 || asprintf(&pb, "%s/rebuilt", o->outdir) < 0) {
		free(pa);
		return fail(q, -GB_ENOMEM, "out of memory");
	}
	struct loader la = {.s = a, .input = o->shipped, .outdir = pa, .jobs = o->jobs, .lim = &o->limits};
	struct loader lb = {.s = b, .input = o->rebuilt, .outdir = pb, .jobs = o->jobs, .lim = &o->limits};
	pthread_t th;
	bool threaded = pthread_create(&th, NULL, load_thread, &lb) == 0;
	load_thread(&la);
	if (threaded)
		pthread_join(th, NULL);
	else
		load_thread(&lb);
	free(pa);
	free(pb);
	r = la.r < 0 ? la.r : lb.r;
	if (r < 0) {
		snprintf(err, sizeof(err), "%s", la.r < 0 ? la.err : lb.err);
		return fail(q, r, err);
	}
	q->pub.shipped_as = a->as;
	q->pub.rebuilt_as = b->as;

	unsigned jobs = o->jobs ? o->jobs : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	if (jobs < 1)
		jobs = 1;
	q->pub.jobs = jobs;
	r = gb_pool_new(jobs, "gb-equiv", &pool);
	if (r < 0)
		return fail(q, r, "out of memory");
	struct run ru = {.a = a, .b = b};
	unsigned seq = 0;
	r = round_run(&ru, pool, 0, 0);
	for (int round = 0; r == 0 && round < MAX_NEST_ROUNDS; round++) {
		size_t a0 = a->n, b0 = b->n;
		r = nest_round(&ru, o, &seq);
		if (r <= 0)
			break;
		r = round_run(&ru, pool, a0, b0);
	}
	gb_pool_free(pool);
	q->results = ru.res;
	q->n_results = ru.n_jobs;
	free(ru.jobs);
	if (r < 0)
		return fail(q, r, "out of memory");

	/* containers, deepest first */
	size_t *ord = malloc((a->n + 1) * sizeof(*ord)), nc = 0;
	if (!ord)
		return fail(q, -GB_ENOMEM, "out of memory");
	for (size_t i = 0; i < a->n; i++)
		if (a->e[i].result >= 0 && q->results[a->e[i].result].norms == PENDING)
			ord[nc++] = i;
	qsort_r(ord, nc, sizeof(*ord), cmp_depth_desc, a);
	for (size_t i = 0; i < nc; i++)
		decide_container(&ru, ord[i]);
	free(ord);
	r = build(q, &ru);
	return r < 0 ? fail(q, r, "out of memory") : 0;
}

int gb_equiv_run(const struct gb_equiv_opts *opts, struct gb_equiv **ret)
{
	struct equiv_priv *q;
	struct eq_side a = {.rootfd = -1}, b = {.rootfd = -1};
	double t0 = now();

	if (!opts || !opts->shipped || !opts->rebuilt || !opts->outdir || !ret)
		return -GB_EINVAL;
	q = calloc(1, sizeof(*q));
	if (!q)
		return -GB_ENOMEM;
	if (gb_arena_new(&q->arena) < 0) {
		free(q);
		return -GB_ENOMEM;
	}
	q->pub.shipped_input = gb_arena_strdup(q->arena, opts->shipped);
	q->pub.rebuilt_input = gb_arena_strdup(q->arena, opts->rebuilt);
	q->pub.outdir = gb_arena_strdup(q->arena, opts->outdir);
	if (opts->rebuild) {
		struct gb_equiv_rebuild *rb = &q->rebuild;
		*rb = *opts->rebuild;
		rb->command = adup(q->arena, rb->command);
		rb->source = adup(q->arena, rb->source);
		rb->copy = adup(q->arena, rb->copy);
		rb->artifacts = adup(q->arena, rb->artifacts);
		rb->log = adup(q->arena, rb->log);
		q->pub.rebuild = rb;
	}
	int r = run(q, opts, &a, &b);
	gb__side_free(&a);
	gb__side_free(&b);
	q->pub.seconds = now() - t0;
	*ret = &q->pub;
	return r;
}

void gb_equiv_free(struct gb_equiv *eq)
{
	if (!eq)
		return;
	struct equiv_priv *q = (struct equiv_priv *)eq;
	for (size_t i = 0; i < q->n_results; i++)
		gb__result_clear(&q->results[i]);
	free(q->results);
	free(q->files);
	gb_arena_free(q->arena);
	free(q);
}

const char *gb_equiv_verdict_name(enum gb_equiv_verdict v)
{
	switch (v) {
	case GB_EQUIV_IDENTICAL: return "identical";
	case GB_EQUIV_EQUIVALENT: return "equivalent";
	case GB_EQUIV_DIFFERENT: return "different";
	case GB_EQUIV_MISSING: return "missing";
	case GB_EQUIV_EXTRA: return "extra";
	}
	return "?";
}

const char *gb_equiv_norm_name(uint32_t bit)
{
	static const char *const names[GB__NORM_COUNT] = {
		"build-id", "debuglink", "debug-info", "strip-level", "symbol-table",
		"padding", "build-path", "build-date", "gzip-header", "compression",
		"archive-metadata", "member-order", "filesystem-metadata", "container-metadata",
		"trailer",
	};
	for (unsigned i = 0; i < GB__NORM_COUNT; i++)
		if (bit == 1u << i)
			return names[i];
	return NULL;
}
