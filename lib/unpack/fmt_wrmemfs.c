/* wrmemfs: Wind River "management filesystem" (binwalk's name), the web
 * interface store of TP-Link VxWorks routers (TL-WR702N/WR720N/WR740N ...),
 * placed after the LZMA-compressed VxWorks OS image inside the IMG0 firmware.
 *
 * Layout, big-endian (established from the TP-Link wr.fw sample of FACT's tpl
 * test data, where all 185 records below decode, and matching binwalk's
 * signature "Wind River management filesystem, compressed, N files"):
 *     0  "owowowow..."      "ow" sixteen times (32 bytes)
 *    32  u32 compressed     1: every file is an LZMA-alone stream; 0: stored
 *    36  u32 count          number of records
 *    40  u32 (unknown)      not used
 *    44  count records of 48 bytes:
 *          0  char name[40] NUL-terminated (no directories seen)
 *         40  u32 size      bytes of the file's data (compressed size)
 *         44  u32 offset    from the start of the filesystem
 *   The data follow the table back to back (4-byte aligned).
 *
 * probe checks the magic, the flag, a count of 1..WRMEMFS_MAX_FILES whose
 * table fits, and every record: a terminated non-empty name, data starting
 * after the table. For compressed images the first file must start with a
 * sane LZMA properties byte. The size covers the furthest file.
 */
#include <stdio.h>
#include <string.h>

#include <glassbox/sys/format.h>

#define WRMEMFS_HDR 44u
#define WRMEMFS_REC 48u
#define WRMEMFS_NAME 40u
#define WRMEMFS_MAX_FILES 65536u

static const char magic[] = "owowowowowowowowowowowowowowowow";

struct wrm_rec {
	char name[WRMEMFS_NAME + 1];
	uint32_t size, offset;
};

static int read_rec(const struct gb_span *in, uint32_t i, uint32_t count, struct wrm_rec *r)
{
	const uint8_t *b = gb_span_at(in, WRMEMFS_HDR + (uint64_t)i * WRMEMFS_REC, WRMEMFS_REC);
	uint64_t table_end = WRMEMFS_HDR + (uint64_t)count * WRMEMFS_REC;
	size_t len;

	if (!b)
		return -GB_ETRUNC;
	len = strnlen((const char *)b, WRMEMFS_NAME);
	if (len == 0 || len == WRMEMFS_NAME)
		return -GB_ECORRUPT;
	memcpy(r->name, b, len);
	r->name[len] = '\0';
	r->size = gb_be32(b + 40);
	r->offset = gb_be32(b + 44);
	if (r->offset < table_end)
		return -GB_ECORRUPT;
	return 0;
}

static int read_header(const struct gb_span *in, uint32_t *flag, uint32_t *count)
{
	if (!gb_span_eq(in, 0, magic, 32) || gb_rd_u32be(in, 32, flag) < 0 ||
	    gb_rd_u32be(in, 36, count) < 0)
		return -GB_ENOTFOUND;
	if (*flag > 1 || *count == 0 || *count > WRMEMFS_MAX_FILES)
		return -GB_ENOTFOUND;
	return 0;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	uint32_t flag, count;
	uint64_t end = 0;
	struct wrm_rec r;

	if (read_header(in, &flag, &count) < 0)
		return -GB_ENOTFOUND;
	for (uint32_t i = 0; i < count; i++) {
		if (read_rec(in, i, count, &r) < 0)
			return -GB_ENOTFOUND;
		if ((uint64_t)r.offset + r.size > end)
			end = (uint64_t)r.offset + r.size;
		if (i == 0 && flag == 1) {
			uint8_t props;

			if (gb_rd_u8(in, r.offset, &props) == 0 && props >= 9 * 5 * 5)
				return -GB_ENOTFOUND;
		}
	}
	memset(ret, 0, sizeof(*ret));
	ret->size = end < in->n ? end : in->n;
	ret->confidence = GB_CONF_HIGH;
	snprintf(ret->variant, sizeof(ret->variant), "%s", flag ? "lzma" : "stored");
	return 0;
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	uint32_t flag, count;
	struct wrm_rec r;
	struct gb_span data;
	char path[WRMEMFS_NAME + 2];
	int rc;

	(void)p;
	if (read_header(in, &flag, &count) < 0)
		return gb_unpack_fail(u, -GB_ECORRUPT, "Wind River MemFS header no longer valid");
	for (uint32_t i = 0; i < count; i++) {
		if (read_rec(in, i, count, &r) < 0) {
			gb_unpack_warn(u, "MemFS record %u at 0x%llx unreadable: stopped", i,
				       (unsigned long long)(WRMEMFS_HDR + (uint64_t)i * WRMEMFS_REC));
			return 0;
		}
		if (gb_span_sub(in, r.offset, r.size, &data) < 0) {
			gb_unpack_warn(u, "MemFS file %s: %u bytes at 0x%x past the end of the data "
				       "(truncated)", r.name, r.size, r.offset);
			continue;
		}
		if (flag == 1) {
			rc = gb_unpack_stream(u, "lzma", &data, r.name, NULL, NULL, NULL);
			if (rc == 0)
				continue;
			if (rc == -GB_ELIMIT || rc == -GB_EIO || rc == -GB_ENOMEM)
				return rc;
			if (rc != -GB_ENOTFOUND)
				continue; /* the decoder reported it */
			gb_unpack_warn(u, "MemFS file %s at 0x%x: not an LZMA stream: kept as stored",
				       r.name, r.offset);
		}
		struct gb_entry e = {0};
		snprintf(path, sizeof(path), "/%s", r.name);
		e.path = path;
		e.type = GB_FT_FILE;
		e.mode = 0644;
		e.size = r.size;
		rc = gb_unpack_file_span(u, &e, &data);
		if (rc == -GB_ELIMIT || rc == -GB_EIO || rc == -GB_ENOMEM)
			return rc;
	}
	return 0;
}

static const struct gb_magic magics[] = {
	GB_MAGIC("owowowowowowowowowowowowowowowow", 0),
};

const struct gb_format gb__fmt_wrmemfs = {
	.name = "wrmemfs",
	.description = "Wind River management filesystem (TP-Link VxWorks web store)",
	.kind = GB_KIND_FILESYSTEM,
	.magics = magics,
	.n_magics = 1,
	.probe = probe,
	.unpack = unpack,
};
