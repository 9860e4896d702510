/* The services formats call to write their children (declared in
 * include/glassbox/sys/format.h), on top of the safe writer in lib/core.
 *
 * Every entry is recorded in the inventory exactly as the container says
 * (type, mode with setuid bits, owner, device numbers), then created on disk
 * beneath the node's directory: regular files (hashed while written, without
 * setuid/setgid/sticky), directories, symlinks verbatim (never followed), hard
 * links only to files already extracted in the same node. Devices, fifos and
 * sockets are recorded only. An entry whose path escapes the container or
 * cannot be created where it says goes to the node's lost+found/ and the
 * record says so.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/hash.h"
#include "core/writer.h"
#include "unpack/engine.h"
#include "util/pathutil.h"

struct region_req {
	uint64_t off, len;
	const char *label;
};

struct gb_unpack {
	struct gb_scanner *s;
	struct gb__node_rec *node;
	const struct gb_format *fmt;
	const struct gb_span *span;
	struct gb_map *map;
	const char *name_hint;
	int dirfd;
	uint64_t consumed;
	bool consumed_set;
	_Atomic uint32_t entries;
	_Atomic bool entry_limit_hit;
	pthread_mutex_t lock; /* regions */
	struct region_req *regions;
	size_t n_regions, cap_regions;
	gb_unpack_tap_fn tap; /* set during gb_unpack_stream() */
	void *tap_ctx;
};

struct gb_wfile {
	struct gb_unpack *u;
	struct gb__file_rec *rec;
	struct gb_sha256 *hash;
	int fd;
	uint64_t written;
	uint64_t input;  /* compressed bytes behind `written`, 0 = unknown */
	bool limited;
	int err;
};

/* ---- the node's path index (hard links, duplicates) ---- */

static uint64_t hash_str(const char *p)
{
	uint64_t h = 1469598103934665603ULL;
	while (*p)
		h = (h ^ (unsigned char)*p++) * 1099511628211ULL;
	return h;
}

static struct gb__file_rec *index_get(struct gb__node_rec *n, const char *norm)
{
	if (!n->index_cap)
		return NULL;
	for (size_t i = hash_str(norm) & (n->index_cap - 1);; i = (i + 1) & (n->index_cap - 1)) {
		struct gb__file_rec *r = n->index[i];
		if (!r)
			return NULL;
		if (strcmp(r->norm, norm) == 0)
			return r;
	}
}

/* Insert or replace; the caller holds n->lock. Returns the replaced record. */
static struct gb__file_rec *index_put(struct gb__node_rec *n, struct gb__file_rec *rec)
{
	if (n->index_n * 2 >= n->index_cap) {
		size_t cap = n->index_cap ? n->index_cap * 2 : 256;
		struct gb__file_rec **v = calloc(cap, sizeof(*v));
		if (!v)
			return NULL;
		for (size_t i = 0; i < n->index_cap; i++) {
			struct gb__file_rec *r = n->index[i];
			if (!r)
				continue;
			size_t j = hash_str(r->norm) & (cap - 1);
			while (v[j])
				j = (j + 1) & (cap - 1);
			v[j] = r;
		}
		free(n->index);
		n->index = v;
		n->index_cap = cap;
	}
	size_t i = hash_str(rec->norm) & (n->index_cap - 1);
	for (; n->index[i]; i = (i + 1) & (n->index_cap - 1)) {
		if (strcmp(n->index[i]->norm, rec->norm) == 0) {
			struct gb__file_rec *old = n->index[i];
			n->index[i] = rec;
			return old;
		}
	}
	n->index[i] = rec;
	n->index_n++;
	return NULL;
}

/* ---- recording ---- */

static int count_entry(struct gb_unpack *u)
{
	uint32_t n = atomic_fetch_add(&u->entries, 1) + 1;
	if (n <= u->s->limits.max_entries)
		return 0;
	if (!atomic_exchange(&u->entry_limit_hit, true))
		gb__node_diag(u->s, u->node, "entry limit (%u entries per container) reached: the rest is not extracted",
			      u->s->limits.max_entries);
	return -GB_ELIMIT;
}

/* Build the record for e: display path, normalised path, metadata. */
static struct gb__file_rec *make_record(struct gb_unpack *u, const struct gb_entry *e, bool *escaped)
{
	struct gb_arena *a = u->s->arena;
	const char *raw = e->path ? e->path : "";
	size_t len = strlen(raw);
	struct gb__file_rec *rec = gb_arena_alloc(a, sizeof(*rec));
	char *norm = gb_arena_alloc(a, len + 1);
	char *disp = gb_arena_alloc(a, 4 * len + 2);

