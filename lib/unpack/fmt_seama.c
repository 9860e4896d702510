/* seama: D-Link / Alpha Networks SEAMA image (OpenWrt tools/firmware-utils
 * seama.h, seama.c; D-Link DIR-series routers).
 *
 * Layout, big-endian ("network byte order"; binwalk also meets byte-swapped
 * headers, accepted here as variant "le"):
 *    0  u32 magic     0x5EA3A417
 *    4  u16 reserved
 *    6  u16 metasize  bytes of meta data (NUL-separated strings such as
 *                     "dev=/dev/mtdblock/1", "type=firmware", padded to 4)
 *    8  u32 size      bytes of the image
 *   12  u8  md5[16]   MD5 of the image; present only when size != 0
 *   ..  meta[metasize], then image[size]
 * A "sealed" firmware is a SEAMA with size 0 whose meta is a signature,
 * followed by the real SEAMA image: each header is its own node.
 *
 * probe checks: the magic, metasize <= 4096, meta made of printable strings
 * and NULs (at least one string), size <= 1 GiB. High confidence when the
 * image is complete, medium when cut short. The MD5 (libcrypto, which
 * allocates) is checked by unpack: a mismatch is a warning and the image is
 * carved anyway (region "image"). Size: header + meta + image, cut to the
 * data available.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include <glassbox/sys/format.h>

#define SEAMA_MAX_META 4096
#define SEAMA_MAX_SIZE (1U << 30)

struct seama_hdr {
	bool le;
	uint32_t metasize, size;
	uint32_t meta_off, data_off; /* from the header start */
	uint64_t total;
};

static uint32_t rd32(const uint8_t *p, bool le)
{
	return le ? gb_le32(p) : gb_be32(p);
}

static bool meta_ok(const uint8_t *m, uint32_t n)
{
	bool any = false;

	for (uint32_t i = 0; i < n; i++) {
		if (m[i] == 0)
			continue;
		if (m[i] < 0x20 || m[i] > 0x7e)
			return false;
		any = true;
	}
	return any;
}

static int read_header(const struct gb_span *in, struct seama_hdr *h)
{
	const uint8_t *p = gb_span_at(in, 0, 12);

	if (!p)
		return -GB_ENOTFOUND;
	memset(h, 0, sizeof(*h));
	if (gb_be32(p) == 0x5EA3A417U)
		h->le = false;
	else if (gb_le32(p) == 0x5EA3A417U)
		h->le = true;
	else
		return -GB_ENOTFOUND;
	h->metasize = h->le ? gb_le16(p + 6) : gb_be16(p + 6);
	h->size = rd32(p + 8, h->le);
	if (h->metasize > SEAMA_MAX_META || h->size > SEAMA_MAX_SIZE)
		return -GB_ENOTFOUND;
	h->meta_off = h->size ? 28 : 12;
	h->data_off = h->meta_off + h->metasize;
	p = gb_span_at(in, h->meta_off, h->metasize);
	if (!p || !meta_ok(p, h->metasize))
		return -GB_ENOTFOUND;
	h->total = (uint64_t)h->data_off + h->size;
	return 0;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	struct seama_hdr h;

	if (read_header(in, &h) < 0)
		return -GB_ENOTFOUND;
	memset(ret, 0, sizeof(*ret));
	ret->size = h.total <= in->n ? h.total : in->n;
	ret->confidence = h.total <= in->n ? GB_CONF_HIGH : GB_CONF_MEDIUM;
	snprintf(ret->variant, sizeof(ret->variant), "%s", h.le ? "le" : "");
	return 0;
}

/* The meta strings joined by "; " (each at most what fits). */
static void set_meta_attr(struct gb_unpack *u, const uint8_t *m, uint32_t n)
{
	char out[SEAMA_MAX_META * 2 + 1];
	size_t k = 0;

	for (uint32_t i = 0; i < n;) {
		size_t len = strnlen((const char *)m + i, n - i);

		if (len) {
			if (k)
				k += (size_t)snprintf(out + k, sizeof(out) - k, "; ");
			k += (size_t)snprintf(out + k, sizeof(out) - k, "%.*s", (int)len,
					      (const char *)m + i);
		}
		i += (uint32_t)len + 1;
	}
	out[k] = 0;
	gb_unpack_set_attr(u, "meta", out);
}

static int md5_matches(const uint8_t *data, uint32_t n, const uint8_t *want)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned len = 0;

	if (!EVP_Digest(data, n, md, &len, EVP_md5(), NULL))
		return -GB_ENOMEM;
	return len == 16 && memcmp(md, want, 16) == 0;
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct seama_hdr h;
	uint64_t avail = in->n;
	int r;

	(void)p;
	if (read_header(in, &h) < 0)
		return gb_unpack_fail(u, -GB_ECORRUPT, "SEAMA header no longer valid");
	set_meta_attr(u, in->p + h.meta_off, h.metasize);
	if (h.size == 0)
		return 0; /* a signature/seal header: the next SEAMA is carved on its own */
	if (h.total <= avail) {
		r = md5_matches(in->p + h.data_off, h.size, in->p + 12);
		if (r < 0)
			return gb_unpack_fail(u, r, "SEAMA: MD5 could not be computed");
		gb_unpack_set_attr(u, "md5", r ? "ok" : "mismatch");
		if (!r)
			gb_unpack_warn(u, "SEAMA: MD5 at offset 12 does not match the image (carved anyway)");
	} else {
		gb_unpack_set_attr(u, "md5", "not checked (truncated)");
	}
	if (h.data_off < avail) {
		r = gb_unpack_region(u, h.data_off, (h.total < avail ? h.total : avail) - h.data_off,
				     "image");
		if (r < 0)
			return r;
	}
	if (h.total > avail)
		return gb_unpack_fail(u, -GB_ETRUNC, "SEAMA image of %u bytes cut short "
				      "(%llu bytes available)", h.size, (unsigned long long)avail);
	return 0;
}

static const struct gb_magic magics[] = {
	GB_MAGIC("\x5e\xa3\xa4\x17", 0),
	GB_MAGIC("\x17\xa4\xa3\x5e", 0),
};

const struct gb_format gb__fmt_seama = {
	.name = "seama",
	.description = "D-Link SEAMA firmware image",
	.kind = GB_KIND_FIRMWARE,
	.magics = magics,
	.n_magics = 2,
	.probe = probe,
	.unpack = unpack,
};
