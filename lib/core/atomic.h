/* Atomic file replacement: a reader sees the old file or the complete new
 * one, never half of it (a temporary file in the same directory, fsync'd,
 * then renamed over the target). Used for every report glassbox writes. */
#ifndef GB_CORE_ATOMIC_H
#define GB_CORE_ATOMIC_H

#include <stdio.h>

/* Call write(ctx, f) on a temporary file beside path, then rename it over
 * path. Returns write's negative result, -GB_EIO (errno kept) or 0; on
 * failure the temporary file is removed and path is untouched. After a
 * successful rename, the temporaries of earlier writers of path that were
 * killed before theirs (path.tmp.XXXXXX) are removed too. */
int gb_write_atomic(const char *path, int (*write)(void *ctx, FILE *f), void *ctx);

#endif