	if (!rec || !norm || !disp)
		return NULL;
	gb_path_normalize(raw, norm, escaped);
	/* The report shows the normalised path, or the raw one when it escapes. */
	disp[0] = '/';
	gb_path_utf8_escape(*escaped ? raw + (raw[0] == '/') : norm, disp + 1);
	rec->norm = norm;
	rec->pub.node = u->node->pub.id;
	rec->pub.path = disp;
	rec->pub.type = e->type;
	rec->pub.mode = e->mode & 07777;
	rec->pub.uid = e->uid;
	rec->pub.gid = e->gid;
	rec->pub.size = e->size;
	rec->pub.major = e->major;
	rec->pub.minor = e->minor;
	if (e->target) {
		size_t tl = strlen(e->target);
		char *t = gb_arena_alloc(a, 4 * tl + 1);
		if (!t)
			return NULL;
		gb_path_utf8_escape(e->target, t);
		rec->pub.target = t;
	}
	return rec;
}

static void publish(struct gb_unpack *u, struct gb__file_rec *rec)
{
	struct gb__node_rec *n = u->node;
	pthread_mutex_lock(&n->lock);
	if (rec->norm[0]) {
		struct gb__file_rec *old = index_put(n, rec);
		if (old && old->pub.type != GB_FT_DIR)
			old->superseded = true;
		else if (old && rec->pub.type == GB_FT_DIR)
			old->superseded = true; /* a directory listed twice: keep the last */
	}
	gb__vec_push(&n->files, rec);
	n->any_output = true;
	pthread_mutex_unlock(&n->lock);
}

/* A unique name under lost+found/ for an entry that cannot go where it says. */
static char *lost_name(struct gb_unpack *u, const struct gb__file_rec *rec)
{
	struct gb__node_rec *n = u->node;
	const char *base = gb_path_basename(rec->norm[0] ? rec->norm : "entry");
	char safe[101];
	size_t bl = strlen(base), k = 0;
	unsigned id;

	if (bl > 100)
		base += bl - 100;
	for (; base[k] && k < 100; k++)
		safe[k] = base[k];
	safe[k] = '\0';
	if (!safe[0] || strcmp(safe, ".") == 0 || strcmp(safe, "..") == 0)
		strcpy(safe, "entry");
	pthread_mutex_lock(&n->lock);
	id = ++n->lost_counter;
	pthread_mutex_unlock(&n->lock);
	return gb_arena_printf(u->s->arena, "lost+found/%u-%s", id, safe);
}

static void set_disk(struct gb_unpack *u, struct gb__file_rec *rec, const char *rel)
{
	rec->pub.disk = gb_arena_printf(u->s->arena, "%s/%s", u->node->pub.dir, rel);
}

static const char *blocked_note(int r)
{
	if (r == -GB_EEXIST)
		return "its path goes through a symlink or a non-directory";
	if (errno == ENAMETOOLONG)
		return "its name is too long for the host file system";
	return "it could not be created where its path says";
}

/* Record an output failure that is not about the image (disk full...). */
static int output_failed(struct gb_unpack *u, const char *what)
{
	int e = errno;
	if (e == ENOSPC || e == EDQUOT || e == EFBIG || e == EROFS || e == EMFILE || e == ENFILE) {
		char msg[256];
		snprintf(msg, sizeof(msg), "writing %s failed: %s", what, strerror(e));
		gb__set_fatal(u->s, -GB_EIO, msg);
		return -GB_EIO;
	}
	return 0;
}

