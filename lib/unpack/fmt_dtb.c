/* dtb: flattened device tree blob (identification only).
 *
 * Layout: see lib/util/fdt.h (40-byte big-endian header with magic
 * 0xd00dfeed, memory reservation map, structure block, strings block).
 * Kernels and boot loaders carry these for each board; U-Boot FIT images use
 * the same container with a top-level /images node (the "fit" format).
 *
 * probe checks: a valid header (version >= 16, every block inside totalsize,
 * totalsize inside the data), a complete, well-formed walk of the structure
 * block, and no top-level /images node. The size is totalsize.
 */
#include <stdio.h>
#include <string.h>

#include <glassbox/sys/format.h>
#include <util/fdt.h>

/* Stops the walk (returns 1) at a top-level /images node. */
static int find_images(void *ctx, const struct gb_fdt_item *it)
{
	return it->kind == GB_FDT_NODE_BEGIN && it->depth == 1 && strcmp(it->name, "images") == 0;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	struct gb_fdt fdt;

	if (gb_fdt_open(in, &fdt) < 0)
		return -GB_ENOTFOUND;
	if (gb_fdt_walk(&fdt, find_images, NULL) != 0)
		return -GB_ENOTFOUND;
	memset(ret, 0, sizeof(*ret));
	ret->size = fdt.totalsize;
	ret->confidence = GB_CONF_HIGH;
	ret->identify_only = true;
	snprintf(ret->variant, sizeof(ret->variant), "v%u", fdt.version);
	return 0;
}

static const struct gb_magic magics[] = {
	GB_MAGIC("\xd0\x0d\xfe\xed", 0),
};

const struct gb_format gb__fmt_dtb = {
	.name = "dtb",
	.description = "Flattened device tree blob",
	.kind = GB_KIND_DEVICETREE,
	.magics = magics,
	.n_magics = 1,
	.probe = probe,
	.unpack = NULL,
};
