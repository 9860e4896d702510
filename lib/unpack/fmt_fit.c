/* fit: U-Boot Flattened Image Tree (.itb).
 *
 * A FIT is a flattened device tree (see lib/util/fdt.h for the blob layout)
 * whose /images node holds one subnode per image:
 *   /images/<name>          e.g. kernel-1, fdt-1, ramdisk-1, rootfs
 *       description, type, arch, os, compression, load, entry  (strings / u32)
 *       data                the image bytes, inline in the structure block, or
 *       data-offset + data-size    external data (mkimage -E), at
 *                           ALIGN(totalsize, 4) + data-offset, or
 *       data-position + data-size  external data at an absolute position
 *       hash-1 { algo = "sha256" | "sha1" | "md5" | "crc32"; value = [...]; }
 *   /configurations         which images boot together (not needed here)
 *
 * probe checks: a valid FDT header, a complete structure walk, and a
 * top-level /images node. The size is totalsize, extended over external
 * data padded to 4 bytes (cut to the data available).
 *
 * unpack carves each image's data as a region labelled with the image node
 * name, and checks the image's hash-* subnodes (sha256, sha1, md5, crc32): a
 * mismatch is a warning.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <zlib.h>

#include <glassbox/sys/format.h>
#include <util/fdt.h>

#define FIT_MAX_HASH 4
#define FIT_MAX_IMAGES 1024

struct fit_hash {
	const char *algo;     /* into the blob, NULL until seen */
	const uint8_t *value; /* into the blob */
	uint32_t len;
};

/* One /images/<name> node, filled while the walk is inside it. */
struct fit_image {
	const char *name;
	bool has_data, has_off, has_pos, has_size;
	uint64_t data_off;
	uint32_t data_len;
	uint32_t ext_off, ext_pos, ext_size;
	unsigned n_hash;
	int cur_hash; /* hash node being walked, or -1 */
	struct fit_hash hash[FIT_MAX_HASH];
};

struct fit_walk {
	const struct gb_span *in; /* the whole candidate, external data included */
	uint64_t ext_base;        /* ALIGN(totalsize, 4): where data-offset counts from */
	bool has_images, in_image, external;
	unsigned n_images;
	uint64_t end;             /* furthest end of image data (probe) */
	struct fit_image img;
	struct gb_unpack *u;      /* NULL while probing */
	int err;                  /* first error of unpack's callbacks */
};

/* Where the current image's data lies: 0 and [*off, *off+*len) (maybe past
 * the input), or -GB_ENOTFOUND when the node has no data. */
static int image_extent(const struct fit_walk *w, uint64_t *off, uint64_t *len)
{
	const struct fit_image *im = &w->img;

	if (im->has_data) {
		*off = im->data_off;
		*len = im->data_len;
		return 0;
	}
	if (!im->has_size || (!im->has_pos && !im->has_off))
		return -GB_ENOTFOUND;
	*off = im->has_pos ? im->ext_pos : w->ext_base + im->ext_off;
	*len = im->ext_size;
	return 0;
}