int gb_unpack_entry(struct gb_unpack *u, const struct gb_entry *e)
{
	bool escaped;
	int r;

	if (atomic_load(&u->s->fatal))
		return -GB_EIO;
	if (e->type == GB_FT_FILE) {
		struct gb_span empty = {NULL, 0};
		return gb_unpack_file_span(u, e, &empty);
	}
	r = count_entry(u);
	if (r < 0)
		return r;
	struct gb__file_rec *rec = make_record(u, e, &escaped);
	if (!rec)
		return -GB_ENOMEM;
	if (escaped) {
		rec->pub.note = "its path escapes the container root: not created";
		publish(u, rec);
		return 0;
	}
	if (!rec->norm[0] && e->type == GB_FT_DIR) {
		/* The container's root directory itself: nothing to record. */
		return 0;
	}

	switch (e->type) {
	case GB_FT_DIR:
		r = gb_wr_mkdir(u->dirfd, rec->norm, e->mode);
		if (r == 0)
			set_disk(u, rec, rec->norm);
		break;
	case GB_FT_SYMLINK:
		if (!e->target) {
			rec->pub.note = "symlink without a target";
			break;
		}
		r = gb_wr_symlink(u->dirfd, rec->norm, e->target);
		if (r == 0)
			set_disk(u, rec, rec->norm);
		break;
	case GB_FT_HARDLINK: {
		if (!e->target) {
			rec->pub.note = "hard link without a target";
			break;
		}
		bool tesc;
		char *tnorm = gb_arena_alloc(u->s->arena, strlen(e->target) + 1);
		if (!tnorm)
			return -GB_ENOMEM;
		gb_path_normalize(e->target, tnorm, &tesc);
		pthread_mutex_lock(&u->node->lock);
		struct gb__file_rec *t = tesc ? NULL : index_get(u->node, tnorm);
		pthread_mutex_unlock(&u->node->lock);
		if (!t || t->pub.type != GB_FT_FILE || !t->pub.disk) {
			rec->pub.note = "hard link to a file that is not (yet) extracted in this container: not created";
			break;
		}
		memcpy(rec->pub.sha256, t->pub.sha256, sizeof(rec->pub.sha256));
		rec->pub.size = t->pub.size;
		rec->pub.target = t->pub.path;
		/* t->pub.disk is "<node dir>/<rel>": link by the rel part. */
		const char *trel = t->pub.disk + strlen(u->node->pub.dir) + 1;
		r = gb_wr_hardlink(u->dirfd, trel, rec->norm);
		if (r == 0)
			set_disk(u, rec, rec->norm);
		break;
	}
	case GB_FT_CHARDEV:
	case GB_FT_BLOCKDEV:
	case GB_FT_FIFO:
	case GB_FT_SOCKET:
		rec->pub.note = NULL; /* recorded only, never created */
		r = 0;
		break;
	default:
		rec->pub.note = "unknown entry type";
		break;
	}
	if (r < 0) {
		if (output_failed(u, rec->pub.path) < 0)
			return -GB_EIO;
		rec->pub.note = blocked_note(r);
	}
	publish(u, rec);
	return 0;
}

static int open_output(struct gb_unpack *u, struct gb__file_rec *rec, bool escaped, uint32_t mode, int *ret_fd)
{
	int r = -GB_EEXIST;
	if (!escaped && rec->norm[0]) {
		r = gb_wr_create_file(u->dirfd, rec->norm, mode, ret_fd);
		if (r == 0) {
			set_disk(u, rec, rec->norm);
			return 0;
		}
		if (output_failed(u, rec->pub.path) < 0)
			return -GB_EIO;
	}
	char *lost = lost_name(u, rec);
	if (!lost)
		return -GB_ENOMEM;
	rec->pub.note = escaped ? "its path escapes the container root: written to lost+found"
		: !rec->norm[0] ? "entry without a name: written to lost+found"
		: r == -GB_EEXIST ? "its path goes through a symlink or a non-directory: written to lost+found"
				  : "it could not be created where its path says: written to lost+found";
	r = gb_wr_create_file(u->dirfd, lost, mode, ret_fd);
	if (r == 0) {
		set_disk(u, rec, lost);
		return 0;
	}
	if (output_failed(u, rec->pub.path) < 0)
		return -GB_EIO;
	rec->pub.note = blocked_note(r);
	*ret_fd = -1;
	return 0;
}

int gb_unpack_file_begin(struct gb_unpack *u, const struct gb_entry *e, struct gb_wfile **ret)
{
	bool escaped;
	int r;

	if (atomic_load(&u->s->fatal))
		return -GB_EIO;
	r = count_entry(u);
	if (r < 0)
		return r;
	struct gb_wfile *f = calloc(1, sizeof(*f));
	if (!f)
		return -GB_ENOMEM;
	f->u = u;
	f->fd = -1;
	f->rec = make_record(u, e, &escaped);
	if (!f->rec || gb_sha256_new(&f->hash) < 0) {
		free(f);
		return -GB_ENOMEM;
	}
	f->rec->pub.type = GB_FT_FILE;
	r = open_output(u, f->rec, escaped, e->mode, &f->fd);
	if (r < 0) {
		gb_sha256_free(f->hash);
		free(f);
		return r;
	}
	*ret = f;
	return 0;
}

