/* A small, bounds-checked walker for flattened device trees (FDT / DTB).
 *
 * Used by the dtb and fit formats. Pure: no allocation, no I/O, no globals;
 * every read goes through the span helpers, so a hostile blob can only make
 * gb_fdt_open() or gb_fdt_walk() fail, never read outside the blob.
 *
 * Header (40 bytes, all big-endian u32):
 *   0 magic 0xd00dfeed   4 totalsize        8 off_dt_struct   12 off_dt_strings
 *  16 off_mem_rsvmap    20 version         24 last_comp_version
 *  28 boot_cpuid_phys   32 size_dt_strings 36 size_dt_struct (version >= 17)
 * The memory reservation map is a list of {u64 address, u64 size} ending with
 * {0, 0}. The structure block is a stream of 4-byte aligned BE tokens:
 * BEGIN_NODE (1) + NUL-terminated name, END_NODE (2), PROP (3) + u32 len +
 * u32 name offset into the strings block + value, NOP (4), END (9).
 */
#ifndef GB_UTIL_FDT_H
#define GB_UTIL_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glassbox/sys/span.h>

#define GB_FDT_MAGIC 0xd00dfeedU
#define GB_FDT_HEADER_SIZE 40
#define GB_FDT_MAX_DEPTH 32       /* nesting of nodes */
#define GB_FDT_PATH_MAX 512       /* longest node path, NUL included */
#define GB_FDT_MAX_TOKENS 1000000 /* tokens of one structure block */
#define GB_FDT_MAX_RSV 4096       /* memory reservation entries */

/* A validated FDT: `blob` is exactly [0, totalsize) of the input. */
struct gb_fdt {
	struct gb_span blob;
	uint32_t totalsize;
	uint32_t version;
	uint64_t off_struct, size_struct;
	uint64_t off_strings, size_strings;
	uint64_t off_rsvmap;
};

enum gb_fdt_kind {
	GB_FDT_NODE_BEGIN = 1,
	GB_FDT_NODE_END,
	GB_FDT_PROPERTY,
};

/* One event of the walk. Strings point into the blob or into the walker's
 * path buffer: valid only during the callback. */
struct gb_fdt_item {
	enum gb_fdt_kind kind;
	unsigned depth;       /* of the node (root = 0); of the owning node for a property */
	const char *path;     /* full path of the node: "/", "/images/kernel-1" */
	const char *name;     /* node name (unit address included) or property name */
	const uint8_t *value; /* property value (NULL for nodes) */
	uint32_t value_len;
	uint64_t value_off;   /* offset of the value from the start of the blob */
};

/* Return 0 to go on; any other value stops the walk and is returned by it. */
typedef int (*gb_fdt_cb)(void *ctx, const struct gb_fdt_item *it);

/* Validate the header at the start of `in` and fill *ret. Returns 0,
 * -GB_ENOTFOUND (no magic or too short for a header), -GB_ECORRUPT (a field is
 * insane, or an unsupported version), -GB_ETRUNC (totalsize runs past `in`). */
int gb_fdt_open(const struct gb_span *in, struct gb_fdt *ret);

/* Walk the structure block, calling cb for every node begin, node end and
 * property (cb may be NULL: validation only). Returns 0 after a well-formed
 * FDT_END, a non-zero callback result, or -GB_ECORRUPT when the block is
 * malformed (bad token, unterminated name, depth or count cap, property
 * outside a node, name offset outside the strings block). */
int gb_fdt_walk(const struct gb_fdt *fdt, gb_fdt_cb cb, void *ctx);

/* A property value as a big-endian u32 (its length must be exactly 4). */
int gb_fdt_prop_u32(const struct gb_fdt_item *it, uint32_t *ret);
/* A property value as a NUL-terminated string (first string of a list);
 * NULL when the value has no NUL. */
const char *gb_fdt_prop_str(const struct gb_fdt_item *it);

#endif