/* True unless the digest is known and differs (unknown algorithms pass). */
static bool digest_matches(const struct fit_hash *h, const struct gb_span *data)
{
	const EVP_MD *md = NULL;
	unsigned char out[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (strcmp(h->algo, "crc32") == 0) {
		uLong crc = crc32(0, NULL, 0);
		const uint8_t *p = data->p;
		size_t left = data->n;

		while (left > 0) {
			size_t k = left > (1U << 30) ? (1U << 30) : left;

			crc = crc32(crc, p, (uInt)k);
			p += k;
			left -= k;
		}
		return h->len == 4 && gb_be32(h->value) == (uint32_t)crc;
	}
	if (strcmp(h->algo, "sha256") == 0)
		md = EVP_sha256();
	else if (strcmp(h->algo, "sha1") == 0)
		md = EVP_sha1();
	else if (strcmp(h->algo, "md5") == 0)
		md = EVP_md5();
	if (!md)
		return true;
	if (!EVP_Digest(data->p, data->n, out, &n, md, NULL))
		return true; /* no verdict when the library fails */
	return h->len == n && memcmp(h->value, out, n) == 0;
}

static void check_hashes(struct fit_walk *w, const struct gb_span *data)
{
	for (unsigned i = 0; i < w->img.n_hash; i++) {
		const struct fit_hash *h = &w->img.hash[i];

		if (!h->algo || !h->value)
			continue;
		if (!digest_matches(h, data))
			gb_unpack_warn(w->u, "FIT image %s: %s hash mismatch", w->img.name,
				       h->algo);
	}
}

static int image_done_unpack(struct fit_walk *w)
{
	uint64_t off, len;
	struct gb_span data;

	if (image_extent(w, &off, &len) < 0)
		return 0;
	if (w->n_images > FIT_MAX_IMAGES) {
		gb_unpack_warn(w->u, "FIT: more than %d images, the rest are ignored",
			       FIT_MAX_IMAGES);
		return 1;
	}
	if (gb_span_sub(w->in, off, len, &data) == 0) {
		check_hashes(w, &data);
	} else {
		uint64_t avail = off < w->in->n ? w->in->n - off : 0;

		gb_unpack_warn(w->u, "FIT image %s: data at %llu declares %llu bytes, "
			       "only %llu available", w->img.name, (unsigned long long)off,
			       (unsigned long long)len, (unsigned long long)avail);
		len = avail;
	}
	if (len == 0)
		return 0;
	w->err = gb_unpack_region(w->u, off, len, w->img.name);
	return w->err < 0 ? 1 : 0;
}

static int image_done(struct fit_walk *w)
{
	uint64_t off, len, end;

	w->n_images++;
	if (w->u)
		return image_done_unpack(w);
	if (image_extent(w, &off, &len) < 0 || w->img.has_data)
		return 0;
	w->external = true;
	/* mkimage pads each external image to 4 bytes */
	if (gb_add_u64(off, len + 3, &end) < 0 || (end &= ~(uint64_t)3) > w->in->n)
		end = w->in->n;
	if (end > w->end)
		w->end = end;
	return 0;
}

static void image_prop(struct fit_walk *w, const struct gb_fdt_item *it)
{
	struct fit_image *im = &w->img;

	if (strcmp(it->name, "data") == 0) {
		im->has_data = true;
		im->data_off = it->value_off;
		im->data_len = it->value_len;
	} else if (strcmp(it->name, "data-offset") == 0) {
		im->has_off = gb_fdt_prop_u32(it, &im->ext_off) == 0;
	} else if (strcmp(it->name, "data-position") == 0) {
		im->has_pos = gb_fdt_prop_u32(it, &im->ext_pos) == 0;
	} else if (strcmp(it->name, "data-size") == 0) {
		im->has_size = gb_fdt_prop_u32(it, &im->ext_size) == 0;
	}
}

static void hash_prop(struct fit_walk *w, const struct gb_fdt_item *it)
{
	struct fit_hash *h = &w->img.hash[w->img.cur_hash];

	if (strcmp(it->name, "algo") == 0) {
		h->algo = gb_fdt_prop_str(it);
	} else if (strcmp(it->name, "value") == 0) {
		h->value = it->value;
		h->len = it->value_len;
	}
}

static void begin_node(struct fit_walk *w, const struct gb_fdt_item *it)
{
	if (it->depth == 1 && strcmp(it->name, "images") == 0) {
		w->has_images = true;
	} else if (it->depth == 2 && strncmp(it->path, "/images/", 8) == 0) {
		memset(&w->img, 0, sizeof(w->img));
		w->img.name = it->name;
		w->img.cur_hash = -1;
		w->in_image = true;
	} else if (it->depth == 3 && w->in_image && strncmp(it->name, "hash", 4) == 0 &&
		   w->img.n_hash < FIT_MAX_HASH) {
		w->img.cur_hash = (int)w->img.n_hash++;
	}
}

static int walk_cb(void *ctx, const struct gb_fdt_item *it)
{
	struct fit_walk *w = ctx;

	switch (it->kind) {
	case GB_FDT_NODE_BEGIN:
		begin_node(w, it);
		break;
	case GB_FDT_PROPERTY:
		if (w->in_image && it->depth == 2)
			image_prop(w, it);
		else if (w->in_image && it->depth == 3 && w->img.cur_hash >= 0)
			hash_prop(w, it);
		break;
	case GB_FDT_NODE_END:
		if (it->depth == 3 && w->in_image)
			w->img.cur_hash = -1;
		if (it->depth == 2 && w->in_image) {
			w->in_image = false;
			return image_done(w);
		}
		break;
	}
	return 0;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	struct gb_fdt fdt;
	struct fit_walk w = {.in = in};

	if (gb_fdt_open(in, &fdt) < 0)
		return -GB_ENOTFOUND;
	w.ext_base = ((uint64_t)fdt.totalsize + 3) & ~(uint64_t)3;
	w.end = fdt.totalsize;
	if (gb_fdt_walk(&fdt, walk_cb, &w) != 0 || !w.has_images)
		return -GB_ENOTFOUND;
	memset(ret, 0, sizeof(*ret));
	ret->size = w.end;
	ret->confidence = GB_CONF_HIGH;
	snprintf(ret->variant, sizeof(ret->variant), "%u images%s", w.n_images,
		 w.external ? " external" : "");
	return 0;
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct gb_fdt fdt;
	struct fit_walk w = {.in = in, .u = u};
	int r;

	if (gb_fdt_open(in, &fdt) < 0)
		return gb_unpack_fail(u, -GB_ECORRUPT, "FIT: device tree header no longer valid");
	w.ext_base = ((uint64_t)fdt.totalsize + 3) & ~(uint64_t)3;
	r = gb_fdt_walk(&fdt, walk_cb, &w);
	if (w.err < 0)
		return w.err;
	if (r < 0)
		return gb_unpack_fail(u, r, "FIT: malformed device tree structure");
	return 0;
}

static const struct gb_magic magics[] = {
	GB_MAGIC("\xd0\x0d\xfe\xed", 0),
};

const struct gb_format gb__fmt_fit = {
	.name = "fit",
	.description = "U-Boot Flattened Image Tree (FIT)",
	.kind = GB_KIND_FIRMWARE,
	.magics = magics,
	.n_magics = 1,
	.probe = probe,
	.unpack = unpack,
};
