/* The libarchive adapter shared by the archive formats (tar, cpio, zip, 7z,
 * ISO9660).
 *
 * Each format's probe() finds and validates the structure itself; its unpack()
 * hands the exact span to gb__archive_unpack(), which reads it with
 * libarchive's read API from memory (one format enabled, no filters: a
 * compressed tar is a gzip node whose output is carved again), maps every
 * archive_entry to a struct gb_entry and streams regular-file data into the
 * engine's writer. libarchive never sees a file descriptor or a path.
 */
#ifndef GB_UNPACK_ARCHIVE_COMMON_H
#define GB_UNPACK_ARCHIVE_COMMON_H

#include <stdbool.h>

#include <glassbox/sys/format.h>

struct archive;

struct gb_archive_opts {
	/* Enables the one libarchive format reader to use, e.g.
	 * archive_read_support_format_tar. */
	int (*enable)(struct archive *a);
	/* cpio (newc/crc) stores the data of a multiply-linked file with its
	 * LAST link, so libarchive reports the first links as empty regular
	 * files. With this set, such files are held back until the link that
	 * carries the data arrives and are then recorded as hard links to it. */
	bool defer_links;
	/* Zeros shown to libarchive before the span: a zip whose offsets count
	 * from the start of a file that had a prefix (self-extractor stub)
	 * before the archive reads as if the prefix were there. */
	uint64_t prefix;
};

/* Unpack the archive in `in` (exactly the structure probe found). Returns 0
 * (possibly after gb_unpack_warn()), -GB_ELIMIT / -GB_ENOMEM / -GB_EIO when the
 * engine's writer said stop, or another negative -GB_E* after gb_unpack_fail().
 * When p->size is GB_SIZE_UNKNOWN the bytes libarchive consumed are reported
 * with gb_unpack_set_consumed(). */
int gb__archive_unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p,
		       const struct gb_archive_opts *opts);

#endif
