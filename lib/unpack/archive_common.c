/* The libarchive adapter shared by tar, cpio, zip, 7z and ISO9660.
 *
 * libarchive reads the probed span through read/seek/skip callbacks over
 * memory (optionally preceded by virtual zeros, for zips whose offsets count
 * a prefix that is not part of the span). Exactly one format reader is
 * enabled and no decompression filter, so the result does not depend on what
 * else libarchive could recognise, and only the read API is used (never
 * archive_write_disk): everything lands on disk through the engine's writer,
 * which owns path safety and limits.
 *
 * Errors: ARCHIVE_FATAL becomes gb_unpack_fail() (what was extracted is kept),
 * ARCHIVE_WARN/FAILED/RETRY become gb_unpack_warn() and reading goes on; a
 * data warning (zip CRC) also flags the file incomplete.
 *
 * Names are taken as the container records them. libarchive converts names
 * stored as UTF-8 or UTF-16 (zip, 7z, Joliet, pax) into the current locale;
 * the unpack runs under a thread-local C.UTF-8 LC_CTYPE so that conversion is
 * lossless whatever the process locale is. Raw byte names (ustar, cpio) pass
 * through unchanged.
 *
 * Sparse files (GNU tar, pax) come back from archive_read_data_block() as
 * (offset, bytes) runs; holes are written as zeros so the output has the
 * declared size, and the writer's file, total and ratio limits stop a member
 * that declares a terabyte long before the disk does. The ratio is measured
 * against the bytes libarchive consumed for that member.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive_common.h"

#define ZERO_CHUNK (64 * 1024)
#define MAX_HELD 4096		/* cpio links held back waiting for their data */

static const uint8_t zeros[ZERO_CHUNK];

/* A multiply-linked empty file held back (opts->defer_links). */
struct held {
	char *path;
	char *group; /* the first link's name: what later links point to */
	struct gb_entry e;
};

/* Links of `from` resolve to `to`, the link that carried the data. */
struct alias {
	char *from;
	char *to;
};

struct ar_state {
	struct gb_unpack *u;
	struct archive *a;
	const struct gb_archive_opts *opts;
	struct held *held;
	size_t n_held;
	struct alias *alias;
	size_t n_alias;
	unsigned retries;
	bool fatal; /* libarchive cannot go on: stop reading headers */
	char where[48];
	int err;    /* what gb_unpack_fail() was given, or 0 */
};

static const char *ar_msg(struct archive *a)
{
	const char *m = archive_error_string(a);
	return m ? m : "unreadable (truncated?)";
}

static const char *ar_fmt(struct archive *a)
{
	const char *n = archive_format_name(a);
	return n ? n : "archive";
}

/* " at offset N" (of the current header, in the node's bytes) or "". */
static const char *at(struct ar_state *st)
{
	la_int64_t pos = archive_read_header_position(st->a);

	st->where[0] = 0;
	if (pos >= 0 && (uint64_t)pos >= st->opts->prefix)
		snprintf(st->where, sizeof(st->where), " at offset %llu",
			 (unsigned long long)pos - st->opts->prefix);
	return st->where;
}

/* A glassbox code for libarchive's last error. */
static int ar_code(struct archive *a)
{
	const char *m = archive_error_string(a);

	if (archive_errno(a) == ENOMEM)
		return -GB_ENOMEM;
	if (!m || strstr(m, "runcat") || strstr(m, "remature"))
		return -GB_ETRUNC;
	return -GB_ECORRUPT;
}

/* The entry's names as recorded, falling back to libarchive's UTF-8 view when
 * the locale form could not be made. NULL when neither exists. */
static const char *name_of(struct archive_entry *ae)
{
	const char *s = archive_entry_pathname(ae);
	return s ? s : archive_entry_pathname_utf8(ae);
}

static const char *hardlink_of(struct archive_entry *ae)
{
	const char *s = archive_entry_hardlink(ae);
	return s ? s : archive_entry_hardlink_utf8(ae);
}

static const char *symlink_of(struct archive_entry *ae)
{
	const char *s = archive_entry_symlink(ae);
	return s ? s : archive_entry_symlink_utf8(ae);
}