int gb_wfile_write(struct gb_wfile *f, const void *buf, size_t n)
{
	struct gb_unpack *u = f->u;
	struct gb_scanner *s = u->s;
	const struct gb_limits *lim = &s->limits;
	const uint8_t *p = buf;
	size_t len = n;

	if (f->err)
		return f->err;
	if (n == 0)
		return 0;
	uint64_t after = f->written + n;
	uint64_t in = f->input ? f->input : u->span->n ? u->span->n : 1;
	if (after > lim->max_file_bytes ||
	    (after > lim->ratio_floor && after / in >= lim->max_ratio)) {
		f->limited = true;
		f->err = -GB_ELIMIT;
		gb__node_diag(s, u->node, "%s: stopped at %llu bytes (limit: %s)", f->rec->pub.path,
			      (unsigned long long)f->written,
			      after > lim->max_file_bytes ? "size of one file" : "expansion ratio");
		return f->err;
	}
	uint64_t total = atomic_fetch_add(&s->bytes_written, n) + n;
	if (total > lim->max_total_bytes) {
		atomic_fetch_sub(&s->bytes_written, n); /* not written after all */
		f->limited = true;
		f->err = -GB_ELIMIT;
		if (!atomic_exchange(&s->total_limit_hit, true))
			gb__node_diag(s, u->node, "total output limit (%llu bytes) reached",
				      (unsigned long long)lim->max_total_bytes);
		return f->err;
	}
	gb_sha256_update(f->hash, p, n);
	f->written = after;
	while (n > 0 && f->fd >= 0) {
		ssize_t w = write(f->fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			output_failed(u, f->rec->pub.path);
			f->err = -GB_EIO;
			return f->err;
		}
		p += w;
		n -= (size_t)w;
	}
	if (u->tap)
		u->tap(u->tap_ctx, buf, len);
	return 0;
}

void gb_wfile_set_input(struct gb_wfile *f, uint64_t consumed)
{
	f->input = consumed;
}

int gb_unpack_file_end(struct gb_unpack *u, struct gb_wfile *f, int status)
{
	int r = 0;
	if (!f)
		return 0;
	if (f->fd >= 0 && close(f->fd) < 0 && !f->err) {
		output_failed(u, f->rec->pub.path);
		r = -GB_EIO;
	}
	gb_sha256_final_hex(f->hash, f->rec->pub.sha256);
	f->rec->pub.size = f->written;
	if (f->limited || status < 0 || f->err) {
		f->rec->pub.incomplete = true;
		if (!f->rec->pub.note)
			f->rec->pub.note = f->limited ? "cut short by a limit" : "data incomplete (corrupt or truncated)";
	}
	publish(u, f->rec);
	if (f->err == -GB_EIO)
		r = -GB_EIO;
	free(f);
	return r;
}

int gb_unpack_file_span(struct gb_unpack *u, const struct gb_entry *e, const struct gb_span *data)
{
	struct gb_wfile *f;
	int r = gb_unpack_file_begin(u, e, &f);
	if (r < 0)
		return r;
	int w = gb_wfile_write(f, data->p, data->n);
	r = gb_unpack_file_end(u, f, 0);
	return w < 0 ? w : r;
}

int gb_unpack_region(struct gb_unpack *u, uint64_t off, uint64_t len, const char *label)
{
	if (off > u->span->n || len > u->span->n - off) {
		gb_unpack_warn(u, "region at 0x%llx (%llu bytes) lies outside the structure: clamped",
			       (unsigned long long)off, (unsigned long long)len);
		if (off > u->span->n)
			return -GB_ETRUNC;
		len = u->span->n - off;
	}
	pthread_mutex_lock(&u->lock);
	if (u->n_regions == u->cap_regions) {
		size_t cap = u->cap_regions ? u->cap_regions * 2 : 8;
		struct region_req *v = realloc(u->regions, cap * sizeof(*v));
		if (!v) {
			pthread_mutex_unlock(&u->lock);
			return -GB_ENOMEM;
		}
		u->regions = v;
		u->cap_regions = cap;
	}
	u->regions[u->n_regions].off = off;
	u->regions[u->n_regions].len = len;
	u->regions[u->n_regions].label = label ? gb_arena_strdup(u->s->arena, label) : NULL;
	u->n_regions++;
	u->node->any_output = true;
	pthread_mutex_unlock(&u->lock);
	return 0;
}

