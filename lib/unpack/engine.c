/* The scan: set up OUTDIR and the thread pool, carve the input, let every
 * container found be unpacked and every extracted file be carved in turn,
 * then assemble the immutable, deterministically ordered result. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/hash.h"
#include "core/writer.h"
#include "unpack/engine.h"

struct scan_impl {
	struct gb_scan pub; /* first: gb_scan_free() gets this pointer */
	struct gb_scanner s;
	struct gb_map *input;
};

int gb__vec_push(struct gb__vec *vec, void *item)
{
	if (vec->n == vec->cap) {
		size_t cap = vec->cap ? vec->cap * 2 : 16;
		void **v = realloc(vec->v, cap * sizeof(*v));
		if (!v)
			return -GB_ENOMEM;
		vec->v = v;
		vec->cap = cap;
	}
	vec->v[vec->n++] = item;
	return 0;
}

void gb__vec_free(struct gb__vec *vec)
{
	free(vec->v);
	vec->v = NULL;
	vec->n = vec->cap = 0;
}

void gb__set_fatal(struct gb_scanner *s, int err, const char *msg)
{
	int expected = 0;
	pthread_mutex_lock(&s->lock);
	if (atomic_compare_exchange_strong(&s->fatal, &expected, err))
		s->fatal_msg = gb_arena_strdup(s->arena, msg);
	pthread_mutex_unlock(&s->lock);
}

struct gb__node_rec *gb__node_new(struct gb_scanner *s, struct gb__node_rec *parent,
				  const char *format, uint64_t offset, uint64_t size)
{
	struct gb__node_rec *n = gb_arena_alloc(s->arena, sizeof(*n));
	if (!n) {
		gb__set_fatal(s, -GB_ENOMEM, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&n->lock, NULL);
	n->pub.format = format;
	n->pub.offset = offset;
	n->pub.size = size;
	n->pub.parent = parent ? parent->pub.id : -1;
	n->pub.depth = parent ? parent->pub.depth + 1 : 0;

	pthread_mutex_lock(&s->lock);
	if (s->nodes.n >= s->limits.max_nodes) {
		pthread_mutex_unlock(&s->lock);
		if (parent)
			gb__node_diag(s, parent, "node limit (%u containers per scan) reached: a %s at 0x%llx is not unpacked",
				      s->limits.max_nodes, format, (unsigned long long)offset);
		return NULL;
	}
	n->pub.id = (int)s->nodes.n;
	if (gb__vec_push(&s->nodes, n) < 0) {
		pthread_mutex_unlock(&s->lock);
		gb__set_fatal(s, -GB_ENOMEM, "out of memory");
		return NULL;
	}
	pthread_mutex_unlock(&s->lock);
	return n;
}

void gb__node_diag(struct gb_scanner *s, struct gb__node_rec *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = gb_arena_vprintf(s->arena, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&n->lock);
	if (n->n_diag < sizeof(n->diag) / sizeof(n->diag[0]) && msg)
		n->diag[n->n_diag++] = msg;
	else
		n->n_diag_dropped++;
	pthread_mutex_unlock(&n->lock);
}

/* ---- setup ---- */

/* The matcher depends only on the registry: built once per process and
 * shared read-only by every scan. */
static struct gb_ac *matcher;
static struct gb__magic_ref *matcher_refs;
static uint32_t *matcher_start_ids;
static size_t matcher_n_start;
static int matcher_err;
static pthread_once_t matcher_once = PTHREAD_ONCE_INIT;

static void build_matcher_once(void)
{
	size_t total = 0, n = 0;
	for (size_t i = 0; i < gb__n_formats; i++)
		total += gb__formats[i]->n_magics;
	matcher_refs = calloc(total ? total : 1, sizeof(*matcher_refs));
	matcher_start_ids = calloc(total ? total : 1, sizeof(*matcher_start_ids));
	if (!matcher_refs || !matcher_start_ids || gb_ac_new(&matcher) < 0) {
		matcher_err = -GB_ENOMEM;
		return;
	}
	for (size_t i = 0; i < gb__n_formats; i++) {
		const struct gb_format *f = gb__formats[i];
		for (unsigned m = 0; m < f->n_magics; m++) {
			uint32_t id = (uint32_t)n++;
			matcher_refs[id].format = (uint16_t)i;
			matcher_refs[id].magic = (uint16_t)m;
			if (f->start_only || f->magics[m].start_only) {
				matcher_start_ids[matcher_n_start++] = id;
				continue;
			}
			int r = gb_ac_add(matcher, (const uint8_t *)f->magics[m].bytes, f->magics[m].len, id);
			if (r < 0) {
				matcher_err = r;
				return;
			}
		}
	}
	matcher_err = gb_ac_build(matcher);
}

static int build_matcher(struct gb_scanner *s)
{
	pthread_once(&matcher_once, build_matcher_once);
	if (matcher_err < 0)
		return matcher_err;
	s->ac = matcher;
	s->magic_refs = matcher_refs;
	s->start_ids = matcher_start_ids;
	s->n_start_ids = matcher_n_start;
	return 0;
}

static int mkdir_p(const char *path)
{
	char *p = strdup(path);
	if (!p)
		return -GB_ENOMEM;
	for (char *q = p + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
			free(p);
			return -GB_EIO;
		}
		*q = '/';
	}
	int r = mkdir(p, 0755) < 0 && errno != EEXIST ? -GB_EIO : 0;
	free(p);
	return r;
}

