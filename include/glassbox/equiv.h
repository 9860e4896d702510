/* glassbox equiv: binary equivalence of a shipped image against a rebuild.
 *
 * Each side is a firmware image (unpacked with gb_scan_run), a directory
 * (walked without following symlinks) or a single file. Files are paired by
 * their path inside the filesystems, then by content, then by ELF similarity,
 * and every pair gets a verdict: identical, equivalent (with every
 * normalisation it needed named), different (with where), missing (only in
 * the shipped side) or extra (only in the rebuilt side). Normalisations are
 * applied by comparing normalised views; neither input is ever modified.
 * docs/equiv.md documents the verdicts, every normalisation and equiv.json.
 *
 * The result is immutable once gb_equiv_run() returns; reporters read it.
 */
#ifndef GLASSBOX_EQUIV_H
#define GLASSBOX_EQUIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <glassbox/export.h>
#include <glassbox/limits.h>

#ifdef __cplusplus
extern "C" {
#endif

enum gb_equiv_verdict {
	GB_EQUIV_DIFFERENT = 0, /* ordered as the reports list them */
	GB_EQUIV_MISSING,
	GB_EQUIV_EXTRA,
	GB_EQUIV_EQUIVALENT,
	GB_EQUIV_IDENTICAL,
};

/* Normalisations, one bit each; gb_equiv_norm_name() gives the report name. */
enum gb_equiv_norm {
	GB_NORM_BUILD_ID = 1u << 0,        /* "build-id": ELF .note.gnu.build-id */
	GB_NORM_DEBUGLINK = 1u << 1,       /* "debuglink": ELF .gnu_debuglink */
	GB_NORM_DEBUG_INFO = 1u << 2,      /* "debug-info": .debug_*, .zdebug_* */
	GB_NORM_STRIP = 1u << 3,           /* "strip-level": .symtab/.strtab on one side only */
	GB_NORM_SYMTAB = 1u << 4,          /* "symbol-table": .symtab/.strtab differ */
	GB_NORM_PADDING = 1u << 5,         /* "padding": section offsets, alignment, gaps */
	GB_NORM_BUILD_PATH = 1u << 6,      /* "build-path": same-length path strings */
	GB_NORM_BUILD_DATE = 1u << 7,      /* "build-date": __DATE__/__TIME__ strings */
	GB_NORM_GZIP_HEADER = 1u << 8,     /* "gzip-header": same decompressed content */
	GB_NORM_COMPRESSION = 1u << 9,     /* "compression": other compressors, same content */
	GB_NORM_ARCHIVE_META = 1u << 10,   /* "archive-metadata": member times, owners */
	GB_NORM_MEMBER_ORDER = 1u << 11,   /* "member-order": same members, other order */
	GB_NORM_FS_META = 1u << 12,        /* "filesystem-metadata": same files in a filesystem */
	GB_NORM_CONTAINER_META = 1u << 13, /* "container-metadata": same parts in an image */
	GB_NORM_TRAILER = 1u << 14,        /* "trailer": signature/checksum appended */
	GB__NORM_COUNT = 15
};

/* One side of a pair. */
struct gb_equiv_side {
	bool present;
	const char *path;   /* its own path on that side (differs from the key when renamed) */
	char sha256[65];    /* "" for symlinks */
	uint64_t size;
	uint32_t mode;      /* 07777 bits as recorded (0 when unknown) */
	const char *target; /* symlink target, else NULL */
};

/* Where two ELF files differ: a section, and inside executable sections the
 * function (from .symtab or .dynsym of either side) or the address range. */
struct gb_equiv_difference {
	const char *section;  /* NULL for a non-ELF file (then start/end are file offsets) */
	const char *function; /* NULL when no symbol covers the range */
	uint64_t start, end;  /* [start, end): addresses of the differing bytes */
	uint64_t bytes;       /* how many bytes differ (size difference included) */
};

struct gb_equiv_file {
	const char *path;               /* pairing key: the shipped path (rebuilt for extra) */
	enum gb_equiv_verdict verdict;
	uint32_t normalisations;        /* GB_NORM_* bits (equivalent only) */
	const char *paired_by;          /* "path", "content", "soname", "symbols"; NULL if unpaired */
	const char *kind;               /* elf, text, data, symlink, ... */
	const char *container;          /* key of the file it is nested in, NULL at top level */
	bool is_container;              /* its members are listed too (their bytes are counted) */
	struct gb_equiv_side shipped, rebuilt;
	const struct gb_equiv_difference *differences;
	size_t n_differences;
	const char *disasm;             /* first differing instructions side by side, or NULL */
	const char *diff;               /* unified diff for text files, or NULL */
	const char *note;               /* one line on why (different), or NULL */
};

struct gb_equiv_summary {
	uint64_t identical, equivalent, different, missing, extra;
	uint64_t shipped_files, shipped_bytes, proven_bytes;
};

/* The --rebuild facts, attached to the result for the report. */
struct gb_equiv_rebuild {
	const char *command;
	const char *source;         /* the vendor's tree */
	const char *copy;           /* OUTDIR/build-src */
	const char *artifacts;      /* compared against SHIPPED */
	const char *log;            /* OUTDIR/build.log */
	uint64_t source_date_epoch;
	bool epoch_from_flag;
	int exit_status;            /* 0..255, or -signal */
	double seconds;
};

struct gb_equiv {
	const char *shipped_input, *rebuilt_input;
	const char *shipped_as, *rebuilt_as; /* "image", "directory", "file" */
	const char *outdir;
	struct gb_equiv_summary summary;
	const struct gb_equiv_file *files; /* different, missing, extra, equivalent, identical; by path */
	size_t n_files;
	const struct gb_equiv_rebuild *rebuild; /* NULL without --rebuild */
	unsigned jobs;
	double seconds;
	const char *error; /* set when gb_equiv_run() failed as a whole */
};

struct gb_equiv_opts {
	const char *shipped;  /* image, directory or file */
	const char *rebuilt;
	const char *outdir;   /* images are unpacked into OUTDIR/shipped and OUTDIR/rebuilt */
	unsigned jobs;        /* 0 = online CPUs */
	struct gb_limits limits;
	const struct gb_equiv_rebuild *rebuild; /* copied into the result when set */
};

GB_API void gb_equiv_opts_init(struct gb_equiv_opts *opts);

/* Compare opts->shipped with opts->rebuilt. Returns 0 and *ret (free with
 * gb_equiv_free) on success; -GB_EIO when an input cannot be read (*ret is
 * still set with ->error saying which), -GB_EINVAL for bad options,
 * -GB_ENOMEM. */
GB_API int gb_equiv_run(const struct gb_equiv_opts *opts, struct gb_equiv **ret);
GB_API void gb_equiv_free(struct gb_equiv *eq);

GB_API const char *gb_equiv_verdict_name(enum gb_equiv_verdict v);
/* Name of one GB_NORM_* bit ("build-id"...), NULL for anything else. */
GB_API const char *gb_equiv_norm_name(uint32_t bit);

/* equiv.json (docs/equiv.md): to a stream, or to path atomically (temp + rename). */
GB_API int gb_equiv_json_write(const struct gb_equiv *eq, FILE *out);
GB_API int gb_equiv_json_write_file(const struct gb_equiv *eq, const char *path);
/* The terminal summary: the different and missing files first, then counts. */
GB_API int gb_equiv_text_write(const struct gb_equiv *eq, FILE *out);

/* --rebuild: copy opts->source fresh into OUTDIR/build-src (symlinks copied
 * as links, never followed), run `/bin/sh -c command` there as a child with a
 * clean environment (PATH=/usr/bin:/bin, HOME=OUTDIR/build-home, TZ=UTC,
 * LC_ALL=C, SOURCE_DATE_EPOCH, umask 022, plus env[]), its output in
 * OUTDIR/build.log. */
struct gb_rebuild_opts {
	const char *command;
	const char *source;
	const char *outdir;
	bool have_epoch;            /* else: the newest mtime in the source tree */
	uint64_t source_date_epoch;
	const char *const *env;     /* NAME=VALUE */
	size_t n_env;
};

/* Runs the build. Returns 0 when the command ran (whatever its exit status,
 * in ret->exit_status), -GB_EIO when the tree could not be copied or the
 * child not started (errbuf says why), -GB_EINVAL, -GB_ENOMEM. ret's strings
 * are malloc'd; gb_rebuild_clear() frees them. */
GB_API int gb_rebuild_run(const struct gb_rebuild_opts *opts, struct gb_equiv_rebuild *ret,
			  char *errbuf, size_t errlen);
GB_API void gb_rebuild_clear(struct gb_equiv_rebuild *r);

#ifdef __cplusplus
}
#endif
#endif