static uint32_t id32(la_int64_t v)
{
	return v < 0 || v > (la_int64_t)UINT32_MAX ? 0 : (uint32_t)v;
}

static void fill_entry(struct archive_entry *ae, const char *path, struct gb_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->path = path;
	e->mode = (uint32_t)archive_entry_mode(ae) & 07777;
	e->uid = id32(archive_entry_uid(ae));
	e->gid = id32(archive_entry_gid(ae));
	if (archive_entry_size_is_set(ae) && archive_entry_size(ae) > 0)
		e->size = (uint64_t)archive_entry_size(ae);
	if (archive_entry_mtime_is_set(ae))
		e->mtime = (int64_t)archive_entry_mtime(ae);
}

/* Where the data blocks go: the file, its position, and what libarchive had
 * consumed when its header was read (for the expansion-ratio limit). */
struct sink {
	struct ar_state *st;
	struct gb_wfile *f;
	uint64_t pos;
	la_int64_t start;
};

/* Writes n bytes (buf, or zeros for a hole when buf is NULL) at s->pos. */
static int sink_write(struct sink *s, const void *buf, uint64_t n)
{
	la_int64_t used = archive_filter_bytes(s->st->a, 0) - s->start;

	if (used > 0)
		gb_wfile_set_input(s->f, (uint64_t)used);
	while (n) {
		size_t k = buf || n < ZERO_CHUNK ? (size_t)n : ZERO_CHUNK;
		int r = gb_wfile_write(s->f, buf ? buf : zeros, k);
		if (r < 0)
			return r;
		s->pos += k;
		n -= k;
	}
	return 0;
}

/* Stream the current entry's data into f. Returns 0 or the writer's negative
 * code (stop unpacking); *ar_ret gets libarchive's verdict on the data
 * (ARCHIVE_OK, or WARN/FAILED/FATAL with the message still on `a`). */
static int copy_data(struct ar_state *st, struct archive_entry *ae, struct gb_wfile *f,
		     int *ar_ret)
{
	struct sink s = {.st = st, .f = f, .start = archive_filter_bytes(st->a, 0)};
	bool overlap = false;
	int r, w = 0;

	*ar_ret = ARCHIVE_OK;
	for (;;) {
		const void *buf;
		size_t len;
		la_int64_t off;

		r = archive_read_data_block(st->a, &buf, &len, &off);
		if (r == ARCHIVE_EOF) {
			/* a sparse file's trailing hole: EOF is at its size */
			if (archive_entry_sparse_count(ae) > 0 && off > 0 && (uint64_t)off > s.pos)
				w = sink_write(&s, NULL, (uint64_t)off - s.pos);
			break;
		}
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			*ar_ret = r;
			break;
		}
		if (r == ARCHIVE_WARN)
			*ar_ret = r;
		if (off < 0)
			off = (la_int64_t)s.pos;
		if ((uint64_t)off > s.pos) {
			/* a hole of a sparse file */
			w = sink_write(&s, NULL, (uint64_t)off - s.pos);
		} else if ((uint64_t)off < s.pos) {
			/* a hostile sparse map going backwards: keep what is new */
			uint64_t skip = s.pos - (uint64_t)off;
			overlap = true;
			if (skip >= len)
				continue;
			buf = (const uint8_t *)buf + skip;
			len -= (size_t)skip;
		}
		if (w == 0 && len)
			w = sink_write(&s, buf, len);
		if (w < 0)
			break;
	}
	if (overlap)
		gb_unpack_warn(st->u, "%s: %s: overlapping sparse data ignored", ar_fmt(st->a),
			       name_of(ae));
	return w;
}

static void data_problem(struct ar_state *st, const char *path, int ar_ret)
{
	if (ar_ret == ARCHIVE_FATAL) {
		st->fatal = true;
		st->err = gb_unpack_fail(st->u, ar_code(st->a), "%s: data of '%s'%s: %s",
					 ar_fmt(st->a), path, at(st), ar_msg(st->a));
	} else {
		gb_unpack_warn(st->u, "%s: data of '%s'%s: %s", ar_fmt(st->a), path, at(st),
			       ar_msg(st->a));
	}
}

