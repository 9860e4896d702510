/* Shared helpers for glassbox's cmocka unit tests.
 *
 * Each test runs in a fresh temporary directory (libarchive's habit), builds
 * its fixtures there with Debian's own tools (gbt_sh), scans them with the real
 * engine (gbt_scan) and checks the inventory against an independent oracle
 * (the source tree it packed, sha256sum's digests), never against glassbox's
 * own earlier output.
 */
#ifndef GB_TESTS_HARNESS_H
#define GB_TESTS_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <glassbox/glassbox.h>

/* cmocka group setup/teardown: a fresh temp dir, chdir'd into; removed after. */
int gbt_setup_tmpdir(void **state);
int gbt_teardown_tmpdir(void **state);

/* Run a shell command (printf-style) in the current directory; fails the
 * test if it exits non-zero. Output goes to stderr for debugging. */
void gbt_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same, returning the exit status instead of failing. */
int gbt_sh_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* True when the program is on PATH (tests skip() with a clear message when a
 * fixture tool is missing). */
bool gbt_have_tool(const char *name);
/* Write bytes to a file (hand-built fixtures). */
void gbt_write_file(const char *path, const void *data, size_t n);
/* Read a whole file (malloc'd, caller frees); *n gets its size. */
void *gbt_read_file(const char *path, size_t *n);

struct gb_format;
struct gb_probe;
/* Call a format's probe() on bytes; its return value. */
int gbt_probe_buf(const struct gb_format *fmt, const uint8_t *p, size_t n, struct gb_probe *pr);
/* Probe a whole file: its confidence and *size, or 0 when probe() refuses it. */
int gbt_probe_file(const struct gb_format *fmt, const char *path, uint64_t *size);

/* Scan `image` into `outdir` (removed first) with default limits and 2 jobs. */
struct gb_scan *gbt_scan(const char *image, const char *outdir);
/* Same, with caller-chosen limits. */
struct gb_scan *gbt_scan_limits(const char *image, const char *outdir, const struct gb_limits *lim);

/* The first node of that format (or NULL). */
const struct gb_node *gbt_node(const struct gb_scan *s, const char *format);
/* How many nodes of that format. */
size_t gbt_count_nodes(const struct gb_scan *s, const char *format);
/* The file with that container path in the first node of `format` (or in any
 * node when format is NULL); NULL when absent. */
const struct gb_file *gbt_file(const struct gb_scan *s, const char *format, const char *path);
/* Files recorded for a node. */
size_t gbt_count_files(const struct gb_scan *s, int node);

/* sha256sum(1) of a file on disk, as lowercase hex (the independent oracle). */
void gbt_sha256sum(const char *path, char hex[65]);
/* Assert that the scan recorded `path` (in a node of `format`) as a regular
 * file whose sha256 equals sha256sum(src_file). */
void gbt_assert_file_matches(const struct gb_scan *s, const char *format, const char *path,
			     const char *src_file);

/* Pack the directory `root` into ROOT.tar (owners 0), scan it into ROOT.out
 * and audit it with the one analyzer named; the audit must succeed. */
struct gb_audit *gbt_audit_dir(const char *root, const char *analyzer, struct gb_scan **ret_scan);
/* Print an audit's findings on stderr (for a failing test's log). */
void gbt_dump_findings(const struct gb_audit *a);

/* The value of attribute `key` of node n (gb_unpack_set_attr), or NULL. */
const char *gbt_node_attr(const struct gb_node *n, const char *key);
/* The child of node `parent` whose region label is `label`, or NULL. */
const struct gb_node *gbt_child_labelled(const struct gb_scan *s, int parent, const char *label);
/* Firmware parts for the vendor-header tests: root/etc/{passwd,blob} (blob of
 * `blob_bytes` random bytes), r.tar of root/etc, a random 20000-byte vmlinux
 * and its gzip, k.gz. */
void gbt_make_kernel_rootfs(size_t blob_bytes);

/* Assert that `path` (in the first node of `format`) was recorded with that
 * type, that symlink target, or those mode bits. */
void gbt_assert_type(const struct gb_scan *s, const char *format, const char *path, enum gb_ftype type);
void gbt_assert_symlink(const struct gb_scan *s, const char *format, const char *path, const char *target);
void gbt_assert_mode(const struct gb_scan *s, const char *format, const char *path, uint32_t mode);

/* Assert nothing was created in `dir` (a canary directory beside OUTDIR). */
void gbt_assert_dir_empty(const char *dir);

#endif
