/* Carving: find every known structure at any offset of a blob.
 *
 * One Aho-Corasick pass over the bytes proposes candidates (every magic of
 * every format, adjusted by the magic's offset inside its structure). They are
 * probed in offset order, formats in registry order; a validated structure is
 * unpacked at once and the scan resumes after the bytes it covers, so its
 * insides are never reported as false hits. What no structure claims is
 * recorded as an unclaimed region with its entropy.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/writer.h"
#include "unpack/engine.h"
#include "util/entropy.h"
#include "util/pathutil.h"

struct cand {
	uint64_t start;
	uint16_t fmt;
};

struct cand_list {
	struct cand *v;
	size_t n, cap, max;
	const struct gb_scanner *s;
	bool overflow;
};

static int on_match(void *ctx, uint32_t id, size_t pos)
{
	struct cand_list *cl = ctx;
	const struct gb__magic_ref *ref = &cl->s->magic_refs[id];
	const struct gb_format *f = gb__formats[ref->format];
	uint32_t moff = f->magics[ref->magic].offset;

	if (pos < moff)
		return 0;
	uint64_t start = pos - moff;
	if ((f->start_only || f->magics[ref->magic].start_only) && start != 0)
		return 0;
	if (cl->n == cl->max) {
		cl->overflow = true;
		return 1;
	}
	if (cl->n == cl->cap) {
		size_t cap = cl->cap ? cl->cap * 2 : 64;
		struct cand *v = realloc(cl->v, cap * sizeof(*v));
		if (!v) {
			cl->overflow = true;
			return 1;
		}
		cl->v = v;
		cl->cap = cap;
	}
	cl->v[cl->n].start = start;
	cl->v[cl->n].fmt = ref->format;
	cl->n++;
	return 0;
}

/* The start-only magics, compared where they would sit at offset 0. */
static void match_start_only(const struct gb_scanner *s, const struct gb_span *span,
			     struct cand_list *cl)
{
	for (size_t i = 0; i < s->n_start_ids && !cl->overflow; i++) {
		const struct gb__magic_ref *ref = &s->magic_refs[s->start_ids[i]];
		const struct gb_magic *m = &gb__formats[ref->format]->magics[ref->magic];
		const uint8_t *p = gb_span_at(span, m->offset, m->len);

		if (p && memcmp(p, m->bytes, m->len) == 0)
			on_match(cl, s->start_ids[i], m->offset);
	}
}

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (int)x->fmt - (int)y->fmt;
}

static void add_region(struct gb__carve_job *job, uint64_t off, uint64_t len)
{
	struct gb_scanner *s = job->s;
	struct gb_region *r;

	if (len == 0)
		return;
	r = gb_arena_alloc(s->arena, sizeof(*r));
	if (!r)
		return;
	r->node = job->parent->pub.id;
	r->source_path = job->file ? job->file->pub.path : NULL;
	r->offset = job->base + off;
	r->size = len;
	r->entropy = gb_entropy(job->span.p + off, (size_t)len, &r->fill);
	pthread_mutex_lock(&s->lock);
	gb__vec_push(&s->regions, r);
	pthread_mutex_unlock(&s->lock);
}

/* Where the dirs of this blob's children go: created on first use. */
static const char *child_dir_for(struct gb__carve_job *job, const char *leaf)
{
	struct gb_scanner *s = job->s;
	const char *dir = gb_arena_printf(s->arena, "%s/%s", job->child_dir, leaf);
	if (!dir)
		return NULL;
	int r = gb_wr_mkdir(s->outfd, dir, 0755);
	if (r == -GB_EEXIST && job->file) {
		/* The image itself holds an entry named like our directory. */
		dir = gb_arena_printf(s->arena, "%s-glassbox/%s", job->child_dir, leaf);
		if (!dir)
			return NULL;
		r = gb_wr_mkdir(s->outfd, dir, 0755);
	}
	return r < 0 ? NULL : dir;
}

static const char *name_hint(const struct gb__carve_job *job, uint64_t start)
{
	if (job->file && start == 0)
		return gb_path_basename(job->file->pub.path);
	if (job->parent->pub.id == 0 && !job->file && job->base == 0 && start == 0)
		return gb_path_basename(job->s->opts->input);
	return "data";
}

/* Handle one validated structure at `start`; returns the bytes it covers
 * (0 when it turned out to be a false positive). */