static int fail_scan(struct scan_impl *si, int err, const char *what, const char *path)
{
	si->pub.error = gb_arena_printf(si->s.arena, "%s %s: %s", what, path, strerror(errno));
	return err;
}

static void hash_input(void *arg)
{
	struct scan_impl *si = arg;
	gb_sha256_hex(si->input->p, si->input->n, si->pub.input_sha256);
}

/* ---- assembling the result ---- */

static const char *join_diag(struct gb_scanner *s, const struct gb__node_rec *n)
{
	size_t len = 1;
	for (unsigned i = 0; i < n->n_diag; i++)
		len += strlen(n->diag[i]) + 2;
	len += 64;
	char *out = gb_arena_alloc(s->arena, len);
	if (!out)
		return "diagnostics lost (out of memory)";
	for (unsigned i = 0; i < n->n_diag; i++) {
		if (i)
			strcat(out, "; ");
		strcat(out, n->diag[i]);
	}
	if (n->n_diag_dropped)
		sprintf(out + strlen(out), "; and %u more", n->n_diag_dropped);
	return out;
}

static int node_key_cmp(const void *a, const void *b)
{
	const struct gb__node_rec *x = *(const struct gb__node_rec *const *)a;
	const struct gb__node_rec *y = *(const struct gb__node_rec *const *)b;
	return strcmp(x->sortkey, y->sortkey);
}

static int file_cmp(const void *a, const void *b)
{
	const struct gb_file *x = a, *y = b;
	if (x->node != y->node)
		return x->node - y->node;
	return strcmp(x->path, y->path);
}