void gb_unpack_set_consumed(struct gb_unpack *u, uint64_t n)
{
	u->consumed = n;
	u->consumed_set = true;
}

int gb_unpack_fail(struct gb_unpack *u, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = gb_arena_vprintf(u->s->arena, fmt, ap);
	va_end(ap);
	gb__node_diag(u->s, u->node, "%s", msg ? msg : "unpack failed");
	u->node->failed = true;
	return err;
}

void gb_unpack_warn(struct gb_unpack *u, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = gb_arena_vprintf(u->s->arena, fmt, ap);
	va_end(ap);
	gb__node_diag(u->s, u->node, "%s", msg ? msg : "warning");
}

void gb_unpack_set_variant(struct gb_unpack *u, const char *variant)
{
	char *v = variant && variant[0] ? gb_arena_strndup(u->s->arena, variant, 31) : NULL;

	if (!v)
		return;
	pthread_mutex_lock(&u->node->lock);
	u->node->pub.variant = v;
	pthread_mutex_unlock(&u->node->lock);
}

int gb_unpack_stream(struct gb_unpack *u, const char *format, const struct gb_span *data,
		     const char *name, gb_unpack_tap_fn tap, void *tap_ctx, uint64_t *ret_consumed)
{
	const struct gb_format *f = gb__format_find(format);
	const char *hint = u->name_hint;
	uint64_t consumed = u->consumed;
	bool consumed_set = u->consumed_set;
	struct gb_probe pr = {0};
	struct gb_span sub;
	int r;

	if (ret_consumed)
		*ret_consumed = 0;
	if (!f || f->kind != GB_KIND_COMPRESSED || !f->unpack || !data ||
	    data->p < u->span->p || data->n > u->span->n ||
	    (size_t)(data->p - u->span->p) > u->span->n - data->n)
		return -GB_EINVAL;
	if (f->probe(data, &pr) < 0)
		return -GB_ENOTFOUND;
	sub = *data;
	if (pr.size != GB_SIZE_UNKNOWN && pr.size < sub.n)
		sub.n = (size_t)pr.size;
	/* the decompressor names its file after the hint: make it `name` */
	u->name_hint = name;
	u->consumed_set = false;
	u->tap = tap;
	u->tap_ctx = tap_ctx;
	r = f->unpack(u, &sub, &pr);
	u->tap = NULL;
	u->tap_ctx = NULL;
	if (ret_consumed)
		*ret_consumed = u->consumed_set ? u->consumed : pr.size != GB_SIZE_UNKNOWN ? sub.n : 0;
	u->name_hint = hint;
	u->consumed = consumed;
	u->consumed_set = consumed_set;
	return r;
}

static char *escaped_copy(struct gb_arena *a, const char *str)
{
	char *out = gb_arena_alloc(a, 4 * strlen(str) + 1);

	if (out)
		gb_path_utf8_escape(str, out);
	return out;
}

int gb_unpack_set_attr(struct gb_unpack *u, const char *key, const char *value)
{
	struct gb__node_rec *n = u->node;
	struct gb_arena *a = u->s->arena;
	char *k = escaped_copy(a, key ? key : ""), *v = escaped_copy(a, value ? value : "");
	int r = 0;

	if (!k || !v)
		return -GB_ENOMEM;
	pthread_mutex_lock(&n->lock);
	for (size_t i = 0; i < n->n_attrs; i++)
		if (strcmp(n->attrs[i].key, k) == 0) {
			n->attrs[i].value = v;
			pthread_mutex_unlock(&n->lock);
			return 0;
		}
	if (n->n_attrs >= GB_MAX_NODE_ATTRS) {
		bool first = !n->attrs_dropped;

		n->attrs_dropped = true;
		pthread_mutex_unlock(&n->lock);
		if (first)
			gb_unpack_warn(u, "more than %u attributes: the rest are dropped",
				       GB_MAX_NODE_ATTRS);
		return -GB_ELIMIT;
	}
	if (n->n_attrs == n->cap_attrs) {
		size_t cap = n->cap_attrs ? n->cap_attrs * 2 : 16;
		struct gb_attr *grown = gb_arena_alloc(a, cap * sizeof(*grown));

		if (!grown) {
			r = -GB_ENOMEM;
			goto out;
		}
		if (n->n_attrs)
			memcpy(grown, n->attrs, n->n_attrs * sizeof(*grown));
		n->attrs = grown;
		n->cap_attrs = cap;
	}
	n->attrs[n->n_attrs].key = k;
	n->attrs[n->n_attrs].value = v;
	n->n_attrs++;
out:
	pthread_mutex_unlock(&n->lock);
	return r;
}