/* A regular file with its data. */
static int emit_file(struct ar_state *st, struct archive_entry *ae, struct gb_entry *e)
{
	struct gb_wfile *f;
	int ar_ret, r;

	e->type = GB_FT_FILE;
	e->target = NULL;
	r = gb_unpack_file_begin(st->u, e, &f);
	if (r < 0)
		return r;
	r = copy_data(st, ae, f, &ar_ret);
	if (r < 0) {
		gb_unpack_file_end(st->u, f, r);
		return r;
	}
	if (ar_ret == ARCHIVE_OK)
		return gb_unpack_file_end(st->u, f, 0);
	/* a warning on data is a failed check (zip's CRC): flag the file */
	data_problem(st, e->path, ar_ret);
	return gb_unpack_file_end(st->u, f, ar_ret == ARCHIVE_WARN ? -GB_ECORRUPT : ar_code(st->a));
}

static struct held *find_held(struct ar_state *st, const char *group)
{
	for (size_t i = 0; i < st->n_held; i++)
		if (strcmp(st->held[i].group, group) == 0)
			return &st->held[i];
	return NULL;
}

static const char *resolve_alias(struct ar_state *st, const char *name)
{
	for (size_t i = 0; i < st->n_alias; i++)
		if (strcmp(st->alias[i].from, name) == 0)
			return st->alias[i].to;
	return name;
}

/* Hold e back in `group`. Returns 1 when held, 0 when the table is full (the
 * caller then records the entry now), -GB_ENOMEM. */
static int hold(struct ar_state *st, const struct gb_entry *e, const char *group)
{
	struct held *h;

	if (st->n_held >= MAX_HELD)
		return 0;
	if (!st->held) {
		st->held = calloc(MAX_HELD, sizeof(*st->held));
		if (!st->held)
			return -GB_ENOMEM;
	}
	h = &st->held[st->n_held];
	h->path = strdup(e->path);
	h->group = strdup(group);
	if (!h->path || !h->group) {
		free(h->path);
		free(h->group);
		return -GB_ENOMEM;
	}
	h->e = *e;
	h->e.path = h->path;
	h->e.target = NULL;
	st->n_held++;
	return 1;
}

static void drop_held(struct ar_state *st, size_t i)
{
	free(st->held[i].path);
	free(st->held[i].group);
	st->held[i] = st->held[--st->n_held];
}

static int add_alias(struct ar_state *st, const char *from, const char *to)
{
	struct alias *a;

	if (st->n_alias >= MAX_HELD)
		return 0;
	if (!st->alias) {
		st->alias = calloc(MAX_HELD, sizeof(*st->alias));
		if (!st->alias)
			return -GB_ENOMEM;
	}
	a = &st->alias[st->n_alias];
	a->from = strdup(from);
	a->to = strdup(to);
	if (!a->from || !a->to) {
		free(a->from);
		free(a->to);
		return -GB_ENOMEM;
	}
	st->n_alias++;
	return 0;
}

/* The data of `group` arrived under `path`: record the held links of the
 * group as hard links to it. */
static int release_group(struct ar_state *st, const char *group, const char *path)
{
	int r = add_alias(st, group, path);

	if (r < 0)
		return r;
	for (size_t i = 0; i < st->n_held;) {
		if (strcmp(st->held[i].group, group) != 0) {
			i++;
			continue;
		}
		st->held[i].e.type = GB_FT_HARDLINK;
		st->held[i].e.target = path;
		st->held[i].e.size = 0;
		r = gb_unpack_entry(st->u, &st->held[i].e);
		drop_held(st, i);
		if (r < 0)
			return r;
	}
	return 0;
}

/* At the end: held groups whose data never came are empty files (all links
 * of an empty file look like that); the first of each is the file. */
static int flush_held(struct ar_state *st)
{
	while (st->n_held) {
		struct held *h = &st->held[0];
		struct gb_wfile *f;
		char *group = h->group, *path = h->path;
		int r;

		h->group = NULL;
		h->path = NULL;
		h->e.type = GB_FT_FILE;
		h->e.size = 0;
		h->e.path = path;
		r = gb_unpack_file_begin(st->u, &h->e, &f);
		if (r == 0)
			r = gb_unpack_file_end(st->u, f, 0);
		drop_held(st, 0);
		if (r == 0)
			r = release_group(st, group, path);
		free(group);
		free(path);
		if (r < 0)
			return r;
	}
	return 0;
}