static int region_cmp(const void *a, const void *b)
{
	const struct gb_region *x = a, *y = b;
	if (x->node != y->node)
		return x->node - y->node;
	int c = strcmp(x->source_path ? x->source_path : "", y->source_path ? y->source_path : "");
	if (c)
		return c;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Sort keys: the parent's key, the file the node came from, its offset. */
static int make_sortkeys(struct gb_scanner *s)
{
	for (size_t i = 0; i < s->nodes.n; i++) {
		struct gb__node_rec *n = s->nodes.v[i];
		const struct gb__node_rec *p = n->pub.parent >= 0 ? s->nodes.v[n->pub.parent] : NULL;
		/* parents are created before their children, so their keys exist */
		n->sortkey = gb_arena_printf(s->arena, "%s\x01%s\x02%016llx", p ? p->sortkey : "",
					     n->pub.source_path ? n->pub.source_path : "",
					     (unsigned long long)n->pub.offset);
		if (!n->sortkey)
			return -GB_ENOMEM;
	}
	return 0;
}

static int assemble(struct scan_impl *si)
{
	struct gb_scanner *s = &si->s;
	size_t nn = s->nodes.n;
	int *remap = malloc(nn * sizeof(int));
	struct gb__node_rec **order = malloc(nn * sizeof(*order));
	if (!remap || !order || make_sortkeys(s) < 0) {
		free(remap);
		free(order);
		return -GB_ENOMEM;
	}
	memcpy(order, s->nodes.v, nn * sizeof(*order));
	gb_qsort(order, nn, sizeof(*order), node_key_cmp);

	/* Nodes: drop false positives (format NULL) and anything below them. */
	struct gb_node *nodes = gb_arena_alloc(s->arena, (nn ? nn : 1) * sizeof(*nodes));
	size_t kept = 0;
	for (size_t i = 0; i < nn; i++)
		remap[i] = -1;
	for (size_t i = 0; i < nn; i++) {
		struct gb__node_rec *n = order[i];
		if (!n->pub.format || (n->pub.parent >= 0 && remap[n->pub.parent] < 0))
			continue;
		remap[n->pub.id] = (int)kept;
		struct gb_node *o = &nodes[kept++];
		*o = n->pub;
		o->id = remap[n->pub.id];
		o->parent = n->pub.parent >= 0 ? remap[n->pub.parent] : -1;
		if (n->failed)
			o->status = n->any_output ? GB_STATUS_PARTIAL : GB_STATUS_ERROR;
		else
			o->status = n->n_diag ? GB_STATUS_PARTIAL : GB_STATUS_OK;
		o->error = n->n_diag ? join_diag(s, n) : NULL;
		o->attrs = n->attrs;
		o->n_attrs = n->n_attrs;
		if (n->failed && !n->n_diag)
			o->error = "unpacking failed";
	}

	size_t nf = 0;
	for (size_t i = 0; i < nn; i++)
		nf += ((struct gb__node_rec *)s->nodes.v[i])->files.n;
	struct gb_file *files = gb_arena_alloc(s->arena, (nf ? nf : 1) * sizeof(*files));
	size_t fk = 0;
	for (size_t i = 0; i < nn; i++) {
		struct gb__node_rec *n = s->nodes.v[i];
		if (remap[i] < 0)
			continue;
		for (size_t j = 0; j < n->files.n; j++) {
			struct gb__file_rec *r = n->files.v[j];
			if (r->superseded)
				continue;
			files[fk] = r->pub;
			files[fk].node = remap[i];
			if (!files[fk].kind)
				files[fk].kind = r->pub.type == GB_FT_FILE ? "data" : NULL;
			fk++;
		}
	}
	gb_qsort(files, fk, sizeof(*files), file_cmp);

	struct gb_region *regions = gb_arena_alloc(s->arena, (s->regions.n ? s->regions.n : 1) * sizeof(*regions));
	size_t rk = 0;
	for (size_t i = 0; i < s->regions.n; i++) {
		struct gb_region *r = s->regions.v[i];
		if (remap[r->node] < 0)
			continue;
		regions[rk] = *r;
		regions[rk].node = remap[r->node];
		rk++;
	}
	gb_qsort(regions, rk, sizeof(*regions), region_cmp);

	free(remap);
	free(order);
	if (!nodes || !files || !regions)
		return -GB_ENOMEM;
	si->pub.nodes = nodes;
	si->pub.n_nodes = kept;
	si->pub.files = files;
	si->pub.n_files = fk;
	si->pub.regions = regions;
	si->pub.n_regions = rk;
	return 0;
}

/* ---- public API ---- */

void gb_scan_opts_init(struct gb_scan_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	gb_limits_default(&opts->limits);
}

static unsigned default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int start(struct scan_impl *si, const struct gb_scan_opts *opts)
{
	struct gb_scanner *s = &si->s;
	int r;

	si->pub.input_path = gb_arena_strdup(s->arena, opts->input);
	si->pub.outdir = gb_arena_strdup(s->arena, opts->outdir);
	r = gb_map_open(AT_FDCWD, opts->input, 0, &si->input);
	if (r == -GB_ENOMEM)
		return r;
	if (r < 0)
		return fail_scan(si, -GB_EIO, "cannot read input", opts->input);
	si->pub.input_size = si->input->n;

	if (mkdir_p(opts->outdir) < 0)
		return fail_scan(si, -GB_EEXIST, "cannot create output directory", opts->outdir);
	s->outfd = open(opts->outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->outfd < 0)
		return fail_scan(si, -GB_EEXIST, "cannot open output directory", opts->outdir);
	if (gb_wr_remove_tree(s->outfd, "extracted") < 0 || mkdirat(s->outfd, "extracted", 0755) < 0)
		return fail_scan(si, -GB_EEXIST, "cannot prepare", "extracted/ in the output directory");

	r = build_matcher(s);
	if (r < 0)
		return r;
	si->pub.jobs = opts->jobs ? opts->jobs : default_jobs();
	return gb_pool_new(si->pub.jobs, "gb-scan", &s->pool);
}

int gb_scan_run(const struct gb_scan_opts *opts, struct gb_scan **ret)
{
	struct scan_impl *si;
	struct gb_scanner *s;
	double t0 = now();
	int r;

	if (!opts || !opts->input || !opts->outdir || !ret)
		return -GB_EINVAL;
	si = calloc(1, sizeof(*si));
	if (!si)
		return -GB_ENOMEM;
	s = &si->s;
	s->opts = opts;
	s->limits = opts->limits;
	s->outfd = -1;
	pthread_mutex_init(&s->lock, NULL);
	if (gb_arena_new(&s->arena) < 0) {
		free(si);
		return -GB_ENOMEM;
	}
	*ret = &si->pub;

	r = start(si, opts);
	if (r < 0)
		goto done;

	struct gb__node_rec *root = gb__node_new(s, NULL, "input", 0, si->input->n);
	if (!root) {
		r = -GB_ENOMEM;
		goto done;
	}
	root->pub.dir = "extracted";
	root->pub.variant = NULL;

	struct gb__carve_job *job = calloc(1, sizeof(*job));
	if (!job) {
		r = -GB_ENOMEM;
		goto done;
	}
	job->s = s;
	job->map = gb_map_ref(si->input);
	job->span = (struct gb_span){si->input->p, si->input->n};
	job->parent = root;
	job->child_dir = "extracted";
	job->report_gaps = true;
	if (gb_pool_submit(s->pool, hash_input, si) < 0)
		hash_input(si);
	gb__carve_submit(job);
	gb_pool_wait(s->pool);

	r = assemble(si);
	if (r == 0 && atomic_load(&s->fatal)) {
		r = atomic_load(&s->fatal);
		si->pub.error = s->fatal_msg;
	}
done:
	if (r == -GB_ENOMEM && !si->pub.error)
		si->pub.error = "out of memory";
	si->pub.bytes_written = atomic_load(&s->bytes_written);
	si->pub.seconds = now() - t0;
	return r;
}

void gb_scan_free(struct gb_scan *scan)
{
	if (!scan)
		return;
	struct scan_impl *si = (struct scan_impl *)scan;
	struct gb_scanner *s = &si->s;
	gb_pool_free(s->pool);
	for (size_t i = 0; i < s->nodes.n; i++) {
		struct gb__node_rec *n = s->nodes.v[i];
		gb__vec_free(&n->files);
		free(n->index);
		pthread_mutex_destroy(&n->lock);
	}
	gb__vec_free(&s->nodes);
	gb__vec_free(&s->regions);
	gb_map_unref(si->input);
	if (s->outfd >= 0)
		close(s->outfd);
	pthread_mutex_destroy(&s->lock);
	gb_arena_free(s->arena);
	free(si);
}

const char *gb_ftype_name(enum gb_ftype t)
{
	switch (t) {
	case GB_FT_FILE:
		return "file";
	case GB_FT_DIR:
		return "dir";
	case GB_FT_SYMLINK:
		return "symlink";
	case GB_FT_HARDLINK:
		return "hardlink";
	case GB_FT_CHARDEV:
		return "chardev";
	case GB_FT_BLOCKDEV:
		return "blockdev";
	case GB_FT_FIFO:
		return "fifo";
	case GB_FT_SOCKET:
		return "socket";
	}
	return "unknown";
}

const char *gb_status_name(enum gb_status st)
{
	switch (st) {
	case GB_STATUS_OK:
		return "ok";
	case GB_STATUS_PARTIAL:
		return "partial";
	case GB_STATUS_ERROR:
		return "error";
	}
	return "error";
}