static uint64_t handle_structure(struct gb__carve_job *job, const struct gb_format *f,
				 uint64_t start, struct gb_probe *pr)
{
	struct gb_scanner *s = job->s;
	uint64_t avail = job->span.n - start;
	uint64_t size = pr->size;
	bool whole;

	if (size != GB_SIZE_UNKNOWN && size > avail)
		size = avail;
	if (size == 0)
		return 0;

	if (pr->identify_only || !f->unpack) {
		uint64_t covered = size == GB_SIZE_UNKNOWN ? avail : size;
		whole = job->file && start == 0 && covered == job->span.n;
		if (whole && pr->identify_only) {
			job->file->pub.kind = pr->file_kind ? pr->file_kind : gb__kind_for_format(f);
			return covered;
		}
		struct gb__node_rec *n = gb__node_new(s, job->parent, f->name, job->base + start, covered);
		if (!n)
			return covered;
		n->pub.identify_only = pr->identify_only;
		n->pub.variant = pr->variant[0] ? gb_arena_strdup(s->arena, pr->variant) : NULL;
		n->pub.source_path = job->file ? job->file->pub.path : NULL;
		n->pub.label = start == 0 ? job->label : NULL;
		if (!pr->identify_only)
			gb__node_diag(s, n, "detected, extractor not built");
		if (whole)
			job->file->pub.kind = pr->file_kind ? pr->file_kind : gb__kind_for_format(f);
		return covered;
	}

	struct gb__node_rec *n = gb__node_new(s, job->parent, f->name, job->base + start,
					      size == GB_SIZE_UNKNOWN ? avail : size);
	if (!n)
		return size == GB_SIZE_UNKNOWN ? 1 : size;
	n->pub.variant = pr->variant[0] ? gb_arena_strdup(s->arena, pr->variant) : NULL;
	n->pub.source_path = job->file ? job->file->pub.path : NULL;
	n->pub.label = start == 0 ? job->label : NULL;

	if (n->pub.depth > s->limits.max_depth) {
		gb__node_diag(s, n, "nesting depth limit (%u) reached: not unpacked", s->limits.max_depth);
		n->failed = true;
		return size == GB_SIZE_UNKNOWN ? avail : size;
	}

	char leaf[96];
	snprintf(leaf, sizeof(leaf), "0x%" PRIx64 "-%s", start, f->name);
	n->pub.dir = child_dir_for(job, leaf);
	if (!n->pub.dir) {
		gb__node_diag(s, n, "cannot create its output directory");
		n->failed = true;
		return size == GB_SIZE_UNKNOWN ? avail : size;
	}

	struct gb_span sub = {job->span.p + start, (size_t)(size == GB_SIZE_UNKNOWN ? avail : size)};
	uint64_t consumed = 0;
	bool consumed_set = false;
	gb__unpack_node(s, n, f, &sub, pr, job->map, name_hint(job, start), &consumed, &consumed_set);

	if (size == GB_SIZE_UNKNOWN) {
		if (consumed_set && consumed > 0 && consumed <= avail)
			size = consumed;
		else if (!n->any_output)
			size = 0; /* nothing decoded: let the bytes be carved again */
		else
			size = avail;
		n->pub.size = size ? size : n->pub.size;
	}
	if (!n->any_output && pr->confidence > GB_CONF_LOW && (size == 0 || n->failed)) {
		/* A well-formed header whose data does not decode: an error node,
		 * but the bytes after its header are carved again. */
		n->failed = true;
		if (size == 0)
			n->pub.size = 0;
		return 1;
	}
	if (size == 0 || (!n->any_output && n->failed)) {
		/* A weak magic that did not decode: a false positive, not a node. */
		n->pub.format = NULL; /* dropped when the report is assembled */
		unlinkat(s->outfd, n->pub.dir, AT_REMOVEDIR);
		return 0;
	}
	whole = job->file && start == 0 && size == job->span.n;
	if (whole)
		job->file->pub.kind = pr->file_kind ? pr->file_kind : gb__kind_for_format(f);
	return size;
}

void gb__carve_run(struct gb__carve_job *job)
{
	struct gb_scanner *s = job->s;
	struct cand_list cl = {.s = s, .max = s->limits.max_candidates};
	uint64_t cursor = 0;
	bool found = false;
	struct {
		uint64_t off, len;
	} gaps[64];
	size_t n_gaps = 0;
	bool gaps_overflow = false;

	if (atomic_load(&s->fatal) || job->span.n == 0)
		goto out;

	gb_ac_scan(s->ac, job->span.p, job->span.n, on_match, &cl);
	match_start_only(s, &job->span, &cl);
	if (cl.overflow)
		gb__node_diag(s, job->parent, "carving stopped after %zu candidates%s%s (limit)", cl.n,
			      job->file ? " in " : "", job->file ? job->file->pub.path : "");
	if (cl.n > 1)
		gb_qsort(cl.v, cl.n, sizeof(*cl.v), cand_cmp);

	for (size_t i = 0; i < cl.n && !atomic_load(&s->fatal); i++) {
		const struct cand *c = &cl.v[i];
		if (c->start < cursor || (i > 0 && c->start == cl.v[i - 1].start && c->fmt == cl.v[i - 1].fmt))
			continue;
		const struct gb_format *f = gb__formats[c->fmt];
		struct gb_span tail = {job->span.p + c->start, job->span.n - (size_t)c->start};
		struct gb_probe pr = {0};
		if (f->probe(&tail, &pr) < 0)
			continue;
		uint64_t covered = handle_structure(job, f, c->start, &pr);
		if (covered == 0)
			continue;
		if (c->start > cursor) {
			if (n_gaps < 64) {
				gaps[n_gaps].off = cursor;
				gaps[n_gaps].len = c->start - cursor;
				n_gaps++;
			} else {
				gaps_overflow = true;
			}
		}
		found = true;
		cursor = c->start + covered;
	}
	if (cursor < job->span.n && n_gaps < 64) {
		gaps[n_gaps].off = cursor;
		gaps[n_gaps].len = job->span.n - cursor;
		n_gaps++;
	}
	if (found || job->report_gaps) {
		for (size_t i = 0; i < n_gaps; i++)
			add_region(job, gaps[i].off, gaps[i].len);
		if (gaps_overflow)
			gb__node_diag(s, job->parent, "more than 64 unclaimed regions; only the first are listed");
	}
	if (job->file && !job->file->pub.kind)
		job->file->pub.kind = gb__classify(&job->span, job->file->pub.path);
out:
	free(cl.v);
	gb_map_unref(job->map);
	free(job);
}

static void carve_task(void *arg)
{
	gb__carve_run(arg);
}

int gb__carve_submit(struct gb__carve_job *job)
{
	int r = gb_pool_submit(job->s->pool, carve_task, job);
	if (r < 0) {
		/* No memory to queue it: do it now rather than lose it. */
		gb__carve_run(job);
	}
	return 0;
}