static void free_state(struct ar_state *st)
{
	while (st->n_held)
		drop_held(st, 0);
	free(st->held);
	for (size_t i = 0; i < st->n_alias; i++) {
		free(st->alias[i].from);
		free(st->alias[i].to);
	}
	free(st->alias);
}

static int emit_hardlink(struct ar_state *st, struct archive_entry *ae, struct gb_entry *e,
			 const char *target)
{
	int r;

	if (e->size > 0) {
		/* a link that carries the data (cpio newc, pax) is the file */
		r = emit_file(st, ae, e);
		if (r < 0 || !st->opts->defer_links)
			return r;
		return release_group(st, target, e->path);
	}
	if (st->opts->defer_links && find_held(st, target)) {
		r = hold(st, e, target);
		if (r != 0)
			return r < 0 ? r : 0;
	}
	e->type = GB_FT_HARDLINK;
	e->target = resolve_alias(st, target);
	return gb_unpack_entry(st->u, e);
}

static int emit_regular(struct ar_state *st, struct archive_entry *ae, struct gb_entry *e)
{
	if (st->opts->defer_links && e->size == 0 && archive_entry_nlink(ae) > 1) {
		int r = hold(st, e, e->path);
		if (r != 0)
			return r < 0 ? r : 0;
	}
	return emit_file(st, ae, e);
}

static int emit_special(struct ar_state *st, struct archive_entry *ae, struct gb_entry *e)
{
	switch (archive_entry_filetype(ae)) {
	case AE_IFDIR:
		e->type = GB_FT_DIR;
		break;
	case AE_IFLNK:
		e->type = GB_FT_SYMLINK;
		e->target = symlink_of(ae);
		if (!e->target) {
			gb_unpack_warn(st->u, "%s: symlink '%s' has no usable target",
				       ar_fmt(st->a), e->path);
			return 0;
		}
		break;
	case AE_IFCHR:
	case AE_IFBLK:
		e->type = archive_entry_filetype(ae) == AE_IFCHR ? GB_FT_CHARDEV : GB_FT_BLOCKDEV;
		e->major = (uint32_t)archive_entry_rdevmajor(ae);
		e->minor = (uint32_t)archive_entry_rdevminor(ae);
		break;
	case AE_IFIFO:
		e->type = GB_FT_FIFO;
		break;
	case AE_IFSOCK:
		e->type = GB_FT_SOCKET;
		break;
	default:
		return emit_regular(st, ae, e);
	}
	e->size = 0;
	return gb_unpack_entry(st->u, e);
}

static int emit(struct ar_state *st, struct archive_entry *ae)
{
	const char *path = name_of(ae);
	const char *link;
	struct gb_entry e;

	if (!path || !*path) {
		gb_unpack_warn(st->u, "%s: entry%s has no usable name, skipped", ar_fmt(st->a),
			       at(st));
		return 0;
	}
	fill_entry(ae, path, &e);
	link = hardlink_of(ae);
	if (link)
		return emit_hardlink(st, ae, &e, link);
	return emit_special(st, ae, &e);
}

/* Reads headers until the end; returns 0 or the writer's stop code. Damaged
 * headers and skipped entries do not reach the engine's entry limit, so they
 * are capped here. */
static int read_all(struct ar_state *st)
{
	uint64_t max_steps = 2 * (uint64_t)gb_unpack_limits(st->u)->max_entries + 4096;
	struct archive_entry *ae;

	for (uint64_t step = 0;; step++) {
		int r;

		if (step >= max_steps) {
			st->err = gb_unpack_fail(st->u, -GB_ELIMIT,
						 "%s: too many damaged or skipped entries",
						 ar_fmt(st->a));
			return 0;
		}
		r = archive_read_next_header(st->a, &ae);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r == ARCHIVE_RETRY) {
			/* a damaged header libarchive skips over: say so once */
			if (st->retries++ == 0)
				gb_unpack_warn(st->u, "%s: damaged header%s: %s", ar_fmt(st->a),
					       at(st), ar_msg(st->a));
			continue;
		}
		if (r == ARCHIVE_FATAL) {
			st->err = gb_unpack_fail(st->u, ar_code(st->a), "%s: header%s: %s",
						 ar_fmt(st->a), at(st), ar_msg(st->a));
			return 0;
		}
		if (r != ARCHIVE_OK)
			gb_unpack_warn(st->u, "%s: header%s: %s", ar_fmt(st->a), at(st),
				       ar_msg(st->a));
		if (r == ARCHIVE_FAILED)
			continue;
		r = emit(st, ae);
		if (r < 0 || st->fatal)
			return r;
	}
}

