/* Small rules the hand-written filesystem parsers (cramfs, jffs2, ubi, ubifs,
 * yaffs2, ...) share about extracting one file.
 */
#ifndef GB_UNPACK_FSUTIL_H
#define GB_UNPACK_FSUTIL_H

#include <stdbool.h>

#include <glassbox/errors.h>

/* An error that stops the whole parse: a limit, the output failing, no
 * memory. A corrupt or truncated file is reported and the parse goes on. */
static inline bool gb_fs_fatal(int r)
{
	return r == -GB_ELIMIT || r == -GB_EIO || r == -GB_ENOMEM;
}

/* What extracting one file returns, from the status its content was written
 * with (st) and gb_unpack_file_end's result (r): the first fatal one, else 0. */
static inline int gb_fs_file_result(int st, int r)
{
	if (gb_fs_fatal(st))
		return st;
	return gb_fs_fatal(r) ? r : 0;
}

#endif