const struct gb_limits *gb_unpack_limits(const struct gb_unpack *u)
{
	return &u->s->limits;
}

const char *gb_unpack_name_hint(const struct gb_unpack *u)
{
	return u->name_hint ? u->name_hint : "data";
}

int gb_unpack_parallel(struct gb_unpack *u, size_t n, int (*fn)(void *ctx, size_t i), void *ctx)
{
	return gb_pool_parallel(u->s->pool, n, fn, ctx);
}

unsigned gb_unpack_threads(const struct gb_unpack *u)
{
	return gb_pool_threads(u->s->pool);
}

/* ---- running a node's unpack ---- */

static void submit_file_jobs(struct gb_unpack *u)
{
	struct gb_scanner *s = u->s;
	struct gb__node_rec *n = u->node;

	for (size_t i = 0; i < n->files.n; i++) {
		struct gb__file_rec *rec = n->files.v[i];
		if (rec->pub.type != GB_FT_FILE || rec->superseded)
			continue;
		if (rec->pub.size == 0) {
			rec->pub.kind = "empty";
			continue;
		}
		if (!rec->pub.disk) {
			rec->pub.kind = "data";
			continue;
		}
		struct gb_map *m;
		if (gb_map_open(s->outfd, rec->pub.disk, 1, &m) < 0) {
			rec->pub.kind = "data";
			continue;
		}
		struct gb__carve_job *job = calloc(1, sizeof(*job));
		if (!job) {
			gb_map_unref(m);
			gb__set_fatal(s, -GB_ENOMEM, "out of memory");
			return;
		}
		job->s = s;
		job->map = m;
		job->span = (struct gb_span){m->p, m->n};
		job->parent = n;
		job->file = rec;
		job->child_dir = gb_arena_printf(s->arena, "%s.extracted", rec->pub.disk);
		gb__carve_submit(job);
	}
}

static void submit_region_jobs(struct gb_unpack *u)
{
	for (size_t i = 0; i < u->n_regions; i++) {
		struct gb__carve_job *job = calloc(1, sizeof(*job));
		if (!job) {
			gb__set_fatal(u->s, -GB_ENOMEM, "out of memory");
			return;
		}
		job->s = u->s;
		job->map = gb_map_ref(u->map);
		job->span = (struct gb_span){u->span->p + u->regions[i].off, (size_t)u->regions[i].len};
		job->parent = u->node;
		job->base = u->regions[i].off;
		job->child_dir = u->node->pub.dir;
		job->label = u->regions[i].label;
		job->report_gaps = true;
		gb__carve_submit(job);
	}
}

int gb__unpack_node(struct gb_scanner *s, struct gb__node_rec *node, const struct gb_format *fmt,
		    const struct gb_span *span, const struct gb_probe *probe, struct gb_map *map,
		    const char *name_hint, uint64_t *ret_consumed, bool *ret_consumed_set)
{
	struct gb_unpack u = {
		.s = s, .node = node, .fmt = fmt, .span = span, .map = map, .name_hint = name_hint,
	};
	int r;

	if (gb_wr_open_dir(s->outfd, node->pub.dir, 0, &u.dirfd) < 0) {
		gb__node_diag(s, node, "cannot open its output directory");
		node->failed = true;
		return -GB_EIO;
	}
	pthread_mutex_init(&u.lock, NULL);
	r = fmt->unpack(&u, span, probe);
	if (r < 0 && node->n_diag == 0)
		gb__node_diag(s, node, "%s", atomic_load(&s->fatal) && s->fatal_msg ? s->fatal_msg : gb_strerror(r));
	if (r < 0 && r != -GB_ELIMIT && !node->any_output)
		node->failed = true;
	close(u.dirfd);
	node->pub.n_entries = atomic_load(&u.entries);
	*ret_consumed = u.consumed;
	*ret_consumed_set = u.consumed_set;

	submit_region_jobs(&u);
	submit_file_jobs(&u);
	free(u.regions);
	pthread_mutex_destroy(&u.lock);
	return r;
}
