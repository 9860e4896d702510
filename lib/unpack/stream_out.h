/* The output side shared by the single-stream decompressors (fmt_gzip.c,
 * fmt_xz.c, fmt_lzma.c, fmt_bzip2.c, fmt_zstd.c, fmt_lz4.c, fmt_lzop.c).
 *
 * Each of them writes one regular file, "/" + a name: the name the stream
 * records (gzip FNAME, lzop's name field) when it is a plain file name, else
 * gb_unpack_name_hint() with the compression suffix stripped ("rootfs.tar.gz"
 * gives "rootfs.tar", "fw.tgz" gives "fw.tar", a carved blob gives "data").
 *
 * The file is begun lazily at the first decoded byte, so a stream that is
 * garbage from its start leaves no file behind and its node ends as "error";
 * one that breaks later keeps what was decoded and ends as "partial".
 */
#ifndef GB_UNPACK_STREAM_OUT_H
#define GB_UNPACK_STREAM_OUT_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <glassbox/sys/format.h>

/* Decoded data is handed to the writer in chunks of this size. */
#define GB_SOUT_CHUNK (256u << 10)
#define GB_SOUT_NAME_MAX 255

/* A suffix to strip from the name hint and what replaces it (".tgz" -> ".tar"). */
struct gb_sout_ext {
	const char *ext;
	const char *repl;
};

struct gb_sout {
	struct gb_unpack *u;
	struct gb_wfile *f;
	struct gb_entry e;
	bool begun;        /* the file was created (something is recorded) */
	uint64_t written;  /* bytes accepted by the writer */
	char path[GB_SOUT_NAME_MAX + 8];
	char msg[160];     /* what went wrong, for gb__sout_close() */
};

/* The basename of a name recorded in the stream, when it is a usable plain
 * file name (1..255 printable bytes, not "." or ".."); NULL otherwise. The
 * engine would cope with anything, but a stored directory part must not move
 * the single output file around, and control bytes make poor names. */
static inline const char *gb__sout_basename(const char *name, size_t n, size_t *ret_len)
{
	size_t start = 0;

	for (size_t i = 0; i < n; i++)
		if (name[i] == '/' || name[i] == '\\')
			start = i + 1;
	name += start;
	n -= start;
	if (n == 0 || n > GB_SOUT_NAME_MAX)
		return NULL;
	if ((n == 1 && name[0] == '.') || (n == 2 && name[0] == '.' && name[1] == '.'))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c < 0x20 || c == 0x7f)
			return NULL;
	}
	*ret_len = n;
	return name;
}

/* Prepare o to write "/" + `name` (n bytes, from the stream; may be NULL) or,
 * failing that, the name hint with one of `exts` stripped. `exts` ends with
 * an entry whose ext is NULL. */
static inline void gb__sout_init(struct gb_sout *o, struct gb_unpack *u, const char *name,
				 size_t n, const struct gb_sout_ext *exts)
{
	const char *base = name ? gb__sout_basename(name, n, &n) : NULL;

	memset(o, 0, sizeof(*o));
	o->u = u;
	if (!base) {
		const char *hint = gb_unpack_name_hint(u);
		size_t hn = strlen(hint);
		const char *repl = "";

		for (const struct gb_sout_ext *x = exts; x && x->ext; x++) {
			size_t xn = strlen(x->ext);
			if (hn > xn && strcasecmp(hint + hn - xn, x->ext) == 0) {
				hn -= xn;
				repl = x->repl;
				break;
			}
		}
		if (hn == 0 || hn + strlen(repl) > GB_SOUT_NAME_MAX) {
			hint = "data";
			hn = 4;
			repl = "";
		}
		snprintf(o->path, sizeof(o->path), "/%.*s%s", (int)hn, hint, repl);
	} else {
		snprintf(o->path, sizeof(o->path), "/%.*s", (int)n, base);
	}
	o->e.path = o->path;
	o->e.type = GB_FT_FILE;
	o->e.mode = 0644;
}

/* Append n decoded bytes (n may be 0), creating the file first if needed.
 * `in_pos` is how many input bytes the decoder has used so far: the engine
 * measures the expansion ratio against it, so a bomb stops early. Returns 0, -GB_ELIMIT (stop: the engine recorded the limit), -GB_EIO or
 * -GB_ENOMEM (stop). */
static inline int gb__sout_write(struct gb_sout *o, const void *buf, size_t n, uint64_t in_pos)
{
	int r;

	if (!o->begun) {
		r = gb_unpack_file_begin(o->u, &o->e, &o->f);
		if (r < 0)
			return r;
		o->begun = true;
	}
	if (n == 0)
		return 0;
	gb_wfile_set_input(o->f, in_pos);
	r = gb_wfile_write(o->f, buf, n);
	if (r < 0)
		return r;
	o->written += n;
	return 0;
}

/* Record why decoding stopped; gb__sout_close() reports it. Returns err. */
static inline int gb__sout_err(struct gb_sout *o, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline int gb__sout_err(struct gb_sout *o, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(o->msg, sizeof(o->msg), fmt, ap);
	va_end(ap);
	return err;
}

/* Finish: tell the engine that `consumed` input bytes were the stream, close
 * the file (creating an empty one for a clean empty stream) and report `err`:
 * -GB_ETRUNC with output is a warning ("partial"), other stream errors fail
 * the node ("error" when nothing was written); -GB_ELIMIT and -GB_EIO were
 * already recorded by the writer. Returns err (or the writer's error). */
static inline int gb__sout_close(struct gb_sout *o, int err, uint64_t consumed)
{
	int r;

	gb_unpack_set_consumed(o->u, consumed);
	if (err == 0 && !o->begun) {
		err = gb__sout_write(o, NULL, 0, consumed);
		if (err < 0)
			return err;
	}
	if (o->begun) {
		r = gb_unpack_file_end(o->u, o->f, err);
		o->f = NULL;
		if (err == 0)
			return r;
	}
	if (err == 0 || err == -GB_ELIMIT || err == -GB_EIO)
		return err;
	if (err == -GB_ENOMEM)
		return gb_unpack_fail(o->u, err, "out of memory");
	if (err == -GB_ETRUNC && o->begun) {
		gb_unpack_warn(o->u, "truncated: %s", o->msg);
		return err;
	}
	if (err == -GB_ETRUNC)
		return gb_unpack_fail(o->u, err, "truncated: %s", o->msg);
	return gb_unpack_fail(o->u, err, "%s", o->msg);
}

#endif
