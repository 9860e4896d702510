/* The format extension API: how a container format plugs into the unpacker.
 *
 * A format is one `static const struct gb_format` at the bottom of its own
 * lib/unpack/fmt_<name>.c and one FORMAT(<name>) line in lib/unpack/formats.def.
 *
 * probe() is pure: no allocation, no I/O, no globals; it only reads the span.
 * It validates the candidate (magic, header CRCs, sanity of every field it
 * relies on) and says how many bytes the structure covers, so the carving scan
 * can skip what it covers instead of reporting its insides as false hits.
 *
 * unpack() creates children only through the engine's writer below: regular
 * files, directories, links, device records, and "regions" (sub-ranges of the
 * structure's own bytes that the engine carves recursively, zero-copy). It
 * never touches the file system itself, never execs, never prints.
 */
#ifndef GLASSBOX_SYS_FORMAT_H
#define GLASSBOX_SYS_FORMAT_H

#include <stdbool.h>
#include <stdint.h>

#include <glassbox/sys/span.h>
#include <glassbox/limits.h>
#include <glassbox/scan.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A byte pattern that starts the multi-pattern search. `offset` is where the
 * pattern sits inside the structure (tar's "ustar" is at 257), so a hit at
 * position P proposes a structure starting at P - offset. */
struct gb_magic {
	const char *bytes;
	uint8_t len;
	uint32_t offset;
	bool start_only; /* too short to carve: only at offset 0 of a file or region */
};
#define GB_MAGIC(lit, off) {(lit), (uint8_t)(sizeof(lit) - 1), (off), false}
#define GB_MAGIC_START(lit) {(lit), (uint8_t)(sizeof(lit) - 1), 0, true}

enum gb_confidence {
	GB_CONF_LOW = 1,    /* weak magic, few checks (e.g. lzma-alone header) */
	GB_CONF_MEDIUM = 2, /* magic plus sane fields */
	GB_CONF_HIGH = 3,   /* magic plus a checksum or a full structural walk */
};

/* The structure's size is only known after unpacking (compressed streams):
 * unpack() must then call gb_unpack_set_consumed(). */
#define GB_SIZE_UNKNOWN UINT64_MAX

struct gb_probe {
	uint64_t size;               /* bytes covered from the candidate start, or GB_SIZE_UNKNOWN */
	enum gb_confidence confidence;
	bool identify_only;          /* recognised, nothing to unpack (ELF, plain DTB) */
	char variant[32];            /* e.g. "newc", "v2", "gzip" (squashfs compressor); may be "" */
	/* The kind of a file this structure covers whole ("elf", "data"), when
	 * the format's kind would mislead the analyzers (an ELF vmlinux, a raw
	 * kernel Image); NULL: the format's kind. A string literal. */
	const char *file_kind;
};

enum gb_format_kind {
	GB_KIND_FIRMWARE = 1, /* vendor/boot wrappers: uImage, FIT, TRX */
	GB_KIND_COMPRESSED,   /* single compressed stream: gzip, xz, ... */
	GB_KIND_ARCHIVE,      /* tar, cpio, zip, 7z */
	GB_KIND_FILESYSTEM,   /* squashfs, ISO9660, ext4, JFFS2 ... */
	GB_KIND_EXECUTABLE,   /* ELF */
	GB_KIND_DEVICETREE,   /* flattened device tree */
};

struct gb_unpack; /* the engine's per-node unpack state (opaque) */

struct gb_format {
	const char *name;        /* one name everywhere: "trx", "squashfs", ... */
	const char *description; /* one line for humans */
	enum gb_format_kind kind;
	const struct gb_magic *magics;
	unsigned n_magics;
	/* Only propose candidates at offset 0 of a file or region (for formats whose
	 * magic is too weak to carve at any offset). */
	bool start_only;
	/* `in` runs from the candidate start to the end of the enclosing data.
	 * Returns 0 and fills *ret when this is the format; -GB_ENOTFOUND when not;
	 * never allocates. *ret is untouched on failure. */
	int (*probe)(const struct gb_span *in, struct gb_probe *ret);
	/* `in` covers exactly probe's size (or to the end of the enclosing data when
	 * the size was GB_SIZE_UNKNOWN). Returns 0, or a negative -GB_E* after
	 * gb_unpack_fail()/gb_unpack_warn() said what went wrong. NULL when the
	 * extractor is not built: the node is then reported as detected only. */
	int (*unpack)(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p);
};

/* One entry of a filesystem or archive, as the container records it. */
struct gb_entry {
	const char *path;    /* container path, any bytes, '/'-separated; normalised by the engine */
	enum gb_ftype type;
	uint32_t mode;       /* permission bits including setuid/setgid/sticky (07777) */
	uint32_t uid, gid;
	uint64_t size;       /* regular files: declared size (0 if unknown) */
	const char *target;  /* symlink target (verbatim), or hard-link target path in the container */
	uint32_t major, minor; /* device nodes */
	int64_t mtime;
};

struct gb_wfile; /* a regular file being written (opaque) */

/* --- services of the engine for unpack() ----------------------------------
 * All of these are safe to call from several threads at once for the same
 * gb_unpack, as long as each gb_wfile is used by one thread at a time. */

/* Record and create a non-regular entry (dir, symlink, hardlink, device, fifo,
 * socket). Symlinks are created exactly as recorded and never followed;
 * devices, fifos and sockets are recorded only. Returns 0, -GB_ELIMIT when the
 * entry limit is hit (stop unpacking), -GB_ENOMEM/-GB_EIO when the output
 * fails (stop unpacking). An escaping or unwritable path is not an error: the
 * entry is placed under lost+found/ and recorded. */
int gb_unpack_entry(struct gb_unpack *u, const struct gb_entry *e);

/* Start a regular file. The data is hashed while it is written. */
int gb_unpack_file_begin(struct gb_unpack *u, const struct gb_entry *e, struct gb_wfile **ret);
/* Append data. -GB_ELIMIT when a size or expansion limit is hit (the file is
 * kept, truncated, and marked so); -GB_EIO when the disk write fails. */
int gb_wfile_write(struct gb_wfile *f, const void *buf, size_t n);
/* Decompressors: how many compressed input bytes produced what was written so
 * far. The expansion-ratio limit then compares against this instead of the
 * whole structure, so a bomb is stopped early. */
void gb_wfile_set_input(struct gb_wfile *f, uint64_t consumed);
/* Finish the file. `status` < 0 marks it incomplete (corrupt/truncated data):
 * it is kept and flagged. Always releases f. */
int gb_unpack_file_end(struct gb_unpack *u, struct gb_wfile *f, int status);
/* begin + write + end for data that is already in memory (e.g. stored files). */
int gb_unpack_file_span(struct gb_unpack *u, const struct gb_entry *e, const struct gb_span *data);

/* Carve [off, off+len) of this structure's bytes recursively, without copying
 * (a TRX partition, a uImage sub-image, a FIT image's data). `label` names the
 * region in the report ("kernel", "rootfs", "partition2", or NULL). */
int gb_unpack_region(struct gb_unpack *u, uint64_t off, uint64_t len, const char *label);

/* For GB_SIZE_UNKNOWN probes: how many input bytes the structure really used. */
void gb_unpack_set_consumed(struct gb_unpack *u, uint64_t n);

/* Replace the variant probe gave this node with one learnt while unpacking
 * (a kernel version read from the decompressed kernel). Copied; at most 31
 * bytes are kept. */
void gb_unpack_set_variant(struct gb_unpack *u, const char *variant);

/* Sees every chunk of decoded data gb_unpack_stream() writes, in order. */
typedef void (*gb_unpack_tap_fn)(void *ctx, const uint8_t *buf, size_t n);

/* Decode `data` (a part of this structure's bytes) with the single-stream
 * decompressor `format` ("gzip", "xz", "lzma", "bzip2", "zstd", "lz4",
 * "lzop"): its probe must accept the data, and its output is written as this
 * node's file "/" + `name` (unless the stream records a name of its own),
 * streamed and limited like any other; `tap` (may be NULL) sees the decoded
 * bytes as they are written. For wrappers whose payload is one compressed
 * stream (a kernel image). *ret_consumed (may be NULL) gets how many bytes of
 * `data` the stream used (0 when unknown). Returns 0, -GB_ENOTFOUND (not that
 * format: nothing written, nothing reported) or the decompressor's error
 * (already reported on this node). Not for use from gb_unpack_parallel(). */
int gb_unpack_stream(struct gb_unpack *u, const char *format, const struct gb_span *data,
		     const char *name, gb_unpack_tap_fn tap, void *tap_ctx, uint64_t *ret_consumed);

/* Mark the node failed (status "error" when nothing was extracted, "partial"
 * otherwise) with a message; returns err so callers can `return gb_unpack_fail(...)`. */
int gb_unpack_fail(struct gb_unpack *u, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Add a non-fatal diagnostic; the node becomes "partial". */
void gb_unpack_warn(struct gb_unpack *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Attach a key/value fact to this node (a U-Boot environment variable, a
 * board id, a header version): reported as the node's `attrs` object. Both
 * strings are copied (bytes that are not UTF-8 are escaped as \xNN); setting
 * a key again replaces its value. At most GB_MAX_NODE_ATTRS per node: beyond
 * that the fact is dropped with a warning and -GB_ELIMIT is returned.
 * Returns 0, -GB_ELIMIT or -GB_ENOMEM. */
#define GB_MAX_NODE_ATTRS 4096
int gb_unpack_set_attr(struct gb_unpack *u, const char *key, const char *value);

/* The limits in force for this scan. */
const struct gb_limits *gb_unpack_limits(const struct gb_unpack *u);
/* A name for a single decompressed output, derived from the source file's
 * name (e.g. "rootfs.tar" for "rootfs.tar.gz" when strip_ext is ".gz"), or
 * "data" when the structure was carved from a larger blob. Never NULL. */
const char *gb_unpack_name_hint(const struct gb_unpack *u);

/* Run fn(ctx, i) for i in [0, n) on the scan's thread pool, the calling thread
 * included; returns when all are done. Returns the first negative fn result,
 * else 0. Used by formats that can extract many files independently. */
int gb_unpack_parallel(struct gb_unpack *u, size_t n, int (*fn)(void *ctx, size_t i), void *ctx);
/* How many threads gb_unpack_parallel() can use (>= 1). */
unsigned gb_unpack_threads(const struct gb_unpack *u);

#ifdef __cplusplus
}
#endif
#endif