/* The bytes libarchive reads: opts->prefix zeros, then the span. */
struct source {
	const struct gb_span *in;
	uint64_t prefix;
	uint64_t pos;
};

static la_ssize_t src_read(struct archive *a, void *ctx, const void **buf)
{
	struct source *src = ctx;
	uint64_t k;

	if (src->pos < src->prefix) {
		k = src->prefix - src->pos;
		if (k > ZERO_CHUNK)
			k = ZERO_CHUNK;
		*buf = zeros;
	} else if (src->pos - src->prefix < src->in->n) {
		k = src->in->n - (src->pos - src->prefix);
		*buf = src->in->p + (src->pos - src->prefix);
	} else {
		*buf = NULL;
		return 0;
	}
	src->pos += k;
	return (la_ssize_t)k;
}

static la_int64_t src_seek(struct archive *a, void *ctx, la_int64_t off, int whence)
{
	struct source *src = ctx;
	uint64_t end = src->prefix + src->in->n;
	uint64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? src->pos : end;

	if (off < 0)
		src->pos = (uint64_t)-off > base ? 0 : base - (uint64_t)-off;
	else
		src->pos = (uint64_t)off > end - base ? end : base + (uint64_t)off;
	return (la_int64_t)src->pos;
}

static la_int64_t src_skip(struct archive *a, void *ctx, la_int64_t n)
{
	struct source *src = ctx;
	uint64_t left = src->prefix + src->in->n - src->pos;
	uint64_t k = n <= 0 ? 0 : (uint64_t)n > left ? left : (uint64_t)n;

	src->pos += k;
	return (la_int64_t)k;
}

static int open_archive(struct gb_unpack *u, struct source *src,
			const struct gb_archive_opts *opts, struct archive **ret)
{
	struct archive *a = archive_read_new();
	int r;

	if (!a)
		return gb_unpack_fail(u, -GB_ENOMEM, "libarchive: out of memory");
	if (opts->enable(a) != ARCHIVE_OK || archive_read_support_filter_none(a) != ARCHIVE_OK) {
		r = gb_unpack_fail(u, -GB_EUNSUP, "libarchive: format not available: %s",
				   ar_msg(a));
		archive_read_free(a);
		return r;
	}
	archive_read_set_read_callback(a, src_read);
	archive_read_set_seek_callback(a, src_seek);
	archive_read_set_skip_callback(a, src_skip);
	archive_read_set_callback_data(a, src);
	if (archive_read_open1(a) != ARCHIVE_OK) {
		r = gb_unpack_fail(u, ar_code(a), "libarchive: cannot open the archive: %s",
				   ar_msg(a));
		archive_read_free(a);
		return r;
	}
	*ret = a;
	return 0;
}

int gb__archive_unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p,
		       const struct gb_archive_opts *opts)
{
	struct ar_state st = {.u = u, .opts = opts};
	struct source src = {.in = in, .prefix = opts->prefix};
	locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	locale_t old = utf8 ? uselocale(utf8) : (locale_t)0;
	int r;

	r = open_archive(u, &src, opts, &st.a);
	if (r == 0) {
		r = read_all(&st);
		if (r == 0)
			r = flush_held(&st);
		if (p->size == GB_SIZE_UNKNOWN) {
			/* what the format reader consumed, the virtual prefix aside */
			la_int64_t used = archive_filter_bytes(st.a, 0);
			if (used > 0 && (uint64_t)used > opts->prefix)
				gb_unpack_set_consumed(u, (uint64_t)used - opts->prefix);
		}
		archive_read_free(st.a);
	}
	free_state(&st);
	if (utf8) {
		uselocale(old);
		freelocale(utf8);
	}
	return r < 0 ? r : st.err;
}
