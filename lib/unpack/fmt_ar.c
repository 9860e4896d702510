/* ar: Unix ar archives (Debian .deb/.ipk packages, static libraries),
 * read through libarchive.
 *
 * Layout: the global header "!<arch>\n" (8 bytes), then members, each a
 * 60-byte ASCII header followed by its data, padded to an even offset:
 *    0  name[16]   "name/" (GNU), "name" padded with spaces (BSD), "/" (GNU
 *                  symbol table), "//" (GNU long-name table), "/123" (a
 *                  long name at offset 123 of that table), "#1/N" (BSD: the
 *                  name is the first N bytes of the data)
 *   16  mtime[12]  28 uid[6]  34 gid[6]  40 mode[8] (octal)
 *   48  size[10]   decimal bytes of data
 *   58  fmag[2]    "`\n"
 * Debian packages hold debian-binary ("2.0\n"), control.tar.{gz,xz,zst} and
 * data.tar.{gz,xz,zst,bz2}; OpenWrt .ipk files are the same in ar (older
 * ones are tar.gz). The members' compressed tars are carved again.
 *
 * probe: the global header, then every member header must have its fmag and
 * a decimal size within the input; the walk (at most MAX_MEMBERS) ends at
 * the end of the input or at the first byte that does not start a member
 * header, which is where the archive ends. At least one member.
 */
#include <stdio.h>
#include <string.h>

#include "archive_common.h"

#include <archive.h>

#define GLOBAL_HDR 8u
#define MEMBER_HDR 60u
#define MAX_MEMBERS 100000u

/* The decimal size field: digits then spaces. -1 when malformed. */
static int64_t member_size(const uint8_t *h)
{
	int64_t v = 0;
	size_t i = 0;

	while (i < 10 && h[48 + i] >= '0' && h[48 + i] <= '9')
		v = v * 10 + (h[48 + i++] - '0');
	if (i == 0)
		return -1;
	while (i < 10 && h[48 + i] == ' ')
		i++;
	return i == 10 ? v : -1;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	const uint8_t *g = gb_span_at(in, 0, GLOBAL_HDR);
	uint64_t off = GLOBAL_HDR, end;
	unsigned n = 0;

	if (!g || memcmp(g, "!<arch>\n", GLOBAL_HDR) != 0)
		return -GB_ENOTFOUND;
	while (n < MAX_MEMBERS) {
		const uint8_t *h = gb_span_at(in, off, MEMBER_HDR);
		int64_t size;

		if (!h || h[58] != '`' || h[59] != '\n')
			break;
		size = member_size(h);
		if (size < 0 || gb_add_u64(off + MEMBER_HDR, (uint64_t)size, &end) < 0 || end > in->n)
			break;
		n++;
		off = end + (end & 1);
		if (off > in->n)
			off = in->n; /* the last member's pad byte may be missing */
	}
	if (n == 0)
		return -GB_ENOTFOUND;
	memset(ret, 0, sizeof(*ret));
	ret->size = off;
	ret->confidence = n > 1 ? GB_CONF_HIGH : GB_CONF_MEDIUM;
	snprintf(ret->variant, sizeof(ret->variant), "%u members", n);
	return 0;
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	static const struct gb_archive_opts opts = {
		.enable = archive_read_support_format_ar,
	};
	return gb__archive_unpack(u, in, p, &opts);
}

static const struct gb_magic magics[] = {
	GB_MAGIC("!<arch>\n", 0),
};

const struct gb_format gb__fmt_ar = {
	.name = "ar",
	.description = "Unix ar archive (Debian/OpenWrt packages, static libraries)",
	.kind = GB_KIND_ARCHIVE,
	.magics = magics,
	.n_magics = 1,
	.probe = probe,
	.unpack = unpack,
};
