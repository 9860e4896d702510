/* Internal state of a scan, shared by engine.c (the run and the result),
 * carve.c (finding structures in blobs) and output.c (what formats call to
 * write their children). */
#ifndef GB_UNPACK_ENGINE_H
#define GB_UNPACK_ENGINE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include <glassbox/scan.h>
#include <glassbox/sys/format.h>

#include "core/arena.h"
#include "core/mapfile.h"
#include "core/pool.h"
#include "util/ac.h"

extern const struct gb_format *const gb__formats[];
extern const size_t gb__n_formats;
/* The format with that name, or NULL. */
const struct gb_format *gb__format_find(const char *name);

struct gb__file_rec;

/* A growable array of pointers (owned by the scanner, not the arena). */
struct gb__vec {
	void **v;
	size_t n, cap;
};
int gb__vec_push(struct gb__vec *vec, void *item);
void gb__vec_free(struct gb__vec *vec);

struct gb__node_rec {
	struct gb_node pub;
	char *sortkey;         /* orders the report deterministically */
	const char *diag[16];  /* diagnostics, joined into pub.error */
	unsigned n_diag, n_diag_dropped;
	bool any_output;
	bool failed;
	struct gb__vec files;  /* struct gb__file_rec* created by this node */
	/* path -> file record, for hard links and duplicate entries */
	struct gb__file_rec **index;
	size_t index_cap, index_n;
	unsigned lost_counter;
	struct gb_attr *attrs; /* gb_unpack_set_attr (arena; grown by doubling) */
	size_t n_attrs, cap_attrs;
	bool attrs_dropped;
	pthread_mutex_t lock;
};

struct gb__file_rec {
	struct gb_file pub;
	char *norm;            /* normalised relative path, "" for the root */
	bool superseded;       /* a later entry of the same path replaced it */
};

struct gb_scanner {
	const struct gb_scan_opts *opts;
	struct gb_limits limits;
	struct gb_arena *arena;
	struct gb_pool *pool;
	int outfd;
	struct gb_ac *ac;
	struct gb__magic_ref *magic_refs; /* AC pattern id -> (format, magic) */
	size_t n_magic_refs;
	/* ids of the start-only magics: not in the automaton (short patterns
	 * like ":" or "S0" would stop its skip loop on every byte), compared at
	 * the start of each blob instead */
	const uint32_t *start_ids;
	size_t n_start_ids;

	pthread_mutex_t lock;  /* nodes, regions, fatal */
	struct gb__vec nodes;  /* struct gb__node_rec* */
	struct gb__vec regions; /* struct gb_region* */
	_Atomic uint64_t bytes_written;
	_Atomic int fatal;     /* first error that stops the scan (OOM, output) */
	const char *fatal_msg;
	_Atomic bool total_limit_hit;
};

struct gb__magic_ref {
	uint16_t format;
	uint16_t magic;
};

/* What a carving task looks at. */
struct gb__carve_job {
	struct gb_scanner *s;
	struct gb_map *map;          /* keeps the bytes alive (ref held) */
	struct gb_span span;
	struct gb__node_rec *parent; /* node whose bytes or file this is */
	struct gb__file_rec *file;   /* the file of `parent`, or NULL for its bytes */
	uint64_t base;               /* offset of span within the parent's bytes (regions) */
	const char *child_dir;       /* where child node dirs go (relative to OUTDIR) */
	const char *label;           /* region label */
	bool report_gaps;            /* record unclaimed regions */
};

/* Queue a carving job on the pool (takes ownership of job and its map ref). */
int gb__carve_submit(struct gb__carve_job *job);
/* Run a carving job in this thread (takes ownership). */
void gb__carve_run(struct gb__carve_job *job);

/* Nodes */
struct gb__node_rec *gb__node_new(struct gb_scanner *s, struct gb__node_rec *parent,
				  const char *format, uint64_t offset, uint64_t size);
void gb__node_diag(struct gb_scanner *s, struct gb__node_rec *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void gb__set_fatal(struct gb_scanner *s, int err, const char *msg);

/* Run a format's unpack on a node (output.c). Returns the unpack result. */
int gb__unpack_node(struct gb_scanner *s, struct gb__node_rec *node, const struct gb_format *fmt,
		    const struct gb_span *span, const struct gb_probe *probe, struct gb_map *map,
		    const char *name_hint, uint64_t *ret_consumed, bool *ret_consumed_set);

/* Classify a file's content when no container covers it (classify.c). */
const char *gb__classify(const struct gb_span *data, const char *path);
/* Kind name for a file wholly covered by a structure of this format kind. */
const char *gb__kind_for_format(const struct gb_format *fmt);

#endif
