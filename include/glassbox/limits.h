/* Every cap glassbox enforces on hostile input lives here (one struct, one
 * place to read the defaults). Each limit has a test that trips it. */
#ifndef GLASSBOX_LIMITS_H
#define GLASSBOX_LIMITS_H

#include <stdint.h>

#include <glassbox/export.h>

struct gb_limits {
	uint64_t max_total_bytes;  /* all bytes written under OUTDIR */
	uint64_t max_file_bytes;   /* one extracted file or decompressed stream */
	uint32_t max_ratio;        /* output/input of one stream, enforced past ratio_floor bytes */
	uint64_t ratio_floor;      /* streams smaller than this are never ratio-limited */
	uint32_t max_depth;        /* nesting of containers */
	uint32_t max_entries;      /* entries of one container */
	uint32_t max_nodes;        /* containers in one scan */
	uint32_t max_candidates;   /* probe attempts in one carved blob */
};

/* Defaults that real firmware never hits. */
#define GB_LIMITS_DEFAULT_INIT                                                                     \
	{                                                                                          \
		.max_total_bytes = 16ULL << 30, .max_file_bytes = 2ULL << 30, .max_ratio = 250,    \
		.ratio_floor = 64ULL << 20, .max_depth = 16, .max_entries = 100000,                \
		.max_nodes = 20000, .max_candidates = 2000000,                                      \
	}

GB_API void gb_limits_default(struct gb_limits *ret);

#endif
