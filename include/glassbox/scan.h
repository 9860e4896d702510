/* glassbox scan: recursive, safe unpacking of a firmware image into OUTDIR and
 * the inventory of everything found (nodes, files, unclaimed regions).
 *
 * The result is immutable once gb_scan_run() returns; reporters read it.
 */
#ifndef GLASSBOX_SCAN_H
#define GLASSBOX_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glassbox/export.h>
#include <glassbox/limits.h>

#ifdef __cplusplus
extern "C" {
#endif

enum gb_ftype {
	GB_FT_FILE = 1,
	GB_FT_DIR,
	GB_FT_SYMLINK,
	GB_FT_HARDLINK,
	GB_FT_CHARDEV,
	GB_FT_BLOCKDEV,
	GB_FT_FIFO,
	GB_FT_SOCKET,
};

enum gb_status {
	GB_STATUS_OK = 0,
	GB_STATUS_PARTIAL = 1,
	GB_STATUS_ERROR = 2,
};

/* A container found in the input: the input itself (id 0, parent -1) or a
 * structure carved from its parent's bytes or from a file its parent extracted. */
/* A key/value fact a format attached to its node (gb_unpack_set_attr). */
struct gb_attr {
	const char *key;        /* UTF-8 (escaped like paths) */
	const char *value;
};

struct gb_node {
	int id;
	int parent;             /* -1 for the input */
	const char *format;     /* format name, "input" for node 0 */
	const char *variant;    /* may be NULL */
	const char *label;      /* region label given by the parent format, may be NULL */
	const char *source_path; /* file of the parent this was carved from, NULL if from its bytes */
	uint64_t offset;        /* in the parent's bytes, or in source_path */
	uint64_t size;
	unsigned depth;
	enum gb_status status;
	const char *error;      /* NULL when ok; all diagnostics joined by "; " */
	const char *dir;        /* relative to OUTDIR, NULL when nothing was extracted */
	bool identify_only;
	uint32_t n_entries;
	const struct gb_attr *attrs; /* facts the format recorded, in the order set; may be NULL */
	size_t n_attrs;
};

struct gb_file {
	int node;
	const char *path;       /* inside its container, starting with "/" (UTF-8, see docs/report.md) */
	enum gb_ftype type;
	uint32_t mode;          /* 07777 bits as the container records them */
	uint32_t uid, gid;
	uint64_t size;
	char sha256[65];        /* regular files; "" otherwise */
	const char *target;     /* symlink / hardlink target, else NULL */
	uint32_t major, minor;  /* device nodes */
	const char *kind;       /* elf, shell-script, text, ... (see docs/report.md) */
	const char *disk;       /* relative to OUTDIR, NULL when not created on disk */
	const char *note;       /* why it is not where its path says (lost+found, truncated...), or NULL */
	bool incomplete;        /* data cut short (limit, corruption) */
};

struct gb_region {
	int node;               /* the node whose bytes (or whose file) hold the region */
	const char *source_path; /* file inside that node, NULL for the node's own bytes */
	uint64_t offset;
	uint64_t size;
	double entropy;         /* Shannon entropy, bits per byte (0..8) */
	int fill;               /* -1 unless every byte is the same value (0x00, 0xff padding) */
};

struct gb_scan_opts {
	const char *input;      /* path of the image */
	const char *outdir;     /* created if missing; extracted/ is replaced */
	unsigned jobs;          /* 0 = number of online CPUs */
	struct gb_limits limits;
};

struct gb_scan {
	/* input */
	const char *input_path;
	uint64_t input_size;
	char input_sha256[65];
	const char *outdir;
	/* inventory */
	const struct gb_node *nodes;
	size_t n_nodes;
	const struct gb_file *files;
	size_t n_files;
	const struct gb_region *regions;
	size_t n_regions;
	/* run facts */
	unsigned jobs;
	uint64_t bytes_written;
	double seconds;
	const char *error;      /* set when gb_scan_run() failed as a whole */
};

GB_API void gb_scan_opts_init(struct gb_scan_opts *opts);

/* Scan opts->input into opts->outdir. On success returns 0 and *ret (free with
 * gb_scan_free) even if containers had errors (they are node diagnostics).
 * Fails with -GB_EIO when the input cannot be read (*ret is then still set,
 * with ->error explaining, so the CLI can say why), -GB_EINVAL for bad
 * options, -GB_ENOMEM. */
GB_API int gb_scan_run(const struct gb_scan_opts *opts, struct gb_scan **ret);
GB_API void gb_scan_free(struct gb_scan *scan);

/* Names used in reports. */
GB_API const char *gb_ftype_name(enum gb_ftype t);
GB_API const char *gb_status_name(enum gb_status s);

#ifdef __cplusplus
}
#endif
#endif
