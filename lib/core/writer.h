/* The safe writer: the only code that creates files under OUTDIR.
 *
 * Every operation takes a root directory fd and a normalised relative path
 * (see gb_path_normalize) and resolves it beneath the root without following
 * any symbolic link (openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS, or an
 * O_NOFOLLOW walk where openat2 is missing). An existing entry in the way is
 * replaced, never written through. Nothing here creates device nodes or keeps
 * setuid/setgid/sticky bits.
 *
 * Errors: -GB_EEXIST when the path is blocked (a component is a symlink or a
 * non-directory, or a directory stands where a file should go), -GB_EIO for
 * other failures with errno set (ENAMETOOLONG, ENOSPC, EFBIG ...).
 */
#ifndef GB_CORE_WRITER_H
#define GB_CORE_WRITER_H

#include <sys/types.h>

/* Open directory `rel` beneath root ("" is the root itself), creating missing
 * components (mode 0755) when create is set. *ret_fd is an O_PATH fd. */
int gb_wr_open_dir(int rootfd, const char *rel, int create, int *ret_fd);
/* Open the parent directory of `rel` (creating it) and point *ret_name at the
 * last component inside rel. */
int gb_wr_open_parent(int rootfd, const char *rel, int *ret_fd, const char **ret_name);
/* Create (replacing a non-directory) a regular file for writing. Only the
 * 0777 permission bits of mode are kept, plus owner read/write. */
int gb_wr_create_file(int rootfd, const char *rel, mode_t mode, int *ret_fd);
/* Create a directory (or keep an existing one); only 0777 bits, plus owner rwx. */
int gb_wr_mkdir(int rootfd, const char *rel, mode_t mode);
/* Create a symlink with the verbatim target (replacing a non-directory). */
int gb_wr_symlink(int rootfd, const char *rel, const char *target);
/* Hard-link rel to the regular file target_rel, both beneath root. Refused
 * with -GB_EEXIST unless target_rel is a regular file reached without links. */
int gb_wr_hardlink(int rootfd, const char *target_rel, const char *rel);
/* Remove `name` in dirfd recursively without following symlinks. ENOENT is
 * success. */
int gb_wr_remove_tree(int dirfd, const char *name);

#endif
